"""What a build reads, told apart cheaply: files' times and sizes, and hashes of the inputs.

These decide what a rebuild may skip: a source whose time and size did not change is not
read again, and a site whose inputs did not change at all is not built again.
"""

from __future__ import annotations

import dataclasses
import functools
import hashlib
import os
import stat
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from digest import model, read
from digest.model import FrozenMap, SiteConfig, SourceFile, __version__
from digest.records import BuildOptions
from digest.read.discover import scan, sources_as_scanned
from digest.read.files import read_bytes, walk
from digest.render.theme import Theme, link_home

# A file modified this close to the start of a build may be modified again within the same
# tick of the file system's clock (a second, on some), keeping its time and size: its time and
# size are not trusted next time and its bytes are hashed again (git's "racily clean" files).
RACY_NS = 2_000_000_000


def is_racy(mtime_ns: int, started_ns: int) -> bool:
    """Whether a file was modified too near the start of the build (`started_ns`) for its time to tell a later change."""
    return mtime_ns > started_ns - RACY_NS


def kept_stamp(stamp: tuple[int, int], started_ns: int) -> tuple[int, int]:
    """The time and size the cache keeps for a file read now: a racy time as -1, so that it is hashed again."""
    mtime_ns, size = stamp
    return (-1 if is_racy(mtime_ns, started_ns) else mtime_ns), size


@dataclass(frozen=True, slots=True, kw_only=True)
class Inputs:
    """Every input of a build, told apart by times, sizes and names: what a cache compares with the last build's."""

    stamps: Mapping[str, tuple[int, int]]  # source path -> (mtime_ns, size)
    others: str | None  # `others_fingerprint`
    names: str  # `names_fingerprint`
    every: str | None  # all of them, sources included; None when one is too new to tell by its time
    started_ns: int  # when the build started, on the file system's clock
    others_stamps: tuple[tuple[str, int, int], ...] = ()  # every input but the sources: path, mtime_ns, size
    folders: tuple[tuple[str, int], ...] = ()  # every folder walked for them: path, mtime_ns (`unchanged.keep`)
    # what the walk of `content/` found besides the sources, for `unchanged.keep`: the other files, and how many of
    # `folders` it walked (the first)
    assets: tuple[str, ...] = ()
    walked: int = 0


def look_at_inputs(site_dir: Path, config: SiteConfig, theme: Theme, options: BuildOptions,
                   sources: list[SourceFile], assets: list[str], started_ns: int,
                   taken: Mapping[str, tuple[int, int]], folders: list[tuple[str, int]] | None = None) -> Inputs:
    """The build's inputs, stamped: one `stat` per file, nothing read (`taken`: the sources' stamps, which
    `read.discover.scan` took during its walk). `folders`: those the walk of `content/` took; with them, the inputs
    keep every other file's stamp and every folder's time as well, and the files beside the sources, for
    `unchanged.keep`."""
    stamps = {s.path: taken[s.path] for s in sources}  # in the sources' order
    files: list[tuple[str, int, int]] | None = [] if folders is not None else None
    walked = len(folders or ())
    others = others_fingerprint(site_dir, config, theme, options, assets, started_ns, files, folders)
    sources_now = sources_fingerprint(stamps, started_ns)
    return Inputs(stamps=FrozenMap(stamps), others=others, names=names_fingerprint(stamps),
                  every=None if others is None or sources_now is None else others + sources_now,
                  started_ns=started_ns, others_stamps=tuple(files or ()), folders=tuple(folders or ()),
                  assets=tuple(assets) if folders is not None else (), walked=walked)


def file_stamp(path: str) -> tuple[int, int]:
    """A file's modification time and size; (-1, -1) for a file that cannot be read, such as a broken link."""
    try:
        found = os.stat(path)
    except OSError:
        return -1, -1
    return found.st_mtime_ns, found.st_size


def parse_namespace(config: SiteConfig) -> str:
    """Everything besides a file's bytes that decides how it parses: cache entries are valid within it.

    The code that reads and what it reads into are part of it (`code_source`): a cache written before a field
    was added (by a development version of the same number) is emptied, not read back without it.
    """
    languages = tuple((language.code, language.root) for language in config.languages)  # an article's URL and lang
    return repr((__version__, code_source(), config.markdown, config.timezone, config.article_url,
                 config.base_url, languages, config.editions is not None))  # editions: what content/editions/ holds


@functools.lru_cache(maxsize=1)
def code_source() -> str:
    """A hash of the code that reads a file and of what it reads it into (the `read` and `model` packages): a
    cache made by other code is emptied."""
    digest = hashlib.blake2b(digest_size=8)
    for folder in (*read.__path__, *model.__path__):
        for name in sorted(os.listdir(folder)):
            if name.endswith(".py"):
                digest.update(name.encode() + b"\0" + read_bytes(os.path.join(folder, name)))
    return digest.hexdigest()


