"""Gridded data as vector outlines that plotly can animate cheaply.

A plotly heat map or contour trace is recalculated and redrawn whole whenever
anything in the figure changes, and plotly's ``animate`` cannot move a scatter
trace without erasing them. Drawn instead as

* a **region outline** (:func:`region_path`): the cells of a boolean grid as one
  SVG path in data coordinates, for a layout shape; an animation frame changes
  only that shape's ``path``;
* **level lines** (:func:`level_lines`): the contour lines of a surface as plain
  scatter traces, which ``animate`` leaves alone while it moves the others;

the static layers cost nothing per frame, and the figures still draw the same in
JupyterLab, where no site script helps.
"""

from __future__ import annotations

from collections.abc import Sequence

import contourpy
import numpy as np
from plotly.colors import sample_colorscale

__all__ = ["cell_edges", "region_path", "nice_levels", "level_lines"]


def cell_edges(centres: np.ndarray | Sequence[float]) -> np.ndarray:
    """The ``n + 1`` edges of the cells around ``n`` increasing grid points.

    Inner edges lie halfway between neighbours; the outer ones at the first and
    last point, where a heat map of the same grid is cut by axes spanning it:
    ``edges = [c_0, (c_0 + c_1) / 2, ..., (c_{n-2} + c_{n-1}) / 2, c_{n-1}]``.

    Raises:
        ValueError: for fewer than two points, or points that do not increase.
    """
    c = np.asarray(centres, dtype=np.float64)
    if c.ndim != 1 or len(c) < 2:
        raise ValueError(f"need a 1-D grid of at least 2 points, got shape {c.shape}")
    if not np.all(np.diff(c) > 0):
        raise ValueError("grid points must increase strictly")
    return np.concatenate([c[:1], (c[1:] + c[:-1]) / 2, c[-1:]])


def _boundary_loops(mask: np.ndarray) -> list[list[tuple[int, int]]]:
    """Closed loops of lattice vertices ``(row, col)`` around the ``True`` cells.

    Every cell edge between a ``True`` cell and a ``False`` one (or the outside) is
    used exactly once, so the even-odd fill of the loops is exactly the ``True``
    cells, holes included. Collinear vertices are dropped.
    """
    ny, nx = mask.shape
    padded = np.zeros((ny + 2, nx + 2), dtype=bool)
    padded[1:-1, 1:-1] = mask
    nexts: dict[tuple[int, int], list[tuple[int, int]]] = {}

    def edge(a: tuple[int, int], b: tuple[int, int]) -> None:
        nexts.setdefault(a, []).append(b)

    # Directed edges with the True cell on the left (rows grow downward in the lattice).
    for r in range(ny + 1):  # horizontal lattice line r: between cell rows r-1 and r
        for c in range(nx):
            above, below = padded[r, c + 1], padded[r + 1, c + 1]
            if below and not above:
                edge((r, c + 1), (r, c))
            elif above and not below:
                edge((r, c), (r, c + 1))
    for c in range(nx + 1):  # vertical lattice line c: between cell columns c-1 and c
        for r in range(ny):
            left, right = padded[r + 1, c], padded[r + 1, c + 1]
            if right and not left:
                edge((r, c), (r + 1, c))
            elif left and not right:
                edge((r + 1, c), (r, c))
    loops = []
    for start in sorted(nexts):
        while nexts.get(start):
            loop, at = [start], nexts[start].pop()
            while at != start:
                loop.append(at)
                at = nexts[at].pop()
            loops.append(_drop_collinear(loop))
    return loops


def _drop_collinear(loop: list[tuple[int, int]]) -> list[tuple[int, int]]:
    """The corners of a rectilinear loop (vertices where it turns)."""
    n = len(loop)
    out = []
    for i, (r, c) in enumerate(loop):
        (r0, c0), (r1, c1) = loop[i - 1], loop[(i + 1) % n]
        if not ((r0 == r == r1) or (c0 == c == c1)):
            out.append((r, c))
    return out


def _num(v: float, decimals: int) -> str:
    """A coordinate as short text: rounded, no trailing zeros, no ``-0``."""
    return f"{round(float(v), decimals) + 0.0:g}"


