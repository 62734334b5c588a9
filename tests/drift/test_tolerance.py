"""The drift check's comparison rules (tests/drift/tolerance.py): it allows the
drift a reader cannot see and nothing else."""

from __future__ import annotations

import base64

import numpy as np
import pytest
from tolerance import REL_FULL, compare_values, glue_units, number_unit, spec_unit


@pytest.mark.parametrize(
    "token, unit",
    [
        ("0.257", 1e-3),
        ("2.31e-03", 1e-5),
        ("31.5", 0.1),
        ("−2.5", 0.1),
        ("1e-05", 1e-5),
        ("42", None),
    ],
)
def test_number_unit_is_one_unit_of_the_last_shown_digit(token, unit) -> None:
    assert number_unit(token) == pytest.approx(unit) if unit else number_unit(token) is None


def test_full_precision_reprs_get_a_relative_tolerance() -> None:
    assert number_unit("0.04737850640211602") == pytest.approx(REL_FULL * 0.04737850640211602)


@pytest.mark.parametrize(
    "spec, value, unit",
    [
        (".2e", 0.0473, 1e-4),
        (".1f", 31.5, 0.1),
        (".3g", 1234.5, 10),
        (".0%", 0.46, 0.01),
        ("", 1.0, None),
        (",", 1e6, None),
    ],
)
def test_spec_unit_matches_what_format_shows(spec, value, unit) -> None:
    got = spec_unit(spec, value)
    assert (got is None) if unit is None else got == pytest.approx(unit)


def test_text_allows_one_unit_of_the_last_digit() -> None:
    assert compare_values("MSE 0.2569 after 500 epochs", "MSE 0.2570 after 500 epochs") is None
    assert compare_values("range −37.02", "range −37.01") is None


@pytest.mark.parametrize(
    "ref, now",
    [
        ("MSE 0.2569 after 500 epochs", "MSE 0.2203 after 500 epochs"),  # a real change
        ("MSE 0.2569 after 500 epochs", "MSE 0.2569 after 501 epochs"),  # integers are exact
        ("the loss rises", "the loss falls"),  # words are exact
        ("3 regions", "3 regions, 4 kinks"),  # structure
        ("in 9 of 10 seeds.", "in 9 of 11 seeds."),  # an integer before a full stop
    ],
)
def test_text_catches_what_a_reader_would_see(ref, now) -> None:
    assert compare_values(ref, now) is not None


def test_glued_values_use_the_precision_of_the_prose() -> None:
    specs = glue_units(["MSE {glue:text}`mse:.2e` and {glue}`count` and {glue:text}`mse:.3e`"])
    assert specs == {"mse": [".2e", ".3e"], "count": [""]}
    # shown as 4.738e-02 (finest spec): 4.7385e-02 vs 4.7386e-02 is invisible, 4.75e-02 is not
    assert compare_values("0.047385", "0.047386", glue_specs=specs["mse"]) is None
    assert compare_values("0.047385", "0.047500", glue_specs=specs["mse"]) is not None
    assert compare_values("np.float64(0.047385064021)", "np.float64(0.047385064022)") is None


def test_json_lists_use_their_finest_decimal_place() -> None:
    assert compare_values({"x": [1.25, 3.0, -37.02]}, {"x": [1.26, 3.0, -37.01]}) is None
    assert compare_values({"x": [1.25, 3.0, -37.02]}, {"x": [1.28, 3.0, -37.02]}) is not None
    assert compare_values({"x": [1, 2]}, {"x": [1, 3]}) is not None
    assert compare_values({"x": [1.5]}, {"x": [1.5], "y": 0}) is not None
    assert (
        compare_values(
            {"title": {"text": "epoch 0, loss 31.5"}}, {"title": {"text": "epoch 0, loss 31.6"}}
        )
        is None
    )
    assert (
        compare_values({"title": {"text": "epoch 0"}}, {"title": {"text": "epoch 1"}}) is not None
    )


def _plotly_array(values: np.ndarray) -> dict:
    return {"dtype": values.dtype.str[1:], "bdata": base64.b64encode(values.tobytes()).decode()}


def test_plotly_binary_arrays_are_decoded() -> None:
    a = np.array([1.0, 2.0, 3.0])
    assert compare_values(_plotly_array(a), _plotly_array(a * (1 + 1e-9))) is None
    assert compare_values(_plotly_array(a), _plotly_array(a + 1e-3)) is not None
    assert compare_values(_plotly_array(np.arange(3)), _plotly_array(np.arange(3) + 1)) is not None


def test_a_failure_says_where_and_by_how_much() -> None:
    found = compare_values(
        {"layout": {"xaxis": {"range": [0.12, 0.5]}}},
        {"layout": {"xaxis": {"range": [0.2, 0.5]}}},
        "cell 3",
    )
    assert found is not None
    assert (
        "cell 3.layout.xaxis.range[0]" in str(found)
        and "0.12" in str(found)
        and "0.2" in str(found)
    )


def test_rounded_measurements_next_to_plus_minus_allow_one_unit() -> None:
    assert compare_values("dead 73 ± 2 %", "dead 74 ± 2 %") is None
    assert compare_values("dead 73 ± 2 %", "dead 73 ± 3 %") is None
    assert compare_values("loss 12300 ± 700", "loss 12400 ± 700") is None
    assert compare_values("dead 73 ± 2 %", "dead 75 ± 2 %") is not None
    assert compare_values("73 units", "74 units") is not None
