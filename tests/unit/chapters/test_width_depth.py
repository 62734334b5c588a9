"""Unit tests of mlpbook.regions (bounds, exact and grid region counts, the explorer's data)
and mlpbook.explorer (the figures of the width-and-depth chapter)."""

from __future__ import annotations

import json

import numpy as np
import pytest
import torch
from matplotlib.figure import Figure
from torch import nn

import mlpbook
from mlpbook.chapters import width_depth as regions
from mlpbook.data import wavy_curve
from mlpbook.diagnostics import activation_patterns
from mlpbook.plots.width_depth import (
    architecture_figure,
    explorer_figure,
    region_map_plot,
    sizes_label,
)


def _one_layer(weight, bias, out: int = 1) -> nn.Sequential:
    """A [d, n, out] ReLU network with the given first layer."""
    weight = torch.as_tensor(weight, dtype=torch.float32)
    model = mlpbook.make_mlp([weight.shape[1], weight.shape[0], out])
    with torch.no_grad():
        model[0].weight.copy_(weight)
        model[0].bias.copy_(torch.as_tensor(bias, dtype=torch.float32))
    return model


def _tent(layers: int) -> nn.Sequential:
    """The sawtooth: ``layers`` compositions of the tent map on [0, 1], two ReLUs per layer."""
    model = mlpbook.make_mlp([1] + [2] * layers + [1])
    linears = [m for m in model if isinstance(m, nn.Linear)]
    with torch.no_grad():
        linears[0].weight.copy_(torch.tensor([[1.0], [1.0]]))
        linears[0].bias.copy_(torch.tensor([0.0, -0.5]))
        for layer in linears[1:-1]:
            layer.weight.copy_(torch.tensor([[2.0, -4.0], [2.0, -4.0]]))
            layer.bias.copy_(torch.tensor([0.0, -0.5]))
        linears[-1].weight.copy_(torch.tensor([[2.0, -4.0]]))
        linears[-1].bias.zero_()
    return model


def _sampled_count(
    model: nn.Module, start: torch.Tensor, end: torch.Tensor, n: int = 200_001
) -> int:
    """Pattern changes between consecutive points of a dense sampling, plus one."""
    t = torch.linspace(0, 1, n, dtype=torch.float64)[:, None]
    points = (start + t * (end - start)).to(next(model.parameters()).dtype)
    bits = torch.cat(activation_patterns(model, points), dim=1).numpy()
    return int((bits[1:] != bits[:-1]).any(axis=1).sum()) + 1


# --- bounds ---------------------------------------------------------------------


def test_one_layer_bound_known_values() -> None:
    assert regions.max_regions_one_layer(16, 1) == 17  # n + 1 on a line
    assert regions.max_regions_one_layer(16, 4) == 1 + 16 + 120 + 560 + 1820
    assert regions.max_regions_one_layer(3, 2) == 7
    assert regions.max_regions_one_layer(3, 5) == 8  # n <= d: every pattern, 2^n
    assert regions.max_regions_one_layer(0, 3) == 1


@pytest.mark.parametrize(
    "bad, error",
    [((2, 0), ValueError), ((-1, 2), ValueError), ((1.5, 2), TypeError), ((2, True), TypeError)],
)
def test_one_layer_bound_rejects_bad_arguments(bad, error) -> None:
    with pytest.raises(error):
        regions.max_regions_one_layer(*bad)


@pytest.mark.parametrize("n", [1, 2, 5, 16])
@pytest.mark.parametrize("d", [1, 2, 4])
def test_upper_bound_is_exact_for_one_layer(n: int, d: int) -> None:
    assert regions.max_regions_upper([n], d) == regions.max_regions_one_layer(n, d)


def test_upper_bound_on_a_line_is_a_product() -> None:
    assert regions.max_regions_upper([8, 8, 8], 1) == 9**3
    assert regions.max_regions_upper([3, 5], 1) == 4 * 6
    assert regions.max_regions_upper([8, 8], 2) == 37 * 37
    assert regions.max_regions_upper([8, 8], 4) == 163 * 163


