"""Figures of the initialization chapter: signal profiles layer by layer.

:func:`signal_figure` (plotly, a dropdown over the initializers) and
:func:`signal_summary_plot` (matplotlib) draw the profiles measured by
:mod:`mlpbook.chapters.initialization`.
"""

from __future__ import annotations

import math
from collections.abc import Mapping

import numpy as np

from .._checks import check_int
from ..chapters.initialization import SignalProfile
from .style import SERIES_COLORS, THEORY_COLOR, figure_meta, significant

__all__ = ["signal_figure", "signal_summary_plot", "ACTIVATION_COLORS", "INIT_COLORS"]


ACTIVATION_COLORS = SERIES_COLORS[:4]
"""Colours of the activations (in order) in :func:`signal_figure`."""

INIT_COLORS = SERIES_COLORS
"""Colours of the initializers (in order) in :func:`signal_summary_plot`."""


def _check_grid(profiles: Mapping[tuple[str, str], SignalProfile]) -> tuple[list[str], list[str]]:
    if not profiles:
        raise ValueError("profiles is empty")
    inits = list(dict.fromkeys(k[0] for k in profiles))
    acts = list(dict.fromkeys(k[1] for k in profiles))
    missing = [(i, a) for i in inits for a in acts if (i, a) not in profiles]
    if missing:
        raise ValueError(
            f"profiles must hold every (initializer, activation) pair; missing {missing}"
        )
    depths = {p.depth for p in profiles.values()}
    if len(depths) != 1:
        raise ValueError(f"all profiles must have the same depth, got {sorted(depths)}")
    return inits, acts


def _log_range(lows: list[float], highs: list[float]) -> list[float]:
    """A log10 axis range holding every value and 1 (the dashed line), with a margin."""
    lo, hi = math.log10(min(lows)), math.log10(max(highs))
    lo, hi = min(lo, -0.5), max(hi, 0.5)
    pad = 0.06 * (hi - lo)
    return [round(lo - pad, 2), round(hi + pad, 2)]


def _signal_traces(fig, profiles, predictions, inits, acts, active: int):
    """Add every (initializer, activation, panel) line; returns each trace's initializer
    and each initializer's y range."""
    import plotly.graph_objects as go

    depth = next(iter(profiles.values())).depth
    layers = list(range(1, depth + 1))
    owner: list[str] = []
    ranges: dict[str, list[float]] = {}
    for init in inits:
        lows, highs = [], []
        for j, act in enumerate(acts):
            color = ACTIVATION_COLORS[j % len(ACTIVATION_COLORS)]
            for col, stat in ((1, "act"), (2, "grad")):
                y = profiles[(init, act)].geometric_mean(stat)
                lows.append(np.min(y[y > 0]) if np.any(y > 0) else 1.0)
                highs.append(np.max(y) if np.any(y > 0) else 1.0)
                common = {"x": layers, "showlegend": col == 1, "visible": init == inits[active]}
                measured = go.Scatter(
                    y=significant(y),
                    mode="lines+markers",
                    name=act,
                    legendgroup=act,
                    line={"color": color, "width": 2.5},
                    marker={"size": 5},
                    hovertemplate=f"{act}, layer %{{x}}: %{{y:.3g}}<extra>{init}</extra>",
                    **common,
                )
                fig.add_trace(measured, row=1, col=col)
                owner.append(init)
                if (init, act) in predictions:
                    predicted = go.Scatter(
                        y=significant(predictions[(init, act)][stat]),
                        mode="lines",
                        name=f"{act}, predicted",
                        legendgroup=f"{act}-predicted",
                        line={"color": THEORY_COLOR, "width": 2, "dash": "dot"},
                        hovertemplate=f"{act} predicted, layer %{{x}}: %{{y:.3g}}"
                        f"<extra>{init}</extra>",
                        **common,
                    )
                    fig.add_trace(predicted, row=1, col=col)
                    owner.append(init)
        ranges[init] = _log_range(lows, highs)
    return owner, ranges


def _initializer_menu(inits: list[str], owner: list[str], ranges, active: int) -> dict:
    """The dropdown over initializers: shows their lines and their y range."""
    buttons = [
        {
            "label": init,
            "method": "update",
            "args": [
                {"visible": [o == init for o in owner]},
                {"yaxis.range": ranges[init], "yaxis2.range": ranges[init]},
            ],
        }
        for init in inits
    ]
    return {
        "type": "dropdown",
        "buttons": buttons,
        "active": active,
        "x": 0.13,
        "xanchor": "left",
        "y": 1.17,
        "yanchor": "middle",
        "showactive": True,
        "pad": {"t": 0, "b": 0},
    }


