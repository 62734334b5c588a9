"""Unit tests of mlpbook.casestudy: the shared per-element model of the dropout case study."""

from __future__ import annotations

import math

import numpy as np
import pytest
import torch
from torch import nn

import mlpbook
from mlpbook.chapters import dropout_case as cs

# --- the hand-made subnetwork ------------------------------------------------


def _handmade_g(x: float) -> float:
    """The hand-made subnetwork written out in plain Python, from the issue's numbers."""
    return sum(max(w * x + b, 0.0) for w, b in zip(cs.HANDMADE_WEIGHTS, cs.HANDMADE_BIASES)) + 0.01


def test_handmade_subnetwork_matches_its_formula() -> None:
    model = cs.handmade_model()
    x = torch.linspace(-6.0, 9.0, 301)
    with torch.no_grad():
        g = model.subnetwork(x)
    expected = torch.tensor([_handmade_g(float(v)) for v in x])
    assert torch.allclose(g, expected, atol=1e-4)


def test_handmade_subnetwork_error_against_square_is_hand_checkable() -> None:
    # Between two kinks g is linear and x² convex, so |g - x²| is largest at a kink or where
    # the slopes agree. The worst point is the kink of unit 13 at x = 27.5 / 5 = 5.5: there
    # the active units give 0.55 + 2.7 + 3.06 + 6.9 + 12.87 + 3.2 + 0.01 = 29.29, and
    # 5.5² = 30.25, an error of -0.96.
    assert _handmade_g(5.5) == pytest.approx(29.29)
    model = cs.handmade_model()
    x = torch.linspace(cs.LOW, cs.HIGH, 130_001, dtype=torch.float64)
    with torch.no_grad():
        err = (model.double().subnetwork(x) - x**2).abs()
    assert float(err.max()) == pytest.approx(0.96, abs=1e-6)
    assert float(x[err.argmax()]) == pytest.approx(5.5, abs=1e-3)
    assert float(err.max()) < 1.0  # the bound a reader can check by hand


def test_handmade_sum_layer_and_start_error() -> None:
    model = cs.handmade_model()
    assert torch.equal(model.sum.weight, torch.ones(1, cs.N_INPUTS))
    assert model.sum.bias.item() == pytest.approx(-0.01)
    assert torch.equal(model.outer.weight, torch.ones(1, cs.HIDDEN))
    data = cs.sum_of_squares_data(2000, seed=3)
    # the mean error of g on U[-5, 8] is about 0.22, so the sum is biased by about 14: MSE ~ 200
    assert 150 < cs.mse(model, data) < 260


def test_set_handmade_rejects_other_models() -> None:
    with pytest.raises(TypeError, match="SharedElementwiseMLP"):
        cs.set_handmade(nn.Linear(64, 1))  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="hidden=8"):
        cs.set_handmade(cs.SharedElementwiseMLP(hidden=8))


# --- shapes and modes ---------------------------------------------------------


def test_shapes() -> None:
    model = cs.SharedElementwiseMLP(n_inputs=5, hidden=3, dropout=0.3)
    assert model(torch.randn(7, 5)).shape == (7, 1)
    assert model.subnetwork(torch.randn(2, 4)).shape == (2, 4)
    assert mlpbook.count_parameters(cs.SharedElementwiseMLP()) == (14 + 14) + (14 + 1) + (64 + 1)
    with pytest.raises(ValueError, match=r"\(batch, 5\)"):
        model(torch.randn(7, 4))


def test_model_is_the_sum_of_the_subnetwork_over_inputs() -> None:
    model = cs.handmade_model().eval()
    x = cs.sum_of_squares_data(10, seed=4).x
    with torch.no_grad():
        expected = model.subnetwork(x).sum(dim=1, keepdim=True) - 0.01
        assert torch.allclose(model(x), expected, atol=1e-3)


@pytest.mark.parametrize(
    "sites", [(), ("input",), ("hidden",), ("vector",), ("input", "hidden", "vector")]
)
def test_dropout_switches(sites) -> None:
    model = cs.SharedElementwiseMLP(dropout=0.2, sites=sites)
    for site in cs.DROPOUT_SITES:
        layer = getattr(model, f"drop_{site}")
        assert isinstance(layer, nn.Dropout if site in sites else nn.Identity), site
    assert model.sites == frozenset(sites)


