"""The book's speed and size budgets, measured side by side in one run.

    python benchmarks/run.py            # everything (the whole-book part rebuilds the site: minutes)
    python benchmarks/run.py --quick    # only the training benchmarks (1 and 2)
    python benchmarks/run.py --record   # also write the results into README.md
                                        # (with --quick, the whole-book rows already there stay)

1. K = 16 seeds: ``train_seeds`` (one vectorized run) against 16 sequential
   runs of the straightforward loop (autograd, ``torch.optim.Adam``), on the
   diagonal flip 4→8→4 (Adam, 200 full-batch epochs) and on a 1→32→32→1
   network fit to 256 points. Budget: >= 5x. The note also gives the ratio
   against 16 sequential runs of the package's own (already fast) ``train``.
2. Chapter 1's animation use case (a 2→2→2 MLP on 300 points, 5000 Adam
   epochs, 100 frames): the package's trainer against the straightforward loop
   that records every epoch's predictions with ``.detach().numpy()``, both
   ending in the same figure. Budget: >= 3x.
3. Whole-book budgets: cold build <= 420 s (nine chapters), each chapter's
   execution within it <= 90 s (the training chapter <= 60 s), unchanged rebuild
   <= 20 s, the README's test command (``make test``) <= 600 s, every page
   <= 1.5 MB, plotly.js loaded at most once per page.
4. What float64 (the book's dtype, for results that do not depend on the
   processor) costs against float32: chapter 1's x² network
   (1→64→256→64→1 GELU, 1000 points, 100 Adam steps) and the diagonal flip's
   16-seed batched run. Reported, no budget: the whole-book budgets hold it.

Everything runs in float64, as the chapters do (``mlpbook.seed_everything``).
Each timing is the best of a few repetitions (wall clock, one torch thread).
Exit status 1 if a budget does not hold.
"""

from __future__ import annotations

import argparse
import os
import platform
import re
import shutil
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

import numpy as np
import torch
import torch.nn.functional as F

ROOT = Path(__file__).resolve().parents[1]
os.environ["MLPBOOK_NO_PROGRESS"] = "1"

import mlpbook  # noqa: E402
from mlpbook.plots import training as figures  # noqa: E402
from mlpbook.seeds import train_seeds  # noqa: E402


def best_of(fn: Callable[[], object], repeats: int = 3) -> float:
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return min(times)


def straightforward_run(
    sizes: list[int],
    x: torch.Tensor,
    y: torch.Tensor,
    lr: float,
    epochs: int,
    seed: int,
    record: bool = False,
) -> tuple[np.ndarray, list[np.ndarray]]:
    """The loop a reader would write: autograd, ``torch.optim.Adam``, ``loss.item()`` per
    epoch and, with ``record``, every epoch's predictions kept with ``.detach().numpy()``."""
    mlpbook.seed_everything(seed)
    model = mlpbook.make_mlp(sizes, "relu")
    opt = torch.optim.Adam(model.parameters(), lr=lr)
    losses, preds = [], []
    for epoch in range(epochs + 1):
        pred = model(x)
        loss = F.mse_loss(pred, y)
        losses.append(loss.item())
        if record:
            preds.append(pred.detach().numpy())
        if epoch == epochs:
            break
        opt.zero_grad()
        loss.backward()
        opt.step()
    return np.array(losses), preds


def bench_seeds(name: str, sizes: list[int], x: torch.Tensor, y: torch.Tensor, lr: float) -> dict:
    seeds, epochs = list(range(16)), 200

    def straightforward() -> list:
        return [straightforward_run(sizes, x, y, lr, epochs, s)[0] for s in seeds]

    def sequential() -> list:
        out = []
        for s in seeds:
            mlpbook.seed_everything(s)
            out.append(mlpbook.train(mlpbook.make_mlp(sizes, "relu"), x, y, epochs=epochs, lr=lr))
        return out

    def batched() -> list:
        return train_seeds(sizes, x, y, seeds=seeds, epochs=epochs, lr=lr)

    plain, seq, bat = straightforward(), sequential(), batched()
    agree = max(
        float(np.max(np.abs(a - b.loss) / np.maximum(np.abs(a), 1e-12))) for a, b in zip(plain, bat)
    )
    agree_seq = max(
        float(np.max(np.abs(a.loss - b.loss) / np.maximum(np.abs(a.loss), 1e-12)))
        for a, b in zip(seq, bat)
    )
    t_plain, t_seq, t_bat = best_of(straightforward), best_of(sequential), best_of(batched)
    return {
        "name": f"16 seeds, {name}",
        "baseline_s": t_plain,
        "ours_s": t_bat,
        "ratio": t_plain / t_bat,
        "budget": 5.0,
        "note": (
            f"16 sequential runs of the package's own `train`: {t_seq:.3f} s, so batched is "
            f"{t_seq / t_bat:.1f}× faster than that too; max relative loss difference "
            f"{max(agree, agree_seq):.1e}"
        ),
    }


