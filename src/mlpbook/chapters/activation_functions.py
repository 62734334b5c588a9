r"""Layer-by-layer statistics of an MLP: dead units, gradient norms, activations.

For an ``nn.Sequential`` of ``Linear`` layers and element-wise activations, the
hidden layer :math:`\ell` computes, for a batch :math:`X` of :math:`n` inputs,

.. math::
    Z_\ell = H_{\ell-1} W_\ell^\top + b_\ell, \qquad H_\ell = f(Z_\ell), \qquad
    S_\ell = f'(Z_\ell) \quad (\text{all } n \times \text{width}),

with :math:`H_0 = X`. Backpropagation multiplies the gradient reaching
:math:`H_\ell` by the slopes :math:`S_\ell` entry by entry, so a unit whose
slope is 0 on every input passes no gradient to its incoming weights: it is
*dead* on that data, and its weights stop changing (only a change in the layers
below can revive it). Where :math:`|S|`
is small on most entries (saturated tanh or sigmoid), gradients shrink layer
after layer.

Every function here takes the model and the data and leaves the model and its
``.grad`` fields untouched. Slopes come from autograd
(:func:`mlpbook.activations.derivative`), so any element-wise activation works.
"""

from __future__ import annotations

from dataclasses import dataclass

import torch
from torch import nn

from .._checks import check_choice, check_positive_float
from ..activations import derivative
from ..training import LOSSES

__all__ = [
    "LayerActivity",
    "layer_activity",
    "dead_units",
    "dead_fraction",
    "gradient_norms",
    "ActivationStats",
    "activation_stats",
    "DEAD_CRITERIA",
]

DEAD_CRITERIA = ("inactive", "no_gradient")
r"""How :func:`dead_units` decides that a unit is dead on the data:

* ``"inactive"``: its pre-activation is :math:`\le 0` on every input (it never
  enters the positive, identity-like regime);
* ``"no_gradient"``: its slope :math:`|f'(z)|` is :math:`\le` ``tol`` on every
  input (it passes no gradient). For ReLU the two agree; a Leaky ReLU unit can
  be inactive yet pass the gradient :math:`0.01`."""


@dataclass(frozen=True)
class LayerActivity:
    """What one hidden layer did on a batch of ``n`` inputs (all shapes ``(n, width)``).

    Attributes:
        pre: pre-activations :math:`Z_\\ell`.
        post: outputs :math:`H_\\ell = f(Z_\\ell)`.
        slope: slopes :math:`f'(Z_\\ell)`, by autograd.
    """

    pre: torch.Tensor
    post: torch.Tensor
    slope: torch.Tensor


def _check_model_and_input(model: nn.Module, x: torch.Tensor) -> list[nn.Module]:
    if not isinstance(model, nn.Sequential):
        raise TypeError(
            f"model must be an nn.Sequential of Linear layers and activations, "
            f"got {type(model).__name__}"
        )
    if not isinstance(x, torch.Tensor):
        raise TypeError(f"x must be a torch.Tensor of shape (n, d_in), got {type(x).__name__}")
    if x.ndim != 2:
        raise ValueError(f"x must be a tensor of shape (n, d_in), got shape {tuple(x.shape)}")
    layers = list(model)
    for layer in layers:
        has_weights = any(True for _ in layer.parameters())
        if isinstance(layer, (nn.Sequential, nn.Softmax)) or (
            not isinstance(layer, nn.Linear) and has_weights
        ):
            raise TypeError(
                f"layers must be nn.Linear or parameter-free element-wise activations; "
                f"got {layer!r}"
            )
    return layers


@torch.no_grad()
def layer_activity(model: nn.Sequential, x: torch.Tensor) -> list[LayerActivity]:
    """Pre-activations, outputs and slopes of every activation layer of ``model`` on ``x``.

    Args:
        model: an ``nn.Sequential`` of ``nn.Linear`` layers and element-wise,
            parameter-free activation modules (as built by ``make_mlp``).
        x: inputs of shape ``(n, d_in)``.

    Returns:
        One :class:`LayerActivity` per activation module, in order (for
        ``make_mlp(sizes)``, one per hidden layer: ``len(sizes) - 2`` of them).

    Raises:
        TypeError: if ``model`` is not such an ``nn.Sequential``.
        ValueError: if ``x`` is not 2-D.
    """
    layers = _check_model_and_input(model, x)
    records = []
    h = x
    for layer in layers:
        if isinstance(layer, nn.Linear):
            h = layer(h)
            continue
        out = layer(h)
        records.append(
            LayerActivity(
                pre=h.detach().clone(), post=out.detach().clone(), slope=derivative(layer, h)
            )
        )
        h = out
    return records


