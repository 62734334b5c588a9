r"""Named weight initializers, applied to every ``nn.Linear`` of a model.

================== ====================================================================================================
name               weights :math:`W \in \mathbb R^{n_\text{out} \times n_\text{in}}`
================== ====================================================================================================
``default``        PyTorch's own :math:`U(\pm 1/\sqrt{n_\text{in}})`, variance :math:`1/(3 n_\text{in})`
``he``             :math:`\mathcal N(0, 2 / n_\text{in})` (He et al. 2015)
``xavier``         :math:`\mathcal N(0, 2 / (n_\text{in} + n_\text{out}))` (Glorot and Bengio 2010)
``small``          :math:`\mathcal N(0, 0.01^2)`
``large``          :math:`\mathcal N(0, 1)`
``identity``       :math:`I` (square layers only)
``zeros``          :math:`0` (every unit identical: symmetry is never broken)
``constant``       :math:`1 / n_\text{in}`: every unit starts as the mean of its inputs
``he_leaky``       :math:`\mathcal N(0, g^2 / n_\text{in})`, :math:`g = \sqrt{2/(1+\alpha^2)}`, :math:`\alpha = 0.01`
``xavier_uniform`` :math:`U(\pm\sqrt{6 / (n_\text{in} + n_\text{out})})`, the variance of ``xavier``
``he_uniform``     :math:`U(\pm\sqrt{6 / n_\text{in}})`, the variance of ``he``
================== ====================================================================================================

Biases are set to zero by every initializer except ``default`` (which draws them from
the same range as the weights).

Why these scales: a unit :math:`z = \sum_{i=1}^{n} w_i x_i` with independent,
zero-mean weights of variance :math:`\sigma^2` has
:math:`\operatorname{Var}(z) = n \sigma^2 \, \mathbb E[x_i^2]`. If the inputs
are the outputs :math:`f(z')` of the previous layer, :math:`\mathbb E[f(z')^2] = c_f
\operatorname{Var}(z')` with :math:`c_f = 1/2` for ReLU and :math:`(1 + \alpha^2)/2`
for Leaky ReLU, so the variance is kept from layer to layer exactly when
:math:`\sigma^2 = 1 / (c_f\, n_\text{in})`: He's :math:`2 / n_\text{in}`. Xavier's
:math:`2 / (n_\text{in} + n_\text{out})` is a compromise between keeping the
forward signal (:math:`1/n_\text{in}`) and the backward one
(:math:`1/n_\text{out}`) for an activation with slope 1 at 0, such as tanh.

Symmetry: with ``constant`` or ``zeros`` weights and zero biases, all units of a
layer compute the same function and receive the same gradient, so gradient
descent keeps them identical forever.

Besides a name, :func:`initialize` accepts any function ``fill(weight,
generator)`` that fills a weight in place, such as ``he_normal(0.2)`` (He for Leaky ReLU with slope 0.2).
"""

from __future__ import annotations

import math
from collections.abc import Callable

import torch
from torch import nn

from ._checks import check_float
from .activations import ACTIVATIONS

__all__ = [
    "INITIALIZERS",
    "Fill",
    "initializer_names",
    "initialize",
    "leaky_relu_gain",
    "he_normal",
]

Fill = Callable[[torch.Tensor, torch.Generator | None], None]
"""A function ``fill(weight, generator)`` that fills a weight of shape ``(n_out, n_in)`` in place."""


def _identity(w: torch.Tensor, g: torch.Generator | None) -> None:
    if w.shape[0] != w.shape[1]:
        raise ValueError(
            f"the identity initializer needs square layers, got a layer of shape {tuple(w.shape)}"
        )
    nn.init.eye_(w)


def _normal(std_of: Callable[[int, int], float]) -> Fill:
    def init(w: torch.Tensor, g: torch.Generator | None) -> None:
        fan_out, fan_in = w.shape
        with torch.no_grad():
            w.normal_(0.0, std_of(fan_in, fan_out), generator=g)

    return init


def _uniform(bound_of: Callable[[int, int], float]) -> Fill:
    def init(w: torch.Tensor, g: torch.Generator | None) -> None:
        fan_out, fan_in = w.shape
        bound = bound_of(fan_in, fan_out)
        with torch.no_grad():
            w.uniform_(-bound, bound, generator=g)

    return init


