"""Downloadable notebooks that run anywhere, and the wheel they install.

Every chapter page offers its executed notebook in the theme's download menu
(``_sources/<page>.ipynb``). A chapter's Markdown is MyST, written for the book
build; as an ordinary notebook it would show ``{glue:text}`` placeholders and
directive fences. :func:`downloadable_notebook` turns the executed notebook
into one that reads and runs anywhere (JupyterLab, VS Code, Colab):

* every glue placeholder (``{glue:text}`name:fmt```, ``{glue:md}``, ``{glue}``,
  and the ``{glue:md}`` / ``{glue:figure}`` / ``{glue:math}`` / ``{glue}``
  directives) is replaced by the value of that build, formatted as the page
  formats it (:func:`substitute_glue`);
* the few MyST constructs the chapters use that Jupyter cannot show (exercise
  and solution directives, ``(label)=`` targets, ``{cite}`` and ``{ref}``
  roles) become plain Markdown (:func:`plain_markdown`);
* jupytext's and myst-nb's metadata are dropped;
* a first cell installs the exact ``mlpbook`` the pages were built with, unless
  it is installed already (:func:`install_cell_source`). The build serves that
  package as a wheel, ``_downloads/mlpbook-<version>-py3-none-any.whl`` under
  the site root (:func:`build_wheel`), whose version carries a hash of the
  package's source (:func:`package_version`), so "the same version" means the
  same code.

The Sphinx side (:func:`setup`, loaded by :mod:`mlpbook.book.sphinxext`) writes
the notebooks, builds the wheel and fills the ``{mlpbook-downloads}`` directive
of the landing page. The site's public address comes from ``html.baseurl`` in
``_config.yml`` (or the environment variable ``MLPBOOK_BASEURL``, which the
GitHub Pages workflow sets); without one the install cell explains what to do
instead of guessing a URL.
"""

from __future__ import annotations

import ast
import base64
import copy
import hashlib
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import textwrap
import urllib.parse
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from docutils import nodes
from sphinx.application import Sphinx
from sphinx.config import Config
from sphinx.util.docutils import SphinxDirective
from sphinx.util.osutil import relative_uri

__all__ = [
    "BASEURL_ENV",
    "DOWNLOADS_DIR",
    "INSTALL_CELL_ID",
    "GlueError",
    "Site",
    "build_wheel",
    "downloadable_notebook",
    "format_glue_text",
    "glue_from_notebook",
    "install_cell_source",
    "package_version",
    "plain_markdown",
    "setup",
    "substitute_glue",
    "wheel_name",
]

DOWNLOADS_DIR = "_downloads"
"""The folder under the site root that holds the wheel."""

BASEURL_ENV = "MLPBOOK_BASEURL"
"""Environment variable with the site's public address, used when ``html.baseurl`` is empty."""

INSTALL_CELL_ID = "mlpbook-install"
"""The cell id of the install cell at the top of every downloadable notebook."""

TORCH_CPU_INDEX = "https://download.pytorch.org/whl/cpu"
"""PyTorch's CPU-only wheel index (on Linux, PyPI's torch is the multi-GB CUDA build)."""

# Notebook and cell metadata kept in a download: what Jupyter itself uses.
_NOTEBOOK_METADATA = ("kernelspec", "language_info")
_CELL_METADATA = ("tags", "jupyter", "collapsed", "scrolled")


class GlueError(ValueError):
    """A glue placeholder that cannot be filled (unknown name, missing MIME type, bad form)."""


# --------------------------------------------------------------------------- glue


