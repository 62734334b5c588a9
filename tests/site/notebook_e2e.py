"""A chapter's downloaded notebook, run as a reader runs it, in a fresh environment.

Serves the built site (``_build/html``) under a sub-path on 127.0.0.1, as GitHub
Pages serves a project site, and then, as a reader:

1. opens the landing page and follows its Downloads links to the chapter's
   ``.ipynb`` and to the wheel;
2. creates a fresh virtual environment with only what a reader has before the
   notebook's first cell: torch (the CPU build, installed first as the README
   says) and a kernel (ipykernel, plus nbclient to run the notebook);
3. executes the downloaded notebook in that environment, in an empty folder:
   its first cell installs ``mlpbook`` and its dependencies from the served site;
4. checks that the first cell installed the version the pages were built with, that
   no cell failed, and that every number and table the page shows, filled from
   the reader's run, equals the page's (the chapter's MyST source, filled once
   with the build's glue values and once with the reader's).

The site was built without a public address (``html.baseurl`` is empty), so the
notebook's install cell names no URL; the script gives it the served site's,
exactly as a build with ``html.baseurl`` set to that address would (the
notebook is otherwise run as downloaded). With ``--wheel-beside`` the wheel is
instead downloaded next to the notebook, the other way the install cell finds it.

Usage (from the repository root, after a build)::

    python tests/site/notebook_e2e.py [CHAPTER] [--keep] [--wheel-beside]

CHAPTER defaults to ``backprop-from-scratch`` (the chapter that executes fastest).
The run takes a few minutes (CI runs it from ``.ci/run``); it exits non-zero on
any failure and prints how long each step took.
"""

from __future__ import annotations

import argparse
import difflib
import html.parser
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
import urllib.parse
import urllib.request
from pathlib import Path

import nbformat

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
from site_helpers import ROOT, SITE, serve  # noqa: E402

SUBPATH = "mlp-book"
"""The sub-path the site is served under (a GitHub Pages project site: /REPO/)."""

TORCH = "torch==2.13.0"
"""What a reader installs first (the README: the CPU-only build, before the rest)."""

RUNNER = r"""
import sys, nbformat, nbclient
nb = nbformat.read(sys.argv[1], as_version=4)
client = nbclient.NotebookClient(nb, kernel_name="python3", timeout=1800,
                                 resources={"metadata": {"path": sys.argv[3]}})
try:
    client.execute()
finally:
    nbformat.write(nb, sys.argv[2])
"""


