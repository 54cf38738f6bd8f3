"""What a build cache file may hold, read back: digest's own nouns, the dates in them and YAML's plain text.

The cache is a file in the site's folder that anyone could have written: its values are read back
with an unpickler that knows only these types, so a foreign or forged file runs no code.
"""

from __future__ import annotations

import datetime
import inspect
import io
import pickle
import zoneinfo
from typing import Any

from digest import model, records
from digest.read.yamlread import Plain

# What a cache file may hold: digest's own nouns, the dates in them, and YAML's plain text.
_ALLOWED = {(kind.__module__, kind.__qualname__) for kind in (
    *(value for nouns in (model, records) for _, value in inspect.getmembers(nouns, inspect.isclass)
      if value.__module__.split(".")[:2] == nouns.__name__.split(".")),
    datetime.datetime, datetime.date, datetime.timedelta, datetime.timezone, zoneinfo.ZoneInfo, Plain)}


def _zoneinfo_getattr(owner: object, name: str) -> Any:
    """The one use of `getattr` that pickled values make: `ZoneInfo._unpickle`."""
    if owner is not zoneinfo.ZoneInfo or name != "_unpickle":
        raise pickle.UnpicklingError(f"getattr({owner!r}, {name!r}) is not allowed in the build cache")
    return zoneinfo.ZoneInfo._unpickle  # type: ignore[attr-defined]


_FOUND: dict[tuple[str, str], Any] = {("builtins", "getattr"): _zoneinfo_getattr}  # the allowed, once found


class _Unpickler(pickle.Unpickler):
    """Reads back only the types digest itself stores: a foreign or forged file runs no code."""

    def find_class(self, module: str, name: str) -> Any:
        found = _FOUND.get((module, name))
        if found is None:
            if (module, name) not in _ALLOWED:
                raise pickle.UnpicklingError(f"{module}.{name} is not allowed in the build cache")
            found = _FOUND[module, name] = super().find_class(module, name)
        return found


def loads(data: bytes) -> Any:
    """The value pickled in `data`, if it is made of the types a cache may hold; else `pickle.UnpicklingError`."""
    return _Unpickler(io.BytesIO(data)).load()
