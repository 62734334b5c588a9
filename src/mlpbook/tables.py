"""Generated tables: Markdown text for ``glue(..., Markdown(...))`` and ``{glue:md}``.

A table in the book is never typed by hand: the chapter computes the rows and
this module formats them.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any

__all__ = [
    "markdown_table",
    "format_matrix",
    "mean_spread",
    "round_to_spread",
    "mean_std",
    "significant",
]


def _cell(value: Any, fmt: str) -> str:
    if isinstance(value, float):
        return format(value, fmt)
    return str(value).replace("|", "\\|")


def markdown_table(
    headers: Sequence[str],
    rows: Sequence[Sequence[Any]],
    *,
    fmt: str = ".4g",
    align: Sequence[str] | None = None,
) -> str:
    """A GitHub-flavoured Markdown table.

    Args:
        headers: column titles.
        rows: one sequence per row, as long as ``headers``; floats are
            formatted with ``fmt``, everything else with ``str``.
        align: per column ``"l"``, ``"c"`` or ``"r"`` (default: right for
            numbers, left otherwise, judged on the first row).

    Raises:
        ValueError: if a row's length differs from the header's.
    """
    headers = list(headers)
    for i, row in enumerate(rows):
        if len(row) != len(headers):
            raise ValueError(f"row {i} has {len(row)} cells, the header has {len(headers)}")
    if align is None:
        first = rows[0] if rows else [""] * len(headers)
        align = [
            "r" if isinstance(v, (int, float)) and not isinstance(v, bool) else "l" for v in first
        ]
    if len(align) != len(headers) or any(a not in "lcr" for a in align):
        raise ValueError(f"align must give one of 'l', 'c', 'r' per column, got {list(align)!r}")
    rule = {"l": ":---", "c": ":---:", "r": "---:"}
    lines = ["| " + " | ".join(headers) + " |", "| " + " | ".join(rule[a] for a in align) + " |"]
    lines += ["| " + " | ".join(_cell(v, fmt) for v in row) + " |" for row in rows]
    return "\n".join(lines)


def format_matrix(matrix: Any, *, fmt: str = "g") -> str:
    r"""A LaTeX ``pmatrix`` of a 2-D array (for ``{glue:md}`` inside ``$$ ... $$`` or as math).

    >>> format_matrix([[1, 0], [0, -1]])
    '\\begin{pmatrix} 1 & 0 \\\\ 0 & -1 \\end{pmatrix}'
    """
    import numpy as np

    arr = np.asarray(matrix, dtype=float)
    if arr.ndim != 2:
        raise ValueError(f"format_matrix needs a 2-D array, got shape {arr.shape}")
    arr = np.where(arr == 0, 0.0, arr)  # no "-0"
    body = r" \\ ".join(" & ".join(format(v, fmt) for v in row) for row in arr)
    return r"\begin{pmatrix} " + body + r" \end{pmatrix}"


def round_to_spread(mean: float, spread: float) -> tuple[str, str]:
    r"""``mean`` and ``spread`` as strings, rounded the way measured values are reported.

    The spread keeps one significant digit and the mean is rounded to the same
    decimal place, so no digit is shown that the spread says is noise:
    ``(73.4, 1.93) → ("73", "2")``, ``(0.0603, 0.0535) → ("0.06", "0.05")``.
    Very large or small spreads switch to a shared power of ten,
    ``(3.21e-5, 4.4e-6) → ("3.2e-05", "0.4e-05")``. A zero spread (one seed, or
    identical results) leaves the mean with three significant digits.

    Raises:
        ValueError: if either value is not finite or ``spread < 0``.
    """
    for name, v in (("mean", mean), ("spread", spread)):
        if not math.isfinite(v):
            raise ValueError(f"{name} must be a finite number, got {v}")
    if spread < 0:
        raise ValueError(f"spread must be >= 0, got {spread}")
    if spread <= 1e-9 * abs(mean):  # no spread, or only rounding noise
        return format(mean, ".3g"), "0"
    exponent = math.floor(math.log10(spread))
    if round(spread / 10.0**exponent) == 10:  # 0.096 rounds to 0.1, one place up
        exponent += 1
    step = 10.0**exponent
    m, s = round(mean / step) * step + 0.0, round(spread / step) * step  # + 0.0: no "-0"
    if -4 <= exponent <= 4:
        places = max(-exponent, 0)
        return f"{m:.{places}f}", f"{s:.{places}f}"
    power = math.floor(math.log10(max(abs(m), s)))
    places = power - exponent
    return (
        f"{m / 10.0**power:.{places}f}e{power:+03d}",
        f"{s / 10.0**power:.{places}f}e{power:+03d}",
    )


def mean_spread(values: Sequence[float], *, spread: str = "std", fmt: str | None = None) -> str:
    r"""One table cell summarizing per-seed results: ``"mean ± spread"``.

    Args:
        values: one finite number per seed (at least one).
        spread: ``"std"`` for the sample standard deviation (:math:`n - 1` in
            the denominator; 0 for a single value), or ``"minmax"`` for the
            range, written ``"mean [min, max]"``.
        fmt: format spec for every number. By default (``None``) the
            standard deviation gets one significant digit and the mean is
            rounded to the same place (:func:`round_to_spread`); a range gets
            three significant digits.

    >>> mean_spread([1.0, 2.0, 3.0])
    '2 ± 1'
    >>> mean_spread([0.012, 0.0135, 0.0151])
    '0.014 ± 0.002'
    >>> mean_spread([1.0, 2.0, 3.0], spread="minmax")
    '2 [1, 3]'

    Raises:
        ValueError: for no values, a value that is NaN or infinite, or an unknown ``spread``.
    """
    vals = _finite_values("mean_spread", values)
    mean, std = _mean_std(vals)
    if spread == "std":
        if fmt is None:
            shown_mean, shown_std = round_to_spread(mean, std)
            return f"{shown_mean} ± {shown_std}"
        return f"{format(mean, fmt)} ± {format(std, fmt)}"
    if spread == "minmax":
        fmt = ".3g" if fmt is None else fmt
        return f"{format(mean, fmt)} [{format(min(vals), fmt)}, {format(max(vals), fmt)}]"
    raise ValueError(f"unknown spread {spread!r}; allowed: 'std', 'minmax'")


def mean_std(values: Sequence[float]) -> tuple[float, float]:
    """Mean and sample standard deviation (:math:`n - 1` in the denominator; 0 for one value)
    of per-seed results.

    Raises:
        ValueError: for no values, or a value that is NaN or infinite.
    """
    return _mean_std(_finite_values("mean_std", values))


def _finite_values(caller: str, values: Sequence[float]) -> list[float]:
    """``values`` as floats; ``ValueError`` naming ``caller`` if empty, NaN or infinite."""
    vals = [float(v) for v in values]
    if not vals:
        raise ValueError(f"{caller} needs at least one value")
    bad = [v for v in vals if not math.isfinite(v)]
    if bad:
        raise ValueError(f"{caller} needs finite values, got {bad[0]} among {len(vals)} values")
    return vals


def _mean_std(vals: list[float]) -> tuple[float, float]:
    mean = sum(vals) / len(vals)
    std = math.sqrt(sum((v - mean) ** 2 for v in vals) / (len(vals) - 1)) if len(vals) > 1 else 0.0
    return mean, std


def significant(value: float, digits: int = 3) -> float:
    """``value`` rounded to ``digits`` significant digits (the precision the prose quotes).

    >>> significant(0.0012345, 2)
    0.0012
    """
    from ._checks import check_float, check_int

    check_int("digits", digits, minimum=1)
    return float(f"{check_float('value', value):.{digits}g}")
