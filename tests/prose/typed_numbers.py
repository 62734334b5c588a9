"""Typed numbers and unused glue: what the chapters' prose says without the code.

Every number in the prose that code computes must be glued (``{glue:text}``).
This script reads every chapter in ``book/`` and reports

* **typed numbers**: numbers in the Markdown cells (outside math, code spans,
  glue roles, citations, links and directive headers) that are neither a
  literal of the chapter's code cells (a configuration constant the reader can
  see, such as ``EPOCHS = 200``) nor listed in ``allowed_numbers.toml`` with
  the reason they are not a result (a definition, a year, a figure of the text);
* **unused glue keys**: values a chapter glues that its prose never shows.

Usage::

    python tests/prose/typed_numbers.py            # report; exit status 1 if anything is found
    python tests/prose/typed_numbers.py --context  # with each number's sentence

``tests/prose/test_prose.py`` runs it in the test suite.
"""

from __future__ import annotations

import ast
import re
import sys
import tomllib
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
BOOK = ROOT / "book"
ALLOWED = Path(__file__).with_name("allowed_numbers.toml")

# What is not prose: removed before numbers are looked for.
_MASKS = [
    re.compile(r"\$\$.*?\$\$", re.S),  # display math
    re.compile(r"\\begin\{(\w+\*?)\}.*?\\end\{\1\}", re.S),  # amsmath environments
    re.compile(r"(?<!\\)\$[^$\n]+?(?<!\\)\$"),  # inline math
    re.compile(r"\{[\w:-]+\}`[^`]*`"),  # roles: {glue:text}`k:.2f`, {cite}`x`, {ref}`y`
    re.compile(r"``[^`]*``|`[^`]*`"),  # code spans
    re.compile(r"\]\([^)]*\)"),  # link targets
    re.compile(r"https?://\S+"),  # bare URLs
    re.compile(r"<[^>]+>"),  # HTML tags
    re.compile(r"^\s*\(.+\)=\s*$", re.M),  # MyST targets: (label)=
    re.compile(r"^#+ ", re.M),  # heading marks
    re.compile(r"^\s*\d+\. ", re.M),  # ordered-list numbers
]
_NUMBER = re.compile(
    r"(?<![\w.])[-−]?(?:\d{1,3}(?:,\d{3})+|\d+)(?:\.\d+)?(?:[eE][-+]?\d+)?(?![\w])"
)
_GLUE_ROLE = re.compile(r"\{glue(?::\w+)?\}`([^`:]+)")
_GLUE_DIRECTIVE = re.compile(r"```\{glue(?::\w+)?\}\s+(\S+)")
_GLUE_CALL = re.compile(r"""\bglue\(\s*(?:f?["'])([^"']+)["']""")


@dataclass(frozen=True)
class Finding:
    """One thing the prose says without the code."""

    chapter: str
    kind: str  # "typed number" or "unused glue"
    value: str
    context: str

    def __str__(self) -> str:
        return f"{self.chapter}: {self.kind} {self.value!r}  … {self.context}"


def _cells(chapter: Path) -> tuple[list[str], list[str]]:
    """The chapter's Markdown cells and code cells, as jupytext reads them."""
    import jupytext

    notebook = jupytext.read(chapter, fmt="md:myst")
    markdown = [c.source for c in notebook.cells if c.cell_type == "markdown"]
    code = [c.source for c in notebook.cells if c.cell_type == "code"]
    return markdown, code


def _normalise(number: str) -> str:
    """A number as a canonical string: ``"1,797"`` → ``"1797"``, ``"0.50"`` → ``"0.5"``."""
    text = number.replace(",", "").replace("−", "-")
    try:
        value = float(text)
    except ValueError:
        return text
    return repr(int(value)) if value.is_integer() and abs(value) < 1e15 else repr(value)


def code_literals(code: list[str]) -> set[str]:
    """Every number written in the chapter's code cells (configuration the reader sees)."""
    found: set[str] = set()
    for source in code:
        lines = [ln for ln in source.splitlines() if not ln.lstrip().startswith(("%", "!", ":"))]
        try:
            tree = ast.parse("\n".join(lines))
        except SyntaxError:
            tree = None
        if tree is None:  # pragma: no cover - every chapter cell is Python
            raise SyntaxError(f"a code cell does not parse:\n{source}")
        for node in ast.walk(tree):
            if isinstance(node, ast.Constant) and isinstance(node.value, bool):
                continue
            if isinstance(node, ast.Constant) and isinstance(node.value, (int, float)):
                found.add(_normalise(repr(node.value)))
            elif isinstance(node, ast.Constant) and isinstance(node.value, str):
                found.update(_normalise(n) for n in _NUMBER.findall(node.value))  # shown labels
    return found


