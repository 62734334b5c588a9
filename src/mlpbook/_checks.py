"""Argument validation shared by the package: every error names the bad value
and what is allowed."""

from __future__ import annotations

import math
import re
from collections.abc import Iterable
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


def check_positive_float(name: str, value: Any) -> float:
    """Return ``value`` as a float if it is a finite number > 0; raise otherwise."""
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise TypeError(f"{name} must be a number, got {value!r} ({type(value).__name__})")
    value = float(value)
    if not value > 0 or value == float("inf"):
        raise ValueError(f"{name} must be a finite number > 0, got {value}")
    return value


def check_float(
    name: str, value: Any, *, minimum: float | None = None, positive: bool = False
) -> float:
    """Return ``value`` as a float if it is a finite real number (``>= minimum``,
    ``> 0`` if ``positive``); raise a TypeError/ValueError naming it otherwise."""
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        if not (
            hasattr(value, "__float__")
            and getattr(value, "ndim", 0) == 0
            and not isinstance(value, (str, bytes))
        ):
            raise TypeError(f"{name} must be a number, got {value!r} ({type(value).__name__})")
    value = float(value)
    if not math.isfinite(value):
        raise ValueError(f"{name} must be a finite number, got {value}")
    if minimum is not None and value < minimum:
        raise ValueError(f"{name} must be a finite number >= {minimum:g}, got {value}")
    if positive and not value > 0:
        raise ValueError(f"{name} must be a finite number > 0, got {value}")
    return value


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
