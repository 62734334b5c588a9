r"""Batch normalization from scratch: forward and backward, training and evaluation mode.

For a batch :math:`X \in \mathbb R^{B \times d}` (rows are samples) and
per-feature parameters :math:`\gamma, \beta \in \mathbb R^d`, **training mode**
normalizes every feature with the statistics of the batch itself, using the
*biased* variance (divide by :math:`B`):

.. math::
    \mu = \frac1B \sum_i x_i, \qquad
    \sigma^2 = \frac1B \sum_i (x_i - \mu)^2, \qquad
    \hat x_i = \frac{x_i - \mu}{\sqrt{\sigma^2 + \epsilon}}, \qquad
    y_i = \gamma \odot \hat x_i + \beta,

and updates running estimates with momentum :math:`m` (0.1 in PyTorch), storing
the *unbiased* variance (divide by :math:`B - 1`):

.. math::
    \bar\mu \leftarrow (1 - m)\,\bar\mu + m\,\mu, \qquad
    \bar\sigma^2 \leftarrow (1 - m)\,\bar\sigma^2 + m\,\frac{B}{B - 1}\,\sigma^2 .

**Evaluation mode** uses the running estimates instead, so each sample's
output no longer depends on the rest of the batch:
:math:`y_i = \gamma \odot (x_i - \bar\mu) / \sqrt{\bar\sigma^2 + \epsilon} + \beta`.

The backward pass of training mode, with :math:`g_i = \partial L / \partial y_i`
and :math:`\hat g_i = \gamma \odot g_i` (the batch statistics depend on every
sample, which gives the two subtracted means):

.. math::
    \frac{\partial L}{\partial \beta} = \sum_i g_i, \qquad
    \frac{\partial L}{\partial \gamma} = \sum_i g_i \odot \hat x_i, \qquad
    \frac{\partial L}{\partial x_i} = \frac{1}{\sqrt{\sigma^2 + \epsilon}}
        \Bigl(\hat g_i - \frac1B \sum_j \hat g_j - \hat x_i \odot \frac1B \sum_j \hat g_j \odot \hat x_j\Bigr).

In evaluation mode the statistics are constants and
:math:`\partial L / \partial x_i = \hat g_i / \sqrt{\bar\sigma^2 + \epsilon}`.

All arithmetic is explicit tensor algebra, with no autograd, in the dtype of
the layer (float64 by default). :meth:`ScratchBatchNorm.to_torch` builds the
equivalent ``nn.BatchNorm1d`` so the two can be compared number by number.
"""

from __future__ import annotations

from typing import NamedTuple

import torch
from torch import nn

from .._checks import check_int, check_positive_float

__all__ = ["BatchNormCache", "batchnorm_forward", "batchnorm_backward", "ScratchBatchNorm"]


class BatchNormCache(NamedTuple):
    """What the backward pass needs from a forward pass.

    ``x_hat`` has shape ``(B, d)``; ``inv_std`` and ``gamma`` have shape ``(d,)``;
    ``batch_stats`` tells whether the statistics came from the batch (training
    mode) or were constants (evaluation mode).
    """

    x_hat: torch.Tensor
    inv_std: torch.Tensor
    gamma: torch.Tensor
    batch_stats: bool


def _check_batch(x: torch.Tensor, num_features: int | None = None) -> None:
    if not isinstance(x, torch.Tensor):
        raise TypeError(f"x must be a torch.Tensor, got {type(x).__name__}")
    if x.ndim != 2:
        raise ValueError(f"x must have shape (batch, features), got {tuple(x.shape)}")
    if num_features is not None and x.shape[1] != num_features:
        raise ValueError(f"x must have {num_features} features, got shape {tuple(x.shape)}")


def batchnorm_forward(
    x: torch.Tensor,
    gamma: torch.Tensor,
    beta: torch.Tensor,
    *,
    mean: torch.Tensor | None = None,
    var: torch.Tensor | None = None,
    eps: float = 1e-5,
) -> tuple[torch.Tensor, BatchNormCache]:
    r"""Normalize ``x`` of shape ``(B, d)`` per feature; return ``y`` (same shape) and the cache.

    With ``mean`` and ``var`` both ``None`` the statistics are the batch's
    (mean and **biased** variance, training mode; needs ``B >= 2``); otherwise
    the given ``(d,)`` tensors are used as constants (evaluation mode).
    """
    _check_batch(x)
    eps = check_positive_float("eps", eps)
    if (mean is None) != (var is None):
        raise ValueError("give both mean and var (evaluation mode) or neither (training mode)")
    # region: forward
    batch_stats = mean is None
    if batch_stats:
        if x.shape[0] < 2:
            raise ValueError(
                f"training-mode batch norm needs a batch of at least 2 samples, got {x.shape[0]}"
            )
        mean = x.mean(dim=0)
        var = ((x - mean) ** 2).mean(dim=0)  # biased: divide by B
    inv_std = 1.0 / torch.sqrt(var + eps)
    x_hat = (x - mean) * inv_std
    return gamma * x_hat + beta, BatchNormCache(x_hat, inv_std, gamma, batch_stats)
    # endregion: forward


