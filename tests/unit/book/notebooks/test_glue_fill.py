"""Unit tests of :mod:`mlpbook.book.notebooks.glue_fill`: glue placeholders filled as
the page fills them."""

from __future__ import annotations

import base64

import nbformat
import pytest

from mlpbook.book.notebooks.glue_fill import (
    GlueError,
    format_glue_text,
    glue_from_notebook,
    substitute_glue,
)


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
    assert format_glue_text(text, spec) == myst_nb.format_plain_text(text, spec)


def test_format_glue_text_names_value_and_spec_it_cannot_format() -> None:
    with pytest.raises(GlueError, match=r"'abc'.*'\.2f'"):
        format_glue_text("'abc'", ".2f")
    with pytest.raises(TypeError, match="got 0.5 and '.2f'"):
        format_glue_text(0.5, ".2f")  # type: ignore[arg-type]


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
    glue = glue_from_notebook(nb)
    assert {k: v["data"] for k, v in glue.items()} == {
        "hidden": {"text/plain": "0.5"},
        "shown": {"text/plain": "<Markdown>", "text/markdown": "**x**"},
    }
    assert substitute_glue(nb.cells[0].source, glue).source == "0.5"
    with pytest.raises(TypeError, match="nbformat 4 notebook"):
        glue_from_notebook([])
