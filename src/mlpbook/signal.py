r"""Signal propagation: how large activations and gradients are, layer by layer.

For an MLP ``make_mlp([n_0, n_1, ..., n_{D+1}], f)`` with hidden layers
:math:`\ell = 1, \dots, D`,

.. math::
    z_\ell = h_{\ell-1} W_\ell^\top + b_\ell, \qquad h_\ell = f(z_\ell), \qquad
    h_0 = X, \qquad \hat Y = h_D W_{D+1}^\top + b_{D+1},

a forward pass of a batch :math:`X \in \mathbb R^{B \times n_0}` and a backward
pass of an error signal :math:`G = \partial L / \partial \hat Y \in \mathbb R^{B
\times n_{D+1}}` (the gradient of :math:`L = \sum_{ij} \hat Y_{ij} G_{ij}`) give,
for every hidden layer, four standard deviations over all its entries:

* ``pre``: :math:`\operatorname{std}(z_\ell)`, the pre-activations;
* ``act``: :math:`\operatorname{std}(h_\ell)`, the activations;
* ``grad``: :math:`\operatorname{std}(\partial L / \partial h_\ell)`, the gradient
  that reaches layer :math:`\ell`'s output from above;
* ``weight_grad``: :math:`\operatorname{std}(\partial L / \partial W_\ell)`, the
  gradient the optimizer sees for the weights that produce :math:`z_\ell`.

Why this predicts trainability: with independent zero-mean weights of variance
:math:`\sigma_\ell^2`, :math:`\operatorname{Var}(z_\ell) = n_{\ell-1}
\sigma_\ell^2\, \mathbb E[h_{\ell-1}^2]` going forward, and
:math:`\operatorname{Var}(\partial L/\partial h_{\ell-1}) = n_\ell \sigma_\ell^2\,
\mathbb E[f'(z_\ell)^2]\, \operatorname{Var}(\partial L/\partial h_\ell)` going
backward; a factor different from 1 per layer compounds geometrically with depth.

:func:`layer_signal` measures one model; :func:`signal_profile` measures fresh
deep models of one activation and initializer, one per seed, on a standard-normal
input and error signal; :func:`predicted_signal` is the variance argument's
prediction for (Leaky) ReLU networks, and :func:`residual_stream_std` follows the
residual stream of a deep residual stack. :func:`signal_figure` (plotly, a
dropdown over the initializers) and :func:`signal_summary_plot` (matplotlib)
draw the profiles.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import torch
from torch import nn

from ._checks import check_int, check_positive_float
from .initializers import Fill
from .models import make_mlp
from .repro import DEFAULT_SEED, make_generator

__all__ = ["LayerSignal", "SignalProfile", "layer_signal", "signal_profile", "per_layer_factor",
           "predicted_signal", "residual_stream_std", "signal_figure", "signal_summary_plot"]

FIELDS = ("pre", "act", "grad", "weight_grad")
"""The statistics recorded for every hidden layer (see the module docstring)."""


@dataclass(frozen=True)
class LayerSignal:
    """Standard deviations for each hidden layer of one model; every array has shape ``(D,)``."""

    pre: np.ndarray
    act: np.ndarray
    grad: np.ndarray
    weight_grad: np.ndarray

    @property
    def depth(self) -> int:
        """Number of hidden layers :math:`D`."""
        return len(self.act)


@dataclass(frozen=True)
class SignalProfile:
    """Standard deviations for several seeds; every array has shape ``(seeds, D)``.

    ``settings`` records the activation, initializer, depth, width, batch and seeds.
    """

    pre: np.ndarray
    act: np.ndarray
    grad: np.ndarray
    weight_grad: np.ndarray
    settings: dict[str, Any] = field(default_factory=dict)

    @property
    def depth(self) -> int:
        """Number of hidden layers :math:`D`."""
        return self.act.shape[1]

    def geometric_mean(self, name: str) -> np.ndarray:
        r"""The geometric mean over seeds of one statistic, shape ``(D,)``:
        :math:`\exp(\overline{\log s})`, the natural average for quantities that
        grow or shrink by factors.

        Raises:
            ValueError: for a name other than ``pre``, ``act``, ``grad``, ``weight_grad``.
        """
        if name not in FIELDS:
            raise ValueError(f"unknown statistic {name!r}; allowed: {', '.join(FIELDS)}")
        values = getattr(self, name)
        with np.errstate(divide="ignore"):
            return np.exp(np.log(values).mean(axis=0))


def _hidden_pairs(model: nn.Module) -> tuple[list[tuple[nn.Linear, nn.Module]], nn.Linear]:
    """Split ``Linear, act, Linear, act, ..., Linear`` into (linear, act) pairs and the output layer."""
    if not isinstance(model, nn.Sequential):
        raise TypeError(f"model must be an nn.Sequential as built by make_mlp, got {type(model).__name__}")
    layers = list(model)
    if len(layers) < 3 or len(layers) % 2 == 0:
        raise ValueError(
            f"model must alternate Linear and activation layers, ending in Linear, with at least one "
            f"hidden layer (an odd number >= 3 of layers); got {len(layers)} layers")
    for i, layer in enumerate(layers):
        if (i % 2 == 0) != isinstance(layer, nn.Linear):
            kind = "an nn.Linear" if i % 2 == 0 else "an activation (not nn.Linear)"
            raise ValueError(f"layer {i} must be {kind}, got {layer!r}")
    pairs = [(layers[i], layers[i + 1]) for i in range(0, len(layers) - 1, 2)]
    return pairs, layers[-1]


def _std(t: torch.Tensor) -> float:
    return float(t.detach().double().std(correction=0))


def layer_signal(model: nn.Module, x: torch.Tensor, grad_output: torch.Tensor | None = None, *,
                 generator: torch.Generator | None = None) -> LayerSignal:
    r"""Measure the forward and backward signal of ``model`` at input ``x``.

    Args:
        model: an ``nn.Sequential`` alternating ``nn.Linear`` and activation
            layers and ending in ``nn.Linear`` (as :func:`mlpbook.make_mlp` builds).
        x: a batch of inputs, shape ``(B, n_0)``.
        grad_output: the error signal :math:`G = \partial L / \partial \hat Y`,
            shape ``(B, n_{D+1})``; by default standard normal, drawn from
            ``generator`` (or from ``make_generator(0)``).
        generator: the random stream for the default ``grad_output``.

    Returns:
        A :class:`LayerSignal` with one entry per hidden layer. The model's
        parameters and their ``.grad`` are left untouched.

    Raises:
        TypeError, ValueError: for a model of another shape, or inputs and
        error signals of the wrong shape.
    """
    pairs, output = _hidden_pairs(model)
    if not isinstance(x, torch.Tensor) or x.ndim != 2 or x.shape[1] != pairs[0][0].in_features:
        raise ValueError(f"x must be a tensor of shape (B, {pairs[0][0].in_features}), got "
                         f"{tuple(x.shape) if isinstance(x, torch.Tensor) else type(x).__name__}")
    out_shape = (x.shape[0], output.out_features)
    if grad_output is None:
        gen = generator if generator is not None else make_generator(DEFAULT_SEED)
        grad_output = torch.randn(*out_shape, generator=gen, dtype=x.dtype)
    elif tuple(grad_output.shape) != out_shape:
        raise ValueError(f"grad_output must have shape {out_shape}, got {tuple(grad_output.shape)}")
    with torch.enable_grad():
        h = x.detach()
        pres, acts = [], []
        for linear, act in pairs:
            z = linear(h)
            h = act(z)
            pres.append(z)
            acts.append(h)
        y = output(h)
        weights = [linear.weight for linear, _ in pairs]
        grads = torch.autograd.grad(y, acts + weights, grad_outputs=grad_output)
    depth = len(pairs)
    return LayerSignal(
        pre=np.array([_std(z) for z in pres]),
        act=np.array([_std(a) for a in acts]),
        grad=np.array([_std(g) for g in grads[:depth]]),
        weight_grad=np.array([_std(g) for g in grads[depth:]]),
    )


def signal_profile(activation: str | nn.Module, init: str | Fill, *, seeds: Sequence[int], depth: int = 20,
                   width: int = 256, batch: int = 256, data_seed: int = DEFAULT_SEED) -> SignalProfile:
    r"""Measure :func:`layer_signal` for fresh deep MLPs, one per seed.

    Each model is ``make_mlp([width] * (depth + 2), activation, init=init)``
    (``depth`` hidden layers of ``width`` units, square input and output layers)
    built after ``torch.manual_seed(seed)``, exactly as :func:`mlpbook.train_seeds`
    builds its models, inside ``torch.random.fork_rng`` so the caller's random
    stream is not disturbed. The input :math:`X \in \mathbb R^{B \times n}` and
    the error signal :math:`G` are standard normal, drawn once from
    ``make_generator(data_seed)`` and shared by all seeds, so
    :math:`\operatorname{std}(X) \approx \operatorname{std}(G) \approx 1` and every
    departure from 1 is the network's doing.

    Args:
        activation: an activation name or module (e.g. ``nn.LeakyReLU(0.2)``).
        init: an initializer name or fill function (:mod:`mlpbook.initializers`).
        seeds: one seed per model (at least one).
        depth: number of hidden layers :math:`D \ge 1`.
        width: units per layer :math:`n \ge 1`.
        batch: number of input rows :math:`B \ge 1`.
        data_seed: seed of the input and the error signal.

    Returns:
        A :class:`SignalProfile` with arrays of shape ``(len(seeds), depth)``.
    """
    if isinstance(seeds, (str, bytes)) or not isinstance(seeds, Sequence) or len(seeds) == 0:
        raise ValueError(f"seeds must be a non-empty sequence of ints, got {seeds!r}")
    seeds = [check_int("seed", s, minimum=0) for s in seeds]
    check_int("depth", depth, minimum=1)
    check_int("width", width, minimum=1)
    check_int("batch", batch, minimum=1)
    gen = make_generator(check_int("data_seed", data_seed, minimum=0))
    x = torch.randn(batch, width, generator=gen)
    g = torch.randn(batch, width, generator=gen)
    signals = []
    for seed in seeds:
        with torch.random.fork_rng(devices=[]):
            torch.manual_seed(seed)
            model = make_mlp([width] * (depth + 2), activation, init=init)
        signals.append(layer_signal(model, x, g))
    stacked = {name: np.stack([getattr(s, name) for s in signals]) for name in FIELDS}
    settings = dict(activation=activation, init=init, depth=depth, width=width, batch=batch,
                    seeds=seeds, data_seed=data_seed)
    return SignalProfile(**stacked, settings=settings)


def per_layer_factor(stds: np.ndarray) -> np.ndarray:
    r"""The average factor by which a standard deviation changes per layer.

    .. math:: r = \left(s_D / s_1\right)^{1/(D-1)}

    the geometric mean of the ratios :math:`s_{\ell+1} / s_\ell`. A factor of 1
    keeps the signal's size; :math:`r^{20}` is what 20 layers do to it.

    Args:
        stds: shape ``(..., D)`` with ``D >= 2`` positive entries along the last axis.

    Returns:
        Shape ``(...)``: one factor per row.
    """
    stds = np.asarray(stds, dtype=np.float64)
    if stds.ndim == 0 or stds.shape[-1] < 2:
        raise ValueError(f"stds needs at least two layers along its last axis, got shape {stds.shape}")
    if not np.all(stds > 0):
        raise ValueError("stds must be positive (a zero standard deviation has no growth factor)")
    return np.exp((np.log(stds[..., -1]) - np.log(stds[..., 0])) / (stds.shape[-1] - 1))


def predicted_signal(n_sigma2: float, depth: int, *, negative_slope: float = 0.0, input_var: float = 1.0,
                     grad_var: float = 1.0) -> dict[str, np.ndarray]:
    r"""The variance argument's prediction for a deep (Leaky) ReLU MLP with zero biases.

    All layers, the output layer included, are square with weights of variance
    :math:`\sigma^2` (``n_sigma2`` is :math:`n\sigma^2`). With
    :math:`c = \mathbb E[f(z)^2] / \operatorname{Var}(z) = \mathbb E[f'(z)^2] = (1 + \alpha^2)/2`
    for symmetric :math:`z`,

    .. math::
        \operatorname{Var}(z_1) = n\sigma^2 v_x, \qquad
        \operatorname{Var}(z_{\ell+1}) = n\sigma^2 c \operatorname{Var}(z_\ell),

        \operatorname{Var}(\partial L/\partial h_D) = n\sigma^2 v_G, \qquad
        \operatorname{Var}(\partial L/\partial h_{\ell-1}) = n\sigma^2 c\,
        \operatorname{Var}(\partial L/\partial h_\ell),

    and for Gaussian :math:`z_\ell`, :math:`\operatorname{std}(h_\ell) =
    \operatorname{std}(z_\ell) \sqrt{c - (1 - \alpha)^2 / (2\pi)}`. Exact for
    infinitely wide layers; a finite network fluctuates around it.

    Args:
        n_sigma2: :math:`n\sigma^2 > 0` (2 for He, 1 for square Xavier, ...).
        depth: number of hidden layers :math:`D \ge 1`.
        negative_slope: :math:`\alpha \ge 0` (0 for ReLU).
        input_var, grad_var: :math:`v_x = \operatorname{Var}(X)`, :math:`v_G = \operatorname{Var}(G)`.

    Returns:
        ``{"pre": ..., "act": ..., "grad": ...}``, each of shape ``(D,)``, standard deviations.
    """
    from .initializers import leaky_relu_gain

    check_positive_float("n_sigma2", n_sigma2)
    check_int("depth", depth, minimum=1)
    c = 1.0 / leaky_relu_gain(negative_slope) ** 2  # (1 + alpha^2) / 2; validates the slope
    alpha = float(negative_slope)
    ell = np.arange(depth)
    log_pre = 0.5 * (math.log(n_sigma2 * input_var) + ell * math.log(n_sigma2 * c))
    log_grad = 0.5 * (math.log(n_sigma2 * grad_var) + (depth - 1 - ell) * math.log(n_sigma2 * c))
    pre = np.exp(log_pre)
    return {"pre": pre, "act": pre * math.sqrt(c - (1 - alpha) ** 2 / (2 * math.pi)), "grad": np.exp(log_grad)}


def residual_stream_std(n_layers: int, *, scaled: bool, prenorm: bool, width: int = 128, batch: int = 256,
                        seed: int = DEFAULT_SEED) -> np.ndarray:
    r"""The standard deviation of the residual stream of a random residual stack.

    .. math::
        x_{k+1} = x_k + \operatorname{relu}(u_k W_{1,k}^\top)\, W_{2,k}^\top, \qquad
        u_k = \operatorname{LN}(x_k) \text{ (pre-norm) or } x_k,

    for :math:`k = 0, \dots, N - 1` (:math:`N` = ``n_layers`` residual layers), with
    :math:`W_1 \sim \mathcal N(0, 2/n)` (He), :math:`W_2 \sim \mathcal N(0, s^2/n)`,
    :math:`s = 1/\sqrt N` when ``scaled`` (GPT-2's scaling of the residual
    layers' output projections) and 1 otherwise, and LN standardizing every row
    (LayerNorm without its learned scale and shift). :math:`x_0` is standard normal.

    Each layer adds :math:`\operatorname{Var}(F) \approx s^2 \mathbb E[u^2]`: with
    pre-norm that is a constant :math:`s^2`, so :math:`\operatorname{Var}(x_N)
    \approx 1 + N s^2` (linear growth, or 2 with the scaling); without it,
    :math:`\operatorname{Var}(x_{k+1}) \approx (1 + s^2) \operatorname{Var}(x_k)`,
    so :math:`(1 + s^2)^N` (exponential, or at most :math:`e` with the scaling).

    Returns:
        Shape ``(n_layers + 1,)``: the standard deviation of :math:`x_0, \dots, x_N`.
    """
    check_int("n_layers", n_layers, minimum=1)
    check_int("width", width, minimum=1)
    check_int("batch", batch, minimum=1)
    gen = make_generator(check_int("seed", seed, minimum=0))
    x = torch.randn(batch, width, generator=gen, dtype=torch.float64)
    out_scale = (1.0 / math.sqrt(n_layers) if scaled else 1.0) / math.sqrt(width)
    stds = [_std(x)]
    for _ in range(n_layers):
        w1 = torch.randn(width, width, generator=gen, dtype=torch.float64) * math.sqrt(2.0 / width)
        w2 = torch.randn(width, width, generator=gen, dtype=torch.float64) * out_scale
        u = (x - x.mean(dim=1, keepdim=True)) / x.std(dim=1, correction=0, keepdim=True) if prenorm else x
        x = x + torch.relu(u @ w1.T) @ w2.T
        stds.append(_std(x))
    return np.array(stds)


def _significant(values: np.ndarray, digits: int = 3) -> list[float]:
    """Round to ``digits`` significant digits (plain rounding would turn 1e-16 into 0 on a log axis)."""
    return [float(f"{v:.{digits}g}") for v in np.asarray(values, dtype=np.float64).ravel()]


ACTIVATION_COLORS = ("#1f77b4", "#d62728", "#2ca02c", "#9467bd")
"""Colours of the activations (in order) in :func:`signal_figure`."""

PREDICTION_COLOR = "#333333"
"""Colour of the predicted lines in :func:`signal_figure` (dotted, drawn over the measured ones)."""

INIT_COLORS = ("#8ab4f8", "#f28b82", "#fdd663", "#81c995", "#c58af9", "#ffb46e")
"""Colours of the initializers (in order) in :func:`signal_summary_plot`, legible on its dark panel."""


def _check_grid(profiles: Mapping[tuple[str, str], SignalProfile]) -> tuple[list[str], list[str]]:
    if not profiles:
        raise ValueError("profiles is empty")
    inits = list(dict.fromkeys(k[0] for k in profiles))
    acts = list(dict.fromkeys(k[1] for k in profiles))
    missing = [(i, a) for i in inits for a in acts if (i, a) not in profiles]
    if missing:
        raise ValueError(f"profiles must hold every (initializer, activation) pair; missing {missing}")
    depths = {p.depth for p in profiles.values()}
    if len(depths) != 1:
        raise ValueError(f"all profiles must have the same depth, got {sorted(depths)}")
    return inits, acts


def signal_figure(profiles: Mapping[tuple[str, str], SignalProfile], *, alt: str, caption: str | None = None,
                  predictions: Mapping[tuple[str, str], Mapping[str, np.ndarray]] | None = None,
                  title: str = "Signal propagation", active: int = 0, height: int = 540):
    """An interactive plotly figure: activation and gradient size per layer, a dropdown over initializers.

    Left panel: geometric mean over seeds of ``std(h_l)``; right panel: of
    ``std(dL/dh_l)``; log scales, a dashed line at 1. One coloured line per
    activation; choosing an initializer in the dropdown shows its lines (all
    data are precomputed, so the dropdown works on a static page).

    Args:
        profiles: ``(initializer label, activation label) -> SignalProfile``
            for every pair (the dropdown and the colours follow first appearance).
        alt, caption: the figure's alt text and caption (``layout.meta``).
        predictions: optional ``(initializer, activation) -> predicted_signal(...)``,
            drawn as dark dotted lines over the measured ones.
        active: index of the initializer shown first.

    Returns:
        A ``plotly.graph_objects.Figure``.
    """
    import plotly.graph_objects as go
    from plotly.subplots import make_subplots

    inits, acts = _check_grid(profiles)
    predictions = dict(predictions or {})
    unknown = [k for k in predictions if k not in profiles]
    if unknown:
        raise ValueError(f"predictions for pairs without a profile: {unknown}")
    check_int("active", active, minimum=0)
    if active >= len(inits):
        raise ValueError(f"active must be < {len(inits)} (the number of initializers), got {active}")
    depth = next(iter(profiles.values())).depth
    layers = list(range(1, depth + 1))
    fig = make_subplots(rows=1, cols=2, horizontal_spacing=0.1, subplot_titles=(
        "activations: std of h<sub>ℓ</sub>", "gradients: std of ∂L/∂h<sub>ℓ</sub>"))
    owner: list[str] = []
    ranges: dict[str, list[float]] = {}
    for init in inits:
        lows, highs = [], []
        for j, act in enumerate(acts):
            color = ACTIVATION_COLORS[j % len(ACTIVATION_COLORS)]
            prof = profiles[(init, act)]
            for col, stat in ((1, "act"), (2, "grad")):
                y = prof.geometric_mean(stat)
                lows.append(np.min(y[y > 0]) if np.any(y > 0) else 1.0)
                highs.append(np.max(y) if np.any(y > 0) else 1.0)
                fig.add_trace(go.Scatter(
                    x=layers, y=_significant(y), mode="lines+markers", name=act, legendgroup=act,
                    showlegend=col == 1, visible=init == inits[active], line={"color": color, "width": 2.5},
                    marker={"size": 5}, hovertemplate=f"{act}, layer %{{x}}: %{{y:.3g}}<extra>{init}</extra>"),
                    row=1, col=col)
                owner.append(init)
                if (init, act) in predictions:
                    fig.add_trace(go.Scatter(
                        x=layers, y=_significant(predictions[(init, act)][stat]), mode="lines",
                        name=f"{act}, predicted", legendgroup=f"{act}-predicted", showlegend=col == 1,
                        visible=init == inits[active], line={"color": PREDICTION_COLOR, "width": 2, "dash": "dot"},
                        hovertemplate=f"{act} predicted, layer %{{x}}: %{{y:.3g}}<extra>{init}</extra>"),
                        row=1, col=col)
                    owner.append(init)
        lo, hi = math.log10(min(lows)), math.log10(max(highs))
        lo, hi = min(lo, -0.5), max(hi, 0.5)
        pad = 0.06 * (hi - lo)
        ranges[init] = [round(lo - pad, 2), round(hi + pad, 2)]
    buttons = [{"label": init, "method": "update",
                "args": [{"visible": [o == init for o in owner]},
                         {"yaxis.range": ranges[init], "yaxis2.range": ranges[init]}]} for init in inits]
    meta = {"alt": alt}
    if caption:
        meta["caption"] = caption
    fig.update_layout(
        title={"text": title, "x": 0.0, "xanchor": "left", "y": 0.97, "yref": "container"},
        height=height, template="plotly_white", meta=meta, margin={"t": 125, "b": 105, "l": 70, "r": 20},
        legend={"orientation": "h", "x": 0.5, "xanchor": "center", "y": -0.2, "yanchor": "top"},
        updatemenus=[{"type": "dropdown", "buttons": buttons, "active": active, "x": 0.13, "xanchor": "left",
                      "y": 1.17, "yanchor": "middle", "showactive": True, "pad": {"t": 0, "b": 0}}],
        annotations=list(fig.layout.annotations) + [{
            "text": "initializer:", "showarrow": False, "x": 0.0, "xref": "paper", "xanchor": "left",
            "y": 1.17, "yref": "paper", "yanchor": "middle"}],
    )
    for col in (1, 2):
        fig.update_xaxes(title_text="hidden layer ℓ", row=1, col=col, dtick=2 if depth > 10 else 1)
        fig.update_yaxes(type="log", range=ranges[inits[active]], exponentformat="power", row=1, col=col)
        fig.add_hline(y=1, line={"color": "#7f7f7f", "dash": "dash", "width": 1}, row=1, col=col)
    fig.update_yaxes(title_text="standard deviation", row=1, col=1)
    return fig


def signal_summary_plot(profiles: Mapping[tuple[str, str], SignalProfile], *, title: str = ""):
    """A static matplotlib summary: rows activations / gradients, one column per activation,
    one line per initializer (geometric mean over seeds), log scale, dark panel.

    Returns:
        A ``matplotlib.figure.Figure`` (closed, so a notebook shows it once).
    """
    import matplotlib.pyplot as plt

    inits, acts = _check_grid(profiles)
    depth = next(iter(profiles.values())).depth
    layers = np.arange(1, depth + 1)
    fig, axes = plt.subplots(2, len(acts), figsize=(4.4 * len(acts) + 1.2, 6.4), dpi=110, sharex=True,
                             squeeze=False, facecolor="#111111")
    for row, (stat, label) in enumerate((("act", "std of activations"), ("grad", "std of gradients"))):
        for col, act in enumerate(acts):
            ax = axes[row, col]
            ax.set_facecolor("#111111")
            for i, init in enumerate(inits):
                y = profiles[(init, act)].geometric_mean(stat)
                ax.plot(layers, np.where(y > 0, y, np.nan), color=INIT_COLORS[i % len(INIT_COLORS)], lw=2,
                        marker="o", ms=3, label=init)
            ax.axhline(1.0, color="#999999", lw=1, ls="--")
            ax.set_yscale("log")
            for spine in ax.spines.values():
                spine.set_color("#bbbbbb")
            ax.tick_params(colors="#dddddd", which="both")
            if row == 0:
                ax.set_title(act, color="white")
            if row == 1:
                ax.set_xlabel("hidden layer ℓ", color="#dddddd")
            if col == 0:
                ax.set_ylabel(label, color="#dddddd")
    handles, labels = axes[0, 0].get_legend_handles_labels()
    legend = fig.legend(handles, labels, loc="upper center", ncol=len(inits), facecolor="#222222",
                        edgecolor="#555555", fontsize=9, bbox_to_anchor=(0.5, 0.995 if not title else 0.94))
    for text in legend.get_texts():
        text.set_color("#eeeeee")
    if title:
        fig.suptitle(title, color="white")
    fig.tight_layout(rect=(0, 0, 1, 0.9 if title else 0.93))
    plt.close(fig)
    return fig
