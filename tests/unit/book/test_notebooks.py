"""Unit tests of the downloadable notebooks: glue filled in, plain Markdown, the install
cell, the wheel. (``tests/site/notebook_e2e.py`` runs a downloaded chapter in a fresh
environment.)"""

from __future__ import annotations

import base64
import importlib.metadata
import importlib.util
import re
import subprocess
import sys
import zipfile
from pathlib import Path
from types import SimpleNamespace

import nbformat
import pytest

from mlpbook.book import notebooks
from mlpbook.book.notebooks import GlueError, plain_markdown, substitute_glue

ROOT = Path(__file__).resolve().parents[3]


def _out(**data: str) -> dict:
    return {"output_type": "display_data", "metadata": {}, "data": data}


GLUE = {
    "mse": _out(**{"text/plain": "0.0123456"}),
    "n": _out(**{"text/plain": "1234567"}),
    "share": _out(**{"text/plain": "0.25"}),
    "name": _out(**{"text/plain": "'relu_x*'"}),
    "table": _out(**{"text/plain": "<Markdown>", "text/markdown": "| a |\n| --- |\n| 1 |\n"}),
    "verdict": _out(**{"text/plain": "<Markdown>", "text/markdown": "**5 of 5**"}),
    "eq": _out(**{"text/plain": "<Latex>", "text/latex": "$$a^2$$"}),
    "fig": _out(**{"text/plain": "<Figure>", "image/png": "iVBORw0KGgo=\n"}),
}


# ----------------------------------------------------------------- format_glue_text


@pytest.mark.parametrize(
    ("text", "spec"),
    [
        ("0.0123456", ".2g"),
        ("0.0123456", ".3f"),
        ("0.0123456", ".1e"),
        ("1234567", ",.0f"),
        ("1234567", ","),
        ("0.256", ".0%"),
        ("12", ""),
        ("'abc'", ""),
        ("'abc'", "s"),
        ("np.float64(0.5)", ""),
        ("3", "d"),
        ("1234.5", ",.3g"),
    ],
)
def test_format_glue_text_matches_myst_nb(text: str, spec: str) -> None:
    myst_nb = pytest.importorskip("myst_nb.core.variables")
    assert notebooks.format_glue_text(text, spec) == myst_nb.format_plain_text(text, spec)


def test_format_glue_text_names_value_and_spec_it_cannot_format() -> None:
    with pytest.raises(GlueError, match=r"'abc'.*'\.2f'"):
        notebooks.format_glue_text("'abc'", ".2f")
    with pytest.raises(TypeError, match="got 0.5 and '.2f'"):
        notebooks.format_glue_text(0.5, ".2f")  # type: ignore[arg-type]


# ------------------------------------------------------------------ substitute_glue


def test_text_roles_use_the_pages_format_spec() -> None:
    md = "MSE {glue:text}`mse:.2g`, n = {glue:text}`n:,` ({glue:text}`share:.0%`), {glue:text}`n`."
    assert substitute_glue(md, GLUE).source == "MSE 0.012, n = 1,234,567 (25%), 1234567."


def test_text_is_pasted_literally_not_as_markdown() -> None:
    assert substitute_glue("{glue:text}`name`", GLUE).source == r"relu\_x\*"


def test_markdown_roles_and_directives() -> None:
    md = (
        "Seeds: {glue:md}`verdict` and {glue}`verdict`.\n\n"
        "```{glue:md} table\n:format: myst\n```\n\n"
        ":::{glue:md} table\n:::\n"
    )
    out = substitute_glue(md, GLUE).source
    assert out == (
        "Seeds: **5 of 5** and **5 of 5**.\n\n| a |\n| --- |\n| 1 |\n\n| a |\n| --- |\n| 1 |\n"
    )


def test_an_indented_directive_keeps_its_indentation() -> None:
    md = "* item\n\n  ```{glue:md} table\n  :format: myst\n  ```\n* next"
    out = substitute_glue(md, GLUE).source
    assert out == "* item\n\n  | a |\n  | --- |\n  | 1 |\n* next"


