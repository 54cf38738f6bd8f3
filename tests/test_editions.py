"""Editions: the articles gathered into numbered editions by the calendar of `editions:`, each with its page,
its place in the index, feeds and sitemap, its newsletter, and `digest edition` / `digest new --edition`."""

from __future__ import annotations

import datetime
import email
import email.policy
import json
import subprocess
import sys
import xml.etree.ElementTree as ET
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest

import digest
from digest.commands.edition import coming_slot, read_edition, site_and_number, write_introduction
from digest.incremental.cache import BuildCache
from digest.link.editions import Calendar, due, goes_out, period_of
from digest.model import DigestError, EditionSettings, UsageError
from digest.records import BuildOptions

NOW = datetime.datetime(2016, 3, 1, tzinfo=datetime.timezone.utc)
ATOM = "{http://www.w3.org/2005/Atom}"
REPO = Path(__file__).resolve().parent.parent
D = datetime.date


def article(title: str, date: str, topics: str = "[Engines]", people: str = "[Ada Lovelace]") -> str:
    return (f"---\ntitle: {title}\ndate: {date}\npeople: {people}\ntopics: {topics}\n"
            f"summary: The summary of {title}.\n---\n\nThe body of {title}.\n")


WEEKLY = "title: Engine News\nbase_url: https://news.example.org/\neditions: weekly\n"
# Mondays: 2015-11-02, 09, 16, 23, 30
SITE = {
    "content/2015-11-03-a.md": article("A", "2015-11-03", "[Engines, Looms]"),
    "content/2015-11-05-b.md": article("B", "2015-11-05", "[Looms]", "[Charles Babbage, Ada Lovelace]"),
    "content/2015-11-06-c.md": article("C", "2015-11-06", "[Looms]"),
    "content/2015-11-25-d.md": article("D", "2015-11-25"),  # the weeks of 9 and 16 November have none
    "content/2015-12-01-e.md": article("E", "2015-12-01", "[]"),
}


def build(site: Path, now: datetime.datetime = NOW, **options: Any) -> tuple[digest.BuildResult, Path]:
    result = digest.build(site, digest.BuildOptions(now=now, index_search=False, **options))
    return result, site / "output"


def read(output: Path, page: str) -> str:
    return (output / page).read_text(encoding="utf-8")


# --------------------------------------------------------------------------------------
# The calendar


def test_periods_and_the_day_an_edition_goes_out() -> None:
    weekly = EditionSettings(every="weekly", week_starts=6)  # weeks from Sunday
    assert period_of(D(2015, 12, 2), weekly) == (D(2015, 11, 29), D(2015, 12, 5))
    assert period_of(D(2015, 12, 2), EditionSettings(every="daily")) == (D(2015, 12, 2), D(2015, 12, 2))
    assert period_of(D(2016, 2, 10), EditionSettings(every="monthly")) == (D(2016, 2, 1), D(2016, 2, 29))
    assert goes_out(D(2015, 12, 6), EditionSettings(every="weekly", publish_day=4)) == D(2015, 12, 11)  # a Friday
    assert goes_out(D(2015, 12, 4), EditionSettings(every="weekly", publish_day=4)) == D(2015, 12, 4)


def test_numbers_follow_the_calendar_and_skips_run_on_without_a_gap() -> None:
    settings = EditionSettings(every="weekly", first_number=100, skip=(D(2015, 12, 23), D(2015, 12, 30)))
    calendar = Calendar(settings, D(2015, 12, 2))
    numbers = {day: calendar.slot(day) for day in (D(2015, 11, 30), D(2015, 12, 14), D(2015, 12, 24),
                                                     D(2016, 1, 2), D(2016, 1, 4), D(2016, 1, 11))}
    assert numbers[D(2015, 11, 30)].number == 100  # type: ignore[union-attr]
    assert numbers[D(2015, 12, 14)].number == 102  # type: ignore[union-attr]
    # the two skipped weeks join the next edition, which covers them, with the next number
    skipped = numbers[D(2015, 12, 24)]
    assert skipped == numbers[D(2016, 1, 2)] == numbers[D(2016, 1, 4)]
    assert skipped is not None and (skipped.number, skipped.start, skipped.end) == (103, D(2015, 12, 21), D(2016, 1, 10))
    assert numbers[D(2016, 1, 11)].number == 104  # type: ignore[union-attr]
    assert calendar.slot(D(2015, 11, 29)) is None  # before the first edition


