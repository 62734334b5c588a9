"""Unit tests of mlpbook.plots.classification: shapes are checked, frames carry their subtitle."""

from __future__ import annotations

import numpy as np
import pytest

from mlpbook.plots import classification as cplots


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


def test_boundary_animation_frames_update_both_heatmaps_and_the_subtitle() -> None:
    fig = _animation()
    assert [t.type for t in fig.data[:2]] == ["heatmap", "heatmap"]
    assert len(fig.frames) == 2
    assert list(fig.frames[1].traces) == [0, 1]
    assert fig.frames[1].layout.title.text == "T<br><sub>epoch 10</sub>"
    assert fig.layout.meta["alt"] == "two panels"
    assert np.array(fig.frames[1].data[1].z).shape == (3, 4)
    play = fig.layout.updatemenus[0].buttons[0]
    assert play.args[1]["frame"]["redraw"] is True  # heatmaps only change on a redraw
    assert all(step.args[1]["frame"]["redraw"] for step in fig.layout.sliders[0].steps)


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
