"""What Pagefind reads of a page: the parts of it that its index is made of, and nothing else.

A theme marks what is indexed: `data-pagefind-body` on the element(s) holding an article, and
`data-pagefind-filter`, `-meta`, `-sort` wherever a value is (in the head, the byline). Pagefind
reads the whole page to find them, and a digest's article page is mostly header, menus, related
lists and footer. `searchable()` keeps what Pagefind takes from a page: the `<html>` start tag
(its `lang`), every element that carries a `data-pagefind-` attribute, whole, and the first
`<h1>` and the first `<img>` after it (Pagefind's default title and image), in the page's order,
and the `<title>` of a page without an `<h1>` (where Pagefind takes its title from). Pagefind
makes the same fragments from it, in less than half the time, and a change to the rest of the
page (the site's name, a menu) leaves it as it was.
"""

from __future__ import annotations

import functools
import hashlib
import json
import os
import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

_MARK = "data-pagefind-"
_VOID = frozenset({"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "track",
                   "wbr"})
_NAME = re.compile(r"<([a-zA-Z][a-zA-Z0-9-]*)")
_HTML = re.compile(r"<html\b[^>]*>", re.IGNORECASE)
_TITLE = re.compile(r"<title\b[^>]*>.*?</title\s*>", re.IGNORECASE | re.DOTALL)
_H1 = re.compile(r"<h1\b", re.IGNORECASE)
_IMG = re.compile(r"<img\b[^>]*>", re.IGNORECASE)
_KEPT = "pages.json"  # in a folder of kept pages: each page's file (inode, time, size) and the hash of what was read


@functools.lru_cache(maxsize=64)
def _tags_of(name: str) -> re.Pattern[str]:
    """Start and end tags of one element name (`<div ` or `<div>`, `</div>`)."""
    return re.compile(rf"<(/?){re.escape(name)}(?=[\s/>])", re.IGNORECASE)


def _element_end(page: str, start: int, name: str) -> int:
    """Where the element whose start tag begins at `start` ends (after its end tag, or its start tag's
    `>` for a void element); the page's end if it is never closed."""
    after_tag = page.find(">", start) + 1 or len(page)
    if name.lower() in _VOID or page[after_tag - 2] == "/":
        return after_tag
    depth = 1
    for tag in _tags_of(name).finditer(page, after_tag):
        depth += -1 if tag[1] else 1
        if depth == 0:
            return page.find(">", tag.end()) + 1 or len(page)
    return len(page)


def _marked_elements(page: str) -> list[tuple[int, int]]:
    """The spans of the elements whose start tags carry a `data-pagefind-` attribute, outermost only."""
    spans: list[tuple[int, int]] = []
    at = page.find(_MARK)
    while at != -1:
        start = page.rfind("<", 0, at)
        name = _NAME.match(page, start) if start != -1 else None
        if name is None or page.rfind(">", start, at) != -1:  # in text or a comment's words, not in a tag
            at = page.find(_MARK, at + len(_MARK))
            continue
        end = _element_end(page, start, name[1])
        spans.append((start, end))
        at = page.find(_MARK, end)
    return spans


def _inside(spans: list[tuple[int, int]], at: int) -> bool:
    return any(start <= at < end for start, end in spans)


def searchable(page: str) -> str | None:
    """The page as Pagefind needs it, or None when the whole page is indexed (no `data-pagefind-body`).

    >>> print(searchable('<!doctype html><html lang="fr"><head><title>T</title><link rel=x></head><body>'
    ...                  '<nav>Menu</nav><article data-pagefind-body><h1>A</h1><div>B <div>C</div></div>'
    ...                  '</article><footer><a data-pagefind-filter="tag">x</a></footer></body></html>'))
    <!doctype html><html lang="fr"><head></head><body>
    <article data-pagefind-body><h1>A</h1><div>B <div>C</div></div></article>
    <a data-pagefind-filter="tag">x</a>
    </body></html>
    >>> searchable("<html><body><p>data-pagefind-body is an attribute</p></body></html>") is None
    True
    """
    spans = _marked_elements(page)
    if not any("data-pagefind-body" in page[start:page.find(">", start)] for start, _ in spans):
        return None
    h1 = _H1.search(page)
    if h1 is not None:
        if not _inside(spans, h1.start()):
            spans.append((h1.start(), _element_end(page, h1.start(), "h1")))
        img = _IMG.search(page, h1.end())
        if img is not None and not _inside(spans, img.start()):
            spans.append(img.span())
    html = _HTML.search(page)
    title = _TITLE.search(page) if h1 is None else None  # Pagefind's title: the first h1, else the <title>
    head = (html[0] if html else "<html>") + "<head>" + (title[0] if title else "") + "</head><body>\n"
    return "<!doctype html>" + head + "\n".join(page[start:end] for start, end in sorted(spans)) + "\n</body></html>"


def slim_pages(output_dir: Path, files: list[str], folder: Path, keep: bool = False,
               wait: Callable[[], object] | None = None) -> str:
    """Write what Pagefind reads of each of `files` of the output into `folder`, at their paths, and return a hash
    of it all. `keep`: `folder` holds the same pages as an earlier call made them (a folder of the build cache), and
    only the pages whose files changed since are read again; others it holds are removed. `wait`, if given, is called
    before each page read (the preview's search, giving way to a rebuild).

    A page is taken as unchanged while its file is the same (inode, time and size): the build writes a page
    anew into a new file, and the output's twin shares the files of the pages it did not write.
    """
    known: dict[str, list[Any]] = {}
    if keep:
        try:
            known = json.loads((folder / _KEPT).read_bytes())
        except (OSError, ValueError):
            known = {}
        known = known if isinstance(known, dict) else {}
    now: dict[str, list[Any]] = {}
    made: set[Path] = set()
    for name in files:
        if wait is not None:
            wait()
        target = folder / name
        found = os.stat(output_dir / name)
        stamp = [found.st_ino, found.st_mtime_ns, found.st_size]
        held = known.get(name)
        if (isinstance(held, list) and len(held) == 4 and held[:3] == stamp and isinstance(held[3], str)
                and target.is_file()):
            now[name] = held
            continue
        data = (output_dir / name).read_bytes()
        try:
            slim = searchable(data.decode("utf-8"))
        except UnicodeDecodeError:
            slim = None
        read = data if slim is None else slim.encode("utf-8")  # None: the whole page, as it is
        if target.parent not in made:
            target.parent.mkdir(parents=True, exist_ok=True)
            made.add(target.parent)
        target.write_bytes(read)
        now[name] = [*stamp, hashlib.blake2b(read, digest_size=16).hexdigest()]
    if keep:
        for name in known.keys() - now.keys():  # pages gone from the part (and never a path out of the folder)
            if isinstance(name, str) and not name.startswith("/") and ".." not in name.split("/"):
                (folder / name).unlink(missing_ok=True)
        if now != known:
            folder.mkdir(parents=True, exist_ok=True)
            (folder / f"{_KEPT}.new").write_text(json.dumps(now), encoding="utf-8")
            os.replace(folder / f"{_KEPT}.new", folder / _KEPT)
    digest = hashlib.blake2b(digest_size=16)
    for name in sorted(now):
        digest.update(name.encode("utf-8", "surrogateescape") + b"\0" + now[name][3].encode() + b"\0")
    return digest.hexdigest()