def test_math_and_figure_directives() -> None:
    md = "```{glue:math} eq\n```\n\n```{glue:figure} fig\n:alt: a curve\n\nThe caption.\n```"
    out = substitute_glue(md, GLUE)
    assert out.source == "$$\na^2\n$$\n\n![a curve](attachment:fig.png)\n\nThe caption."
    assert out.attachments == {"fig.png": {"image/png": "iVBORw0KGgo="}}
    base64.b64decode(out.attachments["fig.png"]["image/png"])


def test_glue_inside_a_directive_is_filled_but_not_inside_code() -> None:
    md = (
        "```{exercise}\n:label: ex\n\nReach {glue:text}`mse:.1e`.\n```\n\n"
        "```python\nprint('{glue:text}`mse:.1e`')\n```\n\n"
        "````{code-block} md\n{glue:text}`missing`\n````"
    )
    out = substitute_glue(md, GLUE).source
    assert "Reach 1.2e-02." in out
    assert "print('{glue:text}`mse:.1e`')" in out
    assert "{glue:text}`missing`" in out


@pytest.mark.parametrize(
    ("md", "message"),
    [
        ("{glue:text}`nope:.2f`", r"page, cell 3: no glued value named 'nope'"),
        ("{glue:md}`mse`", r"'mse' has no text/markdown"),
        ("{glue:text}`name:.2f`", r"cannot format glued value \"'relu_x\*'\" with '\.2f'"),
        ("{glue:text}`other.md::mse`", r"another document \('other.md::mse'\)"),
        ("{glue:figure}`fig`", r"unknown glue role"),
        ("```{glue:md} table\n", r"not closed"),
        ("```{glue:md}\n```", r"needs a name"),
    ],
)
def test_bad_placeholders_raise_naming_them(md: str, message: str) -> None:
    with pytest.raises(GlueError, match=message):
        substitute_glue(md, GLUE, where="page, cell 3")


def test_bad_arguments_raise_type_errors() -> None:
    with pytest.raises(TypeError, match="markdown must be a string, got 3"):
        substitute_glue(3, GLUE)  # type: ignore[arg-type]
    with pytest.raises(TypeError, match="glue must be a mapping"):
        substitute_glue("x", [1])  # type: ignore[arg-type]
    with pytest.raises(TypeError, match="markdown must be a string, got None"):
        plain_markdown(None)  # type: ignore[arg-type]


# ------------------------------------------------------------------- plain_markdown


def test_plain_markdown_converts_the_myst_the_chapters_use() -> None:
    md = (
        "(ch-one)=\n# One\n\nAs {cite}`a2010, b2016` showed, see {ref}`ch-two` and "
        "{ref}`the first chapter <ch-one>`.\n\n"
        "```{exercise}\n:label: ex-a\n\nDo it.\n```\n\n"
        "```{solution-start} ex-a\n:class: dropdown\n```\n\nDone.\n\n"
        "```{solution-end}\n```\n\n"
        "```python\n(not-a-target)=\n{cite}`x`\n```"
    )
    out = plain_markdown(md, {"ch-two": "Two"})
    assert out == (
        "# One\n\nAs [a2010, b2016] showed, see Two and the first chapter.\n\n"
        "**Exercise.**\n\nDo it.\n\n**Solution.**\n\nDone.\n\n\n"
        "```python\n(not-a-target)=\n{cite}`x`\n```"
    )


def test_plain_markdown_keeps_an_exercise_title_and_nested_code() -> None:
    md = "````{exercise} Widths\n:label: ex-w\n\nRun\n```python\nf()\n```\n````\nAfter."
    assert plain_markdown(md) == "**Exercise: Widths.**\n\nRun\n```python\nf()\n```\nAfter."


# -------------------------------------------------------------- downloadable_notebook


