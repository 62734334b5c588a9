"""Unit tests of mlpbook.classification_data: digits splits, subsets, moons, label checks."""

from __future__ import annotations

import numpy as np
import pytest
import torch

from mlpbook import classification_data as cdata


def test_digit_splits_are_disjoint_stratified_and_standardized() -> None:
    splits = cdata.digit_splits((0.6, 0.2, 0.2), seed=0)
    sets = (splits.train, splits.val, splits.test)
    indices = [set(s.index.tolist()) for s in sets]
    assert sum(len(i) for i in indices) == 1797
    assert not (indices[0] & indices[1] or indices[0] & indices[2] or indices[1] & indices[2])
    for s in sets:
        assert s.x.shape == (len(s), 64) and s.x.dtype == torch.float64
        assert s.labels.dtype == torch.int64
        shares = np.bincount(s.labels.numpy(), minlength=10) / len(s)
        assert np.all(np.abs(shares - 0.1) < 0.02)  # about 10 % per class everywhere
    # standardized with the training statistics: mean 0 on the training set
    assert torch.allclose(splits.train.x.mean(0), torch.zeros(64), atol=1e-12)
    images, labels = cdata.load_digits()
    i = splits.test.index[3]
    expected = (images[i].reshape(-1) - splits.mean) / splits.std
    assert np.allclose(splits.test.x[3].numpy(), expected)
    assert int(splits.test.labels[3]) == labels[i]


def test_digit_splits_depend_only_on_the_seed() -> None:
    a, b = cdata.digit_splits(seed=3), cdata.digit_splits(seed=3)
    assert np.array_equal(a.val.index, b.val.index)
    assert not np.array_equal(a.val.index, cdata.digit_splits(seed=4).val.index)


def test_stratified_subset_keeps_every_class() -> None:
    train = cdata.digit_splits().train
    sub = cdata.stratified_subset(train, 50, seed=0)
    assert len(sub) == 50
    assert set(sub.labels.tolist()) == set(range(10))
    assert set(sub.index.tolist()) <= set(train.index.tolist())
    assert cdata.stratified_subset(train, len(train)) is train


def test_two_moons_is_reproducible_and_rounded() -> None:
    a, b = cdata.two_moons(100, seed=2), cdata.two_moons(100, seed=2)
    assert torch.equal(a.x, b.x) and torch.equal(a.labels, b.labels)
    assert a.x.shape == (100, 2) and sorted(set(a.labels.tolist())) == [0, 1]
    assert torch.equal(a.x, torch.round(a.x * 1000) / 1000)


@pytest.mark.parametrize(
    "labels, error, match",
    [
        (torch.tensor([0, 1, 10]), ValueError, "must lie in 0..9 .10 classes., got the label 10"),
        (torch.tensor([0, -1]), ValueError, "got the label -1"),
        (
            torch.tensor([0.0, 1.0]),
            TypeError,
            "integer class indices .torch.int64., got dtype torch.float",
        ),
        (torch.tensor([True, False]), TypeError, "got dtype torch.bool"),
        (torch.zeros(0, dtype=torch.int64), ValueError, "is empty"),
        (torch.zeros(2, 1, dtype=torch.int64), ValueError, r"shape \(n,\), got \(2, 1\)"),
        ([0, 1], TypeError, "must be a torch.Tensor"),
    ],
)
def test_check_labels_rejects_bad_labels(labels, error, match) -> None:
    with pytest.raises(error, match=match):
        cdata.check_labels(labels, 10)


def test_split_that_leaves_a_class_out_is_refused() -> None:
    labels = np.array([0] * 10 + [1] * 2)
    with pytest.raises(ValueError, match="would have no example of class 1, which has 2 rows"):
        cdata.stratified_split(labels, [0.5, 0.3, 0.2], seed=0)


@pytest.mark.parametrize(
    "fractions, match",
    [
        ([0.5, 0.4], "sum to 1"),
        ([1.0], "two or more"),
        ([0.5, 0.0, 0.5], "must be a finite number > 0"),
    ],
)
def test_split_fractions_are_checked(fractions, match) -> None:
    with pytest.raises(ValueError, match=match):
        cdata.stratified_split(np.arange(20) % 2, fractions, seed=0)


def test_empty_split_and_bad_subsets_are_refused() -> None:
    with pytest.raises(ValueError, match="non-empty 1-D"):
        cdata.stratified_split(np.array([], dtype=int), [0.5, 0.5], seed=0)
    train = cdata.digit_splits().train
    with pytest.raises(ValueError, match="n must be >= 10"):
        cdata.stratified_subset(train, 5)
    with pytest.raises(ValueError, match="n must be <= 1078"):
        cdata.stratified_subset(train, 5000)
    with pytest.raises(ValueError, match="fractions must be"):
        cdata.digit_splits((0.5, 0.5))
    with pytest.raises(ValueError, match="noise must be a finite number >= 0"):
        cdata.two_moons(noise=-0.1)
