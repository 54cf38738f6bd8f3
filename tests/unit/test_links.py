"""Checking the links of a built site (digest/commands/links.py)."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from digest.commands import links
from digest.commands.links import HINT_FRAGMENT, HINT_MISSING, check_links
from digest.model import UsageError

MakeSite = Callable[..., Path]

# A small built site: the pages and files the links of each case may lead to.
SITE = {
    "index.html": '<h1 id="home">Home</h1>\n',
    "a/index.html": '<meta name="description" content="A">\n<h2 id="x">X</h2>\n<a name="old"></a>\n',
    "café/index.html": '<h2 id="s">S</h2>\n',
    "feed.xml": "<feed/>\n",
    "css/site.css": "body {}\n",
    "img/a.png": "png\n",
    "404.html": "<p>Not found</p>\n",
}
PAGE = "p/index.html"  # the page of each case: its URL is {base_path}p/


def check(make_site: MakeSite, tmp_path: Path, page: str, base_path: str = "/",
          at: str = PAGE) -> list[tuple[int | None, str]]:
    """The (line, message) of each problem `check_links` finds when the site has `page` at `at`."""
    output = make_site({**SITE, at: page}, root=tmp_path / "output")
    problems = check_links(output, base_path)
    assert {p.path for p in problems} <= {at}, "a page without links got a problem"
    return [(p.line, p.message) for p in problems]


NOWHERE = "links to /nobody/, which the site does not have"


@pytest.mark.parametrize(
    ("page", "problems"),
    [
        # links that lead somewhere
        ('<a href="/a/">a</a> <a href="../a/">a</a> <a href="../a/index.html">a</a> <a href="./">me</a>', []),
        ('<a href="">me</a> <a href="?page=2">me</a> <a href="/">home</a> <a href="..">home</a>', []),
        ('<link rel="stylesheet" href="/css/site.css"><img src="../img/a.png" alt="">', []),
        ('<a href="/feed.xml">feed</a> <a href="/feed.xml#x">no fragments in XML</a>', []),
        ('<a href="/a">a folder: servers redirect to /a/</a>', []),
        ('<a href="/a/../a/./">dot segments</a>', []),
        ('<a href="/caf%C3%A9/">café</a> <a href="/café/">café</a> <a href="/caf%C3%A9/#s">s</a>', []),
        ('<a href="/a/?x=1&amp;y=2">a</a>', []),
        ('<a href="#">top</a> <a href="#top">top</a>', []),
        ('<h2 id="here">Here</h2> <a href="#here">here</a> <a href="/p/#here">here</a> <a href="./#here">here</a>',
         []),
        ('<a href="/a/#x">x</a> <a href="/a/#old">a name</a> <a href="../a/index.html#x">x</a>', []),
        ('<h2 id="a b">A</h2> <a href="#a%20b">percent-decoded</a>', []),
        ("<a href='/a/'>single quotes</a> <a href = \"/a/\">spaced</a> <A HREF=\"/a/\">upper case</A>", []),
        # links out of the site are not followed
        ('<a href="https://example.org/nobody/">x</a> <a href="http://example.org/">x</a>', []),
        ('<a href="mailto:a@example.org">x</a> <a href="tel:+441234">x</a> <a href="javascript:void(0)">x</a>', []),
        ('<img src="data:image/png;base64,AAAA" alt=""> <script src="//cdn.example.org/x.js"></script>', []),
        # what is not an attribute is not a link
        ('<!-- <a href="/nobody/">commented out</a> -->', []),
        ('<script>document.write(\'<a href="/nobody/">\');</script>', []),
        ('<style>a[href="/nobody/"] { color: red }</style>', []),
        ('<pre><code>&lt;a href=&quot;/nobody/&quot;&gt;</code></pre>', []),
        ("<p>Write href='/nobody/' in the template.</p>", []),
        ('<a data-href="/nobody/">x</a>', []),
        ('<style-guide><a href="/nobody/">an element named like style</a></style-guide>', [(1, NOWHERE)]),
        # links that lead nowhere
        ('<a href="/nobody/">x</a>', [(1, NOWHERE)]),
        ('<a href="../nobody/">x</a>', [(1, "links to ../nobody/ (/nobody/), which the site does not have")]),
        ('<a href="/nobody/?x=1&amp;y=2">x</a>', [(1, "links to /nobody/?x=1&y=2, which the site does not have")]),
        ("<a href='/nobody/'>x</a>", [(1, NOWHERE)]),
        ('<A HREF="/nobody/">x</A>', [(1, NOWHERE)]),
        ('<script src="/js/site.js"></script>', [(1, "links to /js/site.js, which the site does not have")]),
        ('<img src="/img/a.png" srcset="/img/a.png 1x, /img/b.png 2x" alt="">',
         [(1, "links to /img/b.png, which the site does not have")]),
        ('<a href="/caf%C3%A9/menu/">x</a>',
         [(1, "links to /caf%C3%A9/menu/ (/café/menu/), which the site does not have")]),
        ('<a href="/a/index.htm">x</a>', [(1, "links to /a/index.htm, which the site does not have")]),
        # fragments that name no element
        ('<a href="#x">x</a>', [(1, 'links to #x on this page, which has no element with id="x"')]),
        ('<a href="/a/#nope">x</a>', [(1, 'links to #nope on /a/, which has no element with id="nope"')]),
        ('<a href="../a/#nope">x</a>', [(1, 'links to #nope on /a/, which has no element with id="nope"')]),
        ('<a href="/a/#description">a meta name is no target</a>',
         [(1, 'links to #description on /a/, which has no element with id="description"')]),
        ('<!-- <h2 id="gone">Gone</h2> --> <a href="#gone">x</a>',
         [(1, 'links to #gone on this page, which has no element with id="gone"')]),
        # one problem for each place a page links to, at its first line
        ('<a href="/nobody/">x</a>\n<a href="/nobody/">x</a>\n<a href="../nobody/">x</a>\n<a href="/nobody">x</a>',
         [(1, NOWHERE), (4, "links to /nobody, which the site does not have")]),
        ('<a href="#x">x</a>\n<a href="./#x">x</a>', [(1, 'links to #x on this page, which has no element with id="x"')]),
        # lines are counted from 1, and problems sorted by them
        ('<!doctype html>\n<title>p</title>\n<p>\n  <a class="c"\n     href="/b/">b</a>\n<a href="/nobody/">x</a>\n',
         [(5, "links to /b/, which the site does not have"), (6, NOWHERE)]),
        ('<!--\n<a href="/c/">\n-->\n<script>\n"<a href=/d/>"\n</script>\n<a href="/nobody/">x</a>',
         [(7, NOWHERE)]),
    ],
)
def test_links(make_site: MakeSite, tmp_path: Path, page: str, problems: list[tuple[int, str]]) -> None:
    assert check(make_site, tmp_path, page) == problems


@pytest.mark.parametrize(
    ("page", "at", "problems"),
    [
        ('<a href="/news/a/">a</a> <a href="/news/">home</a> <a href="/news">home</a> <a href="../a/">a</a>',
         PAGE, []),
        ('<a href="/news/a/#x">x</a> <a href="/news/caf%C3%A9/">café</a> <a href="/news/feed.xml">feed</a>', PAGE, []),
        ('<a href="/a/">a</a>', PAGE, [(1, "links to /a/, which is outside the site's base path /news/")]),
        ('<a href="../../a/">a</a>',
         PAGE, [(1, "links to ../../a/ (/a/), which is outside the site's base path /news/")]),
        ('<a href="/news/nobody/">x</a>', PAGE, [(1, "links to /news/nobody/, which the site does not have")]),
        ('<a href="/news/a/#nope">x</a>',
         PAGE, [(1, 'links to #nope on /news/a/, which has no element with id="nope"')]),
        # 404.html is served at /news/404.html: its relative links start from /news/
        ('<a href="a/">a</a> <a href="./">home</a>', "404.html", []),
        ('<a href="nobody/">x</a>', "404.html", [(1, "links to nobody/ (/news/nobody/), which the site does not have")]),
    ],
)
def test_links_under_a_base_path(make_site: MakeSite, tmp_path: Path, page: str, at: str,
                                 problems: list[tuple[int, str]]) -> None:
    assert check(make_site, tmp_path, page, "/news/", at) == problems


@pytest.mark.parametrize("base_path", ["/news/", "/news", "news/", "news"])
def test_the_base_path_may_be_written_without_its_slashes(make_site: MakeSite, tmp_path: Path,
                                                          base_path: str) -> None:
    assert check(make_site, tmp_path, '<a href="/news/a/">a</a> <a href="/a/">a</a>', base_path) == [
        (1, "links to /a/, which is outside the site's base path /news/")]


def test_a_problem_names_the_page_and_says_what_to_do(make_site: MakeSite, tmp_path: Path) -> None:
    output = make_site({**SITE, "people/x/index.html": '<a href="/people/nobody/">x</a>\n<a href="#bio">bio</a>'},
                       root=tmp_path / "output")
    assert [str(p) for p in check_links(output)] == [
        "people/x/index.html:1: links to /people/nobody/, which the site does not have\n    " + HINT_MISSING,
        'people/x/index.html:2: links to #bio on this page, which has no element with id="bio"\n    ' + HINT_FRAGMENT,
    ]
    assert HINT_MISSING == ("Fix the link in the article or template that writes it, or add what it points to; "
                            "then `digest build` and `digest check` again.")


def test_problems_are_sorted_by_page_then_line(make_site: MakeSite, tmp_path: Path) -> None:
    output = make_site({**SITE, "b/index.html": '<p>b</p>\n<a href="/x/">x</a>\n<a href="/a/#y">y</a>',
                        "a/y/index.html": '<a href="/b/#z">z</a>\n\n<a href="/w/">w</a>'}, root=tmp_path / "output")
    assert [(p.path, p.line) for p in check_links(output)] == [
        ("a/y/index.html", 1), ("a/y/index.html", 3), ("b/index.html", 2), ("b/index.html", 3)]


def test_dot_folders_and_dotfiles_are_neither_checked_nor_linked_to(make_site: MakeSite, tmp_path: Path) -> None:
    output = make_site({**SITE, ".digest-staging/a.html": '<a href="/nobody/">x</a>',
                        ".hidden.html": '<a href="/nobody/">x</a>', ".well-known/x.txt": "x\n",
                        PAGE: '<a href="/.well-known/x.txt">x</a>'}, root=tmp_path / "output")
    assert [(p.path, p.message) for p in check_links(output)] == [
        (PAGE, "links to /.well-known/x.txt, which the site does not have")]


def test_odd_html_is_read_without_failing(tmp_path: Path) -> None:
    output = tmp_path / "output"
    output.mkdir()
    (output / "index.html").write_bytes(b'\xff\xfe<a href="/caf\xe9/">x</a>\x00\n<p id=\'home\'>\n<a href="#home">'
                                        b'<a href="/nobody/')
    (output / "a.html").write_bytes(b'<a href="#x"><!-- <a href="/b/">')
    (output / "b.html").write_bytes(b'<a href=/unquoted/>not seen</a><a href="http://[::1">x</a><a href="\t/a.html">')
    assert [(p.path, p.line, p.message) for p in check_links(output)] == [
        ("a.html", 1, 'links to #x on this page, which has no element with id="x"'),
        ("index.html", 1, "links to /caf\ufffd/, which the site does not have"),
        ("index.html", 3, "links to /nobody/, which the site does not have"),
    ]


def test_a_missing_output_folder_is_a_usage_error(tmp_path: Path) -> None:
    with pytest.raises(UsageError, match="no built site here"):
        check_links(tmp_path / "output")


def test_two_processes_find_what_one_finds(make_site: MakeSite, tmp_path: Path,
                                           monkeypatch: pytest.MonkeyPatch) -> None:
    count = 500
    pages = {f"{n}/index.html": (f'<h2 id="h{n}">{n}</h2>\n<a href="/{(n + 1) % count}/#h{(n + 1) % count}">next</a>\n'
                                 f'<a href="../{(n + 2) % count}/#h{n}">wrong fragment</a>\n<a href="#h{n}">me</a>\n'
                                 + (f'<a href="/gone/{n // 2}/">gone</a>\n' if n % 7 == 0 else ""))
             for n in range(count)}
    output = make_site(pages, root=tmp_path / "output")
    monkeypatch.setattr(links, "MIN_PARALLEL_CHECK", 100)  # 500 pages are too few to use workers otherwise
    one = check_links(output, jobs=1)
    assert len(one) == count + len(range(0, count, 7))
    assert one[:2] == [p for p in one if p.path == "0/index.html"]
    assert [(p.line, p.message) for p in one[:2]] == [
        (3, 'links to #h0 on /2/, which has no element with id="h0"'),
        (5, "links to /gone/0/, which the site does not have")]
    assert check_links(output, jobs=2) == one
