"""The example digest's newsletters (`editions/N/email.html`) in Chromium, as a phone and a desktop client show them.

The example site (digest.yaml and content/ of the repository) is built once into a temporary
folder and served over HTTP. At 600 and 375 px wide every e-mail must fit the window (no
sideways scroll, no text cut off at either edge), lay out no text over other text, and give
every image an alt. In dark mode its colours change and the headline stays readable (WCAG
contrast of 4.5 at least). Full-page screenshots of edition 11 at each width go to
tests/screenshots/ (git-ignored) for a look.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest

if TYPE_CHECKING:
    from playwright.sync_api import Browser, Page

pytestmark = pytest.mark.browser

REPO_ROOT = Path(__file__).resolve().parents[2]
SCREENSHOTS = REPO_ROOT / "tests" / "screenshots"
WIDTHS = (600, 375)
HEIGHT = 800
TOLERANCE = 1  # px: rounding of text boxes


@pytest.fixture(scope="module")
def output(example_output: Path) -> Path:
    return example_output


@pytest.fixture(scope="module")
def editions(output: Path) -> list[str]:
    """The number of every edition with an email.html, in order."""
    found = sorted((p.parent.name for p in output.glob("editions/*/email.html")), key=int)
    assert len(found) >= 3 and {"11", "12"} <= set(found), f"expected an email for every edition, found {found}"
    return found


def open_page(browser: Browser, width: int) -> Page:
    return browser.new_context(viewport={"width": width, "height": HEIGHT}).new_page()


@pytest.fixture(params=WIDTHS, ids=[f"{w}px" for w in WIDTHS])
def narrow(request: pytest.FixtureRequest, browser: Browser) -> Iterator[Page]:
    """A page `request.param` px wide and 800 high, in its own context."""
    page = open_page(browser, request.param)
    try:
        yield page
    finally:
        page.context.close()


def each_email(page: Page, url: str, editions: list[str]) -> Iterator[str]:
    """Loads each edition's email.html in `page`; yields its path."""
    for number in editions:
        path = f"editions/{number}/email.html"
        response = page.goto(url + path)
        assert response is not None and response.ok, f"{path}: HTTP {response and response.status}"
        yield path


# Every visible element with text of its own: its text nodes' line boxes (client rects of a Range),
# the element described, hidden ones (display: none, a zero-size box: the preheader) left out.
TEXT_BOXES = """() => {
    const boxes = [];
    const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
    const ids = new Map();
    const describe = (el) => {
        let s = el.tagName.toLowerCase();
        if (el.className && typeof el.className === 'string') s += '.' + el.className.trim().split(/\\s+/).join('.');
        let p = el.parentElement;
        while (p && !(p.className && typeof p.className === 'string') && p !== document.body) p = p.parentElement;
        if (p && p !== el && p !== document.body) s = p.tagName.toLowerCase() + '.' + p.className.trim().split(/\\s+/)[0] + ' ' + s;
        return s;
    };
    for (let node = walker.nextNode(); node; node = walker.nextNode()) {
        const text = node.textContent.replace(/\\s+/g, ' ').trim();
        if (!text) continue;
        const el = node.parentElement;
        const style = getComputedStyle(el);
        if (style.display === 'none' || style.visibility === 'hidden') continue;
        const box = el.getBoundingClientRect();
        if (box.width === 0 || box.height === 0) continue;
        if (!ids.has(el)) ids.set(el, ids.size);
        const range = document.createRange();
        range.selectNodeContents(node);
        for (const r of range.getClientRects()) {
            if (r.width === 0 || r.height === 0) continue;
            boxes.push({id: ids.get(el), what: describe(el), text: text.slice(0, 50),
                        left: r.left + scrollX, right: r.right + scrollX, top: r.top + scrollY, bottom: r.bottom + scrollY});
        }
    }
    return boxes;
}"""


def test_no_sideways_scroll(narrow: Page, serve_dir: Any, output: Path, editions: list[str]) -> None:
    url = serve_dir(output)
    problems = []
    for path in each_email(narrow, url, editions):
        sizes = narrow.evaluate("""() => ({inner: innerWidth, html: document.documentElement.scrollWidth,
                                          body: document.body.scrollWidth})""")
        for name in ("html", "body"):
            if sizes[name] > sizes["inner"]:
                problems.append(f"{path} at {sizes['inner']} px: {name} scrollWidth {sizes[name]} > {sizes['inner']}")
    assert not problems, "\n".join(problems)


