"""Property-based tests of content parsing: hostile front matter, bodies and file names.

Every generated site either builds, and then every internal link and fragment of the
result leads somewhere (what `digest check` verifies) and its feeds and sitemap are
well-formed XML, or the build stops with `DigestError` and problems written for authors
(a path, a one-line message, no Python reprs). Nothing else may escape, and nothing may
hang: each build runs under an alarm, and the YAML bombs must be refused quickly.

Hypothesis runs derandomized, so CI sees the same examples each time. The default
profile keeps the whole file to a few seconds; the `slow` tests try many more examples.
"""

from __future__ import annotations

import contextlib
import datetime
import json
import os
import re
import signal
import subprocess
import sys
import tempfile
import time
import urllib.parse
import xml.etree.ElementTree as ET
from collections.abc import Iterator
from pathlib import Path
from types import FrameType
from zoneinfo import ZoneInfo

import pytest
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

import digest
from digest.commands.check import attribute
from digest.read.config import load_config
from digest.read.content import parse_article
from digest.read.dates import DateProblem, parse_date
from digest.commands.links import check_links
from digest.model import SiteConfig, SourceFile
from digest.read.names import slugify
from digest.read.yamlread import MAX_VALUES, UNSHOWABLE, YamlProblem, load_yaml

NOW = datetime.datetime(2020, 1, 1, tzinfo=datetime.timezone.utc)
BUILD_SECONDS = 20  # a build of three small articles takes a few hundredths of a second
CONFIG = "title: Fuzz Digest\nbase_url: https://example.org/\nsearch: false\n"
FAST = settings(max_examples=25, deadline=None, derandomize=True, database=None,
                suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large,
                                       HealthCheck.function_scoped_fixture])
MANY = settings(FAST, max_examples=300)

# --------------------------------------------------------------------------------------
# Text: the characters authors paste in, and the ones that arrive by accident

ASCII = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789 -_.,:;'\"!?()[]{}#*&|>@`%\\/<="
RTL = "\u05e9\u05dc\u05d5\u05dd \u0645\u0631\u062d\u0628\u0627 \u200f\u202b\u202e"  # Hebrew, Arabic, marks
COMBINING = "\u0301\u0308\u0327\u20dd\u0f7c"  # acute, diaeresis, cedilla, enclosing circle, Tibetan
EMOJI = "\U0001F600\U0001F1FA\U0001F1F8\U0001F468\u200d\U0001F469\ufe0f\u2764"
CONTROL = "\x00\x01\x07\x08\x0b\x0c\x1b\x1f\x7f\x85\x9f\ufeff\ufffe\uffff"
OTHER = "Путин Ελλάδα 東京 Erdoğan Ya'alon “quoted” – — …\t"

nice_chars = st.sampled_from(ASCII + RTL + COMBINING + EMOJI + OTHER)
chars = st.sampled_from(ASCII + RTL + COMBINING + EMOJI + CONTROL + OTHER) | st.characters(
    blacklist_categories=("Cs",))
words = st.text(nice_chars, max_size=24)  # text an author means to write
anything = st.text(chars, max_size=12)  # and text with anything in it
names = st.text(st.sampled_from(ASCII[:62] + RTL + COMBINING + EMOJI + OTHER), min_size=1, max_size=20)


def yaml_scalar(text: str, style: str) -> str:
    """`text` written as a YAML scalar of the given style (which may not read back as `text`)."""
    if style == "double":
        return json.dumps(text, ensure_ascii=False)  # JSON strings are YAML double-quoted ones
    if style == "single":
        return "'" + text.replace("'", "''") + "'"
    if style == "block":
        return "|\n" + "".join(f"  {line}\n" for line in text.split("\n")).rstrip("\n")
    return text.replace("\n", " ")


scalars = st.builds(yaml_scalar, words | words | anything, st.sampled_from(["plain", "double", "single", "block"]))
lists = st.lists(scalars, max_size=4).map(lambda items: "[" + ", ".join(items) + "]") | st.lists(
    scalars, max_size=4).map(lambda items: "".join(f"\n  - {item}" for item in items))

# --------------------------------------------------------------------------------------
# Hostile YAML, written by hand

LAUGHS = ('a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]\n'
          + "".join(f"{c}: &{c} [{', '.join(['*' + p] * 9)}]\n" for p, c in zip("abcdefghi", "bcdefghij")))
