"""Unit tests of mlpbook.chapters.softmax: the fused softmax-cross-entropy, proven equal to PyTorch."""

from __future__ import annotations

import numpy as np
import pytest
import torch
import torch.nn.functional as F

from mlpbook.chapters import backprop, softmax


@pytest.mark.parametrize("smoothing", [0.0, 0.1])
def test_fused_loss_and_gradient_equal_torch(smoothing: float) -> None:
    gen = torch.Generator().manual_seed(0)
    z = torch.randn(16, 5, generator=gen, dtype=torch.float64) * 3
    labels = torch.randint(0, 5, (16,), generator=gen)
    fused = softmax.SoftmaxCrossEntropy(label_smoothing=smoothing)
    loss = fused.forward(z.numpy(), labels)
    zt = z.clone().requires_grad_()
    expected = F.cross_entropy(zt, labels, label_smoothing=smoothing)
    expected.backward()
    assert loss == pytest.approx(expected.item(), rel=1e-13)
    np.testing.assert_allclose(fused.backward(), zt.grad.numpy(), rtol=1e-12, atol=1e-16)


def test_gradient_is_p_minus_y_over_batch() -> None:
    z = np.array([[0.0, 1.0, 2.0], [3.0, 0.0, -1.0]])
    fused = softmax.SoftmaxCrossEntropy()
    fused.forward(z, torch.tensor([2, 0]))
    expected = (softmax.softmax(z) - softmax.one_hot(torch.tensor([2, 0]), 3)) / 2
    np.testing.assert_allclose(fused.backward(), expected)


def test_large_logits_overflow_only_the_naive_softmax() -> None:
    z = np.array([[1000.0, 2000.0, 3000.0]])
    assert np.isnan(softmax.naive_softmax(z)).any()
    np.testing.assert_allclose(softmax.softmax(z), [[0.0, 0.0, 1.0]])
    assert softmax.SoftmaxCrossEntropy().forward(z, torch.tensor([0])) == pytest.approx(2000.0)
    np.testing.assert_allclose(softmax.logsumexp(np.array([[0.0, 0.0]])), [np.log(2)])


def test_scratch_network_gradients_equal_autograd() -> None:
    model = backprop.ScratchMLP([4, 6, 3], ["relu", "identity"], seed=1)
    x = np.random.default_rng(0).normal(size=(10, 4))
    labels = torch.tensor([0, 1, 2, 0, 1, 2, 0, 1, 2, 0])
    fused = softmax.SoftmaxCrossEntropy()
    fused.forward(model.forward(x), labels)
    model.backward(fused.backward())
    net = backprop.to_torch(model)
    F.cross_entropy(net(torch.from_numpy(x)), labels).backward()
    linears = [m for m in net if isinstance(m, torch.nn.Linear)]
    for (gw, gb), lin in zip(model.gradients(), linears):
        np.testing.assert_allclose(gw, lin.weight.grad.T.numpy(), rtol=1e-10, atol=1e-14)
        np.testing.assert_allclose(gb, lin.bias.grad.numpy(), rtol=1e-10, atol=1e-14)


def test_train_step_lowers_the_loss() -> None:
    model = backprop.ScratchMLP([4, 8, 3], ["relu", "identity"], seed=0)
    x = np.random.default_rng(1).normal(size=(30, 4))
    labels = torch.tensor([i % 3 for i in range(30)])
    first = softmax.train_step_ce(model, x, labels, 0.1)
    for _ in range(20):
        last = softmax.train_step_ce(model, x, labels, 0.1)
    assert last < first


def test_bad_input_is_refused() -> None:
    fused = softmax.SoftmaxCrossEntropy()
    with pytest.raises(ValueError, match="must lie in 0..2"):
        fused.forward(np.zeros((2, 3)), torch.tensor([0, 3]))
    with pytest.raises(TypeError, match="integer class indices"):
        fused.forward(np.zeros((2, 3)), torch.tensor([0.0, 1.0]))
    with pytest.raises(ValueError, match="2 rows of logits but 3 labels"):
        fused.forward(np.zeros((2, 3)), torch.tensor([0, 1, 2]))
    with pytest.raises(ValueError, match=r"shape \(batch, classes\)"):
        fused.forward(np.zeros(3), torch.tensor([0]))
    with pytest.raises(RuntimeError, match="before forward"):
        softmax.SoftmaxCrossEntropy().backward()
    with pytest.raises(ValueError, match=r"label_smoothing must be in \[0, 1\)"):
        softmax.SoftmaxCrossEntropy(label_smoothing=1.0)
    sigmoid_out = backprop.ScratchMLP([2, 3], ["sigmoid"])
    with pytest.raises(ValueError, match="must output logits"):
        softmax.train_step_ce(sigmoid_out, np.zeros((1, 2)), torch.tensor([0]), 0.1)
