"""Stage 4, editions: the published articles gathered into numbered editions by the calendar of `editions:`.

An edition covers a period (a day, a week from `week_starts`, a month) and goes out on its
last day, or on the first `publish_day` after it. Its number counts the periods since the
first one (`start:`, else the oldest article's), so it follows from the calendar alone: an
edition with no articles is not made, but keeps its number, and adding an article never
renumbers the others. A period of `skip:` has no number and no edition: its articles join
the next. An introduction with `skip: true` keeps its number from being made the same way.
An edition is made once it is due, at the end of its last day (or on the day it goes out,
if later), unless the build shows what is to come (`--future`).
"""

from __future__ import annotations

import dataclasses
import datetime
from collections import Counter, defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from urllib.parse import quote
from zoneinfo import ZoneInfo

from digest.model import (Article, ArticleLinks, Edition, EditionPage, EditionRef, EditionSection, EditionSettings,
                          Problem, SiteConfig, TermRef)
from digest.read.names import slugify

TOP_PEOPLE = 5  # the people an edition names most, shown with their counts
_DAY = datetime.timedelta(days=1)


@dataclass(frozen=True, slots=True)
class Slot:
    """A place in the calendar: an edition's number, the days it covers and the day it goes out."""

    number: int
    start: datetime.date
    end: datetime.date
    date: datetime.date


def period_of(day: datetime.date, settings: EditionSettings) -> tuple[datetime.date, datetime.date]:
    """The first and last day of the period `day` is in.

    >>> period_of(datetime.date(2015, 12, 2), EditionSettings(every="weekly"))
    (datetime.date(2015, 11, 30), datetime.date(2015, 12, 6))
    >>> period_of(datetime.date(2015, 12, 2), EditionSettings(every="monthly"))[1]
    datetime.date(2015, 12, 31)
    """
    if settings.every == "daily":
        return day, day
    if settings.every == "weekly":
        first = day - datetime.timedelta(days=(day.weekday() - settings.week_starts) % 7)
        return first, first + datetime.timedelta(days=6)
    first = day.replace(day=1)
    following = (first + datetime.timedelta(days=32)).replace(day=1)
    return first, following - _DAY


def _index(first: datetime.date, origin: datetime.date, settings: EditionSettings) -> int:
    """How many periods lie between the first days of two periods."""
    if settings.every == "monthly":
        return (first.year - origin.year) * 12 + first.month - origin.month
    return (first - origin).days // (7 if settings.every == "weekly" else 1)


def goes_out(last: datetime.date, settings: EditionSettings) -> datetime.date:
    """The day an edition whose period ends on `last` goes out: that day, or the next `publish_day`."""
    if settings.publish_day is None:
        return last
    return last + datetime.timedelta(days=(settings.publish_day - last.weekday()) % 7)


class Calendar:
    """The editions of a site's calendar, from the first period on."""

    def __init__(self, settings: EditionSettings, origin: datetime.date) -> None:
        self.settings = settings
        self.origin = period_of(origin, settings)[0]
        self.skipped = {period_of(day, settings)[0] for day in settings.skip}

    def slot(self, day: datetime.date) -> Slot | None:
        """The edition a day's articles appear in; None for a day before the first period."""
        first, last = period_of(day, self.settings)
        if first < self.origin:
            return None
        start = first
        while first in self.skipped:  # a skipped period's articles join the next edition
            first, last = period_of(last + _DAY, self.settings)
        before = sum(1 for s in self.skipped if self.origin <= s < first)
        while start > self.origin and period_of(start - _DAY, self.settings)[0] in self.skipped:
            start = period_of(start - _DAY, self.settings)[0]
        number = self.settings.first_number + _index(first, self.origin, self.settings) - before
        return Slot(number=number, start=start, end=last, date=goes_out(last, self.settings))

    def following(self, slot: Slot) -> Slot:
        """The edition after `slot`."""
        found = self.slot(slot.end + _DAY)
        assert found is not None
        return found


def due(slot: Slot, zone: ZoneInfo) -> datetime.datetime:
    """When an edition is made: at the end of its last day, or at the start of the day it goes out if later."""
    day = max(slot.end + _DAY, slot.date)
    return datetime.datetime.combine(day, datetime.time(), zone)


def origin_of(settings: EditionSettings, articles: Iterable[Article], zone: ZoneInfo) -> datetime.date | None:
    """A day of the first edition's period: `start:`, else the oldest article's day; None with neither."""
    if settings.start is not None:
        return settings.start
    return min((a.date.astimezone(zone).date() for a in articles), default=None)


def _placeholders(slot: Slot) -> dict[str, object]:
    """What the patterns of an edition's URL and title may name: its number, and the day it goes out."""
    day = slot.date
    return {"number": slot.number, "year": f"{day.year:04d}", "month": f"{day.month:02d}", "day": f"{day.day:02d}"}


def edition_url(config: SiteConfig, slot: Slot) -> str:
    """An edition's page, under its language's path: "/editions/12/"."""
    path = config.edition_url.format(**_placeholders(slot))
    return config.root + quote(path.lstrip("/"), safe="/")


def edition_title(config: SiteConfig, settings: EditionSettings, slot: Slot, page: EditionPage | None) -> str:
    """An edition's title: its introduction's, else the pattern of `editions.title`."""
    if page is not None and page.title:
        return page.title
    return settings.title.format(site=config.title, **_placeholders(slot))


@dataclass(frozen=True, slots=True)
class Editions:
    """A language's editions, newest first, the edition each article appeared in, and when the next is due."""

    editions: tuple[Edition, ...]
    of_article: Mapping[str, EditionRef]  # by article path
    next_due: datetime.datetime | None  # when the first edition left out as not yet due is due


