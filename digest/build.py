"""The build: every stage, in order, written down once.

    read ─▶ link ─▶ plan ─▶ render ─▶ write
    digest.yaml, content/ ─▶ Site ─▶ Pages ─▶ bytes ─▶ output/ and its search index

Problems are collected across all files and stages; if any is an error, nothing is written
and the previous output stays exactly as it was. With a cache, a build does only what its
changes call for: `incremental.state.choose_route` says whether nothing changed (the output
stands), only bodies changed (`incremental.bodies`), or the site must be read, linked and
planned again, when only the pages whose fingerprints changed are rendered.
"""

from __future__ import annotations

import datetime
import gc
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from digest.incremental import unchanged
from digest.incremental.cache import BuildCache
from digest.incremental.inputs import Inputs, look_at_inputs, scan_sources, template_salt
from digest.incremental.state import Decision, Route, choose_route, last_build, next_record
from digest.model import (Article, DigestError, FrozenMap, Page, Problem, Site, SiteConfig, SourceFile, UsageError,
                          sort_problems, term_url)
from digest.records import BuildOptions, BuildResult, LastBuild, TranslatedArticle, Work
from digest.read.config import load_config
from digest.read.discover import CONTENT_DIR
from digest.render.theme import Theme, resolve_theme
from digest.write.output import OutputWriter, check_output_dir

if TYPE_CHECKING:
    from digest.incremental.bodies import Edit
    from digest.incremental.warm import Warm
    from digest.plan.pages import SitemapLines
    from digest.render.i18n import Messages
    from digest.render.renderer import CardShelf

# A rebuild with nothing to do needs only the modules above: each stage is imported where a build
# first reaches it (in `_build`, `_whole_site`, `_render_and_write`), so that it costs nothing then.

Progress = Callable[[str, int, int], None]  # stage, done, total
Written = tuple[OutputWriter, tuple[Problem, ...]]  # what wrote the output, and why search was skipped


def build(site_dir: str | Path, options: BuildOptions | None = None, cache: BuildCache | None = None,
          progress: Progress | None = None) -> BuildResult:
    """Build the site in `site_dir` into its output folder; raise `DigestError` with every problem."""
    site_dir = Path(site_dir)
    options = options or BuildOptions()
    clock = Stopwatch()
    if not site_dir.is_dir():
        raise UsageError(f"{site_dir}: no such folder")
    output_dir = output_dir_of(site_dir, options)
    check_output_dir(output_dir, site_dir, given=options.output_dir is not None)
    # A build makes millions of objects that hold no cycles, and the collector would walk them all again
    # and again (a people edit of 10,000 articles: 0.5 s of 3.2 s); garbage of its own is freed by counting.
    collecting = gc.isenabled()
    gc.disable()
    try:
        return _build(site_dir, output_dir, options, cache, progress, clock)
    finally:
        if collecting:
            gc.enable()
        if cache is not None:
            cache.close()


def output_dir_of(site_dir: Path, options: BuildOptions) -> Path:
    """Where a build writes: `--output`, else `SITE/output`."""
    return Path(options.output_dir) if options.output_dir else site_dir / "output"


