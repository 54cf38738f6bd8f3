"""Hostile content: markup and script addresses in every field an author writes never run.

``tests/fixtures/hostile-site/`` puts ``<script>``, ``"><img onerror=...>``, ``javascript:``
(in mixed case, with entities and whitespace), ``vbscript:`` and ``data:`` addresses into
titles, names, term pages, summaries, sources, image texts, link and image targets,
autolinks, reference links, footnotes, code and raw HTML. It is built with the command
line, and every output file is scanned for script the theme did not put there:

- HTML pages are parsed with ``html.parser``: a ``<script>`` must be one of the theme's
  files (by its ``src``) or JSON-LD without ``<``; no ``on*=`` attribute; no URL attribute
  (``href``, ``src``, ``action``, ``formaction``, ``srcset``...) whose value, decoded and
  stripped of whitespace and control characters, starts with ``javascript:``, ``vbscript:``
  or ``data:``; no ``<iframe>``, ``<object>``, ``<embed>``, ``<base>``; a refresh only on the
  redirect pages that ``_redirects`` lists, to the address it lists;
- Atom feeds are parsed as XML, and the HTML they carry (``type="html"``) is scanned too;
- the sitemap and ``_redirects`` hold site addresses only; scripts are the theme's own or
  Pagefind's, and Pagefind escapes the text of its fragments before it shows an excerpt.

The same site with ``markdown: {unsafe_html: true}`` passes the bodies' raw HTML through,
and only that. Path safety (links that leave the site, slugs, aliases and images that
try to) is checked at the end; one-field cases are in ``tests/bad/``.
"""

from __future__ import annotations

import gzip
import json
import os
import re
import shutil
import subprocess
import sys
import xml.etree.ElementTree as ET
from dataclasses import dataclass
from html.parser import HTMLParser
from pathlib import Path

import pytest

from digest.read.config import load_config
from digest.read.content import parse_article, parse_term_page
from digest.read.discover import scan

FIXTURE = Path(__file__).resolve().parent / "fixtures" / "hostile-site"
THEME_STATIC = Path(__file__).resolve().parent.parent / "themes" / "default" / "static"
THEME_SCRIPTS = frozenset({"/js/search.js", "/js/filter.js"})  # the default theme's <script src>, under base_url /
URL_ATTRIBUTES = frozenset({"href", "src", "action", "formaction", "srcset", "data", "xlink:href", "poster",
                            "background", "cite", "codebase", "lowsrc", "dynsrc", "ping", "manifest", "icon"})
FORBIDDEN_TAGS = frozenset({"iframe", "frame", "frameset", "object", "embed", "applet", "base"})
BAD_SCHEME = re.compile(r"(?:javascript|vbscript|data|livescript):")
IGNORED_IN_URL = re.compile(r"[\x00-\x20\x7f-\x9f]+")
ATOM = "{http://www.w3.org/2005/Atom}"
TIMEOUT = 120


# --------------------------------------------------------------------------------------
# The scanner


@dataclass(frozen=True, order=True)
class Finding:
    """Something in an output file that could run script."""

    path: str
    what: str


def url_is_dangerous(value: str) -> bool:
    """Whether a URL attribute, as a browser reads it (entities already decoded), runs script or holds a document.

    >>> [url_is_dangerous(v) for v in (" JaVa\\tScRiPt:alert(1)", "jav%09ascript:x", "/a", "DATA:text/html,x")]
    [True, False, False, True]
    """
    return BAD_SCHEME.match(IGNORED_IN_URL.sub("", value).lower()) is not None


