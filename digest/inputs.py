"""What a build reads, told apart cheaply: files' times and sizes, and hashes of the inputs.

These decide what a rebuild may skip: a source whose time and size did not change is not
read again, and a site whose inputs did not change at all is not built again.
"""

from __future__ import annotations

import dataclasses
import functools
import hashlib
import os
from pathlib import Path

from digest.files import walk
from digest.model import Article, BuildOptions, SiteConfig, TermPage, __version__
from digest.search import search_ready
from digest.theme import Theme, link_home

# A file modified this close to the start of a build may be modified again within the same
# tick of the file system's clock (a second, on some), keeping its time and size: its time and
# size are not trusted next time and its bytes are hashed again (git's "racily clean" files).
RACY_NS = 2_000_000_000


def file_stamp(path: str) -> tuple[int, int]:
    """A file's modification time and size; (-1, -1) for a file that cannot be read, such as a broken link."""
    try:
        stat = os.stat(path)
    except OSError:
        return -1, -1
    return stat.st_mtime_ns, stat.st_size


def read_bytes(path: str) -> bytes:
    """A file's bytes, read in one call where it can be: `open()` costs twice as much on small files."""
    handle = os.open(path, os.O_RDONLY | getattr(os, "O_BINARY", 0))
    try:
        size = os.fstat(handle).st_size
        data = os.read(handle, size + 1)
        if len(data) != size:  # a short read, or a file that grew: read on to the end
            chunks = [data]
            while chunk := os.read(handle, 1 << 20):
                chunks.append(chunk)
            data = b"".join(chunks)
    finally:
        os.close(handle)
    return data


def parse_namespace(config: SiteConfig) -> str:
    """Everything besides a file's bytes that decides how it parses: cache entries are valid within it.

    The fields of the parsed types are part of it: a cache written before a field was added
    (by a development version of the same number) is emptied, not read back without it.
    """
    shapes = tuple(tuple(f.name for f in dataclasses.fields(kind)) for kind in (Article, TermPage))
    return repr((__version__, shapes, _parser_source(), config.markdown, config.timezone, config.article_url,
                 config.base_url))


@functools.lru_cache(maxsize=1)
def _parser_source() -> str:
    """A hash of the code that parses a file: a cache made by other code (a development version) is emptied."""
    digest = hashlib.blake2b(digest_size=8)
    for module in ("yamlread", "files", "dates", "names", "markdown", "content"):
        digest.update(read_bytes(os.path.join(os.path.dirname(__file__), f"{module}.py")))
    return digest.hexdigest()


def template_salt(config: SiteConfig, theme: Theme) -> str:
    """What every page depends on: digest's version, the settings, whether search works, every template's source."""
    digest = hashlib.blake2b(digest_size=16)
    digest.update(repr((__version__, config, search_ready(config))).encode())
    for root in theme.template_dirs:
        for folder, files in walk(root, link_home(theme, root)):
            for name in files:
                path = os.path.join(folder, name)
                digest.update(path.encode("utf-8", "surrogatepass") + b"\0" + read_bytes(path))
    return digest.hexdigest()


def others_fingerprint(site_dir: Path, config: SiteConfig, theme: Theme, options: BuildOptions, assets: list[str],
                       started_ns: int) -> str | None:
    """One hash of every input but the Markdown sources: settings, options, templates, static files, images.

    `assets`: the files beside the sources (`content.scan`). None when an input was modified so
    recently that its time may not tell a later change.
    """
    digest = hashlib.blake2b(digest_size=16)
    digest.update(repr((__version__, config, dataclasses.replace(options, now=None, jobs=None))).encode())
    digest.update(repr(theme.links_out).encode())  # the walks skip them: a new one must still change the hash
    paths = [str(site_dir / asset) for asset in assets]
    for root in (*theme.template_dirs, *theme.static_dirs):
        for folder, files in walk(root, link_home(theme, root)):
            paths += (os.path.join(folder, name) for name in files)
    for path in paths:
        mtime, size = file_stamp(path)
        if mtime > started_ns - RACY_NS:
            return None
        digest.update(f"{path}\0{mtime}\0{size}\0".encode("utf-8", "surrogatepass"))
    return digest.hexdigest()


def sources_fingerprint(stamps: dict[str, tuple[int, int]], started_ns: int) -> str | None:
    """One hash of every Markdown source's name, time and size; None if one was modified just now."""
    if any(mtime > started_ns - RACY_NS for mtime, _ in stamps.values()):
        return None
    digest = hashlib.blake2b(digest_size=16)
    for path, (mtime, size) in sorted(stamps.items()):
        digest.update(f"{path}\0{mtime}\0{size}\0".encode("utf-8", "surrogatepass"))
    return digest.hexdigest()


def names_fingerprint(stamps: dict[str, tuple[int, int]]) -> str:
    """One hash of the sources' names alone: which files the site has."""
    return hashlib.blake2b("\0".join(sorted(stamps)).encode("utf-8", "surrogatepass"), digest_size=16).hexdigest()
