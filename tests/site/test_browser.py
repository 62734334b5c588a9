"""The built site, as a reader's browser sees it.

Serves ``_build/html`` on 127.0.0.1, opens every page in headless Chromium and
asserts: no console errors, every plotly figure draws (lazily, once scrolled
near), Play (an HTML button) moves an animation to another frame, every image has real alt text, math is typeset,
and plotly.js is loaded at most once, only on pages with a figure.

Without a built site or a Chromium the tests are skipped, saying why; with
``MLPBOOK_REQUIRE_BROWSER=1`` (set by CI) that is a failure instead.
"""

from __future__ import annotations

import os
import re

import pytest
from site_helpers import SITE, browser, chromium_path, pages, serve

REQUIRED = os.environ.get("MLPBOOK_REQUIRE_BROWSER", "") not in ("", "0")


def _unavailable(reason: str) -> None:
    if REQUIRED:
        pytest.fail(f"{reason} (MLPBOOK_REQUIRE_BROWSER is set)")
    pytest.skip(reason)


@pytest.fixture(scope="module")
def site():
    if not (SITE / "index.html").exists():
        _unavailable(
            f"no built site at {SITE}; build it with: jupyter-book build . -W -n --keep-going"
        )
    if chromium_path() is None:
        _unavailable("no Chromium on PATH; install it with: apt-get install -y chromium")
    try:
        import playwright  # noqa: F401
    except ImportError:
        _unavailable("the playwright package is not installed: pip install -r requirements.txt")
    with serve() as base, browser() as b:
        yield base, b


PAGES = pages() if SITE.exists() else []

FIGURES_JS = """() => Array.from(document.querySelectorAll('.mlpbook-plotly-figure')).map(gd => ({
  id: gd.id,
  drawn: !!gd.querySelector('.main-svg'),
  frames: gd._transitionData ? gd._transitionData._frames.length : 0,
}))"""


def _open(b, base: str, path: str, errors: list[str], **kwargs):
    page = b.new_page(viewport=kwargs.pop("viewport", {"width": 1280, "height": 900}), **kwargs)
    page.on(
        "console",
        lambda m: errors.append(f"console {m.type}: {m.text}") if m.type == "error" else None,
    )
    page.on("pageerror", lambda e: errors.append(f"page error: {e}"))
    page.on("requestfailed", lambda r: errors.append(f"request failed: {r.url}"))
    page.goto(base + path, wait_until="load")
    return page


def draw_all(page, timeout: int = 120_000) -> int:
    """Bring every (lazily drawn) figure near the screen so that it draws; returns how many.

    The timeout is generous on purpose: under ``make test`` the other pytest worker
    executes notebooks on the same two cores. It is not a speed budget (that is
    ``benchmarks/site_speed.py``)."""
    n = page.evaluate("() => document.querySelectorAll('.mlpbook-plotly-figure').length")
    if not n:
        return 0
    open_hidden_figures(page)
    # Each figure in turn comes to the middle of the screen, and stays there until the
    # page has queued it. A quick scroll past it can go unseen: the page's
    # IntersectionObserver looks only at rendering steps, and while plotly.js is being
    # parsed (a second or more under load) none comes; the figure then never draws.
    for i in range(n):
        page.evaluate(
            "i => document.querySelectorAll('.mlpbook-plotly-figure')[i]"
            ".scrollIntoView({block: 'center'})",
            i,
        )
        page.wait_for_function(
            "i => { const gd = document.querySelectorAll('.mlpbook-plotly-figure')[i];"
            " return gd.mlpbook && gd.mlpbook.queued; }",
            arg=i,
            timeout=timeout,
        )
    page.wait_for_function(
        "n => Array.from(document.querySelectorAll('.mlpbook-plotly-figure'))"
        ".filter(gd => gd.querySelector('.main-svg')).length >= n"
        " && (window.mlpbookFigures || []).every(f => f.drawn"
        " && (!f.frameNames || f.gd._transitionData._frames.length))",
        arg=n,
        timeout=timeout,
    )
    page.evaluate("window.scrollTo(0, 0)")
    return n


def open_hidden_figures(page) -> None:
    """Open every exercise solution (a toggle) that holds a figure, as a reader would."""
    ids = page.evaluate(
        "() => Array.from(document.querySelectorAll('.toggle-hidden .mlpbook-plotly-figure'))"
        ".map(gd => gd.id)"
    )
    for fig_id in ids:
        container = page.locator(".toggle-hidden", has=page.locator(f"#{fig_id}")).last
        if container.count():
            container.locator("button.toggle-button").first.click()
            page.wait_for_timeout(300)


@pytest.mark.skipif(
    not PAGES and not REQUIRED, reason="no built site: run jupyter-book build . first"
)
@pytest.mark.parametrize("path", PAGES or ["index.html"])
def test_page(site, path: str) -> None:
    base, b = site
    errors: list[str] = []
    page = _open(b, base, path, errors)
    try:
        html = page.content()
        if re.search(r'class="math', html):  # math is typeset (and the layout settles) first
            page.wait_for_function(
                "() => document.querySelectorAll('mjx-container').length > 0", timeout=20_000
            )
            page.wait_for_timeout(500)
        n_figures = draw_all(page)
        scripts = page.eval_on_selector_all(
            "script[src]", "els => els.map(e => e.getAttribute('src'))"
        )
        plotly_loads = [s for s in scripts if "plotly" in s.lower()]
        assert len(plotly_loads) == (1 if n_figures else 0), (
            f"{path}: plotly.js loaded {plotly_loads}"
        )
        figures = page.evaluate(FIGURES_JS)
        assert len(figures) == n_figures
        assert all(f["drawn"] for f in figures), f"{path}: figures not drawn: {figures}"
        for fig in (f for f in figures if f["frames"] > 1):
            before = page.evaluate(
                f"() => document.getElementById('{fig['id']}').mlpbook.frameIndex"
            )
            play = page.locator(f"#{fig['id']} ~ .mlpbook-plotly-controls .mlpbook-plotly-play")
            play.click()  # Play
            page.wait_for_function(
                f"b => document.getElementById('{fig['id']}').mlpbook.frameIndex !== b",
                arg=before,
                timeout=10_000,
            )
            play.click()  # Pause
        images = page.eval_on_selector_all(
            "img", "els => els.map(e => [e.getAttribute('src'), e.getAttribute('alt')])"
        )
        for src, alt in images:
            assert alt and alt.strip(), f"{path}: image {src} has no alt text"
            assert not re.search(r"\.(png|jpe?g|svg|gif)$", alt.strip()), (
                f"{path}: image {src} alt is a file name: {alt}"
            )
        page.wait_for_timeout(300)
        assert not errors, f"{path}: " + "\n".join(errors)
    finally:
        page.close()
