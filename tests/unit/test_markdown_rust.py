"""The Rust parser's path (digest/read/markdown_rust.py) renders what markdown-it-py renders, byte for byte.

Every body it takes is rendered both ways and compared whole: HTML, table of contents, first
paragraph, web links and their lines. The bodies: every Markdown file of the repository (the
example digest, the fixtures, the bad sites), bodies generated from the constructs where the two
parsers could part, and (test_corpus.py) the generated corpus. Each test also counts what the
Rust path took, so that it cannot pass by taking nothing.
"""

from __future__ import annotations

import random
from pathlib import Path

import pytest

from digest.model import MarkdownOptions
from digest.read import markdown_rust
from digest.read.markdown import RenderedMarkdown, render_markdown, render_python
from digest.read.markdown_rust import render_rust

REPO = Path(__file__).resolve().parents[2]
OPTIONS = (MarkdownOptions(), MarkdownOptions(toc_levels=(1, 6)), MarkdownOptions(highlight=False, toc_levels=(3, 4)))


def body_of(path: Path) -> str:
    """A Markdown file's body: what follows its front matter, if it has one."""
    text = path.read_text(encoding="utf-8", errors="replace")
    if text.startswith("---\n") and "\n---\n" in text[3:]:
        return text[3:].split("\n---\n", 1)[1]
    return text


def same_both_ways(texts: list[str]) -> tuple[int, list[str]]:
    """How many (body, options) the Rust path took, and those it rendered otherwise than markdown-it-py."""
    took, differ = 0, []
    for text in texts:
        for options in OPTIONS:
            if render_rust(text, options) is None:
                continue
            took += 1
            if render_markdown(text, options) != render_python(text, options):
                differ.append(text)
    return took, differ


def test_every_markdown_file_of_the_repository() -> None:
    paths = [path for path in REPO.rglob("*.md") if ".venv" not in path.parts and "output" not in path.parts]
    texts = [body_of(path) for path in paths]
    took, differ = same_both_ways(texts)
    assert differ == []
    assert len(paths) > 150 and took > 0.8 * len(OPTIONS) * len(paths)


def test_the_example_digest_is_rendered_by_the_rust_parser_but_a_footnote() -> None:
    bodies = [body_of(path) for path in (REPO / "content").rglob("*.md")]
    left = [body for body in bodies if render_rust(body, MarkdownOptions()) is None]
    assert len(bodies) > 20 and len(left) == 1 and "[^1]" in left[0]


# what generated bodies are made of: the constructs where the parsers could part, and plain prose
INLINE = ["word", "Ünïcode Støre", "東京", "*em*", "**strong**", "_u_", "__uu__", "`code`", "`` a`b ``", "a_b_c",
          "[l](https://ex.org/a)", "[l](http://EX.org/A?b=1#c)", "[l](<https://ex.org/a b>)", "[l](https://ex.org/(x))",
          "[l](https://ex.org/ü)", "[l](//host.org/p)", "[l](mailto:a@b.org)", "<https://auto.org/x>", "<mailto:a@b.c>",
          "[t](https://t.org \"Title & 'q'\")", "[ref]", "[ref][]", "[Ref Two][r2]", "[x][nope]", "&amp;", "&copy;",
          "&#35;", "&bogus;", "\\*", "\\#", "<b>bold</b>", "a < b > c", "\"quotes\"", "it's", "(c)", "  \n", "\\\n",
          "\n", "\t", "a\u00a0b", "x \u00a0", "https://bare.org", "*a **b** c*", "**a*", "[x](javascript:x(1))",
          "[**bold link** `c`](https://b.org)", "[](https://empty.org)", "1.5", "#hash", "a|b", "plain words here",
          "more text"]
HEADINGS = ["Intro", "Intro", "Top", "top", "fn1", "d-x", "What? Now!", "", "`code` head", "*em* head",
            "[l](https://h.org) h", "Ünïcode Straße", "a & b", "&amp; x", "\\# esc", "h ###", "Intro 1", "!!!", "x_y"]


def inline(rng: random.Random, words: int) -> str:
    return "".join(rng.choice(INLINE) + rng.choice(["", " ", " ", "\n"]) for _ in range(words)).strip("\n") or "x"


