"""Sites in several languages, end to end: the multilingual fixture built and read as a reader's browser
and a search engine would, `digest check --translations`, and the settings and files that go wrong.

The fixture (`tests/fixtures/multilingual-site/`) is in English (the default), French and Arabic
(right to left): one article in all three, one in English and French, one in English and Arabic
(so French lacks it), and one written in French only, in `content/fr/`. Its golden pages are
compared in `tests/test_golden.py`.
"""

from __future__ import annotations

import datetime
import re
import shutil
import subprocess
import sys
import xml.etree.ElementTree as ET
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import pytest

import digest
from digest.model import DigestError

HERE = Path(__file__).resolve().parent
FIXTURE = HERE / "fixtures" / "multilingual-site"
NOW = datetime.datetime(2016, 2, 1, 12, 0, tzinfo=datetime.timezone.utc)
BASE = "https://digest.example.org"
ATOM = "{http://www.w3.org/2005/Atom}"
XML_LANG = "{http://www.w3.org/XML/1998/namespace}lang"


class _Head(HTMLParser):
    """What a page says of its language: `<html lang dir>`, its alternates, and the switcher's links."""

    def __init__(self) -> None:
        super().__init__()
        self.html: dict[str, str | None] = {}
        self.alternates: dict[str, str] = {}
        self.switcher: list[dict[str, str | None]] = []
        self._in_switcher = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = dict(attrs)
        if tag == "html":
            self.html = values
        elif tag == "link" and values.get("rel") == "alternate" and values.get("hreflang"):
            self.alternates[values["hreflang"] or ""] = values.get("href") or ""
        elif tag == "nav" and "languages" in (values.get("class") or "").split():
            self._in_switcher = True
        elif tag == "a" and self._in_switcher:
            self.switcher.append(values)

    def handle_endtag(self, tag: str) -> None:
        if tag == "nav":
            self._in_switcher = False


def head_of(path: Path) -> _Head:
    parser = _Head()
    parser.feed(path.read_text(encoding="utf-8"))
    return parser


def copy_fixture(tmp_path: Path) -> Path:
    site = tmp_path / "site"
    shutil.copytree(FIXTURE, site)
    return site


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, digest.BuildResult]:
    site = copy_fixture(tmp_path_factory.mktemp("multilingual"))
    result = digest.build(site, digest.BuildOptions(now=NOW))
    return site / "output", result


def output_file(output: Path, url: str) -> Path:
    """The file a static host serves for a site URL."""
    path = output / url.removeprefix(BASE).lstrip("/")
    return path / "index.html" if url.endswith("/") else path


def test_each_language_has_its_pages_under_its_folder(built: tuple[Path, digest.BuildResult]) -> None:
    output, result = built
    assert result.warnings == (), "\n".join(map(str, result.warnings))
    assert (result.articles, result.people, result.topics) == (8, 5, 3)
    for root in ("", "fr/", "ar/"):
        for page in ("index.html", "archive/index.html", "people/index.html", "topics/index.html", "feed.xml",
                     "404.html", "search/index.html", "2015/11/index.html"):
            assert (output / root / page).is_file(), root + page
    assert (output / "2015/11/paris-climate-conference-opens/index.html").is_file()
    assert (output / "fr/2015/11/paris-climate-conference-opens/index.html").is_file()
    assert (output / "ar/2015/11/paris-climate-conference-opens/index.html").is_file()
    assert (output / "fr/2015/11/etat-d-urgence/index.html").is_file()  # French only, from content/fr/
    assert not (output / "2015/11/etat-d-urgence").exists()
    assert not (output / "fr/2015/11/turkey-shoots-down-russian-jet").exists()  # not translated into French


@pytest.mark.parametrize(("page", "lang", "direction"), [
    ("index.html", "en", None), ("fr/index.html", "fr", None), ("ar/index.html", "ar", "rtl"),
    ("ar/2015/11/turkey-shoots-down-russian-jet/index.html", "ar", "rtl"), ("fr/people/index.html", "fr", None),
])
def test_pages_say_their_language_and_direction(built: tuple[Path, digest.BuildResult], page: str, lang: str,
                                                direction: str | None) -> None:
    head = head_of(built[0] / page)
    assert head.html.get("lang") == lang
    assert head.html.get("dir") == direction


