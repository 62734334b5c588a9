"""Checked claims: sentences that depend on a result, computed and checked.

A glued number updates when a result moves; the sentence around it does not.
A *checked claim* is a sentence (or a bound) that the chapter computes from the
data and that raises :class:`ClaimFailed` when the data stop supporting it, so
the book build, the drift check and a reader running the notebook all stop
with a message that names the claim and the numbers.

>>> below("largest difference", 3e-16, 1e-14)
1e-14
>>> claim("wide beats narrow in {wins} of {n} seeds", wins >= 4, wins=5, n=5)  # doctest: +SKIP
'wide beats narrow in 5 of 5 seeds'
"""

from __future__ import annotations

import math
from typing import Any

__all__ = ["ClaimFailed", "Sentence", "below", "claim"]


class ClaimFailed(AssertionError):
    """A sentence of the book is no longer supported by the data it describes."""


class Sentence(str):
    """A string that notebooks display as itself, without quotes, so that
    ``{glue:text}`name``` puts the words into the prose as they are."""

    def _repr_pretty_(self, printer: Any, cycle: bool) -> None:
        printer.text(str(self))


def below(what: str, value: float, bound: float) -> float:
    """Return ``bound`` if ``value < bound``; raise :class:`ClaimFailed` otherwise.

    For quantities whose exact value depends on the processor (a difference
    at rounding level): the book states the bound, which does not, and the
    check keeps the statement true.

    Raises:
        ClaimFailed: if ``value`` is not finite or not below ``bound``.
        ValueError: if ``bound`` is not a finite number > 0.
    """
    if not (isinstance(bound, (int, float)) and math.isfinite(bound) and bound > 0):
        raise ValueError(f"bound must be a finite number > 0, got {bound!r}")
    value = float(value)
    if not (math.isfinite(value) and value < bound):
        raise ClaimFailed(f"claim failed: {what} is {value:.3g}, not below {bound:.3g}")
    return bound


def claim(statement: str, holds: bool, **numbers: Any) -> Sentence:
    """The sentence ``statement.format(**numbers)`` if ``holds``; raise :class:`ClaimFailed` otherwise.

    Args:
        statement: the sentence as the reader sees it, with ``{name}`` fields
            for the numbers it quotes.
        holds: the condition under which the sentence is true, computed from
            the same data (for "A beats B in k of n seeds": the count, not a mean).
        numbers: the values the sentence quotes and the check used.

    Raises:
        ClaimFailed: naming the sentence and the numbers, if ``holds`` is false.
        TypeError: if ``holds`` is not a bool (a NumPy bool is accepted).
    """
    import numpy as np

    if isinstance(holds, np.bool_):
        holds = bool(holds)
    if not isinstance(holds, bool):
        raise TypeError(f"holds must be a bool, got {holds!r} ({type(holds).__name__})")
    text = Sentence(statement.format(**numbers))
    if not holds:
        shown = ", ".join(f"{k}={v!r}" for k, v in numbers.items())
        raise ClaimFailed(f"claim failed: {text!r} does not hold for {shown}")
    return text
