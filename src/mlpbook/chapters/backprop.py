r"""An MLP with a hand-written backward pass: NumPy, float64, no autograd.

Shapes follow the rows-are-samples convention. For a batch
:math:`A_0 = X \in \mathbb R^{B \times n_0}`, layer :math:`\ell` holds
:math:`W_\ell \in \mathbb R^{n_{\ell-1} \times n_\ell}` (**inputs × outputs**,
the transpose of ``nn.Linear.weight``) and :math:`b_\ell \in \mathbb R^{n_\ell}`:

.. math::
    Z_\ell = A_{\ell-1} W_\ell + b_\ell, \qquad A_\ell = f_\ell(Z_\ell).

The backward pass receives :math:`G_{A_\ell} = \partial L / \partial A_\ell`
and returns :math:`\partial L / \partial A_{\ell-1}`:

.. math::
    G_{Z_\ell} = f_\ell'(Z_\ell)[G_{A_\ell}], \quad
    \frac{\partial L}{\partial b_\ell} = \mathbf 1^\top G_{Z_\ell}, \quad
    \frac{\partial L}{\partial A_{\ell-1}} = G_{Z_\ell} W_\ell^\top, \quad
    \frac{\partial L}{\partial W_\ell} = A_{\ell-1}^\top G_{Z_\ell}.

Given a learning rate, :meth:`Dense.backward` also takes the gradient step as
it goes, in that order: the bias, then the input gradient with the *old*
:math:`W_\ell`, then :math:`W_\ell`. :func:`to_torch` builds the equivalent
``nn.Sequential`` (float64, ``nn.Linear.weight`` :math:`= W_\ell^\top`), and
:func:`fit_torch` is the same training loop written with autograd, so the two
can be compared number by number.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from typing import Any, NamedTuple

import numpy as np
import torch
import torch.nn.functional as F
from numpy.typing import NDArray
from torch import nn

from .._checks import check_int, check_positive_float
from ..training import TrainingDiverged

__all__ = [
    "Activation",
    "Identity",
    "ReLU",
    "Sigmoid",
    "Tanh",
    "Softmax",
    "ACTIVATIONS",
    "activation_names",
    "get_activation",
    "Dense",
    "ScratchMLP",
    "LossCurves",
    "mse_loss",
    "mse_grad",
    "train_step",
    "fit",
    "minibatches",
    "to_torch",
    "fit_torch",
    "max_relative_difference",
    "finite_difference_gradients",
    "he_init_one_hidden",
    "train_one_hidden_per_sample",
]

Array = NDArray[np.float64]


def _as_matrix(name: str, value: Any, n_cols: int | None = None) -> Array:
    """``value`` as a 2-D float64 array ``(rows, n_cols)``; clear errors otherwise."""
    if isinstance(value, torch.Tensor):
        value = value.detach().cpu().numpy()
    try:
        array = np.asarray(value, dtype=np.float64)
    except (TypeError, ValueError) as exc:
        raise TypeError(
            f"{name} must be a numeric array, got {type(value).__name__}: {exc}"
        ) from None
    if array.ndim != 2:
        raise ValueError(f"{name} must be 2-D (batch, features), got shape {array.shape}")
    if n_cols is not None and array.shape[1] != n_cols:
        raise ValueError(f"{name} must have shape (batch, {n_cols}), got {array.shape}")
    return array


# --- activations -------------------------------------------------------------


class Activation:
    r"""An activation :math:`A = f(Z)` with its backward pass.

    ``forward(z)`` maps ``(batch, n)`` to ``(batch, n)`` and keeps what the
    backward pass needs; ``backward(grad_a)`` takes
    :math:`\partial L/\partial A` and returns :math:`\partial L/\partial Z`,
    same shape. ``torch_module()`` returns the PyTorch module computing the
    same function (``None`` for the identity).
    """

    name: str = "activation"

    def forward(self, z: Array) -> Array:
        raise NotImplementedError

    def backward(self, grad_a: Array) -> Array:
        raise NotImplementedError

    def torch_module(self) -> nn.Module | None:
        raise NotImplementedError

    def _cached(self, attribute: str) -> Array:
        value = getattr(self, attribute, None)
        if value is None:
            raise RuntimeError(f"{type(self).__name__}.backward called before forward")
        return value

    def _check_grad(self, grad_a: Array, reference: Array) -> Array:
        grad_a = np.asarray(grad_a, dtype=np.float64)
        if grad_a.shape != reference.shape:
            raise ValueError(
                f"{type(self).__name__}.backward: gradient of shape {grad_a.shape} does not match "
                f"the forward output of shape {reference.shape}"
            )
        return grad_a

    def __repr__(self) -> str:
        return f"{type(self).__name__}()"


class Identity(Activation):
    r"""The identity, :math:`f(z) = z`; :math:`\partial L/\partial Z = \partial L/\partial A`."""

    name = "identity"

    def forward(self, z: Array) -> Array:
        self.z = z
        return z

    def backward(self, grad_a: Array) -> Array:
        return self._check_grad(grad_a, self._cached("z"))

    def torch_module(self) -> nn.Module | None:
        return None


class ReLU(Activation):
    r""":math:`f(z) = \max(z, 0)`; :math:`f'(z) = \mathbb 1[z > 0]` (0 at the kink, as PyTorch)."""

    name = "relu"

    def forward(self, z: Array) -> Array:
        self.mask = z > 0
        return np.where(self.mask, z, 0.0)

    def backward(self, grad_a: Array) -> Array:
        mask = self._cached("mask")
        return self._check_grad(grad_a, mask) * mask

    def torch_module(self) -> nn.Module | None:
        return nn.ReLU()


class Sigmoid(Activation):
    r""":math:`\sigma(z) = 1 / (1 + e^{-z})`; :math:`\sigma'(z) = \sigma(z)\,(1 - \sigma(z))`.

    Computed without overflow: :math:`e = e^{-|z|}`, :math:`\sigma = 1/(1+e)`
    for :math:`z \ge 0` and :math:`e/(1+e)` otherwise.
    """

    name = "sigmoid"

    def forward(self, z: Array) -> Array:
        e = np.exp(-np.abs(z))
        self.a = np.where(z >= 0, 1.0 / (1.0 + e), e / (1.0 + e))
        return self.a

    def backward(self, grad_a: Array) -> Array:
        a = self._cached("a")
        return self._check_grad(grad_a, a) * a * (1.0 - a)

    def torch_module(self) -> nn.Module | None:
        return nn.Sigmoid()


class Tanh(Activation):
    r""":math:`f(z) = \tanh z`; :math:`f'(z) = 1 - \tanh^2 z`."""

    name = "tanh"

    def forward(self, z: Array) -> Array:
        self.a = np.tanh(z)
        return self.a

    def backward(self, grad_a: Array) -> Array:
        a = self._cached("a")
        return self._check_grad(grad_a, a) * (1.0 - a * a)

    def torch_module(self) -> nn.Module | None:
        return nn.Tanh()


class Softmax(Activation):
    r"""Row-wise :math:`s_j = e^{z_j} / \sum_k e^{z_k}` (shifted by the row maximum).

    Its Jacobian is :math:`\partial s / \partial z = \operatorname{diag}(s) - s s^\top`
    for each row; the backward pass applies it without forming it (a
    Jacobian-vector product):

    .. math:: g_z = s \odot \bigl(g_a - (g_a \cdot s)\bigr).
    """

    name = "softmax"

    def forward(self, z: Array) -> Array:
        e = np.exp(z - z.max(axis=1, keepdims=True))
        self.s = e / e.sum(axis=1, keepdims=True)
        return self.s

    def backward(self, grad_a: Array) -> Array:
        s = self._cached("s")
        grad_a = self._check_grad(grad_a, s)
        return s * (grad_a - (grad_a * s).sum(axis=1, keepdims=True))

    def torch_module(self) -> nn.Module | None:
        return nn.Softmax(dim=1)


ACTIVATIONS: dict[str, type[Activation]] = {
    "identity": Identity,
    "relu": ReLU,
    "sigmoid": Sigmoid,
    "tanh": Tanh,
    "softmax": Softmax,
}
"""Name -> activation class of the from-scratch model; the names are those of
:data:`mlpbook.activations.ACTIVATIONS`, whose PyTorch modules ``torch_module`` returns."""


def activation_names() -> list[str]:
    """The names :func:`get_activation` accepts."""
    return list(ACTIVATIONS)


def get_activation(activation: str | Activation) -> Activation:
    """A fresh activation for a name (case-insensitive), or ``activation`` itself if it is one.

    Raises:
        TypeError: if ``activation`` is neither a string nor an :class:`Activation`.
        ValueError: for an unknown name; the message lists the valid ones.
    """
    if isinstance(activation, Activation):
        return activation
    if not isinstance(activation, str):
        raise TypeError(
            f"activation must be a name or an Activation, got {activation!r} "
            f"({type(activation).__name__})"
        )
    key = activation.lower()
    if key not in ACTIVATIONS:
        raise ValueError(
            f"unknown activation {activation!r}; valid names: {', '.join(ACTIVATIONS)}"
        )
    return ACTIVATIONS[key]()


# --- the dense layer and the network -------------------------------------------


class Dense:
    r"""A fully connected layer with its activation: :math:`A = f(A_\text{prev} W + b)`.

    Attributes:
        W: weights, shape ``(n_in, n_out)``.
        b: bias, shape ``(n_out,)``.
        activation: the :class:`Activation` :math:`f`.
        grad_W, grad_b: the gradients of the last backward pass (``None`` before).

    Args:
        n_in, n_out: input and output widths (``>= 1``).
        activation: a name from :data:`ACTIVATIONS` or an :class:`Activation`.
        rng: draws the initial ``W`` and ``b`` from :math:`U(\pm 1/\sqrt{n_\text{in}})`,
            PyTorch's default for ``nn.Linear`` (default: ``np.random.default_rng(0)``).
    """

    def __init__(
        self,
        n_in: int,
        n_out: int,
        activation: str | Activation = "identity",
        *,
        rng: np.random.Generator | None = None,
    ) -> None:
        self.n_in = check_int("n_in", n_in, minimum=1)
        self.n_out = check_int("n_out", n_out, minimum=1)
        self.activation = get_activation(activation)
        rng = np.random.default_rng(0) if rng is None else rng
        bound = 1.0 / math.sqrt(n_in)
        self.W: Array = rng.uniform(-bound, bound, size=(n_in, n_out))
        self.b: Array = rng.uniform(-bound, bound, size=n_out)
        self.grad_W: Array | None = None
        self.grad_b: Array | None = None
        self._a_prev: Array | None = None

    @classmethod
    def from_parameters(cls, W: Any, b: Any, activation: str | Activation = "identity") -> Dense:
        """A layer with the given ``W`` (``(n_in, n_out)``) and ``b`` (``(n_out,)``), copied as float64."""
        W = _as_matrix("W", W)
        b = np.array(b, dtype=np.float64)
        if b.shape != (W.shape[1],):
            raise ValueError(
                f"b must have shape ({W.shape[1]},) to match W of shape {W.shape}, got {b.shape}"
            )
        layer = cls(W.shape[0], W.shape[1], activation)
        layer.W, layer.b = W.copy(), b
        return layer

    def forward(self, a_prev: Any) -> Array:
        """``(batch, n_in)`` -> ``(batch, n_out)``; keeps ``a_prev`` for the backward pass."""
        a_prev = _as_matrix(f"input of {self!r}", a_prev, self.n_in)
        self._a_prev = a_prev
        return self.activation.forward(a_prev @ self.W + self.b)

    def backward(self, grad_a: Any, lr: float | None = None) -> Array:
        r"""Take :math:`\partial L/\partial A` ``(batch, n_out)``; return :math:`\partial L/\partial A_\text{prev}`.

        Stores ``grad_W`` and ``grad_b``. With a learning rate ``lr``, also
        updates the layer as it goes: ``b``, then the input gradient with the
        old ``W``, then ``W``.
        """
        if self._a_prev is None:
            raise RuntimeError(f"{self!r}: backward called before forward")
        grad_z = self.activation.backward(grad_a)
        self.grad_b = grad_z.sum(axis=0)
        if lr is not None:
            self.b -= lr * self.grad_b
        grad_prev = grad_z @ self.W.T  # with the W of the forward pass
        self.grad_W = self._a_prev.T @ grad_z
        if lr is not None:
            self.W -= lr * self.grad_W
        return grad_prev

    def __repr__(self) -> str:
        return f"Dense({self.n_in} → {self.n_out}, {self.activation.name})"


class ScratchMLP:
    r"""A stack of :class:`Dense` layers: :math:`\hat Y = A_L`.

    Args:
        sizes: widths ``[n_0, n_1, ..., n_L]`` (at least two positive ints).
        activations: one activation per layer (``len(sizes) - 1`` names or
            :class:`Activation` objects), e.g. ``["tanh", "relu", "identity"]``.
        seed: seeds the ``np.random.Generator`` that initializes the layers in order.

    Raises:
        TypeError, ValueError: for malformed sizes, a wrong number of
            activations or an unknown activation name.
    """

    def __init__(
        self, sizes: Sequence[int], activations: Sequence[str | Activation], *, seed: int = 0
    ) -> None:
        if isinstance(sizes, (str, bytes)) or not isinstance(sizes, Sequence) or len(sizes) < 2:
            raise ValueError(
                f"sizes must list at least an input and an output width, e.g. [6, 32, 3]; "
                f"got {sizes!r}"
            )
        for i, s in enumerate(sizes):
            check_int(f"sizes[{i}]", s, minimum=1)
        if isinstance(activations, (str, bytes)) or len(activations) != len(sizes) - 1:
            raise ValueError(
                f"need one activation per layer: {len(sizes) - 1} for sizes {list(sizes)}, "
                f"got {activations!r}"
            )
        rng = np.random.default_rng(check_int("seed", seed, minimum=0))
        self.layers = [
            Dense(n_in, n_out, act, rng=rng)
            for n_in, n_out, act in zip(sizes[:-1], sizes[1:], activations)
        ]

    @classmethod
    def from_layers(cls, layers: Sequence[Dense]) -> ScratchMLP:
        """A network made of the given layers (their widths must chain)."""
        for i, (a, b) in enumerate(zip(layers[:-1], layers[1:])):
            if a.n_out != b.n_in:
                raise ValueError(
                    f"layer {i} outputs {a.n_out} values but layer {i + 1} takes {b.n_in}"
                )
        if not layers:
            raise ValueError("need at least one layer")
        model = cls.__new__(cls)
        model.layers = list(layers)
        return model

    @property
    def sizes(self) -> list[int]:
        """The widths ``[n_0, ..., n_L]``."""
        return [self.layers[0].n_in] + [layer.n_out for layer in self.layers]

    def forward(self, x: Any) -> Array:
        """``(batch, n_0)`` -> ``(batch, n_L)``."""
        a = x
        for layer in self.layers:
            a = layer.forward(a)
        return a

    __call__ = forward

    def backward(self, grad: Any, lr: float | None = None) -> Array:
        r"""Backpropagate :math:`\partial L/\partial \hat Y` through every layer, last first.

        Returns :math:`\partial L/\partial X`. With ``lr``, each layer updates
        itself as the gradient passes through it.
        """
        for layer in reversed(self.layers):
            grad = layer.backward(grad, lr)
        return grad

    def parameters(self) -> list[tuple[Array, Array]]:
        """``(W, b)`` of every layer, the arrays themselves (not copies)."""
        return [(layer.W, layer.b) for layer in self.layers]

    def gradients(self) -> list[tuple[Array, Array]]:
        """``(grad_W, grad_b)`` of every layer from the last backward pass."""
        if any(layer.grad_W is None for layer in self.layers):
            raise RuntimeError("no gradients yet: call backward first")
        return [(layer.grad_W, layer.grad_b) for layer in self.layers]  # type: ignore[misc]

    def __repr__(self) -> str:
        return "ScratchMLP(" + ", ".join(repr(layer) for layer in self.layers) + ")"


# --- loss and training -----------------------------------------------------------


def mse_loss(y_hat: Any, y: Any) -> float:
    r"""Mean squared error over all :math:`N` entries: :math:`L = \frac1N \sum (\hat y - y)^2`."""
    y_hat, y = _as_matrix("y_hat", y_hat), _as_matrix("y", y)
    if y_hat.shape != y.shape:
        raise ValueError(f"y_hat and y must have the same shape, got {y_hat.shape} and {y.shape}")
    return float(np.mean((y_hat - y) ** 2))


def mse_grad(y_hat: Any, y: Any) -> Array:
    r""":math:`\partial L/\partial \hat Y = 2(\hat Y - Y)/N`, with :math:`N` = ``y.size``."""
    y_hat, y = _as_matrix("y_hat", y_hat), _as_matrix("y", y)
    if y_hat.shape != y.shape:
        raise ValueError(f"y_hat and y must have the same shape, got {y_hat.shape} and {y.shape}")
    return 2.0 * (y_hat - y) / y.size


def train_step(model: ScratchMLP, x: Any, y: Any, lr: float) -> float:
    """One step of gradient descent on the batch ``(x, y)``; returns the loss before the step."""
    y_hat = model.forward(x)
    loss = mse_loss(y_hat, y)
    model.backward(mse_grad(y_hat, y), lr)
    return loss


def minibatches(n: int, batch_size: int) -> list[slice]:
    """Consecutive slices ``[0, b), [b, 2b), ...`` covering ``n`` rows; the last may be shorter.

    >>> minibatches(1000, 333)
    [slice(0, 333, None), slice(333, 666, None), slice(666, 999, None), slice(999, 1000, None)]
    """
    check_int("n", n, minimum=1)
    check_int("batch_size", batch_size, minimum=1)
    return [slice(start, min(start + batch_size, n)) for start in range(0, n, batch_size)]


class LossCurves(NamedTuple):
    """What :func:`fit` and :func:`fit_torch` record.

    Attributes:
        train: shape ``(epochs + 1,)``, MSE on the whole training set before
            training and after each epoch.
        val: same for the validation set (empty if none was given).
        steps: the loss of every minibatch step, in order, before its update.
    """

    train: Array
    val: Array
    steps: Array


def _check_xy(x: Any, y: Any) -> tuple[Array, Array]:
    x, y = _as_matrix("x", x), _as_matrix("y", y)
    if len(x) != len(y):
        raise ValueError(f"x and y need the same number of rows, got {len(x)} and {len(y)}")
    return x, y


def _fit_loop(
    step: Callable[[Array, Array], float],
    evaluate: Callable[[Array, Array], float],
    x: Any,
    y: Any,
    epochs: int,
    batch_size: int,
    x_val: Any,
    y_val: Any,
) -> LossCurves:
    check_int("epochs", epochs, minimum=0)
    x, y = _check_xy(x, y)
    has_val = x_val is not None or y_val is not None
    if has_val:
        x_val, y_val = _check_xy(x_val, y_val)
    batches = minibatches(len(x), batch_size)
    train, val, steps = [evaluate(x, y)], [evaluate(x_val, y_val)] if has_val else [], []
    for epoch in range(1, epochs + 1):
        for rows in batches:
            steps.append(step(x[rows], y[rows]))
            if not math.isfinite(steps[-1]):
                raise TrainingDiverged(
                    f"training diverged: the minibatch loss became {steps[-1]} in epoch {epoch}, "
                    f"step {len(steps)}; try a smaller learning rate"
                )
        train.append(evaluate(x, y))
        if has_val:
            val.append(evaluate(x_val, y_val))
    return LossCurves(np.array(train), np.array(val), np.array(steps))


def fit(
    model: ScratchMLP,
    x: Any,
    y: Any,
    *,
    epochs: int,
    lr: float,
    batch_size: int,
    x_val: Any = None,
    y_val: Any = None,
) -> LossCurves:
    """Minibatch gradient descent on the MSE, minibatches in order (no shuffling).

    Every epoch walks the rows in order, ``batch_size`` at a time
    (:func:`minibatches`), and takes one :func:`train_step` per minibatch.

    Args:
        model: trained in place.
        x, y: training data, ``(n, n_0)`` and ``(n, n_L)``.
        epochs: passes over the data (``>= 0``).
        lr: learning rate (``> 0``).
        batch_size: rows per minibatch (``>= 1``; ``n`` for full-batch, 1 for per-sample).
        x_val, y_val: optional validation data, evaluated after every epoch.

    Raises:
        TrainingDiverged: if a minibatch loss becomes NaN or infinite.
    """
    lr = check_positive_float("lr", lr)
    return _fit_loop(
        lambda xb, yb: train_step(model, xb, yb, lr),
        lambda xs, ys: mse_loss(model.forward(xs), ys),
        x,
        y,
        epochs,
        batch_size,
        x_val,
        y_val,
    )


# --- the PyTorch twin ----------------------------------------------------------------


def to_torch(model: ScratchMLP) -> nn.Sequential:
    """The same network as an ``nn.Sequential`` in float64, with copied parameters.

    Each :class:`Dense` becomes ``nn.Linear(n_in, n_out)`` with
    ``weight = W.T`` and ``bias = b``, followed by its activation's
    ``torch_module()`` (nothing for ``identity``).
    """
    modules: list[nn.Module] = []
    for layer in model.layers:
        linear = nn.Linear(layer.n_in, layer.n_out, dtype=torch.float64)
        with torch.no_grad():
            linear.weight.copy_(torch.from_numpy(layer.W.T.copy()))
            linear.bias.copy_(torch.from_numpy(layer.b.copy()))
        modules.append(linear)
        activation = layer.activation.torch_module()
        if activation is not None:
            modules.append(activation)
    return nn.Sequential(*modules)


def fit_torch(
    model: nn.Module,
    x: Any,
    y: Any,
    *,
    epochs: int,
    lr: float,
    batch_size: int,
    x_val: Any = None,
    y_val: Any = None,
) -> LossCurves:
    """:func:`fit` written with autograd: ``torch.optim.SGD`` and ``F.mse_loss``, same minibatches."""
    lr = check_positive_float("lr", lr)
    optimizer = torch.optim.SGD(model.parameters(), lr=lr)

    def step(xb: Array, yb: Array) -> float:
        loss = F.mse_loss(model(torch.from_numpy(xb)), torch.from_numpy(yb))
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
        return loss.item()

    @torch.no_grad()
    def evaluate(xs: Array, ys: Array) -> float:
        return F.mse_loss(model(torch.from_numpy(xs)), torch.from_numpy(ys)).item()

    return _fit_loop(step, evaluate, x, y, epochs, batch_size, x_val, y_val)


def max_relative_difference(actual: Any, expected: Any) -> float:
    r"""The largest entry-wise difference, relative to the largest entry of ``expected``:

    .. math:: \frac{\max_i |a_i - e_i|}{\max_i |e_i|}

    (0 if both are all zero). Unlike an entry-wise ratio it does not blow up
    on entries that are zero in both. Accepts arrays or tensors of the same shape.
    """
    a = np.asarray(
        actual.detach() if isinstance(actual, torch.Tensor) else actual, dtype=np.float64
    )
    e = np.asarray(
        expected.detach() if isinstance(expected, torch.Tensor) else expected, dtype=np.float64
    )
    if a.shape != e.shape:
        raise ValueError(f"shapes differ: {a.shape} and {e.shape}")
    scale = float(np.max(np.abs(e))) if e.size else 0.0
    diff = float(np.max(np.abs(a - e))) if e.size else 0.0
    if scale == 0.0:
        return 0.0 if diff == 0.0 else math.inf
    return diff / scale


def finite_difference_gradients(
    model: ScratchMLP, x: Any, y: Any, *, eps: float = 1e-5
) -> list[tuple[Array, Array]]:
    r"""Central differences of the MSE for every parameter.

    .. math:: \frac{\partial L}{\partial \theta} \approx \frac{L(\theta+\epsilon) - L(\theta-\epsilon)}{2\epsilon}

    Returns ``(dW, db)`` per layer, shaped like the parameters; the model is left unchanged.
    """
    eps = check_positive_float("eps", eps)
    x, y = _check_xy(x, y)
    result = []
    for W, b in model.parameters():
        grads = []
        for p in (W, b):
            g = np.zeros_like(p)
            for i in np.ndindex(p.shape):
                old = p[i]
                p[i] = old + eps
                up = mse_loss(model.forward(x), y)
                p[i] = old - eps
                down = mse_loss(model.forward(x), y)
                p[i] = old
                g[i] = (up - down) / (2 * eps)
            grads.append(g)
        result.append((grads[0], grads[1]))
    return result


# --- the classic NumPy trainer: one hidden ReLU layer, per-sample SGD ----------------


def he_init_one_hidden(
    n_in: int, width: int, n_out: int, *, seed: int = 42
) -> list[tuple[Array, Array]]:
    r"""He initialization of ``n_in → width → n_out``, drawn as ``np.random.seed(seed)`` would.

    :math:`W_1 = \varepsilon \sqrt{2/n_\text{in}}`, :math:`W_2 = \varepsilon \sqrt{2/\text{width}}`
    with :math:`\varepsilon` standard normal (``randn``, ``W_1`` first), biases 0.
    Uses its own ``np.random.RandomState(seed)``, which draws the same numbers
    as the global generator after ``np.random.seed(seed)`` without touching it.
    """
    for name, v in (("n_in", n_in), ("width", width), ("n_out", n_out)):
        check_int(name, v, minimum=1)
    rs = np.random.RandomState(check_int("seed", seed, minimum=0))
    W1 = rs.randn(n_in, width) * np.sqrt(2.0 / n_in)
    W2 = rs.randn(width, n_out) * np.sqrt(2.0 / width)
    return [(W1, np.zeros(width)), (W2, np.zeros(n_out))]


def train_one_hidden_per_sample(
    x: Any, y: Any, width: int, *, epochs: int = 200, lr: float = 0.05, seed: int = 42
) -> Array:
    r"""The classic NumPy loop: ``n_in → width (ReLU) → n_out``, one update per sample.

    Loss per sample :math:`\ell = \frac12 \operatorname{mean}_j (\hat y_j - y_j)^2`,
    so :math:`\partial \ell / \partial \hat y = (\hat y - y) / n_\text{out}`.
    Samples are visited in order, every epoch; initialization by
    :func:`he_init_one_hidden` with ``seed``.

    Returns:
        shape ``(epochs,)``: the mean of the per-sample losses seen during each epoch.
    """
    x, y = _check_xy(x, y)
    check_int("epochs", epochs, minimum=1)
    lr = check_positive_float("lr", lr)
    (W1, b1), (W2, b2) = he_init_one_hidden(x.shape[1], width, y.shape[1], seed=seed)
    losses = np.empty(epochs)
    for epoch in range(epochs):
        total = 0.0
        for i in range(len(x)):
            xi, yi = x[i : i + 1], y[i : i + 1]
            z1 = xi @ W1 + b1  # forward
            h = np.maximum(z1, 0.0)
            out = h @ W2 + b2
            total += 0.5 * np.mean((out - yi) ** 2)
            d_out = (out - yi) / yi.size  # backward
            d_W2, d_b2 = h.T @ d_out, d_out.sum(axis=0)
            d_z1 = (d_out @ W2.T) * (z1 > 0)
            d_W1, d_b1 = xi.T @ d_z1, d_z1.sum(axis=0)
            W2 -= lr * d_W2  # update
            b2 -= lr * d_b2
            W1 -= lr * d_W1
            b1 -= lr * d_b1
        losses[epoch] = total / len(x)
    return losses
