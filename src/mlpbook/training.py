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

__all__ = [
    "History",
    "TrainingDiverged",
    "DIVERGENCE_FACTOR",
    "diverged",
    "check_output_shape",
    "train",
    "frame_epochs",
    "LOSSES",
    "OPTIMIZERS",
]

LOSSES: dict[str, Callable[[torch.Tensor, torch.Tensor], torch.Tensor]] = {
    "mse": F.mse_loss,
    "half_mse": lambda pred, y: 0.5 * F.mse_loss(pred, y),
}
r"""``mse``: :math:`\frac1{N}\sum (\hat y - y)^2` over all ``N`` entries; ``half_mse``: half of it."""

OPTIMIZERS: dict[str, type[torch.optim.Optimizer]] = {
    "adam": torch.optim.Adam,
    "sgd": torch.optim.SGD,
}
"""Optimizer names; ``adam`` runs through :class:`mlpbook._engine.Adam` (the fused kernel) on CPU and CUDA."""


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
        raise ValueError(
            f"the model's predictions have shape {tuple(pred.shape)} but the targets y have shape "
            f"{tuple(y.shape)}: the model's output width must equal y's number of columns"
        )


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


def check_snapshot_epochs(snapshot_epochs: Iterable[int] | None, epochs: int) -> list[int]:
    if snapshot_epochs is None:
        return []
    result = sorted(set(snapshot_epochs))
    for e in result:
        check_int("snapshot epoch", e, minimum=0)
        if e > epochs:
            raise ValueError(f"snapshot epoch {e} is beyond the run's {epochs} epochs")
    return result


def check_data(x: torch.Tensor, y: torch.Tensor, model: nn.Module | None = None) -> None:
    for name, t in (("x", x), ("y", y)):
        if not isinstance(t, torch.Tensor):
            raise TypeError(f"{name} must be a torch.Tensor, got {type(t).__name__}")
        if t.ndim != 2:
            raise ValueError(
                f"{name} must have shape (n_samples, n_features), got {tuple(t.shape)}"
            )
    if x.shape[0] != y.shape[0]:
        raise ValueError(f"x and y need the same number of rows, got {x.shape[0]} and {y.shape[0]}")
    params = [p for p in model.parameters() if p.is_floating_point()] if model is not None else []
    if params:
        dtype = params[0].dtype
        for name, t in (("x", x), ("y", y)):
            if t.dtype != dtype:
                raise TypeError(
                    f"{name} has dtype {t.dtype} but the model's parameters are {dtype}; make both after "
                    f"mlpbook.seed_everything (float64), or convert with {name}.to({dtype})"
                )


def make_optimizer(params: list[torch.Tensor], name: str, lr: float):
    """``torch.optim`` SGD, or Adam through its fused kernel (the same update,
    one kernel call per step instead of several per tensor)."""
    if (
        name == "adam"
        and params
        and all(p.is_floating_point() and p.device.type in ("cpu", "cuda") for p in params)
    ):
        from ._engine import Adam

        return Adam(params, lr=lr)
    return OPTIMIZERS[name](params, lr=lr)


def _shape_checked(
    loss_fn: Callable[[torch.Tensor, torch.Tensor], torch.Tensor],
) -> Callable[[torch.Tensor, torch.Tensor], torch.Tensor]:
    """``loss_fn`` that first refuses predictions and targets of different shapes
    (PyTorch's losses would broadcast them and train on the wrong thing)."""

    def checked(pred: torch.Tensor, y: torch.Tensor) -> torch.Tensor:
        check_output_shape(pred, y)
        return loss_fn(pred, y)

    return checked


class _Recorder:
    """The bookkeeping of a run: the loss at every epoch, predictions at the
    wanted epochs, a stop when the run diverges. Kept out of the training loops."""

    def __init__(self, epochs: int, snapshot_epochs: list[int], settings: dict[str, Any]) -> None:
        self.losses = np.zeros(epochs + 1, dtype=np.float64)
        self.wanted, self.kept = set(snapshot_epochs), []
        self.snapshot_epochs, self.settings = snapshot_epochs, settings

    def __call__(self, epoch: int, pred: torch.Tensor | None, loss: float) -> None:
        """Record ``loss`` (and ``pred`` if wanted) after ``epoch`` epochs; stop a diverged run."""
        self.losses[epoch] = loss
        if epoch in self.wanted and pred is not None:
            self.kept.append(pred.detach().clone())
        if diverged(loss, self.losses[0]):
            raise TrainingDiverged(
                f"training diverged: the loss became {loss:.3g} at epoch {epoch}, from {self.losses[0]:.3g} "
                f"before training (optimizer={self.settings['optimizer']}, lr={self.settings['lr']}); "
                "try a smaller learning rate"
            )

    def history(self, n: int, d_out: int) -> History:
        snapshots = (
            torch.stack(self.kept).cpu().numpy()
            if self.kept
            else np.zeros((0, n, d_out), dtype=np.float64)
        )
        return History(
            loss=self.losses,
            snapshot_epochs=self.snapshot_epochs,
            snapshots=snapshots,
            settings=self.settings,
        )


def _fit_autograd(
    model: nn.Module,
    x: torch.Tensor,
    y: torch.Tensor,
    loss_fn: Callable,
    opt: Any,
    epochs: Iterable[int],
    last: int,
    record: _Recorder,
) -> None:
    """Full-batch gradient descent, the loop every PyTorch tutorial writes."""
    # region: training-loop
    for epoch in epochs:
        pred = model(x)  # forward pass: the parameters after `epoch` updates
        loss = loss_fn(pred, y)
        record(epoch, pred, loss.item())  # bookkeeping: the loss curve, snapshots, divergence
        if epoch == last:
            break
        opt.zero_grad()
        loss.backward()  # backward pass: autograd fills every p.grad
        opt.step()  # the optimizer's update, here Adam's
    # endregion: training-loop