def build_editions(config: SiteConfig, ordered: Sequence[Article], links: Mapping[str, ArticleLinks],
                   pages: Iterable[EditionPage], origin: datetime.date | None, until: datetime.datetime | None,
                   problems: list[Problem]) -> Editions:
    """The editions of one language's articles (`ordered`: newest first) due by `until` (None: every one)."""
    settings = config.editions
    if settings is None or origin is None:
        return Editions(editions=(), of_article={}, next_due=None)
    zone = ZoneInfo(config.timezone)
    calendar = Calendar(settings, origin)
    default = config.languages[0].code if config.languages else config.language
    own = {p.number: p for p in pages if p.lang == ("" if config.language == default else config.language)}
    groups: dict[int, list[Article]] = defaultdict(list)
    slots: dict[int, Slot] = {}
    for article in reversed(ordered):  # oldest first
        slot = calendar.slot(article.date.astimezone(zone).date())
        if slot is None:
            continue
        while slot.number in own and own[slot.number].skip:  # its introduction says it is not made
            slot = calendar.following(slot)
        groups[slot.number].append(article)
        slots[slot.number] = slot
    made: list[tuple[Slot, list[Article]]] = []
    next_due: datetime.datetime | None = None
    for number in sorted(groups):
        slot = slots[number]
        when = due(slot, zone)
        if until is not None and when > until:
            next_due = when if next_due is None else min(next_due, when)
        else:
            made.append((slot, groups[number]))
    newest = made[-1][0].number if made else settings.first_number - 1
    for number, page in sorted(own.items()):
        if number not in slots and not page.skip and number <= newest:
            problems.append(Problem(path=page.path, line=None, severity="warning",
                                    message=f"edition {number} has no articles, so it is not made",
                                    hint="Check the number in the file's name, or the articles' dates."))
    editions = [_edition(config, settings, slot, articles, links, own.get(slot.number), problems)
                for slot, articles in made]
    refs = [edition.ref for edition in editions]
    linked = tuple(
        _with_neighbours(edition, refs[n - 1] if n > 0 else None, refs[n + 1] if n + 1 < len(refs) else None)
        for n, edition in enumerate(editions))
    of_article = {a.path: e.ref for e in linked for a in e.articles}
    return Editions(editions=tuple(reversed(linked)), of_article=of_article, next_due=next_due)


def remade(config: SiteConfig, edition: Edition, links: Mapping[str, ArticleLinks], page: EditionPage | None,
           problems: list[Problem]) -> Edition:
    """An edition made again from the same articles (their links changed), in the same place among the others;
    `page`: its introduction, if it has one."""
    assert config.editions is not None
    slot = Slot(number=edition.number, start=edition.start, end=edition.end, date=edition.date)
    made = _edition(config, config.editions, slot, list(reversed(edition.articles)), links, page, problems)
    return _with_neighbours(made, edition.previous, edition.next)


def _with_neighbours(edition: Edition, previous: EditionRef | None, following: EditionRef | None) -> Edition:
    return dataclasses.replace(edition, previous=previous, next=following)


def _edition(config: SiteConfig, settings: EditionSettings, slot: Slot, articles: list[Article],
             links: Mapping[str, ArticleLinks], page: EditionPage | None, problems: list[Problem]) -> Edition:
    """One edition: its articles (given oldest first) in sections by topic, and the people it names most."""
    topics: Counter[TermRef] = Counter()
    people: Counter[TermRef] = Counter()
    for article in articles:
        topics.update(links[article.path].topics)
        people.update(links[article.path].people)
    order = _section_order(topics, page, problems)
    rank = {ref: n for n, ref in enumerate(order)}
    sections: dict[TermRef | None, list[Article]] = {ref: [] for ref in order}
    sections[None] = []
    for article in articles:
        mine = links[article.path].topics
        sections[min(mine, key=rank.__getitem__) if mine else None].append(article)
    top = sorted(people.items(), key=lambda kv: (-kv[1], kv[0].name.casefold(), kv[0].slug))[:TOP_PEOPLE]
    return Edition(number=slot.number, title=edition_title(config, settings, slot, page),
                   url=edition_url(config, slot), start=slot.start, end=slot.end, date=slot.date,
                   articles=tuple(reversed(articles)),
                   sections=tuple(EditionSection(topic=ref, articles=tuple(found))
                                  for ref, found in sections.items() if found),
                   people=tuple(top), people_count=len(people), topic_count=len(topics),
                   summary=page.summary if page else None, intro_html=page.body_html if page else None,
                   source=page.path if page else None)


def _section_order(topics: Counter[TermRef], page: EditionPage | None, problems: list[Problem]) -> list[TermRef]:
    """The edition's topics in the order it shows them: the curator's `sections:`, then by size and name."""
    chosen: list[TermRef] = []
    if page is not None:
        for name in page.sections:
            key = slugify(name)
            found = next((ref for ref in topics if ref.slug == key or ref.name.casefold() == name.casefold()), None)
            if found is None:
                problems.append(Problem(
                    path=page.path, line=page.sections_line, severity="warning",
                    message=f'`sections` names "{name}", which no article of edition {page.number} has as a topic',
                    hint="Name the topics as the articles do; the edition's topics: "
                         + ", ".join(sorted(ref.name for ref in topics)) + "."))
            elif found not in chosen:
                chosen.append(found)
    rest = sorted((ref for ref in topics if ref not in chosen), key=lambda r: (-topics[r], r.name.casefold(), r.slug))
    return [*chosen, *rest]

