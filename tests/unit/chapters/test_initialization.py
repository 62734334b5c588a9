"""Signal propagation measurements: layer_signal, signal_profile, the variance
prediction, the residual stream and the figure builders."""

from __future__ import annotations

import math

import numpy as np
import pytest
import torch
from torch import nn

import mlpbook
from mlpbook.chapters.initialization import (
    LayerSignal,
    SignalProfile,
    layer_signal,
    per_layer_factor,
    predicted_signal,
    residual_stream_std,
    signal_profile,
)
from mlpbook.initializers import he_normal
from mlpbook.plots.initialization import signal_figure, signal_summary_plot


def test_layer_signal_matches_a_hand_computation() -> None:
    torch.manual_seed(0)
    model = mlpbook.make_mlp([3, 4, 5, 2], "tanh")
    x, g = torch.randn(6, 3), torch.randn(6, 2)
    sig = layer_signal(model, x, g)
    assert isinstance(sig, LayerSignal) and sig.depth == 2
    z1 = model[0](x)
    h1 = torch.tanh(z1)
    z2 = model[2](h1)
    h2 = torch.tanh(z2)
    y = model[4](h2)
    gh2, gh1, gw1, gw3 = torch.autograd.grad(y, [h2, h1, model[0].weight, model[2].weight], g)
    std = lambda t: t.detach().double().std(correction=0).item()  # noqa: E731
    np.testing.assert_allclose(sig.pre, [std(z1), std(z2)], rtol=1e-6)
    np.testing.assert_allclose(sig.act, [std(h1), std(h2)], rtol=1e-6)
    np.testing.assert_allclose(sig.grad, [std(gh1), std(gh2)], rtol=1e-6)
    np.testing.assert_allclose(sig.weight_grad, [std(gw1), std(gw3)], rtol=1e-6)
    assert all(p.grad is None for p in model.parameters())  # .grad untouched


def test_layer_signal_default_error_signal_is_reproducible() -> None:
    torch.manual_seed(0)
    model = mlpbook.make_mlp([4, 8, 4], "relu")
    x = torch.randn(10, 4)
    a = layer_signal(model, x)
    b = layer_signal(model, x, generator=mlpbook.make_generator(0))
    np.testing.assert_array_equal(a.grad, b.grad)


@pytest.mark.parametrize(
    "model, words",
    [
        (nn.Linear(3, 3), "nn.Sequential"),
        (nn.Sequential(nn.Linear(3, 3)), "at least one hidden layer"),
        (nn.Sequential(nn.Linear(3, 3), nn.ReLU(), nn.ReLU()), "layer 2 must be an nn.Linear"),
        (
            nn.Sequential(nn.Linear(3, 3), nn.Linear(3, 3), nn.Linear(3, 3)),
            "layer 1 must be an activation",
        ),
    ],
)
def test_layer_signal_rejects_other_models(model, words) -> None:
    with pytest.raises((TypeError, ValueError), match=words):
        layer_signal(model, torch.zeros(2, 3))


def test_layer_signal_rejects_bad_shapes() -> None:
    model = mlpbook.make_mlp([3, 4, 2])
    with pytest.raises(ValueError, match=r"x must be a tensor of shape \(B, 3\)"):
        layer_signal(model, torch.zeros(2, 5))
    with pytest.raises(ValueError, match=r"grad_output must have shape \(2, 2\)"):
        layer_signal(model, torch.zeros(2, 3), torch.zeros(2, 3))


def test_signal_profile_shapes_seeds_and_rng_isolation() -> None:
    torch.manual_seed(123)
    expected_next = torch.rand(1)
    torch.manual_seed(123)
    prof = signal_profile("relu", "he", seeds=[0, 1, 2], depth=4, width=16, batch=8)
    assert torch.equal(torch.rand(1), expected_next)  # the caller's random stream is untouched
    assert isinstance(prof, SignalProfile) and prof.depth == 4
    for name in ("pre", "act", "grad", "weight_grad"):
        assert getattr(prof, name).shape == (3, 4)
    assert not np.array_equal(prof.act[0], prof.act[1])  # different seeds, different networks
    again = signal_profile("relu", "he", seeds=[1], depth=4, width=16, batch=8)
    np.testing.assert_array_equal(again.act[0], prof.act[1])
    assert prof.settings["seeds"] == [0, 1, 2] and prof.settings["init"] == "he"


