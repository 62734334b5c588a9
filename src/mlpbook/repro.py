"""Reproducibility: seeds, precision, thread count and quiet progress bars, in one place.

Torch gives bit-identical results on the same machine with the same thread
count and the same kernel code path. Another processor, another thread count
or another vector instruction set (``ATEN_CPU_CAPABILITY``, ``MKL_CBWR``)
changes the last bits of a reduction, and training amplifies last-bit
differences: in float32 a 500-step Adam run on x² ends 3 % apart on two code
paths of one machine, in float64 1e-11 apart. Every chapter therefore starts
with :func:`seed_everything`, which fixes the random seeds and the thread count and
makes float64 torch's default dtype, so that what a chapter shows does not
depend on the processor it runs on.
"""

from __future__ import annotations

import os
import random
import sys
from collections.abc import Iterable, Iterator
from typing import TypeVar

import numpy as np
import torch

from ._checks import check_int

__all__ = [
    "DEFAULT_SEED",
    "DEFAULT_DTYPE",
    "THREADS_ENV",
    "seed_everything",
    "make_generator",
    "progress",
    "progress_enabled",
    "NO_PROGRESS_ENV",
]

DEFAULT_SEED: int = 0
"""The seed every chapter and experiment uses unless told otherwise."""

DEFAULT_DTYPE: torch.dtype = torch.float64
"""The book's floating-point type: float64, so that results trained or
accumulated over many steps agree across processors to the digits shown."""

THREADS_ENV = "MLPBOOK_THREADS"
"""Environment variable with the thread count :func:`seed_everything` uses
when none is passed (default 1; the portability check also runs with 2)."""

NO_PROGRESS_ENV = "MLPBOOK_NO_PROGRESS"
"""Environment variable that silences progress bars (set by the book build and
by the nbval drift check, so built pages carry no timing noise)."""

T = TypeVar("T")


MAX_SEED = 2**63 - 1
"""The largest seed torch accepts (a signed 64-bit integer)."""


def default_threads() -> int:
    """The thread count from ``MLPBOOK_THREADS`` (a positive integer), else 1."""
    raw = os.environ.get(THREADS_ENV, "").strip()
    if not raw:
        return 1
    if not raw.isdigit() or int(raw) < 1:
        raise ValueError(f"{THREADS_ENV} must be a positive integer, got {raw!r}")
    return int(raw)


def seed_everything(
    seed: int = DEFAULT_SEED, *, threads: int | None = None, dtype: torch.dtype = DEFAULT_DTYPE
) -> None:
    """Seed Python, NumPy and torch, fix the thread count and make ``dtype`` torch's default.

    Args:
        seed: an integer in ``[0, 2**63 - 1]``.
        threads: number of threads torch's intra-op pool and NumPy's BLAS may
            use (``>= 1``; default: ``MLPBOOK_THREADS``, else 1). Results are
            bit-identical only for a fixed thread count; in float64 they agree
            across thread counts to far more digits than the book shows.
        dtype: the default floating-point type of new tensors and layers,
            ``torch.float64`` (the book's) or ``torch.float32``.

    Returns nothing, so that a notebook cell ending in this call prints no
    object address (which would differ from run to run).

    Raises:
        TypeError: if ``seed`` or ``threads`` is not an ``int``, or ``dtype``
            is not a floating-point ``torch.dtype``.
        ValueError: if ``seed`` is outside ``[0, 2**63 - 1]`` or ``threads < 1``.
    """
    check_int("seed", seed, minimum=0, maximum=MAX_SEED)
    threads = default_threads() if threads is None else threads
    check_int("threads", threads, minimum=1)
    if dtype not in (torch.float32, torch.float64):
        raise TypeError(f"dtype must be torch.float64 or torch.float32, got {dtype!r}")
    random.seed(seed)
    np.random.seed(seed % 2**32)
    torch.manual_seed(seed)
    torch.set_default_dtype(dtype)
    if torch.get_num_threads() != threads:
        torch.set_num_threads(threads)
    _limit_blas_threads(threads)


def _limit_blas_threads(threads: int) -> None:
    """Limit NumPy's BLAS (OpenBLAS/MKL) to ``threads`` as well, where threadpoolctl is installed."""
    try:
        from threadpoolctl import threadpool_limits
    except ImportError:  # pragma: no cover - optional
        return
    threadpool_limits(limits=threads, user_api="blas")


def make_generator(seed: int = DEFAULT_SEED) -> torch.Generator:
    """A ``torch.Generator`` seeded with ``seed``: its own stream of random numbers."""
    check_int("seed", seed, minimum=0)
    generator = torch.Generator()
    generator.manual_seed(seed)
    return generator


def progress_enabled() -> bool:
    """Whether progress bars are shown (not when ``MLPBOOK_NO_PROGRESS`` is set)."""
    return os.environ.get(NO_PROGRESS_ENV, "").strip().lower() in ("", "0", "false", "no")


def progress(
    iterable: Iterable[T],
    *,
    total: int | None = None,
    desc: str | None = None,
    enabled: bool | None = None,
) -> Iterator[T]:
    """Wrap a long loop in a text progress bar for a reader running a chapter.

    The bar goes to stderr and is switched off when ``enabled`` is false or,
    by default, when the ``MLPBOOK_NO_PROGRESS`` environment variable is set:
    the book build and the drift check set it, so neither the site nor the
    reference notebooks carry run-specific timing text.
    """
    if enabled is None:
        enabled = progress_enabled()
    if not enabled:
        return iter(iterable)
    from tqdm import tqdm  # imported lazily: only readers' runs need it

    return iter(
        tqdm(iterable, total=total, desc=desc, file=sys.stderr, leave=False, mininterval=0.5)
    )
