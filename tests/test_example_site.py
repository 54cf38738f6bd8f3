"""The example digest (the repository root: digest.yaml and content/), built and checked.

It is the site a newcomer sees first, so it must pass every section of check-site and
show what digest does: people and topics with term pages, aliases, the seed article.
"""

from __future__ import annotations

import re
import shutil
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import pytest
import yaml

import digest

pytestmark = pytest.mark.shared

REPO_ROOT = Path(__file__).resolve().parent.parent
CONTENT = REPO_ROOT / "content"
ARTICLE_PAGE = re.compile(r"(\d{4})/(\d{2})/([^/]+)/index\.html")
SEED_URL = "/2015/11/putin-netanyahu-paris/"
SEED_PEOPLE = {
    "/people/vladimir-putin/": "Vladimir Putin",
    "/people/benjamin-netanyahu/": "Benjamin Netanyahu",
    "/people/moshe-yaalon/": "Moshe Ya'alon",
    "/people/mahmoud-abbas/": "Mahmoud Abbas",
}


class Links(HTMLParser):
    """Every ``<a href>`` of a page as (href, text, class), and the text of its ``<h1>``."""

    def __init__(self) -> None:
        super().__init__()
        self.links: list[tuple[str, str, str]] = []
        self.h1 = ""
        self._open: list[Any] | None = None
        self._in_h1 = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = dict(attrs)
        if tag == "a" and a.get("href"):
            self._open = [a["href"], "", a.get("class") or ""]
        elif tag == "h1":
            self._in_h1 = True

    def handle_endtag(self, tag: str) -> None:
        if tag == "a" and self._open is not None:
            self.links.append((self._open[0], " ".join(self._open[1].split()), self._open[2]))
            self._open = None
        elif tag == "h1":
            self._in_h1 = False

    def handle_data(self, data: str) -> None:
        if self._open is not None:
            self._open[1] += data
        if self._in_h1:
            self.h1 += data


def parse(path: Path) -> Links:
    parser = Links()
    parser.feed(path.read_text(encoding="utf-8"))
    return parser


def front_matter(path: Path) -> dict[str, Any]:
    text = path.read_text(encoding="utf-8")
    match = re.match(r"\A---\n(.*?)\n---\n", text, re.DOTALL)
    assert match, f"{path}: no front matter"
    data = yaml.safe_load(match.group(1))
    assert isinstance(data, dict)
    return data


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, digest.BuildResult]:
    """The example built into a temporary folder (never the repository's output/)."""
    output = tmp_path_factory.mktemp("example") / "output"
    result = digest.build(REPO_ROOT, digest.BuildOptions(output_dir=str(output)))
    return output, result


@pytest.fixture(scope="module")
def output(built: tuple[Path, digest.BuildResult]) -> Path:
    return built[0]


def article_pages(output: Path) -> dict[str, Path]:
    """Article pages by URL."""
    pages = {}
    for page in output.rglob("index.html"):
        rel = page.relative_to(output).as_posix()
        if ARTICLE_PAGE.fullmatch(rel):
            pages["/" + rel[: -len("index.html")]] = page
    return pages


def term_page_files(output: Path, taxonomy: str, slug: str) -> list[Path]:
    """A term's page and its pagination pages."""
    root = output / taxonomy / slug
    return [root / "index.html", *sorted(root.glob("page/*/index.html"))]


# --------------------------------------------------------------------------------------


def test_example_passes_check_site(output: Path, run_check_site: Any) -> None:
    # besides its own choice of pages, the accessibility checks see an edition, the editions and a newsletter
    proc = run_check_site(output, "--pages", "editions/11/index.html,editions/index.html,editions/11/email.html")
    report = f"check-site exited {proc.returncode}\n--- stdout\n{proc.stdout}\n--- stderr\n{proc.stderr}"
    sections = re.findall(r"^(PASS|FAIL)\s+\[(\d)\] ([\w-]+)", proc.stdout, re.MULTILINE)
    assert proc.returncode == 0, report
    assert [name for _, _, name in sections] == [
        "html-validity", "internal-links", "feeds", "sitemap", "accessibility"], report
    assert all(status == "PASS" for status, _, _ in sections), report
    assert "check-site: 5 passed, 0 failed" in proc.stdout, report


@pytest.mark.slow
@pytest.mark.parametrize("page", ["index.html", "2015/12/paris-climate-agreement-adopted/index.html"])
def test_example_scores_95_or_more_in_lighthouse(output: Path, run_check_site: Any, tmp_path: Path, page: str) -> None:
    # check-site audits the home page; an article is audited as the home page of a copy of the site
    # (its links are root-relative, so they resolve the same from there)
    site = tmp_path / "site"
    shutil.copytree(output, site)
    shutil.copyfile(output / page, site / "index.html")
    proc = run_check_site(site, "--only", "lighthouse", "--lighthouse", "--lighthouse-min", "95")
    assert proc.returncode == 0, f"{proc.stdout}\n{proc.stderr}"
    scores = dict(re.findall(r"(performance|accessibility|best-practices|seo) (\d+)", proc.stdout))
    assert len(scores) == 4 and all(int(score) >= 95 for score in scores.values()), proc.stdout


