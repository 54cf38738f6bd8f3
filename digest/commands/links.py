"""Check a built site: every internal link leads to a file, and every fragment to an element.

`digest check` runs this over the output folder. Each `.html` page is scanned for the
values of its `href`, `src`, `srcset`, `id` and `name` attributes with regular expressions
over the page's bytes rather than an HTML parser: sites have tens of thousands of pages, and
`html.parser` takes twenty times as long. The expressions find quoted values (in double or
single quotes, with an optional space before `=`); unquoted values are not seen. Comments and
the text of `<script>` and `<style>` elements are blanked first.

A link is internal when it has no scheme and no host. It is resolved against the page's
own URL (`people/x/index.html` is `{base_path}people/x/`), percent-decoded, and must name a
file of the output: `/a/` is `a/index.html`, and `/a` may be a folder, as servers redirect.
A fragment on an HTML page must name an element's `id` or an `<a name>` of that page.
"""

from __future__ import annotations

import html
import os
import re
import unicodedata
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Literal
from urllib.parse import quote, unquote

from digest.model import Problem, UsageError
from digest.read.files import read_bytes
from digest.workers import parallel_map

# Below these many pages a check runs in one process: a worker pool costs about 0.1 s to start.
MIN_PARALLEL_CHECK = 2000

HINT_MISSING = ("Fix the link in the article or template that writes it, or add what it points to; "
                "then `digest build` and `digest check` again.")
HINT_FORMS = ("Write the link and the file name in the same form: save the file again under its name typed "
              "on this machine, or copy the name from the file into the link.")
HINT_FRAGMENT = ("Link to an id the page has, or give the element you mean that id; "
                 "then `digest build` and `digest check` again.")


def _after(*names: str) -> str:
    """Lookbehinds that hold right after the `=` of one of these attributes, in lower or upper case."""
    return "|".join(f"(?<=[\\s\"']{name}=)|(?<=[\\s\"']{name}\\s=)"
                    for lower in names for name in (lower, lower.upper()))


_QUOTED = r"""("[^"]*|'[^']*)"""  # the opening quote and the value; the closing quote ends it
_VALUE = r"\s*" + _QUOTED
# Both expressions are anchored on "=": the regex engine skips from one "=" to the next, and the
# first lookbehind (the letter before "=") turns most of them away (class=, aria-label=). That is
# several times faster than matching attribute names. Links come back as a flat list of values,
# which costs less than the tuples of one expression with a group for each attribute; links to
# other sites (http:// and https://) are left out there, where it costs least.
_LINK = re.compile(f"=(?<=[cfCF\\s]=)(?:{_after('href', 'src')})\\s*(?![\"']https?://){_QUOTED}".encode())
# group 1 a srcset, 2 an id, 3 a name
_ANCHOR = re.compile(f"=(?<=[detDET\\s]=)(?:(?:{_after('srcset')}){_VALUE}|(?:{_after('id')}){_VALUE}"
                     f"|(?:{_after('name')}){_VALUE})".encode())
_HIDDEN_START = re.compile(rb"<!--|<script|<style|<SCRIPT|<STYLE")
_HIDDEN = re.compile(rb"<!--.*?(?:-->|\Z)|(<(script|style)(?=[\s/>])[^>]*>)(.*?)(?=</\2|\Z)",
                     re.IGNORECASE | re.DOTALL)
_A_NAME = re.compile(rb"""<a\s[^>]*?(?<=[\s"'])name\s*=\s*("[^"]*|'[^']*)""", re.IGNORECASE)
_SCHEME = re.compile(r"[A-Za-z][A-Za-z0-9+.-]*:")
_URL_NOISE = {9: None, 10: None, 13: None}  # tabs and newlines, which browsers drop from URLs


@dataclass(frozen=True, slots=True, kw_only=True)
class Target:
    """Where an internal link leads."""

    url: str  # the URL path, resolved and percent-decoded: "/news/people/x/"
    path: str | None  # the output file it names ("people/x/index.html"); None when there is none
    fragment: str  # percent-decoded; "" when there is none
    problem: Literal["missing", "outside"] | None  # why the link leads nowhere


@dataclass(frozen=True, slots=True, kw_only=True)
class Elsewhere:
    """A link with a fragment on another page, checked once every page's ids are known."""

    raw: bytes  # the attribute value as the page has it, after its opening quote: to find its line
    written: str  # the link as its author wrote it: "/people/x/#bio"
    target: Target


