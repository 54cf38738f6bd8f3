"""Bad input: a site with one broken thing, the exact report, and an untouched output.

Each case is a folder ``tests/bad/<case>/``:

- ``site/``: a small site (digest.yaml, two good articles) plus the one broken thing;
- ``problems.txt``: exactly what ``digest build .`` prints on stderr, run in the site;
- ``case.toml`` (optional): ``args = [...]`` (more command-line arguments), ``exit = 2``
  (a usage error; the default is 1) and ``xfail = "BUG: ..."`` (a known bug: the
  problems.txt holds the report digest *should* print).

For each case the site is copied into a temporary folder, given a previous output
(``output/``, built from ``tests/bad/_good/site``), and built with ``python -m digest build .``
from inside it. The test asserts the exit status, that stderr is problems.txt exactly,
that stdout is empty, that no traceback is shown, and that nothing in the site changed:
every file of output/ keeps its bytes and its modification time, and no file appeared.

``pytest tests/test_bad_input.py --update-golden`` rewrites problems.txt from what digest
prints now (review the diff like code). Cases marked ``xfail`` are left alone: their
problems.txt is the wording proposed in the bug report. When the bug is fixed the case
passes, strict xfail turns that into a failure, and the ``xfail`` line is to be removed.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tomllib
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

BAD = Path(__file__).resolve().parent / "bad"
GOOD_SITE = BAD / "_good" / "site"
OLD_MTIME_NS = 978_307_200 * 10**9  # 2001-01-01: any rewrite of a file shows in its mtime
TIMEOUT = 60


@dataclass(frozen=True)
class Case:
    """One folder of tests/bad/."""

    name: str
    args: tuple[str, ...] = ()
    exit: int = 1
    xfail: str | None = None

    @property
    def folder(self) -> Path:
        return BAD / self.name

    @property
    def problems_file(self) -> Path:
        return self.folder / "problems.txt"


def load_case(folder: Path) -> Case:
    settings: dict[str, Any] = {}
    toml = folder / "case.toml"
    if toml.exists():
        settings = tomllib.loads(toml.read_text(encoding="utf-8"))
    unknown = set(settings) - {"args", "exit", "xfail"}
    assert not unknown, f"{toml}: unknown keys {sorted(unknown)}"
    return Case(name=folder.name, args=tuple(settings.get("args", ())), exit=int(settings.get("exit", 1)),
                xfail=settings.get("xfail"))


def all_cases() -> list[Case]:
    return [load_case(folder) for folder in sorted(BAD.iterdir())
            if folder.is_dir() and not folder.name.startswith(("_", ".")) and (folder / "site").is_dir()]


CASES = all_cases()


def case_params() -> list[object]:
    return [pytest.param(case, id=case.name,
                         marks=[pytest.mark.xfail(strict=True, reason=case.xfail)] if case.xfail else [])
            for case in CASES]


# --------------------------------------------------------------------------------------
# Helpers


def run_digest(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    """``python -m digest ARGS`` in ``cwd``; stdout and stderr decoded as UTF-8."""
    done = subprocess.run([sys.executable, "-m", "digest", *args], cwd=cwd, capture_output=True,
                          timeout=TIMEOUT, stdin=subprocess.DEVNULL)
    return subprocess.CompletedProcess(done.args, done.returncode, done.stdout.decode("utf-8", "replace"),
                                       done.stderr.decode("utf-8", "replace"))


Snapshot = dict[str, tuple[str, bytes | None, int]]


def snapshot(root: Path) -> Snapshot:
    """Every file, link and folder under ``root``: kind, bytes (files) or target (links), and mtime (ns)."""
    found: Snapshot = {}
    for folder, dirs, files in os.walk(root):
        for name in dirs:
            path = Path(folder, name)
            found[path.relative_to(root).as_posix() + "/"] = ("dir", None, path.stat().st_mtime_ns)
        for name in files:
            path = Path(folder, name)
            if path.is_symlink():
                found[path.relative_to(root).as_posix()] = ("link", os.readlink(path).encode(),
                                                            path.lstat().st_mtime_ns)
            else:
                found[path.relative_to(root).as_posix()] = ("file", path.read_bytes(), path.stat().st_mtime_ns)
    return found


def describe_changes(before: Snapshot, after: Snapshot) -> list[str]:
    changes = [f"removed: {p}" for p in sorted(before.keys() - after.keys())]
    changes += [f"added: {p}" for p in sorted(after.keys() - before.keys())]
    for path in sorted(before.keys() & after.keys()):
        if before[path][1] != after[path][1]:
            changes.append(f"changed bytes: {path}")
        elif before[path][2] != after[path][2]:
            changes.append(f"changed mtime: {path}")
    return changes


def age(root: Path) -> None:
    """Give every file and folder under ``root`` (and ``root``) an old modification time."""
    for folder, dirs, files in os.walk(root, topdown=False):
        for name in files:
            os.utime(Path(folder, name), ns=(OLD_MTIME_NS, OLD_MTIME_NS))
        os.utime(folder, ns=(OLD_MTIME_NS, OLD_MTIME_NS))


@pytest.fixture(scope="session")
def good_output(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The output of tests/bad/_good/site: what a bad build must leave as it was."""
    work = tmp_path_factory.mktemp("good")
    site = work / "site"
    shutil.copytree(GOOD_SITE, site)
    done = run_digest("build", ".", "--quiet", cwd=site)
    assert done.returncode == 0, done.stderr
    assert done.stderr == "", done.stderr
    output = site / "output"
    assert (output / "index.html").is_file()
    return output


