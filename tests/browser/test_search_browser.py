"""Search in Chromium: the example digest built and served as a static site, at the root and under /news/.

Typing "Netanyahu" in the header's search box leads to the search page, where the seed
article comes first; choosing a topic narrows the results. Everything the page loads
comes from the site itself.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest

if TYPE_CHECKING:
    from playwright.sync_api import Browser

pytestmark = pytest.mark.browser

REPO_ROOT = Path(__file__).resolve().parents[2]
SCREENSHOTS = REPO_ROOT / "tests" / "screenshots"
SEED_TITLE = "Putin, Netanyahu Hail Improved Military Coordination After Meeting in Paris"


@pytest.mark.parametrize("prefix", ["/", "/news/"])
def test_searching_for_a_name_finds_the_seed_article_first(browser: Browser, serve_dir: Any, tmp_path: Path,
                                                           prefix: str) -> None:
    output = tmp_path / "output"
    args = [sys.executable, "-m", "digest", "build", str(REPO_ROOT), "--output", str(output)]
    if prefix != "/":
        args += ["--base-url", f"https://example.org{prefix}"]
    done = subprocess.run(args, capture_output=True, text=True, stdin=subprocess.DEVNULL, timeout=300)
    assert done.returncode == 0, done.stderr
    url = serve_dir(output, prefix)
    origin = url[: -len(prefix) + 1] if prefix != "/" else url
    page = browser.new_context(viewport={"width": 1280, "height": 900}).new_page()
    elsewhere: list[str] = []
    failed: list[str] = []
    page.on("request", lambda request: elsewhere.append(request.url)
            if not request.url.startswith(origin) else None)
    page.on("response", lambda response: failed.append(f"{response.status} {response.url}")
            if response.status >= 400 else None)
    page.goto(url)
    page.fill("#d-site-q", "Netanyahu")
    page.press("#d-site-q", "Enter")
    page.wait_for_url(f"{url}search/?q=Netanyahu")
    titles = page.locator(".search-title")
    titles.first.wait_for(timeout=10_000)
    found = titles.all_inner_texts()
    assert found[0] == SEED_TITLE, found
    assert page.inner_text("[data-status]") == f"{len(found)} articles"
    first = page.locator(".search-results li").first
    assert "30 November 2015 · The Times of Israel" in first.inner_text()
    assert first.locator("mark").first.inner_text() == "Netanyahu"  # the excerpt shows the match
    assert first.locator("a").get_attribute("href") == f"{prefix}2015/11/putin-netanyahu-paris/"

    page.select_option("#d-filter-source", "The Times of Israel")  # sources are a filter too
    page.wait_for_function(f"document.querySelectorAll('.search-results li').length < {len(found)}")
    assert all("The Times of Israel" in byline for byline in page.locator(".search-results .byline").all_inner_texts())
    assert "source=The+Times+of+Israel" in page.url
    page.select_option("#d-filter-source", "")
    page.wait_for_function(f"document.querySelectorAll('.search-results li').length === {len(found)}")

    page.select_option("#d-filter-edition", "World Digest #11")  # and the edition an article appeared in
    page.wait_for_function(f"document.querySelectorAll('.search-results li').length < {len(found)}")
    assert titles.all_inner_texts() == [SEED_TITLE]
    editions = [text.rsplit(" (", 1)[0] for text in page.locator("#d-filter-edition option").all_inner_texts()]
    assert editions.index("World Digest #2") < editions.index("World Digest #11")  # in their numbers' order
    page.select_option("#d-filter-edition", "")
    page.wait_for_function(f"document.querySelectorAll('.search-results li').length === {len(found)}")

    page.select_option("#d-filter-topic", "Iran nuclear deal")
    page.wait_for_function(f"document.querySelectorAll('.search-results li').length < {len(found)}")
    narrowed = titles.all_inner_texts()
    assert 0 < len(narrowed) < len(found) and set(narrowed) < set(found)
    assert "topic=Iran+nuclear+deal" in page.url
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / f"search{prefix.replace('/', '-')}.png"))

    page.locator(".search-results a").first.click()
    page.wait_for_load_state()
    assert page.url.startswith(url) and "/20" in page.url
    assert elsewhere == [] and failed == []
    page.context.close()
