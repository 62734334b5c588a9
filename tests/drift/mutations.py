"""Mutation check: does the test suite catch plausible bugs in ``mlpbook``?

Each mutation below plants one small, realistic bug in ``src/mlpbook`` and names
the cheapest test selection that should catch it (unit-test node ids and/or
reference notebooks of the drift check). For every mutation the script

1. copies the repository's files (``git ls-files``: tracked files plus new,
   not ignored ones, read from the working tree once, at the start) into a
   fresh temporary directory;
2. applies the mutation there (the original snippet must occur exactly once,
   else the script stops with an error: a mutation cannot rot silently);
3. checks that ``PYTHONPATH=<copy>/src`` makes ``import mlpbook`` load the
   copy (the package is also installed editable from the real tree), so that
   pytest and the kernels nbval starts both run the mutated code;
4. runs ``python3 -m pytest -n 0 -q -x <selection>`` in the copy.

A mutation is *caught* when pytest exits with status 1 and at least one test
FAILED. Collection or usage errors, errors in test set-up and timeouts are
reported as errors, not as catches. Before the mutations, every selection runs
once on an unmutated copy and must pass, so a catch means the bug, not a
broken test.

Usage::

    python3 tests/drift/mutations.py                  # run every mutation (about 8 minutes on 2 cores)
    python3 tests/drift/mutations.py --list           # show them (and check their snippets)
    python3 tests/drift/mutations.py no-shuffle he-gain-one --log-dir /tmp/mutation-logs

Prints a Markdown table and exits non-zero if a mutation was not caught or errored.
The source tree itself is never modified.
"""

from __future__ import annotations

import argparse
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
PACKAGE = Path("src") / "mlpbook"
UNIT = "tests/unit"
REFS = "tests/drift/references"
TIMEOUT = 600  # seconds per pytest run


@dataclass(frozen=True)
class Mutation:
    """One planted bug: ``edits`` are ``(original, replacement)`` pairs in ``file`` (under src/mlpbook)."""

    name: str
    bug: str
    file: str
    edits: tuple[tuple[str, str], ...]
    selection: tuple[str, ...]
    must_say: str = ""  # if set, it is caught only when the failure output names this
    pytest_args: tuple[str, ...] = ()  # extra pytest options for this mutation's run


