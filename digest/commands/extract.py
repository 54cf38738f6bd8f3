"""What `digest import` reads: a page fetched over HTTP, an HTML file or a text file → an `Extracted` story.

HTML goes through trafilatura, which finds the main text (navigation, sidebars and comments
left out) and the page's title, date, site name, canonical link and language. Text and
Markdown are read line by line: the first line that reads as a headline is the title.
Either way the body's boilerplate lines (share buttons, photo credits, "Advertisement"...)
are dropped by the one table `DROP_RULES`, which a site extends with `import.drop`.
Fetching is our own: one timeout, a size limit, at most `MAX_REDIRECTS` redirects, and
every failure a `FetchError` of one line.
"""

from __future__ import annotations

import datetime
import re
import time
from dataclasses import dataclass
from typing import Any
from urllib.parse import urljoin, urlsplit

import trafilatura
import urllib3

from digest.model import UsageError, __version__

USER_AGENT = f"digest/{__version__} (static site generator; digest import)"
MAX_REDIRECTS = 5
DEFAULT_TIMEOUT = 20.0  # seconds, for the whole fetch
DEFAULT_MAX_BYTES = 10 * 1024 * 1024
MAX_HEADLINE = 150  # characters: a longer line is a paragraph, not a title

# Lines that are not the story: (what they are, a regular expression matching the whole line,
# case ignored, bullets and spaces around it stripped). A site adds its own with `import.drop`.
DROP_RULES: tuple[tuple[str, str], ...] = (
    ("a print button", r"print( this( page| article| story)?)?( friendly)?(,? ?pdf)?( ?(&|and) ?e-?mail)?"),
    ("a share button", r"(send to kindle|tweet( this)?|e-?mail( this( page| article| story)?)?|copy link"
                       r"|share( this( page| article| story)?)?( on| via)? ?(facebook|twitter|x|linkedin|whatsapp"
                       r"|reddit|pinterest|e-?mail|telegram)?|facebook|twitter|linkedin|whatsapp|reddit|pinterest)"),
    ("a photo credit", r"[\[(]?\s*(photo|image|picture|photograph|illustration|video|credit|top image)s?"
                       r"( credits?)?\s*:.{0,200}"),
    ("a photo credit", r"[\[(]\s*(getty images|ap photo|afp|reuters|epa|shutterstock)\b[^\])]{0,120}[\])]"),
    ("an advertisement", r"(advertisement|advertising|sponsored( content)?|\(?ad\)?)"),
    ("a link onwards", r"(read more|read next|continue reading|see also|related( articles| stories)?)\b.{0,150}"),
    ("a subscription box", r"(subscribe|sign up|sign in|log in|register)\b.{0,150}"),
    ("a cookie notice", r"(this (web)?site|we) uses? cookies.*|.{0,200}\baccept( all)? cookies\b.{0,200}"
                        r"|cookie (policy|settings|preferences)"),
    ("a comments count", r"(\d+ )?comments?( \(\d+\))?"),
)
_BULLET = re.compile(r"^[\s•·*‣◦▪–—-]+")
_HEADING = re.compile(r"^#{1,6}\s+")
_HTML_START = re.compile(rb"^\s*(<!--.*?-->\s*)*<(!doctype html|html|head|body|meta|title|article|div|p)\b",
                         re.IGNORECASE | re.DOTALL)
_LANG = re.compile(rb"<html\b[^>]*?\blang\s*=\s*[\"']?([A-Za-z]{2,3}(?:-[A-Za-z0-9]{2,8})*)", re.IGNORECASE)
_TITLE_TAG = re.compile(rb"<title[^>]*>(.*?)</title>", re.IGNORECASE | re.DOTALL)


class FetchError(UsageError):
    """A source that could not be fetched or read as a story: one line, naming it and what happened."""


@dataclass(frozen=True, slots=True, kw_only=True)
class DropRule:
    """One line of boilerplate: what it is, and the expression that matches it."""

    what: str
    pattern: re.Pattern[str]