def _fit_engine(
    engine: Any,
    x: torch.Tensor,
    y: torch.Tensor,
    loss_fn: Callable,
    opt: Any,
    epochs: Iterable[int],
    last: int,
    record: _Recorder,
) -> None:
    """The same loop with the hand-written forward and backward pass of :mod:`mlpbook._engine`."""
    with torch.no_grad():
        for epoch in epochs:
            pred = engine.forward(x)
            loss = loss_fn(pred, y)
            record(epoch, pred, loss.item())
            if epoch == last:
                break
            opt.zero_grad()
            engine.backward(pred, y)
            opt.step()


def _fit_minibatches(
    model: nn.Module,
    x: torch.Tensor,
    y: torch.Tensor,
    loss_fn: Callable,
    opt: Any,
    epochs: Iterable[int],
    batch_size: int,
    generator: torch.Generator | None,
    record: _Recorder,
) -> None:
    """Minibatch gradient descent on a new random order of the rows every epoch."""
    n = x.shape[0]
    for e in epochs:
        if e > 0:
            order = torch.randperm(n, generator=generator)
            total = torch.zeros((), dtype=torch.float64)
            for start in range(0, n, batch_size):
                idx = order[start : start + batch_size]
                value = loss_fn(model(x[idx]), y[idx])
                opt.zero_grad()
                value.backward()
                opt.step()
                total += value.detach().double() * len(idx)
        pred = None
        if e == 0 or e in record.wanted:
            with torch.no_grad():
                pred = model(x)
        record(e, pred, loss_fn(pred, y).item() if e == 0 else float(total) / n)


def _engine_for(model: nn.Module, loss_name: str, autograd: bool) -> Any | None:
    """The hand-written pass of :mod:`mlpbook._engine` for ``model``, or ``None`` where it does not apply."""
    from ._engine import MLPPass, supported

    if (
        autograd
        or loss_name not in ("mse", "half_mse")
        or not isinstance(model, nn.Sequential)
        or not supported(list(model))
    ):
        return None
    return MLPPass.from_sequential(model, scale=0.5 if loss_name == "half_mse" else 1.0)


def train(
    model: nn.Module,
    x: torch.Tensor,
    y: torch.Tensor,
    *,
    epochs: int,
    lr: float = 1e-3,
    optimizer: str = "adam",
    loss: str = "mse",
    batch_size: int | None = None,
    snapshot_epochs: Sequence[int] | None = None,
    generator: torch.Generator | None = None,
    show_progress: bool | None = None,
    desc: str | None = None,
    autograd: bool = False,
) -> History:
    """Train ``model`` in place on ``(x, y)`` and return its :class:`History`.

    Full-batch training runs the tutorial loop (``_fit_autograd``: forward,
    loss, ``loss.backward()``, ``opt.step()``); for a plain MLP on an MSE loss
    the same loop runs with the hand-written gradients of :mod:`mlpbook._engine`,
    equal to autograd's up to rounding and several times faster for small
    networks (``autograd=True`` forces autograd). With ``batch_size``, every
    epoch walks a new random order of the rows, drawn from ``generator``.

    Args:
        model: maps ``(n, d_in)`` to ``(n, d_out)``.
        x: inputs, shape ``(n, d_in)``.
        y: targets, shape ``(n, d_out)``, in the model's dtype.
        epochs: number of passes over the data (``>= 0``).
        lr: learning rate (a finite number ``> 0``).
        optimizer: ``"adam"`` or ``"sgd"`` (plain, no momentum).
        loss: a name from :data:`LOSSES`.
        batch_size: ``None`` for full-batch gradient descent, else the minibatch size.
        snapshot_epochs: epochs (``0..epochs``) at which to keep the predictions.
        generator: ``torch.Generator`` for minibatch shuffling.
        show_progress: show a progress bar (default: unless ``MLPBOOK_NO_PROGRESS`` is set).
        desc: label of the progress bar.
        autograd: always use ``loss.backward()``.

    Raises:
        TypeError, ValueError: for invalid arguments (a wrong shape, dtype or
            number), naming the value and what is allowed.
        TrainingDiverged: if the loss becomes NaN or infinite, or grows
            :data:`DIVERGENCE_FACTOR`-fold over its value before training.
    """
    check_int("epochs", epochs, minimum=0)
    lr = check_positive_float("lr", lr)
    opt_name = check_choice("optimizer", optimizer, OPTIMIZERS)
    loss_name = check_choice("loss", loss, LOSSES)
    if batch_size is not None:
        check_int("batch_size", batch_size, minimum=1)
    check_data(x, y, model)
    settings = dict(epochs=epochs, lr=lr, optimizer=opt_name, loss=loss_name, batch_size=batch_size)
    record = _Recorder(epochs, check_snapshot_epochs(snapshot_epochs, epochs), settings)
    loss_fn = _shape_checked(LOSSES[loss_name])
    opt = make_optimizer(list(model.parameters()), opt_name, lr)
    epoch_iter = progress(range(epochs + 1), total=epochs + 1, desc=desc, enabled=show_progress)
    if batch_size is not None:
        _fit_minibatches(model, x, y, loss_fn, opt, epoch_iter, batch_size, generator, record)
    elif (engine := _engine_for(model, loss_name, autograd)) is not None:
        _fit_engine(engine, x, y, loss_fn, opt, epoch_iter, epochs, record)
    else:
        _fit_autograd(model, x, y, loss_fn, opt, epoch_iter, epochs, record)
    return record.history(x.shape[0], y.shape[1])
