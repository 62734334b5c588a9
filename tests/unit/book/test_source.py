"""Shown source comes from explicit markers and fails loudly when they are missing."""

from __future__ import annotations

import pytest

from mlpbook.book import show_source, source_region


def marked() -> int:
    total = 0
    # region: loop
    for i in range(3):
        total += i
    # endregion: loop
    return total


def unclosed() -> None:
    # region: loop
    pass


def test_a_region_is_the_code_between_its_markers_dedented() -> None:
    assert source_region(marked, "loop") == "for i in range(3):\n    total += i"


def test_the_whole_function_drops_marker_lines() -> None:
    whole = source_region(marked)
    assert (
        whole.startswith("def marked() -> int:")
        and "# region" not in whole
        and "return total" in whole
    )


@pytest.mark.parametrize("obj, region", [(marked, "missing"), (unclosed, "loop")])
def test_a_missing_or_unclosed_marker_raises(obj, region) -> None:
    with pytest.raises(ValueError, match=f"must contain '# region: {region}' once"):
        source_region(obj, region)


def test_show_source_is_a_markdown_code_block() -> None:
    shown = show_source(marked, region="loop")
    assert shown.data.startswith("```python\nfor i in range(3):")
    with pytest.raises(TypeError, match="no source code"):
        source_region(len)
