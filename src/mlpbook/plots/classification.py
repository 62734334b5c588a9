"""Figures of the chapter "Classification and generalization".

Decision regions forming during training (a plotly animation, two panels that
stack on a phone), training curves, error against width, a confusion matrix and
a grid of misclassified images (matplotlib, white panels that read the same in
the site's light and dark modes).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import matplotlib.pyplot as plt
import numpy as np
import plotly.graph_objects as go
import plotly.io as pio
from matplotlib.figure import Figure

from .outlines import region_path
from .style import SERIES_COLORS, figure_meta, rounded
from .training import _animation_controls

__all__ = [
    "CLASS_COLORS",
    "REGION_COLORS",
    "boundary_animation",
    "curves_plot",
    "error_vs_width",
    "error_vs_epochs",
    "confusion_plot",
    "image_grid",
]

CLASS_COLORS = ("#1f77b4", "#d62728")
"""Points of class 0 and 1 in the 2-D figures: blue, red."""

REGION_COLORS = ("#c6dbef", "#f7c6c4")
"""The regions a network assigns to class 0 and 1: pale blue, pale red (the site's
dark mode turns them into dark tints)."""

_LIGHT = {"figure.facecolor": "white", "axes.facecolor": "white", "savefig.facecolor": "white"}


def boundary_animation(
    grid: tuple[np.ndarray, np.ndarray],
    panels: Mapping[str, np.ndarray],
    points: np.ndarray,
    labels: np.ndarray,
    epochs: Sequence[int],
    subtitles: Sequence[str],
    *,
    title: str,
    alt: str,
    caption: str | None = None,
    frame_ms: int = 60,
    height: int = 480,
) -> go.Figure:
    """The class regions of two networks on a grid, side by side, frame by frame.

    Args:
        grid: ``(xs, ys)``, the grid's coordinates, ``(nx,)`` and ``(ny,)``.
        panels: panel title -> predicted classes ``(frames, ny * nx)`` (row-major: y, then x).
        points: the training points ``(n, 2)``, drawn on top, coloured by ``labels`` ``(n,)``.
        epochs: the epoch of each frame; ``subtitles``: one line per frame.

    Raises:
        ValueError: for a number of panels other than two, or shapes that disagree.
    """
    xs, ys = (np.asarray(v, dtype=np.float64) for v in grid)
    if len(panels) != 2:
        raise ValueError(f"need two panels (narrow and wide), got {len(panels)}")
    n_frames = len(epochs)
    if len(subtitles) != n_frames:
        raise ValueError(f"{n_frames} epochs but {len(subtitles)} subtitles")
    for name, classes in panels.items():
        if np.shape(classes) != (n_frames, len(xs) * len(ys)):
            raise ValueError(
                f"panel {name!r}: classes must have shape ({n_frames}, {len(xs) * len(ys)}), "
                f"got {np.shape(classes)}"
            )
    points, labels = np.asarray(points), np.asarray(labels)
    names = list(panels)
    classes = {n: np.asarray(panels[n]).reshape(n_frames, len(ys), len(xs)) for n in names}
    x_range = [round(float(xs[0]), 3), round(float(xs[-1]), 3)]
    y_range = [round(float(ys[0]), 3), round(float(ys[-1]), 3)]

    # Per panel, a class-0 rectangle, and over it the class-1 region of every frame
    # (shapes drawn between the grid and the points), only the current frame's
    # opaque. A frame changes opacities only: plotly redraws those shapes and
    # nothing else (a new path would make it recalculate the whole figure, ~50 ms),
    # and the site follows dark mode through the fill colours.
    panel_axes = ({"xref": "x", "yref": "y"}, {"xref": "x2", "yref": "y2"})
    common = {"layer": "between", "line": {"width": 0}}
    shapes = [
        {
            "type": "rect",
            "x0": x_range[0],
            "x1": x_range[1],
            "y0": y_range[0],
            "y1": y_range[1],
            "fillcolor": REGION_COLORS[0],
            **axes,
            **common,
        }
        for axes in panel_axes
    ]
    for f in range(n_frames):
        for n, axes in zip(names, panel_axes):
            shapes.append(
                {
                    "type": "path",
                    "path": region_path(classes[n][f] == 1, xs, ys),
                    "fillcolor": REGION_COLORS[1],
                    "opacity": 1 if f == 0 else 0,
                    **axes,
                    **common,
                }
            )

    def shown(f: int) -> list[dict]:
        """The frame's shape changes: backgrounds as they are, regions of frame f only."""
        return [{}, {}, *({"opacity": 1 if g == f else 0} for g in range(n_frames) for _ in names)]

    data: list[dict] = []
    for i in range(2):
        axis = "" if i == 0 else "2"
        for cls in (0, 1):
            mask = labels == cls
            data.append(
                {
                    "type": "scatter",
                    "x": rounded(points[mask, 0], 3),
                    "y": rounded(points[mask, 1], 3),
                    "mode": "markers",
                    "name": f"class {cls}",
                    "legendgroup": f"class {cls}",
                    "showlegend": False,
                    # no outline: the dark markers read on the pale regions (and
                    # the site's light ones on the dark regions of dark mode)
                    "marker": {
                        "color": CLASS_COLORS[cls],
                        "size": 6,
                        "symbol": "circle" if cls == 0 else "diamond",
                    },
                    "xaxis": f"x{axis}",
                    "yaxis": f"y{axis}",
                }
            )
    labels_ = [str(e) for e in epochs]
    frames = [
        {
            "name": label,
            "layout": {
                "title": {"text": f"{title}<br><sub>{subtitles[f]}</sub>"},
                "shapes": shown(f),
            },
        }
        for f, label in enumerate(labels_)
    ]
    updatemenus, sliders = _animation_controls(labels_, frame_ms)
    _redraw_frames(updatemenus, sliders)
    axis_style = {"range": x_range, "title": {"text": "x₁"}, "zeroline": False}
    y_style = {"range": y_range, "title": {"text": "x₂"}, "zeroline": False}
    layout = dict(
        title={"text": f"{title}<br><sub>{subtitles[0]}</sub>"},
        height=height,
        template=pio.templates["plotly_white"].to_plotly_json(),
        xaxis={**axis_style, "domain": [0.0, 0.44]},
        yaxis={**y_style, "anchor": "x"},
        xaxis2={**axis_style, "domain": [0.56, 1.0]},
        yaxis2={**y_style, "anchor": "x2"},
        shapes=shapes,
        annotations=[
            {
                "text": name,
                "x": x,
                "y": 1.0,
                "xref": "paper",
                "yref": "paper",
                "xanchor": "center",
                "yanchor": "bottom",
                "showarrow": False,
                "font": {"size": 14},
            }
            for name, x in zip(names, (0.22, 0.78))
        ],
        updatemenus=updatemenus,
        sliders=sliders,
        margin={"b": 130, "t": 110},
        meta=figure_meta(alt, caption),
        showlegend=False,  # the caption names the markers; a legend collides with the panel titles on a phone
    )
    return go.Figure({"data": data, "layout": layout, "frames": frames}, _validate=False)


