"""Start-up file of the drift check's kernels (run through ``PYTHONSTARTUP``).

It registers the figure-summary formatter of :mod:`mlpbook.book.figure_summary`,
so the reference notebooks and the re-executed chapters carry a JSON summary
beside every matplotlib figure, which the drift check compares.
"""

from mlpbook.book.figure_summary import register

register()