def _executed() -> nbformat.NotebookNode:
    nb = nbformat.v4.new_notebook()
    nb.metadata = {
        "jupytext": {"text_representation": {"format_name": "myst"}},
        "kernelspec": {"name": "python3", "display_name": "Python 3", "language": "python"},
        "source_map": [1, 2],
    }
    nb.cells = [
        nbformat.v4.new_markdown_cell("(ch-x)=\n# X\n\nMSE {glue:text}`mse:.3f`."),
        nbformat.v4.new_code_cell(
            "glue('mse', 0.0123456, display=False)",
            metadata={"tags": ["remove-output"], "mystnb": {"image": {"alt": "a"}}},
        ),
    ]
    return nb


def test_downloadable_notebook_is_clean_filled_and_starts_with_the_install_cell() -> None:
    executed = _executed()
    before = nbformat.writes(executed)
    nb = notebooks.downloadable_notebook(
        executed, GLUE, install_source="print('install')", name="book/x"
    )
    assert nbformat.writes(executed) == before  # the executed notebook is not changed
    assert list(nb.metadata) == ["kernelspec"]
    first = nb.cells[0]
    assert (first.cell_type, first.id, first.source) == (
        "code",
        "mlpbook-install",
        "print('install')",
    )
    assert nb.cells[1].source == "# X\n\nMSE 0.012."
    assert nb.cells[2].metadata == {"tags": ["remove-output"]}
    nbformat.validate(nb)


def test_downloadable_notebook_names_the_page_and_cell_of_a_bad_placeholder() -> None:
    executed = _executed()
    executed.cells[0].source = "{glue:text}`gone`"
    with pytest.raises(GlueError, match=r"book/x, cell 0: no glued value named 'gone'"):
        notebooks.downloadable_notebook(executed, GLUE, install_source="", name="book/x")
    with pytest.raises(TypeError, match="nbformat 4 notebook"):
        notebooks.downloadable_notebook({"cells": []}, GLUE, install_source="")


# -------------------------------------------------------------------- install cell

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
    source = notebooks.install_cell_source(VERSION, url, torch_requirement="torch>=2.13,<3")
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
        notebooks.install_cell_source("latest")
    with pytest.raises(ValueError, match="wheel_url must be an http\\(s\\) URL .* got 'ftp://x'"):
        notebooks.install_cell_source(VERSION, "ftp://x")
    with pytest.raises(ValueError, match="torch_requirement .* got 'numpy'"):
        notebooks.install_cell_source(VERSION, torch_requirement="numpy")


def test_install_cell_names_the_repository_when_it_is_known() -> None:
    source = notebooks.install_cell_source(VERSION, repository_url="https://github.com/o/r")
    assert "clone https://github.com/o/r and run `pip install -e .`" in source


# ---------------------------------------------------------------- version and wheel


def _project(tmp_path: Path) -> Path:
    project = tmp_path / "project"
    (project / "src" / "mlpbook" / "__pycache__").mkdir(parents=True)
    (project / "pyproject.toml").write_text('[project]\nname = "mlpbook"\nversion = "0.1.0"\n')
    (project / "src" / "mlpbook" / "__init__.py").write_text("x = 1\n")
    (project / "src" / "mlpbook" / "__pycache__" / "a.pyc").write_bytes(b"noise")
    return project


def test_package_version_hashes_the_source(tmp_path: Path) -> None:
    project = _project(tmp_path)
    version = notebooks.package_version(project)
    assert version.startswith("0.1.0+") and len(version) == len("0.1.0+") + 12
    (project / "src" / "mlpbook" / "__pycache__" / "a.pyc").write_bytes(b"other noise")
    assert notebooks.package_version(project) == version
    (project / "src" / "mlpbook" / "__init__.py").write_text("x = 2\n")
    assert notebooks.package_version(project) != version
    with pytest.raises(FileNotFoundError, match="project must be the mlpbook repository"):
        notebooks.package_version(tmp_path)


def test_wheel_name_and_site_urls() -> None:
    assert notebooks.wheel_name(VERSION) == WHEEL
    with pytest.raises(ValueError, match="got 'a b'"):
        notebooks.wheel_name("a b")
    site = notebooks.Site(ROOT, VERSION, "https://example.org/book/", "", "torch")
    assert site.wheel_url == URL
    assert notebooks.Site(ROOT, VERSION, "", "", "torch").wheel_url == ""


