r"""Residual MLPs: blocks :math:`h + f(h)`, optionally normalized.

A residual block of width :math:`d` with hidden width :math:`m` computes, for a
batch :math:`H \in \mathbb R^{B \times d}` (rows are samples),

.. math::
    f(H) = \operatorname{act}(H W_1^\top + b_1)\, W_2^\top + b_2, \qquad
    W_1 \in \mathbb R^{m \times d},\; W_2 \in \mathbb R^{d \times m},

and, with a normalization :math:`N` (``BatchNorm1d`` or ``LayerNorm`` over the
:math:`d` features, or none) placed after the addition or before the branch:

.. math::
    \text{post-norm:}\quad H \mapsto N\bigl(H + f(H)\bigr), \qquad
    \text{pre-norm:}\quad H \mapsto H + f\bigl(N(H)\bigr).

Without the skip connection (``skip=False``) the block is :math:`N(f(H))` or
:math:`f(N(H))`: the same layers and parameters as a plain MLP, which makes it
the control in experiments. Why the skip helps training: the Jacobian of a
block is :math:`I + \partial f / \partial H` (without normalization), so the
gradient reaching an early layer is a sum over paths that always includes the
identity, even where every ReLU of :math:`f` is off.

:class:`ResidualMLP` stacks ``Linear(d_in, d)``, ``blocks`` residual blocks
and ``Linear(d, d_out)``, mapping ``(B, d_in)`` to ``(B, d_out)``.
"""

from __future__ import annotations

import torch
from torch import nn

from .._checks import check_choice, check_int
from ..activations import get_activation
from ..initializers import initialize

__all__ = ["NORMS", "PLACEMENTS", "ResidualBlock", "ResidualMLP", "make_norm"]

NORMS: tuple[str, ...] = ("none", "batch", "layer")
"""Normalization names: ``none``, ``batch`` (``nn.BatchNorm1d``), ``layer`` (``nn.LayerNorm``)."""

PLACEMENTS: tuple[str, ...] = ("post", "pre")
"""Where the normalization sits: ``post`` (after the residual addition) or ``pre`` (before the branch)."""


def make_norm(norm: str, width: int) -> nn.Module:
    r"""A normalization layer over ``width`` features, by name.

    * ``"batch"``: ``nn.BatchNorm1d(width)``, per feature over the batch,
      :math:`\gamma \odot (h - \mu_\text{batch}) / \sqrt{\sigma^2_\text{batch} + \epsilon} + \beta`
      (running statistics in evaluation mode);
    * ``"layer"``: ``nn.LayerNorm(width)``, per sample over its features;
    * ``"none"``: ``nn.Identity()``.

    Raises:
        TypeError, ValueError: for an unknown name or a width that is not a positive int.
    """
    key = check_choice("norm", norm, NORMS)
    check_int("width", width, minimum=1)
    if key == "batch":
        return nn.BatchNorm1d(width)
    if key == "layer":
        return nn.LayerNorm(width)
    return nn.Identity()


