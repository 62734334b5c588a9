"""Figures of the dropout case study: logged losses, predicted against true, one sub-network.

The data and models come from :mod:`mlpbook.chapters.dropout_case`.
"""

from __future__ import annotations

import numpy as np
import torch
from matplotlib.figure import Figure

from .._checks import check_int
from ..chapters.dropout_case import HIGH, LOW, SharedElementwiseMLP, expected_under_input_dropout

__all__ = ["plot_logged_loss", "plot_predicted_vs_true", "plot_subnetwork"]


_LIGHT = {"figure.facecolor": "white", "axes.facecolor": "white", "savefig.facecolor": "white"}


def plot_logged_loss(
    curves: dict[str, np.ndarray],
    *,
    title: str,
    ylabel: str = "MSE",
    reference: tuple[str, float] | None = None,
    log: bool = True,
) -> Figure:
    """Curves over epochs on one axis (a white panel, legible in light and dark page themes).

    Args:
        curves: label -> values indexed by epoch (shape ``(epochs + 1,)``).
        title: the axis title.
        reference: optional ``(label, value)`` drawn as a dashed horizontal line.
        log: logarithmic y axis.

    Returns the matplotlib figure (closed, so a notebook shows it once).
    """
    import matplotlib.pyplot as plt

    if not curves:
        raise ValueError("curves is empty")
    with plt.rc_context(_LIGHT):
        fig, ax = plt.subplots(figsize=(7.5, 4.2), dpi=110)
        styles = ["-", "--", "-.", ":"]
        for k, (label, values) in enumerate(curves.items()):
            values = np.asarray(values)
            ax.plot(
                np.arange(len(values)),
                values,
                styles[k % len(styles)],
                marker="o",
                ms=3,
                lw=2,
                label=label,
            )
        if reference is not None:
            ax.axhline(reference[1], color="0.4", lw=1.2, ls=(0, (4, 3)), label=reference[0])
        if log:
            ax.set_yscale("log")
        ax.set_xlabel("epoch")
        ax.set_ylabel(ylabel)
        ax.set_title(title)
        ax.grid(alpha=0.3, which="both")
        ax.legend(fontsize=9)
        fig.tight_layout()
    plt.close(fig)
    return fig


def plot_predicted_vs_true(
    y_true: np.ndarray | torch.Tensor,
    panels: dict[str, np.ndarray | torch.Tensor],
    *,
    max_points: int = 2000,
) -> Figure:
    """Predicted-vs-true scatter plots side by side, each with the diagonal :math:`\\hat y = y`.

    Args:
        y_true: true labels, shape ``(n,)`` or ``(n, 1)``.
        panels: panel title -> predictions of the same shape as ``y_true``.
        max_points: at most this many points are drawn per panel (the first ones).

    Returns the matplotlib figure (closed). The axes of all panels share one range.
    """
    import matplotlib.pyplot as plt

    y = np.asarray(y_true).reshape(-1)[:max_points]
    preds = {k: np.asarray(v).reshape(-1)[:max_points] for k, v in panels.items()}
    if not preds:
        raise ValueError("panels is empty")
    for k, v in preds.items():
        if v.shape != y.shape:
            raise ValueError(f"panel {k!r} has {v.shape[0]} predictions for {y.shape[0]} labels")
    lo = min(y.min(), *(v.min() for v in preds.values()))
    hi = max(y.max(), *(v.max() for v in preds.values()))
    pad = 0.04 * (hi - lo)
    with plt.rc_context(_LIGHT):
        fig, axes = plt.subplots(
            1, len(preds), figsize=(4.2 * len(preds), 4.2), dpi=110, squeeze=False
        )
        for ax, (title, v) in zip(axes[0], preds.items()):
            ax.plot(
                [lo - pad, hi + pad],
                [lo - pad, hi + pad],
                color="0.3",
                lw=1,
                ls="--",
                label="perfect: ŷ = y",
            )
            ax.scatter(y, v, s=5, alpha=0.4, color="#1f77b4", edgecolors="none")
            ax.set_xlim(lo - pad, hi + pad)
            ax.set_ylim(lo - pad, hi + pad)
            ax.set_aspect("equal")
            ax.set_title(title, fontsize=10)
            ax.set_xlabel("true label y")
            ax.grid(alpha=0.3)
        axes[0][0].set_ylabel("prediction ŷ")
        axes[0][0].legend(loc="upper left", fontsize=8)
        fig.tight_layout()
    plt.close(fig)
    return fig


def plot_subnetwork(
    model: SharedElementwiseMLP,
    *,
    p: float,
    low: float = LOW,
    high: float = HIGH,
    points: int = 1301,
) -> Figure:
    r"""The subnetwork :math:`g` against :math:`x^2`, its error, and its mean under input dropout.

    Left: :math:`x^2`, :math:`g(x)` and :math:`\mathbb E_m\, g(m x / (1-p))`
    (:func:`expected_under_input_dropout`) on ``[low, high]``. Right: the
    error :math:`g(x) - x^2`. Returns the matplotlib figure (closed).
    """
    import matplotlib.pyplot as plt

    check_int("points", points, minimum=2)
    x = torch.linspace(low, high, points)
    with torch.no_grad():
        g = model.subnetwork(x)
    mean_dropped = expected_under_input_dropout(model.subnetwork, x, p)
    xs, sq = x.numpy(), (x**2).numpy()
    with plt.rc_context(_LIGHT):
        fig, (left, right) = plt.subplots(1, 2, figsize=(10, 4.0), dpi=110)
        left.plot(xs, sq, color="0.2", lw=3, alpha=0.35, label="x²")
        left.plot(xs, g.numpy(), color="#1f77b4", lw=1.6, label="subnetwork g(x)")
        left.plot(
            xs,
            mean_dropped.numpy(),
            color="#d62728",
            lw=1.6,
            ls="--",
            label=f"mean of g(x̃) under input dropout p = {p:g}",
        )
        left.set_xlabel("x")
        left.set_ylabel("output")
        left.legend(fontsize=8)
        left.grid(alpha=0.3)
        right.axhline(0, color="0.4", lw=1)
        right.plot(xs, (g - x**2).numpy(), color="#1f77b4", lw=1.6)
        right.set_xlabel("x")
        right.set_ylabel("g(x) − x²")
        right.grid(alpha=0.3)
        fig.tight_layout()
    plt.close(fig)
    return fig
