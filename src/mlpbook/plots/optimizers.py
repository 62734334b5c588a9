"""Figures of the training chapter: optimizer paths on loss surfaces (plotly), learning-rate
sweeps, loss curves with their spread over seeds, and the noise of minibatch gradients
(matplotlib, on white panels that read the same in light and dark mode).

The data come from :mod:`mlpbook.chapters.training_dynamics`.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import numpy as np
import plotly.graph_objects as go
import plotly.io as pio
from matplotlib.figure import Figure

from .._checks import check_int
from ..chapters.training_dynamics import Surface
from .outlines import level_lines, nice_levels
from .style import SERIES_COLORS, THEORY_COLOR, figure_meta, significant
from .training import _animation_controls

__all__ = ["path_animation", "lr_sweep_plot", "loss_bands_plot", "gradient_noise_plot"]

_LIGHT = {"figure.facecolor": "white", "axes.facecolor": "white", "savefig.facecolor": "white"}


def _clip_path(path: np.ndarray, surface: Surface) -> np.ndarray:
    """The path with points far outside the view box pinned to its edge (a diverging run
    leaves the picture; its coordinates would otherwise bloat the page)."""
    lo = np.array([surface.x_range[0], surface.y_range[0]])
    hi = np.array([surface.x_range[1], surface.y_range[1]])
    span = hi - lo
    return np.clip(path, lo - span, hi + span)


def path_animation(
    surface: Surface,
    paths: Mapping[float, Mapping[str, np.ndarray]],
    *,
    title: str,
    alt: str,
    caption: str | None = None,
    active: int = 0,
    frame_every: int = 2,
    frame_ms: int = 60,
    height: int = 560,
    grid: int = 60,
) -> go.Figure:
    """Optimizers' paths over the contours of a two-parameter loss, step by step.

    Args:
        surface: the loss and its view box.
        paths: learning rate -> optimizer label -> points ``(steps + 1, 2)``
            (every path has the same number of steps).
        active: the index of the learning rate shown first.
        frame_every: steps per animation frame (fewer frames, a smaller page).

    Play and the step slider move along the paths (one frame per step); the
    learning-rate slider shows the precomputed runs of another rate. Contour
    lines are drawn at round levels of log10 of the loss, coloured from dark
    (low) to yellow (high), as scatter traces (:func:`.outlines.level_lines`).

    Raises:
        ValueError: if ``paths`` is empty or its paths differ in length.
    """
    if not paths:
        raise ValueError("paths is empty")
    lrs = list(paths)
    labels = list(paths[lrs[0]])
    lengths = {len(p) for by_opt in paths.values() for p in by_opt.values()}
    if len(lengths) != 1 or any(list(by_opt) != labels for by_opt in paths.values()):
        raise ValueError("every learning rate needs the same optimizers and paths of one length")
    steps = lengths.pop() - 1
    check_int("active", active, minimum=0, maximum=len(lrs) - 1)
    check_int("frame_every", frame_every, minimum=1)
    xs, ys, z = surface.grid(grid)
    log_z = np.log10(np.maximum(z, 1e-12))
    # Contour lines as scatter traces: plotly's animate erases a contour trace when it
    # moves the paths, and a redraw of it costs a frame's budget. The lines follow
    # the unrounded surface (rounding z first would make them wobble); their points
    # are rounded to 3 decimals.
    contours = level_lines(xs, ys, log_z, nice_levels(log_z.min(), log_z.max(), 18))
    stars = [surface.minimum, *surface.other_minima]
    minimum = {
        "type": "scatter",
        "x": [round(m[0], 3) for m in stars],
        "y": [round(m[1], 3) for m in stars],
        "mode": "markers",
        "marker": {"symbol": "star", "size": 13, "color": THEORY_COLOR},
        "name": "minimum" if len(stars) == 1 else "minima",
    }
    clipped = {
        (i, name): _clip_path(np.asarray(paths[lr][name], dtype=np.float64), surface)
        for i, lr in enumerate(lrs)
        for name in labels
    }

    def xy(i: int, name: str, upto: int) -> dict[str, list]:
        pts = clipped[i, name][: upto + 1]
        return {"x": significant(pts[:, 0], 3), "y": significant(pts[:, 1], 3)}

    traces = []
    for i, _lr in enumerate(lrs):
        for k, name in enumerate(labels):
            traces.append(
                {
                    "type": "scatter",
                    **xy(i, name, 0),
                    "mode": "lines+markers",
                    "name": name,
                    "legendgroup": name,
                    "showlegend": i == active,
                    "visible": i == active,
                    "line": {"color": SERIES_COLORS[k % len(SERIES_COLORS)], "width": 2},
                    "marker": {"size": 4},
                }
            )
    first_path = len(contours) + 1
    n_paths = len(traces)
    frame_steps = list(range(0, steps + 1, frame_every))
    if frame_steps[-1] != steps:
        frame_steps.append(steps)
    names = [str(s) for s in frame_steps]
    frames = [
        {
            "name": name,
            "data": [
                {"type": "scatter", **xy(i, lbl, s)} for i in range(len(lrs)) for lbl in labels
            ],
            "traces": list(range(first_path, first_path + n_paths)),
            "layout": {"title": {"text": f"{title}<br><sub>step {s}</sub>"}},
        }
        for name, s in zip(names, frame_steps)
    ]
    updatemenus, sliders = _animation_controls(names, frame_ms)
    sliders[0]["currentvalue"] = {"prefix": "step ", "xanchor": "right"}
    lr_steps = [
        {
            "label": f"{lr:g}",
            "method": "restyle",
            "args": [
                {
                    "visible": [True] * first_path
                    + [j == i for j in range(len(lrs)) for _ in labels],
                    "showlegend": [False] * len(contours)
                    + [True]
                    + [j == i for j in range(len(lrs)) for _ in labels],
                }
            ],
        }
        for i, lr in enumerate(lrs)
    ]
    lr_slider = {
        "active": active,
        "currentvalue": {"prefix": "learning rate ", "xanchor": "left"},
        "steps": lr_steps,
        "x": 0.0,
        "len": 1.0,
        "y": -0.36,
        "yanchor": "top",
        "pad": {"t": 0},
    }
    layout = dict(
        title={"text": f"{title}<br><sub>step 0</sub>"},
        height=height,
        template=pio.templates["plotly_white"].to_plotly_json(),
        xaxis={"range": list(surface.x_range), "title": {"text": surface.labels[0]}},
        yaxis={"range": list(surface.y_range), "title": {"text": surface.labels[1]}},
        updatemenus=updatemenus,
        sliders=[lr_slider, *sliders],
        margin={"b": 170},
        meta=figure_meta(alt, caption),
        legend={"orientation": "h", "y": 1.02, "x": 1, "xanchor": "right", "yanchor": "bottom"},
    )
    return go.Figure(
        {"data": [*contours, minimum, *traces], "layout": layout, "frames": frames}, _validate=False
    )


def lr_sweep_plot(
    finals: Mapping[str, Mapping[float, np.ndarray]],
    *,
    start: float,
    title: str,
    ylabel: str = "final training MSE",
) -> Figure:
    """Final loss against learning rate (log-log), one line per optimizer.

    Args:
        finals: optimizer label -> learning rate -> one final loss per seed
            (NaN for a diverged run).
        start: the loss before training (a dashed line).

    The line is the mean over those seeds that did not diverge, the band their
    range (min to max); a cross at the top marks a rate at which at least one
    seed diverged, with the number of diverged seeds.
    """
    import matplotlib.pyplot as plt

    if not finals:
        raise ValueError("finals is empty")
    with plt.rc_context(_LIGHT):
        fig, ax = plt.subplots(figsize=(7.2, 4.3), dpi=110)
        top = start * 3
        for k, (label, by_lr) in enumerate(finals.items()):
            color = SERIES_COLORS[k % len(SERIES_COLORS)]
            lrs = np.array(sorted(by_lr))
            vals = [np.asarray(by_lr[lr], dtype=np.float64) for lr in lrs]
            ok = np.array([np.isfinite(v).any() for v in vals])
            mean = np.array([np.nanmean(v) if f else np.nan for v, f in zip(vals, ok)])
            low = np.array([np.nanmin(v) if f else np.nan for v, f in zip(vals, ok)])
            high = np.array([np.nanmax(v) if f else np.nan for v, f in zip(vals, ok)])
            ax.plot(lrs, mean, "-o", color=color, lw=2, ms=4, label=label)
            ax.fill_between(lrs, low, high, color=color, alpha=0.2, lw=0)
            for lr, v in zip(lrs, vals):
                bad = int(np.sum(~np.isfinite(v)))
                if bad:
                    ax.plot([lr], [top * (1.5**k)], "x", color=color, ms=8, mew=2)
                    ax.annotate(
                        str(bad),
                        (lr, top * (1.5**k)),
                        textcoords="offset points",
                        xytext=(5, -3),
                        fontsize=8,
                        color=color,
                    )
        ax.axhline(start, color="0.4", lw=1.2, ls=(0, (4, 3)), label="before training")
        ax.set(xscale="log", yscale="log", xlabel="learning rate", ylabel=ylabel, title=title)
        ax.grid(alpha=0.3, which="both")
        ax.legend(fontsize=9, loc="lower left")
        fig.tight_layout()
    plt.close(fig)
    return fig


def loss_bands_plot(
    panels: Mapping[str, tuple[np.ndarray, Mapping[str, np.ndarray]]],
    *,
    ylabel: str = "training MSE",
    title: str | None = None,
    log_x: Sequence[bool] | None = None,
    ylim: tuple[float, float] | None = None,
    each_seed: bool = False,
) -> Figure:
    """Loss curves with their spread over seeds, in one or more panels side by side.

    Args:
        panels: x-axis label -> ``(x, {series label: losses (len(x), K)})``; each
            series is drawn as its mean over the K seeds with a min-max band.
        log_x: per panel, a logarithmic x axis.
        each_seed: draw every seed as a thin line instead of the mean and a band
            (for runs whose spread spans decades).
    """
    import matplotlib.pyplot as plt

    if not panels:
        raise ValueError("panels is empty")
    log_x = list(log_x) if log_x is not None else [False] * len(panels)
    with plt.rc_context(_LIGHT):
        fig, axes = plt.subplots(
            1, len(panels), figsize=(4.2 * len(panels) + 0.6, 3.9), dpi=110, squeeze=False
        )
        for ax, (xlabel, (x, series)), logx in zip(axes[0], panels.items(), log_x):
            for k, (label, values) in enumerate(series.items()):
                values = np.asarray(values, dtype=np.float64)
                values = values[:, None] if values.ndim == 1 else values
                color = SERIES_COLORS[k % len(SERIES_COLORS)]
                xv = np.asarray(x[label] if isinstance(x, Mapping) else x)
                if each_seed:
                    for j in range(values.shape[1]):
                        ax.plot(
                            xv,
                            values[:, j],
                            color=color,
                            lw=1.2,
                            alpha=0.75,
                            label=label if j == 0 else None,
                        )
                    continue
                ax.plot(xv, values.mean(axis=1), color=color, lw=2, label=label)
                if values.shape[1] > 1:
                    ax.fill_between(
                        xv, values.min(axis=1), values.max(axis=1), color=color, alpha=0.2, lw=0
                    )
            ax.set(xlabel=xlabel, ylabel=ylabel, yscale="log")
            if logx:
                ax.set_xscale("log")
            if ylim is not None:
                ax.set_ylim(*ylim)
            ax.grid(alpha=0.3, which="both")
        axes[0][0].legend(fontsize=9)
        if title:
            fig.suptitle(title)
        fig.tight_layout()
    plt.close(fig)
    return fig


def gradient_noise_plot(noise: Mapping[int, tuple[float, float]], *, n: int) -> Figure:
    """Measured and predicted :math:`\\mathbb E\\lVert g_B - g\\rVert^2` against batch size B
    (log-log; the prediction is a dotted line). ``B = n`` (zero noise) is left out of the axes."""
    import matplotlib.pyplot as plt

    bs = np.array([b for b in sorted(noise) if b < n])
    if bs.size == 0:
        raise ValueError("noise needs at least one batch size below n")
    with plt.rc_context(_LIGHT):
        fig, ax = plt.subplots(figsize=(6.4, 4.0), dpi=110)
        ax.plot(bs, [noise[b][0] for b in bs], "o", color=SERIES_COLORS[0], ms=7, label="measured")
        ax.plot(
            bs,
            [noise[b][1] for b in bs],
            ":",
            color=THEORY_COLOR,
            lw=2,
            label="σ²/B · (n − B)/(n − 1)",
        )
        ax.set(
            xscale="log",
            yscale="log",
            xlabel="batch size B",
            ylabel="E‖g_B − g‖²",
            title=f"Noise of the minibatch gradient (n = {n})",
        )
        ax.grid(alpha=0.3, which="both")
        ax.legend(fontsize=9)
        fig.tight_layout()
    plt.close(fig)
    return fig