def dead_units(
    model: nn.Sequential, x: torch.Tensor, *, criterion: str = "inactive", tol: float = 1e-6
) -> list[torch.Tensor]:
    r"""Which hidden units are dead on the data ``x``, layer by layer.

    .. math::
        \text{inactive: } \max_i Z_{\ell, i j} \le 0, \qquad
        \text{no\_gradient: } \max_i |f'(Z_{\ell, i j})| \le \text{tol}

    for unit :math:`j` of layer :math:`\ell`, over the :math:`n` rows of ``x``.

    Args:
        model, x: as for :func:`layer_activity`.
        criterion: one of :data:`DEAD_CRITERIA`.
        tol: slope threshold for ``"no_gradient"`` (``> 0``).

    Returns:
        One bool tensor of shape ``(width,)`` per hidden layer; ``True`` marks a dead unit.
    """
    criterion = check_choice("criterion", criterion, DEAD_CRITERIA)
    tol = check_positive_float("tol", tol)
    result = []
    for rec in layer_activity(model, x):
        if criterion == "inactive":
            result.append((rec.pre <= 0).all(dim=0))
        else:
            result.append((rec.slope.abs() <= tol).all(dim=0))
    return result


def dead_fraction(
    model: nn.Sequential, x: torch.Tensor, *, criterion: str = "inactive", tol: float = 1e-6
) -> float:
    """The fraction of all hidden units that :func:`dead_units` marks dead (0 without hidden layers)."""
    masks = dead_units(model, x, criterion=criterion, tol=tol)
    total = sum(m.numel() for m in masks)
    return float(sum(int(m.sum()) for m in masks)) / total if total else 0.0


def gradient_norms(
    model: nn.Sequential,
    x: torch.Tensor,
    y: torch.Tensor,
    *,
    loss: str = "mse",
    per_entry: bool = False,
) -> list[float]:
    r"""The size of the loss gradient for every ``nn.Linear`` weight, in order.

    .. math::
        \Big\|\frac{\partial L}{\partial W_\ell}\Big\|_F
        = \Big\| \Big(\frac{\partial L}{\partial Z_\ell}\Big)^{\!\top} H_{\ell-1} \Big\|_F,
        \qquad \ell = 1, \dots, L

    With ``per_entry=True``, the root mean square entry instead,
    :math:`\|\partial L / \partial W_\ell\|_F / \sqrt{n_\ell n_{\ell-1}}`, which
    compares layers of different shapes (a ``64 × 1`` input layer and a
    ``64 × 64`` hidden one) on the same footing.

    Computed with ``torch.autograd.grad``, so the model's ``.grad`` fields are not touched.

    Args:
        model: an ``nn.Sequential`` containing ``nn.Linear`` layers.
        x: inputs ``(n, d_in)``; y: targets ``(n, d_out)``.
        loss: a name from :data:`mlpbook.training.LOSSES`.
        per_entry: divide each norm by the square root of the weight's number of entries.

    Raises:
        TypeError, ValueError: for a model without ``nn.Linear`` layers, bad shapes or loss names.
    """
    _check_model_and_input(model, x)
    loss_name = check_choice("loss", loss, LOSSES)
    if not isinstance(per_entry, bool):
        raise TypeError(f"per_entry must be True or False, got {per_entry!r}")
    if not isinstance(y, torch.Tensor) or y.ndim != 2 or y.shape[0] != x.shape[0]:
        raise ValueError(
            f"y must be a tensor of shape (n, d_out) with n = {x.shape[0]}, got "
            f"{tuple(y.shape) if isinstance(y, torch.Tensor) else type(y).__name__}"
        )
    weights = [layer.weight for layer in model if isinstance(layer, nn.Linear)]
    if not weights:
        raise TypeError("the model has no nn.Linear layer")
    with torch.enable_grad():
        value = LOSSES[loss_name](model(x), y)
        grads = torch.autograd.grad(value, weights)
    return [float(g.norm()) / (g.numel() ** 0.5 if per_entry else 1.0) for g in grads]


@dataclass(frozen=True)
class ActivationStats:
    r"""Summary of one hidden layer's outputs over all ``n × width`` entries.

    Attributes:
        mean: mean of :math:`H_\ell`.
        std: standard deviation of :math:`H_\ell` (population, ``n × width`` entries).
        saturated: fraction of entries with :math:`|f'(Z_\ell)| <` ``slope_tol``:
            the unit passes less than that share of the gradient it receives
            (for ReLU, the entries on the flat side).
        inactive: fraction of entries with :math:`Z_\ell \le 0`.
    """

    mean: float
    std: float
    saturated: float
    inactive: float


def activation_stats(
    model: nn.Sequential, x: torch.Tensor, *, slope_tol: float = 0.05
) -> list[ActivationStats]:
    r"""Per hidden layer: mean, spread, saturated and inactive fractions of the outputs.

    With the default ``slope_tol = 0.05`` a tanh unit counts as saturated where
    :math:`|\tanh z| > \sqrt{0.95} \approx 0.975`, a sigmoid unit where
    :math:`\sigma(z) (1 - \sigma(z)) < 0.05`, i.e. :math:`\sigma(z) \notin [0.053, 0.947]`.

    Args:
        model, x: as for :func:`layer_activity`.
        slope_tol: the slope below which an entry counts as saturated (``> 0``).

    Returns:
        One :class:`ActivationStats` per hidden layer.
    """
    slope_tol = check_positive_float("slope_tol", slope_tol)
    stats = []
    for rec in layer_activity(model, x):
        post = rec.post.double()
        stats.append(
            ActivationStats(
                mean=float(post.mean()),
                std=float(post.std(unbiased=False)),
                saturated=float((rec.slope.abs() < slope_tol).double().mean()),
                inactive=float((rec.pre <= 0).double().mean()),
            )
        )
    return stats
