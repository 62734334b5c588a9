r"""Signal propagation: how large activations and gradients are, layer by layer.

For an MLP ``make_mlp([n_0, n_1, ..., n_{D+1}], f)`` with hidden layers
:math:`\ell = 1, \dots, D`,

.. math::
    z_\ell = h_{\ell-1} W_\ell^\top + b_\ell, \qquad h_\ell = f(z_\ell), \qquad
    h_0 = X, \qquad \hat Y = h_D W_{D+1}^\top + b_{D+1},

a forward pass of a batch :math:`X \in \mathbb R^{B \times n_0}` and a backward
pass of an error signal :math:`G = \partial L / \partial \hat Y \in \mathbb R^{B
\times n_{D+1}}` (the gradient of :math:`L = \sum_{ij} \hat Y_{ij} G_{ij}`) give,
for every hidden layer, four standard deviations over all its entries:

* ``pre``: :math:`\operatorname{std}(z_\ell)`, the pre-activations;
* ``act``: :math:`\operatorname{std}(h_\ell)`, the activations;
* ``grad``: :math:`\operatorname{std}(\partial L / \partial h_\ell)`, the gradient
  that reaches layer :math:`\ell`'s output from above;
* ``weight_grad``: :math:`\operatorname{std}(\partial L / \partial W_\ell)`, the
  gradient the optimizer sees for the weights that produce :math:`z_\ell`.

Why this predicts trainability: with independent zero-mean weights of variance
:math:`\sigma_\ell^2`, :math:`\operatorname{Var}(z_\ell) = n_{\ell-1}
\sigma_\ell^2\, \mathbb E[h_{\ell-1}^2]` going forward, and
:math:`\operatorname{Var}(\partial L/\partial h_{\ell-1}) = n_\ell \sigma_\ell^2\,
\mathbb E[f'(z_\ell)^2]\, \operatorname{Var}(\partial L/\partial h_\ell)` going
backward; a factor different from 1 per layer compounds geometrically with depth.

:func:`layer_signal` measures one model; :func:`signal_profile` measures fresh
deep models of one activation and initializer, one per seed, on a standard-normal
input and error signal; :func:`predicted_signal` is the variance argument's
prediction for (Leaky) ReLU networks, and :func:`residual_stream_std` follows the
residual stream of a deep residual stack. :mod:`mlpbook.plots.initialization`
draws the profiles.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import torch
from torch import nn

from .._checks import check_int, check_positive_float
from ..initializers import Fill
from ..models import seeded_mlp
from ..repro import DEFAULT_SEED, make_generator

__all__ = [
    "LayerSignal",
    "SignalProfile",
    "layer_signal",
    "signal_profile",
    "per_layer_factor",
    "predicted_signal",
    "residual_stream_std",
]

FIELDS = ("pre", "act", "grad", "weight_grad")
"""The statistics recorded for every hidden layer (see the module docstring)."""


@dataclass(frozen=True)
class LayerSignal:
    """Standard deviations for each hidden layer of one model; every array has shape ``(D,)``."""

    pre: np.ndarray
    act: np.ndarray
    grad: np.ndarray
    weight_grad: np.ndarray

    @property
    def depth(self) -> int:
        """Number of hidden layers :math:`D`."""
        return len(self.act)


@dataclass(frozen=True)
class SignalProfile:
    """Standard deviations for several seeds; every array has shape ``(seeds, D)``.

    ``settings`` records the activation, initializer, depth, width, batch and seeds.
    """

    pre: np.ndarray
    act: np.ndarray
    grad: np.ndarray
    weight_grad: np.ndarray
    settings: dict[str, Any] = field(default_factory=dict)

    @property
    def depth(self) -> int:
        """Number of hidden layers :math:`D`."""
        return self.act.shape[1]

    def geometric_mean(self, name: str) -> np.ndarray:
        r"""The geometric mean over seeds of one statistic, shape ``(D,)``:
        :math:`\exp(\overline{\log s})`, the natural average for quantities that
        grow or shrink by factors.

        Raises:
            ValueError: for a name other than ``pre``, ``act``, ``grad``, ``weight_grad``.
        """
        if name not in FIELDS:
            raise ValueError(f"unknown statistic {name!r}; allowed: {', '.join(FIELDS)}")
        values = getattr(self, name)
        with np.errstate(divide="ignore"):
            return np.exp(np.log(values).mean(axis=0))


def _hidden_pairs(model: nn.Module) -> tuple[list[tuple[nn.Linear, nn.Module]], nn.Linear]:
    """Split ``Linear, act, Linear, act, ..., Linear`` into (linear, act) pairs and the output layer."""
    if not isinstance(model, nn.Sequential):
        raise TypeError(
            f"model must be an nn.Sequential as built by make_mlp, got {type(model).__name__}"
        )
    layers = list(model)
    if len(layers) < 3 or len(layers) % 2 == 0:
        raise ValueError(
            f"model must alternate Linear and activation layers, ending in Linear, with at least one "
            f"hidden layer (an odd number >= 3 of layers); got {len(layers)} layers"
        )
    for i, layer in enumerate(layers):
        if (i % 2 == 0) != isinstance(layer, nn.Linear):
            kind = "an nn.Linear" if i % 2 == 0 else "an activation (not nn.Linear)"
            raise ValueError(f"layer {i} must be {kind}, got {layer!r}")
    pairs = [(layers[i], layers[i + 1]) for i in range(0, len(layers) - 1, 2)]
    return pairs, layers[-1]


def _std(t: torch.Tensor) -> float:
    return float(t.detach().double().std(correction=0))


def layer_signal(
    model: nn.Module,
    x: torch.Tensor,
    grad_output: torch.Tensor | None = None,
    *,
    generator: torch.Generator | None = None,
) -> LayerSignal:
    r"""Measure the forward and backward signal of ``model`` at input ``x``.

    Args:
        model: an ``nn.Sequential`` alternating ``nn.Linear`` and activation
            layers and ending in ``nn.Linear`` (as :func:`mlpbook.make_mlp` builds).
        x: a batch of inputs, shape ``(B, n_0)``.
        grad_output: the error signal :math:`G = \partial L / \partial \hat Y`,
            shape ``(B, n_{D+1})``; by default standard normal, drawn from
            ``generator`` (or from ``make_generator(0)``).
        generator: the random stream for the default ``grad_output``.

    Returns:
        A :class:`LayerSignal` with one entry per hidden layer. The model's
        parameters and their ``.grad`` are left untouched.

    Raises:
        TypeError, ValueError: for a model of another shape, or inputs and
        error signals of the wrong shape.
    """
    pairs, output = _hidden_pairs(model)
    if not isinstance(x, torch.Tensor) or x.ndim != 2 or x.shape[1] != pairs[0][0].in_features:
        raise ValueError(
            f"x must be a tensor of shape (B, {pairs[0][0].in_features}), got "
            f"{tuple(x.shape) if isinstance(x, torch.Tensor) else type(x).__name__}"
        )
    out_shape = (x.shape[0], output.out_features)
    if grad_output is None:
        gen = generator if generator is not None else make_generator(DEFAULT_SEED)
        grad_output = torch.randn(*out_shape, generator=gen, dtype=x.dtype)
    elif tuple(grad_output.shape) != out_shape:
        raise ValueError(f"grad_output must have shape {out_shape}, got {tuple(grad_output.shape)}")
    # region: forward-backward
    with torch.enable_grad():
        h = x.detach()
        pres, acts = [], []
        for linear, act in pairs:
            z = linear(h)
            h = act(z)
            pres.append(z)
            acts.append(h)
        y = output(h)
        weights = [linear.weight for linear, _ in pairs]
        grads = torch.autograd.grad(y, acts + weights, grad_outputs=grad_output)
    # endregion: forward-backward
    depth = len(pairs)
    return LayerSignal(
        pre=np.array([_std(z) for z in pres]),
        act=np.array([_std(a) for a in acts]),
        grad=np.array([_std(g) for g in grads[:depth]]),
        weight_grad=np.array([_std(g) for g in grads[depth:]]),
    )


def signal_profile(
    activation: str | nn.Module,
    init: str | Fill,
    *,
    seeds: Sequence[int],
    depth: int = 20,
    width: int = 256,
    batch: int = 256,
    data_seed: int = DEFAULT_SEED,
) -> SignalProfile:
    r"""Measure :func:`layer_signal` for fresh deep MLPs, one per seed.

    Each model is ``seeded_mlp([width] * (depth + 2), activation, seed=seed, init=init)``
    (``depth`` hidden layers of ``width`` units, square input and output layers),
    exactly as :func:`mlpbook.train_seeds` builds its models; the caller's random
    stream is not disturbed. The input :math:`X \in \mathbb R^{B \times n}` and
    the error signal :math:`G` are standard normal, drawn once from
    ``make_generator(data_seed)`` and shared by all seeds, so
    :math:`\operatorname{std}(X) \approx \operatorname{std}(G) \approx 1` and every
    departure from 1 is the network's doing.

    Args:
        activation: an activation name or module (e.g. ``nn.LeakyReLU(0.2)``).
        init: an initializer name or fill function (:mod:`mlpbook.initializers`).
        seeds: one seed per model (at least one).
        depth: number of hidden layers :math:`D \ge 1`.
        width: units per layer :math:`n \ge 1`.
        batch: number of input rows :math:`B \ge 1`.
        data_seed: seed of the input and the error signal.

    Returns:
        A :class:`SignalProfile` with arrays of shape ``(len(seeds), depth)``.
    """
    if isinstance(seeds, (str, bytes)) or not isinstance(seeds, Sequence) or len(seeds) == 0:
        raise ValueError(f"seeds must be a non-empty sequence of ints, got {seeds!r}")
    seeds = [check_int("seed", s, minimum=0) for s in seeds]
    check_int("depth", depth, minimum=1)
    check_int("width", width, minimum=1)
    check_int("batch", batch, minimum=1)
    gen = make_generator(check_int("data_seed", data_seed, minimum=0))
    x = torch.randn(batch, width, generator=gen)
    g = torch.randn(batch, width, generator=gen)
    signals = []
    for seed in seeds:
        model = seeded_mlp([width] * (depth + 2), activation, seed=seed, init=init)
        signals.append(layer_signal(model, x, g))
    stacked = {name: np.stack([getattr(s, name) for s in signals]) for name in FIELDS}
    settings = dict(
        activation=activation,
        init=init,
        depth=depth,
        width=width,
        batch=batch,
        seeds=seeds,
        data_seed=data_seed,
    )
    return SignalProfile(**stacked, settings=settings)


def per_layer_factor(stds: np.ndarray) -> np.ndarray:
    r"""The average factor by which a standard deviation changes per layer.

    .. math:: r = \left(s_D / s_1\right)^{1/(D-1)}

    the geometric mean of the ratios :math:`s_{\ell+1} / s_\ell`. A factor of 1
    keeps the signal's size; :math:`r^{20}` is what 20 layers do to it.

    Args:
        stds: shape ``(..., D)`` with ``D >= 2`` positive entries along the last axis.

    Returns:
        Shape ``(...)``: one factor per row.
    """
    stds = np.asarray(stds, dtype=np.float64)
    if stds.ndim == 0 or stds.shape[-1] < 2:
        raise ValueError(
            f"stds needs at least two layers along its last axis, got shape {stds.shape}"
        )
    if not np.all(stds > 0):
        raise ValueError("stds must be positive (a zero standard deviation has no growth factor)")
    return np.exp((np.log(stds[..., -1]) - np.log(stds[..., 0])) / (stds.shape[-1] - 1))


def predicted_signal(
    n_sigma2: float,
    depth: int,
    *,
    negative_slope: float = 0.0,
    input_var: float = 1.0,
    grad_var: float = 1.0,
) -> dict[str, np.ndarray]:
    r"""The variance argument's prediction for a deep (Leaky) ReLU MLP with zero biases.

    All layers, the output layer included, are square with weights of variance
    :math:`\sigma^2` (``n_sigma2`` is :math:`n\sigma^2`). With
    :math:`c = \mathbb E[f(z)^2] / \operatorname{Var}(z) = \mathbb E[f'(z)^2] = (1 + \alpha^2)/2`
    for symmetric :math:`z`,

    .. math::
        \operatorname{Var}(z_1) = n\sigma^2 v_x, \qquad
        \operatorname{Var}(z_{\ell+1}) = n\sigma^2 c \operatorname{Var}(z_\ell),

        \operatorname{Var}(\partial L/\partial h_D) = n\sigma^2 v_G, \qquad
        \operatorname{Var}(\partial L/\partial h_{\ell-1}) = n\sigma^2 c\,
        \operatorname{Var}(\partial L/\partial h_\ell),

    and for Gaussian :math:`z_\ell`, :math:`\operatorname{std}(h_\ell) =
    \operatorname{std}(z_\ell) \sqrt{c - (1 - \alpha)^2 / (2\pi)}`. Exact for
    infinitely wide layers; a finite network fluctuates around it.

    Args:
        n_sigma2: :math:`n\sigma^2 > 0` (2 for He, 1 for square Xavier, ...).
        depth: number of hidden layers :math:`D \ge 1`.
        negative_slope: :math:`\alpha \ge 0` (0 for ReLU).
        input_var, grad_var: :math:`v_x = \operatorname{Var}(X)`, :math:`v_G = \operatorname{Var}(G)`.

    Returns:
        ``{"pre": ..., "act": ..., "grad": ...}``, each of shape ``(D,)``, standard deviations.
    """
    from ..initializers import leaky_relu_gain

    check_positive_float("n_sigma2", n_sigma2)
    check_int("depth", depth, minimum=1)
    c = 1.0 / leaky_relu_gain(negative_slope) ** 2  # (1 + alpha^2) / 2; validates the slope
    alpha = float(negative_slope)
    ell = np.arange(depth)
    log_pre = 0.5 * (math.log(n_sigma2 * input_var) + ell * math.log(n_sigma2 * c))
    log_grad = 0.5 * (math.log(n_sigma2 * grad_var) + (depth - 1 - ell) * math.log(n_sigma2 * c))
    pre = np.exp(log_pre)
    return {
        "pre": pre,
        "act": pre * math.sqrt(c - (1 - alpha) ** 2 / (2 * math.pi)),
        "grad": np.exp(log_grad),
    }


def residual_stream_std(
    n_layers: int,
    *,
    scaled: bool,
    prenorm: bool,
    width: int = 128,
    batch: int = 256,
    seed: int = DEFAULT_SEED,
) -> np.ndarray:
    r"""The standard deviation of the residual stream of a random residual stack.

    .. math::
        x_{k+1} = x_k + \operatorname{relu}(u_k W_{1,k}^\top)\, W_{2,k}^\top, \qquad
        u_k = \operatorname{LN}(x_k) \text{ (pre-norm) or } x_k,

    for :math:`k = 0, \dots, N - 1` (:math:`N` = ``n_layers`` residual layers), with
    :math:`W_1 \sim \mathcal N(0, 2/n)` (He), :math:`W_2 \sim \mathcal N(0, s^2/n)`,
    :math:`s = 1/\sqrt N` when ``scaled`` (GPT-2's scaling of the residual
    layers' output projections) and 1 otherwise, and LN standardizing every row
    (LayerNorm without its learned scale and shift). :math:`x_0` is standard normal.

    Each layer adds :math:`\operatorname{Var}(F) \approx s^2 \mathbb E[u^2]`: with
    pre-norm that is a constant :math:`s^2`, so :math:`\operatorname{Var}(x_N)
    \approx 1 + N s^2` (linear growth, or 2 with the scaling); without it,
    :math:`\operatorname{Var}(x_{k+1}) \approx (1 + s^2) \operatorname{Var}(x_k)`,
    so :math:`(1 + s^2)^N` (exponential, or at most :math:`e` with the scaling).

    Returns:
        Shape ``(n_layers + 1,)``: the standard deviation of :math:`x_0, \dots, x_N`.
    """
    check_int("n_layers", n_layers, minimum=1)
    check_int("width", width, minimum=1)
    check_int("batch", batch, minimum=1)
    gen = make_generator(check_int("seed", seed, minimum=0))
    x = torch.randn(batch, width, generator=gen, dtype=torch.float64)
    out_scale = (1.0 / math.sqrt(n_layers) if scaled else 1.0) / math.sqrt(width)
    stds = [_std(x)]
    for _ in range(n_layers):
        w1 = torch.randn(width, width, generator=gen, dtype=torch.float64) * math.sqrt(2.0 / width)
        w2 = torch.randn(width, width, generator=gen, dtype=torch.float64) * out_scale
        u = (
            (x - x.mean(dim=1, keepdim=True)) / x.std(dim=1, correction=0, keepdim=True)
            if prenorm
            else x
        )
        x = x + torch.relu(u @ w1.T) @ w2.T
        stds.append(_std(x))
    return np.array(stds)
