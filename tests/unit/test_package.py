"""Unit tests of the mlpbook package (chapter 1 modules)."""

from __future__ import annotations

import math

import numpy as np
import pytest
import torch
from torch import nn

import mlpbook
from mlpbook.diagnostics import activation_patterns, local_affine_maps
from mlpbook.plots import training as figures
from mlpbook.tables import format_matrix, markdown_table

# --- repro -----------------------------------------------------------------


def test_seed_everything_makes_runs_identical() -> None:
    mlpbook.seed_everything(3)
    a = torch.randn(5)
    mlpbook.seed_everything(3)
    assert torch.equal(a, torch.randn(5))
    assert torch.get_num_threads() == 1


@pytest.mark.parametrize("bad, error", [(-1, ValueError), (1.5, TypeError), (True, TypeError)])
def test_seed_everything_rejects_bad_seeds(bad, error) -> None:
    with pytest.raises(error, match="seed"):
        mlpbook.seed_everything(bad)


def test_progress_is_silent_when_disabled(monkeypatch, capsys) -> None:
    monkeypatch.setenv("MLPBOOK_NO_PROGRESS", "1")
    assert list(mlpbook.progress(range(3))) == [0, 1, 2]
    assert capsys.readouterr().err == ""
    monkeypatch.setenv("MLPBOOK_NO_PROGRESS", "")
    assert list(mlpbook.progress(range(3))) == [0, 1, 2]


# --- data ------------------------------------------------------------------


def test_rotation_matrix_rotates_row_vectors_counter_clockwise() -> None:
    r = mlpbook.rotation_matrix(90)
    assert torch.allclose(torch.tensor([[1.0, 0.0]]) @ r, torch.tensor([[0.0, 1.0]]), atol=1e-6)


def test_datasets_shapes_and_determinism() -> None:
    rot = mlpbook.rotation_data(100, seed=1)
    assert rot.x.shape == rot.y.shape == (100, 2)
    assert torch.equal(rot.x, mlpbook.rotation_data(100, seed=1).x)
    assert not torch.equal(rot.x, mlpbook.rotation_data(100, seed=2).x)
    clusters = mlpbook.three_clusters(10)
    assert clusters.x.shape == clusters.y.shape == (30, 2)
    sq = mlpbook.square_curve(1000)
    assert sq.x.shape == (1000, 1) and float(sq.x.min()) == -10 and float(sq.x.max()) == 10
    assert torch.equal(sq.y, sq.x**2)
    quad = mlpbook.quadratic_2d(50)
    assert torch.allclose(quad.y, 2 * quad.x + quad.x**2 + 0.5)


def test_rotation_data_follows_its_formula() -> None:
    rot = mlpbook.rotation_data(200, noise=0.0)
    assert torch.allclose(rot.y, rot.x @ mlpbook.rotation_matrix(30) + 5, atol=1e-5)


def test_three_clusters_maps() -> None:
    d = mlpbook.three_clusters(50, noise=0.0)
    assert torch.allclose(d.y[:50], 3 * d.x[:50])
    assert torch.allclose(d.y[100:], -5 * d.x[100:])


@pytest.mark.parametrize(
    "call",
    [
        lambda: mlpbook.rotation_data(0),
        lambda: mlpbook.square_curve(10, low=1, high=0),
        lambda: mlpbook.three_clusters(5, seed=-3),
    ],
)
def test_datasets_reject_bad_arguments(call) -> None:
    with pytest.raises((ValueError, TypeError)):
        call()


# --- models, activations, initializers --------------------------------------


def test_make_mlp_structure() -> None:
    m = mlpbook.make_mlp([4, 8, 8, 4], "gelu")
    kinds = [type(layer).__name__ for layer in m]
    assert kinds == ["Linear", "GELU", "Linear", "GELU", "Linear"]
    assert m(torch.zeros(3, 4)).shape == (3, 4)
    assert mlpbook.count_parameters(m) == mlpbook.mlp_parameter_count([4, 8, 8, 4]) == 148
    assert mlpbook.mlp_parameter_count([4, 4, 4, 4]) == 60