def test_lower_bound_values_and_order() -> None:
    assert regions.max_regions_lower([8, 8], 1) == 8 * 9
    assert regions.max_regions_lower([8, 8], 2) == 4**2 * 37
    assert regions.max_regions_lower([16], 4) == regions.max_regions_one_layer(16, 4)
    for widths in ([4, 4, 4], [8, 8], [6, 9, 12]):
        for d in (1, 2, 3, 4):
            assert regions.max_regions_lower(widths, d) <= regions.max_regions_upper(widths, d)


def test_lower_bound_needs_wide_layers() -> None:
    with pytest.raises(ValueError, match="width"):
        regions.max_regions_lower([8, 2], 4)
    with pytest.raises(TypeError, match="hidden_widths"):
        regions.max_regions_upper("88", 2)


# --- exact count along a segment ---------------------------------------------------------


def test_a_single_relu_on_a_line_has_two_regions() -> None:
    relu = _one_layer([[1.0]], [0.0])
    assert regions.count_regions_on_line(relu, -1.0, 1.0) == 2
    assert regions.count_regions_on_line(relu, 0.5, 1.0) == 1  # the kink is outside the segment


@pytest.mark.parametrize("n", [1, 3, 7, 20])
def test_n_units_with_distinct_kinks_give_n_plus_one(n: int) -> None:
    kinks = torch.linspace(-0.9, 0.9, n)
    signs = torch.tensor([1.0 if i % 2 else -1.0 for i in range(n)])  # orientation does not matter
    relu = _one_layer(signs[:, None], -signs * kinks)
    pieces = regions.line_pieces(relu, -1.0, 1.0)
    assert pieces.count == n + 1
    np.testing.assert_allclose(pieces.points()[1:-1, 0], kinks.numpy(), atol=1e-6)


def test_coinciding_kinks_count_once() -> None:
    relu = _one_layer([[1.0], [2.0], [-3.0]], [0.0, 0.0, 0.0])  # all three switch at x = 0
    assert regions.count_regions_on_line(relu, -1.0, 1.0) == 2


def test_depth_beats_the_one_layer_bound_on_a_line() -> None:
    for layers in range(1, 7):
        assert regions.count_regions_on_line(_tent(layers), 0.0, 1.0) == 2**layers
    assert 2**3 > regions.max_regions_one_layer(3 * 2, 1)


@pytest.mark.parametrize("sizes", [[1, 8, 8, 8, 1], [4, 16, 4], [4, 8, 8, 4], [2, 32, 32, 1]])
@pytest.mark.parametrize("seed", [0, 1])
def test_line_count_matches_dense_sampling(sizes, seed: int) -> None:
    torch.manual_seed(seed)
    model = mlpbook.make_mlp(sizes).double()
    g = torch.Generator().manual_seed(100 + seed)
    start = 2 * torch.randn(sizes[0], generator=g, dtype=torch.float64)
    end = 2 * torch.randn(sizes[0], generator=g, dtype=torch.float64)
    pieces = regions.line_pieces(model, start, end)
    assert pieces.count == _sampled_count(model, start, end)
    assert np.all(np.diff(pieces.breakpoints) > 0)
    assert pieces.breakpoints[0] == 0.0 and pieces.breakpoints[-1] == 1.0
    assert all(not np.array_equal(a, b) for a, b in zip(pieces.patterns[:-1], pieces.patterns[1:]))


def test_line_pieces_patterns_are_the_networks_patterns() -> None:
    torch.manual_seed(3)
    model = mlpbook.make_mlp([3, 6, 5, 2]).double()
    start, end = torch.tensor([-2.0, 1.0, 0.5]), torch.tensor([2.0, -1.0, 0.0])
    pieces = regions.line_pieces(model, start, end)
    mids = (pieces.breakpoints[:-1] + pieces.breakpoints[1:]) / 2
    points = torch.as_tensor(pieces.start + mids[:, None] * (pieces.end - pieces.start))
    bits = torch.cat(activation_patterns(model, points), dim=1).numpy()
    np.testing.assert_array_equal(bits, pieces.patterns)


