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
from .style import DARK_PANEL_COLORS, SERIES_COLORS, THEORY_COLOR, figure_meta, significant

__all__ = ["signal_figure", "signal_summary_plot", "ACTIVATION_COLORS", "INIT_COLORS"]


ACTIVATION_COLORS = SERIES_COLORS[:4]
"""Colours of the activations (in order) in :func:`signal_figure`."""

INIT_COLORS = DARK_PANEL_COLORS
"""Colours of the initializers (in order) in :func:`signal_summary_plot`, legible on its dark panel."""


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
    import plotly.graph_objects as go
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
    layers = list(range(1, depth + 1))
    fig = make_subplots(
        rows=1,
        cols=2,
        horizontal_spacing=0.1,
        subplot_titles=("activations: std of h<sub>ℓ</sub>", "gradients: std of ∂L/∂h<sub>ℓ</sub>"),
    )
    owner: list[str] = []
    ranges: dict[str, list[float]] = {}
    for init in inits:
        lows, highs = [], []
        for j, act in enumerate(acts):
            color = ACTIVATION_COLORS[j % len(ACTIVATION_COLORS)]
            prof = profiles[(init, act)]
            for col, stat in ((1, "act"), (2, "grad")):
                y = prof.geometric_mean(stat)
                lows.append(np.min(y[y > 0]) if np.any(y > 0) else 1.0)
                highs.append(np.max(y) if np.any(y > 0) else 1.0)
                fig.add_trace(
                    go.Scatter(
                        x=layers,
                        y=significant(y),
                        mode="lines+markers",
                        name=act,
                        legendgroup=act,
                        showlegend=col == 1,
                        visible=init == inits[active],
                        line={"color": color, "width": 2.5},
                        marker={"size": 5},
                        hovertemplate=f"{act}, layer %{{x}}: %{{y:.3g}}<extra>{init}</extra>",
                    ),
                    row=1,
                    col=col,
                )
                owner.append(init)
                if (init, act) in predictions:
                    fig.add_trace(
                        go.Scatter(
                            x=layers,
                            y=significant(predictions[(init, act)][stat]),
                            mode="lines",
                            name=f"{act}, predicted",
                            legendgroup=f"{act}-predicted",
                            showlegend=col == 1,
                            visible=init == inits[active],
                            line={"color": THEORY_COLOR, "width": 2, "dash": "dot"},
                            hovertemplate=f"{act} predicted, layer %{{x}}: %{{y:.3g}}<extra>{init}</extra>",
                        ),
                        row=1,
                        col=col,
                    )
                    owner.append(init)
        lo, hi = math.log10(min(lows)), math.log10(max(highs))
        lo, hi = min(lo, -0.5), max(hi, 0.5)
        pad = 0.06 * (hi - lo)
        ranges[init] = [round(lo - pad, 2), round(hi + pad, 2)]
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
    meta = figure_meta(alt, caption)
    fig.update_layout(
        title={"text": title, "x": 0.0, "xanchor": "left", "y": 0.97, "yref": "container"},
        height=height,
        template="plotly_white",
        meta=meta,
        margin={"t": 125, "b": 105, "l": 70, "r": 20},
        legend={"orientation": "h", "x": 0.5, "xanchor": "center", "y": -0.2, "yanchor": "top"},
        updatemenus=[
            {
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
        ],
        annotations=list(fig.layout.annotations)
        + [
            {
                "text": "initializer:",
                "showarrow": False,
                "x": 0.0,
                "xref": "paper",
                "xanchor": "left",
                "y": 1.17,
                "yref": "paper",
                "yanchor": "middle",
            }
        ],
    )
    for col in (1, 2):
        fig.update_xaxes(title_text="hidden layer ℓ", row=1, col=col, dtick=2 if depth > 10 else 1)
        fig.update_yaxes(
            type="log", range=ranges[inits[active]], exponentformat="power", row=1, col=col
        )
        fig.add_hline(y=1, line={"color": "#7f7f7f", "dash": "dash", "width": 1}, row=1, col=col)
    fig.update_yaxes(title_text="standard deviation", row=1, col=1)
    return fig


def signal_summary_plot(profiles: Mapping[tuple[str, str], SignalProfile], *, title: str = ""):
    """A static matplotlib summary: rows activations / gradients, one column per activation,
    one line per initializer (geometric mean over seeds), log scale, dark panel.

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
        facecolor="#111111",
    )
    for row, (stat, label) in enumerate(
        (("act", "std of activations"), ("grad", "std of gradients"))
    ):
        for col, act in enumerate(acts):
            ax = axes[row, col]
            ax.set_facecolor("#111111")
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
            ax.axhline(1.0, color="#999999", lw=1, ls="--")
            ax.set_yscale("log")
            for spine in ax.spines.values():
                spine.set_color("#bbbbbb")
            ax.tick_params(colors="#dddddd", which="both")
            if row == 0:
                ax.set_title(act, color="white")
            if row == 1:
                ax.set_xlabel("hidden layer ℓ", color="#dddddd")
            if col == 0:
                ax.set_ylabel(label, color="#dddddd")
    handles, labels = axes[0, 0].get_legend_handles_labels()
    legend = fig.legend(
        handles,
        labels,
        loc="upper center",
        ncol=len(inits),
        facecolor="#222222",
        edgecolor="#555555",
        fontsize=9,
        bbox_to_anchor=(0.5, 0.995 if not title else 0.94),
    )
    for text in legend.get_texts():
        text.set_color("#eeeeee")
    if title:
        fig.suptitle(title, color="white")
    fig.tight_layout(rect=(0, 0, 1, 0.9 if title else 0.93))
    plt.close(fig)
    return fig
