"""`digest build` with nothing to do, answered from the last good build's record before digest is loaded.

The record (`incremental/unchanged.py`) must say "unchanged" only when the build would find nothing
changed: every kind of change below makes it say no, and then the build runs and records again.
`test_incremental.py` holds it to the build's own route over random edits.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

import digest
from digest.commands import quick
from digest.incremental import unchanged
from digest.render.theme import builtin_theme_dir
from digest.write.output import MARKER, display_path

ARTICLE = "---\ntitle: A\ndate: 2015-11-30\npeople: [Ada Lovelace]\n---\nText.\n"
WARNED = "---\ntitle: B\ntitle: B again\ndate: 2015-11-29\n---\nMore text.\n"  # a warning: title given twice


def age(site: Path) -> None:
    """Move every file and folder of the site an hour into the past (a new hour each time), as if edited long
    before the build: files edited just before a build are not trusted by their times, and get no record."""
    past = time.time() - 3600 + next(_AGED)
    for path in [site, *site.rglob("*")]:
        if unchanged.CACHE_DIR not in path.parts and "output" not in path.parts:
            os.utime(path, (past, past))


_AGED = iter(range(10**9))


@pytest.fixture
def site(make_site: Any) -> Path:
    """A small site built once with the cache, as the command line builds it."""
    root = make_site({"content/2015-11-30-a.md": ARTICLE, "content/2015-11-29-b.md": WARNED,
                      "content/2015-11-30-a.jpg": "not really a picture", "static/site.css": "body {}\n",
                      "digest.yaml": "title: T\nsearch: false\n"})
    (root / "content" / "empty").mkdir()
    age(root)
    digest.build(root, digest.BuildOptions(), digest.BuildCache(root))
    return root


def said(site: Path, now_ns: int | None = None, hand_over: bool = False, **options: Any) -> dict[str, Any] | None:
    return unchanged.check(str(site), unchanged.key(str(site), options.get("output"), options.get("drafts", False),
                                                    options.get("future", False), options.get("strict", False)),
                           now_ns, hand_over)


def test_the_record_holds_what_the_build_reported(site: Path) -> None:
    report = said(site)
    assert report is not None
    assert report["counts"] == "2 articles, 1 person, 0 topics"
    assert report["files"] == len([p for p in (site / "output").rglob("*") if p.is_file()]) - 1  # (not the marker)
    assert report["warnings"] == ["content/2015-11-29-b.md:3: warning: `title` is given twice (lines 2, 3)\n"
                                  "    Remove the one you do not mean; the last one is used."]


def _rewrite(path: Path, text: str) -> None:
    path.write_text(text, encoding="utf-8")


EDITS: dict[str, Callable[[Path], object]] = {
    "a body edited": lambda s: _rewrite(s / "content/2015-11-30-a.md", ARTICLE + "More.\n"),
    "an article added to an empty folder": lambda s: _rewrite(s / "content/empty/2015-11-28-c.md", ARTICLE),
    "an article removed": lambda s: (s / "content/2015-11-30-a.md").unlink(),
    "an image replaced": lambda s: _rewrite(s / "content/2015-11-30-a.jpg", "another picture"),
    "the settings edited": lambda s: _rewrite(s / "digest.yaml", "title: Other\nsearch: false\n"),
    "a folder of templates made": lambda s: (s / "templates").mkdir(),
    "a theme made": lambda s: (s / "themes" / "default" / "templates").mkdir(parents=True),
    "a static file edited": lambda s: _rewrite(s / "static/site.css", "body { margin: 0 }\n"),
    "a static file added": lambda s: _rewrite(s / "static/more.css", "p {}\n"),
    "a template of the default theme touched": lambda s: os.utime(builtin_theme_dir() / "templates" / "base.html"),
    "the output written by another build": lambda s: digest.build(s, digest.BuildOptions(base_url="https://x.org/")),
    "the output removed": lambda s: shutil.rmtree(s / "output"),
    "a hidden file added (which the build would skip)": lambda s: _rewrite(s / "content/.notes", "x"),
}


@pytest.mark.parametrize("edit", EDITS)
def test_any_change_is_seen_and_the_next_build_records_again(site: Path, edit: str) -> None:
    theme_file = builtin_theme_dir() / "templates" / "base.html"
    kept = theme_file.stat()
    try:
        EDITS[edit](site)
        assert said(site) is None
    finally:
        os.utime(theme_file, ns=(kept.st_atime_ns, kept.st_mtime_ns))
    age(site)
    digest.build(site, digest.BuildOptions(), digest.BuildCache(site))
    assert said(site) is not None


def test_other_options_are_not_answered(site: Path, tmp_path: Path) -> None:
    assert said(site) is not None
    assert said(site, drafts=True) is None and said(site, future=True) is None and said(site, strict=True) is None
    assert said(site, output=str(site / "output")) is None  # named: the command checks it as given, not as its own
    elsewhere = tmp_path / "elsewhere"
    digest.build(site, digest.BuildOptions(output_dir=str(elsewhere)), digest.BuildCache(site))
    assert said(site, output=str(elsewhere)) is not None
    assert said(site) is None  # (one record: the last build's)


def test_a_file_edited_just_before_the_build_leaves_no_record(site: Path) -> None:
    _rewrite(site / "content/2015-11-30-a.md", ARTICLE + "Now.\n")
    digest.build(site, digest.BuildOptions(), digest.BuildCache(site))
    assert not (site / unchanged.CACHE_DIR / unchanged.RECORD).exists()  # its time may not tell a next edit
    digest.build(site, digest.BuildOptions(), digest.BuildCache(site))  # nothing changed, and it is still too new
    assert said(site) is None
    age(site)
    digest.build(site, digest.BuildOptions(), digest.BuildCache(site))
    assert said(site) is not None


def test_a_build_of_other_options_or_without_the_cache_leaves_no_record(site: Path) -> None:
    record = site / unchanged.CACHE_DIR / unchanged.RECORD
    for options in (digest.BuildOptions(base_url="https://elsewhere.example/"), digest.BuildOptions(in_place=True),
                    digest.BuildOptions(index_search=False)):
        digest.build(site, options, digest.BuildCache(site))
        assert not record.exists(), options
        age(site)
        digest.build(site, digest.BuildOptions(), digest.BuildCache(site))
        assert record.exists()


def test_an_article_dated_in_the_future_ends_the_record_when_it_comes_due(site: Path) -> None:
    _rewrite(site / "content/2099-01-01-later.md", ARTICLE.replace("2015-11-30", "2099-01-01"))
    age(site)
    digest.build(site, digest.BuildOptions(), digest.BuildCache(site))
    assert said(site) is not None
    due = unchanged.read(str(site))["due"]  # type: ignore[index]
    assert due == 4_070_908_800_000_000  # 2099-01-01, UTC, in microseconds
    assert said(site, now_ns=due * 1000 - 1) is not None
    assert said(site, now_ns=due * 1000) is None


def test_digest_s_own_code_is_part_of_the_record(site: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    code = tmp_path / "code"
    (code / "stage").mkdir(parents=True)
    module = code / "stage" / "module.py"
    module.write_text("x = 1\n")
    monkeypatch.setattr(unchanged, "_PACKAGE", str(code))
    age(code)
    digest.build(site, digest.BuildOptions(), digest.BuildCache(site))
    assert said(site) is not None
    kept = module.stat()
    module.write_text("x = 2\n")
    assert said(site) is None
    module.write_text("x = 1\n")
    os.utime(module, ns=(kept.st_atime_ns, kept.st_mtime_ns))
    assert said(site) is not None
    (code / "stage" / "other.py").write_text("")
    assert said(site) is None


def _files(root: Path) -> dict[str, bytes]:
    return {p.relative_to(root).as_posix(): p.read_bytes() for p in sorted(root.rglob("*"))
            if p.is_file() and p.name != MARKER}


def test_when_only_sources_changed_the_build_takes_them_from_the_check(
        site: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The check stamps every source; when only sources changed, the build takes its sources, the files beside
    them and the folders' times from it and the record instead of walking `content/` again, and makes what a build
    that walks makes: the same output, warnings and record."""
    (site / "content" / "people").mkdir()
    _rewrite(site / "content/people/ada-lovelace.md", "---\nname: Ada Lovelace\n---\nA mathematician.\n")
    age(site)
    walked = digest.build(site, digest.BuildOptions(), digest.BuildCache(site))
    assert said(site) is not None
    EDITS["a body edited"](site)
    _rewrite(site / "content/people/ada-lovelace.md", "---\nname: Ada Lovelace\n---\nShe wrote programs.\n")
    for edited in ("content/2015-11-30-a.md", "content/people/ada-lovelace.md"):  # (their folders' times stay)
        os.utime(site / edited, (time.time() - 7200, time.time() - 7200))
    assert said(site, hand_over=True) is None  # (and what it found is left for the build that follows)

    import digest.incremental.inputs as inputs

    def no_walk(*args: Any, **kwargs: Any) -> Any:
        raise AssertionError("content/ was walked again")

    with monkeypatch.context() as patched:
        patched.setattr(inputs, "scan", no_walk)
        taken = digest.build(site, digest.BuildOptions(), digest.BuildCache(site))
    assert taken.warnings == walked.warnings
    assert unchanged.scanned(site, digest.BuildOptions()) is None  # (taken once)
    record = unchanged.read(str(site))
    clean = digest.build(site, digest.BuildOptions(output_dir=str(tmp_path / "clean")))
    assert _files(site / "output") == _files(tmp_path / "clean") and clean.warnings == taken.warnings
    shutil.rmtree(site / unchanged.CACHE_DIR)
    digest.build(site, digest.BuildOptions(), digest.BuildCache(site))  # (walks content/ again)
    assert unchanged.read(str(site)) == {**record, "marker": unchanged.read(str(site))["marker"]}  # type: ignore


