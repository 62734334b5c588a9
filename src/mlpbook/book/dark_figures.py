"""Dark-mode variants of the chapters' matplotlib figures, for the site.

The site follows the reader's light or dark theme. Plotly figures are recoloured
in the browser (``static/mlpbook-figures.js``); a matplotlib figure is a PNG, so
the book's build kernels draw a second PNG of every figure in dark colours, and
the site shows the one that matches the theme (:mod:`mlpbook.book.sphinxext`).

The dark variant is a copy of the figure with every colour ``c`` of a text, line,
patch or plain collection replaced by :func:`dark_color` ``(c)``, the mapping the
site's script applies to plotly figures: greys, very dark and very light colours
swap lightness (a white background becomes the theme's ``#121212``, black text
near-white), mid-dark colours are lightened, hue and saturation are kept.
Colour maps (of images, heat maps, colour bars, scatter colours from an array)
are mapped entry by entry, so that a line coloured from a map still matches its
colour bar; RGB pictures are kept as they are.

:func:`register` adds a display formatter for :data:`DARK_MIME` to the running
IPython kernel, so every displayed ``matplotlib.figure.Figure`` carries its dark
PNG beside the normal one. Only the book build's kernels do this (they start with
``PYTHONSTARTUP`` pointing at :mod:`mlpbook.book.book_kernel`); the drift check,
the reference notebooks and a reader's notebook never see the extra output.

:func:`add_dark_images` (a Sphinx ``doctree-resolved`` handler) puts each dark PNG
beside its normal one in the page, with the classes ``mlpbook-light`` and
``mlpbook-dark`` that the site's style sheet shows by theme.
"""

from __future__ import annotations

import base64
import colorsys
import pickle
from typing import Any

import numpy as np

__all__ = [
    "DARK_MIME",
    "add_dark_images",
    "dark_color",
    "dark_copy",
    "dark_png",
    "dark_variants",
    "register",
]

DARK_MIME = "application/vnd.mlpbook.dark-figure+json"
"""The MIME type of a figure's dark variant: ``{"png": <base64 PNG>}``."""


def dark_color(rgba: Any) -> tuple[float, float, float, float]:
    """The dark-theme counterpart of one colour (the site script's ``darkColor``).

    With ``(h, l, s)`` the colour's hue, lightness and saturation (HLS):

    * ``s < 0.25`` (a grey), ``l < 0.3`` or ``l > 0.85``: ``l -> 0.07 + 0.86 (1 - l)``;
    * otherwise, if ``l < 0.6``: ``l -> 0.6 + 0.3 (l - 0.3)``;
    * otherwise the colour is kept. Alpha is kept.

    Args:
        rgba: anything :func:`matplotlib.colors.to_rgba` accepts.

    Returns:
        The RGBA tuple, entries in [0, 1].
    """
    from matplotlib.colors import to_rgba

    r, g, b, a = to_rgba(rgba)
    h, lightness, s = colorsys.rgb_to_hls(r, g, b)
    if s < 0.25 or lightness < 0.3 or lightness > 0.85:
        lightness = 0.07 + (1 - lightness) * 0.86
    elif lightness < 0.6:
        lightness = 0.6 + (lightness - 0.3) * 0.3
    r, g, b = colorsys.hls_to_rgb(h, lightness, s)
    return (r, g, b, a)


def _dark_array(colors: Any) -> np.ndarray:
    """:func:`dark_color` of every row of an ``(N, 4)`` RGBA array."""
    return np.array([dark_color(c) for c in np.asarray(colors).reshape(-1, 4)])


def _is_color(value: Any) -> bool:
    return not (isinstance(value, str) and value.lower() in ("none", "auto", "face"))


def _recolor(artist: Any) -> None:
    """Map the colours of one artist in place (colour-mapped data excepted)."""
    from matplotlib.collections import Collection
    from matplotlib.image import AxesImage
    from matplotlib.lines import Line2D
    from matplotlib.patches import Patch
    from matplotlib.text import Text

    if isinstance(artist, Text):
        artist.set_color(dark_color(artist.get_color()))
    elif isinstance(artist, Line2D):
        artist.set_color(dark_color(artist.get_color()))
        for get, set_ in (
            (artist.get_markerfacecolor, artist.set_markerfacecolor),
            (artist.get_markeredgecolor, artist.set_markeredgecolor),
        ):
            if _is_color(get()):
                set_(dark_color(get()))
    elif isinstance(artist, Patch):
        artist.set_facecolor(dark_color(artist.get_facecolor()))
        artist.set_edgecolor(dark_color(artist.get_edgecolor()))
    elif isinstance(artist, Collection):
        if artist.get_array() is None:  # plain colours
            face = artist.get_facecolor()
            if len(face):
                artist.set_facecolor(_dark_array(face))
        else:  # colour-mapped data (a colour bar's too)
            artist.set_cmap(_dark_cmap(artist.get_cmap()))
        edge = artist.get_edgecolor()
        if isinstance(edge, np.ndarray) and len(edge):
            artist.set_edgecolor(_dark_array(edge))
    elif isinstance(artist, AxesImage) and np.ndim(artist.get_array()) == 2:
        artist.set_cmap(_dark_cmap(artist.get_cmap()))  # an RGB(A) picture is kept


