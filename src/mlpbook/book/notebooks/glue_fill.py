"""Glue placeholders filled with their values, formatted as myst-nb formats them.

A chapter's Markdown shows computed values through myst-nb's glue roles
(``{glue:text}`name:fmt```, ``{glue:md}``, ``{glue}``) and directives
(``{glue:md}``, ``{glue:figure}``, ``{glue:math}``, ``{glue}``). Jupyter shows
them as raw text; :func:`substitute_glue` replaces each by the value of a run,
formatted as the page formats it (:func:`format_glue_text`), and
:func:`glue_from_notebook` reads those values from an executed notebook.
"""

from __future__ import annotations

import ast
import base64
import re
import textwrap
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any

from .fences import DIRECTIVE, FENCE, Fence, UnclosedDirectiveError, directive_block, open_block

__all__ = [
    "GlueError",
    "Substituted",
    "escape_markdown",
    "format_glue_text",
    "glue_from_notebook",
    "substitute_glue",
]


class GlueError(ValueError):
    """A glue placeholder that cannot be filled (unknown name, missing MIME type, bad form)."""


def format_glue_text(text: str, spec: str) -> str:
    """Format a glued value's ``text/plain`` as ``{glue:text}`name:spec``` shows it.

    The same rules as myst-nb's ``format_plain_text``: the text is read as a
    Python literal when it is one (so ``'abc'`` loses its quotes), then
    converted by the spec's type character (``d``/``x``... to int,
    ``f``/``e``/``g``/``%``... to float, ``s`` to str) and formatted.

    Raises:
        TypeError: if ``text`` or ``spec`` is not a string.
        GlueError: if the value cannot be formatted with ``spec``.
    """
    if not isinstance(text, str) or not isinstance(spec, str):
        raise TypeError(f"text and spec must be strings, got {text!r} and {spec!r}")
    try:
        value: Any = ast.literal_eval(text)
    except (SyntaxError, ValueError):
        value = text
    if spec == "":
        return str(value)
    kind = spec[-1]
    try:
        if kind == "s":
            value = str(value)
        elif kind in "bcdoxX":
            value = int(value)
        elif kind in "eEfFgGn%":
            value = float(value)
        return format(value, spec)
    except (TypeError, ValueError) as exc:
        raise GlueError(f"cannot format glued value {text!r} with {spec!r}: {exc}") from exc


_MD_SPECIAL = re.compile(r"([\\`*_\[\]<>$|])")


def escape_markdown(text: str) -> str:
    """``text`` shown literally in Markdown (``{glue:text}`` pastes plain text)."""
    return _MD_SPECIAL.sub(r"\\\1", text)


_ROLE = re.compile(r"\{glue(?::(?P<kind>[a-z]*))?\}`(?P<body>[^`]+)`")
_GLUE_DIRECTIVE = re.compile(r"glue(:[a-z]*)?")
_GLUE_KINDS = {"", "any", "text", "md", "figure", "math"}


@dataclass
class Substituted:
    """Markdown with its glue filled in, and the cell attachments its images need."""

    source: str
    attachments: dict[str, dict[str, str]] = field(default_factory=dict)


def _entry(glue: Mapping[str, Any], key: str, where: str) -> Mapping[str, Any]:
    if "::" in key:
        raise GlueError(f"{where}: glue from another document ({key!r}) is not supported")
    if key not in glue:
        known = ", ".join(sorted(glue)) or "none"
        raise GlueError(f"{where}: no glued value named {key!r} (glued here: {known})")
    data = glue[key].get("data")
    if not isinstance(data, Mapping):
        raise GlueError(f"{where}: glued value {key!r} has no output data")
    return data


def _mime(data: Mapping[str, Any], mime: str, key: str, where: str) -> str:
    if mime not in data:
        raise GlueError(f"{where}: glued value {key!r} has no {mime} (it has {sorted(data)})")
    value = data[mime]
    return "".join(value) if isinstance(value, list) else str(value)


