"""The site's own files: its folders walked, names that are not the site's skipped, files read fast.

What the build cache keeps in files of its own is written whole or not at all (`write_whole`).

Everything a build reads comes from inside the site folder. A symbolic link that points
elsewhere in the site is followed like the file or folder it names (a folder reached twice,
through a link loop, is walked once); one that points out of the site, to a file or a
folder, is skipped by the walk and reported by `links_out`, so no file from elsewhere
(`/etc/passwd`, a home folder) is copied into the output or read as content.
"""

from __future__ import annotations

import contextlib
import operator
import os
import re
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path

from digest.model import Problem


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


def write_whole(path: Path, data: bytes) -> bool:
    """Write a file whole or not at all: into a scratch file beside it (hidden, named after it and this process),
    then renamed over it; whether it was written. A folder that cannot be written is no error here: a cache's
    files only save time."""
    scratch = path.with_name(f".{path.name}.{os.getpid()}")
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        scratch.write_bytes(data)
        os.replace(scratch, path)
    except OSError:
        with contextlib.suppress(OSError):
            scratch.unlink(missing_ok=True)
        return False
    return True


def is_ignored(name: str) -> bool:
    """Whether a file or folder name is hidden, or an editor's or a download's temporary file.

    Vim's swap files (`.swp`, `.swo`...) and its `4913` probe, Emacs' `#a.md#` and `.#a.md`,
    backups (`a.md~`, `.bak`), and the files of atomic saves and downloads in progress.

    >>> [is_ignored(n) for n in (".draft.md", "a.md~", ".#a.md", "#a.md#", "a.md.swo", "4913", "a.part", "a.md")]
    [True, True, True, True, True, True, True, False]
    """
    return (name.startswith((".", "#", "~")) or name.endswith(("~", ".tmp", ".bak", ".part", ".crdownload"))
            or name == "4913" or _SWAP.search(name) is not None)


_SWAP = re.compile(r"\.sw[a-z]$")


def is_inside(path: str, folder: str) -> bool:
    """Whether the real path `path` is `folder` or below it (both resolved).

    >>> is_inside("/site/content/a.md", "/site"), is_inside("/site-2/a.md", "/site"), is_inside("/site", "/site")
    (True, False, True)
    """
    return path == folder or path.startswith(folder.rstrip(os.sep) + os.sep)


def _leads_out(path: str, site: str) -> bool:
    """Whether `path` is a link to something that exists outside the real site folder `site`."""
    return os.path.islink(path) and os.path.exists(path) and not is_inside(os.path.realpath(path), site)


def is_hidden(name: str) -> bool:
    """Whether a file or folder name is hidden (`.git`, `.DS_Store`): never a file of the site's theme."""
    return name.startswith(".")


def _no_name(name: str) -> bool:
    return False


_name = operator.attrgetter("name")


def walk(root: Path | str, site_dir: Path | str, ignored: Callable[[str], bool] = _no_name,
         folders: list[tuple[str, int]] | None = None) -> Iterator[tuple[str, list[str]]]:
    """(folder, file names) for `root` and every folder below it, in sorted order, like `os.walk`.

    Names for which `ignored` is true (none, by default) are left out. Links inside the site are followed, links
    out of it left out. A broken link is listed as a file, so that reading it reports it. `folders`, when given,
    gets each folder's path and modification time, taken before the folder is read.
    """
    for folder, entries in walk_entries(root, site_dir, ignored, folders=folders):
        yield folder, [entry.name for entry in entries]


def walk_entries(root: Path | str, site_dir: Path | str, ignored: Callable[[str], bool] = _no_name,
                 out: list[str] | None = None, folders: list[tuple[str, int]] | None = None
                 ) -> Iterator[tuple[str, list[os.DirEntry[str]]]]:
    """`walk`, with the files as `os.DirEntry`s (their paths made, their `stat()` one call each), and the links
    out of the site added to `out`, when given."""
    site = os.path.realpath(site_dir)
    seen: set[str] = set()
    stack = [str(root)]
    while stack:
        folder = stack.pop()
        real = os.path.realpath(folder)
        if real in seen or not is_inside(real, site):
            continue
        seen.add(real)
        try:
            if folders is not None:  # (before the folder is read: a file added meanwhile changes it after)
                folders.append((folder, os.stat(folder).st_mtime_ns))
            entries = sorted(os.scandir(folder), key=_name)
        except OSError:
            continue
        files: list[os.DirEntry[str]] = []
        below: list[str] = []
        for entry in entries:
            if ignored(entry.name):
                continue
            if entry.is_symlink() and _leads_out(entry.path, site):
                if out is not None:
                    out.append(entry.path)
                continue
            if entry.is_dir():
                below.append(entry.path)
            else:
                files.append(entry)
        yield folder, files
        stack.extend(reversed(below))


def links_out(site_dir: Path, roots: Iterable[Path], ignored: Callable[[str], bool],
              found: list[str] | None = None) -> list[Problem]:
    """A problem for each symbolic link under `roots` (or a root itself) that points out of the site.

    `found`: the links out below the roots, when a walk of them (`walk_entries`) listed them already.
    """
    site = os.path.realpath(site_dir)
    problems: list[Problem] = []
    seen: set[str] = set()

    def report(path: str) -> None:
        if path in seen:
            return
        seen.add(path)
        kind = "folder" if os.path.isdir(path) else "file"
        name = Path(os.path.relpath(path, site_dir)).as_posix()
        problems.append(Problem(path=name, line=None, message=f"is a symbolic link to a {kind} outside the site",
                                hint=f"Copy the {kind} into the site folder instead: a build reads only files "
                                     "inside the site, and a link may point only there."))

    for root in roots:
        if not is_inside(os.path.realpath(root), site):
            # the root, or a folder above it in the site (themes/NAME), is a link out
            relative = Path(os.path.relpath(root, site_dir)).parts
            tops = [Path(site_dir, *relative[:n]) for n in range(1, len(relative) + 1)]
            report(str(next((top for top in tops if _leads_out(str(top), site)), root)))
            continue
        below = found
        if below is None:
            below = []
            for _ in walk_entries(root, site_dir, ignored, below):
                pass
        for path in below:
            report(path)
    return sorted(problems, key=lambda p: p.path or "")