def test_make_mlp_single_layer_and_identity_init() -> None:
    m = mlpbook.make_mlp([2, 2], init="identity")
    assert len(m) == 1
    assert torch.equal(m[0].weight.data, torch.eye(2)) and torch.equal(
        m[0].bias.data, torch.zeros(2)
    )


@pytest.mark.parametrize(
    "sizes, error, words",
    [
        ([4], ValueError, "at least an input and an output"),
        ([], ValueError, "at least"),
        ([4, 0, 2], ValueError, "sizes\\[1\\] must be >= 1"),
        ([4, 2.5, 2], TypeError, "sizes\\[1\\] must be an int"),
        ("42", TypeError, "sequence of ints"),
    ],
)
def test_make_mlp_rejects_bad_sizes(sizes, error, words) -> None:
    with pytest.raises(error, match=words):
        mlpbook.make_mlp(sizes)


def test_unknown_activation_lists_valid_names() -> None:
    with pytest.raises(ValueError, match="unknown activation 'relu6'.*relu, leaky_relu, gelu"):
        mlpbook.make_mlp([2, 3, 1], "relu6")
    with pytest.raises(TypeError):
        mlpbook.get_activation(3)


def test_unknown_initializer_lists_valid_names() -> None:
    with pytest.raises(ValueError, match="unknown initializer 'glorot'.*xavier"):
        mlpbook.make_mlp([2, 3], init="glorot")
    with pytest.raises(ValueError, match="square"):
        mlpbook.make_mlp([2, 3], init="identity")


@pytest.mark.parametrize(
    "name, expected_std",
    [("he", math.sqrt(2 / 400)), ("xavier", math.sqrt(2 / 600)), ("small", 0.01), ("large", 1.0)],
)
def test_initializer_scales(name, expected_std) -> None:
    layer = nn.Sequential(nn.Linear(400, 200))
    mlpbook.initialize(layer, name, generator=mlpbook.make_generator(0))
    assert abs(layer[0].weight.std().item() / expected_std - 1) < 0.02
    assert torch.count_nonzero(layer[0].bias) == 0


# --- training ----------------------------------------------------------------


def test_train_records_loss_and_snapshots() -> None:
    mlpbook.seed_everything(0)
    d = mlpbook.rotation_data(50)
    m = mlpbook.make_mlp([2, 2], init="identity")
    h = mlpbook.train(
        m, d.x, d.y, epochs=20, lr=0.05, snapshot_epochs=[0, 10, 20], show_progress=False
    )
    assert h.loss.shape == (21,) and h.epochs == 20
    assert h.snapshots.shape == (3, 50, 2)
    assert np.allclose(h.snapshot(0), d.x.numpy())  # identity start
    with torch.no_grad():
        final = m(d.x)
    assert np.allclose(h.snapshot(20), final.numpy(), atol=1e-6)
    assert h.final_loss == pytest.approx(torch.nn.functional.mse_loss(final, d.y).item(), rel=1e-6)
    assert h.loss[-1] < h.loss[0]
    with pytest.raises(KeyError, match="recorded epochs"):
        h.snapshot(5)


def test_train_snapshots_match_fresh_runs() -> None:
    """Snapshot at epoch e equals a fresh run of e epochs from the same seed (full batch)."""
    d = mlpbook.three_clusters(20)

    def run(epochs: int):
        mlpbook.seed_everything(1)
        m = mlpbook.make_mlp([2, 8, 2])
        return mlpbook.train(
            m, d.x, d.y, epochs=epochs, lr=0.01, snapshot_epochs=[epochs], show_progress=False
        )

    long = run(30)
    short = run(12)
    mlpbook.seed_everything(1)
    m = mlpbook.make_mlp([2, 8, 2])
    h = mlpbook.train(m, d.x, d.y, epochs=30, lr=0.01, snapshot_epochs=[12], show_progress=False)
    assert np.array_equal(h.snapshot(12), short.snapshot(12))
    assert h.loss[12] == short.final_loss and h.final_loss == long.final_loss


