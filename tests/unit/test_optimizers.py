"""The from-scratch optimizers equal torch.optim's, step for step, and refuse bad input."""

from __future__ import annotations

import pytest
import torch

import mlpbook
from mlpbook import optimizers
from mlpbook.data import wavy_curve

TASK = wavy_curve(40)

PAIRS = {
    "gd": (lambda p: optimizers.GD(p, lr=0.05), lambda p: torch.optim.SGD(p, lr=0.05)),
    "momentum": (
        lambda p: optimizers.Momentum(p, lr=0.01, momentum=0.9),
        lambda p: torch.optim.SGD(p, lr=0.01, momentum=0.9),
    ),
    "momentum-dampened": (
        lambda p: optimizers.Momentum(p, lr=0.01, momentum=0.8, dampening=0.3),
        lambda p: torch.optim.SGD(p, lr=0.01, momentum=0.8, dampening=0.3),
    ),
    "rmsprop": (
        lambda p: optimizers.RMSprop(p, lr=3e-4, alpha=0.95, eps=1e-6),
        lambda p: torch.optim.RMSprop(p, lr=3e-4, alpha=0.95, eps=1e-6),
    ),
    "adam": (
        lambda p: optimizers.Adam(p, lr=1e-3, betas=(0.8, 0.99)),
        lambda p: torch.optim.Adam(p, lr=1e-3, betas=(0.8, 0.99)),
    ),
    "adam-l2": (
        lambda p: optimizers.Adam(p, lr=1e-3, weight_decay=0.1),
        lambda p: torch.optim.Adam(p, lr=1e-3, weight_decay=0.1),
    ),
    "adamw": (
        lambda p: optimizers.AdamW(p, lr=1e-3, weight_decay=0.5),
        lambda p: torch.optim.AdamW(p, lr=1e-3, weight_decay=0.5),
    ),
}


def _lockstep(ours, theirs, steps: int = 60):
    models = [mlpbook.seeded_mlp([1, 8, 8, 1], "tanh", seed=1) for _ in range(2)]
    opts = [ours(list(models[0].parameters())), theirs(list(models[1].parameters()))]
    for _ in range(steps):
        for model, opt in zip(models, opts):
            opt.zero_grad()
            ((model(TASK.x) - TASK.y) ** 2).mean().backward()
            opt.step()
    return [list(m.parameters()) for m in models]


@pytest.mark.parametrize("name", list(PAIRS))
def test_equals_torch_optim(name: str) -> None:
    ours, theirs = _lockstep(*PAIRS[name])
    for a, b in zip(ours, theirs):
        torch.testing.assert_close(a, b, rtol=1e-10, atol=1e-12)


def test_adamw_decay_is_decoupled_from_the_gradient_scale() -> None:
    """With a zero gradient, AdamW still shrinks a weight by (1 - lr wd); Adam's L2 does not act alone."""
    w = torch.tensor([2.0], requires_grad=True)
    opt = optimizers.AdamW([w], lr=0.1, weight_decay=0.5)
    w.grad = torch.zeros(1)
    opt.step()
    assert float(w.detach()) == pytest.approx(2.0 * (1 - 0.1 * 0.5))


def test_momentum_first_step_is_the_gradient_then_accumulates() -> None:
    w = torch.tensor([0.0], requires_grad=True)
    opt = optimizers.Momentum([w], lr=1.0, momentum=0.5, dampening=0.5)
    for _ in range(2):
        w.grad = torch.ones(1)
        opt.step()
    # b1 = g = 1, b2 = 0.5 * 1 + (1 - 0.5) * 1 = 1: total move 2
    assert float(w.detach()) == pytest.approx(-2.0)


def test_adam_bias_correction_first_step_is_lr_per_entry() -> None:
    w = torch.tensor([1.0, -3.0], requires_grad=True)
    for corrected, expected in ((True, 0.01), (False, 0.01 * 0.1 / 0.001**0.5)):
        x = w.detach().clone().requires_grad_(True)
        opt = optimizers.Adam([x], lr=0.01, bias_correction=corrected)
        x.grad = torch.tensor([5.0, -0.2])
        opt.step()
        torch.testing.assert_close(
            (w.detach() - x.detach()).abs(), torch.full((2,), expected), rtol=1e-5, atol=0
        )


