"""Citations in a downloaded notebook: author–year labels and the chapter's reference list.

On the site, sphinxcontrib-bibtex shows ``{cite}`act-he2015delving``` as
"[He et al., 2015]" and the chapter's closing ``{bibliography}`` directive
(``:filter: docname in docnames``, ``:keyprefix: act-``) as the list of the
works the chapter cites, labelled, formatted and sorted by the pybtex style
``mlpbook_author_year`` (:mod:`mlpbook.book.citations`). A notebook has no
Sphinx; :class:`ChapterReferences` gives it the same text: each key's
``:keyprefix:`` is stripped, the entry looked up in the book's ``.bib`` files,
and the chapter's entries formatted by pybtex with the same style, so labels
(including the "2016a"/"2016b" of two works that would share one) and order
are the site's.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ..citations import STYLE_NAME
from ..citations import register as register_citation_style
from .glue_fill import escape_markdown
from .markdown import CitationRecorder, plain_markdown

__all__ = ["Bibliography", "CitationError", "ChapterReferences"]


class CitationError(ValueError):
    """A citation a notebook cannot show: unknown key, wrong prefix, conflicting lists."""


@dataclass(frozen=True)
class ChapterReferences:
    """One chapter's citations, as the site shows them (a :class:`.markdown.Citations`).

    Attributes:
        chapter: the page, for error messages.
        keyprefix: the chapter's ``:keyprefix:`` (``"act-"``), stripped from every key.
        labels: bibliography key (lower case, no prefix) -> label (``"He et al., 2015"``),
            in the order of the reference list.
        items: the reference list, one Markdown list item per work, sorted as on the site.
    """

    chapter: str
    keyprefix: str
    labels: Mapping[str, str]
    items: Sequence[str]

    def cite(self, keys: list[str]) -> str:
        """``[He et al., 2015, Kingma and Ba, 2015]`` for ``{cite}`act-he2015delving,...```.

        As on the site, the works of one citation appear once each, in the order
        of the reference list (sphinxcontrib-bibtex orders them so), not as written.

        Raises:
            CitationError: for a key that is not one of the chapter's.
        """
        order = list(self.labels)
        bare: list[str] = []
        for key in keys:
            found = key.removeprefix(self.keyprefix).lower()
            if found not in self.labels:
                raise CitationError(f"{self.chapter}: citation key {key!r} was not noted as cited")
            bare += [] if found in bare else [found]
        labels = [escape_markdown(self.labels[k]) for k in sorted(bare, key=order.index)]
        return "[" + ", ".join(labels) + "]"

    def bibliography(self, options: Mapping[str, str]) -> str:
        """The chapter's reference list, for its ``{bibliography}`` directive.

        Raises:
            CitationError: if the directive's ``:keyprefix:`` is not the chapter's.
        """
        if options.get("keyprefix", "") != self.keyprefix:
            raise CitationError(
                f"{self.chapter}: a {{bibliography}} with :keyprefix: "
                f"{options.get('keyprefix', '')!r}, "
                f"but the chapter's is {self.keyprefix!r}"
            )
        return "\n".join(self.items)


@dataclass(frozen=True)
class Bibliography:
    """The book's bibliography: its entries, the pybtex style of its lists, and its files.

    Attributes:
        data: the parsed entries (a pybtex ``BibliographyData``).
        style: the name of the pybtex formatting style (``bibtex_default_style``).
        source: how error messages name the ``.bib`` files.
    """

    data: Any
    style: str = STYLE_NAME
    source: str = "the bibliography"

    @classmethod
    def read(
        cls, paths: Iterable[Path], style: str = STYLE_NAME, *, source: str | None = None
    ) -> Bibliography:
        """Parse the ``.bib`` files (``bibtex_bibfiles``) into one bibliography.

        ``source`` names them in error messages (by default, their paths).

        Raises:
            FileNotFoundError: if a file does not exist.
            ValueError: if two files define the same key.
        """
        from pybtex.database import BibliographyData, parse_file

        paths = [Path(p) for p in paths]
        data = BibliographyData()
        for path in paths:
            if not path.is_file():
                raise FileNotFoundError(f"bibliography file {path} does not exist")
            for key, entry in parse_file(str(path), bib_format="bibtex").entries.items():
                if key in data.entries:
                    raise ValueError(f"bibliography key {key!r} is defined twice ({path})")
                data.add_entry(key, entry)
        return cls(data, style, source or ", ".join(str(p) for p in paths) or "no .bib file")

    def chapter(self, keys: Iterable[str], keyprefix: str, *, chapter: str) -> ChapterReferences:
        """The labels and reference list of a chapter that cites ``keys`` (prefix included).

        Raises:
            CitationError: for a key without the chapter's prefix, or one that is
                not in the bibliography (the message names the key and the chapter).
        """
        bare: list[str] = []
        for key in keys:
            if not key.startswith(keyprefix):
                raise CitationError(
                    f"{chapter}: citation key {key!r} lacks the chapter's :keyprefix: {keyprefix!r}"
                )
            stripped = key.removeprefix(keyprefix)
            if stripped not in self.data.entries:
                raise CitationError(
                    f"{chapter}: citation key {key!r} ({stripped!r} without the chapter's "
                    f":keyprefix: {keyprefix!r}) is not in {self.source}"
                )
            if self.data.entries[stripped].key not in bare:
                bare.append(self.data.entries[stripped].key)
        formatted = list(self._style().format_bibliography(self.data, bare)) if bare else []
        return ChapterReferences(
            chapter=chapter,
            keyprefix=keyprefix,
            labels={entry.key.lower(): entry.label for entry in formatted},
            items=[
                f"* [{escape_markdown(entry.label)}] "
                + " ".join(entry.text.render_as("markdown").split())
                for entry in formatted
            ],
        )

    def notebook_references(
        self, markdown_cells: Iterable[str], *, chapter: str
    ) -> ChapterReferences:
        """The :class:`ChapterReferences` of a chapter from its Markdown cells' sources.

        The cells are read as the site reads them: every ``{cite}`` outside code
        counts, and the prefix is the ``:keyprefix:`` of the chapter's
        ``{bibliography}`` directive (none without one).

        Raises:
            CitationError: as :meth:`chapter`, or if the chapter's bibliography
                directives have different prefixes.
        """
        recorder = CitationRecorder()
        for source in markdown_cells:
            plain_markdown(source, citations=recorder)
        prefixes = sorted({options.get("keyprefix", "") for options in recorder.bibliographies})
        if len(prefixes) > 1:
            raise CitationError(
                f"{chapter}: {{bibliography}} directives with :keyprefix: {prefixes}"
            )
        return self.chapter(recorder.keys, prefixes[0] if prefixes else "", chapter=chapter)

    def _style(self) -> Any:
        from pybtex.plugin import find_plugin

        register_citation_style()
        return find_plugin("pybtex.style.formatting", self.style)()