BOMBS = {  # front matter lines whose value is refused, by the key the bomb sits under
    "extra": LAUGHS + "extra: *j\n",
    "people": LAUGHS + "people: *j\n",
    "title": LAUGHS + "title: *j\n",
    "mapping": "m0: &m0 {a: [x, x, x, x, x, x, x, x, x, x]}\n"  # mappings of ten aliases each
               + "".join(f"m{i}: &m{i} {{{', '.join(f'k{k}: *m{i - 1}' for k in range(10))}}}\n"
                         for i in range(1, 7)) + "extra: {deep: *m6}\n",
}
HOSTILE = [
    *BOMBS.values(),
    "r: &r [*r]\n",  # refers to itself
    "m: &m {self: *m}\n",
    "people: &p [Vladimir Putin, *p]\n",
    "title: !!python/object/apply:os.system ['echo pwned']\n",
    "title: !!python/name:os.system\n",
    "extra: !!python/object:collections.OrderedDict {}\n",
    "image: !!binary aGVsbG8=\n",
    "extra: !!set {a, b}\n",
    "extra: !!omap [a: 1, b: 2]\n",
    "date: !!timestamp 2015-02-30\n",
    "date: !!timestamp 2015-11-30\n",
    "draft: !!bool maybe\n",
    "title: !!int abc\n",
    "title: !!float 1e400\n",
    "title: !!str [a, b]\n",
    "title: !custom x\n",
    "date: 2015-02-30\n",
    "date: 2016-02-29\n",
    "date: 2015-13-01\n",
    "date: 2015-11-30T25:00:00\n",
    "date: 2015-11-30T14:05:00+24:00\n",
    "date: 0001-01-01T00:00:00+05:00\n",
    "date: 9999-12-31T23:00:00-05:00\n",
    "updated: 9999-12-31\n",
    "date: 0000-00-00\n",
    "date: Mon, 31 Feb 2015 14:05:00 +0200\n",
    "date: \"٢٠١٥-١١-٣٠\"\n",
    "date: yesterday\n",
    "date: [2015-11-30]\n",
    "date: {y: 2015}\n",
    "title: 1984\n",
    "title: 3.14e-10\n",
    "title: true\n",
    "title: ~\n",
    "title: []\n",
    "title: {a: 1}\n",
    "title: [Paris, talks]\n",
    "slug: 42\n",
    "slug: ../../etc\n",
    "slug: \"\u05e9\u05dc\u05d5\u05dd\"\n",
    "people: [[Vladimir Putin, [Benjamin Netanyahu]], {name: x}]\n",
    "people:\n  - - a\n    - b\n  - - - c\n",
    "topics: [NO, yes, 1_000, 0x1F, ~, '', '!!!']\n",
    "people: Vladimir Putin\n",
    "aliases: [/old/, ../x, [a], {b: c}, 5, /%2e%2e/]\n",
    "image: ../../../etc/passwd\n",
    "image: javascript:alert(1)\n",
    "source_url: javascript:alert(1)\n",
    "title: \"a\\0b\"\n",
    "summary: \"escape \\e[31m red\"\n",
    "title: \"\\uffff\"\n",
    "title: \"\\ud800\"\n",
    "title: \"\\q\"\n",
    "\"k\\x07\": 1\n",
    "? [a, b]\n: c\n",
    "<<: {title: merged}\n",
    "title: x\ntitle: y\n",
    "d: " + "[" * 150 + "]" * 150 + "\n",
    "d: " + "[" * 99 + "]" * 99 + "\n",
    "title: " + "long " * 100_000 + "\n",
    "people: [" + ", ".join(f"Person {i}" for i in range(300)) + "]\n",
    "summary: " + "\u0301" * 10_000 + "\n",
    "title: \u202eevil\u202c \U0001F600 e\u0301\u0301\u0301\n",
]

# --------------------------------------------------------------------------------------
# Front matter and bodies

TITLE_DATE = "title: A Headline\ndate: 2015-11-30\n"
keys = st.sampled_from(["title", "date", "people", "topics", "source", "source_url", "summary", "slug", "draft",
                        "updated", "image", "image_alt", "aliases", "extra", "rank", "région", "x y"])
dates = st.sampled_from(["2015-11-30", "2015-11-30 14:05", "2015-11-30T14:05:00+02:00", "2015-11-30T14:05:00Z",
                         "2015-11-30 9:05:00 +0200", "Mon, 30 Nov 2015 14:05:00 +0200", "2015-02-30", "30/11/2015",
                         "2016-02-29T23:59:59-23:59"])
