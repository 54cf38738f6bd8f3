"""`digest serve` in Chromium: open pages follow the files on disk by themselves.

The example digest is copied, previewed as `digest serve` does, and edited on disk while
pages are open: a title edit reaches the article and the home page, a broken front matter
shows an overlay naming the file and line (and fixing it removes it), and a stylesheet
edit restyles the page without a navigation. Screenshots go to tests/screenshots/.
"""

from __future__ import annotations

import time
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol

import pytest

if TYPE_CHECKING:
    from collections.abc import Iterator

    from playwright.sync_api import Browser, BrowserContext, Page

pytestmark = pytest.mark.browser

SCREENSHOTS = Path(__file__).resolve().parents[1] / "screenshots"
NEWEST = "content/2016/2016-02-12-munich-cessation-of-hostilities-syria.md"
NEWEST_URL = "2016/02/munich-cessation-of-hostilities-syria/"
TITLE = "Powers Agree in Munich on Cessation of Hostilities in Syria"
LIVE_WITHIN_MS = 2000  # the promise: a save shows in open pages within two seconds


class StartPreview(Protocol):
    def __call__(self, site: Path, drafts: bool = False) -> Any: ...


_OPENED: list[BrowserContext] = []  # the browser contexts a test opened, closed after it


@pytest.fixture(autouse=True)
def _close_pages() -> Iterator[None]:
    """Close the pages a test opened: an open page keeps asking its preview, stopped by then, for news, and the
    port may be another test's server's by then (whose requests it would count)."""
    yield
    while _OPENED:
        _OPENED.pop().close()


def _mark(page: Page) -> None:
    """Leave a value in the page's window: it survives anything but a navigation."""
    page.evaluate("window.digestTestMark = 'still here'")


def _marked(page: Page) -> bool:
    return bool(page.evaluate("window.digestTestMark === 'still here'"))


def _open(browser: Browser, url: str) -> Page:
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    _OPENED.append(context)
    page = context.new_page()
    page.goto(url)
    page.wait_for_function("document.readyState === 'complete'")
    time.sleep(0.3)  # the page's event stream connects
    return page


def test_a_title_edit_reaches_the_open_article_and_home_pages(
        browser: Browser, example_copy: Path, start_preview: StartPreview) -> None:
    preview = start_preview(example_copy)
    article = _open(browser, preview.url + NEWEST_URL)
    home = _open(browser, preview.url)
    assert TITLE in article.inner_text("h1") and TITLE in home.inner_text("main")
    for page in (article, home):
        _mark(page)
    source = example_copy / NEWEST
    saved = time.monotonic()
    source.write_text(source.read_text(encoding="utf-8").replace(TITLE, "Retitled Live", 1), encoding="utf-8")
    article.wait_for_function("document.querySelector('h1').textContent.includes('Retitled Live')",
                              timeout=LIVE_WITHIN_MS)
    home.wait_for_function("document.querySelector('main').textContent.includes('Retitled Live')",
                           timeout=max(100, LIVE_WITHIN_MS - int(1000 * (time.monotonic() - saved))))
    assert not _marked(article) and not _marked(home), "the pages reloaded themselves"
    assert "Retitled Live" in article.title()


def test_broken_front_matter_shows_an_overlay_until_it_is_fixed(
        browser: Browser, example_copy: Path, start_preview: StartPreview) -> None:
    preview = start_preview(example_copy)
    page = _open(browser, preview.url + NEWEST_URL)
    source = example_copy / NEWEST
    good = source.read_text(encoding="utf-8")
    source.write_text(good.replace("title: ", "title: [unclosed ", 1), encoding="utf-8")
    overlay = page.locator("#digest-problems")
    overlay.wait_for(state="visible", timeout=LIVE_WITHIN_MS)
    text = overlay.inner_text()
    assert f"{NEWEST}:2:" in text, text
    assert "The site does not build" in text
    assert overlay.get_attribute("role") == "alert"
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / "serve-overlay.png"))
    assert TITLE in page.inner_text("h1")  # the last good page is still there, under the overlay
    _mark(page)
    source.write_text(good.replace(TITLE, "Fixed Title", 1), encoding="utf-8")
    page.wait_for_function("document.querySelector('h1').textContent.includes('Fixed Title')",
                           timeout=LIVE_WITHIN_MS)
    assert overlay.count() == 0 and not _marked(page)


def test_a_stylesheet_edit_restyles_the_page_without_a_navigation(
        browser: Browser, example_copy: Path, start_preview: StartPreview) -> None:
    preview = start_preview(example_copy)
    page = _open(browser, preview.url + "people/")
    navigations: list[str] = []
    page.on("framenavigated", lambda frame: navigations.append(frame.url))
    _mark(page)
    css = example_copy / "themes" / "default" / "static" / "css" / "digest.css"
    css.write_text(css.read_text(encoding="utf-8") + "\nbody { background: rgb(1, 2, 3) !important; }\n",
                   encoding="utf-8")
    page.wait_for_function("getComputedStyle(document.body).backgroundColor === 'rgb(1, 2, 3)'",
                           timeout=LIVE_WITHIN_MS)
    assert _marked(page) and navigations == []
    assert page.locator('link[rel="stylesheet"]').count() == 1  # the old one was removed
