"""Golden tests: build a small fixture site and compare the whole output tree, byte for byte.

The fixture is ``tests/fixtures/golden-site/`` and its expected output is
``tests/golden/expected/``. When a change to digest changes the output on purpose, run

    .venv/bin/python -m pytest tests/test_golden.py --update-golden

and review the diff of ``tests/golden/`` like code. The site is copied into a temporary
folder before each build, so the build never writes beside the fixture and any absolute
path that leaked into the output would show up as a difference.

A second case overrides only ``templates/article.html``
(``tests/fixtures/golden-article-override/``): its article pages are compared with
``tests/golden/article-override/``, and every other file must be byte-identical to the
default-theme output in ``tests/golden/expected/``.

A fourth case is the example digest at the repository's root, configured weekly: its edition pages,
newsletters and editions feed are compared with ``tests/golden/example/``.

A third case is a site in three languages (``tests/fixtures/multilingual-site/``): a page of each
kind that languages change is compared with ``tests/golden/multilingual/``.
"""

from __future__ import annotations

import datetime
import difflib
import re
import shutil
from pathlib import Path

import pytest

import digest

HERE = Path(__file__).resolve().parent
FIXTURE = HERE / "fixtures" / "golden-site"
OVERRIDE_FIXTURE = HERE / "fixtures" / "golden-article-override"
EXPECTED = HERE / "golden" / "expected"
OVERRIDE_EXPECTED = HERE / "golden" / "article-override"
MULTILINGUAL_FIXTURE = HERE / "fixtures" / "multilingual-site"
MULTILINGUAL_EXPECTED = HERE / "golden" / "multilingual"
# A page of each kind that languages change: homes, an article in its three languages' forms, a person
# named per language, an index in Arabic, the feeds and the sitemap with its alternates.
MULTILINGUAL_PAGES = frozenset({
    "index.html", "fr/index.html", "ar/index.html", "2015/11/paris-climate-conference-opens/index.html",
    "fr/2015/11/paris-climate-conference-opens/index.html", "ar/2015/11/paris-climate-conference-opens/index.html",
    "fr/people/vladimir-putin/index.html", "ar/topics/index.html", "fr/feed.xml", "ar/feed.xml", "sitemap.xml",
})

EXAMPLE_EXPECTED = HERE / "golden" / "example"
# The example's editions: the index, an edition with an introduction that orders its sections, its newsletter
# in both forms, the edition with a title of its own, the one after the break, the feed, and an article page.
EXAMPLE_PAGES = frozenset({
    "editions/index.html", "editions/11/index.html", "editions/11/email.html", "editions/11/email.txt",
    "editions/12/index.html", "editions/12/email.txt", "editions/14/email.txt", "editions/feed.xml",
    "2015/11/putin-netanyahu-paris/index.html",
})

# The build's "now": after every fixture article but the one dated 2016-03-01, which must
# stay unpublished (future articles are built only with --future).
NOW = datetime.datetime(2016, 2, 1, 12, 0, tzinfo=datetime.timezone.utc)

# An article page under the default permalink pattern /YYYY/MM/slug/ (not /YYYY/MM/ itself).
ARTICLE_PAGE = re.compile(r"\d{4}/\d{2}/[^/]+/index\.html")


# --------------------------------------------------------------------------------------
# Helpers


def read_tree(root: Path) -> dict[str, bytes]:
    """Every file under ``root`` (hidden ones included), by POSIX path relative to it, but the search index.

    The index is Pagefind's binary output, checked by tests/test_search.py; golden files are for our pages.
    """
    return {p.relative_to(root).as_posix(): p.read_bytes() for p in sorted(root.rglob("*"))
            if p.is_file() and not p.relative_to(root).as_posix().startswith("pagefind/")}


def write_tree(root: Path, files: dict[str, bytes]) -> None:
    """Replace the folder ``root`` by exactly ``files``."""
    if root.exists():
        shutil.rmtree(root)
    for rel, data in files.items():
        path = root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(data)


def build_copy(site: Path, tmp_path: Path, overlay: Path | None = None) -> dict[str, bytes]:
    """Copy ``site`` (plus ``overlay`` on top) into ``tmp_path``, build it, return the output tree."""
    site_dir = tmp_path / "site"
    shutil.copytree(site, site_dir)
    if overlay is not None:
        shutil.copytree(overlay, site_dir, dirs_exist_ok=True)
    output_dir = tmp_path / "output"
    result = digest.build(site_dir, digest.BuildOptions(output_dir=str(output_dir), now=NOW))
    assert result.warnings == (), "\n".join(str(w) for w in result.warnings)
    return read_tree(output_dir)


def _text(data: bytes) -> list[str]:
    try:
        return data.decode("utf-8").splitlines(keepends=True)
    except UnicodeDecodeError:
        return [f"<{len(data)} bytes of binary data>\n"]