def bench_animation() -> dict:
    data = mlpbook.three_clusters(100, seed=0)
    epochs, frames = 5000, mlpbook.frame_epochs(5000, 100)

    def straightforward():
        losses, preds = straightforward_run(
            [2, 2, 2], data.x, data.y, 0.01, epochs, seed=0, record=True
        )
        history = mlpbook.History(
            loss=losses, snapshot_epochs=frames, snapshots=np.stack([preds[e] for e in frames])
        )
        return figures.animate_predictions(history, data.y.numpy(), title="t", alt="a")

    def package():
        mlpbook.seed_everything(0)
        model = mlpbook.make_mlp([2, 2, 2], "relu")
        history = mlpbook.train(
            model, data.x, data.y, epochs=epochs, lr=0.01, snapshot_epochs=frames
        )
        return figures.animate_predictions(history, data.y.numpy(), title="t", alt="a")

    a, b = straightforward(), package()
    diff = max(
        float(np.max(np.abs(np.array(fa.data[0].x) - np.array(fb.data[0].x))))
        for fa, fb in zip(a.frames, b.frames)
    )
    same = len(a.frames) == len(b.frames) and diff <= 0.011
    t_base, t_ours = best_of(straightforward), best_of(package)
    return {
        "name": "chapter-1 animation (2→2→2, 300 points, 5000 epochs, 100 frames)",
        "baseline_s": t_base,
        "ours_s": t_ours,
        "ratio": t_base / t_ours,
        "budget": 3.0,
        "note": f"{len(b.frames)} frames, same frames: {same} (max difference {diff:.2g} at 2 decimals)",
    }


def bench_precision() -> list[dict]:
    """Seconds in float32 and float64 for a wide network and for the batched small ones."""
    rows = []
    for name, run in (
        ("x² network 1→64→256→64→1 GELU, 1000 points, 100 Adam steps", _x2_run),
        ("16 seeds, diagonal flip 4→8→4, batched, 200 epochs", _flip_run),
    ):
        seconds = {}
        for dtype in (torch.float32, torch.float64):
            mlpbook.seed_everything(0, dtype=dtype)
            seconds[dtype] = best_of(run)
        mlpbook.seed_everything(0)
        rows.append({"name": name, "f32": seconds[torch.float32], "f64": seconds[torch.float64]})
    return rows


def _x2_run() -> None:
    data = mlpbook.square_curve(1000, low=-10.0, high=10.0)
    mlpbook.train(
        mlpbook.make_mlp([1, 64, 256, 64, 1], "gelu"), data.x, data.y, epochs=100, lr=1e-3
    )


def _flip_run() -> None:
    x, y = mlpbook.data.diagonal_flip()
    train_seeds([4, 8, 4], x, y, seeds=range(16), epochs=200, lr=0.01)


