"""``{mlpbook-downloads}``: the landing page's list of the wheel, the notebooks and the source.

The directive leaves a placeholder; the list is made once every chapter has
been read (``doctree-resolved``), so it names exactly the notebooks the build
offers. The environment remembers which pages hold the directive and the
package version they were read with, so that they are read again when the
version (hence the wheel's name) changes.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from docutils import nodes
from sphinx.application import Sphinx
from sphinx.util.docutils import SphinxDirective
from sphinx.util.osutil import relative_uri

from .install_cell import TORCH_CPU_INDEX
from .site_config import Site, executed_notebook, site_of

__all__ = [
    "ENV_PAGES",
    "DownloadsDirective",
    "DownloadsPlaceholder",
    "downloads_outdated",
    "fill_downloads",
    "merge_info",
    "purge_doc",
]

ENV_PAGES = "mlpbook_downloads_pages"
"""The environment attribute: page with ``{mlpbook-downloads}`` -> package version it was read with."""


def downloads_outdated(
    app: Sphinx, env: Any, added: set[str], changed: set[str], removed: set[str]
) -> list[str]:
    """``env-get-outdated``: re-read the pages with ``{mlpbook-downloads}`` when the
    package's version changed since they were read (their list names the wheel)."""
    site = site_of(app)
    pages: dict[str, str] = getattr(env, ENV_PAGES, {})
    return [doc for doc, version in pages.items() if version != site.version]


def purge_doc(app: Sphinx, env: Any, docname: str) -> None:
    """``env-purge-doc``: forget that ``docname`` held the directive."""
    getattr(env, ENV_PAGES, {}).pop(docname, None)


def merge_info(app: Sphinx, env: Any, docnames: set[str], other: Any) -> None:
    """``env-merge-info``: take the pages a parallel reader saw."""
    pages = getattr(env, ENV_PAGES, {})
    pages.update({doc: v for doc, v in getattr(other, ENV_PAGES, {}).items() if doc in docnames})
    setattr(env, ENV_PAGES, pages)


class DownloadsPlaceholder(nodes.General, nodes.Element):
    """Where ``{mlpbook-downloads}`` stands; filled by :func:`fill_downloads`."""


class DownloadsDirective(SphinxDirective):
    """``{mlpbook-downloads}``: the wheel, every chapter's notebook and the repository.

    The list is made once every chapter has been read (``doctree-resolved``),
    so it names exactly the notebooks the build offers.
    """

    has_content = False

    def run(self) -> list[nodes.Node]:
        pages = getattr(self.env, ENV_PAGES, {})
        pages[self.env.docname] = site_of(self.env.app).version
        setattr(self.env, ENV_PAGES, pages)
        return [DownloadsPlaceholder()]


def _chapters_in_order(app: Sphinx) -> list[str]:
    env = app.env
    order: list[str] = []

    def walk(doc: str) -> None:
        for child in env.toctree_includes.get(doc, []):
            if child not in order:
                order.append(child)
                walk(child)

    walk(app.config.root_doc)
    return order


def _paragraph_item(*children: nodes.Node) -> nodes.list_item:
    return nodes.list_item("", nodes.paragraph("", "", *children))


def _wheel_item(site: Site, here: str) -> nodes.list_item:
    return _paragraph_item(
        nodes.Text("The companion package, exactly as these pages were built: "),
        nodes.reference("", site.wheel, refuri=relative_uri(here, site.wheel_path)),
        nodes.Text(". Install it with "),
        nodes.literal("", f"pip install {site.wheel_url or site.wheel}"),
        nodes.Text(" (on Linux without a GPU, install PyTorch's CPU-only build first: "),
        nodes.literal("", f'pip install "{site.torch_requirement}" --index-url {TORCH_CPU_INDEX}'),
        nodes.Text(")."),
    )


def _notebooks_item(app: Sphinx, chapters: list[str], here: str) -> nodes.list_item:
    entry = _paragraph_item(
        nodes.Text(
            "Every chapter as a Jupyter notebook, with the numbers of these pages; "
            "its first cell installs the package above when it is missing:"
        )
    )
    notebooks = nodes.bullet_list()
    for doc in chapters:
        title = app.env.titles[doc].astext() if doc in app.env.titles else doc
        uri = relative_uri(here, f"_sources/{doc}.ipynb")
        link = nodes.reference("", f"{Path(doc).name}.ipynb", refuri=uri)
        notebooks.append(_paragraph_item(link, nodes.Text(f" ({title})")))
    entry.append(notebooks)
    return entry


def fill_downloads(app: Sphinx, doctree: nodes.document, docname: str) -> None:
    """``doctree-resolved``: the downloads list, with links relative to the page."""
    placeholders = list(doctree.findall(DownloadsPlaceholder))
    if not placeholders:
        return
    site = site_of(app)
    here = app.builder.get_target_uri(docname)
    items = nodes.bullet_list()
    items.append(_wheel_item(site, here))
    chapters = [doc for doc in _chapters_in_order(app) if executed_notebook(app, doc).is_file()]
    if chapters:
        items.append(_notebooks_item(app, chapters, here))
    if site.repository_url:
        items.append(
            _paragraph_item(
                nodes.Text("The source, the tests and the build: "),
                nodes.reference("", site.repository_url, refuri=site.repository_url),
                nodes.Text("."),
            )
        )
    for placeholder in placeholders:
        placeholder.replace_self(items.deepcopy())
