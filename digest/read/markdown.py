"""Markdown bodies → HTML, with heading ids, a table of contents and a plain-text summary.

CommonMark plus tables, footnotes and strikethrough (markdown-it-py), fenced
code coloured by Pygments into CSS classes. Raw HTML is escaped unless the
site sets `markdown: {unsafe_html: true}`.

Most bodies are parsed by the Rust port of the same parser instead (`markdown_rust.py`), which
gives the same result in a third of the time (0.3 ms a body of the corpus against 1.0); the others
by markdown-it-py (`render_python`).
"""

from __future__ import annotations

import functools
import html
import posixpath
import re
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any
from urllib.parse import quote

from digest.model import MarkdownOptions, TocEntry
from digest.read.markdown_rust import render_rust
from digest.read.markup import coloured_code, heading_id, one_line, plain_code

if TYPE_CHECKING:
    from markdown_it import MarkdownIt
    from markdown_it.token import Token


@dataclass(frozen=True, slots=True)
class RenderedMarkdown:
    """A body rendered: HTML, headings, first paragraph as text, word count."""

    html: str
    toc: tuple[TocEntry, ...]
    first_paragraph: str
    words: int
    bad_links: tuple[str, ...]  # relative image paths that leave content/
    links: tuple[tuple[str, int], ...] = ()  # (address, line of the body from 0) of each web link, in order


def _render_code_block(self: Any, tokens: list[Token], idx: int, options: Any, env: dict[str, Any]) -> str:
    return plain_code(tokens[idx].content, "", None)


@functools.lru_cache(maxsize=8)
def markdown_parser(options: MarkdownOptions) -> MarkdownIt:
    """The parser for one set of options (made once, then shared)."""
    from markdown_it import MarkdownIt  # (18 ms: a build whose bodies the Rust parser takes never loads it)
    from mdit_py_plugins.anchors import anchors_plugin
    from mdit_py_plugins.footnote import footnote_plugin

    md = MarkdownIt("commonmark", {"html": options.unsafe_html,
                                   "highlight": coloured_code if options.highlight else plain_code})
    md.enable(["table", "strikethrough"])
    md.use(footnote_plugin)
    low, high = options.toc_levels
    md.use(anchors_plugin, min_level=low, max_level=high, slug_func=heading_id)
    md.add_render_rule("image", _render_image)
    md.add_render_rule("code_block", _render_code_block)
    return md


def _render_image(self: Any, tokens: list[Token], idx: int, options: Any, env: dict[str, Any]) -> str:
    token = tokens[idx]
    src = str(token.attrGet("src") or "")
    if src and not re.match(r"[a-zA-Z][a-zA-Z0-9+.-]*:|/|#", src):
        resolved = resolve_relative(env.get("dir", ""), src)
        if resolved is None:
            env.setdefault("bad_links", []).append(src)
        else:
            token.attrSet("src", env.get("url_for", lambda u: u)(resolved))
    token.attrSet("loading", "lazy")
    return str(self.image(tokens, idx, options, env))


def resolve_relative(directory: str, target: str, encoded: bool = True) -> str | None:
    """The site URL, percent-encoded, of a file named relative to a folder of `content/`; None if it leaves it.

    `target` is a URL as Markdown gives it (already percent-encoded), or with `encoded=False`
    a file name as written (`image: photo 1.jpg`). The folder's name is encoded here: a
    space, an accent or a `#` in it must not reach a page as it is.

    >>> resolve_relative("2015", "photos/putin.jpg")
    '/2015/photos/putin.jpg'
    >>> resolve_relative("2015", "../../etc/passwd") is None
    True
    >>> resolve_relative("Q&A #1/Über", "a%20b.png"), resolve_relative("2015", "a b#1.png", encoded=False)
    ('/Q%26A%20%231/%C3%9Cber/a%20b.png', '/2015/a%20b%231.png')
    """
    target = target.split("?")[0].split("#")[0] if encoded else quote(target)
    path = posixpath.normpath(posixpath.join(quote(directory), target))
    if path.startswith("..") or path.startswith("/") or path == ".":
        return None
    return "/" + path