def jupyter_book(*args: str) -> float:
    cmd = [
        sys.executable,
        "-c",
        "from jupyter_book.cli.main import main; main()",
        "build",
        ".",
        "-W",
        "-n",
        "--keep-going",
        *args,
    ]
    start = time.perf_counter()
    subprocess.run(cmd, cwd=ROOT, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    return time.perf_counter() - start


CHAPTER_BUDGETS = {"book/training": 60.0}
"""Execution budgets (s) for single chapters; every other chapter gets ``CHAPTER_BUDGET``."""
CHAPTER_BUDGET = 90.0


def chapter_runtimes() -> list[dict]:
    """Each chapter's execution time in the build just made, as myst-nb recorded it
    (``exec_data["runtime"]`` in the Sphinx environment: the kernel's wall clock)."""
    import pickle

    env_file = ROOT / "_build" / ".doctrees" / "environment.pickle"
    with env_file.open("rb") as f:
        env = pickle.load(f)
    results = []
    for docname, meta in sorted(env.nb_metadata.items()):
        data = meta.get("exec_data") or {}
        if "runtime" not in data:
            continue
        results.append(
            {
                "name": f"executing `{docname}.md` (in the cold build)",
                "value": float(data["runtime"]),
                "unit": "s",
                "budget": CHAPTER_BUDGETS.get(docname, CHAPTER_BUDGET),
                "ok_extra": bool(data.get("succeeded")),
            }
        )
    return results


def whole_book() -> list[dict]:
    results = []
    shutil.rmtree(ROOT / "_build", ignore_errors=True)
    cold = jupyter_book()
    results.append(
        {"name": "cold build (executes every chapter)", "value": cold, "unit": "s", "budget": 420}
    )
    results += chapter_runtimes()
    warm = jupyter_book()
    results.append({"name": "rebuild, nothing changed", "value": warm, "unit": "s", "budget": 20})
    start = time.perf_counter()
    test = subprocess.run(
        ["make", "test"], cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True
    )
    elapsed = time.perf_counter() - start
    summary = [line for line in test.stdout.splitlines() if re.search(r"\d+ (passed|failed)", line)]
    for line in test.stdout.splitlines():  # which tests failed, not only how many
        if line.startswith(("FAILED", "ERROR")):
            print(f"make test: {line}", file=sys.stderr)
    results.append(
        {
            "name": f"`make test` ({summary[-1].strip('= ') if summary else 'no summary'})",
            "value": elapsed,
            "unit": "s",
            "budget": 600,
            "ok_extra": test.returncode == 0,
        }
    )
    pages = sorted((ROOT / "_build" / "html").rglob("*.html"))
    pages = [p for p in pages if "_static" not in p.parts]
    biggest = max(pages, key=lambda p: p.stat().st_size)
    results.append(
        {
            "name": f"largest page ({biggest.relative_to(ROOT / '_build' / 'html')})",
            "value": biggest.stat().st_size / 1e6,
            "unit": "MB",
            "budget": 1.5,
        }
    )
    loads = max(
        len(re.findall(r"<script[^>]+plotly[^>]*\.js", p.read_text(errors="ignore"))) for p in pages
    )
    results.append(
        {"name": "plotly.js script tags on any one page", "value": loads, "unit": "", "budget": 1}
    )
    return results


def machine() -> str:
    cpu = platform.processor() or platform.machine()
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    return (
        f"{os.cpu_count()} cores ({cpu}), Python {platform.python_version()}, torch {torch.__version__}, "
        f"{torch.get_num_threads()} torch thread(s)"
    )


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--quick", action="store_true", help="training benchmarks only")
    parser.add_argument("--record", action="store_true", help="write the results into README.md")
    parser.add_argument("--threads", type=int, default=1, help="torch threads (the book uses 1)")
    args = parser.parse_args()
    mlpbook.seed_everything(0, threads=args.threads)  # float64, as in the chapters

    lines = [
        f"Measured {time.strftime('%Y-%m-%d')} on {machine()}.",
        "",
        "| benchmark | baseline | mlpbook | ratio | budget | holds |",
        "| :--- | ---: | ---: | ---: | ---: | :---: |",
    ]
    ok = True
    x, y = mlpbook.data.diagonal_flip()
    curve = mlpbook.square_curve(256, low=-3.0, high=3.0)
    for r in (
        bench_seeds("diagonal flip 4→8→4, Adam, 200 epochs", [4, 8, 4], x, y, 0.01),
        bench_seeds(
            "1→32→32→1 on 256 points, Adam, 200 epochs", [1, 32, 32, 1], curve.x, curve.y, 0.01
        ),
        bench_animation(),
    ):
        holds = r["ratio"] >= r["budget"]
        ok &= holds
        lines.append(
            f"| {r['name']} ({r['note']}) | {r['baseline_s']:.3f} s | {r['ours_s']:.3f} s | "
            f"{r['ratio']:.1f}× | ≥ {r['budget']:.0f}× | {'yes' if holds else 'NO'} |"
        )
    lines += [
        "",
        "| what float64 costs | float32 | float64 | ratio |",
        "| :--- | ---: | ---: | ---: |",
    ]
    for r in bench_precision():
        lines.append(
            f"| {r['name']} | {r['f32']:.3f} s | {r['f64']:.3f} s | {r['f64'] / r['f32']:.1f}× |"
        )
    if not args.quick:
        lines += [
            "",
            "| whole-book budget | measured | budget | holds |",
            "| :--- | ---: | ---: | :---: |",
        ]
        for r in whole_book():
            holds = r["value"] <= r["budget"] and r.get("ok_extra", True)
            ok &= holds
            value = (
                f"{r['value']:.2f} {r['unit']}".strip()
                if isinstance(r["value"], float)
                else str(r["value"])
            )
            lines.append(
                f"| {r['name']} | {value} | ≤ {r['budget']} {r['unit']} | {'yes' if holds else 'NO'} |"
            )
    report = "\n".join(lines)
    print(report)
    if args.record:
        readme = ROOT / "README.md"
        text = readme.read_text()
        start, end = "<!-- benchmarks:start -->", "<!-- benchmarks:end -->"
        if args.quick and start in text:
            # keep the whole-book rows of the last full run, saying so
            old = text.split(start, 1)[1].split(end, 1)[0]
            kept = re.search(r"\| whole-book budget \|.*?(?=\n\n|\Z)", old, flags=re.S)
            if kept:
                report += (
                    "\n\nWhole-book budgets from the last full run (`--quick` does not"
                    " measure them):\n\n" + kept.group(0).strip()
                )
        block = f"{start}\n{report}\n{end}"
        text = (
            re.sub(re.escape(start) + ".*?" + re.escape(end), lambda _: block, text, flags=re.S)
            if start in text
            else text.rstrip() + "\n\n" + block + "\n"
        )
        readme.write_text(text)
        print(f"recorded in {readme}")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
