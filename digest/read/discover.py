"""Stage 2, discover: the site's `content/` folder → its Markdown sources and its other files.

A Markdown file directly in `content/people/`, `content/topics/` or `content/sources/` is a term
page, one in `content/editions/` an edition's introduction (on a site with editions); every
other `*.md` below `content/` is an article; every other file is copied as it is.
Hidden files and editors' temporary files are not the site's (`files.is_ignored`).
"""

from __future__ import annotations

import operator
import os
from pathlib import Path
from typing import Any

from digest.model import TAXONOMIES, SourceFile
from digest.read.files import is_ignored, walk_entries

CONTENT_DIR = "content"
EDITIONS_DIR = "editions"  # content/editions/: the introductions of editions, on a site that has them
_path = operator.attrgetter("path")


def scan(site_dir: Path, editions: bool = False, stamps: dict[str, tuple[int, int]] | None = None,
         out: list[str] | None = None, folders: list[tuple[str, int]] | None = None
         ) -> tuple[list[SourceFile], list[str]]:
    """One walk of `content/`: its Markdown sources and its other files (images beside articles), sorted.

    `editions`: the site has editions, and a Markdown file directly in `content/editions/` is an edition's
    introduction (on a site without them, it is an article like any other). `stamps`, when given, gets each
    source's modification time and size (`incremental.inputs.file_stamp`), taken during the walk. `out`, when
    given, gets the path of each symbolic link that points out of the site (`render.theme.resolve_theme` reports
    them), so that the build walks `content/` once. `folders`, when given, gets the path and modification time of
    each folder walked (`files.walk_entries`).
    """
    root = site_dir / CONTENT_DIR
    sources: list[SourceFile] = []
    assets: list[str] = []
    for folder, files in walk_entries(root, site_dir, is_ignored, out, folders):
        rel_dir = Path(folder).relative_to(site_dir).as_posix()
        kind = source_kind(rel_dir, editions)
        prefix = rel_dir + "/"
        for entry in files:
            name = entry.name
            path = prefix + name
            if not name.endswith(".md"):
                assets.append(path)
                continue
            sources.append(SourceFile(path=path, abs_path=entry.path, kind=kind))
            if stamps is not None:
                try:
                    found = entry.stat()
                except OSError:  # a broken link: reading it reports it
                    stamps[path] = -1, -1
                else:
                    stamps[path] = found.st_mtime_ns, found.st_size
    sources.sort(key=_path)
    return sources, sorted(assets)


def source_kind(rel_dir: str, editions: bool) -> Any:
    """What a Markdown file in the folder `rel_dir` (relative to the site) is: a term page of a taxonomy, an
    edition's introduction (`editions`: on a site that has them), or an article.

    >>> source_kind("content/people", False), source_kind("content/people/more", False)
    ('people', 'article')
    >>> source_kind("content/editions", False), source_kind("content/editions", True)
    ('article', 'editions')
    """
    parts = rel_dir.split("/")
    return parts[1] if len(parts) == 2 and (parts[1] in TAXONOMIES or editions and parts[1] == EDITIONS_DIR) \
        else "article"


def sources_as_scanned(site_dir: Path, paths: list[str], editions: bool) -> list[SourceFile]:
    """The sources `scan` would find at these paths (relative to the site, sorted), each as its walk names it."""
    base = str(site_dir)  # (`str(site_dir / path)`, made 10,000 times, takes 20 ms)
    prefix = "" if base == "." else base if base.endswith(os.sep) else base + os.sep
    kinds: dict[str, Any] = {}
    sources = []
    for path in paths:
        folder = path.rpartition("/")[0]
        kind = kinds.get(folder) or kinds.setdefault(folder, source_kind(folder, editions))
        sources.append(SourceFile(path=path, abs_path=prefix + path.replace("/", os.sep), kind=kind))
    return sources