@dataclass(frozen=True, slots=True, kw_only=True)
class Extracted:
    """A story as read from its source, before the site's names are looked for in it."""

    title: str | None
    paragraphs: tuple[str, ...]  # Markdown, one block each
    dropped: tuple[str, ...]  # the lines left out as boilerplate, as they were written
    date: datetime.date | None = None
    site_name: str | None = None
    url: str | None = None  # where it was fetched from
    canonical_url: str | None = None  # the page's own canonical link
    language: str | None = None


@dataclass(frozen=True, slots=True, kw_only=True)
class Fetched:
    """A web page's bytes, and what its server said of them."""

    url: str  # after redirects
    content_type: str  # "text/html", lowercase, without parameters; "" when not given
    data: bytes


def drop_rules(extra: tuple[str, ...] = ()) -> tuple[DropRule, ...]:
    """`DROP_RULES` and a site's own expressions (`import.drop`), compiled."""
    rows = [*DROP_RULES, *(("a line `import.drop` matches", pattern) for pattern in extra)]
    return tuple(DropRule(what=what, pattern=re.compile(pattern, re.IGNORECASE)) for what, pattern in rows)


def is_boilerplate(line: str, rules: tuple[DropRule, ...]) -> bool:
    """Whether a line is one the rules drop: matched whole, bullets and Markdown heading marks aside.

    >>> rules = drop_rules()
    >>> [is_boilerplate(s, rules) for s in ("• Print Friendly, PDF & Email", "[Photo: IsraeliPM / YouTube ]",
    ...                                     "(Getty Images)", "Putin praised the coordination.")]
    [True, True, True, False]
    """
    bare = _HEADING.sub("", _BULLET.sub("", line)).strip()
    return bool(bare) and any(rule.pattern.fullmatch(bare) for rule in rules)


def reads_as_headline(line: str) -> bool:
    """Whether a line can be a title: not a bullet nor a path of sections, short, two words or more, no final period.

    >>> [reads_as_headline(s) for s in ("Putin, Netanyahu Hail Coordination", "• Send to Kindle", "It rained.")]
    [True, False, False]
    """
    stripped = _HEADING.sub("", line.strip())
    return (bool(stripped) and not _BULLET.match(line) and len(stripped) < MAX_HEADLINE
            and not stripped.endswith((".", ",", ":", ";")) and len(stripped.split()) >= 2
            and not any(mark in stripped for mark in (" | ", " › ", " > ", " / ", " » "))  # a path of sections
            and any(c.isalpha() for c in stripped))


def extract_text(text: str, rules: tuple[DropRule, ...]) -> Extracted:
    """A text or Markdown story: its first headline-like line is the title, the rest its paragraphs."""
    title: str | None = None
    dropped: list[str] = []
    blocks: list[list[str]] = [[]]
    for raw in text.replace("\r\n", "\n").replace("\r", "\n").split("\n"):
        line = raw.rstrip()
        if not line.strip():
            blocks.append([])
        elif is_boilerplate(line, rules):
            dropped.append(line.strip())
        elif title is None and reads_as_headline(line):
            title = _HEADING.sub("", line.strip())
            blocks = [[]]  # what came before the headline is the page around the story
        else:
            blocks[-1].append(line.strip() if title is None else line)
    paragraphs = tuple("\n".join(block) for block in blocks if block)
    return Extracted(title=title, paragraphs=paragraphs, dropped=tuple(dropped))


def looks_like_html(data: bytes) -> bool:
    """Whether bytes of unknown kind are an HTML page (they start with a tag such as `<!DOCTYPE html>`)."""
    return bool(_HTML_START.match(data[:4096].lstrip(b"\xef\xbb\xbf")))


