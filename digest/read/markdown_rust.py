"""Markdown bodies → HTML by markdown-it-pyrs, the Rust port of markdown-it, where it gives what markdown-it-py gives.

markdown-it-py parses a body of the generated corpus in about 1.0 ms, the Rust port in 0.07 (0.3
with what this module adds and checks). The port writes the same CommonMark HTML but knows none
of digest's additions, so `render_rust` finishes what it can the way markdown-it-py's plugins do
(heading ids as mdit-py-plugins' anchors give them, code blocks through `markup.py`), and reads
the table of contents, the first paragraph and the web links from the port's syntax tree, as
`markdown.render_python` reads them from markdown-it-py's tokens.

Where the two parsers differ, or digest adds what this does not finish, it answers None and
markdown-it-py renders the body: footnotes, images, raw HTML let through, a host name outside
ASCII (markdown-it-py writes it in punycode), and the spots `_apart` lists.
`tests/unit/test_markdown_rust.py` holds the two to the same output, on the fixtures, on
generated bodies and on the corpus.
"""

from __future__ import annotations

import functools
import html
import re
import unicodedata
from collections.abc import Iterator
from typing import Any

from digest.model import MarkdownOptions, TocEntry
from digest.read.markup import coloured_code, heading_id, one_line, plain_code

Rendered = tuple[str, tuple[TocEntry, ...], str, tuple[tuple[str, int], ...]]  # html, toc, first paragraph, links

# markdown-it-py's "commonmark" rules, less raw HTML (escaped, as markdown-it-py does with `html` off), plus ours
_RUST_RULES: list[Any] = ["blockquote", "code", "fence", "heading", "hr", "lheading", "list", "paragraph", "reference",
                          "autolink", "backticks", "emphasis", "entity", "escape", "image", "link", "newline", "table",
                          "strikethrough"]
_CONTAINERS = frozenset({"blockquote", "bullet_list", "ordered_list", "table", "thead", "tbody", "trow"})
_SPANS = frozenset({"em", "strong", "strikethrough", "link"})  # inline nodes whose children are inline
_INLINE = frozenset({"text", "text_special", "code_inline", "softbreak", "hardbreak", "autolink", "image", *_SPANS})
_HOST = re.compile(r"(?:[a-zA-Z][a-zA-Z0-9+.-]*:)?//([^/?#]*)|mailto:[^@]*@([^?#]*)", re.IGNORECASE)
# Where the parsers differ (`_apart`): white space but spaces, tabs and new lines, which they trim apart (a
# no-break space within a line is safe); an empty list item (a line of its marker alone)
_ODD_SPACE = re.compile(r"[\x0b\x0c\r\x1c-\x1f\x85\xa0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000]")
_BARE_MARKER = re.compile(r"\n[ \t>]*(?:[*+-]|[0-9]+[.)])[ \t]*(?:\n|$)")  # (after a new line: `_apart` adds one)
# each written to start with what it finds, which regular expressions look for fastest
_LONG_RUN = re.compile(r"^.*(?:\*\*\*|___).*$", re.MULTILINE)  # (the line)
_INTRAWORD = re.compile(r"\*(?<=[^\W_]\*)\**(?=[^\W_])")
_BESIDE_STAR = re.compile(r"\*(?:(?=[^\x00-\x7f])|(?<=[^\x00-\x7f]\*))")
_BESIDE_UNDERSCORE = re.compile(r"_(?:(?=[^\x00-\x7f])|(?<=[^\x00-\x7f]_))")
# markdown-it-py stops nesting 20 deep (a list and its item are two), the Rust parser later
_DEEPEST = 12
_BRACKETS = re.compile(r"[\[\]]")
_TICKS = re.compile(r"`+")
_FENCE = re.compile(r"[ \t>]*(`{3,}|~{3,})")
_BLOCK_START = re.compile(r"\n(?=[ \t]*(?:[>#|*+=-]|[0-9]+[.)]|```|~~~))")
_INFO = re.compile(r"[\x21-\x25\x27-\x5b\x5d-\x7e \t]*")  # a fence's info markdown-it-py takes as it is: no \\ or &