def test_an_edition_is_due_after_its_last_day_or_on_the_day_it_goes_out() -> None:
    zone = ZoneInfo("Europe/London")
    calendar = Calendar(EditionSettings(every="weekly", publish_day=2), D(2015, 11, 30))  # out on Wednesdays
    slot = calendar.slot(D(2015, 12, 1))
    assert slot is not None and slot.date == D(2015, 12, 9)
    assert due(slot, zone) == datetime.datetime(2015, 12, 9, tzinfo=zone)
    # on Monday 7 December the edition of the week before has not gone out yet: it is the coming one
    assert coming_slot(calendar, datetime.datetime(2015, 12, 7, 12, tzinfo=zone), zone) == slot
    assert coming_slot(calendar, datetime.datetime(2015, 12, 9, 12, tzinfo=zone), zone).number == 2


# --------------------------------------------------------------------------------------
# The pages


def test_editions_are_made_from_the_articles_dates(make_site: Any) -> None:
    site = make_site({"digest.yaml": WEEKLY, **SITE})
    result, output = build(site)
    assert result.warnings == ()
    made = sorted(p.name for p in (output / "editions").iterdir() if p.is_dir())
    assert made == ["1", "4", "5"]  # the weeks of 9 and 16 November have no article: no edition, numbers kept
    first = read(output, "editions/1/index.html")
    assert "<h1>Engine News #1</h1>" in first
    assert "Covers 2 November 2015 to 8 November 2015" in first
    assert "3 articles about 2 people and 2 topics." in first
    # sections by size: Looms (3 articles) before Engines; each article once, in its first section
    looms, engines = first.index('id="d-section-1"'), first.find('id="d-section-2"')
    assert '<a href="/topics/looms/">Looms</a></h2>' in first[looms:looms + 200] and engines == -1
    assert first.count('href="/2015/11/a/"') == 1
    assert 'rel="next"><span>Newer</span> Engine News #4</a>' in first and 'rel="prev"' not in first
    # the people it names most, with their counts
    assert '<a href="/people/ada-lovelace/">Ada Lovelace</a> <span class="count">3 articles</span>' in first
    fifth = read(output, "editions/5/index.html")
    assert "<h2 id=\"d-section-1\">Other news</h2>" in fifth  # an article without topics
    # each article page says which edition it appeared in
    assert ('Appeared in <a href="/editions/4/" data-pagefind-filter="edition">Engine News #4</a>, 29 November 2015.'
            in read(output, "2015/11/d/index.html"))
    index = read(output, "editions/index.html")
    assert index.index('href="/editions/5/"') < index.index('href="/editions/4/"') < index.index('href="/editions/1/"')
    assert '<a href="/editions/" aria-current="page">Editions</a>' in index
    sitemap = read(output, "sitemap.xml")
    assert "https://news.example.org/editions/4/</loc>" in sitemap and "email" not in sitemap


def test_a_site_without_editions_has_none(make_site: Any) -> None:
    site = make_site({"content/editions/2015-11-03-a.md": article("A", "2015-11-03"),
                      "digest.yaml": "editions: none\n"})
    result, output = build(site)
    assert not (output / "editions" / "index.html").exists()
    assert (output / "2015/11/a/index.html").is_file()  # content/editions/ holds articles as any folder does
    assert "Editions" not in read(output, "index.html")


