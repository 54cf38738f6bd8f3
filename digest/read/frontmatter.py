"""Front matter: a source file's bytes → its YAML values with their lines, read field by field.

`read_document` splits a file into front matter and body, reporting what the content
contract refuses (not UTF-8, no `---` lines, YAML that does not read) with its line;
`Fields` reads each value as the type its key needs, reporting each wrong value once.
Problems are collected in a `FileProblems`, never raised, so that one run reports every
broken file of the site.
"""

from __future__ import annotations

import re
import shlex
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any
from zoneinfo import ZoneInfo

from digest.model import FrozenMap, Problem, SourceFile
from digest.read.dates import ACCEPTED_FORMS, DateProblem, parse_date
from digest.read.markdown import resolve_relative
from digest.read.names import SHORTER_NAME, normalize_name, slugify, too_long
from digest.read.yamlread import (YamlProblem, as_bool, as_text, control_problem, describe, item_lines, load_yaml,
                                  top_level_key_lines, typed)

# an old URL of an article: a path in the site, of safe characters, with no empty, hidden (`.git`, `..`)
# or percent-encoded dot or slash segment (`%2e%2e`, which a host may decode)
_ALIAS = re.compile(r"(?!.*%(?:2[eEfF]|5[cC]|00))/(?:[A-Za-z0-9_~%-][A-Za-z0-9._~%-]*/)*"
                    r"(?:[A-Za-z0-9_~%-][A-Za-z0-9._~%-]*\.html?)?")
_FENCE = re.compile(r"^---[ \t]*$", re.MULTILINE)
DATE_HINT = f"Write it as YYYY-MM-DD (`date: 2015-11-30`), or one of: {ACCEPTED_FORMS}."


@dataclass(frozen=True, slots=True)
class Document:
    front: dict[str, Any]
    lines: dict[str, list[int]]  # top-level key -> lines it is written on
    yaml_text: str
    first_line: int  # of the YAML
    body: str
    body_line: int


class FileProblems(list[Problem]):
    def __init__(self, path: str) -> None:
        super().__init__()
        self.path = path

    def add(self, line: int | None, message: str, hint: str = "", severity: Any = "error") -> None:
        self.append(Problem(path=self.path, line=line, message=message.replace("\n", "\\n"), hint=hint, severity=severity))


def read_document(source: SourceFile, data: bytes, problems: FileProblems) -> Document | None:
    try:
        source.path.encode("utf-8")  # os.fsdecode keeps the bytes of a name in another encoding as surrogates
        text = data.decode("utf-8")
    except UnicodeEncodeError:
        problems.add(None, "the file's path is not UTF-8", "Rename the file, or its folder, in UTF-8.")
        return None
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        problems.add(line, "is not UTF-8 text (it may be Latin-1 or Windows-1252)",
                     "Save the file as UTF-8 in your editor, or convert it: "
                     f"`iconv -f latin1 -t utf-8 {shlex.quote(source.path)} > new.md`, "
                     "then replace the file with new.md.")
        return None
    text = text.lstrip("\ufeff").replace("\r\n", "\n").replace("\r", "\n")
    if (control := control_problem(text)) is not None:
        problems.add(control.line, control.message, control.hint)
        return None
    stripped = text.lstrip("\n \t")
    offset = text[: len(text) - len(stripped)].count("\n")
    opening = _FENCE.match(stripped)
    if not opening:
        keys = "`title:` and `date:` lines" if source.kind == "article" else "a `name:` line"
        problems.add(offset + 1, "has no front matter",
                     f"Start the file with a line `---`, then {keys}, then `---`. Did you forget the `---` lines?")
        return None
    closing = _FENCE.search(stripped, opening.end())
    if not closing:
        problems.add(offset + 1, "front matter is not closed",
                     "End the front matter with a line `---` before the text of the article.")
        return None
    yaml_text = stripped[opening.end() + 1: closing.start()]
    first_line = offset + 2
    try:
        front = load_yaml(yaml_text, first_line)
    except YamlProblem as exc:
        problems.add(exc.line, exc.message, exc.hint)
        return None
    if front is None:
        front = {}
    if not isinstance(front, dict):
        problems.add(first_line, "front matter is not a list of `key: value` lines",
                     "Write one `key: value` per line, such as `title: Putin meets Netanyahu`.")
        return None
    lines = top_level_key_lines(yaml_text, first_line)
    for key, where in lines.items():
        if len(where) > 1:
            problems.add(where[-1], f"`{key}` is given twice (lines {', '.join(map(str, where))})",
                         "Remove the one you do not mean; the last one is used.", "warning")
    body_start = closing.end() + 1
    body_line = offset + stripped[:body_start].count("\n") + 1
    return Document(front={str(k): v for k, v in front.items()}, lines=lines, yaml_text=yaml_text,
                     first_line=first_line, body=stripped[body_start:], body_line=body_line)


