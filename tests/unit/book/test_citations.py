"""Author-year citations, and every chapter ending with its own reference list."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from pybtex.database import parse_string
from pybtex.plugin import find_plugin

from mlpbook.book import citations

BOOK = Path(__file__).resolve().parents[3] / "book"

BIB = r"""
@article{one, author = {Hornik, Kurt}, title = {T1}, journal = {J}, year = {1991}}
@article{two, author = {Kingma, Diederik P. and Ba, Jimmy}, title = {T2}, journal = {J}, year = {2015}}
@article{three, author = {Mont{\'u}far, Guido and Pascanu, Razvan and Cho, K.}, title = {T3},
         journal = {J}, year = {2014}}
@article{he1, author = {He, K. and Zhang, X. and Ren, S.}, title = {A}, journal = {J}, year = {2016}}
@article{he2, author = {He, K. and Zhang, X. and Sun, J.}, title = {B}, journal = {J}, year = {2016}}
@article{noyear, author = {Nobody, N.}, title = {T}, journal = {J}}
"""


@pytest.fixture(scope="module")
def bib():
    return parse_string(BIB, "bibtex")


def test_labels_are_author_year(bib) -> None:
    label = citations.author_year_label
    assert label(bib.entries["one"]) == "Hornik, 1991"
    assert label(bib.entries["two"]) == "Kingma and Ba, 2015"
    assert label(bib.entries["three"]) == "Montúfar et al., 2014"  # LaTeX accents decoded


def test_clashing_labels_get_letters_and_the_list_uses_them(bib) -> None:
    citations.register()
    citations.register()  # idempotent
    style = find_plugin("pybtex.style.formatting", citations.STYLE_NAME)()
    entries = {k: v for k, v in bib.entries.items() if k != "noyear"}
    labels = [e.label for e in style.format_entries(entries.values())]
    assert "He et al., 2016a" in labels and "He et al., 2016b" in labels
    assert "Kingma and Ba, 2015" in labels


def test_an_entry_without_a_year_is_named(bib) -> None:
    with pytest.raises(ValueError, match="'noyear' has no year"):
        citations.author_year_label(bib.entries["noyear"])


@pytest.mark.parametrize("chapter", sorted(BOOK.glob("*.md")), ids=lambda p: p.stem)
def test_a_chapter_that_cites_ends_with_its_own_references(chapter: Path) -> None:
    text = chapter.read_text()
    keys = [
        k for group in re.findall(r"\{cite(?::\w+)?\}`([^`]+)`", text) for k in group.split(",")
    ]
    if not keys:
        assert "{bibliography}" not in text
        return
    found = re.search(
        r"## References\s+```\{bibliography\}\n:filter: docname in docnames\n:keyprefix: (\S+)\n```\s*$",
        text,
    )
    assert found, f"book/{chapter.name} cites but does not end with its own reference list"
    prefix = found.group(1)
    unprefixed = [k for k in keys if not k.strip().startswith(prefix)]
    assert not unprefixed, (
        f"book/{chapter.name}: citations without the prefix {prefix}: {unprefixed}"
    )
