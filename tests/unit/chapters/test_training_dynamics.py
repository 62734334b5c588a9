"""The training chapter's tools: surfaces, paths, stacked runs, schedules, gradient noise."""

from __future__ import annotations

import math

import numpy as np
import pytest
import torch

import mlpbook
from mlpbook.chapters import training_dynamics as td
from mlpbook.data import wavy_curve
from mlpbook.optimizers import Momentum

TASK = wavy_curve(24)
SIZES = [1, 6, 1]


def test_quadratic_surface_and_gradient_descent_factor() -> None:
    q = td.quadratic_surface(1.0, 40.0)
    path = td.optimizer_path(q, "gd", 0.03, 5)
    # w_i is multiplied by 1 - lr h_i per step
    np.testing.assert_allclose(path[-1], np.array(q.start) * np.array([0.97, -0.2]) ** 5)
    assert td.sign_changes(path[:, 1]) == 1.0
    xs, ys, z = q.grid(7)
    assert z.shape == (7, 7) and z[3, 3] == pytest.approx(0.5 * (xs[3] ** 2 + 40 * ys[3] ** 2))
    with pytest.raises(ValueError, match="need h1 <= h2"):
        td.quadratic_surface(3.0, 2.0)


def test_optimizer_path_keeps_the_last_finite_point_and_checks_names() -> None:
    q = td.quadratic_surface(1.0, 40.0)
    path = td.optimizer_path(q, "gd", 0.2, 400)  # diverges, overflows
    assert np.isfinite(path).all()
    with pytest.raises(ValueError, match="unknown optimizer 'sgd'"):
        td.optimizer_path(q, "sgd", 0.1, 3)


def test_mlp_slice_is_the_network_loss_at_the_trained_values() -> None:
    s = td.mlp_slice(TASK.x, TASK.y, width=4, epochs=50, lr=0.02, seed=0)
    model = mlpbook.seeded_mlp([1, 4, 1], "tanh", seed=0)
    mlpbook.train(model, TASK.x, TASK.y, epochs=50, lr=0.02)
    with torch.no_grad():
        full = float(((model(TASK.x) - TASK.y) ** 2).mean())
    assert float(s.loss(torch.tensor(s.minimum))) == pytest.approx(full, rel=1e-12)


def _sequential(seed: int, lr: float, epochs: int, batch_size, momentum=None, schedule=None):
    model = mlpbook.seeded_mlp(SIZES, "tanh", seed=seed)
    params = list(model.parameters())
    opt = (
        torch.optim.SGD(params, lr=lr, momentum=momentum)
        if momentum
        else torch.optim.SGD(params, lr=lr)
    )
    generator = mlpbook.make_generator(0)
    n = TASK.x.shape[0]
    for e in range(1, epochs + 1):
        for group in opt.param_groups:
            group["lr"] = lr * (schedule(e) if schedule else 1.0)
        order = torch.randperm(n, generator=generator) if batch_size else None
        batches = (
            [order[s : s + batch_size] for s in range(0, n, batch_size)]
            if batch_size
            else [slice(None)]
        )
        for idx in batches:
            opt.zero_grad()
            ((model(TASK.x[idx]) - TASK.y[idx]) ** 2).mean().backward()
            opt.step()
    return model


@pytest.mark.parametrize("batch_size", [None, 5])
@pytest.mark.parametrize("optimizer", ["gd", "momentum"])
def test_stacked_runs_equal_sequential_runs(batch_size, optimizer: str) -> None:
    seeds, lrs = [0, 1, 2], [0.05, 0.1, 0.02]
    schedule = td.step_lr(2, 0.5)
    runs = td.stacked_runs(
        SIZES,
        TASK.x,
        TASK.y,
        seeds=seeds,
        lrs=lrs,
        optimizer=optimizer,
        epochs=5,
        batch_size=batch_size,
        schedule=schedule,
    )
    assert runs.loss.shape == (6, 3) and not runs.diverged.any()
    for k, (seed, lr) in enumerate(zip(seeds, lrs)):
        reference = _sequential(
            seed,
            lr,
            5,
            batch_size,
            momentum=0.9 if optimizer == "momentum" else None,
            schedule=schedule,
        )
        for a, b in zip(runs.models[k].parameters(), reference.parameters()):
            torch.testing.assert_close(a, b, rtol=1e-10, atol=1e-12)
        with torch.no_grad():
            final = float(((reference(TASK.x) - TASK.y) ** 2).mean())
        assert runs.loss[-1, k] == pytest.approx(final, rel=1e-10)


