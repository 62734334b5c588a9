"""A chapter is re-executed when a module it uses changes, and only then."""

from __future__ import annotations

from mlpbook.book.dependencies import PACKAGE_ROOT, chapter_dependencies, module_imports


def _names(text: str) -> set[str]:
    return {p.relative_to(PACKAGE_ROOT).as_posix() for p in chapter_dependencies(text)}


def test_a_chapter_depends_on_its_own_tools_and_the_core_it_imports() -> None:
    names = _names(
        "```{code-cell} ipython3\nimport mlpbook\nfrom mlpbook.chapters import backprop\n```"
    )
    assert {
        "__init__.py",
        "training.py",
        "_engine.py",
        "chapters/__init__.py",
        "chapters/backprop.py",
    } <= names
    assert "chapters/residuals.py" not in names and "plots/width_depth.py" not in names


def test_from_imports_of_submodules_and_dotted_names_count() -> None:
    names = _names(
        "from mlpbook.plots import dropout_case as case_plots\nx = mlpbook.chapters.residuals.ResidualMLP"
    )
    assert {
        "plots/dropout_case.py",
        "chapters/dropout_case.py",
        "chapters/residuals.py",
        "plots/__init__.py",
    } <= names


def test_relative_imports_are_resolved() -> None:
    assert "mlpbook.training" in module_imports("mlpbook.seeds")
    assert "mlpbook._checks" in module_imports("mlpbook.chapters.backprop")