def test_every_alternate_resolves_and_is_mutual(built: tuple[Path, digest.BuildResult]) -> None:
    output = built[0]
    checked = 0
    for page in sorted(output.rglob("*.html")):
        head = head_of(page)
        if not head.alternates:
            continue
        assert "x-default" in head.alternates, page
        for lang, href in head.alternates.items():
            target = output_file(output, href)
            assert target.is_file(), f"{page}: hreflang={lang} {href} does not exist"
            back = head_of(target).alternates
            assert back == head.alternates, f"{page} and {target} disagree on their alternates"
            checked += 1
    assert checked > 100
    article = head_of(output / "fr/2015/11/paris-climate-conference-opens/index.html")
    assert article.alternates == {
        "en": f"{BASE}/2015/11/paris-climate-conference-opens/",
        "fr": f"{BASE}/fr/2015/11/paris-climate-conference-opens/",
        "ar": f"{BASE}/ar/2015/11/paris-climate-conference-opens/",
        "x-default": f"{BASE}/2015/11/paris-climate-conference-opens/",
    }
    # an article in one language has no alternates
    assert head_of(output / "fr/2015/11/etat-d-urgence/index.html").alternates == {}


def test_the_switcher_links_an_article_to_its_translations(built: tuple[Path, digest.BuildResult]) -> None:
    output = built[0]
    switcher = head_of(output / "fr/2015/11/paris-climate-conference-opens/index.html").switcher
    assert [(a["hreflang"], a["href"], a.get("aria-current")) for a in switcher] == [
        ("en", "/2015/11/paris-climate-conference-opens/", None),
        ("fr", "/fr/2015/11/paris-climate-conference-opens/", "true"),
        ("ar", "/ar/2015/11/paris-climate-conference-opens/", None),
    ]
    assert switcher[2]["dir"] == "rtl"
    # where an article has no translation, the switcher leads to that language's home page
    english_only = head_of(output / "2015/11/turkey-shoots-down-russian-jet/index.html").switcher
    assert [(a["hreflang"], a["href"]) for a in english_only] == [
        ("en", "/2015/11/turkey-shoots-down-russian-jet/"), ("fr", "/fr/"),
        ("ar", "/ar/2015/11/turkey-shoots-down-russian-jet/")]


def test_the_sitemap_carries_the_alternates(built: tuple[Path, digest.BuildResult]) -> None:
    root = ET.parse(built[0] / "sitemap.xml").getroot()
    ns = {"s": "http://www.sitemaps.org/schemas/sitemap/0.9", "x": "http://www.w3.org/1999/xhtml"}
    urls = {u.findtext("s:loc", namespaces=ns): {link.get("hreflang"): link.get("href")
                                                 for link in u.findall("x:link", ns)}
            for u in root.findall("s:url", ns)}
    opened = f"{BASE}/ar/2015/11/paris-climate-conference-opens/"
    assert urls[opened] == {"en": f"{BASE}/2015/11/paris-climate-conference-opens/",
                            "fr": f"{BASE}/fr/2015/11/paris-climate-conference-opens/",
                            "ar": opened, "x-default": f"{BASE}/2015/11/paris-climate-conference-opens/"}
    assert urls[f"{BASE}/fr/2015/11/etat-d-urgence/"] == {}
    for alternates in urls.values():
        for href in alternates.values():
            assert href in urls, href  # every alternate is a page of the sitemap too


def test_feeds_are_per_language(built: tuple[Path, digest.BuildResult]) -> None:
    output = built[0]
    for root, lang, titles in (("", "en", 3), ("fr/", "fr", 3), ("ar/", "ar", 2)):
        feed = ET.parse(output / root / "feed.xml").getroot()
        assert feed.get(XML_LANG) == lang
        assert len(feed.findall(f"{ATOM}entry")) == titles
        for entry in feed.findall(f"{ATOM}entry"):
            link = entry.find(f"{ATOM}link")
            assert link is not None and link.get("href", "").startswith(f"{BASE}/{root}")
    french = ET.parse(output / "fr/feed.xml").getroot()
    assert french.findtext(f"{ATOM}title") == "Le Digest du monde"