def test_line_pieces_rejects_bad_input() -> None:
    model = mlpbook.make_mlp([2, 3, 1])
    with pytest.raises(ValueError, match="same point"):
        regions.line_pieces(model, [1.0, 1.0], [1.0, 1.0])
    with pytest.raises(ValueError, match="input dimension 2"):
        regions.line_pieces(model, [0.0, 0.0, 0.0], [1.0, 1.0, 1.0])
    with pytest.raises(TypeError, match="Linear, ReLU"):
        regions.line_pieces(mlpbook.make_mlp([2, 3, 1], "tanh"), [0.0, 0.0], [1.0, 1.0])
    with pytest.raises(ValueError, match="tol"):
        regions.line_pieces(model, [0.0, 0.0], [1.0, 1.0], tol=0.0)


# --- distinct patterns on a grid ------------------------------------------------------------


@pytest.mark.parametrize("n", [2, 4, 6])
def test_a_2d_layer_in_general_position_reaches_the_bound(n: int) -> None:
    # n lines tangent to the unit circle, at angles spread over less than half a turn:
    # no two are parallel, no three meet, and every crossing lies within radius 2.7.
    angles = torch.arange(n) * (torch.pi * 0.75 / max(n - 1, 1))
    weight = torch.stack([torch.cos(angles), torch.sin(angles)], dim=1)
    layer = _one_layer(weight, -torch.ones(n))
    axis = np.linspace(-4, 4, 401)
    grid = regions.grid_regions(layer, axis, axis)
    assert grid.count == regions.max_regions_one_layer(n, 2) == 1 + n + n * (n - 1) // 2
    assert grid.labels.shape == (401, 401)
    assert set(np.unique(grid.labels)) == set(range(grid.count))


@pytest.mark.parametrize("seed", range(5))
def test_grid_count_never_exceeds_the_bound(seed: int) -> None:
    torch.manual_seed(seed)
    model = mlpbook.make_mlp([2, 10, 1])
    axis = np.linspace(-3, 3, 121)
    assert regions.grid_regions(model, axis, axis).count <= regions.max_regions_one_layer(10, 2)


def test_grid_in_a_plane_of_a_higher_dimensional_input() -> None:
    torch.manual_seed(0)
    model = mlpbook.make_mlp([4, 8, 8, 4])
    axis = np.linspace(-2, 2, 81)
    c, u, v = [0.5] * 4, [0.5, 0.5, -0.5, -0.5], [0.5, -0.5, 0.5, -0.5]
    grid = regions.grid_regions(model, axis, axis, origin=c, u=u, v=v)
    assert 1 <= grid.count <= regions.max_regions_upper([8, 8], 2)
    points = regions.plane_points(c, u, v, axis, axis)
    assert points.shape == (81 * 81, 4)
    np.testing.assert_allclose(points[0].numpy(), np.array(c) - 2 * np.array(u) - 2 * np.array(v))
    with pytest.raises(ValueError, match="origin, u and v"):
        regions.grid_regions(model, axis, axis)
    with pytest.raises(ValueError, match="R\\^3"):
        regions.grid_regions(model, axis, axis, origin=[0, 0, 0], u=[1, 0, 0], v=[0, 1, 0])


# --- the parameter-count helper -------------------------------------------------------------------


@pytest.mark.parametrize(
    "sizes", [[4, 4], [4, 2, 4], [4, 16, 4], [4, 4, 4, 4], [4, 8, 8, 4], [1, 32, 32, 1]]
)
def test_parameter_count_helper_matches_the_model(sizes) -> None:
    assert mlpbook.mlp_parameter_count(sizes) == mlpbook.count_parameters(mlpbook.make_mlp(sizes))
    assert mlpbook.mlp_parameter_count(sizes, bias=False) == mlpbook.count_parameters(
        mlpbook.make_mlp(sizes, bias=False)
    )


def test_parameter_counts_of_the_chapter() -> None:
    assert mlpbook.mlp_parameter_count([4, 4, 4, 4]) == 60
    assert mlpbook.mlp_parameter_count([4, 8, 8, 4]) == 148
    assert mlpbook.mlp_parameter_count([4, 16, 4]) == 148
    assert (
        mlpbook.mlp_parameter_count([1, 32, 1]) == mlpbook.mlp_parameter_count([1, 8, 8, 1]) == 97
    )
    with pytest.raises(ValueError, match="at least an input and an output"):
        mlpbook.mlp_parameter_count([4])


