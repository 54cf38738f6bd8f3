"""The warm site kept in the build cache, for the command line's rebuilds after edits of front matter.

`digest serve` keeps what its last build linked and planned in memory (`warm.py`), so an edit of an
article's people, topics, title or date links, plans and fingerprints again only what it touches
(`relinked.py`). A build of the command line is a new process: it finds that warm site in the cache
instead. A full build keeps it (`SNAPSHOT`, a pickle: at 10,000 articles 32 MB, made and written in
0.4 s of one core, by a process forked for it while the build returns; read back in 0.2 s, where
linking, planning and fingerprinting the whole site take 1.1 s). A rebuild that does not link the
whole site only adds the sources it parsed to a short list beside it (`JOURNAL`), with the id of the
build that left the output as it is now.

A rebuild whose edits change more than bodies then reads the warm site, takes every edit since it
was kept as an edit of its own too (as the cache has those sources now), and marks as stale the
pages whose fingerprints in the cache are not the warm site's: those files changed since, so their
pages are fingerprinted again, and removed when the site no longer has them. What it makes is what
a full build would make, as the incremental-equals-clean tests check. A rebuild that would list
more than `MAX_EDITED` sources keeps its own warm site instead (a build of bodies, which has none,
drops it); a list that does not end with the build in the output is not read.
"""

from __future__ import annotations

import contextlib
import dataclasses
import json
import os
import pickle
from collections.abc import Callable, Iterable, Iterator, Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any

from digest.incremental.bodies import Edit
from digest.incremental.cache import BuildCache
from digest.model import SiteConfig, SourceFile
from digest.read.files import write_whole
from digest.records import BuildOptions, LastBuild, Work

if TYPE_CHECKING:  # (a build that reads no warm site loads none of its modules)
    from digest.incremental.warm import Warm

SNAPSHOT = "warm.pickle"  # in the build cache
JOURNAL = "warm.json"  # {"since": the id of the build the warm site describes, "build": of the last, "edited": [...]}
_LOCK = "warm.lock"  # held while the warm site is written, read or dropped
MAX_ARTICLES = 30_000  # above, a full build keeps no warm site: at 100,000 articles it would take 300 MB and 3 s
MAX_EDITED = 40  # sources edited since the warm site was written that a rebuild takes on; more: a full build
# the options that change what a build links and plans (the output folder is the one whose build the journal names;
# workers, the search index, the way files are written change nothing of it)
_SHAPING = ("drafts", "future", "base_url", "strict")
BACKGROUND = 2_000  # from these many articles, a forked process writes the warm site while the build returns
_WRITERS: list[int] = []  # the processes this one forked to write a warm site, to wait for once they are done


def wanted(options: BuildOptions, sources: Iterable[SourceFile]) -> bool:
    """Whether a full build of the command line with a cache keeps its warm site: not the preview's (which keeps
    its own in memory), and not for more than `MAX_ARTICLES` articles."""
    return not options.warm and sum(source.kind == "article" for source in sources) <= MAX_ARTICLES


def kept_after(cache_dir: Path, work: Work, linked: bool, last: LastBuild | None, build: str | None,
               warm: Warm | Callable[[], Warm] | None) -> None:
    """What the cache keeps of the warm site after the build `build` did `work`: a full build's (`linked`; `warm`,
    or what makes it) anew; else the sources it parsed added to the journal, or when that would list more than
    `MAX_EDITED`, its warm site, anew (or none, after a build of bodies, which has none)."""
    with _locked(cache_dir) as lock:
        journal = None if linked else _journal(cache_dir)
        paths = sorted({*journal["edited"], *work.parsed}) if journal is not None else []
        if journal is not None and last is not None and build is not None and journal["build"] == last.build:
            if len(paths) <= MAX_EDITED:
                if write_whole(cache_dir / JOURNAL, json.dumps({**journal, "build": build, "edited": paths}).encode()):
                    return
        elif not linked:
            warm = None  # (a warm site that was not this build's to start from, or none)
        _forget(cache_dir)  # (first: a journal never names a warm site it was not written for)
        if warm is None or build is None:
            return
        # from `BACKGROUND` articles a forked process makes and writes it (at 10,000 articles, 0.4 s of one core)
        # while the build returns; it holds the lock until it ends, so the next build that reads or changes the warm
        # site waits for it. Otherwise (or with no process to be had) it is written here
        writer = None
        if lock is not None and work.counts[0] >= BACKGROUND:
            with contextlib.suppress(OSError):
                writer = os.fork()
        if writer:
            _WRITERS.append(writer)
            return
        try:
            if writer == 0:
                _detach()
            _write(cache_dir, warm() if callable(warm) else warm, build)
        finally:
            if writer == 0:
                os._exit(0)


def settle(cache_dir: Path) -> None:
    """Wait until the warm site a process forked by a build is writing to the cache is there."""
    with _locked(cache_dir):
        pass


