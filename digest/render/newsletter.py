"""The newsletter's HTML made ready for mail clients: the theme's CSS inlined, every link and image absolute.

Mail clients (Gmail above all) drop `<style>` blocks or parts of them, so every rule of the
e-mail template's stylesheet is written into the `style` attribute of the elements it
matches (css-inline); only the at-rules, which cannot be inlined (dark mode, narrow
screens), stay in a `<style>` element for the clients that read them. A message is read
away from the site: every link and image address is made absolute.
"""

from __future__ import annotations

import functools
import re
import textwrap
from html import unescape
from typing import TYPE_CHECKING
from urllib.parse import urljoin

if TYPE_CHECKING:
    import css_inline

_ADDRESS = re.compile(r'(\s(?:href|src)=")([^"]*)(")')
_ABSOLUTE = re.compile(r"[a-zA-Z][a-zA-Z0-9+.-]*:")  # https:, mailto:, data:


@functools.lru_cache(maxsize=1)
def _inliner() -> css_inline.CSSInliner:
    import css_inline  # (4 ms, with the e-mail modules it loads: only a build with editions needs it)

    return css_inline.CSSInliner(keep_style_tags=False, keep_link_tags=False, load_remote_stylesheets=False,
                                 keep_at_rules=True)


def mail_ready(html: str, page_url: str) -> str:
    """An e-mail's HTML with its CSS inlined and every address absolute (`page_url`: where its web version is).

    >>> print(mail_ready('<html><head><style>a{color:red}</style></head><body><a href="/people/">x</a>'
    ...                  '</body></html>', "https://example.org/editions/1/"))
    <html><head></head><body><a href="https://example.org/people/" style="color: red;">x</a></body></html>
    """
    inlined = _inliner().inline(html)
    return _ADDRESS.sub(lambda m: m.group(1) + _absolute(m.group(2), page_url) + m.group(3), inlined)


def _absolute(address: str, page_url: str) -> str:
    if _ABSOLUTE.match(address):
        return address
    return urljoin(page_url, address.replace("&amp;", "&")).replace("&", "&amp;")


TEXT_WIDTH = 72  # the columns of the plain-text newsletter
_BLOCK_END = re.compile(r"</(?:p|h[1-6]|li|blockquote|pre|div|tr)>|<br\s*/?>", re.IGNORECASE)
_TAG = re.compile(r"<[^>]+>")
_LINK = re.compile(r'<a\s[^>]*?href="([^"]*)"[^>]*>(.*?)</a>', re.DOTALL | re.IGNORECASE)


def wrap(text: str, width: int = TEXT_WIDTH, indent: str = "", first: str = "") -> str:
    """Text wrapped at `width` columns, its lines after the first indented by `indent` (`first` starts the first).
    Words are never broken, so a long address stands on a line of its own.

    >>> print(wrap("* Leaders agree to deepen military coordination over Syria", 30, "  "))
    * Leaders agree to deepen
      military coordination over
      Syria
    """
    return textwrap.fill(" ".join(text.split()), width, initial_indent=first,
                         subsequent_indent=indent, break_long_words=False, break_on_hyphens=False)


def plain_text(html: str) -> list[str]:
    """The paragraphs of an HTML fragment as plain text, tags dropped and entities decoded.

    >>> plain_text("<p>One <em>week</em> &amp; more.</p>\\n<ul><li>a</li><li>b</li></ul>")
    ['One week & more.', 'a', 'b']
    """
    blocks = (_TAG.sub("", block) for block in _BLOCK_END.split(html))
    return [text for block in blocks if (text := " ".join(unescape(block).split()))]


def text_with_notes(html: str, page_url: str) -> tuple[list[str], list[str]]:
    """The paragraphs of an HTML fragment as plain text, each link's words followed by the number of its note,
    and the notes: the links' absolute addresses (`page_url`: the address the fragment's links are relative to).
    A link within the page (`#...`) keeps its words only.

    >>> text_with_notes('<p>See <a href="/people/ada/">Ada</a> and <a href="#fn1">1</a>.</p>',
    ...                 "https://example.org/editions/1/")
    (['See Ada [1] and 1.'], ['https://example.org/people/ada/'])
    """
    notes: list[str] = []

    def note(match: re.Match[str]) -> str:
        address = unescape(match.group(1))
        if address.startswith("#"):
            return match.group(2)
        notes.append(unescape(_absolute(address, page_url)))
        return f"{match.group(2)} [{len(notes)}]"

    return plain_text(_LINK.sub(note, html)), notes