def test_people_are_one_registry_named_in_each_language(built: tuple[Path, digest.BuildResult]) -> None:
    output = built[0]
    english = (output / "people/vladimir-putin/index.html").read_text(encoding="utf-8")
    french = (output / "fr/people/vladimir-putin/index.html").read_text(encoding="utf-8")
    arabic = (output / "ar/people/vladimir-putin/index.html").read_text(encoding="utf-8")
    assert "<h1>Vladimir Putin</h1>" in english
    assert "<h1>Vladimir Poutine</h1>" in french  # `names: {fr: ...}` of the term page
    assert "<h1>فلاديمير بوتين</h1>" in arabic
    # each lists its language's articles only
    assert 'href="/fr/2015/11/paris-climate-conference-opens/"' in french
    assert 'href="/2015/11/paris-climate-conference-opens/"' not in french.split('class="languages"')[0]
    assert 'href="/2015/11/turkey-shoots-down-russian-jet/"' in english
    assert "turkey-shoots-down-russian-jet" not in french
    # and links the same person in the other languages
    assert head_of(output / "fr/people/vladimir-putin/index.html").alternates["ar"] == f"{BASE}/ar/people/vladimir-putin/"
    # a topic named in French only has a French page only
    assert (output / "fr/topics/securite/index.html").is_file()
    assert not (output / "topics/securite").exists()


def test_theme_words_and_dates_are_in_each_language(built: tuple[Path, digest.BuildResult]) -> None:
    output = built[0]
    french = (output / "fr/2015/11/paris-climate-conference-opens/index.html").read_text(encoding="utf-8")
    assert "30 novembre 2015" in french
    assert "min de lecture" in french
    russian_free = (output / "2015/11/paris-climate-conference-opens/index.html").read_text(encoding="utf-8")
    assert "30 November 2015" in russian_free
    arabic = (output / "ar/index.html").read_text(encoding="utf-8")
    assert "نوفمبر" in arabic  # the month's name from CLDR
    assert "Latest" not in arabic and "Latest" not in (output / "fr/index.html").read_text(encoding="utf-8")


def test_search_has_an_index_per_language(built: tuple[Path, digest.BuildResult]) -> None:
    output = built[0]
    if not (output / "pagefind").is_dir():
        pytest.skip("Pagefind does not run on this machine: the build made no search index")
    metas = {p.name.split(".")[1].split("_")[0] for p in (output / "pagefind").rglob("pagefind.*.pf_meta")}
    assert metas == {"en", "fr", "ar"}
    search = (output / "fr/search/index.html").read_text(encoding="utf-8")
    assert '<html lang="fr"' in search


def test_check_lists_which_articles_lack_which_language(tmp_path: Path) -> None:
    site = copy_fixture(tmp_path)
    done = subprocess.run([sys.executable, "-m", "digest", "check", str(site), "--translations"],
                          capture_output=True, text=True, stdin=subprocess.DEVNULL, timeout=120)
    assert done.returncode == 0, done.stderr
    lines = done.stdout.splitlines()
    assert re.split(r"\s+", lines[0]) == ["article", "en", "fr", "ar"]
    rows = {re.split(r"\s+", line)[0]: re.split(r"\s+", line)[1:] for line in lines[1:5]}
    assert rows == {
        "2015/2015-12-12-paris-agreement-adopted.md": ["yes", "yes", "-"],
        "2015/2015-11-30-paris-climate-conference-opens.md": ["yes", "yes", "yes"],
        "2015/2015-11-24-turkey-shoots-down-russian-jet.md": ["yes", "-", "yes"],
        "2015/2015-11-14-etat-d-urgence.md": ["-", "yes", "-"],
    }
    assert list(rows) == [line.split()[0] for line in lines[1:5]]  # newest first
    assert lines[5] == "1 of 4 articles in every language; missing: en 1, fr 1, ar 2"
    assert lines[6].startswith("8 articles, 5 people, 3 topics: ")