def _constant(w: torch.Tensor, g: torch.Generator | None) -> None:
    with torch.no_grad():
        w.fill_(1.0 / w.shape[1])


def leaky_relu_gain(negative_slope: float) -> float:
    r"""He's gain for Leaky ReLU, :math:`g = \sqrt{2 / (1 + \alpha^2)}`.

    For :math:`z \sim \mathcal N(0, s^2)`, Leaky ReLU with slope :math:`\alpha`
    has :math:`\mathbb E[f(z)^2] = \frac{1 + \alpha^2}{2} s^2`, so weights of
    variance :math:`g^2 / n_\text{in}` keep the variance from layer to layer.
    :math:`\alpha = 0` is ReLU (:math:`g = \sqrt 2`), :math:`\alpha = 1` the
    identity (:math:`g = 1`). Equals ``torch.nn.init.calculate_gain("leaky_relu", alpha)``.

    Raises:
        TypeError: if ``negative_slope`` is not a number.
        ValueError: if it is negative or not finite.
    """
    negative_slope = check_float("negative_slope", negative_slope, minimum=0.0)
    return math.sqrt(2.0 / (1.0 + negative_slope**2))


def he_normal(negative_slope: float = 0.0) -> Fill:
    r"""He initialization for (Leaky) ReLU with slope ``negative_slope``:
    :math:`W_{ij} \sim \mathcal N(0, g^2 / n_\text{in})`, :math:`g` = :func:`leaky_relu_gain`.

    Returns a fill function for :func:`initialize` or ``make_mlp(..., init=...)``.

    >>> import torch
    >>> layer = torch.nn.Linear(400, 300)
    >>> _ = initialize(layer, he_normal(1.0), generator=torch.Generator().manual_seed(0))
    >>> round(layer.weight.std().item() * 400 ** 0.5, 1)   # gain 1 for slope 1
    1.0
    """
    gain = leaky_relu_gain(negative_slope)
    return _normal(lambda fan_in, fan_out: gain / math.sqrt(fan_in))


INITIALIZERS: dict[str, Fill | None] = {
    "default": None,
    "he": _normal(lambda fan_in, fan_out: (2.0 / fan_in) ** 0.5),
    "xavier": _normal(lambda fan_in, fan_out: (2.0 / (fan_in + fan_out)) ** 0.5),
    "small": _normal(lambda fan_in, fan_out: 0.01),
    "large": _normal(lambda fan_in, fan_out: 1.0),
    "identity": _identity,
    "zeros": lambda w, g: nn.init.zeros_(w),
    "constant": _constant,
    "he_leaky": he_normal(getattr(ACTIVATIONS["leaky_relu"](), "negative_slope", 0.01)),
    "xavier_uniform": _uniform(lambda fan_in, fan_out: math.sqrt(6.0 / (fan_in + fan_out))),
    "he_uniform": _uniform(lambda fan_in, fan_out: math.sqrt(6.0 / fan_in)),
}
"""Name -> function ``(weight, generator)`` that fills a weight in place (``None``: keep PyTorch's)."""


def initializer_names() -> list[str]:
    """The registered initializer names."""
    return list(INITIALIZERS)


def initialize(
    model: nn.Module, name: str | Fill, *, generator: torch.Generator | None = None
) -> nn.Module:
    """Re-initialize every ``nn.Linear`` in ``model`` with the named scheme, in place.

    Args:
        model: any module; its ``nn.Linear`` submodules are visited in order.
        name: one of :data:`INITIALIZERS` (case-insensitive), or a :data:`Fill`
            function such as ``he_normal(0.2)``.
        generator: optional ``torch.Generator`` for the random draws.

    Returns:
        ``model``, for chaining.

    Raises:
        ValueError: for an unknown name (the message lists the valid ones).
        TypeError: if ``name`` is neither a string nor callable.
    """
    if callable(name):
        fill = name
    elif not isinstance(name, str):
        raise TypeError(
            f"init must be an initializer name ({', '.join(INITIALIZERS)}) or a function "
            f"fill(weight, generator); got {name!r} ({type(name).__name__})"
        )
    elif name.lower() not in INITIALIZERS:
        raise ValueError(f"unknown initializer {name!r}; valid names: {', '.join(INITIALIZERS)}")
    else:
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
