"""Names of people and topics, and their URL slugs (digest/read/names.py)."""

from __future__ import annotations

import pytest

from digest.read.names import normalize_name, same_spelling, slugify


@pytest.mark.parametrize(
    ("name", "slug"),
    [
        ("Moshe Ya'alon", "moshe-yaalon"),  # an apostrophe joins a word, it does not split it
        ("Moshe Ya’alon", "moshe-yaalon"),  # the typographic apostrophe too
        ("Moshe Yaʼalon", "moshe-yaalon"),  # and the modifier letter apostrophe
        ("Владимир Путин", "vladimir-putin"),
        ("Russia–Israel relations", "russia-israel-relations"),  # en dash
        ("Recep Tayyip Erdoğan", "recep-tayyip-erdogan"),
        ("open science", "open-science"),
        ("open-science", "open-science"),
        ("Open Science", "open-science"),
        ("  Benjamin  Netanyahu ", "benjamin-netanyahu"),
        ("benjamin  netanyahu", "benjamin-netanyahu"),
        ("LGBTQ+ rights", "lgbtq-rights"),
        ("Gahr Støre", "gahr-store"),
        ("Jean-Luc Mélenchon", "jean-luc-melenchon"),
        ("Łódź", "lodz"),
        ("Ελλάδα", "ellada"),
        ("O’Brien", "obrien"),
        ("Paris climate conference", "paris-climate-conference"),
        ("100% renewable", "100-renewable"),
        ("Syria", "syria"),
        ("!!!", ""),  # nothing to make a URL from: callers report it
        ("", ""),
    ],
)
def test_slugify(name: str, slug: str) -> None:
    assert slugify(name) == slug


@pytest.mark.parametrize("slug", ["moshe-yaalon", "vladimir-putin", "open-science", "lgbtq-rights"])
def test_a_slug_is_its_own_slug(slug: str) -> None:
    assert slugify(slug) == slug


@pytest.mark.parametrize(
    ("spellings",),
    [
        (["open science", "open-science", "Open Science", "OPEN  SCIENCE"],),
        (["Benjamin Netanyahu", "benjamin  netanyahu", " Benjamin Netanyahu "],),
        (["Moshe Ya'alon", "Moshe Ya’alon", "moshe yaalon"],),
    ],
)
def test_spellings_that_make_one_slug(spellings: list[str]) -> None:
    assert len({slugify(s) for s in spellings}) == 1


@pytest.mark.parametrize(
    ("name", "normal"),
    [
        ("  Benjamin   Netanyahu ", "Benjamin Netanyahu"),
        ("Benjamin\tNetanyahu", "Benjamin Netanyahu"),
        ("Benjamin\u00a0Netanyahu", "Benjamin Netanyahu"),  # a no-break space is a space
        ("Benjamin\nNetanyahu", "Benjamin Netanyahu"),
        ("Moshe Ya'alon", "Moshe Ya'alon"),  # case and punctuation are kept
        ("open-science", "open-science"),
        ("", ""),
        ("   ", ""),
    ],
)
def test_normalize_name(name: str, normal: str) -> None:
    assert normalize_name(name) == normal


@pytest.mark.parametrize(
    ("a", "b", "same"),
    [
        ("Benjamin Netanyahu", "benjamin  netanyahu", True),
        ("Benjamin Netanyahu", " BENJAMIN NETANYAHU ", True),
        ("open science", "Open Science", True),
        ("Straße", "STRASSE", True),  # casefold, not lower
        ("open science", "open-science", False),  # the slug joins these, the spelling does not
        ("Moshe Ya'alon", "Moshe Ya’alon", False),
        ("Владимир Путин", "Vladimir Putin", False),
    ],
)
def test_same_spelling(a: str, b: str, same: bool) -> None:
    assert (same_spelling(a) == same_spelling(b)) is same
