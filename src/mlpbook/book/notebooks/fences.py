"""The bits of MyST syntax both conversions read: fences, directives and their options.

:mod:`.glue_fill` and :mod:`.markdown` walk a Markdown cell line by line; both
need to know where a fenced block (code or directive) opens and closes, which
directive it is, and which of its lines are ``:option: value`` lines.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass

__all__ = [
    "DIRECTIVE",
    "FENCE",
    "LITERAL_DIRECTIVES",
    "OPTION",
    "Fence",
    "UnclosedDirectiveError",
    "directive_block",
    "open_block",
]

FENCE = re.compile(r"^(?P<indent> {0,3})(?P<fence>`{3,}|:{3,})(?P<info>.*)$")
"""A line that opens or closes a fenced block: its indent, fence and info string."""

DIRECTIVE = re.compile(r"^\{(?P<name>[^}\s]+)\}\s*(?P<argument>.*)$")
"""A fence's info string that names a directive: ``{name} argument``."""

OPTION = re.compile(r"^\s*:(?P<name>[\w-]+):\s*(?P<value>.*)$")
"""A directive's ``:name: value`` option line."""

LITERAL_DIRECTIVES = frozenset({"code", "code-block", "code-cell", "sourcecode", "math", "raw"})
"""Directives whose content is not Markdown: roles inside them are not roles."""


class UnclosedDirectiveError(ValueError):
    """A directive whose closing fence never comes."""


@dataclass
class Fence:
    """An open fenced block: its fence character and length, and what it holds."""

    char: str
    length: int
    literal: bool
    drop_close: bool = False  # a directive turned into plain paragraphs

    @classmethod
    def opened_by(cls, fence: re.Match[str], *, literal: bool, drop_close: bool = False) -> Fence:
        """The block a :data:`FENCE` match opens."""
        return cls(fence["fence"][0], len(fence["fence"]), literal, drop_close)

    def closed_by(self, line: str) -> bool:
        """Whether ``line`` closes this block (the same character, at least as long, no info)."""
        match = FENCE.match(line)
        return bool(
            match
            and match["fence"][0] == self.char
            and len(match["fence"]) >= self.length
            and not match["info"].strip()
        )


def directive_block(lines: Iterator[str], fence: Fence) -> tuple[dict[str, str], list[str]]:
    """Consume a directive up to its closing fence: its ``:option: value`` lines and body.

    Raises:
        UnclosedDirectiveError: if ``lines`` end before the closing fence.
    """
    options: dict[str, str] = {}
    body: list[str] = []
    in_options = True
    for line in lines:
        if fence.closed_by(line):
            return options, body
        option = OPTION.match(line) if in_options else None
        if option:
            options[option["name"]] = option["value"].strip()
            continue
        in_options = False
        body.append(line)
    raise UnclosedDirectiveError(f"no closing {fence.char * fence.length} fence")


def open_block(fence: re.Match[str] | None) -> Fence | None:
    """The block a :data:`FENCE` line opens (outside any block), or ``None`` if it opens none.

    A backtick fence always opens a block: literal (code) unless it names a
    directive whose content is Markdown. A colon fence opens one only when it
    names a directive (in MyST, ``:::`` alone is not a fence).
    """
    if fence is None:
        return None
    info = fence["info"].strip()
    directive = DIRECTIVE.match(info) if info else None
    if fence["fence"][0] == ":" and not directive:
        return None
    literal = not directive or directive["name"] in LITERAL_DIRECTIVES
    return Fence.opened_by(fence, literal=literal)
