"""The notebook a reader downloads, made from the one the build executed."""

from __future__ import annotations

import copy
from collections.abc import Mapping
from typing import Any

from ..dark_figures import DARK_MIME
from .bibliography import Bibliography
from .glue_fill import Substituted, substitute_glue
from .install_cell import INSTALL_CELL_ID
from .markdown import plain_markdown

__all__ = ["HIDDEN_CELL_TAG", "downloadable_notebook"]

# Notebook and cell metadata kept in a download: what Jupyter itself uses.
_NOTEBOOK_METADATA = ("kernelspec", "language_info")
_CELL_METADATA = ("tags", "jupyter", "collapsed", "scrolled")
HIDDEN_CELL_TAG = "remove-cell"
"""The tag of cells the page does not show (glue bookkeeping, claim checks): in a download
they stay, and run, with their source collapsed."""


def _cell_metadata(cell: Mapping[str, Any]) -> dict[str, Any]:
    """The metadata of ``cell`` a download keeps: Jupyter's own keys, and a collapsed
    source (``jupyter.source_hidden``, which JupyterLab and VS Code honour) for a
    cell tagged :data:`HIDDEN_CELL_TAG`."""
    metadata = {key: cell["metadata"][key] for key in _CELL_METADATA if key in cell["metadata"]}
    if HIDDEN_CELL_TAG in metadata.get("tags", []):
        metadata["jupyter"] = {**metadata.get("jupyter", {}), "source_hidden": True}
    return metadata


def _fill_markdown(
    cells: list[Any],
    glue: Mapping[str, Any],
    titles: Mapping[str, str] | None,
    name: str,
    bibliography: Bibliography | None,
) -> None:
    """Fill the glue of every Markdown cell, then make it plain Markdown (in place).

    The citations are collected from all filled cells first (a generated table
    can cite), so that labels and the reference list are the whole chapter's.
    """
    import nbformat

    filled: dict[int, Substituted] = {
        index: substitute_glue(cell.source, glue, where=f"{name}, cell {index}")
        for index, cell in enumerate(cells)
        if cell.cell_type == "markdown"
    }
    references = (
        bibliography.notebook_references([f.source for f in filled.values()], chapter=name)
        if bibliography is not None
        else None
    )
    for index, markdown in filled.items():
        cells[index].source = plain_markdown(markdown.source, titles, references).strip("\n")
        if markdown.attachments:
            cells[index].attachments = nbformat.NotebookNode(markdown.attachments)


def downloadable_notebook(
    notebook: Any,
    glue: Mapping[str, Any],
    *,
    install_source: str,
    titles: Mapping[str, str] | None = None,
    name: str = "notebook",
    bibliography: Bibliography | None = None,
) -> Any:
    """The notebook a reader downloads, made from the executed one (which is not changed).

    Args:
        notebook: the executed ``nbformat`` notebook (version 4).
        glue: the page's glue data (see :func:`.substitute_glue`).
        install_source: the code of the first cell (:func:`.install_cell_source`).
        titles: label -> title, for ``{ref}`` roles (see :func:`.plain_markdown`).
        name: the page, for error messages.
        bibliography: the book's bibliography; with it, ``{cite}`` roles become
            author–year labels and the ``{bibliography}`` directive the chapter's
            reference list, as on the site (:mod:`.bibliography`). Without it,
            a role becomes its keys in brackets and the directive stays.

    Returns:
        A new notebook: glue filled in, plain Markdown, only Jupyter's own
        metadata, no dark figure variants (:data:`.DARK_MIME`), the source of cells the page removes (``remove-cell``)
        collapsed, and the install cell first. It validates against nbformat 4.

    Raises:
        TypeError: if ``notebook`` is not an nbformat 4 notebook.
        GlueError: see :func:`.substitute_glue`.
        CitationError: for a cited key the bibliography does not have.
    """
    import nbformat

    if not isinstance(notebook, Mapping) or notebook.get("nbformat") != 4:
        raise TypeError(f"notebook must be an nbformat 4 notebook, got {type(notebook).__name__}")
    nb = copy.deepcopy(notebook)
    nb.metadata = nbformat.NotebookNode(
        {key: nb.metadata[key] for key in _NOTEBOOK_METADATA if key in nb.metadata}
    )
    for cell in nb.cells:
        cell.metadata = nbformat.NotebookNode(_cell_metadata(cell))
        for output in cell.get("outputs", []):  # the site's dark figures: not for Jupyter
            output.get("data", {}).pop(DARK_MIME, None)
            output.get("metadata", {}).pop(DARK_MIME, None)
    _fill_markdown(nb.cells, glue, titles, name, bibliography)
    install = nbformat.v4.new_code_cell(install_source)
    install.id = INSTALL_CELL_ID
    nb.cells.insert(0, install)
    nb.nbformat_minor = max(int(nb.get("nbformat_minor", 5)), 5)  # cell ids
    nbformat.validate(nb)
    return nb
