"""The site as readers use it: phones, dark mode, the sidebar buttons, animation titles.

Each test reproduces a defect a reader saw on the site (issue 15) and checks it is gone:

* the chapter list and the page contents open on a phone (390 px), and the
  chapter list collapses on a desktop (1366 px); one header, one ``<h1>``;
* after Play, an animation's subtitle names the last frame's epoch and loss;
* no "Share chart" / cloud button in any figure's toolbar;
* in dark mode every plotly figure's background is dark, in light mode light,
  and no matplotlib figure is a dark image on a light page, while on a dark page
  each shows its dark variant (drawn by the build's kernels), caption kept;
* at 390 px, no two text boxes of a figure (titles, legend entries, tick
  labels, axis titles, annotations, colour bars) overlap, and none is cut off
  at the figure's edge; fonts are at least 10 px.
"""

from __future__ import annotations

import pytest
from site_helpers import SITE, pages
from test_browser import _open, draw_all, site  # noqa: F401  (the fixture)

PAGES = pages() if SITE.exists() else []
CHAPTERS = [p for p in PAGES if p.startswith("book/")]
FIGURE_PAGES = [
    p for p in CHAPTERS if 'class="mlpbook-plotly-figure' in (SITE / p).read_text(encoding="utf-8")
]
PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1366, "height": 900}

skip_without_site = pytest.mark.skipif(not PAGES, reason="no built site")


@skip_without_site
def test_sidebar_and_contents_buttons(site) -> None:  # noqa: F811
    base, b = site
    errors: list[str] = []
    path = CHAPTERS[0]
    page = _open(b, base, path, errors, viewport=DESKTOP)
    try:
        assert page.locator("h1").count() == 1, "a page has one <h1>"
        assert page.locator("#pst-header .primary-toggle").count() == 0, "no hidden header copy"
        assert page.locator("input[name=q]:visible").count() <= 1, "one search box"
        sidebar = page.locator("#pst-primary-sidebar")
        width = sidebar.bounding_box()["width"]
        assert width > 150
        page.locator(".bd-header-article .primary-toggle").click()
        page.wait_for_timeout(600)
        assert not sidebar.is_visible() or sidebar.bounding_box()["width"] < 5, (
            "the hamburger collapses the chapter list at 1366 px"
        )
        page.locator(".bd-header-article .primary-toggle").click()
        page.wait_for_timeout(600)
        assert sidebar.is_visible(), "and opens it again"
    finally:
        page.close()
    page = _open(b, base, path, errors, viewport=PHONE)
    try:
        page.locator(".bd-header-article .primary-toggle").click()
        page.wait_for_timeout(400)
        dialog = page.locator("#pst-primary-sidebar-modal")
        assert dialog.evaluate("d => d.open"), "the chapter list opens at 390 px"
        assert page.locator("#pst-primary-sidebar-modal a.reference").first.is_visible()
        page.keyboard.press("Escape")
        page.wait_for_timeout(300)
        page.locator(".bd-header-article .secondary-toggle").click()
        page.wait_for_timeout(400)
        dialog = page.locator("#pst-secondary-sidebar-modal")
        assert dialog.evaluate("d => d.open"), "the page contents open at 390 px"
        assert page.locator("#pst-secondary-sidebar-modal a").first.is_visible()
        assert not errors, "\n".join(errors)
    finally:
        page.close()


LAYERS_JS = """() => window.mlpbookFigures.filter(f => f.frameNames).map(f => ({
  id: f.gd.id,
  traces: f.gd.querySelectorAll('.scatterlayer .trace').length,
  shapes: f.gd.querySelectorAll('path[data-index]').length,
  shown: [...f.gd.querySelectorAll('path[data-index]')]
    .filter(p => getComputedStyle(p).opacity !== '0').length,
}))"""
"""For each animation: how many scatter traces (the contour lines are some), shapes
(the class regions) and shown shapes it draws."""