def prepare(case_site: Path, good_output: Path, tmp_path: Path) -> Path:
    """A copy of ``case_site`` in ``tmp_path`` with ``good_output`` as its output/, all aged."""
    site = tmp_path / "site"
    shutil.copytree(case_site, site)
    shutil.copytree(good_output, site / "output")
    age(site)
    return site


def assert_no_traceback(done: subprocess.CompletedProcess[str]) -> None:
    for stream in (done.stdout, done.stderr):
        assert "Traceback" not in stream, stream
        assert 'File "' not in stream, stream


# --------------------------------------------------------------------------------------
# Tests


def test_cases_are_found() -> None:
    names = {case.name for case in CASES}
    assert len(CASES) >= 20
    for required in ("no-front-matter", "yaml-unclosed-list", "missing-title", "date-yesterday", "same-url",
                     "slug-escapes", "latin-1-file", "several-problems"):
        assert required in names
    for case in CASES:
        assert case.exit in (1, 2), f"{case.name}: exit must be 1 or 2"


@pytest.mark.parametrize("case", case_params())
def test_bad_input(case: Case, good_output: Path, tmp_path: Path, request: pytest.FixtureRequest) -> None:
    site = prepare(case.folder / "site", good_output, tmp_path)
    before = snapshot(site)

    done = run_digest("build", ".", *case.args, cwd=site)

    if request.config.getoption("--update-golden", default=False) and not case.xfail:
        case.problems_file.write_text(done.stderr, encoding="utf-8", newline="\n")
    assert_no_traceback(done)
    assert describe_changes(before, snapshot(site)) == [], "the build changed the site or its output"
    assert done.stdout == ""
    assert case.problems_file.is_file(), f"{case.problems_file} is missing: run pytest --update-golden"
    assert done.stderr == case.problems_file.read_text(encoding="utf-8")
    assert done.returncode == case.exit, done.stderr


def test_template_error_names_the_file_and_line(good_output: Path, tmp_path: Path) -> None:
    """The report opens with the site's template file and the line of the tag that gave Jinja away."""
    site = prepare(BAD / "template-unclosed-if" / "site", good_output, tmp_path)
    before = snapshot(site)
    done = run_digest("build", ".", cwd=site)
    assert_no_traceback(done)
    assert done.returncode == 1
    assert done.stderr.startswith("templates/article.html:9: ")
    assert "template syntax error" not in done.stderr and "unknown tag" not in done.stderr  # translated (render/theme.py)
    assert done.stderr.endswith("\ndigest: 1 problem in 1 file. Nothing was written; output/ is unchanged.\n")
    assert describe_changes(before, snapshot(site)) == []


