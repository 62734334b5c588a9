r"""Case study: a shared per-element network whose training loss falls while its predictions get worse.

The task (from a forum question): each sample has :math:`D = 64` inputs
:math:`x_i \sim U[-5, 8]`, and the label is the sum of their squares,

.. math:: y = \sum_{i=1}^{D} x_i^2 .

The model applies **one** small ReLU network :math:`g : \mathbb R \to \mathbb R`
(1 → 14 → 1, shared weights) to every input and sums the results with a
``Linear(64, 1)`` layer:

.. math::
    g(x) = \sum_{j=1}^{14} v_j \operatorname{ReLU}(w_j x + b_j) + c, \qquad
    \hat y = \sum_{i=1}^{D} u_i\, g(x_i) + d .

Dropout can sit at three *sites*, each switched on or off on its own:
``"input"`` (on :math:`x` before :math:`g`), ``"hidden"`` (on the 14 ReLU
outputs) and ``"vector"`` (on the 64 values :math:`g(x_i)` before the sum).

The asker's hand-made initialization (:func:`set_handmade`) makes :math:`g` a
piecewise-linear fit of :math:`x^2` on :math:`[-5, 8]` and the sum layer a
plain sum; :func:`train_case` is the minibatch loop of the study, which logs the
loss the way the asker saw it *and* the errors that matter.
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import torch
import torch.nn.functional as F
from torch import nn

from .._checks import check_float, check_int, check_positive_float
from ..data import Dataset
from ..initializers import initialize
from ..repro import DEFAULT_SEED, make_generator, progress
from ..training import TrainingDiverged

__all__ = [
    "DROPOUT_SITES",
    "HANDMADE_WEIGHTS",
    "HANDMADE_BIASES",
    "HANDMADE_OUTPUT_BIAS",
    "HANDMADE_SUM_BIAS",
    "N_INPUTS",
    "HIDDEN",
    "LOW",
    "HIGH",
    "SharedElementwiseMLP",
    "set_handmade",
    "handmade_model",
    "he_model",
    "sum_of_squares_data",
    "predict",
    "mse",
    "CaseHistory",
    "train_case",
    "expected_under_input_dropout",
]

N_INPUTS: int = 64
"""Inputs per sample in the asker's task."""
HIDDEN: int = 14
"""Hidden ReLUs of the shared subnetwork."""
LOW, HIGH = -5.0, 8.0
"""The inputs are drawn from :math:`U[\\text{LOW}, \\text{HIGH}]`."""

DROPOUT_SITES: tuple[str, ...] = ("input", "hidden", "vector")
"""Where dropout can be applied: on each input, on the 14 hidden ReLUs, on the 64-vector."""

HANDMADE_WEIGHTS: tuple[float, ...] = (
    0.1,
    -0.1,
    0.5,
    -0.5,
    0.6,
    -0.6,
    1.5,
    -1.5,
    3.9,
    -3.9,
    2.0,
    -2.0,
    5.0,
    1.0,
)
"""First-layer weights :math:`w_j` of the hand-made subnetwork."""
HANDMADE_BIASES: tuple[float, ...] = (
    0.0,
    0.0,
    -0.05,
    -0.05,
    -0.24,
    -0.24,
    -1.35,
    -1.35,
    -8.58,
    -8.58,
    -7.8,
    -7.8,
    -27.5,
    -7.1,
)
"""First-layer biases :math:`b_j`; unit :math:`j` switches on at :math:`x = -b_j / w_j`."""
HANDMADE_OUTPUT_BIAS: float = 0.01
"""Output bias :math:`c` of the hand-made subnetwork (its output weights :math:`v_j` are all 1)."""
HANDMADE_SUM_BIAS: float = -0.01
"""Bias :math:`d` of the hand-made sum layer (its weights :math:`u_i` are all 1)."""


