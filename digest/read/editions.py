"""The settings of editions and of the newsletter: `editions:` and `smtp:` in digest.yaml.

`editions:` is a cadence (`weekly`, `daily`, `monthly`, or `none`), or a mapping of
`EDITION_SETTINGS` with `every:` the cadence; `smtp:` is a mapping of `SMTP_SETTINGS`. The
SMTP user name and password are never read from the file: they come from the environment.
"""

from __future__ import annotations

import datetime
import re
from typing import Any

from digest.model import EditionSettings, SmtpSettings
from digest.read.settings import UNSET, Reading, Setting, flag, read_table, read_text, whole
from digest.read.yamlread import as_text, describe

WEEKDAYS = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")
CADENCES = {"weekly": "weekly", "week": "weekly", "daily": "daily", "day": "daily", "monthly": "monthly",
            "month": "monthly"}
_TITLE_PLACEHOLDERS = {"site", "number", "year", "month", "day"}
_URL_PLACEHOLDERS = {"number", "year", "month", "day"}


def _cadence(key: str, value: Any, reading: Reading) -> Any:
    text = as_text(value)
    cadence = CADENCES.get(text.strip().lower()) if text else None
    if cadence is None:
        reading.problem(key, f"`{key}` must be weekly, daily or monthly, not {describe(value)}",
                        "Write `editions: weekly` (or `daily`, `monthly`; `none` for no editions).")
        return UNSET
    return cadence


def _weekday(key: str, value: Any, reading: Reading) -> Any:
    text = (as_text(value) or "").strip().lower()
    found = [number for number, day in enumerate(WEEKDAYS) if len(text) >= 3 and day.startswith(text)]
    if len(found) != 1:
        reading.problem(key, f"`{key}` must be a day of the week, not {describe(value)}",
                        f"Write its English name: `{key.rpartition('.')[2]}: friday`.")
        return UNSET
    return found[0]


def read_day(value: Any) -> datetime.date | None:
    """A date as YAML or a person writes it: a YAML date, or `2015-12-28`; None if it is not one."""
    if isinstance(value, datetime.datetime):
        return value.date()
    if isinstance(value, datetime.date):
        return value
    try:
        return datetime.date.fromisoformat(str(value).strip()) if isinstance(value, str) else None
    except ValueError:
        return None


def _start(key: str, value: Any, reading: Reading) -> Any:
    day = read_day(value)
    if day is None:
        reading.problem(key, f"`{key}` must be a date, not {describe(value)}",
                        "Write a day of the first edition's period: `start: 2015-11-23`.")
        return UNSET
    return day


def _skip(key: str, value: Any, reading: Reading) -> Any:
    days = [read_day(v) for v in (value if isinstance(value, list) else [value])]
    if not all(days):
        reading.problem(key, f"`{key}` must be a list of dates, not {describe(value)}",
                        "Write a day of each period with no edition: `skip: [2015-12-28]`; its articles join the "
                        "next edition, and the numbers run on without a gap.")
        return UNSET
    return tuple(sorted(set(day for day in days if day)))


def _title(key: str, value: Any, reading: Reading) -> Any:
    text = read_text(key, value, reading)
    if text is UNSET:
        return UNSET
    named = set(re.findall(r"\{([^}]*)\}", text))
    unknown = named - _TITLE_PLACEHOLDERS
    if unknown or not named & {"number", "year", "month", "day"}:
        reading.problem(key, f"`{key}` " + (f"has an unknown placeholder {{{sorted(unknown)[0]}}}" if unknown
                                            else "must contain {number} (or the date)"),
                        'Write a pattern such as `title: "World Digest #{number}"`; placeholders: {site}, '
                        "{number}, {year}, {month}, {day}.")
        return UNSET
    return text


def edition_url_error(pattern: object) -> str:
    """Why `permalinks.edition` cannot be used, or ""."""
    if not isinstance(pattern, str):
        return f"must be text, not {describe(pattern)}"
    if not (pattern.startswith("/") and pattern.endswith("/")) or ".." in pattern or "//" in pattern:
        return "must start and end with `/`, without `..` or `//`"
    names = set(re.findall(r"\{([^}]*)\}", pattern))
    if names - _URL_PLACEHOLDERS:
        return f"has an unknown placeholder {{{sorted(names - _URL_PLACEHOLDERS)[0]}}}"
    if "number" not in names and not {"year", "month"} <= names:
        return "must contain {number}, or the date ({year}, {month} and, but for monthly editions, {day})"
    return ""


