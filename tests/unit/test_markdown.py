"""Markdown bodies → HTML, headings, summary text and word count (digest/read/markdown.py)."""

from __future__ import annotations

import pytest

from digest.read.markdown import heading_id, render_markdown, resolve_relative
from digest.model import MarkdownOptions, TocEntry

DEFAULT = MarkdownOptions()
UNSAFE = MarkdownOptions(unsafe_html=True)


def html(text: str, options: MarkdownOptions = DEFAULT) -> str:
    return render_markdown(text, options).html


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Hello *world*.", "<p>Hello <em>world</em>.</p>\n"),
        ("**strong** and `code`", "<p><strong>strong</strong> and <code>code</code></p>\n"),
        ("One\n\nTwo", "<p>One</p>\n<p>Two</p>\n"),
        ("# Title", "<h1>Title</h1>\n"),
        ("- a\n- b", "<ul>\n<li>a</li>\n<li>b</li>\n</ul>\n"),
        ("1. a\n2. b", "<ol>\n<li>a</li>\n<li>b</li>\n</ol>\n"),
        ("> quoted", "<blockquote>\n<p>quoted</p>\n</blockquote>\n"),
        ("[a link](https://example.org/)", '<p><a href="https://example.org/">a link</a></p>\n'),
        ("<https://example.org/>", '<p><a href="https://example.org/">https://example.org/</a></p>\n'),
        ("a  \nb", "<p>a<br />\nb</p>\n"),
        ("***", "<hr />\n"),
        ("AT&T & 5 < 6", "<p>AT&amp;T &amp; 5 &lt; 6</p>\n"),
        ("~~gone~~", "<p><s>gone</s></p>\n"),
        ("| a | b |\n|---|---|\n| 1 | 2 |",
         "<table>\n<thead>\n<tr>\n<th>a</th>\n<th>b</th>\n</tr>\n</thead>\n"
         "<tbody>\n<tr>\n<td>1</td>\n<td>2</td>\n</tr>\n</tbody>\n</table>\n"),
        ("", ""),
    ],
)
def test_commonmark_and_extensions(text: str, expected: str) -> None:
    assert html(text) == expected


def test_footnotes() -> None:
    body = html("Text[^1].\n\n[^1]: The note.\n")
    assert '<sup class="footnote-ref"><a href="#fn1" id="fnref1">[1]</a></sup>' in body
    assert '<li id="fn1" class="footnote-item"><p>The note. <a href="#fnref1" class="footnote-backref">' in body


# ---------------------------------------------------------------------------
# headings and the table of contents


@pytest.mark.parametrize(
    ("text", "heading_id_"),
    [
        ("What comes next?", "what-comes-next"),
        ("Paris talks", "paris-talks"),
        ("  Spaces   around  ", "spaces-around"),
        ("2015: A year", "2015-a-year"),
        ("Ünïcode Title!", "ünïcode-title"),
        ("A - B", "a-b"),
        ("?!", "section"),
        ("Top", "h-top"),  # ids the theme and the footnotes use
        ("top", "h-top"),
        ("fn1", "h-fn1"),
        ("fnref2", "h-fnref2"),
        ("D-Day", "h-d-day"),
        ("Top stories", "top-stories"),
        ("fn", "fn"),
    ],
)
def test_heading_id(text: str, heading_id_: str) -> None:
    assert heading_id(text) == heading_id_


def test_levels_two_and_three_get_ids_and_toc_entries() -> None:
    rendered = render_markdown("# Title\n\n## Intro\n\n### The *talks*\n\n#### Deep\n\n## Outlook\n", DEFAULT)
    assert rendered.html == (
        '<h1>Title</h1>\n<h2 id="intro">Intro</h2>\n<h3 id="the-talks">The <em>talks</em></h3>\n'
        '<h4>Deep</h4>\n<h2 id="outlook">Outlook</h2>\n')
    assert rendered.toc == (
        TocEntry(level=2, id="intro", title="Intro"),
        TocEntry(level=3, id="the-talks", title="The talks"),
        TocEntry(level=2, id="outlook", title="Outlook"),
    )


def test_toc_levels_option() -> None:
    rendered = render_markdown("# Title\n\n## Intro\n\n#### Deep\n", MarkdownOptions(toc_levels=(1, 4)))
    assert [(e.level, e.id) for e in rendered.toc] == [(1, "title"), (2, "intro"), (4, "deep")]


