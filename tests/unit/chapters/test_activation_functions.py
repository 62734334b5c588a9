"""Unit tests of mlpbook.layerstats on networks small enough to check by hand."""

from __future__ import annotations

import math

import pytest
import torch
from torch import nn

import mlpbook
from mlpbook.chapters.activation_functions import (
    ActivationStats,
    activation_stats,
    dead_fraction,
    dead_units,
    gradient_norms,
    layer_activity,
)


def _net(activation: str) -> nn.Sequential:
    """1 → 3 → 1 with hidden weights (1, -1, 0) and biases (0, 0, -1), output weights 1.

    On inputs x = -1, 0, 2 the pre-activations are
    unit 0: x        = -1, 0, 2   (on for x = 2)
    unit 1: -x       =  1, 0, -2  (on for x = -1)
    unit 2: -1       = -1, -1, -1 (never on)
    """
    m = mlpbook.make_mlp([1, 3, 1], activation)
    with torch.no_grad():
        m[0].weight.copy_(torch.tensor([[1.0], [-1.0], [0.0]]))
        m[0].bias.copy_(torch.tensor([0.0, 0.0, -1.0]))
        m[2].weight.fill_(1.0)
        m[2].bias.zero_()
    return m


X = torch.tensor([[-1.0], [0.0], [2.0]])


def test_layer_activity_records_pre_post_and_slope() -> None:
    (rec,) = layer_activity(_net("relu"), X)
    assert torch.equal(
        rec.pre, torch.tensor([[-1.0, 1.0, -1.0], [0.0, 0.0, -1.0], [2.0, -2.0, -1.0]])
    )
    assert torch.equal(rec.post, rec.pre.clamp(min=0))
    assert torch.equal(rec.slope, (rec.pre > 0).float())


def test_dead_units_relu_both_criteria_agree() -> None:
    m = _net("relu")
    for criterion in ("inactive", "no_gradient"):
        (mask,) = dead_units(m, X, criterion=criterion)
        assert mask.tolist() == [False, False, True]
    assert dead_fraction(m, X) == pytest.approx(1 / 3)


def test_leaky_relu_unit_is_inactive_but_passes_gradient() -> None:
    m = _net("leaky_relu")
    (inactive,) = dead_units(m, X, criterion="inactive")
    (no_grad,) = dead_units(m, X, criterion="no_gradient")
    assert inactive.tolist() == [False, False, True]
    assert no_grad.tolist() == [False, False, False]  # slope 0.01 > tol
    assert dead_fraction(m, X, criterion="no_gradient") == 0.0
    (still,) = dead_units(m, X, criterion="no_gradient", tol=0.02)  # a looser tolerance counts it
    assert still.tolist() == [False, False, True]


def test_gelu_far_negative_unit_passes_no_gradient() -> None:
    m = _net("gelu")
    with torch.no_grad():
        m[0].bias[2] = -10.0  # GELU'(-10) = Φ(-10) - 10 φ(-10) ≈ -7.7e-22
    (no_grad,) = dead_units(m, X, criterion="no_gradient")
    assert no_grad.tolist() == [False, False, True]


def test_dead_units_over_several_layers_and_empty_model() -> None:
    m = mlpbook.make_mlp([1, 2, 2, 1], "relu")
    with torch.no_grad():
        for layer in (m[0], m[2]):
            layer.weight.zero_()
        m[0].bias.copy_(torch.tensor([1.0, -1.0]))  # layer 1: unit 1 dead
        m[2].bias.copy_(torch.tensor([-1.0, -1.0]))  # layer 2: both dead
    masks = dead_units(m, X)
    assert [mask.tolist() for mask in masks] == [[False, True], [True, True]]
    assert dead_fraction(m, X) == pytest.approx(3 / 4)
    assert dead_fraction(mlpbook.make_mlp([1, 1]), X) == 0.0  # no hidden layer


def test_gradient_norms_of_a_single_linear_layer() -> None:
    # y_hat = w x with w = 2, x = (1, 2), y = (0, 0): L = mean((2x)^2) = (4 + 16) / 2 = 10,
    # dL/dw = mean(2 (w x - y) x) = mean(2·2·1, 2·4·2) = (4 + 16) / 2 = 10
    m = nn.Sequential(nn.Linear(1, 1, bias=False))
    with torch.no_grad():
        m[0].weight.fill_(2.0)
    x = torch.tensor([[1.0], [2.0]])
    assert gradient_norms(m, x, torch.zeros(2, 1)) == [pytest.approx(10.0)]
    assert gradient_norms(m, x, torch.zeros(2, 1), loss="half_mse") == [pytest.approx(5.0)]
    assert m[0].weight.grad is None  # .grad untouched