class ResidualBlock(nn.Module):
    r"""One block, ``(B, width)`` to ``(B, width)``.

    .. math::
        \text{post:}\; N\bigl(s\,h + W_2\,\operatorname{act}(W_1 h + b_1) + b_2\bigr), \qquad
        \text{pre:}\; s\,h + W_2\,\operatorname{act}(W_1 N(h) + b_1) + b_2,

    with :math:`s = 1` (``skip=True``) or :math:`0` (``skip=False``).

    Args:
        width: features :math:`d` in and out.
        hidden: hidden width :math:`m` of the branch (default: ``width``).
        norm: one of :data:`NORMS`.
        placement: one of :data:`PLACEMENTS`; ignored when ``norm == "none"``.
        activation: a name from :mod:`mlpbook.activations`.
        skip: keep the identity path.
    """

    def __init__(
        self,
        width: int,
        hidden: int | None = None,
        *,
        norm: str = "none",
        placement: str = "post",
        activation: str = "relu",
        skip: bool = True,
    ) -> None:
        super().__init__()
        check_int("width", width, minimum=1)
        hidden = width if hidden is None else check_int("hidden", hidden, minimum=1)
        self.placement = check_choice("placement", placement, PLACEMENTS)
        if not isinstance(skip, bool):
            raise TypeError(f"skip must be True or False, got {skip!r}")
        self.skip = skip
        self.fc1 = nn.Linear(width, hidden)
        self.act = get_activation(activation)
        self.fc2 = nn.Linear(hidden, width)
        self.norm = make_norm(norm, width)

    def branch(self, h: torch.Tensor) -> torch.Tensor:
        r""":math:`f(h) = W_2\,\operatorname{act}(W_1 h + b_1) + b_2`."""
        return self.fc2(self.act(self.fc1(h)))

    def forward(self, h: torch.Tensor) -> torch.Tensor:
        if self.placement == "pre":
            out = self.branch(self.norm(h))
            return h + out if self.skip else out
        out = self.branch(h)
        return self.norm(h + out if self.skip else out)

    def extra_repr(self) -> str:
        return f"placement={self.placement!r}, skip={self.skip}"


class ResidualMLP(nn.Module):
    r"""``Linear(d_in, width)``, ``blocks`` × :class:`ResidualBlock`, ``Linear(width, d_out)``.

    Maps ``(B, d_in)`` to ``(B, d_out)``. With ``init="identity"`` every
    linear layer starts at :math:`W = I`, :math:`b = 0` (then ``d_in``,
    ``width``, ``hidden`` and ``d_out`` must be equal); each block then starts
    as :math:`h \mapsto h + \operatorname{ReLU}(h)`, followed by its
    normalization. Normalization layers start at :math:`\gamma = 1, \beta = 0`.

    Args:
        d_in, width, d_out: input, residual-stream and output widths.
        blocks: number of residual blocks (``>= 0``).
        hidden: hidden width of each block's branch (default: ``width``).
        norm: one of :data:`NORMS`.
        placement: one of :data:`PLACEMENTS`.
        activation: activation name inside each branch.
        skip: ``False`` removes every skip connection (a plain MLP with the same layers).
        init: a name from :mod:`mlpbook.initializers`, applied to every ``nn.Linear``.
        generator: ``torch.Generator`` for the initializer's draws.

    Raises:
        TypeError, ValueError: for invalid sizes or names (the message lists what is allowed).

    Example:
        >>> model = ResidualMLP(2, 2, 2, blocks=2, norm="batch", init="identity")
        >>> model(torch.randn(5, 2)).shape
        torch.Size([5, 2])
    """

    def __init__(
        self,
        d_in: int,
        width: int,
        d_out: int,
        *,
        blocks: int = 2,
        hidden: int | None = None,
        norm: str = "none",
        placement: str = "post",
        activation: str = "relu",
        skip: bool = True,
        init: str = "default",
        generator: torch.Generator | None = None,
    ) -> None:
        super().__init__()
        check_int("d_in", d_in, minimum=1)
        check_int("width", width, minimum=1)
        check_int("d_out", d_out, minimum=1)
        check_int("blocks", blocks, minimum=0)
        self.inp = nn.Linear(d_in, width)
        self.blocks = nn.ModuleList(
            ResidualBlock(
                width, hidden, norm=norm, placement=placement, activation=activation, skip=skip
            )
            for _ in range(blocks)
        )
        self.out = nn.Linear(width, d_out)
        initialize(self, init, generator=generator)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        h = self.inp(x)
        for block in self.blocks:
            h = block(h)
        return self.out(h)

    def linear_layers(self) -> list[tuple[str, nn.Linear]]:
        """The ``nn.Linear`` layers from input to output, with their names (``inp``,
        ``blocks.0.fc1``, ``blocks.0.fc2``, ..., ``out``)."""
        return [(name, m) for name, m in self.named_modules() if isinstance(m, nn.Linear)]
