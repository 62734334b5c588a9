"""The wheel a downloaded notebook installs, and the version that names its source.

The build serves ``mlpbook`` as a pure-Python wheel whose version carries a
hash of the package's source (:func:`package_version`), so "the same version"
means the same code; :func:`build_wheel` builds it without touching the
repository.
"""

from __future__ import annotations

import hashlib
import os
import re
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

__all__ = [
    "build_wheel",
    "package_version",
    "torch_requirement",
    "wheel_name",
]

_VERSION_LINE = re.compile(r'^(version\s*=\s*")([^"]+)(")', re.M)


def _project_files(project: Path) -> list[Path]:
    """The files the wheel is built from, relative to ``project``, sorted."""
    package = project / "src" / "mlpbook"
    if not (project / "pyproject.toml").is_file() or not package.is_dir():
        raise FileNotFoundError(
            f"project must be the mlpbook repository (pyproject.toml and src/mlpbook), got {project}"
        )
    files = [Path("pyproject.toml")]
    if (project / "README.md").is_file():
        files.append(Path("README.md"))
    files += sorted(
        path.relative_to(project)
        for path in package.rglob("*")
        if path.is_file() and "__pycache__" not in path.parts and path.suffix != ".pyc"
    )
    return files


def package_version(project: Path) -> str:
    """``mlpbook``'s version with a hash of its source: ``0.1.0+<12 hex digits>``.

    The base version is ``pyproject.toml``'s; the local label hashes every file
    the wheel is built from, so two builds share a version only if they share
    the code.

    Raises:
        FileNotFoundError: if ``project`` is not the repository's root.
        ValueError: if ``pyproject.toml`` has no ``version = "..."``.
    """
    project = Path(project)
    files = _project_files(project)
    found = _VERSION_LINE.search((project / "pyproject.toml").read_text())
    if not found:
        raise ValueError(f'{project / "pyproject.toml"} has no version = "..." line')
    digest = hashlib.sha256()
    for rel in files:
        digest.update(rel.as_posix().encode() + b"\0" + (project / rel).read_bytes() + b"\0")
    base = found[2].split("+")[0]
    return f"{base}+{digest.hexdigest()[:12]}"


def wheel_name(version: str) -> str:
    """The file name of ``mlpbook``'s pure-Python wheel of ``version``."""
    if not isinstance(version, str) or not re.fullmatch(r"[0-9][0-9A-Za-z.+!]*", version):
        raise ValueError(f"version must be a version string such as '0.1.0+abc', got {version!r}")
    return f"mlpbook-{version}-py3-none-any.whl"


def build_wheel(project: Path, out_dir: Path, version: str | None = None) -> Path:
    """Build ``mlpbook``'s wheel, versioned :func:`package_version`, into ``out_dir``.

    The repository is not touched: the package is copied to a temporary folder,
    its version set there, and built by ``pip wheel`` (with the installed
    setuptools when there is one, so no network is needed). Timestamps are
    fixed (``SOURCE_DATE_EPOCH``), so the same source gives the same wheel.
    Older ``mlpbook-*.whl`` files in ``out_dir`` are removed.

    Returns:
        The wheel's path.

    Raises:
        FileNotFoundError: if ``project`` is not the repository's root.
        RuntimeError: if pip fails (its output is in the message).
    """
    project = Path(project)
    files = _project_files(project)
    version = version or package_version(project)
    out_dir = Path(out_dir)
    with tempfile.TemporaryDirectory(prefix="mlpbook-wheel-") as tmp:
        copy_root = Path(tmp) / "project"
        for rel in files:
            (copy_root / rel).parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(project / rel, copy_root / rel)
        pyproject = copy_root / "pyproject.toml"
        pyproject.write_text(_VERSION_LINE.sub(rf"\g<1>{version}\g<3>", pyproject.read_text(), 1))
        command = [sys.executable, "-m", "pip", "wheel", "--no-deps", "--quiet"]
        if _has_setuptools():
            command.append("--no-build-isolation")
        command += ["--wheel-dir", str(Path(tmp) / "dist"), str(copy_root)]
        env = {**os.environ, "SOURCE_DATE_EPOCH": "315532800", "PIP_DISABLE_PIP_VERSION_CHECK": "1"}
        done = subprocess.run(command, capture_output=True, text=True, env=env, cwd=tmp)
        built = sorted((Path(tmp) / "dist").glob("mlpbook-*.whl"))
        if done.returncode or len(built) != 1:
            raise RuntimeError(f"building the mlpbook wheel failed: {done.stdout}{done.stderr}")
        out_dir.mkdir(parents=True, exist_ok=True)
        for old in out_dir.glob("mlpbook-*.whl"):
            old.unlink()
        target = out_dir / wheel_name(version)
        shutil.move(str(built[0]), target)
    return target


def _has_setuptools() -> bool:
    """Whether the installed setuptools can build the package (pyproject.toml: >= 68)."""
    import importlib.metadata

    try:
        major = importlib.metadata.version("setuptools").split(".")[0]
    except importlib.metadata.PackageNotFoundError:
        return False
    return major.isdigit() and int(major) >= 68


def torch_requirement(project: Path) -> str:
    """The ``torch`` entry of ``pyproject.toml``'s dependencies (``"torch"`` if none)."""
    import tomllib

    deps = tomllib.loads((project / "pyproject.toml").read_text())["project"]["dependencies"]
    found = [d.replace(" ", "") for d in deps if re.match(r"torch\b", d)]
    return found[0] if found else "torch"