def test_introductions_title_order_and_skip(make_site: Any) -> None:
    site = make_site({
        "digest.yaml": WEEKLY + "  # comment\n",
        **SITE,
        "content/editions/1.md": "---\ntitle: The loom issue\nsummary: Looms, and an engine.\n"
                                 "sections: [Engines, Steam]\n---\nThis week: *looms*.\n",
        "content/editions/4.md": "---\nskip: true\n---\n",  # held back: its article joins edition 5
        "content/editions/9.md": "---\nsummary: A number that has no articles yet.\n---\n",
    })
    result, output = build(site)
    first = read(output, "editions/1/index.html")
    assert "<h1>The loom issue</h1>" in first and "<p>This week: <em>looms</em>.</p>" in first
    assert first.index('href="/topics/engines/"') < first.index('href="/topics/looms/"')  # the curator's order
    assert [str(w) for w in result.warnings] == [
        'content/editions/1.md:4: warning: `sections` names "Steam", which no article of edition 1 has as a topic'
        "\n    Name the topics as the articles do; the edition's topics: Engines, Looms."]
    assert not (output / "editions/4").exists()
    assert 'href="/2015/11/d/"' in read(output, "editions/5/index.html")
    assert "<title>The loom issue · Engine News</title>" in first


def test_an_edition_is_made_once_it_is_due(make_site: Any) -> None:
    site = make_site({"digest.yaml": WEEKLY, **SITE})
    sunday = datetime.datetime(2015, 12, 6, 12, tzinfo=datetime.timezone.utc)  # edition 5's last day
    result, output = build(site, now=sunday)
    assert not (output / "editions/5").exists() and (output / "editions/4/index.html").is_file()
    assert "Appeared in" not in read(output, "2015/12/e/index.html")
    # the next build after its week ends makes it, though no file changed
    result, output = build(site, now=datetime.datetime(2015, 12, 7, 0, 1, tzinfo=datetime.timezone.utc))
    assert (output / "editions/5/index.html").is_file(), result.route
    assert "Appeared in" in read(output, "2015/12/e/index.html")
    # --future makes the coming edition too
    site2 = make_site({"digest.yaml": WEEKLY, **SITE})
    _, output = build(site2, now=sunday, future=True)
    assert (output / "editions/5/index.html").is_file()


def test_settings_are_checked(make_site: Any) -> None:
    site = make_site({"digest.yaml": "editions:\n  every: fortnightly\n  week_starts: someday\n  skip: soon\n"
                                     "smtp:\n  host: mail.example.org\n  password: hunter2\n"
                                     "permalinks:\n  edition: /editions/\n", **SITE})
    with pytest.raises(DigestError) as raised:
        build(site)
    assert [(p.line, p.message.split(",")[0]) for p in raised.value.problems] == [
        (2, "`editions.every` must be weekly"), (3, "`editions.week_starts` must be a day of the week"),
        (4, "`editions.skip` must be a list of dates"),
        (7, "`smtp.password` must not be written in digest.yaml"),
        (9, "`permalinks.edition` must contain {number}")]


def test_a_badly_named_introduction_is_an_error(make_site: Any) -> None:
    site = make_site({"digest.yaml": WEEKLY, **SITE, "content/editions/intro.md": "---\ntitle: x\n---\n"})
    with pytest.raises(DigestError) as raised:
        build(site)
    assert raised.value.problems[0].path == "content/editions/intro.md"
    assert "Rename it to the edition's number" in raised.value.problems[0].hint


def test_dated_edition_urls_and_monthly_editions(make_site: Any) -> None:
    site = make_site({"digest.yaml": "editions:\n  every: monthly\n  title: \"Review of {year}-{month}\"\n"
                                     "permalinks:\n  edition: /review/{year}/{month}/\n", **SITE})
    _, output = build(site)
    assert "<h1>Review of 2015-11</h1>" in read(output, "review/2015/11/index.html")
    assert 'href="/review/2015/12/"' in read(output, "editions/index.html")


def test_feeds_of_editions(make_site: Any) -> None:
    site = make_site({"digest.yaml": WEEKLY, **SITE})
    _, output = build(site)
    root = ET.parse(output / "editions/feed.xml").getroot()
    entries = root.findall(f"{ATOM}entry")
    assert [e.findtext(f"{ATOM}title") for e in entries] == ["Engine News #5", "Engine News #4", "Engine News #1"]
    content = entries[2].findtext(f"{ATOM}content") or ""
    assert '<a href="https://news.example.org/2015/11/a/">A</a>: The summary of A.' in content
    feed = json.loads(read(output, "editions/feed.json"))
    assert feed["version"] == "https://jsonfeed.org/version/1.1"
    assert [item["url"] for item in feed["items"]] == [f"https://news.example.org/editions/{n}/" for n in (5, 4, 1)]
    assert 'href="/editions/feed.xml"' in read(output, "editions/1/index.html")


