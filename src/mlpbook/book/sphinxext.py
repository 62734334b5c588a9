"""The book's Sphinx / myst-nb integration (loaded from ``_config.yml``).

It does three things:

1. **Plotly on a static site.** In a kernel, plotly emits only its own MIME type
   ``application/vnd.plotly.v1+json`` (which JupyterLab, VS Code and Colab draw
   natively). :class:`PlotlyMimeRenderer` is a myst-nb MIME renderer plugin
   (entry point group ``myst_nb.mime_renderers``) that turns that JSON into a
   ``<figure>``: the title in HTML, an empty ``<div>`` with a deterministic id,
   and the JSON in a ``<script type="application/json">``. The deferred
   ``static/mlpbook-figures.js`` (added only to pages with a figure) fetches
   ``plotly.min.js`` (copied from the installed plotly package) when a figure
   comes near the viewport, draws each figure there, and gives it keyboard
   controls in HTML, a dark-mode and a phone layout. The chapters themselves
   need no book-specific code, and their notebooks stay standard.
2. **No stale outputs.** Notebooks execute with ``execute_notebooks: force``;
   Sphinx re-reads (hence re-executes) a page when its source or one of its
   noted dependencies changes. Each chapter notes the package modules it uses
   (:func:`mlpbook.book.dependencies.chapter_dependencies`: its imports,
   followed through the package), so editing one chapter's tools re-executes
   that chapter only, editing the core re-executes every chapter that uses it,
   and an unchanged rebuild reads nothing and executes nothing.
3. **Quiet, reproducible execution.** Before any kernel starts it sets
   :data:`mlpbook.repro.KERNEL_ENV` (no progress bars, so no timing noise on
   the pages; single-threaded, bit-reproducible math libraries).

Downloadable notebooks (glue filled in, a first cell that installs the
package) and the wheel they install are :mod:`mlpbook.book.notebooks`, which
this extension loads.

It also removes the cause of a console error a stock Jupyter Book 1 site logs
(see :func:`_fix_page_scripts`), serves MathJax from the installed
``django-static-mathjax`` wheel instead of a CDN, so math renders offline, and
fixes the theme's page chrome (:func:`_config_inited`, ``templates/layout.html``,
``static/mlpbook-site.css`` and ``static/mlpbook-site.js``): working sidebar
buttons, one ``<h1>`` per page, focus rings, footer links that wrap on a phone.
"""

from __future__ import annotations

import hashlib
import html
import json
import re
import shutil
from pathlib import Path
from typing import Any, ClassVar

from docutils import nodes
from sphinx.application import Sphinx
from sphinx.config import Config

from .citations import register as register_citation_style
from .dark_figures import DARK_MIME, add_dark_images
from .dependencies import chapter_dependencies
from .kernel import set_book_kernel_environment

__all__ = ["PlotlyMimeRenderer", "setup", "PLOTLY_MIME", "PLOTLY_JS"]

PLOTLY_MIME = "application/vnd.plotly.v1+json"
PLOTLY_JS = "plotly.min.js"
_FIGURE_CLASS = "mlpbook-plotly"
FIGURES_JS = "mlpbook-figures.js"
SITE_JS = "mlpbook-site.js"
SITE_CSS = "mlpbook-site.css"
STATIC = Path(__file__).resolve().parent / "static"
TEMPLATES_DIR = str(Path(__file__).resolve().parent / "templates")
FIGURE_CONFIG: dict[str, Any] = {
    "responsive": True,
    "displaylogo": False,
    # The book works offline: no upload to Plotly's cloud, no Chart Studio.
    "showSendToCloud": False,
    "showEditInChartStudio": False,
    "modeBarButtonsToRemove": ["sendDataToCloud", "editInChartStudio"],
}
"""plotly config of every figure on the site (it overrides the figure's own)."""
_HTML_BUILDERS = ("html", "dirhtml", "singlehtml", "readthedocs", "readthedocsdirhtml")


def _plotly_js_path() -> Path:
    import plotly

    path = Path(plotly.__file__).resolve().parent / "package_data" / PLOTLY_JS
    if not path.is_file():  # pragma: no cover - a broken plotly install
        raise FileNotFoundError(f"{PLOTLY_JS} not found in the plotly package at {path}")
    return path


def _title_lines(title: Any) -> list[str]:
    """A plotly title (``str`` or ``{"text": ...}``) as plain lines: ``<br>`` splits, tags go.

    The site shows a figure's title and subtitle as HTML text above the plot (so
    they wrap on a phone and never run under the toolbar); plotly's own title is
    drawn only in a notebook.
    """
    text = title.get("text") if isinstance(title, dict) else title
    if not text:
        return []
    lines = re.split(r"<br\s*/?>", str(text), flags=re.IGNORECASE)
    plain = [html.unescape(re.sub(r"<[^>]*>", "", line)).strip() for line in lines]
    return [line for line in plain if line]


