"""How fast the built site shows itself to a reader on a modest connection.

    python benchmarks/site_speed.py               # every page of _build/html
    python benchmarks/site_speed.py --record      # also write the results into README.md
    python benchmarks/site_speed.py --pages book/linear-to-mlp.html

Serves ``_build/html`` on 127.0.0.1 with gzip-compressed responses (as any
static host does), opens each page in headless Chromium (the system binary,
through Playwright) with the network throttled through the DevTools protocol
(``Network.emulateNetworkConditions``: 9 Mbit/s down, 40 ms latency, cache
off) at 1366 × 900, three times in fresh browser contexts (``--repeat``), and
reports the median of each measurement (page loads on a shared virtual machine
vary by a factor of two):

* **first contentful paint** (the browser's ``first-contentful-paint`` entry);
  budget ≤ 1.5 s on every page;
* **first-viewport figures drawn**: the time at which the last plotly figure
  that is in the first screenful has drawn (``drawnAt``, recorded by
  ``mlpbook-figures.js``); budget ≤ 3 s;
* **longest main-thread task while scrolling** (``longtask`` entries while the
  page is scrolled to the bottom, 300 px every 100 ms, drawing each figure as
  it comes near); budget ≤ 300 ms;
* **animation frame rate**: Play on every animation of the page, frames shown
  per second of playing (without throttling: the page has loaded); budget
  ≥ 14 fps (the animations ask for 60 ms a frame, 16.7 fps).

Exit status 1 if a budget does not hold.
"""

from __future__ import annotations

import argparse
import contextlib
import gzip
import http.server
import io
import platform
import statistics
import sys
import time
from datetime import date
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests" / "site"))

from site_helpers import SITE, browser, pages, serve  # noqa: E402

BUDGETS = {"fcp": 1.5, "figures": 3.0, "longtask": 0.300, "fps": 14.0}
NETWORK = {"latency": 40, "down_mbps": 9.0, "up_mbps": 9.0}
VIEWPORT = {"width": 1366, "height": 900}
COMPRESSIBLE = (".html", ".js", ".css", ".json", ".svg", ".txt", ".map", ".ipynb")

OBSERVERS_JS = """
window.__longtasks = [];
new PerformanceObserver(list => {
  for (const e of list.getEntries()) window.__longtasks.push([e.startTime, e.duration]);
}).observe({type: 'longtask', buffered: true});
"""


class _GzipHandler(http.server.SimpleHTTPRequestHandler):
    """Static files, gzip-compressed when the browser accepts it (text types only)."""

    cache: dict[str, bytes] = {}

    def log_message(self, format: str, *args: object) -> None:  # noqa: A002
        pass

    def send_head(self):  # type: ignore[override]
        path = Path(self.translate_path(self.path))
        accepts = "gzip" in self.headers.get("Accept-Encoding", "")
        if not (accepts and path.is_file() and path.suffix in COMPRESSIBLE):
            return super().send_head()
        key = str(path)
        if key not in self.cache:
            self.cache[key] = gzip.compress(path.read_bytes(), compresslevel=6)
        body = self.cache[key]
        self.send_response(200)
        self.send_header("Content-Type", self.guess_type(str(path)))
        self.send_header("Content-Encoding", "gzip")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        return io.BytesIO(body)


def serve_gzip(directory: Path = SITE) -> contextlib.AbstractContextManager[str]:
    """Serve ``directory`` with gzip on an ephemeral 127.0.0.1 port; yields the base URL."""
    return serve(directory, _GzipHandler)


def _throttle(page, on: bool) -> None:
    cdp = page.context.new_cdp_session(page)
    cdp.send("Network.enable")
    cdp.send("Network.setCacheDisabled", {"cacheDisabled": True})
    rate = (lambda mbps: mbps * 1_000_000 / 8) if on else (lambda mbps: -1)
    cdp.send(
        "Network.emulateNetworkConditions",
        {
            "offline": False,
            "latency": NETWORK["latency"] if on else 0,
            "downloadThroughput": rate(NETWORK["down_mbps"]),
            "uploadThroughput": rate(NETWORK["up_mbps"]),
        },
    )


def _first_paint(page) -> float:
    page.wait_for_function(
        "() => performance.getEntriesByName('first-contentful-paint').length > 0", timeout=30_000
    )
    return page.evaluate(
        "() => performance.getEntriesByName('first-contentful-paint')[0].startTime / 1000"
    )


