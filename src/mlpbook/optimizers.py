r"""Optimizers from scratch: gradient descent, momentum, RMSprop, Adam and AdamW.

Each optimizer updates a list of tensors in place from their ``.grad``, as
``torch.optim`` does (``zero_grad()``, then ``loss.backward()``, then
``step()``). With gradient :math:`g_t = \nabla L(\theta_{t-1})` at step
:math:`t = 1, 2, \dots` and learning rate :math:`\eta`:

* :class:`GD`: :math:`\theta_t = \theta_{t-1} - \eta\, g_t`;
* :class:`Momentum` (the heavy ball): :math:`b_t = \mu b_{t-1} + g_t`,
  :math:`\theta_t = \theta_{t-1} - \eta\, b_t`;
* :class:`RMSprop`: :math:`v_t = \alpha v_{t-1} + (1-\alpha) g_t^2`,
  :math:`\theta_t = \theta_{t-1} - \eta\, g_t / (\sqrt{v_t} + \epsilon)`;
* :class:`Adam`: both moving averages, with bias correction;
* :class:`AdamW`: Adam with decoupled weight decay.

Every update is element-wise, so one optimizer over K stacked models
(parameters of shape ``(K, ...)``) is K independent optimizers; ``lr`` may then
be a sequence of K learning rates, one per model (entry k scales slice
``[k]`` of every parameter). The tests prove each class equal to its
``torch.optim`` counterpart.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

import torch

from ._checks import check_float

__all__ = ["Optimizer", "GD", "Momentum", "RMSprop", "Adam", "AdamW", "OPTIMIZER_CLASSES"]


def _check_beta(name: str, value: float) -> float:
    """``value`` if it is a number in ``[0, 1)``; a ValueError naming it otherwise."""
    value = check_float(name, value)
    if not 0.0 <= value < 1.0:
        raise ValueError(f"{name} must be in [0, 1), got {value}")
    return value


class Optimizer:
    """The common part: the parameters, the learning rate, ``zero_grad``, ``step``.

    Args:
        params: the tensors to update (e.g. ``list(model.parameters())``), at least one.
        lr: the learning rate :math:`\\eta \\ge 0`, or one per stacked model.

    Raises:
        ValueError: for an empty parameter list or a negative or non-finite rate.
        TypeError: if a parameter is not a floating-point tensor.
    """

    def __init__(self, params: Iterable[torch.Tensor], lr: float | Sequence[float]) -> None:
        self.params = list(params)
        if not self.params:
            raise ValueError(
                "params is empty: pass the tensors to optimize, e.g. list(model.parameters())"
            )
        for i, p in enumerate(self.params):
            if not isinstance(p, torch.Tensor) or not p.is_floating_point():
                raise TypeError(f"params[{i}] must be a floating-point tensor, got {p!r}")
        self.t = 0  # steps taken
        self.set_lr(lr)

    def set_lr(self, lr: float | Sequence[float]) -> None:
        """Set the learning rate (a schedule calls this before a step)."""
        if isinstance(lr, (list, tuple, torch.Tensor)):
            rates = [check_float("lr", float(v), minimum=0.0) for v in lr]
            k = self.params[0].shape[0] if self.params[0].ndim else 0
            if len(rates) != k or any(p.ndim == 0 or p.shape[0] != k for p in self.params):
                raise ValueError(
                    f"{len(rates)} learning rates need parameters stacked along a first axis "
                    f"of that length, got shapes {[tuple(p.shape) for p in self.params]}"
                )
            self.lr = torch.tensor(rates, dtype=self.params[0].dtype)
        else:
            self.lr = check_float("lr", lr, minimum=0.0)

    def _rate(self, p: torch.Tensor) -> float | torch.Tensor:
        """The learning rate, shaped to broadcast over ``p`` (one per stacked model)."""
        if isinstance(self.lr, float):
            return self.lr
        return self.lr.view(-1, *([1] * (p.ndim - 1)))

    def zero_grad(self) -> None:
        """Forget the gradients (``loss.backward()`` adds to ``.grad``)."""
        for p in self.params:
            p.grad = None

    @torch.no_grad()
    def step(self) -> None:
        """One update of every parameter that has a gradient."""
        self.t += 1
        for i, p in enumerate(self.params):
            if p.grad is not None:
                self.update(i, p, p.grad)

    def update(self, i: int, p: torch.Tensor, g: torch.Tensor) -> None:
        raise NotImplementedError


class GD(Optimizer):
    r"""Plain gradient descent, :math:`\theta_t = \theta_{t-1} - \eta\, g_t`
    (``torch.optim.SGD(params, lr)``)."""

    def __init__(self, params: Iterable[torch.Tensor], lr: float | Sequence[float]) -> None:
        super().__init__(params, lr)

    # region: gd
    def update(self, i, p, g):
        p -= self._rate(p) * g

    # endregion: gd


class Momentum(Optimizer):
    r"""Gradient descent with heavy-ball momentum (Polyak 1964), as ``torch.optim.SGD(params,
    lr, momentum=mu, dampening=d)`` computes it:

    .. math::
        b_1 = g_1, \qquad b_t = \mu\, b_{t-1} + (1 - d)\, g_t, \qquad
        \theta_t = \theta_{t-1} - \eta\, b_t .

    With :math:`d = 0` (the default) a constant gradient is followed with the
    effective rate :math:`\eta / (1 - \mu)`.

    Raises:
        ValueError: if ``momentum`` or ``dampening`` is outside ``[0, 1)``.
    """

    def __init__(
        self,
        params: Iterable[torch.Tensor],
        lr: float | Sequence[float],
        momentum: float = 0.9,
        dampening: float = 0.0,
    ) -> None:
        super().__init__(params, lr)
        self.momentum = _check_beta("momentum", momentum)
        self.dampening = _check_beta("dampening", dampening)
        self.buffers: list[torch.Tensor | None] = [None] * len(self.params)

    # region: momentum
    def update(self, i, p, g):
        b = self.buffers[i]
        if b is None:  # the first step starts the velocity at the gradient
            b = self.buffers[i] = g.clone()
        else:
            b.mul_(self.momentum).add_((1 - self.dampening) * g)
        p -= self._rate(p) * b

    # endregion: momentum


class RMSprop(Optimizer):
    r"""RMSprop (Tieleman and Hinton 2012), ``torch.optim.RMSprop(params, lr, alpha, eps)``:

    .. math::
        v_t = \alpha\, v_{t-1} + (1 - \alpha)\, g_t^2, \qquad
        \theta_t = \theta_{t-1} - \eta\, \frac{g_t}{\sqrt{v_t} + \epsilon},

    with :math:`v_0 = 0`: every entry's step is its gradient divided by a running
    root mean square of its recent gradients.

    Raises:
        ValueError: if ``alpha`` is outside ``[0, 1)`` or ``eps`` is not > 0.
    """

    def __init__(
        self,
        params: Iterable[torch.Tensor],
        lr: float | Sequence[float] = 1e-2,
        alpha: float = 0.99,
        eps: float = 1e-8,
    ) -> None:
        super().__init__(params, lr)
        self.alpha = _check_beta("alpha", alpha)
        self.eps = check_float("eps", eps, positive=True)
        self.v = [torch.zeros_like(p) for p in self.params]

    # region: rmsprop
    def update(self, i, p, g):
        v = self.v[i]
        v.mul_(self.alpha).add_((1 - self.alpha) * g * g)
        p -= self._rate(p) * g / (v.sqrt() + self.eps)

    # endregion: rmsprop


class Adam(Optimizer):
    r"""Adam (Kingma and Ba 2015), ``torch.optim.Adam(params, lr, betas, eps, weight_decay)``:

    .. math::
        m_t = \beta_1 m_{t-1} + (1 - \beta_1)\, g_t, \qquad
        v_t = \beta_2 v_{t-1} + (1 - \beta_2)\, g_t^2,

    .. math::
        \hat m_t = \frac{m_t}{1 - \beta_1^t}, \qquad \hat v_t = \frac{v_t}{1 - \beta_2^t}, \qquad
        \theta_t = \theta_{t-1} - \eta\, \frac{\hat m_t}{\sqrt{\hat v_t} + \epsilon},

    with :math:`m_0 = v_0 = 0`. The bias corrections undo the pull of the zero
    start: without them (``bias_correction=False``) the first step is
    :math:`\eta (1-\beta_1) / \sqrt{1-\beta_2}` times the gradient's sign, about
    3.16 η instead of η for the default betas. ``weight_decay`` λ adds
    :math:`\lambda \theta` to the gradient (an L2 penalty, coupled to the
    adaptive scaling; :class:`AdamW` decouples it).

    Raises:
        ValueError: for betas outside ``[0, 1)``, ``eps`` not > 0 or a negative ``weight_decay``.
    """

    def __init__(
        self,
        params: Iterable[torch.Tensor],
        lr: float | Sequence[float] = 1e-3,
        betas: tuple[float, float] = (0.9, 0.999),
        eps: float = 1e-8,
        weight_decay: float = 0.0,
        *,
        bias_correction: bool = True,
    ) -> None:
        super().__init__(params, lr)
        if not isinstance(betas, (tuple, list)) or len(betas) != 2:
            raise ValueError(f"betas must be a pair (beta1, beta2), got {betas!r}")
        self.beta1 = _check_beta("betas[0]", betas[0])
        self.beta2 = _check_beta("betas[1]", betas[1])
        self.eps = check_float("eps", eps, positive=True)
        self.weight_decay = check_float("weight_decay", weight_decay, minimum=0.0)
        self.bias_correction = bool(bias_correction)
        self.m = [torch.zeros_like(p) for p in self.params]
        self.v = [torch.zeros_like(p) for p in self.params]

    # region: adam
    def update(self, i, p, g):
        if self.weight_decay:
            g = g + self.weight_decay * p  # L2 penalty, part of the gradient
        self.adam_update(i, p, g)

    def adam_update(self, i, p, g):
        m, v, t = self.m[i], self.v[i], self.t
        m.mul_(self.beta1).add_((1 - self.beta1) * g)
        v.mul_(self.beta2).add_((1 - self.beta2) * g * g)
        if self.bias_correction:
            m_hat, v_hat = m / (1 - self.beta1**t), v / (1 - self.beta2**t)
        else:
            m_hat, v_hat = m, v
        p -= self._rate(p) * m_hat / (v_hat.sqrt() + self.eps)

    # endregion: adam


class AdamW(Adam):
    r"""Adam with decoupled weight decay (Loshchilov and Hutter 2019),
    ``torch.optim.AdamW(params, lr, betas, eps, weight_decay)``:

    .. math::
        \theta \leftarrow (1 - \eta\lambda)\,\theta, \quad \text{then the Adam step of } g_t .

    The decay shrinks every weight by the same factor, whatever the scale of its
    gradients; in :class:`Adam` the penalty's gradient is divided by
    :math:`\sqrt{\hat v_t}` like any other, so weights with large gradients are
    barely decayed. The default λ is PyTorch's, 0.01.
    """

    def __init__(
        self,
        params: Iterable[torch.Tensor],
        lr: float | Sequence[float] = 1e-3,
        betas: tuple[float, float] = (0.9, 0.999),
        eps: float = 1e-8,
        weight_decay: float = 1e-2,
    ) -> None:
        super().__init__(params, lr, betas, eps, weight_decay)

    # region: adamw
    def update(self, i, p, g):
        p.mul_(1 - self._rate(p) * self.weight_decay)  # decay, outside the adaptive step
        self.adam_update(i, p, g)

    # endregion: adamw


OPTIMIZER_CLASSES: dict[str, type[Optimizer]] = {
    "gd": GD,
    "momentum": Momentum,
    "rmsprop": RMSprop,
    "adam": Adam,
    "adamw": AdamW,
}
"""The optimizers by name."""
