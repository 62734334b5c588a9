"""Checked claims fail loudly when the data stop supporting them."""

from __future__ import annotations

import numpy as np
import pytest

from mlpbook.book import ClaimFailed, below, claim


def test_below_returns_the_bound_and_fails_naming_the_numbers() -> None:
    assert below("difference", 3e-16, 1e-14) == 1e-14
    with pytest.raises(ClaimFailed, match="difference is 2e-14, not below 1e-14"):
        below("difference", 2e-14, 1e-14)
    with pytest.raises(ClaimFailed, match="nan"):
        below("difference", float("nan"), 1e-14)
    with pytest.raises(ValueError, match="bound must be a finite number > 0, got 0"):
        below("difference", 0.0, 0)


def test_claim_returns_the_sentence_and_fails_naming_it() -> None:
    wins = np.int64(9)
    assert (
        claim("wide beats narrow in {wins} of {n} seeds", wins >= 8, wins=wins, n=10)
        == "wide beats narrow in 9 of 10 seeds"
    )
    with pytest.raises(
        ClaimFailed, match=r"'wide beats narrow in 3 of 10 seeds' does not hold for wins=3, n=10"
    ):
        claim("wide beats narrow in {wins} of {n} seeds", 3 >= 8, wins=3, n=10)
    with pytest.raises(TypeError, match="holds must be a bool"):
        claim("x", 1)


def test_a_claim_is_shown_without_quotes() -> None:
    from IPython.core.formatters import format_display_data

    bundle, _ = format_display_data(claim("A beats B in {k} of {n} seeds", True, k=9, n=10))
    assert bundle["text/plain"] == "A beats B in 9 of 10 seeds"