def block(rng: random.Random) -> str:
    kind = rng.randrange(13)
    if kind == 0:
        return "#" * rng.randint(1, 7) + " " + rng.choice(HEADINGS) + rng.choice(["", " #"])
    if kind == 1:
        return rng.choice(HEADINGS) + "\n" + rng.choice(["===", "---", "-- "])
    if kind == 2:
        return "\n".join(rng.choice(["- ", "* ", "1. ", "2) "]) + inline(rng, 3).replace("\n", "\n  ")
                         for _ in range(rng.randint(1, 4)))
    if kind == 3:
        return "- " + inline(rng, 2) + "\n\n  " + inline(rng, 2) + "\n- " + inline(rng, 1) + "\n  - [n](https://n.org)"
    if kind == 4:
        return "> " + inline(rng, 4).replace("\n", "\n> ") + ("\n>\n> ## " + rng.choice(HEADINGS))
    if kind == 5:
        columns = rng.randint(1, 3)
        rows = ["| " + " | ".join(rng.choice(INLINE).replace("\n", " ").replace("|", "\\|") for _ in range(columns))
                + " |" for _ in range(rng.randint(1, 3))]
        return ("| " + " | ".join("h" * columns) + " |\n|" + "|".join(rng.choice(["---", ":--", "--:", ":-:"])
                                                                     for _ in range(columns)) + "|\n" + "\n".join(rows))
    if kind == 6:
        fence = rng.choice(["```", "~~~", "````"])
        info = rng.choice(["", "py", "python", "js x=1", "  bash  ", "nonesuch", "py\t{.a}", "c++", "a\\_b", "a&amp;b"])
        return fence + info + "\n" + rng.choice(["x = 1 < 2\n", "def f():\n    return '&'\n", "", "a\n\n\nb\n"]) + fence
    if kind == 7:
        return "    " + rng.choice(["code <x>", "a\n    b", "x &amp;"])
    if kind == 8:
        return rng.choice(["***", "---", "___", "* * *"])
    if kind == 9:
        return rng.choice(["[ref]: https://ref.org", "[r2]: <https://r2.org/a b> 'T'", "[Ref Two]: /local"])
    if kind == 10:
        return "1. " + inline(rng, 2) + "\n\n   ```py\n   x\n   ```\n2. " + inline(rng, 1)
    return inline(rng, rng.randint(1, 8))


def test_generated_bodies() -> None:
    texts = []
    for seed in range(1500):
        rng = random.Random(seed)
        texts.append("\n\n".join(block(rng) for _ in range(rng.randint(1, 8))) + rng.choice(["", "\n"]))
    took, differ = same_both_ways(texts)
    assert differ == []
    assert took > 0.4 * len(OPTIONS) * len(texts)


def test_generated_inline_runs_of_delimiters() -> None:
    """Stars, underscores, backticks and brackets strung at random: where emphasis and code spans are hardest."""
    tokens = ["a", "word", " ", " ", "*", "**", "_", "__", "***", ".", ",", "(", ")", "\"", "-", "`", "``", "[", "]",
              "(https://x.org)", "\n", "\n\n", "Ü", "1", "\\*", "&amp;", "#", "> ", "- ", "<"]
    texts = ["".join(random.Random(seed).choice(tokens) for _ in range(random.Random(-seed).randint(3, 40)))
             for seed in range(6000)]
    took, differ = same_both_ways(texts)
    assert differ == []
    assert took > 1000


@pytest.mark.parametrize("text", [
    "Text[^1].\n\n[^1]: A footnote.",  # footnotes: mdit-py-plugins' markup
    "![A photo](photo.jpg)",  # images: their addresses are resolved, and they load lazily
    "[a](https://ü.example/)",  # markdown-it-py writes the host name in punycode
    "<https://example.org/%C3%BC>",  # and an autolink's text decoded
    "~~gone~~", "`   `", "a*b*c", "***a*", "😀**a**", "- a\n-\n- b", ">\n", "a \u00a0b", "a\u2003b", "```\nleft open",
    "[`x", "[a `b", "a \\` b",  # a code span left open: markdown-it-pyrs 0.4.0 panics on the first two
    "".join("  " * depth + "- item\n" for depth in range(14)),  # nested deeper than markdown-it-py nests
    "[" * 21 + "a" + "](https://x.org)" * 21,
])
def test_what_the_rust_parser_leaves_to_markdown_it_py(text: str) -> None:
    assert render_rust(text, MarkdownOptions()) is None
    assert render_markdown(text, MarkdownOptions()) == render_python(text, MarkdownOptions())