key_lines = st.one_of(
    st.tuples(keys, scalars).map(lambda kv: f"{kv[0]}: {kv[1]}\n"),
    st.tuples(st.sampled_from(["summary", "source", "extra", "image_alt"]), scalars).map(
        lambda kv: f"{kv[0]}: {kv[1]}\n"),
    st.tuples(st.sampled_from(["people", "topics", "aliases", "title"]), lists).map(lambda kv: f"{kv[0]}: {kv[1]}\n"),
    st.tuples(st.sampled_from(["date", "updated"]), dates).map(lambda kv: f"{kv[0]}: {kv[1]}\n"),
    st.sampled_from(HOSTILE),
)
front_matters = st.tuples(st.sampled_from([True, True, True, False]), st.lists(key_lines, max_size=6)).map(
    lambda t: (TITLE_DATE if t[0] else "") + "".join(t[1]))

body_lines = st.one_of(
    words,
    anything,
    words.map(lambda w: f"## {w}"),
    st.tuples(words, st.sampled_from(["/", "#top", "#", "/people/", "/topics/", "/2015/11/other/",
                                      "https://example.org/", "../other.md", "img.png", " ", "/nowhere/#x"])).map(
        lambda t: f"[{t[0]}]({t[1]})"),
    words.map(lambda w: f"> {w}\n> > {w}"),
    words.map(lambda w: f"- {w}\n  - {w}\n    1. {w}"),
    words.map(lambda w: f"| a | {w} |\n| - | - |\n| {w} | b |"),
    words.map(lambda w: f"{w}[^1]\n\n[^1]: {w}"),
    words.map(lambda w: f"```{w.split()[0] if w.split() else ''}\n{w}\n```"),
    words.map(lambda w: f"<div>{w}</div>"),
    words.map(lambda w: f"~~{w}~~ *{w}* **{w}** `{w}`"),
    st.sampled_from(["---", "***", "<!--", "]]>", "&amp; &#0; &#xD800; &#x110000;", "\\", "`" * 10]),
)
bodies = st.lists(body_lines, max_size=6).map("\n\n".join)


def article(front: str, body: str) -> str:
    """A Markdown file: front matter between `---` lines, then the body."""
    return f"---\n{front}---\n{body}\n"


# --------------------------------------------------------------------------------------
# The oracle


class Hang(Exception):
    """A build that did not finish within its time."""


@contextlib.contextmanager
def time_limit(seconds: int) -> Iterator[None]:
    """Raise `Hang` in this thread when the block takes longer than `seconds`."""

    def ring(signum: int, frame: FrameType | None) -> None:
        raise Hang(f"no result after {seconds} s")

    previous = signal.signal(signal.SIGALRM, ring)
    signal.alarm(seconds)
    try:
        yield
    finally:
        signal.alarm(0)
        signal.signal(signal.SIGALRM, previous)


def write_site(root: Path, files: dict[str | bytes, str | bytes]) -> Path:
    """A site of `digest.yaml` and `files` (paths relative to the site; bytes paths as they are)."""
    root.mkdir(parents=True, exist_ok=True)
    (root / "digest.yaml").write_text(CONFIG, encoding="utf-8")
    for rel, text in files.items():
        path = os.path.join(os.fsencode(root), os.fsencode(rel))
        os.makedirs(os.path.dirname(path), exist_ok=True)
        with open(path, "wb") as f:
            f.write(text.encode("utf-8") if isinstance(text, str) else text)
    return root


def assert_reported_well(problems: tuple[digest.Problem, ...]) -> None:
    """Problems as the contract writes them: a known file, one line of message, no Python internals."""
    assert any(p.severity == "error" for p in problems), problems
    for problem in problems:
        shown = str(problem)
        assert problem.message and "\n" not in problem.message, shown
        assert problem.path is None or problem.path == "digest.yaml" or problem.path.startswith("content/"), shown
        for leak in ("Traceback", "<class", "object at 0x"):
            assert leak not in problem.message, shown
        assert not problem.message.startswith(("its page ", "the page ")), f"a broken link: {shown}"


