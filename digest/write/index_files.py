"""Pagefind's own files, read back: which files a part of the search index refers to.

Pagefind names its data files by a hash of their bytes and does not write a file it finds
already there, so a part is made again fastest in a folder that already holds the part's
previous files (hard links, see `search._index_part`): only what changed is compressed and
written. It removes nothing, though. `prune()` removes what the new index no longer refers to,
as its metadata lists it: a page's fragment, a chunk of the word index, a filter.

Each data file is gzip, the signature `pagefind_dcd`, then CBOR.
"""

from __future__ import annotations

import gzip
import json
import os
from pathlib import Path
from typing import Any

_SIGNATURE = b"pagefind_dcd"
_DATA_FOLDERS = ("fragment", "index", "filter")


def pagefind_values(path: Path) -> Any:
    """The values of a Pagefind data file (`.pf_meta`, `.pf_filter`...)."""
    data = gzip.decompress(path.read_bytes())
    if not data.startswith(_SIGNATURE):
        raise ValueError(f"{path}: not a Pagefind data file")
    value, _ = _cbor(data, len(_SIGNATURE))
    return value


def _cbor(data: bytes, at: int) -> tuple[Any, int]:
    """The CBOR value at `data[at:]` (of the kinds Pagefind writes), and where it ends.

    >>> _cbor(bytes([0x82, 0x63]) + b"abc" + bytes([0x19, 0x01, 0x00]), 0)
    (['abc', 256], 8)
    """
    kind, small = data[at] >> 5, data[at] & 31
    at += 1
    if kind == 7:
        return {20: False, 21: True, 22: None}[small], at
    size = small
    if small >= 24:
        width = 1 << (small - 24)
        size, at = int.from_bytes(data[at: at + width], "big"), at + width
    if kind in (0, 1):
        return (size if kind == 0 else -1 - size), at
    if kind in (2, 3):
        chunk = data[at: at + size]
        return (chunk if kind == 2 else chunk.decode("utf-8")), at + size
    if kind == 6:  # a tag: its value
        return _cbor(data, at)
    items = []
    for _ in range(size * (2 if kind == 5 else 1)):
        item, at = _cbor(data, at)
        items.append(item)
    return (items if kind == 4 else [items[i: i + 2] for i in range(0, len(items), 2)]), at


def referred(folder: Path) -> set[str]:
    """The data files (paths relative to `folder`) that a part's metadata refers to, for every language."""
    entry = json.loads((folder / "pagefind-entry.json").read_bytes())
    found = set()
    for language in entry["languages"].values():
        meta_name = f"pagefind.{language['hash']}.pf_meta"
        # [version, pages [hash, words], word chunks [from, to, hash], filters [name, hash], sorts, fields]
        meta = pagefind_values(folder / meta_name)
        found.add(meta_name)
        found.update(f"fragment/{page[0]}.pf_fragment" for page in meta[1])
        found.update(f"index/{chunk[2]}.pf_index" for chunk in meta[2])
        found.update(f"filter/{named[1]}.pf_filter" for named in meta[3])
    return found


def seed(live: Path, scratch: Path) -> None:
    """Hard-link the data files of a part (never the files Pagefind writes again each time) into the
    scratch folder where it is about to be made again."""
    if not (live / "pagefind-entry.json").is_file():
        return
    for folder in _DATA_FOLDERS:
        if (live / folder).is_dir():
            (scratch / folder).mkdir(parents=True, exist_ok=True)
            for entry in os.scandir(live / folder):
                os.link(entry.path, scratch / folder / entry.name)
    for meta in live.glob("*.pf_meta"):
        os.link(meta, scratch / meta.name)


def prune(folder: Path) -> None:
    """Remove the data files of a part that its index no longer refers to."""
    keep = referred(folder)
    for path in [*folder.glob("*.pf_meta"), *(path for name in _DATA_FOLDERS for path in folder.glob(f"{name}/*"))]:
        if path.relative_to(folder).as_posix() not in keep:
            path.unlink()
