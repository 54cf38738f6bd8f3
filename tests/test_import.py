"""`digest import`: a story from a text file, an HTML file, a URL or standard input → a new article.

Every fetch goes to an HTTP server the test starts on 127.0.0.1: the fixture pages under
tests/fixtures/import/, and one route for each way a fetch can fail.
"""

from __future__ import annotations

import datetime
import http.server
import os
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest

import digest
from digest.commands.extract import (DROP_RULES, USER_AGENT, FetchError, drop_rules, extract_text, is_boilerplate,
                                     reads_as_headline)
from digest.commands.intake import (GivenNames, ImportOptions, article_folder, prepare_import, preview,
                                    write_draft)
from digest.commands.mentions import Registry, fold, new_names
from digest.model import DigestError, UsageError
from digest.records import BuildOptions

if TYPE_CHECKING:
    from conftest import MakeSite

FIXTURES = Path(__file__).resolve().parent / "fixtures" / "import"
REPO_ROOT = Path(__file__).resolve().parent.parent
SEED = "seeds/000_4209fc84c3212326.txt"
EXISTING = "content/2015/2015-11-30-putin-netanyahu-paris.md"  # the example site's article of the seed's story
SEED_PEOPLE = ["Benjamin Netanyahu", "Vladimir Putin", "Moshe Ya'alon", "Mahmoud Abbas"]
SEED_DROPPED = ("• Print Friendly, PDF & Email", "• Send to Kindle", "[Photo: IsraeliPM / YouTube ]")


def files_of(site: Path) -> set[str]:
    """Every file under the site's content/."""
    return {p.relative_to(site).as_posix() for p in (site / "content").rglob("*") if p.is_file()}


def run_cli(*args: str, stdin: bytes | None = None) -> subprocess.CompletedProcess[bytes]:
    """`python -m digest import ARGS`, with no terminal to answer from (or `stdin` as its input)."""
    env = {**os.environ, "PYTHONPATH": str(REPO_ROOT)}
    command = [sys.executable, "-m", "digest", "import", *args]
    if stdin is None:
        return subprocess.run(command, capture_output=True, timeout=60, env=env, stdin=subprocess.DEVNULL)
    return subprocess.run(command, capture_output=True, timeout=60, env=env, input=stdin)


def text_of(result: subprocess.CompletedProcess[bytes]) -> tuple[str, str]:
    """The command's standard output and error, as text."""
    return result.stdout.decode("utf-8"), result.stderr.decode("utf-8")


@pytest.fixture
def seed(shared_dir: Path) -> Path:
    return shared_dir / SEED


# --------------------------------------------------------------------------------------
# An HTTP server with a route for each shape of page and each failure


class Story(http.server.BaseHTTPRequestHandler):
    """Serves the fixture pages at /pages/NAME, and a route for each way a fetch fails."""

    agents: list[str] = []

    def do_GET(self) -> None:
        Story.agents.append(self.headers.get("User-Agent", ""))
        path = self.path
        if path.startswith("/pages/"):
            self.reply(200, "text/html; charset=utf-8", (FIXTURES / path[len("/pages/"):]).read_bytes())
        elif path == "/moved":
            self.redirect("/pages/news-article.html")
        elif path == "/slow":
            time.sleep(1.5)
            self.reply(200, "text/html", b"<html><body><p>late</p></body></html>")
        elif path in ("/loop-a", "/loop-b"):
            self.redirect("/loop-b" if path == "/loop-a" else "/loop-a")
        elif path.startswith("/chain/"):
            self.redirect(f"/chain/{int(path.rsplit('/', 1)[1]) + 1}")
        elif path == "/report.pdf":
            self.reply(200, "application/pdf", b"%PDF-1.4\n" + b"0" * 1000)
        elif path == "/huge":
            self.send_response(200)
            self.send_header("Content-Type", "text/html")
            self.end_headers()  # no Content-Length: only reading tells the size
            chunk = b"<p>" + b"x" * (1024 * 1024 - 7) + b"</p>\n"
            try:
                for _ in range(50):
                    self.wfile.write(chunk)
            except OSError:
                pass  # the client stopped reading, as it should
        elif path == "/error":
            self.reply(500, "text/html", b"<h1>Internal Server Error</h1>")
        else:
            self.reply(404, "text/html", b"<h1>Not Found</h1>")

    def reply(self, status: int, kind: str, body: bytes) -> None:
        self.send_response(status)
        self.send_header("Content-Type", kind)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def redirect(self, to: str) -> None:
        self.send_response(302)
        self.send_header("Location", to)
        self.send_header("Content-Length", "0")
        self.end_headers()

    def log_message(self, format: str, *args: Any) -> None:
        pass