def _build(site_dir: Path, output_dir: Path, options: BuildOptions, cache: BuildCache | None,
           progress: Progress | None, clock: Stopwatch) -> BuildResult:
    # read: the settings, the theme, and which files the site has
    config, problems = (cache.settings(site_dir, options.base_url) if cache is not None
                        else load_config(site_dir, options.base_url))
    stop_on_errors(problems)
    stamps: dict[str, tuple[int, int]] = {}
    links_out: list[str] = []
    folders: list[tuple[str, int]] | None = [] if cache is not None and unchanged.recordable(options) else None
    sources, assets = scan_sources(site_dir, config, options, stamps, links_out, folders,
                                   unchanged.scanned(site_dir, options) if folders is not None else None)
    theme = resolve_theme(site_dir, config, problems, links_out)
    inputs = look_at_inputs(site_dir, config, theme, options, sources, assets, clock.started_ns, stamps, folders)
    now = options.now or datetime.datetime.now(datetime.timezone.utc)
    last = last_build(cache, config, output_dir)
    decision = choose_route(last, inputs, options.clean, now)
    if decision.route is Route.NOTHING_CHANGED:
        assert last is not None and cache is not None
        cache.keep_settings()  # (read again: an edit of digest.yaml that changed no setting)
        if folders is not None:  # (no record, or one a folder's new time or digest.yaml's same settings ended)
            unchanged.keep(cache.dir, site_dir, output_dir, options, config, inputs, last)
        clock.lap("config")
        return _result(clock, decision, config, output_dir, last.counts, (*last.warnings, *last.search_warnings),
                       unchanged=last.files)
    from digest.incremental import cards, snapshot
    from digest.incremental.bodies import bodies_only, parse_edits
    from digest.link.site import translation_table
    from digest.render import cldr
    from digest.render.environment import keep_compiled_in, make_environment
    from digest.render.i18n import load_messages
    from digest.render.theme import load_templates
    from digest.workers import default_jobs
    from digest.write.search import KEPT_PAGES, search_ready

    keep_compiled_in(cache.dir / "templates" if cache is not None else None)
    cldr.keep_in(cache.dir if cache is not None else None)
    search = search_ready(config)
    words = load_messages(config, theme.i18n_dirs, site_dir, problems)
    load_templates(make_environment(theme, config, search, words[config.language]), site_dir, problems)
    salt = template_salt(config, theme)
    clock.lap("config")
    run = _Run(site_dir=site_dir, output_dir=output_dir, options=options, config=config, theme=theme,
               search=search, words=words, jobs=options.jobs or default_jobs(), progress=progress, clock=clock,
               search_pages=cache.dir / KEPT_PAGES if cache is not None else None)

    work: Work | None = None
    written: Written | list[Problem] | None = None
    translations: tuple[TranslatedArticle, ...] = ()  # known when the site was linked
    published: tuple[Article, ...] = ()
    edits: list[Edit] | None = None
    warm: Warm | None = None
    if options.warm:  # (the preview's, in memory; a build of the command line may read one from the cache below)
        from digest.incremental.warm import keep, kept

        warm = kept(output_dir, config, options, salt, last)
    held: Warm | None = None  # what the next build of this process may start from
    making: Callable[[], Warm] | None = None  # what makes it after a full build, where the cache keeps it
    shelves: Mapping[str, CardShelf] = {}  # the articles' cards, by language
    if decision.route is Route.BODIES_ONLY and not problems:  # (a problem of the settings or templates: in full)
        assert cache is not None and last is not None
        edits = parse_edits(cache, sources, inputs, config)
        work = bodies_only(cache, edits, config, last, salt) if edits is not None else None
        on_warm = (warm, edits) if warm is not None and edits is not None else None  # a warm site, and its edits
        if edits is not None and work is None and on_warm is None and snapshot.wanted(options, sources):
            on_warm = snapshot.read(cache, last, salt, config, options, sources, edits)  # (with those since)
        if on_warm is not None:
            from digest.incremental.relinked import on_the_warm_site

            work, held, decision = on_the_warm_site(*on_warm, work, decision, last, output_dir, cache,
                                                    None if options.future else now)
        clock.lap("parse")
        shelves = cards.shelves(cache, held.printers, held.cards) if held is not None else {}
        written = _render_and_write(run, work, shelves) if work is not None else None
    if work is None or not isinstance(written, tuple):  # the full route, or edits that did more than bodies
        if decision.route is not Route.FULL:
            decision = Decision(route=Route.FULL, why="an edit changed more than an article's body")
        work, making, shelves = _whole_site(run, sources, assets, inputs, last, cache, now, salt, problems, edits,
                                            options.warm or cache is not None and snapshot.wanted(options, sources))
        written = _render_and_write(run, work, shelves)
        if isinstance(written, list):
            raise DigestError([*work.problems, *written])
        held = making() if making is not None and options.warm else None
    writer, searched = written
    if decision.route is not Route.BODIES_ONLY:  # the site was linked: every article and its translations
        translations = translation_table(work.sites)
        published = tuple(article for site in work.sites for article in site.articles)

    # remember: what the next build may skip (while the output's twin follows the output)
    try:
        if cache is not None:
            from digest.incremental.bodies import links_to_write
            from digest.render.environment import save_compiled

            save_compiled()
            cldr.save()
            record = next_record(work, inputs, writer, searched)
            links, relinked = links_to_write(work)
            cache.save(parsed=work.parsed, bodies=work.bodies, removed_sources=work.removed_sources,
                       fingerprints=work.fingerprints, removed_pages=work.removed_pages, last_build=record,
                       links=links, relinked=relinked,
                       cards=((path, language, key, card) for language, shelf in shelves.items()
                              for path, key, card in shelf.unsaved()))
            if options.warm:
                keep(output_dir, held, record.build)  # (imported with `kept`, above)
            else:
                snapshot.kept_after(cache.dir, work, decision.route is Route.FULL, last, record.build, held or making)
    finally:
        writer.settle()
    if cache is not None:  # what the command line's next build may find unchanged, now that the output is in place
        (unchanged.keep(cache.dir, site_dir, output_dir, options, config, inputs, record) if folders is not None
         else unchanged.forget(cache.dir))
    clock.lap("write")
    warnings = (*work.problems, *searched)
    if cache is not None and cache.warning:
        warnings = (Problem(path=None, line=None, message=cache.warning, severity="warning"), *warnings)
    return _result(clock, decision, config, output_dir, work.counts, warnings, writer, len(work.render),
                   work.sources, translations=translations, published=published)


