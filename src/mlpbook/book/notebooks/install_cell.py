"""The first cell of a downloaded notebook: install the exact ``mlpbook`` the pages used."""

from __future__ import annotations

import re

from .wheel import wheel_name

__all__ = ["INSTALL_CELL_ID", "TORCH_CPU_INDEX", "install_cell_source"]

INSTALL_CELL_ID = "mlpbook-install"
"""The cell id of the install cell at the top of every downloadable notebook."""

TORCH_CPU_INDEX = "https://download.pytorch.org/whl/cpu"
"""PyTorch's CPU-only wheel index (on Linux, PyPI's torch is the multi-GB CUDA build)."""

# The cell's code, for str.format: {version}, {wheel}, {wheel_url}, {clone},
# {torch_requirement}, {torch_cpu_index}; doubled braces are the cell's own.
_CELL = """\
# Run this cell first: it installs `mlpbook`, the package this chapter imports,
# exactly as the book was built ({version}), unless it is installed already.
import importlib.metadata
import importlib.util
import pathlib
import subprocess
import sys

MLPBOOK_VERSION = "{version}"
MLPBOOK_WHEEL = "{wheel}"
MLPBOOK_WHEEL_URL = "{wheel_url}"  # empty: the book's site has no public address yet


def _version(name):
    try:
        return importlib.metadata.version(name)
    except importlib.metadata.PackageNotFoundError:
        return None


def _pip_install(*args):
    done = subprocess.run(
        [sys.executable, "-m", "pip", "install", *args], capture_output=True, text=True
    )
    if done.returncode:
        raise RuntimeError("pip install failed:\\n" + done.stdout[-2000:] + done.stderr[-2000:])


_spec = importlib.util.find_spec("mlpbook")
_own_copy = _spec is not None and not any(
    part in ("site-packages", "dist-packages")
    for part in pathlib.Path(_spec.origin or "").parts
)
if _version("mlpbook") == MLPBOOK_VERSION:
    print(f"mlpbook {{MLPBOOK_VERSION}} is installed.")
elif _own_copy:
    print(f"Using your own copy of mlpbook ({{_spec.origin}}); the book used {{MLPBOOK_VERSION}}.")
else:
    if pathlib.Path(MLPBOOK_WHEEL).is_file():
        _source = str(pathlib.Path(MLPBOOK_WHEEL).resolve())
    elif MLPBOOK_WHEEL_URL:
        _source = MLPBOOK_WHEEL_URL
    else:
        raise RuntimeError(
            f"mlpbook is not installed. Download {{MLPBOOK_WHEEL}} from the book's "
            "landing page (Downloads) into this notebook's folder and run this cell "
            "again, or {clone}."
        )
    _before = {{n: _version(n) for n in ("numpy", "torch", "matplotlib", "plotly", "mlpbook")}}
    if _version("torch") is None and sys.platform.startswith("linux"):
        print("Installing PyTorch (CPU-only build) ...")
        _pip_install("{torch_requirement}", "--index-url", "{torch_cpu_index}")
    print(f"Installing mlpbook {{MLPBOOK_VERSION}} and its dependencies ...")
    _pip_install(_source)
    importlib.invalidate_caches()
    _stale = [n for n, v in _before.items() if n in sys.modules and _version(n) != v]
    if _stale:
        print(f"pip replaced {{_stale}}, already imported here: restart the kernel "
              "(Colab: Runtime > Restart session) and run the notebook from the top.")
    else:
        print("Done.")
"""


def install_cell_source(
    version: str,
    wheel_url: str = "",
    *,
    torch_requirement: str = "torch",
    repository_url: str = "",
) -> str:
    """The code of the first cell of a downloaded notebook: install this ``mlpbook``.

    The cell does nothing when ``mlpbook`` ``version`` is installed, and leaves a
    copy of the package that is not installed from a wheel alone (a clone
    installed with ``pip install -e .``, or ``src/`` on ``PYTHONPATH``), saying
    which one it uses. Otherwise it installs the wheel: from the notebook's
    folder if the reader downloaded it there, else from ``wheel_url``. On Linux,
    when torch is missing, it first installs PyTorch's CPU-only build (the
    book needs no GPU; PyPI's Linux torch is the multi-GB CUDA build). If pip
    replaces a package the kernel has already imported, it asks for a restart.

    Args:
        version: the exact version the pages were built with (:func:`package_version`).
        wheel_url: the wheel's public URL, or ``""`` when the site has no known address.
        torch_requirement: the package's torch requirement (``"torch>=2.13,<3"``).
        repository_url: the book's repository, named in the instructions if set.

    Raises:
        ValueError: if ``version`` is not a version string or ``wheel_url`` not an http(s) URL.
    """
    if not isinstance(version, str) or not re.fullmatch(r"[0-9][0-9A-Za-z.+!-]*", version):
        raise ValueError(f"version must be a version string such as '0.1.0+abc', got {version!r}")
    if wheel_url and not re.match(r"https?://[^\s\"']+$", wheel_url):
        raise ValueError(f"wheel_url must be an http(s) URL or empty, got {wheel_url!r}")
    if not re.fullmatch(r"torch[<>=!~.,0-9 ]*", torch_requirement):
        raise ValueError(
            f"torch_requirement must be a torch requirement, got {torch_requirement!r}"
        )
    wheel = wheel_name(version)
    clone = (
        f"clone {repository_url} and run `pip install -e .` in it"
        if repository_url
        else "clone the book's repository and run `pip install -e .` in it"
    )
    return _CELL.format(
        version=version,
        wheel=wheel,
        wheel_url=wheel_url,
        clone=clone,
        torch_requirement=torch_requirement,
        torch_cpu_index=TORCH_CPU_INDEX,
    )
