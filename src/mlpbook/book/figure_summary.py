"""A matplotlib figure described as JSON: its words and its data, for the drift check.

nbval does not compare ``image/png`` outputs, and comparing pixels would fail
on a different font or anti-aliasing while missing a changed axis label. The
drift check instead compares what a reader reads off a static figure: every
title, axis label, tick label, legend entry and text, the scales and limits,
and, per drawn artist, its style and a few statistics of its data.

:func:`register` adds a display formatter for the MIME type
:data:`SUMMARY_MIME` to the running IPython kernel, so every displayed
``matplotlib.figure.Figure`` carries its summary beside its PNG. Only the drift
check's kernels do this (tests/drift starts them with ``PYTHONSTARTUP``
pointing at :mod:`mlpbook.book.drift_kernel`); the book build and a reader's
notebook never see the extra output.

Numbers in the summary are strings in scientific notation with four
significant digits (``"1.234e-02"``): the drift check allows one unit of the
last digit, and words and structure must match exactly.
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from typing import Any

import numpy as np

__all__ = ["SUMMARY_MIME", "summarize_figure", "register"]

SUMMARY_MIME = "application/vnd.mlpbook.figure-summary+json"
"""The MIME type of a figure summary (a JSON object)."""

_DIGITS = 3  # digits after the point in scientific notation: four significant digits


def _number(value: float, scale: float) -> str:
    """``value`` as ``"d.ddde±xx"``; zero when it is rounding noise next to ``scale``."""
    value = float(value)
    if not math.isfinite(value):
        return str(value)
    if abs(value) <= 1e-9 * scale:
        value = 0.0
    return f"{value:.{_DIGITS}e}"


def _stats(values: Any) -> dict[str, Any]:
    """Size and min / max / mean / first / last of the finite values, as strings."""
    array = np.asarray(values, dtype=np.float64).reshape(-1) if np.size(values) else np.zeros(0)
    finite = array[np.isfinite(array)]
    summary: dict[str, Any] = {"n": int(array.size), "finite": int(finite.size)}
    if finite.size:
        scale = float(np.abs(finite).max())
        summary.update(
            {
                key: _number(fn(finite), scale)
                for key, fn in (("min", np.min), ("max", np.max), ("mean", np.mean))
            }
        )
        summary["first"], summary["last"] = _number(array[0], scale), _number(array[-1], scale)
    return summary


def _texts(items: Iterable[Any]) -> list[str]:
    return [t.get_text() for t in items if t.get_visible() and t.get_text()]


def _line(line: Any) -> dict[str, Any]:
    from matplotlib.colors import to_hex

    x, y = line.get_data()
    return {
        "label": line.get_label() if not line.get_label().startswith("_") else "",
        "color": to_hex(line.get_color(), keep_alpha=True),
        "style": str(line.get_linestyle()),
        "marker": str(line.get_marker()),
        "width": f"{line.get_linewidth():.2g}",
        "x": _stats(x),
        "y": _stats(y),
    }


def _collection(collection: Any) -> dict[str, Any]:
    entry: dict[str, Any] = {
        "type": type(collection).__name__,
        "label": collection.get_label() if not collection.get_label().startswith("_") else "",
        "offsets": _stats(np.asarray(collection.get_offsets())),
    }
    array = collection.get_array()
    if array is not None:
        entry["array"] = _stats(np.ma.filled(np.ma.asarray(array, dtype=np.float64), np.nan))
    paths = collection.get_paths()
    entry["paths"] = len(paths)
    if paths:
        vertices = (
            np.concatenate([p.vertices for p in paths]) if len(paths) < 5000 else paths[0].vertices
        )
        entry["vertices"] = _stats(vertices)
    return entry


def _axes(ax: Any) -> dict[str, Any]:
    from matplotlib.patches import Rectangle

    legend = ax.get_legend()
    rectangles = [p for p in ax.patches if isinstance(p, Rectangle)]
    return {
        "title": [ax.get_title(loc) for loc in ("left", "center", "right") if ax.get_title(loc)],
        "xlabel": ax.get_xlabel(),
        "ylabel": ax.get_ylabel(),
        "xscale": ax.get_xscale(),
        "yscale": ax.get_yscale(),
        "xlim": [_number(v, max(map(abs, ax.get_xlim()))) for v in ax.get_xlim()],
        "ylim": [_number(v, max(map(abs, ax.get_ylim()))) for v in ax.get_ylim()],
        "xticks": _texts(ax.get_xticklabels()),
        "yticks": _texts(ax.get_yticklabels()),
        "legend": _texts(legend.get_texts()) if legend is not None else [],
        "texts": _texts(ax.texts),
        "lines": [_line(line) for line in ax.get_lines()],
        "collections": [_collection(c) for c in ax.collections],
        "images": [
            {
                "shape": list(np.shape(im.get_array())),
                "values": _stats(
                    np.ma.filled(np.ma.asarray(im.get_array(), dtype=np.float64), np.nan)
                ),
            }
            for im in ax.get_images()
        ],
        "bars": {
            "n": len(rectangles),
            "heights": _stats([r.get_height() for r in rectangles]),
            "widths": _stats([r.get_width() for r in rectangles]),
        },
        "patches": len(ax.patches),
    }


def summarize_figure(fig: Any) -> dict[str, Any]:
    """The words and data of a matplotlib figure as a JSON-ready dict.

    Keys: ``size`` (inches, two decimals), ``suptitle``, ``texts`` (figure-level),
    ``axes`` (one entry per axes, colour bars included) with titles, labels,
    scales, limits, tick labels, legend texts, texts, and per line, collection,
    image and bar set: style and data statistics.
    """
    fig.draw_without_rendering()  # tick labels and legends exist only after a draw
    suptitle = getattr(fig, "_suptitle", None)
    return {
        "size": [f"{v:.2f}" for v in fig.get_size_inches()],
        "suptitle": suptitle.get_text() if suptitle is not None else "",
        "texts": _texts(fig.texts),
        "axes": [_axes(ax) for ax in fig.axes],
    }


def register(shell: Any | None = None) -> None:
    """Make the running IPython shell show :data:`SUMMARY_MIME` beside every matplotlib
    figure (:func:`.register_figure_formatter`). Does nothing outside IPython."""
    from .figure_formatter import register_figure_formatter

    register_figure_formatter(SUMMARY_MIME, summarize_figure, shell)