def test_train_minibatch() -> None:
    mlpbook.seed_everything(0)
    d = mlpbook.rotation_data(64)
    m = mlpbook.make_mlp([2, 2], init="identity")
    h = mlpbook.train(
        m,
        d.x,
        d.y,
        epochs=5,
        lr=0.05,
        optimizer="sgd",
        batch_size=16,
        snapshot_epochs=[5],
        generator=mlpbook.make_generator(0),
        show_progress=False,
    )
    assert h.loss.shape == (6,) and h.snapshots.shape == (1, 64, 2)
    assert h.loss[-1] < h.loss[0]


class _RowProbe(nn.Module):
    """A linear model that records which rows (column 0 holds the row number) each training step saw."""

    def __init__(self) -> None:
        super().__init__()
        self.linear = nn.Linear(2, 1, dtype=torch.float64)
        self.steps: list[list[int]] = []

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        if torch.is_grad_enabled():  # a training step (the loss before training runs under no_grad)
            self.steps.append(x[:, 0].long().tolist())
        return self.linear(x)


def _minibatch_run(seed: int, *, n: int = 12, batch_size: int = 4, epochs: int = 3):
    """The rows of every epoch's minibatches, in order, and the loss history of one SGD run."""
    rows = torch.arange(n, dtype=torch.float64)
    x = torch.stack([rows, torch.linspace(-1, 1, n, dtype=torch.float64)], dim=1)
    y = (x[:, 1:] ** 2).clone()
    torch.manual_seed(0)  # the same initial weights in every run
    probe = _RowProbe()
    history = mlpbook.train(
        probe,
        x,
        y,
        epochs=epochs,
        lr=0.01,
        optimizer="sgd",
        batch_size=batch_size,
        generator=mlpbook.make_generator(seed),
        show_progress=False,
    )
    per_epoch = n // batch_size
    assert len(probe.steps) == epochs * per_epoch and all(len(b) == batch_size for b in probe.steps)
    epochs_rows = [sum(probe.steps[e * per_epoch : (e + 1) * per_epoch], []) for e in range(epochs)]
    return epochs_rows, history.loss


def test_train_minibatches_are_a_new_permutation_every_epoch() -> None:
    epochs_rows, _ = _minibatch_run(0)
    for rows in epochs_rows:  # every row exactly once per epoch
        assert sorted(rows) == list(range(12))
    assert epochs_rows[0] != list(range(12))  # shuffled, not in data order
    assert len({tuple(rows) for rows in epochs_rows}) == len(epochs_rows)  # reshuffled every epoch


def test_train_shuffling_follows_the_generator() -> None:
    rows_a, loss_a = _minibatch_run(1)
    rows_again, loss_again = _minibatch_run(1)
    rows_b, loss_b = _minibatch_run(2)
    assert rows_a == rows_again and np.array_equal(loss_a, loss_again)  # same seed: the same run
    assert rows_a != rows_b  # another seed: another order ...
    assert not np.array_equal(loss_a[1:], loss_b[1:])  # ... and so another training trajectory
    assert loss_a[0] == loss_b[0]  # from the same start


@pytest.mark.parametrize(
    "kwargs, error, words",
    [
        ({"epochs": -1}, ValueError, "epochs must be >= 0, got -1"),
        ({"epochs": 2.0}, TypeError, "epochs must be an int"),
        ({"epochs": 3, "lr": 0}, ValueError, "lr must be a finite number > 0"),
        ({"epochs": 3, "lr": float("inf")}, ValueError, "lr must be a finite number > 0, got inf"),
        ({"epochs": 3, "lr": float("nan")}, ValueError, "lr must be a finite number > 0, got nan"),
        (
            {"epochs": 3, "optimizer": "rmsprop"},
            ValueError,
            "unknown optimizer 'rmsprop'; allowed: adam, sgd",
        ),
        ({"epochs": 3, "loss": "mae"}, ValueError, "unknown loss 'mae'"),
        ({"epochs": 3, "batch_size": 0}, ValueError, "batch_size must be >= 1"),
        (
            {"epochs": 3, "snapshot_epochs": [4]},
            ValueError,
            "snapshot epoch 4 is beyond the run's 3 epochs",
        ),
    ],
)
def test_train_rejects_bad_arguments(kwargs, error, words) -> None:
    d = mlpbook.rotation_data(10)
    with pytest.raises(error, match=words):
        mlpbook.train(mlpbook.make_mlp([2, 2]), d.x, d.y, **kwargs)