# --- the explorer's data and figures -----------------------------------------------------------------


def _small_explorer_data() -> regions.ExplorerData:
    task = wavy_curve(40)
    return regions.explorer_data(
        task.x,
        task.y,
        widths=[2, 4],
        depths=[1, 2],
        seeds=[0, 1, 2],
        epochs=30,
        init="default",
        show_progress=False,
    )


@pytest.fixture(scope="module")
def small_explorer() -> regions.ExplorerData:
    return _small_explorer_data()


def test_explorer_data_cells(small_explorer: regions.ExplorerData) -> None:
    data = small_explorer
    assert set(data.settings) == {(2, 1), (4, 1), (2, 2), (4, 2)}
    task = wavy_curve(40)
    for (width, depth), cell in data.settings.items():
        assert cell.sizes == [1] + [width] * depth + [1]
        assert cell.parameters == mlpbook.mlp_parameter_count(cell.sizes)
        assert cell.bound == (width + 1) ** depth
        assert len(cell.losses) == len(cell.regions) == 3
        assert all(1 <= r <= cell.bound for r in cell.regions)
        shown = data.seeds.index(cell.shown_seed)
        assert sorted(cell.losses)[1] == cell.losses[shown]  # the median seed is drawn
        assert len(cell.kinks_x) == cell.regions[shown] - 1
        assert cell.fit.shape == (40,)
        assert np.all((cell.kinks_x > -3) & (cell.kinks_x < 3))
        # the drawn fit is the one of an independently rebuilt and retrained model
        torch.manual_seed(cell.shown_seed)
        model = mlpbook.make_mlp(cell.sizes)
        history = mlpbook.train(model, task.x, task.y, epochs=30, lr=0.01, show_progress=False)
        assert history.final_loss == pytest.approx(cell.losses[shown], rel=1e-6)
        with torch.no_grad():
            np.testing.assert_allclose(
                model(task.x).reshape(-1).numpy(), cell.fit, rtol=1e-5, atol=1e-6
            )
    with pytest.raises(KeyError, match="widths"):
        data.cell(8, 1)


def test_explorer_data_is_deterministic(small_explorer: regions.ExplorerData) -> None:
    again = _small_explorer_data()
    for key, cell in small_explorer.settings.items():
        assert cell.losses == again.settings[key].losses
        assert cell.regions == again.settings[key].regions


def test_explorer_data_rejects_bad_arguments() -> None:
    task = wavy_curve(20)
    with pytest.raises(ValueError, match="repeat"):
        regions.explorer_data(task.x, task.y, widths=[2, 2], depths=[1], epochs=1)
    with pytest.raises(ValueError, match="1-D task"):
        regions.explorer_data(
            torch.zeros(5, 2), torch.zeros(5, 2), widths=[2], depths=[1], epochs=1
        )
    with pytest.raises(TypeError, match="seeds"):
        regions.explorer_data(task.x, task.y, widths=[2], depths=[1], seeds=[], epochs=1)


def _shown(fig, indices) -> set[int]:
    return {i for i in indices if fig.data[i].visible is not False and fig.data[i].opacity != 0}


def test_explorer_sliders_select_exactly_one_cell(small_explorer: regions.ExplorerData) -> None:
    fig = explorer_figure(
        small_explorer, title="explorer", alt="an explorer", caption="caption", initial=(2, 1)
    )
    assert fig.layout.meta["alt"] == "an explorer" and fig.layout.meta["caption"] == "caption"
    width_slider, depth_slider = fig.layout.sliders
    assert [s.label for s in width_slider.steps] == ["2", "4"]
    assert [s.label for s in depth_slider.steps] == ["1", "2"]
    indices = width_slider.steps[0].args[1]
    assert indices == depth_slider.steps[0].args[1]
    assert len(indices) == 4 * 4  # four cells, four traces each (fit, boundaries, text, ring)
    # apply a width step and a depth step, in both orders, as plotly's restyle would
    for w_step in width_slider.steps:
        for d_step in depth_slider.steps:
            for order in ((w_step, d_step), (d_step, w_step)):
                shown_fig = explorer_figure(
                    small_explorer, title="explorer", alt="an explorer", initial=(2, 1)
                )
                for step in order:
                    for prop, values in step.args[0].items():
                        for i, value in zip(step.args[1], values):
                            shown_fig.data[i][prop] = value
                visible = _shown(shown_fig, indices)
                assert len(visible) == 4
                text = [shown_fig.data[i] for i in visible if shown_fig.data[i].mode == "text"][0]
                cell = small_explorer.cell(int(w_step.label), int(d_step.label))
                assert sizes_label(cell.sizes) in text.text[0]
                assert f"{cell.parameters} parameters" in text.text[0]
    assert len(_shown(fig, indices)) == 4
    assert len(json.dumps(fig.to_plotly_json(), default=str)) < 200_000


