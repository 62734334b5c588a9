"""Interactive figures on the static site: sliders and dropdown menus change the figure.

Complements ``test_browser.py`` (which plays animations): for every plotly
figure whose slider steps or dropdown entries restyle/update the figure
(rather than animate frames), a real mouse click on the last slider step or
on another dropdown entry must change what the figure shows.
"""

from __future__ import annotations

import pytest
from site_helpers import SITE, pages
from test_browser import _click, _open, site  # noqa: F401  (the fixture)

PAGES = pages() if SITE.exists() else []

STATE_JS = """id => { const gd = document.getElementById(id);
  return JSON.stringify([gd.data.map(t => [t.visible, t.x ? Array.from(t.x).slice(0, 5) : null,
                                            t.y ? Array.from(t.y).slice(0, 5) : null]),
                         gd.layout.title, gd.layout.yaxis && gd.layout.yaxis.range]); }"""

CONTROLS_JS = """() => Array.from(document.querySelectorAll('.mlpbook-plotly-figure')).map(gd => ({
  id: gd.id,
  frames: gd._transitionData ? gd._transitionData._frames.length : 0,
  sliders: (gd._fullLayout.sliders || []).filter(s => s.visible !== false && s.steps.some(
      st => st.method !== 'animate')).length,
  dropdowns: (gd._fullLayout.updatemenus || []).filter(m => m.type !== 'buttons').length,
}))"""


@pytest.mark.skipif(not PAGES, reason="no built site: run jupyter-book build . first")
@pytest.mark.parametrize("path", PAGES or ["index.html"])
def test_sliders_and_dropdowns_change_the_figure(site, path: str) -> None:  # noqa: F811
    base, b = site
    errors: list[str] = []
    page = _open(b, base, path, errors)
    try:
        page.wait_for_timeout(1500)  # math typeset, figures drawn
        for fig in page.evaluate(CONTROLS_JS):
            hidden = page.evaluate(
                f"() => !!document.getElementById('{fig['id']}').closest('.toggle-hidden')"
            )
            if hidden:
                continue  # exercise solutions: covered by test_browser's Play check
            if fig["sliders"]:
                before = page.evaluate(STATE_JS, fig["id"])
                rail = page.locator(f"#{fig['id']} .slider-rail-rect").first
                rail.scroll_into_view_if_needed()
                box = rail.bounding_box()
                page.mouse.click(box["x"] + box["width"] - 2, box["y"] + box["height"] / 2)
                page.wait_for_timeout(400)
                assert page.evaluate(STATE_JS, fig["id"]) != before, (
                    f"{path}: slider of {fig['id']} changed nothing"
                )
            if fig["dropdowns"]:
                before = page.evaluate(STATE_JS, fig["id"])
                _click(page, f"#{fig['id']} .updatemenu-header-group", 0)
                page.wait_for_timeout(300)
                options = page.locator(f"#{fig['id']} .updatemenu-dropdown-button")
                assert options.count() > 1, f"{path}: dropdown of {fig['id']} did not open"
                _click(page, f"#{fig['id']} .updatemenu-dropdown-button", options.count() - 1)
                page.wait_for_timeout(400)
                assert page.evaluate(STATE_JS, fig["id"]) != before, (
                    f"{path}: dropdown of {fig['id']} changed nothing"
                )
        assert not errors, f"{path}: " + "\n".join(errors)
    finally:
        page.close()
