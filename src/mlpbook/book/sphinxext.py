"""The book's Sphinx / myst-nb integration (loaded from ``_config.yml``).

It does three things:

1. **Plotly on a static site.** In a kernel, plotly emits only its own MIME type
   ``application/vnd.plotly.v1+json`` (which JupyterLab, VS Code and Colab draw
   natively). :class:`PlotlyMimeRenderer` is a myst-nb MIME renderer plugin
   (entry point group ``myst_nb.mime_renderers``) that turns that JSON into a
   ``<div>`` with a deterministic id and a ``Plotly.newPlot`` call, plus
   ``Plotly.addFrames`` for animations. ``plotly.min.js`` is copied from the
   installed plotly package and loaded once, synchronously, only on pages that
   contain a figure: the chapters themselves need no book-specific code.
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
(see :func:`_fix_page_scripts`) and serves MathJax from the installed
``django-static-mathjax`` wheel instead of a CDN, so math renders offline.
"""

from __future__ import annotations

import hashlib
import html
import json
import shutil
from pathlib import Path
from typing import Any, ClassVar

from docutils import nodes
from sphinx.application import Sphinx
from sphinx.config import Config

from .citations import register as register_citation_style
from .dependencies import chapter_dependencies
from .kernel import set_kernel_environment

__all__ = ["PlotlyMimeRenderer", "setup", "PLOTLY_MIME", "PLOTLY_JS"]

PLOTLY_MIME = "application/vnd.plotly.v1+json"
PLOTLY_JS = "plotly.min.js"
_FIGURE_CLASS = "mlpbook-plotly"
_HTML_BUILDERS = ("html", "dirhtml", "singlehtml", "readthedocs", "readthedocsdirhtml")


def _plotly_js_path() -> Path:
    import plotly

    path = Path(plotly.__file__).resolve().parent / "package_data" / PLOTLY_JS
    if not path.is_file():  # pragma: no cover - a broken plotly install
        raise FileNotFoundError(f"{PLOTLY_JS} not found in the plotly package at {path}")
    return path


def figure_html(fig: dict[str, Any], div_id: str) -> str:
    """The HTML of one plotly figure: a captioned ``<figure>`` with its ``newPlot`` script.

    ``fig`` is the plotly JSON (``data``, ``layout``, optional ``frames`` and
    ``config``). Alt text and caption come from ``layout.meta.alt`` and
    ``layout.meta.caption`` when the figure builder set them.
    """
    layout = dict(fig.get("layout", {}))
    meta = layout.get("meta") if isinstance(layout.get("meta"), dict) else {}
    alt = str(
        meta.get("alt") or (layout.get("title") or {}).get("text") or "Interactive plotly figure"
    )
    caption = meta.get("caption")
    height = layout.get("height") or 450
    config = {"responsive": True, "displaylogo": False, **fig.get("config", {})}
    payload = {
        "data": fig.get("data", []),
        "layout": layout,
        "frames": fig.get("frames", []),
        "config": config,
    }
    js_payload = json.dumps(payload, separators=(",", ":")).replace("</", "<\\/")
    parts = [
        f'<figure class="{_FIGURE_CLASS}">',
        f'<div id="{div_id}" class="{_FIGURE_CLASS}-figure" role="img" '
        f'aria-label="{html.escape(alt, quote=True)}" style="width:100%;height:{int(height)}px"></div>',
        "<script>(function(){",
        # plotly.js rejects the promise of an animation that Pause (or the
        # slider) interrupts, with no reason; unhandled, that is a console error.
        "if(!window.mlpbookPlotly){window.mlpbookPlotly=true;",
        "window.addEventListener('unhandledrejection',function(e){if(e.reason===undefined){e.preventDefault();}});}",
        f"var f={js_payload};",
        f'Plotly.newPlot("{div_id}",f.data,f.layout,f.config).then(function(gd){{',
        "if(f.frames.length){return Plotly.addFrames(gd,f.frames);}});",
        "})();</script>",
    ]
    if caption:
        parts.append(f"<figcaption>{html.escape(str(caption))}</figcaption>")
    parts.append("</figure>")
    return "\n".join(parts)


class PlotlyMimeRenderer:
    """myst-nb MIME renderer plugin for ``application/vnd.plotly.v1+json``."""

    mime_priority_overrides: ClassVar[list[tuple[str, str, int | None]]] = [
        (builder, PLOTLY_MIME, 1) for builder in _HTML_BUILDERS
    ]

    @staticmethod
    def handle_mime(renderer: Any, data: Any, inline: bool) -> list[nodes.Element] | None:
        """Render plotly JSON as raw HTML; ``None`` for any other MIME type."""
        if inline or data.mime_type != PLOTLY_MIME:
            return None
        content = data.content if isinstance(data.content, dict) else json.loads(data.content)
        source = Path(str(renderer.source)).stem
        key = f"{source}-{data.cell_index}-{data.output_index}"
        div_id = f"{_FIGURE_CLASS}-{hashlib.sha1(key.encode()).hexdigest()[:12]}"
        return [nodes.raw("", figure_html(content, div_id), format="html")]


def _config_inited(app: Sphinx, config: Config) -> None:
    set_kernel_environment()


def _note_package_dependencies(app: Sphinx, docname: str, source: list[str]) -> None:
    """Make Sphinx re-read ``docname`` when a package module it uses changes."""
    for path in chapter_dependencies(source[0]):
        app.env.note_dependency(str(path))


def _fix_page_scripts(
    app: Sphinx, pagename: str, templatename: str, context: dict[str, Any], doctree: Any
) -> None:
    """Per page: load plotly.js where a figure is, and drop sphinx-thebe's scripts.

    Jupyter Book 1 registers sphinx-thebe's inline ``THEBE_JS_URL`` script
    twice, which logs ``Identifier 'THEBE_JS_URL' has already been declared``
    on every page. This book has no live-code (thebe) buttons, so its scripts
    are removed. (The other stock console error, ``Got invalid theme mode``,
    is fixed in ``_config.yml`` by ``html_context.default_mode``.)
    """
    body = context.get("body", "")
    if f'class="{_FIGURE_CLASS}"' in body:
        app.add_js_file(PLOTLY_JS, priority=200)
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


def setup(app: Sphinx) -> dict[str, Any]:
    """Register the extension with Sphinx."""
    register_citation_style()
    app.connect("config-inited", _config_inited)
    app.connect("source-read", _note_package_dependencies)
    app.connect("html-page-context", _fix_page_scripts)
    app.connect("build-finished", _copy_plotly_js)
    # downloadable notebooks, the wheel they install, {mlpbook-downloads}
    app.setup_extension("mlpbook.book.notebooks")
    return {"version": "0.1", "parallel_read_safe": True, "parallel_write_safe": True}
