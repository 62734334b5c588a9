"""What the book build and the drift check need from the package, kept apart
from the library the chapters teach.

* :mod:`mlpbook.book.glue` -- ``glue``: computed values into the prose (works
  with or without myst-nb installed).
* :mod:`mlpbook.book.claims` -- ``claim`` and ``below``: sentences that
  depend on a result, checked when the chapter runs.
* :mod:`mlpbook.book.figure_summary` -- a matplotlib figure's texts and data as
  JSON, so the drift check compares static figures by what they show.
"""

from .claims import ClaimFailed, below, claim
from .glue import GLUE_PREFIX, glue

__all__ = ["GLUE_PREFIX", "glue", "ClaimFailed", "below", "claim"]
