"""Dates as curators write them (digest/dates.py); the forms are the contract's "Dates" section."""

from __future__ import annotations

import datetime
from zoneinfo import ZoneInfo

import pytest

from digest.dates import ACCEPTED_FORMS, DateProblem, parse_date, split_date_prefix

UTC = ZoneInfo("UTC")
PARIS = ZoneInfo("Europe/Paris")  # the site's zone in these tables: +01:00 in winter, +02:00 in summer


@pytest.mark.parametrize(
    ("written", "iso"),
    [
        # a date alone: midnight in the site's zone
        ("2015-11-30", "2015-11-30T00:00:00+01:00"),
        (" 2015-11-30 ", "2015-11-30T00:00:00+01:00"),
        ("2015-1-3", "2015-01-03T00:00:00+01:00"),
        # ISO 8601 with a zone
        ("2015-11-30T14:05:00+02:00", "2015-11-30T14:05:00+02:00"),
        ("2015-11-30T14:05:00-05:30", "2015-11-30T14:05:00-05:30"),
        ("2015-11-30T14:05:00+0200", "2015-11-30T14:05:00+02:00"),
        ("2015-11-30T14:05:00.123456+02:00", "2015-11-30T14:05:00.123456+02:00"),
        ("2015-11-30T14:05:00Z", "2015-11-30T14:05:00+00:00"),
        ("2015-11-30t14:05:00z", "2015-11-30T14:05:00+00:00"),
        ("2015-11-30 14:05:00 UTC", "2015-11-30T14:05:00+00:00"),
        # YAML-like, without a zone: the site's zone, summer time included
        ("2015-11-30 14:05", "2015-11-30T14:05:00+01:00"),
        ("2015-11-30T14:05", "2015-11-30T14:05:00+01:00"),
        ("2015-11-30 14:05:00", "2015-11-30T14:05:00+01:00"),
        ("2015-06-30 14:05", "2015-06-30T14:05:00+02:00"),
        # Jekyll
        ("2015-11-30 9:05:00 +0200", "2015-11-30T09:05:00+02:00"),
        ("2015-11-30 14:05 +02", "2015-11-30T14:05:00+02:00"),
        # RFC 2822
        ("Mon, 30 Nov 2015 14:05:00 +0200", "2015-11-30T14:05:00+02:00"),
        ("30 Nov 2015 14:05:00 +0200", "2015-11-30T14:05:00+02:00"),
        ("Mon, 30 Nov 2015 14:05:00 GMT", "2015-11-30T14:05:00+00:00"),
        ("Mon, 30 Nov 2015 14:05:00 -0000", "2015-11-30T14:05:00+01:00"),  # RFC 2822: -0000 is "zone unknown"
    ],
)
def test_accepted_forms(written: str, iso: str) -> None:
    parsed = parse_date(written, PARIS)
    assert parsed.tzinfo is not None
    assert parsed.isoformat() == iso


@pytest.mark.parametrize(
    ("value", "iso"),
    [
        (datetime.date(2015, 11, 30), "2015-11-30T00:00:00+01:00"),
        (datetime.datetime(2015, 11, 30, 14, 5), "2015-11-30T14:05:00+01:00"),  # naive: the site's zone
        (datetime.datetime(2015, 6, 30, 14, 5), "2015-06-30T14:05:00+02:00"),
        (datetime.datetime(2015, 11, 30, 14, 5, tzinfo=datetime.timezone.utc), "2015-11-30T14:05:00+00:00"),
        (datetime.datetime(2015, 11, 30, 14, 5, tzinfo=datetime.timezone(datetime.timedelta(hours=-5))),
         "2015-11-30T14:05:00-05:00"),
    ],
)
def test_date_and_datetime_values(value: datetime.date, iso: str) -> None:
    assert parse_date(value, PARIS).isoformat() == iso


def test_a_naive_time_is_in_the_given_zone() -> None:
    parsed = parse_date("2015-11-30 14:05", PARIS)
    assert parsed.tzinfo is PARIS
    assert parse_date("2015-11-30 14:05", UTC).isoformat() == "2015-11-30T14:05:00+00:00"


@pytest.mark.parametrize(
    ("written", "message"),
    [
        ("30/11/2015", '"30/11/2015" is not a date'),
        ("yesterday", '"yesterday" is not a date'),
        ("30 Nov 2015", '"30 Nov 2015" is not a date'),
        ("20151130", '"20151130" is not a date'),
        ("", '"" is not a date'),
        ("2015-02-30", "there is no such day: 2015-02-30"),
        ("2015-13-01", "there is no such day: 2015-13-01"),
        ("2015-02-30 14:05", "there is no such day: 2015-02-30"),
        ("2015-11-30 25:00", '"2015-11-30 25:00" has a time that does not exist'),
        ("2015-11-30 14:60", '"2015-11-30 14:60" has a time that does not exist'),
        ("2015-11-30T14:05:00+25:00", '"+25:00" is not a time zone offset'),
        ("Mon, 32 Nov 2015 14:05:00 +0200", '"Mon, 32 Nov 2015 14:05:00 +0200" is not a date'),
        ("Mon, 30 Foo 2015 14:05:00 +0200", '"Mon, 30 Foo 2015 14:05:00 +0200" is not a date'),
        (2015, "`2015` is not a date"),
    ],
)
def test_not_a_date(written: object, message: str) -> None:
    with pytest.raises(DateProblem) as caught:
        parse_date(written, UTC)
    assert str(caught.value) == message


@pytest.mark.xfail(strict=True, reason="BUG: parse_date shows Python reprs (`True`, `['2015-11-30']`) "
                                       "for values that are not text")
@pytest.mark.parametrize("value", [True, ["2015-11-30"], {"day": 30}])
def test_not_a_date_is_described_in_the_authors_terms(value: object) -> None:
    with pytest.raises(DateProblem) as caught:
        parse_date(value, UTC)
    message = str(caught.value)
    assert "True" not in message and "['" not in message and "{'" not in message


def test_a_date_problem_is_a_value_error() -> None:
    assert issubclass(DateProblem, ValueError)


@pytest.mark.parametrize(
    "form", ["2015-11-30", "2015-11-30 14:05", "2015-11-30T14:05:00+02:00", "2015-11-30T14:05:00Z",
             "2015-11-30 9:05:00 +0200", "Mon, 30 Nov 2015 14:05:00 +0200"])
def test_every_accepted_form_is_named_and_parses(form: str) -> None:
    assert form in ACCEPTED_FORMS
    parse_date(form, UTC)


@pytest.mark.parametrize(
    ("stem", "parts"),
    [
        ("2015-11-30-putin-paris", ("2015-11-30", "putin-paris")),
        ("2015-11-30-a", ("2015-11-30", "a")),
        ("2015-02-30-putin", ("2015-02-30", "putin")),  # the prefix is split; checking it is parse_date's job
        ("putin-paris", (None, "putin-paris")),
        ("2015-11-30", (None, "2015-11-30")),  # nothing after the date: it is the whole name
        ("2015-11-30-", (None, "2015-11-30-")),
        ("2015-11-3-putin", (None, "2015-11-3-putin")),
        ("15-11-30-putin", (None, "15-11-30-putin")),
        ("x2015-11-30-putin", (None, "x2015-11-30-putin")),
    ],
)
def test_split_date_prefix(stem: str, parts: tuple[str | None, str]) -> None:
    assert split_date_prefix(stem) == parts
