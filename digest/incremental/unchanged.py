"""A rebuild with nothing to do, told before the rest of digest is loaded.

A good build with the cache leaves beside it a record (`.digest-cache/unchanged`) of what it
read and what it wrote: the time and size of every file (sources, images, settings, templates,
static files, catalogs, digest's own code), the time of every folder it walked (a file added to
a folder or removed from it changes the folder's time), the presence of each folder that chooses
the theme, the output's marker file as it left it, and what it reported. `check` compares that
record with the files as they are, with nothing but `os.stat` and `marshal`: when every time and
size is the one recorded, the output holds that build still, and no article dated in the future
has come due, the build would take the route "nothing changed" (`state.choose_route`) and report
what the record says. The `digest build` command asks it before it loads anything else
(`commands.quick`); any difference, or a record it cannot read, and the build runs as usual and
decides for itself.

This module imports nothing of digest's at its top, so that asking costs only the `stat`s.
"""

from __future__ import annotations

import marshal
import os
import sys
import time
import zlib

TYPE_CHECKING = False  # (`typing` takes longer to import than this module takes to answer)
if TYPE_CHECKING:
    from pathlib import Path
    from typing import Any

    from digest.incremental.inputs import Inputs
    from digest.model import SiteConfig
    from digest.records import BuildOptions, LastBuild

CACHE_DIR = ".digest-cache"  # beside the site's sources, unless the caller names another (`cache.BuildCache`)
RECORD = "unchanged"
MARKER = ".digest-output"  # the output's marker file: `write.output.MARKER`, which cannot be imported here
_HEADER = b"digest unchanged-record 2"  # and the CRC-32 of what follows: the record, in `marshal`'s format
_PACKAGE = os.path.dirname(os.path.dirname(os.path.realpath(__file__)))  # digest's code, which may build otherwise
_SCANNED: list[Any] = []  # what `check(hand_over=True)` found, when only sources had changed: `scanned` takes it


def key(site_dir: str, output: str | None, drafts: bool, future: bool, strict: bool) -> tuple[object, ...]:
    """What a build's options and Python decide, as the record keeps it: the site, the output folder and whether
    it was named, the options that change what is built, and the interpreter (whose `marshal` wrote the record)."""
    output_dir = output if output is not None else os.path.join(site_dir, "output")
    return (sys.version, sys.executable, os.path.realpath(site_dir), os.path.realpath(output_dir),
            output is not None, drafts, future, strict)


def recordable(options: BuildOptions) -> bool:
    """Whether a build with these options can leave a record that the command line's builds can use: one that
    makes the search index, writes through the output's twin, at this moment, with the site's own `base_url`."""
    return (options.index_search and not options.in_place and not options.warm and options.now is None
            and options.base_url is None and options.changed is None)


def keep(cache_dir: Path, site_dir: Path, output_dir: Path, options: BuildOptions, config: SiteConfig,
         inputs: Inputs, last: LastBuild) -> None:
    """Leave the record of a good build (`last`, as the cache keeps it, of `inputs`), or none when an input or a
    folder was modified too near the start of the build for its time to tell a later change."""
    from array import array

    from digest.incremental.inputs import is_racy
    from digest.read.settings import CONFIG_FILE
    from digest.render.theme import chosen_by
    from digest.render.wording import site_counts

    articles, people, topics, _ = last.counts
    folders = [(os.path.abspath(path), mtime) for path, mtime in inputs.folders]
    folders += ((str(path.resolve()), _folder_time(str(path))) for path in chosen_by(site_dir, config.theme))
    files = [(os.path.abspath(path), mtime, size) for path, mtime, size in inputs.others_stamps]
    files += _stamped([str(site_dir / CONFIG_FILE)])
    for folder, subfolders, names in os.walk(_PACKAGE):
        subfolders[:] = sorted(name for name in subfolders if not name.startswith((".", "__")))
        folders.append((folder, _folder_time(folder)))
        files += _stamped(os.path.join(folder, name) for name in sorted(names) if name.endswith(".py"))
    marker = _marker(str(output_dir))
    if (inputs.every is None or marker is None or any(is_racy(mtime, inputs.started_ns) for _, mtime in folders)
            or any(is_racy(mtime, inputs.started_ns) for _, mtime, _ in files)):
        forget(cache_dir)
        return
    due = None if last.next_release is None else int(last.next_release.timestamp() * 1_000_000)
    record = {
        "key": key(str(site_dir), options.output_dir, options.drafts, options.future, options.strict),
        "marker": marker, "due": due,
        # the sources' paths, relative to the site, and their times and sizes in that order: a list of 10,000
        # tuples takes 20 ms to make and write, these 2
        "sources": "\0".join(inputs.stamps).encode("utf-8", "surrogateescape"),
        "stamps": array("q", [number for stamp in inputs.stamps.values() for number in stamp]).tobytes(),
        "files": files, "folders": folders,
        # what the walk of content/ found besides the sources: its other files, and how many of `folders` it walked
        # (the first), for the next build when only sources changed (`scanned`)
        "scan": [list(inputs.assets), inputs.walked],
        "report": {"counts": site_counts(articles, people, topics), "files": last.files,
                   "warnings": [str(p) for p in (*last.warnings, *last.search_warnings)]},
    }
    data = marshal.dumps(record)
    from digest.read.files import write_whole  # (a build's: the no-op check loads nothing of digest)

    if not write_whole(cache_dir / RECORD, b"%s %d\n" % (_HEADER, zlib.crc32(data)) + data):
        forget(cache_dir)  # no record: the next build looks at everything, as it would without one