def test_duplicate_headings_get_unique_ids() -> None:
    rendered = render_markdown("## Intro\n\n## Intro\n\n## Intro 1\n\n## Top\n\n## Top\n", DEFAULT)
    ids = [entry.id for entry in rendered.toc]
    assert ids == ["intro", "intro-1", "intro-1-1", "h-top", "h-top-1"]
    assert len(set(ids)) == len(ids)


def test_a_footnote_and_a_heading_named_like_it_do_not_clash() -> None:
    body = html("## fn1\n\nText[^1].\n\n[^1]: Note.\n")
    assert '<h2 id="h-fn1">fn1</h2>' in body
    assert body.count('id="fn1"') == 1


# ---------------------------------------------------------------------------
# code


def test_fenced_code_is_highlighted_into_css_classes() -> None:
    assert html("```python\nprint('hi')\n```\n") == (
        '<pre class="highlight" tabindex="0"><code class="language-python">'
        '<span class="nb">print</span><span class="p">(</span><span class="s1">\'hi\'</span>'
        '<span class="p">)</span>\n</code></pre>\n\n')


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("```nosuchlanguage\n<b>x</b>\n```\n",
         '<pre class="highlight" tabindex="0"><code class="language-nosuchlanguage">&lt;b&gt;x&lt;/b&gt;\n'
         "</code></pre>\n\n"),
        ("```\n<b>x</b>\n```\n",
         '<pre class="highlight" tabindex="0"><code>&lt;b&gt;x&lt;/b&gt;\n</code></pre>\n\n'),
        ("    indented <b>\n",
         '<pre class="highlight" tabindex="0"><code>indented &lt;b&gt;\n</code></pre>\n'),
        ('```"><script>\nx\n```\n',
         '<pre class="highlight" tabindex="0"><code class="language-&quot;&gt;&lt;script&gt;">x\n</code></pre>\n\n'),
    ],
)
def test_code_that_is_not_highlighted_is_escaped(text: str, expected: str) -> None:
    assert html(text) == expected


def test_every_code_block_is_reachable_from_the_keyboard() -> None:
    body = html("```python\nx = 1\n```\n\n```\ny\n```\n\n    z\n")
    assert body.count("<pre") == 3
    assert body.count('<pre class="highlight" tabindex="0">') == 3


def test_highlight_off() -> None:
    assert html("```python\nprint('hi')\n```\n", MarkdownOptions(highlight=False)) == (
        '<pre class="highlight" tabindex="0"><code class="language-python">print(&#x27;hi&#x27;)\n'
        "</code></pre>\n\n")


# ---------------------------------------------------------------------------
# raw HTML and links


@pytest.mark.parametrize(
    ("text", "escaped", "passed"),
    [
        ("<script>alert(1)</script>\n",
         "<p>&lt;script&gt;alert(1)&lt;/script&gt;</p>\n", "<script>alert(1)</script>\n"),
        ("A <b>bold</b> word.",
         "<p>A &lt;b&gt;bold&lt;/b&gt; word.</p>\n", "<p>A <b>bold</b> word.</p>\n"),
        ("<div>\nblock\n</div>\n",
         "<p>&lt;div&gt;\nblock\n&lt;/div&gt;</p>\n", "<div>\nblock\n</div>\n"),
    ],
)
def test_raw_html_is_escaped_unless_unsafe_html(text: str, escaped: str, passed: str) -> None:
    assert html(text) == escaped
    assert html(text, UNSAFE) == passed


@pytest.mark.parametrize(
    "link",
    ["[x](javascript:alert(1))", "[x](JAVASCRIPT:alert(1))", "[x](vbscript:msgbox)", "[x](file:///etc/passwd)",
     "[x](data:text/html;base64,PHNjcmlwdD4=)"],
)
def test_dangerous_links_are_not_linked(link: str) -> None:
    for options in (DEFAULT, UNSAFE):
        body = html(link, options)
        assert "<a" not in body
        assert "href" not in body


# ---------------------------------------------------------------------------
# first paragraph and word count