def test_stacked_runs_mark_divergence_without_stopping_the_others() -> None:
    runs = td.stacked_runs(
        SIZES, TASK.x, TASK.y, seeds=[0, 0], lrs=[0.05, 50.0], optimizer="gd", epochs=30
    )
    assert runs.diverged.tolist() == [False, True]
    assert math.isnan(runs.final()[1]) and np.isfinite(runs.final()[0])
    assert list(runs.by_lr()) == [0.05, 50.0]


def test_stacked_runs_refuse_bad_input() -> None:
    with pytest.raises(ValueError, match="one entry per seed"):
        td.stacked_runs(SIZES, TASK.x, TASK.y, seeds=[0, 1], lrs=[0.1], optimizer="gd", epochs=1)
    with pytest.raises(ValueError, match="lr must be a finite number > 0"):
        td.stacked_runs(SIZES, TASK.x, TASK.y, seeds=[0], lrs=-0.1, optimizer="gd", epochs=1)
    with pytest.raises(ValueError, match="unknown optimizer"):
        td.stacked_runs(SIZES, TASK.x, TASK.y, seeds=[0], lrs=0.1, optimizer="lbfgs", epochs=1)
    with pytest.raises(ValueError, match="batch_size must be <= 24"):
        td.stacked_runs(
            SIZES, TASK.x, TASK.y, seeds=[0], lrs=0.1, optimizer="gd", epochs=1, batch_size=25
        )


def test_schedules() -> None:
    step = td.step_lr(3, 0.5)
    assert [step(e) for e in range(1, 8)] == [1, 1, 1, 0.5, 0.5, 0.5, 0.25]
    cos = td.cosine_with_warmup(10, 2)
    assert cos(1) == 0.5 and cos(2) == 1.0
    assert cos(10) == pytest.approx(0.0, abs=1e-15) and cos(6) == pytest.approx(0.5)
    assert td.constant()(7) == 1.0
    with pytest.raises(ValueError, match="warmup must be <= 9"):
        td.cosine_with_warmup(10, 10)
    with pytest.raises(ValueError, match="gamma must be a finite number > 0"):
        td.step_lr(3, 0.0)


def test_first_step_sizes_of_adam() -> None:
    w = torch.tensor([1.0, 2.0, -1.0], requires_grad=True)
    opt = mlpbook.optimizers.Adam([w], lr=0.01)
    sizes = td.first_step_sizes([w], lambda: (w**2).sum(), opt, steps=3)
    assert sizes[0] == pytest.approx(1.0, rel=1e-6)


def test_gradient_noise_matches_sampling_formula() -> None:
    model = mlpbook.seeded_mlp(SIZES, "tanh", seed=0)
    g = td.per_sample_gradients(model, TASK.x, TASK.y)
    model.zero_grad()
    ((model(TASK.x) - TASK.y) ** 2).mean().backward()
    full = torch.cat([p.grad.reshape(-1) for p in model.parameters()])
    torch.testing.assert_close(g.mean(dim=0), full)
    noise = td.minibatch_gradient_noise(g, [1, 4, 24], draws=2000, seed=1)
    for b in (1, 4):
        measured, predicted = noise[b]
        assert measured == pytest.approx(predicted, rel=0.15)
    assert noise[24][0] < 1e-25 and noise[24][1] == 0.0


def test_twin_runs_and_a_nesterov_variant_differ() -> None:
    ours, theirs, p1, p2 = td.twin_runs(
        lambda p: Momentum(p, lr=0.01),
        lambda p: torch.optim.SGD(p, lr=0.01, momentum=0.9, nesterov=True),
        SIZES,
        TASK.x,
        TASK.y,
        steps=20,
    )
    assert ours.shape == theirs.shape == (20,)
    assert ours[0] == theirs[0] and ours[-1] != theirs[-1]


def test_dead_relu_fraction() -> None:
    from mlpbook.chapters import backprop

    net = backprop.ScratchMLP([2, 3, 1], ["relu", "identity"], seed=0)
    net.layers[0].b[:] = [-100.0, 100.0, -100.0]
    assert td.dead_relu_fraction(net, np.zeros((4, 2))) == pytest.approx(2 / 3)
    no_relu = backprop.ScratchMLP([2, 3, 1], ["tanh", "identity"], seed=0)
    with pytest.raises(ValueError, match="no ReLU layer"):
        td.dead_relu_fraction(no_relu, np.zeros((4, 2)))
