"""The book's tasks, generated reproducibly from a seed.

Every function returns a :class:`Dataset`: a named tuple ``(x, y)`` of tensors
in torch's default dtype (float64 once :func:`mlpbook.seed_everything` ran),
one sample per row. Each draws its randomness from its own ``torch.Generator``,
so the same seed gives the same data whatever ran before.
"""

from __future__ import annotations

import math
from typing import NamedTuple

import torch

from ._checks import check_float, check_int
from .repro import DEFAULT_SEED, make_generator

__all__ = [
    "Dataset",
    "rotation_matrix",
    "rotation_data",
    "three_clusters",
    "square_curve",
    "quadratic_2d",
    "synthetic_regression",
    "diagonal_flip",
    "wavy_curve",
]


class Dataset(NamedTuple):
    """Inputs ``x`` of shape ``(n, d_in)`` and targets ``y`` of shape ``(n, d_out)``."""

    x: torch.Tensor
    y: torch.Tensor


def rotation_matrix(degrees: float) -> torch.Tensor:
    r"""The 2×2 matrix that rotates **row** vectors counter-clockwise by ``degrees``.

    .. math:: R(\theta) = \begin{pmatrix} \cos\theta & \sin\theta \\ -\sin\theta & \cos\theta \end{pmatrix},
              \qquad x R(\theta) \text{ rotates the row vector } x.
    """
    t = math.radians(check_float("degrees", degrees))
    return torch.tensor([[math.cos(t), math.sin(t)], [-math.sin(t), math.cos(t)]])


def rotation_data(
    n: int = 100,
    *,
    degrees: float = 30.0,
    shift: tuple[float, float] = (5.0, 5.0),
    scale: float = 5.0,
    noise: float = 0.01,
    seed: int = DEFAULT_SEED,
) -> Dataset:
    r"""Points rotated and translated: an affine map a single linear layer can learn exactly.

    .. math:: x \sim 5\,\mathcal N(0, I_2), \qquad y = x R(30^\circ) + (5, 5) + 0.01\,\varepsilon

    Returns ``x`` and ``y`` of shape ``(n, 2)``.
    """
    check_int("n", n, minimum=1)
    scale = check_float("scale", scale, minimum=0.0)
    noise = check_float("noise", noise, minimum=0.0)
    if not (isinstance(shift, (tuple, list)) and len(shift) == 2):
        raise ValueError(f"shift must be a pair of numbers, got {shift!r}")
    shift = tuple(check_float("shift", v) for v in shift)
    g = make_generator(seed)
    x = torch.randn(n, 2, generator=g) * scale
    y = x @ rotation_matrix(degrees) + torch.tensor(shift) + noise * torch.randn(n, 2, generator=g)
    return Dataset(x, y)


def three_clusters(
    n_per_cluster: int = 100, *, noise: float = 0.01, seed: int = DEFAULT_SEED
) -> Dataset:
    r"""Three clusters of 2-D points, each moved by a different linear map.

    .. math::
        x_1 &\sim \mathcal N((3, -3), I), & y_1 &= 3 x_1 + 0.01\varepsilon \\
        x_2 &\sim \mathcal N(0, I),       & y_2 &= x_2 R(150^\circ) + (-3, 3) + 0.01\varepsilon \\
        x_3 &\sim \mathcal N((3, 3), I),  & y_3 &= -5 x_3 - 0.01\varepsilon

    No single affine map fits all three. Returns ``x`` and ``y`` of shape
    ``(3 n_per_cluster, 2)``, cluster by cluster.
    """
    check_int("n_per_cluster", n_per_cluster, minimum=1)
    noise = check_float("noise", noise, minimum=0.0)
    g = make_generator(seed)
    n = n_per_cluster
    x1 = torch.randn(n, 2, generator=g) + torch.tensor([3.0, -3.0])
    y1 = 3 * x1 + noise * torch.randn(n, 2, generator=g)
    x2 = torch.randn(n, 2, generator=g)
    y2 = (
        x2 @ rotation_matrix(150)
        + torch.tensor([-3.0, 3.0])
        + noise * torch.randn(n, 2, generator=g)
    )
    x3 = torch.randn(n, 2, generator=g) + torch.tensor([3.0, 3.0])
    y3 = -5 * x3 - noise * torch.randn(n, 2, generator=g)
    return Dataset(torch.cat([x1, x2, x3]), torch.cat([y1, y2, y3]))


def square_curve(n: int = 1000, *, low: float = -10.0, high: float = 10.0) -> Dataset:
    r"""``n`` evenly spaced points on ``[low, high]`` with target :math:`y = x^2`.

    Returns ``x`` and ``y`` of shape ``(n, 1)``.
    """
    check_int("n", n, minimum=2)
    low, high = check_float("low", low), check_float("high", high)
    if not low < high:
        raise ValueError(f"need low < high, got low={low}, high={high}")
    x = torch.linspace(low, high, n).unsqueeze(1)
    return Dataset(x, x**2)