@skip_without_site
@pytest.mark.parametrize(
    "path", ["book/training.html", "book/classification-and-generalization.html"]
)
def test_an_animation_frame_keeps_what_it_does_not_change(site, path: str) -> None:  # noqa: F811
    """Frames carry only what they change: the contour lines under the optimizer
    paths, the points on the class regions and the regions' backgrounds must still
    be drawn at the last frame, and the class regions shown must be the last frame's."""
    base, b = site
    errors: list[str] = []
    page = _open(b, base, path, errors, viewport=DESKTOP)
    try:
        draw_all(page)
        before = page.evaluate(LAYERS_JS)
        assert before, f"{path}: no animation"
        page.evaluate(
            "() => Promise.all(window.mlpbookFigures.filter(f => f.frameNames)"
            ".map(f => f.showFrame(f.frameNames.length - 1)))"
        )
        page.wait_for_timeout(300)
        assert page.evaluate(LAYERS_JS) == before, f"{path}: a frame removed a layer: {before}"
        # Every shape the last frame makes opaque is drawn opaque, and only those.
        wrong = page.evaluate(
            """() => window.mlpbookFigures.filter(f => f.frameNames).flatMap(f => {
              const last = f.frames[f.frameNames[f.frameNames.length - 1]];
              const asked = ((last.layout || {}).shapes || []).map(s => s.opacity);
              return [...f.gd.querySelectorAll('path[data-index]')].filter(p => {
                const want = asked[+p.getAttribute('data-index')];
                return want !== undefined && +getComputedStyle(p).opacity !== want;
              }).map(p => f.gd.id + ' shape ' + p.getAttribute('data-index'));
            })"""
        )
        assert not wrong, f"{path}: shapes not as the last frame asks: {wrong}"
        assert not errors, "\n".join(errors)
    finally:
        page.close()


@skip_without_site
def test_subtitle_follows_the_frame_after_play(site) -> None:  # noqa: F811
    base, b = site
    errors: list[str] = []
    page = _open(b, base, "book/linear-to-mlp.html", errors)
    try:
        draw_all(page)
        fig = page.locator(".mlpbook-plotly-figure").first
        fig_id = fig.get_attribute("id")
        last = page.evaluate(
            "id => { const f = document.getElementById(id).mlpbook;"
            " const name = f.frameNames[f.frameNames.length - 1];"
            " return f.frames[name].layout.title.text; }",
            fig_id,
        )
        epoch_label = last.split("<sub>")[1].split("</sub>")[0]
        page.locator(f"#{fig_id} ~ .mlpbook-plotly-controls .mlpbook-plotly-play").click()
        page.wait_for_function(
            "id => { const f = document.getElementById(id).mlpbook;"
            " return !f.playing && f.frameIndex === f.frameNames.length - 1; }",
            arg=fig_id,
            timeout=30_000,
        )
        subtitle = (
            page.locator(f"#{fig_id}").locator("xpath=..").locator(".mlpbook-plotly-subtitle")
        )
        assert subtitle.text_content() == epoch_label
        # dragging the slider back to the start: the subtitle follows too
        slider = page.locator(f"#{fig_id} ~ .mlpbook-plotly-controls input[type=range]")
        slider.focus()
        page.keyboard.press("Home")
        page.wait_for_timeout(300)
        first = page.evaluate(
            "id => { const f = document.getElementById(id).mlpbook;"
            " return f.frames[f.frameNames[0]].layout.title.text; }",
            fig_id,
        )
        assert subtitle.text_content() == first.split("<sub>")[1].split("</sub>")[0]
        assert not errors, "\n".join(errors)
    finally:
        page.close()


BACKGROUNDS_JS = """() => Array.from(document.querySelectorAll('.mlpbook-plotly-figure')).map(gd => {
  const bg = gd.querySelector('.main-svg').style.background || '';
  return {id: gd.id, paper: gd._fullLayout.paper_bgcolor, plot: gd._fullLayout.plot_bgcolor,
          font: gd._fullLayout.font.color, svg: bg,
          cloud: gd.querySelectorAll(
            '.modebar-btn[data-title*="Share" i], .modebar-btn[data-title*="Cloud" i],'
            + ' .modebar-btn[data-title*="Chart Studio" i]').length};
})"""

IMAGES_JS = """async () => {
  const out = [];
  for (const img of document.querySelectorAll('.cell_output img')) {
    if (getComputedStyle(img).display === 'none') continue;  // the other theme's variant
    await img.decode().catch(() => null);
    const c = document.createElement('canvas');
    c.width = 64; c.height = 64;
    const ctx = c.getContext('2d');
    ctx.fillStyle = '#fff'; ctx.fillRect(0, 0, 64, 64);
    ctx.drawImage(img, 0, 0, 64, 64);
    const d = ctx.getImageData(0, 0, 64, 64).data;
    let sum = 0;
    for (let i = 0; i < d.length; i += 4) sum += 0.2126 * d[i] + 0.7152 * d[i+1] + 0.0722 * d[i+2];
    const caption = img.closest('figure') && img.closest('figure').querySelector('figcaption');
    const corner = (0.2126 * d[0] + 0.7152 * d[1] + 0.0722 * d[2]) / 255;  // the background
    out.push({src: img.getAttribute('src'), luminance: sum / (d.length / 4) / 255, corner,
              dark_variant: img.classList.contains('mlpbook-dark'),
              caption_hidden: !!caption && getComputedStyle(caption).display === 'none'});
  }
  return out;
}"""