def extract_html(data: bytes, rules: tuple[DropRule, ...], url: str | None = None) -> Extracted:
    """A web page's main text as Markdown paragraphs, with its title, date, site name, canonical link and language."""
    found = trafilatura.bare_extraction(data, url=url, with_metadata=True, include_comments=False,
                                        include_formatting=True, include_tables=True, include_images=False,
                                        include_links=False)
    if found is None:
        raise FetchError(f"{url or 'the page'}: found no article text in it")
    fields: dict[str, Any] = found if isinstance(found, dict) else found.as_dict()
    title = _text(fields.get("title"))
    text = fields.get("text")
    body = extract_text(text if isinstance(text, str) else "", rules)
    paragraphs = list(body.paragraphs)
    if body.title and (title is None or _HEADING.sub("", body.title) != title):
        paragraphs.insert(0, body.title)  # a first short line that is not the page's title is text
    site_name = _text(fields.get("sitename"))
    if site_name and "." in site_name and " " not in site_name:
        site_name = None  # a host name such as example.com, which trafilatura falls back on, names no publication
    site_name = site_name or _site_from_title_tag(data, title)
    language = _LANG.search(data[:65536])
    return Extracted(title=title or body.title, paragraphs=tuple(paragraphs), dropped=body.dropped,
                     date=_date(_text(fields.get("date"))), site_name=site_name, url=url,
                     canonical_url=_absolute(_text(fields.get("url")), url),
                     language=_text(fields.get("language")) or (language.group(1).decode("ascii") if language else None))


def _text(value: object) -> str | None:
    """A metadata value as one line of text; None for none."""
    return " ".join(value.split()) if isinstance(value, str) and value.strip() else None


def _date(value: str | None) -> datetime.date | None:
    """The date of trafilatura's "YYYY-MM-DD"; None for none."""
    try:
        return datetime.date.fromisoformat(value[:10]) if value else None
    except ValueError:
        return None


def _absolute(link: str | None, base: str | None) -> str | None:
    """A canonical link made absolute against the page's address; None unless http(s)."""
    if not link:
        return None
    absolute = urljoin(base, link) if base else link
    return absolute if urlsplit(absolute).scheme in ("http", "https") else None


def _site_from_title_tag(data: bytes, title: str | None) -> str | None:
    """The site's name from a `<title>` such as "Headline – Site": what follows the headline."""
    match = _TITLE_TAG.search(data[:65536])
    if not match or not title:
        return None
    whole = " ".join(match.group(1).decode("utf-8", "replace").split())
    for mark in (" | ", " – ", " — ", " - ", " · ", " :: "):
        head, _, tail = whole.rpartition(mark)
        if head.strip() == title and 0 < len(tail.strip()) < 60:
            return tail.strip()
    return None


def fetch(url: str, *, timeout: float = DEFAULT_TIMEOUT, max_bytes: int = DEFAULT_MAX_BYTES) -> Fetched:
    """A web page's bytes, following at most `MAX_REDIRECTS` redirects; a `FetchError` of one line for any failure.

    `timeout` bounds the whole fetch; reading stops past `max_bytes`.
    """
    deadline = time.monotonic() + timeout
    seen = [url]
    pool = urllib3.PoolManager(headers={"User-Agent": USER_AGENT, "Accept": "text/html,application/xhtml+xml,"
                                        "text/plain;q=0.8,*/*;q=0.5"}, retries=False)
    try:
        while True:
            response = _request(pool, seen[-1], deadline, url, timeout)
            location = response.headers.get("Location")
            if response.status in (301, 302, 303, 307, 308) and location:
                response.release_conn()
                target = urljoin(seen[-1], location)
                if target in seen:
                    raise FetchError(f"{url}: redirects in a loop ({' -> '.join([*seen[seen.index(target):], target])})")
                if len(seen) > MAX_REDIRECTS:
                    raise FetchError(f"{url}: redirects more than {MAX_REDIRECTS} times")
                seen.append(target)
                continue
            return _read(response, seen[-1], url, deadline, max_bytes)
    finally:
        pool.clear()


