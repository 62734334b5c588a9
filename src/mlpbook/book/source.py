"""Show the package's own code in a chapter, from explicit markers.

A chapter that teaches a training loop or a backward pass shows the code the
package really runs, not a copy. Whole functions are shown with
:func:`show_source`; a part of one is marked in the package's source::

    # region: training-loop
    for epoch in range(epochs):
        ...
    # endregion: training-loop

and shown with ``show_source(training.train, region="training-loop")``. A
missing, repeated or unclosed marker raises :class:`ValueError`, so a refactor
cannot silently cut a listing short (which searching for a string such as
``"    else:"`` could).
"""

from __future__ import annotations

import inspect
import re
import textwrap
from typing import Any

__all__ = ["source_region", "show_source"]

_MARKER = re.compile(r"^\s*# (region|endregion): (?P<name>[a-z0-9-]+)\s*$")


def source_region(obj: Any, region: str | None = None) -> str:
    """The dedented source of ``obj``, or of its part between ``# region: NAME`` and ``# endregion: NAME``.

    Marker lines are never part of the result; other regions' markers inside
    the shown code are dropped too.

    Raises:
        ValueError: if ``region`` is given and its start or end marker is missing or repeated.
        TypeError: if ``obj`` has no source (a built-in, a C extension).
    """
    try:
        source = inspect.getsource(obj)
    except (TypeError, OSError) as error:
        raise TypeError(f"no source code for {obj!r}: {error}") from None
    lines = source.splitlines()
    if region is not None:
        starts = [i for i, line in enumerate(lines) if line.strip() == f"# region: {region}"]
        ends = [i for i, line in enumerate(lines) if line.strip() == f"# endregion: {region}"]
        name = getattr(obj, "__qualname__", repr(obj))
        if len(starts) != 1 or len(ends) != 1 or ends[0] < starts[0]:
            raise ValueError(
                f"{name} must contain '# region: {region}' once, followed by '# endregion: {region}' "
                f"once; found {len(starts)} start and {len(ends)} end marker(s)"
            )
        lines = lines[starts[0] + 1 : ends[0]]
    lines = [line for line in lines if not _MARKER.match(line)]
    return textwrap.dedent("\n".join(lines)).strip("\n")


def show_source(*objects: Any, region: str | None = None) -> Any:
    """A Markdown code block of ``objects``' source (or of one ``region`` of each), for a notebook cell.

    Returns an ``IPython.display.Markdown`` object, which the notebook shows as
    highlighted code and the book renders as a code block.
    """
    from IPython.display import Markdown

    code = "\n\n".join(source_region(obj, region) for obj in objects)
    return Markdown(f"```python\n{code}\n```")
