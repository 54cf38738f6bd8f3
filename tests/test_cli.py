"""End to end: every command of the `digest` CLI, run as `python -m digest` in a subprocess.

Each test writes a small site with ``make_site`` (tests/conftest.py) under its own
``tmp_path`` and runs digest there, so nothing is written beside the tests.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path
from typing import Protocol

import pytest
import yaml

import digest

TIMEOUT = 60
OLD_MTIME_NS = 978_307_200 * 10**9  # 2001-01-01
# "1 article, 1 person, 1 topic", "2 articles, 2 people, 2 topics": `agrees` checks the noun against the count
SUMMARY = re.compile(r"(\d+) articles?, (\d+) (?:person|people), (\d+) topics?: (\d+) files? written, "
                     r"(\d+) unchanged, (\d+) removed in (\d+\.\d+) s -> (.+)/")
CHECK_SUMMARY = re.compile(r"(\d+) articles?, (\d+) (?:person|people), (\d+) topics?: (\d+) pages? checked, "
                           r"no problems in (\d+\.\d+) s")
NOUNS = {"article": "articles", "person": "people", "topic": "topics", "file": "files", "page": "pages"}
PROG = r"(?:python -m )?digest"  # click names the program as it was run: `python -m digest`
COMMANDS = {
    "build": ["--drafts", "--future", "--base-url", "--strict", "--output", "--clean", "--quiet", "--verbose"],
    "check": ["--drafts", "--future", "--base-url", "--strict"],
    "init": ["--title"],
    "new": ["--people", "--topics", "--source", "--source-url", "--draft", "--site"],
}

SITE = {
    "digest.yaml": """
        title: CLI Digest
        base_url: https://example.org/
    """,
    "content/2015/2015-11-30-putin-netanyahu-paris.md": """
        ---
        title: Putin, Netanyahu Hail Improved Military Coordination
        date: 2015-11-30
        source: The Times of Israel
        source_url: https://www.timesofisrael.com/
        people: [Vladimir Putin, Benjamin Netanyahu]
        topics: [Syria, Russia–Israel relations]
        ---

        Following talks at the climate change conference in Paris, the two leaders agreed
        to deepen military coordination to avoid clashes over Syria.
    """,
    "content/2015/2015-11-24-turkey-shoots-down-russian-jet.md": """
        ---
        title: Turkey Shoots Down Russian Jet Near Syrian Border
        date: 2015-11-24
        people:
          - Vladimir Putin
          - Recep Tayyip Erdoğan
        topics: [Syria, Russia–Turkey relations]
        ---

        Turkish F-16s shot down a Russian Su-24 near the Syrian border.
    """,
    "content/2015/2015-10-20-trudeau-liberals-win.md": """
        ---
        title: Trudeau's Liberals Win Canada's Election
        date: 2015-10-20
        people: [Justin Trudeau]
        topics: [Canada]
        ---

        The Liberal Party won a majority of seats in the House of Commons.
    """,
}
EXTERNAL_LINKS = {"https://www.timesofisrael.com/"}
DRAFT = """
    ---
    title: A Draft Not Yet Ready
    date: 2015-11-25
    draft: true
    people: [Draft Person]
    ---

    Not ready.
"""
FUTURE = """
    ---
    title: News From the Future
    date: 2999-01-01
    people: [Future Person]
    ---

    Not yet.