# Directives whose body is code or data; every other directive (exercise, note, …) is prose.
_CODE_DIRECTIVES = {"code-cell", "code", "code-block", "glue", "glue:md", "glue:figure", "math"}
_FENCE = re.compile(r"^(`{3,}|:{3,})\{?([\w:-]*)\}?[^\n]*\n(.*?)^\1\s*$", re.S | re.M)
_OPTION = re.compile(r"^(:[\w-]+:.*|---)$")


def _blank(text: str) -> str:
    return re.sub(r"[^\n]", " ", text)


def _mask_fence(match: re.Match[str]) -> str:
    """A fenced directive with its header and options blanked; code bodies blanked too."""
    fence, name, body = match.group(1), match.group(2), match.group(3)
    head = match.group(0)[: match.start(3) - match.start(0)]
    if name in _CODE_DIRECTIVES or not name:
        return _blank(match.group(0))
    lines = body.split("\n")
    kept = [_blank(ln) if _OPTION.match(ln.strip()) else ln for ln in lines]
    tail = match.group(0)[match.end(3) - match.start(0) :]
    return _blank(head) + "\n".join(kept) + _blank(tail) if fence else match.group(0)


def prose_numbers(markdown: str) -> Iterator[tuple[str, str]]:
    """``(number, context)`` for every number in a Markdown cell's prose."""
    text = _FENCE.sub(_mask_fence, markdown)
    for mask in _MASKS:
        text = mask.sub(lambda m: " " * len(m.group(0)), text)
    for match in _NUMBER.finditer(text):
        start, end = match.span()
        context = " ".join(markdown[max(0, start - 50) : end + 30].split())
        yield match.group(0), context


def allowed_numbers(path: Path = ALLOWED) -> tuple[dict[str, set[str]], list[Finding]]:
    """Per chapter, the numbers its prose may type; and the entries whose package
    ``constant`` no longer has the number they allow (stale allowances)."""
    import importlib

    table = tomllib.loads(path.read_text()) if path.exists() else {}
    allowed: dict[str, set[str]] = {}
    stale: list[Finding] = []
    for chapter, section in table.items():
        for entry in section.get("numbers", []):
            if not str(entry.get("why", "")).strip():
                raise ValueError(f"{path.name}: [{chapter}] {entry!r} gives no reason ('why')")
            number = _normalise(str(entry["number"]))
            allowed.setdefault(chapter, set()).add(number)
            if "constant" in entry:
                module, name = entry["constant"].split(":")
                value = getattr(importlib.import_module(module), name)
                if _normalise(repr(value)) != number:
                    stale.append(
                        Finding(
                            chapter,
                            "stale allowance",
                            str(entry["number"]),
                            f"{entry['constant']} is now {value!r}",
                        )
                    )
    return allowed, stale


def check_chapter(chapter: Path, allowed: dict[str, set[str]]) -> list[Finding]:
    """The typed numbers and unused glue keys of one chapter."""
    markdown, code = _cells(chapter)
    name = chapter.stem
    ok = code_literals(code) | allowed.get(name, set())
    findings = [
        Finding(name, "typed number", number, context)
        for cell in markdown
        for number, context in prose_numbers(cell)
        if _normalise(number) not in ok
    ]
    prose = "\n".join(markdown)
    shown = set(_GLUE_ROLE.findall(prose)) | set(_GLUE_DIRECTIVE.findall(prose))
    glued = {key for source in code for key in _GLUE_CALL.findall(source)}
    findings += [
        Finding(name, "unused glue", key, "glued in a code cell, never shown in the prose")
        for key in sorted(glued - shown)
        if "{" not in key
    ]
    return findings


def check_book(book: Path = BOOK) -> list[Finding]:
    """Every finding in every chapter of ``book``."""
    allowed, stale = allowed_numbers()
    chapters = sorted(book.glob("*.md"))
    unknown = set(allowed) - {c.stem for c in chapters}
    if unknown:
        raise ValueError(f"{ALLOWED.name} names chapters that do not exist: {sorted(unknown)}")
    return stale + [f for chapter in chapters for f in check_chapter(chapter, allowed)]


def main(argv: list[str]) -> int:
    findings = check_book()
    for finding in findings:
        print(
            finding if "--context" in argv else f"{finding.chapter}: {finding.kind} {finding.value}"
        )
    print(f"{len(findings)} finding(s)")
    return 1 if findings else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
