"""Unit tests of :mod:`mlpbook.book.notebooks.bibliography`: author–year citations and the
chapter's reference list in a downloaded notebook, as the site shows them."""

from __future__ import annotations

from pathlib import Path

import nbformat
import pytest
from pybtex.database import parse_string

from mlpbook.book.notebooks.bibliography import Bibliography, CitationError
from mlpbook.book.notebooks.markdown import plain_markdown
from mlpbook.book.notebooks.notebook import downloadable_notebook

ROOT = Path(__file__).resolve().parents[4]

BIB = r"""
@article{smith2016b, title = {Zebras}, author = {Smith, Ann and Jones, Bob},
  journal = {J. Z.}, year = {2016}}
@article{smith2016a, title = {Antelopes}, author = {Smith, Ann and Jones, Bob},
  journal = {J. A.}, year = {2016}}
@book{mont2014, title = {Regions}, author = {Mont{\'u}far, Guido}, publisher = {P}, year = {2014}}
@article{unused2000, title = {Never cited}, author = {Nobody, Ned}, journal = {J}, year = {2000}}
"""
CHAPTER = (
    "As shown {cite}`ch-smith2016b, ch-mont2014` and {cite}`ch-smith2016a`.\n\n"
    "```python\n{cite}`ch-not-a-citation`\n```\n\n"
    "## References\n\n"
    "```{bibliography}\n:filter: docname in docnames\n:keyprefix: ch-\n```"
)


def _bibliography() -> Bibliography:
    return Bibliography(parse_string(BIB, "bibtex"), source="test.bib")


def test_citations_get_the_sites_author_year_labels_with_a_b_for_a_clash() -> None:
    refs = _bibliography().notebook_references([CHAPTER], chapter="book/x")
    assert refs.keyprefix == "ch-"
    # sorted by author, year, title (Antelopes before Zebras), as the site's list
    assert refs.labels == {
        "mont2014": "Montúfar, 2014",
        "smith2016a": "Smith and Jones, 2016a",
        "smith2016b": "Smith and Jones, 2016b",
    }
    out = plain_markdown(CHAPTER, citations=refs)
    # the works of one citation in the list's order, as sphinxcontrib-bibtex writes them
    assert out.startswith(
        "As shown [Montúfar, 2014, Smith and Jones, 2016b] and [Smith and Jones, 2016a].\n\n"
        "```python\n{cite}`ch-not-a-citation`\n```\n\n## References\n\n"
    )


def test_the_bibliography_directive_becomes_the_chapters_sorted_reference_list() -> None:
    refs = _bibliography().notebook_references([CHAPTER], chapter="book/x")
    out = plain_markdown(CHAPTER, citations=refs)
    assert out.split("## References\n\n")[1] == (
        "* [Montúfar, 2014] Guido Montúfar\\. *Regions*\\. P, 2014\\.\n"
        "* [Smith and Jones, 2016a] Ann Smith and Bob Jones\\. Antelopes\\. *J\\. A\\.*, 2016\\.\n"
        "* [Smith and Jones, 2016b] Ann Smith and Bob Jones\\. Zebras\\. *J\\. Z\\.*, 2016\\."
    )  # only the cited works; pybtex's Markdown, one line each


def test_the_books_own_bibliography_labels_he_et_al() -> None:
    bib = Bibliography.read([ROOT / "book" / "references.bib"])
    refs = bib.chapter(["act-he2015delving", "act-kingma2015adam"], "act-", chapter="book/a")
    cited = ["act-kingma2015adam", "act-he2015delving", "act-kingma2015adam"]
    assert refs.cite(cited) == "[He et al., 2015, Kingma and Ba, 2015]"
    assert refs.items[0].startswith("* [He et al., 2015] Kaiming He, Xiangyu Zhang")


@pytest.mark.parametrize(
    ("source", "message"),
    [
        (
            "{cite}`ch-nope2020`\n```{bibliography}\n:keyprefix: ch-\n```",
            r"book/x: citation key 'ch-nope2020' \('nope2020' without the chapter's "
            r":keyprefix: 'ch-'\) is not in test\.bib",
        ),
        (
            "{cite}`mont2014`\n```{bibliography}\n:keyprefix: ch-\n```",
            r"book/x: citation key 'mont2014' lacks the chapter's :keyprefix: 'ch-'",
        ),
        (
            "```{bibliography}\n:keyprefix: a-\n```\n```{bibliography}\n:keyprefix: b-\n```",
            r"book/x: \{bibliography\} directives with :keyprefix: \['a-', 'b-'\]",
        ),
    ],
)
def test_a_citation_the_notebook_cannot_show_raises_naming_key_and_chapter(
    source: str, message: str
) -> None:
    with pytest.raises(CitationError, match=message):
        _bibliography().notebook_references([source], chapter="book/x")


def test_an_unclosed_bibliography_directive_is_an_error() -> None:
    refs = _bibliography().chapter([], "", chapter="book/x")
    with pytest.raises(ValueError, match="directive is not closed"):
        plain_markdown("```{bibliography}\n:keyprefix: ch-", citations=refs)


def test_read_names_a_missing_file(tmp_path: Path) -> None:
    with pytest.raises(FileNotFoundError, match="nothing.bib"):
        Bibliography.read([tmp_path / "nothing.bib"])


def test_downloadable_notebook_cites_across_cells_and_names_the_page() -> None:
    nb = nbformat.v4.new_notebook()
    nb.cells = [
        nbformat.v4.new_markdown_cell("Adam {cite}`ch-smith2016a`."),
        nbformat.v4.new_markdown_cell("```{glue:md} table\n```"),
        nbformat.v4.new_markdown_cell("## References\n\n```{bibliography}\n:keyprefix: ch-\n```"),
    ]
    table = "| used by |\n| --- |\n| {cite}`ch-mont2014` |"  # a generated table that cites
    glue = {"table": {"data": {"text/plain": "<Markdown>", "text/markdown": table}}}
    out = downloadable_notebook(
        nb, glue, install_source="", name="book/x", bibliography=_bibliography()
    )
    assert out.cells[1].source == "Adam [Smith and Jones, 2016]."  # no clash in this chapter
    assert out.cells[2].source.endswith("| [Montúfar, 2014] |")
    assert out.cells[3].source.split("\n")[2:] == [
        "* [Montúfar, 2014] Guido Montúfar\\. *Regions*\\. P, 2014\\.",
        "* [Smith and Jones, 2016] Ann Smith and Bob Jones\\. Antelopes\\. *J\\. A\\.*, 2016\\.",
    ]
    nb.cells[0].source = "Adam {cite}`ch-adam2015`."
    with pytest.raises(CitationError, match="book/x: citation key 'ch-adam2015'"):
        downloadable_notebook(
            nb, glue, install_source="", name="book/x", bibliography=_bibliography()
        )
