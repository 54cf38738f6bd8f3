"""Names of people and topics, and the ASCII slugs that make their URLs."""

from __future__ import annotations

import functools
import unicodedata
from urllib.parse import unquote

from slugify import slugify as _slugify

MAX_SLUG = 200  # bytes: a slug names a folder of the output, and most file systems take 255
SHORTER_NAME = "Shorten the name: a longer form can go in the body of its term page."

# Apostrophes join a word rather than split it: Ya'alon -> yaalon, O’Brien -> obrien.
_REPLACEMENTS = (("'", ""), ("’", ""), ("ʼ", ""), ("`", ""))


@functools.lru_cache(maxsize=65536)
def slugify(name: str) -> str:
    """The URL segment for a person or topic name: ASCII, lowercase, hyphenated.

    >>> slugify("Russia–Israel relations")
    'russia-israel-relations'
    >>> slugify("Moshe Ya'alon"), slugify("Владимир Путин")
    ('moshe-yaalon', 'vladimir-putin')
    """
    return str(_slugify(name, replacements=_REPLACEMENTS))


def normalize_name(name: str) -> str:
    """A name with its spaces folded, as the site shows it.

    >>> normalize_name("  Benjamin   Netanyahu ")
    'Benjamin Netanyahu'
    """
    return " ".join(name.split())


def same_spelling(name: str) -> str:
    """The key under which spellings count as one: case and spaces ignored.

    >>> same_spelling("benjamin  NETANYAHU") == same_spelling("Benjamin Netanyahu")
    True
    """
    return normalize_name(name).casefold()


def too_long(slug: str) -> str:
    """What is wrong with a slug too long to name a folder, as the end of a problem's message; else "".

    >>> too_long("putin-paris"), too_long("a" * 201)
    ('', ' makes a URL segment of 201 characters; at most 200 fit in a file name')
    >>> too_long("é" * 101)
    ' makes a URL segment of 202 bytes in UTF-8; at most 200 fit in a file name'
    """
    size = len(slug.encode("utf-8", "surrogatepass"))
    if size <= MAX_SLUG:
        return ""
    unit = "characters" if slug.isascii() else "bytes in UTF-8"
    return f" makes a URL segment of {size} {unit}; at most {MAX_SLUG} fit in a file name"


SLUG_HINT = ("A slug is one folder name: letters of any script, digits, and `-`, `_` or `.` between them, "
             "such as `slug: putin-paris`.")


def slug_problem(slug: str) -> str:
    """Why `slug` cannot name one folder of the output, as the end of a sentence; "" when it can.

    Letters of any script, digits, `-` and `_`, and `.` but first or last: what Hugo and Zola publish,
    and what a file name can hold on any system.

    >>> [slug_problem(s) for s in ("rse-maëlle-salmon", "cómo_traducir_una_entrada", "ekran_okuyucularla_r_kullanımı",
    ...                            "v1.2", "Путин", "中文")]
    ['', '', '', '', '', '']
    >>> slug_problem("../x"), slug_problem(".git"), slug_problem("a b"), slug_problem("a\u200ab")
    ('holds a `/`', 'starts with `.`, which hides a file', 'holds a space', 'holds a space (U+200A)')
    >>> slug_problem("a\x08b"), slug_problem("C:x"), slug_problem("x.")
    ('holds the control character U+0008', 'holds `:`, which is not a letter, a digit, `-`, `_` or `.`', 'ends with `.`')
    """
    if not slug:
        return "is empty"
    for mark in ("/", "\\"):
        if mark in slug:
            return f"holds a `{mark}`"
    for char in slug:
        kind = unicodedata.category(char)
        if kind in ("Cc", "Cf", "Cs", "Co", "Cn"):
            return f"holds the control character U+{ord(char):04X}"
        if kind.startswith("Z"):
            return "holds a space" if char == " " else f"holds a space (U+{ord(char):04X})"
        if not (kind[0] in "LMN" or char in "-_."):
            return f"holds `{char}`, which is not a letter, a digit, `-`, `_` or `.`"
    if slug.startswith("."):
        return "starts with `.`, which hides a file"
    if slug.endswith("."):
        return "ends with `.`"
    return ""


def read_slug(written: str) -> tuple[str, str]:
    """A slug as written, percent-decoded if it is encoded: (the slug, "") or (what it decodes to, why it cannot be one).

    >>> read_slug("caf%C3%A9"), read_slug("%2e%2e")
    (('café', ''), ('..', 'decodes to "..", which starts with `.`, which hides a file'))
    >>> print(read_slug("sin%e2%80%8a-ready")[1])
    decodes to "sin\\u200a-ready", which holds a space (U+200A)
    """
    slug = written
    if "%" in written:
        try:
            slug = unquote(written, errors="strict")
        except UnicodeDecodeError:
            return written, "is percent-encoded, but what it encodes is not UTF-8 text"
    why = slug_problem(slug)
    if why and slug != written:
        shown = "".join(c if c.isprintable() else f"\\u{ord(c):04x}" for c in slug)
        why = f'decodes to "{shown}", which {why}'
    return slug, why