def _luminance(color: str) -> float:
    """Relative luminance (0 black, 1 white) of an ``rgb()``/``rgba()``/``#hex`` colour."""
    color = {"white": "#ffffff", "black": "#000000"}.get(color.strip().lower(), color.strip())
    if color.startswith("#"):
        h = color[1:]
        if len(h) == 3:
            h = "".join(c * 2 for c in h)
        r, g, b = (int(h[i : i + 2], 16) for i in (0, 2, 4))
    else:
        r, g, b = (float(x) for x in color[color.index("(") + 1 : -1].split(",")[:3])
    return (0.2126 * r + 0.7152 * g + 0.0722 * b) / 255


@skip_without_site
@pytest.mark.parametrize("path", CHAPTERS or ["none"])
def test_figures_follow_the_theme(site, path: str) -> None:  # noqa: F811
    base, b = site
    for scheme in ("light", "dark"):
        errors: list[str] = []
        page = _open(b, base, path, errors, viewport=DESKTOP, color_scheme=scheme)
        try:
            assert page.evaluate("document.documentElement.dataset.theme") == scheme
            draw_all(page)
            for fig in page.evaluate(BACKGROUNDS_JS):
                assert fig["cloud"] == 0, f"{path}: {fig['id']} offers a cloud/share button"
                for key in ("paper", "plot"):
                    lum = _luminance(fig[key])
                    ok = lum < 0.2 if scheme == "dark" else lum > 0.8
                    assert ok, f"{path} ({scheme}): {fig['id']} {key} background {fig[key]}"
                font = _luminance(fig["font"])
                assert (font > 0.6) if scheme == "dark" else (font < 0.4), (
                    f"{path} ({scheme}): {fig['id']} text colour {fig['font']}"
                )
            images = page.evaluate(IMAGES_JS)
            for image in images:
                assert not image["caption_hidden"], (
                    f"{path} ({scheme}): {image['src']} lost its caption"
                )
            if scheme == "light":
                for image in images:
                    assert image["luminance"] > 0.6 and not image["dark_variant"], (
                        f"{path}: the figure {image['src']} is dark on a light page"
                    )
            else:
                for image in images:  # every matplotlib figure shows its dark variant
                    assert image["dark_variant"] and image["corner"] < 0.2, (
                        f"{path}: the figure {image['src']} is not a dark variant "
                        f"(background luminance {image['corner']:.2f}) on a dark page"
                    )  # switching back to light redraws every figure light
                page.evaluate("document.documentElement.dataset.theme = 'light'")
                page.wait_for_timeout(800)
                for fig in page.evaluate(BACKGROUNDS_JS):
                    assert _luminance(fig["paper"]) > 0.8, f"{path}: {fig['id']} stayed dark"
            assert not errors, "\n".join(errors)
        finally:
            page.close()


TEXT_BOXES_JS = r"""() => {
  // every subplot's axes: plotly names them xtick, x2tick, ..., g-xtitle, g-x2title, ...
  const kinds = ['.gtitle', '.legendtext', 'g[class$="tick"] > text',
                 'g[class^="g-x"][class$="title"] text', 'g[class^="g-y"][class$="title"] text',
                 '.annotation-text', '.cbaxis text', '.cbtitle text'];
  return Array.from(document.querySelectorAll('.mlpbook-plotly-figure')).map(gd => {
    const fig = gd.getBoundingClientRect();
    const boxes = [], seen = new Set();
    for (const kind of kinds) {
      gd.querySelectorAll(kind).forEach((el, i) => {
        if (seen.has(el)) return;  // one text in two kinds (a colour bar's ticks)
        seen.add(el);
        const r = el.getBoundingClientRect();
        if (r.width < 1 || r.height < 1 || !el.textContent.trim()) return;
        const m = (el.parentNode.getAttribute('class') || '').match(/^(?:g-)?(x\d*)(tick|title)$/);
        boxes.push({kind, i, text: el.textContent.trim().slice(0, 30),
                    xaxis: m ? m[1] : null, role: m ? m[2] : null,
                    x0: r.left, x1: r.right, y0: r.top, y1: r.bottom,
                    size: parseFloat(getComputedStyle(el).fontSize)});
      });
    }
    const controls = gd.parentNode.querySelector('.mlpbook-plotly-controls');
    const c = controls ? controls.getBoundingClientRect() : null;
    return {id: gd.id, left: fig.left, right: fig.right, top: fig.top, bottom: fig.bottom,
            boxes, controls: c && {x0: c.left, x1: c.right, y0: c.top, y1: c.bottom}};
  });
}"""


def _overlap(a: dict, b: dict, tol: float = 1.0) -> bool:
    return (
        min(a["x1"], b["x1"]) - max(a["x0"], b["x0"]) > tol
        and min(a["y1"], b["y1"]) - max(a["y0"], b["y0"]) > tol
    )


