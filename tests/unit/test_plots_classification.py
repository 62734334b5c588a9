"""Unit tests of mlpbook.plots.classification: shapes are checked, frames carry their subtitle
and show the class regions of their epoch."""

from __future__ import annotations

import numpy as np
import pytest

from mlpbook.plots import classification as cplots
from mlpbook.plots.outlines import region_path


def _animation(**overrides):
    xs, ys = np.linspace(0, 1, 4), np.linspace(0, 1, 3)
    classes = np.zeros((2, 12), dtype=np.int8)
    kwargs = dict(
        grid=(xs, ys),
        panels={"narrow": classes, "wide": classes + 1},
        points=np.array([[0.1, 0.2], [0.5, 0.5]]),
        labels=np.array([0, 1]),
        epochs=[0, 10],
        subtitles=["epoch 0", "epoch 10"],
        title="T",
        alt="two panels",
        caption="c",
    )
    kwargs.update(overrides)
    return cplots.boundary_animation(**kwargs)


def test_class_regions_are_shapes_that_a_frame_shows_or_hides() -> None:
    xs, ys = np.linspace(0, 1, 4), np.linspace(0, 1, 3)
    first = np.zeros(12, dtype=np.int8)
    last = np.array([0, 1, 1, 0] * 3, dtype=np.int8)
    fig = _animation(panels={"narrow": np.stack([first, last]), "wide": np.stack([last, first])})
    assert {t.type for t in fig.data} == {"scatter"}  # nothing that plotly must recalculate
    shapes = fig.layout.shapes
    assert [s.type for s in shapes] == ["rect", "rect", "path", "path", "path", "path"]
    assert [(s.xref, s.yref) for s in shapes[2:4]] == [("x", "y"), ("x2", "y2")]
    # the region of each frame and panel, in frame order; only frame 0's is shown
    assert [s.path for s in shapes[2:]] == [
        region_path(m.reshape(3, 4) == 1, xs, ys) for m in (first, last, last, first)
    ]
    assert [s.opacity for s in shapes[2:]] == [1, 1, 0, 0]
    frame = fig.frames[1]
    assert frame.data == () and frame.layout.title.text == "T<br><sub>epoch 10</sub>"
    changes = [s.to_plotly_json() for s in frame.layout.shapes]
    assert changes == [{}, {}, {"opacity": 0}, {"opacity": 0}, {"opacity": 1}, {"opacity": 1}]
    play = fig.layout.updatemenus[0].buttons[0]
    assert play.args[1]["frame"]["redraw"] is True  # without a redraw, plotly skips shapes


def test_boundary_animation_refuses_bad_shapes() -> None:
    with pytest.raises(ValueError, match="need two panels"):
        _animation(panels={"one": np.zeros((2, 12))})
    with pytest.raises(ValueError, match=r"classes must have shape \(2, 12\)"):
        _animation(panels={"a": np.zeros((2, 11)), "b": np.zeros((2, 12))})
    with pytest.raises(ValueError, match="2 epochs but 1 subtitles"):
        _animation(subtitles=["x"])


def test_static_figures_build_and_check_input() -> None:
    curves = {"loss": {"training": np.ones((5, 3)), "validation": np.ones((5, 3))}}
    assert cplots.curves_plot(curves, log_panels=["loss"]).axes
    err = {"50": (np.zeros((2, 3)), np.ones((2, 3)))}
    assert cplots.error_vs_width([4, 16], err).axes
    assert cplots.confusion_plot(np.eye(3, dtype=int) * 5, title="t").axes
    assert cplots.image_grid(np.zeros((3, 8, 8)), ["a", "b", "c"], cols=2).axes
    with pytest.raises(ValueError, match="must be square"):
        cplots.confusion_plot(np.zeros((2, 3), dtype=int), title="t")
    with pytest.raises(ValueError, match="one title each"):
        cplots.image_grid(np.zeros((3, 8, 8)), ["a"])
    assert cplots.error_vs_epochs(err).axes
    with pytest.raises(ValueError, match="3 rows for 2 x values"):
        cplots.error_vs_width([4, 16], {"x": (np.zeros((3, 2)), np.zeros((3, 2)))})
