"""Generated tables: Markdown text for ``glue(..., Markdown(...))`` and ``{glue:md}``.

A table in the book is never typed by hand: the chapter computes the rows and
this module formats them.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

__all__ = ["markdown_table", "format_matrix", "mean_spread"]


def _cell(value: Any, fmt: str) -> str:
    if isinstance(value, float):
        return format(value, fmt)
    return str(value).replace("|", "\\|")


def markdown_table(headers: Sequence[str], rows: Sequence[Sequence[Any]], *, fmt: str = ".4g",
                   align: Sequence[str] | None = None) -> str:
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
        align = ["r" if isinstance(v, (int, float)) and not isinstance(v, bool) else "l" for v in first]
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


def mean_spread(values: Sequence[float], *, spread: str = "std", fmt: str = ".3g") -> str:
    r"""One table cell summarizing per-seed results: ``"mean ± spread"``.

    Args:
        values: one number per seed (at least one).
        spread: ``"std"`` for the sample standard deviation (:math:`n - 1` in
            the denominator; 0 for a single value), or ``"minmax"`` for the
            range, written ``"mean [min, max]"``.
        fmt: format spec for every number.

    >>> mean_spread([1.0, 2.0, 3.0])
    '2 ± 1'
    >>> mean_spread([1.0, 2.0, 3.0], spread="minmax")
    '2 [1, 3]'
    """
    import math

    vals = [float(v) for v in values]
    if not vals:
        raise ValueError("mean_spread needs at least one value")
    if any(math.isnan(v) for v in vals):
        raise ValueError(f"mean_spread got NaN among {vals}")
    mean = sum(vals) / len(vals)
    if spread == "std":
        std = math.sqrt(sum((v - mean) ** 2 for v in vals) / (len(vals) - 1)) if len(vals) > 1 else 0.0
        return f"{format(mean, fmt)} ± {format(std, fmt)}"
    if spread == "minmax":
        return f"{format(mean, fmt)} [{format(min(vals), fmt)}, {format(max(vals), fmt)}]"
    raise ValueError(f"unknown spread {spread!r}; allowed: 'std', 'minmax'")