def _check_probability(name: str, value: Any) -> float:
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise TypeError(
            f"{name} must be a number in [0, 1), got {value!r} ({type(value).__name__})"
        )
    value = float(value)
    if not 0.0 <= value < 1.0:
        raise ValueError(f"{name} must be in [0, 1), got {value}")
    return value


def _check_sites(sites: Iterable[str]) -> frozenset[str]:
    if isinstance(sites, str):
        raise TypeError(
            f"sites must be a collection of site names such as ('input', 'hidden'), "
            f"not the single string {sites!r}"
        )
    result = set()
    for site in sites:
        if not isinstance(site, str):
            raise TypeError(f"dropout sites must be strings from {DROPOUT_SITES}, got {site!r}")
        if site not in DROPOUT_SITES:
            raise ValueError(f"unknown dropout site {site!r}; allowed: {', '.join(DROPOUT_SITES)}")
        result.add(site)
    return frozenset(result)


class SharedElementwiseMLP(nn.Module):
    r"""One 1 → ``hidden`` → 1 ReLU network applied to each of ``n_inputs`` inputs, then summed.

    .. math::
        \tilde x = \operatorname{drop}_\text{input}(x), \quad
        h = \operatorname{drop}_\text{hidden}\bigl(\operatorname{ReLU}(\tilde x_i w + b)\bigr), \quad
        z_i = h^\top v + c, \quad
        \hat y = \operatorname{drop}_\text{vector}(z)^\top u + d .

    Shapes: input ``(B, n_inputs)``; the subnetwork sees ``(B * n_inputs, 1)``,
    its hidden layer is ``(B * n_inputs, hidden)``; ``z`` is ``(B, n_inputs)``;
    output ``(B, 1)``.

    Args:
        n_inputs: inputs per sample (64 in the case study).
        hidden: hidden ReLUs of the shared subnetwork (14).
        dropout: the dropout probability :math:`p \in [0, 1)` at every enabled site.
            In training mode a dropped value is zeroed and a kept one scaled by
            :math:`1/(1-p)`; in evaluation mode (``model.eval()``) dropout is the identity.
        sites: the enabled sites, any of :data:`DROPOUT_SITES`. A disabled site
            (or ``dropout=0``) is an ``nn.Identity`` and draws no random numbers.

    Attributes:
        inner: ``nn.Linear(1, hidden)``, weights :math:`w`, biases :math:`b`.
        outer: ``nn.Linear(hidden, 1)``, weights :math:`v`, bias :math:`c`.
        sum: ``nn.Linear(n_inputs, 1)``, weights :math:`u`, bias :math:`d`.
        drop_input, drop_hidden, drop_vector: ``nn.Dropout`` or ``nn.Identity``.

    Raises:
        TypeError, ValueError: for a non-integer size, a probability outside
            :math:`[0, 1)` or an unknown site.
    """

    def __init__(
        self,
        n_inputs: int = N_INPUTS,
        hidden: int = HIDDEN,
        *,
        dropout: float = 0.0,
        sites: Iterable[str] = DROPOUT_SITES,
    ) -> None:
        super().__init__()
        self.n_inputs = check_int("n_inputs", n_inputs, minimum=1)
        self.hidden = check_int("hidden", hidden, minimum=1)
        self.dropout = _check_probability("dropout", dropout)
        sites = _check_sites(sites)
        self.sites = sites if self.dropout > 0 else frozenset()

        def drop(site: str) -> nn.Module:
            return nn.Dropout(self.dropout) if site in self.sites else nn.Identity()

        self.drop_input = drop("input")
        self.inner = nn.Linear(1, hidden)
        self.drop_hidden = drop("hidden")
        self.outer = nn.Linear(hidden, 1)
        self.drop_vector = drop("vector")
        self.sum = nn.Linear(n_inputs, 1)

    def subnetwork(self, x: torch.Tensor) -> torch.Tensor:
        r"""The shared network :math:`g` on a tensor of scalars, any shape; no dropout at all.

        Returns a tensor of the same shape as ``x``.
        """
        flat = x.reshape(-1, 1)
        return self.outer(F.relu(self.inner(flat))).reshape(x.shape)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        """``(B, n_inputs)`` -> ``(B, 1)``; dropout acts only in training mode."""
        if x.ndim != 2 or x.shape[1] != self.n_inputs:
            raise ValueError(
                f"expected input of shape (batch, {self.n_inputs}), got {tuple(x.shape)}"
            )
        batch = x.shape[0]
        x = self.drop_input(x).reshape(batch * self.n_inputs, 1)
        h = self.drop_hidden(F.relu(self.inner(x)))
        z = self.outer(h).reshape(batch, self.n_inputs)
        return self.sum(self.drop_vector(z))

    def extra_repr(self) -> str:
        sites = ", ".join(s for s in DROPOUT_SITES if s in self.sites) or "none"
        return f"dropout={self.dropout}, sites: {sites}"


