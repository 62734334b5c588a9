r"""Tools of the chapter "Classification and generalization".

Training classifiers with what generalization needs measured:

* :func:`train_classifier` -- one MLP, full-batch Adam on the cross-entropy,
  with optional weight decay (L2 in the gradient, or AdamW's decoupled decay)
  and dropout; the loop a reader studies.
* :func:`train_classifiers` -- the same for K seeds in one vectorized run
  (stacked weights, as :func:`mlpbook.train_seeds` does for regression), with
  the training and validation loss and accuracy recorded at every epoch in
  evaluation mode, the weights of each seed's best validation epoch (early
  stopping) and the predicted classes on a probe grid (decision boundaries).

Why the stacked run equals K separate runs: its loss is
:math:`\sum_k L^{(k)}`, the gradient with respect to model k's weights is that
of :math:`L^{(k)}` alone, Adam and AdamW update every entry on its own, and
each model draws its dropout masks from its own generator, seeded like the
single run's. A unit test checks it against :func:`train_classifier`.

Shapes: inputs ``(n, d)``, labels ``(n,)`` (int64), logits ``(K, n, C)``.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any, NamedTuple

import numpy as np
import torch
import torch.nn.functional as F
from torch import nn

from .._checks import check_choice, check_float, check_int, check_int_sequence, check_positive_float
from ..activations import get_activation
from ..classification_data import LabeledSet, check_labels
from ..models import seeded_mlp
from ..repro import make_generator, progress
from ..seeds import StackedMLP, stack_mlps
from ..training import TrainingDiverged

__all__ = [
    "DECAYS",
    "dropout_mask",
    "MaskedDropout",
    "classifier_mlp",
    "make_classifier_optimizer",
    "train_classifier",
    "ClassifierRuns",
    "train_classifiers",
    "evaluate",
    "confusion_matrix",
    "regions_hit",
    "predict",
    "stacked_logits",
    "SeedComparison",
    "compare_seeds",
    "confidence_and_accuracy",
    "smoothed_cross_entropy",
]

DECAYS = ("l2", "decoupled")
r"""``l2``: :math:`\lambda w` added to the gradient before Adam (``torch.optim.Adam(weight_decay=λ)``);
``decoupled``: :math:`w \leftarrow w - \eta\lambda w` beside Adam's step (``torch.optim.AdamW``)."""


def _check_set(name: str, data: LabeledSet, n_classes: int) -> LabeledSet:
    if not isinstance(data, LabeledSet):
        raise TypeError(
            f"{name} must be a LabeledSet (x, labels, index), got {type(data).__name__}"
        )
    if data.x.ndim != 2 or data.x.shape[0] == 0:
        raise ValueError(f"{name}.x must have shape (n, d) with n >= 1, got {tuple(data.x.shape)}")
    labels = check_labels(data.labels, n_classes, name=f"{name}.labels")
    if labels.shape[0] != data.x.shape[0]:
        raise ValueError(f"{name} has {data.x.shape[0]} inputs but {labels.shape[0]} labels")
    if name == "train":
        missing = sorted(set(range(n_classes)) - set(labels.tolist()))
        if missing:
            raise ValueError(
                f"the training set has no example of class(es) {missing} of 0..{n_classes - 1}: "
                "a network cannot learn a class it never sees; split with "
                "classification_data.stratified_split"
            )
    return data


def dropout_mask(
    shape: Sequence[int], p: float, generator: torch.Generator, dtype: torch.dtype
) -> torch.Tensor:
    r"""Inverted-dropout mask: each entry is :math:`0` with probability :math:`p`, else :math:`1/(1-p)`."""
    keep = torch.full(tuple(shape), 1.0 - p, dtype=dtype)
    return torch.bernoulli(keep, generator=generator) / (1.0 - p)


class MaskedDropout(nn.Module):
    """``nn.Dropout`` that draws its masks from its own generator.

    In training mode (``model.train()``) it multiplies by :func:`dropout_mask`;
    in evaluation mode (``model.eval()``) it is the identity.
    """

    def __init__(self, p: float, generator: torch.Generator) -> None:
        super().__init__()
        self.p, self.generator = p, generator

    def forward(self, h: torch.Tensor) -> torch.Tensor:
        # region: dropout-modes
        if self.training and self.p > 0:
            return h * dropout_mask(h.shape, self.p, self.generator, h.dtype)
        return h  # evaluation mode: every unit, unscaled
        # endregion: dropout-modes


