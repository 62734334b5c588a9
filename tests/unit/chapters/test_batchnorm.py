"""Unit tests of mlpbook.batchnorm: the from-scratch batch norm equals nn.BatchNorm1d."""

from __future__ import annotations

import pytest
import torch
from torch import nn

from mlpbook.chapters.batchnorm import ScratchBatchNorm, batchnorm_backward, batchnorm_forward

F64 = torch.float64


def _pair(num_features: int = 3, momentum: float = 0.1, seed: int = 0):
    g = torch.Generator().manual_seed(seed)
    scratch = ScratchBatchNorm(num_features, momentum=momentum)
    scratch.weight = 1.0 + 0.5 * torch.randn(num_features, generator=g, dtype=F64)
    scratch.bias = torch.randn(num_features, generator=g, dtype=F64)
    return scratch, scratch.to_torch(), g


def _step(
    scratch: ScratchBatchNorm, module: nn.BatchNorm1d, x: torch.Tensor, upstream: torch.Tensor
):
    leaf = x.clone().requires_grad_(True)
    module.zero_grad(set_to_none=True)
    y_torch = module(leaf)
    y_torch.backward(upstream)
    y = scratch.forward(x)
    grad_x = scratch.backward(upstream)
    return y, y_torch.detach(), grad_x, leaf.grad


@pytest.mark.parametrize("batch", [2, 5, 32])
def test_training_mode_matches_torch(batch) -> None:
    scratch, module, g = _pair()
    for _ in range(4):
        x = 3.0 + 2.0 * torch.randn(batch, 3, generator=g, dtype=F64)
        upstream = torch.randn(batch, 3, generator=g, dtype=F64)
        y, y_torch, grad_x, grad_x_torch = _step(scratch, module, x, upstream)
        assert y.shape == grad_x.shape == (batch, 3)
        torch.testing.assert_close(y, y_torch, rtol=0, atol=1e-12)
        torch.testing.assert_close(grad_x, grad_x_torch, rtol=0, atol=1e-12)
        torch.testing.assert_close(scratch.grad_weight, module.weight.grad, rtol=0, atol=1e-12)
        torch.testing.assert_close(scratch.grad_bias, module.bias.grad, rtol=0, atol=1e-12)
        torch.testing.assert_close(scratch.running_mean, module.running_mean, rtol=0, atol=1e-12)
        torch.testing.assert_close(scratch.running_var, module.running_var, rtol=0, atol=1e-12)
    assert scratch.num_batches_tracked == int(module.num_batches_tracked) == 4


def test_eval_mode_matches_torch_and_leaves_statistics_alone() -> None:
    scratch, module, g = _pair()
    for _ in range(3):  # give the running statistics non-trivial values
        _step(
            scratch,
            module,
            torch.randn(8, 3, generator=g, dtype=F64) * 2 + 1,
            torch.randn(8, 3, generator=g, dtype=F64),
        )
    scratch.eval()
    module.eval()
    mean, var = scratch.running_mean.clone(), scratch.running_var.clone()
    x = torch.randn(5, 3, generator=g, dtype=F64)
    upstream = torch.randn(5, 3, generator=g, dtype=F64)
    y, y_torch, grad_x, grad_x_torch = _step(scratch, module, x, upstream)
    torch.testing.assert_close(y, y_torch, rtol=0, atol=1e-12)
    torch.testing.assert_close(grad_x, grad_x_torch, rtol=0, atol=1e-12)
    torch.testing.assert_close(scratch.grad_weight, module.weight.grad, rtol=0, atol=1e-12)
    torch.testing.assert_close(scratch.grad_bias, module.bias.grad, rtol=0, atol=1e-12)
    assert torch.equal(scratch.running_mean, mean) and torch.equal(scratch.running_var, var)
    torch.testing.assert_close(module.running_var, var, rtol=0, atol=1e-12)
    # one sample at a time gives the same outputs: no dependence on the batch
    single = torch.cat([scratch.forward(x[i : i + 1]) for i in range(5)])
    torch.testing.assert_close(single, y, rtol=0, atol=1e-14)