def test_gradient_norms_of_a_two_layer_relu_net_and_per_entry() -> None:
    # 1 -> 2 -> 1, W1 = (1, 1)^T, W2 = (1, 1), no biases, x = 1, y = 0:
    # y_hat = 2, dL/dy_hat = 2 (2 - 0) = 4; dL/dW2 = 4 (1, 1), norm 4 √2;
    # dL/dW1 = 4 (1, 1)^T, norm 4 √2; per entry: 4 √2 / √2 = 4.
    m = mlpbook.make_mlp([1, 2, 1], "relu", bias=False)
    with torch.no_grad():
        m[0].weight.fill_(1.0)
        m[2].weight.fill_(1.0)
    x, y = torch.ones(1, 1), torch.zeros(1, 1)
    assert gradient_norms(m, x, y) == pytest.approx([4 * math.sqrt(2)] * 2)
    assert gradient_norms(m, x, y, per_entry=True) == pytest.approx([4.0, 4.0])


def test_activation_stats_hand_checked() -> None:
    (st,) = activation_stats(_net("relu"), X)
    post = [0.0, 1.0, 0.0, 0.0, 0.0, 0.0, 2.0, 0.0, 0.0]
    mean = sum(post) / 9
    std = math.sqrt(sum((v - mean) ** 2 for v in post) / 9)
    assert isinstance(st, ActivationStats)
    assert st.mean == pytest.approx(mean) and st.std == pytest.approx(std)
    assert st.inactive == pytest.approx(7 / 9)  # pre <= 0 in 7 of 9 entries
    assert st.saturated == pytest.approx(7 / 9)  # ReLU' = 0 there


def test_activation_stats_tanh_saturation() -> None:
    m = mlpbook.make_mlp([1, 2, 1], "tanh")
    with torch.no_grad():
        m[0].weight.copy_(torch.tensor([[10.0], [0.1]]))
        m[0].bias.zero_()
    x = torch.tensor([[-1.0], [1.0]])
    (st,) = activation_stats(m, x)
    # unit 0: tanh(±10), slope ≈ 8e-9 (saturated); unit 1: tanh(±0.1), slope ≈ 0.99
    assert st.saturated == pytest.approx(0.5)
    assert st.mean == pytest.approx(0.0, abs=1e-7)
    (loose,) = activation_stats(m, x, slope_tol=1.0)
    assert loose.saturated == 1.0


@pytest.mark.parametrize(
    "call, error, words",
    [
        (lambda: layer_activity(nn.Linear(1, 1), X), TypeError, "nn.Sequential"),
        (lambda: layer_activity(_net("relu"), torch.zeros(3)), ValueError, "shape \\(n, d_in\\)"),
        (
            lambda: layer_activity(nn.Sequential(nn.Linear(1, 2), nn.Softmax(dim=-1)), X),
            TypeError,
            "element-wise",
        ),
        (lambda: layer_activity(_net("relu"), [[1.0]]), TypeError, "torch.Tensor"),
        (
            lambda: dead_units(_net("relu"), X, criterion="never"),
            ValueError,
            "allowed: inactive, no_gradient",
        ),
        (
            lambda: dead_units(_net("relu"), X, tol=0.0),
            ValueError,
            "tol must be a finite number > 0",
        ),
        (lambda: gradient_norms(_net("relu"), X, torch.zeros(2, 1)), ValueError, "n = 3"),
        (
            lambda: gradient_norms(_net("relu"), X, torch.zeros(3, 1), loss="l1"),
            ValueError,
            "unknown loss 'l1'",
        ),
        (
            lambda: gradient_norms(_net("relu"), X, torch.zeros(3, 1), per_entry=1),
            TypeError,
            "per_entry",
        ),
        (lambda: gradient_norms(nn.Sequential(nn.ReLU()), X, X), TypeError, "no nn.Linear"),
        (lambda: activation_stats(_net("relu"), X, slope_tol=-1.0), ValueError, "slope_tol"),
    ],
)
def test_invalid_arguments_are_named(call, error, words) -> None:
    with pytest.raises(error, match=words):
        call()
