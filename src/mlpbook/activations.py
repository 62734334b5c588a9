"""The registry of activation functions, by name.

Every place in the book that takes an activation by name (``make_mlp``, the
explorers, the experiments) resolves it here, so the set of names is the same
everywhere and an unknown name lists the valid ones.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import NamedTuple

import torch
import torch.nn.functional as F
from torch import nn

from ._checks import check_int, check_positive_float

__all__ = [
    "ACTIVATIONS",
    "activation_names",
    "get_activation",
    "derivative",
    "numerical_range",
    "ActivationRange",
    "max_slope_jump",
    "SwiGLU",
]

ACTIVATIONS: dict[str, Callable[[], nn.Module]] = {
    "relu": nn.ReLU,
    "leaky_relu": lambda: nn.LeakyReLU(0.01),
    "gelu": nn.GELU,
    "gelu_tanh": lambda: nn.GELU(approximate="tanh"),
    "tanh": nn.Tanh,
    "sigmoid": nn.Sigmoid,
    "silu": nn.SiLU,
    "softmax": lambda: nn.Softmax(dim=-1),
    "identity": nn.Identity,
}
"""Name -> zero-argument factory returning a fresh activation module."""


def activation_names() -> list[str]:
    """The registered activation names, in registry order."""
    return list(ACTIVATIONS)


def get_activation(name: str | nn.Module) -> nn.Module:
    """Return a new activation module for ``name``.

    Args:
        name: a registered name (case-insensitive, e.g. ``"relu"``, ``"gelu"``)
            or an ``nn.Module`` instance, which is returned as is.

    Raises:
        TypeError: if ``name`` is neither a string nor a module.
        ValueError: if ``name`` is not registered; the message lists the valid names.
    """
    if isinstance(name, nn.Module):
        return name
    if not isinstance(name, str):
        raise TypeError(
            f"activation must be a name or an nn.Module, got {name!r} ({type(name).__name__})"
        )
    key = name.lower().replace("-", "_")
    if key not in ACTIVATIONS:
        raise ValueError(f"unknown activation {name!r}; valid names: {', '.join(ACTIVATIONS)}")
    return ACTIVATIONS[key]()


# --- measuring an activation function -----------------------------------------
#
# The chapter on activation functions draws every f' and fills its table from
# these functions: derivatives come from autograd, ranges and kinks from a grid.


def _elementwise(activation: str | nn.Module) -> nn.Module:
    module = get_activation(activation)
    if isinstance(module, nn.Softmax):
        raise ValueError(
            f"{activation!r} is not element-wise (each output depends on the whole row), so it has no "
            f"scalar derivative f'(z); use an element-wise activation such as "
            f"{', '.join(n for n in ACTIVATIONS if n != 'softmax')}"
        )
    return module


def derivative(activation: str | nn.Module, z: torch.Tensor) -> torch.Tensor:
    r"""The slope :math:`f'(z)` of an element-wise activation at every entry of ``z``, by autograd.

    For an element-wise :math:`f`, the gradient of :math:`\sum_i f(z_i)` with
    respect to :math:`z` is the vector of :math:`f'(z_i)`, so one backward
    pass gives all slopes. At a kink autograd returns PyTorch's convention
    (e.g. :math:`\operatorname{ReLU}'(0) = 0`).

    Args:
        activation: a registered name or an element-wise ``nn.Module``.
        z: any tensor of floating-point inputs; it is not modified.

    Returns:
        A tensor of the shape and dtype of ``z``.

    Raises:
        TypeError: if ``z`` is not a floating-point tensor.
        ValueError: for an unknown name or a non-element-wise activation (softmax).
    """
    if not isinstance(z, torch.Tensor) or not z.is_floating_point():
        raise TypeError(f"z must be a floating-point torch.Tensor, got {z!r}")
    module = _elementwise(activation)
    with torch.enable_grad():
        leaf = z.detach().clone().requires_grad_(True)
        out = module(leaf)
        if out.shape != leaf.shape:
            raise ValueError(
                f"activation {activation!r} changed the shape {tuple(leaf.shape)} "
                f"to {tuple(out.shape)}; it is not element-wise"
            )
        (slope,) = torch.autograd.grad(out.sum(), leaf)
    return slope


class ActivationRange(NamedTuple):
    """The set of values an activation takes, as measured by :func:`numerical_range`.

    ``low``/``high`` are the infimum and supremum (``±inf`` when unbounded);
    ``low_attained``/``high_attained`` say whether some finite input reaches them.
    ``str()`` gives interval notation, e.g. ``"[0, ∞)"`` or ``"(-1, 1)"``.
    """

    low: float
    high: float
    low_attained: bool
    high_attained: bool

    def format(self, fmt: str = ".3g") -> str:
        """Interval notation with the finite ends formatted by ``fmt``."""

        def end(value: float) -> str:
            if math.isinf(value):
                return "∞" if value > 0 else "−∞"
            return format(value + 0.0, fmt).replace("-", "−")  # + 0.0: no "-0"

        return (
            ("[" if self.low_attained else "(")
            + end(self.low)
            + ", "
            + end(self.high)
            + ("]" if self.high_attained else ")")
        )

    def __str__(self) -> str:
        return self.format()


def numerical_range(
    activation: str | nn.Module, *, limit: float = 15.0, points: int = 30_001
) -> ActivationRange:
    r"""Measure the range of an element-wise activation on a float64 grid.

    On the grid :math:`z_0 = -L < z_1 < \dots < z_{m-1} = L` (``limit`` :math:`L`,
    ``points`` :math:`m`) and at :math:`\pm 2L`:

    * the lower end is **unbounded** if :math:`|f(-2L) - f(-L)| > 10^{-3} L`
      (the function keeps moving as the input doubles);
    * otherwise, if the grid minimum is also reached at some :math:`z_i` with
      :math:`i > 0`, it is **attained** and reported as is (GELU's minimum,
      ReLU's 0);
    * otherwise it is only approached as :math:`z \to -\infty` (sigmoid's 0,
      tanh's −1): reported as :math:`f(-2L)` rounded to 6 decimals, not attained.

    The upper end is measured the same way. ``limit`` must stay small enough
    that float64 does not round a saturating function to its bound (tanh
    reaches 1.0 exactly near :math:`z = 19`); the default 15 is.

    Raises:
        ValueError: for a non-element-wise activation or ``points < 3``.
    """
    module = _elementwise(activation)
    limit = check_positive_float("limit", limit)
    check_int("points", points, minimum=3)
    with torch.no_grad():
        z = torch.linspace(-limit, limit, points, dtype=torch.float64)
        f = module(z)
        far_low, far_high = (
            float(v) for v in module(torch.tensor([-2 * limit, 2 * limit], dtype=torch.float64))
        )
    f0, f1 = float(f[0]), float(f[-1])

    def end(
        grid_extreme: float, edge: float, far: float, interior_extreme: float
    ) -> tuple[float, bool]:
        if abs(far - edge) > 1e-3 * limit:
            return (math.inf if far > edge else -math.inf), False
        if interior_extreme == grid_extreme:
            return grid_extreme, True
        return round(far, 6) + 0.0, False

    low, low_att = end(float(f.min()), f0, far_low, float(f[1:].min()))
    high, high_att = end(float(f.max()), f1, far_high, float(f[:-1].max()))
    return ActivationRange(low, high, low_att, high_att)


def max_slope_jump(
    activation: str | nn.Module, *, limit: float = 5.0, points: int = 100_001
) -> float:
    r"""The largest change of :math:`f'` between neighbouring points of a fine grid.

    .. math:: \max_i |f'(z_{i+1}) - f'(z_i)|, \qquad z_i \text{ evenly spaced on } [-L, L]

    with :math:`f'` from :func:`derivative` in float64. A smooth function gives
    about :math:`h \max|f''|` (tiny for spacing :math:`h = 2L/(m-1)`); a kink
    gives the size of the jump in slope (1 for ReLU at 0). With an odd
    ``points`` the grid contains 0.
    """
    limit = check_positive_float("limit", limit)
    check_int("points", points, minimum=2)
    z = torch.linspace(-limit, limit, points, dtype=torch.float64)
    slope = derivative(activation, z)
    return float((slope[1:] - slope[:-1]).abs().max())


# --- gated units -------------------------------------------------------------


class SwiGLU(nn.Module):
    r"""The SwiGLU gated unit (Shazeer 2020): a SiLU gate times a linear value.

    .. math::
        \operatorname{SwiGLU}(x) = \operatorname{SiLU}(x W^\top + b) \odot (x V^\top + c),
        \qquad \operatorname{SiLU}(u) = u\,\sigma(u),

    with :math:`W, V \in \mathbb R^{d_\text{out} \times d_\text{in}}`. Unlike the
    element-wise activations of :data:`ACTIVATIONS` it has weights of its own
    and changes the width, so it replaces a ``Linear`` + activation pair
    rather than an activation: a transformer's feed-forward block
    ``Linear(d, h), act, Linear(h, d)`` becomes ``SwiGLU(d, h), Linear(h, d)``.

    Shapes: ``(..., in_features)`` -> ``(..., out_features)``.

    Attributes:
        gate: the ``nn.Linear`` computing :math:`x W^\top + b`.
        value: the ``nn.Linear`` computing :math:`x V^\top + c`.
    """

    def __init__(self, in_features: int, out_features: int, *, bias: bool = True) -> None:
        super().__init__()
        check_int("in_features", in_features, minimum=1)
        check_int("out_features", out_features, minimum=1)
        self.gate = nn.Linear(in_features, out_features, bias=bias)
        self.value = nn.Linear(in_features, out_features, bias=bias)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return F.silu(self.gate(x)) * self.value(x)