"""


class MakeSite(Protocol):
    def __call__(self, files: dict[str, str], root: Path | None = None) -> Path: ...


# --------------------------------------------------------------------------------------
# Helpers


def run_digest(*args: str | Path, cwd: Path) -> subprocess.CompletedProcess[str]:
    """``python -m digest ARGS`` in ``cwd``; stdout and stderr decoded as UTF-8."""
    done = subprocess.run([sys.executable, "-m", "digest", *map(str, args)], cwd=cwd, capture_output=True,
                          timeout=TIMEOUT, stdin=subprocess.DEVNULL)
    result = subprocess.CompletedProcess(done.args, done.returncode, done.stdout.decode("utf-8", "replace"),
                                         done.stderr.decode("utf-8", "replace"))
    for stream in (result.stdout, result.stderr):
        assert "Traceback" not in stream, stream
    return result


def agrees(summary: str) -> bool:
    """Whether every count of a summary line has its noun in the right number: "1 article", "2 people"."""
    found = re.findall(r"(\d+) (" + "|".join(f"{one}|{many}" for one, many in NOUNS.items()) + r")\b", summary)
    return bool(found) and all((noun in NOUNS) == (count == "1") for count, noun in found)


@pytest.mark.parametrize(("summary", "right"), [
    ("1 article, 1 person, 1 topic: 17 files written, 0 unchanged, 0 removed in 0.10 s -> output/", True),
    ("3 articles, 4 people, 0 topics: 1 file written, 2 unchanged, 1 removed in 0.10 s -> output/", True),
    ("1 articles, 4 people, 4 topics: 2 files written, 0 unchanged, 0 removed in 0.10 s -> output/", False),
    ("2 articles, 1 people, 4 topics: 2 files written, 0 unchanged, 0 removed in 0.10 s -> output/", False),
    ("2 articles, 4 people, 4 topics: 1 files written, 0 unchanged, 0 removed in 0.10 s -> output/", False),
    ("2 article, 2 person, 2 topic: 24 pages checked, no problems in 0.05 s", False),
])
def test_agrees(summary: str, right: bool) -> None:
    assert agrees(summary) is right


def build_ok(*args: str | Path, cwd: Path) -> re.Match[str]:
    """Run ``digest build ARGS``, expect success and no problems; the parsed summary line."""
    done = run_digest("build", *args, cwd=cwd)
    assert done.returncode == 0, done.stderr
    assert done.stderr == ""
    match = SUMMARY.fullmatch(done.stdout.removesuffix("\n"))
    assert match, f"not one summary line: {done.stdout!r}"
    assert agrees(match.group(0)), f"a count and its noun disagree: {done.stdout!r}"
    return match


def counts(match: re.Match[str]) -> tuple[int, ...]:
    """(articles, people, topics, written, unchanged, removed) of a summary line."""
    return tuple(int(g) for g in match.groups()[:6])


def files_of(root: Path) -> dict[str, tuple[bytes, int]]:
    """Every file under ``root`` (hidden ones included): bytes and mtime in nanoseconds."""
    return {p.relative_to(root).as_posix(): (p.read_bytes(), p.stat().st_mtime_ns)
            for p in sorted(root.rglob("*")) if p.is_file()}


def tree(root: Path) -> dict[str, bytes | None]:
    """Every file (bytes) and folder (None) under ``root``; of a search index, the page fragments only.

    Pagefind's filter and metadata files differ from run to run even for the same pages (a known
    limit of Pagefind); its fragments are named by a hash of what they hold.
    """
    return {p.relative_to(root).as_posix(): (p.read_bytes() if p.is_file() else None)
            for p in sorted(root.rglob("*"))
            if "pagefind" not in p.relative_to(root).parts or p.parent.name == "fragment"}


def age(root: Path) -> None:
    """Give every file under ``root`` an old modification time, so any rewrite shows."""
    for path in root.rglob("*"):
        if path.is_file():
            os.utime(path, ns=(OLD_MTIME_NS, OLD_MTIME_NS))


def pages(output: Path) -> set[str]:
    """The URLs of the HTML pages of an output folder ("/2015/11/slug/")."""
    return {"/" + p.relative_to(output).as_posix().removesuffix("index.html") for p in output.rglob("index.html")}


@pytest.fixture
def site(make_site: MakeSite) -> Path:
    """A good three-article site in ``tmp_path/site``."""
    return make_site(SITE)


# --------------------------------------------------------------------------------------
# --version, --help


def test_version(tmp_path: Path) -> None:
    done = run_digest("--version", cwd=tmp_path)
    assert (done.returncode, done.stdout, done.stderr) == (0, f"digest, version {digest.__version__}\n", "")


@pytest.mark.parametrize("flag", ["--help", "-h"])
def test_help_of_the_group(flag: str, tmp_path: Path) -> None:
    done = run_digest(flag, cwd=tmp_path)
    assert done.returncode == 0 and done.stderr == ""
    assert re.match(rf"Usage: {PROG} \[OPTIONS\] COMMAND \[ARGS\]\.\.\.\n", done.stdout), done.stdout
    listed = re.findall(r"^  (\w+)  ", done.stdout.split("Commands:\n", 1)[1], re.MULTILINE)
    assert set(COMMANDS) <= set(listed)


def test_no_command_shows_the_usage(tmp_path: Path) -> None:
    done = run_digest(cwd=tmp_path)
    assert done.returncode in (0, 2)  # click: the group's help, exit 0 (click < 8.2) or 2 (8.2+)
    assert re.search(rf"Usage: {PROG} \[OPTIONS\] COMMAND", done.stdout + done.stderr)


@pytest.mark.parametrize("command", sorted(COMMANDS))
def test_help_of_each_command(command: str, tmp_path: Path) -> None:
    done = run_digest(command, "--help", cwd=tmp_path)
    assert done.returncode == 0 and done.stderr == ""
    assert re.match(rf"Usage: {PROG} {command} \[OPTIONS\]", done.stdout), done.stdout
    for option in COMMANDS[command]:
        assert re.search(rf"^\s+(-\w, )?{option}\b", done.stdout, re.MULTILINE), f"{option} not in help"
    assert tree(tmp_path) == {}, "--help wrote files"


def test_unknown_command_is_a_usage_error(tmp_path: Path) -> None:
    done = run_digest("biuld", cwd=tmp_path)
    assert done.returncode == 2
    assert "No such command 'biuld'" in done.stderr


# --------------------------------------------------------------------------------------
# init, new


def test_init_creates_a_site_that_builds(tmp_path: Path) -> None:
    done = run_digest("init", "news", cwd=tmp_path)
    assert done.returncode == 0 and done.stderr == ""
    assert done.stdout.startswith("Created a site in news/ (")
    assert (tmp_path / "news/digest.yaml").is_file()
    match = build_ok("news", cwd=tmp_path)
    assert counts(match)[:3] == (1, 1, 1)
    assert match.group(8) == "news/output"
    assert (tmp_path / "news/output/people/ada-lovelace/index.html").is_file()


def test_init_with_a_title(tmp_path: Path) -> None:
    assert run_digest("init", "news", "--title", 'World: "Digest"', cwd=tmp_path).returncode == 0
    config = yaml.safe_load((tmp_path / "news/digest.yaml").read_text(encoding="utf-8"))
    assert config["title"] == 'World: "Digest"'
    build_ok("news", cwd=tmp_path)
    home = (tmp_path / "news/output/index.html").read_text(encoding="utf-8")
    assert re.search(r"<title>World: (&#34;|&quot;)Digest(&#34;|&quot;)", home)


def test_init_into_an_empty_folder(tmp_path: Path) -> None:
    (tmp_path / "news").mkdir()
    assert run_digest("init", "news", cwd=tmp_path).returncode == 0
    build_ok("news", cwd=tmp_path)


def test_init_refuses_a_folder_that_is_not_empty(tmp_path: Path) -> None:
    (tmp_path / "news").mkdir()
    (tmp_path / "news/notes.txt").write_text("mine\n", encoding="utf-8")
    before = files_of(tmp_path)
    done = run_digest("init", "news", cwd=tmp_path)
    assert done.returncode == 2
    assert done.stdout == ""
    assert done.stderr == "digest: news already exists and is not empty; choose a new folder\n"
    assert files_of(tmp_path) == before


def test_new_writes_an_article_that_builds(site: Path, tmp_path: Path) -> None:
    done = run_digest("new", "Putin and Netanyahu Meet Again", "--people", "Vladimir Putin, Benjamin Netanyahu",
                      "--topics", "Syria", "--site", "site", cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    assert done.stderr == ""
    created = re.fullmatch(r"Created (site/content/(\d{4})/(\d{4}-\d{2}-\d{2})-putin-and-netanyahu-meet-again\.md)\n",
                           done.stdout)
    assert created, done.stdout
    text = (tmp_path / created.group(1)).read_text(encoding="utf-8")
    front = yaml.safe_load(text.split("---\n")[1])
    assert front["title"] == "Putin and Netanyahu Meet Again"
    assert front["people"] == ["Vladimir Putin", "Benjamin Netanyahu"]
    assert front["topics"] == ["Syria"]
    assert str(front["date"]).startswith(created.group(3))
    assert created.group(2) == created.group(3)[:4]

    match = build_ok("site", cwd=tmp_path)
    assert counts(match)[:3] == (4, 4, 4)
    output = site / "output"
    urls = pages(output)
    new_url = f"/{created.group(2)}/{created.group(3)[5:7]}/putin-and-netanyahu-meet-again/"
    assert new_url in urls
    assert "/people/vladimir-putin/" in urls
    person = (output / "people/vladimir-putin/index.html").read_text(encoding="utf-8")
    assert f'href="{new_url}"' in person
    assert "Putin and Netanyahu Meet Again" in person


def test_new_draft_is_built_only_with_drafts(site: Path, tmp_path: Path) -> None:
    done = run_digest("new", "Half Written", "--draft", "--site", "site", cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    assert counts(build_ok("site", cwd=tmp_path))[0] == 3
    assert counts(build_ok("site", "--drafts", cwd=tmp_path))[0] == 4


def test_new_quotes_what_yaml_would_misread(site: Path, tmp_path: Path) -> None:
    title = 'Paris: the "talks" # go on'
    done = run_digest("new", title, "--people", "NO, Vladimir Putin", "--topics", "yes, 1984",
                      "--source", "Le Monde: direct", "--site", "site", cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    path = tmp_path / done.stdout.removeprefix("Created ").strip()
    front = yaml.safe_load(path.read_text(encoding="utf-8").split("---\n")[1])
    assert front["title"] == title
    assert front["people"] == ["NO", "Vladimir Putin"]
    assert front["topics"] == ["yes", "1984"]
    assert front["source"] == "Le Monde: direct"
    build_ok("site", cwd=tmp_path)
    assert {"/people/no/", "/topics/yes/", "/topics/1984/"} <= pages(site / "output")


def test_new_outside_a_site_is_a_usage_error(tmp_path: Path) -> None:
    done = run_digest("new", "A Headline", "--site", "nowhere", cwd=tmp_path)
    assert done.returncode == 2
    assert done.stdout == ""
    assert done.stderr == "digest: nowhere has no content/ folder; run it in a site made by `digest init`\n"
    assert tree(tmp_path) == {}


# --------------------------------------------------------------------------------------
# build


def test_build_prints_one_summary_line(site: Path, tmp_path: Path) -> None:
    match = build_ok("site", cwd=tmp_path)
    articles, people, topics, written, unchanged, removed = counts(match)
    assert (articles, people, topics) == (3, 4, 4)
    produced = {p for p in files_of(site / "output") if p != ".digest-output" and not p.startswith("pagefind/")}
    assert written == len(produced)  # the pages and files of the site; the search index is Pagefind's
    assert (site / "output" / "pagefind" / "shards.json").is_file()
    assert (unchanged, removed) == (0, 0)
    assert match.group(8) == "site/output"


def test_build_in_the_site_folder(site: Path) -> None:
    match = build_ok(cwd=site)  # SITE defaults to this folder
    assert match.group(8) == "output"
    assert (site / "output/index.html").is_file()


def test_quiet_prints_nothing(site: Path, tmp_path: Path) -> None:
    done = run_digest("build", "site", "--quiet", cwd=tmp_path)
    assert (done.returncode, done.stdout, done.stderr) == (0, "", "")
    assert (site / "output/index.html").is_file()


def test_verbose_adds_the_stage_times(site: Path, tmp_path: Path) -> None:
    done = run_digest("build", "site", "--verbose", cwd=tmp_path)
    assert done.returncode == 0 and done.stderr == ""
    first, second = done.stdout.splitlines()
    assert SUMMARY.fullmatch(first) and agrees(first)
    assert re.fullmatch(r"  \w+ \d+\.\d{3} s(, \w+ \d+\.\d{3} s)*", second)


def test_build_of_a_missing_folder_is_a_usage_error(tmp_path: Path) -> None:
    done = run_digest("build", "nowhere", cwd=tmp_path)
    assert (done.returncode, done.stdout, done.stderr) == (2, "", "digest: nowhere: no such folder\n")
    assert tree(tmp_path) == {}


@pytest.mark.parametrize(("flags", "draft", "future"), [
    ((), False, False),
    (("--drafts",), True, False),
    (("--future",), False, True),
    (("--drafts", "--future"), True, True),
])
def test_drafts_and_future(flags: tuple[str, ...], draft: bool, future: bool,
                           make_site: MakeSite, tmp_path: Path) -> None:
    site = make_site({**SITE, "content/2015/2015-11-25-draft.md": DRAFT, "content/2999-01-01-future.md": FUTURE})
    articles = counts(build_ok("site", *flags, cwd=tmp_path))[0]
    assert articles == 3 + draft + future
    urls = pages(site / "output")
    assert ("/2015/11/draft/" in urls) == draft
    assert ("/people/draft-person/" in urls) == draft
    assert ("/2999/01/future/" in urls) == future
    assert ("/people/future-person/" in urls) == future
    everything = b"".join(data for data, _ in files_of(site / "output").values())
    assert (b"A Draft Not Yet Ready" in everything) == draft
    assert (b"News From the Future" in everything) == future


LINK = re.compile(r"""\b(?:href|src)\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s>"']+))""")