def quadratic_2d(n: int = 500, *, noise: float = 0.1, seed: int = DEFAULT_SEED) -> Dataset:
    r"""Noisy 2-D inputs along a diagonal and the target :math:`y = 2X + X^2 + 0.5`.

    .. math:: X = [\,t,\; -t\,] + 0.1\,\varepsilon, \quad t = \mathrm{linspace}(-1, 1, n),
              \qquad y = 2X + X^{\odot 2} + 0.5

    Returns ``x`` and ``y`` of shape ``(n, 2)``.
    """
    check_int("n", n, minimum=2)
    noise = check_float("noise", noise, minimum=0.0)
    g = make_generator(seed)
    t = torch.linspace(-1, 1, n)
    x = torch.stack([t, -t], dim=1) + noise * torch.randn(n, 2, generator=g)
    return Dataset(x, 2 * x + x**2 + 0.5)


def synthetic_regression(
    n_samples: int = 10_100,
    n_features: int = 6,
    n_informative: int = 5,
    n_targets: int = 3,
    *,
    noise: float = 1.0,
    bias: float | None = None,
    seed: int = DEFAULT_SEED,
    dtype: torch.dtype = torch.float64,
) -> Dataset:
    r"""A linear regression task with noise, like scikit-learn's ``make_regression`` (without it).

    .. math::
        X \sim \mathcal N(0, I_{d}), \qquad
        Y = X C + \beta + \sigma\,\varepsilon, \qquad \varepsilon \sim \mathcal N(0, I_{t}),

    where :math:`C \in \mathbb R^{d \times t}` has ``n_informative`` nonzero
    rows (chosen at random) with entries :math:`100\,U(0, 1)`, the other rows
    are zero, :math:`\beta` is one scalar (``bias``, or :math:`100\,U(0, 1)`
    drawn from the seed when ``None``) and :math:`\sigma` = ``noise``.
    The best possible mean squared error is therefore :math:`\sigma^2`.

    Returns ``x`` of shape ``(n_samples, n_features)`` and ``y`` of shape
    ``(n_samples, n_targets)``, in ``dtype`` (float64 by default: this task
    compares float64 implementations).

    Raises:
        TypeError, ValueError: for non-integer or out-of-range sizes, or ``noise < 0``.
    """
    check_int("n_samples", n_samples, minimum=1)
    check_int("n_features", n_features, minimum=1)
    check_int("n_informative", n_informative, minimum=0)
    check_int("n_targets", n_targets, minimum=1)
    if n_informative > n_features:
        raise ValueError(f"n_informative must be <= n_features ({n_features}), got {n_informative}")
    noise = check_float("noise", noise, minimum=0.0)
    if bias is not None:
        bias = check_float("bias", bias)
    g = make_generator(seed)
    f64 = torch.float64
    x = torch.randn(n_samples, n_features, generator=g, dtype=f64)
    coef = torch.zeros(n_features, n_targets, dtype=f64)
    informative = torch.randperm(n_features, generator=g)[:n_informative]
    coef[informative] = 100.0 * torch.rand(n_informative, n_targets, generator=g, dtype=f64)
    beta = (
        100.0 * torch.rand((), generator=g, dtype=f64)
        if bias is None
        else torch.tensor(float(bias), dtype=f64)
    )
    y = x @ coef + beta + float(noise) * torch.randn(n_samples, n_targets, generator=g, dtype=f64)
    return Dataset(x.to(dtype), y.to(dtype))


def diagonal_flip(*, dtype: torch.dtype | None = None) -> Dataset:
    r"""The 16 binary vectors :math:`(a, b, c, d)` and their diagonal flip :math:`(a, c, b, d)`.

    Read :math:`(a, b, c, d)` as the 2×2 image :math:`\begin{pmatrix} a & b \\ c & d \end{pmatrix}`:
    the target is its transpose. Rows are in binary order (``a`` the most
    significant bit). Returns ``x`` and ``y`` of shape ``(16, 4)``, in ``dtype``
    (default: torch's default dtype).
    """
    bits = torch.arange(16)
    dtype = torch.get_default_dtype() if dtype is None else dtype
    x = torch.stack([(bits >> shift) & 1 for shift in (3, 2, 1, 0)], dim=1).to(dtype)
    return Dataset(x, x[:, [0, 2, 1, 3]])


def wavy_curve(n: int = 400, *, low: float = -3.0, high: float = 3.0) -> Dataset:
    r"""``n`` evenly spaced points on ``[low, high]`` with a wavy target.

    .. math:: y = \sin(2x) + \tfrac12 \sin(5x)

    Smooth, bounded, with several bumps of different widths: a 1-D task on
    which activation functions and architectures can be compared. Returns
    ``x`` and ``y`` of shape ``(n, 1)``.
    """
    check_int("n", n, minimum=2)
    low, high = check_float("low", low), check_float("high", high)
    if not low < high:
        raise ValueError(f"need low < high, got low={low}, high={high}")
    x = torch.linspace(low, high, n).unsqueeze(1)
    return Dataset(x, torch.sin(2 * x) + 0.5 * torch.sin(5 * x))
