"""One style for the book's figures: colours, rounding, figure metadata.

Every figure builder in :mod:`mlpbook.plots` takes its colours from here and
its alt text and caption through :func:`figure_meta`, so that a colour means
the same thing in every chapter and no figure goes out without a description.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

__all__ = [
    "TARGET_COLOR",
    "PREDICTION_COLOR",
    "THEORY_COLOR",
    "SERIES_COLORS",
    "DARK_PANEL_COLORS",
    "rounded",
    "significant",
    "figure_meta",
]

TARGET_COLOR = "#7f7f7f"
"""Targets (what the network should output): grey."""

PREDICTION_COLOR = "#d62728"
"""A network's predictions: red."""

THEORY_COLOR = "#333333"
"""A curve computed from theory rather than measured (drawn dotted over the measured ones)."""

SERIES_COLORS = ("#1f77b4", "#ff7f0e", "#2ca02c", "#9467bd", "#8c564b", "#e377c2")
"""Colours of a few compared series (activations, depths), in order; none is the prediction red."""

DARK_PANEL_COLORS = ("#8ab4f8", "#f28b82", "#fdd663", "#81c995", "#c58af9", "#ffb46e")
"""Series colours that stay legible on a dark panel."""


def rounded(values: np.ndarray | Sequence[float], decimals: int = 3) -> list:
    """``values`` rounded to ``decimals`` and turned into (nested) Python lists for JSON.

    Figure data carry only the digits a reader can see: the pages stay small and
    the drift check compares what matters.
    """
    return np.round(np.asarray(values, dtype=np.float64), decimals).tolist()


def significant(values: np.ndarray | Sequence[float], digits: int = 3) -> list[float]:
    """``values`` (flattened) rounded to ``digits`` significant digits, for log axes
    (plain rounding would turn 1e-16 into 0)."""
    return [float(f"{v:.{digits}g}") for v in np.asarray(values, dtype=np.float64).ravel()]


def figure_meta(alt: str, caption: str | None = None) -> dict[str, str]:
    """The ``layout.meta`` of a plotly figure: its alt text and optional caption.

    The book's renderer (:mod:`mlpbook.book.sphinxext`) turns them into the
    figure's ``aria-label`` and ``<figcaption>``.

    Raises:
        ValueError: if ``alt`` is not a non-empty string.
    """
    if not isinstance(alt, str) or not alt.strip():
        raise ValueError(f"alt must be a non-empty description of the figure, got {alt!r}")
    meta = {"alt": alt}
    if caption:
        meta["caption"] = caption
    return meta