def test_several_problems_are_reported_in_one_run(good_output: Path, tmp_path: Path) -> None:
    """Every problem of every file, each opening with its file, and one closing count."""
    site = prepare(BAD / "several-problems" / "site", good_output, tmp_path)
    done = run_digest("build", ".", cwd=site)
    heads = [line for line in done.stderr.splitlines() if not line.startswith("    ")]
    assert heads[-1] == "digest: 6 problems in 4 files. Nothing was written; output/ is unchanged."
    files = {head.split(":", 1)[0] for head in heads[:-1]}
    assert files == {"content/2015/2015-11-10-vienna-talks.md", "content/2015/2015-11-11-untitled.md",
                     "content/notes.md", "content/2015/putin-netanyahu-paris.md"}


DUPLICATE_KEY = """\
---
title: Talks in Vienna
date: 2015-11-12
title: Foreign Ministers Meet in Vienna
---

Foreign ministers met in Vienna to discuss Syria.
"""
DUPLICATE_WARNING = """\
content/2015/2015-11-12-vienna.md:4: warning: `title` is given twice (lines 2, 4)
    Remove the one you do not mean; the last one is used.
"""


def test_duplicate_key_is_a_warning(good_output: Path, tmp_path: Path) -> None:
    site = prepare(GOOD_SITE, good_output, tmp_path)
    (site / "content/2015/2015-11-12-vienna.md").write_text(DUPLICATE_KEY, encoding="utf-8")
    done = run_digest("build", ".", cwd=site)
    assert_no_traceback(done)
    assert done.returncode == 0, done.stderr
    assert done.stderr == DUPLICATE_WARNING
    assert done.stdout.startswith("3 articles, ")
    page = (site / "output/2015/11/vienna/index.html").read_text(encoding="utf-8")
    assert "Foreign Ministers Meet in Vienna" in page  # the last value wins
    assert "Talks in Vienna" not in page


def test_duplicate_key_fails_with_strict(good_output: Path, tmp_path: Path) -> None:
    site = prepare(GOOD_SITE, good_output, tmp_path)
    (site / "content/2015/2015-11-12-vienna.md").write_text(DUPLICATE_KEY, encoding="utf-8")
    age(site)
    before = snapshot(site)
    done = run_digest("build", ".", "--strict", cwd=site)
    assert_no_traceback(done)
    assert done.returncode == 1
    assert done.stdout == ""
    assert done.stderr == (
        "content/2015/2015-11-12-vienna.md:4: `title` is given twice (lines 2, 4)\n"
        "    Remove the one you do not mean; the last one is used.\n"
        "digest: 1 problem in 1 file. Nothing was written; output/ is unchanged.\n")
    assert describe_changes(before, snapshot(site)) == []


def test_dangling_link_is_a_problem_not_a_traceback(good_output: Path, tmp_path: Path) -> None:
    site = prepare(GOOD_SITE, good_output, tmp_path)
    (site / "content/2015/2015-11-01-vienna.md").symlink_to(tmp_path / "nowhere.md")
    before = snapshot(site)
    done = subprocess.run([sys.executable, "-m", "digest", "build", "."], cwd=site, capture_output=True, text=True,
                          timeout=TIMEOUT, stdin=subprocess.DEVNULL)
    assert describe_changes(before, snapshot(site)) == []
    assert "Traceback" not in done.stderr
    assert done.returncode == 1
    assert done.stdout == ""
    assert done.stderr == (
        "content/2015/2015-11-01-vienna.md: cannot be read (No such file or directory)\n"
        "    Check that the file exists and is readable; a link must point to a file that exists.\n"
        "digest: 1 problem in 1 file. Nothing was written; output/ is unchanged.\n")
