"""The drift check: nbval re-executes every reference notebook in ``references/``
and compares each cell's outputs with the stored ones through
:mod:`tolerance`, not as exact strings.

nbval's own comparison is exact after regex sanitizing, so a float32 last-bit
difference on another processor failed it, while ``image/png`` outputs were
not compared at all. This plugin replaces ``IPyNbCell.compare_outputs``:

* outputs are compared in order, output by output (after nbval's stream
  merging), with the same output types and MIME keys;
* every value is compared by :func:`tolerance.compare_values`: words,
  structure and integers exactly, decimals within one unit of the last digit
  shown (for glued values, the digit the prose shows);
* a matplotlib figure is compared through its summary (the MIME type
  ``application/vnd.mlpbook.figure-summary+json``, written beside its PNG by the
  drift kernels' start-up file), so a changed label, title or curve fails;
* a failure says which notebook, cell, output, MIME type and JSON path, the
  reference and the new value, and the tolerance it exceeded.
"""

from __future__ import annotations

from typing import Any

from nbval.plugin import IPyNbCell, coalesce_streams
from tolerance import compare_values, glue_units

# Not compared: run-specific bookkeeping, and the PNG itself (its summary is).
SKIPPED_KEYS = {
    "metadata",
    "traceback",
    "prompt_number",
    "execution_count",
    "transient",
    "image/png",
    "image/jpeg",
    "application/vnd.jupyter.widget-view+json",
}


def _glue_name(output: Any) -> str | None:
    scrapbook = (output.get("metadata") or {}).get("scrapbook") or {}
    return scrapbook.get("name")


def _fields(output: Any) -> dict[str, Any]:
    """The comparable fields of one output: its type, stream name and text, MIME data."""
    fields: dict[str, Any] = {}
    for key, value in output.items():
        if key in SKIPPED_KEYS:
            continue
        if key == "data":
            for mime, data in value.items():
                if mime not in SKIPPED_KEYS and not mime.endswith(("image/png", "image/jpeg")):
                    fields[mime] = data
        else:
            fields[key] = value
    return fields


def _glue_specs(notebook: Any) -> dict[str, list[str]]:
    cached = getattr(notebook, "_mlpbook_glue_specs", None)
    if cached is None:
        cached = glue_units(cell.source for cell in notebook.cells if cell.cell_type == "markdown")
        notebook._mlpbook_glue_specs = cached
    return cached


def tolerant_compare_outputs(
    self: IPyNbCell, test: list, ref: list, skip_compare: Any = None
) -> bool:
    """nbval's ``compare_outputs`` with reader-visible tolerance (see module docstring)."""
    self.comparison_traceback = []
    test, ref = coalesce_streams(list(test)), coalesce_streams(list(ref))
    where_cell = f"{self.parent.name}, code cell {self.cell_num}"
    kinds = lambda outs: [o.get("output_type") for o in outs]  # noqa: E731
    if kinds(test) != kinds(ref):
        self.comparison_traceback.append(
            f"{where_cell}: the outputs changed kind or number:\n    reference: {kinds(ref)}\n    now:       "
            f"{kinds(test)}"
        )
        return False
    specs = _glue_specs(self.parent.nb)
    for index, (ref_out, test_out) in enumerate(zip(ref, test)):
        name = _glue_name(ref_out)
        label = f"{where_cell}, output {index + 1}" + (f" (glue {name!r})" if name else "")
        ref_fields = {k: self.sanitize(v) for k, v in _fields(ref_out).items()}
        test_fields = {k: self.sanitize(v) for k, v in _fields(test_out).items()}
        if set(ref_fields) != set(test_fields):
            self.comparison_traceback.append(
                f"{label}: MIME types changed: missing {sorted(set(ref_fields) - set(test_fields))}, "
                f"new {sorted(set(test_fields) - set(ref_fields))}"
            )
            return False
        for key in ref_fields:
            found = compare_values(
                ref_fields[key],
                test_fields[key],
                f"{label} [{key}]",
                specs.get(name) if name else None,
            )
            if found is not None:
                self.comparison_traceback.append(str(found))
                return False
    return True


IPyNbCell.compare_outputs = tolerant_compare_outputs
