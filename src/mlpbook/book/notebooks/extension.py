"""The Sphinx side: write every chapter's downloadable notebook and the wheel they install."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from sphinx.application import Sphinx

from ..citations import STYLE_NAME
from .bibliography import Bibliography
from .downloads_directive import (
    DownloadsDirective,
    DownloadsPlaceholder,
    downloads_outdated,
    fill_downloads,
    merge_info,
    purge_doc,
)
from .install_cell import install_cell_source
from .notebook import downloadable_notebook
from .site_config import DOWNLOADS_DIR, SITE_ATTR, executed_notebook, site_of, site_settings
from .wheel import build_wheel

__all__ = ["book_bibliography", "offer_notebook", "setup", "write_notebooks"]


def _builder_inited(app: Sphinx) -> None:
    setattr(app, SITE_ATTR, site_settings(app.config))


def _titles(app: Sphinx) -> dict[str, str]:
    """Label -> section title, for ``{ref}`` roles in downloaded notebooks."""
    labels = app.env.get_domain("std").labels
    return {label: title for label, (_doc, _id, title) in labels.items() if title}


def book_bibliography(app: Sphinx) -> Bibliography | None:
    """The bibliography of the build: ``bibtex_bibfiles`` (relative to the source folder)
    with ``bibtex_default_style``; ``None`` when the book has no ``.bib`` file."""
    files = getattr(app.config, "bibtex_bibfiles", None) or []
    if not files:
        return None
    style = getattr(app.config, "bibtex_default_style", None) or STYLE_NAME
    paths = [Path(app.srcdir) / f for f in files]
    return Bibliography.read(paths, style, source=", ".join(files))


def offer_notebook(
    app: Sphinx, pagename: str, templatename: str, context: dict[str, Any], doctree: Any
) -> None:
    """``html-page-context``: offer the page's notebook in the theme's download menu.

    sphinx-book-theme offers a ``.ipynb`` download when
    ``context["ipynb_source"]`` is set, which nothing sets by default; the file
    itself is written by :func:`write_notebooks`.
    """
    if executed_notebook(app, pagename).is_file():
        context["ipynb_source"] = f"{pagename}.ipynb"


def write_notebooks(app: Sphinx, exception: Exception | None) -> None:
    """``build-finished``: every chapter's downloadable notebook, and the wheel they install.

    Every build writes all of them, not only the pages it re-wrote, so that
    every notebook names the version of the wheel this build serves (a change
    to a module no chapter uses re-executes no chapter, but changes the version).
    myst-nb wrote each executed notebook and its glue data to
    ``_build/jupyter_execute``; :func:`.downloadable_notebook` of it goes to
    ``_sources/<page>.ipynb``, and the wheel to ``_downloads/``.
    """
    import nbformat

    if exception is not None or app.builder.format != "html":
        return
    site = site_of(app)
    install = install_cell_source(
        site.version,
        site.wheel_url,
        torch_requirement=site.torch_requirement,
        repository_url=site.repository_url,
    )
    titles = _titles(app)
    bibliography = book_bibliography(app)
    for docname in sorted(app.env.found_docs):
        executed = executed_notebook(app, docname)
        if not executed.is_file():
            continue
        glue_file = executed.with_name(f"{executed.stem}.glue.json")
        glue = json.loads(glue_file.read_text()) if glue_file.is_file() else {}
        nb = downloadable_notebook(
            nbformat.read(executed, as_version=4),
            glue,
            install_source=install,
            titles=titles,
            name=docname,
            bibliography=bibliography,
        )
        target = Path(app.outdir) / "_sources" / f"{docname}.ipynb"
        target.parent.mkdir(parents=True, exist_ok=True)
        nbformat.write(nb, target)
    build_wheel(site.project, Path(app.outdir) / DOWNLOADS_DIR, site.version)


def setup(app: Sphinx) -> dict[str, Any]:
    """Register the notebook downloads, the wheel build and ``{mlpbook-downloads}``."""
    app.add_node(DownloadsPlaceholder)
    app.add_directive("mlpbook-downloads", DownloadsDirective)
    app.connect("builder-inited", _builder_inited)
    app.connect("html-page-context", offer_notebook, priority=100)
    app.connect("doctree-resolved", fill_downloads)
    app.connect("env-get-outdated", downloads_outdated)
    app.connect("env-purge-doc", purge_doc)
    app.connect("env-merge-info", merge_info)
    app.connect("build-finished", write_notebooks)
    return {"version": "0.1", "parallel_read_safe": True, "parallel_write_safe": True}
