"""Unit tests of mlpbook.plots.outlines: region paths fill exactly their cells, level
lines lie on their level, and the animations built on them keep plotly's cheap path."""

from __future__ import annotations

import re

import numpy as np
import pytest
from matplotlib.path import Path

from mlpbook.chapters.training_dynamics import quadratic_surface
from mlpbook.plots import optimizers as oplots
from mlpbook.plots.outlines import cell_edges, level_lines, nice_levels, region_path


def _loops(path: str) -> list[np.ndarray]:
    """The closed polygons of an ``M x,y H x V y ... Z`` path."""
    loops = []
    for part in re.findall(r"M[^Z]*Z", path):
        tokens = re.findall(r"([MHV])([-\d.e]+)(?:,([-\d.e]+))?", part)
        x = y = 0.0
        points = []
        for cmd, a, b in tokens:
            if cmd == "M":
                x, y = float(a), float(b)
            elif cmd == "H":
                x = float(a)
            else:
                y = float(a)
            points.append((x, y))
        loops.append(np.array(points))
    return loops


def _filled(path: str, x: float, y: float) -> bool:
    """Even-odd rule (plotly's default fill rule for shapes) at one point."""
    return sum(Path(p).contains_point((x, y)) for p in _loops(path) if len(p) > 2) % 2 == 1


@pytest.mark.parametrize("seed", range(20))
def test_region_path_fills_exactly_the_true_cells(seed: int) -> None:
    rng = np.random.default_rng(seed)
    mask = rng.random((6, 9)) < 0.45
    xs, ys = np.linspace(-2.0, 3.0, 9), np.linspace(-1.5, 2.0, 6)
    path = region_path(mask, xs, ys)
    xe, ye = cell_edges(xs), cell_edges(ys)
    for i in range(len(ys)):
        for j in range(len(xs)):
            # a point inside cell (i, j), off its centre and off every edge
            x, y = 0.6 * xe[j] + 0.4 * xe[j + 1], 0.3 * ye[i] + 0.7 * ye[i + 1]
            assert _filled(path, x, y) == mask[i, j], (i, j)


def test_region_path_keeps_holes_and_merges_neighbours() -> None:
    ring = np.ones((3, 3), dtype=bool)
    ring[1, 1] = False
    path = region_path(ring, [0.0, 1.0, 2.0], [0.0, 1.0, 2.0])
    assert path == "M0,0V2H2V0ZM0.5,0.5H1.5V1.5H0.5Z"  # outer square, then the hole
    assert not _filled(path, 1.0, 1.0) and _filled(path, 0.2, 1.0)
    assert region_path(np.ones((2, 3), dtype=bool), [0, 1, 2], [0, 1]) == "M0,0V1H2V0Z"


def test_region_path_of_nothing_draws_nothing_and_bad_shapes_are_refused() -> None:
    path = region_path(np.zeros((2, 2), dtype=bool), [0.0, 1.0], [0.0, 1.0])
    assert all(len(p) < 3 for p in _loops(path))
    with pytest.raises(ValueError, match=r"mask has shape \(2, 3\), the grid needs \(2, 2\)"):
        region_path(np.zeros((2, 3), dtype=bool), [0.0, 1.0], [0.0, 1.0])
    with pytest.raises(ValueError, match="increase strictly"):
        cell_edges([0.0, 0.0, 1.0])
    with pytest.raises(ValueError, match="at least 2 points"):
        cell_edges([1.0])


def test_cell_edges_are_midpoints_inside_and_the_grid_ends_outside() -> None:
    np.testing.assert_allclose(cell_edges([0.0, 1.0, 3.0]), [0.0, 0.5, 2.0, 3.0])


def test_nice_levels_are_round_and_inside_the_range() -> None:
    np.testing.assert_allclose(nice_levels(-3.2, 1.7, 18), np.arange(-3.0, 1.6, 0.5))
    np.testing.assert_allclose(nice_levels(0.0, 1.0, 10), np.arange(1, 10) / 10)
    with pytest.raises(ValueError, match="finite low < high"):
        nice_levels(1.0, 1.0, 5)
    with pytest.raises(ValueError, match="count must be at least 1"):
        nice_levels(0.0, 1.0, 0)


def test_level_lines_lie_on_their_level() -> None:
    xs, ys = np.linspace(-1, 1, 41), np.linspace(-1, 1, 41)
    gx, gy = np.meshgrid(xs, ys)
    z = gx**2 + gy**2
    traces = level_lines(xs, ys, z, [0.25, 0.5, 2.0])
    assert len(traces) == 2  # the level 2.0 lies outside the box's circle: no line
    for trace, level in zip(traces, (0.25, 0.5)):
        x = np.array([v for v in trace["x"] if v is not None])
        y = np.array([v for v in trace["y"] if v is not None])
        np.testing.assert_allclose(x**2 + y**2, level, atol=0.01)
        assert trace["type"] == "scatter" and trace["hoverinfo"] == "skip"
    assert traces[0]["line"]["color"] != traces[1]["line"]["color"]
    with pytest.raises(ValueError, match="non-finite"):
        level_lines(xs, ys, np.where(z > 1, np.nan, z), [0.5])
    with pytest.raises(ValueError, match=r"z has shape \(41, 40\)"):
        level_lines(xs, ys, z[:, 1:], [0.5])


def test_path_animation_draws_contours_as_lines_that_frames_leave_alone() -> None:
    surface = quadratic_surface()
    path = np.linspace(surface.start, surface.minimum, 7)
    fig = oplots.path_animation(
        surface,
        {0.01: {"GD": path, "Adam": path}, 0.1: {"GD": path, "Adam": path}},
        title="T",
        alt="paths",
    )
    assert {t.type for t in fig.data} == {"scatter"}
    n_lines = sum(1 for t in fig.data if (t.name or "").startswith("level "))
    assert n_lines >= 5
    star = fig.data[n_lines]
    assert star.marker.symbol == "star"
    assert list(fig.frames[-1].traces) == list(range(n_lines + 1, n_lines + 5))
    lr_steps = fig.layout.sliders[0].steps
    for step in lr_steps:
        assert len(step.args[0]["visible"]) == len(fig.data)
        assert step.args[0]["visible"][: n_lines + 1] == [True] * (n_lines + 1)