def forget(cache_dir: Path) -> None:
    """Remove the record, if there is one: the builds after this one must look at everything."""
    try:
        (cache_dir / RECORD).unlink(missing_ok=True)
    except OSError:
        pass


def check(site_dir: str, asked: tuple[object, ...], now_ns: int | None = None,
          hand_over: bool = False) -> dict[str, Any] | None:
    """What the last good build reported, if a build of `site_dir` with the options of `asked` (`key`) would find
    nothing changed since; None if anything may have, or if there is no record that says. `now_ns`: the moment
    of the build (default: now), in nanoseconds since the epoch. `hand_over`: the caller builds at once when the
    answer is None; if only sources changed, what was found is left for that build (`scanned`)."""
    try:
        record = read(site_dir)
        if record is None:
            return None
        due = record["due"]
        now = time.time_ns() if now_ns is None else now_ns
        if (record["key"] != asked or due is not None and now // 1000 >= due
                or _marker(str(asked[3])) != record["marker"]):
            return None
        # the few other files and the folders first: a file added or removed shows there
        if any(_stamp(path) != [mtime, size] for path, mtime, size in record["files"]):
            return None
        if any(_folder_time(path) != mtime for path, mtime in record["folders"]):
            return None
        stamps = memoryview(record["stamps"]).cast("q")  # (as `keep` wrote them; `array` would import more)
        paths = record["sources"].decode("utf-8", "surrogateescape").split("\0") if record["sources"] else []
        if len(stamps) != 2 * len(paths):
            return None
        # the sources' paths are relative to the site: looked up from its folder where the system can
        site = os.open(str(asked[2]), os.O_RDONLY) if os.stat in os.supports_dir_fd else None
        prefix = "" if site is not None else str(asked[2]) + os.sep
        try:
            found = [os.stat(prefix + path, dir_fd=site) for path in paths]
        finally:
            if site is not None:
                os.close(site)
        changed = any(stamp.st_mtime_ns != stamps[2 * index] or stamp.st_size != stamps[2 * index + 1]
                      for index, stamp in enumerate(found))
        if changed and hand_over:  # only sources changed: the build that follows need not walk content/ again
            assets, walked = record["scan"]
            _SCANNED[:] = [(asked, paths, [(stamp.st_mtime_ns, stamp.st_size) for stamp in found], assets,
                            [tuple(folder) for folder in record["folders"][:walked]])]
        if changed:
            return None
        report: dict[str, Any] = record["report"]
        return report
    except (OSError, EOFError, ValueError, KeyError, TypeError, IndexError):  # none, unreadable, or another kind
        return None


def scanned(site_dir: Path, options: BuildOptions) -> Any:
    """What the last `check(hand_over=True)` of this process found when only sources had changed since the record
    (each source's path and stamp, and the walk's other findings as the record has them: `inputs.Scanned`), if it
    was asked about a build of `site_dir` with these options; else None. It is taken once, by the build that
    follows the check, which takes the sources and the files beside them from it instead of walking `content/`
    again. A file added or removed between the two is seen by the next build: the folder's time recorded is the
    one before."""
    if not _SCANNED:
        return None
    asked, paths, found, assets, folders = _SCANNED.pop()
    if asked != key(str(site_dir), options.output_dir, options.drafts, options.future, options.strict):
        return None
    return paths, found, assets, folders


def read(site_dir: str) -> dict[str, Any] | None:
    """The record in the site's cache, as `keep` wrote it; None if there is none, or another kind of file."""
    with open(os.path.join(site_dir, CACHE_DIR, RECORD), "rb") as handle:
        header, _, data = handle.read().partition(b"\n")
    if header != b"%s %d" % (_HEADER, zlib.crc32(data)):
        return None  # another format, or a damaged file: marshal is not meant to read those
    record = marshal.loads(data)
    return record if isinstance(record, dict) else None


def _stamp(path: str) -> list[int]:
    """A file's time and size as the record keeps them; -1, -1 for one that is not there
    (`inputs.file_stamp`)."""
    try:
        found = os.stat(path)
    except OSError:
        return [-1, -1]
    return [found.st_mtime_ns, found.st_size]


def _stamped(paths: Any) -> list[tuple[str, int, int]]:
    return [(path, *_stamp(path)) for path in paths]


def _folder_time(path: str) -> int:
    """A folder's modification time; -1 when there is none there."""
    try:
        return os.stat(path).st_mtime_ns
    except OSError:
        return -1


def _marker(output_dir: str) -> list[int] | None:
    """The output's marker file as a build left it: a build that writes the output writes a new one."""
    try:
        found = os.stat(os.path.join(output_dir, MARKER))
    except OSError:
        return None
    return [found.st_ino, found.st_mtime_ns, found.st_size]
