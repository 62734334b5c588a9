"""Unit tests of the book's Sphinx / myst-nb integration."""

from __future__ import annotations

import json
from types import SimpleNamespace

import plotly.graph_objects as go

from mlpbook.book import sphinxext


def _data(fig: go.Figure, cell: int = 3, output: int = 0) -> SimpleNamespace:
    content = json.loads(fig.to_json())
    return SimpleNamespace(
        mime_type=sphinxext.PLOTLY_MIME, content=content, cell_index=cell, output_index=output
    )


def test_renderer_writes_div_and_newplot_with_deterministic_id() -> None:
    fig = go.Figure(
        go.Scatter(x=[1, 2], y=[3, 4]), layout={"meta": {"alt": "a <b>", "caption": "c"}}
    )
    fig.frames = [go.Frame(name="f", data=[go.Scatter(y=[4, 3])])]
    renderer = SimpleNamespace(source="/x/book/chapter.md")
    (node,) = sphinxext.PlotlyMimeRenderer.handle_mime(renderer, _data(fig), False)
    html = node.astext()
    assert 'role="img" aria-label="a &lt;b&gt;"' in html
    assert "Plotly.newPlot(" in html and "Plotly.addFrames(" in html
    assert "<figcaption>c</figcaption>" in html
    (again,) = sphinxext.PlotlyMimeRenderer.handle_mime(renderer, _data(fig), False)
    assert again.astext() == html
    (other,) = sphinxext.PlotlyMimeRenderer.handle_mime(renderer, _data(fig, cell=4), False)
    assert other.astext() != html
    assert "plotly.min.js" not in html  # the library is loaded per page, never inlined


def test_renderer_ignores_other_mime_types_and_inline() -> None:
    data = SimpleNamespace(mime_type="text/plain", content="x", cell_index=0, output_index=0)
    assert (
        sphinxext.PlotlyMimeRenderer.handle_mime(SimpleNamespace(source="a.md"), data, False)
        is None
    )
    fig = go.Figure()
    assert (
        sphinxext.PlotlyMimeRenderer.handle_mime(SimpleNamespace(source="a.md"), _data(fig), True)
        is None
    )


def test_script_content_cannot_close_the_tag() -> None:
    fig = go.Figure(layout={"title": {"text": "</script><b>"}})
    html = sphinxext.figure_html(json.loads(fig.to_json()), "id1")
    assert html.count("</script>") == 1


def test_plugin_is_registered_as_entry_point() -> None:
    from importlib.metadata import entry_points

    eps = entry_points(group="myst_nb.mime_renderers")
    assert any(ep.value == "mlpbook.book.sphinxext:PlotlyMimeRenderer" for ep in eps)