def figure_html(fig: dict[str, Any], div_id: str) -> str:
    """The HTML of one plotly figure: a captioned ``<figure>`` whose JSON waits in the page.

    ``fig`` is the plotly JSON (``data``, ``layout``, optional ``frames`` and
    ``config``). Alt text and caption come from ``layout.meta.alt`` and
    ``layout.meta.caption`` when the figure builder set them. The figure is not
    drawn inline: its JSON sits in a ``<script type="application/json">`` and the
    site's ``mlpbook-figures.js`` (deferred) draws it when it comes near the
    viewport, with keyboard controls in HTML below it (see that script).
    """
    layout = dict(fig.get("layout", {}))
    meta = layout.get("meta") if isinstance(layout.get("meta"), dict) else {}
    lines = _title_lines(layout.get("title"))
    alt = str(meta.get("alt") or " ".join(lines) or "Interactive plotly figure")
    caption = meta.get("caption")
    height = layout.get("height") or 450
    config = {**fig.get("config", {}), **FIGURE_CONFIG}
    payload = {
        "data": fig.get("data", []),
        "layout": layout,
        "frames": fig.get("frames", []),
        "config": config,
    }
    js_payload = json.dumps(payload, separators=(",", ":")).replace("</", "<\\/")
    parts = [f'<figure class="{_FIGURE_CLASS}">']
    if lines:
        parts.append(f'<div class="{_FIGURE_CLASS}-heading">')
        parts.append(f'<p class="{_FIGURE_CLASS}-title">{html.escape(lines[0])}</p>')
        subtitle = " ".join(lines[1:])
        parts.append(
            f'<p class="{_FIGURE_CLASS}-subtitle" aria-live="polite">{html.escape(subtitle)}</p>'
        )
        parts.append("</div>")
    parts += [
        f'<div id="{div_id}" class="{_FIGURE_CLASS}-figure" role="img" '
        f'aria-label="{html.escape(alt, quote=True)}" style="width:100%;height:{int(height)}px">'
        "</div>",
        f'<script type="application/json" class="{_FIGURE_CLASS}-json">{js_payload}</script>',
    ]
    if caption:
        parts.append(f"<figcaption>{html.escape(str(caption))}</figcaption>")
    parts.append("</figure>")
    return "\n".join(parts)


class PlotlyMimeRenderer:
    """myst-nb MIME renderer plugin for ``application/vnd.plotly.v1+json``."""

    mime_priority_overrides: ClassVar[list[tuple[str, str, int | None]]] = [
        *((builder, PLOTLY_MIME, 1) for builder in _HTML_BUILDERS),
        # Never chosen for an output: its image/png comes first.
        ("*", DARK_MIME, 10_000),
    ]

    @staticmethod
    def handle_mime(renderer: Any, data: Any, inline: bool) -> list[nodes.Element] | None:
        """Render plotly JSON as raw HTML; nothing for a dark figure variant (myst-nb
        renders every MIME type of an output before it chooses one, and would warn
        about an unknown one; :func:`add_dark_images` places the variant); ``None``
        (not handled here) for any other MIME type."""
        if data.mime_type.endswith(DARK_MIME):
            return []
        if inline or data.mime_type != PLOTLY_MIME:
            return None
        content = data.content if isinstance(data.content, dict) else json.loads(data.content)
        source = Path(str(renderer.source)).stem
        key = f"{source}-{data.cell_index}-{data.output_index}"
        div_id = f"{_FIGURE_CLASS}-{hashlib.sha1(key.encode()).hexdigest()[:12]}"
        return [nodes.raw("", figure_html(content, div_id), format="html")]


def _config_inited(app: Sphinx, config: Config) -> None:
    """Quiet kernels, the theme's header bar off, and the book's template override.

    pydata-sphinx-theme 0.17 puts a search field in a header bar unless
    ``navbar_persistent`` is set; sphinx-book-theme 1.3 then shows an empty bar
    with a second search box, and that bar holds hidden duplicates of the
    sidebar buttons (``.primary-toggle``, ``.secondary-toggle``) to which both
    themes' scripts bind, so the visible buttons did nothing. With the bar gone,
    the buttons in the article header are the only ones.
    """
    set_book_kernel_environment()
    options = dict(config.html_theme_options or {})
    options.setdefault("navbar_persistent", [])
    config.html_theme_options = options
    if TEMPLATES_DIR not in config.templates_path:
        config.templates_path = [TEMPLATES_DIR, *config.templates_path]


def _note_package_dependencies(app: Sphinx, docname: str, source: list[str]) -> None:
    """Make Sphinx re-read ``docname`` when a package module it uses changes, or the
    build kernels' start-up code (:mod:`mlpbook.book.book_kernel`, which draws the
    dark figures) does."""
    for path in chapter_dependencies(source[0] + "\nimport mlpbook.book.book_kernel"):
        app.env.note_dependency(str(path))