EDITION_SETTINGS = (
    Setting("every", "every", _cadence, "weekly, daily or monthly", EditionSettings),
    Setting("week_starts", "week_starts", _weekday, "the first day of a weekly edition's week (monday)",
            EditionSettings),
    Setting("publish_day", "publish_day", _weekday, "the day an edition goes out, on or after its period's last day",
            EditionSettings),
    Setting("first_number", "first_number", whole(0, "the first edition's number, such as `first_number: 1`"),
            "the first edition's number", EditionSettings),
    Setting("start", "start", _start, "a day of the first edition's period (default: the oldest article's)",
            EditionSettings),
    Setting("title", "title", _title, "an edition's title: placeholders {site}, {number}, {year}, {month}, {day}",
            EditionSettings),
    Setting("skip", "skip", _skip, "a day of each period with no edition; its articles join the next",
            EditionSettings),
)


def read_editions(key: str, value: Any, reading: Reading) -> Any:
    """`editions:`: a cadence, `none`, or a mapping of `EDITION_SETTINGS`."""
    if isinstance(value, str) and value.strip().lower() in ("none", "off"):
        return None
    if value is False:
        return None
    if not isinstance(value, dict):
        cadence = _cadence(key, value, reading)
        return UNSET if cadence is UNSET else EditionSettings(every=cadence)
    values = read_table(value, EDITION_SETTINGS, reading, f"{key}.")
    if "every" not in values and "every" not in value:
        reading.problem(key, "`editions` needs `every:`", "Write `  every: weekly` (or daily, monthly) under it.")
        return UNSET
    return EditionSettings(**values)


def _address(key: str, value: Any, reading: Reading) -> Any:
    text = as_text(value)
    if text is None or "@" not in text:
        reading.problem(key, f"`{key}` must be an e-mail address, not {describe(value)}",
                        f'Write `{key.rpartition(".")[2]}: "World Digest <digest@example.org>"`.')
        return UNSET
    return text.strip()


def _addresses(key: str, value: Any, reading: Reading) -> Any:
    items = value if isinstance(value, list) else [value]
    found = [_address(key, item, reading) for item in items]
    return UNSET if any(item is UNSET for item in found) else tuple(found)


def _secret(key: str, value: Any, reading: Reading) -> Any:
    reading.problem(key, f"`{key}` must not be written in digest.yaml, which is shared and published",
                    "Remove it, and set DIGEST_SMTP_USER and DIGEST_SMTP_PASSWORD in the environment of "
                    "`digest edition --send`.")
    return UNSET


SMTP_SETTINGS = (
    Setting("host", "host", read_text, "the SMTP server's host name", SmtpSettings),
    Setting("port", "port", whole(1, "the server's port, such as `port: 587`"), "its port (587)", SmtpSettings),
    Setting("from", "sender", _address, "the newsletter's sender", SmtpSettings),
    Setting("to", "recipients", _addresses, "who receives it: a list's address, or a sending service's",
            SmtpSettings),
    Setting("starttls", "starttls", flag(), "upgrade the connection with STARTTLS first (true)", SmtpSettings),
    Setting("user", "host", _secret, "never here: DIGEST_SMTP_USER in the environment", SmtpSettings),
    Setting("password", "host", _secret, "never here: DIGEST_SMTP_PASSWORD in the environment", SmtpSettings),
)


def read_smtp(key: str, value: Any, reading: Reading) -> Any:
    """`smtp:`: a mapping of `SMTP_SETTINGS`, `host` required."""
    if not isinstance(value, dict):
        reading.problem(key, f"`{key}` must be a mapping, not {describe(value)}",
                        "Write `smtp:`, then `  host: smtp.example.org` and `  from: ...` on their own lines.")
        return UNSET
    values = read_table(value, SMTP_SETTINGS, reading, f"{key}.")
    if "host" not in values:
        if "host" not in value:
            reading.problem(key, "`smtp` needs `host:`", "Write `  host: smtp.example.org` under it.")
        return UNSET
    return SmtpSettings(**values)
