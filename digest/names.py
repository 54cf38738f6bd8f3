"""Names of people and topics, and the ASCII slugs that make their URLs."""

from __future__ import annotations

import functools

from slugify import slugify as _slugify

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
