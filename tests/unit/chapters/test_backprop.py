"""Unit tests of the from-scratch MLP (mlpbook.scratch) and its data sets.

The hand-written forward and backward passes are checked against PyTorch's
autograd: activation by activation, and on random architectures (depths,
widths, activation orders, batch sizes) for predictions, every gradient and
one training step, all in float64.
"""

from __future__ import annotations

import warnings

import numpy as np
import pytest
import torch
import torch.nn.functional as F
from torch import nn

import mlpbook
from mlpbook.chapters import backprop as scratch
from mlpbook.data import diagonal_flip, synthetic_regression

RTOL = 1e-10


def assert_same(ours, theirs, rtol: float = RTOL) -> None:
    """Entry-wise close, with an absolute tolerance scaled to the tensor's largest entry."""
    theirs = torch.as_tensor(theirs).detach().to(torch.float64)
    ours = torch.as_tensor(np.asarray(ours, dtype=np.float64))
    scale = float(theirs.abs().max()) if theirs.numel() else 0.0
    torch.testing.assert_close(ours, theirs, rtol=rtol, atol=rtol * scale + 1e-300)


def linears(model: nn.Sequential) -> list[nn.Linear]:
    return [m for m in model if isinstance(m, nn.Linear)]


# --- activations ------------------------------------------------------------------


@pytest.mark.parametrize("name", scratch.activation_names())
def test_activation_forward_and_backward_match_autograd(name: str) -> None:
    rng = np.random.default_rng(0)
    z = rng.normal(scale=3.0, size=(6, 7))
    g = rng.normal(size=(6, 7))
    act = scratch.get_activation(name)
    a = act.forward(z)
    grad_z = act.backward(g)

    zt = torch.tensor(z, requires_grad=True)
    module = act.torch_module()
    at = zt if module is None else module(zt)
    (at * torch.from_numpy(g)).sum().backward()
    assert_same(a, at, rtol=1e-13)
    assert_same(grad_z, zt.grad, rtol=1e-13)
    assert a.shape == grad_z.shape == z.shape


def test_relu_derivative_at_zero_is_zero_like_pytorch() -> None:
    relu = scratch.ReLU()
    relu.forward(np.zeros((1, 3)))
    assert np.array_equal(relu.backward(np.ones((1, 3))), np.zeros((1, 3)))


def test_sigmoid_and_softmax_are_stable_for_large_inputs() -> None:
    z = np.array([[-800.0, -30.0, 0.0, 30.0, 800.0]])
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        s = scratch.Sigmoid().forward(z)
        p = scratch.Softmax().forward(z)
    assert np.all(np.isfinite(s)) and s[0, 0] == 0.0 and s[0, -1] == 1.0
    assert np.all(np.isfinite(p)) and p.sum() == pytest.approx(1.0)
    assert_same(s, torch.sigmoid(torch.from_numpy(z)), rtol=1e-13)


def test_softmax_backward_is_the_jacobian_vector_product() -> None:
    rng = np.random.default_rng(1)
    z, g = rng.normal(size=(3, 5)), rng.normal(size=(3, 5))
    softmax = scratch.Softmax()
    s = softmax.forward(z)
    full = np.stack([(np.diag(si) - np.outer(si, si)) @ gi for si, gi in zip(s, g)])
    np.testing.assert_allclose(softmax.backward(g), full, rtol=1e-12, atol=1e-15)


# --- random architectures against nn.Sequential ------------------------------------


def random_case(seed: int) -> tuple[scratch.ScratchMLP, np.ndarray, np.ndarray]:
    """A random architecture (depth 1-4, widths 1-9, any activations), batch and targets."""
    rng = np.random.default_rng(100 + seed)
    depth = int(rng.integers(1, 5))
    sizes = [int(s) for s in rng.integers(1, 10, size=depth + 1)]
    names = scratch.activation_names()
    activations = [names[int(i)] for i in rng.integers(0, len(names), size=depth)]
    batch = int(rng.integers(1, 18))
    model = scratch.ScratchMLP(sizes, activations, seed=seed)
    x = rng.normal(size=(batch, sizes[0]))
    y = rng.normal(size=(batch, sizes[-1]))
    return model, x, y


