"""Sites at the extremes: a 20 MB article, an article naming 2,000 people, 50,000 topics, deep folders, odd file names.

Each case writes its site under tmp_path, builds it with the `digest` command in a
subprocess (bounded by a timeout) and checks the output. The time and peak memory of
each build are printed (`pytest -s`); the memory is the child's own, from `os.wait4`,
so an earlier, larger build does not show in a later one's figure.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
import tempfile
import threading
import time
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import unquote

import pytest

from digest.build import build
from digest.commands.links import check_links
from digest.records import BuildOptions


@dataclass(frozen=True)
class Run:
    """A finished `digest` command."""

    returncode: int
    stdout: str
    stderr: str
    seconds: float
    peak_mb: float


def run_digest(case: str, *args: str, timeout: float) -> Run:
    """Run `digest ARGS...`; killed after `timeout` seconds. Prints the case's time and peak RSS."""
    started = time.perf_counter()
    with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err:
        process = subprocess.Popen([sys.executable, "-m", "digest", *args], stdout=out, stderr=err,
                                   stdin=subprocess.DEVNULL)
        killer = threading.Timer(timeout, process.kill)
        killer.start()
        try:
            _, status, usage = os.wait4(process.pid, 0)
        finally:
            killer.cancel()
        process.returncode = os.waitstatus_to_exitcode(status)
        seconds = time.perf_counter() - started
        out.seek(0)
        err.seek(0)
        run = Run(process.returncode, out.read().decode(), err.read().decode(), seconds, usage.ru_maxrss / 1024)
    print(f"\n{case}: exit {run.returncode} in {run.seconds:.1f} s, peak RSS {run.peak_mb:.0f} MB")
    assert run.seconds < timeout, f"{case}: killed after {timeout} s"
    return run


def write(site: Path, path: str, text: str) -> None:
    file = site / path
    file.parent.mkdir(parents=True, exist_ok=True)
    file.write_text(text, encoding="utf-8")


def article(title: str, date: str, people: Sequence[str] = (), topics: Sequence[str] = (), body: str = "Text.\n",
            slug: str | None = None) -> str:
    """An article's file: front matter with one name per line, then the body."""
    lines = ["---", f"title: {title}", f"date: {date}"]
    lines += ["people:", *(f"  - {name}" for name in people)] if people else []
    lines += ["topics:", *(f"  - {name}" for name in topics)] if topics else []
    lines += [f"slug: {slug}"] if slug else []
    return "\n".join([*lines, "---", "", body])


def site_with(tmp_path: Path, files: dict[str, str]) -> Path:
    site = tmp_path / "site"
    write(site, "digest.yaml", "title: Extremes\nbase_url: https://example.org/\n")
    for path, text in files.items():
        write(site, path, text)
    return site


# --------------------------------------------------------------------------------------
# Size


@pytest.mark.slow
def test_a_20_mb_article_builds_whole(tmp_path: Path) -> None:
    paragraph = ("Lorem ipsum dolor sit amet, *consectetur* adipiscing elit, sed do eiusmod tempor incididunt ut "
                 "labore et dolore magna aliqua. [A link](https://example.org/x) and `code`.\n\n")
    count = 20 * 1024 * 1024 // len(paragraph)
    body = "".join(f"## Part {n}\n\n{paragraph}" if n % 1000 == 0 else paragraph for n in range(count))
    site = site_with(tmp_path, {"content/2016-01-02-long.md": article(
        "Long", "2016-01-02", ["Vladimir Putin"], ["Syria"], body + "The last paragraph of the long article.\n")})
    assert (site / "content/2016-01-02-long.md").stat().st_size > 20 * 1024 * 1024
    run = run_digest("20 MB article", "build", str(site), "--quiet", timeout=240)
    assert run.returncode == 0, run.stderr
    page = (site / "output/2016/01/long/index.html").read_bytes()
    assert len(page) > 20 * 1024 * 1024
    assert page.count(b"<p>Lorem ipsum") == count
    assert b"<p>The last paragraph of the long article.</p>" in page
    assert f'id="part-{count // 1000 * 1000}"'.encode() in page
    assert b'href="/people/vladimir-putin/"' in page
    assert run.peak_mb < 2048