def format_glue_text(text: str, spec: str) -> str:
    """Format a glued value's ``text/plain`` as ``{glue:text}`name:spec``` shows it.

    The same rules as myst-nb's ``format_plain_text``: the text is read as a
    Python literal when it is one (so ``'abc'`` loses its quotes), then
    converted by the spec's type character (``d``/``x``... to int,
    ``f``/``e``/``g``/``%``... to float, ``s`` to str) and formatted.

    Raises:
        TypeError: if ``text`` or ``spec`` is not a string.
        GlueError: if the value cannot be formatted with ``spec``.
    """
    if not isinstance(text, str) or not isinstance(spec, str):
        raise TypeError(f"text and spec must be strings, got {text!r} and {spec!r}")
    try:
        value: Any = ast.literal_eval(text)
    except (SyntaxError, ValueError):
        value = text
    if spec == "":
        return str(value)
    kind = spec[-1]
    try:
        if kind == "s":
            value = str(value)
        elif kind in "bcdoxX":
            value = int(value)
        elif kind in "eEfFgGn%":
            value = float(value)
        return format(value, spec)
    except (TypeError, ValueError) as exc:
        raise GlueError(f"cannot format glued value {text!r} with {spec!r}: {exc}") from exc


_MD_SPECIAL = re.compile(r"([\\`*_\[\]<>$|])")


def _escape_markdown(text: str) -> str:
    """``text`` shown literally in Markdown (``{glue:text}`` pastes plain text)."""
    return _MD_SPECIAL.sub(r"\\\1", text)


_ROLE = re.compile(r"\{glue(?::(?P<kind>[a-z]*))?\}`(?P<body>[^`]+)`")
_FENCE = re.compile(r"^(?P<indent> {0,3})(?P<fence>`{3,}|:{3,})(?P<info>.*)$")
_DIRECTIVE = re.compile(r"^\{(?P<name>[^}\s]+)\}\s*(?P<argument>.*)$")
_OPTION = re.compile(r"^\s*:(?P<name>[\w-]+):\s*(?P<value>.*)$")
# Directives whose content is not Markdown: roles inside them are not roles.
_LITERAL_DIRECTIVES = {"code", "code-block", "code-cell", "sourcecode", "math", "raw"}
_GLUE_KINDS = {"", "any", "text", "md", "figure", "math"}


@dataclass
class Substituted:
    """Markdown with its glue filled in, and the cell attachments its images need."""

    source: str
    attachments: dict[str, dict[str, str]] = field(default_factory=dict)


@dataclass
class _Fence:
    char: str
    length: int
    literal: bool
    drop_close: bool = False  # a directive turned into plain paragraphs

    def closed_by(self, line: str) -> bool:
        match = _FENCE.match(line)
        return bool(
            match
            and match["fence"][0] == self.char
            and len(match["fence"]) >= self.length
            and not match["info"].strip()
        )


def _entry(glue: Mapping[str, Any], key: str, where: str) -> Mapping[str, Any]:
    if "::" in key:
        raise GlueError(f"{where}: glue from another document ({key!r}) is not supported")
    if key not in glue:
        known = ", ".join(sorted(glue)) or "none"
        raise GlueError(f"{where}: no glued value named {key!r} (glued here: {known})")
    data = glue[key].get("data")
    if not isinstance(data, Mapping):
        raise GlueError(f"{where}: glued value {key!r} has no output data")
    return data


def _mime(data: Mapping[str, Any], mime: str, key: str, where: str) -> str:
    if mime not in data:
        raise GlueError(f"{where}: glued value {key!r} has no {mime} (it has {sorted(data)})")
    value = data[mime]
    return "".join(value) if isinstance(value, list) else str(value)


