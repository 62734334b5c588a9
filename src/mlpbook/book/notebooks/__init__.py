"""Downloadable notebooks that run anywhere, and the wheel they install.

Every chapter page offers its executed notebook in the theme's download menu
(``_sources/<page>.ipynb``). A chapter's Markdown is MyST, written for the book
build; as an ordinary notebook it would show ``{glue:text}`` placeholders and
directive fences. :func:`downloadable_notebook` turns the executed notebook
into one that reads and runs anywhere (JupyterLab, VS Code, Colab):

* every glue placeholder (``{glue:text}`name:fmt```, ``{glue:md}``, ``{glue}``,
  and the ``{glue:md}`` / ``{glue:figure}`` / ``{glue:math}`` / ``{glue}``
  directives) is replaced by the value of that build, formatted as the page
  formats it (:func:`substitute_glue`, module :mod:`.glue_fill`);
* the few MyST constructs the chapters use that Jupyter cannot show (exercise
  and solution directives, ``(label)=`` targets, ``{cite}`` and ``{ref}``
  roles) become plain Markdown (:func:`plain_markdown`, :mod:`.markdown`);
* citations read as on the site: ``{cite}`act-he2015delving``` becomes
  "[He et al., 2015]" and the chapter's ``{bibliography}`` directive its list
  of the works it cites, labelled, formatted and sorted by the book's pybtex
  style (:class:`Bibliography`, :mod:`.bibliography`);
* jupytext's and myst-nb's metadata are dropped;
* a first cell installs the exact ``mlpbook`` the pages were built with, unless
  it is installed already (:func:`install_cell_source`, :mod:`.install_cell`).
  The build serves that package as a wheel,
  ``_downloads/mlpbook-<version>-py3-none-any.whl`` under the site root
  (:func:`build_wheel`), whose version carries a hash of the package's source
  (:func:`package_version`, :mod:`.wheel`), so "the same version" means the
  same code.

The Sphinx side (:func:`setup`, :mod:`.extension`, loaded by
:mod:`mlpbook.book.sphinxext`) writes the notebooks, builds the wheel and fills
the ``{mlpbook-downloads}`` directive of the landing page
(:mod:`.downloads_directive`). The site's public address comes from
``html.baseurl`` in ``_config.yml`` (or the environment variable
``MLPBOOK_BASEURL``, which the GitHub Pages workflow sets); without one the
install cell explains what to do instead of guessing a URL. The MyST fence
syntax both conversions read is :mod:`.fences`; what the build knows about
the site, :mod:`.site_config`; the conversion of one notebook,
:mod:`.notebook`.
"""

from __future__ import annotations

from .bibliography import Bibliography, CitationError
from .extension import setup
from .glue_fill import GlueError, format_glue_text, glue_from_notebook, substitute_glue
from .install_cell import INSTALL_CELL_ID, install_cell_source
from .markdown import plain_markdown
from .notebook import downloadable_notebook
from .site_config import BASEURL_ENV, DOWNLOADS_DIR, Site, site_settings
from .wheel import build_wheel, package_version, wheel_name

__all__ = [
    "BASEURL_ENV",
    "DOWNLOADS_DIR",
    "Bibliography",
    "CitationError",
    "INSTALL_CELL_ID",
    "GlueError",
    "Site",
    "build_wheel",
    "downloadable_notebook",
    "format_glue_text",
    "glue_from_notebook",
    "install_cell_source",
    "package_version",
    "plain_markdown",
    "setup",
    "site_settings",
    "substitute_glue",
    "wheel_name",
]
