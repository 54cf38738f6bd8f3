"""What a command loads before it works: a rebuild with nothing to do imports none of the stages it skips.

Each module named here costs a no-op rebuild time at every start (`python -X importtime -m digest
build` shows how much); the stages import them when a build reaches them.
"""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

# the renderer, the YAML parser, the Markdown engine, code highlighting, CLDR data, the preview's watcher, the importer,
# the newsletter's CSS inliner and mail, the search stage, the link checker, the parse and render workers,
# slugs for new files, the browser `serve --open` starts, and the suggestions for a mistyped setting
HEAVY = ("jinja2", "yaml", "markdown_it", "markdown_it_pyrs", "pygments", "babel", "watchfiles", "trafilatura",
         "css_inline", "smtplib", "digest.render.renderer", "digest.write.search", "digest.link.site",
         "digest.commands.links", "multiprocessing", "slugify", "webbrowser", "difflib")

PROBE = """
import sys
from pathlib import Path
{action}
print(",".join(sorted(name for name in {heavy!r} if name in sys.modules)))
"""


def loaded(action: str, cwd: Path | None = None) -> list[str]:
    """The heavy modules loaded once `action` (Python statements) has run in a fresh interpreter."""
    done = subprocess.run([sys.executable, "-c", PROBE.format(action=action, heavy=HEAVY)], capture_output=True,
                          text=True, stdin=subprocess.DEVNULL, timeout=120, cwd=cwd)
    assert done.returncode == 0, done.stderr
    return [name for name in done.stdout.strip().split(",") if name]


def test_the_command_line_loads_no_stage() -> None:
    assert loaded("import digest.commands.cli") == []


def test_a_rebuild_with_nothing_to_do_loads_no_stage(make_site: Any) -> None:
    site = make_site({"content/2015-11-30-a.md": "---\ntitle: A\ndate: 2015-11-30\npeople: [Ada Lovelace]\n---\n"
                                                  "Text with `code`.\n\n```python\nprint(1)\n```\n",
                      "digest.yaml": "editions: weekly\n"})
    build = ("import digest\nresult = digest.build(Path('.'), digest.BuildOptions(index_search=False), "
             "digest.BuildCache(Path('.')))\nprint(result.route, file=sys.stderr)")
    past = time.time() - 3600  # files edited just before a build are checked by their bytes, not their times
    for path in site.rglob("*"):
        os.utime(path, (past, past))
    assert "markdown_it_pyrs" in loaded(build, site)  # the first build parses and renders
    assert loaded(build, site) == []  # digest.yaml too: its settings are taken back from the cache
    command = ("import contextlib, io\nfrom digest.commands.cli import main\n"
               "with contextlib.redirect_stdout(io.StringIO()):\n    main(['build', '.'], standalone_mode=False)")
    loaded(command, site)  # (a build with the command line's options: with search)
    assert loaded(command, site) == []  # and its summary counts files in English without CLDR's rules


def test_a_body_edit_loads_no_code_highlighting_and_no_newsletter_where_none_is_needed(make_site: Any) -> None:
    site = make_site({"content/2015-11-30-a.md": "---\ntitle: A\ndate: 2015-11-30\npeople: [Ada Lovelace]\n---\n"
                                                  "Text with `code`, and a block of no language:\n\n```\nx = 1\n```\n"})
    build = ("import digest\nresult = digest.build(Path('.'), digest.BuildOptions(index_search=False), "
             "digest.BuildCache(Path('.')))\nprint(result.route, file=sys.stderr)")
    past = time.time() - 3600
    for path in site.rglob("*"):
        os.utime(path, (past, past))
    assert "markdown_it_pyrs" in loaded(build, site)
    article = site / "content" / "2015-11-30-a.md"
    with open(article, "a", encoding="utf-8") as handle:
        handle.write("\nOne more sentence.\n")
    os.utime(article, (past + 60, past + 60))
    edited = loaded(build, site)
    assert "markdown_it_pyrs" in edited and "jinja2" in edited  # the edit was parsed and its page rendered
    assert "markdown_it" not in edited  # by the Rust parser: markdown-it-py (18 ms to import) is not loaded
    assert "pygments" not in edited and "css_inline" not in edited
    assert "babel" not in edited  # the page's dates are those the first build had Babel write: kept in the cache


def test_a_body_edit_indexes_its_part_without_a_thread_pool_or_the_binary_package(make_site: Any) -> None:
    site = make_site({"content/2015-11-30-a.md": "---\ntitle: A\ndate: 2015-11-30\n---\nA first text.\n",
                      "content/2015-10-30-b.md": "---\ntitle: B\ndate: 2015-10-30\n---\nA second text.\n"})
    build = ("import digest\nresult = digest.build(Path('.'), None, digest.BuildCache(Path('.')))\n"
             "assert not [p for p in result.warnings if 'search' in p.message], result.warnings")
    probe = HEAVY + ("pagefind_bin", "concurrent.futures", "logging")
    past = time.time() - 3600
    for path in site.rglob("*"):
        os.utime(path, (past, past))
    first = subprocess.run([sys.executable, "-c", PROBE.format(action=build, heavy=probe)], capture_output=True,
                           text=True, stdin=subprocess.DEVNULL, timeout=120, cwd=site)
    assert first.returncode == 0, first.stderr
    index = site / "output" / "pagefind" / "2015" / "pagefind-entry.json"
    before = index.read_bytes()
    article = site / "content" / "2015-11-30-a.md"
    with open(article, "a", encoding="utf-8") as handle:
        handle.write("\nA word only this edit adds: zanzibarite.\n")
    os.utime(article, (past + 60, past + 60))
    edited = subprocess.run([sys.executable, "-c", PROBE.format(action=build, heavy=probe)], capture_output=True,
                            text=True, stdin=subprocess.DEVNULL, timeout=120, cwd=site)
    assert edited.returncode == 0, edited.stderr
    assert index.read_bytes() != before  # the part was indexed again, with the new word
    loaded_now = edited.stdout.strip().split(",")
    assert "pagefind_bin" not in loaded_now and "concurrent.futures" not in loaded_now
    assert "logging" not in loaded_now