def test_base_url_prefixes_every_link(site: Path, tmp_path: Path) -> None:
    build_ok("site", "--base-url", "https://example.org/news/", cwd=tmp_path)
    output = site / "output"
    wrong: list[str] = []
    seen = 0
    for path in sorted(output.rglob("*")):
        if path.suffix not in (".html", ".xml"):
            continue
        for match in LINK.finditer(path.read_text(encoding="utf-8")):
            link = next(g for g in match.groups() if g is not None)
            seen += 1
            if link.startswith("#") or link in EXTERNAL_LINKS:
                continue
            if link.startswith(("http://", "https://", "//")):
                ok = link.startswith("https://example.org/news/")
            else:
                ok = link.startswith("/news/") and path.suffix == ".html"
            if not ok:
                wrong.append(f"{path.relative_to(output)}: {link}")
    assert seen > 100
    assert wrong == []
    for loc in re.findall(r"<loc>([^<]*)</loc>", (output / "sitemap.xml").read_text(encoding="utf-8")):
        assert loc.startswith("https://example.org/news/"), loc


def test_output_elsewhere_changes_nothing_in_the_site(site: Path, tmp_path: Path) -> None:
    # nothing but the build cache, .digest-cache/, which digest init git-ignores
    before = files_of(site)
    match = build_ok("site", "--output", "public", cwd=tmp_path)
    assert match.group(8) == "public"
    assert (tmp_path / "public/index.html").is_file()
    assert {k: v for k, v in files_of(site).items() if not k.startswith(".digest-cache/")} == before
    assert not (site / "output").exists()