def tree_difference(actual: dict[str, bytes], expected: dict[str, bytes], label: str) -> str | None:
    """None if the trees are equal; else which files differ, with a diff of the first one."""
    missing = sorted(expected.keys() - actual.keys())
    extra = sorted(actual.keys() - expected.keys())
    changed = sorted(p for p in expected.keys() & actual.keys() if expected[p] != actual[p])
    if not (missing or extra or changed):
        return None
    lines = [f"the build differs from {label} (run pytest --update-golden to accept it, then review the diff)"]
    if missing:
        lines.append(f"{len(missing)} expected files not built: " + ", ".join(missing))
    if extra:
        lines.append(f"{len(extra)} files built but not expected: " + ", ".join(extra))
    if changed:
        lines.append(f"{len(changed)} files differ: " + ", ".join(changed))
        first = changed[0]
        diff = difflib.unified_diff(_text(expected[first]), _text(actual[first]),
                                    fromfile=f"expected/{first}", tofile=f"built/{first}")
        lines.append("".join(diff))
    elif extra:
        lines.append(f"first extra file, {extra[0]}:\n" + "".join(_text(actual[extra[0]])[:40]))
    return "\n".join(lines)


@pytest.fixture
def update_golden(request: pytest.FixtureRequest) -> bool:
    """Whether ``--update-golden`` was given (the option lives in the root conftest.py)."""
    return bool(request.config.getoption("--update-golden", default=False))


# --------------------------------------------------------------------------------------
# The golden trees


def compare_with_golden(built: dict[str, bytes], golden: Path, update_golden: bool) -> None:
    """Fail with a diff unless `built` is the tree in `golden` (which `--update-golden` rewrites first)."""
    if update_golden:
        write_tree(golden, built)
    expected = read_tree(golden)
    assert expected, f"{golden} is empty: run pytest --update-golden"
    difference = tree_difference(built, expected, f"tests/golden/{golden.name}/")
    if difference:
        pytest.fail(difference, pytrace=False)


def test_golden_site_output_matches_expected_tree(tmp_path: Path, update_golden: bool) -> None:
    compare_with_golden(build_copy(FIXTURE, tmp_path), EXPECTED, update_golden)


def test_multilingual_site_output_matches_expected_tree(tmp_path: Path, update_golden: bool) -> None:
    """A site in English, French and Arabic (tests/test_languages.py says what its pages must show)."""
    built = {path: data for path, data in build_copy(MULTILINGUAL_FIXTURE, tmp_path).items()
             if path in MULTILINGUAL_PAGES}
    assert len(built) == len(MULTILINGUAL_PAGES), sorted(MULTILINGUAL_PAGES - built.keys())
    compare_with_golden(built, MULTILINGUAL_EXPECTED, update_golden)


def test_example_editions_match_expected_pages(tmp_path: Path, update_golden: bool) -> None:
    """The example digest's weekly editions (tests/test_editions.py says what they must show)."""
    example = tmp_path / "example"
    example.mkdir()
    shutil.copy(HERE.parent / "digest.yaml", example)
    shutil.copytree(HERE.parent / "content", example / "content")
    built = {path: data for path, data in build_copy(example, tmp_path).items() if path in EXAMPLE_PAGES}
    assert len(built) == len(EXAMPLE_PAGES), sorted(EXAMPLE_PAGES - built.keys())
    compare_with_golden(built, EXAMPLE_EXPECTED, update_golden)


def test_article_template_override_changes_articles_only(tmp_path: Path, update_golden: bool) -> None:
    built = build_copy(FIXTURE, tmp_path, overlay=OVERRIDE_FIXTURE)
    articles = {p: data for p, data in built.items() if ARTICLE_PAGE.fullmatch(p)}
    others = {p: data for p, data in built.items() if not ARTICLE_PAGE.fullmatch(p)}
    assert len(articles) == 6, sorted(articles)
    if update_golden:
        write_tree(OVERRIDE_EXPECTED, articles)

    # The override is used for every article page ...
    difference = tree_difference(articles, read_tree(OVERRIDE_EXPECTED), "tests/golden/article-override/")
    if difference:
        pytest.fail(difference, pytrace=False)
    # ... and everything else is exactly the default theme's output.
    default_others = {p: data for p, data in read_tree(EXPECTED).items() if not ARTICLE_PAGE.fullmatch(p)}
    difference = tree_difference(others, default_others, "tests/golden/expected/ (non-article files)")
    if difference:
        pytest.fail(difference, pytrace=False)

    # What the expected files say, so an --update-golden that accepted a broken override shows here.
    for path, data in articles.items():
        html = data.decode("utf-8")
        assert '<article class="article article-override">' in html, path
        assert 'class="override-byline">Filed ' in html, path
        assert '<a class="brand" href="/news/">Golden Digest</a>' in html, path  # base.html, default theme
        assert '<nav class="toc"' not in html and 'class="related"' not in html, path  # not the default article.html
    assert "from BBC News · Middle East</p>" in articles["2016/01/implementation-day/index.html"].decode()