class PageScanner(HTMLParser):
    """Collects the findings of one HTML document, and its text and attribute values (decoded)."""

    def __init__(self, path: str, refresh_to: str | None) -> None:
        super().__init__(convert_charrefs=True)
        self.path = path
        self.refresh_to = refresh_to  # the one refresh target this page may have (a redirect page)
        self.findings: list[Finding] = []
        self.texts: list[str] = []
        self.values: list[str] = []
        self.scripts: list[tuple[dict[str, str | None], list[str]]] = []
        self._in_script = False

    def found(self, what: str) -> None:
        self.findings.append(Finding(self.path, what))

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = dict(attrs)
        self.values.extend(v for v in values.values() if v)
        if tag in FORBIDDEN_TAGS:
            self.found(f"<{tag}> element")
        for name, value in attrs:
            if name.startswith("on"):
                self.found(f"<{tag} {name}=...> event handler")
            if name in URL_ATTRIBUTES and value:
                candidates = [c.strip().split(" ")[0] for c in value.split(",")] if name == "srcset" else [value]
                if any(url_is_dangerous(c) for c in candidates):
                    self.found(f"<{tag} {name}={value!r}>")
            if name == "style" and value and re.search(r"javascript:|expression\(", value, re.IGNORECASE):
                self.found(f"<{tag} style={value!r}>")
        if tag == "meta" and (values.get("http-equiv") or "").lower() == "refresh":
            content = values.get("content") or ""
            target = content.split("url=", 1)[-1] if "url=" in content else ""
            if self.refresh_to is None or target != self.refresh_to:
                self.found(f"<meta http-equiv=refresh content={content!r}>")
        if tag == "script":
            self.scripts.append((values, []))
            self._in_script = True

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.handle_starttag(tag, attrs)
        if tag == "script":
            self.handle_endtag(tag)

    def handle_endtag(self, tag: str) -> None:
        if tag == "script" and self._in_script:
            self._in_script = False
            values, parts = self.scripts[-1]
            self.check_script(values, "".join(parts))

    def handle_data(self, data: str) -> None:
        if self._in_script:
            self.scripts[-1][1].append(data)
        else:
            self.texts.append(data)

    def handle_comment(self, data: str) -> None:
        if "<script" in data.lower():
            self.found("a comment holding <script")

    def check_script(self, values: dict[str, str | None], body: str) -> None:
        if values.get("src") is not None:
            if values["src"] not in THEME_SCRIPTS or body.strip():
                self.found(f"<script src={values['src']!r}>")
            return
        if values.get("type") == "application/ld+json" and len(values) == 1:
            if "<" in body or "-->" in body:
                self.found("JSON-LD holding < or -->")
            json.loads(body)  # well formed, so nothing of it spilled out of its strings
            return
        self.found(f"inline <script> {body[:60]!r}")

    def close(self) -> None:
        super().close()
        if self._in_script:
            self.found("a <script> that is never closed")

    def text(self) -> str:
        return re.sub(r"\s+", " ", "".join(self.texts))


def scan_html(path: str, html: str, refresh_to: str | None = None) -> PageScanner:
    """Scan one HTML document (or fragment)."""
    scanner = PageScanner(path, refresh_to)
    scanner.feed(html)
    scanner.close()
    return scanner


def scan_feed(path: str, data: bytes, skip_html: frozenset[str] = frozenset()) -> list[Finding]:
    """An Atom feed: well-formed XML, links to the site, and the HTML it carries scanned like a page."""
    findings = scan_html(path, data.decode("utf-8")).findings  # the raw XML, as a browser would parse it
    root = ET.fromstring(data)
    for element in root.iter():
        href = element.get("href")
        if href is not None and not href.startswith("https://example.org/"):
            findings.append(Finding(path, f"feed link {href!r}"))
        if element.get("type") in ("html", "xhtml"):
            inner = element.text or "" if element.get("type") == "html" else "".join(
                ET.tostring(child, encoding="unicode") for child in element)
            if inner.strip() not in skip_html:
                findings += scan_html(f"{path} <{element.tag.removeprefix(ATOM)}>", inner).findings
    return findings


def scan_output(output: Path, skip_html: frozenset[str] = frozenset()) -> list[Finding]:
    """Every file of a built site checked for script the theme did not put there.

    `skip_html`: HTML the site asked to pass through (bodies with `unsafe_html`); cut out of
    pages and feeds before they are scanned.
    """
    redirects = parse_redirects(output)
    findings: list[Finding] = []
    for file in sorted(p for p in output.rglob("*") if p.is_file()):
        path = file.relative_to(output).as_posix()
        data = file.read_bytes()
        if path.endswith(".html"):
            html = data.decode("utf-8")
            for body in skip_html:
                html = html.replace(body, "")
            alias = "/" + path.removesuffix("index.html")
            findings += scan_html(path, html, refresh_to=redirects.get(alias)).findings
        elif path.endswith(".xml") and path != "sitemap.xml":
            findings += scan_feed(path, data, skip_html)
        elif path == "sitemap.xml":
            for loc in ET.fromstring(data).iter("{http://www.sitemaps.org/schemas/sitemap/0.9}loc"):
                if not (loc.text or "").startswith("https://example.org/"):
                    findings.append(Finding(path, f"sitemap entry {loc.text!r}"))
        elif path.endswith(".js"):
            theme_copy = THEME_STATIC / path
            if path.startswith("pagefind/"):
                if b"alert(1)" in data:
                    findings.append(Finding(path, "Pagefind's script holds content"))
            elif not theme_copy.is_file() or theme_copy.read_bytes() != data:
                findings.append(Finding(path, "a script that is not the theme's"))
        elif path.endswith(".pf_fragment"):
            findings += scan_fragment(path, data)
        elif path.endswith(".json"):
            json.loads(data)
        elif path in ("_redirects", "robots.txt", ".digest-output") or path.endswith((".css", ".svg", ".png")):
            if b"alert(1)" in data or b"<script" in data.lower():
                findings.append(Finding(path, "holds script"))
        elif not path.startswith("pagefind/"):
            findings.append(Finding(path, "a file the scan does not know"))
    return findings


