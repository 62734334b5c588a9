r"""Softmax and cross-entropy for the from-scratch model of :mod:`mlpbook.chapters.backprop`.

For logits :math:`Z \in \mathbb R^{B \times C}` (one row per example, one
column per class) and labels :math:`y_i \in \{0, \dots, C-1\}`,

.. math::
    p_{ij} = \frac{e^{z_{ij}}}{\sum_k e^{z_{ik}}}, \qquad
    L = -\frac1B \sum_i \log p_{i y_i}
      = \frac1B \sum_i \Bigl(\operatorname{logsumexp}(z_i) - z_{i y_i}\Bigr),

and the gradient with respect to the logits is

.. math:: \frac{\partial L}{\partial Z} = \frac1B (P - Y),

with :math:`Y` the one-hot rows of the labels. :class:`SoftmaxCrossEntropy`
computes both in one piece (the *fused* form): the softmax never needs its own
Jacobian. With label smoothing :math:`\varepsilon`, the one-hot rows become
:math:`(1-\varepsilon) Y + \varepsilon / C` and the same formulas hold.

The log-sum-exp is computed with the row maximum :math:`m_i` taken out,
:math:`\operatorname{logsumexp}(z_i) = m_i + \log \sum_k e^{z_{ik} - m_i}`, so
no exponential exceeds 1; :func:`naive_softmax` is the textbook formula without
that shift, kept to show where it overflows.
"""

from __future__ import annotations

from typing import Any

import numpy as np
from numpy.typing import NDArray

from .._checks import check_float, check_positive_float
from ..classification_data import check_labels
from .backprop import ScratchMLP

__all__ = [
    "naive_softmax",
    "logsumexp",
    "softmax",
    "one_hot",
    "SoftmaxCrossEntropy",
    "train_step_ce",
]

Array = NDArray[np.float64]


def _logits(z: Any) -> Array:
    z = np.asarray(z, dtype=np.float64)
    if z.ndim != 2 or z.shape[1] < 2:
        raise ValueError(
            f"logits must have shape (batch, classes) with >= 2 classes, got {z.shape}"
        )
    return z


def naive_softmax(z: Any) -> Array:
    r"""Row-wise :math:`e^{z_j} / \sum_k e^{z_k}`, exactly as written (overflows for large logits)."""
    z = _logits(z)
    with np.errstate(over="ignore", invalid="ignore"):
        e = np.exp(z)
        return e / e.sum(axis=1, keepdims=True)


def logsumexp(z: Any) -> Array:
    r"""Row-wise :math:`m + \log\sum_k e^{z_k - m}` with :math:`m = \max_k z_k`; shape ``(batch,)``."""
    z = _logits(z)
    m = z.max(axis=1)
    return m + np.log(np.exp(z - m[:, None]).sum(axis=1))


def softmax(z: Any) -> Array:
    r"""Row-wise softmax through the log-sum-exp: :math:`p = e^{z - \operatorname{logsumexp}(z)}`."""
    z = _logits(z)
    return np.exp(z - logsumexp(z)[:, None])


def one_hot(labels: Any, n_classes: int) -> Array:
    """Rows of zeros with a one at each label: shape ``(batch, n_classes)``."""
    labels = check_labels(labels, n_classes).numpy()
    rows = np.zeros((labels.size, n_classes))
    rows[np.arange(labels.size), labels] = 1.0
    return rows


class SoftmaxCrossEntropy:
    r"""The fused softmax + cross-entropy loss of a batch of logits.

    ``forward(z, labels)`` returns :math:`L` (a float) and keeps :math:`P` and
    the targets; ``backward()`` returns :math:`\partial L/\partial Z = (P - T)/B`,
    shape ``(batch, classes)``, ready for :meth:`ScratchMLP.backward`.

    Args:
        label_smoothing: :math:`\varepsilon \in [0, 1)`; the targets are
            :math:`T = (1-\varepsilon) Y + \varepsilon / C` (0: one-hot).
    """

    def __init__(self, label_smoothing: float = 0.0) -> None:
        eps = check_float("label_smoothing", label_smoothing, minimum=0.0)
        if eps >= 1:
            raise ValueError(f"label_smoothing must be in [0, 1), got {eps}")
        self.label_smoothing = eps
        self.p: Array | None = None
        self.targets: Array | None = None

    # region: fused-loss
    def forward(self, z: Any, labels: Any) -> float:
        """Mean cross-entropy of the softmax of ``z`` ``(B, C)`` against ``labels`` ``(B,)``."""
        z = _logits(z)
        batch, n_classes = z.shape
        targets = one_hot(labels, n_classes)
        if targets.shape[0] != batch:
            raise ValueError(f"{batch} rows of logits but {targets.shape[0]} labels")
        eps = self.label_smoothing
        targets = (1 - eps) * targets + eps / n_classes
        log_p = z - logsumexp(z)[:, None]  # log-softmax, never exp of a large number
        self.p, self.targets = np.exp(log_p), targets
        return float(-(targets * log_p).sum() / batch)

    def backward(self) -> Array:
        """dL/dZ = (P - T) / B: the softmax's Jacobian and the log's derivative cancel."""
        if self.p is None or self.targets is None:
            raise RuntimeError("backward called before forward")
        return (self.p - self.targets) / self.p.shape[0]

    # endregion: fused-loss


def train_step_ce(model: ScratchMLP, x: Any, labels: Any, lr: float) -> float:
    """One gradient-descent step of ``model`` (last layer ``identity``: it outputs logits)
    on the cross-entropy of ``(x, labels)``; returns the loss before the step."""
    lr = check_positive_float("lr", lr)
    if model.layers[-1].activation.name != "identity":
        raise ValueError(
            "the last layer must output logits (activation 'identity'); the loss applies "
            f"the softmax itself, got {model.layers[-1].activation.name!r}"
        )
    loss_fn = SoftmaxCrossEntropy()
    loss = loss_fn.forward(model.forward(x), labels)
    model.backward(loss_fn.backward(), lr)
    return loss