def set_handmade(model: SharedElementwiseMLP) -> SharedElementwiseMLP:
    r"""Set ``model`` to the asker's hand-made weights, in place; return it.

    The subnetwork becomes :math:`g(x) = \sum_j \operatorname{ReLU}(w_j x + b_j) + 0.01`
    with :data:`HANDMADE_WEIGHTS` and :data:`HANDMADE_BIASES`, a piecewise-linear
    function with kinks at :math:`-b_j / w_j` that follows :math:`x^2` on
    :math:`[-5, 8]`; the sum layer gets weights 1 and bias :math:`-0.01`.

    Raises:
        TypeError: if ``model`` is not a :class:`SharedElementwiseMLP`.
        ValueError: if its hidden width is not 14.
    """
    if not isinstance(model, SharedElementwiseMLP):
        raise TypeError(f"set_handmade needs a SharedElementwiseMLP, got {type(model).__name__}")
    if model.hidden != len(HANDMADE_WEIGHTS):
        raise ValueError(
            f"the hand-made subnetwork has {len(HANDMADE_WEIGHTS)} hidden units, "
            f"the model has hidden={model.hidden}"
        )
    with torch.no_grad():
        model.inner.weight.copy_(torch.tensor(HANDMADE_WEIGHTS).unsqueeze(1))
        model.inner.bias.copy_(torch.tensor(HANDMADE_BIASES))
        model.outer.weight.fill_(1.0)
        model.outer.bias.fill_(HANDMADE_OUTPUT_BIAS)
        model.sum.weight.fill_(1.0)
        model.sum.bias.fill_(HANDMADE_SUM_BIAS)
    return model


def handmade_model(
    *, dropout: float = 0.0, sites: Iterable[str] = DROPOUT_SITES, n_inputs: int = N_INPUTS
) -> SharedElementwiseMLP:
    """A :class:`SharedElementwiseMLP` (hidden width 14) at the hand-made initialization.

    Building it draws no numbers from the global random stream (PyTorch's
    default initialization, overwritten at once, runs on a private copy).
    """
    with torch.random.fork_rng(devices=[]):
        model = SharedElementwiseMLP(n_inputs, len(HANDMADE_WEIGHTS), dropout=dropout, sites=sites)
    return set_handmade(model)


def he_model(
    seed: int = DEFAULT_SEED,
    *,
    dropout: float = 0.0,
    sites: Iterable[str] = DROPOUT_SITES,
    n_inputs: int = N_INPUTS,
    hidden: int = HIDDEN,
) -> SharedElementwiseMLP:
    r"""A :class:`SharedElementwiseMLP` with He initialization from its own generator.

    Every weight matrix :math:`W \in \mathbb R^{n_\text{out} \times n_\text{in}}`
    is drawn from :math:`\mathcal N(0, 2 / n_\text{in})`, every bias is 0
    (:mod:`mlpbook.initializers`, ``"he"``). The global random stream is left untouched.
    """
    check_int("seed", seed, minimum=0)
    with torch.random.fork_rng(devices=[]):
        model = SharedElementwiseMLP(n_inputs, hidden, dropout=dropout, sites=sites)
    return initialize(model, "he", generator=make_generator(seed))