def _fix_page_scripts(
    app: Sphinx, pagename: str, templatename: str, context: dict[str, Any], doctree: Any
) -> None:
    """Per page: load the figure script where a figure is, and drop sphinx-thebe's scripts.

    Jupyter Book 1 registers sphinx-thebe's inline ``THEBE_JS_URL`` script
    twice, which logs ``Identifier 'THEBE_JS_URL' has already been declared``
    on every page. This book has no live-code (thebe) buttons, so its scripts
    are removed. (The other stock console error, ``Got invalid theme mode``,
    is fixed in ``_config.yml`` by ``html_context.default_mode``.)
    """
    body = context.get("body", "")
    if f'class="{_FIGURE_CLASS}"' in body:
        # Deferred and small: it loads plotly.min.js itself (async) when a
        # figure comes near the viewport, so the text paints first.
        app.add_js_file(FIGURES_JS, priority=200, loading_method="defer")
    scripts = context.get("script_files")
    if scripts is not None:
        context["script_files"] = [
            js
            for js in scripts
            if "thebe" not in str(getattr(js, "filename", None) or "")
            and "THEBE_JS_URL" not in str(getattr(js, "attributes", {}).get("body", ""))
        ]


def _copy_mathjax(outdir: Path) -> None:
    """Copy MathJax 3 (from the ``django-static-mathjax`` wheel) into ``_static/mathjax``.

    Math then renders with no network. The speech-rule engine and the
    ``*-full`` bundles are skipped (the book's pages never load them).
    """
    import importlib.util

    spec = importlib.util.find_spec("mathjax")
    if spec is None or spec.origin is None:
        raise RuntimeError("MathJax is not installed: pip install django-static-mathjax")
    source = Path(spec.origin).parent / "static" / "mathjax" / "es5"
    target = outdir / "_static" / "mathjax" / "es5"
    stamp = target / ".mlpbook-copied"
    if stamp.exists():
        return
    shutil.copytree(
        source,
        target,
        dirs_exist_ok=True,
        ignore=shutil.ignore_patterns("sre", "*-full*.js", "node-main.js", "*.map"),
    )
    stamp.write_text("copied\n")


def _copy_plotly_js(app: Sphinx, exception: Exception | None) -> None:
    if exception is not None or app.builder.format != "html":
        return
    static = Path(app.outdir) / "_static"
    static.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(_plotly_js_path(), static / PLOTLY_JS)
    _copy_mathjax(Path(app.outdir))


def _write_root_redirect(app: Sphinx, exception: Exception | None) -> None:
    """``build-finished``: the site's root ``index.html``, a redirect to the first page.

    sphinx-external-toc writes a bare ``<meta http-equiv="Refresh">`` there. With no
    icon link in it, the browser asks for ``/favicon.ico`` at the server's root, which
    is a 404 (a console error) when the site is served under a sub-path; naming the
    site's favicon instead starts a request that the immediate refresh aborts. This
    page declares an empty inline icon (``data:,``), so it makes no request at all,
    and links to the first page for browsers that do not follow the refresh.
    """
    if exception is not None or app.builder.format != "html":
        return
    master = str(app.config.root_doc)
    if master == "index":
        return
    target = f"{master}.html"
    Path(app.outdir, "index.html").write_text(
        '<!DOCTYPE html>\n<html lang="en">\n<head>\n<meta charset="utf-8">\n'
        f'<meta http-equiv="Refresh" content="0; url={html.escape(target)}">\n'
        '<link rel="icon" href="data:,">\n<title>Redirecting to the book</title>\n</head>\n'
        f'<body><p><a href="{html.escape(target)}">Go to the book</a></p></body>\n</html>\n',
        encoding="utf8",
    )


def _add_site_assets(app: Sphinx) -> None:
    """Serve the package's ``static/`` folder and add the site's CSS and script to every page.

    ``mlpbook-site.css`` / ``mlpbook-site.js`` fix the theme's sidebar buttons,
    dark-mode figures, focus rings and small screens; ``mlpbook-figures.js`` is
    added only to pages with a plotly figure (:func:`_fix_page_scripts`).
    """
    if str(STATIC) not in app.config.html_static_path:
        app.config.html_static_path.append(str(STATIC))
    app.add_css_file(SITE_CSS, priority=900)
    app.add_js_file(SITE_JS, priority=900, loading_method="defer")


def setup(app: Sphinx) -> dict[str, Any]:
    """Register the extension with Sphinx."""
    register_citation_style()
    app.connect("config-inited", _config_inited)
    app.connect("builder-inited", _add_site_assets)
    app.connect("source-read", _note_package_dependencies)
    app.connect("html-page-context", _fix_page_scripts)
    app.connect("build-finished", _copy_plotly_js)
    app.connect("build-finished", _write_root_redirect, priority=900)
    app.connect("doctree-resolved", add_dark_images)
    # downloadable notebooks, the wheel they install, {mlpbook-downloads}
    app.setup_extension("mlpbook.book.notebooks")
    return {"version": "0.1", "parallel_read_safe": True, "parallel_write_safe": True}