def outcome(site: Path, scratch: Path) -> str:
    """Build `site` and check the result as `digest check` does: "built", or "refused" with good problems."""
    output = scratch / "output"
    try:
        with time_limit(BUILD_SECONDS):
            result = digest.build(site, digest.BuildOptions(output_dir=str(output), now=NOW, jobs=1,
                                                            index_search=False))
    except digest.DigestError as exc:
        assert_reported_well(exc.problems)
        assert not output.exists(), "a failed build wrote output"
        return "refused"
    config, _ = load_config(site, None)
    for link in check_links(output, config.base_path, 1):
        # a link the author wrote may lead nowhere: `digest check` reports it on its file
        found = attribute(link, result.sources, site)
        written = re.match(r"links to (\S+?)(?:,| \(| on )", link.message)  # as commands/check.py reads it
        source = (site / found.path).read_text(encoding="utf-8") if found.path else ""
        last = re.split(r"[/#]", urllib.parse.unquote(written.group(1)).rstrip("/"))[-1] if written else None
        assert found.path and last is not None and last in source, str(link)  # the image's or link's own text
    for feed in [*output.rglob("*.xml")]:
        ET.parse(feed)  # an Atom feed or sitemap that a reader can parse
    for page in output.rglob("*.html"):
        page.read_text(encoding="utf-8")
    return "built"


def fresh(tmp_path: Path) -> Path:
    """A new empty folder under `tmp_path`, one per Hypothesis example."""
    return Path(tempfile.mkdtemp(dir=tmp_path))


# --------------------------------------------------------------------------------------
# Whole sites


@FAST
@given(front=front_matters, body=bodies)
def test_an_article_builds_or_is_reported(tmp_path: Path, front: str, body: str) -> None:
    scratch = fresh(tmp_path)
    site = write_site(scratch / "site", {
        "content/2015/2015-11-30-fuzzed.md": article(front, body),
        "content/2015/2015-11-24-other.md": article("title: Other\npeople: [Vladimir Putin]\n", "Text."),
    })
    event(outcome(site, scratch))


@pytest.mark.parametrize("front", HOSTILE, ids=lambda f: f[:40])
def test_each_hostile_fragment_builds_or_is_reported(tmp_path: Path, front: str) -> None:
    # a key given twice is a warning, and the fragment's value wins
    site = write_site(tmp_path / "site", {"content/a.md": article(TITLE_DATE + front, "Text.")})
    started = time.perf_counter()
    outcome(site, tmp_path)
    assert time.perf_counter() - started < 5


@pytest.mark.parametrize("key", sorted(BOMBS))
def test_a_billion_laughs_is_refused_quickly(tmp_path: Path, key: str) -> None:
    site = write_site(tmp_path / "site", {"content/a.md": article("date: 2015-11-30\n" + BOMBS[key]
                                                                  + ("" if key == "title" else "title: x\n"), "Text.")})
    started = time.perf_counter()
    with pytest.raises(digest.DigestError) as caught:
        with time_limit(BUILD_SECONDS):
            digest.build(site, digest.BuildOptions(output_dir=str(tmp_path / "out"), now=NOW, jobs=1))
    assert time.perf_counter() - started < 2
    [problem] = caught.value.problems
    assert (problem.path, problem.message) == (
        "content/a.md", f"the aliases (`*name`) here expand to more than {MAX_VALUES} values")
    assert problem.hint == "Write the value out instead of repeating anchors (`&name`) with aliases (`*name`)."
    assert problem.line is not None and 3 <= problem.line <= 14


@FAST
@given(title=words, people=st.lists(names, max_size=4), body=words)
def test_unicode_values_that_are_text_build(tmp_path: Path, title: str, people: list[str], body: str) -> None:
    # values written in double quotes, so they are read exactly; control characters are refused
    front = (f"title: {json.dumps(title or 'x', ensure_ascii=False)}\ndate: 2015-11-30\n"
             f"people: {json.dumps(people, ensure_ascii=False)}\n")
    scratch = fresh(tmp_path)
    site = write_site(scratch / "site", {"content/fuzzed.md": article(front, body)})
    # characters no page can show, and (written as they are in front matter) those YAML refuses
    shown = (UNSHOWABLE.search(title + "".join(people) + body) is not None
             or re.search("[\x7f-\x84\x86-\x9f]", title + "".join(people)) is not None)
    no_slug = any(not slugify(" ".join(name.split())) for name in people)
    result = outcome(site, scratch)
    event(result)
    if not shown and not no_slug and (title or "x").strip():
        assert result == "built"
    if shown:
        assert result == "refused"


