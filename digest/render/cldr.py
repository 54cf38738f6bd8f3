"""Dates and plural categories from CLDR, through Babel, remembered from one build to the next.

The first question a process asks Babel costs about 25 ms (importing `babel.dates`, whose look
for the machine's time zone alone takes 8 ms, then reading the locale's data): more than the
rest of rendering the page of an edited article. Its answers are few and never change for one
Babel (a day in one form and locale, a count's plural category), so each is kept in the build
cache, `.digest-cache/cldr.pickle`, and a rebuild asks Babel only what no build asked before.
Render workers send what they were told back to the build (`learned`, `learn`), which saves it.

The file names the Babel and the code that answered; one written by others is not read.
"""

from __future__ import annotations

import importlib.util
import os
import pickle
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

from digest.model import __version__
from digest.read.files import write_whole

FILE = "cldr.pickle"
# (locale, skeleton, the day's ordinal) for a date in one form, (locale, "", count) for a count's plural category
Key = tuple[str, str, int]


class _Answers:
    """What this process knows, and where it keeps it."""

    def __init__(self) -> None:
        self.folder: Path | None = None  # the build cache's, if any (`keep_in`)
        self.read_from: Path | None = None  # the folder whose file was read into `known`
        self.known: dict[Key, str] = {}
        self.new: dict[Key, str] = {}  # told since the last `learned()`
        self.unsaved = False


_ANSWERS = _Answers()


def keep_in(folder: Path | None) -> None:
    """Keep the answers in `folder` (the build cache's), or in this process only (None)."""
    _ANSWERS.folder = folder


def answer(key: Key, ask: Callable[[], str]) -> str:
    """The answer to `key`: as a build was told it before, else `ask()`ed now (and kept)."""
    known = _ANSWERS.known.get(key)
    if known is None and _ANSWERS.folder is not None and _ANSWERS.read_from != _ANSWERS.folder:
        _read(_ANSWERS.folder)
        known = _ANSWERS.known.get(key)
    if known is None:
        known = _ANSWERS.known[key] = _ANSWERS.new[key] = ask()
        _ANSWERS.unsaved = True
    return known


def learned() -> dict[Key, str] | None:
    """The answers this process was told since the last call (a render worker's, for the build), or None."""
    if not _ANSWERS.new:
        return None
    new, _ANSWERS.new = _ANSWERS.new, {}
    return new


def learn(answers: Mapping[Key, str]) -> None:
    """Take in answers another process was told (`learned`), to be saved with this one's."""
    for key, text in answers.items():
        if key not in _ANSWERS.known:
            _ANSWERS.known[key] = text
            _ANSWERS.unsaved = True


def save() -> None:
    """Write the answers to the folder of `keep_in`, if any was told since they were read."""
    folder = _ANSWERS.folder
    if folder is None or not _ANSWERS.unsaved:
        return
    if _ANSWERS.read_from != folder:
        _read(folder)  # what the file holds stays in it
    # (a cache that cannot be written costs the next build 25 ms)
    if write_whole(folder / FILE, pickle.dumps({"stamp": _stamp(), "known": _ANSWERS.known}, protocol=5)):
        _ANSWERS.unsaved = False


class _Plain(pickle.Unpickler):
    """Reads back text, numbers, tuples and mappings only: a forged file runs no code."""

    def find_class(self, module: str, name: str) -> Any:
        raise pickle.UnpicklingError(f"{module}.{name} is not allowed in {FILE}")


def _read(folder: Path) -> None:
    """Add the answers of the folder's file to this process's, if it was written by this Babel and code."""
    _ANSWERS.read_from = folder
    try:
        with open(folder / FILE, "rb") as handle:
            kept = _Plain(handle).load()
    except Exception:  # noqa: BLE001 - whatever a damaged or missing file makes pickle raise: it is not read
        return
    if not isinstance(kept, dict) or kept.get("stamp") != _stamp() or not isinstance(kept.get("known"), dict):
        return
    for key, text in kept["known"].items():
        if isinstance(key, tuple) and isinstance(text, str):
            _ANSWERS.known.setdefault(key, text)


def _stamp() -> tuple[object, ...]:
    """Who answered: digest's version, and the files of Babel and of this code as they are installed."""
    spec = importlib.util.find_spec("babel")  # (found, not imported)
    files = [spec.origin if spec is not None and spec.origin else "", __file__]
    stats = []
    for path in files:
        try:
            found = os.stat(path)
        except OSError:
            stats.append((path, -1, -1))
        else:
            stats.append((path, found.st_mtime_ns, found.st_size))
    return __version__, *stats
