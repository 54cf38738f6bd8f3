"""The warm site kept in the build cache, for the command line's rebuilds after edits of front matter.

`digest serve` keeps what its last build linked and planned in memory (`warm.py`), so an edit of an
article's people, topics, title or date links, plans and fingerprints again only what it touches
(`relinked.py`). A build of the command line is a new process: it finds that warm site in the cache
instead. A full build writes it (`SNAPSHOT`, a pickle: at 10,000 articles 31 MB, written in about
0.35 s and read in 0.23 s, where linking, planning and fingerprinting the whole site take 1.1 s);
a rebuild that does not link the whole site only adds the sources it edited to a short list beside
it (`JOURNAL`), with the id of the build that left the output as it is now.

A rebuild whose edits change more than bodies then reads the warm site, takes every edit since it
was written as an edit of this build too (as the cache has those sources now), and marks as stale
the pages whose fingerprints in the cache are not the warm site's: those files changed since, so
their pages are fingerprinted again, and removed when the site no longer has them. What it makes
is what a full build would make, as the incremental-equals-clean tests check. Once `MAX_EDITED`
sources were edited since, or the list belongs to another build than the one in the output, the
next full build starts again.
"""

from __future__ import annotations

import dataclasses
import json
import os
import pickle
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

from typing import TYPE_CHECKING

from digest.incremental.bodies import Edit
from digest.incremental.cache import BuildCache
from digest.model import SiteConfig, SourceFile
from digest.records import BuildOptions, LastBuild

if TYPE_CHECKING:  # (a build that reads no warm site loads none of its modules)
    from digest.incremental.warm import Warm

SNAPSHOT = "warm.pickle"  # in the build cache
JOURNAL = "warm.json"  # {"since": the id of the build the warm site describes, "build": of the last, "edited": [...]}
MAX_ARTICLES = 30_000  # above, a full build keeps no warm site: at 100,000 articles it would take 300 MB and 3 s
MAX_EDITED = 40  # sources edited since the warm site was written that a rebuild takes on; more: a full build


def wanted(options: BuildOptions, sources: Iterable[SourceFile]) -> bool:
    """Whether a full build of the command line with a cache keeps its warm site: not the preview's (which keeps
    its own in memory), and not for more than `MAX_ARTICLES` articles."""
    return not options.warm and sum(source.kind == "article" for source in sources) <= MAX_ARTICLES


def write(cache_dir: Path, warm: Warm, build: str | None) -> None:
    """Keep `warm`, the site of the build `build` has just written, with no edit since."""
    forget(cache_dir)  # (first: a journal never names a warm site it was not written for)
    if build is None:
        return
    from digest.link.relink import RENAMED, names_of  # (a body edit's build never loads the linking modules)

    names = warm.names
    if names is None and len(warm.sites) == 1:  # how the names of people and topics resolve, for a relink (a new
        names = names_of(warm.sites[0], warm.term_pages)  # process would make each slug again: 30 ms at 10,000)
        for article in warm.sites[0].articles:
            for taxonomy in RENAMED:
                names[taxonomy].slugs(getattr(article, taxonomy))
    # (cards: the cache has them; `where`: made again from the pages in less time than it takes to read back)
    kept = dataclasses.replace(warm, build=build, cards={}, stale=frozenset(), names=names, where={})
    _replace(cache_dir / SNAPSHOT, pickle.dumps(kept, protocol=pickle.HIGHEST_PROTOCOL))
    _replace(cache_dir / JOURNAL, json.dumps({"since": build, "build": build, "edited": []}).encode())


def note(cache_dir: Path, last: LastBuild | None, build: str | None, edited: Iterable[str]) -> None:
    """After a build that linked nothing anew (`build`, following `last`), add the sources it `edited` to the
    journal; forget the warm site when the journal does not end with `last`, or would hold too many."""
    journal = _journal(cache_dir)
    if journal is None:
        return
    paths = sorted({*journal["edited"], *edited})
    if last is None or build is None or journal["build"] != last.build or len(paths) > MAX_EDITED:
        forget(cache_dir)
        return
    _replace(cache_dir / JOURNAL, json.dumps({**journal, "build": build, "edited": paths}).encode())


def kept_after(cache_dir: Path, linked: bool, last: LastBuild | None, build: str | None, warm: Warm | None,
               edited: Iterable[str]) -> None:
    """What the cache keeps of the warm site after the build `build`: a full build's (`linked`) anew; else the
    sources it `edited` added to the journal, or when that grows too long, the warm site it built on, anew."""
    if linked:
        if warm is None:
            forget(cache_dir)
        else:
            write(cache_dir, warm, build)
        return
    journal = _journal(cache_dir)
    if warm is not None and journal is not None and len({*journal["edited"], *edited}) > MAX_EDITED:
        write(cache_dir, warm, build)
    else:
        note(cache_dir, last, build, edited)


def forget(cache_dir: Path) -> None:
    """Drop the warm site: the next rebuild after front-matter edits links the whole site."""
    for name in (JOURNAL, SNAPSHOT):
        try:
            os.unlink(cache_dir / name)
        except FileNotFoundError:
            pass


def read(cache: BuildCache, last: LastBuild | None, salt: str, config: SiteConfig, options: BuildOptions,
         sources: list[SourceFile], edits: list[Edit]) -> tuple[Warm, list[Edit]] | None:
    """The warm site the cache keeps, if it describes this site up to the edits listed since, with the same
    settings, options and templates; with `edits` and those edits since (as the cache has those sources now),
    and its pages stale where the output changed since it was written. None: none fits (a full build follows)."""
    journal = _journal(cache.dir)
    if journal is None or last is None or journal["build"] != last.build:
        return None
    from digest.incremental.warm import Warm

    try:
        with open(cache.dir / SNAPSHOT, "rb") as handle:
            warm = pickle.load(handle)
    except Exception:  # noqa: BLE001 - a warm site that does not read back is not there
        return None
    if (not isinstance(warm, Warm) or warm.build != journal["since"] or warm.salt != salt or warm.config != config
            or warm.options != dataclasses.replace(options, now=None, changed=None)):
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
    return frozenset(path for path, value in current.items() if kept.get(path) != value) | (kept.keys() - current.keys())


def _journal(cache_dir: Path) -> dict[str, Any] | None:
    try:
        journal = json.loads((cache_dir / JOURNAL).read_bytes())
    except (OSError, ValueError):
        return None
    return journal if isinstance(journal, dict) and isinstance(journal.get("edited"), list) else None


def _replace(path: Path, data: bytes) -> None:
    """Write a file of the cache whole, or not at all."""
    path.parent.mkdir(parents=True, exist_ok=True)
    scratch = path.with_name(f".{path.name}.{os.getpid()}")
    scratch.write_bytes(data)
    os.replace(scratch, path)