def test_biased_variance_normalizes_unbiased_variance_is_stored() -> None:
    x = torch.tensor([[1.0], [2.0], [4.0], [9.0]], dtype=F64)
    bn = ScratchBatchNorm(1, eps=1e-5)
    y = bn.forward(x)
    biased, unbiased = x.var(unbiased=False), x.var(unbiased=True)
    torch.testing.assert_close(y, (x - x.mean()) / torch.sqrt(biased + 1e-5))
    torch.testing.assert_close(
        bn.running_var, 0.9 * torch.ones(1, dtype=F64) + 0.1 * unbiased.reshape(1)
    )
    torch.testing.assert_close(bn.running_mean, 0.1 * x.mean().reshape(1))


def test_to_torch_copies_state_and_mode() -> None:
    scratch, _, g = _pair(momentum=0.3)
    scratch.forward(torch.randn(6, 3, generator=g, dtype=F64))
    scratch.eval()
    module = scratch.to_torch()
    assert not module.training and module.momentum == 0.3
    assert torch.equal(module.running_var, scratch.running_var)
    assert torch.equal(module.weight.data, scratch.weight)


def test_gradient_matches_finite_differences() -> None:
    g = torch.Generator().manual_seed(1)
    x = torch.randn(6, 2, generator=g, dtype=F64)
    gamma, beta = torch.tensor([1.5, -0.7], dtype=F64), torch.tensor([0.2, 0.3], dtype=F64)
    upstream = torch.randn(6, 2, generator=g, dtype=F64)
    _, cache = batchnorm_forward(x, gamma, beta)
    grad_x, grad_gamma, grad_beta = batchnorm_backward(upstream, cache)
    assert grad_gamma.shape == grad_beta.shape == (2,)
    h = 1e-6
    for i in range(6):
        for k in range(2):
            step = torch.zeros_like(x)
            step[i, k] = h
            up = (upstream * batchnorm_forward(x + step, gamma, beta)[0]).sum()
            down = (upstream * batchnorm_forward(x - step, gamma, beta)[0]).sum()
            assert abs(float((up - down) / (2 * h)) - float(grad_x[i, k])) < 1e-7
    torch.testing.assert_close(grad_x.sum(dim=0), torch.zeros(2, dtype=F64), rtol=0, atol=1e-12)


def test_float32_input_is_converted_to_the_layer_dtype() -> None:
    bn = ScratchBatchNorm(2)
    assert bn.forward(torch.randn(4, 2)).dtype == F64


@pytest.mark.parametrize(
    "call, error, words",
    [
        (lambda: ScratchBatchNorm(0), ValueError, "num_features must be >= 1"),
        (lambda: ScratchBatchNorm(2, momentum=1.5), ValueError, "momentum must be in"),
        (lambda: ScratchBatchNorm(2, eps=0.0), ValueError, "eps must be a finite number > 0"),
        (lambda: ScratchBatchNorm(2).forward(torch.randn(1, 2)), ValueError, "at least 2 samples"),
        (
            lambda: ScratchBatchNorm(2).forward(torch.randn(4, 3)),
            ValueError,
            "must have 2 features",
        ),
        (
            lambda: ScratchBatchNorm(2).forward(torch.randn(4)),
            ValueError,
            "shape \\(batch, features\\)",
        ),
        (lambda: ScratchBatchNorm(2).forward([[1.0, 2.0]]), TypeError, "must be a torch.Tensor"),
        (lambda: ScratchBatchNorm(2).backward(torch.randn(4, 2)), RuntimeError, "before forward"),
        (lambda: ScratchBatchNorm(2).train("no"), TypeError, "mode must be True or False"),
        (
            lambda: batchnorm_forward(
                torch.randn(4, 2), torch.ones(2), torch.zeros(2), mean=torch.zeros(2)
            ),
            ValueError,
            "both mean and var",
        ),
    ],
)
def test_rejects_bad_arguments(call, error, words) -> None:
    with pytest.raises(error, match=words):
        call()


def test_eval_mode_accepts_a_single_sample() -> None:
    bn = ScratchBatchNorm(2).eval()
    assert bn.forward(torch.randn(1, 2, dtype=F64)).shape == (1, 2)
