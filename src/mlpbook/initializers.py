r"""Named weight initializers, applied to every ``nn.Linear`` of a model.

=========== ==============================================================
name        weights :math:`W \in \mathbb R^{n_\text{out} \times n_\text{in}}`
=========== ==============================================================
``default`` PyTorch's own (:math:`U(\pm 1/\sqrt{n_\text{in}})`), left untouched
``he``      :math:`\mathcal N(0, 2 / n_\text{in})` (He et al. 2015)
``xavier``  :math:`\mathcal N(0, 2 / (n_\text{in} + n_\text{out}))` (Glorot and Bengio 2010)
``small``   :math:`\mathcal N(0, 0.01^2)`
``large``   :math:`\mathcal N(0, 1)`
``identity`` :math:`I` (square layers only)
``zeros``   :math:`0` (every unit identical: symmetry is never broken)
=========== ==============================================================

Biases are set to zero by every initializer except ``default``.
"""

from __future__ import annotations

from collections.abc import Callable

import torch
from torch import nn

__all__ = ["INITIALIZERS", "initializer_names", "initialize"]


def _identity(w: torch.Tensor, g: torch.Generator | None) -> None:
    if w.shape[0] != w.shape[1]:
        raise ValueError(f"the identity initializer needs square layers, got a layer of shape {tuple(w.shape)}")
    nn.init.eye_(w)


def _normal(std_of: Callable[[int, int], float]) -> Callable[[torch.Tensor, torch.Generator | None], None]:
    def init(w: torch.Tensor, g: torch.Generator | None) -> None:
        fan_out, fan_in = w.shape
        with torch.no_grad():
            w.normal_(0.0, std_of(fan_in, fan_out), generator=g)

    return init


INITIALIZERS: dict[str, Callable[[torch.Tensor, torch.Generator | None], None] | None] = {
    "default": None,
    "he": _normal(lambda fan_in, fan_out: (2.0 / fan_in) ** 0.5),
    "xavier": _normal(lambda fan_in, fan_out: (2.0 / (fan_in + fan_out)) ** 0.5),
    "small": _normal(lambda fan_in, fan_out: 0.01),
    "large": _normal(lambda fan_in, fan_out: 1.0),
    "identity": _identity,
    "zeros": lambda w, g: nn.init.zeros_(w),
}
"""Name -> function ``(weight, generator)`` that fills a weight in place (``None``: keep PyTorch's)."""


def initializer_names() -> list[str]:
    """The registered initializer names."""
    return list(INITIALIZERS)


def initialize(model: nn.Module, name: str, *, generator: torch.Generator | None = None) -> nn.Module:
    """Re-initialize every ``nn.Linear`` in ``model`` with the named scheme, in place.

    Args:
        model: any module; its ``nn.Linear`` submodules are visited in order.
        name: one of :data:`INITIALIZERS` (case-insensitive).
        generator: optional ``torch.Generator`` for the random draws.

    Returns:
        ``model``, for chaining.

    Raises:
        ValueError: for an unknown name (the message lists the valid ones).
    """
    if not isinstance(name, str) or name.lower() not in INITIALIZERS:
        raise ValueError(f"unknown initializer {name!r}; valid names: {', '.join(INITIALIZERS)}")
    fill = INITIALIZERS[name.lower()]
    if fill is None:
        return model
    for layer in model.modules():
        if isinstance(layer, nn.Linear):
            with torch.no_grad():
                fill(layer.weight, generator)
                if layer.bias is not None:
                    layer.bias.zero_()
    return model
