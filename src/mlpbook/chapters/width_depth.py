r"""Linear regions of ReLU networks: bounds, exact counts and the width/depth explorer's data.

A ReLU network is affine on every set of inputs that share one *activation
pattern* (which hidden units are on). These sets are convex polytopes, the
network's *regions*; this module counts them and compares the counts with the
theoretical maxima.

**Bounds.** Hidden layers of widths :math:`n_1, \dots, n_L` on a
:math:`d`-dimensional input (:math:`d = n_0`):

* one layer (:math:`L = 1`): the :math:`n` hyperplanes
  :math:`\{x : w_i^\top x + b_i = 0\}` cut :math:`\mathbb R^d` into at most
  :math:`\sum_{i=0}^{d} \binom{n}{i}` regions (Zaslavsky), reached when they are
  in general position; for :math:`d = 1` this is :math:`n + 1`;
* several layers, the upper bound of Serra et al. (2018, Theorem 1):
  :math:`\sum_{(j_1, \dots, j_L) \in J} \prod_{l=1}^{L} \binom{n_l}{j_l}` with
  :math:`J = \{ j : 0 \le j_l \le \min(d, n_1 - j_1, \dots, n_{l-1} - j_{l-1}, n_l) \}`;
* several layers, the lower bound of Montúfar et al. (2014, Theorem 4), valid
  when every :math:`n_l \ge d`: some network of these widths has at least
  :math:`\left(\prod_{l=1}^{L-1} \lfloor n_l / d \rfloor^{d}\right) \sum_{j=0}^{d} \binom{n_L}{j}`
  regions.

**Counts.** :func:`line_pieces` is exact along a segment
:math:`x(t) = a + t (b - a)`, :math:`t \in [0, 1]`: inside a piece every
pre-activation is affine in :math:`t`, so the next piece starts at the smallest
root :math:`t^\ast > t` of a unit's pre-activation, found in closed form; the
walk moves from root to root. Because regions are convex, a segment meets each
region in at most one piece, so the number of pieces is the number of regions
the segment crosses. :func:`grid_regions` counts the distinct activation
patterns on a grid in a 2-D plane: a lower bound for the regions meeting the
grid's box (regions smaller than a grid cell can be missed).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np
import torch
from torch import nn

from .._checks import check_int, check_int_sequence, check_positive_float
from ..diagnostics import activation_patterns
from ..models import mlp_parameter_count, seeded_mlp
from ..repro import progress
from ..training import train

__all__ = [
    "max_regions_one_layer",
    "max_regions_upper",
    "max_regions_lower",
    "LinePieces",
    "line_pieces",
    "count_regions_on_line",
    "GridRegions",
    "grid_regions",
    "plane_points",
    "ExplorerSetting",
    "ExplorerData",
    "explorer_data",
]


# --- bounds -------------------------------------------------------------------


def _check_widths(widths: Sequence[int]) -> list[int]:
    return check_int_sequence("hidden_widths", widths, minimum=1)


def max_regions_one_layer(n: int, d: int) -> int:
    r"""Most regions ``n`` ReLUs (one hidden layer) can cut a ``d``-dimensional input into.

    .. math:: \sum_{i=0}^{\min(n, d)} \binom{n}{i}

    This is the number of regions of ``n`` hyperplanes in general position in
    :math:`\mathbb R^d`; it is ``n + 1`` for ``d = 1`` and :math:`2^n` when ``n <= d``.

    >>> max_regions_one_layer(16, 1), max_regions_one_layer(16, 4)
    (17, 2517)
    """
    check_int("n", n, minimum=0)
    check_int("d", d, minimum=1)
    return sum(math.comb(n, i) for i in range(min(n, d) + 1))


def max_regions_upper(hidden_widths: Sequence[int], d: int) -> int:
    r"""Upper bound on the regions of a ReLU net with these hidden widths on a ``d``-dim input.

    Serra, Tjandraatmadja and Ramalingam (2018), Theorem 1:

    .. math::
        \sum_{(j_1, \dots, j_L) \in J} \prod_{l=1}^{L} \binom{n_l}{j_l}, \qquad
        J = \{ j \in \mathbb Z^L : 0 \le j_l \le \min(d, n_1 - j_1, \dots, n_{l-1} - j_{l-1}, n_l) \}.

    Exact for one layer (:func:`max_regions_one_layer`). Computed by recursion
    over the layers, carrying the dimension still available,
    :math:`\min(d, n_1 - j_1, \dots)`.

    >>> max_regions_upper([16], 4), max_regions_upper([8, 8], 1), max_regions_upper([8, 8], 2)
    (2517, 81, 1369)
    """
    widths = _check_widths(hidden_widths)
    check_int("d", d, minimum=1)
    cache: dict[tuple[int, int], int] = {}

    def rest(layer: int, budget: int) -> int:
        if layer == len(widths):
            return 1
        key = (layer, budget)
        if key not in cache:
            n = widths[layer]
            cache[key] = sum(
                math.comb(n, j) * rest(layer + 1, min(budget, n - j))
                for j in range(min(budget, n) + 1)
            )
        return cache[key]

    return rest(0, d)


def max_regions_lower(hidden_widths: Sequence[int], d: int) -> int:
    r"""Regions that *some* ReLU net with these hidden widths reaches (a lower bound on the maximum).

    Montúfar, Pascanu, Cho and Bengio (2014), Theorem 4, for widths :math:`n_l \ge d`:

    .. math:: \left(\prod_{l=1}^{L-1} \left\lfloor \frac{n_l}{d} \right\rfloor^{d}\right)
              \sum_{j=0}^{d} \binom{n_L}{j}

    Raises:
        ValueError: if a width is smaller than ``d`` (the theorem does not apply).

    >>> max_regions_lower([8, 8], 1), max_regions_lower([8, 8], 2)
    (72, 592)
    """
    widths = _check_widths(hidden_widths)
    check_int("d", d, minimum=1)
    small = [w for w in widths if w < d]
    if small:
        raise ValueError(
            f"the Montúfar et al. bound needs every hidden width >= d = {d}; got widths {widths}"
        )
    return math.prod((w // d) ** d for w in widths[:-1]) * max_regions_one_layer(widths[-1], d)


# --- the network as a list of affine maps ----------------------------------------


def _affine_layers(model: nn.Module) -> list[tuple[torch.Tensor, torch.Tensor, bool]]:
    """``[(W, b, relu_after), ...]`` in float64 from a Sequential of Linear/ReLU/Identity."""
    layers = list(model) if isinstance(model, nn.Sequential) else [model]
    result: list[tuple[torch.Tensor, torch.Tensor, bool]] = []
    for layer in layers:
        if isinstance(layer, nn.Linear):
            w = layer.weight.detach().to(torch.float64)
            b = (
                layer.bias.detach().to(torch.float64)
                if layer.bias is not None
                else torch.zeros(w.shape[0], dtype=torch.float64)
            )
            if not (bool(torch.isfinite(w).all()) and bool(torch.isfinite(b).all())):
                raise ValueError(
                    f"layer {len(result)} ({layer}) has NaN or infinite weights or biases; "
                    "regions are defined only for finite parameters"
                )
            result.append((w, b, False))
        elif isinstance(layer, nn.ReLU):
            if not result or result[-1][2]:
                raise TypeError("a ReLU must follow a Linear layer (and only one ReLU per Linear)")
            w, b, _ = result[-1]
            result[-1] = (w, b, True)
        elif not isinstance(layer, nn.Identity):
            raise TypeError(
                f"region counting needs a Sequential of Linear, ReLU and Identity layers; got {layer!r}"
            )
    if not result:
        raise TypeError(f"the model has no Linear layer: {model!r}")
    return result


def _as_point(name: str, value: torch.Tensor | Sequence[float] | float, d: int) -> torch.Tensor:
    point = torch.as_tensor(value, dtype=torch.float64).reshape(-1)
    if point.numel() != d:
        raise ValueError(
            f"{name} must have the network's input dimension {d}, got {point.numel()} entries"
        )
    if not bool(torch.isfinite(point).all()):
        raise ValueError(f"{name} must be finite, got {point.tolist()}")
    return point


# --- exact count along a segment ------------------------------------------------------


@dataclass
class LinePieces:
    """The pieces of a segment on which a ReLU network's activation pattern is constant.

    Attributes:
        breakpoints: shape ``(k + 1,)``, ``0 = t_0 < t_1 < ... < t_k = 1``; piece ``i``
            is :math:`x(t)` for :math:`t \\in (t_i, t_{i+1})`.
        patterns: shape ``(k, units)``, bool; the hidden units that are on in each
            piece (all hidden layers, concatenated in order).
        start, end: the segment's end points, shape ``(d,)``.
    """

    breakpoints: np.ndarray
    patterns: np.ndarray
    start: np.ndarray
    end: np.ndarray

    @property
    def count(self) -> int:
        """Number of pieces = number of regions the segment crosses."""
        return len(self.patterns)

    def points(self) -> np.ndarray:
        """The input points at the breakpoints, shape ``(k + 1, d)``."""
        return self.start[None, :] + self.breakpoints[:, None] * (self.end - self.start)[None, :]


def line_pieces(
    model: nn.Module,
    start: torch.Tensor | Sequence[float] | float,
    end: torch.Tensor | Sequence[float] | float,
    *,
    tol: float = 1e-9,
    max_pieces: int = 1_000_000,
) -> LinePieces:
    r"""Walk the segment from ``start`` to ``end`` piece by piece; exact up to float64 rounding.

    On the segment :math:`x(t) = a + t\,(b - a)`, with the activation pattern
    fixed, every layer's pre-activation is affine in :math:`t`:
    :math:`z_l(t) = \alpha_l + t\,\beta_l` with
    :math:`(\alpha_l, \beta_l) = W_l\,(D_{l-1}\alpha_{l-1}, D_{l-1}\beta_{l-1}) + (b_l, 0)`.
    At the start :math:`t` of a piece, a unit is on if :math:`z(t) > 0`, or if
    :math:`z(t) = 0` and its slope :math:`\beta > 0` (it switches on right
    after :math:`t`). The piece ends at the smallest root
    :math:`t^\ast = -\alpha/\beta > t` of any unit's pre-activation, or at 1.
    Neighbouring pieces with the same pattern are merged.

    Args:
        model: an ``nn.Sequential`` of ``Linear``, ``ReLU`` (and ``Identity``) layers,
            e.g. from :func:`mlpbook.make_mlp` with ``activation="relu"``.
        start, end: points of the input space, shape ``(d,)`` (a number for ``d = 1``).
        tol: values with :math:`|z| \le` ``tol`` × (the size of the unit's inputs)
            count as zero, and pieces shorter than ``tol`` (in :math:`t`) are merged.
        max_pieces: safety limit on the walk.

    Returns:
        The :class:`LinePieces`; ``.count`` is the number of regions crossed.

    Raises:
        TypeError: for a model that is not Linear/ReLU layers.
        ValueError: for points of the wrong dimension, equal end points or a bad ``tol``.
    """
    layers = _affine_layers(model)
    d = layers[0][0].shape[1]
    a0, b_end = _as_point("start", start, d), _as_point("end", end, d)
    if torch.equal(a0, b_end):
        raise ValueError("start and end are the same point; a segment needs two distinct points")
    tol = check_positive_float("tol", tol)
    check_int("max_pieces", max_pieces, minimum=1)
    direction = b_end - a0
    t = 0.0
    breakpoints = [0.0]
    patterns: list[np.ndarray] = []
    while t < 1.0:
        alpha, beta = a0, direction
        on_all: list[torch.Tensor] = []
        nxt = 1.0
        for w, bias, relu in layers:
            scale = (w.abs() @ (alpha.abs() + beta.abs())) + bias.abs() + 1e-300
            alpha, beta = w @ alpha + bias, w @ beta
            if not relu:
                continue
            z = alpha + beta * t
            zero = z.abs() <= tol * scale
            on = (z > 0) & ~zero | zero & (beta > 0)
            moving = beta != 0
            roots = torch.where(
                moving,
                -alpha / torch.where(moving, beta, torch.ones_like(beta)),
                torch.full_like(beta, math.inf),
            )
            ahead = roots[roots > t + tol]
            if ahead.numel():
                nxt = min(nxt, float(ahead.min()))
            mask = on.to(torch.float64)
            alpha, beta = alpha * mask, beta * mask
            on_all.append(on)
        pattern = torch.cat(on_all).numpy() if on_all else np.zeros(0, dtype=bool)
        if patterns and np.array_equal(patterns[-1], pattern):
            breakpoints[-1] = nxt
        else:
            patterns.append(pattern)
            breakpoints.append(nxt)
        if len(patterns) > max_pieces:
            raise ValueError(
                f"more than max_pieces={max_pieces} pieces on the segment; raise max_pieces"
            )
        t = nxt
    return LinePieces(
        breakpoints=np.asarray(breakpoints),
        patterns=np.asarray(patterns, dtype=bool),
        start=a0.numpy(),
        end=b_end.numpy(),
    )


def count_regions_on_line(
    model: nn.Module,
    start: torch.Tensor | Sequence[float] | float,
    end: torch.Tensor | Sequence[float] | float,
) -> int:
    """Number of regions the segment from ``start`` to ``end`` crosses (see :func:`line_pieces`).

    >>> import torch
    >>> relu = make_mlp([1, 1, 1])          # one ReLU: its kink cuts the line in two
    >>> with torch.no_grad():
    ...     _ = relu[0].weight.fill_(1.0), relu[0].bias.fill_(0.0)
    >>> count_regions_on_line(relu, -1.0, 1.0)
    2
    """
    return line_pieces(model, start, end).count


# --- distinct patterns on a 2-D grid ------------------------------------------------------


def plane_points(
    origin: torch.Tensor | Sequence[float],
    u: torch.Tensor | Sequence[float],
    v: torch.Tensor | Sequence[float],
    s: np.ndarray | Sequence[float],
    t: np.ndarray | Sequence[float],
) -> torch.Tensor:
    r"""Grid points :math:`o + s_j u + t_i v` of a 2-D plane in a ``d``-dim input space.

    Returns shape ``(len(t) * len(s), d)``, row-major: index ``i * len(s) + j``.
    """
    o = torch.as_tensor(origin, dtype=torch.float64).reshape(-1)
    du = torch.as_tensor(u, dtype=torch.float64).reshape(-1)
    dv = torch.as_tensor(v, dtype=torch.float64).reshape(-1)
    if not (o.numel() == du.numel() == dv.numel()):
        raise ValueError(
            f"origin, u and v need the same dimension, got {o.numel()}, {du.numel()}, {dv.numel()}"
        )
    ss = torch.as_tensor(np.asarray(s, dtype=np.float64))
    tt = torch.as_tensor(np.asarray(t, dtype=np.float64))
    if ss.ndim != 1 or tt.ndim != 1 or len(ss) < 2 or len(tt) < 2:
        raise ValueError(
            f"s and t must be 1-D with at least 2 values, got shapes {tuple(ss.shape)}, {tuple(tt.shape)}"
        )
    grid_t, grid_s = torch.meshgrid(tt, ss, indexing="ij")
    return o + grid_s.reshape(-1, 1) * du + grid_t.reshape(-1, 1) * dv


@dataclass
class GridRegions:
    """Activation regions seen on a grid.

    Attributes:
        labels: shape ``(len(t), len(s))``, int; grid points with the same label share
            an activation pattern (labels are ``0 .. count - 1``, in lexicographic order
            of the patterns).
        count: number of distinct patterns on the grid.
        s, t: the grid's coordinates along ``u`` and ``v``.
    """

    labels: np.ndarray
    count: int
    s: np.ndarray
    t: np.ndarray = field(repr=False)


def grid_regions(
    model: nn.Module,
    s: np.ndarray | Sequence[float],
    t: np.ndarray | Sequence[float],
    *,
    origin: torch.Tensor | Sequence[float] | None = None,
    u: torch.Tensor | Sequence[float] | None = None,
    v: torch.Tensor | Sequence[float] | None = None,
) -> GridRegions:
    r"""Distinct activation patterns of ``model`` on the grid :math:`o + s_j u + t_i v`.

    For a network with 2 inputs, ``origin``, ``u`` and ``v`` default to
    :math:`0`, :math:`e_1`, :math:`e_2` (the grid is the input plane itself);
    otherwise all three are required. The patterns come from
    :func:`mlpbook.diagnostics.activation_patterns`.

    The count is a lower bound on the regions that meet the grid's box: a region
    smaller than a grid cell can fall between the points. Conversely, a grid
    point lying *exactly* on a boundary (possible with hand-made weights, e.g.
    a line through the origin and a grid containing 0) gets a pattern of its
    own (the unit counts as off there) and adds a spurious region; choose grids
    that avoid such points for constructed examples.

    Raises:
        TypeError: for a model that is not Linear/ReLU layers.
        ValueError: for a plane of the wrong dimension, or a missing plane for ``d != 2``.
    """
    layers = _affine_layers(model)
    d = layers[0][0].shape[1]
    if origin is None and u is None and v is None:
        if d != 2:
            raise ValueError(f"the model has {d} inputs; give origin, u and v of a plane in R^{d}")
        origin, u, v = [0.0, 0.0], [1.0, 0.0], [0.0, 1.0]
    if origin is None or u is None or v is None:
        raise ValueError("give all of origin, u and v, or none of them (for a 2-input model)")
    points = plane_points(origin, u, v, s, t)
    if points.shape[1] != d:
        raise ValueError(f"the plane lives in R^{points.shape[1]}, the model takes {d} inputs")
    dtype = next(model.parameters()).dtype
    patterns = activation_patterns(model, points.to(dtype))
    bits = (
        torch.cat(patterns, dim=1).numpy() if patterns else np.zeros((len(points), 0), dtype=bool)
    )
    packed = np.packbits(bits, axis=1)
    _, labels = np.unique(packed, axis=0, return_inverse=True)
    s_arr, t_arr = np.asarray(s, dtype=np.float64), np.asarray(t, dtype=np.float64)
    labels = labels.reshape(len(t_arr), len(s_arr))
    return GridRegions(labels=labels, count=int(labels.max()) + 1, s=s_arr, t=t_arr)


# --- the width/depth explorer's data ------------------------------------------------------------


@dataclass
class ExplorerSetting:
    """One (width, depth) cell of the explorer's grid.

    Attributes:
        width, depth: hidden width and number of hidden layers.
        sizes: ``[1, width, ..., width, 1]``.
        parameters: :func:`mlpbook.mlp_parameter_count` of ``sizes``.
        losses: final training MSE per seed.
        regions: regions along the data's interval per seed (exact, :func:`line_pieces`).
        shown_seed: the seed whose fit is drawn (median final loss).
        fit: that seed's prediction on :attr:`ExplorerData.x`, shape ``(n,)``.
        kinks_x, kinks_y: that seed's region boundaries inside the interval and the
            network's output there, shape ``(regions - 1,)`` each.
        bound: :func:`max_regions_upper` of the hidden widths for a 1-D input.
    """

    width: int
    depth: int
    sizes: list[int]
    parameters: int
    losses: list[float]
    regions: list[int]
    shown_seed: int
    fit: np.ndarray
    kinks_x: np.ndarray
    kinks_y: np.ndarray
    bound: int

    @property
    def mean_loss(self) -> float:
        """Mean final loss over seeds."""
        return float(np.mean(self.losses))


@dataclass
class ExplorerData:
    """A precomputed grid over width and depth: one trained 1-D network per seed and cell.

    Attributes:
        x, y: the training inputs and targets, shape ``(n,)``.
        widths, depths, seeds: the grid's axes and the number of seeds trained per cell.
        settings: ``settings[(width, depth)]`` is the cell's :class:`ExplorerSetting`.
        epochs, lr: the training run (full-batch Adam, MSE, He initialization).
    """

    x: np.ndarray
    y: np.ndarray
    widths: list[int]
    depths: list[int]
    seeds: list[int]
    settings: dict[tuple[int, int], ExplorerSetting]
    epochs: int
    lr: float

    def cell(self, width: int, depth: int) -> ExplorerSetting:
        """The setting for ``(width, depth)``; ``KeyError`` naming the grid if absent."""
        try:
            return self.settings[(width, depth)]
        except KeyError:
            raise KeyError(
                f"no cell (width={width}, depth={depth}); widths {self.widths}, "
                f"depths {self.depths}"
            ) from None


def _check_axis(name: str, values: Sequence[int]) -> list[int]:
    return check_int_sequence(name, values, minimum=1, distinct=True)


def explorer_data(
    x: torch.Tensor,
    y: torch.Tensor,
    *,
    widths: Sequence[int],
    depths: Sequence[int],
    seeds: Sequence[int] = (0, 1, 2),
    epochs: int = 1000,
    lr: float = 0.01,
    init: str = "he",
    show_progress: bool | None = None,
) -> ExplorerData:
    r"""Train ``[1, w, ..., w, 1]`` (``depth`` hidden ReLU layers of width ``w``) for every cell and seed.

    Each model is built as ``seeded_mlp(sizes, "relu", seed=seed, init=init)``
    and trained full-batch with Adam on the MSE by :func:`mlpbook.train`; the
    trained weights are needed afterwards, to count the regions exactly along
    :math:`[\min x, \max x]` with :func:`line_pieces`. The fit kept for drawing is
    the seed with the median final loss (the lower median for an even count).

    Args:
        x, y: a 1-D task, shapes ``(n, 1)``.
        widths, depths: the grid's axes (distinct positive ints).
        seeds: seeds per cell (at least one).
        epochs, lr, init: the training run.

    Returns:
        The :class:`ExplorerData`.
    """
    widths, depths = _check_axis("widths", widths), _check_axis("depths", depths)
    if isinstance(seeds, (str, bytes)) or not isinstance(seeds, Sequence) or len(seeds) == 0:
        raise TypeError(f"seeds must be a non-empty sequence of ints, got {seeds!r}")
    seeds = [check_int("seed", s, minimum=0) for s in seeds]
    check_int("epochs", epochs, minimum=0)
    lr = check_positive_float("lr", lr)
    if x.ndim != 2 or x.shape[1] != 1 or y.shape != x.shape:
        raise ValueError(
            f"the explorer needs a 1-D task: x and y of shape (n, 1), got {tuple(x.shape)}, {tuple(y.shape)}"
        )
    low, high = float(x.min()), float(x.max())
    cells = [(w, dp) for dp in depths for w in widths]
    settings: dict[tuple[int, int], ExplorerSetting] = {}
    for w, dp in progress(cells, total=len(cells), desc="explorer grid", enabled=show_progress):
        sizes = [1] + [w] * dp + [1]
        losses, pieces, models = [], [], []
        for seed in seeds:
            model = seeded_mlp(sizes, "relu", seed=seed, init=init)
            history = train(model, x, y, epochs=epochs, lr=lr, show_progress=False)
            losses.append(history.final_loss)
            pieces.append(line_pieces(model, low, high))
            models.append(model)
        order = sorted(range(len(seeds)), key=lambda i: (losses[i], i))
        shown = order[(len(seeds) - 1) // 2]
        kinks = torch.as_tensor(pieces[shown].points()[1:-1], dtype=x.dtype)
        with torch.no_grad():
            fit = models[shown](x).reshape(-1).numpy().copy()
            kinks_y = models[shown](kinks).reshape(-1).numpy().copy()
        settings[(w, dp)] = ExplorerSetting(
            width=w,
            depth=dp,
            sizes=sizes,
            parameters=mlp_parameter_count(sizes),
            losses=losses,
            regions=[p.count for p in pieces],
            shown_seed=seeds[shown],
            fit=fit,
            kinks_x=kinks.reshape(-1).numpy().copy(),
            kinks_y=kinks_y,
            bound=max_regions_upper([w] * dp, 1),
        )
    return ExplorerData(
        x=x.reshape(-1).numpy().copy(),
        y=y.reshape(-1).numpy().copy(),
        widths=widths,
        depths=depths,
        seeds=seeds,
        settings=settings,
        epochs=epochs,
        lr=lr,
    )
