r"""Hand-written forward and backward passes for plain MLPs, used to make small
models train fast.

For networks of a few hundred parameters, autograd's bookkeeping costs more than
the arithmetic. For the common case (``Linear`` layers with element-wise
activations, a mean-squared-error loss, full-batch training) the gradients are
short enough to write down. With :math:`Z_\ell = H_{\ell-1} W_\ell^\top + b_\ell`,
:math:`H_\ell = f(Z_\ell)` and :math:`L = \frac{c}{N}\sum (\hat Y - Y)^2` over
all :math:`N` entries (:math:`c = 1` for MSE, :math:`\tfrac12` for half-MSE):

.. math::
    \frac{\partial L}{\partial \hat Y} = \frac{2c}{N}(\hat Y - Y), \qquad
    \frac{\partial L}{\partial Z_\ell} = \frac{\partial L}{\partial H_\ell} \odot f'(Z_\ell),

.. math::
    \frac{\partial L}{\partial W_\ell} = \Big(\frac{\partial L}{\partial Z_\ell}\Big)^{\!\top} H_{\ell-1}, \quad
    \frac{\partial L}{\partial b_\ell} = \mathbf 1^\top \frac{\partial L}{\partial Z_\ell}, \quad
    \frac{\partial L}{\partial H_{\ell-1}} = \frac{\partial L}{\partial Z_\ell} W_\ell .

The same code serves one model (``H`` of shape ``(n, d)``, ``W`` of shape
``(out, in)``) and K stacked models (``(K, n, d)`` and ``(K, out, in)``):
``torch.matmul`` broadcasts over the leading model axis, and every
per-model loss is normalized by its own :math:`N`. The results equal
autograd's to floating-point rounding; the tests check it.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence

import torch
from torch import nn

__all__ = ["DERIVATIVES", "supported", "MLPPass", "Adam"]

Backward = Callable[[torch.Tensor, torch.Tensor], torch.Tensor]

SAVES_OUTPUT: tuple[type[nn.Module], ...] = (nn.Tanh, nn.Sigmoid)
"""Activations whose derivative is cheapest from their output ``a = f(z)``."""

_aten = torch.ops.aten

DERIVATIVES: dict[type[nn.Module], Callable[[nn.Module], Backward]] = {
    nn.ReLU: lambda m: lambda dh, z: _aten.threshold_backward(dh, z, 0.0),  # dh * [z > 0]
    nn.Tanh: lambda m: lambda dh, a: _aten.tanh_backward(dh, a),  # dh * (1 - a^2)
    nn.Sigmoid: lambda m: lambda dh, a: _aten.sigmoid_backward(dh, a),  # dh * a (1 - a)
    nn.LeakyReLU: lambda m: lambda dh, z: _aten.leaky_relu_backward(dh, z, m.negative_slope, False),
    nn.Identity: lambda m: lambda dh, z: dh,
}
r"""Activation type -> (module -> function ``(dL/dH, saved) -> dL/dZ``), where
``saved`` is ``a = f(z)`` for the types in :data:`SAVES_OUTPUT` and ``z``
otherwise. These are the element-wise kernels autograd itself calls, so the
results match autograd's bit for bit up to the order of the matrix products."""


def supported(layers: Sequence[nn.Module]) -> bool:
    """Whether ``layers`` alternate ``Linear`` (with bias) and a supported activation,
    ending in ``Linear``, with no hooks that a hand-written pass would skip."""
    if not layers or not isinstance(layers[-1], nn.Linear):
        return False
    expect_linear = True
    for layer in layers:
        if layer._forward_hooks or layer._forward_pre_hooks or layer._backward_hooks:
            return False
        if expect_linear:
            if not isinstance(layer, nn.Linear) or layer.bias is None:
                return False
        elif type(layer) not in DERIVATIVES:
            return False
        expect_linear = not expect_linear
    return True


def _affine(h: torch.Tensor, w: torch.Tensor, b: torch.Tensor) -> torch.Tensor:
    """``h W^T + b`` with the fewest kernels for each combination of shapes."""
    if h.ndim == 2 and w.ndim == 2:
        return torch.addmm(b, h, w.t())
    if h.ndim == 3:
        return torch.baddbmm(b.unsqueeze(1), h, w.transpose(1, 2))
    if h.shape[1] == 1:  # shared 1-D input, stacked weights: an outer product
        return torch.addcmul(b.unsqueeze(1), h, w.transpose(1, 2))
    return torch.matmul(h, w.transpose(-1, -2)) + b.unsqueeze(-2)  # shared input, stacked weights