def test_the_theme_is_light(output: Path) -> None:
    static = REPO_ROOT / "themes" / "default" / "static"
    css = sum(p.stat().st_size for p in static.rglob("*.css"))
    js = sum(p.stat().st_size for p in static.rglob("*.js"))
    assert css < 30_000, f"the theme's CSS is {css:,} bytes"
    assert js < 10_000, f"the theme's JavaScript is {js:,} bytes"
    heaviest = 0
    for page in output.rglob("*.html"):
        html = page.read_text(encoding="utf-8")
        assets = re.findall(r'<(?:link rel="stylesheet" href|script src)="/([^"]+)"', html)
        heaviest = max(heaviest, len(html.encode()) + sum((output / a).stat().st_size for a in assets))
    assert heaviest < 100_000, f"a page weighs {heaviest:,} bytes before its images"


def test_example_passes_digest_check() -> None:
    result = digest.check(REPO_ROOT)  # raises DigestError with every broken link
    assert result.articles >= 20 and result.warnings == ()


def test_example_has_enough_articles_people_and_topics(built: tuple[Path, digest.BuildResult]) -> None:
    output, result = built
    assert result.warnings == (), "\n".join(map(str, result.warnings))
    assert len(article_pages(output)) >= 15
    assert result.articles == len(article_pages(output))
    people = [p for p in (output / "people").glob("*/index.html")]
    topics = [p for p in (output / "topics").glob("*/index.html")]
    assert len(people) >= 10 and result.people == len(people)
    assert len(topics) >= 8 and result.topics == len(topics)


@pytest.mark.parametrize(("taxonomy", "at_least"), [("people", 4), ("topics", 2)])
def test_example_term_pages_reach_their_pages(output: Path, taxonomy: str, at_least: int) -> None:
    sources = sorted((CONTENT / taxonomy).glob("*.md"))
    assert len(sources) >= at_least
    for source in sources:
        data = front_matter(source)
        page = output / taxonomy / source.stem / "index.html"
        assert page.is_file(), f"{source.relative_to(REPO_ROOT)} has no page {page.relative_to(output)}"
        html = page.read_text(encoding="utf-8")
        assert parse(page).h1.strip() == data["name"]
        body = source.read_text(encoding="utf-8").split("\n---\n", 1)[1].strip()
        first_words = " ".join(body.split()[:6])
        assert first_words in " ".join(html.split()), f"the body of {source.name} is not on its page"
        if data.get("role"):
            assert f'<p class="role">{data["role"]}</p>' in html


def test_seed_article_names_its_four_people(output: Path) -> None:
    page = output / SEED_URL.strip("/") / "index.html"
    assert page.is_file()
    html = page.read_text(encoding="utf-8")
    # the article itself: from its <h1> to the end of its <article> (related articles come after)
    start = html.index("<h1")
    links = Links()
    links.feed(html[start: html.index("</article>", start)])
    assert links.h1.strip() == "Putin, Netanyahu Hail Improved Military Coordination After Meeting in Paris"
    chips = {href: text for href, text, cls in links.links if href.startswith("/people/")}
    assert chips == SEED_PEOPLE


def test_article_tagged_by_alias_is_listed_on_the_person_page(output: Path) -> None:
    aliases = front_matter(CONTENT / "people" / "vladimir-putin.md")["aliases"]
    assert "Putin" in aliases
    tagged = []
    for source in sorted(CONTENT.rglob("*.md")):
        if source.parent.name in ("people", "topics"):
            continue
        people = front_matter(source).get("people") or []
        if "Putin" in ([people] if isinstance(people, str) else people):
            tagged.append(source)
    assert tagged, "no article of the example is tagged `Putin`"

    listed = {href for page in term_page_files(output, "people", "vladimir-putin") for href, _, _ in
              parse(page).links}
    pages = article_pages(output)
    for source in tagged:
        slug = re.sub(r"^\d{4}-\d{2}-\d{2}-", "", source.stem)
        urls = [url for url in pages if url.endswith(f"/{slug}/")]
        assert len(urls) == 1, f"{source.name}: article pages {urls}"
        assert urls[0] in listed, f"{urls[0]} (tagged `Putin`) is not listed on /people/vladimir-putin/"
    assert not (output / "people" / "putin").exists()
