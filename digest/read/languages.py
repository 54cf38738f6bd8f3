"""Languages: codes as curators write them, made BCP 47 and known to CLDR (through Babel).

A code is written `fr`, `zh-CN`, `zh_cn` or `pt-br`; it is given back as pages and feeds
write it (`zh-CN`, `pt-BR`), with what CLDR knows of it: the locale of its dates and plural
rules, the direction of its script, and its name in itself, for the language switcher.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Any, Literal

from digest.model import Language
from digest.read.settings import UNSET, Reading, did_you_mean, read_text
from digest.read.yamlread import as_text, describe

if TYPE_CHECKING:
    from babel import Locale

_SUBTAG = re.compile(r"[A-Za-z0-9]+")
ENGLISH_LOCALE = "en_001"  # English without a region writes dates as CLDR's world English: 30 November 2015


def language_code(written: str) -> str | None:
    """A language code in BCP 47's spelling, if CLDR knows the language; else None.

    >>> language_code("zh_cn"), language_code("pt-br"), language_code("FR"), language_code("sr_latn")
    ('zh-CN', 'pt-BR', 'fr', 'sr-Latn')
    >>> language_code("english"), language_code("xx"), language_code("")
    (None, None, None)
    """
    parts = re.split(r"[-_]", written.strip())
    if not all(_SUBTAG.fullmatch(part) for part in parts) or not 2 <= len(parts[0]) <= 3 or not parts[0].isalpha():
        return None
    spelled = [parts[0].lower()]
    for part in parts[1:]:
        if len(part) == 4 and part.isalpha():
            spelled.append(part.title())  # a script: Latn, Hant
        elif len(part) == 2 and part.isalpha() or len(part) == 3 and part.isdigit():
            spelled.append(part.upper())  # a region: CN, BR, 419
        else:
            spelled.append(part.lower())
    code = "-".join(spelled)
    try:
        _cldr(code, "-")
    except ValueError:
        return None
    return code


def _cldr(code: str, sep: str = "_") -> Locale:
    """What CLDR knows of the locale `code`; raise ValueError for one it does not know. Babel is imported at the
    first language read, so that a rebuild with nothing to do, which reads none, never loads it."""
    from babel import Locale, UnknownLocaleError

    try:
        return Locale.parse(code, sep=sep)
    except UnknownLocaleError as exc:
        raise ValueError(str(exc)) from None


def locale_of(code: str) -> str:
    """The CLDR locale of a language's dates and plural rules.

    >>> locale_of("en"), locale_of("en-US"), locale_of("fr"), locale_of("zh-CN")
    ('en_001', 'en_US', 'fr', 'zh_Hans_CN')
    """
    if code == "en":
        return ENGLISH_LOCALE
    return str(_cldr(code, "-"))


def direction_of(code: str) -> Literal["ltr", "rtl"]:
    """The direction of a language's script.

    >>> direction_of("ar"), direction_of("he"), direction_of("fa"), direction_of("ur"), direction_of("fr")
    ('rtl', 'rtl', 'rtl', 'rtl', 'ltr')
    """
    return "rtl" if _cldr(code, "-").character_order == "right-to-left" else "ltr"


def make_language(code: str, root: str, title: str | None = None, description: str | None = None,
                  locale: str | None = None) -> Language:
    """A language of the site, with what CLDR knows of it (`code` as `language_code` gives it)."""
    return Language(code=code, root=root, title=title, description=description, locale=locale or locale_of(code),
                    direction=direction_of(code), name=_cldr(code, "-").get_display_name() or code)


def known_locale(written: str) -> str | None:
    """A CLDR locale as Babel names it, if it is one: `en_US`, `pt-BR` → `pt_BR`; else None.

    >>> known_locale("en-US"), known_locale("en_GB"), known_locale("nowhere")
    ('en_US', 'en_GB', None)
    """
    try:
        return str(_cldr(written.replace("-", "_")))
    except ValueError:
        return None


_LANGUAGE_HINT = "Write a language code (BCP 47) such as `en`, `fr`, `ar` or `zh-CN`."


def read_language(key: str, value: Any, reading: Reading) -> Any:
    written = read_text(key, value, reading)
    if written is UNSET:
        return UNSET
    code = language_code(written)
    if code is None:
        reading.problem(key, f"`{key}` is {describe(value)}, not a language code CLDR knows", _LANGUAGE_HINT)
        return UNSET
    return code


_LANGUAGE_KEYS = ("title", "description", "base_url", "locale")
_ROOT = re.compile(r"(?:/[A-Za-z0-9_-]+)+/")


def read_languages(key: str, value: Any, reading: Reading) -> Any:
    """`languages`: a list of codes (each may carry settings: `- fr: {title: ...}`), or a mapping of codes to settings."""
    if isinstance(value, dict):
        entries = list(value.items())
    elif isinstance(value, list) and value:
        entries = []
        for item in value:
            if isinstance(item, dict) and len(item) == 1:
                entries.append(next(iter(item.items())))
            elif isinstance(item, dict) and "code" in item:
                entries.append((item["code"], {k: v for k, v in item.items() if k != "code"}))
            else:
                entries.append((item, None))
    else:
        reading.problem(key, f"`languages` must be a list of language codes, not {describe(value)}",
                        "Write them first the default: `languages: [en, fr, ar]`, each with its settings if it "
                        "has some: `- fr: {title: Le Digest}`.")
        return UNSET
    languages: list[Language] = []
    for number, (written, settings) in enumerate(entries, start=1):
        code = language_code(as_text(written) or "")
        if code is None:
            reading.problem(key, f"`languages` item {number} is {describe(written)}, not a language code CLDR knows",
                            _LANGUAGE_HINT)
            continue
        if any(language.code == code for language in languages):
            reading.problem(key, f"`languages` names {code} twice", "Keep one of the two.")
            continue
        language = _language_settings(f"languages.{written}", code, settings, number == 1, reading)
        if language is None:
            continue
        clash = next((other for other in languages if other.root == language.root), None)
        if clash is not None:
            reading.problem(f"languages.{written}", f"{code} and {clash.code} are both given the folder {language.root}",
                            "Give each language a `base_url` path of its own, such as `/fr/`.")
            continue
        languages.append(language)
    return tuple(languages) if languages else UNSET


def _language_settings(key: str, code: str, settings: Any, default: bool, reading: Reading) -> Language | None:
    """One language of `languages`, from its settings (`title`, `description`, `base_url`, `locale`)."""
    if settings is None:
        settings = {}
    if not isinstance(settings, dict):
        reading.problem(key, f"the settings of {code} must be a mapping, not {describe(settings)}",
                        f"Write them as `- {code}: {{title: ..., description: ...}}`.")
        return None
    values: dict[str, str] = {}
    for name, setting in settings.items():
        if name not in _LANGUAGE_KEYS:
            reading.problem(f"{key}.{name}", f"unknown setting `{name}` of {code}",
                            did_you_mean(str(name), _LANGUAGE_KEYS))
        elif setting is not None:
            text = read_text(f"{key}.{name}", setting, reading)
            if text is not UNSET:
                values[name] = text
    root = values.get("base_url", "/" if default else f"/{code}/")
    if root != "/" and not _ROOT.fullmatch(root):
        reading.problem(f"{key}.base_url", f"the `base_url` of {code} must be a path in the site such as /{code}/, "
                        f"not {describe(root)}", "Write the folder its pages go in: `base_url: /fr/`.")
        return None
    locale = known_locale(values["locale"]) if "locale" in values else None
    if "locale" in values and locale is None:
        reading.problem(f"{key}.locale", f"the `locale` of {code} is {describe(values['locale'])}, not a locale "
                        "CLDR knows", "Write one such as `en_US` or `pt_BR`, or leave it out.")
        return None
    return make_language(code, root, values.get("title"), values.get("description"), locale)
