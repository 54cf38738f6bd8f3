"""The theme's words in the site's languages: message catalogs with plural forms, and dates from CLDR.

A catalog is a YAML file per language, `i18n/LANG.yaml`, looked up along the theme's chain:
the site's `i18n/` first (to override or add words), then its theme's, then the default
theme's. Each key is a message as the templates write it in English; its value is the
message in that language, or, for a count, its plural forms by CLDR's categories:

    Latest: À la une
    "Latest, page {number}": "À la une, page {number}"
    article: {one: "{count} article", other: "{count} articles"}

Plural categories (`one`, `few`, `many`, `other`...) and dates ("3 novembre 2015") come
from CLDR through Babel. A language no catalog speaks falls back to English, with one
warning. The default theme's `i18n/en.yaml` lists every message it uses.
"""

from __future__ import annotations

import datetime
import functools
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any

from markupsafe import Markup, escape

from digest.model import Problem, SiteConfig
from digest.read.yamlread import YamlProblem, load_yaml, top_level_key_lines
from digest.render import cldr
from digest.render.theme import I18N_DIR

if TYPE_CHECKING:
    from babel import Locale

PLURAL_CATEGORIES = ("zero", "one", "two", "few", "many", "other")
# English's own forms, for nouns no catalog has
_ENGLISH = {"person": {"one": "{count} person", "other": "{count} people"}}
_SKELETONS = {"long": "yMMMMd", "short": "yMMMd", "month": "yMMMM", "year": "y"}

Catalog = Mapping[str, Any]  # a message -> its translation, or its plural forms


class Messages:
    """The words of one language: `messages("Latest")`, `messages.counted(3, "article")`, `messages.date(day)`."""

    def __init__(self, language: str, locale: str, catalog: Catalog) -> None:
        self.language = language
        self.locale_name = locale
        self.catalog = catalog
        self._texts: dict[str, str] = {}  # each message's text, looked up once

    @functools.cached_property
    def locale(self) -> Locale:
        """The CLDR locale of its plural rules and dates, loaded when first asked (Babel costs 30 ms to import)."""
        from babel import Locale

        return Locale.parse(self.locale_name)

    def __call__(self, message: str, **values: object) -> str:
        """A message in this language, its `{placeholders}` filled in.

        >>> Messages("fr", "fr", {"Latest, page {number}": "À la une, page {number}"})("Latest, page {number}", number=2)
        'À la une, page 2'
        >>> Messages("en", "en_001", {})("Search")
        'Search'
        """
        text = self._texts.get(message)
        if text is None:  # a page asks for about 25 messages, a site's pages for a few hundred distinct ones
            found = self.catalog.get(message, message)
            text = self._texts[message] = found if isinstance(found, str) else str(found.get("other", message))
        if not values:
            return text
        if any(hasattr(value, "__html__") for value in values.values()):  # a link put into a sentence
            return Markup(escape(text)).format(**values)
        return text.format(**values)

    def for_script(self, *messages: str) -> dict[str, Any]:
        """These messages' translations that differ from English, for a script to read (`data-words`).

        >>> Messages("fr", "fr", {"Person": "Personne", "Topic": "Topic"}).for_script("Person", "Topic", "Any")
        {'Person': 'Personne'}
        """
        return {message: self.catalog[message] for message in messages
                if self.catalog.get(message, message) not in (message, _english_forms(message))}

    def counted(self, count: int, noun: str) -> str:
        """A count with its noun, in the plural form the language's rules give it.

        >>> en = Messages("en", "en_001", {})
        >>> en.counted(1, "article"), en.counted(3, "article"), en.counted(2, "person")
        ('1 article', '3 articles', '2 people')
        >>> ru = Messages("ru", "ru", {"article": {"one": "{count} статья", "few": "{count} статьи",
        ...                                        "many": "{count} статей", "other": "{count} статьи"}})
        >>> ru.counted(1, "article"), ru.counted(3, "article"), ru.counted(5, "article"), ru.counted(21, "article")
        ('1 статья', '3 статьи', '5 статей', '21 статья')
        """
        forms = self.catalog.get(noun)
        if not isinstance(forms, Mapping):
            forms = _english_forms(noun)
        category = (cldr.answer((self.locale_name, "", count), lambda: str(self.locale.plural_form(count)))
                    if isinstance(count, int) else self.locale.plural_form(count))
        form = forms.get(category) or forms.get("other") or next(iter(forms.values()))
        return form.format(count=count)

    def date(self, value: datetime.date, style: str = "long") -> str:
        """A date as readers of this language write it: long "3 November 2015", short, month, year.

        >>> en, fr = Messages("en", "en_001", {}), Messages("fr", "fr", {})
        >>> day = datetime.date(2015, 11, 3)
        >>> en.date(day), en.date(day, "short"), en.date(day, "month"), fr.date(day), fr.date(day, "month")
        ('3 November 2015', '3 Nov 2015', 'November 2015', '3 novembre 2015', 'novembre 2015')
        """
        skeleton = _SKELETONS[style]
        return cldr.answer((self.locale_name, skeleton, value.toordinal()),
                           lambda: _format(value, skeleton, self.locale))