def _redraw_frames(updatemenus: list[dict], sliders: list[dict]) -> None:
    """Make Play and the slider redraw each frame: without a redraw plotly's animate
    moves only scatter traces, and these frames change layout shapes."""
    for control in [*updatemenus[0]["buttons"], *sliders[0]["steps"]]:
        for arg in control["args"][1:]:
            if isinstance(arg, dict) and "frame" in arg:
                arg["frame"] = {**arg["frame"], "redraw": True}


def _band(ax, x: np.ndarray, values: np.ndarray, color: str, style: str, label: str) -> None:
    """Mean over seeds (axis 1) as a line, min..max as a shaded band."""
    values = np.asarray(values, dtype=np.float64)
    ax.plot(x, values.mean(1), style, color=color, lw=2, label=label)
    ax.fill_between(x, values.min(1), values.max(1), color=color, alpha=0.18, lw=0)


def curves_plot(
    panels: Mapping[str, Mapping[str, np.ndarray]],
    *,
    log_panels: Sequence[str] = (),
    xlabel: str = "epoch",
) -> Figure:
    """Panels side by side of curves over epochs, each ``(epochs + 1, K)``: the mean over
    the K seeds as a line, the range as a band. A label starting with ``"train"`` is dashed.

    Args:
        panels: panel title -> (curve label -> values ``(epochs + 1, K)``).
        log_panels: titles of the panels drawn with a logarithmic y axis.
    """
    if not panels:
        raise ValueError("panels is empty")
    with plt.rc_context(_LIGHT):
        fig, axes = plt.subplots(
            1, len(panels), figsize=(4.6 * len(panels), 4.0), dpi=110, squeeze=False
        )
        for ax, (name, curves) in zip(axes[0], panels.items()):
            for k, (label, values) in enumerate(curves.items()):
                values = np.asarray(values)
                style = "--" if label.startswith("train") else "-"
                _band(
                    ax,
                    np.arange(len(values)),
                    values,
                    SERIES_COLORS[k % len(SERIES_COLORS)],
                    style,
                    label,
                )
            if name in log_panels:
                ax.set_yscale("log")
            ax.set_title(name)
            ax.set_xlabel(xlabel)
            ax.grid(alpha=0.3, which="both")
            ax.legend(fontsize=8)
        fig.tight_layout()
    plt.close(fig)
    return fig


