"""Addresses of stories: one canonical form for every way of writing the same one, and a site's domain.

Two links point at the same story when their `canonical_url`s are equal: the scheme, a
leading `www.`, default ports, a trailing slash, the fragment, tracking parameters
(`utm_*`, `fbclid`, `gclid`...), AMP variants (`/amp/`, `?amp=1`) and the order of the
query's parameters do not count. `registered_domain` gives the part of a host that its
owner registered (`www.bbc.co.uk` → `bbc.co.uk`), from the Public Suffix List that the
`tld` package ships.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Iterable
from urllib.parse import parse_qsl, quote, unquote, urlencode, urlsplit

# Query parameters that say where a reader came from, not what they read.
TRACKING_PARAMETERS = frozenset({
    "fbclid", "gclid", "dclid", "gbraid", "wbraid", "msclkid", "yclid", "twclid", "ttclid", "igshid", "igsh",
    "mc_cid", "mc_eid", "_ga", "_gl", "_hsenc", "_hsmi", "mkt_tok", "oly_enc_id", "oly_anon_id", "vero_id",
    "ref_src", "ref_url", "cmpid", "ocid", "icid", "s_cid", "smid", "sr_share", "ncid",
    "at_medium", "at_campaign", "at_custom1", "at_custom2", "at_custom3", "at_custom4",
})
TRACKING_PREFIXES = ("utm_", "pk_", "mtm_", "hsa_")
# Query parameters that ask for the AMP page of a story.
AMP_PARAMETERS = {"amp": {"", "1", "true"}, "outputtype": {"amp"}, "output": {"amp"}}
_DEFAULT_PORTS = {"http": 80, "https": 443}
_UNRESERVED = "-._~!$&'()*+,;=:@/"  # characters a path keeps as they are
_PLAIN = re.compile(r"https?://([A-Za-z0-9.-]+)(/[A-Za-z0-9_.~!$&'()*+,;=:@/-]*)?", re.IGNORECASE)


@functools.lru_cache(maxsize=65536)
def canonical_url(url: str) -> str | None:
    """The story an http(s) URL points at, as `host/path?query`; None for any other kind of address.

    >>> canonical_url("https://www.Example.org:443/news/story/?utm_source=x&b=2&a=1#top")
    'example.org/news/story?a=1&b=2'
    >>> canonical_url("http://example.org/news/story/amp/") == canonical_url("https://example.org/news/story?amp=1")
    True
    >>> canonical_url("mailto:desk@example.org") is None
    True
    """
    plain = _PLAIN.fullmatch(url)
    if plain is not None:  # most links: no query, port or escape; the same key without urllib (2 µs, not 6)
        host = plain[1].lower().rstrip(".").removeprefix("www.")
        segments = [s for s in (plain[2] or "").split("/") if s and s.lower() != "amp"]
        if segments and segments[-1].lower().endswith(".amp.html"):
            segments[-1] = segments[-1][: -len(".amp.html")] + ".html"
        return f"{host}/{'/'.join(segments)}" if host else None
    try:
        parts = urlsplit(url.strip())
        port = parts.port
    except ValueError:
        return None
    scheme = parts.scheme.lower()
    host = (parts.hostname or "").rstrip(".")
    if scheme not in _DEFAULT_PORTS or not host or any(c.isspace() for c in host):
        return None
    host = host.removeprefix("www.")
    if port is not None and port not in _DEFAULT_PORTS.values():
        host = f"{host}:{port}"
    # /story/amp/, /amp/story/, /news/amp/story: the AMP page of /story/
    segments = [quote(unquote(s), safe=_UNRESERVED) for s in parts.path.split("/") if s and s.lower() != "amp"]
    if segments and segments[-1].lower().endswith(".amp.html"):
        segments[-1] = segments[-1][: -len(".amp.html")] + ".html"
    query = sorted((key, value) for key, value in parse_qsl(parts.query, keep_blank_values=True)
                   if not _is_tracking(key, value))
    path = "/".join(segments)
    return f"{host}/{path}" + (f"?{urlencode(query)}" if query else "")


_FRONT_PAGE = re.compile(r"[^/?]+/(?:[A-Za-z]{1,20})?")  # host/, host/news: no query, no story's slug or number


def packed_links(links: Iterable[tuple[str, int]]) -> str:
    r"""The web links of a body, each with its line, as `Article.link_text` keeps them: "LINE\tADDRESS" a line.

    >>> packed_links([("https://bbc.com/news/world-1", 9), ("https://example.org/", 12)])
    '9\thttps://bbc.com/news/world-1\n12\thttps://example.org/'
    """
    return "\n".join(f"{line}\t{url}" for url, line in links)


def packed_stories(source_url: str | None, links: Iterable[tuple[str, int]]) -> str:
    r"""An article's links to stories, `source_url` first, then its body's web links, as `Article.story_text`
    keeps them: "\nKEY\tN" for each, KEY its canonical form and N the place of its address among the two. A
    publication's home page or section front is not a story.

    >>> packed_stories("https://www.bbc.com/news/", [("https://bbc.com/news/world-1?utm_medium=x", 9)])
    '\nbbc.com/news/world-1\t1'
    """
    written = [source_url] if source_url else []
    written.extend(url for url, _ in links)
    found = []
    for number, url in enumerate(written):
        key = canonical_url(url)
        if key is not None and not _FRONT_PAGE.fullmatch(key):
            found.append(f"\n{key}\t{number}")
    return "".join(found)


def _is_tracking(key: str, value: str) -> bool:
    lowered = key.lower()
    return (lowered in TRACKING_PARAMETERS or lowered.startswith(TRACKING_PREFIXES)
            or value.lower() in AMP_PARAMETERS.get(lowered, ()))


_IP = re.compile(r"\d+(\.\d+){3}|\[[0-9a-f:.]+\]|localhost", re.IGNORECASE)


@functools.lru_cache(maxsize=65536)
def registered_domain(url: str) -> str | None:
    """The domain the owner of a URL's host registered, without `www.` or other subdomains; None if the
    URL has no host under a public suffix.

    >>> registered_domain("https://www.bbc.co.uk/news/world"), registered_domain("http://news.example.com/a")
    ('bbc.co.uk', 'example.com')
    >>> registered_domain("https://127.0.0.1/x") is None
    True
    """
    try:
        host = (urlsplit(url.strip()).hostname or "").rstrip(".")
    except ValueError:
        return None
    if not host or _IP.fullmatch(host):
        return None
    from tld import get_fld  # loaded by the first source to need it, not by every build's start

    found = get_fld(host, fix_protocol=True, fail_silently=True)
    return str(found) if found else None
