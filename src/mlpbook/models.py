r"""Model factories.

An MLP with layer sizes :math:`(n_0, n_1, \dots, n_L)` computes, for a batch
:math:`X \in \mathbb R^{B \times n_0}` (rows are samples),

.. math::
    H_0 = X, \qquad H_\ell = f(H_{\ell-1} W_\ell^\top + b_\ell) \quad (\ell < L),
    \qquad \hat Y = H_{L-1} W_L^\top + b_L \in \mathbb R^{B \times n_L},

with :math:`W_\ell \in \mathbb R^{n_\ell \times n_{\ell-1}}` (PyTorch's
``nn.Linear`` layout) and no activation after the last layer.
"""

from __future__ import annotations

import copy
from collections.abc import Sequence
from typing import Any

import torch
from torch import nn

from ._checks import check_int, check_int_sequence
from .activations import get_activation
from .initializers import initialize

__all__ = ["make_mlp", "seeded_mlp", "count_parameters", "mlp_parameter_count", "check_sizes"]


def check_sizes(sizes: Sequence[int]) -> list[int]:
    """``sizes`` as a list if it gives at least an input and an output width, all ints ``>= 1``."""
    if isinstance(sizes, (str, bytes)) or not isinstance(sizes, Sequence):
        raise TypeError(f"sizes must be a sequence of ints such as [4, 8, 4], got {sizes!r}")
    if len(sizes) < 2:
        raise ValueError(
            f"sizes needs at least an input and an output size, e.g. [4, 8, 4]; got {list(sizes)!r}"
        )
    return check_int_sequence("sizes", sizes, minimum=1, min_length=2)


def make_mlp(
    sizes: Sequence[int],
    activation: str | nn.Module = "relu",
    *,
    init: str = "default",
    bias: bool = True,
    final_activation: str | None = None,
    generator: torch.Generator | None = None,
) -> nn.Sequential:
    """Build ``Linear, act, Linear, act, ..., Linear`` as an ``nn.Sequential``.

    Args:
        sizes: layer widths ``[n_in, hidden..., n_out]``, at least two positive ints.
            ``[2, 2]`` is a single linear layer.
        activation: a name from :mod:`mlpbook.activations` (e.g. ``"relu"``,
            ``"gelu"``) placed after every layer but the last.
        init: a name from :mod:`mlpbook.initializers` (``"default"``, ``"he"``,
            ``"xavier"``, ``"identity"``, ...).
        bias: whether the linear layers have biases.
        final_activation: optional activation name after the last layer.
        generator: optional ``torch.Generator`` for the initializer's draws.

    Returns:
        The model, mapping ``(batch, sizes[0])`` to ``(batch, sizes[-1])``.

    Raises:
        TypeError, ValueError: for malformed sizes, unknown activation or initializer names.

    Example:
        >>> make_mlp([4, 8, 4])
        Sequential(
          (0): Linear(in_features=4, out_features=8, bias=True)
          (1): ReLU()
          (2): Linear(in_features=8, out_features=4, bias=True)
        )
    """
    sizes = check_sizes(sizes)
    get_activation(activation)  # validate once, even for a single layer
    # region: layers
    layers: list[nn.Module] = []
    for i, (n_in, n_out) in enumerate(zip(sizes[:-1], sizes[1:])):
        layers.append(nn.Linear(n_in, n_out, bias=bias))
        if i < len(sizes) - 2:
            layers.append(
                get_activation(activation)
                if isinstance(activation, str)
                else copy.deepcopy(activation)
            )
    if final_activation is not None:
        layers.append(get_activation(final_activation))
    model = nn.Sequential(*layers)
    initialize(model, init, generator=generator)
    # endregion: layers
    return model


def seeded_mlp(
    sizes: Sequence[int],
    activation: str | nn.Module = "relu",
    *,
    seed: int,
    init: str = "default",
    **kwargs: Any,
) -> nn.Sequential:
    """The model of ``seed``: ``make_mlp(sizes, activation, init=init, **kwargs)`` built
    after ``torch.manual_seed(seed)``, the book's one rule from a seed to a model.

    It runs inside ``torch.random.fork_rng``, so the caller's random stream is
    left as it was: building a model does not change what is drawn next.
    """
    check_int("seed", seed, minimum=0)
    with torch.random.fork_rng(devices=[]):
        torch.manual_seed(seed)
        return make_mlp(sizes, activation, init=init, **kwargs)


def count_parameters(model: nn.Module, *, trainable_only: bool = True) -> int:
    """Number of scalar parameters in ``model`` (only trainable ones by default)."""
    return sum(p.numel() for p in model.parameters() if p.requires_grad or not trainable_only)


def mlp_parameter_count(sizes: Sequence[int], *, bias: bool = True) -> int:
    r"""Parameters of a fully connected MLP with these sizes, without building it.

    .. math:: \sum_{\ell=1}^{L} n_{\ell-1} n_\ell + [\text{bias}]\, n_\ell

    >>> mlp_parameter_count([4, 4, 4, 4]), mlp_parameter_count([4, 8, 8, 4])
    (60, 148)
    """
    sizes = check_sizes(sizes)
    return sum(a * b + (b if bias else 0) for a, b in zip(sizes[:-1], sizes[1:]))
