"""YAML as authors write it (digest/read/yamlread.py): plain values as their text, problems explained."""

from __future__ import annotations

import time

import pytest
import yaml

from digest.read import yamlread
from digest.read.yamlread import (Plain, YamlProblem, as_bool, as_int, as_text, describe, item_lines, load_yaml,
                             top_level_key_lines, typed)


@pytest.mark.parametrize(
    ("text", "value"),
    [
        ("date: 2015-11-30\n", {"date": "2015-11-30"}),  # timestamps stay text, for our own date parser
        ("date: 2015-11-30 14:05:00\n", {"date": "2015-11-30 14:05:00"}),
        ("date: 2015-11-30T14:05:00Z\n", {"date": "2015-11-30T14:05:00Z"}),
        ("date: 2015-11-30 9:05:00 +0200\n", {"date": "2015-11-30 9:05:00 +0200"}),
        ("dates: [2015-11-30, 2016-01-01]\n", {"dates": ["2015-11-30", "2016-01-01"]}),
        # plain scalars are their text; each field reads the type it needs (as_bool, as_int, typed)
        ("n: 10\nx: 2.5\nb: true\nnothing:\n", {"n": "10", "x": "2.5", "b": "true", "nothing": None}),
        ("title: 1984\nslug: 0042\nflag: Yes\ntime: 12:30\n",
         {"title": "1984", "slug": "0042", "flag": "Yes", "time": "12:30"}),
        ("topics: [NO, yes, off, 1_000, 0x1F]\n", {"topics": ["NO", "yes", "off", "1_000", "0x1F"]}),
        ("a: ~\nb: null\nc: ''\n", {"a": None, "b": None, "c": ""}),
        ("topics: [Syria, Russia–Israel relations]\n", {"topics": ["Syria", "Russia–Israel relations"]}),
        ("", None),
    ],
)
def test_load_yaml(text: str, value: object) -> None:
    assert load_yaml(text) == value


@pytest.mark.parametrize(("text", "plain"), [("a: NO\n", True), ("a: 'NO'\n", False), ('a: "NO"\n', False)])
def test_load_yaml_knows_which_values_were_quoted(text: str, plain: bool) -> None:
    assert isinstance(load_yaml(text)["a"], Plain) is plain
    assert load_yaml(text) == {"a": "NO"}


@pytest.mark.parametrize(
    ("text", "line", "message", "hint"),
    [
        ("title: x\ntitle2: Paris: the talks\n", 7, "a value contains `: `",
         'Put the whole value in double quotes: title2: "Paris: the talks"'),
        ("title: x\npeople:\n  - Putin: the man: again\n", 8, "a value contains `: `",
         'Put the whole value in double quotes: - Putin: "the man: again"'),
        ("title: *star\n", 6, "a value starts with `*`, which YAML reads as a reference",
         "Put the value in double quotes."),
        ("title: x\npeople:\n  - a\n - b\n", 9, "this line is indented differently from the ones around it",
         "Line up list items (`- name`) under their key, with spaces."),
        ("title: x\nnot a key\ndate: y\n", 8, "this line is not `key: value`",
         "Each line of front matter is `key: value`, or a `- item` under a list key."),
        ("title: !!python/object:os.system x\n", 6, "this YAML uses a `!` tag, which front matter does not allow",
         "Remove the tag: front matter holds plain text, lists and dates."),
        ("title: !foo x\n", 6, "this YAML uses a `!` tag, which front matter does not allow",
         "Remove the tag: front matter holds plain text, lists and dates."),
        ("meta: {a: 1\ntitle: x\n", 6, "a `{` mapping is not closed", "End it with `}`."),
    ],
)
def test_yaml_problems(text: str, line: int, message: str, hint: str) -> None:
    with pytest.raises(YamlProblem) as caught:
        load_yaml(text, first_line=6)
    assert (caught.value.line, caught.value.message, caught.value.hint) == (line, message, hint)


@pytest.mark.parametrize("text", ["topics: [Syria, Russia\nsummary: x\n", "topics: [Syria, Russia\n"])
def test_unclosed_list(text: str) -> None:
    with pytest.raises(YamlProblem) as caught:
        load_yaml(text, first_line=2)
    assert caught.value.message == "a `[` list is not closed"
    assert caught.value.hint == ("End the list with `]` on the same line, and put items containing `,` or `:` "
                                 "in double quotes.")