def signal_figure(
    profiles: Mapping[tuple[str, str], SignalProfile],
    *,
    alt: str,
    caption: str | None = None,
    predictions: Mapping[tuple[str, str], Mapping[str, np.ndarray]] | None = None,
    title: str = "Signal propagation",
    active: int = 0,
    height: int = 540,
):
    """An interactive plotly figure: activation and gradient size per layer, a dropdown over initializers.

    Left panel: geometric mean over seeds of ``std(h_l)``; right panel: of
    ``std(dL/dh_l)``; log scales, a dashed line at 1. One coloured line per
    activation; choosing an initializer in the dropdown shows its lines (all
    data are precomputed, so the dropdown works on a static page).

    Args:
        profiles: ``(initializer label, activation label) -> SignalProfile``
            for every pair (the dropdown and the colours follow first appearance).
        alt, caption: the figure's alt text and caption (``layout.meta``).
        predictions: optional ``(initializer, activation) -> predicted_signal(...)``,
            drawn as dark dotted lines over the measured ones.
        active: index of the initializer shown first.

    Returns:
        A ``plotly.graph_objects.Figure``.
    """
    from plotly.subplots import make_subplots

    inits, acts = _check_grid(profiles)
    predictions = dict(predictions or {})
    unknown = [k for k in predictions if k not in profiles]
    if unknown:
        raise ValueError(f"predictions for pairs without a profile: {unknown}")
    check_int("active", active, minimum=0)
    if active >= len(inits):
        raise ValueError(
            f"active must be < {len(inits)} (the number of initializers), got {active}"
        )
    depth = next(iter(profiles.values())).depth
    fig = make_subplots(
        rows=1,
        cols=2,
        horizontal_spacing=0.1,
        subplot_titles=("activations: std of h<sub>ℓ</sub>", "gradients: std of ∂L/∂h<sub>ℓ</sub>"),
    )
    owner, ranges = _signal_traces(fig, profiles, predictions, inits, acts, active)
    menu_label = {
        "text": "initializer:",
        "showarrow": False,
        "x": 0.0,
        "xref": "paper",
        "xanchor": "left",
        "y": 1.17,
        "yref": "paper",
        "yanchor": "middle",
    }
    fig.update_layout(
        title={"text": title, "x": 0.0, "xanchor": "left", "y": 0.97, "yref": "container"},
        height=height,
        template="plotly_white",
        meta=figure_meta(alt, caption),
        margin={"t": 125, "b": 105, "l": 70, "r": 20},
        legend={"orientation": "h", "x": 0.5, "xanchor": "center", "y": -0.2, "yanchor": "top"},
        updatemenus=[_initializer_menu(inits, owner, ranges, active)],
        annotations=[*fig.layout.annotations, menu_label],
    )
    for col in (1, 2):
        fig.update_xaxes(title_text="hidden layer ℓ", row=1, col=col, dtick=2 if depth > 10 else 1)
        fig.update_yaxes(
            type="log", range=ranges[inits[active]], exponentformat="power", row=1, col=col
        )
        fig.add_hline(y=1, line={"color": "#7f7f7f", "dash": "dash", "width": 1}, row=1, col=col)
    fig.update_yaxes(title_text="standard deviation", row=1, col=1)
    return fig


def _summary_panel(ax, profiles, inits: list[str], act: str, stat: str, layers) -> None:
    """One panel of :func:`signal_summary_plot`: one line per initializer, log scale."""
    for i, init in enumerate(inits):
        y = profiles[(init, act)].geometric_mean(stat)
        ax.plot(
            layers,
            np.where(y > 0, y, np.nan),
            color=INIT_COLORS[i % len(INIT_COLORS)],
            lw=2,
            marker="o",
            ms=3,
            label=init,
        )
    ax.axhline(1.0, color="#555555", lw=1, ls="--")
    ax.set_yscale("log")
    ax.grid(alpha=0.25, which="major")


def signal_summary_plot(profiles: Mapping[tuple[str, str], SignalProfile], *, title: str = ""):
    """A static matplotlib summary: rows activations / gradients, one column per activation,
    one line per initializer (geometric mean over seeds), log scale, white panels (they
    read the same in the site's light and dark modes).

    Returns:
        A ``matplotlib.figure.Figure`` (closed, so a notebook shows it once).
    """
    import matplotlib.pyplot as plt

    inits, acts = _check_grid(profiles)
    depth = next(iter(profiles.values())).depth
    layers = np.arange(1, depth + 1)
    fig, axes = plt.subplots(
        2,
        len(acts),
        figsize=(4.4 * len(acts) + 1.2, 6.4),
        dpi=110,
        sharex=True,
        squeeze=False,
        facecolor="white",
    )
    for row, (stat, label) in enumerate(
        (("act", "std of activations"), ("grad", "std of gradients"))
    ):
        for col, act in enumerate(acts):
            ax = axes[row, col]
            _summary_panel(ax, profiles, inits, act, stat, layers)
            if row == 0:
                ax.set_title(act)
            if row == 1:
                ax.set_xlabel("hidden layer ℓ")
            if col == 0:
                ax.set_ylabel(label)
    handles, labels = axes[0, 0].get_legend_handles_labels()
    fig.legend(
        handles,
        labels,
        loc="upper center",
        ncol=len(inits),
        fontsize=9,
        bbox_to_anchor=(0.5, 0.995 if not title else 0.94),
    )
    if title:
        fig.suptitle(title)
    fig.tight_layout(rect=(0, 0, 1, 0.9 if title else 0.93))
    plt.close(fig)
    return fig
