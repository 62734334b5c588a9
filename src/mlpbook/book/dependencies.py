"""Which of the package's source files a chapter depends on.

The book build re-executes a chapter when its Markdown changes, and also when a
module of ``mlpbook`` that the chapter uses changes, but not when another
chapter's tools do. :func:`chapter_dependencies` reads the chapter's imports
(``import mlpbook``, ``from mlpbook.chapters import backprop``, dotted names
such as ``mlpbook.training._fit_autograd``) and follows the package's own
imports from there, statically, with :mod:`ast`.
"""

from __future__ import annotations

import ast
import re
from functools import cache
from pathlib import Path

__all__ = ["PACKAGE_ROOT", "module_file", "module_imports", "chapter_dependencies"]

PACKAGE_ROOT = Path(__file__).resolve().parents[1]
"""The folder of the ``mlpbook`` package."""

_NAME = re.compile(r"\bmlpbook(?:\.[A-Za-z_]\w*)*")
_FROM = re.compile(r"^\s*from\s+(mlpbook(?:\.\w+)*)\s+import\s+\(?([\w\s,]+)\)?", re.M)


def module_file(name: str) -> Path | None:
    """The source file of the dotted module ``name`` (``mlpbook.chapters.backprop``), if it is one."""
    parts = name.split(".")[1:]
    base = PACKAGE_ROOT.joinpath(*parts) if parts else PACKAGE_ROOT
    for candidate in (base.with_suffix(".py"), base / "__init__.py"):
        if (
            parts
            and candidate.is_file()
            or not parts
            and candidate.name == "__init__.py"
            and candidate.is_file()
        ):
            return candidate
    return None


def _longest_module(dotted: str) -> str | None:
    parts = dotted.split(".")
    for end in range(len(parts), 0, -1):
        name = ".".join(parts[:end])
        if module_file(name) is not None:
            return name
    return None


@cache
def module_imports(name: str) -> frozenset[str]:
    """The ``mlpbook`` modules that module ``name`` imports directly (relative imports resolved)."""
    path = module_file(name)
    if path is None:
        return frozenset()
    package = name if path.name == "__init__.py" else name.rsplit(".", 1)[0]
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.split(".")
                base = base[: len(base) - node.level + 1]
                target = ".".join(base + ([node.module] if node.module else []))
            else:
                target = node.module or ""
            if target.split(".")[0] != "mlpbook":
                continue
            for alias in node.names:
                sub = _longest_module(f"{target}.{alias.name}")
                found.add(sub or target)
        elif isinstance(node, ast.Import):
            found.update(a.name for a in node.names if a.name.split(".")[0] == "mlpbook")
    # a submodule import also runs its packages' __init__
    closure = set()
    for module in found:
        parts = module.split(".")
        closure.update(".".join(parts[:end]) for end in range(1, len(parts) + 1))
    return frozenset(m for m in closure if module_file(m) is not None and m != name)


def chapter_dependencies(text: str) -> list[Path]:
    """The package source files that a chapter's text (MyST Markdown) uses, transitively, sorted."""
    wanted: set[str] = set()
    for dotted in _NAME.findall(text):
        module = _longest_module(dotted)
        if module:
            wanted.add(module)
    for module, names in _FROM.findall(text):
        for item in names.replace("\n", " ").split(","):
            item = item.strip().split(" as ")[0].strip()
            sub = _longest_module(f"{module}.{item}") if item else None
            if sub:
                wanted.add(sub)
    for module in list(wanted):  # importing a submodule runs its packages' __init__
        parts = module.split(".")
        wanted.update(".".join(parts[:end]) for end in range(1, len(parts)))
    seen: set[str] = set()
    todo = list(wanted)
    while todo:
        module = todo.pop()
        if module in seen:
            continue
        seen.add(module)
        todo.extend(module_imports(module) - seen)
    return sorted(p for p in (module_file(m) for m in seen) if p is not None)
