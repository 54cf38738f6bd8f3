"""`digest check --external`: does every web page the articles link to still answer?

Each distinct address (an article's `source_url` and the web links of its body) is asked
once: `HEAD`, then `GET` when a server refuses `HEAD` (405, 501, and the 403 or 404 some
servers give `HEAD` alone), following up to 5 redirects. A status under 400 is alive;
anything else, or no answer within the timeout, is dead, and reported at every file and
line that links it. Requests run `CONCURRENCY` at a time, at most `PER_HOST` to one host.
Results are kept for a day in `.digest-cache/external-links.json`, so a second check in
the same day asks nothing again.
"""

from __future__ import annotations

import datetime
import json
import threading
from collections import defaultdict
from collections.abc import Callable, Iterable, Mapping
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING
from urllib.parse import urlsplit

from digest.model import Article, Problem, __version__

if TYPE_CHECKING:  # urllib3 is loaded when a check asks the web, not by every `digest` command
    import urllib3

CONCURRENCY = 16  # requests at a time
PER_HOST = 2  # requests at a time to one host, as a polite crawler does
TIMEOUT = 10.0  # seconds for each request
MAX_REDIRECTS = 5
KEEP = datetime.timedelta(days=1)  # how long a result is trusted
CACHE_FILE = "external-links.json"
USER_AGENT = f"digest/{__version__} (static site generator; link check)"
_RETRY_WITH_GET = {403, 404, 405, 501}  # what some servers answer to HEAD alone


@dataclass(frozen=True, slots=True)
class Answer:
    """What asking an address gave: its status (0 when there was none) and, if dead, why."""

    status: int
    problem: str | None  # "answered 404 Not Found", "no answer within 10 s"; None when alive


def external_links(articles: Iterable[Article]) -> dict[str, list[tuple[str, int | None]]]:
    """Every web address the articles link to, with the (file, line) of each place that links it."""
    places: dict[str, list[tuple[str, int | None]]] = defaultdict(list)
    for article in articles:
        written = [(article.source_url, article.source_url_line)] if article.source_url else []
        for url, line in [*written, *article.links]:
            if urlsplit(url).scheme.lower() in ("http", "https"):
                places[url].append((article.path, line))
    return dict(places)


def check_external(places: Mapping[str, list[tuple[str, int | None]]], cache_dir: Path | None,
                   now: datetime.datetime | None = None, timeout: float | None = None,
                   ask: Callable[[str, float], Answer] | None = None) -> list[Problem]:
    """A problem at each place that links a dead address; results cached in `cache_dir` for a day."""
    now = now or datetime.datetime.now(datetime.timezone.utc)
    wait = TIMEOUT if timeout is None else timeout
    cache_path = cache_dir / CACHE_FILE if cache_dir is not None else None
    known = _load(cache_path, now)
    todo = sorted(url for url in places if url not in known)
    ask = ask or _ask
    hosts: dict[str, threading.BoundedSemaphore] = defaultdict(lambda: threading.BoundedSemaphore(PER_HOST))
    lock = threading.Lock()

    def one(url: str) -> tuple[str, Answer]:
        with lock:
            gate = hosts[(urlsplit(url).hostname or "").lower()]
        with gate:
            return url, ask(url, wait)

    with ThreadPoolExecutor(max_workers=CONCURRENCY) as pool:
        fresh = dict(pool.map(one, todo))
    if cache_path is not None and fresh:
        _save(cache_path, known, fresh, now)
    answers = {**{url: answer for url, (_, answer) in known.items()}, **fresh}
    problems = []
    for url, where in places.items():
        answer = answers[url]
        if answer.problem is None:
            continue
        for path, line in where:
            problems.append(Problem(path=path, line=line, message=f"links {url}, which {answer.problem}",
                                    hint="Fix or remove the link, or link an archived copy "
                                         "(https://web.archive.org/web/URL)."))
    return problems


def _ask(url: str, timeout: float) -> Answer:
    """Ask one address: HEAD, then GET where HEAD is refused."""
    import urllib3

    pool = urllib3.PoolManager(headers={"User-Agent": USER_AGENT}, retries=urllib3.Retry(
        total=None, connect=0, read=0, status=0, other=0, redirect=MAX_REDIRECTS, raise_on_redirect=True))
    try:
        answer = _request(pool, "HEAD", url, timeout)
        if answer.status in _RETRY_WITH_GET:
            answer = _request(pool, "GET", url, timeout)
        return answer
    finally:
        pool.clear()


def _request(pool: urllib3.PoolManager, method: str, url: str, timeout: float) -> Answer:
    import urllib3

    try:
        response = pool.request(method, url, timeout=urllib3.Timeout(connect=timeout, read=timeout),
                                preload_content=False, redirect=True)
    except urllib3.exceptions.MaxRetryError as exc:
        reason = exc.reason
        if isinstance(reason, urllib3.exceptions.NameResolutionError):
            return Answer(0, f"has a host no name server knows ({urlsplit(url).hostname})")
        if isinstance(reason, urllib3.exceptions.NewConnectionError):
            return Answer(0, "refused the connection")
        if isinstance(reason, (urllib3.exceptions.ConnectTimeoutError, urllib3.exceptions.ReadTimeoutError)):
            return Answer(0, f"gave no answer within {timeout:g} s")
        if isinstance(reason, urllib3.exceptions.ResponseError) or reason is None:
            return Answer(0, f"redirects more than {MAX_REDIRECTS} times")
        return Answer(0, f"could not be reached ({type(reason).__name__})")
    except (urllib3.exceptions.ReadTimeoutError, urllib3.exceptions.ConnectTimeoutError):
        return Answer(0, f"gave no answer within {timeout:g} s")
    except (urllib3.exceptions.HTTPError, OSError) as exc:
        return Answer(0, f"could not be reached ({type(exc).__name__})")
    status, phrase = response.status, response.reason or ""
    response.release_conn()
    if status >= 400:
        return Answer(status, f"answered {status} {phrase}".rstrip())
    return Answer(status, None)


def _load(path: Path | None, now: datetime.datetime) -> dict[str, tuple[str, Answer]]:
    """The cached answers younger than a day: url -> (when, answer); nothing from a missing or damaged file."""
    if path is None:
        return {}
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
        entries = {url: (str(when), Answer(int(status), None if problem is None else str(problem)))
                   for url, (when, status, problem) in data.items()}
    except (OSError, ValueError, TypeError, AttributeError):
        return {}
    fresh = {}
    for url, (when, answer) in entries.items():
        try:
            checked = datetime.datetime.fromisoformat(when)
        except ValueError:
            continue
        if checked.tzinfo is not None and now - KEEP < checked <= now:
            fresh[url] = (when, answer)
    return fresh


def _save(path: Path, known: Mapping[str, tuple[str, Answer]], fresh: Mapping[str, Answer],
          now: datetime.datetime) -> None:
    entries = {url: [when, answer.status, answer.problem] for url, (when, answer) in known.items()}
    entries.update({url: [now.isoformat(), answer.status, answer.problem] for url, answer in fresh.items()})
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        staged = path.with_name(path.name + ".tmp")
        staged.write_text(json.dumps(entries, sort_keys=True, indent=0), encoding="utf-8")
        staged.replace(path)
    except OSError:
        pass  # a cache that cannot be written costs the next check its time, nothing else