class _Unsure(Exception):
    """A body holds what the Rust parser's output cannot be finished alike for: markdown-it-py renders it."""


@functools.lru_cache(maxsize=1)
def _rust_parser() -> Any:
    """The Rust parser with our rules, or None where markdown-it-pyrs is not installed."""
    try:
        from markdown_it_pyrs import MarkdownIt as RustMarkdownIt
    except ImportError:
        return None
    return RustMarkdownIt("zero").enable_many(_RUST_RULES)


def render_rust(text: str, options: MarkdownOptions) -> Rendered | None:
    """A body rendered as markdown-it-py renders it, by the Rust parser; None where it cannot be sure."""
    parser = _rust_parser()
    if parser is None or options.unsafe_html or _apart(text):
        return None
    reading = _TreeReading(options, text.encode())
    try:
        reading.blocks(parser.tree(text).children, top=True)  # (the tree is let go before the HTML is made)
        rendered, pieces, at = parser.render(text), list[str](), 0
    except _Unsure:
        return None
    except BaseException as error:  # a panic of the Rust code (pyo3's PanicException is not an Exception)
        if not type(error).__name__ == "PanicException":
            raise
        return None
    for tag, replacement in reading.marks:  # each heading and code block, in the order of the HTML
        start = rendered.find(tag, at)
        end = rendered.find("</code></pre>\n", start) + 14 if tag == "<pre><code" else start + len(tag)
        if start < 0 or end < start + len(tag):  # (never seen: the tree and the HTML disagree)
            return None
        if replacement is not None:
            pieces += (rendered[at:start], replacement)
            at = end
    pieces.append(rendered[at:])
    return "".join(pieces), tuple(reading.toc), reading.first, tuple(_lines(reading.links, reading.data))


def _lines(links: list[tuple[str, int, int]], data: bytes) -> Iterator[tuple[str, int]]:
    """Each web link with its line: its block's (a count of the new lines before the byte where the block starts,
    as the Rust parser's source maps count bytes), plus the line breaks before it in the block."""
    at, line = 0, 0
    for url, start, breaks in links:  # in the order of the body: each count goes on from the last
        line = line + data.count(b"\n", at, start) if start >= at else data.count(b"\n", 0, start)
        at = start
        yield url, line + breaks


def _apart(text: str) -> bool:
    """Whether a body holds what the Rust parser's output is not finished alike for (footnotes, images, a NUL),
    or a spot where the parsers differ: strikethrough (they pair ~~ apart), the spots of `_ODD_SPACE` and
    `_BARE_MARKER`, stars and underscores that may stay unpaired (`_delimiters_apart`), a code span left open,
    brackets nested deep."""
    return ("[^" in text or "![" in text or "\0" in text or "~~" in text or _odd_space(text)
            or bool(_BARE_MARKER.search("\n" + text[:80]) or _BARE_MARKER.search(text)) or _delimiters_apart(text)
            or ("`" in text and _code_left_open(text)) or _deep_brackets(text))


def _deep_brackets(text: str) -> bool:
    """Whether brackets nest more than `_DEEPEST` deep: the parsers stop nesting link texts at their own depths."""
    if text.count("[") <= _DEEPEST:
        return False
    depth = 0
    for found in _BRACKETS.finditer(text):
        depth = depth + 1 if found[0] == "[" else max(0, depth - 1)
        if depth > _DEEPEST:
            return True
    return False


def _odd_space(text: str) -> bool:
    """Whether a body holds white space of `_ODD_SPACE` but a no-break space between two other characters."""
    for found in _ODD_SPACE.finditer(text):
        at = found.start()
        if found[0] != "\xa0" or not text[at - 1: at].strip() or not text[at + 1: at + 2].strip():
            return True
    return False