def test_per_model_learning_rates_equal_separate_runs() -> None:
    """One optimizer over stacked (K, ...) tensors with K rates = K optimizers."""
    torch.manual_seed(0)
    stacked = torch.randn(3, 4, requires_grad=True)
    rows = [stacked.detach()[k].clone().requires_grad_(True) for k in range(3)]
    rates = [0.1, 0.01, 0.001]
    opt = optimizers.Adam([stacked], lr=rates)
    singles = [optimizers.Adam([r], lr=lr) for r, lr in zip(rows, rates)]
    for _ in range(5):
        opt.zero_grad()
        (stacked**3).sum().backward()
        opt.step()
        for r, o in zip(rows, singles):
            o.zero_grad()
            (r**3).sum().backward()
            o.step()
    torch.testing.assert_close(stacked.detach(), torch.stack([r.detach() for r in rows]))


def test_zero_grad_and_parameters_without_gradient() -> None:
    a = torch.ones(2, requires_grad=True)
    b = torch.ones(2, requires_grad=True)
    opt = optimizers.GD([a, b], lr=0.5)
    a.grad = torch.ones(2)
    opt.step()  # b has no gradient: left alone
    assert a.tolist() == [0.5, 0.5] and b.tolist() == [1.0, 1.0]
    opt.zero_grad()
    assert a.grad is None


@pytest.mark.parametrize(
    "make, error, message",
    [
        (
            lambda p: optimizers.GD(p, lr=-0.1),
            ValueError,
            "lr must be a finite number >= 0, got -0.1",
        ),
        (lambda p: optimizers.GD(p, lr=float("nan")), ValueError, "lr must be a finite number"),
        (lambda p: optimizers.GD(p, lr="0.1"), TypeError, "lr must be a number"),
        (
            lambda p: optimizers.Momentum(p, lr=0.1, momentum=1.0),
            ValueError,
            r"momentum must be in \[0, 1\), got 1.0",
        ),
        (
            lambda p: optimizers.Momentum(p, lr=0.1, dampening=-0.1),
            ValueError,
            r"dampening must be in \[0, 1\)",
        ),
        (
            lambda p: optimizers.RMSprop(p, alpha=1.5),
            ValueError,
            r"alpha must be in \[0, 1\), got 1.5",
        ),
        (lambda p: optimizers.RMSprop(p, eps=0.0), ValueError, "eps must be a finite number > 0"),
        (
            lambda p: optimizers.Adam(p, betas=(0.9, 1.0)),
            ValueError,
            r"betas\[1\] must be in \[0, 1\), got 1.0",
        ),
        (
            lambda p: optimizers.Adam(p, betas=(-0.1, 0.999)),
            ValueError,
            r"betas\[0\] must be in \[0, 1\)",
        ),
        (lambda p: optimizers.Adam(p, betas=0.9), ValueError, r"betas must be a pair"),
        (
            lambda p: optimizers.Adam(p, weight_decay=-1e-4),
            ValueError,
            "weight_decay must be a finite number >= 0",
        ),
        (
            lambda p: optimizers.AdamW(p, weight_decay=-0.01),
            ValueError,
            "weight_decay must be a finite number >= 0",
        ),
        (
            lambda p: optimizers.Adam(p, lr=[0.1, 0.2, 0.3]),
            ValueError,
            "3 learning rates need parameters stacked",
        ),
    ],
)
def test_bad_input_is_refused(make, error, message: str) -> None:
    params = [torch.zeros(2, 3, requires_grad=True)]
    with pytest.raises(error, match=message):
        make(params)


@pytest.mark.parametrize(
    "cls", [optimizers.GD, optimizers.Momentum, optimizers.Adam, optimizers.AdamW]
)
def test_empty_or_wrong_parameter_list_is_refused(cls) -> None:
    with pytest.raises(ValueError, match="params is empty"):
        cls([], lr=0.1)
    with pytest.raises(ValueError, match="params is empty"):
        cls(iter(()), lr=0.1)
    with pytest.raises(TypeError, match=r"params\[0\] must be a floating-point tensor"):
        cls([torch.zeros(2, dtype=torch.int64)], lr=0.1)
    with pytest.raises(TypeError, match=r"params\[0\] must be a floating-point tensor"):
        cls([[1.0, 2.0]], lr=0.1)