def counted_in_english(count: int, noun: str) -> str:
    """A count with its noun in English, by CLDR's English rule for a whole number (`one` for 1, `other` for
    any other), without Babel: the command line's summary of a build must not load it.

    >>> counted_in_english(1, "file"), counted_in_english(0, "file"), counted_in_english(2, "person")
    ('1 file', '0 files', '2 people')
    """
    return _english_forms(noun)["one" if count == 1 else "other"].format(count=count)


def _english_forms(noun: str) -> dict[str, str]:
    """A noun's English plural forms, for nouns no catalog has: "1 article", "3 articles"."""
    return _ENGLISH.get(noun) or {"one": f"{{count}} {noun}", "other": f"{{count}} {noun}s"}


def _format(value: datetime.date, skeleton: str, locale: Locale) -> str:
    """One date in one form, as Babel writes it (asked once a day and form: `cldr.answer`)."""
    from babel.dates import format_skeleton

    return str(format_skeleton(skeleton, value, locale=locale))


ENGLISH = Messages("en", "en_001", {})  # the words templates are written in


def load_messages(config: SiteConfig, folders: Iterable[Path], site_dir: Path,
                  problems: list[Problem]) -> dict[str, Messages]:
    """The words of every language of the site, by code; a problem for each catalog that does not read,
    and a warning for each language no catalog speaks."""
    chain = list(folders)
    languages = config.languages or ()
    wanted = [(language.code, language.locale) for language in languages] or [(config.language, config.locale)]
    result: dict[str, Messages] = {}
    for code, locale in wanted:
        catalog: dict[str, Any] = {}
        found = False
        for folder in reversed(chain):  # the default theme's first, then the theme's, then the site's over them
            for name in _file_names(code):
                path = folder / f"{name}.yaml"
                if path.is_file():
                    found = True
                    catalog.update(_read_catalog(path, site_dir, problems))
        if not found and code.split("-")[0] != "en":
            problems.append(Problem(
                path=None, line=None, severity="warning",
                message=f"the theme has no words in {code}: its pages in {code} use English",
                hint=f"Add {I18N_DIR}/{code}.yaml to the site, with the messages of the default theme's "
                     f"{I18N_DIR}/en.yaml in {code}."))
        result[code] = Messages(code, locale, catalog)
    return result


def _file_names(code: str) -> list[str]:
    """The catalogs a language takes words from, the most general first: `zh.yaml`, then `zh-CN.yaml`.

    >>> _file_names("zh-CN"), _file_names("fr")
    (['zh', 'zh-CN'], ['fr'])
    """
    parts = code.split("-")
    return ["-".join(parts[: n + 1]) for n in range(len(parts))]


def _read_catalog(path: Path, site_dir: Path, problems: list[Problem]) -> dict[str, Any]:
    """A catalog's messages; what it gets wrong, as problems on its lines."""
    label = _label(path, site_dir)
    try:
        text = path.read_text(encoding="utf-8-sig")
        data = load_yaml(text)
    except UnicodeDecodeError:
        problems.append(Problem(path=label, line=None, message="is not UTF-8 text", hint="Save it as UTF-8."))
        return {}
    except YamlProblem as exc:
        problems.append(Problem(path=label, line=exc.line, message=exc.message, hint=exc.hint))
        return {}
    if data is None:
        return {}
    if not isinstance(data, dict):
        problems.append(Problem(path=label, line=1, message="is not a list of `message: translation` lines",
                                hint='Write one message a line: `Latest: "À la une"`.'))
        return {}
    lines = top_level_key_lines(text)
    catalog: dict[str, Any] = {}
    for key, value in data.items():
        line = lines.get(str(key), [None])[-1]
        if isinstance(value, str):
            catalog[str(key)] = str(value)
        elif isinstance(value, dict) and value and all(k in PLURAL_CATEGORIES and isinstance(v, str)
                                                       for k, v in value.items()):
            catalog[str(key)] = {str(k): str(v) for k, v in value.items()}
        else:
            problems.append(Problem(
                path=label, line=line, message=f"the message `{key}` is neither text nor plural forms",
                hint="Write its translation as text, or a count's forms as `{one: ..., other: ...}` "
                     f"(CLDR's categories: {', '.join(PLURAL_CATEGORIES)})."))
    return catalog


def _label(path: Path, site_dir: Path) -> str:
    try:
        return path.resolve().relative_to(site_dir.resolve()).as_posix()
    except ValueError:
        return f"(default theme) {I18N_DIR}/{path.name}"
