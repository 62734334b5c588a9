r"""The training loop: gradient descent that returns a :class:`History`.

The loop is the one a reader would write (forward, loss, backward, step); what
it adds is bookkeeping. For full-batch training, the forward pass of epoch
:math:`e` *is* the evaluation of the parameters after :math:`e` updates, so the
loss curve and the prediction snapshots cost no extra forward passes:

.. code-block:: text

    for e in 0..epochs:
        pred = model(x)                # parameters after e updates
        loss[e] = L(pred, y)           # recorded
        if e in snapshot_epochs: keep pred
        if e == epochs: stop
        loss.backward(); optimizer.step()

With minibatches, ``loss[e]`` (for :math:`e \ge 1`) is the size-weighted mean of
the minibatch losses seen during epoch :math:`e`, ``loss[0]`` the full-data loss
before training, and snapshots come from an extra no-grad forward pass.

A run whose loss becomes NaN or infinite stops with :class:`TrainingDiverged`.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import torch
import torch.nn.functional as F
from torch import nn

from ._checks import check_choice, check_int, check_positive_float
from .repro import progress

__all__ = ["History", "TrainingDiverged", "DIVERGENCE_FACTOR", "diverged", "check_output_shape", "train",
           "frame_epochs", "LOSSES", "OPTIMIZERS"]

LOSSES: dict[str, Callable[[torch.Tensor, torch.Tensor], torch.Tensor]] = {
    "mse": F.mse_loss,
    "half_mse": lambda pred, y: 0.5 * F.mse_loss(pred, y),
}
r"""``mse``: :math:`\frac1{N}\sum (\hat y - y)^2` over all ``N`` entries; ``half_mse``: half of it."""

OPTIMIZERS: dict[str, type[torch.optim.Optimizer]] = {
    "adam": torch.optim.Adam,
    "sgd": torch.optim.SGD,
}
"""Optimizer names; ``adam`` runs through :class:`mlpbook.fastpath.FusedAdam` on CPU and CUDA."""


class TrainingDiverged(RuntimeError):
    """Raised when the training loss becomes NaN or infinite, or grows by
    :data:`DIVERGENCE_FACTOR` or more over its value before training."""


DIVERGENCE_FACTOR: float = 1e4
"""A loss this many times its value before training means the run exploded
(a learning rate far too large), even before it overflows to inf or NaN."""


def diverged(loss: float, start: float) -> bool:
    """Whether ``loss`` is NaN, infinite, or at least :data:`DIVERGENCE_FACTOR` × ``start``."""
    return not math.isfinite(loss) or loss >= DIVERGENCE_FACTOR * max(start, 1e-12)


def check_output_shape(pred: torch.Tensor, y: torch.Tensor) -> None:
    """Raise ValueError if the predictions and targets differ in shape (no silent broadcasting)."""
    if pred.shape[-2:] != y.shape[-2:]:
        raise ValueError(f"the model's predictions have shape {tuple(pred.shape)} but the targets y have shape "
                         f"{tuple(y.shape)}: the model's output width must equal y's number of columns")


@dataclass
class History:
    """What a training run recorded.

    Attributes:
        loss: shape ``(epochs + 1,)``; ``loss[e]`` is the training loss after ``e`` epochs.
        snapshot_epochs: the epochs at which predictions were kept, ascending.
        snapshots: shape ``(len(snapshot_epochs), n, d_out)``, predictions on the
            training inputs at those epochs.
        settings: the arguments of the run (optimizer, lr, epochs, ...).
    """

    loss: np.ndarray
    snapshot_epochs: list[int] = field(default_factory=list)
    snapshots: np.ndarray = field(default_factory=lambda: np.zeros((0, 0, 0)))
    settings: dict[str, Any] = field(default_factory=dict)

    @property
    def epochs(self) -> int:
        """Number of epochs trained."""
        return len(self.loss) - 1

    @property
    def final_loss(self) -> float:
        """The loss after the last epoch."""
        return float(self.loss[-1])

    def snapshot(self, epoch: int) -> np.ndarray:
        """Predictions recorded at ``epoch``, shape ``(n, d_out)``."""
        if epoch not in self.snapshot_epochs:
            raise KeyError(f"no snapshot at epoch {epoch}; recorded epochs: {self.snapshot_epochs}")
        return self.snapshots[self.snapshot_epochs.index(epoch)]


def frame_epochs(epochs: int, max_frames: int = 100) -> list[int]:
    """Evenly spaced epochs ``0, k, 2k, ..., epochs`` with at most ``max_frames`` entries.

    >>> frame_epochs(1000, 5)
    [0, 250, 500, 750, 1000]
    """
    check_int("epochs", epochs, minimum=0)
    check_int("max_frames", max_frames, minimum=2)
    step = max(1, math.ceil(epochs / (max_frames - 1)))
    frames = list(range(0, epochs + 1, step))
    if frames[-1] != epochs:
        if len(frames) == max_frames:
            frames[-1] = epochs
        else:
            frames.append(epochs)
    return frames


def _check_snapshot_epochs(snapshot_epochs: Iterable[int] | None, epochs: int) -> list[int]:
    if snapshot_epochs is None:
        return []
    result = sorted(set(snapshot_epochs))
    for e in result:
        check_int("snapshot epoch", e, minimum=0)
        if e > epochs:
            raise ValueError(f"snapshot epoch {e} is beyond the run's {epochs} epochs")
    return result


def _check_data(x: torch.Tensor, y: torch.Tensor, model: nn.Module | None = None) -> None:
    for name, t in (("x", x), ("y", y)):
        if not isinstance(t, torch.Tensor):
            raise TypeError(f"{name} must be a torch.Tensor, got {type(t).__name__}")
        if t.ndim != 2:
            raise ValueError(f"{name} must have shape (n_samples, n_features), got {tuple(t.shape)}")
    if x.shape[0] != y.shape[0]:
        raise ValueError(f"x and y need the same number of rows, got {x.shape[0]} and {y.shape[0]}")
    params = [p for p in model.parameters() if p.is_floating_point()] if model is not None else []
    if params:
        dtype = params[0].dtype
        for name, t in (("x", x), ("y", y)):
            if t.dtype != dtype:
                raise TypeError(
                    f"{name} has dtype {t.dtype} but the model's parameters are {dtype}; make both after "
                    f"mlpbook.seed_everything (float64), or convert with {name}.to({dtype})")


def _make_optimizer(params: list[torch.Tensor], name: str, lr: float):
    """``torch.optim`` SGD, or Adam through its fused kernel (the same update,
    one kernel call per step instead of several per tensor)."""
    if name == "adam" and params and all(p.is_floating_point() and p.device.type in ("cpu", "cuda")
                                         for p in params):
        from .fastpath import FusedAdam

        return FusedAdam(params, lr=lr)
    return OPTIMIZERS[name](params, lr=lr)


def _full_batch_pass(model: nn.Module, loss_name: str, y: torch.Tensor, autograd: bool):
    """``(forward, backward, needs_autograd)`` for full-batch training:
    autograd's, or the hand-written pass of :mod:`mlpbook.fastpath` where it applies."""
    from .fastpath import MLPPass, supported

    if autograd or loss_name not in ("mse", "half_mse") or not isinstance(model, nn.Sequential) \
            or not supported(list(model)):
        return model, lambda pred, value: value.backward(), True
    fast = MLPPass.from_sequential(model, scale=0.5 if loss_name == "half_mse" else 1.0)
    return fast.forward, lambda pred, value: fast.backward(pred, y), False


