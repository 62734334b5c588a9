"""Figures of a training run: prediction animations (plotly) and convergence plots (matplotlib).

Plotly figures carry their alt text and caption in ``layout.meta`` (the book's
renderer, :mod:`mlpbook.book.sphinxext`, turns them into ``aria-label`` and
``<figcaption>``), and their data are rounded to what a reader can see, so the
drift check compares what matters and the pages stay small.
"""

from __future__ import annotations

import math
from collections.abc import Mapping

import matplotlib.colors as mcolors
import matplotlib.pyplot as plt
import numpy as np
import plotly.graph_objects as go
import plotly.io as pio
from matplotlib.figure import Figure

from .._checks import check_int
from ..training import History
from .style import PREDICTION_COLOR, TARGET_COLOR, figure_meta, rounded

__all__ = ["animate_predictions", "convergence_plot"]


def _frame_indices(n: int, max_frames: int) -> list[int]:
    if n <= max_frames:
        return list(range(n))
    return sorted(set(np.linspace(0, n - 1, max_frames).round().astype(int).tolist()))


def _padded_range(values: np.ndarray, pad: float = 0.05) -> list[float]:
    lo, hi = float(np.nanmin(values)), float(np.nanmax(values))
    span = hi - lo or 1.0
    return [round(lo - pad * span, 3), round(hi + pad * span, 3)]


def _animation_inputs(
    history: History, targets: np.ndarray, inputs: np.ndarray | None
) -> tuple[np.ndarray | None, np.ndarray, np.ndarray]:
    """Checked ``(xs, targets, snapshots)``; for 1-D outputs sorted by input (``xs``), else ``xs`` is None."""
    targets = np.asarray(targets)
    snaps = np.asarray(history.snapshots)
    if snaps.size == 0:
        raise ValueError(
            "the history has no snapshots; train with snapshot_epochs=frame_epochs(...)"
        )
    if snaps.shape[1:] != targets.shape:
        raise ValueError(
            f"snapshots have shape {snaps.shape[1:]} per frame, targets {targets.shape}"
        )
    if targets.ndim != 2 or targets.shape[1] not in (1, 2):
        raise ValueError(f"targets must have shape (n, 1) or (n, 2), got {targets.shape}")
    if targets.shape[1] == 2:
        return None, targets, snaps
    if inputs is None or np.asarray(inputs).shape != targets.shape:
        raise ValueError("1-D targets need inputs of the same shape (n, 1)")
    order = np.argsort(np.asarray(inputs)[:, 0])
    return np.asarray(inputs)[order, 0], targets[order], snaps[:, order]


def _animation_controls(names: list[str], frame_ms: int) -> tuple[list[dict], list[dict]]:
    """The Play/Pause buttons and the frame slider (plotly's own; the site adds HTML ones)."""
    still = {"duration": 0, "redraw": False}
    play = {
        "label": "▶ Play",
        "method": "animate",
        "args": [
            None,
            {
                "frame": {"duration": frame_ms, "redraw": False},
                "fromcurrent": True,
                "transition": {"duration": 0},
            },
        ],
    }
    pause = {
        "label": "❚❚ Pause",
        "method": "animate",
        "args": [[None], {"frame": still, "mode": "immediate", "transition": {"duration": 0}}],
    }
    steps = [
        {
            "label": name,
            "method": "animate",
            "args": [[name], {"mode": "immediate", "frame": still, "transition": {"duration": 0}}],
        }
        for name in names
    ]
    menu = {
        "type": "buttons",
        "showactive": False,
        "x": 0.0,
        "y": -0.16,
        "xanchor": "left",
        "yanchor": "top",
        "direction": "left",
        "pad": {"t": 0, "r": 10},
        "buttons": [play, pause],
    }
    slider = {
        "active": 0,
        "currentvalue": {"prefix": "epoch ", "xanchor": "right"},
        "steps": steps,
        "x": 0.32,
        "len": 0.68,
        "y": -0.16,
        "yanchor": "top",
        "pad": {"t": 0},
    }
    return [menu], [slider]