class _Filler:
    """Turns glue references into Markdown, collecting image attachments."""

    def __init__(self, glue: Mapping[str, Any], where: str) -> None:
        self.glue = glue
        self.where = where
        self.attachments: dict[str, dict[str, str]] = {}

    def image(self, key: str, data: Mapping[str, Any], alt: str) -> str | None:
        for mime, ext in (("image/svg+xml", "svg"), ("image/png", "png"), ("image/jpeg", "jpg")):
            if mime in data:
                content = _mime(data, mime, key, self.where)
                if mime == "image/svg+xml":
                    content = base64.b64encode(content.encode()).decode()
                name = f"{key}.{ext}"
                self.attachments[name] = {mime: content.replace("\n", "")}
                return f"![{escape_markdown(alt or key)}](attachment:{name})"
        return None

    def any(self, key: str, *, inline: bool, alt: str = "") -> str:
        """``{glue}``: the richest output Jupyter Markdown can show."""
        data = _entry(self.glue, key, self.where)
        if "text/markdown" in data:
            return _mime(data, "text/markdown", key, self.where).strip()
        image = self.image(key, data, alt)
        if image is not None:
            return image
        if "text/latex" in data:
            latex = _mime(data, "text/latex", key, self.where).strip()
            return (
                latex if latex.startswith("$") else (f"${latex}$" if inline else f"$$\n{latex}\n$$")
            )
        if "text/html" in data and not inline:
            return _mime(data, "text/html", key, self.where).strip()
        return escape_markdown(_mime(data, "text/plain", key, self.where))

    def role(self, kind: str, body: str) -> str:
        if "::" in body:
            raise GlueError(f"{self.where}: glue from another document ({body!r}) is not supported")
        if kind not in _GLUE_KINDS - {"figure", "math"}:
            raise GlueError(f"{self.where}: unknown glue role {{glue:{kind}}}`{body}`")
        if kind == "text":
            key, _, spec = body.rpartition(":") if ":" in body else (body, "", "")
            data = _entry(self.glue, key, self.where)
            return escape_markdown(
                format_glue_text(_mime(data, "text/plain", key, self.where), spec)
            )
        if kind == "md":
            key = body.rsplit(":", 1)[0] if ":" in body else body
            return _mime(
                _entry(self.glue, key, self.where), "text/markdown", key, self.where
            ).strip()
        return self.any(body, inline=True)

    def directive(self, kind: str, key: str, options: dict[str, str], body: list[str]) -> str:
        if not key:
            raise GlueError(f"{self.where}: a {{glue:{kind}}} directive needs a name")
        if kind == "md":
            return _mime(
                _entry(self.glue, key, self.where), "text/markdown", key, self.where
            ).strip()
        if kind == "math":
            latex = _mime(_entry(self.glue, key, self.where), "text/latex", key, self.where)
            return "$$\n" + latex.strip().strip("$").strip() + "\n$$"
        shown = self.any(key, inline=False, alt=options.get("alt", ""))
        caption = "\n".join(body).strip()
        if kind == "figure" and caption:
            shown += "\n\n" + caption
        return shown

    def fenced_directive(self, fence: re.Match[str], lines: Iterator[str]) -> str:
        """A whole glue directive (consumed from ``lines``), indented as its fence was."""
        directive = DIRECTIVE.match(fence["info"].strip())
        assert directive is not None  # checked by _is_glue_directive
        kind = directive["name"].partition(":")[2] or "any"
        if kind not in _GLUE_KINDS:
            raise GlueError(f"{self.where}: unknown glue directive {{{directive['name']}}}")
        try:
            options, body = directive_block(lines, Fence.opened_by(fence, literal=True))
        except UnclosedDirectiveError:
            raise GlueError(f"{self.where}: a glue directive is not closed") from None
        shown = self.directive(kind, directive["argument"], options, body)
        return textwrap.indent(shown, fence["indent"])  # e.g. inside a list item


def _is_glue_directive(fence: re.Match[str] | None) -> bool:
    directive = DIRECTIVE.match(fence["info"].strip()) if fence else None
    return bool(directive and _GLUE_DIRECTIVE.fullmatch(directive["name"]))


def substitute_glue(
    markdown: str, glue: Mapping[str, Any], *, where: str = "markdown"
) -> Substituted:
    """Replace every glue role and directive in ``markdown`` by its value.

    Args:
        markdown: a Markdown cell's source, MyST syntax.
        glue: myst-nb's glue data of the page (``_build/jupyter_execute/<page>.glue.json``):
            name -> output (``{"data": {mime: value}, "metadata": ...}``, MIME
            types without the ``application/papermill.record/`` prefix).
        where: how errors name the cell (page and cell number).

    Returns:
        The Markdown with values in place of placeholders, and the attachments
        (name -> {mime: base64}) for glued images, referenced as
        ``attachment:<name>``.

    Raises:
        TypeError: if ``markdown`` is not a string or ``glue`` not a mapping.
        GlueError: for a name that was not glued, a value without the MIME type
            the placeholder needs, or a value its format spec does not fit.

    Roles inside code (fenced blocks, ``{code-block}``, ``{math}``) are left alone.
    """
    if not isinstance(markdown, str):
        raise TypeError(f"markdown must be a string, got {markdown!r}")
    if not isinstance(glue, Mapping):
        raise TypeError(f"glue must be a mapping of names to outputs, got {glue!r}")
    filler = _Filler(glue, where)
    out: list[str] = []
    stack: list[Fence] = []
    lines = iter(markdown.split("\n"))
    for line in lines:
        if stack and (stack[-1].literal or stack[-1].closed_by(line)):
            if stack[-1].closed_by(line):
                stack.pop()
            out.append(line)
            continue
        fence = FENCE.match(line)
        if fence and _is_glue_directive(fence):
            out.append(filler.fenced_directive(fence, lines))
            continue
        opened = open_block(fence)
        if opened is not None:
            stack.append(opened)
        if fence:
            out.append(line)
        else:
            out.append(_ROLE.sub(lambda m: filler.role(m["kind"] or "any", m["body"]), line))
    return Substituted("\n".join(out), filler.attachments)


def glue_from_notebook(notebook: Any) -> dict[str, dict[str, Any]]:
    """The values an executed notebook glued: name -> output, MIME prefixes removed.

    The same data myst-nb extracts for the page (outputs whose metadata has a
    ``scrapbook`` name; the ``application/papermill.record/`` prefix of values
    glued with ``display=False`` is dropped), so :func:`substitute_glue` can
    fill a chapter from a reader's own run.

    Raises:
        TypeError: if ``notebook`` is not an nbformat 4 notebook.
    """
    if not isinstance(notebook, Mapping) or notebook.get("nbformat") != 4:
        raise TypeError(f"notebook must be an nbformat 4 notebook, got {type(notebook).__name__}")
    found: dict[str, dict[str, Any]] = {}
    for cell in notebook["cells"]:
        for output in cell.get("outputs", []) if cell["cell_type"] == "code" else []:
            record = (output.get("metadata") or {}).get("scrapbook")
            if not record:
                continue
            cut = len(record.get("mime_prefix", ""))
            data = {mime[cut:]: value for mime, value in output.get("data", {}).items()}
            found[record["name"]] = {"data": data, "metadata": output.get("metadata", {})}
    return found