@pytest.mark.parametrize("text", ["## First\n\nText.", "```py\nx = 1\n```", "    code\n\n## After", "Text.\n\n### Last"])
def test_headings_and_code_anywhere_are_the_rust_parsers(text: str) -> None:
    options = MarkdownOptions(toc_levels=(1, 6))
    assert render_rust(text, options) is not None and render_markdown(text, options) == render_python(text, options)


def test_a_line_of_backticks_with_a_backtick_after_them_opens_no_fence() -> None:
    """"```x`y" is a paragraph (a backtick fence's info holds no backtick): its runs count as code spans."""
    assert markdown_rust._code_left_open("```x`y\n[`z")
    assert not markdown_rust._code_left_open("```x\n[`z\n```")


def test_raw_html_let_through_is_left_to_markdown_it_py() -> None:
    assert render_rust("Some <b>bold</b> text.", MarkdownOptions(unsafe_html=True)) is None
    assert render_rust("Some <b>bold</b> text.", MarkdownOptions()) is not None


def test_what_it_reads_from_the_tree() -> None:
    text = ("Intro with [a](https://a.org/) and\n*more* [b](http://b.org/x)\n\n## Intro\n\n## Intro\n\n"
            "- one\n- two [c](https://c.org/)\n\n| x | y |\n|---|--:|\n| [d](https://d.org/) | 2 |\n\n"
            "```python\nprint(1)\n```\n\n## `code` & *words*\n")
    rendered = render_markdown(text, MarkdownOptions())
    assert render_rust(text, MarkdownOptions()) is not None
    assert rendered == render_python(text, MarkdownOptions())
    assert [entry.id for entry in rendered.toc] == ["intro", "intro-1", "code-words"]
    assert rendered.toc[2].title == "code & words" and rendered.first_paragraph == "Intro with a and more b"
    assert rendered.links == (("https://a.org/", 0), ("http://b.org/x", 1), ("https://c.org/", 8),
                              ("https://d.org/", 12))
    assert ('<pre class="highlight" tabindex="0"><code class="language-python"><span class="nb">print</span>'
            in rendered.html)


def test_nesting_up_to_where_markdown_it_py_stops() -> None:
    texts = [text for depth in range(1, 40) for text in (
        "> " * depth + "deep", "".join("  " * level + "- item\n" for level in range(depth)), "> - " * depth + "x",
        "*a " * depth + "b" + "*" * depth, "[" * depth + "a" + "](https://x.org)" * depth, "[a " * depth + "]" * depth)]
    took, differ = same_both_ways(texts)
    assert differ == [] and took > 120


def test_the_lines_of_many_links_are_counted_once() -> None:
    """Each link's line counts on from the last one's: a body of 50,000 links takes no quadratic time."""
    text = "".join(f"Line {n} [link](https://example.org/{n})\n\n" for n in range(50_000))
    rendered = render_rust(text, MarkdownOptions())
    assert rendered is not None and rendered[3][-1] == ("https://example.org/49999", 99_998)


def test_a_panic_of_the_rust_parser_falls_back(monkeypatch: pytest.MonkeyPatch) -> None:
    parser = markdown_rust._rust_parser()
    try:
        parser.tree("[`x")
    except BaseException as error:  # noqa: B036 (pyo3's PanicException derives from BaseException)
        panic = type(error)
    else:
        pytest.skip("this markdown-it-pyrs does not panic on a code span left open")

    class Panicking:
        def tree(self, text: str) -> None:
            raise panic("index out of bounds")

    monkeypatch.setattr(markdown_rust, "_rust_parser", Panicking)
    assert render_rust("Plain words.", MarkdownOptions()) is None
    assert render_markdown("Plain words.", MarkdownOptions()).html == "<p>Plain words.</p>\n"


def test_without_markdown_it_pyrs_markdown_it_py_renders_everything(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(markdown_rust, "_rust_parser", lambda: None)
    rendered = render_markdown("## A heading\n\nText.", MarkdownOptions())
    assert isinstance(rendered, RenderedMarkdown)
    assert rendered.html == '<h2 id="a-heading">A heading</h2>\n<p>Text.</p>\n'