def sum_of_squares_data(
    n: int,
    *,
    n_inputs: int = N_INPUTS,
    low: float = LOW,
    high: float = HIGH,
    seed: int = DEFAULT_SEED,
) -> Dataset:
    r"""``n`` rows of ``n_inputs`` inputs :math:`x_{ri} \sim U[\text{low}, \text{high}]`, label the sum of squares.

    .. math:: y_r = \sum_{i=1}^{D} x_{ri}^2

    Returns a :class:`~mlpbook.data.Dataset` with ``x`` of shape ``(n, n_inputs)``
    and ``y`` of shape ``(n, 1)``, in torch's default dtype, drawn from a generator seeded with ``seed``.

    Raises:
        TypeError, ValueError: for a non-integer or non-positive ``n``/``n_inputs``,
            or ``low >= high``.
    """
    check_int("n", n, minimum=1)
    check_int("n_inputs", n_inputs, minimum=1)
    low, high = check_float("low", low), check_float("high", high)
    if not low < high:
        raise ValueError(f"need low < high, got low={low}, high={high}")
    g = make_generator(seed)
    x = low + (high - low) * torch.rand(n, n_inputs, generator=g)
    return Dataset(x, (x**2).sum(dim=1, keepdim=True))


def _as_dataset(name: str, data: Any) -> Dataset:
    if not (
        isinstance(data, tuple)
        and len(data) == 2
        and all(isinstance(t, torch.Tensor) for t in data)
    ):
        raise TypeError(f"{name} must be a Dataset (x, y) of tensors, got {type(data).__name__}")
    x, y = data
    if x.ndim != 2 or y.ndim != 2 or y.shape[1] != 1 or x.shape[0] != y.shape[0]:
        raise ValueError(
            f"{name} needs x of shape (n, d) and y of shape (n, 1), "
            f"got {tuple(x.shape)} and {tuple(y.shape)}"
        )
    return Dataset(x, y)


def _check_mode(mode: Any) -> str:
    if mode not in ("eval", "train"):
        raise ValueError(f"mode must be 'eval' or 'train', got {mode!r}")
    return mode


def predict(
    model: nn.Module,
    x: torch.Tensor,
    *,
    mode: str = "eval",
    seed: int = DEFAULT_SEED,
    batch_size: int = 1000,
) -> torch.Tensor:
    """The model's predictions on ``x`` (shape ``(n, d)`` to ``(n, 1)``), without gradients.

    ``mode="eval"`` switches dropout off (what a deployed model computes);
    ``mode="train"`` keeps it on, with masks drawn from a private random stream
    seeded by ``seed`` (the global one is left untouched). The model's own mode
    is restored afterwards.

    Raises:
        ValueError: for a mode other than ``"eval"`` or ``"train"``.
    """
    _check_mode(mode)
    if not isinstance(x, torch.Tensor):
        raise TypeError(f"x must be a torch.Tensor, got {type(x).__name__}")
    check_int("seed", seed, minimum=0)
    check_int("batch_size", batch_size, minimum=1)
    was_training = model.training
    model.train(mode == "train")
    try:
        with torch.no_grad(), torch.random.fork_rng(devices=[]):
            torch.manual_seed(seed)
            return torch.cat([model(x[i : i + batch_size]) for i in range(0, len(x), batch_size)])
    finally:
        model.train(was_training)


def mse(model: nn.Module, data: Dataset, *, mode: str = "eval", seed: int = DEFAULT_SEED) -> float:
    r"""Mean squared error :math:`\frac1n \sum_r (\hat y_r - y_r)^2` of ``model`` on ``data``.

    ``mode`` as in :func:`predict`: ``"eval"`` is the error of the model as it
    would be used; ``"train"`` is the loss the optimizer sees (one draw of the
    dropout masks).
    """
    x, y = _as_dataset("data", data)
    return float(((predict(model, x, mode=mode, seed=seed).double() - y.double()) ** 2).mean())