def test_zero_dropout_switches_every_site_off() -> None:
    model = cs.SharedElementwiseMLP(dropout=0.0)
    assert model.sites == frozenset()
    assert not any(isinstance(m, nn.Dropout) for m in model.modules())


def test_eval_mode_is_deterministic_and_train_mode_is_not() -> None:
    model = cs.handmade_model(dropout=0.2)
    x = cs.sum_of_squares_data(50, seed=5).x
    plain = cs.handmade_model()
    assert torch.equal(cs.predict(model, x), cs.predict(plain, x))
    a = cs.predict(model, x, mode="train", seed=1)
    assert torch.equal(a, cs.predict(model, x, mode="train", seed=1))
    assert not torch.equal(a, cs.predict(model, x, mode="train", seed=2))
    assert not torch.equal(a, cs.predict(model, x))
    # predict restores the model's own mode and leaves the global random stream alone
    model.train()
    state = torch.get_rng_state()
    cs.predict(model, x, mode="eval")
    assert model.training
    assert torch.equal(state, torch.get_rng_state())


def test_input_dropout_inflates_the_mean_of_a_square() -> None:
    # E[(m x / (1-p))²] = x² / (1-p): the exact formula for g(x) = x², and a Monte Carlo check.
    x = torch.tensor([-4.0, 0.5, 3.0])
    exact = cs.expected_under_input_dropout(lambda t: t**2, x, 0.2)
    assert torch.allclose(exact, x**2 / 0.8)
    g = torch.Generator().manual_seed(0)
    masks = torch.bernoulli(torch.full((200_000, 1), 0.8), generator=g)
    assert torch.allclose(((masks * x / 0.8) ** 2).mean(0), x**2 / 0.8, rtol=0.01)


def test_linear_layers_after_dropout_keep_the_mean() -> None:
    model = cs.handmade_model(dropout=0.2, sites=("vector",))
    x = cs.sum_of_squares_data(20, seed=6).x
    draws = torch.stack([cs.predict(model, x, mode="train", seed=k) for k in range(400)])
    assert torch.allclose(draws.mean(0), cs.predict(model, x), rtol=0.02)


# --- data ---------------------------------------------------------------------


def test_sum_of_squares_data() -> None:
    data = cs.sum_of_squares_data(300, seed=7)
    assert data.x.shape == (300, 64) and data.y.shape == (300, 1)
    assert float(data.x.min()) >= -5 and float(data.x.max()) <= 8
    assert torch.allclose(data.y, (data.x**2).sum(1, keepdim=True))
    assert torch.equal(data.x, cs.sum_of_squares_data(300, seed=7).x)
    assert not torch.equal(data.x, cs.sum_of_squares_data(300, seed=8).x)
    small = cs.sum_of_squares_data(4, n_inputs=3, low=0.0, high=1.0)
    assert small.x.shape == (4, 3) and float(small.x.min()) >= 0


# --- training -----------------------------------------------------------------


def test_train_case_records_both_modes_and_is_reproducible() -> None:
    train, val = cs.sum_of_squares_data(400, seed=1), cs.sum_of_squares_data(100, seed=2)
    runs = []
    for _ in range(2):
        model = cs.handmade_model(dropout=0.2)
        runs.append(
            cs.train_case(
                model,
                train,
                val,
                epochs=3,
                lr=1e-4,
                batch_size=100,
                step_every=2,
                seed=0,
                show_progress=False,
            )
        )
    a, b = runs
    assert a.epochs == 3 and a.logged_loss.shape == a.train_mse.shape == a.val_mse.shape == (4,)
    assert np.array_equal(a.logged_loss, b.logged_loss) and np.array_equal(a.val_mse, b.val_mse)
    # epoch 0: the hand-made start, far worse in training mode than in evaluation mode
    assert a.logged_loss[0] > 100 * a.train_mse[0]
    assert a.train_mse[0] == pytest.approx(cs.mse(cs.handmade_model(), train), rel=1e-6)
    assert np.allclose(a.lr, [1e-4, 1e-4, 1e-4, 0.9e-4])


