"""What a Sphinx build knows about the package and the site it publishes."""

from __future__ import annotations

import os
import re
import urllib.parse
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sphinx.config import Config

from .wheel import package_version, torch_requirement, wheel_name

__all__ = [
    "BASEURL_ENV",
    "DOWNLOADS_DIR",
    "SITE_ATTR",
    "Site",
    "executed_notebook",
    "jupyter_book_default_repository",
    "site_of",
    "site_settings",
]

DOWNLOADS_DIR = "_downloads"
"""The folder under the site root that holds the wheel."""

BASEURL_ENV = "MLPBOOK_BASEURL"
"""Environment variable with the site's public address, used when ``html.baseurl`` is empty."""

SITE_ATTR = "mlpbook_site"
"""The attribute of the Sphinx application that holds the build's :class:`Site`."""


@dataclass(frozen=True)
class Site:
    """What the build knows about the package and the site it publishes."""

    project: Path
    version: str
    baseurl: str
    repository_url: str
    torch_requirement: str

    @property
    def wheel(self) -> str:
        """The wheel's file name."""
        return wheel_name(self.version)

    @property
    def wheel_path(self) -> str:
        """The wheel's path under the site root, URL-quoted (``+`` is ``%2B``)."""
        return f"{DOWNLOADS_DIR}/{urllib.parse.quote(self.wheel)}"

    @property
    def wheel_url(self) -> str:
        """The wheel's public URL, or ``""`` without a base URL."""
        return f"{self.baseurl.rstrip('/')}/{self.wheel_path}" if self.baseurl else ""


def jupyter_book_default_repository() -> str | None:
    """Jupyter Book's placeholder ``repository.url``, which it applies when a book sets none."""
    try:
        import jupyter_book
        import yaml
    except ImportError:  # pragma: no cover - plain Sphinx
        return None
    defaults = yaml.safe_load(
        (Path(jupyter_book.__file__).parent / "default_config.yml").read_text()
    )
    return (defaults.get("repository") or {}).get("url")


def site_settings(config: Config) -> Site:
    """The :class:`Site` of a Sphinx build, from its config and the imported ``mlpbook``.

    The base URL is ``html_baseurl`` (``_config.yml``'s ``html.baseurl``), else
    the environment variable :data:`BASEURL_ENV`; the repository URL is the
    theme's ``repository_url`` (``repository.url``), unless it is Jupyter Book's
    own default, which it fills in when a book sets none.

    Raises:
        ValueError: if the base URL is not an http(s) address.
    """
    import mlpbook

    project = Path(mlpbook.__file__).resolve().parents[2]
    baseurl = (getattr(config, "html_baseurl", "") or os.environ.get(BASEURL_ENV, "")).strip()
    if baseurl and not re.match(r"https?://", baseurl):
        raise ValueError(
            f"the site's base URL must start with http:// or https://, got {baseurl!r}"
        )
    options = getattr(config, "html_theme_options", None) or {}
    repository = str(options.get("repository_url") or "").strip()
    if repository and repository == jupyter_book_default_repository():
        repository = ""
    return Site(
        project=project,
        version=package_version(project),
        baseurl=baseurl,
        repository_url=repository,
        torch_requirement=torch_requirement(project),
    )


def site_of(app: Any) -> Site:
    """The :class:`Site` that ``builder-inited`` stored on the Sphinx application."""
    return getattr(app, SITE_ATTR)


def executed_notebook(app: Any, docname: str) -> Path:
    """Where myst-nb wrote ``docname``'s executed notebook (and ``.glue.json`` beside it)."""
    return Path(app.outdir).parent / "jupyter_execute" / f"{docname}.ipynb"