# --------------------------------------------------------------------------------------
# Many names


@pytest.mark.slow
def test_an_article_naming_2000_people_links_each_and_each_has_a_page(tmp_path: Path) -> None:
    people = [f"Person {n:04d} Example" for n in range(2000)]
    site = site_with(tmp_path, {
        "content/2016-01-02-crowd.md": article("Crowd", "2016-01-02", people, ["Syria"]),
        "content/2016-01-03-other.md": article("Other", "2016-01-03", people[:3], ["Syria"]),
    })
    run = run_digest("2,000 people", "build", str(site), "--quiet", timeout=120)
    assert run.returncode == 0, run.stderr
    output = site / "output"
    page = (output / "2016/01/crowd/index.html").read_text(encoding="utf-8")
    slugs = [f"person-{n:04d}-example" for n in range(2000)]
    assert all(f'href="/people/{slug}/"' in page for slug in slugs)
    assert all((output / "people" / slug / "index.html").is_file() for slug in slugs)
    assert page.count('href="/people/person-') >= 2000
    listing = (output / "people/index.html").read_text(encoding="utf-8")
    assert all(f'/people/{slug}/"' in listing for slug in slugs)
    assert check_links(output, "/", 2) == []
    # a person's page lists the article with a dozen of its names, not all 2,000: the output grows linearly
    sizes = [(output / "people" / slug / name).stat().st_size for slug in slugs for name in ("index.html", "feed.xml")]
    assert max(sizes) < 40_000
    assert run.seconds < 60


def test_an_article_with_many_names_shows_a_dozen_on_each_term_page(tmp_path: Path) -> None:
    people = [f"Person {n:03d}" for n in range(40)]
    site = site_with(tmp_path, {"content/2016-01-02-crowd.md": article("Crowd", "2016-01-02", people, ["Syria"])})
    build(site, BuildOptions(index_search=False))
    term_page = (site / "output/people/person-039/index.html").read_text(encoding="utf-8")
    assert term_page.count('class="chip chip-people"') == 12
    assert re.search(r'<a class="chip chip-more" href="/2016/01/crowd/">\s*28 more\s*</a>', term_page)
    feed = (site / "output/people/person-039/feed.xml").read_text(encoding="utf-8")
    assert feed.count("<category ") == 13  # 12 people, 1 topic
    assert (site / "output/2016/01/crowd/index.html").read_text(encoding="utf-8").count("chip-people") == 40


@pytest.mark.slow
def test_50000_topics_across_2500_articles_all_get_pages(tmp_path: Path) -> None:
    files = {}
    for n in range(2500):
        year = 2000 + n % 20
        files[f"content/{year}/a{n:05d}.md"] = article(
            f"Article {n}", f"{year}-{n % 12 + 1:02d}-{n % 28 + 1:02d}", ["Vladimir Putin"],
            [f"Topic {n * 20 + t:05d}" for t in range(20)])
    site = site_with(tmp_path, files)
    run = run_digest("50,000 topics", "build", str(site), "--quiet", timeout=300)
    assert run.returncode == 0, run.stderr
    topics = site / "output" / "topics"
    pages = {path.parent.name for path in topics.glob("*/index.html")}
    assert pages == {f"topic-{n:05d}" for n in range(50_000)}
    listing = (topics / "index.html").read_text(encoding="utf-8")
    assert len(set(re.findall(r'href="/topics/(topic-\d{5})/"', listing))) == 50_000
    assert "Article 0<" in (topics / "topic-00019/index.html").read_text(encoding="utf-8")
    assert run.peak_mb < 1536
    assert run.seconds < 240


# --------------------------------------------------------------------------------------
# Folders and file names