MUTATIONS: tuple[Mutation, ...] = (
    Mutation(
        "seeds-plus-one",
        "every seed shifted by one (seed_everything and make_generator seed with seed + 1)",
        "repro.py",
        (
            (
                "    random.seed(seed)\n    np.random.seed(seed % 2**32)\n    torch.manual_seed(seed)\n",
                "    random.seed(seed + 1)\n    np.random.seed((seed + 1) % 2**32)\n    torch.manual_seed(seed + 1)\n",
            ),
            ("    generator.manual_seed(seed)\n", "    generator.manual_seed(seed + 1)\n"),
        ),
        (f"{REFS}/linear-to-mlp.ipynb",),
    ),
    Mutation(
        "axis-label",
        "convergence_plot labels its x axis 'input' instead of 'x' (a matplotlib figure's text)",
        "plots/training.py",
        (
            (
                '    ax.set_xlabel("x")\n',
                '    ax.set_xlabel("input")\n',
            ),
        ),
        (f"{REFS}/linear-to-mlp.ipynb",),
    ),
    Mutation(
        "no-shuffle",
        "train() never shuffles minibatches (rows in the same order every epoch)",
        "training.py",
        (("order = torch.randperm(n, generator=generator)", "order = torch.arange(n)"),),
        (
            f"{UNIT}/test_package.py::test_train_minibatches_are_a_new_permutation_every_epoch",
            f"{UNIT}/test_package.py::test_train_shuffling_follows_the_generator",
        ),
    ),
    Mutation(
        "lr-inf-accepted",
        "the positive-number check lets lr=inf through (only rejects <= 0 and NaN)",
        "_checks.py",
        (('    if not value > 0 or value == float("inf"):\n', "    if not value > 0:\n"),),
        (f"{UNIT}/test_package.py::test_train_rejects_bad_arguments",),
    ),
    Mutation(
        "batchnorm-unbiased-var",
        "batch norm normalizes with the unbiased variance (divide by B - 1, not B)",
        "chapters/batchnorm.py",
        (
            (
                "        var = ((x - mean) ** 2).mean(dim=0)  # biased: divide by B\n",
                "        var = ((x - mean) ** 2).sum(dim=0) / (x.shape[0] - 1)  # biased: divide by B\n",
            ),
        ),
        (
            f"{UNIT}/chapters/test_batchnorm.py::test_biased_variance_normalizes_unbiased_variance_is_stored",
        ),
    ),
    Mutation(
        "batchnorm-momentum-swapped",
        "running statistics weight the old value by m and the new one by 1 - m",
        "chapters/batchnorm.py",
        (
            (
                "            self.running_var = (1 - m) * self.running_var + m * unbiased_var\n",
                "            self.running_var = m * self.running_var + (1 - m) * unbiased_var\n",
            ),
        ),
        (
            f"{UNIT}/chapters/test_batchnorm.py::test_biased_variance_normalizes_unbiased_variance_is_stored",
        ),
    ),
    Mutation(
        "dropout-no-rescale",
        "inverted dropout without its 1/(1-p) rescaling (expected output under input dropout)",
        "chapters/dropout_case.py",
        (
            (
                "        return (1 - p) * g(x / (1 - p)) + p * g(torch.zeros_like(x))\n",
                "        return (1 - p) * g(x) + p * g(torch.zeros_like(x))\n",
            ),
        ),
        (
            f"{UNIT}/chapters/test_dropout_case.py::test_input_dropout_inflates_the_mean_of_a_square",
        ),
    ),
    Mutation(
        "xavier-fan-in-only",
        "Xavier initialization with variance 1/fan_in instead of 2/(fan_in + fan_out)",
        "initializers.py",
        (
            (
                '    "xavier": _normal(lambda fan_in, fan_out: (2.0 / (fan_in + fan_out)) ** 0.5),\n',
                '    "xavier": _normal(lambda fan_in, fan_out: (1.0 / fan_in) ** 0.5),\n',
            ),
        ),
        (f"{UNIT}/test_package.py::test_initializer_scales",),
    ),
    Mutation(
        "he-gain-one",
        "He initialization with gain 1 (variance 1/fan_in) instead of sqrt(2)",
        "initializers.py",
        (
            (
                '    "he": _normal(lambda fan_in, fan_out: (2.0 / fan_in) ** 0.5),\n',
                '    "he": _normal(lambda fan_in, fan_out: (1.0 / fan_in) ** 0.5),\n',
            ),
        ),
        (f"{UNIT}/test_package.py::test_initializer_scales",),
    ),
    Mutation(
        "claim-dead-any-input",
        "a ReLU unit counts as dead when it is off for ANY input, not for every input; "
        "run with --nbval-lax (no output comparison), so only the chapter's checked claims "
        "can catch it",
        "chapters/activation_functions.py",
        (
            (
                "            result.append((rec.pre <= 0).all(dim=0))\n",
                "            result.append((rec.pre <= 0).any(dim=0))\n",
            ),
        ),
        (f"{REFS}/activation-functions.ipynb",),
        must_say="ClaimFailed",
        pytest_args=("--nbval-lax",),
    ),
    Mutation(
        "regions-off-by-one",
        "the one-layer region bound sums binomials up to min(n, d) - 1 (range end off by one)",
        "chapters/width_depth.py",
        (
            (
                "    return sum(math.comb(n, i) for i in range(min(n, d) + 1))\n",
                "    return sum(math.comb(n, i) for i in range(min(n, d)))\n",
            ),
        ),
        (f"{UNIT}/chapters/test_width_depth.py::test_one_layer_bound_known_values",),
    ),
    Mutation(
        "tanh-backward",
        "the from-scratch tanh backward uses 1 - a instead of 1 - a**2",
        "chapters/backprop.py",
        (
            (
                "        return self._check_grad(grad_a, a) * (1.0 - a * a)\n",
                "        return self._check_grad(grad_a, a) * (1.0 - a)\n",
            ),
        ),
        (f"{UNIT}/chapters/test_backprop.py::test_activation_forward_and_backward_match_autograd",),
    ),
    Mutation(
        "adam-no-bias-correction",
        "the hand-written Adam (per-model learning rates) drops the bias corrections",
        "_engine.py",
        (
            (
                "            denom = (v.sqrt() / math.sqrt(1 - beta2**t)).add_(eps)\n"
                "            p.sub_((lr_p / (1 - beta1**t)) * m / denom)\n",
                "            denom = v.sqrt().add_(eps)\n            p.sub_(lr_p * m / denom)\n",
            ),
        ),
        (f"{UNIT}/test_seeds.py::test_batched_equals_sequential",),
    ),
    Mutation(
        "relu-derivative-at-kink",
        "the from-scratch ReLU passes the gradient at z = 0 (derivative 1 at the kink)",
        "chapters/backprop.py",
        (("        self.mask = z > 0\n", "        self.mask = z >= 0\n"),),
        (f"{UNIT}/chapters/test_backprop.py::test_relu_derivative_at_zero_is_zero_like_pytorch",),
    ),
    Mutation(
        "softmax-backward-axis",
        "the softmax Jacobian-vector product sums over the batch axis instead of the row",
        "chapters/backprop.py",
        (
            (
                "        return s * (grad_a - (grad_a * s).sum(axis=1, keepdims=True))\n",
                "        return s * (grad_a - (grad_a * s).sum(axis=0, keepdims=True))\n",
            ),
        ),
        (f"{UNIT}/chapters/test_backprop.py::test_activation_forward_and_backward_match_autograd",),
    ),
    Mutation(
        "mse-gradient-not-mean",
        "the fast path's MSE gradient is that of the sum (no division by N)",
        "_engine.py",
        (
            (
                "        dz = (2.0 * self.scale / numel) * (pred - y)\n",
                "        dz = (2.0 * self.scale) * (pred - y)\n",
            ),
        ),
        (f"{UNIT}/test_engine.py::test_gradients_equal_autograd",),
    ),
    Mutation(
        "residual-no-skip",
        "the post-norm residual block forgets its skip connection (N(f(h)) instead of N(h + f(h)))",
        "chapters/residuals.py",
        (
            (
                "        return self.norm(h + out if self.skip else out)\n",
                "        return self.norm(out)\n",
            ),
        ),
        (f"{UNIT}/chapters/test_residuals.py::test_block_formulas",),
    ),
    Mutation(
        "layernorm-wrong-axis",
        "the pre-norm residual stream's LayerNorm standardizes over the batch, not per sample",
        "chapters/initialization.py",
        (
            (
                "(x - x.mean(dim=1, keepdim=True)) / x.std(dim=1, correction=0, keepdim=True)",
                "(x - x.mean(dim=0, keepdim=True)) / x.std(dim=0, correction=0, keepdim=True)",
            ),
        ),
        (
            f"{UNIT}/chapters/test_initialization.py::test_residual_stream_prenorm_normalizes_each_sample_on_its_own",
        ),
    ),
    Mutation(
        "parameter-count-no-bias",
        "the MLP parameter count forgets the biases",
        "models.py",
        (
            (
                "    return sum(a * b + (b if bias else 0) for a, b in zip(sizes[:-1], sizes[1:]))\n",
                "    return sum(a * b for a, b in zip(sizes[:-1], sizes[1:]))\n",
            ),
        ),
        (f"{UNIT}/test_package.py::test_make_mlp_structure",),
    ),
    Mutation(
        "figure-data-not-rounded",
        "plotly figure data no longer rounded to what a reader can see (pages bloat)",
        "plots/style.py",
        (
            (
                "    return np.round(np.asarray(values, dtype=np.float64), decimals).tolist()\n",
                "    return np.asarray(values, dtype=np.float64).tolist()\n",
            ),
        ),
        (f"{UNIT}/test_package.py::test_animation_has_frames_controls_and_alt_text",),
    ),
    Mutation(
        "momentum-dampening-wrong",
        "heavy-ball momentum averages instead of summing (b = mu b + (1 - mu) g, dampening = mu)",
        "optimizers.py",
        (
            (
                "            b.mul_(self.momentum).add_((1 - self.dampening) * g)\n",
                "            b.mul_(self.momentum).add_((1 - self.momentum) * g)\n",
            ),
        ),
        (f"{UNIT}/test_optimizers.py::test_equals_torch_optim",),
    ),
    Mutation(
        "adamw-not-decoupled",
        "AdamW adds its weight decay to the gradient (Adam's L2 penalty) instead of shrinking the weights",
        "optimizers.py",
        (
            (
                "        p.mul_(1 - self._rate(p) * self.weight_decay)  # decay, outside the adaptive step\n"
                "        self.adam_update(i, p, g)\n",
                "        self.adam_update(i, p, g + self.weight_decay * p)\n",
            ),
        ),
        (f"{UNIT}/test_optimizers.py::test_equals_torch_optim",),
    ),
    Mutation(
        "cross-entropy-grad-no-softmax",
        "the fused cross-entropy's gradient uses the logits instead of the softmax (z - y, not p - y)",
        "chapters/softmax.py",
        (
            (
                "        self.p, self.targets = np.exp(log_p), targets\n",
                "        self.p, self.targets = z, targets\n",
            ),
        ),
        (
            f"{UNIT}/chapters/test_softmax.py",
            f"{REFS}/classification-and-generalization.ipynb",
        ),
    ),
    Mutation(
        "dropout-at-evaluation",
        "dropout stays active when the batched classifiers are evaluated on the validation set",
        "chapters/generalization.py",
        (
            (
                "            val_logits = stacked_logits(model, val.x)\n",
                "            val_logits = stacked_logits(model, val.x, dropout=p, generators=generators)\n",
            ),
        ),
        (f"{REFS}/classification-and-generalization.ipynb",),
    ),
)


