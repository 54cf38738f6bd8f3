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
from urllib.parse import quote
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any
from zoneinfo import ZoneInfo

from digest.model import FrozenMap, Problem, SourceFile
from digest.read.dates import ACCEPTED_FORMS, DateProblem, parse_date
from digest.read.markdown import resolve_relative
from digest.read.names import SHORTER_NAME, normalize_name, slugify, too_long
from digest.read.yamlread import (UNSHOWABLE, YamlProblem, as_bool, as_text, control_problem, describe, item_lines,
                                  load_yaml, top_level_key_lines, typed)

_ENCODED_DOT_OR_SLASH = re.compile(r"%(?:2[eEfF]|5[cC]|00)")
_BAD_ESCAPE = re.compile(r"%(?![0-9A-Fa-f]{2})")
_URL_SAFE = "/%!$&'()*+,;=:@~"  # kept as they are when an alias is percent-encoded


def alias_problem(path: str) -> str:
    """Why `path` cannot be an old address of an article, as the end of a sentence; "" when it can be.

    An old address is a path in the site, to a folder or to a file of any kind (an old
    `/2014/12/08/post.md` or `/old/page.html`), that leaves no folder and names nothing hidden.

    >>> [alias_problem(p) for p in ("/2015/11/old-title/", "/2014/12/08/old-post.md", "/old/page.html", "/café/")]
    ['', '', '', '']
    >>> alias_problem("/2015/../../etc/"), alias_problem("/.git/hooks/"), alias_problem("old/")
    ('leaves its folder (`..`)', 'names a hidden file or folder (`.git`)', 'does not start with `/`')
    >>> print(alias_problem("/%2e%2e/etc/"))
    holds an encoded `.`, `/` or `\\` (`%2e`, `%2f`, `%5c`) or NUL (`%00`), which a host may decode into another path
    """
    if "://" in path or path.startswith("//"):
        return "is a full address: write only its path, such as /2015/11/old-title/"
    if "\\" in path:
        return "holds a `\\`; a path in the site is written with `/`"
    if not path.startswith("/"):
        return "does not start with `/`"
    for char in path:
        if char.isspace():
            return "holds a space"
        if not char.isprintable():
            return f"holds the control character U+{ord(char):04X}"
        if char in "?#":
            return "holds a query or a fragment (`?`, `#`), which a static host does not match"
        if char in "<>\"`{}|^[]":
            return f"holds `{char}`, which a URL cannot hold"
    if _ENCODED_DOT_OR_SLASH.search(path):
        return ("holds an encoded `.`, `/` or `\\` (`%2e`, `%2f`, `%5c`) or NUL (`%00`), "
                "which a host may decode into another path")
    if _BAD_ESCAPE.search(path):
        return "holds a `%` that starts no escape (`%20` is a space)"
    segments = path[1:].split("/")
    for index, segment in enumerate(segments):
        if segment in (".", ".."):
            return f"leaves its folder (`{segment}`)" if segment == ".." else "holds a `.` folder"
        if segment.startswith("."):
            return f"names a hidden file or folder (`{segment}`)"
        if segment == "" and index < len(segments) - 1:
            return "holds an empty folder name (`//`)"
    return ""


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
        if (control := control_problem(text)) is not None:
            problems.add(control.line, control.message, control.hint)
            return None
        problems.add(offset + 1, "front matter is not closed",
                     "End the front matter with a line `---` before the text of the article.")
        return None
    # a control character in the front matter would reach titles and feeds: it is refused
    if (control := control_problem(text[: len(text) - len(stripped) + closing.end()])) is not None:
        problems.add(control.line, control.message, control.hint)
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
                    first_line=first_line, body=_visible(stripped[body_start:], body_line, problems),
                    body_line=body_line)


def _visible(body: str, first_line: int, problems: FileProblems) -> str:
    """The body without the characters no page or feed can show (a backspace pasted into a paragraph),
    with one warning for the file that names the first one's line."""
    first = UNSHOWABLE.search(body)
    if first is None:
        return body
    found = UNSHOWABLE.findall(body)
    codes = ", ".join(f"U+{ord(c):04X}" for c in dict.fromkeys(found))
    count = f"{len(found)} invisible control character" + ("s" if len(found) > 1 else "")
    problems.add(first_line + body.count("\n", 0, first.start()),
                 f"the body holds {count} ({codes}), left out of the page",
                 "Delete them: most editors do not show them, so retype the text around them. "
                 "`digest build --strict` refuses them.", "warning")
    return UNSHOWABLE.sub("", body)


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
            why = alias_problem(path) if path else "is empty"
            if why:
                self.problems.add(self.item_line("aliases", number),
                                  f"`aliases` item {number} ({describe(item)}) cannot be an old address of the "
                                  f"article: it {why}",
                                  "Write the old address as a path in the site: `aliases: [/2015/11/old-title/]`, "
                                  "or `[/old/page.html]` for an old file.")
                continue
            found.append(quote(path, safe=_URL_SAFE))
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
