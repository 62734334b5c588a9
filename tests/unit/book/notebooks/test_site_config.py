"""Unit tests of :mod:`mlpbook.book.notebooks.site_config`: the site's addresses."""

from __future__ import annotations

from pathlib import Path
from types import SimpleNamespace

import pytest

from mlpbook.book.notebooks import site_config as settings
from mlpbook.book.notebooks.site_config import Site

ROOT = Path(__file__).resolve().parents[4]
VERSION = "0.1.0+0123456789ab"
URL = "https://example.org/book/_downloads/mlpbook-0.1.0%2B0123456789ab-py3-none-any.whl"


def test_site_urls() -> None:
    site = Site(ROOT, VERSION, "https://example.org/book/", "", "torch")
    assert site.wheel_url == URL
    assert Site(ROOT, VERSION, "", "", "torch").wheel_url == ""


def test_site_settings_ignore_jupyter_books_placeholder_repository(monkeypatch) -> None:
    placeholder = settings.jupyter_book_default_repository()
    config = SimpleNamespace(html_baseurl="", html_theme_options={"repository_url": placeholder})
    monkeypatch.delenv(settings.BASEURL_ENV, raising=False)
    site = settings.site_settings(config)
    assert (site.baseurl, site.repository_url) == ("", "")
    assert site.torch_requirement.startswith("torch>=")
    monkeypatch.setenv(settings.BASEURL_ENV, "https://o.github.io/r/")
    config.html_theme_options = {"repository_url": "https://github.com/o/r"}
    site = settings.site_settings(config)
    assert (site.baseurl, site.repository_url) == (
        "https://o.github.io/r/",
        "https://github.com/o/r",
    )
    monkeypatch.setenv(settings.BASEURL_ENV, "o.github.io/r")
    with pytest.raises(ValueError, match="got 'o.github.io/r'"):
        settings.site_settings(config)
