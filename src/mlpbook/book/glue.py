"""``glue``: put a value computed in a notebook into the page's prose.

The chapters write ``{glue:text}`name:.2f``` in their Markdown and call
``glue("name", value, display=False)`` in a code cell. myst-nb's own ``glue``
does the same, but importing it needs myst-nb, which a reader who runs a
chapter as a notebook (``pip install mlpbook`` and nothing else) does not
have. This module writes the identical output (the value's display data with
``scrapbook`` metadata, under myst-nb's MIME prefix when not displayed), so the
book build reads it exactly as myst-nb's would, and a plain Jupyter kernel runs
the chapter unchanged.
"""

from __future__ import annotations

from typing import Any

from .._checks import check_name

__all__ = ["GLUE_PREFIX", "glue"]

GLUE_PREFIX = "application/papermill.record/"
"""The MIME prefix of a value glued with ``display=False`` (myst-nb's ``GLUE_PREFIX``)."""


def glue(name: str, variable: Any, display: bool = True) -> None:
    """Record ``variable``'s display data under ``name`` for ``{glue}`` roles in the prose.

    Args:
        name: the key the Markdown refers to: letters, digits and ``_``.
        variable: any object IPython can display (a number, a string, a
            ``Markdown`` table, a figure).
        display: also show the value in the cell's output.

    Raises:
        TypeError, ValueError: if ``name`` is not a non-empty identifier-like string.
    """
    from IPython.core.formatters import format_display_data
    from IPython.display import display as ipy_display

    check_name("glue name", name)
    bundle, metadata = format_display_data(variable)
    prefix = "" if display else GLUE_PREFIX
    metadata["scrapbook"] = {"name": name, "mime_prefix": prefix}
    ipy_display({prefix + key: value for key, value in bundle.items()}, raw=True, metadata=metadata)