def template_salt(config: SiteConfig, theme: Theme) -> str:
    """What every page depends on: digest's version, the settings, whether search works, every template's source."""
    digest = hashlib.blake2b(digest_size=16)
    from digest.write.search import search_ready  # loaded by the builds that render, not by a no-op one

    digest.update(repr((__version__, config, search_ready(config))).encode())
    for root in (*theme.template_dirs, *theme.i18n_dirs):
        for folder, files in walk(root, link_home(theme, root)):
            for name in files:
                path = os.path.join(folder, name)
                digest.update(path.encode("utf-8", "surrogatepass") + b"\0" + read_bytes(path))
    return digest.hexdigest()


def others_fingerprint(site_dir: Path, config: SiteConfig, theme: Theme, options: BuildOptions, assets: list[str],
                       started_ns: int, files: list[tuple[str, int, int]] | None = None,
                       folders: list[tuple[str, int]] | None = None) -> str | None:
    """One hash of every input but the Markdown sources: settings, options, templates, static files, images.

    `assets`: the files beside the sources (`read.discover.scan`). None when an input was modified so
    recently that its time may not tell a later change. `files` and `folders`, when given, get the path and
    stamp of each of those files and the time of each folder of the theme walked for them.
    """
    digest = hashlib.blake2b(digest_size=16)
    digest.update(repr((__version__, config, dataclasses.replace(options, now=None, jobs=None, changed=None))).encode())
    digest.update(repr(theme.links_out).encode())  # the walks skip them: a new one must still change the hash
    paths = [str(site_dir / asset) for asset in assets]
    for root in (*theme.template_dirs, *theme.static_dirs, *theme.i18n_dirs):
        for folder, names in walk(root, link_home(theme, root), folders=folders):
            paths += (os.path.join(folder, name) for name in names)
    for path in paths:
        mtime, size = file_stamp(path)
        if is_racy(mtime, started_ns):
            return None
        digest.update(f"{path}\0{mtime}\0{size}\0".encode("utf-8", "surrogatepass"))
        if files is not None:
            files.append((path, mtime, size))
    return digest.hexdigest()


def sources_fingerprint(stamps: Mapping[str, tuple[int, int]], started_ns: int) -> str | None:
    """One hash of every Markdown source's name, time and size; None if one was modified just now."""
    if any(is_racy(mtime, started_ns) for mtime, _ in stamps.values()):
        return None
    digest = hashlib.blake2b(digest_size=16)
    for path, (mtime, size) in sorted(stamps.items()):
        digest.update(f"{path}\0{mtime}\0{size}\0".encode("utf-8", "surrogatepass"))
    return digest.hexdigest()


def names_fingerprint(stamps: Mapping[str, tuple[int, int]]) -> str:
    """One hash of the sources' names alone: which files the site has."""
    return hashlib.blake2b("\0".join(sorted(stamps)).encode("utf-8", "surrogatepass"), digest_size=16).hexdigest()


# `unchanged.scanned`: the sources' paths and stamps, the other files, and the folders walked with their times
Scanned = tuple[list[str], list[tuple[int, int]], list[str], list[tuple[str, int]]]

# the last scan of each site a warm build made in this process: its sources, other files, stamps, links out of
# the site, and whether the site had editions then (which makes content/editions/ a folder of introductions)
_SCANS: dict[str, tuple[list[SourceFile], list[str], dict[str, tuple[int, int]], list[str], bool]] = {}


def scan_sources(site_dir: Path, config: SiteConfig, options: BuildOptions, stamps: dict[str, tuple[int, int]],
                 links_out: list[str], folders: list[tuple[str, int]] | None = None,
                 scanned: Scanned | None = None) -> tuple[list[SourceFile], list[str]]:
    """The site's sources and other files, the sources' stamps and the links out of the site below `content/`:
    from one walk of `content/`, or, for a warm build told what changed (`BuildOptions.changed`) when each is a
    source the last scan found and still a file, from that scan with those stamped again. `folders`, given to a
    build that walks `content/`, gets each folder's path and time (`read.discover.scan`). `scanned`: what the
    command line's look at the last build's record found just now, when only sources had changed since
    (`unchanged.scanned`): the walk's findings as that build recorded them, with each source stamped again. (That
    build found no link out of the site, as each is an error, and one made since changes its folder's time.)"""
    if scanned is not None and folders is not None:
        paths, stamped, assets, walked = scanned
        stamps.update(zip(paths, stamped))
        folders += walked
        return sources_as_scanned(site_dir, paths, config.editions is not None), list(assets)
    key = str(site_dir.resolve())
    editions = config.editions is not None
    last = _SCANS.get(key) if options.warm else None
    if last is not None and options.changed is not None and last[4] == editions:
        sources, assets, known, out, _ = last
        again: dict[str, tuple[int, int]] = {}
        for path in options.changed:
            try:
                found = os.stat(site_dir / path) if path in known else None
            except OSError:
                found = None
            if found is None or not stat.S_ISREG(found.st_mode):
                break
            again[path] = found.st_mtime_ns, found.st_size
        else:
            stamps.update(known)
            stamps.update(again)
            links_out += out
            _SCANS[key] = (sources, assets, dict(stamps), out, editions)
            return list(sources), list(assets)
    sources, assets = scan(site_dir, editions=editions, stamps=stamps, out=links_out, folders=folders)
    if options.warm:
        _SCANS[key] = (list(sources), list(assets), dict(stamps), list(links_out), editions)
    return sources, assets
