"""Small pictures made at build time: a term's mentions per month, and an initials avatar.

Both are inline SVG with a text alternative, coloured with `currentColor` so the theme's
light and dark colours apply, and need no script, font or request to another host.
"""

from __future__ import annotations

import datetime
from collections import Counter
from collections.abc import Iterable
from html import escape
from zoneinfo import ZoneInfo

from markupsafe import Markup

from digest.render.i18n import ENGLISH, Messages

MONTHS_SHOWN = 36  # the chart's span at most, ending with the term's newest month


def monthly_counts(dates: Iterable[datetime.datetime], zone: ZoneInfo) -> list[tuple[int, int, int]]:
    """(year, month, articles) for every month from the first to the last date, empty months included.

    >>> utc = ZoneInfo("UTC")
    >>> monthly_counts([datetime.datetime(2015, 11, 30, tzinfo=utc), datetime.datetime(2016, 1, 2, tzinfo=utc)], utc)
    [(2015, 11, 1), (2015, 12, 0), (2016, 1, 1)]
    """
    return count_months((local.year, local.month) for local in (d.astimezone(zone) for d in dates))


def count_months(months: Iterable[tuple[int, int]]) -> list[tuple[int, int, int]]:
    """`monthly_counts` of dates already made (year, month).

    >>> count_months([(2015, 12), (2016, 2), (2015, 12)])
    [(2015, 12, 2), (2016, 1, 0), (2016, 2, 1)]
    """
    counts = Counter(months)
    if not counts:
        return []
    first, last = (12 * year + month - 1 for year, month in (min(counts), max(counts)))  # months since year 0
    return [(n // 12, n % 12 + 1, counts.get((n // 12, n % 12 + 1), 0))
            for n in range(max(first, last - MONTHS_SHOWN + 1), last + 1)]  # the last MONTHS_SHOWN of them


def mentions_chart(months: list[tuple[int, int, int]], name: str, chart_id: str, words: Messages = ENGLISH,
                   source: bool = False) -> Markup:
    """A bar chart of articles per month, with a caption saying what it shows and a table of the figures
    (`source`: the articles come from `name`, rather than name it)."""
    if not months:
        return Markup("")

    def _month(month: tuple[int, int, int]) -> str:
        return words.date(datetime.date(month[0], month[1], 1), "month")

    top = max(count for _, _, count in months)
    width, height, gap = 16, 64, 4
    bars = []
    for index, (year, month, count) in enumerate(months):
        tall = max(round(height * count / top), 1)  # `top` is at least 1; an empty month is a hairline
        label = words("{month}: {count}", month=_month((year, month, count)), count=count)
        empty = "" if count else ' class="empty"'
        bars.append(f'<rect x="{index * (width + gap)}" y="{height - tall}" width="{width}" height="{tall}"'
                    f"{empty}><title>{escape(label)}</title></rect>")
    total = sum(count for _, _, count in months)
    busiest = [m for m in months if m[2] == top]
    span = (words("{first} to {last}", first=_month(months[0]), last=_month(months[-1])) if len(months) > 1
            else _month(months[0]))
    peak = (words("; the most in {month} ({count})", month=_month(busiest[0]), count=top)
            if len(busiest) == 1 and len(months) > 1 else "")
    summary = words("{count} from {name}, {span}{peak}." if source else "{count} naming {name}, {span}{peak}.",
                    count=words.counted(total, "article"), name=name, span=span, peak=peak)
    rows = "".join(f"<tr><th scope=\"row\">{_month(m)}</th><td>{m[2]}</td></tr>" for m in reversed(months) if m[2])
    svg_width = len(months) * (width + gap) - gap
    return Markup(
        f'<div class="mentions"><figure>'
        f'<svg class="mentions-bars" viewBox="0 0 {svg_width} {height}" width="{svg_width}" height="{height}" '
        f'role="img" aria-labelledby="{chart_id}-caption">{"".join(bars)}</svg>'
        f'<figcaption id="{chart_id}-caption">{escape(words("Articles per month: {summary}", summary=summary))}'
        f'</figcaption></figure><details><summary>{escape(words("The figures"))}</summary><table><thead><tr>'
        f'<th scope="col">{escape(words("Month"))}</th><th scope="col">{escape(words("Articles"))}</th></tr></thead>'
        f'<tbody>{rows}</tbody></table></details></div>')


def initials_avatar(initials: str, size: int = 96) -> Markup:
    """A circle with a name's initials, for a person or topic whose term page gives no image (decorative)."""
    return Markup(
        f'<svg class="avatar" viewBox="0 0 100 100" width="{size}" height="{size}" aria-hidden="true" focusable="false">'
        f'<circle cx="50" cy="50" r="50"/><text x="50" y="50" dy="0.35em" text-anchor="middle">{escape(initials)}'
        f"</text></svg>")
