"""YAML as authors write it: front matter and `digest.yaml` read safely, explained when broken.

Plain (unquoted) scalars are read as their text, exactly as typed: `title: 1984`,
`slug: 0042`, `topics: [NO]` and `time: 12:30` keep their spelling instead of
becoming numbers, booleans or sexagesimals. Each field then reads the type it
needs from that text (`as_bool`, `as_int`); free keys (`article.meta`) get YAML
1.2's plain types back through `typed`. libyaml's `CSafeLoader` is used when present.
"""

from __future__ import annotations

import functools
import re
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import yaml

_NULL = "tag:yaml.org,2002:null"


class Plain(str):
    """A scalar written without quotes: its text, and the knowledge that it was not quoted."""

    __slots__ = ()


def _make_loader(base: Any) -> Any:
    """A loader of `base` (a safe loader of PyYAML's), reading every plain scalar but `null`/`~`/empty as its
    text."""
    class Loader(base):  # type: ignore[misc]
        pass

    Loader.yaml_implicit_resolvers = {
        first: [(tag, regexp) for tag, regexp in resolvers if tag == _NULL]
        for first, resolvers in base.yaml_implicit_resolvers.items()
    }
    Loader.add_constructor("tag:yaml.org,2002:str", _construct_str)
    # An explicit `!!int` or `!!timestamp` reads its value as text, as a plain scalar is, so that
    # each field checks it and explains it (`!!timestamp 2015-02-30` is a day that does not exist);
    # types front matter has no use for are refused.
    for tag in ("bool", "int", "float", "timestamp"):
        Loader.add_constructor(f"tag:yaml.org,2002:{tag}", _construct_text)
    for tag in ("binary", "set", "omap", "pairs"):
        Loader.add_constructor(f"tag:yaml.org,2002:{tag}", _refuse)
    return Loader


@functools.cache
def _loader() -> Any:
    """The loader `load_yaml` reads with, libyaml's `CSafeLoader` when present; made at its first use, so that
    a build reading no YAML (a rebuild with nothing to do) never imports PyYAML."""
    import yaml

    return _make_loader(getattr(yaml, "CSafeLoader", yaml.SafeLoader))


def _construct_str(loader: Any, node: yaml.ScalarNode) -> str:
    value = loader.construct_scalar(node)
    return Plain(value) if not node.style else str(value)


def _construct_text(loader: Any, node: yaml.Node) -> str:
    return Plain(loader.construct_scalar(node))


def _refuse(loader: Any, node: yaml.Node) -> None:
    import yaml

    raise yaml.constructor.ConstructorError(None, None, f"found the tag {node.tag}", node.start_mark)


# A front matter holds a few hundred values. Aliases (`*name`) repeat an anchored value without
# writing it out, so a few lines can stand for billions ("billion laughs"): such a document is
# refused before anything walks the repeated value.
MAX_VALUES = 100_000
MAX_DEPTH = 100
# characters no web page or XML feed can hold: C0 controls but tab and newlines, U+FFFE, U+FFFF, surrogates
UNSHOWABLE = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff\ud800-\udfff]")
_REPEAT_HINT = "Write the value out instead of repeating anchors (`&name`) with aliases (`*name`)."


class YamlProblem(Exception):
    """YAML that cannot be read, explained for the author."""

    def __init__(self, line: int | None, message: str, hint: str) -> None:
        super().__init__(message)
        self.line = line
        self.message = message
        self.hint = hint


