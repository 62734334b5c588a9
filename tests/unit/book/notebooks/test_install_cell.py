"""Unit tests of :mod:`mlpbook.book.notebooks.install_cell`: the first cell of a download,
run with pip, importlib and the platform faked."""

from __future__ import annotations

import importlib.metadata
import importlib.util
import re
import subprocess
import sys
from pathlib import Path
from types import SimpleNamespace

import pytest

from mlpbook.book.notebooks.install_cell import install_cell_source

VERSION = "0.1.0+0123456789ab"
WHEEL = f"mlpbook-{VERSION}-py3-none-any.whl"
URL = "https://example.org/book/_downloads/mlpbook-0.1.0%2B0123456789ab-py3-none-any.whl"


def _run_cell(
    monkeypatch: pytest.MonkeyPatch,
    tmp_path: Path,
    *,
    url: str = "",
    versions: dict[str, str | None],
    origin: str | None,
    platform: str = "linux",
    fresh_kernel: bool = True,
) -> tuple[list[list[str]], str]:
    """Execute the install cell with pip, importlib and the platform faked; the pip calls."""
    calls: list[list[str]] = []
    printed: list[str] = []

    def fake_version(name: str) -> str:
        if versions.get(name) is None:
            raise importlib.metadata.PackageNotFoundError(name)
        return versions[name]  # type: ignore[return-value]

    def fake_run(command: list[str], **kwargs: object) -> SimpleNamespace:
        calls.append(command[3:])
        if command[4:5] and command[4].endswith(".whl"):
            versions["mlpbook"] = VERSION
        return SimpleNamespace(returncode=0, stdout="", stderr="")

    spec = SimpleNamespace(origin=origin) if origin else None
    monkeypatch.setattr(importlib.metadata, "version", fake_version)
    monkeypatch.setattr(importlib.util, "find_spec", lambda name: spec)
    monkeypatch.setattr(subprocess, "run", fake_run)
    monkeypatch.setattr(sys, "platform", platform)
    monkeypatch.chdir(tmp_path)
    if fresh_kernel:  # mlpbook not imported yet in the reader's kernel
        monkeypatch.delitem(sys.modules, "mlpbook", raising=False)
    source = install_cell_source(VERSION, url, torch_requirement="torch>=2.13,<3")
    exec(compile(source, "install-cell", "exec"), {"print": printed.append})
    return calls, "\n".join(printed)


def test_install_cell_does_nothing_when_the_version_is_installed(monkeypatch, tmp_path) -> None:
    site = "/venv/lib/python3.11/site-packages/mlpbook/__init__.py"
    calls, said = _run_cell(
        monkeypatch, tmp_path, url=URL, versions={"mlpbook": VERSION}, origin=site
    )
    assert calls == [] and f"mlpbook {VERSION} is installed" in said


def test_install_cell_leaves_a_clone_alone(monkeypatch, tmp_path) -> None:
    clone = "/home/me/mlpbook/src/mlpbook/__init__.py"
    calls, said = _run_cell(
        monkeypatch, tmp_path, url=URL, versions={"mlpbook": "0.1.0"}, origin=clone
    )
    assert calls == [] and "Using your own copy of mlpbook" in said and clone in said


def test_install_cell_installs_cpu_torch_then_the_wheel_from_the_site(
    monkeypatch, tmp_path
) -> None:
    calls, said = _run_cell(monkeypatch, tmp_path, url=URL, versions={}, origin=None)
    assert calls == [
        ["install", "torch>=2.13,<3", "--index-url", "https://download.pytorch.org/whl/cpu"],
        ["install", URL],
    ]
    assert said.endswith("Done.")


def test_install_cell_replaces_another_installed_version(monkeypatch, tmp_path) -> None:
    site = "/venv/lib/python3.11/site-packages/mlpbook/__init__.py"
    calls, said = _run_cell(
        monkeypatch,
        tmp_path,
        url=URL,
        versions={"mlpbook": "0.1.0+ffffffffffff", "torch": "2.13.0"},
        origin=site,
        platform="darwin",
        fresh_kernel=False,
    )
    assert calls == [["install", URL]]
    assert "restart the kernel" in said  # mlpbook itself is imported in this process


def test_install_cell_prefers_a_wheel_next_to_the_notebook(monkeypatch, tmp_path) -> None:
    (tmp_path / WHEEL).write_bytes(b"")
    calls, _ = _run_cell(monkeypatch, tmp_path, versions={"torch": "2.13.0"}, origin=None)
    assert calls == [["install", str(tmp_path / WHEEL)]]


def test_install_cell_without_a_site_says_what_to_do(monkeypatch, tmp_path) -> None:
    with pytest.raises(RuntimeError, match=rf"Download {re.escape(WHEEL)}.*pip install -e \."):
        _run_cell(monkeypatch, tmp_path, versions={}, origin=None)


def test_install_cell_rejects_bad_arguments() -> None:
    with pytest.raises(ValueError, match="version must be .* got 'latest'"):
        install_cell_source("latest")
    with pytest.raises(ValueError, match="wheel_url must be an http\\(s\\) URL .* got 'ftp://x'"):
        install_cell_source(VERSION, "ftp://x")
    with pytest.raises(ValueError, match="torch_requirement .* got 'numpy'"):
        install_cell_source(VERSION, torch_requirement="numpy")


def test_install_cell_names_the_repository_when_it_is_known() -> None:
    source = install_cell_source(VERSION, repository_url="https://github.com/o/r")
    assert "clone https://github.com/o/r and run `pip install -e .`" in source
