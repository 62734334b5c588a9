"""The environment of the kernels that execute the chapters.

The book build (:mod:`mlpbook.book.sphinxext`), the reference notebooks and the
drift check start their kernels after calling one of these functions, so every
kernel runs without progress bars (no timing noise in the outputs) and with the
thread counts fixed; the book build's kernels also draw dark variants of the
matplotlib figures, the drift check's write figure summaries.
"""

from __future__ import annotations

import os

from ..repro import NO_PROGRESS_ENV, THREADS_ENV

__all__ = [
    "KERNEL_ENV",
    "set_book_kernel_environment",
    "set_drift_kernel_environment",
    "set_kernel_environment",
]

KERNEL_ENV: dict[str, str] = {
    NO_PROGRESS_ENV: "1",
    THREADS_ENV: "1",
    "OMP_NUM_THREADS": "1",
    "MKL_NUM_THREADS": "1",
    "OPENBLAS_NUM_THREADS": "1",
}
"""Environment for the kernels that execute chapters in the book build and in
the drift check (set before a kernel starts: libraries read it at load time).
A variable already set in the environment wins, so that the portability check
(``tests/drift/portability.py``) can run the chapters with other thread counts
and kernel code paths."""


def set_kernel_environment() -> None:
    """Put :data:`KERNEL_ENV` into ``os.environ`` where not already set (kernels started later inherit it)."""
    for key, value in KERNEL_ENV.items():
        os.environ.setdefault(key, value)


def set_book_kernel_environment() -> None:
    """:func:`set_kernel_environment`, plus the book build's kernel start-up file
    (:mod:`mlpbook.book.book_kernel`: dark variants beside matplotlib figures)."""
    from pathlib import Path

    set_kernel_environment()
    os.environ["PYTHONSTARTUP"] = str(Path(__file__).resolve().parent / "book_kernel.py")


def set_drift_kernel_environment() -> None:
    """:func:`set_kernel_environment`, plus the drift check's kernel start-up file
    (:mod:`mlpbook.book.drift_kernel`: figure summaries beside matplotlib figures)."""
    from pathlib import Path

    set_kernel_environment()
    os.environ["PYTHONSTARTUP"] = str(Path(__file__).resolve().parent / "drift_kernel.py")