@dataclass(frozen=True, slots=True, kw_only=True)
class PageLinks:
    """What one page offers other pages (its ids) and what its own links lack."""

    path: str  # the page's output path: "people/x/index.html"
    ids: frozenset[str]
    names: frozenset[str]  # `name` values of any element; those of `<a>` are link targets too
    problems: tuple[Problem, ...]
    elsewhere: tuple[Elsewhere, ...]


def check_links(output_dir: Path, base_path: str = "/", jobs: int = 1) -> list[Problem]:
    """A problem for each internal link of a built site that leads nowhere, sorted by page and line.

    `base_path` is the URL path the site is served under ("/" or "/news/"): absolute internal
    links start with it. A page that links to the same place twice gets one problem. With
    `jobs` above 1 and many pages, the pages are read in that many worker processes.
    """
    if not output_dir.is_dir():
        raise UsageError(f"{output_dir}: there is no built site here; run `digest build` first")
    checker = LinkChecker(output_dir, base_path)
    pages = sorted(path for path in checker.files if path.endswith((".html", ".htm")))
    found = list(parallel_map(checker.scan, pages, jobs, MIN_PARALLEL_CHECK))
    by_path = {page.path: page for page in found}
    problems = [problem for page in found for problem in page.problems]
    for page in found:
        if page.elsewhere:
            problems += checker.check_elsewhere(page.path, page.elsewhere, by_path)
    return sorted(problems, key=lambda p: (p.path or "", p.line or 0, p.message))