# --------------------------------------------------------------------------------------
# What the fixture is there to cover, checked on the expected tree itself


def expected_page(path: str) -> str:
    return (EXPECTED / path).read_text(encoding="utf-8")


def test_expected_tree_covers_the_fixture_features() -> None:
    files = set(read_tree(EXPECTED))

    # six published articles at /YYYY/MM/slug/ over three months; the draft and the future one left out
    assert {p for p in files if ARTICLE_PAGE.fullmatch(p)} == {
        "2015/11/turkey-shoots-down-russian-jet/index.html",
        "2015/11/putin-netanyahu-paris/index.html",
        "2015/12/paris-climate-agreement-adopted/index.html",  # date from the file name only
        "2015/12/vienna-syria-support-group/index.html",
        "2016/01/saudi-arabia-cuts-ties-with-iran/index.html",
        "2016/01/implementation-day/index.html",  # slug: from the front matter
    }
    everything = b"".join(read_tree(EXPECTED).values()).decode("utf-8")
    for unpublished in ("Draft Only", "draft-only", "Munich Talks Preview", "Future Only", "future-only",
                        "Dated After the Build"):
        assert unpublished not in everything

    # per_page: 2 -> home pages /, /page/2/, /page/3/ for six articles
    assert {"index.html", "page/2/index.html", "page/3/index.html"} <= files
    assert "page/4/index.html" not in files

    # aliases from term pages: "Putin" and "Владимир Путин" are Vladimir Putin; "Syrian civil war" is Syria
    putin = expected_page("people/vladimir-putin/index.html") + expected_page(
        "people/vladimir-putin/page/2/index.html")
    for url in ("/news/2015/11/turkey-shoots-down-russian-jet/", "/news/2015/11/putin-netanyahu-paris/",
                "/news/2015/12/vienna-syria-support-group/"):
        assert f'href="{url}"' in putin
    assert '<p class="role">President of Russia</p>' in putin
    assert not any(p.startswith(("people/putin/", "topics/syrian-civil-war/")) for p in files)
    syria = expected_page("topics/syria/index.html") + expected_page("topics/syria/page/2/index.html")
    assert 'href="/news/2015/11/turkey-shoots-down-russian-jet/"' in syria
    assert "a crackdown on protests escalated" in syria  # the topic term page's body
    assert "people/moshe-yaalon/index.html" in files
    assert "topics/russia-israel-relations/index.html" in files

    # Markdown: a table, a footnote, highlighted Python, a table of contents of four headings
    assert "<table>" in expected_page("2015/11/turkey-shoots-down-russian-jet/index.html")
    paris = expected_page("2015/11/putin-netanyahu-paris/index.html")
    assert 'href="#fn1"' in paris and 'id="fn1"' in paris
    assert '<code class="language-python"><span class="kn">from</span>' in expected_page(
        "2015/12/vienna-syria-support-group/index.html")
    toc = expected_page("2015/12/paris-climate-agreement-adopted/index.html")
    assert toc.count('<li class="toc-level-') == 4

    # dates shown in the site's timezone (Europe/Berlin)
    assert ('<time datetime="2016-01-04T05:30:00+01:00" data-pagefind-meta="date" data-pagefind-sort="date[datetime]">'
            '4 January 2016</time>') in expected_page(
        "2016/01/saudi-arabia-cuts-ties-with-iran/index.html")

    # every root-relative link carries the base path /news/
    assert not re.search(r'(?:href|src)="/(?!news/)', everything)


# --------------------------------------------------------------------------------------
# Known bugs, seen in the golden output (the expected tree holds what digest writes today;
# these say what it should write)


@pytest.fixture(scope="module")
def fresh_build(tmp_path_factory: pytest.TempPathFactory) -> dict[str, bytes]:
    """The fixture site built now (not the expected tree), once for these tests."""
    return build_copy(FIXTURE, tmp_path_factory.mktemp("golden"))


def test_meta_descriptions_use_the_singular_for_one_article(fresh_build: dict[str, bytes]) -> None:
    description = re.compile(rb'<meta name="description" content="([^"]*)">')
    descriptions = {path: m.group(1).decode("utf-8") for path, data in fresh_build.items()
                    if (m := description.search(data))}
    assert descriptions["people/laurent-fabius/index.html"] == "1 article about Laurent Fabius in Golden Digest."
    assert descriptions["people/vladimir-putin/index.html"] == "President of Russia"  # the role, when there is one
    assert descriptions["topics/diplomacy/index.html"] == "3 articles about Diplomacy in Golden Digest."
    assert not [path for path, text in descriptions.items() if re.match(r"1 (articles|people|topics)\b", text)]


def test_home_page_two_title_names_the_site_once(fresh_build: dict[str, bytes]) -> None:
    title = re.search(r"<title>(.*?)</title>", fresh_build["page/2/index.html"].decode("utf-8"))
    assert title is not None
    assert title.group(1) == "Latest, page 2 · Golden Digest"  # like its <h1>, "Latest, page 2"
