"""The build: every stage, in order, written down once.

    config ─▶ discover ─▶ parse ─▶ model ─▶ plan ─▶ render ─▶ write

Problems are collected across all files and stages; if any is an error,
nothing is written and the previous output stays exactly as it was.

With a cache (see `digest/cache.py`), a file whose bytes did not change is not
parsed again, a page whose fingerprint did not change is not rendered again, and
a site where no input changed at all costs one scan of its folders.
"""

from __future__ import annotations

import dataclasses
import datetime
import time
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any, Protocol

from digest.config import load_config
from digest.content import CONTENT_DIR, content_hash, scan
from digest.fingerprint import Fingerprints
from digest.inputs import (RACY_NS, file_stamp, names_fingerprint, others_fingerprint, parse_namespace, read_bytes,
                           sources_fingerprint, template_salt)
from digest.model import (Article, BuildOptions, BuildResult, CachedParse, DigestError, FrozenMap,
                          LinkRecord, Page, Problem, Site, SiteConfig, SourceFile, TermPage, UsageError)
from digest.output import OutputWriter, build_id, check_output_dir, stage_bytes
from digest.plan import article_page, check_file_clashes, check_images, check_page_urls, plan_pages, site_feed
from digest.plan import output_path as url_output_path
from digest.render import PageRenderer
from digest.site import build_site, link_records, relink
from digest.theme import load_templates, make_environment, resolve_theme, static_files
from digest.search import search_ready, search_stage
from digest.sources import parse_one, parse_sources, with_bodies
from digest.workers import MIN_PARALLEL_RENDER, default_jobs, parallel_map

Progress = Callable[[str, int, int], None]  # stage, done, total

class Cache(Protocol):
    """What a build needs of a cache (`digest.cache.BuildCache` is one)."""

    warning: str | None

    def open(self, namespace: str) -> None: ...
    def parsed(self) -> dict[str, CachedParse]: ...
    def index(self) -> dict[str, tuple[int, int, str, str]]: ...
    def load(self, paths: Any) -> dict[str, CachedParse]: ...
    def links(self, paths: Any) -> dict[str, Any]: ...
    def bodies(self, paths: Any) -> dict[str, str]: ...
    def fingerprints(self) -> dict[str, str]: ...
    def state(self, key: str) -> Any: ...
    def save(self, parsed: dict[str, CachedParse], removed: Any, fingerprints: dict[str, str],
             removed_pages: Any, state: dict[str, Any], links: Any) -> None: ...
    def close(self) -> None: ...


def build(site_dir: str | Path, options: BuildOptions | None = None, cache: Cache | None = None,
          progress: Progress | None = None) -> BuildResult:
    """Build the site in `site_dir` into its output folder; raise `DigestError` with every problem."""
    return _Build(Path(site_dir), options or BuildOptions(), cache, progress).run()


def output_dir_of(site_dir: Path, options: BuildOptions) -> Path:
    """Where a build writes: `--output`, else `SITE/output`."""
    return Path(options.output_dir) if options.output_dir else site_dir / "output"


