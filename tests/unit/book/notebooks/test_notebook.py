"""Unit tests of :mod:`mlpbook.book.notebooks.notebook`: the notebook a reader downloads."""

from __future__ import annotations

import nbformat
import pytest

from mlpbook.book.notebooks.glue_fill import GlueError
from mlpbook.book.notebooks.notebook import downloadable_notebook

GLUE = {"mse": {"output_type": "display_data", "metadata": {}, "data": {"text/plain": "0.0123456"}}}


def _executed() -> nbformat.NotebookNode:
    nb = nbformat.v4.new_notebook()
    nb.metadata = {
        "jupytext": {"text_representation": {"format_name": "myst"}},
        "kernelspec": {"name": "python3", "display_name": "Python 3", "language": "python"},
        "source_map": [1, 2],
    }
    nb.cells = [
        nbformat.v4.new_markdown_cell("(ch-x)=\n# X\n\nMSE {glue:text}`mse:.3f`."),
        nbformat.v4.new_code_cell(
            "glue('mse', 0.0123456, display=False)",
            metadata={"tags": ["remove-output"], "mystnb": {"image": {"alt": "a"}}},
        ),
    ]
    return nb


def test_downloadable_notebook_is_clean_filled_and_starts_with_the_install_cell() -> None:
    executed = _executed()
    before = nbformat.writes(executed)
    nb = downloadable_notebook(executed, GLUE, install_source="print('install')", name="book/x")
    assert nbformat.writes(executed) == before  # the executed notebook is not changed
    assert list(nb.metadata) == ["kernelspec"]
    first = nb.cells[0]
    assert (first.cell_type, first.id, first.source) == (
        "code",
        "mlpbook-install",
        "print('install')",
    )
    assert nb.cells[1].source == "# X\n\nMSE 0.012."
    assert nb.cells[2].metadata == {"tags": ["remove-output"]}
    nbformat.validate(nb)


def test_downloadable_notebook_names_the_page_and_cell_of_a_bad_placeholder() -> None:
    executed = _executed()
    executed.cells[0].source = "{glue:text}`gone`"
    with pytest.raises(GlueError, match=r"book/x, cell 0: no glued value named 'gone'"):
        downloadable_notebook(executed, GLUE, install_source="", name="book/x")
    with pytest.raises(TypeError, match="nbformat 4 notebook"):
        downloadable_notebook({"cells": []}, GLUE, install_source="")


def test_cells_the_page_removes_stay_and_run_with_their_source_collapsed() -> None:
    executed = _executed()
    executed.cells.append(
        nbformat.v4.new_code_cell(
            "glue('n', 3, display=False)",
            metadata={"tags": ["remove-cell"], "jupyter": {"outputs_hidden": False}},
        )
    )
    nb = downloadable_notebook(executed, GLUE, install_source="", name="book/x")
    bookkeeping = nb.cells[-1]
    assert bookkeeping.source == "glue('n', 3, display=False)"
    assert bookkeeping.metadata == {
        "tags": ["remove-cell"],
        "jupyter": {"outputs_hidden": False, "source_hidden": True},
    }
    assert "jupyter" not in nb.cells[2].metadata  # a cell the page shows is not collapsed
    assert executed.cells[-1].metadata["jupyter"] == {"outputs_hidden": False}  # not changed
    nbformat.validate(nb)