def _eval_mse(model: nn.Module, x: torch.Tensor, y: torch.Tensor, chunk: int = 1000) -> float:
    """Eval-mode MSE in chunks of rows (the hidden layer of a chunk stays in cache)."""
    total = 0.0
    with torch.no_grad():
        for i in range(0, len(x), chunk):
            total += float(((model(x[i : i + chunk]) - y[i : i + chunk]) ** 2).double().sum())
    return total / len(x)


@dataclass
class CaseHistory:
    r"""What :func:`train_case` recorded, one entry per epoch :math:`e = 0, \dots, E`.

    Attributes:
        logged_loss: the training loss as the asker logged it: the mean of the
            minibatch losses of epoch :math:`e`, computed in **training mode**
            (dropout on) while the weights change. ``logged_loss[0]`` is the
            same quantity for the initial weights, one pass without updates.
        train_mse: eval-mode MSE on the whole training set after epoch :math:`e`.
        val_mse: eval-mode MSE on the validation set after epoch :math:`e`.
        lr: the learning rate used during epoch :math:`e` (``lr[0]``: the initial one).
        settings: the run's arguments.
    """

    logged_loss: np.ndarray
    train_mse: np.ndarray
    val_mse: np.ndarray
    lr: np.ndarray
    settings: dict[str, Any] = field(default_factory=dict)

    @property
    def epochs(self) -> int:
        """Number of epochs trained."""
        return len(self.logged_loss) - 1


def _case_settings(
    model: SharedElementwiseMLP,
    epochs: int,
    lr: float,
    batch_size: int,
    step_every: int,
    gamma: float,
    seed: int,
) -> dict[str, Any]:
    """:func:`train_case`'s arguments checked (errors name the value), as its settings record."""
    check_int("epochs", epochs, minimum=0)
    check_int("batch_size", batch_size, minimum=1)
    check_int("step_every", step_every, minimum=1)
    check_int("seed", seed, minimum=0)
    return dict(
        epochs=epochs,
        lr=check_positive_float("lr", lr),
        batch_size=batch_size,
        step_every=step_every,
        gamma=check_positive_float("gamma", gamma),
        seed=seed,
        dropout=model.dropout,
        sites=sorted(model.sites),
    )


def _check_finite(epoch: int, curves: dict[str, np.ndarray], run: str) -> None:
    """Raise :class:`TrainingDiverged` if any curve's value at ``epoch`` is NaN or infinite."""
    for name, values in curves.items():
        if not math.isfinite(values[epoch]):
            raise TrainingDiverged(
                f"training diverged: the {name} became {values[epoch]} at epoch {epoch} "
                f"({run}); try a smaller learning rate"
            )


