"""Argument validation shared by the package: every error names the bad value
and what is allowed."""

from __future__ import annotations

import math
import re
from collections.abc import Iterable, Sequence
from typing import Any

_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")


def check_int(
    name: str, value: Any, *, minimum: int | None = None, maximum: int | None = None
) -> int:
    """Return ``value`` if it is an int (not a bool) in ``[minimum, maximum]``; raise otherwise."""
    if isinstance(value, bool) or not isinstance(value, int):
        raise TypeError(f"{name} must be an int, got {value!r} ({type(value).__name__})")
    if minimum is not None and value < minimum:
        raise ValueError(f"{name} must be >= {minimum}, got {value}")
    if maximum is not None and value > maximum:
        raise ValueError(f"{name} must be <= {maximum}, got {value}")
    return value


def check_float(
    name: str, value: Any, *, minimum: float | None = None, positive: bool = False
) -> float:
    """Return ``value`` as a float if it is a finite real number (``>= minimum``,
    ``> 0`` if ``positive``); raise a TypeError/ValueError naming it otherwise.

    NumPy and torch scalars count as numbers; ``bool`` and strings do not.
    """
    numpy_scalar = hasattr(value, "__float__") and getattr(value, "ndim", None) == 0
    if isinstance(value, bool) or not (isinstance(value, (int, float)) or numpy_scalar):
        raise TypeError(f"{name} must be a number, got {value!r} ({type(value).__name__})")
    value = float(value)
    if positive:
        if not value > 0 or value == float("inf"):
            raise ValueError(f"{name} must be a finite number > 0, got {value}")
    elif not math.isfinite(value):
        raise ValueError(f"{name} must be a finite number, got {value}")
    if minimum is not None and value < minimum:
        raise ValueError(f"{name} must be a finite number >= {minimum:g}, got {value}")
    return value


def check_positive_float(name: str, value: Any) -> float:
    """Return ``value`` as a float if it is a finite number > 0; raise otherwise."""
    return check_float(name, value, positive=True)


def check_choice(name: str, value: Any, allowed: Iterable[str]) -> str:
    """Return ``value`` lower-cased if it is one of ``allowed``; raise otherwise."""
    allowed = list(allowed)
    if not isinstance(value, str):
        raise TypeError(f"{name} must be a string, one of {allowed}; got {value!r}")
    key = value.lower()
    if key not in allowed:
        raise ValueError(f"unknown {name} {value!r}; allowed: {', '.join(allowed)}")
    return key


def check_name(name: str, value: Any) -> str:
    """Return ``value`` if it is a string of letters, digits and ``_`` not starting with a digit."""
    if not isinstance(value, str):
        raise TypeError(f"{name} must be a string, got {value!r} ({type(value).__name__})")
    if not _NAME.fullmatch(value):
        raise ValueError(
            f"{name} must be letters, digits and '_' (not starting with a digit), got {value!r}"
        )
    return value


def check_int_sequence(
    name: str,
    values: Any,
    *,
    minimum: int | None = None,
    min_length: int = 1,
    distinct: bool = False,
) -> list[int]:
    """Return ``values`` as a list if it is a sequence of at least ``min_length`` ints
    (each ``>= minimum``, all different if ``distinct``); raise naming the bad entry otherwise."""
    if isinstance(values, (str, bytes)) or not isinstance(values, Sequence):
        raise TypeError(f"{name} must be a sequence of ints, got {values!r}")
    if len(values) < min_length:
        raise ValueError(f"{name} needs at least {min_length} value(s), got {list(values)!r}")
    result = [check_int(f"{name}[{i}]", v, minimum=minimum) for i, v in enumerate(values)]
    if distinct and len(set(result)) != len(result):
        raise ValueError(f"{name} must not repeat values, got {result}")
    return result