class _Filler:
    """Turns glue references into Markdown, collecting image attachments."""

    def __init__(self, glue: Mapping[str, Any], where: str) -> None:
        self.glue = glue
        self.where = where
        self.attachments: dict[str, dict[str, str]] = {}

    def image(self, key: str, data: Mapping[str, Any], alt: str) -> str | None:
        for mime, ext in (("image/svg+xml", "svg"), ("image/png", "png"), ("image/jpeg", "jpg")):
            if mime in data:
                content = _mime(data, mime, key, self.where)
                if mime == "image/svg+xml":
                    content = base64.b64encode(content.encode()).decode()
                name = f"{key}.{ext}"
                self.attachments[name] = {mime: content.replace("\n", "")}
                return f"![{_escape_markdown(alt or key)}](attachment:{name})"
        return None

    def any(self, key: str, *, inline: bool, alt: str = "") -> str:
        """``{glue}``: the richest output Jupyter Markdown can show."""
        data = _entry(self.glue, key, self.where)
        if "text/markdown" in data:
            return _mime(data, "text/markdown", key, self.where).strip()
        image = self.image(key, data, alt)
        if image is not None:
            return image
        if "text/latex" in data:
            latex = _mime(data, "text/latex", key, self.where).strip()
            return (
                latex if latex.startswith("$") else (f"${latex}$" if inline else f"$$\n{latex}\n$$")
            )
        if "text/html" in data and not inline:
            return _mime(data, "text/html", key, self.where).strip()
        return _escape_markdown(_mime(data, "text/plain", key, self.where))

    def role(self, kind: str, body: str) -> str:
        if "::" in body:
            raise GlueError(f"{self.where}: glue from another document ({body!r}) is not supported")
        if kind not in _GLUE_KINDS - {"figure", "math"}:
            raise GlueError(f"{self.where}: unknown glue role {{glue:{kind}}}`{body}`")
        if kind == "text":
            key, _, spec = body.rpartition(":") if ":" in body else (body, "", "")
            data = _entry(self.glue, key, self.where)
            return _escape_markdown(
                format_glue_text(_mime(data, "text/plain", key, self.where), spec)
            )
        if kind == "md":
            key = body.rsplit(":", 1)[0] if ":" in body else body
            return _mime(
                _entry(self.glue, key, self.where), "text/markdown", key, self.where
            ).strip()
        return self.any(body, inline=True)

    def directive(self, kind: str, key: str, options: dict[str, str], body: list[str]) -> str:
        if not key:
            raise GlueError(f"{self.where}: a {{glue:{kind}}} directive needs a name")
        if kind == "md":
            return _mime(
                _entry(self.glue, key, self.where), "text/markdown", key, self.where
            ).strip()
        if kind == "math":
            latex = _mime(_entry(self.glue, key, self.where), "text/latex", key, self.where)
            return "$$\n" + latex.strip().strip("$").strip() + "\n$$"
        shown = self.any(key, inline=False, alt=options.get("alt", ""))
        caption = "\n".join(body).strip()
        if kind == "figure" and caption:
            shown += "\n\n" + caption
        return shown


def substitute_glue(
    markdown: str, glue: Mapping[str, Any], *, where: str = "markdown"
) -> Substituted:
    """Replace every glue role and directive in ``markdown`` by its value.

    Args:
        markdown: a Markdown cell's source, MyST syntax.
        glue: myst-nb's glue data of the page (``_build/jupyter_execute/<page>.glue.json``):
            name -> output (``{"data": {mime: value}, "metadata": ...}``, MIME
            types without the ``application/papermill.record/`` prefix).
        where: how errors name the cell (page and cell number).

    Returns:
        The Markdown with values in place of placeholders, and the attachments
        (name -> {mime: base64}) for glued images, referenced as
        ``attachment:<name>``.

    Raises:
        TypeError: if ``markdown`` is not a string or ``glue`` not a mapping.
        GlueError: for a name that was not glued, a value without the MIME type
            the placeholder needs, or a value its format spec does not fit.

    Roles inside code (fenced blocks, ``{code-block}``, ``{math}``) are left alone.
    """
    if not isinstance(markdown, str):
        raise TypeError(f"markdown must be a string, got {markdown!r}")
    if not isinstance(glue, Mapping):
        raise TypeError(f"glue must be a mapping of names to outputs, got {glue!r}")
    filler = _Filler(glue, where)
    out: list[str] = []
    stack: list[_Fence] = []
    lines = iter(markdown.split("\n"))
    for line in lines:
        if stack and stack[-1].literal:
            if stack[-1].closed_by(line):
                stack.pop()
            out.append(line)
            continue
        if stack and stack[-1].closed_by(line):
            stack.pop()
            out.append(line)
            continue
        fence = _FENCE.match(line)
        if fence and fence["info"].strip():
            info = fence["info"].strip()
            directive = _DIRECTIVE.match(info)
            fence_state = _Fence(fence["fence"][0], len(fence["fence"]), literal=True)
            if directive and re.fullmatch(r"glue(:[a-z]*)?", directive["name"]):
                kind = directive["name"].partition(":")[2] or "any"
                if kind not in _GLUE_KINDS:
                    raise GlueError(f"{where}: unknown glue directive {{{directive['name']}}}")
                options, body = _directive_block(lines, fence_state, where)
                shown = filler.directive(kind, directive["argument"], options, body)
                out.append(textwrap.indent(shown, fence["indent"]))  # e.g. inside a list item
                continue
            fence_state.literal = not directive or directive["name"] in _LITERAL_DIRECTIVES
            if fence_state.char == ":" and not directive:
                out.append(line)  # not a fence in MyST without a directive
                continue
            stack.append(fence_state)
            out.append(line)
            continue
        if fence and fence["fence"][0] == "`":  # an unlabelled code block
            stack.append(_Fence("`", len(fence["fence"]), literal=True))
            out.append(line)
            continue
        out.append(_ROLE.sub(lambda m: filler.role(m["kind"] or "any", m["body"]), line))
    return Substituted("\n".join(out), filler.attachments)