def test_check_translations_on_a_site_of_one_language(make_site: Any) -> None:
    site = make_site({"content/2015-11-30-a.md": "---\ntitle: A\n---\nBody.\n"})
    done = subprocess.run([sys.executable, "-m", "digest", "check", str(site), "--translations"],
                          capture_output=True, text=True, stdin=subprocess.DEVNULL, timeout=120)
    assert done.returncode == 0, done.stderr
    assert done.stdout.startswith("The site has one language: `languages` in digest.yaml")


SETTINGS = "title: T\nbase_url: https://example.org/\nlanguages: [en, fr]\n"


def test_a_translation_whose_original_is_missing_is_reported(make_site: Any) -> None:
    site = make_site({"digest.yaml": SETTINGS,
                      "content/2015-11-30-kept.md": "---\ntitle: Kept\n---\nBody.\n",
                      "content/2015-11-30-kept.fr.md": "---\ntitle: Gardé\n---\nCorps.\n",
                      "content/2015-11-29-orphan.fr.md": "---\ntitle: Orphelin\n---\nCorps.\n"})
    result = digest.check(site)
    assert [(w.path, w.message) for w in result.warnings] == [
        ("content/2015-11-29-orphan.fr.md", "is a translation of 2015-11-29-orphan.md, whose original in en is missing")]
    assert "Add the en article" in (result.warnings[0].hint or "")
    with pytest.raises(DigestError):  # --strict makes it an error
        digest.build(site, digest.BuildOptions(strict=True))


def test_translations_join_by_translation_key(make_site: Any) -> None:
    site = make_site({"digest.yaml": SETTINGS,
                      "content/2015-11-30-summit.md": "---\ntitle: Summit\ntranslation_key: summit\n---\nBody.\n",
                      "content/fr/2015-11-30-sommet.md": "---\ntitle: Sommet\ntranslationKey: summit\n---\nCorps.\n"})
    result = digest.build(site, digest.BuildOptions(now=NOW))
    assert result.warnings == ()
    french = head_of(site / "output/fr/2015/11/sommet/index.html")
    assert french.alternates["en"] == "https://example.org/2015/11/summit/"
    assert [t.versions for t in result.translations] == [
        (("en", "content/2015-11-30-summit.md"), ("fr", "content/fr/2015-11-30-sommet.md"))]


@pytest.mark.parametrize(("files", "expected"), [
    ({"content/2015-11-30-a.it.md": "---\ntitle: A\n---\nB.\n"},
     "content/2015-11-30-a.it.md: the file name says its language is it, which is not one of the site's "
     "languages (en, fr)"),
    ({"content/2015-11-30-a.md": "---\ntitle: A\nlang: de\n---\nB.\n"},
     "content/2015-11-30-a.md:3: `lang` is \"de\", not one of the site's languages (en, fr)"),
])
def test_an_unknown_language_names_the_languages_configured(make_site: Any, files: dict[str, str],
                                                            expected: str) -> None:
    site = make_site({"digest.yaml": SETTINGS, **files})
    with pytest.raises(DigestError) as raised:
        digest.build(site)
    assert [str(p).split("\n")[0] for p in raised.value.problems] == [expected]
    assert not (site / "output").exists()


def test_language_codes_are_written_as_bcp_47(make_site: Any) -> None:
    site = make_site({"digest.yaml": "title: T\nlanguages: [en, zh_cn]\n",
                      "content/2015-11-30-a.md": "---\ntitle: A\n---\nB.\n",
                      "content/2015-11-30-a.zh-CN.md": "---\ntitle: 甲\n---\n乙。\n"})
    result = digest.build(site, digest.BuildOptions(now=NOW))
    assert [language.code for language in result.config.languages] == ["en", "zh-CN"]
    page = site / "output/zh-CN/2015/11/a/index.html"
    assert head_of(page).html["lang"] == "zh-CN"
    # no catalog of the theme speaks Chinese: its words are English, said once
    assert [w.message for w in result.warnings] == ["the theme has no words in zh-CN: its pages in zh-CN use English"]
    assert "2015年11月30日" in page.read_text(encoding="utf-8")  # dates still come from CLDR


