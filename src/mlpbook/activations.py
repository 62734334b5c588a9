"""The registry of activation functions, by name.

Every place in the book that takes an activation by name (``make_mlp``, the
explorers, the experiments) resolves it here, so the set of names is the same
everywhere and an unknown name lists the valid ones.
"""

from __future__ import annotations

from collections.abc import Callable

from torch import nn

__all__ = ["ACTIVATIONS", "activation_names", "get_activation"]

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
        raise ValueError(
            f"unknown activation {name!r}; valid names: {', '.join(ACTIVATIONS)}"
        )
    return ACTIVATIONS[key]()