def test_the_command_builds_from_what_its_check_found(site: Path, tmp_path: Path,
                                                      monkeypatch: pytest.MonkeyPatch) -> None:
    """`digest build` after an edit of one article: its check finds only that source changed, and the build that
    follows (click's, in the same process, with the options as the command line makes them) takes what it found."""
    from digest.commands.cli import main
    import digest.incremental.inputs as inputs

    EDITS["a body edited"](site)
    os.utime(site / "content/2015-11-30-a.md", (time.time() - 7200, time.time() - 7200))
    monkeypatch.setattr(sys, "argv", ["digest", "build", "-q", str(site)])
    assert quick.answer(sys.argv[1:]) is None
    with monkeypatch.context() as patched, pytest.raises(SystemExit) as done:
        patched.setattr(inputs, "scan", lambda *args, **kwargs: pytest.fail("content/ was walked again"))
        main()
    assert done.value.code in (0, None)
    clean = digest.build(site, digest.BuildOptions(output_dir=str(tmp_path / "clean")))
    assert _files(site / "output") == _files(tmp_path / "clean")


def test_what_the_check_found_is_for_the_build_that_follows_it_with_the_options_it_was_asked_about(
        site: Path) -> None:
    EDITS["a body edited"](site)
    assert said(site) is None
    assert unchanged.scanned(site, digest.BuildOptions()) is None  # (a check that was not asked to hand over)
    assert said(site, hand_over=True) is None
    assert unchanged.scanned(site, digest.BuildOptions(drafts=True)) is None
    assert unchanged.scanned(site, digest.BuildOptions()) is None  # (taken by the build that followed, whatever it was)
    assert said(site, hand_over=True) is None
    found = unchanged.scanned(site, digest.BuildOptions())
    assert found is not None and found[0] == ["content/2015-11-29-b.md", "content/2015-11-30-a.md"]
    assert found[2] == ["content/2015-11-30-a.jpg"]
    assert said(site, hand_over=True, drafts=True) is None  # (no record of builds with drafts: nothing to hand over)
    assert unchanged.scanned(site, digest.BuildOptions(drafts=True)) is None


