"""The default theme in Chromium, as a reader sees the example digest on a phone and on a laptop.

At 375 and 1280 px wide, the home, article, person, topic and people-index pages must not
scroll sideways, no two pieces of text may overlap, and every image must have a text
alternative (an `alt`, or a name for an SVG drawn as an image). Dark mode changes the
colours; the people filter narrows the list, and without JavaScript the whole list shows.
Full-page screenshots go to tests/screenshots/ (git-ignored) to be looked at.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest

if TYPE_CHECKING:
    from playwright.sync_api import Browser, Page

pytestmark = pytest.mark.browser

REPO_ROOT = Path(__file__).resolve().parents[2]
SCREENSHOTS = REPO_ROOT / "tests" / "screenshots"
PAGES = {
    "home": "",
    "article": "2015/12/paris-climate-agreement-adopted/",
    "person": "people/vladimir-putin/",
    "topic": "topics/syria/",
    "people": "people/",
}

# Every piece of rendered text, one rectangle per line it takes, and the pairs that overlap.
OVERLAPS = """() => {
  const boxes = [];
  const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
  for (let node = walker.nextNode(); node; node = walker.nextNode()) {
    if (!node.textContent.trim()) continue;
    const element = node.parentElement;
    if (!element.checkVisibility({ visibilityProperty: true, contentVisibilityAuto: true })) continue;
    if (element.closest(".visually-hidden")) continue;  // for screen readers only: clipped to nothing
    const range = document.createRange();
    range.selectNodeContents(node);
    for (const r of range.getClientRects()) {
      if (r.width < 1 || r.height < 1 || r.right < 0 || r.bottom < 0) continue;  // off-screen: the skip link
      const text = node.textContent.trim().slice(0, 40);
      boxes.push({ text, left: r.left + scrollX, right: r.right + scrollX, top: r.top + scrollY,
                   bottom: r.bottom + scrollY });
    }
  }
  const overlaps = [];
  const slack = 2;  // pixels: glyph boxes of neighbouring lines may touch
  for (let i = 0; i < boxes.length; i++) {
    for (let j = i + 1; j < boxes.length; j++) {
      const a = boxes[i], b = boxes[j];
      const wide = Math.min(a.right, b.right) - Math.max(a.left, b.left);
      const high = Math.min(a.bottom, b.bottom) - Math.max(a.top, b.top);
      if (wide > slack && high > slack) overlaps.push(`"${a.text}" and "${b.text}"`);
    }
  }
  return overlaps;
}"""

# Images without a text alternative: <img> without alt, and SVGs drawn as images without a name.
UNNAMED_IMAGES = """() => [
  ...[...document.images].filter((img) => !img.hasAttribute("alt")).map((img) => img.src),
  ...[...document.querySelectorAll("svg")].filter((svg) => svg.getAttribute("aria-hidden") !== "true"
      && !(svg.getAttribute("role") === "img" && (svg.getAttribute("aria-label") || svg.getAttribute("aria-labelledby"))))
    .map((svg) => svg.outerHTML.slice(0, 80)),
]"""


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> Path:
    output = tmp_path_factory.mktemp("theme") / "output"
    done = subprocess.run([sys.executable, "-m", "digest", "build", str(REPO_ROOT), "--output", str(output)],
                          capture_output=True, text=True, stdin=subprocess.DEVNULL, timeout=300)
    assert done.returncode == 0, done.stderr
    return output


def _open(browser: Browser, url: str, width: int, **context: Any) -> Page:
    page = browser.new_context(viewport={"width": width, "height": 900}, **context).new_page()
    page.goto(url)
    return page


@pytest.mark.parametrize("width", [375, 1280])
@pytest.mark.parametrize("name", list(PAGES))
def test_pages_fit_the_screen_without_overlapping_text(browser: Browser, serve_dir: Any, built: Path, name: str,
                                                        width: int) -> None:
    page = _open(browser, serve_dir(built) + PAGES[name], width)
    try:
        sideways = page.evaluate("document.documentElement.scrollWidth - document.documentElement.clientWidth")
        assert sideways <= 0, f"{name} at {width} px scrolls {sideways} px sideways"
        assert page.evaluate(OVERLAPS) == []
        assert page.evaluate(UNNAMED_IMAGES) == []
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(SCREENSHOTS / f"theme-{name}-{width}.png"), full_page=True)
    finally:
        page.context.close()


def test_the_checks_find_overlapping_text_and_unnamed_images(browser: Browser) -> None:
    page = browser.new_page()
    page.set_content('<p style="position:absolute;top:10px">First words</p><p style="position:absolute;top:14px">'
                     'Second words</p><img src="data:image/gif;base64,R0lGODlhAQABAAAAACw=">'
                     '<svg width="10" height="10"></svg><p class="visually-hidden">Not shown</p>')
    assert len(page.evaluate(OVERLAPS)) == 1
    assert len(page.evaluate(UNNAMED_IMAGES)) == 2
    page.close()


def test_dark_mode_changes_the_colours(browser: Browser, serve_dir: Any, built: Path) -> None:
    colours = {}
    for scheme in ("light", "dark"):
        page = _open(browser, serve_dir(built) + PAGES["person"], 1280, color_scheme=scheme)
        colours[scheme] = page.evaluate(
            "[getComputedStyle(document.body).backgroundColor, getComputedStyle(document.body).color]")
        page.screenshot(path=str(SCREENSHOTS / f"theme-person-{scheme}.png"))
        page.context.close()
    assert colours["light"][0] != colours["dark"][0] and colours["light"][1] != colours["dark"][1]
    assert colours["dark"][0] == "rgb(18, 18, 18)"


def test_the_people_filter_narrows_the_list(browser: Browser, serve_dir: Any, built: Path) -> None:
    page = _open(browser, serve_dir(built) + PAGES["people"], 375)
    visible = "[...document.querySelectorAll('.az-group li')].filter((li) => li.offsetParent).map((li) => li.textContent)"
    everyone = page.evaluate(visible)
    assert len(everyone) >= 20
    page.fill("#d-filter", "putin")
    assert [" ".join(name.split()) for name in page.evaluate(visible)] == ["Vladimir Putin 5"]
    assert page.inner_text("#d-filter-status") == f"1 of {len(everyone)} shown"
    assert not page.is_visible(".term-top")
    page.fill("#d-filter", "")
    assert page.evaluate(visible) == everyone
    page.context.close()


def test_without_javascript_the_whole_list_shows(browser: Browser, serve_dir: Any, built: Path) -> None:
    page = _open(browser, serve_dir(built) + PAGES["people"], 1280, java_script_enabled=False)
    assert not page.is_visible("[data-term-filter]")
    items = page.locator(".az-group li")
    assert items.count() >= 20 and all(items.nth(i).is_visible() for i in range(items.count()))
    page.context.close()