class LinkChecker:
    """The files of one output folder, and the links of its pages checked against them."""

    def __init__(self, output_dir: Path, base_path: str = "/") -> None:
        self.root = str(output_dir)
        self.base_path = "/" + base_path.strip("/") + "/" if base_path.strip("/") else "/"
        self.files, self.folders = _walk(self.root)
        # values (with their opening quote) that lead somewhere from any page: external links, and
        # absolute paths to files; a page's links minus these are the few left to look at
        self.good: set[bytes] = set()
        self._by_form: dict[str, str] | None = None  # NFC name -> file, made when a link is missing

    def page_url(self, path: str) -> str:
        """The URL a page is served at, percent-encoded: "people/x/index.html" is "/people/x/"."""
        folder, _, name = path.rpartition("/")
        url = self.base_path + (folder + "/" if folder else "") + ("" if name == "index.html" else name)
        return quote(url, safe="/")

    def resolve(self, value: str, page: str) -> Target | None:
        """Where a link on a page (its output path) leads; None for a link out of the site."""
        parts = _split(value)
        if parts is None:
            return None
        path, fragment = parts
        if not path:  # "#x", "?page=2", "": the page itself
            joined = self.page_url(page)
        elif path.startswith("/"):
            joined = path
        else:
            page_url = self.page_url(page)
            joined = page_url[: page_url.rfind("/") + 1] + path
        url = unquote(_normalize(joined) if "/." in joined else joined, errors="replace")
        fragment = unquote(fragment, errors="replace")
        if url + "/" == self.base_path:
            url = self.base_path
        if not url.startswith(self.base_path):
            return Target(url=url, path=None, fragment=fragment, problem="outside")
        rel = url[len(self.base_path):]
        if rel == "" or rel.endswith("/"):
            rel += "index.html"
        elif rel not in self.files and rel in self.folders:
            rel += "/index.html"  # servers redirect /a to /a/
        if rel not in self.files:
            return Target(url=url, path=None, fragment=fragment, problem="missing")
        return Target(url=url, path=rel, fragment=fragment, problem=None)

    def scan(self, path: str) -> PageLinks:
        """The ids of one page, and the problems of its links that need no other page to find."""
        data = self.read(path)
        links = set(_LINK.findall(data))  # each value keeps its opening quote, which saves copying it
        raw_ids: set[bytes] = set()
        raw_names: set[bytes] = set()
        for srcset, ident, name in _ANCHOR.findall(data):
            if srcset:
                links.update(srcset[:1] + url for url in _srcset_urls(srcset[1:]))
            elif ident:
                raw_ids.add(ident[1:])
            else:
                raw_names.add(name[1:])
        ids = frozenset([_text(value) for value in raw_ids])
        names = frozenset([_text(value) for value in raw_names])
        wrong: dict[bytes, tuple[str, str, str]] = {}  # raw value → (target, message, hint)
        elsewhere: list[Elsewhere] = []
        for raw in links - self.good:
            if raw[1:2] == b"#" and raw[2:] in raw_ids:
                continue  # the table of contents and the skip link: the commonest links after those out of the site
            written = _text(raw[1:]).strip()
            target = self.resolve(written, path)
            if target is None or target.problem is None and not _checked(target):
                if target is None or written.startswith("/"):
                    self.good.add(raw)  # the same from every page
            elif target.problem is not None:
                wrong[raw] = (target.url, *self.describe(written, target))
            elif target.path != path:
                elsewhere.append(Elsewhere(raw=raw, written=written, target=target))
            elif not _has_anchor(target.fragment, ids, names, data):
                wrong[raw] = (f"{target.url}#{target.fragment}", *self.describe(written, target, same_page=True))
        lines = _lines(data, wrong) if wrong else {}
        problems = tuple(Problem(path=path, line=lines[raw], message=message, hint=hint)
                         for raw, (_, message, hint) in wrong.items() if raw in lines)
        return PageLinks(path=path, ids=ids, names=names, problems=problems, elsewhere=tuple(elsewhere))

    def check_elsewhere(self, path: str, links: Iterable[Elsewhere], pages: Mapping[str, PageLinks]) -> list[Problem]:
        """A problem for each fragment of these links that their target page lacks."""
        wrong: dict[bytes, tuple[str, str, str]] = {}
        for link in links:
            page = pages.get(link.target.path or "")
            fragment = link.target.fragment
            if page is None or fragment in page.ids:
                continue
            # only a fragment that is some element's name needs the page's bytes, to see which element
            data = self.read(page.path) if fragment in page.names else b""
            if not _has_anchor(fragment, page.ids, page.names, data):
                wrong[link.raw] = (f"{link.target.url}#{fragment}", *self.describe(link.written, link.target))
        if not wrong:
            return []
        lines = _lines(self.read(path), wrong)
        return [Problem(path=path, line=lines[raw], message=message, hint=hint)
                for raw, (_, message, hint) in wrong.items() if raw in lines]

    def read(self, path: str) -> bytes:
        """A page's bytes, with its comments and the text of its scripts and styles blanked."""
        try:
            data = read_bytes(os.path.join(self.root, path))
        except OSError:  # removed since the folder was listed: nothing to check on it
            return b""
        return _blank_hidden(data) if _HIDDEN_START.search(data) else data

    def describe(self, written: str, target: Target, same_page: bool = False) -> tuple[str, str]:
        """What is wrong with a link, in the author's words, and what to do about it."""
        if target.problem is None:
            where = "this page" if same_page else target.url
            return (f'links to #{target.fragment} on {where}, which has no element with id="{target.fragment}"',
                    HINT_FRAGMENT)
        as_written = written.partition("#")[0].partition("?")[0]
        shown = written if as_written == target.url else f"{written} ({target.url})"
        if target.problem == "outside":
            return (f"links to {shown}, which is outside the site's base path {self.base_path}",
                    f"Internal links start with {self.base_path}, the path of `base_url`: write them with "
                    "`url_for` in templates, or relative in articles; then `digest build` and `digest check` again.")
        rel = target.url[len(self.base_path):]
        other = self.spelled_otherwise(rel) or self.spelled_otherwise(rel.rstrip("/") + "/index.html")
        if other is not None:
            return (f"links to {shown}, which the site does not have: it has {self.base_path}{other}, "
                    "whose accented letters are encoded differently (Unicode NFC and NFD)", HINT_FORMS)
        return f"links to {shown}, which the site does not have", HINT_MISSING

    def spelled_otherwise(self, rel: str) -> str | None:
        """The file of the site that is `rel` in another Unicode normalization form, if there is one."""
        if rel.isascii():
            return None
        if self._by_form is None:
            self._by_form = {unicodedata.normalize("NFC", f): f for f in self.files if not f.isascii()}
        return self._by_form.get(unicodedata.normalize("NFC", rel))


def _walk(root: str) -> tuple[set[str], set[str]]:
    """Every file and folder under `root`, as POSIX paths relative to it, leaving out dot-names.

    Dot-folders and dotfiles are a deploy's own (.git) or digest's (.digest-staging).
    """
    files: set[str] = set()
    folders: set[str] = set()
    todo = [""]
    while todo:
        folder = todo.pop()
        try:
            entries = list(os.scandir(os.path.join(root, folder)))
        except OSError:
            continue
        for entry in entries:
            if entry.name.startswith("."):
                continue
            path = folder + entry.name
            if entry.is_dir():
                folders.add(path)
                if not entry.is_symlink():  # as os.walk: a linked folder is not entered, so no loops
                    todo.append(path + "/")
            else:
                files.add(path)
    return files, folders