def _directive_block(
    lines: Iterator[str], fence: _Fence, where: str
) -> tuple[dict[str, str], list[str]]:
    """Consume a directive up to its closing fence: its ``:option: value`` lines and body."""
    options: dict[str, str] = {}
    body: list[str] = []
    in_options = True
    for line in lines:
        if fence.closed_by(line):
            return options, body
        option = _OPTION.match(line) if in_options else None
        if option:
            options[option["name"]] = option["value"].strip()
            continue
        in_options = False
        body.append(line)
    raise GlueError(f"{where}: a glue directive is not closed")


# ------------------------------------------------------------- MyST -> Markdown

_TARGET = re.compile(r"^\([\w.:-]+\)=\s*$")
_CITE = re.compile(r"\{cite(?::[a-z]+)?\}`(?P<keys>[^`]+)`")
_REF = re.compile(r"\{(?:ref|numref|doc)\}`(?P<body>[^`]+)`")
_REF_TEXT = re.compile(r"^(?P<text>.*?)\s*<(?P<target>[^<>]+)>$", re.S)


def plain_markdown(markdown: str, titles: Mapping[str, str] | None = None) -> str:
    """The MyST constructs the chapters use, as Markdown that Jupyter shows.

    * ``(label)=`` target lines are removed;
    * ``{cite}`a,b``` becomes ``[a, b]`` (the keys of the book's bibliography);
    * ``{ref}`text <label>``` becomes ``text``, ``{ref}`label``` the target's
      title from ``titles`` (label -> title), else the label;
    * an ``{exercise}`` directive becomes a paragraph **Exercise.** (or
      **Exercise: its title.**) followed by its content, a ``{solution-start}``
      one **Solution.**; a ``{solution-end}`` disappears.

    Code blocks are left alone; other directives stay as they are.

    Raises:
        TypeError: if ``markdown`` is not a string.
    """
    if not isinstance(markdown, str):
        raise TypeError(f"markdown must be a string, got {markdown!r}")
    titles = titles or {}

    def ref(match: re.Match[str]) -> str:
        explicit = _REF_TEXT.match(match["body"])
        return explicit["text"] if explicit else titles.get(match["body"], match["body"])

    def inline(line: str) -> str:
        line = _CITE.sub(
            lambda m: "[" + ", ".join(k.strip() for k in m["keys"].split(",")) + "]", line
        )
        return _REF.sub(ref, line)

    out: list[str] = []
    stack: list[_Fence] = []
    skipping_options = False  # just after an exercise or solution heading
    for line in markdown.split("\n"):
        if skipping_options:
            if _OPTION.match(line) or not line.strip():
                continue
            skipping_options = False
            if not (stack and stack[-1].closed_by(line)):
                out.append("")  # the heading is a paragraph of its own
        if stack and stack[-1].closed_by(line):
            if not stack.pop().drop_close:
                out.append(line)
            continue
        if stack and stack[-1].literal:
            out.append(line)
            continue
        fence = _FENCE.match(line)
        info = fence["info"].strip() if fence else ""
        directive = _DIRECTIVE.match(info)
        if fence and directive and directive["name"] in ("exercise", "solution-start"):
            if directive["name"] == "exercise":
                title = directive["argument"].strip()
                out.append(f"**Exercise{': ' + title if title else ''}.**")
            else:
                out.append("**Solution.**")
            stack.append(_Fence(fence["fence"][0], len(fence["fence"]), False, drop_close=True))
            skipping_options = True
        elif fence and directive and directive["name"] == "solution-end":
            stack.append(_Fence(fence["fence"][0], len(fence["fence"]), False, drop_close=True))
            skipping_options = True
        elif fence and (directive or (fence["fence"][0] == "`")):
            literal = not directive or directive["name"] in _LITERAL_DIRECTIVES
            stack.append(_Fence(fence["fence"][0], len(fence["fence"]), literal))
            out.append(line)
        elif _TARGET.match(line):
            continue
        else:
            out.append(inline(line))
    return "\n".join(out)


