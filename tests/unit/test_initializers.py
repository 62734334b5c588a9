"""The initializer registry: every name, its scale, symmetry, and clear errors."""

from __future__ import annotations

import math

import pytest
import torch
from torch import nn

import mlpbook
from mlpbook.initializers import INITIALIZERS, he_normal, initialize, leaky_relu_gain


def _layer(n_in: int = 400, n_out: int = 200) -> nn.Sequential:
    return nn.Sequential(nn.Linear(n_in, n_out))


@pytest.mark.parametrize(
    "name, expected_std",
    [
        ("he", math.sqrt(2 / 400)),
        ("xavier", math.sqrt(2 / 600)),
        ("small", 0.01),
        ("large", 1.0),
        ("xavier_uniform", math.sqrt(2 / 600)),
        ("he_uniform", math.sqrt(2 / 400)),
        ("he_leaky", math.sqrt(2 / (1 + 0.01**2) / 400)),
    ],
)
def test_scales(name: str, expected_std: float) -> None:
    model = _layer()
    initialize(model, name, generator=mlpbook.make_generator(0))
    w = model[0].weight
    assert abs(w.std().item() / expected_std - 1) < 0.02
    assert abs(w.mean().item()) < 0.05 * expected_std
    assert torch.count_nonzero(model[0].bias) == 0


def test_uniform_initializers_respect_their_bounds() -> None:
    model = _layer()
    initialize(model, "xavier_uniform", generator=mlpbook.make_generator(0))
    bound = math.sqrt(6 / 600)
    assert model[0].weight.abs().max().item() <= bound
    assert model[0].weight.abs().max().item() > 0.99 * bound


def test_constant_sets_every_weight_to_one_over_fan_in() -> None:
    model = mlpbook.make_mlp([4, 8, 3], init="constant")
    assert torch.equal(model[0].weight, torch.full((8, 4), 0.25))
    assert torch.equal(model[2].weight, torch.full((3, 8), 0.125))
    assert all(torch.count_nonzero(m.bias) == 0 for m in (model[0], model[2]))


@pytest.mark.parametrize("init", ["constant", "zeros"])
def test_symmetric_initializers_keep_units_identical_under_training(init: str) -> None:
    data = mlpbook.three_clusters(20, seed=0)
    model = mlpbook.make_mlp([2, 6, 6, 2], "relu", init=init)
    before = model[2].weight.detach().clone()
    mlpbook.train(model, data.x, data.y, epochs=30, lr=0.01, show_progress=False)
    for i in (0, 2):
        w = model[i].weight.detach()
        # identical up to rounding: BLAS may sum different output positions in a different order
        torch.testing.assert_close(
            w, w[:1].expand_as(w), rtol=1e-5, atol=1e-7, msg=f"rows of layer {i} drifted apart"
        )
    if init == "constant":
        assert not torch.equal(model[2].weight, before)  # it did train


def test_leaky_relu_gain_matches_torch_and_limits() -> None:
    for alpha in (0.0, 0.01, 0.2, 0.5, 1.0, 3.0):
        assert leaky_relu_gain(alpha) == pytest.approx(nn.init.calculate_gain("leaky_relu", alpha))
    assert leaky_relu_gain(0) == pytest.approx(math.sqrt(2))
    assert leaky_relu_gain(1.0) == pytest.approx(1.0)


@pytest.mark.parametrize(
    "bad, error",
    [
        (-0.1, ValueError),
        (float("nan"), ValueError),
        (float("inf"), ValueError),
        ("0.1", TypeError),
        (True, TypeError),
    ],
)
def test_leaky_relu_gain_rejects_bad_slopes(bad, error) -> None:
    with pytest.raises(error, match="negative_slope"):
        leaky_relu_gain(bad)


def test_he_normal_is_a_fill_function_for_make_mlp() -> None:
    torch.manual_seed(0)
    model = mlpbook.make_mlp([300, 300, 300], "relu", init=he_normal(0.5))
    expected = math.sqrt(2 / 1.25 / 300)
    assert abs(model[0].weight.std().item() / expected - 1) < 0.02
    assert he_normal(0.0)  # ReLU


def test_fill_functions_are_accepted_and_seeded_by_the_generator() -> None:
    a = initialize(_layer(30, 20), he_normal(0.2), generator=mlpbook.make_generator(3))
    b = initialize(_layer(30, 20), he_normal(0.2), generator=mlpbook.make_generator(3))
    assert torch.equal(a[0].weight, b[0].weight)


def test_every_registered_name_builds_a_square_mlp() -> None:
    for name in mlpbook.initializer_names():
        model = mlpbook.make_mlp([5, 5, 5], init=name)
        assert model(torch.zeros(2, 5)).shape == (2, 5)
    assert {"constant", "he_leaky", "xavier_uniform", "he_uniform"} <= set(INITIALIZERS)
    assert {"default", "he", "xavier", "small", "large", "identity", "zeros"} <= set(INITIALIZERS)


def test_names_are_case_insensitive() -> None:
    a = initialize(_layer(10, 10), "XAVIER", generator=mlpbook.make_generator(0))
    b = initialize(_layer(10, 10), "xavier", generator=mlpbook.make_generator(0))
    assert torch.equal(a[0].weight, b[0].weight)


def test_unknown_name_and_wrong_type_are_clear_errors() -> None:
    with pytest.raises(ValueError, match="unknown initializer 'kaiming'.*he_leaky"):
        mlpbook.make_mlp([2, 3], init="kaiming")
    with pytest.raises(TypeError, match="init must be an initializer name.*got 3"):
        initialize(_layer(), 3)


def test_train_seeds_accepts_fill_functions_per_seed() -> None:
    data = mlpbook.three_clusters(10, seed=0)
    hs = mlpbook.train_seeds(
        [2, 4, 2],
        data.x,
        data.y,
        seeds=[0, 0],
        init=[he_normal(0.0), "he"],
        epochs=0,
        show_progress=False,
    )
    assert hs[0].loss[0] == pytest.approx(hs[1].loss[0], rel=1e-5)