@pytest.mark.parametrize(
    ("text", "line"),
    [
        ("title: x\ntopics: [Syria, Russia\nsummary: x\nsource: y\n", 3),  # the `[` is on line 3 (2 + 1)
        ("topics: [Syria, Russia\n", 2),
        ('title: "Paris\nsummary: x\n', 2),
        ("title: x\nsummary: 'Paris\nsource: y\n", 3),
        ("title: x\ntopics: [a, [b]\n", 3),
    ],
)
def test_unclosed_list_or_quote_names_the_line_it_opens_on(text: str, line: int) -> None:
    with pytest.raises(YamlProblem) as caught:
        load_yaml(text, first_line=2)
    assert caught.value.line == line


def test_unclosed_quote() -> None:
    with pytest.raises(YamlProblem) as caught:
        load_yaml('title: "Paris\nsummary: x\n', first_line=2)
    assert (caught.value.message, caught.value.hint) == (
        "a quoted value is not closed",
        "End it with the same quote it starts with; to use that quote inside, double it ('it''s') "
        "or use the other kind.")


@pytest.mark.parametrize(
    ("text", "line"),
    [
        ("title: x\n\tdate: 2015-11-30\n", 3),
        ("people:\n\t- Vladimir Putin\n", 3),
        ("people:\n  - Vladimir Putin\n\t- Benjamin Netanyahu\n", 4),
        ("summary: |\n\tA tab-indented block.\n", 3),
    ],
)
def test_tab_indentation(text: str, line: int) -> None:
    with pytest.raises(YamlProblem) as caught:
        load_yaml(text, first_line=2)
    assert (caught.value.line, caught.value.message, caught.value.hint) == (
        line, "a tab is used for indentation", "Indent with spaces.")


@pytest.mark.parametrize("text", ["title: @putin\n", "title: `putin`\n"])
def test_reserved_first_character(text: str) -> None:
    with pytest.raises(YamlProblem) as caught:
        load_yaml(text)
    assert (caught.value.line, caught.value.message, caught.value.hint) == (
        1, "a value starts with a character YAML reserves (`@` or a backquote)", "Put the value in double quotes.")


@pytest.mark.parametrize("loader", ["SafeLoader", "CSafeLoader"])
def test_problems_read_the_same_with_or_without_libyaml(monkeypatch: pytest.MonkeyPatch, loader: str) -> None:
    # the explanations must not depend on which parser's wording an error comes in
    if not hasattr(yaml, loader):
        pytest.skip(f"this PyYAML has no {loader}")
    base = getattr(yaml, loader)
    variant = yamlread._make_loader(base)
    monkeypatch.setattr(yamlread, "_loader", lambda: variant)
    assert load_yaml("a: NO\nb: 'x'\n") == {"a": "NO", "b": "x"}
    found = []
    for text in ("title: x\n\tdate: y\n", "title: @putin\n", "topics: [a, b\nsummary: x\n", 'title: "x\n',
                 "title: Paris: talks\n"):
        with pytest.raises(YamlProblem) as caught:
            load_yaml(text)
        found.append((caught.value.line, caught.value.message))
    assert found == [
        (2, "a tab is used for indentation"),
        (1, "a value starts with a character YAML reserves (`@` or a backquote)"),
        (1, "a `[` list is not closed"),
        (1, "a quoted value is not closed"),
        (1, "a value contains `: `"),
    ]


@pytest.mark.parametrize(
    ("text", "value"),
    [
        ("title: Paris: the talks\n", {"title": "Paris: the talks"}),
        ("title: x\n  summary: Paris: talks\n", {"summary": "Paris: talks"}),
        pytest.param('title: He said "no: never"\n', {"title": 'He said "no: never"'}),
        pytest.param("title: C:\\new: the drive\n", {"title": "C:\\new: the drive"}),
    ],
)
def test_the_colon_hint_s_example_reads_as_the_value_the_author_meant(text: str, value: dict[str, str]) -> None:
    with pytest.raises(YamlProblem) as caught:
        load_yaml(text)
    prefix = "Put the whole value in double quotes: "
    assert caught.value.hint.startswith(prefix)
    assert load_yaml(caught.value.hint[len(prefix):]) == value


@pytest.mark.parametrize(
    ("text", "first_line", "lines"),
    [
        ("title: a\ndate: b\ntitle: c\n", 1, {"title": [1, 3], "date": [2]}),
        ("title: a\ndate: b\n", 2, {"title": [2], "date": [3]}),
        ("people:\n  - a\n  - b\ntopics: [x]\n", 1, {"people": [1], "topics": [4]}),
        ("'quoted key': 1\n\"double\": 2\n", 1, {"quoted key": [1], "double": [2]}),
        ("title:\n", 1, {"title": [1]}),
        ("title:x\n", 1, {}),  # not a key: YAML reads the whole line as text
        ("# title: x\n", 1, {}),
        ("  nested: x\n", 1, {}),
        ("- item: x\n", 1, {}),
        ("summary: >\n  title: not a key\n", 1, {"summary": [1]}),
        ("", 1, {}),
    ],
)
def test_top_level_key_lines(text: str, first_line: int, lines: dict[str, list[int]]) -> None:
    assert top_level_key_lines(text, first_line) == lines


