"""Names of people and topics, and the ASCII slugs that make their URLs."""

from __future__ import annotations

import functools

from slugify import slugify as _slugify

MAX_SLUG = 200  # a slug names a folder of the output: most file systems take 255 bytes, and it is ASCII
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
    """
    if len(slug) <= MAX_SLUG:
        return ""
    return f" makes a URL segment of {len(slug)} characters; at most {MAX_SLUG} fit in a file name"
