"""Dark variants of matplotlib figures (mlpbook.book.dark_figures)."""

from __future__ import annotations

import base64
import hashlib
import io

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pytest  # noqa: E402
from matplotlib.colors import to_rgba  # noqa: E402
from PIL import Image  # noqa: E402

from mlpbook.book.dark_figures import (  # noqa: E402
    DARK_MIME,
    dark_color,
    dark_copy,
    dark_png,
    dark_variants,
)


def _figure() -> plt.Figure:
    fig, ax = plt.subplots(figsize=(3, 2))
    ax.plot([0, 1, 2], [0, 1, 4], color="black", ls="--", label="black")
    ax.plot([0, 1, 2], [1, 2, 3], color="#1f77b4", marker="o", label="blue")
    ax.fill_between([0, 1, 2], [0, 0, 0], [1, 1, 1], color="#d62728", alpha=0.2)
    ax.imshow(np.arange(4.0).reshape(2, 2), extent=(0, 1, 0, 1), cmap="viridis")
    ax.set_title("a title")
    ax.legend()
    plt.close(fig)
    return fig


def _luminance(png: bytes) -> float:
    """Of the background: the figure's top-left corner."""
    pixels = np.asarray(Image.open(io.BytesIO(png)).convert("L"), dtype=float)
    return float(pixels[:3, :3].mean() / 255)


def test_dark_color_swaps_greys_and_lightens_dark_colours() -> None:
    assert dark_color("white")[:3] == pytest.approx((0.07, 0.07, 0.07))
    assert dark_color("black")[:3] == pytest.approx((0.93, 0.93, 0.93))
    assert dark_color((0.5, 0.5, 0.5, 0.3))[3] == 0.3  # alpha kept
    blue = dark_color("#1f77b4")  # a mid-dark blue: lighter, still blue
    assert sum(blue[:3]) > sum(to_rgba("#1f77b4")[:3])
    assert blue[2] == max(blue[:3])
    light = to_rgba("#ffbb78")  # a light orange (l = 0.74) is kept
    assert dark_color(light) == pytest.approx(light)


def test_dark_copy_recolours_the_copy_and_leaves_the_figure_alone() -> None:
    fig = _figure()
    dark = dark_copy(fig)
    ax, dark_ax = fig.axes[0], dark.axes[0]
    assert to_rgba(ax.lines[0].get_color()) == to_rgba("black")  # the original is unchanged
    assert dark_ax.lines[0].get_color() == pytest.approx(dark_color("black"))
    assert dark_ax.title.get_color() == pytest.approx(dark_color("black"))
    assert dark.patch.get_facecolor() == pytest.approx(dark_color("white"))
    # colour maps are mapped entry by entry (a colour bar matches lines drawn from it)
    cmap = dark_ax.images[0].get_cmap()
    assert cmap.name == "viridis_dark"
    assert cmap(0.0) == pytest.approx(dark_color(plt.get_cmap("viridis")(0.0)))


def test_dark_png_is_dark_and_has_the_size_of_the_normal_png() -> None:
    from IPython.core.pylabtools import print_figure

    fig = _figure()
    light, dark = print_figure(fig, "png", bbox_inches="tight"), dark_png(fig)
    assert Image.open(io.BytesIO(dark)).size == Image.open(io.BytesIO(light)).size
    assert _luminance(light) > 0.9 > 0.1 > _luminance(dark)


def test_dark_copy_rejects_other_objects() -> None:
    with pytest.raises(TypeError, match="matplotlib Figure"):
        dark_copy("not a figure")


def test_dark_variants_finds_each_figure_by_the_hash_of_its_normal_png() -> None:
    light, dark = b"light png bytes", b"dark png bytes"
    b64 = base64.b64encode
    notebook = {
        "cells": [
            {
                "cell_type": "code",
                "outputs": [
                    {
                        "data": {
                            "image/png": b64(light).decode(),
                            DARK_MIME: {"png": b64(dark).decode()},
                        }
                    },
                    {  # a glued figure
                        "data": {
                            "application/papermill.record/image/png": b64(b"g").decode(),
                            "application/papermill.record/" + DARK_MIME: {
                                "png": b64(b"gd").decode()
                            },
                        }
                    },
                    {"data": {"text/plain": "1"}},
                ],
            }
        ]
    }
    found = dark_variants(notebook)
    assert found == {
        hashlib.sha256(light).hexdigest(): dark,
        hashlib.sha256(b"g").hexdigest(): b"gd",
    }