def _write(cache_dir: Path, warm: Warm, build: str) -> None:
    from digest.link.relink import RENAMED, names_of  # (a body edit's build never loads the linking modules)

    names = warm.names
    if names is None and len(warm.sites) == 1:  # how the names of people and topics resolve, for a relink (a new
        names = names_of(warm.sites[0], warm.term_pages)  # process would make each slug again: 30 ms at 10,000)
        for article in warm.sites[0].articles:
            for taxonomy in RENAMED:
                names[taxonomy].slugs(getattr(article, taxonomy))
    # (cards: the cache has them; `where`: made again from the pages in less time than it takes to read back)
    kept = dataclasses.replace(warm, build=build, cards={}, stale=frozenset(), names=names, where={})
    if write_whole(cache_dir / SNAPSHOT, pickle.dumps(kept, protocol=pickle.HIGHEST_PROTOCOL)):
        write_whole(cache_dir / JOURNAL, json.dumps({"since": build, "build": build, "edited": []}).encode())


def _detach() -> None:
    """In a forked writer: no signal of the terminal's, and none of the build's standard streams, which whoever
    ran the build may be reading to their end."""
    import signal

    signal.signal(signal.SIGINT, signal.SIG_IGN)
    nowhere = os.open(os.devnull, os.O_RDWR)
    for stream in (0, 1, 2):
        os.dup2(nowhere, stream)


@contextlib.contextmanager
def _locked(cache_dir: Path) -> Iterator[int | None]:
    """Hold the lock of the cache's warm site (waiting for a writer forked before); None where there is none to
    hold (no `fcntl`, and no forked writer either)."""
    try:
        import fcntl
    except ImportError:  # pragma: no cover - not on Linux
        yield None
        return
    try:
        cache_dir.mkdir(parents=True, exist_ok=True)
        lock = os.open(cache_dir / _LOCK, os.O_RDWR | os.O_CREAT, 0o644)
    except OSError:  # a cache folder that cannot be written, where no writer was forked either
        yield None
        return
    try:
        fcntl.flock(lock, fcntl.LOCK_EX)
        for writer in list(_WRITERS):  # (the ends of those done are collected)
            with contextlib.suppress(ChildProcessError):
                if os.waitpid(writer, os.WNOHANG)[0] == 0:
                    continue
            _WRITERS.remove(writer)
        yield lock
    finally:
        os.close(lock)  # (a writer forked meanwhile holds it on until it ends)


def _forget(cache_dir: Path) -> None:
    """Drop the warm site (and what a writer stopped on the way left): the next rebuild after front-matter edits
    links the whole site."""
    for path in (cache_dir / JOURNAL, cache_dir / SNAPSHOT, *cache_dir.glob(f".{SNAPSHOT}.*")):
        with contextlib.suppress(OSError):  # (gone already, or a folder that cannot be written)
            os.unlink(path)


def read(cache: BuildCache, last: LastBuild | None, salt: str, config: SiteConfig, options: BuildOptions,
         sources: list[SourceFile], edits: list[Edit]) -> tuple[Warm, list[Edit]] | None:
    """The warm site the cache keeps, if it describes this site up to the edits listed since, with the same
    settings, options and templates; with `edits` and those edits since (as the cache has those sources now),
    and its pages stale where the output changed since it was written. None: none fits (a full build follows)."""
    from digest.incremental.warm import Warm

    with _locked(cache.dir):
        journal = _journal(cache.dir)
        if journal is None or last is None or journal["build"] != last.build:
            return None
        try:
            with open(cache.dir / SNAPSHOT, "rb") as handle:
                warm = pickle.load(handle)
        except Exception:  # noqa: BLE001 - a warm site that does not read back is not there
            return None
    if (not isinstance(warm, Warm) or warm.build != journal["since"] or warm.salt != salt or warm.config != config
            or any(getattr(warm.options, name) != getattr(options, name) for name in _SHAPING)):
        return None
    edited = {edit.source.path for edit in edits}
    since = [path for path in journal["edited"] if path not in edited]
    by_path = {source.path: source for source in sources}
    entries = cache.load(since)
    if any(path not in by_path or path not in entries for path in since):
        return None  # (a source gone since: such a build is a full one)
    all_edits = [*edits, *(Edit(source=by_path[path], old=entries[path], new=entries[path]) for path in since)]
    current = cache.fingerprints()
    return dataclasses.replace(warm, fingerprints=current, stale=_stale(warm.fingerprints, current),
                               where={page.output_path: number for number, page in enumerate(warm.pages)}), all_edits


def _stale(kept: Mapping[str, str], current: Mapping[str, str]) -> frozenset[str]:
    """The pages whose files are not those the warm site's fingerprints describe: changed, added or removed."""
    changed = frozenset(path for path, value in current.items() if kept.get(path) != value)
    return changed | (kept.keys() - current.keys())


def _journal(cache_dir: Path) -> dict[str, Any] | None:
    try:
        journal = json.loads((cache_dir / JOURNAL).read_bytes())
    except (OSError, ValueError):
        return None
    return journal if isinstance(journal, dict) and isinstance(journal.get("edited"), list) else None
