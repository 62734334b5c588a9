"""The batched multi-seed trainer equals K sequential runs, and its table helper."""

from __future__ import annotations

import numpy as np
import pytest
import torch

import mlpbook
from mlpbook.seeds import stack_mlps, train_seeds
from mlpbook.tables import mean_spread, round_to_spread

X, Y = mlpbook.three_clusters(40, seed=3)


def _sequential(sizes, activation, seed, init, lr, optimizer, epochs):
    mlpbook.seed_everything(seed)
    model = mlpbook.make_mlp(sizes, activation, init=init)
    history = mlpbook.train(
        model,
        X,
        Y,
        epochs=epochs,
        lr=lr,
        optimizer=optimizer,
        snapshot_epochs=[epochs],
        show_progress=False,
    )
    return model, history


@pytest.mark.parametrize(
    "sizes, activation, optimizer, lr",
    [
        ([2, 8, 2], "relu", "adam", 0.01),
        ([2, 6, 5, 4, 2], "tanh", "adam", 0.01),  # depth 4, a non-ReLU activation
        ([2, 16, 16, 16, 2], "gelu", "sgd", 0.001),
        ([2, 5, 5, 2], "sigmoid", "adam", [0.03, 0.01, 0.003]),  # one learning rate per seed
    ],
)
def test_batched_equals_sequential(sizes, activation, optimizer, lr) -> None:
    seeds, epochs = [0, 1, 7], 60
    lrs = lr if isinstance(lr, list) else [lr] * len(seeds)
    histories = train_seeds(
        sizes,
        X,
        Y,
        seeds=seeds,
        epochs=epochs,
        activation=activation,
        init="he",
        lr=lr,
        optimizer=optimizer,
        snapshot_epochs=[epochs],
        show_progress=False,
    )
    stacked = stack_mlps(sizes, activation, seeds, ["he"] * len(seeds))
    assert len(histories) == len(seeds)
    for i, (seed, batched) in enumerate(zip(seeds, histories)):
        model, single = _sequential(sizes, activation, seed, "he", lrs[i], optimizer, epochs)
        np.testing.assert_allclose(batched.loss, single.loss, rtol=2e-5, atol=1e-7)
        np.testing.assert_allclose(
            batched.snapshot(epochs), single.snapshot(epochs), rtol=1e-4, atol=1e-5
        )
        assert batched.settings["seed"] == seed and batched.settings["lr"] == lrs[i]
        # the initial weights are exactly those make_mlp draws for the seed
        mlpbook.seed_everything(seed)
        fresh = mlpbook.make_mlp(sizes, activation, init="he")
        assert torch.equal(stacked.weights[0][i], fresh[0].weight.detach())


def test_batched_final_weights_equal_sequential() -> None:
    sizes, seeds, epochs = [2, 8, 8, 2], [3, 4], 40

    histories = train_seeds(sizes, X, Y, seeds=seeds, epochs=epochs, lr=0.01, show_progress=False)
    # re-run to get the trained stacked weights through the same code path
    from mlpbook import seeds as batched

    captured = {}
    original = batched.stack_mlps

    def spy(*args, **kwargs):
        captured["model"] = original(*args, **kwargs)
        return captured["model"]

    batched.stack_mlps = spy
    try:
        again = train_seeds(sizes, X, Y, seeds=seeds, epochs=epochs, lr=0.01, show_progress=False)
    finally:
        batched.stack_mlps = original
    model_b = captured["model"]
    np.testing.assert_array_equal(histories[0].loss, again[0].loss)  # deterministic
    for i, seed in enumerate(seeds):
        model, _ = _sequential(sizes, "relu", seed, "default", 0.01, "adam", epochs)
        linears = [model[j] for j in range(0, len(model), 2)]
        for j, layer in enumerate(linears):
            torch.testing.assert_close(
                model_b.weights[j][i].detach(), layer.weight.detach(), rtol=1e-4, atol=1e-5
            )
            torch.testing.assert_close(
                model_b.biases[j][i].detach(), layer.bias.detach(), rtol=1e-4, atol=1e-5
            )


def test_per_seed_initializers() -> None:
    hs = train_seeds(
        [2, 4, 2], X, Y, seeds=[0, 0], epochs=0, init=["small", "large"], show_progress=False
    )
    assert hs[0].loss[0] != hs[1].loss[0]
    assert [h.settings["init"] for h in hs] == ["small", "large"]


@pytest.mark.parametrize(
    "kwargs, error, words",
    [
        ({"seeds": []}, ValueError, "seeds needs at least 1 value"),
        ({"seeds": [0, -1]}, ValueError, r"seeds\[1\] must be >= 0"),
        ({"seeds": [0, 1], "lr": [0.1]}, ValueError, "one entry per seed \\(2\\)"),
        ({"seeds": [0], "optimizer": "adamw"}, ValueError, "unknown optimizer 'adamw'"),
        ({"seeds": [0], "epochs": -2}, ValueError, "epochs must be >= 0"),
        ({"seeds": [0], "activation": "swish"}, ValueError, "unknown activation 'swish'"),
    ],
)
def test_bad_arguments(kwargs, error, words) -> None:
    args = {"epochs": 3, **kwargs}
    with pytest.raises(error, match=words):
        train_seeds([2, 3, 2], X, Y, **args)