def _dark_cmap(cmap: Any) -> Any:
    """The colour map with :func:`dark_color` applied to each of 256 entries, so that
    colour-mapped data and lines coloured from the same map stay in agreement."""
    from matplotlib.colors import ListedColormap

    return ListedColormap(_dark_array(cmap(np.linspace(0.0, 1.0, 256))), name=f"{cmap.name}_dark")


def dark_copy(fig: Any) -> Any:
    """A copy of the matplotlib figure ``fig`` in the dark theme's colours.

    Raises:
        TypeError: if ``fig`` is not a ``matplotlib.figure.Figure``.
        pickle.PicklingError, AttributeError, TypeError: if the figure cannot be
            copied (an artist holding a lambda, for example).
    """
    from matplotlib.figure import Figure

    if not isinstance(fig, Figure):
        raise TypeError(f"fig must be a matplotlib Figure, got {type(fig).__name__}")
    copy = pickle.loads(pickle.dumps(fig))
    for artist in copy.findobj():
        _recolor(artist)
    return copy


def dark_png(fig: Any) -> bytes:
    """The PNG of :func:`dark_copy` ``(fig)``, drawn as IPython's inline backend
    draws the normal one (``bbox_inches="tight"``), so both have the same size."""
    from IPython.core.pylabtools import print_figure

    data = print_figure(dark_copy(fig), "png", bbox_inches="tight")
    if not isinstance(data, bytes):  # pragma: no cover - IPython always returns bytes for png
        raise TypeError(f"expected PNG bytes, got {type(data).__name__}")
    return data


def _dark_bundle(fig: Any) -> dict[str, str] | None:
    """``{"png": base64}`` for the formatter, or None (no variant) if the figure
    cannot be copied: the site then shows the normal PNG on a white card."""
    try:
        return {"png": base64.b64encode(dark_png(fig)).decode("ascii")}
    except (pickle.PicklingError, AttributeError, TypeError):
        return None


def register(shell: Any | None = None) -> None:
    """Make the running IPython shell show :data:`DARK_MIME` beside every matplotlib
    figure (:func:`.register_figure_formatter`). Does nothing outside IPython."""
    from .figure_formatter import register_figure_formatter

    register_figure_formatter(DARK_MIME, _dark_bundle, shell)


def dark_variants(notebook: Any) -> dict[str, bytes]:
    """The dark PNGs of an executed notebook, by the SHA-256 of their normal PNG.

    myst-nb names the file of an ``image/png`` output after the SHA-256 of its
    bytes, so the key finds the image node of the page. Glued figures (outputs with
    ``application/papermill.record/`` MIME prefixes) are included.
    """
    import hashlib

    found: dict[str, bytes] = {}
    for cell in notebook.get("cells", []):
        for output in cell.get("outputs", []):
            data = output.get("data", {})
            for key, value in data.items():
                if not key.endswith(DARK_MIME):
                    continue
                light = data.get(key[: -len(DARK_MIME)] + "image/png")
                if not (light and isinstance(value, dict) and value.get("png")):
                    continue
                light_bytes = base64.b64decode("".join(light) if isinstance(light, list) else light)
                found[hashlib.sha256(light_bytes).hexdigest()] = base64.b64decode(value["png"])
    return found


def add_dark_images(app: Any, doctree: Any, docname: str) -> None:
    """``doctree-resolved``: after each chapter image that has a dark variant, the
    variant (same alt text), classes ``mlpbook-dark dark-light``; the normal image
    gets ``mlpbook-light``. ``dark-light`` keeps the theme from dimming it or
    putting it on a white card. (Not the theme's ``only-light``/``only-dark``:
    those hide the ``figcaption`` that follows them.)"""
    import json
    from pathlib import Path

    from docutils import nodes

    if app.builder.format != "html":
        return
    executed = Path(app.outdir).parent / "jupyter_execute" / f"{docname}.ipynb"
    if not executed.is_file():
        return
    variants = dark_variants(json.loads(executed.read_text()))
    if not variants:
        return
    for node in list(doctree.findall(nodes.image)):
        uri = str(node.get("uri", ""))
        dark = variants.get(Path(uri).stem)
        if dark is None or "mlpbook-light" in node["classes"]:
            continue
        dark_uri = str(Path(uri).with_name(f"{Path(uri).stem}-dark.png"))
        target = Path(app.srcdir) / dark_uri
        if not target.is_file():
            target.write_bytes(dark)
        app.env.images.add_file(docname, dark_uri)
        twin = nodes.image(
            uri=dark_uri,
            candidates={"*": dark_uri},
            alt=node.get("alt", ""),
            classes=["mlpbook-dark", "dark-light"],
        )
        node["classes"].append("mlpbook-light")
        node.parent.insert(node.parent.index(node) + 1, twin)