@dataclass(frozen=True, slots=True, kw_only=True)
class _Run:
    """What every stage after the first needs: the site, the settings and how to run."""

    site_dir: Path
    output_dir: Path
    options: BuildOptions
    config: SiteConfig
    theme: Theme
    search: bool  # the build makes a search index
    words: Mapping[str, Messages]  # each language's, by code
    search_pages: Path | None  # where what the search index reads of each page is kept between builds (in the cache)
    jobs: int
    progress: Progress | None
    clock: Stopwatch


def _whole_site(run: _Run, sources: list[SourceFile], assets: list[str], inputs: Inputs,
                last: LastBuild | None, cache: BuildCache | None, now: datetime.datetime, salt: str,
                problems: list[Problem], edits: list[Edit] | None, keep_warm: bool
                ) -> tuple[Work, Callable[[], Warm] | None, Mapping[str, CardShelf]]:
    """The work of a full build: every source parsed (from the cache where it did not change, or from `edits`,
    the changed ones parsed already), the site linked and planned, and the pages whose fingerprints changed;
    with it, what makes the warm site once they are rendered (`keep_warm`: the preview's, or the cache's, in
    `incremental/snapshot.py`), and the articles' cards (`incremental/cards.py`). Raise `DigestError` if any."""
    from digest.incremental import cards
    from digest.incremental.fingerprint import Fingerprints, LaterFingerprints, pages_to_render
    from digest.incremental.sources import links_kept, parse_sources, with_bodies
    from digest.link.site import build_sites
    from digest.plan.checks import check_file_clashes, check_images, check_page_urls
    from digest.plan.pages import output_path, plan_sites
    from digest.render.theme import static_files

    config, options = run.config, run.options
    # parse
    known = cache.parsed() if cache is not None else {}
    before = dict(known)  # (the entries of the edited files, as the last build parsed them)
    known.update((edit.source.path, edit.new) for edit in edits or ())
    parsed = parse_sources(sources, inputs.stamps, config, known, inputs.started_ns, run.jobs, run.progress)
    for edit in edits or ():
        parsed.new_entries[edit.source.path] = edit.new
        if edit.new.body_html is not None:
            parsed.bodies[edit.source.path] = edit.new.body_html
    linked = len(problems) + len(parsed.problems)  # the problems from here on are of linking and planning
    problems.extend(parsed.problems)
    if not any(s.kind == "article" for s in sources):
        where = ("content/ has no articles" if (run.site_dir / CONTENT_DIR).is_dir()
                 else "there is no content/ folder")
        problems.append(Problem(path=None, line=None, message=where,
                                hint="Add an article such as content/2015-11-30-first.md, "
                                     'or run `digest new "Title"`.'))
    shown = [a for a in parsed.articles if options.drafts or not a.draft]
    published = [a for a in shown if options.future or a.date <= now]
    upcoming = [a.date for a in shown if a.date > now]
    run.clock.lap("parse")

    # link, plan, and check the plan
    held_links = links_kept(cache, last, inputs, before, parsed.new_entries)
    sites = build_sites(config, published, parsed.term_pages, problems, parsed.edition_pages,
                        until=None if options.future else now, known=held_links)
    upcoming += [site.next_edition_due for site in sites if site.next_edition_due is not None]
    sitemap_lines: SitemapLines | None = {} if keep_warm else None  # kept for the sitemaps of the next builds
    pages = plan_sites(sites, sitemap_lines)
    check_page_urls(pages, [a for site in sites for a in site.articles], problems)
    copies = {path[len(CONTENT_DIR) + 1:]: str(run.site_dir / path) for path in assets}
    copies.update(static_files(run.theme))
    check_file_clashes(pages, copies, run.site_dir, problems)
    check_images([*published, *parsed.term_pages], copies, run.site_dir, problems)
    later = problems[linked:]
    if options.strict:
        problems = [p.as_error() for p in problems]
    problems = sort_problems(problems)
    stop_on_errors(problems)
    run.clock.lap("model")

    # what changed: the pages whose fingerprints differ from those of the files in the output
    stored = cache.fingerprints() if cache is not None else {}
    fingerprints = {site.config.language: Fingerprints(site, salt, record=keep_warm, signatures=parsed.signatures)
                    for site in sites}
    covered: list[set[str]] = []  # with `keep_warm`: the articles each page's fingerprint covers
    shelves = cards.shelves(cache, fingerprints)

    def fingerprint(page: Page) -> str:
        printer = fingerprints.get(page.language, fingerprints[config.language])
        value = printer.page(page)
        if keep_warm:
            covered.append(printer.seen)
        return value

    previous = stored if last is not None else {}
    if previous and not options.clean or options.warm:
        todo, kept, current = pages_to_render(pages, fingerprint, previous, run.output_dir, options.clean)
        fresh: Mapping[str, str] = {path: fp for path, fp in current.items() if stored.get(path) != fp}
        produced = set(current)
        meanwhile = None
    else:  # every page is rendered: its fingerprint is only for the cache, made while the workers render
        todo, kept = pages, []
        fresh = deferred = LaterFingerprints(pages, fingerprint, stored, keep_all=keep_warm)
        current = deferred.every if deferred.every is not None else {}  # (filled as the workers render)
        produced = {page.output_path for page in pages}
        meanwhile = deferred.compute
    made_from = {output_path(a.url): a.path for site in sites for a in site.articles}
    made_from.update((output_path(term_url(site.config.root, p.taxonomy, p.slug)), p.path)
                     for site in sites for p in parsed.term_pages)
    work = Work(sites=sites,
                render=tuple(todo), bodies=parsed.bodies,
                filled=with_bodies(todo, parsed.bodies, cache.bodies if cache is not None else None),
                keep=tuple(kept), copies=tuple(sorted((path, source) for path, source in copies.items()
                                                      if path not in produced)),
                previous=last.produced if last is not None and not options.clean else None,
                problems=tuple(problems), counts=_counts(sites, len(pages)),
                feeds=tuple((site.config.language, tuple(a.path for a in site.articles[: config.feed_size]))
                            for site in sites), next_release=min(upcoming, default=None),
                sources=FrozenMap(made_from), parsed=parsed.new_entries, removed_sources=tuple(parsed.removed),
                fingerprints=fresh, removed_pages=tuple(stored.keys() - produced), linked=True, held_links=held_links,
                meanwhile=meanwhile)
    if not keep_warm:
        return work, None, shelves
    from digest.incremental.warm import made

    return work, lambda: made(work, pages, covered, current, fingerprints, parsed, later, salt, config, options,
                              copies, sitemap_lines or {}, shelves), shelves