def test_site_settings_ignore_jupyter_books_placeholder_repository(monkeypatch) -> None:
    placeholder = notebooks._jupyter_book_default_repository()
    config = SimpleNamespace(html_baseurl="", html_theme_options={"repository_url": placeholder})
    monkeypatch.delenv(notebooks.BASEURL_ENV, raising=False)
    site = notebooks.site_settings(config)
    assert (site.baseurl, site.repository_url) == ("", "")
    assert site.torch_requirement.startswith("torch>=")
    monkeypatch.setenv(notebooks.BASEURL_ENV, "https://o.github.io/r/")
    config.html_theme_options = {"repository_url": "https://github.com/o/r"}
    site = notebooks.site_settings(config)
    assert (site.baseurl, site.repository_url) == (
        "https://o.github.io/r/",
        "https://github.com/o/r",
    )
    monkeypatch.setenv(notebooks.BASEURL_ENV, "o.github.io/r")
    with pytest.raises(ValueError, match="got 'o.github.io/r'"):
        notebooks.site_settings(config)


def test_build_wheel_of_this_repository(tmp_path: Path) -> None:
    version = notebooks.package_version(ROOT)
    (tmp_path / "mlpbook-0.0.1-py3-none-any.whl").write_bytes(b"stale")
    wheel = notebooks.build_wheel(ROOT, tmp_path, version)
    assert wheel.name == notebooks.wheel_name(version)
    assert [p.name for p in tmp_path.iterdir()] == [wheel.name]  # the stale one is gone
    with zipfile.ZipFile(wheel) as zf:
        names = zf.namelist()
        metadata = zf.read(f"mlpbook-{version}.dist-info/METADATA").decode()
    assert "mlpbook/book/glue.py" in names and "mlpbook/py.typed" in names
    assert f"Version: {version}" in metadata and "Requires-Dist: torch" in metadata
    assert not any("__pycache__" in n for n in names)


# ------------------------------------------------------------ glue_from_notebook


def test_glue_from_notebook_reads_hidden_and_shown_values() -> None:
    prefix = "application/papermill.record/"
    nb = nbformat.v4.new_notebook()
    cell = nbformat.v4.new_code_cell("glue(...)")
    cell.outputs = [
        nbformat.v4.new_output(
            "display_data",
            data={prefix + "text/plain": "0.5"},
            metadata={"scrapbook": {"name": "hidden", "mime_prefix": prefix}},
        ),
        nbformat.v4.new_output(
            "display_data",
            data={"text/plain": "<Markdown>", "text/markdown": "**x**"},
            metadata={"scrapbook": {"name": "shown", "mime_prefix": ""}},
        ),
        nbformat.v4.new_output("stream", text="not glue"),
    ]
    nb.cells = [nbformat.v4.new_markdown_cell("{glue:text}`hidden:.1f`"), cell]
    glue = notebooks.glue_from_notebook(nb)
    assert {k: v["data"] for k, v in glue.items()} == {
        "hidden": {"text/plain": "0.5"},
        "shown": {"text/plain": "<Markdown>", "text/markdown": "**x**"},
    }
    assert substitute_glue(nb.cells[0].source, glue).source == "0.5"
    with pytest.raises(TypeError, match="nbformat 4 notebook"):
        notebooks.glue_from_notebook([])


def test_the_landing_page_is_reread_when_the_package_version_changes() -> None:
    site = notebooks.Site(ROOT, VERSION, "", "", "torch")
    app = SimpleNamespace(**{notebooks._SITE_ATTR: site})
    env = SimpleNamespace(**{notebooks._ENV_PAGES: {"book/index": VERSION, "other": VERSION}})
    assert notebooks._downloads_outdated(app, env, set(), set(), set()) == []
    getattr(env, notebooks._ENV_PAGES)["book/index"] = "0.1.0+ffffffffffff"
    assert notebooks._downloads_outdated(app, env, set(), set(), set()) == ["book/index"]
    notebooks._purge_doc(app, env, "book/index")
    assert getattr(env, notebooks._ENV_PAGES) == {"other": VERSION}
