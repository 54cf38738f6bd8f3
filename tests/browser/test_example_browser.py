"""The example digest in Chromium: from the home page to a person, from the person to an article.

Built into a temporary folder and served as a static site, at the root and under /news/
(built with --base-url https://example.org/news/), the way it is published. Screenshots
of each page at 1280 and 375 px wide go to tests/screenshots/ (git-ignored) for a look.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest

if TYPE_CHECKING:
    from playwright.sync_api import Page, Request, Response

pytestmark = pytest.mark.browser

REPO_ROOT = Path(__file__).resolve().parents[2]
SCREENSHOTS = REPO_ROOT / "tests" / "screenshots"
SEED_TITLE = "Putin, Netanyahu Hail Improved Military Coordination After Meeting in Paris"
WIDTHS = (1280, 375)


def build_example(output: Path, base_url: str | None) -> None:
    """`digest build . --output OUTPUT [--base-url URL]`, failing the test with its output."""
    args = [sys.executable, "-m", "digest", "build", str(REPO_ROOT), "--output", str(output)]
    if base_url:
        args += ["--base-url", base_url]
    proc = subprocess.run(args, capture_output=True, text=True, stdin=subprocess.DEVNULL, timeout=300)
    assert proc.returncode == 0, f"{' '.join(args)} exited {proc.returncode}\n{proc.stdout}\n{proc.stderr}"


class Watch:
    """Same-site requests that failed or got an HTTP error, and uncaught JavaScript errors."""

    def __init__(self, page: Page, origin: str) -> None:
        self.problems: list[str] = []
        self.origin = origin
        page.on("response", self._response)
        page.on("requestfailed", self._failed)
        page.on("pageerror", lambda exc: self.problems.append(f"JavaScript error: {exc}"))

    def _response(self, response: Response) -> None:
        if response.url.startswith(self.origin) and response.status >= 400 \
                and not response.url.endswith("/favicon.ico"):
            self.problems.append(f"HTTP {response.status} for {response.url}")

    def _failed(self, request: Request) -> None:
        if request.url.startswith(self.origin):
            self.problems.append(f"request failed: {request.url} ({request.failure})")


def screenshot(page: Page, name: str) -> None:
    """Full-page screenshots at each width, then back to the fixture's 1280x900 viewport."""
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    for width in WIDTHS:
        page.set_viewport_size({"width": width, "height": 900})
        page.screenshot(path=str(SCREENSHOTS / f"{name}-{width}.png"), full_page=True)
    page.set_viewport_size({"width": 1280, "height": 900})


@pytest.mark.parametrize(("prefix", "base_url"), [("/", None), ("/news/", "https://example.org/news/")],
                         ids=["root", "news"])
def test_home_to_person_to_article(page: Page, serve_dir: Any, tmp_path: Path, prefix: str,
                                   base_url: str | None) -> None:
    from playwright.sync_api import expect

    output = tmp_path / "output"
    build_example(output, base_url)
    base = serve_dir(output, prefix)  # http://127.0.0.1:PORT/ or http://127.0.0.1:PORT/news/
    origin = base[: -len(prefix)] if prefix != "/" else base[:-1]
    watch = Watch(page, origin)
    shot = "example" if prefix == "/" else "example-news"

    # the home page, and a link to Vladimir Putin's page (a chip on a card, or the sidebar)
    page.goto(base)
    expect(page).to_have_title("World Digest")
    screenshot(page, f"{shot}-home")
    putin = page.locator(f'a[href="{prefix}people/vladimir-putin/"]', has_text="Vladimir Putin")
    assert putin.count() >= 1
    putin.first.click()

    # the person page lists the seed article
    page.wait_for_url(base + "people/vladimir-putin/")
    assert page.url == base + "people/vladimir-putin/"
    expect(page.locator("h1")).to_have_text("Vladimir Putin")
    seed = page.get_by_role("link", name=SEED_TITLE, exact=True)
    expect(seed).to_have_count(1)
    screenshot(page, f"{shot}-person")
    seed.click()

    # the article page
    page.wait_for_url(base + "2015/11/putin-netanyahu-paris/")
    assert page.url == base + "2015/11/putin-netanyahu-paris/"
    expect(page.locator("h1")).to_have_text(SEED_TITLE)
    screenshot(page, f"{shot}-article")

    # the stylesheet applied (a broken base path would leave the page unstyled), nothing failed to load
    brand_font = page.locator(".brand").evaluate("e => getComputedStyle(e).fontFamily")
    assert "Georgia" in brand_font, brand_font
    assert watch.problems == []