# ----------------------------------------------------------------- install cell


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
    return f'''\
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
        _pip_install("{torch_requirement}", "--index-url", "{TORCH_CPU_INDEX}")
    print(f"Installing mlpbook {{MLPBOOK_VERSION}} and its dependencies ...")
    _pip_install(_source)
    importlib.invalidate_caches()
    _stale = [n for n, v in _before.items() if n in sys.modules and _version(n) != v]
    if _stale:
        print(f"pip replaced {{_stale}}, already imported here: restart the kernel "
              "(Colab: Runtime > Restart session) and run the notebook from the top.")
    else:
        print("Done.")
'''


# ------------------------------------------------------------------- notebooks


def glue_from_notebook(notebook: Any) -> dict[str, dict[str, Any]]:
    """The values an executed notebook glued: name -> output, MIME prefixes removed.

    The same data myst-nb extracts for the page (outputs whose metadata has a
    ``scrapbook`` name; the ``application/papermill.record/`` prefix of values
    glued with ``display=False`` is dropped), so :func:`substitute_glue` can
    fill a chapter from a reader's own run.

    Raises:
        TypeError: if ``notebook`` is not an nbformat 4 notebook.
    """
    if not isinstance(notebook, Mapping) or notebook.get("nbformat") != 4:
        raise TypeError(f"notebook must be an nbformat 4 notebook, got {type(notebook).__name__}")
    found: dict[str, dict[str, Any]] = {}
    for cell in notebook["cells"]:
        for output in cell.get("outputs", []) if cell["cell_type"] == "code" else []:
            record = (output.get("metadata") or {}).get("scrapbook")
            if not record:
                continue
            cut = len(record.get("mime_prefix", ""))
            data = {mime[cut:]: value for mime, value in output.get("data", {}).items()}
            found[record["name"]] = {"data": data, "metadata": output.get("metadata", {})}
    return found