def test_cuda_request_without_gpu_is_an_error() -> None:
    if torch.cuda.is_available():
        pytest.skip("a GPU is present")
    with pytest.raises(ValueError, match="cuda"):
        train_seeds([2, 3, 2], X, Y, seeds=[0], epochs=1, device="cuda")


def test_divergence_names_the_seed() -> None:
    x, y = mlpbook.square_curve(64)
    with pytest.raises(mlpbook.TrainingDiverged, match=r"seed 5 \(lr=100.0\)"):
        train_seeds(
            [1, 8, 1],
            x,
            y,
            seeds=[4, 5],
            lr=[1e-3, 100.0],
            optimizer="sgd",
            epochs=120,
            show_progress=False,
        )


def test_mean_spread() -> None:
    assert mean_spread([1.0, 2.0, 3.0]) == "2 ± 1"
    assert mean_spread([0.5]) == "0.5 ± 0"
    assert mean_spread([1.0, 2.0, 3.0], spread="minmax") == "2 [1, 3]"
    with pytest.raises(ValueError, match="unknown spread 'iqr'"):
        mean_spread([1.0], spread="iqr")
    with pytest.raises(ValueError, match="at least one"):
        mean_spread([])
    with pytest.raises(ValueError, match="mean_spread needs finite values, got inf among 1 values"):
        mean_spread([float("inf")])
    with pytest.raises(ValueError, match="got nan"):
        mean_spread([1.0, float("nan")])


@pytest.mark.parametrize(
    "mean, spread, shown",
    [
        (73.4, 1.93, ("73", "2")),
        (0.0603, 0.0535, ("0.06", "0.05")),
        (2.31, 0.087, ("2.31", "0.09")),
        (0.0947, 0.0096, ("0.09", "0.01")),
        (-0.001, 0.02, ("0.00", "0.02")),
        (209.0, 3.5e-14, ("209", "0")),
        (12345.0, 678.0, ("12300", "700")),
        (3.21e-5, 4.4e-6, ("3.2e-05", "0.4e-05")),
    ],
)
def test_round_to_spread_shows_no_digit_the_spread_calls_noise(mean, spread, shown) -> None:
    assert round_to_spread(mean, spread) == shown


def test_round_to_spread_rejects_bad_values() -> None:
    with pytest.raises(ValueError, match="spread must be >= 0, got -1"):
        round_to_spread(1.0, -1.0)
    with pytest.raises(ValueError, match="mean must be a finite number, got inf"):
        round_to_spread(float("inf"), 1.0)


def test_seeded_mlp_is_the_one_rule_and_leaves_the_random_stream_alone() -> None:
    torch.manual_seed(123)
    before = torch.rand(3)
    torch.manual_seed(123)
    model = mlpbook.seeded_mlp([2, 4, 1], "tanh", seed=7, init="he")
    assert torch.equal(torch.rand(3), before)  # the caller's stream did not move
    torch.manual_seed(7)
    by_hand = mlpbook.make_mlp([2, 4, 1], "tanh", init="he")
    assert all(torch.equal(a, b) for a, b in zip(model.parameters(), by_hand.parameters()))


def test_train_seeds_returns_the_trained_models_and_groups_by_settings() -> None:
    data = mlpbook.rotation_data(30)
    runs = train_seeds(
        [2, 8, 2],
        data.x,
        data.y,
        seeds=[0, 1, 0, 1],
        init=["he", "he", "xavier", "xavier"],
        epochs=20,
        lr=0.01,
    )
    assert len(runs.models) == 4 and isinstance(runs[0], mlpbook.History)
    for history, model in zip(runs, runs.models):  # each model reproduces its own final loss
        with torch.no_grad():
            loss = float(((model(data.x) - data.y) ** 2).mean())
        sequential = mlpbook.train(
            mlpbook.seeded_mlp(
                [2, 8, 2], seed=history.settings["seed"], init=history.settings["init"]
            ),
            data.x,
            data.y,
            epochs=20,
            lr=0.01,
        )
        assert loss == pytest.approx(sequential.final_loss, rel=1e-9)
    groups = runs.group("init")
    assert list(groups) == ["he", "xavier"] and [h.settings["seed"] for h in groups["xavier"]] == [
        0,
        1,
    ]
    assert list(runs.group("init", "seed")) == [("he", 0), ("he", 1), ("xavier", 0), ("xavier", 1)]
    with pytest.raises(KeyError, match="unknown settings key"):
        runs.group("width")


def test_mean_std_and_significant() -> None:
    from mlpbook.tables import mean_std, significant

    assert mean_std([1.0, 2.0, 3.0]) == (2.0, 1.0) and mean_std([4.0]) == (4.0, 0.0)
    assert significant(0.0012345, 2) == 0.0012 and significant(98765.0) == 98800.0
    with pytest.raises(ValueError, match="mean_std needs finite values"):
        mean_std([float("nan")])
    with pytest.raises(ValueError, match="value must be a finite number"):
        significant(float("inf"))
