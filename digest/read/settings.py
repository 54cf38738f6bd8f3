"""How `digest.yaml` is read: a table of `Setting`s, each a key, the field it sets, and a reader that checks it.

`read_table` reads a mapping through a table in one loop: a known key's reader gives its value
or reports why it cannot (on the key's line, nested keys on their own), and an unknown key is
reported with a "Did you mean". `config.py` holds the site's table; `languages.py` the readers
of `languages`.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from digest.model import Problem, SiteConfig
from digest.read.yamlread import as_bool, as_int, as_text, describe, nested_key_lines

CONFIG_FILE = "digest.yaml"


class Reading:
    """One `digest.yaml` being read: its text, the lines of its keys, and the problems found."""

    def __init__(self, text: str, lines: Mapping[str, list[int]]) -> None:
        self.text = text
        self.lines = lines
        self.problems: list[Problem] = []

    def problem(self, key: str, message: str, hint: str = "") -> None:
        """A problem of the setting `key` ("per_page", "markdown.highlight"), on that key's line."""
        parent, _, child = key.partition(".")
        line = self.lines.get(parent, [None])[-1]
        if child and line is not None:
            line = nested_key_lines(self.text, line).get(child, line)
        self.problems.append(Problem(path=CONFIG_FILE, line=line, message=message, hint=hint))


UNSET: Any = object()  # what a reader returns when the value is wrong (it said why) or sets nothing
Read = Callable[[str, Any, Reading], Any]  # (the key as written, its value, the reading) -> the setting's value


@dataclass(frozen=True, slots=True)
class Setting:
    """One key of `digest.yaml`: the field it sets, how its value is read and checked, and what it is for."""

    key: str
    field: str  # the field of `owner` that it sets
    read: Read
    about: str
    owner: type = SiteConfig

    @property
    def default(self) -> object:
        """The value when the key is left out (or empty)."""
        return getattr(self.owner(), self.field)


def read_text(key: str, value: Any, reading: Reading) -> Any:
    written = as_text(value)
    if written is None:
        reading.problem(key, f"`{key}` must be text, not {describe(value)}",
                        f"Write one value on the line: `{key}: ...`, in double quotes if it starts with `[` or `{{`.")
        return UNSET
    return written


def whole(low: int, meaning: str) -> Read:
    def read(key: str, value: Any, reading: Reading) -> Any:
        number = as_int(value)
        if number is None or number < low:
            reading.problem(key, f"`{key}` must be a whole number of at least {low}, not {describe(value)}",
                            f"Write {meaning}.")
            return UNSET
        return number
    return read


def flag(hint: str | None = None) -> Read:
    def read(key: str, value: Any, reading: Reading) -> Any:
        flag = as_bool(value)
        if flag is None:
            name = key.rpartition(".")[2]
            reading.problem(key, f"`{key}` must be true or false, not {describe(value)}",
                            hint or f"Write `{name}: true` or `{name}: false`.")
            return UNSET
        return flag
    return read


def read_table(raw: Mapping[Any, Any], table: tuple[Setting, ...], reading: Reading,
                prefix: str = "") -> dict[str, Any]:
    """The fields the keys of `raw` set, read through `table`; every wrong or unknown key reported."""
    known = {setting.key: setting for setting in table}
    values: dict[str, Any] = {}
    for key, value in raw.items():
        setting = known.get(str(key))
        if setting is None:
            reading.problem(f"{prefix}{key}", f"unknown setting `{prefix}{key}`",
                            did_you_mean(str(key), tuple(known)))
        elif value is not None:  # an empty value is the default
            result = setting.read(prefix + setting.key, value, reading)
            if isinstance(result, dict):  # a section that sets a field per key (`permalinks:`): `Setting.field` its first
                values.update(result)
            elif result is not UNSET:
                values[setting.field] = result
    return values


def did_you_mean(key: str, known: tuple[str, ...]) -> str:
    import difflib  # only for a mistake

    close = difflib.get_close_matches(key, known, n=1)
    if close:
        return f"Did you mean `{close[0]}`?"
    return "Known settings: " + ", ".join(f"`{k}`" for k in known) + "."
