"""The notebook a reader downloads, made from the one the build executed."""

from __future__ import annotations

import copy
from collections.abc import Mapping
from typing import Any

from .glue_fill import substitute_glue
from .install_cell import INSTALL_CELL_ID
from .markdown import plain_markdown

__all__ = ["downloadable_notebook"]

# Notebook and cell metadata kept in a download: what Jupyter itself uses.
_NOTEBOOK_METADATA = ("kernelspec", "language_info")
_CELL_METADATA = ("tags", "jupyter", "collapsed", "scrolled")


def downloadable_notebook(
    notebook: Any,
    glue: Mapping[str, Any],
    *,
    install_source: str,
    titles: Mapping[str, str] | None = None,
    name: str = "notebook",
) -> Any:
    """The notebook a reader downloads, made from the executed one (which is not changed).

    Args:
        notebook: the executed ``nbformat`` notebook (version 4).
        glue: the page's glue data (see :func:`.substitute_glue`).
        install_source: the code of the first cell (:func:`.install_cell_source`).
        titles: label -> title, for ``{ref}`` roles (see :func:`.plain_markdown`).
        name: the page, for error messages.

    Returns:
        A new notebook: glue filled in, plain Markdown, only Jupyter's own
        metadata, and the install cell first. It validates against nbformat 4.

    Raises:
        TypeError: if ``notebook`` is not an nbformat 4 notebook.
        GlueError: see :func:`.substitute_glue`.
    """
    import nbformat

    if not isinstance(notebook, Mapping) or notebook.get("nbformat") != 4:
        raise TypeError(f"notebook must be an nbformat 4 notebook, got {type(notebook).__name__}")
    nb = copy.deepcopy(notebook)
    nb.metadata = nbformat.NotebookNode(
        {key: nb.metadata[key] for key in _NOTEBOOK_METADATA if key in nb.metadata}
    )
    for index, cell in enumerate(nb.cells):
        cell.metadata = nbformat.NotebookNode(
            {key: cell.metadata[key] for key in _CELL_METADATA if key in cell.metadata}
        )
        if cell.cell_type == "markdown":
            filled = substitute_glue(cell.source, glue, where=f"{name}, cell {index}")
            cell.source = plain_markdown(filled.source, titles).strip("\n")
            if filled.attachments:
                cell.attachments = nbformat.NotebookNode(filled.attachments)
    install = nbformat.v4.new_code_cell(install_source)
    install.id = INSTALL_CELL_ID
    nb.cells.insert(0, install)
    nb.nbformat_minor = max(int(nb.get("nbformat_minor", 5)), 5)  # cell ids
    nbformat.validate(nb)
    return nb