# --------------------------------------------------------------------------------------
# File names

BAD_BYTES = [b"\xff", b"caf\xe9", b"\xed\xa0\x80", b"\xc3", b"\x80abc"]
name_chars = st.sampled_from(ASCII[:62] + " -_.'" + RTL + COMBINING + EMOJI + "Путин東京\t\x07")
stems = st.tuples(st.sampled_from(["", "2015-11-30-", "2015-02-30-", "2015-11-30"]), st.text(name_chars, max_size=30))


def file_name(prefix: str, stem: str, raw: bytes | None) -> bytes:
    """A file name for an article, in bytes: `stem` as UTF-8, with `raw` bytes of another encoding."""
    return os.fsencode(prefix + stem) + (raw or b"") + b".md"


file_names = st.builds(file_name, stems.map(lambda t: t[0]), stems.map(lambda t: t[1]),
                       st.none() | st.sampled_from(BAD_BYTES))
folders = st.sampled_from([b"content/", b"content/2015/", b"content/\xd7\xa9 \xf0\x9f\x98\x80/",
                           b"content/\xff/", b"content/people/", b"content/topics/"])


@FAST
@given(folder=folders, name=file_names)
def test_any_file_name_builds_or_is_reported(tmp_path: Path, folder: bytes, name: bytes) -> None:
    if len(name) > 255 or b"/" in name:
        return  # no file system takes it
    scratch = fresh(tmp_path)
    text = article(TITLE_DATE + "topics: [Syria]\n", "Text with [a link](#top).") if not folder.endswith(
        (b"people/", b"topics/")) else article("name: Someone\n", "About them.")
    site = write_site(scratch / "site", {folder + name: text,
                                         "content/2015-11-24-other.md": article("title: Other\n", "Text.")})
    result = outcome(site, scratch)
    event(result)
    if b"\xff" in folder or any(bad in name for bad in BAD_BYTES):
        assert result == "refused"


@pytest.mark.parametrize("name", [b"content/\xff.md", b"content/\xff/a.md", b"content/caf\xe9-paris.md"])
def test_a_file_name_in_another_encoding_is_reported(tmp_path: Path, name: bytes) -> None:
    site = write_site(tmp_path / "site", {name: article(TITLE_DATE, "Text.")})
    with pytest.raises(digest.DigestError) as caught:
        digest.build(site, digest.BuildOptions(output_dir=str(tmp_path / "out"), now=NOW, jobs=1))
    [problem] = caught.value.problems
    assert (problem.path, problem.line, problem.message) == (
        os.fsdecode(name), None, "the file's path is not UTF-8")


# --------------------------------------------------------------------------------------
# The command line


CLI_CASES = [
    ("bomb", {"content/a.md": article("title: x\ndate: 2015-11-30\n" + BOMBS["extra"], "Text.")}),
    ("self-reference", {"content/a.md": article(TITLE_DATE + "r: &r [*r]\n", "Text.")}),
    ("python-tag", {"content/a.md": article(TITLE_DATE + "extra: !!python/object/apply:os.system [ls]\n", "x")}),
    ("deep", {"content/a.md": article(TITLE_DATE + "d: " + "[" * 990 + "]" * 990 + "\n", "Text.")}),
    ("nul-escape", {"content/a.md": article("title: \"a\\0b\"\ndate: 2015-11-30\n", "Text.")}),
    ("control-in-body", {"content/a.md": article(TITLE_DATE, "red \x1b[31m text \ufffe")}),
    ("year-9999", {"content/a.md": article("title: x\ndate: 9999-12-31T23:00:00-05:00\n", "Text.")}),
    ("bad-timestamp", {"content/a.md": article("title: x\ndate: !!timestamp 2015-02-30\n", "Text.")}),
    ("bad-bool", {"content/a.md": article(TITLE_DATE + "draft: !!bool maybe\n", "Text.")}),
    ("not-utf8-folder", {b"content/\xff/a.md": article(TITLE_DATE, "Text.")}),
    ("unicode-names", {"content/\u05e9\u05dc\u05d5\u05dd e\u0301 \U0001F600.md": article(
        TITLE_DATE + "people: [\u05e9\u05dc\u05d5\u05dd, Erdoğan, \U0001F600 x]\n", "\u202eText \U0001F600.")}),
    ("good", {"content/2015-11-30-a.md": article("title: A\npeople: [Vladimir Putin]\n", "[b](/2015/11/b/)"),
              "content/2015-11-30-b.md": article("title: B\n", "[a](/2015/11/a/#top)")}),
]


