"""The matplotlib figure summary the drift check compares instead of pixels."""

from __future__ import annotations

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
from tolerance import compare_values  # noqa: E402

from mlpbook.book.figure_summary import summarize_figure  # noqa: E402


def _figure(xlabel: str = "epoch", scale: float = 1.0):
    fig, ax = plt.subplots()
    x = np.linspace(0, 1, 50)
    ax.plot(x, scale * x**2, label="loss")
    ax.set_xlabel(xlabel)
    ax.set_title("Training")
    ax.legend()
    plt.close(fig)
    return fig


def test_summary_holds_the_words_and_data_a_reader_sees() -> None:
    summary = summarize_figure(_figure())
    ax = summary["axes"][0]
    assert ax["xlabel"] == "epoch" and ax["title"] == ["Training"] and ax["legend"] == ["loss"]
    assert ax["xticks"] and ax["lines"][0]["y"]["max"] == "1.000e+00"


def test_a_changed_label_or_curve_is_caught_and_rounding_noise_is_not() -> None:
    reference = summarize_figure(_figure())
    assert compare_values(reference, summarize_figure(_figure(scale=1 + 1e-9))) is None
    assert compare_values(reference, summarize_figure(_figure(xlabel="step"))) is not None
    assert compare_values(reference, summarize_figure(_figure(scale=1.01))) is not None