def _checked(target: Target) -> bool:
    """Whether a link's fragment is looked for: on an HTML page, and not "" or "top" (the page's top)."""
    return (target.fragment != "" and target.fragment.lower() != "top"
            and target.path is not None and target.path.endswith((".html", ".htm")))


def _has_anchor(fragment: str, ids: frozenset[str], names: frozenset[str], data: bytes) -> bool:
    """Whether a page with these ids and names (and these bytes) has the element a fragment names."""
    if fragment in ids:
        return True
    if fragment not in names:
        return False
    # the name of a <meta> or an <input> is no link target: look at the elements that have it
    return any(_text(value[1:]) == fragment for value in _A_NAME.findall(data))


def _lines(data: bytes, wanted: Mapping[bytes, tuple[str, str, str]]) -> dict[bytes, int]:
    """The 1-based line where each wanted link value is first used, for only one value per target.

    A single-quoted value counts only inside a tag: text may hold `href='x'` unescaped.
    """
    lines: dict[bytes, int] = {}
    targets: set[str] = set()
    uses = [(match.start(), match.group(1)) for match in _LINK.finditer(data)]
    uses += [(match.start(), match.group(1)[:1] + url) for match in _ANCHOR.finditer(data) if match.group(1)
             for url in _srcset_urls(match.group(1)[1:])]
    for start, value in sorted(uses):
        if value not in wanted or value in lines or wanted[value][0] in targets:
            continue
        if value.startswith(b"'") and not _in_tag(data, start):
            continue
        lines[value] = data.count(b"\n", 0, start) + 1
        targets.add(wanted[value][0])
    return lines


def _in_tag(data: bytes, position: int) -> bool:
    """Whether a position of the page is inside a tag rather than in its text."""
    return data.rfind(b"<", 0, position) > data.rfind(b">", 0, position)


def _blank_hidden(data: bytes) -> bytes:
    """The page with its comments and the text of its scripts and styles blanked, keeping its lines."""
    def blank(match: re.Match[bytes]) -> bytes:
        if match.group(1) is None:
            return b"\n" * match.group(0).count(b"\n")
        return match.group(1) + b"\n" * match.group(3).count(b"\n")
    return _HIDDEN.sub(blank, data)


def _srcset_urls(value: bytes) -> Iterator[bytes]:
    """The URLs of a `srcset` value.

    >>> list(_srcset_urls(b"a.jpg 1x, /b/c.jpg 2x,d.png"))
    [b'a.jpg', b'/b/c.jpg', b'd.png']
    """
    for candidate in value.split(b","):
        url = candidate.split(None, 1)
        if url:
            yield url[0]


def _split(url: str) -> tuple[str, str] | None:
    """The path and fragment of a link within the site; None for one with a scheme or a host.

    Schemes and hosts are told as `urllib.parse.urlsplit` tells them, without its cost.

    >>> _split("../people/x/?page=2#bio"), _split("#top"), _split("mailto:a@b.org"), _split("//cdn.org/x.js")
    (('../people/x/', 'bio'), ('', 'top'), None, None)
    """
    url = url.translate(_URL_NOISE)
    if url.startswith("//") or _SCHEME.match(url):
        return None
    url, _, fragment = url.partition("#")
    return url.partition("?")[0], fragment


def _text(value: bytes) -> str:
    """An attribute value as text: decoded (a bad byte becomes �) and its character references resolved.

    >>> _text(b"/search/?q=a&amp;page=2"), _text(b"caf\\xc3\\xa9")
    ('/search/?q=a&page=2', 'café')
    """
    text = value.decode("utf-8", errors="replace")
    return html.unescape(text) if "&" in text else text


def _normalize(path: str) -> str:
    """An absolute URL path with its `.` and `..` segments resolved, as a browser does.

    >>> _normalize("/a/b/../c/./d"), _normalize("/a/b/.."), _normalize("/../../x")
    ('/a/c/d', '/a/', '/x')
    """
    segments: list[str] = []
    parts = path.split("/")[1:]
    for index, part in enumerate(parts):
        last = index == len(parts) - 1
        if part == "..":
            if segments:
                segments.pop()
            if last:
                segments.append("")
        elif part == ".":
            if last:
                segments.append("")
        else:
            segments.append(part)
    return "/" + "/".join(segments)