class _Links(html.parser.HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.hrefs: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        href = dict(attrs).get("href")
        if tag == "a" and href:
            self.hrefs.append(href)


def _get(url: str) -> bytes:
    with urllib.request.urlopen(url, timeout=60) as response:  # noqa: S310 - 127.0.0.1
        return response.read()


def _links(url: str) -> list[str]:
    parser = _Links()
    parser.feed(_get(url).decode())
    return [urllib.parse.urljoin(url, href) for href in parser.hrefs]


def _step(name: str, start: float) -> float:
    now = time.monotonic()
    print(f"   {name}: {now - start:.0f} s", flush=True)
    return now


def _clean_env(venv: Path) -> dict[str, str]:
    """A reader's environment: no PYTHONPATH into this repository, no build settings."""
    env = {
        k: v
        for k, v in os.environ.items()
        if k not in ("PYTHONPATH", "PYTHONSTARTUP", "VIRTUAL_ENV") and not k.startswith("MLPBOOK_")
    }
    env["PATH"] = f"{venv / 'bin'}{os.pathsep}{env.get('PATH', '')}"
    env["PIP_DISABLE_PIP_VERSION_CHECK"] = "1"
    return env


def run(chapter: str, keep: bool, wheel_beside: bool) -> int:
    """The whole check; returns the exit status."""
    from mlpbook.book.notebooks import (
        INSTALL_CELL_ID,
        glue_from_notebook,
        substitute_glue,
    )

    if not (SITE / "index.html").exists():
        print(f"no built site at {SITE}; build it first", file=sys.stderr)
        return 2
    source_md = ROOT / "book" / f"{chapter}.md"
    build_glue_file = ROOT / "_build" / "jupyter_execute" / "book" / f"{chapter}.glue.json"
    if not source_md.is_file() or not build_glue_file.is_file():
        print(f"no chapter {chapter!r} in book/ with glue data in _build", file=sys.stderr)
        return 2
    work = Path(tempfile.mkdtemp(prefix="mlpbook-e2e-"))
    served = work / "served"
    served.mkdir()
    (served / SUBPATH).symlink_to(SITE, target_is_directory=True)
    start = t0 = time.monotonic()
    failures: list[str] = []
    try:
        with serve(served) as base:
            site = f"{base}{SUBPATH}/"
            print(f"== the site at {site}", flush=True)
            root = _get(site + "index.html").decode()  # Jupyter Book: a redirect to the root page
            refresh = re.search(r'http-equiv="Refresh" content="0; url=([^"]+)"', root, re.I)
            landing = urllib.parse.urljoin(site, refresh[1]) if refresh else site + "index.html"
            links = _links(landing)
            notebooks = [u for u in links if u.endswith(f"/{chapter}.ipynb")]
            wheels = [u for u in links if u.endswith(".whl")]
            if len(notebooks) != 1 or len(wheels) != 1:
                print(f"landing page {landing}: notebook links {notebooks}, wheels {wheels}")
                return 1
            run_dir = work / "reader"
            run_dir.mkdir()
            downloaded = run_dir / f"{chapter}.ipynb"
            downloaded.write_bytes(_get(notebooks[0]))
            nb = json.loads(downloaded.read_text())
            install = nb["cells"][0]
            assert install.get("id") == INSTALL_CELL_ID, "the first cell is not the install cell"
            version = re.search(r'MLPBOOK_VERSION = "([^"]+)"', "".join(install["source"]))[1]
            if wheel_beside:
                name = urllib.parse.unquote(wheels[0].rsplit("/", 1)[1])
                (run_dir / name).write_bytes(_get(wheels[0]))
            else:
                # what a build with html.baseurl = this site would have written
                cell = "".join(install["source"])
                install["source"] = re.sub(
                    r'MLPBOOK_WHEEL_URL = "[^"]*"', f'MLPBOOK_WHEEL_URL = "{wheels[0]}"', cell
                )
                assert install["source"] != cell, "no MLPBOOK_WHEEL_URL line in the install cell"
                downloaded.write_text(json.dumps(nb, indent=1))
            print(f"   notebook {notebooks[0]}\n   wheel {wheels[0]} ({version})")
            t0 = _step("download", t0)

            venv = work / "venv"
            print("== a fresh virtual environment", flush=True)
            subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True)
            python = venv / "bin" / "python"
            env = _clean_env(venv)
            pip = subprocess.run(
                [python, "-m", "pip", "install", "--quiet", TORCH, "ipykernel", "nbclient"],
                env=env,
                capture_output=True,
                text=True,
            )
            if pip.returncode:
                print(pip.stdout[-3000:], pip.stderr[-3000:])
                return 1
            t0 = _step("venv with torch and a kernel", t0)

            print(f"== executing {chapter}.ipynb there", flush=True)
            executed = work / f"{chapter}.executed.ipynb"
            done = subprocess.run(
                [python, "-c", RUNNER, str(downloaded), str(executed), str(run_dir)],
                env=env,
                cwd=run_dir,
                capture_output=True,
                text=True,
            )
            t0 = _step("execution (installing mlpbook in its first cell)", t0)
            if done.returncode:
                print(done.stdout[-4000:], done.stderr[-6000:])
                failures.append("the notebook did not run to the end")
            installed = subprocess.run(
                [python, "-c", "import importlib.metadata as m; print(m.version('mlpbook'))"],
                env=env,
                cwd=run_dir,
                capture_output=True,
                text=True,
            ).stdout.strip()
            if installed != version:
                failures.append(
                    f"installed mlpbook {installed!r}, the pages were built with {version}"
                )
            if executed.is_file():
                ran = json.loads(executed.read_text())
                first = "".join(
                    "".join(o.get("text", "")) for o in ran["cells"][0].get("outputs", [])
                )
                print("   first cell said: " + " / ".join(first.strip().splitlines()))
                if "Installing mlpbook" not in first:
                    failures.append("the first cell did not install mlpbook")
                reader_glue = glue_from_notebook(nbformat.read(executed, as_version=4))
                page = substitute_glue(
                    source_md.read_text(), json.loads(build_glue_file.read_text()), where="page"
                ).source
                try:
                    mine = substitute_glue(source_md.read_text(), reader_glue, where="run").source
                except ValueError as exc:
                    mine = ""
                    failures.append(f"the reader's run lacks glued values: {exc}")
                if mine and mine != page:
                    diff = difflib.unified_diff(
                        page.splitlines(), mine.splitlines(), "page", "reader", n=0, lineterm=""
                    )
                    print("\n".join(list(diff)[:60]))
                    failures.append("numbers of the reader's run differ from the page's")
                elif mine:
                    print(f"   all {len(reader_glue)} glued values match the page's")
    finally:
        if keep:
            print(f"   kept {work}")
        else:
            shutil.rmtree(work, ignore_errors=True)
    print(
        f"== {'FAILED: ' + '; '.join(failures) if failures else 'passed'}"
        f" in {time.monotonic() - start:.0f} s"
    )
    return 1 if failures else 0


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("chapter", nargs="?", default="backprop-from-scratch")
    parser.add_argument("--keep", action="store_true", help="keep the venv and notebooks")
    parser.add_argument(
        "--wheel-beside", action="store_true", help="download the wheel next to the notebook"
    )
    args = parser.parse_args()
    return run(args.chapter, args.keep, args.wheel_beside)


if __name__ == "__main__":
    sys.exit(main())
