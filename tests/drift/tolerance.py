"""Compare a chapter's outputs with its reference the way a reader would.

Words, structure and integers must match exactly; a decimal number may differ
by one unit of the last digit it is shown with. That is the drift a reader
cannot see, and it is what another processor, thread count or kernel code
path produces in float64 (the book's dtype). Everything else is a change.

The rules, applied recursively to every output of a cell:

* **Text** (streams, ``text/plain``, ``text/markdown``, ``text/html``,
  ``text/latex``, strings inside JSON): split into numbers and the words
  between them. The words must be equal. An integer (``42``) must be equal. A
  decimal (``0.257``, ``2.31e-03``) may differ by one unit of its last shown
  digit in the reference (``0.001``, ``0.01e-03``). An integer next to ``±``
  is a rounded measurement (``73 ± 2``, see ``mlpbook.tables.round_to_spread``)
  and gets the same rule: one unit of its last non-zero place. A full-precision float repr
  (ten or more significant digits, e.g. a raw glued value) may differ by
  :data:`REL_FULL` relative.
* **Glued values** are shown in the prose through a format spec
  (``{glue:text}`mse:.2e```): the tolerance is one unit of the last digit of
  the *formatted* value, read from the chapter's Markdown. A name glued with
  several specs gets the finest.
* **JSON** (plotly figures, figure summaries): the same keys and list
  lengths; a list of numbers is compared with one unit of the finest decimal
  place any of its reference entries shows; ints and booleans exactly;
  plotly's base64 arrays are decoded and compared with :data:`REL_FULL` of
  their largest entry.
"""

from __future__ import annotations

import base64
import math
import re
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

import numpy as np

__all__ = ["REL_FULL", "Mismatch", "compare_values", "number_unit", "glue_units", "spec_unit"]

REL_FULL = 1e-6
"""Relative tolerance for numbers printed with all their digits (a raw float
repr or an unrounded array): far below anything a reader sees, far above the
1e-11 that float64 training differs by across kernel code paths."""

NUMBER = re.compile(r"(?<![\w.])[-−+]?(?:\d+\.\d+|\d+)(?:[eE][-+]?\d+)?(?![\w])")
"""A number in text: optional sign (also U+2212, matplotlib's minus), digits,
optional fraction and exponent, not glued to a word (``x2``, ``float64``)."""

_GLUE_ROLE = re.compile(r"\{glue(?::text)?\}`([A-Za-z_][A-Za-z0-9_]*)(?::([^`]*))?`")
_SPEC = re.compile(r".*?\.(\d+)([eEfFgG%])")


@dataclass
class Mismatch:
    """Where two outputs differ and by how much."""

    where: str
    reference: Any
    actual: Any
    reason: str

    def __str__(self) -> str:
        return (
            f"{self.where}: {self.reason}\n    reference: {_short(self.reference)}\n"
            f"    now:       {_short(self.actual)}"
        )


def _short(value: Any, limit: int = 300) -> str:
    text = repr(value) if not isinstance(value, str) else value
    return text if len(text) <= limit else text[:limit] + f"... ({len(text)} characters)"


def _to_float(token: str) -> float:
    return float(token.replace("−", "-"))


def number_unit(token: str) -> float | None:
    """One unit of the last shown digit of a number token, or ``None`` for an integer.

    ``"0.257"`` → 0.001, ``"2.31e-03"`` → 1e-05, ``"42"`` → None (exact).
    Tokens with ten or more significant digits get :data:`REL_FULL` of their value.
    """
    mantissa, _, exponent = token.lower().partition("e")
    if "." not in mantissa:
        if not exponent:
            return None
        decimals = 0
    else:
        decimals = len(mantissa.split(".")[1])
    digits = len(mantissa.lstrip("-−+").replace(".", "").lstrip("0"))
    if digits >= 10:
        return REL_FULL * abs(_to_float(token))
    return 10.0 ** ((int(exponent) if exponent else 0) - decimals)


