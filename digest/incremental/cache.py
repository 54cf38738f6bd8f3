"""The on-disk build cache (`.digest-cache/` in the site), which makes rebuilds cheap.

It holds plain values in one SQLite file:

- every source file's parse result (an `Article` or `TermPage` and its problems), found
  again by the file's modification time and size, or by its content hash;
- every output file's fingerprint, so a rebuild renders only pages whose inputs changed;
- what each article links to, for rebuilds that do not link the site again;
- each article's card, with its key (`render.renderer.CardShelf`), so a rebuild renders only the cards that changed;
- the last good build's record (`LastBuild`), so an unchanged site costs a scan.

Entries are only valid for the `namespace` they were written under (the digest version
and every setting that changes how a file is parsed); a cache of another namespace, or of
another version's schema, is emptied. A corrupt, truncated or foreign cache file is
reported once and replaced: the cache is never trusted over the sources.
"""

from __future__ import annotations

import hashlib
import pickle
import sqlite3
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

from digest.incremental import memory
from digest.incremental.inputs import code_source
from digest.incremental.pickles import loads as _loads
from digest.incremental.unchanged import CACHE_DIR
from digest.model import Article, Problem, SiteConfig, __version__
from digest.records import CachedParse, LastBuild, LinkRecord
from digest.read.files import read_bytes, write_whole
from digest.read.settings import CONFIG_FILE

_FILE = "cache.sqlite"
_SETTINGS = "settings.pickle"  # the settings as a build last read them (`BuildCache.settings`)
_SCHEMA = 7
# `stamps` holds what `BuildCache.index` and `hashes` read, apart from the values and bodies: the times and sizes of
# 10,000 sources are read in 8 ms from it, in 24 ms with their hashes and signatures from the table
_TABLES = """
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value BLOB);
CREATE TABLE IF NOT EXISTS parsed (
    path TEXT PRIMARY KEY, mtime_ns INTEGER, size INTEGER, hash TEXT, signature TEXT, value BLOB, body TEXT);
CREATE INDEX IF NOT EXISTS stamps ON parsed (path, mtime_ns, size, hash, signature);
CREATE TABLE IF NOT EXISTS pages (output_path TEXT PRIMARY KEY, fingerprint TEXT);
CREATE TABLE IF NOT EXISTS links (path TEXT PRIMARY KEY, value BLOB);
CREATE TABLE IF NOT EXISTS cards (path TEXT, language TEXT, key TEXT, html TEXT, PRIMARY KEY (path, language));
"""


# Parse results this process has read back from one cache file, with the hash and signature of each:
# a process that builds again and again (the preview) unpickles only what an edit changed. Only the
# last cache file read is remembered.
_UNPICKLED: dict[tuple[Path, str | None], dict[str, tuple[str, str, Any]]] = {}


def _unpickled(path: Path, namespace: str | None) -> dict[str, tuple[str, str, Any]]:
    """The parse results remembered from the cache file `path` in `namespace` (a new, empty memory for another)."""
    key = (path.resolve(), namespace)
    if key not in _UNPICKLED:
        _UNPICKLED.clear()
        _UNPICKLED[key] = {}
    return _UNPICKLED[key]


def _held(known: dict[str, tuple[str, str, Any]], path: str, digest: str, signature: str, value: bytes) -> Any:
    """A cached parse result: the one this process read before, if the source is the same, else unpickled."""
    held = known.get(path)
    if held is None or held[:2] != (digest, signature):
        held = known[path] = (digest, signature, _loads(value))
    return held[2]


