"""The default theme's catalogs (themes/default/i18n/*.yaml) against the messages its templates use.

Every message the templates ask for (`_("...")`, `script_words("...", ...)`, a noun given to the
`counted` filter) and every message `digest/render/wording.py` and `charts.py` give to `words(...)`
or `words.counted(...)` must be in `en.yaml`, and every message of `en.yaml` in each of the seven
catalogs; a translation keeps the English's `{placeholders}`, no more and no fewer.
"""

from __future__ import annotations

import ast
import re
import string
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any

import pytest
import yaml
from babel import Locale

from digest.render.i18n import PLURAL_CATEGORIES
from digest.render.theme import I18N_DIR, builtin_theme_dir

THEME = builtin_theme_dir()
CATALOGS = ("en", "fr", "es", "de", "ru", "ja", "ar")
# the modules that word pages with the theme's messages: `words("...")`, `words.counted(n, "noun")`
WORDING = tuple(Path(__file__).resolve().parents[2] / "digest" / "render" / name for name in ("wording.py", "charts.py"))

# a Jinja string literal, double- or single-quoted
_LITERAL = r""""(?:[^"\\\n]|\\.)*"|'(?:[^'\\\n]|\\.)*'"""
# `_("message"` then `,` or `)`: the whole first argument is the literal, not `_("a" ~ b)`
_GETTEXT = re.compile(rf"(?<![\w.])_\(\s*({_LITERAL})\s*[,)]")
_SCRIPT_WORDS = re.compile(r"(?<![\w.])script_words\(")
_SCRIPT_ARGUMENT = re.compile(rf"\s*({_LITERAL})\s*([,)])")
_COUNTED = re.compile(rf"\|\s*counted\(\s*({_LITERAL})\s*\)")


def _text(literal: str) -> str:
    value = ast.literal_eval(literal)
    assert isinstance(value, str)
    return value


def template_messages() -> dict[str, set[str]]:
    """Each message the default theme's templates use, with the templates that use it."""
    found: dict[str, set[str]] = {}
    for path in sorted((THEME / "templates").rglob("*")):
        if not path.is_file():
            continue
        source = path.read_text(encoding="utf-8")
        name = path.relative_to(THEME).as_posix()
        for match in _GETTEXT.finditer(source):
            found.setdefault(_text(match.group(1)), set()).add(name)
        for match in _COUNTED.finditer(source):
            found.setdefault(_text(match.group(1)), set()).add(name)
        for match in _SCRIPT_WORDS.finditer(source):
            position = match.end()
            while argument := _SCRIPT_ARGUMENT.match(source, position):  # literal, literal, ..., literal)
                found.setdefault(_text(argument.group(1)), set()).add(name)
                position = argument.end()
                if argument.group(2) == ")":
                    break
    return found


def _strings(node: ast.expr, constants: Mapping[str, list[str]]) -> Iterator[str]:
    """The texts an argument can be: a literal, either branch of `"a" if x else "b"`, any value of a
    module's dict of literals indexed (`NOUNS[taxonomy]`)."""
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        yield node.value
    elif isinstance(node, ast.IfExp):
        yield from _strings(node.body, constants)
        yield from _strings(node.orelse, constants)
    elif isinstance(node, ast.Subscript) and isinstance(node.value, ast.Name):
        yield from constants.get(node.value.id, [])


def python_messages() -> dict[str, set[str]]:
    """Each message the wording modules give `words(...)`, and each noun they give `words.counted(...)`."""
    found: dict[str, set[str]] = {}
    for path in WORDING:
        tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
        constants = {target.id: [value.value for value in node.value.values
                                 if isinstance(value, ast.Constant) and isinstance(value.value, str)]
                     for node in tree.body if isinstance(node, ast.Assign) and isinstance(node.value, ast.Dict)
                     for target in node.targets if isinstance(target, ast.Name)}
        for node in ast.walk(tree):
            if not isinstance(node, ast.Call):
                continue
            func = node.func
            if isinstance(func, ast.Name) and func.id == "words" and node.args:
                argument = node.args[0]
            elif (isinstance(func, ast.Attribute) and func.attr == "counted" and isinstance(func.value, ast.Name)
                  and func.value.id == "words" and len(node.args) == 2):
                argument = node.args[1]
            else:
                continue
            for message in _strings(argument, constants):
                found.setdefault(message, set()).add(f"digest/render/{path.name}")
    return found