def test_train_rejects_bad_data() -> None:
    m = mlpbook.make_mlp([2, 2])
    with pytest.raises(ValueError, match="same number of rows"):
        mlpbook.train(m, torch.zeros(3, 2), torch.zeros(4, 2), epochs=1)
    with pytest.raises(ValueError, match="shape"):
        mlpbook.train(m, torch.zeros(3), torch.zeros(3, 2), epochs=1)


def test_diverging_run_stops_with_clear_error() -> None:
    mlpbook.seed_everything(0)
    d = mlpbook.square_curve(100)
    m = mlpbook.make_mlp([1, 16, 1])
    with pytest.raises(
        mlpbook.TrainingDiverged, match=r"loss became .* at epoch \d+, from .*lr=100"
    ):
        mlpbook.train(m, d.x, d.y, epochs=200, lr=100.0, optimizer="sgd", show_progress=False)


def test_frame_epochs() -> None:
    assert mlpbook.frame_epochs(1000, 5) == [0, 250, 500, 750, 1000]
    frames = mlpbook.frame_epochs(5000, 100)
    assert frames[0] == 0 and frames[-1] == 5000 and len(frames) <= 100
    assert mlpbook.frame_epochs(3, 100) == [0, 1, 2, 3]
    with pytest.raises(ValueError):
        mlpbook.frame_epochs(10, 1)


# --- diagnostics -------------------------------------------------------------


def test_local_affine_maps_reproduce_the_network() -> None:
    mlpbook.seed_everything(0)
    m = mlpbook.make_mlp([3, 7, 5, 2], "relu").double()
    x = torch.randn(40, 3, dtype=torch.float64)
    A, c = local_affine_maps(m, x)
    assert A.shape == (40, 2, 3) and c.shape == (40, 2)
    assert torch.allclose(torch.einsum("noi,ni->no", A, x) + c, m(x), atol=1e-12)
    # the local map is the Jacobian
    jac = torch.autograd.functional.jacobian(lambda v: m(v.unsqueeze(0))[0], x[0])
    assert torch.allclose(jac, A[0])


def test_worked_example_regions() -> None:
    m = mlpbook.make_mlp([2, 2, 1], bias=False)
    with torch.no_grad():
        m[0].weight.copy_(torch.tensor([[1.0, 1.0], [-1.0, -1.0]]))
        m[2].weight.copy_(torch.tensor([[1.0, 1.0]]))
    x = torch.tensor([[1.0, 1.0], [-2.0, -2.0]])
    (pattern,) = activation_patterns(m, x)
    assert pattern.tolist() == [[True, False], [False, True]]
    A, _ = local_affine_maps(m, x)
    assert A[0].tolist() == [[1.0, 1.0]] and A[1].tolist() == [[-1.0, -1.0]]


def test_local_affine_maps_reject_smooth_activations() -> None:
    with pytest.raises(TypeError, match="only Linear, ReLU"):
        local_affine_maps(mlpbook.make_mlp([2, 3, 1], "gelu"), torch.zeros(1, 2))


# --- tables and figures --------------------------------------------------------


def test_markdown_table() -> None:
    text = markdown_table(["a", "b"], [["x", 1.23456], ["y", 2.0]], fmt=".3g")
    assert text.splitlines() == ["| a | b |", "| :--- | ---: |", "| x | 1.23 |", "| y | 2 |"]
    with pytest.raises(ValueError, match="row 0 has 1 cells"):
        markdown_table(["a", "b"], [["x"]])


def test_format_matrix() -> None:
    assert format_matrix([[1, -0.0]]) == r"\begin{pmatrix} 1 & 0 \end{pmatrix}"