def _first_viewport_figures(page) -> float | None:
    """Seconds until every figure in the first screenful has drawn (None: no such figure)."""
    ids = page.evaluate(
        "() => Array.from(document.querySelectorAll('.mlpbook-plotly-figure'))"
        ".filter(gd => { const r = gd.getBoundingClientRect();"
        " return r.top < innerHeight && r.bottom > 0 && r.height > 0; }).map(gd => gd.id)"
    )
    if not ids:
        return None
    page.wait_for_function(
        "ids => ids.every(id => document.getElementById(id).mlpbook"
        " && document.getElementById(id).mlpbook.drawnAt)",
        arg=ids,
        timeout=60_000,
    )
    return page.evaluate(
        "ids => Math.max(...ids.map(id => document.getElementById(id).mlpbook.drawnAt)) / 1000",
        ids,
    )


def _load_long_task(page) -> float:
    """The longest main-thread task (s) from navigation until plotly.js has run (if the page
    has figures) and the page is idle: the moment a reader starts to scroll."""
    page.wait_for_load_state("load")
    page.wait_for_function(
        "() => !document.querySelector('.mlpbook-plotly-figure') || window.Plotly", timeout=60_000
    )
    page.wait_for_timeout(1000)
    tasks = page.evaluate("() => window.__longtasks.map(t => t[1])")
    return max(tasks, default=0.0) / 1000


def _scroll_long_task(page) -> float:
    """The longest main-thread task (s) while scrolling to the bottom, drawing every figure."""
    start = page.evaluate("performance.now()")
    height = page.evaluate("document.body.scrollHeight")
    for y in range(0, height + 900, 300):
        page.evaluate(f"window.scrollTo(0, {y})")
        page.wait_for_timeout(100)
    page.wait_for_function(
        "() => !window.mlpbookFigures || window.mlpbookFigures"
        ".filter(f => f.gd.offsetParent && !f.gd.closest('.toggle-hidden'))"  # not in a closed solution
        ".every(f => f.drawn)",
        timeout=60_000,
    )
    page.wait_for_timeout(300)
    tasks = page.evaluate("s => window.__longtasks.filter(t => t[0] >= s).map(t => t[1])", start)
    return max(tasks, default=0.0) / 1000


def _animation_fps(page) -> list[float]:
    """Frames per second of every animation played from its first to its last frame."""
    return page.evaluate(
        """async () => {
          const out = [];
          for (const f of (window.mlpbookFigures || []).filter(f => f.frameNames && f.drawn)) {
            f.gd.scrollIntoView({block: 'center'});
            f.pause();
            await f.showFrame(0);
            const n = f.frameNames.length - 1;
            const t0 = performance.now();
            f.play();
            while (f.playing) await new Promise(r => setTimeout(r, 20));
            out.push((f.frameIndex) / ((performance.now() - t0) / 1000));
            if (f.frameIndex < n) out.push(0);
          }
          return out;
        }"""
    )


def _measure_once(b: object, base: str, path: str) -> dict:
    """One load of ``path`` in a fresh browser context: one row of measurements."""
    context = b.new_context(viewport=VIEWPORT)
    context.add_init_script(OBSERVERS_JS)
    page = context.new_page()
    _throttle(page, on=True)
    page.goto(base + path, wait_until="commit")
    fcp = _first_paint(page)
    figures = _first_viewport_figures(page)
    load_task = _load_long_task(page)
    _throttle(page, on=False)
    long_task = _scroll_long_task(page)
    draws = page.evaluate(
        "() => (window.mlpbookFigures || []).filter(f => f.drawMs).map(f => f.drawMs)"
    )
    fps = _animation_fps(page)
    context.close()
    return {
        "page": path,
        "fcp": fcp,
        "figures": figures,
        "loadtask": load_task,
        "longtask": long_task,
        "draw": max(draws, default=0.0) / 1000,
        "fps": min(fps) if fps else None,
        "animations": len(fps),
    }


def _median_row(runs: list[dict]) -> dict:
    """Each measurement's median over the loads (``None`` stays ``None``)."""
    row = dict(runs[0])
    for key in ("fcp", "figures", "loadtask", "longtask", "draw", "fps"):
        values = [r[key] for r in runs if r[key] is not None]
        row[key] = statistics.median(values) if values else None
    row["runs"] = len(runs)
    row["longtask_max"] = max(r["longtask"] for r in runs)
    return row