def animate_predictions(
    history: History,
    targets: np.ndarray,
    *,
    inputs: np.ndarray | None = None,
    title: str,
    alt: str,
    caption: str | None = None,
    max_frames: int = 100,
    decimals: int = 2,
    frame_ms: int = 60,
    height: int = 520,
) -> go.Figure:
    """Animate a model's predictions moving during training, over fixed targets.

    Two layouts, chosen by the output dimension of ``targets``:

    * 2-D outputs (``targets`` of shape ``(n, 2)``): both in the output plane,
      targets as grey points, predictions as red points.
    * 1-D outputs (``targets`` of shape ``(n, 1)``, ``inputs`` of shape ``(n, 1)``):
      the targets and the fitted curve over the input.

    Frames are the history's snapshots (at most ``max_frames``, evenly spaced);
    each frame is labelled with its epoch and training loss (in the title's
    second line). A Play/Pause button and a frame slider drive the animation.

    Raises:
        ValueError: if the history has no snapshots or shapes disagree.
    """
    check_int("max_frames", max_frames, minimum=2)
    xs, targets, snaps = _animation_inputs(history, targets, inputs)
    one_d = xs is not None

    def trace_xy(points: np.ndarray) -> dict[str, list]:
        if one_d:
            return {"x": rounded(xs, decimals), "y": rounded(points[:, 0], decimals)}
        return {"x": rounded(points[:, 0], decimals), "y": rounded(points[:, 1], decimals)}

    idx = _frame_indices(len(snaps), max_frames)
    epochs = [history.snapshot_epochs[i] for i in idx]
    labels = [f"epoch {e}, loss {history.loss[e]:.3g}" for e in epochs]
    names = [str(e) for e in epochs]
    target_trace = {
        "type": "scatter",
        **trace_xy(targets),
        "mode": "markers",
        "name": "target",
        "marker": {"color": TARGET_COLOR, "size": 5, "opacity": 0.6},
    }
    pred_style = (
        {"mode": "lines", "line": {"color": PREDICTION_COLOR, "width": 3}}
        if one_d
        else {"mode": "markers", "marker": {"color": PREDICTION_COLOR, "size": 5}}
    )
    first = {"type": "scatter", **trace_xy(snaps[idx[0]]), "name": "prediction", **pred_style}
    frames = [
        {
            "name": name,
            "data": [{"type": "scatter", **trace_xy(snaps[i])}],
            "traces": [1],
            "layout": {"title": {"text": f"{title}<br><sub>{label}</sub>"}},
        }
        for name, i, label in zip(names, idx, labels)
    ]
    all_points = np.concatenate([targets, snaps[idx].reshape(-1, targets.shape[1])])
    if one_d:
        x_range, y_range = _padded_range(xs), _padded_range(all_points[:, 0])
    else:
        x_range, y_range = _padded_range(all_points[:, 0]), _padded_range(all_points[:, 1])
    updatemenus, sliders = _animation_controls(names, frame_ms)
    layout = dict(
        title={"text": f"{title}<br><sub>{labels[0]}</sub>"},
        height=height,
        template=pio.templates["plotly_white"].to_plotly_json(),
        xaxis={"range": x_range, "title": {"text": "x" if one_d else "output 1"}},
        yaxis={"range": y_range, "title": {"text": "y" if one_d else "output 2"}},
        updatemenus=updatemenus,
        sliders=sliders,
        margin={"b": 130},
        meta=figure_meta(alt, caption),
        legend={"orientation": "h", "y": 1.02, "x": 1, "xanchor": "right", "yanchor": "bottom"},
    )
    # The parts are plain dicts built from validated shapes; skipping plotly's
    # per-frame validation makes a 100-frame figure ~10x faster to build.
    return go.Figure(
        {"data": [target_trace, first], "layout": layout, "frames": frames}, _validate=False
    )


def _check_fits(
    x: np.ndarray,
    target: np.ndarray,
    fits: Mapping[int, np.ndarray],
    errors: Mapping[int, float],
) -> None:
    """Raise ``ValueError`` unless ``fits`` and ``errors`` describe the same finite epochs."""
    if set(fits) != set(errors):
        raise ValueError(
            f"fits and errors must have the same epochs, got {sorted(fits)} and {sorted(errors)}"
        )
    if not fits:
        raise ValueError("fits is empty")
    for epoch in fits:
        err = float(errors[epoch])
        if not (math.isfinite(err) and err >= 0):
            raise ValueError(f"errors[{epoch}] must be a finite number >= 0, got {err}")
        if np.size(fits[epoch]) != x.size:
            raise ValueError(f"fits[{epoch}] has {np.size(fits[epoch])} values, x has {x.size}")
        if not np.isfinite(np.asarray(fits[epoch], dtype=np.float64)).all():
            raise ValueError(f"fits[{epoch}] contains NaN or infinite values")
    if np.size(target) != x.size:
        raise ValueError(f"target has {np.size(target)} values, x has {x.size}")


def convergence_plot(
    x: np.ndarray,
    target: np.ndarray,
    fits: Mapping[int, np.ndarray],
    errors: Mapping[int, float],
    *,
    title: str = "",
    cmap: str = "plasma",
) -> Figure:
    """All fits on one axis, each coloured by its MSE on a log scale, ground truth on top.

    Low error is dark (the dark end of ``plasma``) and opaque; high error orange
    (the colour map stops before its pale yellow end) and slightly transparent,
    so that every curve stays visible on the white panel. The white panel reads
    the same in the site's light and dark modes.

    Args:
        x: inputs, shape ``(n,)`` or ``(n, 1)``.
        target: ground truth, same shape as ``x``.
        fits: epoch -> predictions (shape like ``x``).
        errors: epoch -> MSE of that fit (``> 0``).
    """
    x = np.asarray(x, dtype=np.float64).reshape(-1)
    _check_fits(x, target, fits, errors)
    values = np.array([max(float(errors[e]), 1e-12) for e in fits])
    norm = mcolors.LogNorm(vmin=values.min(), vmax=values.max())
    # The first 80 % of the map: dark purple (low error) to orange (high error).
    colormap = mcolors.ListedColormap(plt.get_cmap(cmap)(np.linspace(0.0, 0.8, 256)))
    fig = plt.figure(figsize=(8, 4.8), dpi=110, facecolor="white")
    ax = fig.add_subplot(facecolor="white")
    span = np.log(values.max() / values.min()) or 1.0
    for epoch in sorted(fits):
        err = max(float(errors[epoch]), 1e-12)
        alpha = 1.0 - 0.35 * float(np.log(err / values.min()) / span)
        ax.plot(
            x,
            np.asarray(fits[epoch]).reshape(-1),
            color=colormap(norm(err)),
            alpha=alpha,
            lw=2,
            label=f"epoch {epoch}",
        )
    ax.plot(x, np.asarray(target).reshape(-1), color="black", lw=1.5, ls="--", label="ground truth")
    ax.set_xlabel("x")
    ax.set_ylabel("y")
    ax.grid(alpha=0.25)
    if title:
        fig.suptitle(title)
    ax.legend(loc="lower center", bbox_to_anchor=(0.5, 1.0), fontsize=8, ncol=5)
    bar = fig.colorbar(plt.cm.ScalarMappable(norm=norm, cmap=colormap), ax=ax)
    bar.set_label("MSE")
    fig.tight_layout()
    plt.close(fig)
    return fig