def _delimiters_apart(text: str) -> bool:
    """Whether a run of stars or underscores is one the parsers pair apart: three or more in a row (but in a
    thematic break, `***`), stars within a word ("*a c**b*"), or either beside a symbol (😀, ©), which
    markdown-it-py takes as punctuation (CommonMark 0.31) and the Rust one not."""
    if ("***" in text or "___" in text) and any(line.strip(" \t*_-") for line in _LONG_RUN.findall(text)):
        return True
    if _INTRAWORD.search(text):
        return True
    beside = [*_BESIDE_STAR.finditer(text), *(_BESIDE_UNDERSCORE.finditer(text) if "_" in text else ())]
    return any(unicodedata.category(side)[0] == "S" for found in beside
               for side in (text[found.start() - 1: found.start()], text[found.end(): found.end() + 1])
               if side and not side.isascii())


def _code_left_open(text: str) -> bool:
    """Whether a body may hold a code span left open outside its fenced code: an escaped backtick, or a run of
    backticks that no later run of the same length closes, in a line, or in the text between blank lines or lines
    that may start a block. The parsers differ around one, and markdown-it-pyrs 0.4.0 panics where a `[` comes
    before it ("[`x")."""
    if "\\`" in text:
        return True
    prose, fence = list[str](), ""
    for line in text.split("\n"):
        marker = _FENCE.match(line)
        if marker and marker[1][0] == "`" and "`" in line[marker.end():]:
            marker = None  # (not a fence: a backtick fence's info holds no backtick)
        if not fence:
            fence = marker[1] if marker else ""
            prose += () if marker else (line,)
        elif marker and marker[1][0] == fence[0] and len(marker[1]) >= len(fence) and not line[marker.end():].strip():
            fence = ""
    chunks = re.split(r"\n[ \t]*\n", "\n".join(prose))
    for piece in {*chunks, *(piece for chunk in chunks for piece in _BLOCK_START.split(chunk)), *prose}:
        runs = [len(found[0]) for found in _TICKS.finditer(piece)]
        at = 0
        while at < len(runs):
            closer = next((later for later in range(at + 1, len(runs)) if runs[later] == runs[at]), None)
            if closer is None:
                return True
            at = closer + 1
    return False