def region_path(
    mask: np.ndarray,
    xs: np.ndarray | Sequence[float],
    ys: np.ndarray | Sequence[float],
    *,
    decimals: int = 3,
) -> str:
    """The ``True`` cells of a grid as one SVG path in data coordinates.

    Args:
        mask: ``(ny, nx)`` booleans, row ``i`` at ``ys[i]``, column ``j`` at ``xs[j]``
            (the layout of a heat map's ``z``).
        xs, ys: the grid points, ``(nx,)`` and ``(ny,)``, increasing; cells span
            :func:`cell_edges`.
        decimals: coordinates are rounded to this many decimals.

    Returns:
        ``"M x,y H x V y ... Z"`` loops, one per boundary, to be filled with the
        even-odd rule (plotly's default for shapes); an empty mask gives a path
        that draws nothing. Neighbouring cells share one outline, so the fill has
        no seams between them, as separate rectangles would.

    Raises:
        ValueError: if the mask's shape is not ``(len(ys), len(xs))``.
    """
    m = np.asarray(mask)
    xe, ye = cell_edges(xs), cell_edges(ys)
    if m.shape != (len(ye) - 1, len(xe) - 1):
        raise ValueError(f"mask has shape {m.shape}, the grid needs ({len(ye) - 1}, {len(xe) - 1})")
    parts = []
    for loop in _boundary_loops(m.astype(bool)):
        (r, c), rest = loop[0], loop[1:]
        text = [f"M{_num(xe[c], decimals)},{_num(ye[r], decimals)}"]
        prev_r = r
        for r, c in rest:
            # Corners alternate: a change of row is vertical, of column horizontal.
            text.append(f"V{_num(ye[r], decimals)}" if r != prev_r else f"H{_num(xe[c], decimals)}")
            prev_r = r
        # The closing segment back to the start is drawn by Z.
        parts.append("".join(text) + "Z")
    if not parts:
        return f"M{_num(xe[0], decimals)},{_num(ye[0], decimals)}Z"
    return "".join(parts)


def nice_levels(low: float, high: float, count: int) -> np.ndarray:
    """About ``count`` evenly spaced round levels strictly inside ``(low, high)``.

    The step is 1, 2 or 5 times a power of ten, the smallest not below
    ``(high - low) / count``, as plotly picks contour levels for ``ncontours``.

    Raises:
        ValueError: unless ``low < high`` (both finite) and ``count >= 1``.
    """
    if not (np.isfinite(low) and np.isfinite(high) and low < high):
        raise ValueError(f"need finite low < high, got {low!r}, {high!r}")
    if count < 1:
        raise ValueError(f"count must be at least 1, got {count}")
    raw = (high - low) / count
    power = 10.0 ** np.floor(np.log10(raw))
    step = next(m * power for m in (1, 2, 5, 10) if m * power >= raw * (1 - 1e-9))
    first = np.floor(low / step) + 1
    levels = np.arange(first, np.ceil(high / step)) * step
    return np.round(levels[(levels > low) & (levels < high)], 12)


def level_lines(
    xs: np.ndarray | Sequence[float],
    ys: np.ndarray | Sequence[float],
    z: np.ndarray,
    levels: np.ndarray | Sequence[float],
    *,
    colorscale: str = "Viridis",
    width: float = 1.0,
    decimals: int = 3,
) -> list[dict]:
    """The contour lines of ``z`` as scatter traces, one per level, coloured by level.

    Args:
        xs, ys: the grid, ``(nx,)`` and ``(ny,)``; ``z``: ``(ny, nx)`` values.
        levels: increasing levels; each is coloured by its place between the
            first and the last on ``colorscale`` (a plotly scale name).
        width: line width in px; ``decimals``: coordinates are rounded to these.

    Returns:
        One ``scatter`` trace per level that has a line, its pieces separated by
        ``None`` (plotly leaves a gap), with no legend entry and no hover.

    Raises:
        ValueError: for shapes that disagree, non-finite ``z`` or fewer than one level.
    """
    x, y, zz = (np.asarray(v, dtype=np.float64) for v in (xs, ys, z))
    if zz.shape != (len(y), len(x)):
        raise ValueError(f"z has shape {zz.shape}, the grid needs ({len(y)}, {len(x)})")
    if not np.all(np.isfinite(zz)):
        raise ValueError("z has non-finite values")
    lv = np.asarray(levels, dtype=np.float64)
    if lv.ndim != 1 or len(lv) < 1:
        raise ValueError(f"need at least one level, got {lv.tolist()}")
    span = lv[-1] - lv[0]
    colors = sample_colorscale(colorscale, [0.5] if span == 0 else list((lv - lv[0]) / span))
    gen = contourpy.contour_generator(x, y, zz, line_type=contourpy.LineType.SeparateCode)
    traces = []
    for level, color in zip(lv, colors):
        lines, _codes = gen.lines(float(level))
        if not lines:
            continue
        px: list[float | None] = []
        py: list[float | None] = []
        for line in lines:
            px += np.round(line[:, 0], decimals).tolist() + [None]
            py += np.round(line[:, 1], decimals).tolist() + [None]
        traces.append(
            {
                "type": "scatter",
                "x": px[:-1],
                "y": py[:-1],
                "mode": "lines",
                # a spline through the marching-squares points, as plotly smooths
                # its own contour lines
                "line": {"color": color, "width": width, "shape": "spline", "smoothing": 1},
                "name": f"level {level:g}",
                "showlegend": False,
                "hoverinfo": "skip",
            }
        )
    return traces
