"""The example digest's newsletters, as a mail client receives them: `editions/N/email.html` and `email.txt`.

The example site (digest.yaml and content/ of the repository) is built once into a temporary
folder. Every edition's `email.html` must be safe to send (no script, stylesheet link, frame or
form), read away from the site (every address absolute), styled only by the theme's
`email.css` written into `style` attributes (only its `@media` rules left in a `<style>` in the
head), no wider than 600 px, with a hidden preheader and a link to its web version. Its
`email.txt` twin is wrapped at 72 columns and lists every article as a numbered note.
"""

from __future__ import annotations

import html
import re
from dataclasses import dataclass
from html.parser import HTMLParser
from pathlib import Path

import pytest

REPO_ROOT = Path(__file__).resolve().parent.parent
TEMPLATES = REPO_ROOT / "themes" / "default" / "templates"
TEXT_WIDTH = 72
ALLOWED_SCHEMES = ("https://", "mailto:")


def _base_url() -> str:
    match = re.search(r"^base_url:\s*['\"]?([^'\"\s#]+)", (REPO_ROOT / "digest.yaml").read_text(encoding="utf-8"),
                      re.MULTILINE)
    assert match, "digest.yaml has no base_url"
    return match.group(1).rstrip("/") + "/"


BASE_URL = _base_url()  # https://digest.example.org/


# --------------------------------------------------------------------------------------
# The build


@pytest.fixture(scope="module")
def output(example_output: Path) -> Path:
    return example_output


@pytest.fixture(scope="module")
def emails(output: Path) -> list[Path]:
    """Every `editions/N/email.html`, in edition order."""
    found = sorted(output.glob("editions/*/email.html"), key=lambda p: int(p.parent.name))
    numbers = [p.parent.name for p in found]
    assert len(found) >= 3, f"expected an email for every edition, found {numbers}"
    for number in ("11", "12"):  # the editions with an introduction
        assert number in numbers, f"no editions/{number}/email.html in {numbers}"
    return found


def rel(path: Path, output: Path) -> str:
    return str(path.relative_to(output))


# --------------------------------------------------------------------------------------
# Parsing: HTML with html.parser, CSS with a few regular expressions


@dataclass
class Element:
    tag: str
    attrs: dict[str, str | None]
    line: int
    in_head: bool
    in_link: bool  # inside an <a href>

    @property
    def classes(self) -> list[str]:
        return (self.attrs.get("class") or "").split()

    def describe(self) -> str:
        shown = " ".join(f'{k}="{v}"' if v is not None else k for k, v in self.attrs.items() if k != "style")
        return f"<{self.tag}{' ' + shown if shown else ''}> (line {self.line})"


VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "param", "source", "track", "wbr"}
CONDITIONAL = re.compile(r"^\[if [^\]]*\]>(.*)<!\[endif\]$", re.DOTALL)


class Email(HTMLParser):
    """The elements of an e-mail's HTML (Outlook's conditional comments included), and its <style> texts."""

    def __init__(self, open_tags: list[str] | None = None, line_offset: int = 0) -> None:
        super().__init__(convert_charrefs=True)
        self.elements: list[Element] = []
        self.styles: list[tuple[bool, str]] = []  # (in <head>, text)
        self.title = ""
        self._open = list(open_tags or [])
        self._text: list[str] | None = None  # the text of the <style> or <title> being read
        self._line_offset = line_offset

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        element = Element(tag, dict(attrs), self.getpos()[0] + self._line_offset, "head" in self._open,
                          any(t == "a" for t in self._open))
        self.elements.append(element)
        if tag in ("style", "title"):
            self._text = []
        if tag not in VOID:
            self._open.append(tag)

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.elements.append(Element(tag, dict(attrs), self.getpos()[0] + self._line_offset, "head" in self._open,
                                     any(t == "a" for t in self._open)))

    def handle_endtag(self, tag: str) -> None:
        if tag in ("style", "title") and self._text is not None:
            text = "".join(self._text)
            if tag == "style":
                self.styles.append(("head" in self._open, text))
            else:
                self.title = " ".join(text.split())
            self._text = None
        if tag in self._open:
            while self._open and self._open.pop() != tag:
                pass

    def handle_data(self, data: str) -> None:
        if self._text is not None:
            self._text.append(data)

    def handle_comment(self, data: str) -> None:
        match = CONDITIONAL.match(data.strip())
        if match:  # <!--[if mso]>...<![endif]-->: what Outlook reads is checked too
            inner = Email(self._open, self.getpos()[0] - 1 + self._line_offset)
            inner.feed(match.group(1))
            inner.close()
            self.elements.extend(inner.elements)
            self.styles.extend(inner.styles)


def parse(path: Path) -> Email:
    parser = Email()
    parser.feed(path.read_text(encoding="utf-8"))
    parser.close()
    return parser


