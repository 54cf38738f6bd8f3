"""`digest check`: every problem a build would find, then every internal link and fragment of the result.

The site is built into a scratch folder that is removed afterwards, without the cache,
so neither `output/` nor anything else of the site changes (but for `--external`, whose
answers are kept a day in `.digest-cache/`). The built pages are then
read for links (`links.py`). A broken link on an article's page or a term page is
reported on that article's or term page's file, at the line that writes the link when
the file has it (a Markdown link); a broken link elsewhere names the page and its line,
since a template wrote it.
"""

from __future__ import annotations

import dataclasses
import re
import tempfile
import time
from collections.abc import Mapping
from pathlib import Path

from digest.build import build
from digest.commands.external import check_external, external_links
from digest.commands.links import check_links
from digest.incremental.unchanged import CACHE_DIR
from digest.model import DigestError, Problem, sort_problems
from digest.records import BuildOptions, BuildResult
from digest.workers import default_jobs

_WRITTEN = re.compile(r"links to (\S+?)(?:,| \(| on )")  # the link as the page has it


def check(site_dir: str | Path, options: BuildOptions | None = None, external: bool = False) -> BuildResult:
    """Build the site into a scratch folder and check its links; raise `DigestError` with every problem.

    `external`: also ask every web page the articles link to whether it still answers (`external.py`).
    """
    started = time.perf_counter()
    site_dir = Path(site_dir)
    options = options or BuildOptions()
    with tempfile.TemporaryDirectory(prefix="digest-check-") as scratch:
        result = build(site_dir, dataclasses.replace(options, output_dir=scratch, clean=False, index_search=False,
                                                     in_place=True))
        found = check_links(Path(scratch), result.config.base_path, options.jobs or default_jobs())
    problems = [attribute(p, result.sources, site_dir) for p in found]
    if external:
        problems += check_external(external_links(result.published), site_dir / CACHE_DIR)
    if problems:
        raise DigestError([*sort_problems(problems), *result.warnings])
    return dataclasses.replace(result, seconds=time.perf_counter() - started)


def attribute(problem: Problem, sources: Mapping[str, str], site_dir: Path) -> Problem:
    """A broken link of a built page, reported where the curator can fix it (see the module's notes)."""
    page = problem.path or ""
    url = "/" + (page[: -len("index.html")] if page.endswith("index.html") else page)
    source = sources.get(page)
    if source is None:
        return Problem(path=None, line=None, message=f"the page {url} ({page}:{problem.line}) {problem.message}",
                       hint=problem.hint)
    written = _WRITTEN.match(problem.message)
    line: int | None = None
    if written:
        try:
            text = (site_dir / source).read_text(encoding="utf-8", errors="replace")
        except OSError:
            text = ""
        link = written.group(1)
        # as a Markdown link, an autolink or an HTML attribute first: a bare "/" is found anywhere
        for form in (f"]({link})", f"]({link} ", f"<{link}>", f'"{link}"', f"'{link}'", link):
            at = text.find(form)
            if at >= 0:
                line = text.count("\n", 0, at) + 1
                break
    return Problem(path=source, line=line, message=f"its page {url} {problem.message}", hint=problem.hint)


def translation_lines(result: BuildResult) -> list[str]:
    """A table of the site's articles by language, "yes" where a version is written and "-" where not,
    newest first, and how many each language lacks (`digest check --translations`)."""
    languages = tuple(language.code for language in result.config.languages)
    if not languages:
        return ["The site has one language: `languages` in digest.yaml lists a site's languages."]
    width = max([len("article"), *(len(row.key) for row in result.translations)])
    columns = [max(len(code), 3) for code in languages]
    lines = ["  ".join(["article".ljust(width), *(code.ljust(w) for code, w in zip(languages, columns))]).rstrip()]
    for row in result.translations:
        lacks = row.lacks(languages)
        cells = ("-" if code in lacks else "yes" for code in languages)
        lines.append("  ".join([row.key.ljust(width), *(c.ljust(w) for c, w in zip(cells, columns))]).rstrip())
    total = len(result.translations)
    missing = {code: sum(code in row.lacks(languages) for row in result.translations) for code in languages}
    complete = sum(not row.lacks(languages) for row in result.translations)
    lines.append(f"{complete} of {total} article{'' if total == 1 else 's'} in every language; missing: "
                 + ", ".join(f"{code} {missing[code]}" for code in languages))
    return lines
