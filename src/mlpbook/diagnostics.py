r"""Looking inside a ReLU network: activation patterns and local linear maps.

A network built from ``nn.Linear`` and ``nn.ReLU`` layers is piecewise affine.
Fix an input :math:`x`; each ReLU layer :math:`\ell` then acts as a diagonal
0/1 matrix :math:`D_\ell(x)` (its *activation pattern*), and the whole network
is, on the region of inputs sharing that pattern, the affine map

.. math::
    \hat y = A(x)\,x + c(x), \qquad
    A(x) = W_L D_{L-1}(x) W_{L-1} \cdots D_1(x) W_1 .
"""

from __future__ import annotations

import torch
from torch import nn

__all__ = ["activation_patterns", "local_affine_maps"]


def _layers(model: nn.Module) -> list[nn.Module]:
    layers = list(model) if isinstance(model, nn.Sequential) else [model]
    for layer in layers:
        if not isinstance(layer, (nn.Linear, nn.ReLU, nn.Identity)):
            raise TypeError(
                f"only Linear, ReLU and Identity layers have an exact local affine map; got {layer!r}"
            )
    return layers


@torch.no_grad()
def activation_patterns(model: nn.Module, x: torch.Tensor) -> list[torch.Tensor]:
    """The on/off pattern of every ReLU layer for every input.

    Args:
        model: an ``nn.Sequential`` of ``Linear``, ``ReLU`` (and ``Identity``) layers.
        x: inputs, shape ``(n, d_in)``.

    Returns:
        One bool tensor per ReLU layer, shape ``(n, width)``: ``True`` where the
        unit's pre-activation is positive.
    """
    patterns = []
    h = x
    for layer in _layers(model):
        if isinstance(layer, nn.ReLU):
            patterns.append(h > 0)
        h = layer(h)
    return patterns


@torch.no_grad()
def local_affine_maps(model: nn.Module, x: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
    r"""The affine map :math:`\hat y = A x + c` the network applies at each input.

    Args:
        model: an ``nn.Sequential`` of ``Linear``, ``ReLU`` (and ``Identity``) layers.
        x: inputs, shape ``(n, d_in)``.

    Returns:
        ``A`` of shape ``(n, d_out, d_in)`` and ``c`` of shape ``(n, d_out)``,
        such that ``model(x)[i] == A[i] @ x[i] + c[i]``.
    """
    if x.ndim != 2:
        raise ValueError(f"x must have shape (n, d_in), got {tuple(x.shape)}")
    n, d_in = x.shape
    A = torch.eye(d_in, dtype=x.dtype).expand(n, d_in, d_in).clone()
    c = torch.zeros(n, d_in, dtype=x.dtype)
    h = x
    for layer in _layers(model):
        if isinstance(layer, nn.Linear):
            A = layer.weight.to(x.dtype) @ A
            c = c @ layer.weight.T.to(x.dtype)
            if layer.bias is not None:
                c = c + layer.bias.to(x.dtype)
        elif isinstance(layer, nn.ReLU):
            mask = (h > 0).to(x.dtype)
            A = A * mask.unsqueeze(2)
            c = c * mask
        h = layer(h)
    return A, c