def _history() -> mlpbook.History:
    mlpbook.seed_everything(0)
    d = mlpbook.three_clusters(10)
    m = mlpbook.make_mlp([2, 2], init="identity")
    return mlpbook.train(
        m,
        d.x,
        d.y,
        epochs=300,
        lr=0.01,
        snapshot_epochs=mlpbook.frame_epochs(300, 301),
        show_progress=False,
    ), d


def test_animation_has_frames_controls_and_alt_text() -> None:
    h, d = _history()
    fig = figures.animate_predictions(
        h, d.y.numpy(), title="t", alt="alt text", caption="cap", max_frames=100
    )
    assert 2 <= len(fig.frames) <= 100
    assert fig.frames[0].name == "0" and fig.frames[-1].name == "300"
    assert fig.layout.updatemenus[0].buttons[0].label.endswith("Play")
    assert len(fig.layout.sliders[0].steps) == len(fig.frames)
    assert fig.layout.meta == {"alt": "alt text", "caption": "cap"}
    # the data are rounded to what a reader sees
    assert all(round(v, 2) == v for v in fig.frames[-1].data[0].x)


def test_animation_1d_and_errors() -> None:
    d = mlpbook.square_curve(20)
    m = mlpbook.make_mlp([1, 8, 1])
    h = mlpbook.train(m, d.x, d.y, epochs=5, snapshot_epochs=[0, 5], show_progress=False)
    fig = figures.animate_predictions(h, d.y.numpy(), inputs=d.x.numpy(), title="t", alt="a")
    assert fig.data[1].mode == "lines"
    with pytest.raises(ValueError, match="need inputs"):
        figures.animate_predictions(h, d.y.numpy(), title="t", alt="a")
    empty = mlpbook.train(m, d.x, d.y, epochs=1, show_progress=False)
    with pytest.raises(ValueError, match="no snapshots"):
        figures.animate_predictions(empty, d.y.numpy(), inputs=d.x.numpy(), title="t", alt="a")


def test_convergence_plot() -> None:
    x = np.linspace(-1, 1, 10)
    fig = figures.convergence_plot(x, x**2, {0: 0 * x, 10: x**2 + 0.01}, {0: 1.0, 10: 1e-3})
    assert len(fig.axes) == 2  # the plot and its colour bar
    with pytest.raises(ValueError, match="same epochs"):
        figures.convergence_plot(x, x**2, {0: x}, {1: 1.0})


def test_seed_everything_makes_float64_the_default_and_checks_its_arguments() -> None:
    mlpbook.seed_everything(0, dtype=torch.float32)
    assert torch.get_default_dtype() == torch.float32
    mlpbook.seed_everything(0)
    assert torch.get_default_dtype() == torch.float64
    assert mlpbook.square_curve(4).x.dtype == torch.float64
    with pytest.raises(
        ValueError, match=r"seed must be <= 9223372036854775807, got 1180591620717411303424"
    ):
        mlpbook.seed_everything(2**70)
    with pytest.raises(TypeError, match="dtype must be torch.float64 or torch.float32"):
        mlpbook.seed_everything(0, dtype=torch.int64)


def test_seed_everything_reads_the_thread_count_from_the_environment(monkeypatch) -> None:
    monkeypatch.setenv("MLPBOOK_THREADS", "2")
    mlpbook.seed_everything(0)
    assert torch.get_num_threads() == 2
    monkeypatch.setenv("MLPBOOK_THREADS", "two")
    with pytest.raises(ValueError, match="MLPBOOK_THREADS must be a positive integer, got 'two'"):
        mlpbook.seed_everything(0)
    monkeypatch.delenv("MLPBOOK_THREADS")
    mlpbook.seed_everything(0)
    assert torch.get_num_threads() == 1


def test_train_rejects_data_of_another_dtype_than_the_model() -> None:
    model = mlpbook.make_mlp([1, 4, 1])
    data = mlpbook.square_curve(8)
    with pytest.raises(
        TypeError, match="x has dtype torch.float32 but the model's parameters are torch.float64"
    ):
        mlpbook.train(model, data.x.float(), data.y, epochs=1)