def load_yaml(text: str, first_line: int = 1) -> Any:
    """Read one YAML document; raise `YamlProblem` with the line (counted from `first_line`).

    >>> load_yaml("title: 1984\\ndraft: yes\\nsummary:\\n")
    {'title': '1984', 'draft': 'yes', 'summary': None}
    """
    loader = _loader()
    import yaml

    try:
        value = yaml.load(text, Loader=loader)  # noqa: S506 - a safe loader
    except yaml.MarkedYAMLError as exc:
        raise _explain(exc, text, first_line) from None
    except yaml.reader.ReaderError as exc:
        # the reader stops at the first character it refuses (its `position` counts bytes in libyaml)
        line = first_line + text.count("\n", 0, max(0, text.find(chr(exc.character))))
        raise YamlProblem(line, f"the control character U+{exc.character:04X} is not allowed here",
                          CONTROL_HINT) from None
    except yaml.YAMLError as exc:
        raise YamlProblem(None, "this YAML cannot be read", str(exc).split("\n")[0]) from None
    if "*" not in text and "\\" not in text and _flat(value):
        return value  # (no alias to expand, no escape to write a control character, nothing nested: most files)
    sizes: dict[int, int] = {}
    total = 0
    for key, item in value.items() if isinstance(value, dict) else [(None, value)]:
        try:
            total += _expanded_size(key, sizes) + _expanded_size(item, sizes)
            if total > MAX_VALUES:
                raise YamlProblem(None, f"the aliases (`*name`) here expand to more than {MAX_VALUES} values",
                                  _REPEAT_HINT)
        except YamlProblem as exc:  # the key's line is looked for only now: most documents have no problem
            where = top_level_key_lines(text, first_line).get(str(key), [first_line])[-1]
            raise YamlProblem(where, exc.message, exc.hint) from None
    return value


CONTROL_HINT = "Delete it: most editors do not show it, so retype the text around it."


def control_problem(text: str, first_line: int = 1) -> YamlProblem | None:
    """The first character of `text` that no web page or feed can hold, as a problem on its line; else None.

    >>> control_problem("title: a\\nsummary: b\\x1b[31m\\n").line
    2
    >>> control_problem("title: a\\n") is None
    True
    """
    found = UNSHOWABLE.search(text)
    if found is None:
        return None
    return YamlProblem(first_line + text.count("\n", 0, found.start()),
                       f"the control character U+{ord(found.group()):04X} is not allowed here", CONTROL_HINT)


def _flat(value: Any) -> bool:
    """Whether `value` is a mapping of scalars and lists of scalars, fewer than `MAX_VALUES` in all.

    >>> _flat({"title": "a", "people": ["b", "c"]}), _flat({"source": {"url": "d"}}), _flat(["e"])
    (True, False, False)
    """
    if not isinstance(value, dict) or any(isinstance(item, dict) for item in value.values()):
        return False
    lists = [item for item in value.values() if isinstance(item, list)]
    return (not any(isinstance(each, (list, dict)) for item in lists for each in item)
            and 2 * len(value) + sum(map(len, lists)) < MAX_VALUES)


def _expanded_size(root: Any, sizes: dict[int, int]) -> int:
    """How many values `root` holds once every alias is written out; raise `YamlProblem` (without its line,
    which the caller knows) if it cannot be shown.

    Each list and mapping is measured once (`sizes`, by id), so a "billion laughs" costs as
    much as its text. Depth-first without recursion: a value nested a thousand levels deep
    must not exhaust Python's stack.

    >>> shared = ["lol"] * 9
    >>> _expanded_size([shared] * 9, {})
    91
    """
    stack: list[tuple[Any, int, bool]] = [(root, 1, False)]
    open_ids: set[int] = set()
    while stack:
        node, depth, measured = stack.pop()
        children = [*node, *node.values()] if isinstance(node, dict) else node if isinstance(node, list) else []
        if measured:
            open_ids.discard(id(node))
            sizes[id(node)] = 1 + sum(sizes.get(id(child), 1) for child in children)
        elif isinstance(node, str) and (found := UNSHOWABLE.search(node)):
            raise YamlProblem(None, f"a value holds the control character U+{ord(found.group()):04X}, "
                              "which web pages and feeds cannot show",
                              "Remove the escape that writes it: in double quotes `\\` starts one "
                              "(`\\0`, `\\x07`); write `\\\\` for a backslash.")
        elif isinstance(node, (list, dict)) and id(node) not in sizes:
            if id(node) in open_ids:
                raise YamlProblem(None, "an alias (`*name`) here refers to the value that holds it",
                                  _REPEAT_HINT)
            if depth > MAX_DEPTH:
                raise YamlProblem(None, f"a value here is nested more than {MAX_DEPTH} levels deep",
                                  "Front matter holds text, lists and dates: write the value flatter.")
            open_ids.add(id(node))
            stack.append((node, depth, True))
            stack.extend((child, depth + 1, False) for child in children)
    return sizes.get(id(root), 1)


