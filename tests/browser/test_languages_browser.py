"""A site in three languages, in Chromium: the language switcher and search in each language.

The multilingual fixture (English, French, Arabic) is built and served as a static host would.
A reader on an English article switches to its French translation and back; a search on the
French pages finds the French articles and none of the English ones, and the English search
none of the French.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest

if TYPE_CHECKING:
    from playwright.sync_api import Browser, Page

pytestmark = pytest.mark.browser

HERE = Path(__file__).resolve().parent
FIXTURE = HERE.parent / "fixtures" / "multilingual-site"
SCREENSHOTS = HERE.parent / "screenshots"
ARTICLE = "2015/11/paris-climate-conference-opens/"


@pytest.fixture(scope="module")
def output(tmp_path_factory: pytest.TempPathFactory) -> Path:
    site = tmp_path_factory.mktemp("multilingual") / "site"
    shutil.copytree(FIXTURE, site)
    done = subprocess.run([sys.executable, "-m", "digest", "build", str(site), "--no-cache"],
                          capture_output=True, text=True, stdin=subprocess.DEVNULL, timeout=300)
    assert done.returncode == 0, done.stderr
    if not (site / "output/pagefind").is_dir():
        pytest.fail(f"the build made no search index:\n{done.stderr}", pytrace=False)
    return site / "output"


def new_page(browser: Browser, width: int = 1280) -> Page:
    return browser.new_context(viewport={"width": width, "height": 900}).new_page()


def test_the_switcher_goes_to_a_translation_and_back(browser: Browser, serve_dir: Any, output: Path) -> None:
    url = serve_dir(output)
    page = new_page(browser)
    page.goto(url + ARTICLE)
    assert page.inner_text("h1") == "Paris climate conference opens with 150 leaders"
    switcher = page.get_by_role("navigation", name="Languages")
    switcher.get_by_role("link", name="français").click()
    page.wait_for_url(url + "fr/" + ARTICLE)
    assert page.inner_text("h1") == "La conférence de Paris sur le climat s’ouvre avec 150 dirigeants"
    assert page.evaluate("document.documentElement.lang") == "fr"
    french = page.get_by_role("navigation", name="Langues")  # the switcher's own name is in French now
    assert french.get_by_role("link", name="français").get_attribute("aria-current") == "true"
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / "article-fr.png"))

    french.get_by_role("link", name="العربية").click()
    page.wait_for_url(url + "ar/" + ARTICLE)
    assert page.evaluate("getComputedStyle(document.documentElement).direction") == "rtl"
    page.screenshot(path=str(SCREENSHOTS / "article-ar.png"))

    page.get_by_role("navigation", name="اللغات").get_by_role("link", name="English").click()
    page.wait_for_url(url + ARTICLE)
    assert page.inner_text("h1") == "Paris climate conference opens with 150 leaders"
    page.context.close()


def found_titles(page: Page, url: str, query: str) -> list[str]:
    page.goto(f"{url}search/?q={query}")
    # the script replaces the status's <noscript> with what it found
    page.wait_for_function("!document.querySelector('[data-status] noscript') "
                           "&& document.querySelector('[data-status]').textContent !== ''")
    return page.locator(".search-title").all_inner_texts()


def test_search_finds_the_articles_of_the_readers_language(browser: Browser, serve_dir: Any,
                                                           output: Path) -> None:
    url = serve_dir(output)
    page = new_page(browser)
    failed: list[str] = []
    page.on("response", lambda response: failed.append(f"{response.status} {response.url}")
            if response.status >= 400 else None)

    french = found_titles(page, url + "fr/", "Paris")
    assert sorted(french) == sorted(["L’accord de Paris adopté par 195 pays", "La France déclare l’état d’urgence",
                                     "La conférence de Paris sur le climat s’ouvre avec 150 dirigeants"])
    hrefs = page.locator(".search-title a").evaluate_all("links => links.map(a => a.getAttribute('href'))")
    assert all(href.startswith("/fr/") for href in hrefs), hrefs
    assert page.inner_text("[data-status]") == "3 articles"
    page.screenshot(path=str(SCREENSHOTS / "search-fr.png"))

    english = found_titles(page, url, "Paris")
    assert sorted(english) == sorted(["Paris Agreement adopted by 195 countries",
                                      "Paris climate conference opens with 150 leaders"])
    assert found_titles(page, url, "Hollande") == []  # a French-only article is not in the English index
    assert page.inner_text("[data-status]") == "No article matches."
    assert found_titles(page, url + "fr/", "Hollande") == ["La France déclare l’état d’urgence"]
    assert page.inner_text("[data-status]") == "1 article"
    assert found_titles(page, url + "ar/", "باريس") == ["افتتاح مؤتمر باريس للمناخ بحضور 150 زعيمًا"]
    assert failed == []
    page.context.close()
