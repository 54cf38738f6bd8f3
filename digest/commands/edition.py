"""`digest edition` and `digest new --edition`: what an edition holds, its newsletter as a message, and its
introduction's file.

The site is read, linked and planned as a build does it (without the cache, writing nothing),
and the edition's two newsletter pages are rendered by the build's own renderer, so that
the message carries exactly the `email.html` and `email.txt` a build writes. The coming
edition (`--next`) is the first not yet due: its articles so far, future-dated ones
included, as `--future` would build them.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from email.utils import formataddr
from pathlib import Path
from typing import TYPE_CHECKING
from zoneinfo import ZoneInfo

from digest.build import stop_on_errors
from digest.link.editions import Calendar, Slot, due, edition_title, edition_url, origin_of
from digest.model import Edition, PageKind, Problem, Site, SiteConfig, UsageError
from digest.read.discover import CONTENT_DIR, EDITIONS_DIR
from digest.records import BuildOptions
from digest.render.wording import counted

if TYPE_CHECKING:
    from email.message import EmailMessage

@dataclass(frozen=True, slots=True, kw_only=True)
class EditionReport:
    """One edition: what it holds and its newsletter; or, for a coming edition with no article yet, its slot."""

    config: SiteConfig
    number: int
    title: str
    url: str
    start: datetime.date
    end: datetime.date
    date: datetime.date
    edition: Edition | None  # None: the coming edition holds no article yet
    coming: bool  # not made yet: it is due after the build's "now"
    html: str = ""  # email.html
    text: str = ""  # email.txt
    warnings: tuple[Problem, ...] = ()

    def message(self, now: datetime.datetime | None = None) -> EmailMessage:
        """The newsletter as a MIME message: `smtp.from` and `smtp.to`, else the site's name at its host."""
        from digest.commands.mail import compose

        smtp = self.config.smtp
        host = self.config.origin.split("://", 1)[-1].split(":", 1)[0]
        sender = smtp.sender if smtp and smtp.sender else formataddr((self.config.title, f"newsletter@{host}"))
        return compose(subject=self.title, sender=sender, recipients=smtp.recipients if smtp else (),
                       html=self.html, text=self.text, date=now, message_id_domain=host)


def read_edition(site_dir: str | Path, number: int | None = None, coming: bool = False,
                 options: BuildOptions | None = None) -> EditionReport:
    """Edition `number` (default: the newest made), or with `coming` the next one; raise `DigestError` with the
    site's problems, `UsageError` for an edition that is not there."""
    from digest.incremental.sources import parse_site
    from digest.link.site import build_sites
    from digest.plan.pages import plan_sites
    from digest.read.config import load_config
    from digest.render.environment import make_environment
    from digest.render.i18n import load_messages
    from digest.render.renderer import PageRenderer
    from digest.render.theme import load_templates, resolve_theme
    from digest.workers import default_jobs

    site_dir = Path(site_dir)
    options = options or BuildOptions()
    now = options.now or datetime.datetime.now(datetime.timezone.utc)
    config, problems = load_config(site_dir, options.base_url)
    stop_on_errors(problems)
    settings = config.editions
    if settings is None:
        raise UsageError(f"{site_dir / 'digest.yaml'}: the site has no editions; add `editions: weekly` (or daily, "
                         "monthly) to it")
    theme = resolve_theme(site_dir, config, problems)
    parsed = parse_site(site_dir, config, options.jobs or default_jobs())
    problems += parsed.problems
    shown = [a for a in parsed.articles if options.drafts or not a.draft]
    published = shown if coming or options.future else [a for a in shown if a.date <= now]
    sites = build_sites(config, published, parsed.term_pages, problems, parsed.edition_pages,
                        until=None if coming or options.future else now)
    words = load_messages(config, theme.i18n_dirs, site_dir, problems)
    env = make_environment(theme, sites[0].config, False, words[config.language])
    load_templates(env, site_dir, problems)
    stop_on_errors(problems)
    site = sites[0]  # the default language's editions
    zone = ZoneInfo(config.timezone)
    if coming:
        origin = origin_of(settings, published, zone) or now.astimezone(zone).date()
        slot = coming_slot(Calendar(settings, origin), now, zone)
        edition = next((e for e in site.editions if e.number == slot.number), None)
    else:
        slot = None
        edition = _chosen(site, number)
    warnings = tuple(problems)
    if edition is None:
        assert slot is not None
        return EditionReport(config=site.config, number=slot.number, title=edition_title(site.config, settings, slot,
                             None), url=edition_url(site.config, slot), start=slot.start, end=slot.end,
                             date=slot.date, edition=None, coming=True, warnings=warnings)
    renderer = PageRenderer(env, site, site_dir, words[config.language])
    pages = {page.template: page for page in plan_sites((site,))
             if page.kind is PageKind.EMAIL and page.url.startswith(edition.url)}
    html, text = (renderer.render(pages[name]) for name in ("email.html", "email.txt"))
    if html is None or text is None:
        stop_on_errors(renderer.problems)
    return EditionReport(config=site.config, number=edition.number, title=edition.title, url=edition.url,
                         start=edition.start, end=edition.end, date=edition.date, edition=edition,
                         coming=slot is not None and due(slot, zone) > now, html=(html or b"").decode(),
                         text=(text or b"").decode(), warnings=warnings)