@pytest.mark.parametrize("seed", range(16))
def test_random_architecture_matches_pytorch(seed: int) -> None:
    model, x, y = random_case(seed)
    twin = scratch.to_torch(model)
    assert len(linears(twin)) == len(model.layers)

    # predictions
    xt = torch.tensor(x, requires_grad=True)
    pred = twin(xt)
    y_hat = model.forward(x)
    assert_same(y_hat, pred)

    # gradients of every parameter and of the input
    F.mse_loss(pred, torch.from_numpy(y)).backward()
    grad_x = model.backward(scratch.mse_grad(y_hat, y))
    assert_same(grad_x, xt.grad)
    for (gW, gb), lin in zip(model.gradients(), linears(twin)):
        assert gW.shape == lin.weight.shape[::-1] and gb.shape == lin.bias.shape
        assert_same(gW, lin.weight.grad.T)
        assert_same(gb, lin.bias.grad)

    # one training step
    lr = 0.1
    loss = scratch.train_step(model, x, y, lr)
    twin.zero_grad()
    optimizer = torch.optim.SGD(twin.parameters(), lr=lr)
    torch_loss = F.mse_loss(twin(torch.from_numpy(x)), torch.from_numpy(y))
    torch_loss.backward()
    optimizer.step()
    assert loss == pytest.approx(torch_loss.item(), rel=RTOL)
    for (W, b), lin in zip(model.parameters(), linears(twin)):
        assert_same(W, lin.weight.T)
        assert_same(b, lin.bias)


@pytest.mark.parametrize("batch_size", [1, 3, 10])
def test_fit_matches_fit_torch(batch_size: int) -> None:
    rng = np.random.default_rng(7)
    x, y = rng.normal(size=(10, 4)), rng.normal(size=(10, 2))
    xv, yv = rng.normal(size=(5, 4)), rng.normal(size=(5, 2))
    model = scratch.ScratchMLP([4, 6, 5, 2], ["tanh", "softmax", "identity"], seed=2)
    twin = scratch.to_torch(model)
    ours = scratch.fit(model, x, y, epochs=3, lr=0.05, batch_size=batch_size, x_val=xv, y_val=yv)
    theirs = scratch.fit_torch(
        twin, x, y, epochs=3, lr=0.05, batch_size=batch_size, x_val=xv, y_val=yv
    )
    steps_per_epoch = len(scratch.minibatches(10, batch_size))
    assert ours.train.shape == ours.val.shape == (4,)
    assert ours.steps.shape == (3 * steps_per_epoch,)
    for name in ("train", "val", "steps"):
        assert_same(getattr(ours, name), torch.from_numpy(getattr(theirs, name)))
    for (W, b), lin in zip(model.parameters(), linears(twin)):
        assert_same(W, lin.weight.T)
        assert_same(b, lin.bias)


def test_to_torch_copies_parameters_and_activations() -> None:
    model = scratch.ScratchMLP([3, 4, 2], ["sigmoid", "identity"], seed=0)
    twin = scratch.to_torch(model)
    assert [type(m) for m in twin] == [nn.Linear, nn.Sigmoid, nn.Linear]
    assert twin[0].weight.dtype == torch.float64
    assert np.array_equal(twin[0].weight.detach().numpy(), model.layers[0].W.T)
    model.layers[0].W[0, 0] += 1.0  # a copy, not a view
    assert not np.array_equal(twin[0].weight.detach().numpy(), model.layers[0].W.T)


def test_backward_updates_bias_then_uses_old_weights() -> None:
    layer = scratch.Dense.from_parameters(np.array([[2.0]]), np.array([0.0]))
    layer.forward(np.array([[1.0]]))
    grad_prev = layer.backward(np.array([[1.0]]), lr=0.5)
    assert grad_prev[0, 0] == 2.0  # the old W, not 2 - 0.5
    assert layer.W[0, 0] == 1.5 and layer.b[0] == -0.5


def test_finite_differences_agree_with_backward() -> None:
    rng = np.random.default_rng(3)
    model = scratch.ScratchMLP([3, 4, 4, 2], ["tanh", "sigmoid", "identity"], seed=4)
    x, y = rng.normal(size=(5, 3)), rng.normal(size=(5, 2))
    model.backward(scratch.mse_grad(model.forward(x), y))
    before = [(W.copy(), b.copy()) for W, b in model.parameters()]
    numeric = scratch.finite_difference_gradients(model, x, y, eps=1e-5)
    for (gW, gb), (nW, nb) in zip(model.gradients(), numeric):
        assert scratch.max_relative_difference(gW, nW) < 1e-6
        assert scratch.max_relative_difference(gb, nb) < 1e-6
    for (W, b), (W0, b0) in zip(model.parameters(), before):
        assert np.array_equal(W, W0) and np.array_equal(b, b0)


def test_minibatches_cover_the_rows_in_order() -> None:
    batches = scratch.minibatches(1000, 333)
    assert [(s.start, s.stop) for s in batches] == [(0, 333), (333, 666), (666, 999), (999, 1000)]
    assert scratch.minibatches(5, 10) == [slice(0, 5)]


