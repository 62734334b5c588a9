"""The drift check's own guard: every chapter has a reference notebook, and
the reference runs the chapter's current code (else nbval would compare stale
code with stale outputs and pass)."""

from __future__ import annotations

import nbformat
import pytest
from chapters import (
    REFERENCES,
    REFRESH_COMMAND,
    chapter_files,
    code_sources,
    read_chapter,
    reference_path,
    toc_files_missing,
)

CHAPTERS = chapter_files()


def test_there_are_chapters() -> None:
    assert CHAPTERS, "no chapters with code cells found through _toc.yml"


def test_every_toc_entry_exists() -> None:
    assert not toc_files_missing(), f"_toc.yml lists files that do not exist: {toc_files_missing()}"


def test_no_orphan_references() -> None:
    expected = {reference_path(c).name for c in CHAPTERS}
    orphans = sorted(p.name for p in REFERENCES.glob("*.ipynb") if p.name not in expected)
    assert not orphans, f"reference notebooks without a chapter in _toc.yml: {orphans}"


@pytest.mark.parametrize("chapter", CHAPTERS, ids=[c.stem for c in CHAPTERS])
def test_reference_matches_chapter(chapter) -> None:
    ref = reference_path(chapter)
    assert ref.exists(), (
        f"{chapter.name} has no reference notebook {ref.name}; create it with: "
        f"{REFRESH_COMMAND} {chapter.stem}"
    )
    current = code_sources(read_chapter(chapter))
    stored = code_sources(nbformat.read(ref, as_version=4))
    hint = f"refresh it with: {REFRESH_COMMAND} {chapter.stem}"
    assert len(current) == len(stored), (
        f"{ref.name} is stale: book/{chapter.name} has {len(current)} code cells, the reference "
        f"{len(stored)}; {hint}"
    )
    for i, (a, b) in enumerate(zip(current, stored)):
        assert a == b, (
            f"{ref.name} is stale: code cell {i + 1} differs from book/{chapter.name}; {hint}"
        )
    executed = nbformat.read(ref, as_version=4)
    unrun = [
        i + 1
        for i, c in enumerate(c for c in executed.cells if c.cell_type == "code")
        if c.get("execution_count") is None
    ]
    assert not unrun, (
        f"{ref.name}: code cells {unrun} were never executed (nbval would not compare them); {hint}"
    )


@pytest.mark.parametrize("chapter", CHAPTERS, ids=[c.stem for c in CHAPTERS])
def test_chapter_needs_only_mlpbook(chapter) -> None:
    """A reader runs a chapter with only ``mlpbook`` installed: no chapter imports the book toolchain."""
    toolchain = ("myst_nb", "jupyter_book", "sphinx", "nbval", "jupytext")
    for i, source in enumerate(code_sources(read_chapter(chapter)), 1):
        for line in source.splitlines():
            words = line.replace(",", " ").split()
            if words[:1] in (["import"], ["from"]) and any(
                w.split(".")[0] in toolchain for w in words[1:2]
            ):
                raise AssertionError(
                    f"book/{chapter.name}, code cell {i} imports the book toolchain: {line.strip()!r}; "
                    "use mlpbook.book.glue instead of myst_nb.glue"
                )
