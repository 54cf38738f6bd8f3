"""The build: every stage, in order, written down once.

    config ─▶ discover ─▶ parse ─▶ model ─▶ plan ─▶ render ─▶ write

Problems are collected across all files and stages; if any is an error,
nothing is written and the previous output stays exactly as it was.
"""

from __future__ import annotations

import datetime
import time
from pathlib import Path

from digest.config import load_config
from digest.content import CONTENT_DIR, discover, discover_assets, parse_article, parse_term_page, read_sources
from digest.model import Article, BuildOptions, BuildResult, DigestError, Page, Problem, TermPage, UsageError
from digest.output import OutputWriter, check_output_dir
from digest.plan import check_page_urls, plan_pages
from digest.render import PageRenderer
from digest.site import build_site
from digest.theme import load_templates, make_environment, resolve_theme, static_files


def build(site_dir: str | Path, options: BuildOptions | None = None) -> BuildResult:
    """Build the site in `site_dir` into its output folder; raise `DigestError` with every problem."""
    return _run(Path(site_dir), options or BuildOptions(), write=True)


def check(site_dir: str | Path, options: BuildOptions | None = None) -> BuildResult:
    """Run every stage but `write`: the same problems a build would find, and nothing written."""
    return _run(Path(site_dir), options or BuildOptions(), write=False)


def output_dir_of(site_dir: Path, options: BuildOptions) -> Path:
    """Where a build writes: `--output`, else `SITE/output`."""
    return Path(options.output_dir) if options.output_dir else site_dir / "output"


def _run(site_dir: Path, options: BuildOptions, write: bool) -> BuildResult:
    started = time.perf_counter()
    timings: dict[str, float] = {}

    def lap(stage: str, since: float) -> float:
        now = time.perf_counter()
        timings[stage] = timings.get(stage, 0.0) + now - since
        return now

    if not site_dir.is_dir():
        raise UsageError(f"{site_dir}: no such folder")
    output_dir = output_dir_of(site_dir, options)
    if write:
        check_output_dir(output_dir, site_dir, given=options.output_dir is not None)

    # config
    config, problems = load_config(site_dir, options.base_url)
    _stop_on_errors(problems)
    theme = resolve_theme(site_dir, config, problems)
    env = make_environment(theme, config)
    load_templates(env, site_dir, problems)
    mark = lap("config", started)

    # discover, parse
    sources = discover(site_dir)
    articles: list[Article] = []
    term_pages: list[TermPage] = []
    for source, data in read_sources(sources):
        if isinstance(data, OSError):
            problems.append(Problem(path=source.path, line=None, message=f"cannot be read ({data.strerror})",
                                    hint="Check that the file exists and is readable; a link must point to a "
                                         "file that exists."))
            continue
        if source.kind == "article":
            article, found = parse_article(source, data, config, config.url_for)
            if article is not None:
                articles.append(article)
        else:
            term_page, found = parse_term_page(source, data, config, config.url_for)
            if term_page is not None:
                term_pages.append(term_page)
        problems.extend(found)
    if not any(s.kind == "article" for s in sources):
        where = "content/ has no articles" if (site_dir / CONTENT_DIR).is_dir() else "there is no content/ folder"
        problems.append(Problem(path=None, line=None, message=where,
                                hint='Add an article such as content/2015-11-30-first.md, or run `digest new "Title"`.'))
    now = options.now or datetime.datetime.now(datetime.timezone.utc)
    published = [a for a in articles if (options.drafts or not a.draft) and (options.future or a.date <= now)]
    mark = lap("parse", mark)

    # model, plan
    site = build_site(config, published, term_pages, problems)
    pages = plan_pages(site)
    check_page_urls(pages, site, problems)
    if options.strict:
        problems = [p.as_error() for p in problems]
    problems = sort_problems(problems)
    _stop_on_errors(problems)
    mark = lap("model", mark)

    # render, write
    writer = OutputWriter(output_dir, clean=options.clean) if write else None
    renderer = PageRenderer(env, site, site_dir)
    written = _render(pages, renderer, writer)
    mark = lap("render", mark)
    if renderer.problems:
        if writer is not None:
            writer.abort()
        raise DigestError(problems + renderer.problems)
    page_paths = {page.output_path for page in pages}
    assets = {path[len(CONTENT_DIR) + 1:]: str(site_dir / path) for path in discover_assets(site_dir)}
    assets.update(static_files(theme))
    if writer is not None:
        for output_path, source in sorted(assets.items()):
            if output_path not in page_paths:
                writer.add_file(output_path, source)
        writer.commit()
    lap("write", mark)
    return BuildResult(
        articles=len(site.articles), people=len(site.people), topics=len(site.topics),
        pages=written, written=writer.written if writer else 0, unchanged=writer.unchanged if writer else 0,
        removed=writer.removed if writer else 0, seconds=time.perf_counter() - started,
        warnings=tuple(p for p in problems if p.severity == "warning"), timings=timings,
        output_dir=str(output_dir),
    )


def _render(pages: list[Page], renderer: PageRenderer, writer: OutputWriter | None) -> int:
    count = 0
    for page in pages:
        data = renderer.render(page)
        if data is not None and writer is not None:
            writer.add(page.output_path, data)
        count += 1
    return count


def sort_problems(problems: list[Problem]) -> list[Problem]:
    """Problems by file, then line; the site's own problems (no file) last."""
    return sorted(problems, key=lambda p: (p.path is None, p.path or "", p.line or 0))


def _stop_on_errors(problems: list[Problem]) -> None:
    if any(p.severity == "error" for p in problems):
        raise DigestError(problems)