# --- the repository copy ----------------------------------------------------------


def repository_files(root: Path) -> list[str]:
    """Tracked files plus new files git does not ignore, as they are in the working tree."""
    out = subprocess.run(
        ["git", "ls-files", "-z", "--cached", "--others", "--exclude-standard"],
        cwd=root,
        check=True,
        capture_output=True,
    ).stdout.decode()
    names = sorted({n for n in out.split("\0") if n})
    return [
        n for n in names if (root / n).is_file()
    ]  # a file deleted in the working tree is not copied


def snapshot(root: Path, dest: Path) -> int:
    """Copy the repository's files into ``dest``; return how many."""
    files = repository_files(root)
    for name in files:
        target = dest / name
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(root / name, target)
    return len(files)


def apply(mutation: Mutation, tree: Path) -> None:
    """Apply ``mutation`` to the copy ``tree`` (raises ``SnippetError`` if a snippet is not found exactly once)."""
    path = tree / PACKAGE / mutation.file
    text = path.read_text()
    for old, new in mutation.edits:
        check_snippet(mutation, text, old, new)
        text = text.replace(old, new)
    path.write_text(text)


class SnippetError(RuntimeError):
    """A mutation's original snippet is missing or ambiguous: update the mutation."""


def check_snippet(mutation: Mutation, text: str, old: str, new: str) -> None:
    count = text.count(old)
    if count != 1 or old == new:
        found = (
            "is not found"
            if count == 0
            else f"occurs {count} times"
            if count > 1
            else "equals its replacement"
        )
        raise SnippetError(
            f"mutation {mutation.name!r}: the original snippet {found} in src/mlpbook/{mutation.file} "
            f"(it must occur exactly once; the code changed, so update the mutation in {Path(__file__).name}):\n"
            f"    {old!r}"
        )


