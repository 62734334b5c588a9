r"""Labelled data for classification: handwritten digits and two moons.

A classification set is a :class:`LabeledSet`: inputs ``x`` of shape
``(n, d)`` in torch's default dtype and integer class labels ``labels`` of
shape ``(n,)`` (``torch.int64``, values ``0 .. C-1``), with ``index``, the rows
of the source data set they came from.

The digits are scikit-learn's copy of the UCI optical digits test set
(``sklearn.datasets.load_digits``: 1,797 grey-scale 8×8 images, 10 classes,
pixel values 0..16), bundled inside the package, so nothing is downloaded.
:func:`digit_splits` splits them into training, validation and test sets,
stratified by class with a fixed seed, and standardizes every pixel with the
mean and standard deviation of the *training* set only,

.. math:: x' = (x - \mu_\text{train}) / \sigma_\text{train}
          \quad (\sigma = 1 \text{ for pixels constant on the training set}),

so that nothing about the validation or test images leaks into the inputs.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import NamedTuple

import numpy as np
import torch

from ._checks import check_float, check_int

__all__ = [
    "LabeledSet",
    "DigitSplits",
    "check_labels",
    "stratified_split",
    "load_digits",
    "digit_splits",
    "stratified_subset",
    "two_moons",
]


class LabeledSet(NamedTuple):
    """Inputs ``x`` ``(n, d)``, integer labels ``labels`` ``(n,)`` and the source rows ``index`` ``(n,)``."""

    x: torch.Tensor
    labels: torch.Tensor
    index: np.ndarray

    def __len__(self) -> int:  # type: ignore[override]
        return int(self.labels.shape[0])

    @property
    def n_classes(self) -> int:
        """One more than the largest label."""
        return int(self.labels.max()) + 1


class DigitSplits(NamedTuple):
    """The three digit sets and the training set's pixel statistics."""

    train: LabeledSet
    val: LabeledSet
    test: LabeledSet
    mean: np.ndarray
    std: np.ndarray


def check_labels(labels: object, n_classes: int, *, name: str = "labels") -> torch.Tensor:
    """Return ``labels`` as an ``int64`` tensor if it is a 1-D integer tensor or array
    with values in ``0 .. n_classes - 1``; raise a TypeError/ValueError naming the problem.

    >>> check_labels(torch.tensor([0, 2, 1]), 3)
    tensor([0, 2, 1])
    """
    check_int("n_classes", n_classes, minimum=2)
    if isinstance(labels, np.ndarray):
        labels = torch.from_numpy(labels)
    if not isinstance(labels, torch.Tensor):
        raise TypeError(
            f"{name} must be a torch.Tensor of integer class indices, got {type(labels).__name__}"
        )
    if labels.is_floating_point() or labels.is_complex() or labels.dtype == torch.bool:
        raise TypeError(
            f"{name} must hold integer class indices (torch.int64), got dtype {labels.dtype}; "
            "convert one-hot rows with .argmax(1), or whole-number floats with .long()"
        )
    if labels.ndim != 1:
        raise ValueError(f"{name} must have shape (n,), got {tuple(labels.shape)}")
    if labels.numel() == 0:
        raise ValueError(f"{name} is empty: a set needs at least one example")
    low, high = int(labels.min()), int(labels.max())
    if low < 0 or high >= n_classes:
        bad = low if low < 0 else high
        raise ValueError(
            f"{name} must lie in 0..{n_classes - 1} ({n_classes} classes), got the label {bad}"
        )
    return labels.long()


