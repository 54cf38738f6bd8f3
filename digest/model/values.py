"""The smallest nouns: problems, the errors that carry them, a read-only mapping, the taxonomies.

This module imports nothing: every other one may import it.
"""

from __future__ import annotations

import operator
from collections.abc import ItemsView, Iterable, Iterator, KeysView, Mapping, ValuesView
from dataclasses import dataclass, fields
from typing import Any, Literal, TypeVar

__version__ = "0.1.0"  # the package's version; part of every cache key

Taxonomy = Literal["people", "topics", "sources"]
TAXONOMIES: tuple[Taxonomy, ...] = ("people", "topics", "sources")
Severity = Literal["error", "warning"]

V = TypeVar("V")
C = TypeVar("C", bound=type)


def read_back_quickly(cls: C) -> C:
    """A frozen dataclass with slots, of which a build reads thousands back from its cache: each instance's fields
    are set through their slots' own descriptors, and read in one call. `dataclass` gives such a class a
    `__setstate__` that asks for its `fields()` again for every instance and sets each through
    `object.__setattr__` (at 10,000 articles, 20 ms of the 165 that reading their parse results took), and a
    `__getstate__` that asks for them again too. What is pickled stays the same: the fields' values, in order.
    """
    names = [field.name for field in fields(cls)]
    setters = tuple(getattr(cls, name).__set__ for name in names)
    values = operator.attrgetter(*names) if len(names) > 1 else (lambda self: (getattr(self, names[0]),))

    def __getstate__(self: object) -> list[object]:
        return list(values(self))

    def __setstate__(self: object, state: Iterable[object]) -> None:
        for setter, value in zip(setters, state):
            setter(self, value)

    setattr(cls, "__getstate__", __getstate__)  # (not `cls.__getstate__ =`: to mypy, `cls` is any class)
    setattr(cls, "__setstate__", __setstate__)
    return cls


class FrozenMap(Mapping[str, V]):
    """A read-only mapping that, unlike `MappingProxyType`, can be pickled to worker processes.

    >>> meta = FrozenMap({"region": "Europe"})
    >>> meta["region"], len(meta), dict(meta), "region" in meta, meta.get("desk", "-"), list(meta.items())
    ('Europe', 1, {'region': 'Europe'}, True, '-', [('region', 'Europe')])
    >>> meta == FrozenMap({"region": "Europe"}), meta == {"region": "Europe"}, meta != FrozenMap(), meta == 1
    (True, True, True, False)
    """

    __slots__ = ("_data",)

    def __init__(self, data: Mapping[str, V] | None = None) -> None:
        self._data: dict[str, V] = dict(data or {})

    def __getitem__(self, key: str) -> V:
        return self._data[key]

    def __iter__(self) -> Iterator[str]:
        return iter(self._data)

    def __len__(self) -> int:
        return len(self._data)

    # what `Mapping` makes of `__getitem__` in Python, asked of the dict in C (a site's pages compare and walk
    # some 100,000 of these on every rebuild)
    def __contains__(self, key: object) -> bool:
        return key in self._data

    def get(self, key: str, default: Any = None) -> Any:
        return self._data.get(key, default)

    def keys(self) -> KeysView[str]:
        return self._data.keys()

    def items(self) -> ItemsView[str, V]:
        return self._data.items()

    def values(self) -> ValuesView[V]:
        return self._data.values()

    def __eq__(self, other: object) -> bool:
        if type(other) is FrozenMap:
            return self._data == other._data
        return self._data == dict(other.items()) if isinstance(other, Mapping) else NotImplemented

    __hash__ = None  # type: ignore[assignment]  # (as `Mapping`'s: equal to a dict, so never hashed)

    def __repr__(self) -> str:
        return f"FrozenMap({self._data!r})"

    def __reduce__(self) -> tuple[type[FrozenMap[V]], tuple[dict[str, V]]]:
        return (FrozenMap, (self._data,))


EMPTY: Mapping[str, object] = FrozenMap[object]()


@dataclass(frozen=True, slots=True, kw_only=True)
class Problem:
    """One thing wrong with a site, written for its author.

    >>> print(Problem(path="content/a.md", line=3, message="`date` is missing",
    ...               hint="Add `date: 2015-11-30`."))
    content/a.md:3: `date` is missing
        Add `date: 2015-11-30`.
    """

    path: str | None  # POSIX, relative to the site root; None for the site as a whole
    line: int | None  # 1-based, where known
    message: str
    hint: str = ""
    severity: Severity = "error"

    def __str__(self) -> str:
        where = ""
        if self.path is not None:
            where = f"{self.path}:{self.line}: " if self.line else f"{self.path}: "
        text = where + self.message
        if self.severity == "warning":
            text = f"{where}warning: {self.message}"
        if self.hint:
            text += "\n    " + self.hint.replace("\n", "\n    ")
        return text

    def as_error(self) -> Problem:
        """The same problem, as an error (what `--strict` makes of warnings)."""
        return Problem(path=self.path, line=self.line, message=self.message,
                       hint=self.hint, severity="error")


def sort_problems(problems: Iterable[Problem]) -> list[Problem]:
    """Problems by file, then line; the site's own problems (no file) last."""
    return sorted(problems, key=lambda p: (p.path is None, p.path or "", p.line or 0))


class DigestError(Exception):
    """A build stopped by problems in the site; carries every one it found."""

    def __init__(self, problems: tuple[Problem, ...] | list[Problem]) -> None:
        self.problems: tuple[Problem, ...] = tuple(problems)
        super().__init__("\n".join(str(p) for p in self.problems))


class UsageError(Exception):
    """A build asked for something impossible, such as writing over the site itself."""
