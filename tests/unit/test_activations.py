"""Unit tests of mlpbook.activations: the registry and the measurement helpers
(autograd derivatives, numerical ranges, kinks) and the SwiGLU gated unit."""

from __future__ import annotations

import math

import pytest
import torch
from torch import nn

import mlpbook
from mlpbook.activations import (
    ACTIVATIONS,
    ActivationRange,
    SwiGLU,
    derivative,
    get_activation,
    max_slope_jump,
    numerical_range,
)

ELEMENTWISE = [name for name in ACTIVATIONS if name != "softmax"]


# --- the registry ------------------------------------------------------------


def test_registry_names_are_stable() -> None:
    assert mlpbook.activation_names()[:9] == [
        "relu",
        "leaky_relu",
        "gelu",
        "gelu_tanh",
        "tanh",
        "sigmoid",
        "silu",
        "softmax",
        "identity",
    ]


@pytest.mark.parametrize("name", list(ACTIVATIONS))
def test_every_name_builds_a_fresh_module(name: str) -> None:
    a, b = get_activation(name), get_activation(name)
    assert isinstance(a, nn.Module) and a is not b
    assert get_activation(name.upper()) is not None  # case-insensitive


def test_unknown_name_lists_the_valid_ones() -> None:
    with pytest.raises(
        ValueError, match="unknown activation 'swish'; valid names: relu, leaky_relu"
    ):
        get_activation("swish")


# --- derivative (autograd) ---------------------------------------------------

Z = torch.tensor([-2.0, -0.5, 0.0, 0.5, 2.0], dtype=torch.float64)


@pytest.mark.parametrize(
    "name, expected",
    [
        ("relu", [0.0, 0.0, 0.0, 1.0, 1.0]),  # PyTorch's convention: ReLU'(0) = 0
        ("leaky_relu", [0.01, 0.01, 0.01, 1.0, 1.0]),
        ("identity", [1.0] * 5),
        ("tanh", [1 - math.tanh(z) ** 2 for z in Z.tolist()]),
        ("sigmoid", [math.exp(-z) / (1 + math.exp(-z)) ** 2 for z in Z.tolist()]),
        (
            "silu",
            [1 / (1 + math.exp(-z)) * (1 + z * (1 - 1 / (1 + math.exp(-z)))) for z in Z.tolist()],
        ),
        # GELU(z) = z Φ(z), so GELU'(z) = Φ(z) + z φ(z)
        (
            "gelu",
            [
                0.5 * (1 + math.erf(z / math.sqrt(2)))
                + z * math.exp(-z * z / 2) / math.sqrt(2 * math.pi)
                for z in Z.tolist()
            ],
        ),
    ],
)
def test_derivative_matches_the_formula(name: str, expected: list[float]) -> None:
    got = derivative(name, Z)
    assert got.dtype == torch.float64 and got.shape == Z.shape
    assert torch.allclose(got, torch.tensor(expected, dtype=torch.float64), atol=1e-12)


def test_derivative_at_zero_of_smooth_units() -> None:
    zero = torch.zeros(1, dtype=torch.float64)
    assert derivative("gelu", zero).item() == pytest.approx(0.5)
    assert derivative("gelu_tanh", zero).item() == pytest.approx(0.5)
    assert derivative("sigmoid", zero).item() == pytest.approx(0.25)


def test_derivative_keeps_input_and_works_under_no_grad() -> None:
    z = torch.linspace(-1, 1, 7)
    before = z.clone()
    with torch.no_grad():
        slope = derivative("tanh", z)
    assert torch.equal(z, before) and not z.requires_grad
    assert torch.allclose(slope, 1 - torch.tanh(z) ** 2)


def test_derivative_rejects_softmax_and_integers() -> None:
    with pytest.raises(ValueError, match="not element-wise"):
        derivative("softmax", Z)
    with pytest.raises(TypeError, match="floating-point"):
        derivative("relu", torch.tensor([1, 2]))
    with pytest.raises(ValueError, match="unknown activation"):
        derivative("relu6", Z)