@pytest.mark.parametrize(
    ("value", "text"),
    [("Syria", "Syria"), (1984, "1984"), (2.5, "2.5"), (True, "true"), (False, "false"),
     (["a"], None), ({"a": 1}, None), (None, None)],
)
def test_as_text(value: object, text: str | None) -> None:
    assert as_text(value) == text


@pytest.mark.parametrize(
    ("value", "flag"),
    [
        (True, True), (False, False),
        (Plain("true"), True), (Plain("True"), True), (Plain("YES"), True), (Plain("on"), True),
        (Plain("false"), False), (Plain("No"), False), (Plain("OFF"), False), ("no", False),
        (Plain("maybe"), None), (Plain("1"), None), (["yes"], None), (None, None),
    ],
)
def test_as_bool(value: object, flag: bool | None) -> None:
    assert as_bool(value) is flag


@pytest.mark.parametrize(
    ("value", "number"),
    [(Plain("10"), 10), (Plain("010"), 10), (Plain("-1"), -1), (7, 7), (Plain("ten"), None), (Plain("2.5"), None),
     (Plain("1_000"), None), (Plain("0x1F"), None), (True, None), (["1"], None), (None, None)],
)
def test_as_int(value: object, number: int | None) -> None:
    assert as_int(value) == number


@pytest.mark.parametrize(
    ("value", "result"),
    [
        (Plain("true"), True), (Plain("False"), False), (Plain("3"), 3), (Plain("-1.5"), -1.5), (Plain("1e3"), 1000.0),
        (Plain("yes"), "yes"), (Plain("NO"), "NO"), (Plain("12:30"), "12:30"), (Plain("0x1F"), "0x1F"),
        ("3", "3"),  # quoted: text
        ([Plain("1"), "1", {"k": Plain("on")}], [1, "1", {"k": "on"}]),
        (None, None),
    ],
)
def test_typed(value: object, result: object) -> None:
    typed_value = typed(value)
    assert typed_value == result
    assert type(typed_value) is type(result)


@pytest.mark.parametrize(
    ("value", "shown"),
    [([1], "a list"), ({"a": 1}, "a mapping"), (None, "empty"), (True, "true"), (False, "false"),
     (Plain("maybe"), '"maybe"'), ("Paris", '"Paris"'), (3, '"3"')],
)
def test_describe(value: object, shown: str) -> None:
    assert describe(value) == shown


@pytest.mark.parametrize(
    ("text", "key_line", "first_line", "lines"),
    [
        ("title: a\npeople:\n  - A\n  - B\ntopics: x\n", 2, 1, [3, 4]),
        ("title: a\npeople:\n- A\n-\n  - B\n", 3, 2, [4, 5, 6]),
        ("people: [A, B]\ntopics:\n  - x\n", 1, 1, []),
        ("people:\n  # a comment\n  - A\n", 1, 1, [3]),
    ],
)
def test_item_lines(text: str, key_line: int, first_line: int, lines: list[int]) -> None:
    assert item_lines(text, key_line, first_line) == lines


# ---------------------------------------------------------------------------
# hostile documents: refused, quickly, with the line of the key that holds them

LAUGHS = ('a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]\n'
          + "".join(f"{c}: &{c} [{', '.join(['*' + p] * 9)}]\n" for p, c in zip("abcdefghi", "bcdefghij")))
REPEAT_HINT = "Write the value out instead of repeating anchors (`&name`) with aliases (`*name`)."


@pytest.mark.parametrize("last", ["extra: *j\n", "people: *j\n", "extra: {deep: [*j]}\n"])
def test_a_billion_laughs_is_refused_before_anything_walks_it(last: str) -> None:
    started = time.perf_counter()
    with pytest.raises(YamlProblem) as caught:
        load_yaml("title: x\n" + LAUGHS + last, first_line=2)
    assert time.perf_counter() - started < 1
    # key `f` (line 7 of the text, 8 of the file) is the first to stand for more than 100000 values
    assert (caught.value.line, caught.value.message, caught.value.hint) == (
        8, "the aliases (`*name`) here expand to more than 100000 values", REPEAT_HINT)


def test_aliases_that_stay_small_are_read() -> None:
    assert load_yaml("a: &a [x, y]\nb: [*a, *a]\n") == {"a": ["x", "y"], "b": [["x", "y"], ["x", "y"]]}


