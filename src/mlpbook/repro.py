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

__all__ = ["DEFAULT_SEED", "seed_everything", "make_generator", "progress", "progress_enabled", "NO_PROGRESS_ENV"]

DEFAULT_SEED: int = 0
"""The seed every chapter and experiment uses unless told otherwise."""

NO_PROGRESS_ENV = "MLPBOOK_NO_PROGRESS"
"""Environment variable that silences progress bars (set by the book build and
by the nbval drift check, so built pages carry no timing noise)."""

T = TypeVar("T")


def seed_everything(seed: int = DEFAULT_SEED, *, threads: int = 1) -> None:
    """Seed Python, NumPy and torch, and fix torch's intra-op thread count.

    Args:
        seed: a non-negative integer.
        threads: number of intra-op threads torch may use (``>= 1``). Results
            are bit-identical only for a fixed thread count.

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
