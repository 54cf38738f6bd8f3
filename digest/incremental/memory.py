"""What this process remembers of the cache file it last wrote or read: whether the file is whole, and the
index of its sources. A process that builds again and again (the preview) then reads neither again.

Each memory holds for the file as `os.stat` saw it, with its write-ahead log: once another process has
changed the file, it is read again.
"""

from __future__ import annotations

import os
from pathlib import Path

Index = dict[str, tuple[int, int]]  # source path -> (mtime_ns, size)

_WHOLE: dict[Path, tuple[int, ...]] = {}
_INDEX: dict[Path, tuple[tuple[int, ...], Index]] = {}


def file_state(path: Path) -> tuple[int, ...] | None:
    """What `os.stat` says of a cache file and of its write-ahead log (longer than 4 when the log holds pages);
    None when there is no file."""
    try:
        main = os.stat(path)
    except OSError:
        return None
    try:
        log = os.stat(f"{path}-wal")
    except OSError:
        log = None
    # an empty log holds nothing (opening the file, even to read it, makes one)
    logged: tuple[int, ...] = (log.st_ino, log.st_size, log.st_mtime_ns) if log is not None and log.st_size else ()
    return (main.st_dev, main.st_ino, main.st_size, main.st_mtime_ns, *logged)


def note_whole(path: Path) -> tuple[int, ...] | None:
    """Remember that the file is whole as it is now (this process wrote it, or read it through); its state."""
    _WHOLE.clear()
    state = file_state(path)
    if state is not None:
        _WHOLE[path] = state
    return state


def known_whole(path: Path) -> bool:
    """Whether the file is as it was when this process last found it whole."""
    known = _WHOLE.get(path)
    return known is not None and known == file_state(path)


def note_index(path: Path, index: Index, state: tuple[int, ...] | None) -> None:
    """Remember the index of the file in `state` (taken before the index was read, so that a change in between
    makes the memory useless, not wrong)."""
    _INDEX.clear()
    if state is not None:
        _INDEX[path] = state, index


def known_index(path: Path) -> Index | None:
    """A copy of the index remembered of the file as it is now; None if there is none."""
    held = _INDEX.get(path)
    return dict(held[1]) if held is not None and held[0] == file_state(path) else None


def forget_index() -> None:
    _INDEX.clear()