def test_train_case_without_dropout_improves_the_handmade_start() -> None:
    train, val = cs.sum_of_squares_data(1000, seed=1), cs.sum_of_squares_data(200, seed=2)
    history = cs.train_case(cs.handmade_model(), train, val, epochs=2, seed=0, show_progress=False)
    assert history.val_mse[-1] < history.val_mse[0] / 3
    assert history.logged_loss[0] == pytest.approx(
        history.train_mse[0], rel=1e-5
    )  # no dropout: one mode


def test_train_case_leaves_the_global_random_stream_alone() -> None:
    train = cs.sum_of_squares_data(200, seed=1)
    state = torch.get_rng_state()
    cs.train_case(cs.handmade_model(dropout=0.2), train, train, epochs=1, show_progress=False)
    assert torch.equal(state, torch.get_rng_state())


def test_train_case_raises_on_divergence() -> None:
    train = cs.sum_of_squares_data(200, seed=1)
    model = cs.handmade_model()
    with torch.no_grad():
        model.sum.bias.fill_(math.nan)
    with pytest.raises(mlpbook.TrainingDiverged, match="diverged"):
        cs.train_case(model, train, train, epochs=1, show_progress=False)


def test_he_model_is_seeded() -> None:
    a, b, c = cs.he_model(1), cs.he_model(1), cs.he_model(2)
    assert torch.equal(a.inner.weight, b.inner.weight)
    assert not torch.equal(a.inner.weight, c.inner.weight)
    assert torch.equal(a.sum.bias, torch.zeros(1))


# --- bad arguments ------------------------------------------------------------


@pytest.mark.parametrize(
    "kwargs, error, match",
    [
        (dict(dropout=1.0), ValueError, r"dropout must be in \[0, 1\), got 1.0"),
        (dict(dropout=-0.1), ValueError, "dropout"),
        (dict(dropout="0.2"), TypeError, "dropout must be a number"),
        (dict(dropout=0.2, sites=("inputs",)), ValueError, "unknown dropout site 'inputs'"),
        (dict(dropout=0.2, sites="input"), TypeError, "single string 'input'"),
        (dict(dropout=0.2, sites=(1,)), TypeError, "must be strings"),
        (dict(n_inputs=0), ValueError, "n_inputs must be >= 1, got 0"),
        (dict(hidden=2.5), TypeError, "hidden must be an int"),
    ],
)
def test_model_rejects_bad_arguments(kwargs, error, match) -> None:
    with pytest.raises(error, match=match):
        cs.SharedElementwiseMLP(**kwargs)


@pytest.mark.parametrize(
    "kwargs, error, match",
    [
        (dict(n=0), ValueError, "n must be >= 1, got 0"),
        (dict(n=10.0), TypeError, "n must be an int"),
        (dict(n=10, low=8.0, high=-5.0), ValueError, "low < high"),
        (dict(n=10, low="a"), TypeError, "low must be a number"),
    ],
)
def test_data_rejects_bad_arguments(kwargs, error, match) -> None:
    with pytest.raises(error, match=match):
        cs.sum_of_squares_data(**kwargs)


def test_train_case_rejects_bad_arguments() -> None:
    train = cs.sum_of_squares_data(100, seed=1)
    model = cs.handmade_model()
    with pytest.raises(TypeError, match="SharedElementwiseMLP"):
        cs.train_case(nn.Linear(64, 1), train, train, epochs=1)  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="lr must be a finite number > 0, got -0.1"):
        cs.train_case(model, train, train, epochs=1, lr=-0.1)
    with pytest.raises(ValueError, match="epochs must be >= 0, got -1"):
        cs.train_case(model, train, train, epochs=-1)
    with pytest.raises(ValueError, match="batch_size must be >= 1, got 0"):
        cs.train_case(model, train, train, epochs=1, batch_size=0)
    with pytest.raises(TypeError, match="val_data must be a Dataset"):
        cs.train_case(model, train, train.x, epochs=1)  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="train_data needs x of shape"):
        cs.train_case(model, (train.x, train.x), train, epochs=1)
    with pytest.raises(ValueError, match="mode must be 'eval' or 'train', got 'test'"):
        cs.predict(model, train.x, mode="test")
    with pytest.raises(ValueError, match=r"p must be in \[0, 1\)"):
        cs.expected_under_input_dropout(lambda t: t, train.x, 1.5)