def test_signal_profile_builds_models_like_train_seeds() -> None:
    prof = signal_profile("tanh", "default", seeds=[5], depth=2, width=6, batch=4)
    torch.manual_seed(5)
    model = mlpbook.make_mlp([6] * 4, "tanh")
    g = mlpbook.make_generator(0)
    x, grad = torch.randn(4, 6, generator=g), torch.randn(4, 6, generator=g)
    np.testing.assert_allclose(prof.act[0], layer_signal(model, x, grad).act)


@pytest.mark.parametrize(
    "kwargs, words",
    [
        ({"seeds": []}, "non-empty"),
        ({"seeds": [0], "depth": 0}, "depth must be >= 1"),
        ({"seeds": [0], "width": 2.0}, "width must be an int"),
        ({"seeds": [-1]}, "seed must be >= 0"),
    ],
)
def test_signal_profile_rejects_bad_arguments(kwargs, words) -> None:
    with pytest.raises((TypeError, ValueError), match=words):
        signal_profile("relu", "he", **kwargs)


def test_he_keeps_relu_signal_and_matches_prediction() -> None:
    prof = signal_profile("relu", "he", seeds=[0, 1, 2], depth=10, width=256, batch=128)
    pred = predicted_signal(2.0, 10)
    np.testing.assert_allclose(prof.geometric_mean("act"), pred["act"], rtol=0.15)
    np.testing.assert_allclose(prof.geometric_mean("grad"), pred["grad"], rtol=0.15)
    assert abs(per_layer_factor(prof.act).mean() - 1) < 0.03


@pytest.mark.parametrize(
    "init, n_sigma2", [("small", 128 * 1e-4), ("large", 128.0), ("xavier", 1.0)]
)
def test_prediction_tracks_vanishing_and_exploding_relu(init: str, n_sigma2: float) -> None:
    prof = signal_profile("relu", init, seeds=[0, 1], depth=8, width=128, batch=128)
    pred = predicted_signal(n_sigma2, 8)
    measured = per_layer_factor(prof.act).mean()
    assert measured == pytest.approx(math.sqrt(n_sigma2 / 2), rel=0.05)
    np.testing.assert_allclose(np.log(prof.geometric_mean("act")), np.log(pred["act"]), atol=0.5)


def test_leaky_gain_keeps_signal() -> None:
    alpha = 0.5
    right = signal_profile(
        nn.LeakyReLU(alpha), he_normal(alpha), seeds=[0, 1], depth=10, width=128, batch=128
    )
    plain = signal_profile(nn.LeakyReLU(alpha), "he", seeds=[0, 1], depth=10, width=128, batch=128)
    assert abs(per_layer_factor(right.act).mean() - 1) < 0.03
    assert per_layer_factor(plain.act).mean() == pytest.approx(math.sqrt(1 + alpha**2), rel=0.03)


def test_predicted_signal_closed_forms() -> None:
    he = predicted_signal(2.0, 5)
    np.testing.assert_allclose(he["pre"], math.sqrt(2.0))
    np.testing.assert_allclose(he["act"], math.sqrt(2.0) * math.sqrt(0.5 - 1 / (2 * math.pi)))
    np.testing.assert_allclose(he["grad"], math.sqrt(2.0))
    identity = predicted_signal(1.0, 3, negative_slope=1.0)
    np.testing.assert_allclose(identity["act"], 1.0)
    small = predicted_signal(0.5, 3)  # each layer: variance × 0.25
    np.testing.assert_allclose(small["pre"], np.sqrt(0.5) * 0.5 ** np.arange(3))
    np.testing.assert_allclose(small["grad"], np.sqrt(0.5) * 0.5 ** np.arange(3)[::-1])
    with pytest.raises(ValueError, match="n_sigma2"):
        predicted_signal(0.0, 3)
    with pytest.raises(ValueError, match="negative_slope"):
        predicted_signal(1.0, 3, negative_slope=-1.0)


def test_per_layer_factor() -> None:
    assert per_layer_factor(np.array([1.0, 2.0, 4.0, 8.0])) == pytest.approx(2.0)
    np.testing.assert_allclose(per_layer_factor(np.array([[1.0, 0.5], [3.0, 3.0]])), [0.5, 1.0])
    with pytest.raises(ValueError, match="at least two layers"):
        per_layer_factor(np.array([1.0]))
    with pytest.raises(ValueError, match="positive"):
        per_layer_factor(np.array([1.0, 0.0]))


