"""One citation style: author–year in the text and in each chapter's reference list.

sphinxcontrib-bibtex's ``author_year`` referencing style writes citations in
the text as "[Kingma and Ba, 2015]", but its bibliography styles label the list
entries "[KB15]". :class:`AuthorYearStyle` is the ``unsrt`` formatting style
with author–year labels, so the list reads "[Kingma and Ba, 2015]" too; it is
registered with pybtex as ``mlpbook_author_year`` (``bibtex_default_style`` in
``_config.yml``).

Labels: one author "Hornik, 1991"; two "Kingma and Ba, 2015"; three or more
"He et al., 2016". Two works that would get the same label get "2016a",
"2016b" in the order of the sorted list.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Iterator
from typing import Any

from pybtex.richtext import Text
from pybtex.style.formatting.unsrt import Style as UnsrtStyle
from pybtex.style.labels import BaseLabelStyle

__all__ = ["STYLE_NAME", "AuthorYearLabelStyle", "AuthorYearStyle", "author_year_label", "register"]

STYLE_NAME = "mlpbook_author_year"
"""The name under which :func:`register` makes the style known to pybtex."""


def _surname(person: Any) -> str:
    """A person's surname as plain text (``Mont{\\'u}far`` → ``Montúfar``)."""
    latex = " ".join(list(person.prelast_names) + list(person.last_names))
    return Text.from_latex(latex).render_as("text")


def author_year_label(entry: Any) -> str:
    """``"Surname, year"``, ``"A and B, year"`` or ``"A et al., year"`` for a pybtex entry.

    Raises:
        ValueError: if the entry has neither authors nor editors, or no year.
    """
    persons = entry.persons.get("author") or entry.persons.get("editor")
    if not persons:
        raise ValueError(f"bibliography entry {entry.key!r} has no author or editor")
    year = entry.fields.get("year")
    if not year:
        raise ValueError(f"bibliography entry {entry.key!r} has no year")
    names = [_surname(p) for p in persons]
    if len(names) == 1:
        who = names[0]
    elif len(names) == 2:
        who = f"{names[0]} and {names[1]}"
    else:
        who = f"{names[0]} et al."
    return f"{who}, {year}"


class AuthorYearLabelStyle(BaseLabelStyle):
    """pybtex label style: author–year labels, with a/b suffixes where two would clash."""

    def format_labels(self, sorted_entries: Iterable[Any]) -> Iterator[str]:
        entries = list(sorted_entries)
        labels = [author_year_label(e) for e in entries]
        clashes = Counter(labels)
        seen: Counter[str] = Counter()
        for label in labels:
            if clashes[label] == 1:
                yield label
            else:
                yield f"{label}{'abcdefghijklmnopqrstuvwxyz'[seen[label]]}"
                seen[label] += 1


class AuthorYearStyle(UnsrtStyle):
    """pybtex formatting style ``unsrt`` with :class:`AuthorYearLabelStyle` labels,
    sorted by author, year and title."""

    default_label_style = AuthorYearLabelStyle
    default_sorting_style = "author_year_title"


def register() -> None:
    """Make the style known to pybtex as :data:`STYLE_NAME` (idempotent)."""
    from pybtex.plugin import register_plugin

    try:
        register_plugin("pybtex.style.formatting", STYLE_NAME, AuthorYearStyle)
    except Exception as exc:  # pybtex refuses a second registration of the same name
        if "already registered" not in str(exc):
            raise