def spec_unit(spec: str, value: float) -> float | None:
    """One unit of the last digit of ``format(value, spec)``; ``None`` if the spec shows all digits."""
    match = _SPEC.fullmatch(spec)
    if match is None or not math.isfinite(value):
        return None
    places, kind = int(match.group(1)), match.group(2).lower()
    magnitude = math.floor(math.log10(abs(value))) if value else 0
    if kind == "f":
        return 10.0**-places
    if kind == "e":
        return 10.0 ** (magnitude - places)
    if kind == "g":
        return 10.0 ** (magnitude - max(places, 1) + 1)
    return 10.0 ** -(places + 2)  # percent


def glue_units(markdown_sources: Iterable[str]) -> dict[str, list[str]]:
    """Glue name → the format specs the prose shows it with (``""`` for none)."""
    specs: dict[str, list[str]] = {}
    for source in markdown_sources:
        for name, spec in _GLUE_ROLE.findall(source):
            specs.setdefault(name, []).append(spec)
    return specs


def _split(text: str) -> tuple[list[str], list[str]]:
    words = NUMBER.split(text)
    numbers = NUMBER.findall(text)
    return words, numbers


def _compare_text(ref: str, act: str, where: str, glue_specs: list[str] | None) -> Mismatch | None:
    if ref == act:
        return None
    ref_words, ref_numbers = _split(ref)
    act_words, act_numbers = _split(act)
    if ref_words != act_words or len(ref_numbers) != len(act_numbers):
        for i, (a, b) in enumerate(zip(ref_words, act_words)):
            if a != b:
                return Mismatch(
                    where, ref, act, f"the words differ after {i} number(s): {a!r} became {b!r}"
                )
        return Mismatch(where, ref, act, f"{len(ref_numbers)} numbers became {len(act_numbers)}")
    for i, (a, b) in enumerate(zip(ref_numbers, act_numbers)):
        if a == b:
            continue
        unit = number_unit(a)
        measured = ref_words[i].rstrip().endswith("±") or ref_words[i + 1].lstrip().startswith("±")
        if unit is None and measured:  # "73 ± 2": a rounded measurement, not a count
            digits = a.lstrip("-−+")
            unit = 10.0 ** (len(digits) - len(digits.rstrip("0"))) if digits.strip("0") else 1.0
        if unit is None:
            if _to_float(a) == _to_float(b) == 0.0:
                continue
            return Mismatch(
                where, ref, act, f"integer {i + 1} differs: {a} became {b} (integers must be equal)"
            )
        how = "one unit of the last shown digit"
        if glue_specs:
            units = [spec_unit(spec, _to_float(a)) for spec in glue_specs]
            shown = [u for u in units if u is not None]
            if shown:
                unit = min(shown)
                how = (
                    f"one unit of the last digit the prose shows (format {' / '.join(glue_specs)})"
                )
        if abs(_to_float(a) - _to_float(b)) > unit * (1 + 1e-9):
            return Mismatch(
                where,
                ref,
                act,
                f"number {i + 1} differs: {a} became {b}, more than ±{unit:.3g} ({how})",
            )
    return None


def _decimals(value: float) -> int | None:
    """Decimal places of ``repr(value)``; ``None`` for a full-precision repr."""
    text = repr(float(value))
    if "e" in text or "n" in text:
        return None
    digits = len(text.lstrip("-").replace(".", "").lstrip("0"))
    if digits >= 10:
        return None
    return len(text.split(".")[1])


def _is_number(value: Any) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool)