def train(model: nn.Module, x: torch.Tensor, y: torch.Tensor, *, epochs: int, lr: float = 1e-3,
          optimizer: str = "adam", loss: str = "mse", batch_size: int | None = None,
          snapshot_epochs: Sequence[int] | None = None, generator: torch.Generator | None = None,
          show_progress: bool | None = None, desc: str | None = None, autograd: bool = False) -> History:
    """Train ``model`` in place on ``(x, y)`` and return its :class:`History`.

    Args:
        model: maps ``(n, d_in)`` to ``(n, d_out)``.
        x: inputs, shape ``(n, d_in)``.
        y: targets, shape ``(n, d_out)``.
        epochs: number of passes over the data (``>= 0``).
        lr: learning rate (``> 0``).
        optimizer: ``"adam"`` or ``"sgd"`` (plain, no momentum).
        loss: a name from :data:`LOSSES`.
        batch_size: ``None`` for full-batch gradient descent, else the minibatch size.
        snapshot_epochs: epochs (``0..epochs``) at which to keep the predictions.
        generator: ``torch.Generator`` for minibatch shuffling.
        show_progress: show a progress bar (default: unless ``MLPBOOK_NO_PROGRESS`` is set).
        desc: label of the progress bar.
        autograd: always use ``loss.backward()``. By default, a plain MLP
            (``Linear`` layers with ReLU, Tanh, Sigmoid, LeakyReLU or Identity
            between them) trained full-batch on an MSE loss gets its gradients
            from the hand-written pass in :mod:`mlpbook.fastpath`, which is
            equal to autograd's up to rounding and several times faster for
            small networks.

    Raises:
        TypeError, ValueError: for invalid arguments, naming the value and what is allowed.
        TrainingDiverged: if the loss becomes NaN or infinite.
    """
    check_int("epochs", epochs, minimum=0)
    lr = check_positive_float("lr", lr)
    opt_name = check_choice("optimizer", optimizer, OPTIMIZERS)
    loss_name = check_choice("loss", loss, LOSSES)
    if batch_size is not None:
        check_int("batch_size", batch_size, minimum=1)
    _check_data(x, y, model)
    frames = _check_snapshot_epochs(snapshot_epochs, epochs)
    loss_fn = LOSSES[loss_name]
    opt = _make_optimizer(list(model.parameters()), opt_name, lr)

    losses = np.zeros(epochs + 1, dtype=np.float64)
    wanted = set(frames)
    kept: list[torch.Tensor] = []
    settings = dict(epochs=epochs, lr=lr, optimizer=opt_name, loss=loss_name, batch_size=batch_size)

    def stop_diverged(e: int) -> None:
        raise TrainingDiverged(
            f"training diverged: the loss became {losses[e]:.3g} at epoch {e}, from {losses[0]:.3g} before "
            f"training (optimizer={opt_name}, lr={lr}); try a smaller learning rate")

    epoch_iter = progress(range(epochs + 1), total=epochs + 1, desc=desc, enabled=show_progress)
    if batch_size is None:
        forward, backward, needs_autograd = _full_batch_pass(model, loss_name, y, autograd)
        with torch.set_grad_enabled(needs_autograd):
            for e in epoch_iter:
                pred = forward(x)
                if e == 0:
                    check_output_shape(pred, y)
                value = loss_fn(pred, y)
                losses[e] = current = value.item()
                if e in wanted:
                    kept.append(pred.detach().clone())
                if diverged(current, losses[0]):
                    stop_diverged(e)
                if e == epochs:
                    break
                opt.zero_grad(set_to_none=True)
                backward(pred, value)
                opt.step()
    else:
        n = x.shape[0]
        for e in epoch_iter:
            if e > 0:
                order = torch.randperm(n, generator=generator)
                total = torch.zeros((), dtype=torch.float64)
                for start in range(0, n, batch_size):
                    idx = order[start:start + batch_size]
                    value = loss_fn(model(x[idx]), y[idx])
                    opt.zero_grad(set_to_none=True)
                    value.backward()
                    opt.step()
                    total += value.detach().double() * len(idx)
                losses[e] = float(total) / n
            if e == 0 or e in wanted:
                with torch.no_grad():
                    pred = model(x)
                if e == 0:
                    check_output_shape(pred, y)
                    losses[0] = loss_fn(pred, y).item()
                if e in wanted:
                    kept.append(pred.clone())
            if diverged(losses[e], losses[0]):
                stop_diverged(e)

    snapshots = (torch.stack(kept).cpu().numpy() if kept
                 else np.zeros((0, x.shape[0], y.shape[1]), dtype=np.float32))
    return History(loss=losses, snapshot_epochs=frames, snapshots=snapshots, settings=settings)