def check_all(mutations: list[Mutation], tree: Path) -> None:
    for mutation in mutations:
        text = (tree / PACKAGE / mutation.file).read_text()
        for old, new in mutation.edits:
            check_snippet(mutation, text, old, new)


def environment(tree: Path) -> dict[str, str]:
    env = dict(os.environ)
    src = str(tree / "src")
    env["PYTHONPATH"] = src + (os.pathsep + env["PYTHONPATH"] if env.get("PYTHONPATH") else "")
    env.pop("PYTEST_ADDOPTS", None)
    env.pop("PYTHONSTARTUP", None)  # the drift conftest sets the copy's own start-up file
    return env


def check_import(tree: Path, env: dict[str, str]) -> None:
    """``import mlpbook`` must load the copy, not the editable install of the real tree."""
    proc = subprocess.run(
        [sys.executable, "-c", "import mlpbook; print(mlpbook.__file__)"],
        cwd=tree,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    found = Path(proc.stdout.strip() or "?").resolve()
    expected = (tree / PACKAGE / "__init__.py").resolve()
    if (
        proc.returncode != 0 or found != expected
    ):  # not an assert statement: it must hold under python -O too
        raise AssertionError(
            f"with PYTHONPATH={env['PYTHONPATH']} 'import mlpbook' loads {found}, not the copy "
            f"{expected}:\n{proc.stderr}"
        )


# --- running pytest --------------------------------------------------------------


@dataclass
class Outcome:
    status: str  # caught / NOT caught / error
    detail: str  # the failing test, or what went wrong
    seconds: float
    output: str


def run_pytest(
    tree: Path,
    selection: tuple[str, ...],
    *,
    stop_first: bool = True,
    extra: tuple[str, ...] = (),
) -> Outcome:
    env = environment(tree)
    check_import(tree, env)
    cmd = [
        sys.executable,
        "-m",
        "pytest",
        "-n",
        "0",
        "-q",
        *(["-x"] if stop_first else []),
        "-rfE",
        "-p",
        "no:randomly",
        *extra,
        *selection,
    ]
    start = time.monotonic()
    try:
        proc = subprocess.run(
            cmd, cwd=tree, env=env, capture_output=True, text=True, timeout=TIMEOUT
        )
    except subprocess.TimeoutExpired as exc:
        out = (exc.stdout or b"").decode() if isinstance(exc.stdout, bytes) else (exc.stdout or "")
        return Outcome("error", f"timeout after {TIMEOUT} s", time.monotonic() - start, out)
    seconds = time.monotonic() - start
    output = proc.stdout + proc.stderr
    failed, errored = [], []
    for line in output.splitlines():  # the short summary (-rfE): "FAILED <node id> - <message>"
        word, _, rest = line.strip().partition(" ")
        if word in ("FAILED", "ERROR") and rest:
            (failed if word == "FAILED" else errored).append(rest.split(" - ", 1)[0])
    if proc.returncode == 0:
        return Outcome("NOT caught", "", seconds, output)
    if proc.returncode == 1 and failed:
        return Outcome("caught", ", ".join(dict.fromkeys(failed)), seconds, output)
    reasons = {
        1: "tests errored (no test failed)",
        2: "interrupted (collection error?)",
        3: "internal error",
        4: "usage error (unknown test id?)",
        5: "no tests collected",
    }
    what = reasons.get(proc.returncode, f"exit status {proc.returncode}")
    return Outcome(
        "error", f"pytest {what}" + (f": {', '.join(errored)}" if errored else ""), seconds, output
    )


ANSI = re.compile(r"\x1b\[[0-9;]*m")


def first_reason(output: str) -> str:
    """The first assertion line (``E ...``) or drift-check message of a failure, for the progress log."""
    lines = [ANSI.sub("", line) for line in output.splitlines()]
    for i, line in enumerate(lines):
        if line.startswith("E ") and line[1:].strip():
            return line[1:].strip()
        if line.strip() == "Traceback:" and i + 1 < len(lines):
            return lines[i + 1].strip()
    return ""


def tail(text: str, lines: int = 40) -> str:
    return "\n".join(text.rstrip().splitlines()[-lines:])


def markdown(rows: list[tuple[Mutation, Outcome]]) -> str:
    def cell(text: str) -> str:
        return text.replace("|", "\\|").replace("\n", " ")

    lines = [
        "| mutation | what the bug is | caught by (test) | caught? | seconds |",
        "| :--- | :--- | :--- | :--- | ---: |",
    ]
    for mutation, outcome in rows:
        caught_by = f"`{outcome.detail}`" if outcome.status == "caught" else outcome.detail or "—"
        lines.append(
            f"| {mutation.name} | {cell(mutation.bug)} | {cell(caught_by)} | {outcome.status} "
            f"| {outcome.seconds:.0f} |"
        )
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__.split("\n\n")[0], formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("names", nargs="*", help="mutations to run (default: all)")
    parser.add_argument(
        "--list", action="store_true", help="list the mutations (and check their snippets)"
    )
    parser.add_argument(
        "--no-baseline",
        action="store_true",
        help="skip the run of the selections on the unmutated copy",
    )
    parser.add_argument(
        "--keep", action="store_true", help="keep the temporary copies (their paths are printed)"
    )
    parser.add_argument("--record", action="store_true", help="write the table into README.md")
    parser.add_argument(
        "--log-dir", type=Path, help="write each mutation's pytest output to LOG_DIR/<name>.log"
    )
    args = parser.parse_args(argv)

    known = {m.name: m for m in MUTATIONS}
    unknown = [n for n in args.names if n not in known]
    if unknown:
        parser.error(f"unknown mutation(s) {', '.join(unknown)}; known: {', '.join(known)}")
    mutations = [known[n] for n in args.names] if args.names else list(MUTATIONS)
    try:
        check_all(mutations, ROOT)
    except SnippetError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2

    if args.list:
        for m in mutations:
            print(
                f"{m.name}\n    bug:       {m.bug}\n    file:      src/mlpbook/{m.file} "
                f"({len(m.edits)} edit{'s' * (len(m.edits) > 1)})\n    selection: {' '.join(m.selection)}"
            )
        print(f"{len(mutations)} mutations; every original snippet occurs exactly once.")
        return 0

    started = time.monotonic()
    work = Path(tempfile.mkdtemp(prefix="mlpbook-mutations-"))
    try:
        pristine = work / "pristine"
        count = snapshot(ROOT, pristine)
        check_all(mutations, pristine)
        print(f"copied {count} repository files from {ROOT} to {pristine}", file=sys.stderr)
        if not args.no_baseline:
            # One run per distinct selection, exactly as the mutated runs will do it: the selections
            # are not merged, since a unit test can depend on the global state earlier tests leave
            # (e.g. torch's default dtype, which seed_everything sets).
            tree = work / "baseline"
            shutil.copytree(pristine, tree)
            selections = list(dict.fromkeys(m.selection for m in mutations))
            print(
                f"baseline: {len(selections)} selections on the unmutated copy ...",
                file=sys.stderr,
                flush=True,
            )
            for selection in selections:
                base = run_pytest(tree, selection, stop_first=False)
                ok = base.status == "NOT caught"
                print(
                    f"baseline: {'passed' if ok else 'FAILED'} ({base.seconds:.0f} s) {' '.join(selection)}",
                    file=sys.stderr,
                    flush=True,
                )
                if not ok:
                    print(
                        f"error: a selection fails WITHOUT any mutation ({base.detail}); a catch would mean "
                        f"nothing. pytest's output ends:\n{tail(base.output)}",
                        file=sys.stderr,
                    )
                    return 2
            shutil.rmtree(tree, ignore_errors=True)
        rows: list[tuple[Mutation, Outcome]] = []
        for mutation in mutations:
            tree = work / mutation.name
            shutil.copytree(pristine, tree)
            apply(mutation, tree)
            print(
                f"{mutation.name}: {' '.join(mutation.selection)} ...", file=sys.stderr, flush=True
            )
            outcome = run_pytest(tree, mutation.selection, extra=mutation.pytest_args)
            if outcome.status == "caught" and mutation.must_say not in outcome.output:
                outcome = Outcome(
                    "NOT caught",
                    f"failed, but not with {mutation.must_say!r}",
                    outcome.seconds,
                    outcome.output,
                )
            print(
                f"{mutation.name}: {outcome.status} ({outcome.seconds:.0f} s) {outcome.detail}",
                file=sys.stderr,
                flush=True,
            )
            if outcome.status == "caught":
                print(f"    {first_reason(outcome.output)[:300]}", file=sys.stderr, flush=True)
            else:
                print(tail(outcome.output), file=sys.stderr, flush=True)
            if args.log_dir:
                args.log_dir.mkdir(parents=True, exist_ok=True)
                (args.log_dir / f"{mutation.name}.log").write_text(outcome.output)
            rows.append((mutation, outcome))
            if not args.keep:
                shutil.rmtree(tree, ignore_errors=True)
    finally:
        if args.keep:
            print(f"kept the copies in {work}", file=sys.stderr)
        else:
            shutil.rmtree(work, ignore_errors=True)

    print(markdown(rows))
    missed = [m.name for m, o in rows if o.status != "caught"]
    total = time.monotonic() - started
    verdict = f"{len(rows) - len(missed)} of {len(rows)} mutations caught in {total:.0f} s" + (
        f"; not caught or errored: {', '.join(missed)}" if missed else "."
    )
    print("\n" + verdict)
    if args.record:
        record(markdown(rows) + "\n\n" + verdict)
    return 1 if missed else 0


def record(text: str) -> None:
    """Write ``text`` between the README's mutation markers."""
    import platform

    start, end = "<!-- mutations:start -->", "<!-- mutations:end -->"
    readme = ROOT / "README.md"
    content = readme.read_text()
    if start not in content or end not in content:
        raise SystemExit(f"README.md has no {start} ... {end} block to record into")
    cpu = (
        next(
            (
                line.split(":", 1)[1].strip()
                for line in Path("/proc/cpuinfo").read_text().splitlines()
                if line.startswith("model name")
            ),
            platform.processor(),
        )
        if Path("/proc/cpuinfo").exists()
        else "?"
    )
    head = (
        f"Run {time.strftime('%Y-%m-%d')} on {cpu} ({os.cpu_count()} cores), Python "
        f"{platform.python_version()}, by `python tests/drift/mutations.py --record`.\n\n"
    )
    before, rest = content.split(start, 1)
    readme.write_text(before + start + "\n" + head + text + "\n" + rest[rest.index(end) :])


if __name__ == "__main__":
    sys.exit(main())