def _counts(sites: tuple[Site, ...], pages: int) -> tuple[int, int, int, int]:
    """Articles, people, topics (each counted once, in whatever languages it is) and pages."""
    people = {t.slug for site in sites for t in site.people}
    topics = {t.slug for site in sites for t in site.topics}
    return sum(len(site.articles) for site in sites), len(people), len(topics), pages


def _render_and_write(run: _Run, work: Work, shelves: Mapping[str, CardShelf]) -> Written | list[Problem]:
    """Render the work's pages and put them, its copies and the search index in the output, all at once (with the
    cards kept on `shelves`, by language, where they are still the articles' own).

    Returns the writer (what it wrote) and why search was skipped, if it was; or the problems
    of the templates that failed, having written nothing.
    """
    from digest.render.environment import make_environment
    from digest.render.i18n import ENGLISH
    from digest.render.renderer import PageRenderer, render_pages
    from digest.write.search import commit_with_search

    options, output_dir = run.options, run.output_dir
    writer = OutputWriter(output_dir, clean=options.clean, in_place=options.in_place)
    writer.keep(work.keep)  # their inputs did not change: the files are as they would be

    progress = run.progress
    report = None if progress is None else lambda done: progress("render", done, len(work.render))
    renderers = {}
    for site in work.sites:
        words = run.words.get(site.config.language, ENGLISH)
        env = make_environment(run.theme, site.config, run.search, words)
        renderers[site.config.language] = PageRenderer(env, site, run.site_dir, words,
                                                       shelves.get(site.config.language))
    staged, problems = render_pages(renderers, work.render, writer.stage, run.jobs, report, work.filled,
                                    work.meanwhile)
    run.clock.lap("render")
    if problems:
        writer.abort()
        return problems
    for path, was_written in staged:
        writer.record(path, was_written)
    for path, source in work.copies:
        writer.add_file(path, source)
    searched = commit_with_search(writer, run.config, work.previous, index=options.index_search,
                                  whole=options.clean, lap=run.clock.lap, kept=run.search_pages)
    return writer, searched


