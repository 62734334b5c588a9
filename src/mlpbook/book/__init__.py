"""What the book build and the drift check need from the package, kept apart
from the library the chapters teach.

* :mod:`mlpbook.book.glue` -- ``glue``: computed values into the prose (works
  with or without myst-nb installed).
* :mod:`mlpbook.book.claims` -- ``claim`` and ``below``: sentences that
  depend on a result, checked when the chapter runs.
* :mod:`mlpbook.book.source` -- ``show_source``: the package's code shown in a
  chapter, whole or between explicit markers.
* :mod:`mlpbook.book.kernel` -- the environment of the kernels that execute chapters.
* :mod:`mlpbook.book.sphinxext` -- the Sphinx / myst-nb integration (plotly
  renderer, per-chapter rebuilds, offline MathJax).
* :mod:`mlpbook.book.figure_summary` -- a matplotlib figure's texts and data as
  JSON, so the drift check compares static figures by what they show.
"""

from .claims import ClaimFailed, below, claim
from .glue import GLUE_PREFIX, glue
from .source import show_source, source_region

__all__ = ["GLUE_PREFIX", "glue", "ClaimFailed", "below", "claim", "show_source", "source_region"]