def test_a_system_that_cannot_look_up_from_a_folder_is_answered_by_whole_paths(
        site: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(unchanged.os, "supports_dir_fd", set())  # (as on Windows)
    assert said(site) is not None
    EDITS["a body edited"](site)
    assert said(site) is None


def test_a_damaged_record_is_no_answer(site: Path) -> None:
    record = site / unchanged.CACHE_DIR / unchanged.RECORD
    data = record.read_bytes()
    header = data.partition(b"\n")[0]
    for damaged in (b"", b"{", data[:-20], data[:-1] + b"x", header + b"\n" + b"\xff" * 40, b"[]\n" + data):
        record.write_bytes(damaged)
        assert said(site) is None


def run(site: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "digest", "build", *args], capture_output=True, text=True,
                          cwd=site, timeout=120, check=False, stdin=subprocess.DEVNULL)


def test_the_command_answers_as_the_build_would(site: Path) -> None:
    files = said(site)["files"]  # type: ignore[index]
    answered = run(site, "-v")
    (site / unchanged.CACHE_DIR / unchanged.RECORD).unlink()
    built = run(site, "-v")  # the build, with nothing changed: it records again
    assert answered.returncode == built.returncode == 0
    assert answered.stdout.splitlines()[1].startswith("  unchanged ")
    assert built.stdout.splitlines()[1].startswith("  config ")

    def summary(text: str) -> str:
        return re.sub(r"in \d+\.\d\d s", "in X s", text.splitlines()[0])

    assert summary(answered.stdout) == summary(built.stdout) == (
        f"2 articles, 1 person, 0 topics: 0 files written, {files} unchanged, 0 removed in X s -> output/")
    assert answered.stderr == built.stderr != ""  # the warning, as the build reports it
    quiet = run(site, ".", "-q", "--jobs", "1")
    assert quiet.stdout == "" and quiet.stderr == built.stderr


