"""Start-up file of the book build's kernels (run through ``PYTHONSTARTUP``).

It registers the dark-figure formatter of :mod:`mlpbook.book.dark_figures`, so the
executed chapters carry a dark PNG beside every matplotlib figure, which the site
shows in its dark theme.
"""

from mlpbook.book.dark_figures import register

register()