def test_no_text_overlaps_other_text(narrow: Page, serve_dir: Any, output: Path, editions: list[str]) -> None:
    url = serve_dir(output)
    problems = []
    for path in each_email(narrow, url, editions):
        width = narrow.evaluate("innerWidth")
        boxes = narrow.evaluate(TEXT_BOXES)
        assert boxes, f"{path}: no visible text"
        for i, a in enumerate(boxes):
            for b in boxes[i + 1:]:
                if a["id"] == b["id"]:
                    continue
                across = min(a["right"], b["right"]) - max(a["left"], b["left"])
                down = min(a["bottom"], b["bottom"]) - max(a["top"], b["top"])
                if across > TOLERANCE and down > TOLERANCE:
                    problems.append(f"{path} at {width} px: {a['what']} {a['text']!r} "
                                    f"overlaps {b['what']} {b['text']!r} by {across:.1f} x {down:.1f} px")
    assert not problems, "\n".join(problems)


def test_no_text_is_cut_off(narrow: Page, serve_dir: Any, output: Path, editions: list[str]) -> None:
    url = serve_dir(output)
    problems = []
    for path in each_email(narrow, url, editions):
        width = narrow.evaluate("innerWidth")
        for box in narrow.evaluate(TEXT_BOXES):
            if box["left"] < -TOLERANCE or box["right"] > width + TOLERANCE:
                problems.append(f"{path} at {width} px: {box['what']} {box['text']!r} spans "
                                f"{box['left']:.1f} to {box['right']:.1f} px")
    assert not problems, "text outside [0, innerWidth]:\n" + "\n".join(problems)


def test_every_image_has_alt(narrow: Page, serve_dir: Any, output: Path, editions: list[str]) -> None:
    url = serve_dir(output)
    problems = []
    for path in each_email(narrow, url, editions):
        missing = narrow.evaluate("() => [...document.images].filter(i => !i.hasAttribute('alt')).map(i => i.outerHTML)")
        problems += [f"{path}: {img}" for img in missing]
    assert not problems, "images without alt:\n" + "\n".join(problems)


def test_screenshots_of_edition_11(browser: Browser, serve_dir: Any, output: Path) -> None:
    url = serve_dir(output)
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    for width in WIDTHS:
        page = open_page(browser, width)
        try:
            page.goto(url + "editions/11/email.html")
            assert page.inner_text("h1") == "World Digest #11"
            shot = SCREENSHOTS / f"email-11-{width}.png"
            page.screenshot(path=str(shot), full_page=True)
            assert shot.stat().st_size > 0
        finally:
            page.context.close()


# --------------------------------------------------------------------------------------
# Dark mode


def rgb(css: str) -> tuple[float, float, float, float]:
    """`rgb(1, 2, 3)` or `rgba(1, 2, 3, 0.5)` -> (r, g, b, alpha)."""
    match = re.fullmatch(r"rgba?\(\s*([\d.]+),\s*([\d.]+),\s*([\d.]+)(?:,\s*([\d.]+))?\s*\)", css.strip())
    assert match, f"not an rgb() colour: {css!r}"
    r, g, b, a = match.groups()
    return float(r), float(g), float(b), float(a) if a is not None else 1.0


def luminance(colour: tuple[float, float, float, float]) -> float:
    def channel(c: float) -> float:
        c /= 255
        return c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4

    r, g, b, _ = colour
    return 0.2126 * channel(r) + 0.7152 * channel(g) + 0.0722 * channel(b)


def contrast(a: tuple[float, float, float, float], b: tuple[float, float, float, float]) -> float:
    high, low = sorted((luminance(a), luminance(b)), reverse=True)
    return (high + 0.05) / (low + 0.05)


COLOURS = """() => ({
    body: getComputedStyle(document.body).backgroundColor,
    container: getComputedStyle(document.querySelector('table.container')).backgroundColor,
    h1: getComputedStyle(document.querySelector('h1')).color,
})"""


def test_dark_mode(browser: Browser, serve_dir: Any, output: Path) -> None:
    url = serve_dir(output)
    page = open_page(browser, 600)
    try:
        page.emulate_media(color_scheme="light")
        page.goto(url + "editions/11/email.html")
        light = page.evaluate(COLOURS)
        page.emulate_media(color_scheme="dark")
        dark = page.evaluate(COLOURS)
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(SCREENSHOTS / "email-11-600-dark.png"), full_page=True)
    finally:
        page.context.close()
    path = "editions/11/email.html"
    assert rgb(dark["body"]) != rgb(light["body"]), \
        f"{path}: the body's background is {dark['body']} in dark mode as in light mode"
    for scheme, colours in (("light", light), ("dark", dark)):
        background = rgb(colours["container"])
        assert background[3] == 1, f"{path} ({scheme}): table.container's background {colours['container']} is not opaque"
        ratio = contrast(rgb(colours["h1"]), background)
        assert ratio >= 4.5, (f"{path} ({scheme}): the h1's colour {colours['h1']} on table.container's "
                              f"{colours['container']} has a contrast of {ratio:.2f}, under 4.5")