def parse_redirects(output: Path) -> dict[str, str]:
    """`_redirects` as {old path: new path}; each line must be two site paths and 301."""
    file = output / "_redirects"
    if not file.exists():
        return {}
    moved: dict[str, str] = {}
    for line in file.read_text(encoding="utf-8").splitlines():
        old, new, status = line.split(" ")
        assert re.fullmatch(r"/[A-Za-z0-9._~/-]*", old) and re.fullmatch(r"/[A-Za-z0-9._~/-]*", new), line
        assert status == "301" and ".." not in old and "//" not in old, line
        moved[old] = new
    return moved


def scan_fragment(path: str, data: bytes) -> list[Finding]:
    """A Pagefind fragment: its text is shown as an excerpt only after pagefind.js escapes `<` and `>`."""
    fragment = json.loads(gzip.decompress(data).removeprefix(b"pagefind_dcd"))
    escaped = fragment["content"].replace("<", "&lt;").replace(">", "&gt;")  # as pagefind.js does
    return scan_html(f"{path} excerpt", escaped).findings


# --------------------------------------------------------------------------------------
# Building


def run_digest(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "digest", *args], cwd=cwd, capture_output=True, text=True,
                          timeout=TIMEOUT, stdin=subprocess.DEVNULL)


def build_copy(tmp_path: Path, extra_config: str = "") -> tuple[Path, Path]:
    """A copy of the hostile site (with more settings), built; (site, output)."""
    site = tmp_path / "site"
    shutil.copytree(FIXTURE, site)
    if extra_config:
        with open(site / "digest.yaml", "a", encoding="utf-8") as config:
            config.write(extra_config)
    output = tmp_path / "out"
    done = run_digest("build", str(site), "--output", str(output), "--no-cache", "--quiet", cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    assert "Traceback" not in done.stderr
    return site, output


@pytest.fixture(scope="module")
def hostile_output(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return build_copy(tmp_path_factory.mktemp("hostile"))[1]


def page(output: Path, path: str) -> PageScanner:
    return scan_html(path, (output / path).read_text(encoding="utf-8"))


def bodies(site: Path) -> dict[str, str]:
    """Each source's body HTML as digest renders it with the site's settings, by source path."""
    config, problems = load_config(site)
    assert problems == []
    found: dict[str, str] = {}
    for source in scan(site)[0]:
        parse = parse_article if source.kind == "article" else parse_term_page
        parsed, problems = parse(source, Path(source.abs_path).read_bytes(), config, config.url_for)
        assert parsed is not None, problems
        found[source.path] = parsed.body_html or ""
    return found


# --------------------------------------------------------------------------------------
# The scanner finds what it is for


UNSAFE_PAGE = """<!doctype html><html><head>
<script type="application/ld+json">{"name": "<b>"}</script>
<script src="/js/search.js"></script><script src="https://evil.example/x.js"></script>
<meta http-equiv="Refresh" content="0; url=javascript:alert(1)">
<base href="/"></head><body>
<script>alert(1)</script>
<img src=x onerror=alert(1)><svg><a xlink:href="javascript:alert(1)">x</a></svg>
<a href=" jav&#x09;ascript:alert(1)">a</a><a href="&#106;avascript:alert(1)">b</a>
<a href="VBScript:msgbox(1)">c</a><form action="data:text/html,x"><button formaction="javascript:x">d</button></form>
<img srcset="/a.png 1x, javascript:alert(1) 2x"><iframe src="/"></iframe><object></object><embed>
<p style="background: url(javascript:alert(1))">e</p>
<a href="jav%09ascript:alert(1)">inert</a><a href="https://example.org/?javascript:alert(1)">inert</a>
</body></html>"""


def test_the_scanner_finds_every_kind_of_script() -> None:
    found = [f.what for f in scan_html("page.html", UNSAFE_PAGE).findings]
    assert found == [
        "JSON-LD holding < or -->",
        "<script src='https://evil.example/x.js'>",
        "<meta http-equiv=refresh content='0; url=javascript:alert(1)'>",
        "<base> element",
        "inline <script> 'alert(1)'",
        "<img onerror=...> event handler",
        "<a xlink:href='javascript:alert(1)'>",
        "<a href=' jav\\tascript:alert(1)'>",
        "<a href='javascript:alert(1)'>",
        "<a href='VBScript:msgbox(1)'>",
        "<form action='data:text/html,x'>",
        "<button formaction='javascript:x'>",
        "<img srcset='/a.png 1x, javascript:alert(1) 2x'>",
        "<iframe> element",
        "<object> element",
        "<embed> element",
        "<p style='background: url(javascript:alert(1))'>",
    ]


def test_the_scanner_checks_feeds_and_redirects() -> None:
    feed = (b'<?xml version="1.0"?><feed xmlns="http://www.w3.org/2005/Atom"><link href="javascript:x"/>'
            b'<entry><content type="html">&lt;img src=x onerror=alert(1)&gt;</content></entry></feed>')
    assert [f.what for f in scan_feed("feed.xml", feed)] == [
        "<link href='javascript:x'>", "feed link 'javascript:x'", "<img onerror=...> event handler"]
    refresh = '<meta http-equiv="refresh" content="0; url=/2015/11/new/">'
    assert scan_html("a.html", refresh, refresh_to="/2015/11/new/").findings == []
    assert scan_html("a.html", refresh, refresh_to="/elsewhere/").findings != []


# --------------------------------------------------------------------------------------
# The hostile site


def test_nothing_in_the_output_runs_script(hostile_output: Path) -> None:
    assert scan_output(hostile_output) == []


def test_the_hostile_text_reaches_every_field_as_text(hostile_output: Path) -> None:
    """The fixture's strings are in the pages, decoded as text: the scan above looked at them."""
    article = page(hostile_output, "2015/11/council-meets/index.html")
    text = article.text()
    for shown in ('<script>alert(1)</script> Council "><img src=x onerror=alert(1)> Meets',  # title
                  "Harbour Watch <script>alert(1)</script>",  # site title
                  "<script>alert(1)</script> Ada Quill",  # a person, named by the term page
                  '"><img src=x onerror=alert(1)> Bram Okafor',  # a person without one
                  '"><svg onload=alert(1)> Harbour dues',  # a topic, with an alias of the term page
                  "<script>alert(1)</script> Quillport Gazette",  # source
                  "<script>alert(1)</script> What was decided",  # a heading
                  "[plain](javascript:alert(1))",  # a refused link stays text
                  "autolink <javascript:alert(1)> and <JAVASCRIPT:alert(1)>",
                  "<iframe src=\"javascript:alert(1)\"></iframe>",  # raw HTML, shown as text
                  "Inline <img src=x onerror=alert(1)> and",
                  "A note <script>alert(1)</script> with [a link](javascript:alert(1))"):  # footnote
        assert shown in text, shown
    for value in ('https://gazette.example.org/a?q="><script>alert(1)</script>',  # source_url
                  '"><img src=x onerror=alert(1)>',  # image_alt
                  '"><svg onload=alert(1)> The council met. <script>alert(1)</script>',  # summary
                  "language-<script>alert(1)</script>",  # a code fence's language
                  "https://example.org/%22onmouseover=%22alert(1)"):
        assert value in article.values, value
    ld = [json.loads("".join(parts)) for values, parts in article.scripts if values.get("type")]
    assert ld[0]["headline"].startswith("<script>alert(1)</script> Council")
    assert ld[0]["isBasedOn"] == 'https://gazette.example.org/a?q="><script>alert(1)</script>'

    person = page(hostile_output, "people/ada-quill/index.html")
    assert '"><img src=x onerror=alert(1)> Chair of the harbour council' in person.text()  # role
    assert "Ada Quill chairs the council. [Her page](javascript:alert(1))" in person.text()  # term body
    assert "<script>alert(1)</script>" in person.values  # term image_alt
    topic = page(hostile_output, "topics/harbour-dues/index.html")
    assert '"><svg onload=alert(1)> Harbour dues' in topic.text()
    assert "Harbour Dues Raised \"><svg onload=alert(1)>" in page(hostile_output, "index.html").text()

    feed = ET.fromstring((hostile_output / "feed.xml").read_bytes())
    titles = [t.text for t in feed.iter(f"{ATOM}title")]
    assert "Harbour Dues Raised \"><svg onload=alert(1)>" in titles
    labels = {c.get("label") for c in feed.iter(f"{ATOM}category")}
    assert "<script>alert(1)</script> Ada Quill" in labels
    assert "/2015/11/old-council-meets/ /2015/11/council-meets/ 301" in (
        hostile_output / "_redirects").read_text(encoding="utf-8")


def test_links_with_script_addresses_are_not_links(hostile_output: Path) -> None:
    """Every link or image address of the article that mentions the script is one of these harmless ones."""
    hrefs: list[str] = []

    class Links(HTMLParser):
        def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
            hrefs.extend(v or "" for k, v in attrs if k in ("href", "src") and tag in ("a", "img"))

    Links().feed((hostile_output / "2015/11/council-meets/index.html").read_text(encoding="utf-8"))
    body = [h for h in hrefs if "alert" in h or "msgbox" in h]
    assert body == ["/people/img-src-x-onerror-alert-1-bram-okafor/",  # a slug made of the name's letters
                    "#scriptalert1script-what-was-decided",  # a heading's id, the same way
                    "jav%09ascript:alert(1)",  # percent-encoded: a relative address, not a scheme
                    "https://example.org/%22onmouseover=%22alert(1)",
                    "/2015/%22onerror=%22alert(1)",  # an image beside the article, that does not exist
                    "/sources/script-alert-1-script-quillport-gazette/",  # its source's page: a slug, the same way
                    'https://gazette.example.org/a?q="><script>alert(1)</script>']  # source_url, escaped


def test_search_excerpts_are_escaped_by_pagefind(hostile_output: Path) -> None:
    """search.js puts a Pagefind excerpt into the page as HTML: Pagefind must escape it first."""
    scripts = sorted((hostile_output / "pagefind").rglob("pagefind.js"))
    if not scripts:
        pytest.skip("the Pagefind binary is not available: no index was made")
    for script in scripts:
        assert 'raw_content=fragment.content.replace(/</g,"&lt;").replace(/>/g,"&gt;")' in script.read_text()
    search_js = (THEME_STATIC / "js" / "search.js").read_text(encoding="utf-8")
    assert search_js.count("innerHTML") == 1 and "excerpt.innerHTML = page.excerpt;" in search_js
    fragments = list((hostile_output / "pagefind").rglob("*.pf_fragment"))
    assert any(b"alert(1)" in gzip.decompress(f.read_bytes()) for f in fragments)


def test_raw_html_passes_through_only_in_bodies(tmp_path: Path) -> None:
    """With `unsafe_html`, a body's raw HTML is kept as written; every other field stays escaped."""
    site, output = build_copy(tmp_path, "markdown: {unsafe_html: true}\n")
    rendered = bodies(site)
    article_body = rendered["content/2015/2015-11-02-council-meets.md"]
    assert "\n<script>alert(1)</script>\n" in article_body
    assert '<a href="javascript:alert(1)">a raw link</a>' in article_body
    assert "[plain](javascript:alert(1))" in article_body  # Markdown links are still refused
    assert scan_html("body", article_body).findings != []
    assert '<script>alert(1)</script>' in rendered["content/people/ada-quill.md"]

    kept = frozenset(body.strip() for body in rendered.values() if body)
    pages = output / "2015/11/council-meets/index.html", output / "people/ada-quill/index.html"
    for file in pages:
        html = file.read_text(encoding="utf-8")
        assert any(body in html for body in kept), file
    feed = scan_feed("feed.xml", (output / "feed.xml").read_bytes())
    assert feed != []  # the site's feed carries the bodies too
    assert scan_output(output, skip_html=kept) == []
    assert "Harbour Watch <script>alert(1)</script>" in page(output, "index.html").text()


# --------------------------------------------------------------------------------------
# Symbolic links out of the site


GOOD_SITE = Path(__file__).resolve().parent / "bad" / "_good" / "site"
LINKS_OUT = [  # (the link, in the site; what it points to, outside; more settings)
    ("content/2015/photo.png", "secret.txt", ""),
    ("content/2015/2015-11-20-elsewhere.md", "article.md", ""),
    ("content/2015/photos", "folder", ""),
    ("static/robots.txt", "secret.txt", ""),
    ("static/assets", "folder", ""),
    ("templates/base.html", "secret.txt", ""),
    ("templates/partials", "folder", ""),
    ("themes/dark", "theme", "theme: dark\n"),
]


def outside_site(tmp_path: Path) -> tuple[Path, Path]:
    """The small good site with a previous output, and a folder beside it with a file, a folder and a theme."""
    site, outside = tmp_path / "site", tmp_path / "outside"
    shutil.copytree(GOOD_SITE, site)
    for folder in ("folder", "theme/templates", "theme/static"):
        (outside / folder).mkdir(parents=True)
    (outside / "secret.txt").write_text("not for publishing\n", encoding="utf-8")
    (outside / "folder" / "secret.png").write_bytes(b"not for publishing\n")
    (outside / "article.md").write_text("---\ntitle: Elsewhere\ndate: 2015-11-20\n---\nText.\n", encoding="utf-8")
    assert run_digest("build", ".", "--quiet", cwd=site).returncode == 0
    return site, outside


def files_of(root: Path) -> dict[str, tuple[bytes, int]]:
    return {p.relative_to(root).as_posix(): (p.read_bytes(), p.stat().st_mtime_ns)
            for p in sorted(root.rglob("*")) if p.is_file()}


@pytest.mark.parametrize(("link", "target", "settings"), LINKS_OUT, ids=[link for link, _, _ in LINKS_OUT])
def test_a_link_out_of_the_site_is_refused(tmp_path: Path, link: str, target: str, settings: str) -> None:
    site, outside = outside_site(tmp_path)
    with open(site / "digest.yaml", "a", encoding="utf-8") as config:
        config.write(settings)
    (site / link).parent.mkdir(parents=True, exist_ok=True)
    (site / link).symlink_to(os.path.relpath(outside / target, (site / link).parent))
    before = files_of(site / "output")

    done = run_digest("build", ".", cwd=site)

    kind = "folder" if (outside / target).is_dir() else "file"
    assert done.stderr == (
        f"{link}: is a symbolic link to a {kind} outside the site\n"
        f"    Copy the {kind} into the site folder instead: a build reads only files inside the site, "
        "and a link may point only there.\n"
        "digest: 1 problem in 1 file. Nothing was written; output/ is unchanged.\n")
    assert done.returncode == 1 and done.stdout == ""
    assert files_of(site / "output") == before
    assert not any(b"not for publishing" in data for data, _ in before.values())


def test_an_absolute_link_out_is_refused_too(tmp_path: Path) -> None:
    site, _ = outside_site(tmp_path)
    (site / "static").mkdir()
    (site / "static" / "passwd").symlink_to("/etc/passwd")
    done = run_digest("build", ".", cwd=site)
    assert done.returncode == 1
    assert done.stderr.startswith("static/passwd: is a symbolic link to a file outside the site\n")


def test_links_inside_the_site_are_followed(tmp_path: Path) -> None:
    """A link to a file or folder elsewhere in the site is read as that file or folder; a loop is walked once."""
    site, _ = outside_site(tmp_path)
    (site / "assets" / "img").mkdir(parents=True)
    (site / "assets" / "img" / "map.png").write_bytes(b"a map\n")
    (site / "static").mkdir()
    (site / "static" / "img").symlink_to("../assets/img")
    (site / "content" / "2015" / "map.png").symlink_to("../../assets/img/map.png")
    (site / "content" / "2015" / "again").symlink_to(".")  # a loop
    done = run_digest("build", ".", cwd=site)
    assert done.returncode == 0, done.stderr
    assert (site / "output" / "img" / "map.png").read_bytes() == b"a map\n"
    assert (site / "output" / "2015" / "map.png").read_bytes() == b"a map\n"
    assert not (site / "output" / "2015" / "again").exists()