class Stopwatch:
    """The time each stage of a build takes: `lap(stage)` adds the time since the last lap to that stage's."""

    def __init__(self) -> None:
        self.started = time.perf_counter()
        self.started_ns = time.time_ns()  # the file system's clock, to compare with files' times
        self.timings: dict[str, float] = {}
        self._mark = self.started

    def lap(self, stage: str) -> None:
        """End a stretch of `stage`'s work."""
        now = time.perf_counter()
        self.timings[stage] = self.timings.get(stage, 0.0) + now - self._mark
        self._mark = now


def _result(clock: Stopwatch, decision: Decision, config: SiteConfig, output_dir: Path,
            counts: tuple[int, int, int, int], warnings: tuple[Problem, ...], writer: OutputWriter | None = None,
            rendered: int = 0, sources: Mapping[str, str] | None = None, unchanged: int = 0,
            translations: tuple[TranslatedArticle, ...] = (), published: tuple[Article, ...] = ()) -> BuildResult:
    """What the build did; `unchanged` counts the files of a build that wrote nothing."""
    articles, people, topics, pages = counts
    files = (writer.written, writer.unchanged, writer.removed, writer.changed) if writer else (0, unchanged, 0, ())
    return BuildResult(articles=articles, people=people, topics=topics, pages=pages, rendered=rendered,
                       written=files[0], unchanged=files[1], removed=files[2], changed=files[3],
                       sources=FrozenMap(sources), seconds=time.perf_counter() - clock.started,
                       warnings=warnings, timings=dict(clock.timings), output_dir=str(output_dir), config=config,
                       route=f"{decision.route.value}: {decision.why}", translations=translations,
                       published=published)


def stop_on_errors(problems: list[Problem]) -> None:
    """Raise `DigestError` with every problem if one of them is an error."""
    if any(p.severity == "error" for p in problems):
        raise DigestError(problems)