@skip_without_site
@pytest.mark.parametrize("path", FIGURE_PAGES or ["none"])
def test_no_overlapping_text_on_a_phone(site, path: str) -> None:  # noqa: F811
    base, b = site
    errors: list[str] = []
    page = _open(b, base, path, errors, viewport=PHONE)
    try:
        draw_all(page)
        problems = []
        for fig in page.evaluate(TEXT_BOXES_JS):
            boxes = fig["boxes"]
            for i, a in enumerate(boxes):
                if a["size"] < 10:
                    problems.append(f"{fig['id']}: {a['kind']} '{a['text']}' is {a['size']} px")
                if a["x0"] < fig["left"] - 1 or a["x1"] > fig["right"] + 1:
                    problems.append(f"{fig['id']}: {a['kind']} '{a['text']}' is cut off")
                for other in boxes[i + 1 :]:
                    if _overlap(a, other):
                        problems.append(
                            f"{fig['id']}: {a['kind']} '{a['text']}' overlaps "
                            f"{other['kind']} '{other['text']}'"
                        )
                if a["role"] == "title":  # an x-axis title sits below its axis's tick labels
                    ticks = [t for t in boxes if t["role"] == "tick" and t["xaxis"] == a["xaxis"]]
                    if ticks and a["y0"] < max(t["y1"] for t in ticks) - 1:
                        problems.append(f"{fig['id']}: '{a['text']}' is level with its tick labels")
                if fig["controls"] and _overlap(a, fig["controls"]):
                    problems.append(f"{fig['id']}: {a['kind']} '{a['text']}' under the controls")
        assert not problems, f"{path} at 390 px:\n" + "\n".join(problems[:30])
        assert not errors, "\n".join(errors)
    finally:
        page.close()


@skip_without_site
def test_footer_titles_are_not_clipped(site) -> None:  # noqa: F811
    """The previous/next links at the foot of a page show their whole title on a phone."""
    base, b = site
    errors: list[str] = []
    page = _open(b, base, CHAPTERS[0], errors, viewport=PHONE)
    try:
        for path in CHAPTERS:
            page.goto(base + path, wait_until="load")
            links = page.evaluate(
                "() => Array.from(document.querySelectorAll('.prev-next-area a')).map(e =>"
                " [e.textContent.trim().replace(/\\s+/g, ' '), e.scrollWidth, e.clientWidth,"
                " e.scrollHeight, e.clientHeight, e.getBoundingClientRect().right])"
            )
            for text, sw, cw, sh, ch, right in links:
                assert sw <= cw + 1 and sh <= ch + 1 and right <= PHONE["width"] + 1, (
                    f"{path}: the footer link '{text}' is clipped ({sw}x{sh} in {cw}x{ch})"
                )
    finally:
        page.close()


@skip_without_site
@pytest.mark.parametrize("how", ["file", "sub-path"])
def test_figures_draw_from_file_and_under_a_sub_path(site, how: str, tmp_path) -> None:  # noqa: F811
    """plotly.js is found next to the figure script wherever the site is hosted."""
    from site_helpers import serve

    _, b = site
    path = "book/linear-to-mlp.html"
    errors: list[str] = []
    if how == "file":
        page = _open(b, SITE.resolve().as_uri() + "/", path, errors)
        _check_figures_draw(page, errors)
        return
    (tmp_path / "docs").mkdir()
    (tmp_path / "docs" / "mlpbook").symlink_to(SITE.resolve(), target_is_directory=True)
    with serve(tmp_path) as base:
        page = _open(b, base + "docs/mlpbook/", path, errors)
        _check_figures_draw(page, errors)


def _check_figures_draw(page, errors: list[str]) -> None:
    """Every figure of the page draws and nothing fails to load."""
    try:
        assert draw_all(page) > 0
        assert not errors, "\n".join(errors)
    finally:
        page.close()


@skip_without_site
def test_plotly_never_blocks_the_first_paint() -> None:
    """No page loads plotly.js (4.8 MB) from its HTML: the deferred figure script fetches
    it when a figure comes near the viewport, and figures are JSON data, not inline
    drawing code. (The timings themselves, first paint <= 1.5 s and animations >= 14 fps
    at 9 Mbit/s, are measured by benchmarks/site_speed.py, not by a timed test.)"""
    import re

    for path in pages():
        html = (SITE / path).read_text()
        tags = re.findall(r"<script[^>]*>", html)
        assert not [t for t in tags if "plotly" in t and "src=" in t], path
        figure_scripts = [t for t in tags if "mlpbook-figures.js" in t]
        if 'class="mlpbook-plotly' in html:
            assert figure_scripts and all("defer" in t for t in figure_scripts), path
        assert "Plotly.newPlot" not in html, f"{path} draws a figure inline"