def _explain(exc: yaml.MarkedYAMLError, text: str, first_line: int) -> YamlProblem:
    problem = (exc.problem or "").strip()
    context = (exc.context or "").strip()
    mark = exc.problem_mark or exc.context_mark
    line = first_line + mark.line if mark is not None else None
    opened = first_line + exc.context_mark.line if exc.context_mark is not None else line
    lines = text.split("\n")
    source = lines[mark.line] if mark is not None and mark.line < len(lines) else ""
    found = source[mark.column] if mark is not None and mark.column < len(source) else ""
    if "flow sequence" in context or "expected ',' or ']'" in problem:
        return YamlProblem(opened, "a `[` list is not closed",
                           "End the list with `]` on the same line, and put items containing `,` or `:` "
                           "in double quotes.")
    if "flow mapping" in context or "expected ',' or '}'" in problem:
        return YamlProblem(opened, "a `{` mapping is not closed", "End it with `}`.")
    if "escape" in problem:
        return YamlProblem(line, "a `\\` in double quotes starts an escape that YAML does not know",
                           "Write `\\\\` for a backslash, or put the value in single quotes, which keep "
                           "backslashes as they are.")
    if "quoted scalar" in context:
        return YamlProblem(opened, "a quoted value is not closed",
                           "End it with the same quote it starts with; to use that quote inside, "
                           "double it ('it''s') or use the other kind.")
    if "\t" in source[: len(source) - len(source.lstrip())] or found == "\t" or "tab" in problem:
        return YamlProblem(line, "a tab is used for indentation", "Indent with spaces.")
    if found in ("@", "`"):
        return YamlProblem(line, "a value starts with a character YAML reserves (`@` or a backquote)",
                           "Put the value in double quotes.")
    if "found undefined alias" in problem or found == "*" or "alias" in problem:
        return YamlProblem(line, "a value starts with `*`, which YAML reads as a reference",
                           "Put the value in double quotes.")
    if "mapping values are not allowed" in problem:
        import json  # only an explanation needs it

        key, _, value = source.strip().partition(": ")
        # JSON's strings are YAML's double-quoted ones: quotes and backslashes come out escaped
        example = f"{key}: {json.dumps(value.strip(), ensure_ascii=False)}" if key and value else \
            'title: "Paris: the talks"'
        return YamlProblem(line, "a value contains `: `", f"Put the whole value in double quotes: {example}")
    if "could not find expected ':'" in problem or "simple key" in context:
        return YamlProblem(line, "this line is not `key: value`",
                           "Each line of front matter is `key: value`, or a `- item` under a list key.")
    if "block" in context and ("expected <block end>" in problem or "did not find expected" in problem):
        return YamlProblem(line, "this line is indented differently from the ones around it",
                           "Line up list items (`- name`) under their key, with spaces.")
    if "unhashable" in problem:
        return YamlProblem(line, "a key here is a list or a mapping", "Write each key as text: `key: value`.")
    if "tag" in problem or "constructor" in type(exc).__name__.lower():
        return YamlProblem(line, "this YAML uses a `!` tag, which front matter does not allow",
                           "Remove the tag: front matter holds plain text, lists and dates.")
    return YamlProblem(line, "the YAML here cannot be read",
                       "Check the quotes, colons and indentation on this line.")


_KEY = re.compile(r"""^(?:"([^"]+)"|'([^']+)'|([^\s#'"\-?:][^:#]*?|-[^\s:#][^:#]*?))[ \t]*:(?:[ \t]|$)""")


def top_level_key_lines(text: str, first_line: int = 1) -> dict[str, list[int]]:
    """The lines on which each top-level key of a YAML mapping is written.

    >>> top_level_key_lines("title: a\\ndate: b\\ntitle: c\\n")
    {'title': [1, 3], 'date': [2]}
    """
    found: dict[str, list[int]] = {}
    for number, line in enumerate(text.split("\n"), start=first_line):
        match = _KEY.match(line)
        if match:
            found.setdefault(match.group(1) or match.group(2) or match.group(3), []).append(number)
    return found