def downloadable_notebook(
    notebook: Any,
    glue: Mapping[str, Any],
    *,
    install_source: str,
    titles: Mapping[str, str] | None = None,
    name: str = "notebook",
) -> Any:
    """The notebook a reader downloads, made from the executed one (which is not changed).

    Args:
        notebook: the executed ``nbformat`` notebook (version 4).
        glue: the page's glue data (see :func:`substitute_glue`).
        install_source: the code of the first cell (:func:`install_cell_source`).
        titles: label -> title, for ``{ref}`` roles (see :func:`plain_markdown`).
        name: the page, for error messages.

    Returns:
        A new notebook: glue filled in, plain Markdown, only Jupyter's own
        metadata, and the install cell first. It validates against nbformat 4.

    Raises:
        TypeError: if ``notebook`` is not an nbformat 4 notebook.
        GlueError: see :func:`substitute_glue`.
    """
    import nbformat

    if not isinstance(notebook, Mapping) or notebook.get("nbformat") != 4:
        raise TypeError(f"notebook must be an nbformat 4 notebook, got {type(notebook).__name__}")
    nb = copy.deepcopy(notebook)
    nb.metadata = nbformat.NotebookNode(
        {key: nb.metadata[key] for key in _NOTEBOOK_METADATA if key in nb.metadata}
    )
    for index, cell in enumerate(nb.cells):
        cell.metadata = nbformat.NotebookNode(
            {key: cell.metadata[key] for key in _CELL_METADATA if key in cell.metadata}
        )
        if cell.cell_type == "markdown":
            filled = substitute_glue(cell.source, glue, where=f"{name}, cell {index}")
            cell.source = plain_markdown(filled.source, titles).strip("\n")
            if filled.attachments:
                cell.attachments = nbformat.NotebookNode(filled.attachments)
    install = nbformat.v4.new_code_cell(install_source)
    install.id = INSTALL_CELL_ID
    nb.cells.insert(0, install)
    nb.nbformat_minor = max(int(nb.get("nbformat_minor", 5)), 5)  # cell ids
    nbformat.validate(nb)
    return nb


# ------------------------------------------------------------------- the wheel

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


def _torch_requirement(project: Path) -> str:
    """The ``torch`` entry of ``pyproject.toml``'s dependencies (``"torch"`` if none)."""
    import tomllib

    deps = tomllib.loads((project / "pyproject.toml").read_text())["project"]["dependencies"]
    found = [d.replace(" ", "") for d in deps if re.match(r"torch\b", d)]
    return found[0] if found else "torch"


# ----------------------------------------------------------------- Sphinx side


@dataclass(frozen=True)
class Site:
    """What the build knows about the package and the site it publishes."""

    project: Path
    version: str
    baseurl: str
    repository_url: str
    torch_requirement: str

    @property
    def wheel(self) -> str:
        """The wheel's file name."""
        return wheel_name(self.version)

    @property
    def wheel_path(self) -> str:
        """The wheel's path under the site root, URL-quoted (``+`` is ``%2B``)."""
        return f"{DOWNLOADS_DIR}/{urllib.parse.quote(self.wheel)}"

    @property
    def wheel_url(self) -> str:
        """The wheel's public URL, or ``""`` without a base URL."""
        return f"{self.baseurl.rstrip('/')}/{self.wheel_path}" if self.baseurl else ""


def _jupyter_book_default_repository() -> str | None:
    """Jupyter Book's placeholder ``repository.url``, which it applies when a book sets none."""
    try:
        import jupyter_book
        import yaml
    except ImportError:  # pragma: no cover - plain Sphinx
        return None
    defaults = yaml.safe_load(
        (Path(jupyter_book.__file__).parent / "default_config.yml").read_text()
    )
    return (defaults.get("repository") or {}).get("url")


def site_settings(config: Config) -> Site:
    """The :class:`Site` of a Sphinx build, from its config and the imported ``mlpbook``.

    The base URL is ``html_baseurl`` (``_config.yml``'s ``html.baseurl``), else
    the environment variable :data:`BASEURL_ENV`; the repository URL is the
    theme's ``repository_url`` (``repository.url``), unless it is Jupyter Book's
    own default, which it fills in when a book sets none.
    """
    import mlpbook

    project = Path(mlpbook.__file__).resolve().parents[2]
    baseurl = (getattr(config, "html_baseurl", "") or os.environ.get(BASEURL_ENV, "")).strip()
    if baseurl and not re.match(r"https?://", baseurl):
        raise ValueError(
            f"the site's base URL must start with http:// or https://, got {baseurl!r}"
        )
    options = getattr(config, "html_theme_options", None) or {}
    repository = str(options.get("repository_url") or "").strip()
    if repository and repository == _jupyter_book_default_repository():
        repository = ""
    return Site(
        project=project,
        version=package_version(project),
        baseurl=baseurl,
        repository_url=repository,
        torch_requirement=_torch_requirement(project),
    )


