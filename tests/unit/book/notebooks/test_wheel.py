"""Unit tests of :mod:`mlpbook.book.notebooks.wheel`: the source-hash version and the wheel."""

from __future__ import annotations

import zipfile
from pathlib import Path

import pytest

from mlpbook.book.notebooks.wheel import build_wheel, package_version, wheel_name

ROOT = Path(__file__).resolve().parents[4]
VERSION = "0.1.0+0123456789ab"


def _project(tmp_path: Path) -> Path:
    project = tmp_path / "project"
    (project / "src" / "mlpbook" / "__pycache__").mkdir(parents=True)
    (project / "pyproject.toml").write_text('[project]\nname = "mlpbook"\nversion = "0.1.0"\n')
    (project / "src" / "mlpbook" / "__init__.py").write_text("x = 1\n")
    (project / "src" / "mlpbook" / "__pycache__" / "a.pyc").write_bytes(b"noise")
    return project


def test_package_version_hashes_the_source(tmp_path: Path) -> None:
    project = _project(tmp_path)
    version = package_version(project)
    assert version.startswith("0.1.0+") and len(version) == len("0.1.0+") + 12
    (project / "src" / "mlpbook" / "__pycache__" / "a.pyc").write_bytes(b"other noise")
    assert package_version(project) == version
    (project / "src" / "mlpbook" / "__init__.py").write_text("x = 2\n")
    assert package_version(project) != version
    with pytest.raises(FileNotFoundError, match="project must be the mlpbook repository"):
        package_version(tmp_path)


def test_wheel_name_names_a_bad_version() -> None:
    assert wheel_name(VERSION) == f"mlpbook-{VERSION}-py3-none-any.whl"
    with pytest.raises(ValueError, match="got 'a b'"):
        wheel_name("a b")


def test_build_wheel_of_this_repository(tmp_path: Path) -> None:
    version = package_version(ROOT)
    (tmp_path / "mlpbook-0.0.1-py3-none-any.whl").write_bytes(b"stale")
    wheel = build_wheel(ROOT, tmp_path, version)
    assert wheel.name == wheel_name(version)
    assert [p.name for p in tmp_path.iterdir()] == [wheel.name]  # the stale one is gone
    with zipfile.ZipFile(wheel) as zf:
        names = zf.namelist()
        metadata = zf.read(f"mlpbook-{version}.dist-info/METADATA").decode()
    assert "mlpbook/book/glue.py" in names and "mlpbook/py.typed" in names
    assert f"Version: {version}" in metadata and "Requires-Dist: torch" in metadata
    assert not any("__pycache__" in n for n in names)