def test_content_nested_35_folders_deep(tmp_path: Path) -> None:
    folder = "content/" + "/".join(f"level {n:02d}" for n in range(35))
    site = site_with(tmp_path, {
        f"{folder}/2016-01-02-deep.md": article("Deep", "2016-01-02", ["Vladimir Putin"], ["Syria"],
                                                "![A chart](chart.png)\n\nSee [the other](/2016/01/shallow/).\n"),
        f"{folder.rsplit('/', 1)[0]}/2016-01-03-shallow.md": article("Shallow", "2016-01-03"),
        "static/" + "/".join(f"d{n}" for n in range(35)) + "/deep.txt": "deep",
    })
    (site / folder / "chart.png").write_bytes(b"\x89PNG\r\n\x1a\n" + bytes(64))
    run = run_digest("35 folders deep", "check", str(site), timeout=60)
    assert run.returncode == 0, run.stderr
    run = run_digest("35 folders deep", "build", str(site), "--quiet", timeout=60)
    assert run.returncode == 0, run.stderr
    output = site / "output"
    page = (output / "2016/01/deep/index.html").read_text(encoding="utf-8")
    image = "/".join(f"level%20{n:02d}" for n in range(35)) + "/chart.png"
    assert f'<img src="/{image}" alt="A chart"' in page  # where it is copied, its URL percent-encoded
    assert (output / unquote(image)).is_file()
    assert (output / "/".join(f"d{n}" for n in range(35)) / "deep.txt").read_text(encoding="utf-8") == "deep"


CAFE = "café crème"
NAMED_FILES = {  # file (under content/) -> the URL it gets
    "2016/2016-01-03-a file with  spaces.md": "/2016/01/a-file-with-spaces/",
    "2016/2016-01-04-" + unicodedata.normalize("NFC", CAFE) + ".md": "/2016/01/cafe-creme/",
    "2016/2016-02-04-" + unicodedata.normalize("NFD", CAFE) + ".md": "/2016/02/cafe-creme/",
    "Über Ordner/2016-01-05-שלום עולם.md": "/2016/01/shlvm-vlm/",
    "2016/2016-01-06-مرحبا بالعالم.md": "/2016/01/mrhb-bl-lm/",
    "2016/2016-01-07-🎉 party 🎉.md": "/2016/01/party/",
    "2016/2016-01-08-🎉.md": "/2016/01/only-emoji/",  # with a `slug:`
}


def test_file_names_with_spaces_unicode_both_normal_forms_rtl_and_emoji(tmp_path: Path,
                                                                       start_preview: object) -> None:
    files = {f"content/{name}": article(name.rsplit("/", 1)[-1], name.rsplit("/", 1)[-1][:10], ["Vladimir Putin"],
                                        slug="only-emoji" if name.endswith("-🎉.md") else None)
             for name in NAMED_FILES}
    files["content/2016/2016-01-09-names.md"] = article(
        "Names", "2016-01-09", ["בנימין נתניהו", "محمود عباس", "🎉 Party Person"], ["🌍 Climate", "ישראל"],
        "![Chart](<chart é 1.png>) [The report](</files/report é 2016.txt>)\n")
    files["static/files/report é 2016.txt"] = "report"
    site = site_with(tmp_path, files)
    (site / "content/2016/chart é 1.png").write_bytes(b"\x89PNG\r\n\x1a\n" + bytes(64))
    nfc, nfd = (site / "content/2016").glob("2016-0?-04-*.md")
    assert unicodedata.normalize("NFC", nfc.name[11:]) == unicodedata.normalize("NFC", nfd.name[11:])
    assert nfc.name[11:] != nfd.name[11:]  # two files whose names look the same

    run = run_digest("unicode file names", "check", str(site), timeout=60)
    assert run.returncode == 0, run.stderr
    assert run.stdout.startswith("8 articles, 4 people, 2 topics:")
    preview = start_preview(site)  # type: ignore[operator]
    urls = [*NAMED_FILES.values(), "/2016/01/names/", "/people/bnymyn-ntnyhv/", "/people/mhmwd-bs/",
            "/people/party-person/", "/topics/climate/", "/topics/yshrl/", "/files/report%20%C3%A9%202016.txt"]
    for url in urls:
        assert preview.get(url)[0] == 200, url
    page = preview.get("/2016/01/names/")[2].decode()
    image = re.search(r'<img src="([^"]+)"', page)
    assert image and preview.get(image.group(1) if image.group(1).startswith("/") else "/2016/01/names/" +
                                 image.group(1))[0] == 200, page