def test_geometric_mean_and_unknown_statistic() -> None:
    prof = SignalProfile(
        pre=np.ones((2, 3)),
        act=np.array([[1.0, 4.0, 0.0], [4.0, 1.0, 0.0]]),
        grad=np.ones((2, 3)),
        weight_grad=np.ones((2, 3)),
    )
    np.testing.assert_allclose(prof.geometric_mean("act"), [2.0, 2.0, 0.0])
    with pytest.raises(ValueError, match="unknown statistic 'acts'"):
        prof.geometric_mean("acts")


def test_residual_stream_growth_and_scaling() -> None:
    n = 32

    def final_var(scaled: bool, prenorm: bool, seeds=(0, 1, 2)) -> float:
        return float(
            np.mean(
                [
                    residual_stream_std(
                        n, scaled=scaled, prenorm=prenorm, width=64, batch=128, seed=s
                    )[-1]
                    ** 2
                    for s in seeds
                ]
            )
        )

    prenorm, prenorm_scaled = final_var(False, True), final_var(True, True)
    plain = residual_stream_std(n, scaled=False, prenorm=False, width=64, batch=128, seed=0)
    plain_scaled = residual_stream_std(n, scaled=True, prenorm=False, width=64, batch=128, seed=0)
    assert prenorm == pytest.approx(1 + n, rel=0.25)  # linear growth
    assert prenorm_scaled == pytest.approx(2.0, rel=0.15)  # 1 + N · (1/N)
    assert plain[-1] > 1e3  # exponential growth
    assert plain_scaled[-1] < math.exp(0.5) * 1.1  # bounded by e^{1/2}
    assert plain.shape == (n + 1,) and plain[0] == pytest.approx(1.0, abs=0.05)
    with pytest.raises(ValueError, match="n_layers must be >= 1"):
        residual_stream_std(0, scaled=True, prenorm=True)


def test_residual_stream_prenorm_normalizes_each_sample_on_its_own() -> None:
    # LayerNorm standardizes every sample over its features, so a batch of one sample follows the
    # same growth laws (a normalization over the batch axis would divide by a zero spread).
    n = 16

    def final_var(scaled: bool) -> float:
        return float(
            np.mean(
                [
                    residual_stream_std(n, scaled=scaled, prenorm=True, width=256, batch=1, seed=s)[
                        -1
                    ]
                    ** 2
                    for s in (0, 1, 2)
                ]
            )
        )

    assert final_var(False) == pytest.approx(1 + n, rel=0.25)
    assert final_var(True) == pytest.approx(2.0, rel=0.15)


def _small_grid() -> dict:
    return {
        (init, act): signal_profile(act.lower(), init, seeds=[0, 1], depth=3, width=8, batch=4)
        for init in ("small", "he")
        for act in ("Tanh", "ReLU")
    }


def test_signal_figure_dropdown_switches_visible_traces() -> None:
    grid = _small_grid()
    preds = {("he", "ReLU"): predicted_signal(2.0, 3)}
    fig = signal_figure(grid, predictions=preds, alt="alt text", caption="a caption", active=1)
    assert fig.layout.meta["alt"] == "alt text" and fig.layout.meta["caption"] == "a caption"
    menu = fig.layout.updatemenus[0]
    assert [b.label for b in menu.buttons] == ["small", "he"] and menu.active == 1
    n_traces = len(fig.data)
    assert n_traces == 2 * 2 * 2 + 2  # inits × activations × panels, plus the two prediction lines
    for button in menu.buttons:
        visible = button.args[0]["visible"]
        assert len(visible) == n_traces
        shown = [t for t, v in zip(fig.data, visible) if v]
        assert all(button.label in t.hovertemplate for t in shown)
        assert button.args[1]["yaxis.range"] == button.args[1]["yaxis2.range"]
    assert [t.visible for t in fig.data] == list(menu.buttons[1].args[0]["visible"])
    for trace in fig.data:  # rounded to 3 significant digits, still positive on a log axis
        assert all(v > 0 and float(f"{v:.3g}") == v for v in trace.y)


def test_signal_figure_rejects_incomplete_grids() -> None:
    grid = _small_grid()
    del grid[("he", "Tanh")]
    with pytest.raises(ValueError, match="missing"):
        signal_figure(grid, alt="a")
    with pytest.raises(ValueError, match="active must be < 2"):
        signal_figure(_small_grid(), alt="a", active=2)


def test_signal_summary_plot_has_one_panel_per_statistic_and_activation() -> None:
    fig = signal_summary_plot(_small_grid())
    axes = fig.get_axes()
    assert len(axes) == 4
    assert all(ax.get_yscale() == "log" for ax in axes)
    assert len(axes[0].get_lines()) == 2 + 1  # two initializers and the line at 1