def train_case(
    model: SharedElementwiseMLP,
    train_data: Dataset,
    val_data: Dataset,
    *,
    epochs: int,
    lr: float = 1e-4,
    batch_size: int = 100,
    step_every: int = 20,
    gamma: float = 0.9,
    seed: int = DEFAULT_SEED,
    show_progress: bool | None = None,
    desc: str | None = None,
) -> CaseHistory:
    r"""Train ``model`` in place with Adam and minibatches, as in the case study; return its history.

    Per epoch: shuffle the training rows, and for each batch of ``batch_size``
    rows take one Adam step on the MSE in training mode (dropout on). After the
    epoch, the learning rate is multiplied by ``gamma`` if the epoch number is a
    multiple of ``step_every`` (PyTorch's ``StepLR``):
    :math:`\text{lr}_e = \text{lr} \cdot \gamma^{\lfloor (e-1) / \text{step\_every} \rfloor}`.

    Three curves are recorded (see :class:`CaseHistory`): the logged train-mode
    loss, and the eval-mode MSE on the training and the validation sets.

    Randomness (shuffling, dropout masks) comes from a private stream seeded with
    ``seed``, so a run depends only on its arguments and leaves the global
    random state untouched.

    Raises:
        TypeError, ValueError: for invalid arguments, naming the value and what is allowed.
        TrainingDiverged: if a loss becomes NaN or infinite.
    """
    if not isinstance(model, SharedElementwiseMLP):
        raise TypeError(f"model must be a SharedElementwiseMLP, got {type(model).__name__}")
    train_data = _as_dataset("train_data", train_data)
    val_data = _as_dataset("val_data", val_data)
    settings = _case_settings(model, epochs, lr, batch_size, step_every, gamma, seed)
    lr, gamma = settings["lr"], settings["gamma"]

    x, y = train_data
    n = len(x)
    opt = torch.optim.Adam(model.parameters(), lr=lr)
    schedule = torch.optim.lr_scheduler.StepLR(opt, step_size=step_every, gamma=gamma)
    generator = make_generator(seed)
    logged = np.empty(epochs + 1)
    train_mse = np.empty(epochs + 1)
    val_mse = np.empty(epochs + 1)
    lrs = np.empty(epochs + 1)

    with torch.random.fork_rng(devices=[]):
        torch.manual_seed(seed)
        for e in progress(range(epochs + 1), total=epochs + 1, desc=desc, enabled=show_progress):
            lrs[e] = opt.param_groups[0]["lr"]
            # region: epoch
            model.train()  # dropout on, as in every training step
            total = 0.0
            if e == 0:  # the initial weights: one pass in training mode, no updates
                with torch.no_grad():
                    for start in range(0, n, batch_size):
                        xb, yb = x[start : start + batch_size], y[start : start + batch_size]
                        total += F.mse_loss(model(xb), yb).item() * len(xb)
            else:
                order = torch.randperm(n, generator=generator)
                for start in range(0, n, batch_size):
                    idx = order[start : start + batch_size]
                    loss = F.mse_loss(model(x[idx]), y[idx])
                    opt.zero_grad(set_to_none=True)
                    loss.backward()
                    opt.step()
                    total += loss.item() * len(idx)
                schedule.step()
            logged[e] = total / n
            # endregion: epoch
            model.eval()
            train_mse[e] = _eval_mse(model, x, y)
            val_mse[e] = _eval_mse(model, val_data.x, val_data.y)
            _check_finite(
                e,
                {
                    "logged training loss": logged,
                    "training MSE": train_mse,
                    "validation MSE": val_mse,
                },
                f"lr={lr}, dropout={model.dropout}",
            )
    model.eval()
    return CaseHistory(
        logged_loss=logged, train_mse=train_mse, val_mse=val_mse, lr=lrs, settings=settings
    )


def expected_under_input_dropout(g: Any, x: torch.Tensor, p: float) -> torch.Tensor:
    r"""The mean of :math:`g(\tilde x)` over the dropout mask, :math:`\tilde x = m x / (1-p)`, exactly.

    With :math:`m \sim \text{Bernoulli}(1-p)`, the input is either :math:`x / (1-p)`
    (probability :math:`1-p`) or 0, so for any function :math:`g`

    .. math:: \mathbb E_m\, g(\tilde x) = (1-p)\, g\!\left(\frac{x}{1-p}\right) + p\, g(0),

    which for :math:`g(x) = x^2` is :math:`x^2 / (1-p)`.

    Args:
        g: a function of a tensor, applied element-wise (e.g. ``model.subnetwork``).
        x: inputs, any shape.
        p: the dropout probability in :math:`[0, 1)`.

    Returns a tensor of the shape of ``x``.
    """
    p = _check_probability("p", p)
    if not callable(g):
        raise TypeError(f"g must be a function of a tensor, got {type(g).__name__}")
    with torch.no_grad():
        return (1 - p) * g(x / (1 - p)) + p * g(torch.zeros_like(x))