class Fields:
    """Typed access to front matter, reporting each wrong value once."""

    def __init__(self, doc: Document, problems: FileProblems) -> None:
        self.doc = doc
        self.problems = problems
        self.name_lines: dict[str, int | None] = {}  # each name read by `names`, with its line

    def line(self, key: str) -> int | None:
        where = self.doc.lines.get(key)
        return where[-1] if where else None

    def item_line(self, key: str, number: int) -> int | None:
        key_line = self.line(key)
        if key_line is None:
            return None
        items = item_lines(self.doc.yaml_text, key_line, self.doc.first_line)
        return items[number - 1] if number <= len(items) else key_line

    def raw(self, key: str) -> Any:
        value = self.doc.front.get(key)
        return None if value == "" else value

    def text(self, key: str) -> str | None:
        value = self.raw(key)
        if value is None:
            return None
        text = as_text(value)
        if text is None:
            starts = "`[`" if isinstance(value, list) else "`{`"
            self.problems.add(self.line(key), f"`{key}` is {describe(value)}, not text",
                              f"A value starting with {starts} is read as a {'list' if starts == '`[`' else 'mapping'}; "
                              f"put the {key} in double quotes.")
            return None
        return text.strip() or None

    def names(self, key: str) -> tuple[str, ...]:
        value = self.raw(key)
        if value is None:
            return ()
        items = value if isinstance(value, list) else [value]
        names: list[str] = []
        for number, item in enumerate(items, start=1):
            if item is None or item == "":
                continue
            text = as_text(item)
            if text is None or not text.strip():
                self.problems.add(self.item_line(key, number), f"`{key}` item {number} is {describe(item)}, "
                                  "not a name",
                                  f"List one name per item: `{key}: [Vladimir Putin, Benjamin Netanyahu]`.")
                continue
            name = normalize_name(text)
            if key == "aliases":  # a term page's aliases are checked against the other term pages'
                self.name_lines.setdefault(name, self.item_line(key, number))
            if not slugify(name):
                self.problems.add(self.item_line(key, number), f'`{key}` item {number} ("{name}") has no '
                                  "letters or digits to make a URL from", "Write the name with letters or digits.")
                continue
            if long := too_long(slugify(name)):
                self.problems.add(self.item_line(key, number), f"`{key}` item {number}{long}", SHORTER_NAME)
                continue
            names.append(name)
        return tuple(dict.fromkeys(names))

    def date(self, key: str, zone: ZoneInfo) -> Any:
        value = self.raw(key)
        if value is None:
            return None
        try:
            return parse_date(value, zone)
        except DateProblem as exc:
            self.problems.add(self.line(key), f"`{key}` is {exc}", exc.hint or DATE_HINT)
            return None

    def boolean(self, key: str) -> bool:
        value = self.raw(key)
        if value is None:
            return False
        flag = as_bool(value)
        if flag is None:
            self.problems.add(self.line(key), f"`{key}` must be true or false, not {describe(value)}",
                              f"Write `{key}: true` or `{key}: false`.")
            return False
        return flag

    def url(self, key: str) -> str | None:
        value = self.text(key)
        if value is not None and not re.match(r"https?://[^\s/]+", value, re.IGNORECASE):
            self.problems.add(self.line(key), f'`{key}` must be an http or https address, not "{value}"',
                              f"Write the full address: `{key}: https://www.example.org/`.")
            return None
        return value

    def aliases(self) -> tuple[str, ...]:
        """An article's `aliases`: old URLs (site paths) that are to redirect to it."""
        value = self.raw("aliases")
        if value is None:
            return ()
        found: list[str] = []
        for number, item in enumerate(value if isinstance(value, list) else [value], start=1):
            text = as_text(item)
            path = text.strip() if text else ""
            if path and not path.endswith("/") and "." not in path.rsplit("/", 1)[-1]:
                path += "/"
            if not _ALIAS.fullmatch(path):
                self.problems.add(self.item_line("aliases", number),
                                  f"`aliases` item {number} ({describe(item)}) is not a path in the site",
                                  "Write the old address as a path: `aliases: [/2015/11/old-title/]`.")
                continue
            found.append(path)
        return tuple(dict.fromkeys(found))

    def image(self, directory: str) -> str | None:
        value = self.text("image")
        if value is None or re.match(r"https?://", value, re.IGNORECASE):
            return value
        if re.match(r"[a-zA-Z][a-zA-Z0-9+.-]*:|/", value) or "\\" in value:
            self.problems.add(self.line("image"), f'`image` must be a path beside the file or an http(s) '
                              f'address, not "{value}"', "Write `image: photo.jpg` for a file next to this one.")
            return None
        resolved = resolve_relative(directory, value, encoded=False)
        if resolved is None:
            self.problems.add(self.line("image"), f'`image` "{value}" points outside content/',
                              "Keep images in the content/ folder, next to the article.")
        return resolved

    def meta(self, known: frozenset[str]) -> Mapping[str, object]:
        return FrozenMap({k: typed(v) for k, v in self.doc.front.items() if k not in known})