class _TreeReading:
    """What `render_markdown` reads of markdown-it-py's tokens, read from the Rust parser's tree instead:
    the table of contents, the first paragraph's text, the web links; and what the HTML lacks (`marks`)."""

    def __init__(self, options: MarkdownOptions, data: bytes) -> None:
        self.options, self.data = options, data
        self.toc: list[TocEntry] = []
        self.first = ""
        self.links: list[tuple[str, int, int]] = []  # (address, byte where its block starts, line breaks before it)
        self.marks: list[tuple[str, str | None]] = []  # (the tag the Rust HTML has, what takes its place or None)
        self._slugs: set[str] = set()

    def blocks(self, nodes: Any, top: bool = False, depth: int = 0) -> None:
        if depth > _DEEPEST:
            raise _Unsure("nesting")
        run: list[Any] = []  # the inline nodes of a tight list's item: a paragraph markdown-it-py hides
        for node in nodes:
            name = node.name
            if name in _INLINE:
                run.append(node)
                continue
            if run:
                self.inline(run, _start(run[0]))
                run = []
            if name == "paragraph":
                if top and not self.first:
                    self.first = one_line(self._text(node.children, " "))
                self.inline(node.children, _start(node))
            elif name in ("heading", "lheading"):
                self._heading(node)
            elif name == "fence":
                self.marks.append(("<pre><code", self._fence(node)))
            elif name == "code_block":
                self.marks.append(("<pre><code", plain_code(node.meta["content"], "", None)))
            elif name in _CONTAINERS or name == "list_item":
                if name == "blockquote" and not node.children:
                    raise _Unsure(name)  # written `<blockquote>\n</blockquote>` by one, on one line by the other
                self.blocks(node.children, depth=depth + 1)
            elif name == "tcell":
                if node.children:
                    self.inline(node.children, _start(node))
            elif name not in ("hr", "definition"):
                raise _Unsure(name)
        if run:
            self.inline(run, _start(run[0]))

    def _heading(self, node: Any) -> None:
        level = node.meta["level"]
        low, high = self.options.toc_levels
        if not low <= level <= high:
            self.marks.append((f"<h{level}>", None))
        else:  # as mdit-py-plugins' anchors: the text of text and code, a number after a slug taken before
            slug = base = heading_id("".join(self._text(node.children, "")))
            number = 1
            while slug in self._slugs:
                slug, number = f"{base}-{number}", number + 1
            self._slugs.add(slug)
            title = one_line(self._text(node.children, " "))
            self.toc.append(TocEntry(level=level, id=slug, title=title))
            self.marks.append((f"<h{level}>", f'<h{level} id="{html.escape(slug)}">'))
        self.inline(node.children, _start(node))

    def _fence(self, node: Any) -> str:
        meta, (start, end) = node.meta, node.srcmap
        info, marker = meta.get("info") or "", meta["marker"] * meta["marker_len"]
        last = self.data[start:end].rstrip(b" \t\n").rsplit(b"\n", 1)
        if not _INFO.fullmatch(info) or len(last) < 2 or not last[1].lstrip(b" \t>").startswith(marker.encode()):
            raise _Unsure("fence")  # (one left open: the parsers end it apart)
        code = coloured_code if self.options.highlight else plain_code
        return code(meta["content"], re.split(r"[ \t]+", info.strip(" \t"), maxsplit=1)[0], None) + "\n"

    def _text(self, nodes: Any, breaks: str) -> list[str]:
        """The text of inline nodes as markdown-it-py's text and code tokens hold it; line breaks as `breaks`."""
        found = []
        for node in nodes:
            name = node.name
            if name in ("text", "text_special"):
                found.append(node.meta["content"])
            elif name == "code_inline":
                found += (child.meta["content"] for child in node.children)
            elif name in ("softbreak", "hardbreak"):
                found.append(breaks)
            elif name in _SPANS:
                found += self._text(node.children, breaks)
            else:  # an autolink's text is the address as markdown-it-py shows it
                raise _Unsure(name)
        return found

    def inline(self, nodes: Any, block: int, breaks: int = 0, depth: int = 0) -> int:
        """Note the web links of a block's inline nodes, with the line breaks before each; the breaks."""
        if depth > _DEEPEST:
            raise _Unsure("nesting")
        for node in nodes:
            name = node.name
            if name in ("softbreak", "hardbreak"):
                breaks += 1
            elif name in ("link", "autolink"):
                url = node.meta["url"]
                host = _HOST.match(url)
                if (host and "%" in (host[1] or host[2] or "")) or (name == "autolink" and "%" in url):
                    raise _Unsure("host name")  # or an autolink's text, which markdown-it-py shows decoded
                if url[:8].lower().startswith(("http://", "https://")):
                    self.links.append((url, block, breaks))
                breaks = self.inline(node.children, block, breaks, depth + 1)
            elif name in _SPANS:
                breaks = self.inline(node.children, block, breaks, depth + 1)
            elif name == "code_inline":
                source = b"\n" if node.srcmap is None else self.data[slice(*node.srcmap)]
                if b"\n" in source or not source.strip(b"`").strip(b" "):  # they keep apart the spaces that
                    raise _Unsure(name)  # start its next line, or that are all it holds
            elif name not in ("text", "text_special"):
                raise _Unsure(name)
        return breaks


def _start(node: Any) -> int:
    """The byte of the body where a node starts."""
    if node.srcmap is None:
        raise _Unsure(node.name)
    return int(node.srcmap[0])
