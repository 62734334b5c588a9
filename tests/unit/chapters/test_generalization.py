"""Unit tests of mlpbook.chapters.generalization: the batched classifier trainer equals
separate runs, dropout only trains, and the helpers count correctly."""

from __future__ import annotations

import numpy as np
import pytest
import torch

from mlpbook import classification_data as cdata
from mlpbook.chapters import generalization as gen


@pytest.fixture(scope="module")
def data():
    splits = cdata.digit_splits(seed=0)
    return cdata.stratified_subset(splits.train, 60, seed=0), splits.val


@pytest.mark.parametrize(
    "kwargs",
    [
        dict(),
        dict(weight_decay=1e-2, decay="l2"),
        dict(weight_decay=0.5, decay="decoupled"),
        dict(dropout=0.5),
    ],
    ids=["plain", "l2", "adamw", "dropout"],
)
def test_batched_run_equals_separate_runs(data, kwargs) -> None:
    train, val = data
    seeds = [0, 3, 7]
    runs = gen.train_classifiers(
        [64, 12, 10], train, val, seeds=seeds, epochs=15, lr=1e-2, **kwargs
    )
    for k, seed in enumerate(seeds):
        model = gen.classifier_mlp([64, 12, 10], seed=seed, dropout=kwargs.get("dropout", 0.0))
        single_kwargs = {key: v for key, v in kwargs.items() if key != "dropout"}
        curves = gen.train_classifier(model, train, val, epochs=15, lr=1e-2, **single_kwargs)
        for name, values in curves.items():
            np.testing.assert_allclose(getattr(runs, name)[:, k], values, rtol=1e-9, atol=1e-12)
        linears = [m for m in model if isinstance(m, torch.nn.Linear)]
        for lin, w in zip(linears, runs.model.weights):
            np.testing.assert_allclose(
                w[k].detach().numpy(), lin.weight.detach().numpy(), atol=1e-10
            )


def test_dropout_is_off_in_evaluation_mode() -> None:
    layer = gen.MaskedDropout(0.5, torch.Generator().manual_seed(0))
    h = torch.ones(200, 10)
    layer.eval()
    assert torch.equal(layer(h), h)
    layer.train()
    out = layer(h)
    assert set(out.unique().tolist()) == {0.0, 2.0}


def test_best_epoch_keeps_the_lowest_validation_loss(data) -> None:
    train, val = data
    runs = gen.train_classifiers([64, 32, 10], train, val, seeds=[0, 1], epochs=40, lr=3e-2)
    assert np.array_equal(runs.best_epoch, runs.val_loss.argmin(0))
    loss, acc = gen.evaluate(runs.best, val)
    np.testing.assert_allclose(loss, runs.val_loss.min(0), rtol=1e-12)
    np.testing.assert_allclose(acc, runs.at_best("val_acc"))


def test_probe_records_classes_at_the_wanted_epochs() -> None:
    moons = cdata.two_moons(40, seed=0)
    grid = torch.tensor([[0.0, 0.0], [1.0, 0.5], [2.0, -0.5]])
    runs = gen.train_classifiers(
        [2, 8, 2], moons, moons, seeds=[0, 1], epochs=10, probe=grid, probe_epochs=[0, 5, 10]
    )
    assert runs.probe_classes.shape == (3, 2, 3)
    np.testing.assert_array_equal(runs.probe_classes[-1], gen.predict(runs.model, grid))
    assert (gen.regions_hit(runs.model, grid) >= 1).all()


def test_confusion_matrix_and_seed_comparison() -> None:
    m = gen.confusion_matrix([0, 1, 1, 2], [0, 2, 1, 2], 3)
    np.testing.assert_array_equal(m, [[1, 0, 0], [0, 1, 1], [0, 0, 1]])
    c = gen.compare_seeds([0.9, 0.8, 0.7], [0.8, 0.8, 0.75])
    assert (c.wins, c.ties, c.losses) == (1, 1, 1) and not c.agree()
    assert str(c) == "higher in 1, lower in 1, tied in 1 of 3"
    assert c.counts() == "1 / 1 / 1"
    assert gen.compare_seeds([1, 2], [0, 1]).agree()


def test_smoothed_cross_entropy_and_calibration() -> None:
    z = torch.tensor([[2.0, 0.0, -1.0], [0.0, 1.0, 0.0]])
    y = torch.tensor([0, 2])
    expected = torch.nn.functional.cross_entropy(z, y, label_smoothing=0.2)
    assert gen.smoothed_cross_entropy(z, y, 0.2).item() == pytest.approx(expected.item())
    conf, acc = gen.confidence_and_accuracy(z, y)
    assert acc == 0.5 and 0.5 < conf < 1


def test_bad_input_is_refused(data) -> None:
    train, val = data
    with pytest.raises(ValueError, match=r"must lie in 0..4 \(5 classes\), got the label 9"):
        gen.train_classifiers([64, 8, 5], train, val, seeds=[0], epochs=1)
    bad = cdata.LabeledSet(train.x, train.labels.double(), train.index)
    with pytest.raises(TypeError, match="train.labels must hold integer class indices"):
        gen.train_classifiers([64, 8, 10], bad, val, seeds=[0], epochs=1)
    empty = cdata.LabeledSet(train.x[:0], train.labels[:0], train.index[:0])
    with pytest.raises(ValueError, match=r"val.x must have shape \(n, d\) with n >= 1"):
        gen.train_classifiers([64, 8, 10], train, empty, seeds=[0], epochs=1)
    with pytest.raises(ValueError, match="train.x has 64 columns but sizes.0. is 32"):
        gen.train_classifiers([32, 8, 10], train, val, seeds=[0], epochs=1)
    with pytest.raises(ValueError, match=r"dropout must be a probability in \[0, 1\)"):
        gen.train_classifiers([64, 8, 10], train, val, seeds=[0], epochs=1, dropout=1.0)
    with pytest.raises(ValueError, match="unknown decay 'l1'"):
        gen.train_classifiers([64, 8, 10], train, val, seeds=[0], epochs=1, decay="l1")
    with pytest.raises(ValueError, match="probe_epochs were given without probe inputs"):
        gen.train_classifiers([64, 8, 10], train, val, seeds=[0], epochs=1, probe_epochs=[1])
    keep = train.labels != 9
    no_nines = cdata.LabeledSet(train.x[keep], train.labels[keep], train.index[keep.numpy()])
    with pytest.raises(ValueError, match=r"no example of class\(es\) \[9\] of 0..9"):
        gen.train_classifiers([64, 8, 10], no_nines, val, seeds=[0], epochs=1)
    with pytest.raises(ValueError, match="need two equally long"):
        gen.compare_seeds([1.0], [1.0, 2.0])
