"""The book's chapters and their nbval reference notebooks.

Regenerate every reference after an intended change to a chapter or to
``mlpbook`` (this is the one documented command)::

    python tests/drift/chapters.py            # all chapters
    python tests/drift/chapters.py linear-to-mlp   # one chapter

Each chapter (``book/<name>.md``, a MyST Markdown notebook) is converted with
jupytext and executed with nbclient, exactly as a reader's kernel would run it,
and written to ``tests/drift/references/<name>.ipynb``. pytest (nbval) re-executes
those notebooks and compares every output with the stored one.
"""

from __future__ import annotations

import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
BOOK = ROOT / "book"
REFERENCES = Path(__file__).resolve().parent / "references"
REFRESH_COMMAND = "python tests/drift/chapters.py"


def chapter_files() -> list[Path]:
    """The chapters listed in ``_toc.yml`` that contain code cells (notebooks)."""
    import yaml

    toc = yaml.safe_load((ROOT / "_toc.yml").read_text())
    files = [toc["root"]]

    def walk(entries: list[dict]) -> None:
        for entry in entries or []:
            if "file" in entry:
                files.append(entry["file"])
            walk(entry.get("sections", []))
            for part in entry.get("parts", []):
                walk(part.get("chapters", []))

    walk(toc.get("chapters", []))
    for part in toc.get("parts", []):
        walk(part.get("chapters", []))
    paths = [ROOT / f"{f}.md" for f in files]
    return [p for p in paths if p.exists() and "```{code-cell}" in p.read_text()]


def toc_files_missing() -> list[str]:
    """Entries of ``_toc.yml`` with no ``.md`` file behind them."""
    import yaml

    text = (ROOT / "_toc.yml").read_text()
    entries = [yaml.safe_load(text)["root"]] + [
        m.strip() for m in __import__("re").findall(r"file:\s*(\S+)", text)
    ]
    return sorted({e for e in entries if not (ROOT / f"{e}.md").exists()})


def reference_path(chapter: Path) -> Path:
    """Where the reference notebook of ``chapter`` lives."""
    return REFERENCES / f"{chapter.stem}.ipynb"


def read_chapter(chapter: Path):
    """The chapter as an (unexecuted) nbformat notebook."""
    import jupytext

    return jupytext.read(chapter, fmt="md:myst")


def code_sources(nb) -> list[str]:
    """The sources of the code cells of a notebook, in order."""
    return [cell.source for cell in nb.cells if cell.cell_type == "code"]


def build_reference(chapter: Path) -> Path:
    """Execute ``chapter`` in a fresh kernel and write its reference notebook."""
    import nbformat
    from nbclient import NotebookClient

    from mlpbook.book.kernel import set_drift_kernel_environment

    set_drift_kernel_environment()
    nb = read_chapter(chapter)
    nb.metadata.pop("jupytext", None)
    client = NotebookClient(
        nb,
        timeout=1800,
        kernel_name="python3",
        resources={"metadata": {"path": str(chapter.parent)}},
    )
    client.execute()
    REFERENCES.mkdir(exist_ok=True)
    target = reference_path(chapter)
    nbformat.write(nb, target)
    return target


def main(names: list[str]) -> int:
    chapters = chapter_files()
    if names:
        unknown = set(names) - {c.stem for c in chapters}
        if unknown:
            print(f"unknown chapter(s) {sorted(unknown)}; chapters: {[c.stem for c in chapters]}")
            return 2
        chapters = [c for c in chapters if c.stem in names]
    for chapter in chapters:
        print(f"executing {chapter.relative_to(ROOT)} ...", flush=True)
        print(f"  wrote {build_reference(chapter).relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