class _Build:
    def __init__(self, site_dir: Path, options: BuildOptions, cache: Cache | None,
                 progress: Progress | None) -> None:
        self.site_dir = site_dir
        self.options = options
        self.cache = cache
        self.progress = progress
        self.jobs = options.jobs or default_jobs()
        self.timings: dict[str, float] = {}
        self.started = time.perf_counter()
        self.started_ns = time.time_ns()
        self._mark = self.started
        self.removed_sources: list[str] = []
        self.bodies: dict[str, str] = {}  # article path -> body, for the articles parsed this time

    def lap(self, stage: str) -> None:
        now = time.perf_counter()
        self.timings[stage] = self.timings.get(stage, 0.0) + now - self._mark
        self._mark = now

    def run(self) -> BuildResult:
        if not self.site_dir.is_dir():
            raise UsageError(f"{self.site_dir}: no such folder")
        output_dir = output_dir_of(self.site_dir, self.options)
        check_output_dir(output_dir, self.site_dir, given=self.options.output_dir is not None)
        try:
            return self._run(output_dir)
        finally:
            if self.cache is not None:
                self.cache.close()

    def _run(self, output_dir: Path) -> BuildResult:
        # config
        config, problems = load_config(self.site_dir, self.options.base_url)
        _stop_on_errors(problems)
        theme = resolve_theme(self.site_dir, config, problems)
        sources, assets = scan(self.site_dir)
        stamps = {s.path: file_stamp(s.abs_path) for s in sources}
        now = self.options.now or datetime.datetime.now(datetime.timezone.utc)
        others = others_fingerprint(self.site_dir, config, theme, self.options, assets, self.started_ns)
        sources_now = sources_fingerprint(stamps, self.started_ns)
        inputs = None if others is None or sources_now is None else others + sources_now
        cache = self.cache
        env = make_environment(theme, config)
        env.globals["search_enabled"] = search_ready(config)
        templates_loaded = False
        on_disk = build_id(output_dir)  # the build whose files the output holds: the cache must describe it
        if cache is not None:
            cache.open(parse_namespace(config))
            last = cache.state("last_build")
            if (last is not None and not self.options.clean and last.get("build") == on_disk
                    and last["output"] == str(output_dir.resolve())
                    and (last["next_release"] is None or now < last["next_release"])):
                if inputs is not None and last["inputs"] == inputs:
                    self.lap("config")
                    return self._result(last["counts"], output_dir, last["warnings"], unchanged=last["files"])
                if others is not None and last["others"] == others and last["names"] == names_fingerprint(stamps):
                    load_templates(env, self.site_dir, problems)
                    templates_loaded = True
                    fast = None if problems else self._bodies_only(
                        sources, stamps, config, env, template_salt(config, theme), last, output_dir, inputs)
                    if fast is not None:
                        return fast
        if not templates_loaded:
            load_templates(env, self.site_dir, problems)
        self.lap("config")

        # discover, parse
        articles, term_pages, new_entries = self._parse(sources, stamps, config, problems)
        if not any(s.kind == "article" for s in sources):
            where = ("content/ has no articles" if (self.site_dir / CONTENT_DIR).is_dir()
                     else "there is no content/ folder")
            problems.append(Problem(path=None, line=None, message=where,
                                    hint="Add an article such as content/2015-11-30-first.md, "
                                         'or run `digest new "Title"`.'))
        drafts, future = self.options.drafts, self.options.future
        published = [a for a in articles if (drafts or not a.draft) and (future or a.date <= now)]
        upcoming = [a.date for a in articles if a.date > now and (drafts or not a.draft)]
        self.lap("parse")

        # model, plan
        site = build_site(config, published, term_pages, problems)
        pages = plan_pages(site)
        check_page_urls(pages, site, problems)
        copies = {p[len(CONTENT_DIR) + 1:]: str(self.site_dir / p) for p in assets}
        copies.update(static_files(theme))
        check_file_clashes(pages, copies, self.site_dir, problems)
        check_images([*published, *term_pages], copies, self.site_dir, problems)
        if self.options.strict:
            problems = [p.as_error() for p in problems]
        problems = sort_problems(problems)
        _stop_on_errors(problems)
        self.lap("model")

        # render, write
        fingerprints = Fingerprints(site, template_salt(config, theme))
        stored = cache.fingerprints() if cache is not None else {}
        last = cache.state("last_build") if cache is not None else None
        # the stored fingerprints and file list describe the folder the last good build wrote
        same_folder = (last is not None and last.get("output") == str(output_dir.resolve())
                       and last.get("build") == on_disk)
        previous = stored if same_folder else {}
        current = {page.output_path: fingerprints.page(page) for page in pages}
        writer = OutputWriter(output_dir, clean=self.options.clean, in_place=self.options.in_place)
        todo: list[Page] = []
        for page in pages:
            if (not self.options.clean and previous.get(page.output_path) ==
                    current[page.output_path] and (output_dir / page.output_path).is_file()):
                writer.keep(page.output_path)  # its inputs did not change: the file is as it would be
            else:
                todo.append(page)
        render_problems = self._render(env, site, todo, writer, output_dir)
        self.lap("render")
        if render_problems:
            writer.abort()
            raise DigestError(problems + render_problems)
        page_paths = set(current)
        for output_path, source in sorted(copies.items()):
            if output_path not in page_paths:
                writer.add_file(output_path, source)
        searched = self._commit(writer, config, last["produced"] if last and same_folder and not self.options.clean else None)
        counts = (len(site.articles), len(site.people), len(site.topics), len(pages))
        warnings = (*(p for p in problems if p.severity == "warning"), *searched)
        if cache is not None:
            changed = {path: fp for path, fp in current.items() if stored.get(path) != fp}
            state = {"output": str(output_dir.resolve()), "build": build_id(output_dir),
                     "produced": sorted(writer.produced),
                     "inputs": inputs, "others": others, "names": names_fingerprint(stamps),
                     "next_release": min(upcoming, default=None), "counts": counts,
                     "files": writer.written + writer.unchanged, "warnings": warnings,
                     "feed": [a.path for a in site.articles[: config.feed_size]]}
            cache.save(new_entries, self.removed_sources, changed, stored.keys() - current.keys(),
                       {"last_build": state}, link_records(site))
        self.lap("write")
        if cache is not None and cache.warning:
            warnings = (Problem(path=None, line=None, message=cache.warning, severity="warning"), *warnings)
        made_from = {url_output_path(a.url): a.path for a in site.articles}
        made_from.update((url_output_path(f"/{p.taxonomy}/{p.slug}/"), p.path) for p in term_pages)
        return self._result(counts, output_dir, warnings, writer, rendered=len(todo), sources=made_from)

    def _result(self, counts: tuple[int, int, int, int], output_dir: Path, warnings: tuple[Problem, ...],
                writer: OutputWriter | None = None, unchanged: int = 0, rendered: int = 0,
                sources: Mapping[str, str] | None = None) -> BuildResult:
        """What the build did; `unchanged` counts the files of a build that wrote nothing."""
        articles, people, topics, pages = counts
        files = (writer.written, writer.unchanged, writer.removed, writer.changed) if writer else (0, unchanged, 0, ())
        return BuildResult(articles=articles, people=people, topics=topics, pages=pages, rendered=rendered,
                           written=files[0], unchanged=files[1], removed=files[2], changed=files[3],
                           sources=FrozenMap(sources or {}), seconds=time.perf_counter() - self.started,
                           warnings=warnings, timings=dict(self.timings), output_dir=str(output_dir))

    def _bodies_only(self, sources: list[SourceFile], stamps: dict[str, tuple[int, int]], config: SiteConfig,
                     env: Any, salt: str, last: dict[str, Any], output_dir: Path,
                     inputs: str | None) -> BuildResult | None:
        """A rebuild after edits that change only articles' bodies; None if the edits do more.

        An edit that leaves an article's signature (title, date, people, topics, summary...) and
        its problems as they were cannot move it in the site: every page but its own and the
        full-content feed keeps its fingerprint. Only those are rendered, from what the last full
        build recorded of the articles they show; the site is not linked up again.
        """
        assert self.cache is not None
        index = self.cache.index()
        changed = [s for s in sources if s.path not in index or index[s.path][:2] != stamps[s.path]]
        if not changed or len(changed) > 200 or any(s.path not in index for s in changed):
            return None
        cached = self.cache.load(s.path for s in changed)
        new_entries: dict[str, CachedParse] = {}
        fresh: list[Article] = []
        for source in changed:
            old = cached.get(source.path)
            try:
                data = read_bytes(source.abs_path)
            except OSError:
                return None
            mtime_ns, size = stamps[source.path]
            if mtime_ns > self.started_ns - RACY_NS:
                mtime_ns = -1
            digest = content_hash(data)
            if old is None:
                return None
            if digest == old.content_hash:  # only its time changed (or it was read just after an edit)
                new_entries[source.path] = dataclasses.replace(old, mtime_ns=mtime_ns, size=size)
                continue
            if source.kind != "article":
                return None
            entry = parse_one(source, stamps[source.path], config, self.started_ns)
            parsed, found = entry.value
            if not isinstance(parsed, Article) or found != old.value[1] or entry.signature != old.signature:
                return None
            new_entries[source.path] = entry
            article = dataclasses.replace(parsed, body_html=entry.body_html or "")
            if url_output_path(article.url) in last["produced"]:
                fresh.append(article)
        shown = {a.path for a in fresh}
        with_feed = bool(shown & set(last["feed"]))
        main = shown | (set(last["feed"]) if with_feed else set())
        records: dict[str, LinkRecord] = self.cache.links(main)
        near = {p for r in records.values() for p in (*r[2], r[3], r[4]) if p} - records.keys()
        records.update(self.cache.links(near))
        loaded = self.cache.load((main | near) - shown)
        articles = {a.path: a for a in fresh}
        for path, entry in loaded.items():
            value = entry.value[0]
            if isinstance(value, Article):
                articles[path] = value
                self.bodies[path] = entry.body_html or ""
        if not (main | near) <= articles.keys() <= records.keys():
            return None
        links = {path: relink(record, articles, path in main) for path, record in records.items()}
        self.bodies.update((a.path, a.body_html) for a in fresh)
        site = Site(config=config, articles=tuple(articles[p] for p in last["feed"]) if with_feed else (),
                    links=FrozenMap(links), people=(), topics=(), years=(), months=())
        todo = [article_page(site, dataclasses.replace(a, body_html="")) for a in fresh]
        if with_feed:
            todo.append(site_feed(site))
        self.lap("parse")
        fingerprints = Fingerprints(site, salt)
        writer = OutputWriter(output_dir, in_place=self.options.in_place)
        rendered = {page.output_path for page in todo}
        for path in last["produced"]:
            if path not in rendered:
                writer.keep(path)
        if self._render(env, site, todo, writer, output_dir):
            writer.abort()
            return None  # the full build reports the problem
        searched = self._commit(writer, config, last["produced"])
        state = dict(last, inputs=inputs, files=writer.written + writer.unchanged, build=build_id(output_dir))
        self.cache.save(new_entries, [], {page.output_path: fingerprints.page(page) for page in todo}, [],
                        {"last_build": state}, None)
        self.lap("write")
        return self._result(last["counts"], output_dir, (*last["warnings"], *searched), writer, rendered=len(todo))

    def _commit(self, writer: OutputWriter, config: SiteConfig, previous: list[str] | None) -> tuple[Problem, ...]:
        """Write, then search: the index is made in the folder about to become the output, before it does."""
        found: list[Problem] = []

        def search(folder: Path) -> bool:
            if not self.options.index_search:
                return False
            self.lap("write")
            ran, why = search_stage(folder, config, writer.changed, whole=self.options.clean)
            if ran:
                self.lap("search")
            found.extend([Problem(path=None, line=None, message=why, severity="warning")] if why else [])
            return ran

        writer.commit(previous, search)
        self.lap("write")
        return tuple(found)

    def _parse(self, sources: list[SourceFile], stamps: dict[str, tuple[int, int]], config: SiteConfig,
               problems: list[Problem]) -> tuple[list[Article], list[TermPage], dict[str, CachedParse]]:
        cached = self.cache.parsed() if self.cache is not None else {}
        self.removed_sources = sorted(set(cached) - set(stamps))
        parsed = parse_sources(sources, stamps, config, cached, self.started_ns, self.jobs, self.progress)
        self.bodies.update(parsed.bodies)
        problems.extend(parsed.problems)
        return parsed.articles, parsed.term_pages, parsed.new_entries

    def _render(self, env: Any, site: Any, todo: list[Page], writer: OutputWriter,
                output_dir: Path) -> list[Problem]:
        renderer = PageRenderer(env, site, self.site_dir)
        clean = self.options.clean
        todo = with_bodies(todo, self.bodies, self.cache.bodies if self.cache is not None else None)

        def render_one(index: int) -> tuple[str, bool | None, list[Problem]]:
            page = todo[index]  # workers are forked with `todo` in memory: only indexes travel
            data = renderer.render(page)
            if data is None:
                problems, renderer.problems = renderer.problems, []
                return page.output_path, None, problems
            return page.output_path, stage_bytes(output_dir, writer.staging, page.output_path, data, clean), []

        if len(todo) >= MIN_PARALLEL_RENDER and self.jobs > 1:
            # Render every card once, in parallel, before the page workers fork with all of them:
            # otherwise each worker renders the cards of its pages itself.
            articles = site.articles

            def render_card(index: int) -> str:
                return str(renderer.card(articles[index]))

            cards = parallel_map(render_card, range(len(articles)), self.jobs, MIN_PARALLEL_RENDER)
            renderer.add_cards({a.path: html for a, html in zip(articles, cards)})
        problems: list[Problem] = []
        seen: set[tuple[str | None, int | None, str]] = set()
        progress = self.progress
        report = None if progress is None else lambda done: progress("render", done, len(todo))
        for output_path, staged, found in parallel_map(render_one, range(len(todo)), self.jobs, MIN_PARALLEL_RENDER, report):
            for problem in found:
                key = (problem.path, problem.line, problem.message)  # the hint names the page
                if key not in seen:  # one report per template mistake, not one per page or worker
                    seen.add(key)
                    problems.append(problem)
            if staged is not None:
                writer.record(output_path, staged)
        return problems


def sort_problems(problems: list[Problem]) -> list[Problem]:
    """Problems by file, then line; the site's own problems (no file) last."""
    return sorted(problems, key=lambda p: (p.path is None, p.path or "", p.line or 0))


def _stop_on_errors(problems: list[Problem]) -> None:
    if any(p.severity == "error" for p in problems):
        raise DigestError(problems)
