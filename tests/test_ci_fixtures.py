"""Quick checks that the shared fixtures in conftest.py work (no digest code involved)."""

from __future__ import annotations

import urllib.error
import urllib.request
from typing import TYPE_CHECKING

import pytest

if TYPE_CHECKING:
    from collections.abc import Callable
    from pathlib import Path

    from playwright.sync_api import Page

PAGE = """
    <!DOCTYPE html>
    <html lang="en">
    <head><meta charset="utf-8"><title>Fixture check</title></head>
    <body><main><h1>Hello</h1></main></body>
    </html>
"""


def fetch(url: str) -> tuple[int, str]:
    """GET url: (status, body); HTTP errors are returned, not raised."""
    try:
        with urllib.request.urlopen(url, timeout=10) as resp:
            return resp.status, resp.read().decode("utf-8")
    except urllib.error.HTTPError as e:
        return e.code, ""


def test_make_site_dedents_and_creates_folders(make_site: Callable[..., Path]) -> None:
    root = make_site({"index.html": PAGE, "a/b/c.txt": "\n    x\n      y\n"})
    assert (root / "index.html").read_text(encoding="utf-8").startswith("<!DOCTYPE html>\n<html")
    assert (root / "a/b/c.txt").read_text(encoding="utf-8") == "x\n  y\n"


def test_serve_dir_without_prefix(make_site: Callable[..., Path], serve_dir: Callable[..., str]) -> None:
    root = make_site({"index.html": PAGE, "sub/page.txt": "sub page\n"})
    base = serve_dir(root)
    assert base.startswith("http://127.0.0.1:") and base.endswith("/")
    status, body = fetch(base)
    assert status == 200 and "<title>Fixture check</title>" in body
    assert fetch(base + "sub/page.txt") == (200, "sub page\n")
    assert fetch(base + "missing.html")[0] == 404


def test_serve_dir_with_prefix(make_site: Callable[..., Path], serve_dir: Callable[..., str]) -> None:
    root = make_site({"index.html": PAGE, "sub/index.html": PAGE, "sub/page.txt": "sub page\n"})
    base = serve_dir(root, prefix="/news/")
    assert base.endswith("/news/")
    origin = base[: -len("news/")]
    assert fetch(base)[0] == 200
    assert fetch(base + "sub/page.txt") == (200, "sub page\n")
    assert fetch(base + "sub")[0] == 200  # redirected to /news/sub/, under the prefix
    assert fetch(origin + "news")[0] == 200  # redirected to /news/
    assert fetch(origin)[0] == 404  # outside the prefix
    assert fetch(origin + "sub/page.txt")[0] == 404
    assert fetch(origin + "newsletter/")[0] == 404


@pytest.mark.browser
def test_page_loads_served_page(
    make_site: Callable[..., Path], serve_dir: Callable[..., str], page: Page
) -> None:
    base = serve_dir(make_site({"index.html": PAGE}), prefix="/news/")
    response = page.goto(base)
    assert response is not None and response.ok
    assert page.title() == "Fixture check"
    assert page.viewport_size == {"width": 1280, "height": 900}
    assert page.locator("h1").inner_text() == "Hello"