def test_the_answer_loads_nothing_but_its_own_modules(site: Path) -> None:
    probe = ("import sys\nfrom digest.commands.quick import answer\ncode = answer(['build', '-q'])\n"
             "print(code, sorted(m for m in sys.modules if m.startswith(('digest', 'click', 'yaml', 'jinja2'))))")
    done = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, cwd=site, timeout=60,
                          check=True)
    assert done.stdout.split(" ", 1) == [
        "0", "['digest', 'digest.commands', 'digest.commands.quick', 'digest.incremental', "
             "'digest.incremental.unchanged']\n"]


def test_the_command_with_an_output_folder_of_its_own(site: Path, tmp_path: Path) -> None:
    out = tmp_path / "out"
    assert run(site, "--output", str(out)).returncode == 0
    for named in (["-o", str(out)], [f"--output={out}"]):
        answered = run(site, *named, "-v")
        assert answered.stdout.splitlines()[1].startswith("  unchanged ")
        assert answered.stdout.splitlines()[0].endswith(f"-> {display_path(out)}/")


@pytest.mark.parametrize(("argv", "asked"), [
    (["build"], {}),
    (["build", "site", "-q", "--drafts"], {"site": "site", "quiet": True, "drafts": True}),
    (["build", "--output=o", "-v", "--future", "--strict"], {"output": "o", "verbose": True, "future": True,
                                                            "strict": True}),
    (["build", "-o", "o", "-j", "2", "site"], {"output": "o", "jobs": "2", "site": "site"}),
    (["build", "--jobs=02"], {"jobs": "02"}),
])
def test_the_arguments_it_reads(argv: list[str], asked: dict[str, object]) -> None:
    assert quick._build_arguments(argv) == asked


@pytest.mark.parametrize("argv", [
    [], ["serve"], ["--version"], ["build", "--clean"], ["build", "--no-cache"], ["build", "-qv"],
    ["build", "--base-url", "https://example.org/"], ["build", "a", "b"], ["build", "-j", "0"], ["build", "-j"],
    ["build", "--output="], ["build", "--output"], ["build", "-h"], ["build", "--help"], ["build", "--"],
    ["build", "-"], ["build", "--quiet=yes"], ["build", "--out", "o"],
])
def test_what_it_leaves_to_the_command_line(argv: list[str]) -> None:
    assert quick._build_arguments(argv) is None


def test_the_output_folder_is_shown_as_the_command_line_shows_it(tmp_path: Path,
                                                                 monkeypatch: pytest.MonkeyPatch) -> None:
    (tmp_path / "here" / "site").mkdir(parents=True)
    monkeypatch.chdir(tmp_path / "here")
    for path in ("site/output", "./output", "output", str(tmp_path / "elsewhere" / "output"), "../there/output",
                 str(tmp_path / "here" / "site" / "output")):
        assert quick._shown(path) == display_path(Path(path)), path


def test_the_marker_is_the_output_s() -> None:
    assert unchanged.MARKER == MARKER
