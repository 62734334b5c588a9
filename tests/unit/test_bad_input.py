"""Bad input gets a clear error naming the value and what is allowed; nothing fails silently."""

from __future__ import annotations

import numpy as np
import pytest
import torch

import mlpbook
from mlpbook.chapters import width_depth as regions
from mlpbook.plots import training as figures
from mlpbook.tables import mean_spread

NAN, INF = float("nan"), float("inf")


@pytest.mark.parametrize(
    "make, kwargs, error, match",
    [
        (
            mlpbook.rotation_data,
            dict(noise=NAN),
            ValueError,
            "noise must be a finite number, got nan",
        ),
        (
            mlpbook.rotation_data,
            dict(noise=-1),
            ValueError,
            "noise must be a finite number >= 0, got -1",
        ),
        (
            mlpbook.rotation_data,
            dict(scale=NAN),
            ValueError,
            "scale must be a finite number, got nan",
        ),
        (
            mlpbook.rotation_data,
            dict(degrees="30"),
            TypeError,
            "degrees must be a number, got '30'",
        ),
        (mlpbook.rotation_data, dict(shift=(1.0,)), ValueError, "shift must be a pair of numbers"),
        (
            mlpbook.three_clusters,
            dict(noise=NAN),
            ValueError,
            "noise must be a finite number, got nan",
        ),
        (mlpbook.square_curve, dict(high=INF), ValueError, "high must be a finite number, got inf"),
        (mlpbook.square_curve, dict(low=NAN), ValueError, "low must be a finite number, got nan"),
        (
            mlpbook.quadratic_2d,
            dict(noise=-0.5),
            ValueError,
            "noise must be a finite number >= 0, got -0.5",
        ),
    ],
)
def test_data_generators_reject_bad_numbers(make, kwargs, error, match) -> None:
    with pytest.raises(error, match=match):
        make(**kwargs)


def test_train_refuses_targets_that_would_broadcast() -> None:
    data = mlpbook.rotation_data(20)
    for y in (data.y[:, :1], data.y):
        model = mlpbook.make_mlp([2, 4, 2 if y.shape[1] == 1 else 3])
        with pytest.raises(
            ValueError, match=r"predictions have shape \(20, \d\) but the targets y have shape"
        ):
            mlpbook.train(model, data.x, y, epochs=1)
    with pytest.raises(ValueError, match="the model's predictions have shape"):
        mlpbook.train_seeds([2, 4, 3], data.x, data.y, seeds=[0], epochs=1)


def test_a_loss_that_grows_by_orders_of_magnitude_stops_training() -> None:
    data = mlpbook.rotation_data(20)
    with pytest.raises(
        mlpbook.TrainingDiverged, match=r"the loss became .* from .* before training .*lr=1000000.0"
    ):
        mlpbook.train(mlpbook.make_mlp([2, 8, 2]), data.x, data.y, epochs=50, lr=1e6)
    with pytest.raises(mlpbook.TrainingDiverged, match="the loss of seed 0"):
        mlpbook.train_seeds([2, 8, 2], data.x, data.y, seeds=[0, 1], epochs=50, lr=1e6)
    mlpbook.train(
        mlpbook.make_mlp([2, 8, 2]), data.x, data.y, epochs=50, lr=1e-2
    )  # a sane run passes


def test_regions_refuse_nan_weights() -> None:
    model = mlpbook.make_mlp([2, 4, 1])
    with torch.no_grad():
        model[0].weight[0, 0] = NAN
    with pytest.raises(ValueError, match="layer 0 .* has NaN or infinite weights"):
        regions.count_regions_on_line(model, [0.0, 0.0], [1.0, 1.0])


def test_mean_spread_and_seed_refuse_what_they_cannot_show() -> None:
    with pytest.raises(ValueError, match="finite values, got inf"):
        mean_spread([INF])
    with pytest.raises(ValueError, match="seed must be <= 9223372036854775807"):
        mlpbook.seed_everything(2**70)


def test_convergence_plot_checks_its_data() -> None:
    x = np.linspace(0, 1, 5)
    with pytest.raises(ValueError, match=r"errors\[0\] must be a finite number >= 0, got nan"):
        figures.convergence_plot(x, x, {0: x}, {0: NAN})
    with pytest.raises(ValueError, match=r"fits\[0\] has 3 values, x has 5"):
        figures.convergence_plot(x, x, {0: x[:3]}, {0: 1.0})
    with pytest.raises(ValueError, match=r"fits\[0\] contains NaN"):
        figures.convergence_plot(x, x, {0: x * NAN}, {0: 1.0})