# --------------------------------------------------------------------------------------
# The newsletter and the commands


def test_the_message_carries_the_built_newsletter(make_site: Any, tmp_path: Path) -> None:
    site = make_site({"digest.yaml": WEEKLY + "smtp:\n  host: mail.example.org\n  from: Engines <e@example.org>\n"
                                     "  to: [list@example.org]\n", **SITE})
    _, output = build(site)
    report = read_edition(site, 1, options=BuildOptions(now=NOW))
    assert (report.number, report.coming) == (1, False)
    parsed = email.message_from_bytes(report.message().as_bytes(), policy=email.policy.default)
    assert parsed["Subject"] == "Engine News #1" and parsed["To"] == "list@example.org"
    assert parsed["From"] == "Engines <e@example.org>" and parsed.get_content_type() == "multipart/alternative"
    html = parsed.get_body(("html",))
    text = parsed.get_body(("plain",))
    assert html is not None and text is not None
    assert html.get_content() == read(output, "editions/1/email.html")
    assert text.get_content() == read(output, "editions/1/email.txt")


def test_the_coming_edition_and_its_introduction(make_site: Any) -> None:
    site = make_site({"digest.yaml": WEEKLY, **SITE})
    wednesday = datetime.datetime(2015, 12, 2, 12, tzinfo=datetime.timezone.utc)
    report = read_edition(site, coming=True, options=BuildOptions(now=wednesday))
    assert (report.number, report.coming, report.start, report.end) == (5, True, D(2015, 11, 30), D(2015, 12, 6))
    assert report.edition is not None and [a.title for a in report.edition.articles] == ["E"]
    path = write_introduction(site, BuildOptions(now=wednesday))
    assert path == site / "content/editions/5.md"
    text = path.read_text(encoding="utf-8")
    assert "#   E (content/2015-12-01-e.md)" in text and "30 November to 6 December 2015" in text
    result, output = build(site)  # the scaffold builds, and adds nothing the curator did not write
    assert result.warnings == () and "<h1>Engine News #5</h1>" in read(output, "editions/5/index.html")
    with pytest.raises(UsageError, match="already exists"):
        write_introduction(site, BuildOptions(now=wednesday))
    # a week with no article yet
    later = read_edition(site, coming=True, options=BuildOptions(now=datetime.datetime(2016, 1, 6, tzinfo=datetime.timezone.utc)))
    assert (later.number, later.edition) == (10, None)


def test_edition_arguments() -> None:
    assert site_and_number(()) == (Path("."), None)
    assert site_and_number(("12",)) == (Path("."), 12)
    assert site_and_number(("site",)) == (Path("site"), None)
    assert site_and_number(("site", "12")) == (Path("site"), 12)
    with pytest.raises(UsageError):
        site_and_number(("site", "twelve"))
    with pytest.raises(UsageError):
        site_and_number(("12",), coming=True)