def _train_val_plot(
    x: np.ndarray,
    results: Mapping[str, tuple[np.ndarray, np.ndarray]],
    *,
    xlabel: str,
    ylabel: str,
    markers: bool,
) -> Figure:
    for label, (tr, va) in results.items():
        for name, v in (("train", tr), ("val", va)):
            if np.shape(v)[0] != len(x):
                raise ValueError(f"{label} {name}: {np.shape(v)[0]} rows for {len(x)} x values")
    with plt.rc_context(_LIGHT):
        fig, ax = plt.subplots(figsize=(7.5, 4.6), dpi=110)
        for k, (label, (tr, va)) in enumerate(results.items()):
            color = SERIES_COLORS[k % len(SERIES_COLORS)]
            _band(ax, x, va, color, "-o" if markers else "-", f"{label}: validation")
            _band(ax, x, tr, color, "--", f"{label}: training")
        ax.set_xlabel(xlabel)
        ax.set_ylabel(ylabel)
        ax.grid(alpha=0.3, which="both")
        ax.legend(fontsize=9, ncol=2)
        fig.tight_layout()
    return fig


def error_vs_width(
    widths: Sequence[int],
    results: Mapping[str, tuple[np.ndarray, np.ndarray]],
    *,
    ylabel: str = "error (1 − accuracy)",
) -> Figure:
    """Training (dashed) and validation (solid) error against hidden width, one colour per
    training-set size; lines are means over seeds, bands the range.

    Args:
        widths: the hidden widths (log axis).
        results: label -> ``(train_error, val_error)``, each ``(len(widths), K)``.
    """
    widths = np.asarray(widths)
    fig = _train_val_plot(
        widths, results, xlabel="hidden width (one hidden layer)", ylabel=ylabel, markers=True
    )
    ax = fig.axes[0]
    ax.set_xscale("log", base=2)
    ax.set_xticks(widths, [str(w) for w in widths])
    plt.close(fig)
    return fig


def error_vs_epochs(
    results: Mapping[str, tuple[np.ndarray, np.ndarray]],
    *,
    ylabel: str = "error (1 − accuracy)",
) -> Figure:
    """Training (dashed) and validation (solid) error over epochs, one colour per setting.

    Args:
        results: label -> ``(train_error, val_error)``, each ``(epochs + 1, K)``.
    """
    if not results:
        raise ValueError("results is empty")
    n = len(next(iter(results.values()))[0])
    fig = _train_val_plot(np.arange(n), results, xlabel="epoch", ylabel=ylabel, markers=False)
    plt.close(fig)
    return fig


def confusion_plot(matrix: np.ndarray, *, title: str) -> Figure:
    """A confusion matrix (rows: true class, columns: predicted) with every count written in."""
    matrix = np.asarray(matrix)
    if matrix.ndim != 2 or matrix.shape[0] != matrix.shape[1]:
        raise ValueError(f"matrix must be square, got shape {matrix.shape}")
    n = matrix.shape[0]
    off = matrix * (1 - np.eye(n, dtype=matrix.dtype))
    with plt.rc_context(_LIGHT):
        fig, ax = plt.subplots(figsize=(5.6, 5.2), dpi=110)
        # Colour marks the mistakes; the diagonal (correct) stays pale grey.
        # Mistakes in red (never so dark that black text is lost); correct
        # predictions on the diagonal in pale grey; zeros off the diagonal white.
        ax.imshow(np.where(off > 0, off, np.nan), cmap="Reds", vmin=0, vmax=2.2 * max(off.max(), 1))
        ax.imshow(np.where(np.eye(n, dtype=bool), 1.0, np.nan), cmap="Greys", vmin=0, vmax=5)
        ax.set_xlim(-0.5, n - 0.5)
        ax.set_ylim(n - 0.5, -0.5)
        for i in range(n):
            for j in range(n):
                if matrix[i, j] or i == j:
                    ax.text(
                        j, i, str(matrix[i, j]), ha="center", va="center", fontsize=9, color="black"
                    )
        ax.set_xticks(range(n))
        ax.set_yticks(range(n))
        ax.set_xlabel("predicted class")
        ax.set_ylabel("true class")
        ax.set_title(title)
        fig.tight_layout()
    plt.close(fig)
    return fig


def image_grid(images: np.ndarray, titles: Sequence[str], *, cols: int = 8) -> Figure:
    """Small grey-scale images ``(m, h, w)`` in a grid, each with a short title."""
    images = np.asarray(images)
    if images.ndim != 3 or len(images) != len(titles) or len(images) == 0:
        raise ValueError(
            f"need images (m, h, w) with m >= 1 and one title each, got {images.shape} and {len(titles)}"
        )
    rows = -(-len(images) // cols)
    with plt.rc_context(_LIGHT):
        fig, axes = plt.subplots(
            rows, cols, figsize=(1.3 * cols, 1.7 * rows), dpi=110, squeeze=False
        )
        for ax in axes.ravel():
            ax.axis("off")
        for ax, image, title in zip(axes.ravel(), images, titles):
            ax.imshow(image, cmap="gray_r", vmin=0, vmax=16, interpolation="nearest")
            ax.set_title(title, fontsize=11)
        fig.tight_layout()
    plt.close(fig)
    return fig
