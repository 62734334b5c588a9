"""Unit tests of :mod:`mlpbook.book.notebooks.markdown`: MyST as Markdown Jupyter shows."""

from __future__ import annotations

import pytest

from mlpbook.book.notebooks.markdown import plain_markdown


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


def test_plain_markdown_rejects_what_is_not_a_string() -> None:
    with pytest.raises(TypeError, match="markdown must be a string, got None"):
        plain_markdown(None)  # type: ignore[arg-type]


def test_plain_markdown_turns_an_admonition_into_a_bold_heading() -> None:
    text = "Text\n\n```{note}\n**What dropout is for.** Dropout was\nintroduced.\n```\n\nAfter."
    assert plain_markdown(text) == (
        "Text\n\n**Note.**\n\n**What dropout is for.** Dropout was\nintroduced.\n\nAfter."
    )
