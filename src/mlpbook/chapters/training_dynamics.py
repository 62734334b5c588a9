r"""Tools of the chapter on training: loss surfaces, optimizer paths, stacked sweeps.

* Two-parameter loss surfaces (:class:`Surface`): an ill-conditioned quadratic
  and a real slice of an MLP's loss (two weights of one hidden unit, all others
  fixed), and the paths the optimizers of :mod:`mlpbook.optimizers` take on them.
* :func:`stacked_runs`: K MLPs (seeds × learning rates) trained in one
  vectorized run with any of the book's optimizers, full-batch or on
  minibatches, with an optional learning-rate schedule. Unlike
  :func:`mlpbook.train_seeds` it does not stop when a model diverges: it marks
  it, so that a learning-rate sweep can cross the divergence edge.
* Schedules (:func:`step_lr`, :func:`cosine_with_warmup`), the size of Adam's
  first steps, and the noise of the minibatch gradient.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

import numpy as np
import torch

from .._checks import check_choice, check_float, check_int, check_int_sequence
from ..models import seeded_mlp
from ..optimizers import OPTIMIZER_CLASSES
from ..repro import make_generator
from ..seeds import stack_mlps, unstack_mlps
from ..training import DIVERGENCE_FACTOR, train
from .backprop import ReLU

__all__ = [
    "Surface",
    "quadratic_surface",
    "mlp_slice",
    "optimizer_path",
    "Runs",
    "stacked_runs",
    "constant",
    "step_lr",
    "cosine_with_warmup",
    "first_step_sizes",
    "per_sample_gradients",
    "minibatch_gradient_noise",
    "sign_changes",
    "twin_runs",
    "dead_relu_fraction",
]


@dataclass
class Surface:
    """A loss of two parameters, ``loss(w)`` for ``w`` of shape ``(..., 2)``, with a view box.

    Attributes:
        name: a short title.
        loss: maps ``(..., 2)`` to ``(...)``.
        start: where the optimizers start.
        x_range, y_range: the box drawn.
        minimum: a minimizer (the quadratic's; the trained values for the slice).
        labels: the two parameters' names.
        info: numbers that describe the surface (curvatures, trained values).
        other_minima: further (near-)minimizers worth marking.
    """

    name: str
    loss: Callable[[torch.Tensor], torch.Tensor]
    start: tuple[float, float]
    x_range: tuple[float, float]
    y_range: tuple[float, float]
    minimum: tuple[float, float]
    labels: tuple[str, str] = ("w₁", "w₂")
    info: dict = field(default_factory=dict)
    other_minima: tuple[tuple[float, float], ...] = ()

    def grid(self, n: int = 60) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """``(xs, ys, Z)``: ``n`` points per axis and the loss ``Z[j, i]`` at ``(xs[i], ys[j])``."""
        check_int("n", n, minimum=2)
        xs = torch.linspace(*self.x_range, n, dtype=torch.float64)
        ys = torch.linspace(*self.y_range, n, dtype=torch.float64)
        w = torch.stack(torch.meshgrid(xs, ys, indexing="xy"), dim=-1)
        with torch.no_grad():
            z = self.loss(w)
        return xs.numpy(), ys.numpy(), z.numpy()


def quadratic_surface(h1: float = 1.0, h2: float = 40.0) -> Surface:
    r"""The ill-conditioned quadratic :math:`L(w) = \tfrac12 (h_1 w_1^2 + h_2 w_2^2)`.

    Its Hessian is :math:`\operatorname{diag}(h_1, h_2)`; gradient descent with
    rate :math:`\eta` multiplies :math:`w_i` by :math:`1 - \eta h_i` per step, so
    it is stable only for :math:`\eta < 2 / \max(h_1, h_2)`, and the condition
    number :math:`h_2 / h_1` sets how slowly the flat direction converges.

    Raises:
        ValueError: unless ``0 < h1 <= h2``.
    """
    h1 = check_float("h1", h1, positive=True)
    h2 = check_float("h2", h2, positive=True)
    if h1 > h2:
        raise ValueError(f"need h1 <= h2 (w2 is the steep direction), got h1={h1}, h2={h2}")

    def loss(w: torch.Tensor) -> torch.Tensor:
        return 0.5 * (h1 * w[..., 0] ** 2 + h2 * w[..., 1] ** 2)

    return Surface(
        name=f"quadratic, curvatures {h1:g} and {h2:g}",
        loss=loss,
        start=(-4.0, 1.0),
        x_range=(-4.5, 1.5),
        y_range=(-1.5, 1.5),
        minimum=(0.0, 0.0),
        info={"h1": h1, "h2": h2},
    )


def mlp_slice(
    x: torch.Tensor,
    y: torch.Tensor,
    *,
    width: int = 8,
    epochs: int = 1000,
    lr: float = 0.01,
    seed: int = 0,
    start: tuple[float, float] = (0.1, -0.1),
) -> Surface:
    r"""A real two-parameter slice of an MLP's loss.

    A ``1 → width → 1`` tanh network is trained with Adam (``mlpbook.train``).
    Then every parameter is frozen except the two of the hidden unit ``j`` with
    the largest outgoing weight: its input weight :math:`a` and its output
    weight :math:`c`. With :math:`r(x)` the network's output without unit
    ``j``, the slice is

    .. math:: L(a, c) = \frac1n \sum_i \bigl(r(x_i) + c \tanh(a x_i + b_j) - y_i\bigr)^2 ,

    minimized (over this slice) near the trained :math:`(a, c)`. Since tanh is
    odd, :math:`(-a, -c)` gives the same unit output when :math:`b_j = 0`: for a
    small bias the mirror image is a second, nearly equal minimum (marked in
    ``other_minima``), with a saddle point between them near the origin. The
    optimizers start from ``start``.
    """
    model = seeded_mlp([1, width, 1], "tanh", seed=seed)
    train(model, x, y, epochs=epochs, lr=lr)
    first, last = model[0], model[2]
    with torch.no_grad():
        j = int(last.weight[0].abs().argmax())
        a_star, c_star = float(first.weight[j, 0]), float(last.weight[0, j])
        b_j = float(first.bias[j])
        rest = model(x) - c_star * torch.tanh(a_star * x + b_j)  # (n, 1)
    xs, rs, ys = x[:, 0], rest[:, 0], y[:, 0]

    def loss(w: torch.Tensor) -> torch.Tensor:
        a, c = w[..., 0:1], w[..., 1:2]
        pred = rs + c * torch.tanh(a * xs + b_j)
        return ((pred - ys) ** 2).mean(dim=-1)

    span_a, span_c = 1.6 * abs(a_star) + 0.5, 1.6 * abs(c_star) + 0.5
    return Surface(
        name=f"two weights of a trained 1→{width}→1 network",
        loss=loss,
        start=(float(start[0]), float(start[1])),
        x_range=(-span_a, span_a),
        y_range=(-span_c, span_c),
        minimum=(a_star, c_star),
        other_minima=((-a_star, -c_star),),
        labels=("input weight a", "output weight c"),
        info={"unit": j, "a": a_star, "c": c_star, "b": b_j},
    )


def optimizer_path(
    surface: Surface, optimizer: str, lr: float, steps: int, **options
) -> np.ndarray:
    """The points ``(steps + 1, 2)`` an optimizer from :mod:`mlpbook.optimizers` visits on
    ``surface``, from ``surface.start``. A path that overflows keeps its last finite point."""
    name = check_choice("optimizer", optimizer, OPTIMIZER_CLASSES)
    check_int("steps", steps, minimum=0)
    w = torch.tensor(surface.start, dtype=torch.float64, requires_grad=True)
    opt = OPTIMIZER_CLASSES[name]([w], lr, **options)
    points = [w.detach().clone()]
    for _ in range(steps):
        opt.zero_grad()
        surface.loss(w).backward()
        opt.step()
        now = w.detach().clone()
        points.append(now if bool(torch.isfinite(now).all()) else points[-1])
    return torch.stack(points).numpy()


def sign_changes(values: np.ndarray) -> float:
    """The fraction of consecutive pairs of ``values`` with opposite signs (a zig-zag is 1)."""
    v = np.asarray(values, dtype=np.float64)
    if v.size < 2:
        raise ValueError(f"need at least two values, got {v.size}")
    return float(np.mean(np.sign(v[1:]) * np.sign(v[:-1]) < 0))


# ----------------------------------------------------------------------------------------
# Schedules: epoch -> factor of the base learning rate (the epoch's steps use it)
# ----------------------------------------------------------------------------------------


def constant() -> Callable[[int], float]:
    """The constant schedule, factor 1 in every epoch."""
    return lambda epoch: 1.0


def step_lr(step_every: int, gamma: float) -> Callable[[int], float]:
    r"""PyTorch's ``StepLR``: in epoch :math:`e = 1, 2, \dots` the factor is
    :math:`\gamma^{\lfloor (e - 1) / s \rfloor}` (``s = step_every``)."""
    check_int("step_every", step_every, minimum=1)
    gamma = check_float("gamma", gamma, positive=True)
    return lambda epoch: gamma ** ((epoch - 1) // step_every)


def cosine_with_warmup(epochs: int, warmup: int) -> Callable[[int], float]:
    r"""Linear warm-up, then cosine decay to zero (Goyal et al. 2017; Loshchilov and Hutter 2017):

    .. math::
        f(e) = \frac{e}{w} \;\; (e \le w), \qquad
        f(e) = \tfrac12\Bigl(1 + \cos\frac{\pi (e - w)}{E - w}\Bigr) \;\; (w < e \le E),

    for epochs :math:`e = 1, \dots, E` and ``warmup`` :math:`w`.
    """
    check_int("epochs", epochs, minimum=1)
    check_int("warmup", warmup, minimum=0, maximum=epochs - 1)

    def factor(epoch: int) -> float:
        if epoch <= warmup:
            return epoch / warmup
        return 0.5 * (1.0 + math.cos(math.pi * (epoch - warmup) / (epochs - warmup)))

    return factor


# ----------------------------------------------------------------------------------------
# Many models at once
# ----------------------------------------------------------------------------------------


@dataclass
class Runs:
    """What :func:`stacked_runs` recorded.

    Attributes:
        loss: ``(epochs + 1, K)``, the full-data loss after each epoch (NaN or
            huge for a diverged model).
        diverged: ``(K,)``, whether the model's loss became non-finite or grew
            :data:`mlpbook.training.DIVERGENCE_FACTOR`-fold.
        seeds, lrs: per model.
        gradient_evaluations: ``(epochs + 1,)``, per-sample gradients computed so far.
        models: the trained models as ``nn.Sequential``.
    """

    loss: np.ndarray
    diverged: np.ndarray
    seeds: list[int]
    lrs: list[float]
    gradient_evaluations: np.ndarray
    models: list = field(default_factory=list)

    def final(self) -> np.ndarray:
        """The last loss of each model, NaN where it diverged."""
        return np.where(self.diverged, np.nan, self.loss[-1])

    def by_lr(self) -> dict[float, np.ndarray]:
        """Learning rate -> the final losses of its seeds (NaN where diverged)."""
        out: dict[float, list[float]] = {}
        for lr, value in zip(self.lrs, self.final()):
            out.setdefault(lr, []).append(float(value))
        return {lr: np.array(v) for lr, v in out.items()}


def stacked_runs(
    sizes: Sequence[int],
    x: torch.Tensor,
    y: torch.Tensor,
    *,
    seeds: Sequence[int],
    lrs: float | Sequence[float],
    optimizer: str,
    epochs: int,
    activation: str = "tanh",
    batch_size: int | None = None,
    schedule: Callable[[int], float] | None = None,
    shuffle_seed: int = 0,
    **options,
) -> Runs:
    r"""Train K MLPs (model k: ``seeded_mlp(sizes, activation, seed=seeds[k])``, rate
    ``lrs[k]``) with one optimizer of :mod:`mlpbook.optimizers` over the stacked
    parameters, on the MSE loss.

    Full batch (``batch_size=None``) or minibatches: every epoch walks
    ``torch.randperm(n)`` drawn from ``make_generator(shuffle_seed)`` (the same order
    for all K models, the order ``mlpbook.train`` draws from such a generator).
    ``schedule(e)`` multiplies every rate during epoch ``e = 1..epochs``.
    The loss minimized is :math:`\sum_k L^{(k)}`, whose gradient for model k's
    parameters is that of :math:`L^{(k)}` alone, and every optimizer is
    element-wise: K independent runs, up to rounding.

    Raises:
        TypeError, ValueError: for bad sizes, seeds, rates, epochs or an unknown optimizer.
    """
    seeds = check_int_sequence("seeds", seeds, minimum=0)
    k = len(seeds)
    rates = [float(lrs)] * k if isinstance(lrs, (int, float)) else [float(v) for v in lrs]
    if len(rates) != k:
        raise ValueError(f"lrs must have one entry per seed ({k}), got {len(rates)}")
    for r in rates:
        check_float("lr", r, positive=True)
    name = check_choice("optimizer", optimizer, OPTIMIZER_CLASSES)
    check_int("epochs", epochs, minimum=0)
    n = x.shape[0]
    if batch_size is not None:
        check_int("batch_size", batch_size, minimum=1, maximum=n)
    model = stack_mlps(sizes, activation, seeds, ["default"] * k)
    params = list(model.parameters())
    opt = OPTIMIZER_CLASSES[name](params, rates, **options)
    base = torch.tensor(rates, dtype=params[0].dtype)
    generator = make_generator(shuffle_seed)
    losses = torch.zeros(epochs + 1, k, dtype=torch.float64)

    def per_model(rows) -> torch.Tensor:
        return ((model(x[rows]) - y[rows]) ** 2).mean(dim=(1, 2))

    everything = slice(None)
    if batch_size is None:
        for e in range(epochs + 1):
            value = per_model(everything)  # the parameters after e steps
            losses[e] = value.detach()
            if e == epochs:
                break
            if schedule is not None:
                opt.set_lr(base * schedule(e + 1))
            opt.zero_grad()
            value.sum().backward()
            opt.step()
    else:
        with torch.no_grad():
            losses[0] = per_model(everything)
        for e in range(1, epochs + 1):
            if schedule is not None:
                opt.set_lr(base * schedule(e))
            order = torch.randperm(n, generator=generator)
            for start in range(0, n, batch_size):
                opt.zero_grad()
                per_model(order[start : start + batch_size]).sum().backward()
                opt.step()
            with torch.no_grad():
                losses[e] = per_model(everything)
    values = losses.numpy()
    with np.errstate(invalid="ignore", over="ignore"):
        bad = ~np.isfinite(values) | (values >= DIVERGENCE_FACTOR * np.maximum(values[0], 1e-12))
    return Runs(
        loss=values,
        diverged=bad.any(axis=0),
        seeds=seeds,
        lrs=rates,
        gradient_evaluations=n * np.arange(epochs + 1),
        models=unstack_mlps(model, sizes, activation),
    )


def first_step_sizes(
    params: Sequence[torch.Tensor],
    loss_fn: Callable[[], torch.Tensor],
    optimizer,
    steps: int,
) -> np.ndarray:
    r"""The size of each of an optimizer's first ``steps`` updates: the root mean square
    of :math:`\theta_t - \theta_{t-1}` over all entries, divided by the learning rate
    (so 1 means "one learning rate per entry"). ``optimizer`` is built over ``params``;
    ``loss_fn()`` computes the loss from them."""
    check_int("steps", steps, minimum=1)
    count = sum(p.numel() for p in params)
    sizes = []
    for _ in range(steps):
        before = [p.detach().clone() for p in params]
        optimizer.zero_grad()
        loss_fn().backward()
        optimizer.step()
        sq = sum(float(((p.detach() - b) ** 2).sum()) for p, b in zip(params, before))
        sizes.append(math.sqrt(sq / count) / float(optimizer.lr))
    return np.array(sizes)


def per_sample_gradients(model: torch.nn.Module, x: torch.Tensor, y: torch.Tensor) -> torch.Tensor:
    r"""The ``(n, P)`` matrix whose row i is the gradient of sample i's squared error
    :math:`\lVert f(x_i) - y_i \rVert^2 / d_\text{out}` with respect to all ``P``
    parameters (their mean is the full-batch MSE gradient)."""
    rows = []
    params = list(model.parameters())
    for i in range(x.shape[0]):
        loss = ((model(x[i : i + 1]) - y[i : i + 1]) ** 2).mean()
        grads = torch.autograd.grad(loss, params)
        rows.append(torch.cat([g.reshape(-1) for g in grads]))
    return torch.stack(rows)


def minibatch_gradient_noise(
    per_sample: torch.Tensor, batch_sizes: Sequence[int], *, draws: int, seed: int = 0
) -> dict[int, tuple[float, float]]:
    r"""The noise of the minibatch gradient, measured and predicted.

    For a minibatch of ``B`` rows drawn without replacement from the ``n`` rows of
    ``per_sample`` (``(n, P)``), the measured value is the mean, over ``draws``
    batches, of :math:`\lVert g_B - g \rVert^2` (``g`` the full-batch gradient); the
    prediction is

    .. math:: \mathbb E \lVert g_B - g \rVert^2 = \frac{\sigma^2}{B}\,\frac{n - B}{n - 1},
        \qquad \sigma^2 = \frac1n \sum_i \lVert g_i - g \rVert^2 .

    Returns ``{B: (measured, predicted)}``.
    """
    check_int("draws", draws, minimum=1)
    n = per_sample.shape[0]
    full = per_sample.mean(dim=0)
    sigma2 = float(((per_sample - full) ** 2).sum(dim=1).mean())
    generator = make_generator(seed)
    out = {}
    for b in batch_sizes:
        check_int("batch size", b, minimum=1, maximum=n)
        dev = [
            float(
                ((per_sample[torch.randperm(n, generator=generator)[:b]].mean(0) - full) ** 2).sum()
            )
            for _ in range(draws)
        ]
        out[b] = (float(np.mean(dev)), sigma2 / b * (n - b) / (n - 1))
    return out


def twin_runs(
    ours: Callable[[list[torch.Tensor]], object],
    theirs: Callable[[list[torch.Tensor]], torch.optim.Optimizer],
    sizes: Sequence[int],
    x: torch.Tensor,
    y: torch.Tensor,
    *,
    steps: int,
    activation: str = "tanh",
    seed: int = 0,
) -> tuple[np.ndarray, np.ndarray, list[torch.Tensor], list[torch.Tensor]]:
    """Train two copies of ``seeded_mlp(sizes, activation, seed=seed)`` for ``steps``
    full-batch MSE steps, one with ``ours(params)``, one with ``theirs(params)``
    (a ``torch.optim`` optimizer), in lockstep.

    Returns ``(our_losses, their_losses, our_params, their_params)``: the loss
    before every step (``(steps,)`` each) and the parameters after the last.
    """
    check_int("steps", steps, minimum=1)
    models = [seeded_mlp(sizes, activation, seed=seed) for _ in range(2)]
    opts = [ours(list(models[0].parameters())), theirs(list(models[1].parameters()))]
    losses = np.zeros((2, steps))
    for t in range(steps):
        for i, (model, opt) in enumerate(zip(models, opts)):
            opt.zero_grad()
            loss = ((model(x) - y) ** 2).mean()
            loss.backward()
            opt.step()
            losses[i, t] = loss.item()
    params = [[p.detach().clone() for p in m.parameters()] for m in models]
    return losses[0], losses[1], params[0], params[1]


def dead_relu_fraction(model, x: np.ndarray) -> float:
    """The fraction of the first ReLU layer's units of a from-scratch
    :class:`mlpbook.chapters.backprop.ScratchMLP` that output 0 for every row of ``x``
    (dead: they pass no gradient, whatever the input)."""
    h = np.asarray(x, dtype=np.float64)
    for layer in model.layers:
        h = layer.forward(h)
        if isinstance(layer.activation, ReLU):
            return float(np.mean((h > 0).sum(axis=0) == 0))
    raise ValueError("the model has no ReLU layer")