def batchnorm_backward(
    grad_y: torch.Tensor, cache: BatchNormCache
) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
    r"""Gradients ``(dL/dx, dL/dgamma, dL/dbeta)`` from ``dL/dy`` of shape ``(B, d)``.

    Shapes: ``(B, d)``, ``(d,)``, ``(d,)``. See the module docstring for the formulas.
    """
    if grad_y.shape != cache.x_hat.shape:
        raise ValueError(
            f"grad_y has shape {tuple(grad_y.shape)}, the forward output {tuple(cache.x_hat.shape)}"
        )
    # region: backward
    grad_beta = grad_y.sum(dim=0)
    grad_gamma = (grad_y * cache.x_hat).sum(dim=0)
    g_hat = grad_y * cache.gamma
    if cache.batch_stats:
        grad_x = cache.inv_std * (
            g_hat - g_hat.mean(dim=0) - cache.x_hat * (g_hat * cache.x_hat).mean(dim=0)
        )
    else:
        grad_x = g_hat * cache.inv_std
    return grad_x, grad_gamma, grad_beta
    # endregion: backward


class ScratchBatchNorm:
    r"""A batch-norm layer over ``num_features`` features, written by hand.

    Holds :math:`\gamma` (``weight``, ones), :math:`\beta` (``bias``, zeros),
    ``running_mean`` (zeros) and ``running_var`` (ones), like ``nn.BatchNorm1d``.
    :meth:`forward` maps ``(B, d)`` to ``(B, d)`` with batch statistics in
    training mode (and updates the running ones) or the running statistics in
    evaluation mode; :meth:`backward` returns ``dL/dx`` and stores
    ``grad_weight`` and ``grad_bias``.

    Args:
        num_features: :math:`d`.
        eps: :math:`\epsilon` added to the variance (``> 0``).
        momentum: :math:`m` of the running averages, in ``(0, 1]``.
        dtype: dtype of parameters and statistics.

    Example:
        >>> bn = ScratchBatchNorm(3)
        >>> y = bn.forward(torch.randn(8, 3, dtype=torch.float64))
        >>> grad_x = bn.backward(torch.ones(8, 3, dtype=torch.float64))
        >>> y.shape, grad_x.shape, bn.grad_weight.shape
        (torch.Size([8, 3]), torch.Size([8, 3]), torch.Size([3]))
    """

    def __init__(
        self,
        num_features: int,
        *,
        eps: float = 1e-5,
        momentum: float = 0.1,
        dtype: torch.dtype = torch.float64,
    ) -> None:
        self.num_features = check_int("num_features", num_features, minimum=1)
        self.eps = check_positive_float("eps", eps)
        momentum = check_positive_float("momentum", momentum)
        if momentum > 1:
            raise ValueError(f"momentum must be in (0, 1], got {momentum}")
        self.momentum = momentum
        self.weight = torch.ones(num_features, dtype=dtype)
        self.bias = torch.zeros(num_features, dtype=dtype)
        self.running_mean = torch.zeros(num_features, dtype=dtype)
        self.running_var = torch.ones(num_features, dtype=dtype)
        self.num_batches_tracked = 0
        self.training = True
        self.grad_weight: torch.Tensor | None = None
        self.grad_bias: torch.Tensor | None = None
        self._cache: BatchNormCache | None = None

    def train(self, mode: bool = True) -> ScratchBatchNorm:
        """Switch to training mode (``mode=True``) or evaluation mode; returns ``self``."""
        if not isinstance(mode, bool):
            raise TypeError(f"mode must be True or False, got {mode!r}")
        self.training = mode
        return self

    def eval(self) -> ScratchBatchNorm:
        """Switch to evaluation mode (running statistics); returns ``self``."""
        return self.train(False)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        """Normalize ``x`` of shape ``(B, num_features)``; in training mode, update the running statistics."""
        _check_batch(x, self.num_features)
        x = x.to(self.weight.dtype)
        if self.training:
            y, self._cache = batchnorm_forward(x, self.weight, self.bias, eps=self.eps)
            n = x.shape[0]
            m = self.momentum
            batch_mean = x.mean(dim=0)
            unbiased_var = ((x - batch_mean) ** 2).sum(dim=0) / (n - 1)
            self.running_mean = (1 - m) * self.running_mean + m * batch_mean
            self.running_var = (1 - m) * self.running_var + m * unbiased_var
            self.num_batches_tracked += 1
        else:
            y, self._cache = batchnorm_forward(
                x,
                self.weight,
                self.bias,
                mean=self.running_mean,
                var=self.running_var,
                eps=self.eps,
            )
        return y

    __call__ = forward

    def backward(self, grad_y: torch.Tensor) -> torch.Tensor:
        """``dL/dx`` from ``dL/dy`` (shape ``(B, num_features)``) of the last forward pass;
        stores ``grad_weight`` and ``grad_bias``."""
        if self._cache is None:
            raise RuntimeError("ScratchBatchNorm.backward called before forward")
        grad_x, self.grad_weight, self.grad_bias = batchnorm_backward(
            grad_y.to(self.weight.dtype), self._cache
        )
        return grad_x

    def to_torch(self) -> nn.BatchNorm1d:
        """An ``nn.BatchNorm1d`` with the same parameters, running statistics and mode."""
        module = nn.BatchNorm1d(
            self.num_features, eps=self.eps, momentum=self.momentum, dtype=self.weight.dtype
        )
        with torch.no_grad():
            module.weight.copy_(self.weight)
            module.bias.copy_(self.bias)
            module.running_mean.copy_(self.running_mean)
            module.running_var.copy_(self.running_var)
            module.num_batches_tracked.fill_(self.num_batches_tracked)
        return module.train(self.training)

    def __repr__(self) -> str:
        mode = "train" if self.training else "eval"
        return (
            f"ScratchBatchNorm({self.num_features}, eps={self.eps}, momentum={self.momentum}, "
            f"mode={mode!r})"
        )
