"""The chapters' prose types no result: every computed number is glued, every glued value shown."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).parent))
import typed_numbers  # noqa: E402

CHAPTER = """---
jupytext:
  text_representation:
    extension: .md
    format_name: myst
kernelspec:
  display_name: Python 3
  name: python3
---

# A chapter

We train for 200 epochs at $\\eta = 0.5$ and reach {glue:text}`loss:.3f`.
{THE_SENTENCE}

```{code-cell} ipython3
EPOCHS = 200
glue("loss", 0.123, display=False)
{EXTRA_GLUE}
```

```{exercise}
:label: ex-1

Train for 300 epochs.
```
"""


def _chapter(tmp_path: Path, sentence: str = "", extra_glue: str = "") -> Path:
    path = tmp_path / "a-chapter.md"
    text = CHAPTER.replace("{THE_SENTENCE}", sentence).replace("{EXTRA_GLUE}", extra_glue)
    path.write_text(text)
    return path


def _found(path: Path, allowed: dict[str, set[str]] | None = None) -> list[tuple[str, str]]:
    return [(f.kind, f.value) for f in typed_numbers.check_chapter(path, allowed or {})]


def test_the_book_types_no_result_and_shows_every_glued_value() -> None:
    findings = typed_numbers.check_book()
    assert not findings, "\n".join(str(f) for f in findings)


def test_a_typed_result_is_found_and_configuration_is_not(tmp_path: Path) -> None:
    # 200 is the code's EPOCHS; 0.5 sits in math; 300 is typed inside an exercise.
    assert _found(_chapter(tmp_path)) == [("typed number", "300")]
    found = _found(_chapter(tmp_path, "The loss fell by 37 %, from 1,797 runs."))
    assert ("typed number", "37") in found and ("typed number", "1,797") in found


def test_an_allowed_number_needs_its_chapter(tmp_path: Path) -> None:
    path = _chapter(tmp_path)
    assert _found(path, {"a-chapter": {"300"}}) == []
    assert _found(path, {"another-chapter": {"300"}}) == [("typed number", "300")]


def test_a_glued_value_never_shown_is_found(tmp_path: Path) -> None:
    path = _chapter(tmp_path, extra_glue='glue("hidden_away", 3, display=False)')
    assert ("unused glue", "hidden_away") in _found(path)


def test_a_stale_allowance_is_found(tmp_path: Path) -> None:
    allowed = tmp_path / "allowed.toml"
    allowed.write_text(
        '[ch]\nnumbers = [{ number = "15", why = "the width", '
        'constant = "mlpbook.chapters.dropout_case:HIDDEN" }]\n'
    )
    numbers, stale = typed_numbers.allowed_numbers(allowed)
    assert numbers == {"ch": {"15"}}
    assert [(f.kind, f.value) for f in stale] == [("stale allowance", "15")]
    allowed.write_text('[ch]\nnumbers = [{ number = "15" }]\n')
    with pytest.raises(ValueError, match="no reason"):
        typed_numbers.allowed_numbers(allowed)


def test_glue_bookkeeping_is_hidden_from_the_page() -> None:
    """Every top-level ``glue(...)`` statement sits in a cell tagged ``remove-cell``: the
    page shows the computation, the notebook still runs (and checks) the bookkeeping."""
    import ast

    import jupytext

    shown = []
    for chapter in sorted(typed_numbers.BOOK.glob("*.md")):
        notebook = jupytext.read(chapter, fmt="md:myst")
        for index, cell in enumerate(notebook.cells):
            if cell.cell_type != "code" or "remove-cell" in cell.metadata.get("tags", []):
                continue
            for node in ast.parse(cell.source).body:
                call = node.value if isinstance(node, ast.Expr) else None
                if isinstance(call, ast.Call) and getattr(call.func, "id", None) == "glue":
                    shown.append(f"{chapter.name}, cell {index}, line {node.lineno}")
    assert not shown, "glue calls in cells the page shows (tag them remove-cell):\n" + "\n".join(
        shown
    )


# Phrases that point at a source the reader cannot see: the book cites what it
# draws on (references.bib) and names nothing it does not cite.
UNNAMED_SOURCES = ("source material", "the seeds", "the original notes", "the brief")


def test_the_book_refers_to_no_source_it_does_not_cite() -> None:
    import re

    pattern = re.compile("|".join(rf"\b{re.escape(p)}\b" for p in UNNAMED_SOURCES), re.I)
    texts = (
        sorted(typed_numbers.BOOK.glob("*.md"))
        + sorted((typed_numbers.ROOT / "src" / "mlpbook").rglob("*.py"))
        + [typed_numbers.ROOT / "README.md"]
    )
    found = [
        f"{path.relative_to(typed_numbers.ROOT)}:{number}: {match.group(0)!r}"
        for path in texts
        for number, line in enumerate(path.read_text().splitlines(), 1)
        for match in pattern.finditer(line)
    ]
    assert not found, "phrases naming an uncited source:\n" + "\n".join(found)
