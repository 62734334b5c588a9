r"""Views of width and depth: the explorer, the architecture view and region maps.

* :func:`explorer_figure` -- plotly, a width slider and a depth slider over a
  precomputed :class:`mlpbook.chapters.width_depth.ExplorerData` grid: the fit to a 1-D
  target with its region boundaries, and every cell's loss against its
  parameter count.
* :func:`architecture_figure` -- plotly, a dropdown over layer sizes; draws the
  units and connections of each MLP, optionally coloured by trained weights.
* :func:`region_map_plot` -- matplotlib, activation regions on a 2-D slice,
  coloured, with their boundaries drawn (from :func:`mlpbook.chapters.width_depth.grid_regions`).

Both plotly figures work on a static page: their controls use the ``restyle``
and ``update`` methods on data that are already in the figure. Two sliders
compose because they change *different* trace properties: the width slider sets
``visible`` (true for the cells of the chosen width), the depth slider sets
``opacity`` (1 for the cells of the chosen depth, 0 otherwise), so exactly one
cell is both visible and opaque. Data are rounded (``decimals``) so the pages
stay small and the drift check compares what a reader can see.
"""

from __future__ import annotations

from collections.abc import Sequence

import matplotlib.pyplot as plt
import numpy as np
import plotly.graph_objects as go
from matplotlib.figure import Figure
from plotly.subplots import make_subplots

from .._checks import check_int
from ..chapters.width_depth import ExplorerData, GridRegions
from ..models import check_sizes, mlp_parameter_count
from .style import PREDICTION_COLOR, SERIES_COLORS, TARGET_COLOR, figure_meta, rounded

__all__ = [
    "WEIGHT_COLORS",
    "explorer_figure",
    "architecture_figure",
    "region_map_plot",
    "DEPTH_COLORS",
    "sizes_label",
]

DEPTH_COLORS = SERIES_COLORS
"""Colours for 1, 2, 3, ... hidden layers (cycled)."""


def sizes_label(sizes: Sequence[int]) -> str:
    """``[4, 8, 4]`` -> ``"4 → 8 → 4"``."""
    return " → ".join(str(s) for s in check_sizes(sizes))


def _layers_word(depth: int) -> str:
    return f"{depth} hidden layer" + ("" if depth == 1 else "s")


def _explorer_ranges(data: ExplorerData) -> tuple[np.ndarray, float, float, list[float]]:
    """Sort order of the inputs, the x extent, and a y range with room for the text box."""
    order = np.argsort(data.x)
    xs, ys = data.x[order], data.y[order]
    fits = np.stack([c.fit for c in data.settings.values()])
    y_lo = float(min(ys.min(), np.percentile(fits, 1)))
    y_hi = float(max(ys.max(), np.percentile(fits, 99)))
    span = y_hi - y_lo
    return (
        order,
        float(xs[0]),
        float(xs[-1]),
        [round(y_lo - 0.1 * span, 2), round(y_hi + 0.45 * span, 2)],
    )


def _summary_traces(fig: go.Figure, data: ExplorerData) -> None:
    """Right panel: every seed's final loss (faint dots, one trace coloured by depth) and,
    per depth, the mean (a line), against the parameter count."""
    colors = [DEPTH_COLORS[i % len(DEPTH_COLORS)] for i in range(len(data.depths))]
    runs = [
        (data.cell(w, depth), color)
        for depth, color in zip(data.depths, colors)
        for w in data.widths
    ]
    seeds = go.Scatter(
        x=[c.parameters for c, _ in runs for _ in c.losses],
        y=rounded([loss for c, _ in runs for loss in c.losses], 5),
        mode="markers",
        showlegend=False,
        marker={
            "color": [color for c, color in runs for _ in c.losses],
            "size": 5,
            "opacity": 0.35,
        },
        hoverinfo="skip",
    )
    fig.add_trace(seeds, row=1, col=2)
    for depth, color in zip(data.depths, colors):
        cells = [data.cell(w, depth) for w in data.widths]
        means = go.Scatter(
            x=[c.parameters for c in cells],
            y=rounded([c.mean_loss for c in cells], 5),
            mode="lines+markers",
            name=_layers_word(depth),
            marker={"color": color, "size": 8},
            line={"color": color},
            text=[
                f"width {c.width}, {_layers_word(depth)}: {c.parameters} parameters, "
                f"mean loss {c.mean_loss:.3g}"
                for c in cells
            ],
            hoverinfo="text",
        )
        fig.add_trace(means, row=1, col=2)


