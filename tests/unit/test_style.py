"""The code is kept in one style: ruff (lint and format) on the package, the
tests and the benchmarks, and on every chapter's code cells, with the chapters'
lines no longer than the site's code column (no code block scrolls sideways)."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
CHAPTER_LINE_LENGTH = 84
"""Characters of code the site's code column shows without scrolling (1366 px wide window)."""

FIRST_PARTY = ["--config", "lint.isort.known-first-party = ['mlpbook']"]
CHAPTER_RULES = [
    "--select",
    "E,F,W,I,B,UP",
    "--ignore",
    "E402,B018,B905,E741",
]  # notebooks import late and end cells with a value
RUFF = [sys.executable, "-m", "ruff"]

pytestmark = pytest.mark.skipif(
    shutil.which("ruff") is None
    and subprocess.run([*RUFF, "--version"], capture_output=True).returncode != 0,
    reason="ruff is not installed",
)


def _ruff(*args: str, cwd: Path = ROOT, stdin: str | None = None) -> subprocess.CompletedProcess:
    return subprocess.run([*RUFF, *args], cwd=cwd, input=stdin, capture_output=True, text=True)


def test_package_tests_and_benchmarks_pass_ruff_check() -> None:
    result = _ruff("check", "src", "tests", "benchmarks")
    assert result.returncode == 0, result.stdout + result.stderr


def test_package_tests_and_benchmarks_are_formatted() -> None:
    result = _ruff("format", "--check", "src", "tests", "benchmarks")
    assert result.returncode == 0, (
        f"run `ruff format src tests benchmarks`:\n{result.stdout}{result.stderr}"
    )


def _chapters() -> list[Path]:
    return sorted(p for p in (ROOT / "book").glob("*.md") if "```{code-cell}" in p.read_text())


def _chapter_code(chapter: Path) -> str:
    import jupytext

    notebook = jupytext.read(chapter, fmt="md:myst")
    cells = [cell.source for cell in notebook.cells if cell.cell_type == "code"]
    return "# %%\n" + "\n\n\n# %%\n".join(cells) + "\n"  # as jupytext's py:percent format


@pytest.mark.parametrize("chapter", _chapters(), ids=lambda p: p.stem)
def test_chapter_code_cells_pass_ruff(chapter: Path, tmp_path: Path) -> None:
    code = tmp_path / f"{chapter.stem.replace('-', '_')}.py"
    code.write_text(_chapter_code(chapter))
    length = f"--line-length={CHAPTER_LINE_LENGTH}"
    lint = _ruff(
        "check", "--isolated", length, *FIRST_PARTY, *CHAPTER_RULES, str(code), cwd=tmp_path
    )
    assert lint.returncode == 0, f"book/{chapter.name}:\n{lint.stdout}"
    fmt = _ruff("format", "--isolated", length, "--diff", str(code), cwd=tmp_path)
    assert fmt.returncode == 0, (
        f"book/{chapter.name} is not formatted; run "
        f"`python tests/unit/test_style.py` to format every chapter:\n{fmt.stdout}"
    )


def _pipe_cells(chapter: Path, command: str, *, check: bool) -> None:
    """Pipe every code cell of ``chapter`` through ``command`` (``{}`` is the cell's file)."""
    subprocess.run(
        [sys.executable, "-m", "jupytext", "--quiet", "--pipe", command, str(chapter)],
        check=check,
    )


def format_chapters() -> None:
    """Format every chapter's code cells in place (jupytext pipes each cell through ruff format)."""
    ruff = f"{sys.executable} -m ruff"
    length = f"--line-length={CHAPTER_LINE_LENGTH}"
    for chapter in _chapters():
        _pipe_cells(chapter, f"{ruff} format --isolated {length} {{}}", check=True)
        _pipe_cells(
            chapter,
            f"{ruff} check --isolated --fix --select I "
            f"--config \"lint.isort.known-first-party = ['mlpbook']\" {length} {{}}",
            check=False,
        )


if __name__ == "__main__":
    format_chapters()