@pytest.mark.parametrize(
    ("text", "first"),
    [
        ("Hello *world*.\n\nSecond.", "Hello world."),
        ("A [link *with* emphasis](https://x.org) and `code` and **strong**.\nNext line.",
         "A link with emphasis and code and strong. Next line."),
        ("# Heading\n\nThe text.", "The text."),
        ("> A quote.\n\nThe text.", "The text."),  # a quotation is not the article's first paragraph
        ("- an item\n\nThe text.", "The text."),
        ("Text[^1].\n\n[^1]: A note.", "Text."),
        ("An ![image alt](a.jpg) inside.", "An image alt inside."),
        ("AT&amp;T &lt;3", "AT&T <3"),  # plain text: entities decoded, escaping is the template's job
        ("| a |\n|---|\n| 1 |", ""),
        ("", ""),
    ],
)
def test_first_paragraph_is_plain_text(text: str, first: str) -> None:
    assert render_markdown(text, DEFAULT).first_paragraph == first


@pytest.mark.parametrize(
    ("text", "words"),
    [
        ("Hello *world*.\n\nSecond para.", 4),
        ("It's a well-known fact.", 4),  # apostrophes and hyphens join words
        ("Ya’alon met Putin.", 3),
        ("## Heading words\n\nBody.", 3),
        ("```python\nprint('not counted')\n```\n", 0),  # code is not prose
        ("Text[^1].\n\n[^1]: The note is not counted.", 1),
        ("One — two.", 2),
        ("", 0),
    ],
)
def test_word_count(text: str, words: int) -> None:
    assert render_markdown(text, DEFAULT).words == words


def test_word_count_is_its_definition_in_regular_expressions() -> None:
    """count_words' shortcuts (link targets alone where nothing else is left out, words by their first letter)
    count what one substitution and one pattern count."""
    import random
    import re

    from digest.read.markdown import _LINK_TARGET, count_words

    def by_definition(text: str) -> int:
        text = _LINK_TARGET.sub(" ", text)
        return len(text.split()) - len(re.findall(r"(?<!\S)[^\w\s]+(?!\S)", text))

    pieces = ["a", "bé", " ", "\n", "-", "*", "_", "_x", "`", "```", "<", ">", "[", "]", "(", ")", "](", "[^", "^", ":",
              "\t", "    ", "1", "²", "\"", "|", "#", "!", ".", "\u00a0", "\u2003", "\x1c", "[x](https://a.org/b \"t\")"]
    rng = random.Random(3)
    texts = ["".join(rng.choice(pieces) for _ in range(rng.randint(0, 60))) for _ in range(20000)]
    assert [count_words(text) for text in texts] == [by_definition(text) for text in texts]


# ---------------------------------------------------------------------------
# images


@pytest.mark.parametrize(
    ("directory", "src", "resolved"),
    [
        ("2015", "photos/putin.jpg", "/2015/photos/putin.jpg"),
        ("2015/11", "map.png", "/2015/11/map.png"),
        ("2015/11", "./map.png", "/2015/11/map.png"),
        ("2015/11", "../map.png", "/2015/map.png"),
        ("2015/11", "../../map.png", "/map.png"),
        ("", "map.png", "/map.png"),
        ("2015", "photos/putin.jpg?v=2#top", "/2015/photos/putin.jpg"),
        ("2015", "../../etc/passwd", None),
        ("", "../map.png", None),
        ("2015", "..", None),
        ("level 00/Über Ordner", "chart%20%C3%A9.png", "/level%2000/%C3%9Cber%20Ordner/chart%20%C3%A9.png"),
        ("issue #5?", "map.png", "/issue%20%235%3F/map.png"),
    ],
)
def test_resolve_relative(directory: str, src: str, resolved: str | None) -> None:
    assert resolve_relative(directory, src) == resolved


@pytest.mark.parametrize(
    ("src", "shown"),
    [
        ("photos/putin.jpg", "/news/2015/photos/putin.jpg"),  # relative: resolved, then under the base path
        ("https://example.org/a.png", "https://example.org/a.png"),
        ("/abs.png", "/abs.png"),
        ("data:image/png;base64,AAAA", "data:image/png;base64,AAAA"),
    ],
)
def test_images(src: str, shown: str) -> None:
    rendered = render_markdown(f"![Alt]({src})", DEFAULT, "2015", lambda url: "/news" + url)
    assert rendered.html == f'<p><img src="{shown}" alt="Alt" loading="lazy" /></p>\n'
    assert rendered.bad_links == ()


def test_images_that_leave_content_are_bad_links() -> None:
    rendered = render_markdown("![a](../../../etc/passwd) ![b](ok.jpg) ![c](../../x.png)", DEFAULT, "2015")
    assert rendered.bad_links == ("../../../etc/passwd", "../../x.png")
    assert '<img src="/2015/ok.jpg" alt="b" loading="lazy" />' in rendered.html