def _cell_info(data: ExplorerData, width: int, depth: int, low: float, high: float) -> str:
    """The text box of one cell: sizes, parameters, regions, losses (short lines, for phones)."""
    c = data.cell(width, depth)
    losses = np.asarray(c.losses)
    spread = float(losses.std(ddof=1)) if len(losses) > 1 else 0.0
    return (
        f"<b>{sizes_label(c.sizes)}</b>: {c.parameters} parameters<br>"
        f"regions on [{low:.3g}, {high:.3g}]: {c.regions[data.seeds.index(c.shown_seed)]} "
        f"(at most {c.bound})<br>"
        f"per seed: {', '.join(str(r) for r in c.regions)}<br>"
        f"final MSE {losses.mean():.3g} ± {spread:.2g} ({len(losses)} seeds)<br>"
        f"drawn: seed {c.shown_seed}"
    )


def _cell_traces(
    data: ExplorerData, width: int, depth: int, order: np.ndarray, text_xy: tuple, decimals: int
) -> list[tuple[go.Scatter, int, bool]]:
    """One cell's traces as ``(trace, column, takes the hover)``: fit, boundaries, text, ring."""
    c = data.cell(width, depth)
    xs = rounded(data.x[order], decimals)
    dark = "#222222"
    fit = go.Scatter(
        x=xs,
        y=rounded(c.fit[order], decimals),
        mode="lines",
        name="fit",
        showlegend=False,
        line={"color": PREDICTION_COLOR, "width": 3},
    )
    kinks = go.Scatter(
        x=rounded(c.kinks_x, decimals),
        y=rounded(c.kinks_y, decimals),
        mode="markers",
        name="region boundary",
        showlegend=False,
        marker={
            "symbol": "line-ns-open",
            "size": 12,
            "color": dark,
            "line": {"width": 2, "color": dark},
        },
    )
    info = go.Scatter(
        x=[text_xy[0]],
        y=[text_xy[1]],
        mode="text",
        text=[_cell_info(data, width, depth, text_xy[0], text_xy[2])],
        textposition="bottom right",
        showlegend=False,
        textfont={"size": 12, "color": dark},
    )
    ring = go.Scatter(
        x=[c.parameters],
        y=[round(c.mean_loss, 5)],
        mode="markers",
        showlegend=False,
        marker={"symbol": "circle-open", "size": 18, "color": dark, "line": {"width": 3}},
    )
    return [(fit, 1, True), (kinks, 1, True), (info, 1, False), (ring, 2, False)]


def _explorer_sliders(
    cell_traces: list[tuple[int, int, int, bool]], data: ExplorerData, initial: tuple[int, int]
) -> list[dict]:
    """The width slider (sets ``visible``) and the depth slider (sets ``opacity``)."""
    indices = [i for i, _, _, _ in cell_traces]
    width_steps = [
        {
            "label": str(w),
            "method": "restyle",
            "args": [{"visible": [cw == w for _, cw, _, _ in cell_traces]}, indices],
        }
        for w in data.widths
    ]
    depth_steps = [
        {
            "label": str(d),
            "method": "restyle",
            "args": [
                {
                    "opacity": [1.0 if cd == d else 0.0 for _, _, cd, _ in cell_traces],
                    "hoverinfo": [
                        "x+y" if hov and cd == d else "skip" for _, _, cd, hov in cell_traces
                    ],
                },
                indices,
            ],
        }
        for d in data.depths
    ]
    common = {"x": 0.0, "len": 0.55, "xanchor": "left", "yanchor": "top", "pad": {"t": 0, "b": 0}}
    return [
        {
            **common,
            "active": data.widths.index(initial[0]),
            "y": -0.12,
            "steps": width_steps,
            "currentvalue": {"prefix": "width (units per hidden layer): "},
        },
        {
            **common,
            "active": data.depths.index(initial[1]),
            "y": -0.36,
            "steps": depth_steps,
            "currentvalue": {"prefix": "depth (hidden layers): "},
        },
    ]