def _plain(children: list[Token] | None) -> str:
    parts: list[str] = []
    for child in children or ():
        if child.type in ("text", "code_inline"):
            parts.append(child.content)
        elif child.type in ("softbreak", "hardbreak"):
            parts.append(" ")
        elif child.type == "image":
            parts.append(_plain(child.children))
    return one_line(parts)


_LINK_TARGET = re.compile(
    r"^\[\^[^\]]*\]:[^\n]*(?:\n(?: {4}|\t)[^\n]*)*"  # footnote definitions
    r"|\]\([^)\s]*(?:\s+\"[^\"]*\")?\)|```[^\n]*\n.*?```|<[^>\n]*>|\[\^[^\]]*\]",
    re.DOTALL | re.MULTILINE)


_LINK_TARGETS_ONLY = re.compile(r"\]\([^)\s]*(?:\s+\"[^\"]*\")?\)")  # `_LINK_TARGET`'s, where it can find no other
_WORD = re.compile(r"\w")


def count_words(text: str) -> int:
    """Words a reader reads in a Markdown body: link targets, code blocks and footnote marks left out.

    >>> count_words("Putin met [Netanyahu](https://example.org/a-b) in *Paris*.\\n\\n```\\ncode here\\n```")
    5
    >>> count_words("## A heading\\n\\n- one item\\n\\n| a | b |")
    6
    """
    if "```" in text or "<" in text or "[^" in text:
        text = _LINK_TARGET.sub(" ", text)
    elif "](" in text:
        text = _LINK_TARGETS_ONLY.sub(" ", text)
    words = text.split()  # but those of markup alone: "-", "##", "|", ">"
    return len(words) - sum(1 for word in words if not (word[0].isalnum() or _WORD.search(word)))


def render_markdown(text: str, options: MarkdownOptions, directory: str = "",
                    url_for: Any = None) -> RenderedMarkdown:
    """Render a body. `directory` (relative to `content/`) anchors relative image paths."""
    rust = render_rust(text, options)
    if rust is None:
        return render_python(text, options, directory, url_for)
    html_, toc, first, links = rust
    return RenderedMarkdown(html=html_, toc=toc, first_paragraph=first, words=count_words(text), bad_links=(),
                            links=links)


def render_python(text: str, options: MarkdownOptions, directory: str = "", url_for: Any = None) -> RenderedMarkdown:
    """Render a body with markdown-it-py, as `render_markdown` does what the Rust parser does not take."""
    md = markdown_parser(options)
    env: dict[str, Any] = {"dir": directory}
    if url_for is not None:
        env["url_for"] = url_for
    tokens = md.parse(text, env)
    toc: list[TocEntry] = []
    links: list[tuple[str, int]] = []
    first = ""
    low, high = options.toc_levels
    for i, token in enumerate(tokens):
        if token.type == "heading_open":
            level = int(token.tag[1])
            if low <= level <= high:
                toc.append(TocEntry(level=level, id=str(token.attrGet("id")), title=_plain(tokens[i + 1].children)))
        elif token.type == "paragraph_open" and not first and token.level == 0:
            first = _plain(tokens[i + 1].children)
        elif token.type == "inline" and token.map and token.children:
            links.extend(_web_links(token.children, token.map[0]))
    body = md.renderer.render(tokens, md.options, env)
    return RenderedMarkdown(html=body, toc=tuple(toc), first_paragraph=first, words=count_words(text),
                            bad_links=tuple(env.get("bad_links", ())), links=tuple(links))


def _web_links(children: list[Token], line: int) -> list[tuple[str, int]]:
    """The http(s) links of a block's inline tokens, each with its line (the block's first, plus the line
    breaks before it)."""
    found = []
    for child in children:
        if child.type in ("softbreak", "hardbreak"):
            line += 1
        elif child.type == "link_open":
            href = str(child.attrGet("href") or "")
            if href[:8].lower().startswith(("http://", "https://")):
                found.append((href, line))
    return found