_SITE_ATTR = "mlpbook_site"


def _builder_inited(app: Sphinx) -> None:
    setattr(app, _SITE_ATTR, site_settings(app.config))


def _titles(app: Sphinx) -> dict[str, str]:
    """Label -> section title, for ``{ref}`` roles in downloaded notebooks."""
    labels = app.env.get_domain("std").labels
    return {label: title for label, (_doc, _id, title) in labels.items() if title}


def _executed(app: Sphinx, docname: str) -> Path:
    """Where myst-nb wrote ``docname``'s executed notebook (and ``.glue.json`` beside it)."""
    return Path(app.outdir).parent / "jupyter_execute" / f"{docname}.ipynb"


def offer_notebook(
    app: Sphinx, pagename: str, templatename: str, context: dict[str, Any], doctree: Any
) -> None:
    """``html-page-context``: offer the page's notebook in the theme's download menu.

    sphinx-book-theme offers a ``.ipynb`` download when
    ``context["ipynb_source"]`` is set, which nothing sets by default; the file
    itself is written by :func:`write_notebooks`.
    """
    if _executed(app, pagename).is_file():
        context["ipynb_source"] = f"{pagename}.ipynb"


def write_notebooks(app: Sphinx, exception: Exception | None) -> None:
    """``build-finished``: every chapter's downloadable notebook, and the wheel they install.

    Every build writes all of them, not only the pages it re-wrote, so that
    every notebook names the version of the wheel this build serves (a change
    to a module no chapter uses re-executes no chapter, but changes the version).
    myst-nb wrote each executed notebook and its glue data to
    ``_build/jupyter_execute``; :func:`downloadable_notebook` of it goes to
    ``_sources/<page>.ipynb``, and the wheel to ``_downloads/``.
    """
    import nbformat

    if exception is not None or app.builder.format != "html":
        return
    site: Site = getattr(app, _SITE_ATTR)
    install = install_cell_source(
        site.version,
        site.wheel_url,
        torch_requirement=site.torch_requirement,
        repository_url=site.repository_url,
    )
    titles = _titles(app)
    for docname in sorted(app.env.found_docs):
        executed = _executed(app, docname)
        if not executed.is_file():
            continue
        glue_file = executed.with_name(f"{executed.stem}.glue.json")
        glue = json.loads(glue_file.read_text()) if glue_file.is_file() else {}
        nb = downloadable_notebook(
            nbformat.read(executed, as_version=4),
            glue,
            install_source=install,
            titles=titles,
            name=docname,
        )
        target = Path(app.outdir) / "_sources" / f"{docname}.ipynb"
        target.parent.mkdir(parents=True, exist_ok=True)
        nbformat.write(nb, target)
    build_wheel(site.project, Path(app.outdir) / DOWNLOADS_DIR, site.version)


def _downloads_outdated(
    app: Sphinx, env: Any, added: set[str], changed: set[str], removed: set[str]
) -> list[str]:
    """``env-get-outdated``: re-read the pages with ``{mlpbook-downloads}`` when the
    package's version changed since they were read (their list names the wheel)."""
    site: Site = getattr(app, _SITE_ATTR)
    pages: dict[str, str] = getattr(env, _ENV_PAGES, {})
    return [doc for doc, version in pages.items() if version != site.version]


def _purge_doc(app: Sphinx, env: Any, docname: str) -> None:
    getattr(env, _ENV_PAGES, {}).pop(docname, None)


def _merge_info(app: Sphinx, env: Any, docnames: set[str], other: Any) -> None:
    pages = getattr(env, _ENV_PAGES, {})
    pages.update({doc: v for doc, v in getattr(other, _ENV_PAGES, {}).items() if doc in docnames})
    setattr(env, _ENV_PAGES, pages)


_ENV_PAGES = "mlpbook_downloads_pages"