@pytest.mark.parametrize(("text", "line"), [("r: &r [*r]\n", 2), ("title: x\nm: &m {self: *m}\n", 3),
                                            ("people: &p [Putin, [*p]]\n", 2)])
def test_a_value_that_holds_itself_is_refused(text: str, line: int) -> None:
    with pytest.raises(YamlProblem) as caught:
        load_yaml(text, first_line=2)
    assert (caught.value.line, caught.value.message, caught.value.hint) == (
        line, "an alias (`*name`) here refers to the value that holds it", REPEAT_HINT)


@pytest.mark.parametrize(("depth", "refused"), [(100, False), (101, True), (990, True)])
def test_a_value_nested_too_deep_is_refused(depth: int, refused: bool) -> None:
    text = "title: x\nd: " + "[" * depth + "]" * depth + "\n"
    if not refused:
        assert load_yaml(text)["title"] == "x"
        return
    with pytest.raises(YamlProblem) as caught:
        load_yaml(text)
    assert (caught.value.line, caught.value.message, caught.value.hint) == (
        2, "a value here is nested more than 100 levels deep",
        "Front matter holds text, lists and dates: write the value flatter.")


@pytest.mark.parametrize(("text", "line", "code"), [
    ('title: "a\\0b"\n', 2, "0000"), ('title: x\nsummary: "red \\e[31m"\n', 3, "001B"),
    ('"k\\x07": 1\n', 2, "0007"), ('title: x\ntopics: [a, "\\uffff"]\n', 3, "FFFF"),
])
def test_an_escaped_control_character_is_refused(text: str, line: int, code: str) -> None:
    with pytest.raises(YamlProblem) as caught:
        load_yaml(text, first_line=2)
    assert (caught.value.line, caught.value.message) == (
        line, f"a value holds the control character U+{code}, which web pages and feeds cannot show")
    assert caught.value.hint == ("Remove the escape that writes it: in double quotes `\\` starts one "
                                 "(`\\0`, `\\x07`); write `\\\\` for a backslash.")


@pytest.mark.parametrize(("text", "line", "code"), [("é: ü\nt: a\x7f\n", 3, "007F"), ("t: x\x80\n", 2, "0080")])
def test_a_control_character_yaml_refuses_names_its_line(text: str, line: int, code: str) -> None:
    with pytest.raises(YamlProblem) as caught:
        load_yaml(text, first_line=2)
    assert (caught.value.line, caught.value.message, caught.value.hint) == (
        line, f"the control character U+{code} is not allowed here",
        "Delete it: most editors do not show it, so retype the text around it.")


@pytest.mark.parametrize(("text", "message", "hint"), [
    ('title: "C:\\new\\q"\n', "a `\\` in double quotes starts an escape that YAML does not know",
     "Write `\\\\` for a backslash, or put the value in single quotes, which keep backslashes as they are."),
    ('title: "\\ud800"\n', "a `\\` in double quotes starts an escape that YAML does not know",
     "Write `\\\\` for a backslash, or put the value in single quotes, which keep backslashes as they are."),
    ("{[a]: 1}\n", "a key here is a list or a mapping", "Write each key as text: `key: value`."),
    ("? [a, b]\n: c\n", "a key here is a list or a mapping", "Write each key as text: `key: value`."),
    ("image: !!binary aGVsbG8=\n", "this YAML uses a `!` tag, which front matter does not allow",
     "Remove the tag: front matter holds plain text, lists and dates."),
    ("extra: !!set {a, b}\n", "this YAML uses a `!` tag, which front matter does not allow",
     "Remove the tag: front matter holds plain text, lists and dates."),
    ("extra: !!omap [a: 1]\n", "this YAML uses a `!` tag, which front matter does not allow",
     "Remove the tag: front matter holds plain text, lists and dates."),
])
def test_more_yaml_problems(text: str, message: str, hint: str) -> None:
    with pytest.raises(YamlProblem) as caught:
        load_yaml(text)
    assert (caught.value.message, caught.value.hint) == (message, hint)


def test_explicit_scalar_tags_read_their_value_as_text() -> None:
    # each field then checks the text: `!!timestamp 2015-02-30` is a day that does not exist
    text = "title: !!int 1984\ndate: !!timestamp 2015-02-30\ndraft: !!bool maybe\nscore: !!float abc\n"
    assert load_yaml(text) == {"title": "1984", "date": "2015-02-30", "draft": "maybe", "score": "abc"}
    assert all(isinstance(value, Plain) for value in load_yaml(text).values())