def test_without_the_cache_nothing_in_the_site_changes(site: Path, tmp_path: Path) -> None:
    before = files_of(site)
    build_ok("site", "--output", "public", "--no-cache", cwd=tmp_path)
    assert files_of(site) == before


def test_output_outside_this_folder_is_shown_absolute(site: Path, tmp_path: Path) -> None:
    match = build_ok(".", "--output", tmp_path / "public", cwd=site)
    assert match.group(8) == str((tmp_path / "public").resolve())


@pytest.mark.parametrize(("output", "message"), [
    (".", "digest: --output .: refusing to write over the site folder itself; choose a folder inside it, "
          "such as output/\n"),
    ("..", "digest: --output ..: refusing to write over the site folder itself; choose a folder inside it, "
           "such as output/\n"),
    ("content", "digest: --output content: refusing to write into the site's content/ folder; choose another "
                "folder, such as output/\n"),
    ("content/2015", "digest: --output content/2015: refusing to write into the site's content/ folder; choose "
                     "another folder, such as output/\n"),
    ("/", "digest: --output /: refusing to write into the root folder /; choose a folder of its own, such as "
          "output/\n"),
    ("notes", "digest: --output notes: the folder holds files that digest did not write; empty it, or choose "
              "a new folder\n"),
    ("digest.yaml", "digest: --output digest.yaml: is a file, not a folder\n"),
])
def test_output_refuses_folders_it_must_not_write(output: str, message: str, site: Path, tmp_path: Path) -> None:
    (site / "notes").mkdir()
    (site / "notes/todo.txt").write_text("call the desk\n", encoding="utf-8")
    before = files_of(tmp_path)
    for command in (("build", ".", "--output", output), ("build", ".", "--output", output, "--clean")):
        done = run_digest(*command, cwd=site)
        assert (done.returncode, done.stdout, done.stderr) == (2, "", message)
        assert files_of(tmp_path) == before
        assert not (site / "output").exists()