def measure(
    paths: list[str], site: Path = SITE, chromium: object | None = None, repeat: int = 3
) -> list[dict]:
    """One row per page: the median of ``repeat`` loads, each in a fresh browser context.

    A shared 2-core virtual machine gives the same page's longest task anywhere
    from 0.7x to 2x its typical length from one load to the next; the median of
    three loads is what the budgets are checked against, and the largest of them
    is printed beside it."""
    if repeat < 1:
        raise ValueError(f"repeat must be >= 1, got {repeat}")
    rows = []
    own = browser() if chromium is None else contextlib.nullcontext(chromium)
    with serve_gzip(site) as base, own as b:
        for path in paths:
            rows.append(_median_row([_measure_once(b, base, path) for _ in range(repeat)]))
            print(
                _row_text(rows[-1]),
                f"(longest task over {repeat} loads: {1000 * rows[-1]['longtask_max']:.0f} ms)",
                flush=True,
            )
    return rows


def _row_text(row: dict) -> str:
    figures = "–" if row["figures"] is None else f"{row['figures']:.2f} s"
    fps = "–" if row["fps"] is None else f"{row['fps']:.1f} ({row['animations']})"
    return (
        f"| `{row['page']}` | {row['fcp']:.2f} s | {figures} | "
        f"{1000 * row['longtask']:.0f} ms | {1000 * row['draw']:.0f} ms | "
        f"{1000 * row['loadtask']:.0f} ms | {fps} |"
    )


def failures(rows: list[dict]) -> list[str]:
    """The budgets that do not hold, one line each."""
    out = []
    for r in rows:
        if r["fcp"] > BUDGETS["fcp"]:
            out.append(f"{r['page']}: first contentful paint {r['fcp']:.2f} s > 1.5 s")
        if r["figures"] is not None and r["figures"] > BUDGETS["figures"]:
            out.append(f"{r['page']}: first-viewport figures drawn at {r['figures']:.2f} s > 3 s")
        if r["longtask"] > BUDGETS["longtask"]:
            out.append(f"{r['page']}: a {1000 * r['longtask']:.0f} ms task while scrolling")
        if r["fps"] is not None and r["fps"] < BUDGETS["fps"]:
            out.append(f"{r['page']}: an animation at {r['fps']:.1f} fps < 14")
    return out


def table(rows: list[dict]) -> str:
    """The results as a Markdown table with its heading line."""
    head = (
        f"Measured {date.today().isoformat()} by `python benchmarks/site_speed.py` "
        f"({platform.machine()}, headless Chromium, {VIEWPORT['width']}×{VIEWPORT['height']}, "
        f"{NETWORK['down_mbps']:g} Mbit/s and {NETWORK['latency']} ms latency, gzip, cache off; "
        f"each value the median of {rows[0]['runs'] if rows else 1} loads of the page). "
        "Budgets: first contentful paint ≤ 1.5 s, first-screen figures drawn ≤ 3 s, "
        "no task > 300 ms while scrolling, animations ≥ 14 fps.\n\n"
        "| page | first contentful paint | first-screen figures drawn | "
        "longest task while scrolling | slowest figure draw | longest task while loading | "
        "slowest animation, fps (animations) |\n"
        "| :--- | ---: | ---: | ---: | ---: | ---: | ---: |\n"
    )
    return head + "\n".join(_row_text(r) for r in rows) + "\n"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--pages", nargs="*", help="pages relative to _build/html (default: all)")
    parser.add_argument("--record", action="store_true", help="write the results into README.md")
    parser.add_argument(
        "--repeat", type=int, default=3, help="loads per page; the median is reported"
    )
    parser.add_argument(
        "--site", type=Path, default=SITE, help="the built site (default: %(default)s)"
    )
    args = parser.parse_args()
    if not (args.site / "index.html").exists():
        print(f"no built site at {args.site}", file=sys.stderr)
        return 2
    paths = args.pages or ["index.html", *pages(args.site)]
    started = time.perf_counter()
    rows = measure(paths, args.site, repeat=args.repeat)
    print(f"\n{len(rows)} pages in {time.perf_counter() - started:.0f} s")
    bad = failures(rows)
    print("\n".join(bad) if bad else "every budget holds")
    if args.record:
        readme = ROOT / "README.md"
        text = readme.read_text()
        start, end = "<!-- site-speed:start -->", "<!-- site-speed:end -->"
        if start not in text:
            raise SystemExit("README.md has no <!-- site-speed:start --> marker")
        before, rest = text.split(start, 1)
        after = rest.split(end, 1)[1]
        readme.write_text(before + start + "\n" + table(rows) + end + after)
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