def _compare_numbers(ref: list, act: list, where: str) -> Mismatch | None:
    floats = [v for v in ref if isinstance(v, float)]
    places = [_decimals(v) for v in floats]
    full = any(p is None for p in places)
    scale = max((abs(v) for v in floats if math.isfinite(v)), default=0.0)
    unit = REL_FULL * scale if full else 10.0 ** -max(places, default=0)
    for i, (a, b) in enumerate(zip(ref, act)):
        if isinstance(a, int) and isinstance(b, int):
            if a != b:
                return Mismatch(f"{where}[{i}]", a, b, "integers must be equal")
            continue
        if not _is_number(b):
            return Mismatch(f"{where}[{i}]", a, b, "a number became something else")
        if math.isnan(a) or math.isnan(b):
            if not (math.isnan(a) and math.isnan(b)):
                return Mismatch(f"{where}[{i}]", a, b, "NaN in one only")
            continue
        if abs(a - b) > unit * (1 + 1e-9) and a != b:
            return Mismatch(
                f"{where}[{i}]",
                a,
                b,
                f"differs by more than ±{unit:.3g} (one unit of the finest "
                f"decimal place the reference list shows)",
            )
    return None


def _decode_plotly_array(value: dict) -> np.ndarray:
    array = np.frombuffer(base64.b64decode(value["bdata"]), dtype=np.dtype(value["dtype"]))
    shape = value.get("shape")
    if shape:
        dims = [int(s) for s in str(shape).split(",")] if not isinstance(shape, list) else shape
        array = array.reshape(dims)
    return array


def _is_plotly_array(value: Any) -> bool:
    return isinstance(value, dict) and "bdata" in value and "dtype" in value


def _first_array_mismatch(
    a: np.ndarray, b: np.ndarray, equal: np.ndarray, where: str, reason: str
) -> Mismatch | None:
    """The first element where ``equal`` is false, as a :class:`Mismatch`; ``None`` if none."""
    bad = np.flatnonzero(~equal.reshape(-1))
    if not bad.size:
        return None
    i = bad[0]
    return Mismatch(f"{where}[{i}]", a.reshape(-1)[i], b.reshape(-1)[i], reason)


def compare_values(
    ref: Any, act: Any, where: str = "output", glue_specs: list[str] | None = None
) -> Mismatch | None:
    """The first difference a reader could see between ``ref`` and ``act``, or ``None``."""
    if _is_plotly_array(ref) and _is_plotly_array(act):
        a, b = _decode_plotly_array(ref), _decode_plotly_array(act)
        if a.shape != b.shape or a.dtype.kind != b.dtype.kind:
            return Mismatch(where, a.shape, b.shape, "array shape or kind differs")
        if a.dtype.kind in "iub":
            return _first_array_mismatch(a, b, a == b, where, "integers must be equal")
        finite = np.abs(a[np.isfinite(a)])
        tol = REL_FULL * (float(finite.max()) if finite.size else 0.0)
        close = np.isclose(a, b, rtol=0.0, atol=tol, equal_nan=True) | (a == b)
        return _first_array_mismatch(a, b, close, where, f"differs by more than ±{tol:.3g}")
    if isinstance(ref, str) and isinstance(act, str):
        return _compare_text(ref, act, where, glue_specs)
    if isinstance(ref, dict) and isinstance(act, dict):
        if set(ref) != set(act):
            return Mismatch(
                where,
                sorted(ref),
                sorted(act),
                f"keys differ: missing {sorted(set(ref) - set(act))}, new {sorted(set(act) - set(ref))}",
            )
        for key in ref:
            found = compare_values(ref[key], act[key], f"{where}.{key}", glue_specs)
            if found:
                return found
        return None
    if isinstance(ref, list) and isinstance(act, list):
        if len(ref) != len(act):
            return Mismatch(where, len(ref), len(act), f"list length {len(ref)} became {len(act)}")
        if ref and all(_is_number(v) for v in ref):
            return _compare_numbers(ref, act, where)
        for i, (a, b) in enumerate(zip(ref, act)):
            found = compare_values(a, b, f"{where}[{i}]", glue_specs)
            if found:
                return found
        return None
    if _is_number(ref) and _is_number(act):
        return _compare_numbers([ref], [act], where)
    if ref != act:
        return Mismatch(where, ref, act, f"{type(ref).__name__} value differs")
    return None