class _Server(http.server.ThreadingHTTPServer):
    daemon_threads = True

    def handle_error(self, request: Any, client_address: Any) -> None:
        pass


@pytest.fixture(scope="module")
def server() -> Iterator[str]:
    """The base URL of a `Story` server on 127.0.0.1."""
    httpd = _Server(("127.0.0.1", 0), Story)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{httpd.server_address[1]}"
    httpd.shutdown()
    httpd.server_close()
    thread.join(5)


@pytest.fixture
def closed_port() -> int:
    """A port on 127.0.0.1 that nothing listens on."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@pytest.fixture
def site(make_site: MakeSite) -> Path:
    """A small site: two people with term pages, a topic, and an article that already links a story."""
    return make_site({
        "digest.yaml": "title: Test\ntimezone: Europe/London\nsearch: false\n",
        "content/people/vladimir-putin.md": "---\nname: Vladimir Putin\naliases: [Putin]\n---\n",
        "content/people/sergey-lavrov.md": "---\nname: Sergey Lavrov\naliases: [Lavrov]\n---\n",
        "content/2015/2015-10-01-old.md": """\
            ---
            title: An older story
            date: 2015-10-01
            source: Daily Wire Service
            source_url: http://www.news.example.com/world/2015/11/14/kerry-lavrov-syria-timetable?utm_source=feed
            people: [John Kerry]
            topics: [Syria, Elections]
            ---
            Text.
            """,
    })


# --------------------------------------------------------------------------------------
# The seed: a story copied from a web page, into the example site


def test_the_seed_suggests_the_site_s_people_and_source(example_copy: Path, seed: Path) -> None:
    draft = prepare_import(example_copy, str(seed), ImportOptions(date=datetime.date(2015, 11, 30)))
    assert [n.name for n in draft.terms["people"]] == SEED_PEOPLE
    assert [n.mentions for n in draft.terms["people"]] == [7, 5, 1, 1]  # "Putin", "Netanyahu" through the registry
    assert not any(n.new for n in draft.terms["people"]) and draft.new_names == ()
    assert "Syria" in [n.name for n in draft.terms["topics"]]
    assert (draft.source, draft.source_from, draft.source_url) == ("The Times of Israel", "cited in the text", None)
    assert draft.dropped == SEED_DROPPED
    assert draft.title == "Putin, Netanyahu Hail Improved Military Coordination After Meeting in Paris"
    assert draft.path == "content/2015/11/putin-netanyahu-hail-improved-military-coordination-after-meeting-in-paris.md"
    assert (draft.date, draft.date_from) == (datetime.date(2015, 11, 30), "option")
    assert draft.paragraphs[0].startswith("Following talks at the international climate change conference")
    assert draft.paragraphs[-1].endswith("early next week.")
    assert not any(line in draft.text for line in ("Kindle", "Print Friendly", "[Photo"))
    # the example site has this story already: the import says so, naming the file
    assert [(w.path, w.severity) for w in draft.warnings] == [(EXISTING, "warning")]
    assert "title 100% the same" in draft.warnings[0].message


def test_the_seed_s_article_builds(example_copy: Path, seed: Path) -> None:
    (example_copy / EXISTING).unlink()
    (example_copy / "digest.yaml").write_text((example_copy / "digest.yaml").read_text() + "search: false\n")
    # that article was the only one naming Moshe Ya'alon: he is new to the site now, seen after "Defense Minister"
    suggested = prepare_import(example_copy, str(seed), ImportOptions(today=datetime.date(2015, 12, 1)))
    assert [(n.name, n.new) for n in suggested.new_names] == [("Moshe Ya’alon", True)]
    assert "Moshe" not in suggested.text.split("\n---\n")[0]
    assert ('people:  Benjamin Netanyahu (7 mentions), Vladimir Putin (5 mentions), Mahmoud Abbas (1 mention)\n'
            '         not added: Moshe Ya’alon (new, 1 mention); add with --people "+Moshe Ya’alon"\n'
            'topics:  ') in "\n".join(preview(suggested))
    added = ImportOptions(today=datetime.date(2015, 12, 1),
                          names={"people": GivenNames(names=("Moshe Ya’alon",), add=True)})
    draft = prepare_import(example_copy, str(seed), added)
    assert draft.warnings == () and draft.date_from == "today"
    path = write_draft(example_copy, draft)
    assert path.read_text(encoding="utf-8") == draft.text
    assert draft.text.startswith("---\ntitle: Putin, Netanyahu Hail Improved Military Coordination After Meeting "
                                 "in Paris\ndate: 2015-12-01\nsource: The Times of Israel\npeople:\n"
                                 "  - Benjamin Netanyahu\n  - Vladimir Putin\n  - Mahmoud Abbas\n  - Moshe Ya’alon\n")
    result = digest.build(example_copy, BuildOptions(jobs=1))
    page = example_copy / "output/2015/12/putin-netanyahu-hail-improved-military-coordination-after-meeting-in-paris"
    assert "/people/moshe-yaalon/" in (page / "index.html").read_text(encoding="utf-8")
    assert result.articles == 21


def test_the_command_writes_the_seed_with_yes(example_copy: Path, seed: Path) -> None:
    before = files_of(example_copy)
    result = run_cli(str(example_copy), str(seed), "--yes", "--date", "2015-11-30")
    out, err = text_of(result)
    assert result.returncode == 0, err
    written = "content/2015/11/putin-netanyahu-hail-improved-military-coordination-after-meeting-in-paris.md"
    assert files_of(example_copy) - before == {written}
    assert "people:  Benjamin Netanyahu (7 mentions), Vladimir Putin (5 mentions)" in out
    assert 'dropped: "• Print Friendly, PDF & Email", "• Send to Kindle", "[Photo: IsraeliPM / YouTube ]"' in out
    assert out.endswith(f"Wrote {example_copy / written}\n") or out.endswith(f"Wrote {written}\n")
    assert err.startswith(f"{EXISTING}: warning: has a title 100% the same")
    assert "Traceback" not in err


def test_without_an_answer_nothing_is_written(example_copy: Path, seed: Path) -> None:
    before = files_of(example_copy)
    result = run_cli(str(example_copy), str(seed))
    out, err = text_of(result)
    assert result.returncode == 1
    assert "Write content/" in out and "? [y/N]" in out
    assert err.splitlines()[-1] == "digest: no answer; nothing was written (--yes writes without asking)"
    assert files_of(example_copy) == before


def test_dry_run_prints_and_writes_nothing(example_copy: Path, seed: Path) -> None:
    before = files_of(example_copy)
    result = run_cli(str(example_copy), str(seed), "--dry-run")
    out, _ = text_of(result)
    assert result.returncode == 0 and files_of(example_copy) == before
    assert "\n---\ntitle: Putin, Netanyahu Hail" in out and "? [y/N]" not in out


def test_standard_input(example_copy: Path, seed: Path) -> None:
    before = files_of(example_copy)
    result = run_cli(str(example_copy), "-", "--yes", "--date", "2015-11-30", stdin=seed.read_bytes())
    assert result.returncode == 0, text_of(result)[1]
    (new,) = files_of(example_copy) - before
    assert "  - Moshe Ya'alon\n" in (example_copy / new).read_text(encoding="utf-8")
    asked = run_cli(str(example_copy), "-", stdin=seed.read_bytes())
    assert asked.returncode == 2
    assert text_of(asked)[1].splitlines() == [
        "Usage: python -m digest import [OPTIONS] [SITE] SOURCE",
        "Try 'python -m digest import --help' for help.", "",
        "Error: the story comes from standard input, so nothing can be asked: add --yes or --dry-run"]


def test_an_existing_file_is_never_overwritten(example_copy: Path, seed: Path) -> None:
    options = ImportOptions(date=datetime.date(2015, 11, 30))
    draft = prepare_import(example_copy, str(seed), options)
    path = write_draft(example_copy, draft)
    path.write_text("mine", encoding="utf-8")
    again = prepare_import(example_copy, str(seed), options)
    assert again.exists
    with pytest.raises(UsageError, match=r"^content/2015/11/putin-netanyahu-hail.*\.md already exists; nothing was"):
        write_draft(example_copy, again)
    result = run_cli(str(example_copy), str(seed), "--yes", "--date", "2015-11-30")
    assert result.returncode == 2
    assert text_of(result)[1].splitlines()[-1] == f"digest: {draft.path} already exists; nothing was written"
    assert path.read_text(encoding="utf-8") == "mine"


@pytest.mark.parametrize(("given", "expected"), [
    (GivenNames(names=("Ada Lovelace", "Putin")), [("Ada Lovelace", True, 0), ("Putin", False, 5)]),
    (GivenNames(names=("Ada Lovelace",), add=True),
     [*((name, False, count) for name, count in zip(SEED_PEOPLE, (7, 5, 1, 1))), ("Ada Lovelace", True, 0)]),
])
def test_people_given_replace_or_join_the_suggestions(example_copy: Path, seed: Path, given: GivenNames,
                                                      expected: list[tuple[str, bool, int]]) -> None:
    draft = prepare_import(example_copy, str(seed), ImportOptions(names={"people": given}))
    assert [(n.name, n.new, n.mentions) for n in draft.terms["people"]] == expected
    assert "Ada Lovelace (new, not in the text)" in "\n".join(preview(draft))


def test_the_command_s_people_option(example_copy: Path, seed: Path) -> None:
    result = run_cli(str(example_copy), str(seed), "--dry-run", "--people", "Vladimir Putin, Ada Lovelace")
    out, _ = text_of(result)
    assert "people:\n  - Vladimir Putin\n  - Ada Lovelace\ntopics:\n" in out
    assert "people:  Vladimir Putin (5 mentions), Ada Lovelace (new, not in the text)" in out


# --------------------------------------------------------------------------------------
# Lines dropped, titles, new names


def test_a_site_drops_its_own_lines(site: Path) -> None:
    (site / "digest.yaml").write_text("import:\n  drop:\n    - 'Follow us on .*'\n    - '\\(Staff\\)'\n")
    story = site.parent / "story.txt"
    story.write_text("Menu\n\nLavrov Meets Kerry in Vienna\n\nFollow us on Mastodon\n\nSergey Lavrov met John Kerry.\n"
                     "(Staff)\n\nAdvertisement\n\nThey talked.\n", encoding="utf-8")
    draft = prepare_import(site, str(story))
    assert draft.dropped == ("Follow us on Mastodon", "(Staff)", "Advertisement")
    assert draft.paragraphs == ("Sergey Lavrov met John Kerry.", "They talked.")
    assert [n.name for n in draft.terms["people"]] == ["Sergey Lavrov", "John Kerry"]


def test_a_wrong_expression_is_a_problem_on_its_line(site: Path) -> None:
    (site / "digest.yaml").write_text("title: T\nimport:\n  drop:\n    - 'fine'\n    - '(unclosed'\n")
    with pytest.raises(DigestError) as caught:
        prepare_import(site, str(FIXTURES / "blog-post.html"))
    assert [str(p).splitlines()[0] for p in caught.value.problems] == [
        "digest.yaml:5: `import.drop` item 2 is not a regular expression: missing ), unterminated subpattern at "
        "character 1: (unclosed"]


@pytest.mark.parametrize(("line", "dropped"), [
    ("• Print Friendly, PDF & Email", True), ("  • Send to Kindle", True), ("[Photo: IsraeliPM / YouTube ]", True),
    ("Photo: Reuters/Amir Cohen", True), ("Image: AFP", True), ("(Getty Images)", True), ("Share on Facebook", True),
    ("Tweet", True), ("Email", True), ("Advertisement", True), ("Read more: Putin in Paris", True),
    ("Subscribe to our newsletter", True), ("We use cookies to improve your experience.", True),
    ("Putin praised the coordination.", False), ("Subscribers to the theory of a deal were disappointed by the "
                                                 "outcome of the talks, which ended late.", False),
])
def test_the_boilerplate_table(line: str, dropped: bool) -> None:
    assert is_boilerplate(line, drop_rules()) is dropped
    assert len(DROP_RULES) == len({what for what, _ in DROP_RULES}) + 1  # one table, two rows for photo credits


@pytest.mark.parametrize(("line", "headline"), [
    ("Putin, Netanyahu Hail Improved Military Coordination After Meeting in Paris", True),
    ("# Notes from the talks", True), ("• Top stories", False), ("It rained in Paris.", False), ("Paris", False),
    ("A" * 30 + " " + "b" * 130, False),
])
def test_what_reads_as_a_headline(line: str, headline: bool) -> None:
    assert reads_as_headline(line) is headline


def test_text_before_the_headline_is_not_the_story() -> None:
    found = extract_text("World | Europe\n\nPutin Visits Paris Today\nHe arrived.\nHe left.\n\nThe end.\n", drop_rules())
    assert (found.title, found.paragraphs) == ("Putin Visits Paris Today", ("He arrived.\nHe left.", "The end."))


def test_new_names_are_seen_twice_or_after_a_title() -> None:
    empty = Registry(names={}, sources={}, domains={})
    text = ["Israeli Defense Minister Moshe Ya’alon spoke. On Sunday the Palestinian Authority met; "
            "Jean-Claude Juncker and Jean-Claude Juncker. Bashar al-Assad left. Secretary of State John Kerry came."]
    assert [(m.name, m.count) for m in new_names(text, empty)] == [
        ("Jean-Claude Juncker", 2), ("Moshe Ya’alon", 1), ("John Kerry", 1)]
    known = Registry(names={"people": {fold("Moshe Ya'alon"): "Moshe Ya'alon"}}, sources={}, domains={})
    assert "Moshe Ya’alon" not in [m.name for m in new_names(text, known)]


def test_folders_follow_the_permalink_pattern() -> None:
    day = datetime.date(2015, 11, 30)
    assert [article_folder(p, day) for p in ("/{year}/{month}/{slug}/", "/{slug}/", "/news/{year}/{month}/{day}/"
                                             "{slug}/")] == ["2015/11/", "", "news/2015/11/30/"]


# --------------------------------------------------------------------------------------
# HTML pages, as files and as URLs

PAGES = {
    "news-article.html": ("Kerry and Lavrov Agree on Syria Talks Timetable", datetime.date(2015, 11, 14),
                          "Daily Wire Service", "Meeting in Vienna on Saturday", ["John Kerry", "Sergey Lavrov"],
                          ("Business", "All rights reserved", "Anna Reporter")),
    "blog-post.html": ("Notes from the climate talks", datetime.date(2015, 12, 12), "Field Notes",
                       "The Paris climate conference ended tonight", [], ("Posted on", "Field Notes")),
    "cluttered-page.html": ("Turkey shoots down Russian jet near Syrian border", datetime.date(2015, 11, 24),
                            "Region Monitor", "Turkish fighter jets shot down", ["Vladimir Putin"],
                            ("Most read", "Sidebar headline", "reader42", "This comment", "newsletter", "Log in",
                             "Share on Facebook", "Comments (3)", "Cookie policy")),
}


@pytest.mark.parametrize("name", sorted(PAGES))
@pytest.mark.parametrize("how", ["file", "url"])
def test_html_pages(site: Path, server: str, name: str, how: str) -> None:
    title, date, source, start, people, absent = PAGES[name]
    where = str(FIXTURES / name) if how == "file" else f"{server}/pages/{name}"
    draft = prepare_import(site, where, ImportOptions(today=datetime.date(2020, 1, 1)))
    assert (draft.title, draft.date, draft.date_from, draft.source) == (title, date, "page", source)
    assert draft.paragraphs[0].startswith(start) and len(draft.paragraphs) == 4
    assert title not in draft.paragraphs[0]
    body = "\n".join(draft.paragraphs)
    assert [word for word in absent if word in body] == []
    assert [n.name for n in draft.terms["people"]] == people
    expected_url = {"news-article.html": "https://news.example.com/world/2015/11/14/kerry-lavrov-syria-timetable/"}
    assert draft.source_url == expected_url.get(name, None if how == "file" else where)


def test_a_story_the_site_links_already_is_named(site: Path, server: str) -> None:
    draft = prepare_import(site, f"{server}/moved")  # redirected to the news article, whose canonical link is known
    assert [(w.path, w.message) for w in draft.warnings] == [
        ("content/2015/2015-10-01-old.md", "already links to this story "
         "(http://www.news.example.com/world/2015/11/14/kerry-lavrov-syria-timetable?utm_source=feed)")]
    assert draft.terms["topics"][0].name == "Syria"


def test_the_fetch_names_digest(site: Path, server: str) -> None:
    Story.agents.clear()
    prepare_import(site, f"{server}/pages/blog-post.html")
    assert Story.agents == [USER_AGENT] and USER_AGENT.startswith("digest/")


def test_a_url_through_the_command(site: Path, server: str) -> None:
    before = files_of(site)
    result = run_cli(str(site), f"{server}/pages/cluttered-page.html", "--yes")
    out, err = text_of(result)
    assert result.returncode == 0, err
    written = "content/2015/11/turkey-shoots-down-russian-jet-near-syrian-border.md"
    assert files_of(site) - before == {written}
    text = (site / written).read_text(encoding="utf-8")
    assert text.startswith("---\ntitle: Turkey shoots down Russian jet near Syrian border\ndate: 2015-11-24\n"
                           "source: Region Monitor\n")
    assert "reader42" not in text and "Most read" not in text


# --------------------------------------------------------------------------------------
# Every failure: one line, nothing written

FAILURES = [
    ("/nowhere", "answered 404 Not Found"),
    ("/error", "answered 500 Internal Server Error"),
    ("/report.pdf", "is a PDF, not a web page"),
    ("/loop-a", "redirects in a loop ({server}/loop-a -> {server}/loop-b -> {server}/loop-a)"),
    ("/chain/1", "redirects more than 5 times"),
    ("/huge", "is larger than the limit of 10.0 MB; stopped reading"),
    ("/slow", "no answer within 0.3 s (timeout)"),
]


@pytest.mark.parametrize(("path", "message"), FAILURES, ids=[p for p, _ in FAILURES])
def test_a_failed_fetch_is_one_line(site: Path, server: str, path: str, message: str) -> None:
    before = files_of(site)
    started = time.monotonic()
    with pytest.raises(FetchError) as caught:
        prepare_import(site, server + path, ImportOptions(timeout=0.3))
    assert str(caught.value) == f"{server}{path}: " + message.format(server=server)
    assert files_of(site) == before and time.monotonic() - started < 5


def test_a_refused_connection(site: Path, closed_port: int) -> None:
    with pytest.raises(FetchError, match=r"^http://127.0.0.1:\d+/a: connection refused by 127.0.0.1$"):
        prepare_import(site, f"http://127.0.0.1:{closed_port}/a")


def test_an_unknown_host(site: Path) -> None:
    with pytest.raises(FetchError) as caught:
        prepare_import(site, "http://no-such-host.invalid/story", ImportOptions(timeout=3))
    assert str(caught.value) in ("http://no-such-host.invalid/story: cannot find the host no-such-host.invalid "
                                 "(DNS lookup failed)",)


@pytest.mark.parametrize("where", ["/report.pdf", "/nowhere", "refused"])
def test_failures_through_the_command(site: Path, server: str, closed_port: int, where: str) -> None:
    before = files_of(site)
    url = f"http://127.0.0.1:{closed_port}/a" if where == "refused" else server + where
    result = run_cli(str(site), url, "--yes", "--timeout", "2")
    out, err = text_of(result)
    assert result.returncode == 1 and out == ""
    assert len(err.splitlines()) == 1 and err.startswith(f"digest: {url}: ") and "Traceback" not in err
    assert files_of(site) == before


def test_a_missing_file_is_a_usage_error(site: Path) -> None:
    result = run_cli(str(site), str(site / "nothing.txt"))
    assert result.returncode == 2
    assert text_of(result)[1] == f"digest: {site / 'nothing.txt'}: no such file\n"