def coming_slot(calendar: Calendar, now: datetime.datetime, zone: ZoneInfo) -> Slot:
    """The first edition not yet due at `now`: the one of today's period, or an earlier one that goes out later."""
    today = now.astimezone(zone).date()
    slot = calendar.slot(max(today, calendar.origin))
    assert slot is not None
    while slot.start > calendar.origin:
        earlier = calendar.slot(slot.start - datetime.timedelta(days=1))
        if earlier is None or due(earlier, zone) <= now:
            break
        slot = earlier
    while due(slot, zone) <= now:
        slot = calendar.following(slot)
    return slot


def site_and_number(arguments: tuple[str, ...], coming: bool = False) -> tuple[Path, int | None]:
    """`digest edition [SITE] [NUMBER]`: the site's folder and the edition's number; a number alone is an edition
    of the site in this folder."""
    *rest, last = arguments or (".",)
    if len(rest) > 1:
        raise UsageError("give at most a SITE and an edition's NUMBER")
    number = int(last) if last.isdigit() else None
    site = rest[0] if rest else (last if number is None else ".")
    if rest and number is None:
        raise UsageError(f"{last}: an edition's NUMBER is a whole number, such as 12")
    if coming and number is not None:
        raise UsageError("give an edition's NUMBER or --next, not both")
    return Path(site), number


def _chosen(site: Site, number: int | None) -> Edition:
    editions = site.editions
    if not editions:
        raise UsageError("no edition has gone out yet; `digest edition --next` shows what the coming one holds")
    if number is None:
        return editions[0]
    found = next((e for e in editions if e.number == number), None)
    if found is None:
        numbers = sorted(e.number for e in editions)
        raise UsageError(f"there is no edition {number}: the site has editions {_ranges(numbers)}")
    return found


def _ranges(numbers: list[int]) -> str:
    """Numbers as runs: "1-3, 5, 7-9"."""
    runs: list[list[int]] = []
    for n in numbers:
        if runs and n == runs[-1][-1] + 1:
            runs[-1].append(n)
        else:
            runs.append([n])
    return ", ".join(f"{r[0]}-{r[-1]}" if len(r) > 1 else str(r[0]) for r in runs)


def describe(report: EditionReport) -> list[str]:
    """What an edition holds, as lines for a terminal."""
    words = f"{report.start:%-d %b %Y} to {report.end:%-d %b %Y}, goes out {report.date:%a %-d %b %Y}"
    lines = [f"{report.title} ({'coming: ' if report.coming else ''}{words})", report.config.abs_url(report.url)]
    edition = report.edition
    if edition is None:
        return [*lines, "It holds no article yet."]
    lines.append(f"{counted(len(edition.articles), 'article')}, {counted(edition.people_count, 'person')}, "
                 f"{counted(edition.topic_count, 'topic')}"
                 + (f"; introduction: {edition.source}" if edition.source else "; no introduction"))
    for section in edition.sections:
        lines.append("")
        lines.append(section.topic.name if section.topic else "Other news")
        lines += [f"  {a.date.astimezone(ZoneInfo(report.config.timezone)):%d %b}  {a.title}" for a in section.articles]
    return lines


def write_introduction(site_dir: str | Path, options: BuildOptions | None = None) -> Path:
    """Write `content/editions/NUMBER.md` for the coming edition, its articles so far listed in a comment."""
    site_dir = Path(site_dir)
    report = read_edition(site_dir, coming=True, options=options)
    path = site_dir / CONTENT_DIR / EDITIONS_DIR / f"{report.number}.md"
    if path.exists():
        raise UsageError(f"{path} already exists; edit it, or remove it to start again")
    listed = [f"#   {a.title} ({a.path})" for a in reversed(report.edition.articles)] if report.edition else [
        "#   (none yet)"]
    text = "\n".join([
        "---",
        f"# The introduction of edition {report.number}, {report.start:%-d %B} to {report.end:%-d %B %Y}, "
        f"going out on {report.date:%A %-d %B %Y}.",
        "# Its articles so far:", *listed,
        "# `title:` replaces the edition's title; `sections:` orders its topics; `skip: true` holds it back.",
        "# Below the front matter: a few paragraphs that open the edition, on its page and in the newsletter.",
        "summary: ",
        "---",
        "",
    ])
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path