def test_max_relative_difference() -> None:
    assert scratch.max_relative_difference([1.0, 2.0], [1.0, 2.0]) == 0.0
    assert scratch.max_relative_difference([1.0, 2.5], [1.0, 2.0]) == pytest.approx(0.25)
    assert scratch.max_relative_difference([0.0], [0.0]) == 0.0
    assert scratch.max_relative_difference([1.0], [0.0]) == float("inf")
    assert scratch.max_relative_difference(torch.ones(2), np.ones(2)) == 0.0
    with pytest.raises(ValueError, match="shapes differ"):
        scratch.max_relative_difference(np.ones(2), np.ones(3))


def test_fit_raises_when_training_diverges() -> None:
    rng = np.random.default_rng(0)
    x, y = rng.normal(size=(8, 2)), 1e3 * rng.normal(size=(8, 1))
    model = scratch.ScratchMLP([2, 8, 1], ["relu", "identity"], seed=0)
    with np.errstate(all="ignore"), pytest.raises(mlpbook.TrainingDiverged, match="diverged"):
        scratch.fit(model, x, y, epochs=50, lr=10.0, batch_size=8)


# --- the classic per-sample trainer -------------------------------------------------


def flip_arrays() -> tuple[np.ndarray, np.ndarray]:
    data = diagonal_flip(dtype=torch.float64)
    return data.x.numpy(), data.y.numpy()


def test_he_init_matches_global_numpy_seed() -> None:
    (W1, b1), (W2, b2) = scratch.he_init_one_hidden(4, 8, 4, seed=42)
    state = np.random.get_state()
    try:
        np.random.seed(42)
        expected1 = np.random.randn(4, 8) * np.sqrt(2 / 4)
        expected2 = np.random.randn(8, 4) * np.sqrt(2 / 8)
    finally:
        np.random.set_state(state)
    assert np.array_equal(W1, expected1) and np.array_equal(W2, expected2)
    assert not b1.any() and not b2.any()


def test_per_sample_trainer_final_losses() -> None:
    """What the classic loop (seed 42, lr 0.05, 200 epochs) really prints."""
    x, y = flip_arrays()
    finals = [scratch.train_one_hidden_per_sample(x, y, w)[-1] for w in (2, 8, 16)]
    assert [round(float(v), 4) for v in finals] == [0.0956, 0.0036, 0.0008]


def test_per_sample_trainer_is_fit_with_batch_size_one() -> None:
    x, y = flip_arrays()
    classic = scratch.train_one_hidden_per_sample(x, y, 8, epochs=20)
    (W1, b1), (W2, b2) = scratch.he_init_one_hidden(4, 8, 4, seed=42)
    model = scratch.ScratchMLP.from_layers(
        [scratch.Dense.from_parameters(W1, b1, "relu"), scratch.Dense.from_parameters(W2, b2)]
    )
    curves = scratch.fit(model, x, y, epochs=20, lr=0.025, batch_size=1)
    np.testing.assert_allclose(curves.steps.reshape(20, 16).mean(axis=1) / 2, classic, rtol=1e-12)


# --- errors -----------------------------------------------------------------------------


def test_unknown_activation_lists_valid_names() -> None:
    with pytest.raises(ValueError, match=r"unknown activation 'swish'.*relu.*softmax"):
        scratch.get_activation("swish")
    with pytest.raises(ValueError, match="unknown activation"):
        scratch.ScratchMLP([2, 3, 1], ["gelu", "identity"])
    with pytest.raises(TypeError, match="activation must be a name"):
        scratch.get_activation(3)
    assert isinstance(scratch.get_activation("ReLU"), scratch.ReLU)


def test_shape_errors_name_the_shapes() -> None:
    model = scratch.ScratchMLP([3, 4, 2], ["relu", "identity"])
    with pytest.raises(ValueError, match=r"shape \(batch, 3\), got \(5, 4\)"):
        model.forward(np.zeros((5, 4)))
    with pytest.raises(ValueError, match=r"2-D.*\(3,\)"):
        model.forward(np.zeros(3))
    model.forward(np.zeros((5, 3)))
    with pytest.raises(ValueError, match=r"\(5, 3\).*\(5, 2\)"):
        model.backward(np.zeros((5, 3)))
    with pytest.raises(ValueError, match="same shape"):
        scratch.mse_loss(np.zeros((5, 2)), np.zeros((5, 3)))
    with pytest.raises(ValueError, match="same shape"):
        scratch.mse_grad(np.zeros((5, 2)), np.zeros((4, 2)))
    with pytest.raises(ValueError, match="same number of rows"):
        scratch.fit(model, np.zeros((5, 3)), np.zeros((4, 2)), epochs=1, lr=0.1, batch_size=2)
    with pytest.raises(TypeError, match="numeric array"):
        model.forward([["a", "b", "c"]])