# a body's control characters are dropped with a warning: the site builds
@pytest.mark.parametrize(("files", "status"), [(files, 0 if name in ("good", "unicode-names", "control-in-body") else 1)
                                               for name, files in CLI_CASES], ids=[n for n, _ in CLI_CASES])
def test_the_command_reports_without_a_traceback(tmp_path: Path, files: dict[str | bytes, str | bytes],
                                                 status: int) -> None:
    site = write_site(tmp_path / "site", files)
    run = subprocess.run([sys.executable, "-m", "digest", "build", "."], cwd=site, capture_output=True,
                         text=True, errors="replace", timeout=60, stdin=subprocess.DEVNULL)
    assert "Traceback" not in run.stderr
    assert run.returncode == status, run.stderr
    if status:
        *problems, summary = run.stderr.rstrip("\n").split("\n")
        assert summary.startswith("digest: 1 problem in 1 file."), run.stderr
        assert problems[0].startswith("content/") and not problems[1].startswith(" " * 5), run.stderr
        assert problems[1].startswith("    "), run.stderr
        assert not (site / "output").exists()


# --------------------------------------------------------------------------------------
# The readers alone: many more examples, no site


@MANY
@given(text=st.text(chars, max_size=300) | st.lists(key_lines, max_size=6).map("".join))
def test_load_yaml_returns_or_explains(text: str) -> None:
    started = time.perf_counter()
    try:
        load_yaml(text, first_line=2)
    except YamlProblem as exc:
        assert exc.message and "\n" not in exc.message
        assert exc.line is None or 2 <= exc.line <= 2 + text.count("\n") + len(text), (exc.line, exc.message)
    assert time.perf_counter() - started < 2


@MANY
@given(value=st.text(chars, max_size=40) | dates | st.from_regex(
    r"\d{4}-\d{1,2}-\d{1,2}([T ]\d{1,2}:\d{2}(:\d{2})?( ?([+-]\d{2}(:?\d{2})?|Z))?)?", fullmatch=True),
       zone=st.sampled_from(["UTC", "Pacific/Kiritimati", "Pacific/Pago_Pago", "Asia/Kathmandu"]))
def test_parse_date_returns_a_showable_date_or_explains(value: str, zone: str) -> None:
    try:
        parsed = parse_date(value, ZoneInfo(zone))
    except DateProblem as exc:
        assert str(exc) and "\n" not in str(exc)
        return
    assert parsed.tzinfo is not None
    parsed.astimezone(datetime.timezone.utc).astimezone(ZoneInfo(zone)).isoformat()


@MANY
@given(data=st.binary(max_size=200) | st.builds(article, front_matters, bodies).map(
    lambda text: text.encode("utf-8", "surrogatepass")))
def test_parse_article_returns_an_article_or_problems(data: bytes) -> None:
    source = SourceFile(path="content/2015-11-30-fuzzed.md", abs_path="/nonexistent", kind="article")
    config = SiteConfig()
    with time_limit(BUILD_SECONDS):
        parsed, problems = parse_article(source, data, config, config.url_for)
    errors = [p for p in problems if p.severity == "error"]
    assert (parsed is None) == bool(errors)
    for problem in problems:
        assert problem.path == source.path and problem.message and "\n" not in problem.message, str(problem)


@MANY
@given(name=st.text(chars, max_size=60))
def test_slugs_are_ascii_url_segments(name: str) -> None:
    slug = slugify(name)
    assert slug == "" or all(c in "abcdefghijklmnopqrstuvwxyz0123456789-" for c in slug), slug


# --------------------------------------------------------------------------------------
# Longer runs


@pytest.mark.slow
@settings(FAST, max_examples=400)
@given(front=front_matters, body=bodies, other=front_matters)
def test_many_sites_build_or_are_reported(tmp_path: Path, front: str, body: str, other: str) -> None:
    scratch = fresh(tmp_path)
    site = write_site(scratch / "site", {"content/2015/fuzzed.md": article(front, body),
                                         "content/people/vladimir-putin.md": article(other, body),
                                         "content/2015-11-24-other.md": article(TITLE_DATE + other, "Text.")})
    event(outcome(site, scratch))
