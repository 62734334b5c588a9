"""The hand-written MLP pass equals autograd, for one model and for stacked models."""

from __future__ import annotations

import numpy as np
import pytest
import torch
from torch import nn

import mlpbook
from mlpbook._engine import MLPPass, supported

ACTS = ["relu", "tanh", "sigmoid", "leaky_relu", "identity"]


@pytest.mark.parametrize("activation", ACTS)
@pytest.mark.parametrize("sizes", [[3, 5, 2], [2, 7, 6, 5, 1], [1, 4, 4, 4, 4, 3]])
def test_gradients_equal_autograd(activation, sizes) -> None:
    mlpbook.seed_everything(0)
    model = mlpbook.make_mlp(sizes, activation).double()
    x = torch.randn(11, sizes[0], dtype=torch.float64)
    y = torch.randn(11, sizes[-1], dtype=torch.float64)
    torch.nn.functional.mse_loss(model(x), y).backward()
    expected = [p.grad.clone() for p in model.parameters()]
    for p in model.parameters():
        p.grad = None
    fast = MLPPass.from_sequential(model)
    pred = fast.forward(x)
    torch.testing.assert_close(pred, model(x).detach())
    torch.testing.assert_close(
        fast.loss(pred, y), torch.nn.functional.mse_loss(model(x), y).detach()
    )
    fast.backward(pred, y)
    for got, want in zip((p.grad for p in model.parameters()), expected):
        torch.testing.assert_close(got, want, rtol=1e-10, atol=1e-12)


def test_stacked_gradients_equal_per_model_autograd() -> None:
    mlpbook.seed_everything(0)
    models = [mlpbook.make_mlp([2, 6, 6, 3], "tanh").double() for _ in range(4)]
    x = torch.randn(9, 2, dtype=torch.float64)
    y = torch.randn(9, 3, dtype=torch.float64)
    weights = [
        torch.stack([m[i].weight.detach() for m in models]).requires_grad_() for i in (0, 2, 4)
    ]
    biases = [torch.stack([m[i].bias.detach() for m in models]).requires_grad_() for i in (0, 2, 4)]
    fast = MLPPass(weights, biases, [nn.Tanh(), nn.Tanh()], scale=0.5)
    pred = fast.forward(x)
    fast.backward(pred, y)
    for k, m in enumerate(models):
        (0.5 * torch.nn.functional.mse_loss(m(x), y)).backward()
        for j, i in enumerate((0, 2, 4)):
            torch.testing.assert_close(weights[j].grad[k], m[i].weight.grad)
            torch.testing.assert_close(biases[j].grad[k], m[i].bias.grad)


def test_supported() -> None:
    assert supported(list(mlpbook.make_mlp([2, 3, 1], "relu")))
    assert not supported(list(mlpbook.make_mlp([2, 3, 1], "gelu")))
    assert not supported(list(mlpbook.make_mlp([2, 3, 1], bias=False)))
    assert not supported([nn.Linear(2, 2), nn.ReLU()])
    hooked = mlpbook.make_mlp([2, 3, 1])
    hooked[0].register_forward_hook(lambda *a: None)
    assert not supported(list(hooked))
    with pytest.raises(ValueError, match="supported"):
        MLPPass.from_sequential(mlpbook.make_mlp([2, 3, 1], "gelu"))


@pytest.mark.parametrize("activation", ["relu", "gelu"])  # gelu: autograd path
def test_train_fast_path_equals_autograd_path(activation) -> None:
    d = mlpbook.three_clusters(30)

    def run(autograd: bool):
        mlpbook.seed_everything(2)
        m = mlpbook.make_mlp([2, 8, 8, 2], activation)
        return mlpbook.train(
            m,
            d.x,
            d.y,
            epochs=100,
            lr=0.01,
            snapshot_epochs=[100],
            autograd=autograd,
            show_progress=False,
        )

    fast, slow = run(False), run(True)
    np.testing.assert_allclose(fast.loss, slow.loss, rtol=1e-4)
    np.testing.assert_allclose(fast.snapshot(100), slow.snapshot(100), rtol=1e-3, atol=1e-4)