def _check_dropout(dropout: Any) -> float:
    p = check_float("dropout", dropout, minimum=0.0)
    if p >= 1:
        raise ValueError(f"dropout must be a probability in [0, 1), got {p}")
    return p


def classifier_mlp(
    sizes: Sequence[int], *, seed: int, dropout: float = 0.0, activation: str = "relu"
) -> nn.Sequential:
    """The MLP of ``seed`` (``mlpbook.seeded_mlp``), with a :class:`MaskedDropout` after
    every hidden activation whose masks come from ``make_generator(seed)``."""
    p = _check_dropout(dropout)
    base = seeded_mlp(sizes, activation, seed=seed)
    generator = make_generator(seed)
    layers: list[nn.Module] = []
    for module in base:
        layers.append(module)
        if not isinstance(module, nn.Linear) and p > 0:
            layers.append(MaskedDropout(p, generator))
    return nn.Sequential(*layers)


def make_classifier_optimizer(
    params: list[torch.Tensor], lr: float, weight_decay: float, decay: str
) -> torch.optim.Optimizer:
    """Adam with L2 weight decay in the gradient, or AdamW (decoupled decay)."""
    if decay == "decoupled":
        return torch.optim.AdamW(params, lr=lr, weight_decay=weight_decay)
    return torch.optim.Adam(params, lr=lr, weight_decay=weight_decay)


def _accuracy(logits: torch.Tensor, labels: torch.Tensor) -> torch.Tensor:
    return (logits.argmax(-1) == labels).double().mean(-1)


def train_classifier(
    model: nn.Module,
    train: LabeledSet,
    val: LabeledSet,
    *,
    epochs: int,
    lr: float = 1e-2,
    weight_decay: float = 0.0,
    decay: str = "l2",
) -> dict[str, np.ndarray]:
    """Train ``model`` (logits out) in place, full batch; return the per-epoch curves.

    Returns:
        ``{"train_loss", "train_acc", "val_loss", "val_acc"}``, each ``(epochs + 1,)``,
        measured in evaluation mode after 0, 1, ..., ``epochs`` updates.
    """
    n_classes = _n_classes(model)
    _check_set("train", train, n_classes)
    _check_set("val", val, n_classes)
    check_int("epochs", epochs, minimum=0)
    lr = check_positive_float("lr", lr)
    weight_decay = check_float("weight_decay", weight_decay, minimum=0.0)
    decay = check_choice("decay", decay, DECAYS)
    opt = make_classifier_optimizer(list(model.parameters()), lr, weight_decay, decay)
    curves = {k: np.zeros(epochs + 1) for k in ("train_loss", "train_acc", "val_loss", "val_acc")}
    # region: classifier-loop
    for epoch in range(epochs + 1):
        model.eval()  # measure: no dropout
        with torch.no_grad():
            for name, data in (("train", train), ("val", val)):
                logits = model(data.x)
                curves[f"{name}_loss"][epoch] = F.cross_entropy(logits, data.labels).item()
                curves[f"{name}_acc"][epoch] = _accuracy(logits, data.labels).item()
        if epoch == epochs:
            break
        model.train()  # learn: dropout on, if the model has any
        loss = F.cross_entropy(model(train.x), train.labels)
        opt.zero_grad()
        loss.backward()
        opt.step()
    # endregion: classifier-loop
    model.eval()
    return curves


def _n_classes(model: nn.Module) -> int:
    linears = [m for m in model.modules() if isinstance(m, nn.Linear)]
    if not linears:
        raise TypeError(f"model must contain nn.Linear layers, got {type(model).__name__}")
    return linears[-1].out_features


