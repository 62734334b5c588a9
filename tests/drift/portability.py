"""Run the drift check under kernel variants that stand in for other processors.

The references in ``references/`` were made on one machine. A reader's or a
CI machine's processor takes other code paths through torch (ATen's vector
kernels) and MKL, and may run more threads; each changes the last bits of a
sum. This script re-runs the whole drift check (``pytest tests/drift``) once per
variant, each variant setting

* ``ATEN_CPU_CAPABILITY`` -- ATen's vector kernels: ``default`` (no SIMD),
  ``avx2``, ``avx512`` (only where the CPU has AVX-512);
* ``MKL_CBWR`` -- MKL's code path: ``COMPATIBLE``, ``AVX2``, ``AVX512``;
* ``MLPBOOK_THREADS`` (and the BLAS/OpenMP thread counts) -- 1 or 2 threads.

Usage::

    python tests/drift/portability.py            # a covering set: every value of every axis
    python tests/drift/portability.py --full     # the full product (up to 18 runs)
    python tests/drift/portability.py --record   # also write the results into README.md
    python tests/drift/portability.py --only 2   # just variant 2 of the list (CI)
    python tests/drift/portability.py -k training  # other arguments go to pytest (one chapter)

It prints a Markdown table and exits non-zero when any variant fails.
"""

from __future__ import annotations

import argparse
import itertools
import os
import platform
import re
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
README = ROOT / "README.md"
START, END = "<!-- portability:start -->", "<!-- portability:end -->"


def cpu_has_avx512() -> bool:
    """Whether ``/proc/cpuinfo`` lists ``avx512f`` (False where it cannot be read)."""
    try:
        return "avx512f" in Path("/proc/cpuinfo").read_text()
    except OSError:
        return False


def cpu_name() -> str:
    """The processor's model name, as /proc/cpuinfo gives it."""
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "unknown CPU"


def variants(full: bool) -> list[dict[str, str]]:
    """The kernel variants to run: the product of the axes, or a covering set of it."""
    aten = ["default", "avx2"] + (["avx512"] if cpu_has_avx512() else [])
    mkl = ["COMPATIBLE", "AVX2"] + (["AVX512"] if cpu_has_avx512() else [])
    threads = ["1", "2"]
    if full:
        combos = list(itertools.product(aten, mkl, threads))
    else:  # every value of every axis at least once, mixed so no two axes move together
        combos = [
            (aten[0], mkl[0], "1"),
            (aten[1], mkl[1], "2"),
            (aten[-1], mkl[-1], "1"),
            (aten[0], mkl[-1], "2"),
            (aten[-1], mkl[0], "2"),
        ]
    return [{"ATEN_CPU_CAPABILITY": a, "MKL_CBWR": m, "MLPBOOK_THREADS": t} for a, m, t in combos]


def run_variant(variant: dict[str, str], extra: list[str]) -> tuple[bool, str, float]:
    """Run ``pytest tests/drift`` under ``variant``; (passed, pytest's summary line, seconds)."""
    threads = variant["MLPBOOK_THREADS"]
    env = {
        **os.environ,
        **variant,
        "OMP_NUM_THREADS": threads,
        "MKL_NUM_THREADS": threads,
        "OPENBLAS_NUM_THREADS": threads,
    }
    # one pytest-xdist worker per `threads` cores: more threads than cores make
    # OpenMP's spinning threads wait on each other and the run crawls
    workers = max(1, (os.cpu_count() or 1) // int(threads))
    start = time.perf_counter()
    proc = subprocess.run(
        [
            sys.executable,
            "-m",
            "pytest",
            "tests/drift",
            "-q",
            "-p",
            "no:randomly",
            "-n",
            str(workers),
            *extra,
        ],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
    )
    seconds = time.perf_counter() - start
    lines = [
        line for line in proc.stdout.splitlines() if re.search(r"\d+ (passed|failed|error)", line)
    ]
    summary = lines[-1].strip("= ") if lines else f"exit code {proc.returncode}"
    if proc.returncode != 0:
        sys.stdout.write(proc.stdout[-6000:])
        sys.stdout.write(proc.stderr[-2000:])
    return proc.returncode == 0, summary, seconds


def table(rows: list[tuple[int, dict[str, str], bool, str, float]]) -> str:
    import torch

    head = (
        f"Run {time.strftime('%Y-%m-%d')} on {cpu_name()} ({os.cpu_count()} cores), Python "
        f"{platform.python_version()}, torch {torch.__version__}, by `python tests/drift/portability.py`.\n\n"
        "| # | `ATEN_CPU_CAPABILITY` | `MKL_CBWR` | threads | drift check | result | seconds |\n"
        "| ---: | :--- | :--- | ---: | :--- | :---: | ---: |\n"
    )
    body = "".join(
        f"| {i} | {v['ATEN_CPU_CAPABILITY']} | {v['MKL_CBWR']} | {v['MLPBOOK_THREADS']} | {summary} | "
        f"{'pass' if ok else '**FAIL**'} | {seconds:.0f} |\n"
        for i, v, ok, summary, seconds in rows
    )
    return head + body


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--full", action="store_true", help="run the full product of the axes")
    parser.add_argument(
        "--only", type=int, action="append", help="run only variant N (1-based); repeatable"
    )
    parser.add_argument("--record", action="store_true", help="write the table into README.md")
    args, extra = parser.parse_known_args(argv)
    chosen = list(enumerate(variants(args.full), 1))  # (the variant's number, the variant)
    if args.only:
        bad = [n for n in args.only if not 1 <= n <= len(chosen)]
        if bad:
            parser.error(f"--only must be in 1..{len(chosen)}, got {bad}")
        chosen = [chosen[n - 1] for n in args.only]
    rows = []
    for number, variant in chosen:
        print("==", " ".join(f"{k}={v}" for k, v in variant.items()), flush=True)
        ok, summary, seconds = run_variant(variant, extra)
        print(f"   {'pass' if ok else 'FAIL'}: {summary} ({seconds:.0f} s)", flush=True)
        rows.append((number, variant, ok, summary, seconds))
    text = table(rows)
    print(text)
    if args.record:
        readme = README.read_text()
        if START not in readme or END not in readme:
            raise SystemExit(f"README.md has no {START} ... {END} block to record into")
        before, rest = readme.split(START, 1)
        README.write_text(before + START + "\n" + text + rest[rest.index(END) :])
    return 0 if all(row[2] for row in rows) else 1


if __name__ == "__main__":
    sys.exit(main())
