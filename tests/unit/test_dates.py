"""Dates as curators write them (digest/read/dates.py); the forms are the contract's "Dates" section."""

from __future__ import annotations

import datetime
from zoneinfo import ZoneInfo

import pytest

from digest.read.dates import ACCEPTED_FORMS, DateProblem, parse_date, split_date_prefix

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
        ("30/11/2015", '"30/11/2015", not a date'),
        ("yesterday", '"yesterday", not a date'),
        ("30 Nov 2015", '"30 Nov 2015", not a date'),
        ("20151130", '"20151130", not a date'),
        ("", '"", not a date'),
        ("2015-02-30", "2015-02-30, a day that does not exist"),
        ("2015-13-01", "2015-13-01, a day that does not exist"),
        ("2015-02-30 14:05", "2015-02-30, a day that does not exist"),
        ("2015-11-30 25:00", '"2015-11-30 25:00", a time that does not exist'),
        ("2015-11-30 14:60", '"2015-11-30 14:60", a time that does not exist'),
        ("2015-11-30T14:05:00+25:00", '"2015-11-30T14:05:00+25:00", with a time zone offset that does not exist'),
        ("Mon, 32 Nov 2015 14:05:00 +0200", '"Mon, 32 Nov 2015 14:05:00 +0200", not a date'),
        ("Mon, 30 Foo 2015 14:05:00 +0200", '"Mon, 30 Foo 2015 14:05:00 +0200", not a date'),
        (2015, '"2015", not a date'),
        ("\u0662\u0660\u0661\u0665-\u0661\u0661-\u0663\u0660", '"\u0662\u0660\u0661\u0665-\u0661\u0661-\u0663\u0660", not a date'),  # digits 0-9 only
    ],
)
def test_not_a_date(written: object, message: str) -> None:
    # the message reads on after the key: "`date` is " + message
    with pytest.raises(DateProblem) as caught:
        parse_date(written, UTC)
    assert str(caught.value) == message


@pytest.mark.parametrize(
    ("written", "hint"),
    [
        ("2015-02-30", "February 2015 has no day 30: check the day and the month."),
        ("2015-11-00", "November 2015 has no day 0: check the day and the month."),
        ("2015-13-01", "There is no month 13: write the date as YYYY-MM-DD, year first."),
        ("2015-11-30 25:00", "Write the time as HH:MM or HH:MM:SS, from 00:00 to 23:59."),
        ("2015-11-30T14:05:00+25:00", "Write the offset as +HH:MM, from -23:59 to +23:59."),
        ("yesterday", ""),  # the caller's hint, naming the accepted forms, is used
    ],
)
def test_a_date_problem_has_a_hint_where_the_mistake_is_known(written: str, hint: str) -> None:
    with pytest.raises(DateProblem) as caught:
        parse_date(written, UTC)
    assert caught.value.hint == hint


@pytest.mark.parametrize(
    ("value", "message"),
    [
        (True, "true, not a date"),
        (["2015-11-30"], "a list, not a date"),
        ({"day": 30}, "a mapping, not a date"),
    ],
)
def test_not_a_date_is_described_in_the_authors_terms(value: object, message: str) -> None:
    with pytest.raises(DateProblem) as caught:
        parse_date(value, UTC)
    assert str(caught.value) == message


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
        ("\u0662\u0660\u0661\u0665-\u0661\u0661-\u0663\u0660-putin", (None, "\u0662\u0660\u0661\u0665-\u0661\u0661-\u0663\u0660-putin")),
    ],
)
def test_split_date_prefix(stem: str, parts: tuple[str | None, str]) -> None:
    assert split_date_prefix(stem) == parts


@pytest.mark.parametrize(
    ("written", "shown"),
    [
        ("0001-01-01", False), ("0001-01-01T00:00:00+05:00", False), ("9999-12-31", False),
        ("9999-12-31T23:00:00-05:00", False), ("0001-01-02", True), ("9999-12-30T23:59:59+14:00", True),
    ],
)
def test_a_date_too_near_the_first_or_last_year_is_refused(written: str, shown: bool) -> None:
    # pages and feeds show a date in other zones too: it must stay a date a day either side
    if shown:
        assert parse_date(written, UTC).astimezone(UTC).year in (1, 9999)
        return
    with pytest.raises(DateProblem) as caught:
        parse_date(written, UTC)
    assert (str(caught.value), caught.value.hint) == (f'"{written}", too near the year 1 or 9999 to be shown',
                                                      "Write a date from 0001-01-02 to 9999-12-30.")
