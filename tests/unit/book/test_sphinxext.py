"""Unit tests of the book's Sphinx / myst-nb integration."""

from __future__ import annotations

import json
from pathlib import Path
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
    # The JSON waits in the page; mlpbook-figures.js draws it (no inline drawing).
    assert '<script type="application/json" class="mlpbook-plotly-json">' in html
    assert "Plotly.newPlot(" not in html
    assert '"frames":[{' in html
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


def test_title_and_subtitle_are_html_text_above_the_plot() -> None:
    fig = go.Figure(
        layout={"title": {"text": "Fit <b>x²</b><br><sub>epoch 0, loss 3 &lt; 4</sub>"}}
    )
    html = sphinxext.figure_html(json.loads(fig.to_json()), "id1")
    assert '<p class="mlpbook-plotly-title">Fit x²</p>' in html
    assert (
        '<p class="mlpbook-plotly-subtitle" aria-live="polite">epoch 0, loss 3 &lt; 4</p>' in html
    )
    assert sphinxext._title_lines(None) == []
    assert sphinxext._title_lines("a<BR/>b") == ["a", "b"]


def test_site_config_has_no_cloud_buttons() -> None:
    fig = go.Figure()
    fig_json = json.loads(fig.to_json())
    fig_json["config"] = {"showSendToCloud": True}
    html = sphinxext.figure_html(fig_json, "id1")
    payload = json.loads(html.split('class="mlpbook-plotly-json">')[1].split("</script>")[0])
    config = payload["config"]
    assert config["showSendToCloud"] is False and config["showEditInChartStudio"] is False
    assert "sendDataToCloud" in config["modeBarButtonsToRemove"]


def test_static_assets_ship_with_the_package() -> None:
    for name in (sphinxext.FIGURES_JS, sphinxext.SITE_JS, sphinxext.SITE_CSS):
        assert (sphinxext.STATIC / name).is_file(), name
    assert (Path(sphinxext.TEMPLATES_DIR) / "layout.html").is_file()