def test_an_emoji_file_name_without_a_slug_is_one_clear_problem(tmp_path: Path) -> None:
    site = site_with(tmp_path, {"content/2016-01-08-🎉.md": article("Party", "2016-01-08")})
    run = run_digest("emoji file name", "build", str(site), timeout=60)
    assert run.returncode == 1
    assert run.stderr.splitlines()[:2] == [
        "content/2016-01-08-🎉.md: the file name has no letters or digits to make a URL from",
        "    Rename the file, or add a `slug:` line to the front matter.",
    ]


def test_two_files_named_alike_in_nfc_and_nfd_are_told_apart(tmp_path: Path) -> None:
    nfc, nfd = (f"content/2016-01-04-{unicodedata.normalize(form, CAFE)}.md" for form in ("NFC", "NFD"))
    site = site_with(tmp_path, {nfc: article("NFC", "2016-01-04"), nfd: article("NFD", "2016-01-04")})
    run = run_digest("NFC and NFD twins", "build", str(site), timeout=60)
    assert run.returncode == 1
    first, second = sorted([nfc, nfd])
    assert run.stderr.splitlines()[:2] == [
        f"{second}: its URL /2016/01/cafe-creme/ is taken by {first}, a file of the same name with its "
        "accented letters encoded differently (Unicode NFC and NFD)",
        "    Remove one of the two files, or give it a different `slug:`.",
    ]


def test_a_link_in_nfc_to_a_file_named_in_nfd_is_reported_as_such(tmp_path: Path) -> None:
    site = site_with(tmp_path, {
        "static/" + unicodedata.normalize("NFD", "résumé.txt"): "cv",
        "content/2016-01-09-links.md": article("Links", "2016-01-09", body="[CV](/r%C3%A9sum%C3%A9.txt)\n"),
    })
    run = run_digest("NFC link to an NFD file", "check", str(site), timeout=60)
    assert run.returncode == 1
    assert run.stderr.splitlines()[0] == (
        "content/2016-01-09-links.md:6: its page /2016/01/links/ links to /r%C3%A9sum%C3%A9.txt (/résumé.txt), "
        f"which the site does not have: it has /{unicodedata.normalize('NFD', 'résumé.txt')}, whose accented "
        "letters are encoded differently (Unicode NFC and NFD)")


def test_names_too_long_for_a_file_name_are_problems_not_a_crash(tmp_path: Path) -> None:
    site = site_with(tmp_path, {
        "content/2016-01-10-" + "中文" * 40 + ".md": article("Chinese", "2016-01-10"),
        "content/2016-01-11-long.md": article("Long", "2016-01-11", ["Person " + "Verylongname " * 30],
                                              ["Topic " + "x" * 300]),
    })
    run = run_digest("names too long", "build", str(site), timeout=60)
    assert run.returncode == 1
    assert run.stderr.splitlines() == [
        "content/2016-01-10-" + "中文" * 40 + ".md: the file name makes a URL segment of 399 characters; "
        "at most 200 fit in a file name",
        "    Add a shorter `slug:` line to the front matter, such as `slug: putin-paris`.",
        "content/2016-01-11-long.md:5: `people` item 1 makes a URL segment of 396 characters; "
        "at most 200 fit in a file name",
        "    Shorten the name: a longer form can go in the body of its term page.",
        "content/2016-01-11-long.md:7: `topics` item 1 makes a URL segment of 306 characters; "
        "at most 200 fit in a file name",
        "    Shorten the name: a longer form can go in the body of its term page.",
        f"digest: 3 problems in 2 files. Nothing was written; {site / 'output'}/ is unchanged.",
    ]
    assert not (site / "output").exists()