def normalise(declaration: str) -> str:
    """`Color:#5C574F ` -> `color: #5c574f`; quotes made single (css-inline rewrites "Times New Roman")."""
    name, _, value = declaration.partition(":")
    value = " ".join(value.replace('"', "'").split()).lower()
    value = re.sub(r"\s*,\s*", ", ", value)
    return f"{name.strip().lower()}: {value}"


def declarations(block: str) -> list[str]:
    return [normalise(d) for d in html.unescape(block).split(";") if d.strip()]


COMMENT = re.compile(r"/\*.*?\*/", re.DOTALL)
RULE = re.compile(r"([^{}@]+)\{([^{}]*)\}")


def top_level_blocks(css: str) -> list[str]:
    """The top-level statements of a stylesheet (`sel { ... }` or `@media ... { ... }`), comments dropped."""
    css = COMMENT.sub("", css)
    blocks, depth, start = [], 0, 0
    for i, char in enumerate(css):
        if char == "{":
            depth += 1
        elif char == "}":
            depth -= 1
            if depth == 0:
                blocks.append(css[start:i + 1].strip())
                start = i + 1
    rest = css[start:].strip()
    if rest:
        blocks.append(rest)  # an unterminated statement: shown as it is
    return blocks


def theme_declarations() -> dict[str, list[str]]:
    """Each declaration of the rules of email.css outside its @media blocks -> the selectors that hold it."""
    found: dict[str, list[str]] = {}
    for block in top_level_blocks((TEMPLATES / "email.css").read_text(encoding="utf-8")):
        if block.startswith("@"):
            continue
        match = RULE.fullmatch(block)
        assert match, f"email.css: cannot read the rule {block!r}"
        for declaration in declarations(match.group(2)):
            found.setdefault(declaration, []).append(" ".join(match.group(1).split()))
    assert found, "email.css has no rule outside @media"
    return found


# --------------------------------------------------------------------------------------
# email.html


def test_no_script_stylesheet_link_frame_or_form(output: Path, emails: list[Path]) -> None:
    problems = []
    for path in emails:
        for element in parse(path).elements:
            if element.tag in ("script", "iframe", "form", "frame", "frameset", "object", "embed"):
                problems.append(f"{rel(path, output)}: {element.describe()}")
            if element.tag == "link" and "stylesheet" in (element.attrs.get("rel") or "").lower().split():
                problems.append(f"{rel(path, output)}: a stylesheet link {element.describe()}")
        text = path.read_text(encoding="utf-8")
        for tag in ("script", "iframe", "form"):  # in a comment or anywhere the parser would not see it
            if re.search(rf"<\s*{tag}\b", text, re.IGNORECASE):
                problems.append(f"{rel(path, output)}: the text holds <{tag}")
    assert not problems, "forbidden elements in the newsletters:\n" + "\n".join(problems)


def test_every_address_is_absolute(output: Path, emails: list[Path]) -> None:
    problems = []
    for path in emails:
        for element in parse(path).elements:
            for name in ("href", "src"):
                if name not in element.attrs:
                    continue
                value = (element.attrs[name] or "").strip()
                if not value.lower().startswith(ALLOWED_SCHEMES) or value.lower() in ALLOWED_SCHEMES:
                    problems.append(f"{rel(path, output)}: {name}={value!r} in {element.describe()}")
    assert not problems, "addresses that are not https:// or mailto: (relative, protocol-relative, ...):\n" \
        + "\n".join(problems)


def test_every_image_has_alt(output: Path, emails: list[Path]) -> None:
    problems = []
    for path in emails:
        for element in parse(path).elements:
            if element.tag == "img" and "alt" not in element.attrs:
                problems.append(f"{rel(path, output)}: {element.describe()} has no alt")
    assert not problems, "\n".join(problems)


def test_the_template_has_no_style_attribute() -> None:
    template = TEMPLATES / "email.html"
    parser = Email()
    parser.feed(template.read_text(encoding="utf-8"))
    parser.close()
    styled = [e.describe() for e in parser.elements if "style" in e.attrs]
    assert not styled, f"{template.relative_to(REPO_ROOT)}: style attributes (the CSS belongs in email.css): {styled}"


def test_every_inline_declaration_comes_from_email_css(output: Path, emails: list[Path]) -> None:
    known = theme_declarations()
    problems = []
    styled = 0
    for path in emails:
        for element in parse(path).elements:
            if "style" not in element.attrs:
                continue
            styled += 1
            for declaration in declarations(element.attrs["style"] or ""):
                if declaration not in known:
                    problems.append(f"{rel(path, output)}: `{declaration}` on {element.describe()}")
    assert styled, "no element has a style attribute: the CSS was not inlined"
    assert not problems, "inline declarations that no rule of email.css (outside @media) holds:\n" \
        + "\n".join(problems)