@dataclass
class ClassifierRuns:
    """What :func:`train_classifiers` recorded for K seeds.

    Attributes:
        train_loss, train_acc, val_loss, val_acc: ``(epochs + 1, K)``, evaluation
            mode, after 0, 1, ..., ``epochs`` updates.
        model: the K trained models (stacked), after the last epoch.
        best: the K models at each one's epoch of lowest validation loss.
        best_epoch: ``(K,)``, that epoch for each seed.
        probe_epochs: epochs at which the probe inputs were classified.
        probe_classes: ``(len(probe_epochs), K, n_probe)`` predicted classes (int8).
        settings: the arguments of the run.
    """

    train_loss: np.ndarray
    train_acc: np.ndarray
    val_loss: np.ndarray
    val_acc: np.ndarray
    model: StackedMLP
    best: StackedMLP
    best_epoch: np.ndarray
    probe_epochs: list[int] = field(default_factory=list)
    probe_classes: np.ndarray = field(default_factory=lambda: np.zeros((0, 0, 0), np.int8))
    settings: dict[str, Any] = field(default_factory=dict)

    @property
    def seeds(self) -> list[int]:
        return list(self.settings["seeds"])

    def at_best(self, curve: str) -> np.ndarray:
        """``curve`` (e.g. ``"val_acc"``) of each seed at its best validation epoch, ``(K,)``."""
        values = getattr(self, curve)
        return values[self.best_epoch, np.arange(values.shape[1])]


def stacked_logits(
    model: StackedMLP,
    x: torch.Tensor,
    *,
    dropout: float = 0.0,
    generators: Sequence[torch.Generator] = (),
) -> torch.Tensor:
    """Logits ``(K, n, C)`` of the stacked models; with ``dropout > 0``, each model's
    hidden activations are multiplied by a :func:`dropout_mask` from its own generator."""
    h = x.expand(model.k, *x.shape)
    last = len(model.weights) - 1
    for i, (w, b) in enumerate(zip(model.weights, model.biases)):
        h = torch.baddbmm(b.unsqueeze(1), h, w.transpose(1, 2))
        if i < last:
            h = model.activation(h)
            if dropout > 0:
                masks = [dropout_mask(h.shape[1:], dropout, g, h.dtype) for g in generators]
                h = h * torch.stack(masks)
    return h


def _stacked_ce(logits: torch.Tensor, labels: torch.Tensor) -> torch.Tensor:
    """Per-model mean cross-entropy, ``(K,)``."""
    k, n, c = logits.shape
    per_row = F.cross_entropy(logits.reshape(k * n, c), labels.repeat(k), reduction="none")
    return per_row.view(k, n).mean(1)


def _copy_stacked(model: StackedMLP) -> StackedMLP:
    copy = StackedMLP(
        [w.detach().clone() for w in model.weights],
        [b.detach().clone() for b in model.biases],
        model.activation_name,
    )
    copy.activation_name = model.activation_name
    return copy