def test_the_edition_command(make_site: Any, tmp_path: Path) -> None:
    site = make_site({"digest.yaml": WEEKLY, **SITE})
    eml = tmp_path / "1.eml"

    def run(*args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run([sys.executable, "-m", "digest", "edition", *args], capture_output=True, text=True,
                              cwd=site, stdin=subprocess.DEVNULL, timeout=120)

    done = run("1", "--email", str(eml))
    assert done.returncode == 0, done.stderr
    assert done.stdout.startswith("Engine News #1 (2 Nov 2015 to 8 Nov 2015, goes out Sun 8 Nov 2015)\n")
    assert "\nLooms\n  03 Nov  A\n" in done.stdout and f"Wrote {eml}" in done.stdout
    assert email.message_from_bytes(eml.read_bytes())["Subject"] == "Engine News #1"
    missing = run("2")
    assert missing.returncode == 2 and missing.stderr == "digest: there is no edition 2: the site has editions 1, 4-5\n"
    unsent = run("--send")
    assert unsent.returncode == 2 and "--send needs `smtp:` in digest.yaml" in unsent.stderr


def test_the_example_digest_has_weekly_editions() -> None:
    report = read_edition(REPO, 11, options=BuildOptions(now=NOW))
    assert report.title == "World Digest #11" and report.edition is not None
    assert report.edition.source == "content/editions/11.md"
    assert [s.topic.name for s in report.edition.sections if s.topic][:2] == [
        "Russia–Israel relations", "European migrant crisis"]
    after_the_break = read_edition(REPO, 14, options=BuildOptions(now=NOW))
    assert (after_the_break.start, after_the_break.end) == (D(2015, 12, 21), D(2016, 1, 10))


def test_a_redated_article_renders_again_only_the_editions_it_leaves_and_joins(make_site: Any) -> None:
    site = make_site({"digest.yaml": WEEKLY, **SITE})
    digest.build(site, digest.BuildOptions(now=NOW, index_search=False), BuildCache(site))
    moved = site / "content/2015-11-03-a.md"
    moved.write_text(moved.read_text(encoding="utf-8").replace("date: 2015-11-03", "date: 2015-11-25"))
    result = digest.build(site, digest.BuildOptions(now=NOW, index_search=False), BuildCache(site))
    editions = {path for path in result.changed if path.startswith("editions/")}
    assert editions == {f"editions/{n}/{name}" for n in (1, 4) for name in ("index.html", "email.html", "email.txt")
                        } | {"editions/index.html", "editions/feed.xml", "editions/feed.json"}
    assert 'href="/2015/11/a/"' in read(site / "output", "editions/4/index.html")


def test_each_language_has_its_editions_numbered_alike(make_site: Any) -> None:
    site = make_site({
        "digest.yaml": "title: Engine News\nlanguages:\n  - en\n  - code: fr\n    title: Nouvelles des machines\n"
                       "editions:\n  every: weekly\n  title: \"{site} n° {number}\"\n",
        "content/2015-11-03-a.md": article("A", "2015-11-03"),
        "content/2015-11-03-a.fr.md": article("A en français", "2015-11-03"),
        "content/2015-11-25-d.md": article("D", "2015-11-25"),
        "content/editions/1.md": "---\nsummary: The first week.\n---\nWith [a link](/2015/11/a/).\n",
        "content/editions/1.fr.md": "---\nsummary: La première semaine.\n---\nAvec un lien.\n",
    })
    result, output = build(site)
    assert result.warnings == ()
    assert "<h1>Engine News n° 1</h1>" in read(output, "editions/1/index.html")
    french = read(output, "fr/editions/1/index.html")
    assert "<h1>Nouvelles des machines n° 1</h1>" in french and "<p>Avec un lien.</p>" in french
    assert 'hreflang="en" href="https://example.org/editions/1/"' in french  # the same edition in English
    assert not (output / "fr/editions/4").exists()  # no French article that week
    text = read(output, "editions/1/email.txt")
    assert "With a link [1]." in text and "\n[1] https://example.org/2015/11/a/\n" in text
    assert "\n[2] https://example.org/2015/11/a/\n" in text  # the article's own note follows the introduction's


def test_an_introduction_shows_its_images_beside_it(make_site: Any) -> None:
    site = make_site({"digest.yaml": WEEKLY, **SITE,
                      "content/editions/1.md": "---\nsummary: Pictures.\n---\n![A loom at work](loom.png)\n"})
    (site / "content/editions/loom.png").write_bytes(b"\x89PNG\r\n\x1a\n")
    _, output = build(site)
    assert '<img src="/editions/loom.png" alt="A loom at work"' in read(output, "editions/1/index.html")
    assert (output / "editions/loom.png").is_file()
    assert 'src="https://news.example.org/editions/loom.png" alt="A loom at work"' in read(output,
                                                                                          "editions/1/email.html")


def test_editions_that_would_share_a_url_are_one_error(make_site: Any) -> None:
    site = make_site({"digest.yaml": WEEKLY + "permalinks:\n  edition: /editions/{year}/{month}/\n", **SITE})
    with pytest.raises(DigestError) as raised:
        build(site)
    assert [(p.path, p.message) for p in raised.value.problems] == [
        ("digest.yaml", "an edition's URL /editions/2015/11/ is also another page of the site")]