class DownloadsPlaceholder(nodes.General, nodes.Element):
    """Where ``{mlpbook-downloads}`` stands; filled by :func:`fill_downloads`."""


class DownloadsDirective(SphinxDirective):
    """``{mlpbook-downloads}``: the wheel, every chapter's notebook and the repository.

    The list is made once every chapter has been read (``doctree-resolved``),
    so it names exactly the notebooks the build offers.
    """

    has_content = False

    def run(self) -> list[nodes.Node]:
        pages = getattr(self.env, _ENV_PAGES, {})
        pages[self.env.docname] = getattr(self.env.app, _SITE_ATTR).version
        setattr(self.env, _ENV_PAGES, pages)
        return [DownloadsPlaceholder()]


def _chapters_in_order(app: Sphinx) -> list[str]:
    env = app.env
    order: list[str] = []

    def walk(doc: str) -> None:
        for child in env.toctree_includes.get(doc, []):
            if child not in order:
                order.append(child)
                walk(child)

    walk(app.config.root_doc)
    return order


def fill_downloads(app: Sphinx, doctree: nodes.document, docname: str) -> None:
    """``doctree-resolved``: the downloads list, with links relative to the page."""
    placeholders = list(doctree.findall(DownloadsPlaceholder))
    if not placeholders:
        return
    site: Site = getattr(app, _SITE_ATTR)
    here = app.builder.get_target_uri(docname)
    executed = Path(app.outdir).parent / "jupyter_execute"
    items = nodes.bullet_list()

    def item(*children: nodes.Node) -> nodes.list_item:
        entry = nodes.list_item("", nodes.paragraph("", "", *children))
        items.append(entry)
        return entry

    item(
        nodes.Text("The companion package, exactly as these pages were built: "),
        nodes.reference("", site.wheel, refuri=relative_uri(here, site.wheel_path)),
        nodes.Text(". Install it with "),
        nodes.literal("", f"pip install {site.wheel_url or site.wheel}"),
        nodes.Text(" (on Linux without a GPU, install PyTorch's CPU-only build first: "),
        nodes.literal("", f'pip install "{site.torch_requirement}" --index-url {TORCH_CPU_INDEX}'),
        nodes.Text(")."),
    )
    chapters = [doc for doc in _chapters_in_order(app) if (executed / f"{doc}.ipynb").is_file()]
    if chapters:
        entry = item(
            nodes.Text(
                "Every chapter as a Jupyter notebook, with the numbers of these pages; "
                "its first cell installs the package above when it is missing:"
            )
        )
        notebooks = nodes.bullet_list()
        for doc in chapters:
            title = app.env.titles[doc].astext() if doc in app.env.titles else doc
            uri = relative_uri(here, f"_sources/{doc}.ipynb")
            link = nodes.reference("", f"{Path(doc).name}.ipynb", refuri=uri)
            notebooks.append(
                nodes.list_item("", nodes.paragraph("", "", link, nodes.Text(f" ({title})")))
            )
        entry.append(notebooks)
    if site.repository_url:
        item(
            nodes.Text("The source, the tests and the build: "),
            nodes.reference("", site.repository_url, refuri=site.repository_url),
            nodes.Text("."),
        )
    for placeholder in placeholders:
        placeholder.replace_self(items.deepcopy())


def setup(app: Sphinx) -> dict[str, Any]:
    """Register the notebook downloads, the wheel build and ``{mlpbook-downloads}``."""
    app.add_node(DownloadsPlaceholder)
    app.add_directive("mlpbook-downloads", DownloadsDirective)
    app.connect("builder-inited", _builder_inited)
    app.connect("html-page-context", offer_notebook, priority=100)
    app.connect("doctree-resolved", fill_downloads)
    app.connect("env-get-outdated", _downloads_outdated)
    app.connect("env-purge-doc", _purge_doc)
    app.connect("env-merge-info", _merge_info)
    app.connect("build-finished", write_notebooks)
    return {"version": "0.1", "parallel_read_safe": True, "parallel_write_safe": True}
