"""The site under a sub-path, its downloads, and the notebooks it offers, in Chromium.

GitHub Pages serves a project site under ``/REPO/``; here ``_build/html`` is
served under ``/mlp-book/`` on 127.0.0.1, and:

* every page loads with no failed request, no 4xx/5xx response and no console
  error, and draws its plotly figures;
* the landing page's Downloads list links to the wheel (a zip whose version is
  the one the notebooks install) and to every chapter's notebook, and links to a
  repository only when ``_config.yml`` sets one;
* every chapter's download menu offers its ``.ipynb``, which is a valid notebook
  whose first cell installs that version and whose Markdown shows values, not
  ``{glue}`` placeholders.

Running a downloaded notebook in a fresh environment is slower and lives in
``notebook_e2e.py`` (run by ``.ci/run``).
"""

from __future__ import annotations

import io
import json
import re
import tempfile
import urllib.parse
import zipfile
from pathlib import Path

import pytest
import yaml
from site_helpers import ROOT, SITE, browser, pages, serve
from test_browser import _unavailable, draw_all

SUBPATH = "mlp-book"
PAGES = pages() if SITE.exists() else []
CHAPTERS = (
    sorted(p.stem for p in (SITE / "_sources" / "book").glob("*.ipynb")) if SITE.exists() else []
)


@pytest.fixture(scope="module")
def subpath_site():
    if not (SITE / "index.html").exists():
        _unavailable(
            f"no built site at {SITE}; build it with: jupyter-book build . -W -n --keep-going"
        )
    from site_helpers import chromium_path

    if chromium_path() is None:
        _unavailable("no Chromium on PATH; install it with: apt-get install -y chromium")
    with tempfile.TemporaryDirectory() as tmp:
        (Path(tmp) / SUBPATH).symlink_to(SITE, target_is_directory=True)
        with serve(Path(tmp)) as base, browser() as b:
            yield f"{base}{SUBPATH}/", b


def _open(b, url: str, problems: list[str]):
    page = b.new_page(viewport={"width": 1280, "height": 900})
    # A resource that fails is recorded with its URL by the "response" handler below.
    # Chromium's own favicon request is not a page request (no event), yet logs
    # "Failed to load resource" when the server has no /favicon.ico at its root, as
    # under a sub-path: that console line alone, without a URL, is not counted.
    page.on(
        "console",
        lambda m: (
            problems.append(f"console: {m.text}")
            if m.type == "error" and not m.text.startswith("Failed to load resource")
            else None
        ),
    )
    page.on("pageerror", lambda e: problems.append(f"page error: {e}"))
    page.on("requestfailed", lambda r: problems.append(f"request failed: {r.url}"))
    page.on(
        "response", lambda r: problems.append(f"{r.status}: {r.url}") if r.status >= 400 else None
    )
    page.goto(url, wait_until="load")
    return page


def _repository_url() -> str:
    config = yaml.safe_load((ROOT / "_config.yml").read_text())
    return str(((config or {}).get("repository") or {}).get("url") or "")


@pytest.mark.skipif(not PAGES, reason="no built site: run jupyter-book build . first")
@pytest.mark.parametrize("path", PAGES or ["index.html"])
def test_every_page_works_under_a_sub_path(subpath_site, path: str) -> None:
    site, b = subpath_site
    problems: list[str] = []
    page = _open(b, site + path, problems)
    try:
        draw_all(page)  # figures draw lazily, as they come near the viewport
        page.wait_for_timeout(300)
        assert not problems, f"/{SUBPATH}/{path}: " + "\n".join(problems)
    finally:
        page.close()


def _landing_links(page) -> dict[str, list[str]]:
    return page.evaluate(
        """() => {
          const section = document.querySelector('section#downloads');
          const all = Array.from(document.querySelectorAll('a[href]')).map(a => a.href);
          const here = section ? Array.from(section.querySelectorAll('a[href]')).map(a => a.href) : [];
          return {downloads: here, all: all};
        }"""
    )


@pytest.mark.skipif(not PAGES, reason="no built site: run jupyter-book build . first")
def test_landing_page_links_to_the_wheel_and_every_notebook(subpath_site) -> None:
    site, b = subpath_site
    problems: list[str] = []
    page = _open(b, site + "index.html", problems)  # Jupyter Book's redirect to the root page
    try:
        page.wait_for_url(re.compile(r".*/book/index\.html$"))
        links = _landing_links(page)
        downloads = links["downloads"]
        wheels = [u for u in downloads if u.endswith(".whl")]
        assert len(wheels) == 1, f"the Downloads list links to wheels {wheels}"
        response = page.request.get(wheels[0])
        assert response.status == 200, wheels[0]
        name = urllib.parse.unquote(wheels[0].rsplit("/", 1)[1])
        version = name.split("-")[1]
        with zipfile.ZipFile(io.BytesIO(response.body())) as zf:
            metadata = zf.read(f"mlpbook-{version}.dist-info/METADATA").decode()
        assert f"\nVersion: {version}\n" in metadata
        notebooks = sorted(
            Path(urllib.parse.urlparse(u).path).stem for u in downloads if u.endswith(".ipynb")
        )
        assert notebooks == CHAPTERS
        for url in (u for u in downloads if u.endswith(".ipynb")):
            assert page.request.get(url).status == 200, url
        repository = _repository_url()
        external = [u for u in links["all"] if not u.startswith(site) and "://" in u]
        repo_links = [u for u in external if re.search(r"github\.com|gitlab|bitbucket", u)]
        if repository:
            assert repository in downloads
        else:
            assert repo_links == [], f"no repository is set, yet the page links to {repo_links}"
        assert not problems, "\n".join(problems)
    finally:
        page.close()


@pytest.mark.skipif(not CHAPTERS, reason="no built site: run jupyter-book build . first")
@pytest.mark.parametrize("chapter", CHAPTERS or ["none"])
def test_download_menu_offers_the_filled_notebook(subpath_site, chapter: str) -> None:
    site, b = subpath_site
    problems: list[str] = []
    page = _open(b, f"{site}book/{chapter}.html", problems)
    try:
        page.locator(".dropdown-download-buttons button.dropdown-toggle").click()
        item = page.locator(".dropdown-download-buttons a", has_text=".ipynb")
        item.wait_for(state="visible", timeout=5_000)
        url = urllib.parse.urljoin(page.url, item.get_attribute("href"))
        assert url == f"{site}_sources/book/{chapter}.ipynb"
        response = page.request.get(url)
        assert response.status == 200, url
        nb = json.loads(response.body())
        first = nb["cells"][0]
        assert first["cell_type"] == "code" and first["id"] == "mlpbook-install"
        version = re.search(r'MLPBOOK_VERSION = "([^"]+)"', "".join(first["source"]))[1]
        assert (SITE / "_downloads" / f"mlpbook-{version}-py3-none-any.whl").is_file()
        markdown = "\n".join(
            "".join(c["source"]) for c in nb["cells"] if c["cell_type"] == "markdown"
        )
        left = re.findall(r"\{(?:glue|cite|ref)[:a-z]*\}`[^`]*`|[`:]{3}\{[\w:-]+\}", markdown)
        assert left == [], f"{chapter}.ipynb still has MyST markup: {left[:5]}"
        assert set(nb["metadata"]) <= {"kernelspec", "language_info"}
        assert not problems, "\n".join(problems)
    finally:
        page.close()
