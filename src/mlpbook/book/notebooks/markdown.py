"""The MyST constructs the chapters use, turned into Markdown that Jupyter shows."""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
from typing import Protocol

from .fences import (
    DIRECTIVE,
    FENCE,
    OPTION,
    Fence,
    UnclosedDirectiveError,
    directive_block,
    open_block,
)

__all__ = ["CitationRecorder", "Citations", "plain_markdown"]

_TARGET = re.compile(r"^\([\w.:-]+\)=\s*$")
_CITE = re.compile(r"\{cite(?::[a-z]+)?\}`(?P<keys>[^`]+)`")
_REF = re.compile(r"\{(?:ref|numref|doc)\}`(?P<body>[^`]+)`")
_REF_TEXT = re.compile(r"^(?P<text>.*?)\s*<(?P<target>[^<>]+)>$", re.S)
_ADMONITIONS = {"note": "Note", "tip": "Tip", "warning": "Warning", "important": "Important"}
_HEADED = ("exercise", "solution-start", *_ADMONITIONS)  # directives that become a bold heading
_DROPPED = ("solution-end",)  # directives that disappear


class Citations(Protocol):
    """How :func:`plain_markdown` writes ``{cite}`` roles and ``{bibliography}`` directives."""

    def cite(self, keys: list[str]) -> str:
        """The Markdown for a ``{cite}`` role of ``keys`` (as written, prefix included)."""
        ...

    def bibliography(self, options: Mapping[str, str]) -> str:
        """The Markdown for a ``{bibliography}`` directive with these ``:option:`` values."""
        ...


class CitationRecorder:
    """:class:`Citations` that only notes what a chapter cites and its bibliography options.

    Run :func:`plain_markdown` over every cell with one recorder first, to learn
    the keys a chapter cites (in order of first citation) before labelling them.
    """

    def __init__(self) -> None:
        self.keys: list[str] = []
        self.bibliographies: list[dict[str, str]] = []

    def cite(self, keys: list[str]) -> str:
        """Note ``keys``; the Markdown is empty."""
        self.keys += [key for key in keys if key not in self.keys]
        return ""

    def bibliography(self, options: Mapping[str, str]) -> str:
        """Note the directive's ``options``; the Markdown is empty."""
        self.bibliographies.append(dict(options))
        return ""


class _Converter:
    """The state of one :func:`plain_markdown` pass: output so far and open blocks."""

    def __init__(self, titles: Mapping[str, str], citations: Citations | None) -> None:
        self.titles = titles
        self.citations = citations
        self.out: list[str] = []
        self.stack: list[Fence] = []
        self.skipping_options = False  # just after an exercise or solution heading

    def ref(self, match: re.Match[str]) -> str:
        explicit = _REF_TEXT.match(match["body"])
        return explicit["text"] if explicit else self.titles.get(match["body"], match["body"])

    def cite(self, match: re.Match[str]) -> str:
        keys = [key.strip() for key in match["keys"].split(",")]
        return self.citations.cite(keys) if self.citations else "[" + ", ".join(keys) + "]"

    def inline(self, line: str) -> str:
        return _REF.sub(self.ref, _CITE.sub(self.cite, line))

    def after_heading(self, line: str) -> bool:
        """Skip a heading directive's options; ``True`` if ``line`` was one of them."""
        if OPTION.match(line) or not line.strip():
            return True
        self.skipping_options = False
        if not (self.stack and self.stack[-1].closed_by(line)):
            self.out.append("")  # the heading is a paragraph of its own
        return False

    def directive(
        self, fence: re.Match[str], name: str, argument: str, lines: Iterator[str]
    ) -> bool:
        """Convert an exercise, solution or bibliography directive; ``False`` for others."""
        if name == "bibliography" and self.citations is not None:
            try:
                options, _body = directive_block(lines, Fence.opened_by(fence, literal=True))
            except UnclosedDirectiveError:
                raise ValueError(
                    f"a {{bibliography}} directive is not closed: {fence[0]!r}"
                ) from None
            self.out.append(self.citations.bibliography(options))
            return True
        if name not in _HEADED + _DROPPED:
            return False
        if name == "exercise":
            title = argument.strip()
            self.out.append(f"**Exercise{': ' + title if title else ''}.**")
        elif name == "solution-start":
            self.out.append("**Solution.**")
        elif name in _ADMONITIONS:
            self.out.append(f"**{_ADMONITIONS[name]}.**")
        self.stack.append(Fence.opened_by(fence, literal=False, drop_close=True))
        self.skipping_options = True
        return True

    def line(self, line: str, lines: Iterator[str]) -> None:
        """Convert one line (``lines`` holds the rest, for directives that consume them)."""
        if self.skipping_options and self.after_heading(line):
            return
        if self.stack and self.stack[-1].closed_by(line):
            if not self.stack.pop().drop_close:
                self.out.append(line)
            return
        if self.stack and self.stack[-1].literal:
            self.out.append(line)
            return
        fence = FENCE.match(line)
        directive = DIRECTIVE.match(fence["info"].strip()) if fence else None
        if (
            fence
            and directive
            and self.directive(fence, *directive.group("name", "argument"), lines)
        ):
            return
        opened = open_block(fence)
        if opened is not None:
            self.stack.append(opened)
            self.out.append(line)
        elif not _TARGET.match(line):
            self.out.append(self.inline(line))


def plain_markdown(
    markdown: str,
    titles: Mapping[str, str] | None = None,
    citations: Citations | None = None,
) -> str:
    """The MyST constructs the chapters use, as Markdown that Jupyter shows.

    * ``(label)=`` target lines are removed;
    * ``{cite}`a,b``` (and ``{cite:p}``, ``{cite:t}``...) becomes
      ``citations.cite(["a", "b"])``, and a ``{bibliography}`` directive
      ``citations.bibliography(its options)`` (see
      :class:`.bibliography.ChapterReferences`); without ``citations`` the
      role becomes ``[a, b]`` and the directive stays as it is;
    * ``{ref}`text <label>``` becomes ``text``, ``{ref}`label``` the target's
      title from ``titles`` (label -> title), else the label;
    * an ``{exercise}`` directive becomes a paragraph **Exercise.** (or
      **Exercise: its title.**) followed by its content, a ``{solution-start}``
      one **Solution.**, a ``{note}`` (``tip``, ``warning``, ``important``) one
      **Note.**; a ``{solution-end}`` disappears.

    Code blocks are left alone; other directives stay as they are.

    Raises:
        TypeError: if ``markdown`` is not a string.
        ValueError: if a ``{bibliography}`` directive is not closed.
    """
    if not isinstance(markdown, str):
        raise TypeError(f"markdown must be a string, got {markdown!r}")
    converter = _Converter(titles or {}, citations)
    lines = iter(markdown.split("\n"))
    for line in lines:
        converter.line(line, lines)
    return "\n".join(converter.out)
