"""One extra output beside every matplotlib figure a kernel displays.

The drift check's kernels add a JSON summary of each figure
(:mod:`mlpbook.book.figure_summary`), the book build's a dark variant
(:mod:`mlpbook.book.dark_figures`). Both register an IPython display formatter
for their own MIME type with :func:`register_figure_formatter`.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

__all__ = ["register_figure_formatter"]


def register_figure_formatter(
    mime: str, describe: Callable[[Any], dict[str, Any] | None], shell: Any | None = None
) -> None:
    """Make the running IPython shell show ``describe(fig)`` under ``mime`` beside
    every displayed ``matplotlib.figure.Figure`` (nothing where it returns None).

    The formatter matches figures by ``isinstance``: matplotlib's inline backend
    removes every formatter's printer for ``Figure`` when pyplot is first imported,
    so a printer registered by type would be lost. Does nothing outside IPython;
    registering the same MIME type twice keeps the first.
    """
    if shell is None:
        from IPython import get_ipython

        shell = get_ipython()
    if shell is None:
        return
    from IPython.core.formatters import BaseFormatter, catch_format_error
    from matplotlib.figure import Figure
    from traitlets import ObjectName, Unicode

    class FigureFormatter(BaseFormatter):
        format_type = Unicode(mime)
        print_method = ObjectName("_repr_mlpbook_figure_")
        _return_type = dict

        @catch_format_error
        def __call__(self, obj: Any) -> dict[str, Any] | None:
            return describe(obj) if self.enabled and isinstance(obj, Figure) else None

    display = shell.display_formatter
    if mime not in display.formatters:
        display.formatters[mime] = FigureFormatter(parent=display)
    if mime not in display.active_types:  # formatters outside this list are never called
        display.active_types = [*display.active_types, mime]
