"""Unit tests of :mod:`mlpbook.book.notebooks.downloads_directive`."""

from __future__ import annotations

from pathlib import Path
from types import SimpleNamespace

from mlpbook.book.notebooks import downloads_directive as downloads
from mlpbook.book.notebooks.site_config import SITE_ATTR, Site

ROOT = Path(__file__).resolve().parents[4]
VERSION = "0.1.0+0123456789ab"


def test_the_landing_page_is_reread_when_the_package_version_changes() -> None:
    site = Site(ROOT, VERSION, "", "", "torch")
    app = SimpleNamespace(**{SITE_ATTR: site})
    env = SimpleNamespace(**{downloads.ENV_PAGES: {"book/index": VERSION, "other": VERSION}})
    assert downloads.downloads_outdated(app, env, set(), set(), set()) == []
    getattr(env, downloads.ENV_PAGES)["book/index"] = "0.1.0+ffffffffffff"
    assert downloads.downloads_outdated(app, env, set(), set(), set()) == ["book/index"]
    downloads.purge_doc(app, env, "book/index")
    assert getattr(env, downloads.ENV_PAGES) == {"other": VERSION}