def stratified_split(
    labels: np.ndarray | torch.Tensor, fractions: Sequence[float], *, seed: int
) -> list[np.ndarray]:
    r"""Split the rows ``0 .. n-1`` into parts of the given ``fractions``, class by class.

    Within each class the rows are shuffled (``np.random.default_rng(seed)``)
    and cut at the rounded cumulative fractions, so every part holds about the
    same share of every class. Returns one sorted index array per fraction.

    Raises:
        ValueError: if the fractions are not positive or do not sum to 1, or if
            a part would be empty or miss a class (too few examples of it).
    """
    check_int("seed", seed, minimum=0)
    labels = np.asarray(labels)
    if labels.ndim != 1 or labels.size == 0:
        raise ValueError(f"labels must be a non-empty 1-D array, got shape {labels.shape}")
    fractions = [check_float("fraction", f, positive=True) for f in fractions]
    if len(fractions) < 2 or abs(sum(fractions) - 1.0) > 1e-9:
        raise ValueError(
            f"fractions must be two or more numbers > 0 that sum to 1, got {list(fractions)}"
        )
    rng = np.random.default_rng(seed)
    cuts = np.cumsum([0.0, *fractions])
    parts: list[list[np.ndarray]] = [[] for _ in fractions]
    for cls in np.unique(labels):
        rows = rng.permutation(np.flatnonzero(labels == cls))
        edges = np.round(cuts * len(rows)).astype(int)
        for i in range(len(fractions)):
            part = rows[edges[i] : edges[i + 1]]
            if part.size == 0:
                raise ValueError(
                    f"part {i} (fraction {fractions[i]:g}) would have no example of class "
                    f"{cls}, which has {len(rows)} rows: a split must keep every class"
                )
            parts[i].append(part)
    return [np.sort(np.concatenate(p)) for p in parts]


def load_digits() -> tuple[np.ndarray, np.ndarray]:
    """scikit-learn's digits: images ``(1797, 8, 8)`` with values 0..16, labels ``(1797,)``."""
    from sklearn.datasets import load_digits as sklearn_digits

    bunch = sklearn_digits()
    return bunch.images.astype(np.float64), bunch.target.astype(np.int64)


def _labeled(x: np.ndarray, labels: np.ndarray, index: np.ndarray) -> LabeledSet:
    dtype = torch.get_default_dtype()
    return LabeledSet(
        torch.as_tensor(x, dtype=dtype), torch.as_tensor(labels, dtype=torch.int64), index
    )


def digit_splits(
    fractions: tuple[float, float, float] = (0.6, 0.2, 0.2), *, seed: int = 0
) -> DigitSplits:
    """The digits split into training, validation and test sets, standardized.

    Args:
        fractions: shares of the training, validation and test sets (sum 1).
        seed: the seed of the stratified split.

    Returns:
        :class:`DigitSplits`; each set's ``x`` is ``(n, 64)`` (an image's rows
        one after another), standardized with the training set's ``mean`` and
        ``std`` (both ``(64,)``).
    """
    if len(fractions) != 3:
        raise ValueError(f"fractions must be (train, validation, test), got {fractions!r}")
    images, labels = load_digits()
    flat = images.reshape(len(images), -1)
    train, val, test = stratified_split(labels, fractions, seed=seed)
    mean = flat[train].mean(axis=0)
    std = flat[train].std(axis=0)
    std = np.where(std > 0, std, 1.0)
    sets = [_labeled((flat[i] - mean) / std, labels[i], i) for i in (train, val, test)]
    return DigitSplits(*sets, mean=mean, std=std)


def stratified_subset(data: LabeledSet, n: int, *, seed: int = 0) -> LabeledSet:
    """``n`` rows of ``data`` with (about) the same share of every class, drawn with ``seed``.

    ``n = len(data)`` returns all rows. The subsets of one seed are not nested.

    Raises:
        ValueError: if ``n`` is not in ``[number of classes, len(data)]``.
    """
    total = len(data)
    check_int("n", n, minimum=1, maximum=total)
    if n == total:
        return data
    labels = data.labels.numpy()
    n_classes = len(np.unique(labels))
    if n < n_classes:
        raise ValueError(f"n must be >= {n_classes} (one example per class), got {n}")
    keep, _ = stratified_split(labels, [n / total, 1 - n / total], seed=seed)
    return LabeledSet(data.x[keep], data.labels[keep], data.index[keep])


def two_moons(n: int = 200, *, noise: float = 0.2, seed: int = 0) -> LabeledSet:
    """Two interleaved half circles in the plane, two classes (``sklearn.datasets.make_moons``).

    Points are rounded to 3 decimals so that they are the same on every machine
    to the digits a figure shows.

    Args:
        n: number of points (``>= 2``), split evenly between the classes.
        noise: standard deviation of the Gaussian noise added to each point (``>= 0``).
        seed: the generator's seed.
    """
    from sklearn.datasets import make_moons

    check_int("n", n, minimum=2)
    noise = check_float("noise", noise, minimum=0.0)
    check_int("seed", seed, minimum=0, maximum=2**32 - 1)
    x, labels = make_moons(n_samples=n, noise=noise, random_state=seed)
    return _labeled(np.round(x, 3), labels.astype(np.int64), np.arange(n))