def _request(pool: urllib3.PoolManager, target: str, deadline: float, url: str,
             timeout: float) -> urllib3.BaseHTTPResponse:
    """The response to one GET, its body not yet read."""
    if urlsplit(target).scheme not in ("http", "https"):
        raise FetchError(f"{url}: redirects to {target}, which is not a web address")
    left = deadline - time.monotonic()
    if left <= 0:
        raise FetchError(f"{url}: no answer within {timeout:g} s (timeout)")
    host = urlsplit(target).hostname or target
    try:
        return pool.request("GET", target, redirect=False, preload_content=False,
                            timeout=urllib3.Timeout(connect=left, read=left))
    except urllib3.exceptions.NameResolutionError:
        raise FetchError(f"{url}: cannot find the host {host} (DNS lookup failed)") from None
    except urllib3.exceptions.NewConnectionError as exc:  # before timeouts: it is a kind of ConnectTimeoutError
        if "refused" in str(exc).lower():
            raise FetchError(f"{url}: connection refused by {host}") from None
        if "timed out" not in str(exc).lower():
            raise FetchError(f"{url}: cannot connect to {host} ({_one_line(exc).rpartition(': ')[2]})") from None
        raise FetchError(f"{url}: no answer within {timeout:g} s (timeout)") from None
    except (urllib3.exceptions.ConnectTimeoutError, urllib3.exceptions.ReadTimeoutError):
        raise FetchError(f"{url}: no answer within {timeout:g} s (timeout)") from None
    except urllib3.exceptions.SSLError:
        raise FetchError(f"{url}: the secure connection to {host} failed (certificate or TLS error)") from None
    except (urllib3.exceptions.HTTPError, OSError) as exc:
        raise FetchError(f"{url}: the connection failed ({_one_line(exc)})") from None


def _read(response: urllib3.BaseHTTPResponse, final: str, url: str, deadline: float, max_bytes: int) -> Fetched:
    """The body of a final (non-redirect) response, checked: a success, a web page or text, not too large."""
    try:
        if response.status >= 400:
            raise FetchError(f"{url}: answered {response.status} {response.reason or ''}".rstrip())
        kind = (response.headers.get("Content-Type") or "").split(";")[0].strip().lower()
        if kind and not (kind in ("text/html", "application/xhtml+xml", "text/plain", "text/markdown")):
            what = "a PDF" if kind == "application/pdf" else f"of type {kind}"
            raise FetchError(f"{url}: is {what}, not a web page")
        declared = response.headers.get("Content-Length")
        if declared and declared.isdigit() and int(declared) > max_bytes:
            raise FetchError(f"{url}: is {_size(int(declared))}, more than the limit of {_size(max_bytes)}")
        chunks: list[bytes] = []
        size = 0
        for chunk in response.stream(65536):
            size += len(chunk)
            if size > max_bytes:
                raise FetchError(f"{url}: is larger than the limit of {_size(max_bytes)}; stopped reading")
            if time.monotonic() > deadline:
                raise FetchError(f"{url}: still sending after the timeout; stopped reading")
            chunks.append(chunk)
        return Fetched(url=final, content_type=kind, data=b"".join(chunks))
    except (urllib3.exceptions.ReadTimeoutError, TimeoutError):
        raise FetchError(f"{url}: stopped answering (timeout)") from None
    except (urllib3.exceptions.HTTPError, OSError) as exc:
        raise FetchError(f"{url}: the connection failed while reading ({_one_line(exc)})") from None
    finally:
        response.release_conn()
        response.close()


def _size(count: int) -> str:
    """A number of bytes as a reader says it."""
    return f"{count / 1024 / 1024:.1f} MB" if count >= 1024 * 1024 else f"{count} bytes"


def _one_line(exc: BaseException) -> str:
    """An exception's message on one line."""
    return " ".join(str(exc).split()) or type(exc).__name__