class BuildCache:
    """A site's cache: read at the start of a build, written after a good one."""

    def __init__(self, site_dir: Path, cache_dir: Path | None = None) -> None:
        self.dir = cache_dir or site_dir / CACHE_DIR
        self.path = self.dir / _FILE
        self.warning: str | None = None  # why an existing cache was thrown away
        self._db: sqlite3.Connection | None = None  # read-only until `save`
        self._namespace: str | None = None
        self._usable = False  # the file exists and is of this namespace (and whole, once `_whole` says so)
        self._read_through = False  # `_whole` has read it end to end
        self._settings: tuple[bytes, SiteConfig, tuple[Problem, ...]] | None = None  # to keep, once the build is good
        self._restamps: dict[str, tuple[int, int]] = {}  # (mtime_ns, size) of sources whose bytes did not change

    # -- opening -------------------------------------------------------------------------

    def open(self, namespace: str) -> None:
        """Open the cache for builds of `namespace`, read-only: only `save`, after a good build, writes."""
        self._namespace = namespace
        if not self.path.exists():
            return
        try:
            self._db = sqlite3.connect(f"file:{self.path}?mode=ro", uri=True, isolation_level=None)
            version = self._meta("schema")
            if not isinstance(version, int):
                raise ValueError(f"schema {version!r}")
            # a cache of another schema is digest's own, of another version: emptied, as one of another namespace
            self._usable = version == _SCHEMA and self._meta("namespace") == namespace
        except Exception as exc:  # noqa: BLE001 - a damaged or foreign file is replaced, never trusted
            self._discard(exc)

    def settings(self, site_dir: Path, base_url: str | None) -> tuple[SiteConfig, list[Problem]]:
        """`read.config.load_config`, through a copy kept beside the cache (by `keep_settings`).

        While `digest.yaml`, `--base-url` and the code that reads them are those of the last reading, the
        settings and warnings read then are taken back, and neither PyYAML nor Babel is imported (30 ms of the
        200 a rebuild with nothing to do took at 10,000 articles).
        """
        from digest.read.config import load_config

        try:
            text = read_bytes(str(site_dir / CONFIG_FILE))
        except OSError:  # none (nothing to read), or one that `load_config` explains
            return load_config(site_dir, base_url)
        key = hashlib.blake2b(repr((__version__, code_source(), base_url)).encode() + b"\0" + text).digest()
        try:
            known, config, problems = _loads(read_bytes(str(self.dir / _SETTINGS)))
            if known == key and isinstance(config, SiteConfig):
                return config, list(problems)
        except Exception:  # noqa: BLE001 - none yet, or damaged or forged: the file is read again
            pass
        config, found = load_config(site_dir, base_url)
        if not any(problem.severity == "error" for problem in found):
            self._settings = key, config, tuple(found)
        return config, found

    def keep_settings(self) -> None:
        """Keep the settings `settings` read from the file, for the builds after this good one."""
        if self._settings is None:
            return
        # (a folder that cannot be written: the next build reads the file again)
        write_whole(self.dir / _SETTINGS, pickle.dumps(self._settings, pickle.HIGHEST_PROTOCOL))
        self._settings = None

    def _discard(self, exc: Exception) -> None:
        self.warning = f"the build cache {self.path} could not be read ({type(exc).__name__}); it was rebuilt"
        self._usable = False
        self.close()

    def _whole(self) -> bool:
        """Whether the cache may be read beyond the last build's record: a file cut short is not. A file as long
        as its header says, with no write-ahead log beside it, is whole; otherwise it is read end to end, once,
        which fails on a truncated one. A rebuild with nothing to do reads only that record, and skips this."""
        if self._db is None or not self._usable:
            return False
        if not self._read_through and memory.known_whole(self.path):
            self._read_through = True  # this process wrote the file as it is, or read it through
        if not self._read_through:
            try:
                if not self._sized():
                    self._db.execute("SELECT count(*), sum(length(value)), sum(length(body)) FROM parsed").fetchone()
                    self._db.execute("SELECT count(*) FROM pages").fetchone()
            except Exception as exc:  # noqa: BLE001 - as in `open`
                self._discard(exc)
                return False
            self._read_through = True
            memory.note_whole(self.path)
        return True

    def _sized(self) -> bool:
        """Whether the file holds the pages its header counts (SQLite 3.7 and later keep the count right), and no
        write-ahead log holds more: a file cut short does not. Reading 88 MB end to end instead takes 75 ms."""
        assert self._db is not None
        state = memory.file_state(self.path)  # (a log that holds pages makes it longer than 4)
        pages, size = (self._db.execute(f"PRAGMA {name}").fetchone()[0] for name in ("page_count", "page_size"))
        return state is not None and len(state) == 4 and pages > 0 and state[2] == pages * size

    def _create(self) -> sqlite3.Connection:
        """A new, empty cache file for this namespace, replacing whatever was there."""
        self.close()
        self.dir.mkdir(parents=True, exist_ok=True)
        for suffix in ("", "-wal", "-shm", "-journal"):
            Path(str(self.path) + suffix).unlink(missing_ok=True)
        db = sqlite3.connect(self.path, isolation_level=None)
        db.execute("PRAGMA journal_mode=WAL")
        db.executescript(_TABLES)
        db.execute("INSERT INTO meta VALUES ('schema', ?)", (pickle.dumps(_SCHEMA),))
        db.execute("INSERT INTO meta VALUES ('namespace', ?)", (pickle.dumps(self._namespace),))
        return db

    def _meta(self, key: str) -> Any:
        assert self._db is not None
        row = self._db.execute("SELECT value FROM meta WHERE key = ?", (key,)).fetchone()
        return _loads(row[0]) if row else None

    def close(self) -> None:
        """Release the database file."""
        if self._db is not None:
            self._db.close()
            self._db = None

    # -- reading -------------------------------------------------------------------------

    def parsed(self) -> dict[str, CachedParse]:
        """Every cached parse result, by source path."""
        if not self._whole() or self._db is None:
            return {}
        try:
            rows = self._db.execute("SELECT path, mtime_ns, size, hash, signature, value FROM parsed").fetchall()
            known = _unpickled(self.path, self._namespace)
            return {path: CachedParse(mtime_ns=mtime, size=size, content_hash=digest, signature=signature,
                                      value=_held(known, path, digest, signature, value), body_html=None)
                    for path, mtime, size, digest, signature, value in rows}
        except Exception as exc:  # noqa: BLE001 - whatever a damaged file makes pickle raise, it is not trusted
            self.warning = f"the build cache {self.path} could not be read ({type(exc).__name__}); it was rebuilt"
            self._usable = False
            return {}

    def index(self) -> memory.Index:
        """Every cached source's (mtime_ns, size), without reading its value."""
        if not self._whole() or self._db is None:
            return {}
        known = memory.known_index(self.path)
        if known is not None:
            return known
        state = memory.file_state(self.path)
        try:
            index = {path: (mtime, size) for path, mtime, size in self._db.execute(
                "SELECT path, mtime_ns, size FROM parsed")}
        except sqlite3.DatabaseError:
            return {}
        memory.note_index(self.path, index, state)
        return dict(index)

    def load(self, paths: Iterable[str]) -> dict[str, CachedParse]:
        """The cached parse results of these sources (their bodies included)."""
        try:
            known = _unpickled(self.path, self._namespace)
            return {path: CachedParse(mtime_ns=mtime, size=size, content_hash=digest, signature=signature,
                                      value=_held(known, path, digest, signature, value), body_html=body)
                    for path, mtime, size, digest, signature, value, body in self._rows(
                        "SELECT path, mtime_ns, size, hash, signature, value, body FROM parsed", paths)}
        except Exception:  # noqa: BLE001 - an entry that does not read back is not there
            return {}

    def links(self, paths: Iterable[str] | None) -> dict[str, LinkRecord]:
        """What the last full build linked these articles to (see `save`); None: every article."""
        try:
            return {path: _loads(value)
                    for path, value in self._rows("SELECT path, value FROM links", paths)}
        except Exception:  # noqa: BLE001
            return {}

    def card_keys(self, language: str) -> dict[str, str]:
        """The key of each article's card kept for `language`, by the article's path."""
        return dict(self._query("SELECT path, key FROM cards WHERE language = ?", language))

    def card(self, language: str, path: str, key: str) -> str | None:
        """The card of an article kept for `language` with `key`, if there is one."""
        found = self._query("SELECT html FROM cards WHERE path = ? AND language = ? AND key = ?", path, language, key)
        return str(found[0][0]) if found else None

    def hashes(self, paths: Iterable[str]) -> dict[str, str]:
        """The content hashes of these sources, as they were when cached."""
        try:
            return dict(self._rows("SELECT path, hash FROM parsed", paths))
        except sqlite3.DatabaseError:
            return {}

    def bodies(self, paths: Iterable[str]) -> dict[str, str]:
        """The rendered bodies of these articles (bodies are read only for the pages that show them)."""
        try:
            return {path: body for path, body in self._rows("SELECT path, body FROM parsed", paths)
                    if body is not None}
        except sqlite3.DatabaseError:
            return {}

    def _rows(self, select: str, paths: Iterable[str] | None) -> list[tuple[Any, ...]]:
        """The rows of `select` (whose first column is `path`) for these paths, 500 at a time; None: every row."""
        if not self._whole() or self._db is None:
            return []
        if paths is None:
            return self._db.execute(select).fetchall()
        wanted = list(paths)
        rows: list[tuple[Any, ...]] = []
        for start in range(0, len(wanted), 500):
            chunk = wanted[start: start + 500]
            marks = ",".join("?" * len(chunk))
            rows += self._db.execute(f"{select} WHERE path IN ({marks})", chunk).fetchall()  # noqa: S608
        return rows

    def fingerprints(self) -> dict[str, str]:
        """The fingerprint of every output file the last good build wrote."""
        return dict(self._query("SELECT output_path, fingerprint FROM pages"))

    def _query(self, select: str, *values: object) -> list[tuple[Any, ...]]:
        """The rows of `select` with these `values`; none from a cache that is missing, damaged or of another
        namespace."""
        if not self._whole() or self._db is None:
            return []
        try:
            return self._db.execute(select, values).fetchall()
        except sqlite3.DatabaseError:
            return []

    def last_build(self) -> LastBuild | None:
        """The record the last good build left, or None."""
        if self._db is None or not self._usable:
            return None
        try:
            value = self._meta("last_build")
        except Exception:  # noqa: BLE001 - an unreadable record is no record
            return None
        return value if isinstance(value, LastBuild) else None

    def restamp(self, path: str, stamp: tuple[int, int]) -> None:
        """Give a source's entry a new (mtime_ns, size) when the build is saved: its bytes, and so its parse, are
        the same."""
        self._restamps[path] = stamp

    # -- writing -------------------------------------------------------------------------

    def save(self, *, parsed: Mapping[str, CachedParse], removed_sources: Iterable[str],
             fingerprints: Mapping[str, str], removed_pages: Iterable[str], last_build: LastBuild,
             links: Iterable[tuple[str, LinkRecord]] | None, bodies: Mapping[str, str] | None = None,
             relinked: Iterable[tuple[str, LinkRecord | None]] = (),
             cards: Iterable[tuple[str, str, str, str]] = ()) -> None:
        """Record a good build: new parse results, new page fingerprints, new cards, and its record.

        `bodies`: the bodies of the articles in `parsed` whose entries carry none because they were just
        parsed (an entry without a body, and none here, is of a file that only got a new time).

        A cache that was missing, damaged or of another namespace is created anew first, so
        `parsed` and `fingerprints` must then hold every source's and every page's. `links`,
        from a build that linked the whole site, replaces what each article links to; `relinked` replaces what
        some articles link to (None: the article's record goes). `cards`: (path, language, key, card) of each card
        made since the cache had it.
        """
        self.keep_settings()
        removed_sources = tuple(removed_sources)
        index = memory.known_index(self.path)  # of the file as it is before this build writes it
        memory.forget_index()
        try:
            if self._whole():
                self.close()
                db = sqlite3.connect(self.path, isolation_level=None)
            else:
                index = None
                db = self._create()
        except (sqlite3.DatabaseError, OSError):
            return  # a cache that cannot be written costs speed next time, nothing else
        try:
            db.execute("BEGIN")
            db.executemany("DELETE FROM parsed WHERE path = ?", ((p,) for p in removed_sources))
            db.executemany("DELETE FROM cards WHERE path = ?", ((p,) for p in removed_sources))
            db.executemany("INSERT OR REPLACE INTO cards VALUES (?, ?, ?, ?)", cards)
            bodies = bodies or {}
            whole = {path for path, c in parsed.items()
                     if c.body_html is not None or path in bodies or not isinstance(c.value[0], Article)}
            # an article's entry without a body is one read from here whose file only got a new time: keep its body
            restamps = {**self._restamps, **{path: (c.mtime_ns, c.size) for path, c in parsed.items()
                                             if path not in whole}}
            db.executemany("UPDATE parsed SET mtime_ns = ?, size = ? WHERE path = ?",
                           ((*stamp, path) for path, stamp in restamps.items()))
            db.executemany(
                "INSERT OR REPLACE INTO parsed VALUES (?, ?, ?, ?, ?, ?, ?)",
                ((path, c.mtime_ns, c.size, c.content_hash, c.signature, pickle.dumps(c.value, protocol=5),
                  c.body_html if c.body_html is not None else bodies.get(path))
                 for path, c in parsed.items() if path in whole))
            if links is not None:
                db.execute("DELETE FROM links")
                db.executemany("INSERT INTO links VALUES (?, ?)",
                               ((path, pickle.dumps(value, protocol=5)) for path, value in links))
            changed = list(relinked)
            db.executemany("INSERT OR REPLACE INTO links VALUES (?, ?)",
                           ((path, pickle.dumps(value, protocol=5)) for path, value in changed if value is not None))
            db.executemany("DELETE FROM links WHERE path = ?", ((path,) for path, value in changed if value is None))
            db.executemany("DELETE FROM pages WHERE output_path = ?", ((p,) for p in removed_pages))
            db.executemany("INSERT OR REPLACE INTO pages VALUES (?, ?)", fingerprints.items())
            db.execute("INSERT OR REPLACE INTO meta VALUES ('last_build', ?)", (pickle.dumps(last_build, protocol=5),))
            db.execute("COMMIT")
        except sqlite3.DatabaseError:
            index = None
            if db.in_transaction:
                db.execute("ROLLBACK")
        finally:
            db.close()
        state = memory.note_whole(self.path)  # as this process left it: the next build need not read it through
        if index is not None:  # and the index, with what this build wrote
            for path in removed_sources:
                index.pop(path, None)
            index.update((path, stamp) for path, stamp in self._restamps.items() if path in index)
            index.update((path, (c.mtime_ns, c.size)) for path, c in parsed.items())
            memory.note_index(self.path, index, state)
