"""Interactive figures on the static site, driven from the keyboard.

Complements ``test_browser.py`` (which plays animations with the mouse). Every
figure's controls are HTML (buttons, range inputs, menus) below the plot: each
must be reachable with Tab, show a focus ring, and change the figure with the
keys a reader would use (arrows on a slider or a menu, Enter on Play).
"""

from __future__ import annotations

import pytest
from site_helpers import SITE, pages
from test_browser import _open, draw_all, site  # noqa: F401  (the fixture)

PAGES = pages() if SITE.exists() else []

STATE_JS = """id => { const gd = document.getElementById(id);
  return JSON.stringify([gd.data.map(t => [t.visible, t.opacity,
                                            t.x ? Array.from(t.x).slice(0, 5) : null,
                                            t.y ? Array.from(t.y).slice(0, 5) : null]),
                         gd.layout.yaxis && gd.layout.yaxis.range,
                         gd.layout.xaxis && gd.layout.xaxis.range,
                         gd.parentNode.querySelector('.mlpbook-plotly-subtitle')?.textContent]); }"""

CONTROLS_JS = """() => Array.from(document.querySelectorAll('.mlpbook-plotly-controls')).map(box => ({
  figure: box.parentNode.querySelector('.mlpbook-plotly-figure').id,
  controls: Array.from(box.querySelectorAll('button, input, select')).map(el => el.id ||
      (el.id = 'ctl-' + Math.random().toString(36).slice(2))),
}))"""

EMPTY_JS = """id => document.getElementById(id).data
  .map((t, i) => [i, t]).filter(([i, t]) => t.visible !== false
    && !['x', 'y', 'z'].some(k => t[k] && t[k].length)).map(([i, t]) => i + ' ' + (t.name || ''))"""
"""The traces shown without data (the site draws hidden traces without theirs, and
gives it back when a control shows them)."""

INTERACTIVE_JS = """() => Array.from(document.querySelectorAll('.mlpbook-plotly-figure')).map(gd => {
  const json = gd.parentNode.querySelector('.mlpbook-plotly-json');
  const layout = json ? JSON.parse(json.textContent).layout : gd.layout;
  return {id: gd.id, wants: (layout.sliders || []).length + (layout.updatemenus || []).length,
          html_controls: !!gd.parentNode.querySelector('.mlpbook-plotly-controls'),
          svg_controls: gd.querySelectorAll('.slider-container, .updatemenu-container').length};
}).filter(f => f.wants > 0)"""


def _tab_walk(page, limit: int = 600) -> list[str]:
    """The ids of the elements Tab visits from the top of the page, in order."""
    page.evaluate("() => { document.activeElement && document.activeElement.blur(); }")
    page.evaluate("window.scrollTo(0, 0)")
    page.focus("body")
    seen: list[str] = []
    for _ in range(limit):
        page.keyboard.press("Tab")
        active = page.evaluate("() => document.activeElement && document.activeElement.id")
        if active and active in seen:
            break
        seen.append(active or "")
    return seen


@pytest.mark.skipif(not PAGES, reason="no built site: run jupyter-book build . first")
@pytest.mark.parametrize("path", PAGES or ["index.html"])
def test_every_control_works_from_the_keyboard(site, path: str) -> None:  # noqa: F811
    base, b = site
    errors: list[str] = []
    page = _open(b, base, path, errors)
    try:
        if not draw_all(page):
            return
        interactive = page.evaluate(INTERACTIVE_JS)
        for fig in interactive:
            assert fig["html_controls"], f"{path}: {fig['id']} has no HTML controls"
            assert not fig["svg_controls"], f"{path}: {fig['id']} still draws SVG controls"
        boxes = page.evaluate(CONTROLS_JS)
        wanted = {c for box in boxes for c in box["controls"]}
        visited = set(_tab_walk(page))
        assert wanted <= visited, f"{path}: not reachable with Tab: {sorted(wanted - visited)}"
        for box in boxes:
            fig_id = box["figure"]
            for control in box["controls"]:
                el = page.locator(f"#{control}")
                el.focus()
                page.keyboard.press("Shift+Tab")
                page.keyboard.press("Tab")  # keyboard focus: the ring must show
                ring = page.evaluate(
                    "id => { const s = getComputedStyle(document.getElementById(id));"
                    " return s.outlineStyle !== 'none' && parseFloat(s.outlineWidth) >= 2; }",
                    control,
                )
                assert ring, f"{path}: {control} of {fig_id} shows no focus ring"
                label = page.evaluate(
                    "id => { const el = document.getElementById(id);"
                    " return el.getAttribute('aria-label') || (el.labels && el.labels.length ?"
                    " el.labels[0].textContent : '') || el.textContent; }",
                    control,
                )
                assert label.strip(), f"{path}: {control} of {fig_id} has no accessible name"
                kind = page.evaluate("id => document.getElementById(id).tagName", control)
                before = page.evaluate(STATE_JS, fig_id)
                if kind == "BUTTON":
                    page.keyboard.press("Enter")
                    page.wait_for_timeout(400)
                    page.keyboard.press("Enter")  # Play, then Pause
                elif kind == "INPUT":
                    at_end = page.evaluate(
                        "id => { const e = document.getElementById(id); return e.value === e.max; }",
                        control,
                    )
                    page.keyboard.press("ArrowLeft" if at_end else "ArrowRight")
                else:  # a menu: the next entry
                    page.keyboard.press("ArrowDown")
                page.wait_for_timeout(400)
                after = page.evaluate(STATE_JS, fig_id)
                assert after != before, f"{path}: {kind} {control} of {fig_id} changed nothing"
                empty = page.evaluate(EMPTY_JS, fig_id)
                assert not empty, (
                    f"{path}: {control} of {fig_id} shows traces without data: {empty}"
                )
        assert not errors, f"{path}: " + "\n".join(errors)
    finally:
        page.close()
