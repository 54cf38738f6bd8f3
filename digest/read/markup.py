"""What both Markdown parsers write alike (`markdown.py`, `markdown_rust.py`): heading ids, the text of a
heading or paragraph as one line, and code blocks, fenced code coloured by Pygments into CSS classes or
escaped as it is."""

from __future__ import annotations

import functools
import html
import re
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from pygments.formatter import Formatter
    from pygments.lexer import Lexer

# Ids the theme or the footnotes use; a heading that would take one gets a prefix.
_RESERVED_ID = re.compile(r"d-.*|fn\d+|fnref\d+(?::\d+)?|top")


def heading_id(text: str) -> str:
    """The id of a heading: lowercase words joined by hyphens, clear of the theme's ids.

    >>> heading_id("What comes next?")
    'what-comes-next'
    >>> heading_id("Top")
    'h-top'
    """
    slug = re.sub(r"[^\w\s-]", "", text.strip().lower())
    slug = re.sub(r"[\s-]+", "-", slug).strip("-") or "section"
    return "h-" + slug if _RESERVED_ID.fullmatch(slug) else slug


def one_line(parts: list[str]) -> str:
    """Pieces of a heading's or a paragraph's text as one line: its runs of white space made one space.

    >>> one_line(["Paris ", " talks", "\\n", "end "])
    'Paris talks end'
    """
    return re.sub(r"\s+", " ", "".join(parts)).strip()


# Pygments is loaded by the first code block to colour (5 ms), not by every build that reads Markdown.
@functools.lru_cache(maxsize=64)
def _lexer(language: str) -> Lexer | None:
    from pygments.lexers import get_lexer_by_name
    from pygments.util import ClassNotFound

    try:
        return get_lexer_by_name(language)
    except ClassNotFound:
        return None


@functools.lru_cache(maxsize=1)
def _formatter() -> Formatter[str]:
    from pygments.formatters import HtmlFormatter

    return HtmlFormatter(nowrap=True)


def coloured_code(code: str, language: str, _attrs: Any = None, colour: bool = True) -> str:
    """A block of code in `language` (a Pygments name; none, or one it does not know: not coloured).

    >>> coloured_code("x = 1\\n", "nonesuch")
    '<pre class="highlight" tabindex="0"><code class="language-nonesuch">x = 1\\n</code></pre>\\n'
    """
    lexer = _lexer(language.lower()) if language and colour else None
    if lexer is None:
        return _wrapped(html.escape(code), language)
    from pygments import highlight

    return _wrapped(highlight(code, lexer, _formatter()), language)


def _wrapped(body: str, language: str) -> str:
    language_class = f' class="language-{html.escape(language)}"' if language else ""
    # tabindex: a block that scrolls sideways must be reachable from the keyboard
    return f'<pre class="highlight" tabindex="0"><code{language_class}>{body}</code></pre>\n'


def plain_code(code: str, language: str, attrs: Any = None) -> str:
    """A block of code, escaped, not coloured (an indented block, or a site that sets `highlight: false`)."""
    return coloured_code(code, language, attrs, colour=False)