def test_default_output_holding_foreign_files_is_refused_in_the_user_s_terms(site: Path) -> None:
    (site / "output").mkdir()
    (site / "output/mine.html").write_text("<p>mine</p>\n", encoding="utf-8")
    before = files_of(site)
    done = run_digest("build", cwd=site)
    assert (done.returncode, done.stdout) == (2, "")
    assert files_of(site) == before
    # the folder, named as the user knows it: no --output was given
    assert done.stderr == ("digest: output/ holds files that digest did not write; move them away, or build into "
                           "another folder with --output DIR\n")


def test_default_output_holding_foreign_files_is_named_from_where_digest_was_run(site: Path, tmp_path: Path) -> None:
    (site / "output").mkdir()
    (site / "output/mine.html").write_text("<p>mine</p>\n", encoding="utf-8")
    before = files_of(tmp_path)
    done = run_digest("build", "site", cwd=tmp_path)
    assert (done.returncode, done.stdout) == (2, "")
    assert files_of(tmp_path) == before
    assert done.stderr == ("digest: site/output/ holds files that digest did not write; move them away, or build "
                           "into another folder with --output DIR\n")


@pytest.mark.parametrize("output", ["digest.yaml/out", "digest.yaml/a/b"])
def test_output_that_cannot_be_created_is_a_usage_error(site: Path, output: str) -> None:
    before = files_of(site)
    done = subprocess.run([sys.executable, "-m", "digest", "build", ".", "--output", output], cwd=site,
                          capture_output=True, text=True, timeout=TIMEOUT, stdin=subprocess.DEVNULL)
    assert "Traceback" not in done.stderr
    assert (done.returncode, done.stdout) == (2, "")
    assert done.stderr == (f"digest: --output {output}: cannot be created, because {(site / 'digest.yaml').resolve()} "
                           "is a file\n")
    assert files_of(site) == before


@pytest.mark.parametrize("command", ["build", "check"])
@pytest.mark.parametrize("base_url", ["example.org", "ftp://example.org/", "//example.org/"])
def test_a_bad_base_url_option_is_a_usage_error(site: Path, tmp_path: Path, command: str, base_url: str) -> None:
    before = files_of(tmp_path)
    done = run_digest(command, "site", "--base-url", base_url, cwd=tmp_path)
    assert (done.returncode, done.stdout) == (2, "")
    assert done.stderr == (f"digest: --base-url {base_url}: not an absolute http(s) URL; write it in full, such as "
                           "--base-url https://example.org/news/\n")
    assert files_of(tmp_path) == before


def test_an_empty_base_url_option_is_named_as_empty(site: Path, tmp_path: Path) -> None:
    done = run_digest("build", "site", "--base-url", "", cwd=tmp_path)
    assert (done.returncode, done.stdout) == (2, "")
    assert done.stderr == ('digest: --base-url "": is empty; write the address in full, such as '
                           "--base-url https://example.org/news/\n")


def test_second_build_rewrites_nothing(site: Path, tmp_path: Path) -> None:
    first = counts(build_ok("site", cwd=tmp_path))
    output = site / "output"
    age(output)
    before = files_of(output)
    second = counts(build_ok("site", cwd=tmp_path))
    assert second[:3] == first[:3]
    assert second[3:] == (0, first[3], 0)  # 0 written, all unchanged, 0 removed
    assert files_of(output) == before


