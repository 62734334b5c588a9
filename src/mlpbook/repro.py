"""Reproducibility: seeds, thread count and quiet progress bars, in one place.

Torch gives bit-identical results on the same machine with the same thread
count; a different thread count changes the last bits of a reduction. Every
chapter therefore starts with :func:`seed_everything`, which fixes both.
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

__all__ = ["DEFAULT_SEED", "KERNEL_ENV", "set_kernel_environment", "seed_everything", "make_generator", "progress", "progress_enabled", "NO_PROGRESS_ENV"]

DEFAULT_SEED: int = 0
"""The seed every chapter and experiment uses unless told otherwise."""

NO_PROGRESS_ENV = "MLPBOOK_NO_PROGRESS"
"""Environment variable that silences progress bars (set by the book build and
by the nbval drift check, so built pages carry no timing noise)."""

KERNEL_ENV: dict[str, str] = {
    NO_PROGRESS_ENV: "1",
    # MKL picks a code path at run time and, without this, torch.linalg.lstsq
    # (MKL's LAPACK) gives results that differ in the last bits from call to
    # call; the strict AVX2 branch is bit-reproducible.
    "MKL_CBWR": "AVX2,STRICT",
    "OMP_NUM_THREADS": "1",
    "MKL_NUM_THREADS": "1",
    "OPENBLAS_NUM_THREADS": "1",
}
"""Environment for the kernels that execute chapters in the book build and in
the drift check (set before a kernel starts: libraries read it at load time)."""

T = TypeVar("T")


def set_kernel_environment() -> None:
    """Put :data:`KERNEL_ENV` into ``os.environ`` (kernels started later inherit it)."""
    os.environ.update(KERNEL_ENV)


def seed_everything(seed: int = DEFAULT_SEED, *, threads: int = 1) -> None:
    """Seed Python, NumPy and torch, and fix torch's intra-op thread count.

    Args:
        seed: a non-negative integer.
        threads: number of threads torch's intra-op pool and NumPy's BLAS may
            use (``>= 1``). Results are bit-identical only for a fixed thread count.

    Returns nothing, so that a notebook cell ending in this call prints no
    object address (which would differ from run to run).

    Raises:
        TypeError: if ``seed`` or ``threads`` is not an ``int``.
        ValueError: if ``seed < 0`` or ``threads < 1``.
    """
    check_int("seed", seed, minimum=0)
    check_int("threads", threads, minimum=1)
    random.seed(seed)
    np.random.seed(seed % 2**32)
    torch.manual_seed(seed)
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


def progress(iterable: Iterable[T], *, total: int | None = None, desc: str | None = None,
             enabled: bool | None = None) -> Iterator[T]:
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

    return iter(tqdm(iterable, total=total, desc=desc, file=sys.stderr, leave=False,
                     mininterval=0.5))
