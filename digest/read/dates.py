"""Dates as curators and other generators write them, read into aware datetimes."""

from __future__ import annotations

import datetime
import re
from zoneinfo import ZoneInfo

from digest.read.yamlread import describe

ACCEPTED_FORMS = ("2015-11-30, 2015-11-30 14:05, 2015-11-30T14:05:00+02:00, "
                  "2015-11-30T14:05:00Z, 2015-11-30 9:05:00 +0200 "
                  "or Mon, 30 Nov 2015 14:05:00 +0200")

_ISO = re.compile(
    r"(\d{4})-(\d{1,2})-(\d{1,2})"
    r"(?:(?:[Tt]|[ \t]+)(\d{1,2}):(\d{2})(?::(\d{2})(?:[.,](\d{1,9}))?)?"
    r"[ \t]*(Z|z|UTC|[+-]\d{2}(?::?\d{2})?)?)?",
    re.ASCII,  # digits 0-9 only, not other scripts' digits
)
_RFC2822 = re.compile(r"(?:[A-Za-z]{3},\s*)?\d{1,2}\s+[A-Za-z]{3}\s+\d{4}\s+\d{1,2}:\d{2}(?::\d{2})?\s+.+", re.ASCII)


class DateProblem(ValueError):
    """A value that is not one of the accepted date forms; `str()` reads "`date` is ..." after the key."""

    def __init__(self, message: str, hint: str = "") -> None:
        super().__init__(message)
        self.hint = hint


def parse_date(value: object, zone: ZoneInfo) -> datetime.datetime:
    """A front matter date as an aware datetime; a date alone is midnight in `zone`.

    >>> utc = ZoneInfo("UTC")
    >>> parse_date("2015-11-30", utc).isoformat()
    '2015-11-30T00:00:00+00:00'
    >>> parse_date("2015-11-30 9:05:00 +0200", utc).isoformat()
    '2015-11-30T09:05:00+02:00'
    >>> parse_date("Mon, 30 Nov 2015 14:05:00 +0200", utc).isoformat()
    '2015-11-30T14:05:00+02:00'
    >>> parse_date("2015-02-30", utc)
    Traceback (most recent call last):
    ...
    digest.read.dates.DateProblem: 2015-02-30, a day that does not exist
    """
    result = _parse(value, zone)
    try:  # a day's margin, so that the date can be shown in any time zone
        (result - _DAY).astimezone(datetime.timezone.utc), (result + _DAY).astimezone(datetime.timezone.utc)
    except OverflowError:
        written = value.strip() if isinstance(value, str) else result.isoformat()
        raise DateProblem(f'"{written}", too near the year 1 or 9999 to be shown',
                          "Write a date from 0001-01-02 to 9999-12-30.") from None
    return result


_DAY = datetime.timedelta(days=1)


def _parse(value: object, zone: ZoneInfo) -> datetime.datetime:
    if isinstance(value, datetime.datetime):
        return value if value.tzinfo else value.replace(tzinfo=zone)
    if isinstance(value, datetime.date):
        return datetime.datetime(value.year, value.month, value.day, tzinfo=zone)
    if not isinstance(value, str):
        raise DateProblem(f"{describe(value)}, not a date")
    text = value.strip()
    match = _ISO.fullmatch(text)
    if match:
        return _from_iso(match, zone)
    if _RFC2822.fullmatch(text):
        import email.utils  # (a date in this form is rare: every other build never loads it)

        try:
            parsed = email.utils.parsedate_to_datetime(text)
        except (TypeError, ValueError):
            raise DateProblem(f'"{text}", not a date') from None
        return parsed if parsed.tzinfo else parsed.replace(tzinfo=zone)
    raise DateProblem(f'"{text}", not a date')


def _from_iso(match: re.Match[str], zone: ZoneInfo) -> datetime.datetime:
    year, month, day, hour, minute, second, fraction, offset = match.groups()
    try:
        datetime.date(int(year), int(month), int(day))
    except ValueError:
        written = match.group(0).split()[0].split("T")[0]
        if not 1 <= int(month) <= 12:
            hint = f"There is no month {int(month)}: write the date as YYYY-MM-DD, year first."
        else:
            month_name = datetime.date(2000, int(month), 1).strftime("%B")
            hint = f"{month_name} {int(year)} has no day {int(day)}: check the day and the month."
        raise DateProblem(f"{written}, a day that does not exist", hint) from None
    try:
        result = datetime.datetime(
            int(year), int(month), int(day), int(hour or 0), int(minute or 0), int(second or 0),
            int((fraction or "0")[:6].ljust(6, "0")))
    except ValueError:
        raise DateProblem(f'"{match.group(0)}", a time that does not exist',
                          "Write the time as HH:MM or HH:MM:SS, from 00:00 to 23:59.") from None
    if offset is None:
        return result.replace(tzinfo=zone)
    if offset in ("Z", "z", "UTC"):
        return result.replace(tzinfo=datetime.timezone.utc)
    sign = -1 if offset[0] == "-" else 1
    digits = offset[1:].replace(":", "")
    hours, minutes = int(digits[:2]), int(digits[2:4] or 0)
    if hours > 23 or minutes > 59:
        raise DateProblem(f'"{match.group(0)}", with a time zone offset that does not exist',
                          "Write the offset as +HH:MM, from -23:59 to +23:59.")
    delta = datetime.timedelta(hours=hours, minutes=minutes) * sign
    return result.replace(tzinfo=datetime.timezone(delta))


_PREFIX = re.compile(r"(\d{4}-\d{2}-\d{2})-(.+)", re.ASCII)


def split_date_prefix(stem: str) -> tuple[str | None, str]:
    """A file name's `YYYY-MM-DD-` prefix (if any) and the rest.

    >>> split_date_prefix("2015-11-30-putin-paris")
    ('2015-11-30', 'putin-paris')
    >>> split_date_prefix("putin-paris")
    (None, 'putin-paris')
    """
    match = _PREFIX.fullmatch(stem)
    if match:
        return match.group(1), match.group(2)
    return None, stem