def test_one_file_written_is_said_in_the_singular(site: Path, tmp_path: Path) -> None:
    (site / "static").mkdir()
    (site / "static/notes.txt").write_text("first\n", encoding="utf-8")
    build_ok("site", cwd=tmp_path)
    (site / "static/notes.txt").write_text("second\n", encoding="utf-8")
    done = run_digest("build", "site", cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    assert ": 1 file written, " in done.stdout, done.stdout


def test_removed_article_is_removed_from_the_output(site: Path, tmp_path: Path) -> None:
    build_ok("site", cwd=tmp_path)
    output = site / "output"
    before = {p for p in files_of(output) if not p.startswith("pagefind/")}
    assert "2015/10/trudeau-liberals-win/index.html" in before
    (site / "content/2015/2015-10-20-trudeau-liberals-win.md").unlink()
    articles, people, topics, written, unchanged, removed = counts(build_ok("site", cwd=tmp_path))
    assert (articles, people, topics) == (2, 3, 3)
    after = {p for p in files_of(output) if not p.startswith("pagefind/")}
    gone = before - after
    assert {"2015/10/trudeau-liberals-win/index.html", "people/justin-trudeau/index.html",
            "people/justin-trudeau/feed.xml", "topics/canada/index.html", "2015/10/index.html"} <= gone
    assert removed == len(gone)
    assert after - before == set()
    assert not (output / "2015/10").exists()  # emptied folders go too
    assert not (output / "people/justin-trudeau").exists()
    assert b"trudeau" not in (output / "sitemap.xml").read_bytes().lower()


def test_clean_rewrites_everything(site: Path, tmp_path: Path) -> None:
    build_ok("site", cwd=tmp_path)
    output = site / "output"
    age(output)
    before = {p: v for p, v in files_of(output).items() if not p.startswith("pagefind/")}
    articles, people, topics, written, unchanged, removed = counts(build_ok("site", "--clean", cwd=tmp_path))
    assert (unchanged, removed) == (0, 0)
    after = {p: v for p, v in files_of(output).items() if not p.startswith("pagefind/")}
    assert after.keys() == before.keys()
    assert written == len(after) - 1  # all but the .digest-output marker
    for path, (data, mtime) in after.items():
        assert mtime != OLD_MTIME_NS, f"{path} was not rewritten"
        if path != ".digest-output":  # the marker names the build: a new one
            assert data == before[path][0], path


def test_clean_removes_stale_files(site: Path, tmp_path: Path) -> None:
    build_ok("site", cwd=tmp_path)
    (site / "output/stale.html").write_text("old\n", encoding="utf-8")
    removed = counts(build_ok("site", "--clean", cwd=tmp_path))[5]
    assert removed == 1
    assert not (site / "output/stale.html").exists()


def test_builds_are_byte_identical(site: Path, tmp_path: Path, make_site: MakeSite) -> None:
    build_ok("site", "--output", "one", cwd=tmp_path)
    build_ok("site", "--output", "two", cwd=tmp_path)
    elsewhere = make_site(SITE, root=tmp_path / "elsewhere" / "copy")  # same input, another path
    build_ok(".", "--output", "out", cwd=elsewhere)
    one = tree(tmp_path / "one")
    assert len(one) > 20
    assert tree(tmp_path / "two") == one
    assert tree(elsewhere / "out") == one


def test_script_in_front_matter_is_escaped_everywhere(make_site: MakeSite, tmp_path: Path) -> None:
    site = make_site({**SITE, "content/2015/2015-11-28-xss.md": """
        ---
        title: <script>alert(1)</script> in Paris
        date: 2015-11-28
        people: [<script>alert(1)</script> Smith]
        topics: [<script>alert(1)</script>]
        source: <script>alert(1)</script>
        summary: <script>alert(1)</script> summary
        ---

        A body without HTML.
    """})
    build_ok("site", cwd=tmp_path)
    output = site / "output"
    # the search index is data that search.js reads as text (tests/test_hostile.py pins how), not a page
    found = [path for path, (data, _) in files_of(output).items()
             if b"<script>alert" in data and not path.startswith("pagefind/")]
    assert found == []
    page = (output / "2015/11/xss/index.html").read_text(encoding="utf-8")
    assert "&lt;script&gt;alert(1)&lt;/script&gt; in Paris" in page
    assert b"&lt;script&gt;alert(1)" in (output / "feed.xml").read_bytes()


# --------------------------------------------------------------------------------------
# check


def test_check_a_good_site(site: Path, tmp_path: Path) -> None:
    before = tree(tmp_path)
    done = run_digest("check", "site", cwd=tmp_path)
    assert done.returncode == 0 and done.stderr == ""
    match = CHECK_SUMMARY.fullmatch(done.stdout.removesuffix("\n"))
    assert match, done.stdout
    assert agrees(match.group(0)), done.stdout
    assert tuple(int(g) for g in match.groups()[:3]) == (3, 4, 4)
    assert tree(tmp_path) == before


def test_check_a_bad_site(site: Path, tmp_path: Path) -> None:
    (site / "content/2015/yesterday.md").write_text("---\ntitle: Dated Yesterday\ndate: yesterday\n---\n\nBody.\n",
                                                    encoding="utf-8")
    before = tree(tmp_path)
    done = run_digest("check", ".", cwd=site)
    assert done.returncode == 1
    assert done.stdout == ""
    assert done.stderr == (
        'content/2015/yesterday.md:3: `date` is "yesterday", not a date\n'
        "    Write it as YYYY-MM-DD (`date: 2015-11-30`), or one of: 2015-11-30, 2015-11-30 14:05, "
        "2015-11-30T14:05:00+02:00, 2015-11-30T14:05:00Z, 2015-11-30 9:05:00 +0200 or Mon, 30 Nov 2015 14:05:00 "
        "+0200.\n"
        "digest: 1 problem in 1 file.\n")
    assert tree(tmp_path) == before


def test_check_writes_nothing_into_an_existing_output(site: Path, tmp_path: Path) -> None:
    build_ok("site", cwd=tmp_path)
    (site / "content/2015/2015-10-20-trudeau-liberals-win.md").unlink()
    age(site / "output")
    before = files_of(tmp_path)
    done = run_digest("check", "site", cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    assert files_of(tmp_path) == before


def test_check_strict_fails_on_a_warning(site: Path, tmp_path: Path) -> None:
    (site / "content/2015/2015-11-12-vienna.md").write_text(
        "---\ntitle: Talks in Vienna\ndate: 2015-11-12\ntitle: Ministers Meet in Vienna\n---\n\nBody.\n",
        encoding="utf-8")
    done = run_digest("check", "site", cwd=tmp_path)
    assert done.returncode == 0
    assert done.stderr.startswith("content/2015/2015-11-12-vienna.md:4: warning: `title` is given twice")
    strict = run_digest("check", "site", "--strict", cwd=tmp_path)
    assert strict.returncode == 1
    assert strict.stderr.endswith("digest: 1 problem in 1 file.\n")


def test_check_reports_each_broken_link_where_it_is_written(site: Path, tmp_path: Path) -> None:
    article = site / "content/2015/2015-10-20-trudeau-liberals-win.md"
    article.write_text(article.read_text(encoding="utf-8") + "\nSee [the results](/elections/2015/), "
                       "[Mr Putin's talks](../../../people/vladimir-putin/#talks) and [Syria](/topics/syria/).\n",
                       encoding="utf-8")
    (site / "templates").mkdir()
    (site / "templates" / "404.html").write_text(
        '{% extends "base.html" %}{% block main %}\n<p><a href="{{ url_for(\'/lost/\') }}">Lost?</a></p>\n'
        "{% endblock %}\n", encoding="utf-8")
    before = tree(tmp_path)
    done = run_digest("check", "site", cwd=tmp_path)
    assert done.returncode == 1
    assert done.stdout == ""
    page = "its page /2015/10/trudeau-liberals-win/ links to"
    lines = [line for line in done.stderr.splitlines() if not line.startswith("    ")]
    hints = [line.strip() for line in done.stderr.splitlines() if line.startswith("    ")]
    assert len(hints) == 3 and hints[0].startswith("Link to an id the page has, or give the element you mean that id")
    assert lines == [
        f"content/2015/2015-10-20-trudeau-liberals-win.md:10: {page} #talks on /people/vladimir-putin/, "
        'which has no element with id="talks"',
        f"content/2015/2015-10-20-trudeau-liberals-win.md:10: {page} /elections/2015/, which the site does not have",
        next(line for line in lines if line.startswith("the page /404.html")),
        "digest: 3 problems in 1 file.",
    ]
    assert re.fullmatch(r"the page /404\.html \(404\.html:\d+\) links to /lost/, which the site does not have",
                        lines[2])
    assert tree(tmp_path) == before  # nothing written: no output/, no cache


def test_check_follows_the_base_path(site: Path, tmp_path: Path) -> None:
    article = site / "content/2015/2015-10-20-trudeau-liberals-win.md"
    article.write_text(article.read_text(encoding="utf-8") + "\n[Syria](/news/topics/syria/) and [home](/).\n",
                       encoding="utf-8")
    done = run_digest("check", "site", "--base-url", "https://example.org/news/", cwd=tmp_path)
    assert done.returncode == 1
    assert done.stderr.splitlines() == [
        "content/2015/2015-10-20-trudeau-liberals-win.md:10: its page /2015/10/trudeau-liberals-win/ links to /, "
        "which is outside the site's base path /news/",
        "    Internal links start with /news/, the path of `base_url`: write them with `url_for` in templates, "
        "or relative in articles; then `digest build` and `digest check` again.",
        "digest: 1 problem in 1 file."]


def test_long_builds_report_progress_unless_quiet(tmp_path: Path) -> None:
    # not a terminal: a line per quarter of each long stage, on stderr; --verbose adds stage times
    site = tmp_path / "big"
    for n in range(520):
        path = site / "content" / f"2015-11-{1 + n % 28:02d}-item-{n}.md"
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(f"---\ntitle: Item {n}\npeople: [Person {n % 7}]\n---\nText {n}.\n", encoding="utf-8")
    done = run_digest("build", "big", "--verbose", "--no-cache", cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    lines = done.stderr.splitlines()
    assert "parse: 520/520" in lines
    done_, total = [line for line in lines if line.startswith("render: ")][-1][len("render: "):].split("/")
    assert done_ == total and int(total) >= 520
    assert re.search(r"^  config [\d.]+ s, parse [\d.]+ s, model [\d.]+ s, render [\d.]+ s, write [\d.]+ s, search [\d.]+ s$",
                     done.stdout, re.MULTILINE), done.stdout
    quiet = run_digest("build", "big", "--quiet", "--no-cache", "--clean", cwd=tmp_path)
    assert (quiet.returncode, quiet.stdout, quiet.stderr) == (0, "", "")


def test_on_a_terminal_progress_is_a_bar_redrawn_in_place(capsys: pytest.CaptureFixture[str]) -> None:
    from digest.commands.cli import _ProgressPrinter

    printer = _ProgressPrinter(terminal=True)
    printer("parse", 300, 1000)
    printer("parse", 1000, 1000)
    printer("render", 10, 100)  # too short a stage to show
    err = capsys.readouterr().err
    assert err == ("\rparse  [#########---------------------]  30% 300/1000"
                   "\rparse  [##############################] 100% 1000/1000\r\x1b[K")


@pytest.mark.parametrize("jobs", ["1", "2"])
def test_a_template_error_at_render_time_is_reported_once(tmp_path: Path, jobs: str) -> None:
    # every article page fails the same way: one report, naming the template and line, in
    # one process or in several
    site = tmp_path / "site"
    for n in range(450):
        path = site / "content" / f"2015-11-{1 + n % 28:02d}-item-{n}.md"
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(f"---\ntitle: Item {n}\n---\nText {n}.\n", encoding="utf-8")
    (site / "templates").mkdir()
    (site / "templates/article.html").write_text(
        '{% extends "base.html" %}\n{% block main %}\n<h1>{{ article.title }}</h1>\n'
        "{{ (1 / 0) if article }}\n{% endblock %}\n", encoding="utf-8")
    done = run_digest("build", "site", "--jobs", jobs, "--no-cache", "--quiet", cwd=tmp_path)
    assert done.returncode == 1, done.stderr
    assert "Traceback" not in done.stderr
    lines = done.stderr.splitlines()
    assert lines[0] == "templates/article.html:4: template error: division by zero", lines
    assert lines[1].startswith("    Check the template on this line (it failed rendering /2015/11/item-")
    assert lines[-1] == "digest: 1 problem in 1 file. Nothing was written; site/output/ is unchanged."
    assert not (site / "output").exists()


def test_a_control_character_in_a_body_is_dropped_with_a_warning_or_refused_with_strict(tmp_path: Path) -> None:
    # a backspace pasted into a paragraph of an old article: the build goes on; `--strict` stops it
    site = tmp_path / "site"
    (site / "content").mkdir(parents=True)
    (site / "content" / "2019-05-02-old.md").write_text("---\ntitle: Old\n---\n\nIn 2019 the\x08 report said.\n",
                                                        encoding="utf-8")
    message = ("content/2019-05-02-old.md:5: warning: the body holds 1 invisible control character (U+0008), "
               "left out of the page\n    Delete them: most editors do not show them, so retype the text around "
               "them. `digest build --strict` refuses them.\n")
    done = run_digest("build", "site", cwd=tmp_path)
    assert done.returncode == 0 and done.stderr == message
    assert "In 2019 the report said." in (site / "output/2019/05/old/index.html").read_text(encoding="utf-8")
    strict = run_digest("build", "site", "--strict", cwd=tmp_path)
    assert strict.returncode == 1
    assert strict.stderr.startswith(message.replace("warning: ", ""))


def test_the_program_ends_with_its_output_flushed_and_its_status(site: Path) -> None:
    built = run_digest("build", ".", cwd=site)
    assert built.returncode == 0 and " written, " in built.stdout
    assert run_digest("build", "no-such-site", cwd=site).returncode == 2
    # the way out skips Python's shutdown: what was printed still reaches a pipe, and `sys.exit("why")` is kept
    probe = "from digest.__main__ import _end\nprint('printed before', end='')\n_end('why it ended')"
    buffered = {name: value for name, value in os.environ.items() if name != "PYTHONUNBUFFERED"}
    done = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, timeout=TIMEOUT,
                          stdin=subprocess.DEVNULL, env=buffered)
    assert (done.returncode, done.stdout, done.stderr) == (1, "printed before", "why it ended\n")