def test_only_media_rules_stay_in_a_style_element_in_the_head(output: Path, emails: list[Path]) -> None:
    problems = []
    for path in emails:
        styles = parse(path).styles
        if not styles:
            problems.append(f"{rel(path, output)}: no <style> element (the @media rules are lost)")
        for in_head, text in styles:
            if not in_head:
                problems.append(f"{rel(path, output)}: a <style> element outside the head")
            for block in top_level_blocks(text):
                if not block.lower().startswith("@media"):
                    problems.append(f"{rel(path, output)}: <style> holds {' '.join(block.split())[:100]!r}")
    assert not problems, "\n".join(problems)


def test_the_container_is_600_px_wide_at_most_and_the_preheader_hidden(output: Path, emails: list[Path]) -> None:
    problems = []
    for path in emails:
        elements = parse(path).elements
        containers = [e for e in elements if "container" in e.classes]
        if [e.tag for e in containers] != ["table"]:
            problems.append(f"{rel(path, output)}: expected one table.container, found "
                            f"{[e.describe() for e in containers]}")
        for container in containers:
            if "max-width: 600px" not in declarations(container.attrs.get("style") or ""):
                problems.append(f"{rel(path, output)}: {container.describe()} style="
                                f"{container.attrs.get('style')!r} has no max-width: 600px")
        preheaders = [e for e in elements if "preheader" in e.classes]
        if not preheaders:
            problems.append(f"{rel(path, output)}: no element of class preheader")
        for preheader in preheaders:
            if "display: none" not in declarations(preheader.attrs.get("style") or ""):
                problems.append(f"{rel(path, output)}: {preheader.describe()} style="
                                f"{preheader.attrs.get('style')!r} has no display: none")
    assert not problems, "\n".join(problems)


def test_a_link_to_the_web_version(output: Path, emails: list[Path]) -> None:
    problems = []
    for path in emails:
        web = f"{BASE_URL}editions/{path.parent.name}/"
        hrefs = [e.attrs.get("href") for e in parse(path).elements if e.tag == "a"]
        if web not in hrefs:
            problems.append(f"{rel(path, output)}: no link to {web} among {hrefs}")
    assert not problems, "\n".join(problems)


# --------------------------------------------------------------------------------------
# email.txt

ARTICLE_URL = re.compile(re.escape(BASE_URL) + r"20\d\d/")
NOTE = re.compile(r"\[(\d+)\] (\S+)")


def test_the_text_is_wrapped_at_72_columns(output: Path, emails: list[Path]) -> None:
    """A longer line is only allowed for what cannot be broken: a lone word or address, or a note
    `[k] URL` whose address is too long to stand beside its number within 72 columns."""
    problems = []
    for path in emails:
        text_path = path.with_name("email.txt")
        for number, line in enumerate(text_path.read_text(encoding="utf-8").splitlines(), 1):
            if len(line) <= TEXT_WIDTH or " " not in line.strip() or NOTE.fullmatch(line):
                continue
            problems.append(f"{rel(text_path, output)}:{number}: {len(line)} columns: {line!r}")
    assert not problems, f"lines over {TEXT_WIDTH} columns:\n" + "\n".join(problems)


def test_every_article_is_a_numbered_note(output: Path, emails: list[Path]) -> None:
    problems = []
    for path in emails:
        text_path = path.with_name("email.txt")
        notes = {m.group(2): int(m.group(1)) for line in text_path.read_text(encoding="utf-8").splitlines()
                 if (m := NOTE.fullmatch(line))}
        articles = list(dict.fromkeys(href for e in parse(path).elements if e.tag == "a"
                                      and (href := e.attrs.get("href") or "") and ARTICLE_URL.match(href)))
        if not articles:
            problems.append(f"{rel(path, output)}: no article link ({BASE_URL}20..)")
        for url in articles:
            if url not in notes:
                problems.append(f"{rel(text_path, output)}: no note `[k] {url}`")
        if sorted(notes.values()) != list(range(1, len(notes) + 1)):
            problems.append(f"{rel(text_path, output)}: the notes are not numbered 1 to {len(notes)}: {notes}")
    assert not problems, "\n".join(problems)


def test_the_title_comes_first(output: Path, emails: list[Path]) -> None:
    problems = []
    for path in emails:
        title = parse(path).title
        text_path = path.with_name("email.txt")
        lines = text_path.read_text(encoding="utf-8").splitlines()
        if not title:
            problems.append(f"{rel(path, output)}: no <title>")
            continue
        # a title longer than 72 columns is wrapped: its lines run to the underline (=====)
        end = next((i for i, line in enumerate(lines) if line and set(line) == {"="}), 1)
        first = " ".join(" ".join(lines[:end]).split())
        if first != title:
            problems.append(f"{rel(text_path, output)}: starts with {first!r}, not the title {title!r}")
    assert not problems, "\n".join(problems)
