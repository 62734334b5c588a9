"""Serve the built site on 127.0.0.1 and drive it with headless Chromium.

Used by ``test_browser.py`` and, from the command line, to screenshot pages::

    python tests/site/site_helpers.py shot book/linear-to-mlp.html /tmp/ch1.png [--dark] [--full] [--width=390]
"""

from __future__ import annotations

import contextlib
import functools
import http.server
import os
import shutil
import sys
import threading
from collections.abc import Iterator
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
SITE = Path(os.environ.get("MLPBOOK_SITE") or ROOT / "_build" / "html")
"""The built site under test (``MLPBOOK_SITE`` points the tests at another build)."""
CHROMIUM_FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
]


def chromium_path() -> str | None:
    """The system Chromium (Debian's ``chromium``), or ``None``."""
    for name in ("chromium", "chromium-browser", "google-chrome"):
        path = shutil.which(name)
        if path:
            return path
    return None


class _QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: object) -> None:  # noqa: A002
        pass


@contextlib.contextmanager
def serve(
    directory: Path = SITE, handler_class: type[http.server.BaseHTTPRequestHandler] | None = None
) -> Iterator[str]:
    """Serve ``directory`` on an ephemeral 127.0.0.1 port; yields the base URL.

    ``handler_class`` (a ``SimpleHTTPRequestHandler`` subclass) replaces the quiet default,
    e.g. the gzip handler of ``benchmarks/site_speed.py``."""
    handler = functools.partial(handler_class or _QuietHandler, directory=str(directory))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/"
    finally:
        server.shutdown()
        server.server_close()


@contextlib.contextmanager
def browser() -> Iterator[object]:
    """A Playwright Chromium browser (the system binary, never a download)."""
    from playwright.sync_api import sync_playwright

    path = chromium_path()
    if path is None:
        raise RuntimeError("no chromium on PATH; install it with: apt-get install -y chromium")
    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=path, args=CHROMIUM_FLAGS, headless=True)
        try:
            yield b
        finally:
            b.close()


def pages(site: Path = SITE) -> list[str]:
    """Every HTML page of the built book, relative to the site root."""
    skip = {"genindex.html", "search.html", "index.html"}
    found = sorted(
        p.relative_to(site).as_posix()
        for p in site.rglob("*.html")
        if not p.relative_to(site).as_posix().startswith("_")
    )
    return [p for p in found if p not in skip] + [
        p for p in ("genindex.html", "search.html") if (site / p).exists()
    ]


def screenshot(
    page_path: str,
    out: str,
    *,
    dark: bool = False,
    full: bool = False,
    width: int = 1280,
    height: int = 900,
) -> list[str]:
    """Save a PNG of one page; returns the console errors seen."""
    errors: list[str] = []
    with serve() as base, browser() as b:
        page = b.new_page(
            viewport={"width": width, "height": height}, color_scheme="dark" if dark else "light"
        )
        page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
        page.on("pageerror", lambda e: errors.append(str(e)))
        page.goto(base + page_path, wait_until="load")
        if full:  # figures draw as they come near the viewport: scroll through first
            for y in range(0, page.evaluate("document.body.scrollHeight") + height, 600):
                page.evaluate(f"window.scrollTo(0, {y})")
                page.wait_for_timeout(120)
            page.evaluate("window.scrollTo(0, 0)")
        page.wait_for_timeout(1500)
        page.screenshot(path=out, full_page=full)
    return errors


if __name__ == "__main__":  # pragma: no cover - a developer's tool
    if len(sys.argv) >= 4 and sys.argv[1] == "shot":
        widths = [a.split("=", 1)[1] for a in sys.argv if a.startswith("--width=")]
        errs = screenshot(
            sys.argv[2],
            sys.argv[3],
            dark="--dark" in sys.argv,
            full="--full" in sys.argv,
            width=int(widths[0]) if widths else 1280,
        )
        print("\n".join(errs) or "no console errors")
    else:
        print(__doc__)
        sys.exit(os.EX_USAGE)