def used_messages() -> dict[str, set[str]]:
    found = template_messages()
    for message, where in python_messages().items():
        found.setdefault(message, set()).update(where)
    return found


def catalog(language: str) -> dict[str, Any]:
    data = yaml.safe_load((THEME / I18N_DIR / f"{language}.yaml").read_text(encoding="utf-8"))
    assert isinstance(data, dict), f"{I18N_DIR}/{language}.yaml is not a mapping of messages"
    return data


def placeholders(text: str) -> set[str]:
    """The `{names}` a message is filled in with (what `str.format` would ask for)."""
    return {field for _, field, _, _ in string.Formatter().parse(text) if field is not None}


def _exact_categories(language: str) -> set[str]:
    """The plural categories that hold a single count in this language (Arabic's zero, one and two), whose
    form may say the number in words rather than write `{count}`: "مقالتان" is "2 articles"."""
    rule = Locale.parse(language).plural_form
    counts: dict[str, set[int]] = {}
    for count in range(1001):
        counts.setdefault(rule(count), set()).add(count)
    return {category for category, numbers in counts.items() if len(numbers) == 1}


def test_the_extraction_finds_each_kind_of_use() -> None:
    """The patterns above still match the templates and modules as written (else the tests below pass on nothing)."""
    used = used_messages()
    assert "base.html" in "".join(used.get("Skip to content", ())), "_() in base.html"
    assert "templates/search.html" in used.get("Any edition", ()), "script_words() in search.html"
    assert "digest/render/wording.py" in used.get("Every edition of {title}, the newest first.", ()), "words()"
    assert "digest/render/charts.py" in used.get("{count} from {name}, {span}{peak}.", ()), "words(a if x else b)"
    assert "digest/render/wording.py" in used.get("source", ()), "words.counted(n, NOUNS[taxonomy])"
    assert "templates/editions.html" in used.get("article", ()), '|counted("article")'
    assert len(used) > 90


def test_english_lists_every_message_the_theme_uses() -> None:
    english = catalog("en")
    missing = {message: sorted(where) for message, where in used_messages().items() if message not in english}
    assert not missing, "messages used but missing from en.yaml: " + "; ".join(
        f"{message!r} (in {', '.join(where)})" for message, where in sorted(missing.items()))


@pytest.mark.parametrize("language", CATALOGS)
def test_each_catalog_has_every_message(language: str) -> None:
    words = catalog(language)
    wanted = set(catalog("en")) | set(used_messages())
    missing = sorted(message for message in wanted if message not in words)
    assert not missing, f"{language}.yaml lacks {len(missing)} message(s): " + "; ".join(map(repr, missing))


@pytest.mark.parametrize("language", CATALOGS)
def test_translations_keep_the_placeholders(language: str) -> None:
    english, words = catalog("en"), catalog(language)
    exact = _exact_categories(language)
    wrong: list[str] = []
    for message, source in english.items():
        if message not in words:
            continue  # said by test_each_catalog_has_every_message
        translation = words[message]
        if isinstance(source, dict):  # a counted noun: every form fills in {count}
            if not isinstance(translation, dict) or not translation:
                wrong.append(f"{message!r} is plural forms in English but {translation!r} in {language}.yaml")
                continue
            for category, form in translation.items():
                if category not in PLURAL_CATEGORIES or not isinstance(form, str):
                    wrong.append(f"{message!r}: {category!r}: {form!r} is not a CLDR plural category's text")
                    continue
                found = placeholders(form)
                if found != {"count"} and not (found == set() and category in exact):
                    wrong.append(f"{message!r}, form {category!r}: {form!r} has {sorted(found)}, not ['count']")
        elif not isinstance(translation, str):
            wrong.append(f"{message!r} is text in English but {translation!r} in {language}.yaml")
        elif placeholders(translation) != placeholders(message):
            lacks, adds = placeholders(message) - placeholders(translation), placeholders(translation) - placeholders(message)
            wrong.append(f"{message!r} -> {translation!r}" + (f" lacks {sorted(lacks)}" if lacks else "")
                         + (f" adds {sorted(adds)}" if adds else ""))
    assert not wrong, f"{language}.yaml: " + "\n".join(wrong)