def test_construction_errors() -> None:
    with pytest.raises(ValueError, match="one activation per layer: 2"):
        scratch.ScratchMLP([3, 4, 2], ["relu"])
    with pytest.raises(ValueError, match="at least an input and an output"):
        scratch.ScratchMLP([3], [])
    with pytest.raises(TypeError, match=r"sizes\[1\] must be an int"):
        scratch.ScratchMLP([3, 4.5, 2], ["relu", "identity"])
    with pytest.raises(ValueError, match=r"sizes\[0\] must be >= 1"):
        scratch.ScratchMLP([0, 2], ["identity"])
    with pytest.raises(ValueError, match="layer 0 outputs 4 values but layer 1 takes 3"):
        scratch.ScratchMLP.from_layers([scratch.Dense(2, 4), scratch.Dense(3, 1)])
    with pytest.raises(ValueError, match=r"b must have shape \(3,\)"):
        scratch.Dense.from_parameters(np.zeros((2, 3)), np.zeros(2))
    with pytest.raises(ValueError, match="lr must be a finite number > 0"):
        scratch.fit(
            scratch.ScratchMLP([1, 1], ["identity"]),
            np.zeros((2, 1)),
            np.zeros((2, 1)),
            epochs=1,
            lr=0.0,
            batch_size=1,
        )


def test_backward_before_forward_is_an_error() -> None:
    with pytest.raises(RuntimeError, match="before forward"):
        scratch.Dense(2, 3).backward(np.zeros((1, 3)))
    with pytest.raises(RuntimeError, match="before forward"):
        scratch.Tanh().backward(np.zeros((1, 3)))
    with pytest.raises(RuntimeError, match="no gradients yet"):
        scratch.ScratchMLP([2, 1], ["identity"]).gradients()


# --- data -------------------------------------------------------------------------------


def test_synthetic_regression_shapes_and_noise_floor() -> None:
    data = synthetic_regression()
    assert data.x.shape == (10_100, 6) and data.y.shape == (10_100, 3)
    assert data.x.dtype == data.y.dtype == torch.float64
    assert torch.equal(data.y, synthetic_regression().y)
    assert not torch.equal(data.y, synthetic_regression(seed=1).y)
    design = torch.cat([data.x, torch.ones(len(data.x), 1, dtype=torch.float64)], dim=1)
    coef = torch.linalg.lstsq(design, data.y).solution
    residual = float(((design @ coef - data.y) ** 2).mean())
    assert 0.9 < residual < 1.1  # the noise variance
    zero_rows = (coef[:6].abs().max(dim=1).values < 0.1).sum().item()
    assert zero_rows == 1  # one feature of six carries no information
    small = synthetic_regression(
        20, n_features=4, n_informative=2, n_targets=1, noise=0.0, bias=3.0, dtype=torch.float32
    )
    assert small.x.shape == (20, 4) and small.y.shape == (20, 1) and small.y.dtype == torch.float32


@pytest.mark.parametrize(
    "kwargs, error, match",
    [
        (dict(n_informative=7), ValueError, "n_informative must be <= n_features"),
        (dict(n_samples=0), ValueError, "n_samples must be >= 1"),
        (dict(n_targets=1.5), TypeError, "n_targets must be an int"),
        (dict(noise=-1.0), ValueError, "noise must be a finite number >= 0"),
        (dict(noise="1"), TypeError, "noise must be a number"),
    ],
)
def test_synthetic_regression_rejects_bad_arguments(kwargs, error, match) -> None:
    with pytest.raises(error, match=match):
        synthetic_regression(**kwargs)


def test_diagonal_flip() -> None:
    data = diagonal_flip()
    assert data.x.shape == data.y.shape == (16, 4) and data.x.dtype == torch.get_default_dtype()
    assert diagonal_flip(dtype=torch.float32).x.dtype == torch.float32
    assert len({tuple(row) for row in data.x.tolist()}) == 16
    assert set(data.x.unique().tolist()) == {0.0, 1.0}
    assert torch.equal(data.y, data.x[:, [0, 2, 1, 3]])
    assert data.x[1].tolist() == [0.0, 0.0, 0.0, 1.0] and data.x[8].tolist() == [1.0, 0.0, 0.0, 0.0]


def test_scratch_activations_use_the_core_names_and_modules() -> None:
    core = mlpbook.activations.ACTIVATIONS
    for name in scratch.activation_names():
        assert name in core, f"{name!r} is not a name of mlpbook.activations"
        module = scratch.get_activation(name).torch_module()
        expected = type(mlpbook.get_activation(name))
        assert module is None and expected is nn.Identity or type(module) is expected