# --- numerical ranges and kinks ------------------------------------------------


@pytest.mark.parametrize(
    "name, text",
    [
        ("relu", "[0, ∞)"),
        ("leaky_relu", "(−∞, ∞)"),
        ("identity", "(−∞, ∞)"),
        ("tanh", "(−1, 1)"),
        ("sigmoid", "(0, 1)"),
        ("gelu", "[−0.17, ∞)"),
        ("gelu_tanh", "[−0.17, ∞)"),
        ("silu", "[−0.278, ∞)"),
    ],
)
def test_numerical_range_in_interval_notation(name: str, text: str) -> None:
    assert str(numerical_range(name)) == text


def test_numerical_range_values() -> None:
    r = numerical_range("sigmoid")
    assert r == ActivationRange(0.0, 1.0, False, False)
    relu = numerical_range("relu")
    assert (
        relu.low == 0.0 and relu.low_attained and math.isinf(relu.high) and not relu.high_attained
    )
    # SiLU's minimum is at z* with z* σ(z*) minimal: about -0.2785 at z ≈ -1.278
    assert numerical_range("silu").low == pytest.approx(-0.27846, abs=1e-4)
    assert numerical_range("gelu").low == pytest.approx(-0.16997, abs=1e-4)


def test_numerical_range_of_a_module_instance() -> None:
    assert str(numerical_range(nn.Hardtanh())) == "[−1, 1]"  # attained: clipped, not saturating


def test_numerical_range_rejects_bad_arguments() -> None:
    with pytest.raises(ValueError, match="not element-wise"):
        numerical_range("softmax")
    with pytest.raises(ValueError, match="limit must be a finite number > 0"):
        numerical_range("relu", limit=-1.0)
    with pytest.raises(ValueError, match="points must be >= 3"):
        numerical_range("relu", points=2)


@pytest.mark.parametrize("name, jump", [("relu", 1.0), ("leaky_relu", 0.99), ("identity", 0.0)])
def test_max_slope_jump_of_piecewise_linear_units(name: str, jump: float) -> None:
    assert max_slope_jump(name) == pytest.approx(jump, abs=1e-12)


@pytest.mark.parametrize("name", ["gelu", "gelu_tanh", "tanh", "sigmoid", "silu"])
def test_max_slope_jump_of_smooth_units_is_grid_sized(name: str) -> None:
    # spacing h = 1e-4 and |f''| <= 1 for all of these
    assert max_slope_jump(name) < 1.1e-4


# --- SwiGLU --------------------------------------------------------------------


def test_swiglu_is_silu_gate_times_linear_value() -> None:
    unit = SwiGLU(2, 3)
    x = torch.randn(5, 2, generator=mlpbook.make_generator(0))
    gate = x @ unit.gate.weight.T + unit.gate.bias
    value = x @ unit.value.weight.T + unit.value.bias
    expected = gate * torch.sigmoid(gate) * value
    assert unit(x).shape == (5, 3)
    assert torch.allclose(unit(x), expected, atol=1e-6)


def test_swiglu_hand_checked_values() -> None:
    unit = SwiGLU(1, 1, bias=False)
    with torch.no_grad():
        unit.gate.weight.fill_(1.0)
        unit.value.weight.fill_(1.0)
    x = torch.tensor([[0.0], [1.0], [-1.0]])
    s1 = 1 / (1 + math.exp(-1))
    # x · SiLU(x) = x² σ(x): 0, σ(1), σ(-1) = 1 - σ(1)
    assert torch.allclose(unit(x).ravel(), torch.tensor([0.0, s1, 1 - s1]), atol=1e-6)
    assert mlpbook.count_parameters(unit) == 2


def test_swiglu_parameter_count_and_errors() -> None:
    assert mlpbook.count_parameters(SwiGLU(4, 6)) == 2 * (4 * 6 + 6)
    with pytest.raises(ValueError, match="out_features must be >= 1"):
        SwiGLU(4, 0)
    with pytest.raises(TypeError, match="in_features must be an int"):
        SwiGLU(4.0, 2)