class Adam:
    r"""Adam without ``torch.optim``'s per-step bookkeeping: the book's one Adam.

    With gradient :math:`g` at step :math:`t`,

    .. math::
        m \leftarrow \beta_1 m + (1-\beta_1) g, \quad v \leftarrow \beta_2 v + (1-\beta_2) g^2, \quad
        p \leftarrow p - \frac{\eta}{1-\beta_1^t} \frac{m}{\sqrt{v / (1-\beta_2^t)} + \epsilon}.

    With one learning rate :math:`\eta` this runs PyTorch's fused kernel
    (``torch._fused_adam_``, exactly what ``torch.optim.Adam(params, lr,
    fused=True)`` computes). With one learning rate per stacked model (``lr``
    a sequence of K values, parameters of shape ``(K, ...)``, as in
    :mod:`mlpbook.seeds`), the same update is written out with :math:`\eta_k`
    broadcast over model k's entries. Gradients are read from ``.grad``.
    """

    def __init__(
        self,
        params: Sequence[torch.Tensor],
        lr: float | Sequence[float],
        betas: tuple[float, float] = (0.9, 0.999),
        eps: float = 1e-8,
    ) -> None:
        self.params = list(params)
        (self.beta1, self.beta2), self.eps = betas, eps
        self.exp_avgs = [torch.zeros_like(p) for p in self.params]
        self.exp_avg_sqs = [torch.zeros_like(p) for p in self.params]
        device = self.params[0].device if self.params else None
        # one step counter, shared by all tensors (the fused kernel only reads it)
        self.step_count = torch.zeros((), dtype=torch.float32, device=device)
        self.t = 0
        if isinstance(lr, (int, float)):
            self.lr, self.per_model = float(lr), None
        else:
            self.lr = None
            self.per_model = torch.tensor(list(lr), dtype=self.params[0].dtype, device=device)

    def step(self) -> None:
        """One Adam update of every parameter from its ``.grad``."""
        with torch.no_grad():
            self.t += 1
            if self.per_model is None:
                self._fused_step()
            else:
                self._per_model_step()

    def _fused_step(self) -> None:
        self.step_count.add_(1)
        torch._fused_adam_(
            self.params,
            [p.grad for p in self.params],
            self.exp_avgs,
            self.exp_avg_sqs,
            [],
            [self.step_count] * len(self.params),
            amsgrad=False,
            lr=self.lr,
            beta1=self.beta1,
            beta2=self.beta2,
            weight_decay=0.0,
            eps=self.eps,
            maximize=False,
            grad_scale=None,
            found_inf=None,
        )

    def _per_model_step(self) -> None:
        beta1, beta2, eps, t = self.beta1, self.beta2, self.eps, self.t
        for p, m, v in zip(self.params, self.exp_avgs, self.exp_avg_sqs):
            lr_p = self.per_model.view(-1, *([1] * (p.ndim - 1)))
            g = p.grad
            m.mul_(beta1).add_(g, alpha=1 - beta1)
            v.mul_(beta2).addcmul_(g, g, value=1 - beta2)
            denom = (v.sqrt() / math.sqrt(1 - beta2**t)).add_(eps)
            p.sub_((lr_p / (1 - beta1**t)) * m / denom)

    def zero_grad(self, set_to_none: bool = True) -> None:
        """Drop the gradients (the hand-written backward pass overwrites them anyway)."""
        for p in self.params:
            p.grad = None


class MLPPass:
    """Forward and hand-written backward for ``Linear, act, ..., Linear``.

    Args:
        weights: per layer, ``(out, in)`` or stacked ``(K, out, in)`` tensors.
        biases: per layer, ``(out,)`` or ``(K, out)``.
        activations: the activation modules between the layers (one fewer).
        scale: :math:`c` of the loss (1 for MSE, 0.5 for half-MSE).
    """

    def __init__(
        self,
        weights: Sequence[torch.Tensor],
        biases: Sequence[torch.Tensor],
        activations: Sequence[nn.Module],
        scale: float = 1.0,
    ) -> None:
        if len(activations) != len(weights) - 1:
            raise ValueError(
                f"need {len(weights) - 1} activations for {len(weights)} layers, got {len(activations)}"
            )
        self.weights, self.biases = list(weights), list(biases)
        self.activations = list(activations)
        self.derivatives = [DERIVATIVES[type(a)](a) for a in activations]
        self.scale = scale
        self._cache: list[tuple[torch.Tensor, torch.Tensor]] = []

    @classmethod
    def from_sequential(cls, model: nn.Sequential, scale: float = 1.0) -> MLPPass:
        """The pass for an ``nn.Sequential`` that :func:`supported` accepts."""
        layers = list(model)
        if not supported(layers):
            raise ValueError(
                "MLPPass needs Linear (with bias) layers and supported element-wise activations"
            )
        return cls(
            [m.weight for m in layers[::2]], [m.bias for m in layers[::2]], layers[1::2], scale
        )

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        """Predictions ``(n, out)`` (or ``(K, n, out)``); keeps what backward needs.

        Call it (and :meth:`backward`) under ``torch.no_grad()``: the pass
        builds no autograd graph of its own.
        """
        self._cache = []
        h = x
        last = len(self.weights) - 1
        for i, (w, b) in enumerate(zip(self.weights, self.biases)):
            z = _affine(h, w, b)
            if i == last:
                self._cache.append((h, z))
                return z
            a = self.activations[i](z)
            self._cache.append((h, a if isinstance(self.activations[i], SAVES_OUTPUT) else z))
            h = a
        raise AssertionError("unreachable")

    def loss(self, pred: torch.Tensor, y: torch.Tensor) -> torch.Tensor:
        """Per-model loss: a scalar, or shape ``(K,)`` for stacked models."""
        return self.scale * ((pred - y) ** 2).mean(dim=(-2, -1))

    def backward(self, pred: torch.Tensor, y: torch.Tensor) -> None:
        """Write the gradients of the (summed) loss into ``.grad`` of every weight and bias."""
        numel = pred.shape[-2] * pred.shape[-1]
        dz = (2.0 * self.scale / numel) * (pred - y)
        for i in range(len(self.weights) - 1, -1, -1):
            h, _ = self._cache[i]
            w = self.weights[i]
            if dz.ndim == 2:
                w.grad = torch.mm(dz.t(), h)
            else:  # (H^T dZ)^T rather than dZ^T H: the same numbers, in a layout
                # the batched GEMM runs several times faster for skinny layers
                w.grad = torch.matmul(h.transpose(-1, -2), dz).transpose(-1, -2).contiguous()
            self.biases[i].grad = dz.sum(dim=-2)
            if i == 0:
                break
            dh = torch.matmul(dz, w)
            _, saved = self._cache[i - 1]
            dz = self.derivatives[i - 1](dh, saved)
        self._cache = []