def nested_key_lines(text: str, key_line: int, first_line: int = 1) -> dict[str, int]:
    """The lines of the keys of a mapping written under the key on `key_line`, one level in.

    >>> nested_key_lines("markdown:\\n  unsafe_html: true\\n  highlight: no\\ntitle: x\\n", 1)
    {'unsafe_html': 2, 'highlight': 3}
    """
    lines = text.split("\n")
    found: dict[str, int] = {}
    indent: int | None = None
    for number in range(key_line - first_line + 1, len(lines)):
        line = lines[number]
        if _KEY.match(line):
            break
        stripped = line.lstrip(" ")
        match = _KEY.match(stripped)
        if match and stripped and not stripped.startswith("#"):
            depth = len(line) - len(stripped)
            indent = depth if indent is None else indent
            if depth == indent:
                found.setdefault(match.group(1) or match.group(2) or match.group(3), number + first_line)
    return found


def item_lines(text: str, key_line: int, first_line: int = 1) -> list[int]:
    """The lines of a block list's `- item`s, under the key on `key_line`; [] for a value on the key's line.

    >>> item_lines("title: a\\npeople:\\n  - A\\n  - B\\ntopics: x\\n", 2)
    [3, 4]
    """
    lines = text.split("\n")
    found = []
    for number in range(key_line - first_line + 1, len(lines)):
        line = lines[number]
        if _KEY.match(line):
            break
        if line.lstrip().startswith("- ") or line.strip() == "-":
            found.append(number + first_line)
    return found


_TRUE = {"true", "yes", "on", "y"}
_FALSE = {"false", "no", "off", "n"}


def as_text(value: object) -> str | None:
    """A scalar as the text its author typed; None for lists, mappings and empty values.

    >>> as_text(Plain("1984")), as_text(1984), as_text(True), as_text([1])
    ('1984', '1984', 'true', None)
    """
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (str, int, float)):
        return str(value)
    return None


def as_bool(value: object) -> bool | None:
    """A yes/no setting: true, yes, on (or false, no, off), in any case; None if it is neither.

    >>> as_bool(Plain("Yes")), as_bool("off"), as_bool(Plain("maybe"))
    (True, False, None)
    """
    if isinstance(value, bool):
        return value
    if isinstance(value, str):
        word = value.strip().lower()
        if word in _TRUE:
            return True
        if word in _FALSE:
            return False
    return None


def as_int(value: object) -> int | None:
    """A whole number written in digits; None otherwise.

    >>> as_int(Plain("10")), as_int(Plain("ten")), as_int(Plain("1.5"))
    (10, None, None)
    """
    if isinstance(value, int) and not isinstance(value, bool):
        return value
    if isinstance(value, str) and re.fullmatch(r"[-+]?\d+", value.strip()):
        return int(value)
    return None


_INT = re.compile(r"[-+]?\d+")
_FLOAT = re.compile(r"[-+]?(?:\d+\.\d*|\.\d+|\d+)(?:[eE][-+]?\d+)?")


def typed(value: Any) -> Any:
    """A free value with YAML 1.2's plain types: `true`/`false`, whole and decimal numbers.

    >>> typed({"rank": Plain("3"), "score": Plain("1.5"), "ok": Plain("true"), "name": Plain("NO")})
    {'rank': 3, 'score': 1.5, 'ok': True, 'name': 'NO'}
    """
    if isinstance(value, Plain):
        text = str(value)
        if text in ("true", "True", "TRUE"):
            return True
        if text in ("false", "False", "FALSE"):
            return False
        if _INT.fullmatch(text):
            return int(text)
        if _FLOAT.fullmatch(text):
            return float(text)
        return text
    if isinstance(value, list):
        return [typed(item) for item in value]
    if isinstance(value, dict):
        return {str(k): typed(v) for k, v in value.items()}
    return value


def describe(value: object) -> str:
    """A value as an author would name it in a message.

    >>> describe([1]), describe({}), describe(None), describe(Plain("maybe")), describe(True)
    ('a list', 'a mapping', 'empty', '"maybe"', 'true')
    """
    if isinstance(value, list):
        return "a list"
    if isinstance(value, dict):
        return "a mapping"
    if value is None:
        return "empty"
    if isinstance(value, bool):
        return "true" if value else "false"
    return f'"{value}"'