def train_classifiers(
    sizes: Sequence[int],
    train: LabeledSet,
    val: LabeledSet,
    *,
    seeds: Sequence[int],
    epochs: int,
    lr: float = 1e-2,
    weight_decay: float = 0.0,
    decay: str = "l2",
    dropout: float = 0.0,
    activation: str = "relu",
    probe: torch.Tensor | None = None,
    probe_epochs: Sequence[int] = (),
    desc: str | None = None,
) -> ClassifierRuns:
    """Train one classifier per seed, all K in one vectorized full-batch run.

    Equal, up to rounding, to K runs of
    ``train_classifier(classifier_mlp(sizes, seed=s, dropout=...), train, val, ...)``.

    Args:
        sizes: ``[d, hidden..., C]``; the last width is the number of classes.
        train, val: :class:`LabeledSet` s with ``d`` inputs and labels in ``0..C-1``.
        seeds: one seed per model (its initialization and its dropout masks).
        epochs: full-batch Adam steps (``>= 0``).
        lr: Adam's learning rate.
        weight_decay: :math:`\\lambda \\ge 0`, applied as ``decay`` says (see :data:`DECAYS`).
        dropout: probability of dropping each hidden unit while training.
        probe: optional inputs ``(m, d)`` to classify at ``probe_epochs``.

    Raises:
        TypeError, ValueError: for bad labels, sets, sizes or settings, naming them.
        TrainingDiverged: if a model's training loss becomes NaN or infinite.
    """
    seeds = check_int_sequence("seeds", seeds, minimum=0)
    if len(sizes) < 2:
        raise ValueError(f"sizes must be [inputs, hidden..., classes], got {list(sizes)}")
    n_classes = check_int("number of classes (sizes[-1])", sizes[-1], minimum=2)
    for name, data in (("train", train), ("val", val)):
        _check_set(name, data, n_classes)
        if data.x.shape[1] != sizes[0]:
            raise ValueError(f"{name}.x has {data.x.shape[1]} columns but sizes[0] is {sizes[0]}")
    check_int("epochs", epochs, minimum=0)
    lr = check_positive_float("lr", lr)
    weight_decay = check_float("weight_decay", weight_decay, minimum=0.0)
    decay = check_choice("decay", decay, DECAYS)
    p = _check_dropout(dropout)
    wanted = sorted(set(probe_epochs))
    if any(not 0 <= e <= epochs for e in wanted):
        raise ValueError(f"probe_epochs must lie in 0..{epochs}, got {wanted}")
    if wanted and probe is None:
        raise ValueError("probe_epochs were given without probe inputs")
    get_activation(activation)

    k = len(seeds)
    model = stack_mlps(sizes, activation, seeds, ["default"] * k)
    model.activation_name = activation
    generators = [make_generator(s) for s in seeds]
    opt = make_classifier_optimizer(list(model.parameters()), lr, weight_decay, decay)
    curves = {
        c: np.zeros((epochs + 1, k)) for c in ("train_loss", "train_acc", "val_loss", "val_acc")
    }
    best = _copy_stacked(model)
    best_loss = torch.full((k,), float("inf"), dtype=torch.float64)
    best_epoch = np.zeros(k, dtype=np.int64)
    kept: list[np.ndarray] = []
    for epoch in progress(range(epochs + 1), total=epochs + 1, desc=desc):
        # Without dropout the training-mode pass is the evaluation-mode pass: reuse it.
        with torch.set_grad_enabled(p == 0 and epoch < epochs):
            logits = stacked_logits(model, train.x)
            train_loss = _stacked_ce(logits, train.labels)
        with torch.no_grad():
            curves["train_loss"][epoch] = train_loss.detach().numpy()
            curves["train_acc"][epoch] = _accuracy(logits.detach(), train.labels).numpy()
            val_logits = stacked_logits(model, val.x)
            val_loss = _stacked_ce(val_logits, val.labels)
            curves["val_loss"][epoch] = val_loss.numpy()
            curves["val_acc"][epoch] = _accuracy(val_logits, val.labels).numpy()
            better = val_loss < best_loss
            if bool(better.any()):
                best_loss = torch.where(better, val_loss, best_loss)
                best_epoch[better.numpy()] = epoch
                for dst, src in zip([*best.weights, *best.biases], [*model.weights, *model.biases]):
                    dst[better] = src[better]
            if epoch in wanted:
                kept.append(stacked_logits(model, probe).argmax(-1).numpy().astype(np.int8))
        if not np.isfinite(curves["train_loss"][epoch]).all():
            bad = int(np.flatnonzero(~np.isfinite(curves["train_loss"][epoch]))[0])
            raise TrainingDiverged(
                f"training diverged: the loss of seed {seeds[bad]} became non-finite at epoch "
                f"{epoch} (lr={lr}); try a smaller learning rate"
            )
        if epoch == epochs:
            break
        if p > 0:
            logits = stacked_logits(model, train.x, dropout=p, generators=generators)
            train_loss = _stacked_ce(logits, train.labels)
        opt.zero_grad()
        train_loss.sum().backward()
        opt.step()
    probe_classes = np.stack(kept) if kept else np.zeros((0, k, 0), dtype=np.int8)
    settings = dict(
        sizes=list(sizes),
        seeds=seeds,
        epochs=epochs,
        lr=lr,
        weight_decay=weight_decay,
        decay=decay,
        dropout=p,
        activation=activation,
        n_train=len(train),
    )
    return ClassifierRuns(
        **curves,
        model=model,
        best=best,
        best_epoch=best_epoch,
        probe_epochs=wanted,
        probe_classes=probe_classes,
        settings=settings,
    )


def evaluate(model: StackedMLP, data: LabeledSet) -> tuple[np.ndarray, np.ndarray]:
    """Mean cross-entropy and accuracy of each stacked model on ``data``: two ``(K,)`` arrays."""
    n_classes = model.weights[-1].shape[1]
    _check_set("data", data, n_classes)
    with torch.no_grad():
        logits = stacked_logits(model, data.x)
        return _stacked_ce(logits, data.labels).numpy(), _accuracy(logits, data.labels).numpy()


