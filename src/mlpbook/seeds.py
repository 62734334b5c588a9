r"""Many small models at once: K MLPs of one architecture in one vectorized run.

Claims such as "width 16 beats width 8" must hold across seeds. Training K
seeds one after another costs K times the Python and dispatch overhead that
dominates small networks; here the K models' weights are stacked,

.. math::
    \mathbf W_\ell \in \mathbb R^{K \times n_\ell \times n_{\ell-1}}, \qquad
    \mathbf b_\ell \in \mathbb R^{K \times n_\ell},

and one batched matrix product (``torch.baddbmm``) runs all K forward passes:
:math:`H_\ell^{(k)} = f(H_{\ell-1}^{(k)} W_\ell^{(k)\top} + b_\ell^{(k)})`, with
:math:`H_0^{(k)} = X` shared by every model.

Why this equals K independent runs: the loss minimized is
:math:`\sum_k L^{(k)}`, and :math:`L^{(k)}` depends only on model k's
parameters, so the gradient of the sum with respect to model k's parameters is
the gradient of :math:`L^{(k)}` alone. Adam and SGD update every parameter
entry on its own (Adam's moments are element-wise), so one optimizer over the
stacked tensors performs K independent optimizations. The learning rate may
differ per model (a ``(K, 1, 1)`` tensor); the initializer too.

Each model k is initialized exactly as the single-model path would:
``seeded_mlp(sizes, activation, seed=seeds[k], init=inits[k])``.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import torch

from ._checks import check_choice, check_int, check_int_sequence, check_positive_float
from ._engine import DERIVATIVES, Adam, MLPPass
from .activations import get_activation
from .models import make_mlp, seeded_mlp
from .repro import progress
from .training import (
    DIVERGENCE_FACTOR,
    LOSSES,
    History,
    TrainingDiverged,
    check_data,
    check_output_shape,
    check_snapshot_epochs,
    make_optimizer,
)

__all__ = ["SeedRuns", "unstack_mlps", "train_seeds", "stack_mlps", "StackedMLP"]


class StackedMLP(torch.nn.Module):
    """K MLPs of one architecture with stacked parameters.

    ``forward(x)`` maps a shared input ``(n, d_in)`` (or per-model inputs
    ``(K, n, d_in)``) to ``(K, n, d_out)``.
    """

    def __init__(
        self, weights: list[torch.Tensor], biases: list[torch.Tensor], activation: str
    ) -> None:
        super().__init__()
        self.weights = torch.nn.ParameterList(torch.nn.Parameter(w) for w in weights)
        self.biases = torch.nn.ParameterList(torch.nn.Parameter(b) for b in biases)
        self.activation = get_activation(activation)

    @property
    def k(self) -> int:
        """Number of stacked models."""
        return self.weights[0].shape[0]

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        h = x.expand(self.k, *x.shape) if x.ndim == 2 else x
        last = len(self.weights) - 1
        for i, (w, b) in enumerate(zip(self.weights, self.biases)):
            h = torch.baddbmm(b.unsqueeze(1), h, w.transpose(1, 2))
            if i < last:
                h = self.activation(h)
        return h


class SeedRuns(list):
    """The runs of :func:`train_seeds`: a list of :class:`History`, one per model,
    with the trained models and a grouping by the runs' settings.

    Attributes:
        models: the K trained models as ordinary ``nn.Sequential`` MLPs (on the CPU).
    """

    def __init__(self, histories: Sequence[History], models: Sequence[torch.nn.Sequential]) -> None:
        super().__init__(histories)
        self.models = list(models)

    def group(self, *keys: str) -> dict[Any, list[History]]:
        """The histories grouped by one or more settings, in first-seen order.

        ``runs.group("init")["he"]`` is the list of He-initialized runs;
        ``runs.group("init", "lr")[("he", 0.01)]`` groups by both.

        Raises:
            KeyError: naming a key that the runs' settings do not have.
        """
        if not keys:
            raise ValueError("group needs at least one settings key, e.g. 'init', 'lr' or 'seed'")
        groups: dict[Any, list[History]] = {}
        for history in self:
            missing = [k for k in keys if k not in history.settings]
            if missing:
                raise KeyError(
                    f"unknown settings key(s) {missing}; known: {sorted(history.settings)}"
                )
            label = tuple(history.settings[k] for k in keys)
            groups.setdefault(label[0] if len(keys) == 1 else label, []).append(history)
        return groups


def unstack_mlps(
    stacked: StackedMLP, sizes: Sequence[int], activation: str
) -> list[torch.nn.Sequential]:
    """The K models of ``stacked`` as separate ``make_mlp`` models with copied parameters."""
    models = []
    for k in range(stacked.k):
        model = make_mlp(sizes, activation)
        linears = [m for m in model if isinstance(m, torch.nn.Linear)]
        with torch.no_grad():
            for linear, w, b in zip(linears, stacked.weights, stacked.biases):
                linear.weight.copy_(w[k].detach().cpu())
                linear.bias.copy_(b[k].detach().cpu())
        models.append(model)
    return models


def stack_mlps(
    sizes: Sequence[int], activation: str, seeds: Sequence[int], inits: Sequence[str]
) -> StackedMLP:
    """Build one MLP per seed (as ``make_mlp`` would) and stack their parameters."""
    models = [
        seeded_mlp(sizes, activation, seed=seed, init=init) for seed, init in zip(seeds, inits)
    ]
    linears = [[m[i] for i in range(0, len(m), 2)] for m in models]
    weights = [
        torch.stack([ls[j].weight.detach() for ls in linears]).clone()
        for j in range(len(linears[0]))
    ]
    biases = [
        torch.stack([ls[j].bias.detach() for ls in linears]).clone() for j in range(len(linears[0]))
    ]
    return StackedMLP(weights, biases, activation)


def _optimizer_step(params: list[torch.Tensor], lrs: list[float], opt_name: str, k: int):
    """One optimizer step over stacked parameters: :class:`mlpbook._engine.Adam` (with one
    learning rate per model where they differ) or plain SGD. Both update every entry on
    its own, so one optimizer over the stacked tensors is K independent optimizers."""
    if len(set(lrs)) == 1:
        return make_optimizer(params, opt_name, lrs[0]).step
    if opt_name == "adam":
        return Adam(params, lrs).step
    lr_t = torch.tensor(lrs, dtype=params[0].dtype, device=params[0].device)

    @torch.no_grad()
    def sgd_step() -> None:
        for p in params:
            p.sub_(lr_t.view(k, *([1] * (p.ndim - 1))) * p.grad)

    return sgd_step


def _per_model(name: str, value, k: int, check) -> list:
    if isinstance(value, (list, tuple)):
        if len(value) != k:
            raise ValueError(f"{name} must have one entry per seed ({k}), got {len(value)}")
        return [check(v) for v in value]
    return [check(value)] * k


def train_seeds(
    sizes: Sequence[int],
    x: torch.Tensor,
    y: torch.Tensor,
    *,
    seeds: Sequence[int],
    epochs: int,
    activation: str = "relu",
    init: str | Sequence[str] = "default",
    lr: float | Sequence[float] = 1e-3,
    optimizer: str = "adam",
    loss: str = "mse",
    snapshot_epochs: Sequence[int] | None = None,
    device: str | torch.device | None = None,
    show_progress: bool | None = None,
    desc: str | None = None,
) -> SeedRuns:
    """Train one MLP per seed, all K in one vectorized full-batch run.

    Equivalent, up to floating-point rounding, to K calls of
    ``seed_everything(s); train(make_mlp(sizes, activation, init=...), x, y, ...)``.

    Args:
        sizes: layer widths ``[n_in, hidden..., n_out]``.
        x: inputs ``(n, n_in)``, shared by every model.
        y: targets ``(n, n_out)``.
        seeds: one seed per model (K of them, distinct or not).
        epochs: full-batch epochs (``>= 0``).
        activation: a name from :mod:`mlpbook.activations`.
        init: an initializer name, or one per seed.
        lr: a learning rate, or one per seed.
        optimizer: ``"adam"`` or ``"sgd"``.
        loss: a name from :data:`mlpbook.training.LOSSES`.
        snapshot_epochs: epochs at which to keep every model's predictions.
        device: ``None``/``"cpu"``, or ``"cuda"`` to train on a GPU (an error
            if none is available). Histories are returned on the CPU.

    Returns:
        :class:`SeedRuns`: one :class:`History` per seed, in the order of
        ``seeds``, with the trained models (``.models``) and ``.group(...)`` to
        index the runs by their settings (``init``, ``lr``, ``seed``).

    Raises:
        TrainingDiverged: if any model's loss becomes NaN or infinite (the
            message names the seed and learning rate).
    """
    seeds = check_int_sequence("seeds", seeds, minimum=0)
    k = len(seeds)
    check_int("epochs", epochs, minimum=0)
    lrs = _per_model("lr", lr, k, lambda v: check_positive_float("lr", v))
    inits = _per_model("init", init, k, lambda v: v)
    opt_name = check_choice("optimizer", optimizer, ("adam", "sgd"))
    loss_name = check_choice("loss", loss, LOSSES)
    check_data(x, y)
    frames = check_snapshot_epochs(snapshot_epochs, epochs)
    dev = torch.device(device or "cpu")
    if dev.type == "cuda" and not torch.cuda.is_available():
        raise ValueError(f"device {device!r} was asked for, but torch.cuda.is_available() is False")

    model = stack_mlps(sizes, activation, seeds, inits).to(dev)
    check_data(x, y, model)
    x, y = x.to(dev), y.to(dev)
    forward, per_model, backward = _stacked_pass(model, y, 0.5 if loss_name == "half_mse" else 1.0)
    step = _optimizer_step(list(model.parameters()), lrs, opt_name, k)
    epoch_iter = progress(range(epochs + 1), total=epochs + 1, desc=desc, enabled=show_progress)
    with torch.set_grad_enabled(type(model.activation) not in DERIVATIVES):
        losses, kept = _run_epochs(
            model, x, y, forward, per_model, backward, step, epoch_iter, epochs, set(frames)
        )
    _check_diverged(losses, seeds, lrs)
    snaps = torch.stack(kept).cpu() if kept else torch.zeros(0, k, x.shape[0], y.shape[1])
    common = dict(
        epochs=epochs,
        optimizer=opt_name,
        loss=loss_name,
        batch_size=None,
        activation=activation,
        sizes=list(sizes),
    )
    histories = [
        History(
            loss=losses[:, i].numpy().copy(),
            snapshot_epochs=frames,
            snapshots=snaps[:, i].numpy().copy(),
            settings={**common, "lr": lrs[i], "seed": seeds[i], "init": inits[i]},
        )
        for i in range(k)
    ]
    return SeedRuns(histories, unstack_mlps(model, sizes, activation))


def _stacked_pass(model: StackedMLP, y: torch.Tensor, scale: float):
    """``(forward, per_model_loss, backward)`` for the stacked models: the hand-written
    pass of :mod:`mlpbook._engine` where the activation has one, else autograd."""
    act = model.activation
    if type(act) in DERIVATIVES:
        fast = MLPPass(
            list(model.weights), list(model.biases), [act] * (len(model.weights) - 1), scale
        )
        return fast.forward, fast.loss, lambda pred, value: fast.backward(pred, y)

    def per_model(pred: torch.Tensor, target: torch.Tensor) -> torch.Tensor:
        return scale * ((pred - target) ** 2).mean(dim=(1, 2))

    return model, per_model, lambda pred, value: value.sum().backward()


def _run_epochs(
    model, x, y, forward, per_model, backward, step, epoch_iter, epochs: int, wanted: set[int]
):
    """The stacked training loop; returns the ``(epochs + 1, K)`` losses (CPU) and the kept predictions."""
    losses = torch.zeros(epochs + 1, model.k, dtype=torch.float64, device=x.device)
    kept: list[torch.Tensor] = []
    params = list(model.parameters())
    for e in epoch_iter:
        pred = forward(x)
        if e == 0:
            check_output_shape(pred, y)
        value = per_model(pred, y)
        losses[e] = value.detach()
        if e in wanted:
            kept.append(pred.detach().clone())
        if e == epochs:
            break
        for p in params:
            p.grad = None
        backward(pred, value)
        step()
        if e % 50 == 0 and not bool(torch.isfinite(losses[e]).all()):
            break
    return losses.cpu(), kept


def _check_diverged(losses: torch.Tensor, seeds: list[int], lrs: list[float]) -> None:
    """Raise :class:`TrainingDiverged` naming the first model whose loss became
    non-finite or grew :data:`DIVERGENCE_FACTOR`-fold."""
    bad = ~torch.isfinite(losses) | (losses >= DIVERGENCE_FACTOR * losses[0].clamp(min=1e-12))
    if bad.any():
        epoch, i = (int(j) for j in bad.nonzero()[0])
        raise TrainingDiverged(
            f"training diverged: the loss of seed {seeds[i]} (lr={lrs[i]}) became "
            f"{losses[epoch, i].item():.3g} at epoch {epoch}, from {losses[0, i].item():.3g} "
            "before training; try a smaller learning rate"
        )