def explorer_figure(
    data: ExplorerData,
    *,
    title: str,
    alt: str,
    caption: str | None = None,
    initial: tuple[int, int] | None = None,
    decimals: int = 3,
    height: int = 660,
) -> go.Figure:
    """The width/depth explorer: pick a width and a number of hidden layers with two sliders.

    Left panel: the target (grey points), the fit of the cell's median seed
    (red line) and its region boundaries (dark ticks on the line), with the
    cell's parameter count, region counts and losses written in the corner.
    Right panel: every cell's mean final loss against its parameter count,
    one colour per depth, each seed as a faint dot; a ring marks the chosen cell.

    Args:
        data: from :func:`mlpbook.chapters.width_depth.explorer_data`.
        title, alt, caption: the figure's title, alt text and caption (``layout.meta``).
        initial: the ``(width, depth)`` shown first (default: the middle width, depth 1).
        decimals: rounding of the curves.

    Raises:
        ValueError: for an ``initial`` cell that is not in the grid, or empty ``alt``.
    """
    check_int("decimals", decimals, minimum=0)
    widths, depths = data.widths, data.depths
    if initial is None:
        initial = (widths[len(widths) // 2], depths[0])
    if initial not in data.settings:
        raise ValueError(
            f"initial cell {initial!r} is not in the grid: widths {widths}, depths {depths}"
        )
    w0, d0 = initial
    order, low, high, y_range = _explorer_ranges(data)
    fig = make_subplots(rows=1, cols=2, column_widths=[0.6, 0.4], horizontal_spacing=0.1)
    target = go.Scatter(
        x=rounded(data.x[order], decimals),
        y=rounded(data.y[order], decimals),
        mode="markers",
        name="target",
        marker={"color": TARGET_COLOR, "size": 4, "opacity": 0.6},
        hoverinfo="skip",
    )
    fig.add_trace(target, row=1, col=1)
    _summary_traces(fig, data)
    text_y = round(y_range[1] - 0.02 * (y_range[1] - y_range[0]), 3)
    cell_traces: list[tuple[int, int, int, bool]] = []  # (trace index, width, depth, hover)
    for depth in depths:
        for width in widths:
            for trace, col, hoverable in _cell_traces(
                data, width, depth, order, (low, text_y, high), decimals
            ):
                trace.update(
                    visible=width == w0,
                    opacity=1.0 if depth == d0 else 0.0,
                    hoverinfo="x+y" if hoverable and depth == d0 else "skip",
                )
                fig.add_trace(trace, row=1, col=col)
                cell_traces.append((len(fig.data) - 1, width, depth, hoverable))
    fig.update_layout(
        title={"text": title},
        height=height,
        template="plotly_white",
        meta=figure_meta(alt, caption),
        margin={"t": 100, "b": 190, "l": 60, "r": 20},
        legend={"orientation": "h", "x": 1.0, "xanchor": "right", "y": 1.02, "yanchor": "bottom"},
        sliders=_explorer_sliders(cell_traces, data, initial),
    )
    pad = 0.02 * (high - low)
    fig.update_xaxes(title_text="x", range=[low - pad, high + pad], row=1, col=1)
    fig.update_yaxes(title_text="y: target and fit", range=y_range, row=1, col=1)
    log_axis = {"type": "log", "dtick": 1, "exponentformat": "power", "row": 1, "col": 2}
    fig.update_xaxes(title_text="parameters", **log_axis)
    fig.update_yaxes(title_text="final MSE", **log_axis)
    return fig


def _node_positions(sizes: Sequence[int]) -> list[np.ndarray]:
    return [np.arange(n) - (n - 1) / 2 for n in sizes]


WEIGHT_COLORS = {1: "#d62728", -1: "#1f77b4", 0: "#aaaaaa"}
"""Connection colours of :func:`architecture_figure`: positive red, negative blue, no weights grey."""


def _check_architectures(
    architectures: Sequence[Sequence[int]],
    weights: Sequence[Sequence[np.ndarray]] | None,
    initial: int,
) -> list[list[int]]:
    """Validated sizes; raises ``ValueError`` for bad sizes, weights or ``initial``."""
    archs = [check_sizes(a) for a in architectures]
    if not archs:
        raise ValueError(
            "architectures is empty; give at least one list of sizes such as [4, 8, 4]"
        )
    check_int("initial", initial, minimum=0)
    if initial >= len(archs):
        raise ValueError(
            f"initial must be < {len(archs)} (the number of architectures), got {initial}"
        )
    if weights is not None:
        if len(weights) != len(archs):
            raise ValueError(
                f"weights must have one entry per architecture ({len(archs)}), got {len(weights)}"
            )
        for k, (sizes, ws) in enumerate(zip(archs, weights)):
            shapes = [tuple(np.shape(w)) for w in ws]
            expected = [(b, a) for a, b in zip(sizes[:-1], sizes[1:])]
            if shapes != expected:
                raise ValueError(
                    f"weights[{k}] have shapes {shapes}; sizes {sizes} need {expected}"
                )
    return archs


def _connection_traces(
    sizes: Sequence[int], weights: Sequence[np.ndarray] | None, visible: bool
) -> list[go.Scatter]:
    """Every connection of one MLP, one trace per (sign, thickness class) of its weight."""
    pos = _node_positions(sizes)
    limit = max(float(np.abs(np.asarray(w)).max()) for w in weights) if weights else 1.0
    classes: dict[tuple[int, int], tuple[list, list]] = {}
    for l in range(len(sizes) - 1):
        for j in range(sizes[l + 1]):
            for i in range(sizes[l]):
                if weights is None:
                    key = (0, 0)
                else:
                    w = float(np.asarray(weights[l])[j, i])
                    key = (1 if w >= 0 else -1, min(2, int(3 * abs(w) / (limit or 1.0))))
                xs, ys = classes.setdefault(key, ([], []))
                xs += [l, l + 1, None]
                ys += [round(float(pos[l][i]), 3), round(float(pos[l + 1][j]), 3), None]
    return [
        go.Scatter(
            x=xs,
            y=ys,
            mode="lines",
            hoverinfo="skip",
            showlegend=False,
            line={"color": WEIGHT_COLORS[sign], "width": 0.8 + 1.6 * size},
            opacity=0.45 + 0.2 * size,
            visible=visible,
        )
        for (sign, size), (xs, ys) in sorted(classes.items())
    ]


def _node_trace(sizes: Sequence[int], tallest: int, visible: bool) -> go.Scatter:
    """The units of one MLP: inputs grey, hidden units orange, outputs green."""
    pos = _node_positions(sizes)
    last = len(sizes) - 1
    return go.Scatter(
        x=[l for l, n in enumerate(sizes) for _ in range(n)],
        y=[round(float(y), 3) for p in pos for y in p],
        mode="markers",
        text=[
            ("input" if l == 0 else "output" if l == last else f"hidden layer {l}")
            + f", unit {i + 1}"
            for l, n in enumerate(sizes)
            for i in range(n)
        ],
        hoverinfo="text",
        showlegend=False,
        visible=visible,
        marker={
            "size": 14 if tallest <= 16 else 9,
            "color": [
                "#7f7f7f" if l == 0 else ("#2ca02c" if l == last else "#ff7f0e")
                for l, n in enumerate(sizes)
                for _ in range(n)
            ],
            "line": {"color": "#222222", "width": 1},
        },
    )


def _weight_key() -> list[go.Scatter]:
    """Legend entries (no data) saying which colour is a positive and a negative weight."""
    return [
        go.Scatter(
            x=[None],
            y=[None],
            mode="lines",
            name=name,
            line={"color": WEIGHT_COLORS[sign], "width": 3},
            hoverinfo="skip",
            showlegend=True,
        )
        for sign, name in ((1, "positive weight"), (-1, "negative weight"))
    ]


def _architecture_view(sizes: Sequence[int], title: str, activation: str, tallest: int) -> dict:
    """The layout of one dropdown entry: title with the parameter count, layer labels, x range."""
    last = len(sizes) - 1
    labels = [
        f"input<br>{sizes[0]}"
        if l == 0
        else (f"output<br>{sizes[l]}" if l == last else f"hidden {l}<br>{sizes[l]}, {activation}")
        for l in range(len(sizes))
    ]
    terms = ", ".join(f"{a}·{b} + {b}" for a, b in zip(sizes[:-1], sizes[1:]))
    return {
        "title.text": f"{title}<br><sub>{sizes_label(sizes)}: "
        f"{mlp_parameter_count(sizes)} parameters ({terms})</sub>",
        "annotations": [
            {
                "x": l,
                "y": -(tallest / 2) - 0.6,
                "text": text,
                "showarrow": False,
                "xref": "x",
                "yref": "y",
                "yanchor": "top",
                "font": {"size": 12},
            }
            for l, text in enumerate(labels)
        ],
        # Each network fills the width of the box, whatever its depth.
        "xaxis.range": [-0.5, len(sizes) - 0.5],
    }


def architecture_figure(
    architectures: Sequence[Sequence[int]],
    *,
    title: str,
    alt: str,
    caption: str | None = None,
    weights: Sequence[Sequence[np.ndarray]] | None = None,
    activation: str = "ReLU",
    initial: int = 0,
    height: int = 560,
) -> go.Figure:
    r"""Draw MLPs unit by unit, one per dropdown entry.

    Layer :math:`l` is a column of :math:`n_l` dots; every unit is connected to
    every unit of the next layer (:math:`n_{l-1} n_l` lines). With ``weights``
    (one list of matrices :math:`W_l` of shape ``(n_l, n_{l-1})`` per
    architecture) the lines are coloured by the sign of the weight (red
    positive, blue negative, as the legend says) and drawn thicker for larger
    :math:`|w|` (three classes: up to a third, two thirds and all of the largest
    :math:`|w|`). The title gives the parameter count,
    :func:`mlpbook.mlp_parameter_count`. Each network spans the figure's width.

    Raises:
        ValueError: for malformed sizes, weights that do not match them, or an
            ``initial`` index out of range.
    """
    archs = _check_architectures(architectures, weights, initial)
    tallest = max(max(a) for a in archs)
    fig = go.Figure(_weight_key() if weights is not None else [])
    n_key = len(fig.data)
    groups: list[list[int]] = []
    views = [_architecture_view(sizes, title, activation, tallest) for sizes in archs]
    for k, sizes in enumerate(archs):
        start = len(fig.data)
        ws = weights[k] if weights is not None else None
        fig.add_traces(_connection_traces(sizes, ws, k == initial))
        fig.add_trace(_node_trace(sizes, tallest, k == initial))
        groups.append(list(range(start, len(fig.data))))
    n_traces = len(fig.data)
    buttons = [
        {
            "label": sizes_label(sizes),
            "method": "update",
            "args": [{"visible": [t < n_key or t in group for t in range(n_traces)]}, view],
        }
        for sizes, group, view in zip(archs, groups, views)
    ]
    fig.update_layout(
        title={"text": views[initial]["title.text"]},
        annotations=views[initial]["annotations"],
        height=height,
        template="plotly_white",
        meta=figure_meta(alt, caption),
        margin={"t": 110, "b": 30, "l": 20, "r": 20},
        xaxis={"visible": False, "range": views[initial]["xaxis.range"]},
        yaxis={"visible": False, "range": [-(tallest / 2) - 2.2, tallest / 2 + 0.6]},
        legend={"orientation": "h", "x": 1.0, "xanchor": "right", "y": 1.0, "yanchor": "bottom"},
        # top left of the plot area, above the input column (inputs are never the widest layer here)
        updatemenus=[
            {
                "type": "dropdown",
                "name": "network",
                "buttons": buttons,
                "active": initial,
                "x": 0.0,
                "y": 1.0,
                "xanchor": "left",
                "yanchor": "top",
                "showactive": True,
            }
        ],
    )
    return fig


def region_map_plot(
    maps: Sequence[Sequence[GridRegions]],
    *,
    row_titles: Sequence[str],
    col_titles: Sequence[str],
    points: np.ndarray | None = None,
    line: tuple[Sequence[float], Sequence[float]] | None = None,
    xlabel: str = "s",
    ylabel: str = "t",
    seed: int = 0,
) -> Figure:
    """A grid of panels, each showing the activation regions of one network on a 2-D slice.

    Each region gets a colour (random but fixed by ``seed``; neighbours can
    share a colour, so region boundaries are drawn in dark grey as well), and
    each panel's title gives its number of regions. White background, so the
    figure reads the same in the site's light and dark modes.

    Args:
        maps: ``maps[r][c]`` from :func:`mlpbook.chapters.width_depth.grid_regions`, all on the same grid.
        row_titles, col_titles: one per row / column.
        points: optional ``(m, 2)`` slice coordinates to mark (e.g. data points).
        line: optional ``((s0, t0), (s1, t1))``, a segment to draw.
    """
    rows = len(maps)
    cols = len(maps[0]) if rows else 0
    if rows == 0 or cols == 0 or any(len(r) != cols for r in maps):
        raise ValueError("maps must be a non-empty rectangular list of lists of GridRegions")
    if len(row_titles) != rows or len(col_titles) != cols:
        raise ValueError(
            f"need {rows} row titles and {cols} column titles, got {len(row_titles)} and {len(col_titles)}"
        )
    rng = np.random.default_rng(seed)
    palette = plt.get_cmap("tab20")(np.arange(20))[:, :3]
    palette = 0.55 * palette + 0.45  # pastel: the boundaries and markers stay visible
    fig, axes = plt.subplots(
        rows,
        cols,
        figsize=(3.6 * cols + 0.4, 3.6 * rows + 0.3),
        dpi=110,
        squeeze=False,
        facecolor="white",
    )
    for r in range(rows):
        for c in range(cols):
            ax = axes[r][c]
            grid = maps[r][c]
            labels = grid.labels
            colors = palette[rng.permutation(max(grid.count, 20))[labels] % len(palette)]
            edge = np.zeros(labels.shape, dtype=bool)
            edge[:, 1:] |= labels[:, 1:] != labels[:, :-1]
            edge[1:, :] |= labels[1:, :] != labels[:-1, :]
            colors[edge] = (0.2, 0.2, 0.2)
            ax.imshow(
                colors,
                origin="lower",
                interpolation="nearest",
                extent=[grid.s[0], grid.s[-1], grid.t[0], grid.t[-1]],
                aspect="equal",
            )
            if points is not None:
                pts = np.asarray(points)
                ax.scatter(
                    pts[:, 0],
                    pts[:, 1],
                    s=30,
                    c="black",
                    edgecolors="white",
                    linewidths=1,
                    zorder=3,
                )
            if line is not None:
                (s0, t0), (s1, t1) = line
                ax.plot([s0, s1], [t0, t1], color="black", lw=1.5, ls="--", zorder=2)
            ax.set_title(
                f"{col_titles[c]}\n{row_titles[r]}: {grid.count} regions",
                fontsize=10,
                color="black",
            )
            ax.set_facecolor("white")
            ax.tick_params(colors="black", labelsize=8)
            ax.set_xlabel(xlabel, color="black")
            ax.set_ylabel(ylabel, color="black")
    fig.tight_layout()
    plt.close(fig)
    return fig