def predict(model: StackedMLP, x: torch.Tensor) -> np.ndarray:
    """Predicted classes ``(K, n)`` of the stacked models."""
    with torch.no_grad():
        return stacked_logits(model, x).argmax(-1).numpy()


def regions_hit(model: StackedMLP, x: torch.Tensor) -> np.ndarray:
    """How many distinct ReLU on/off patterns (linear regions) the inputs ``x`` fall into,
    for each stacked model: ``(K,)``. A lower bound on the regions of the whole plane."""
    with torch.no_grad():
        h = x.expand(model.k, *x.shape)
        patterns = []
        for w, b in zip(model.weights[:-1], model.biases[:-1]):
            h = torch.baddbmm(b.unsqueeze(1), h, w.transpose(1, 2))
            patterns.append(h > 0)
            h = model.activation(h)
        on = torch.cat(patterns, dim=-1).numpy()
    return np.array([len(np.unique(on[k], axis=0)) for k in range(model.k)])


def confusion_matrix(labels: Any, predicted: Any, n_classes: int) -> np.ndarray:
    """Counts ``(C, C)``: row = true class, column = predicted class."""
    labels = check_labels(torch.as_tensor(np.asarray(labels)), n_classes).numpy()
    predicted = check_labels(
        torch.as_tensor(np.asarray(predicted)), n_classes, name="predicted"
    ).numpy()
    if labels.shape != predicted.shape:
        raise ValueError(f"{labels.size} labels but {predicted.size} predictions")
    return np.bincount(labels * n_classes + predicted, minlength=n_classes**2).reshape(
        n_classes, n_classes
    )


class SeedComparison(NamedTuple):
    """Seed-by-seed comparison of setting A with setting B (same seeds, same order)."""

    wins: int
    ties: int
    losses: int

    @property
    def n(self) -> int:
        return self.wins + self.ties + self.losses

    def agree(self) -> bool:
        """Whether every seed points the same way (all wins, or all losses)."""
        return self.wins == self.n or self.losses == self.n

    def counts(self) -> str:
        """``"wins / losses / ties"``, e.g. ``"4 / 0 / 1"``."""
        return f"{self.wins} / {self.losses} / {self.ties}"

    def __str__(self) -> str:
        ties = f", tied in {self.ties}" if self.ties else ""
        return f"higher in {self.wins}, lower in {self.losses}{ties} of {self.n}"


def compare_seeds(
    a: Sequence[float], b: Sequence[float], *, tolerance: float = 1e-9
) -> SeedComparison:
    """How often ``a[i]`` exceeds ``b[i]`` (by more than ``tolerance``), ties, and the rest."""
    a, b = np.asarray(a, dtype=np.float64), np.asarray(b, dtype=np.float64)
    if a.shape != b.shape or a.ndim != 1 or a.size == 0:
        raise ValueError(
            f"need two equally long non-empty lists, got shapes {a.shape} and {b.shape}"
        )
    diff = a - b
    return SeedComparison(
        int((diff > tolerance).sum()),
        int((abs(diff) <= tolerance).sum()),
        int((diff < -tolerance).sum()),
    )


def confidence_and_accuracy(logits: torch.Tensor, labels: torch.Tensor) -> tuple[float, float]:
    """Mean probability of the predicted class, and accuracy, for logits ``(n, C)``."""
    check_labels(labels, logits.shape[-1])
    probs = torch.softmax(logits, dim=-1)
    return float(probs.max(-1).values.mean()), float(_accuracy(logits, labels))


def smoothed_cross_entropy(
    logits: torch.Tensor, labels: torch.Tensor, smoothing: float
) -> torch.Tensor:
    r"""Cross-entropy against :math:`(1-\varepsilon)\,\text{one-hot} + \varepsilon / C`, from scratch."""
    n_classes = logits.shape[-1]
    labels = check_labels(labels, n_classes)
    eps = check_float("smoothing", smoothing, minimum=0.0)
    targets = F.one_hot(labels, n_classes).to(logits.dtype) * (1 - eps) + eps / n_classes
    return -(targets * torch.log_softmax(logits, dim=-1)).sum(-1).mean()