def test_an_unknown_language_in_the_settings_is_refused(make_site: Any) -> None:
    site = make_site({"digest.yaml": "title: T\nlanguages: [en, xx-nope]\n",
                      "content/2015-11-30-a.md": "---\ntitle: A\n---\nB.\n"})
    with pytest.raises(DigestError) as raised:
        digest.build(site)
    assert [p.path for p in raised.value.problems] == ["digest.yaml"]
    assert "xx-nope" in raised.value.problems[0].message


def test_a_site_overrides_the_theme_words(make_site: Any) -> None:
    site = make_site({"digest.yaml": SETTINGS,
                      "i18n/fr.yaml": 'Latest: "Les dernières"\narticle: {one: "{count} papier", other: "{count} papiers"}\n',
                      "content/2015-11-30-a.fr.md": "---\ntitle: A\npeople: [Ada]\n---\nB.\n",
                      "content/2015-11-30-a.md": "---\ntitle: A\npeople: [Ada]\n---\nB.\n"})
    result = digest.build(site, digest.BuildOptions(now=NOW))
    assert result.warnings == ()
    home = (site / "output/fr/index.html").read_text(encoding="utf-8")
    assert "Les dernières" in home and "À la une" not in home
    person = (site / "output/fr/people/ada/index.html").read_text(encoding="utf-8")
    assert "1 papier" in person
    assert "Latest" in (site / "output/index.html").read_text(encoding="utf-8")  # English keeps the theme's


def test_a_broken_catalog_is_reported_on_its_line(make_site: Any) -> None:
    site = make_site({"digest.yaml": SETTINGS, "i18n/fr.yaml": "Latest: [a, b]\n",
                      "content/2015-11-30-a.md": "---\ntitle: A\n---\nB.\n"})
    with pytest.raises(DigestError) as raised:
        digest.build(site)
    assert [(p.path, p.line) for p in raised.value.problems] == [("i18n/fr.yaml", 1)]


def test_the_default_language_in_its_folder(make_site: Any) -> None:
    site = make_site({"digest.yaml": SETTINGS + "default_language_in_subdir: true\n",
                      "content/2015-11-30-a.md": "---\ntitle: A\n---\nB.\n",
                      "content/2015-11-30-a.fr.md": "---\ntitle: A fr\n---\nB.\n"})
    digest.build(site, digest.BuildOptions(now=NOW))
    output = site / "output"
    assert (output / "en/2015/11/a/index.html").is_file()
    assert (output / "fr/2015/11/a/index.html").is_file()
    root = (output / "index.html").read_text(encoding="utf-8")
    assert 'href="/en/"' in root and 'href="/fr/"' in root  # the root lists the languages
    assert not (output / "2015").exists()


def test_the_fixture_passes_check_site(built: tuple[Path, digest.BuildResult], run_check_site: Any) -> None:
    proc = run_check_site(built[0])
    report = f"check-site exited {proc.returncode}\n--- stdout\n{proc.stdout}\n--- stderr\n{proc.stderr}"
    assert proc.returncode == 0, report
    assert "check-site: 5 passed, 0 failed" in proc.stdout, report


def test_the_preview_serves_and_rebuilds_each_language(tmp_path: Path, start_preview: Any) -> None:
    site = copy_fixture(tmp_path)
    preview = start_preview(site)
    status, _, body = preview.get("/fr/2015/11/paris-climate-conference-opens/")
    assert status == 200 and b'<html lang="fr">' in body
    status, _, body = preview.get("/ar/")
    assert status == 200 and b'dir="rtl"' in body
    status, _, body = preview.get("/fr/nowhere/")
    assert status == 404 and b'<html lang="fr">' in body  # the French 404 page
    french = site / "content/2015/2015-11-30-paris-climate-conference-opens.fr.md"
    french.write_text(french.read_text(encoding="utf-8") + "\nUne phrase de plus.\n", encoding="utf-8")
    rebuild = preview.wait_for_builds(2)[1]
    assert rebuild.result is not None
    assert rebuild.result.changed == ("fr/2015/11/paris-climate-conference-opens/index.html", "fr/feed.json",
                                      "fr/feed.xml")
    assert b"Une phrase de plus." in preview.get("/fr/2015/11/paris-climate-conference-opens/")[2]
    english = preview.get("/2015/11/paris-climate-conference-opens/")[2]
    assert b"Une phrase de plus." not in english