def test_explorer_figure_rejects_unknown_cell(small_explorer: regions.ExplorerData) -> None:
    with pytest.raises(ValueError, match="not in the grid"):
        explorer_figure(small_explorer, title="t", alt="a", initial=(8, 1))
    with pytest.raises(ValueError, match="alt"):
        explorer_figure(small_explorer, title="t", alt="")


def test_architecture_figure_draws_every_connection() -> None:
    archs = [[4, 2, 4], [4, 8, 8, 4]]
    fig = architecture_figure(archs, title="architectures", alt="networks")
    (menu,) = fig.layout.updatemenus
    assert [b.label for b in menu.buttons] == ["4 → 2 → 4", "4 → 8 → 8 → 4"]
    for sizes, button in zip(archs, menu.buttons):
        visible = [i for i, v in enumerate(button.args[0]["visible"]) if v]
        lines = [
            fig.data[i]
            for i in visible
            if fig.data[i].mode == "lines" and not fig.data[i].showlegend
        ]
        nodes = [fig.data[i] for i in visible if fig.data[i].mode == "markers"]
        edges = sum(sum(x is None for x in t.x) for t in lines)
        assert edges == sum(a * b for a, b in zip(sizes[:-1], sizes[1:]))
        assert len(nodes) == 1 and len(nodes[0].x) == sum(sizes)
        assert f"{mlpbook.mlp_parameter_count(sizes)} parameters" in button.args[1]["title.text"]
        assert len(button.args[1]["annotations"]) == len(sizes)


def test_architecture_figure_with_weights() -> None:
    torch.manual_seed(0)
    model = mlpbook.make_mlp([4, 3, 2])
    weights = [[m.weight.detach().numpy() for m in model if isinstance(m, nn.Linear)]]
    fig = architecture_figure([[4, 3, 2]], title="t", alt="a", weights=weights)
    colors = {t.line.color for t in fig.data if t.mode == "lines"}
    assert colors <= {"#d62728", "#1f77b4"}
    # a colour key: legend entries name the colour of a positive and a negative weight
    key = {t.name: t.line.color for t in fig.data if t.showlegend}
    assert key == {"positive weight": "#d62728", "negative weight": "#1f77b4"}
    (button,) = fig.layout.updatemenus[0].buttons
    assert all(button.args[0]["visible"][:2])  # the key stays in every entry
    assert button.args[1]["xaxis.range"] == [-0.5, 2.5]  # the network spans the width
    with pytest.raises(ValueError, match="shapes"):
        architecture_figure([[4, 3, 3]], title="t", alt="a", weights=weights)
    with pytest.raises(ValueError, match="initial"):
        architecture_figure([[4, 3, 2]], title="t", alt="a", initial=1)


def test_region_map_plot() -> None:
    torch.manual_seed(0)
    model = mlpbook.make_mlp([2, 6, 1])
    axis = np.linspace(-2, 2, 51)
    grid = regions.grid_regions(model, axis, axis)
    fig = region_map_plot(
        [[grid, grid]],
        row_titles=["init"],
        col_titles=["a", "b"],
        points=np.array([[0.0, 0.0]]),
        line=((-1, 0), (1, 0)),
    )
    assert isinstance(fig, Figure)
    assert f"{grid.count} regions" in fig.axes[0].get_title()
    with pytest.raises(ValueError, match="titles"):
        region_map_plot([[grid]], row_titles=[], col_titles=["a"])
