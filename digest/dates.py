"""Dates as curators and other generators write them, read into aware datetimes."""

from __future__ import annotations

import datetime
import email.utils
import re
from zoneinfo import ZoneInfo

ACCEPTED_FORMS = ("2015-11-30, 2015-11-30 14:05, 2015-11-30T14:05:00+02:00, "
                  "2015-11-30T14:05:00Z, 2015-11-30 9:05:00 +0200 "
                  "or Mon, 30 Nov 2015 14:05:00 +0200")

_ISO = re.compile(
    r"(\d{4})-(\d{1,2})-(\d{1,2})"
    r"(?:(?:[Tt]|[ \t]+)(\d{1,2}):(\d{2})(?::(\d{2})(?:[.,](\d{1,9}))?)?"
    r"[ \t]*(Z|z|UTC|[+-]\d{2}(?::?\d{2})?)?)?"
)
_RFC2822 = re.compile(r"(?:[A-Za-z]{3},\s*)?\d{1,2}\s+[A-Za-z]{3}\s+\d{4}\s+\d{1,2}:\d{2}(?::\d{2})?\s+.+")


class DateProblem(ValueError):
    """A value that is not one of the accepted date forms."""


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
    digest.dates.DateProblem: there is no such day: 2015-02-30
    """
    if isinstance(value, datetime.datetime):
        return value if value.tzinfo else value.replace(tzinfo=zone)
    if isinstance(value, datetime.date):
        return datetime.datetime(value.year, value.month, value.day, tzinfo=zone)
    if not isinstance(value, str):
        raise DateProblem(f"`{value}` is not a date")
    text = value.strip()
    match = _ISO.fullmatch(text)
    if match:
        return _from_iso(match, zone)
    if _RFC2822.fullmatch(text):
        try:
            parsed = email.utils.parsedate_to_datetime(text)
        except (TypeError, ValueError):
            raise DateProblem(f'"{text}" is not a date') from None
        return parsed if parsed.tzinfo else parsed.replace(tzinfo=zone)
    raise DateProblem(f'"{text}" is not a date')


def _from_iso(match: re.Match[str], zone: ZoneInfo) -> datetime.datetime:
    year, month, day, hour, minute, second, fraction, offset = match.groups()
    try:
        datetime.date(int(year), int(month), int(day))
    except ValueError:
        raise DateProblem(f"there is no such day: {match.group(0)[:10]}") from None
    try:
        result = datetime.datetime(
            int(year), int(month), int(day), int(hour or 0), int(minute or 0), int(second or 0),
            int((fraction or "0")[:6].ljust(6, "0")))
    except ValueError:
        raise DateProblem(f'"{match.group(0)}" has a time that does not exist') from None
    if offset is None:
        return result.replace(tzinfo=zone)
    if offset in ("Z", "z", "UTC"):
        return result.replace(tzinfo=datetime.timezone.utc)
    sign = -1 if offset[0] == "-" else 1
    digits = offset[1:].replace(":", "")
    hours, minutes = int(digits[:2]), int(digits[2:4] or 0)
    if hours > 23 or minutes > 59:
        raise DateProblem(f'"{offset}" is not a time zone offset')
    delta = datetime.timedelta(hours=hours, minutes=minutes) * sign
    return result.replace(tzinfo=datetime.timezone(delta))


_PREFIX = re.compile(r"(\d{4}-\d{2}-\d{2})-(.+)")


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
