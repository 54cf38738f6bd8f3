"""The theme: where templates and theme files are found, and the Jinja environment.

Lookup order for a template name: the site's `templates/`, then the site's
`themes/NAME/templates/`, then the built-in default theme. So a site overrides
one template without copying the theme.
"""

from __future__ import annotations

import datetime
import os
import re
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from zoneinfo import ZoneInfo

import jinja2
from markupsafe import Markup

from digest import schema
from digest.charts import initials_avatar, mentions_chart, monthly_counts
from digest.config import CONFIG_FILE
from digest.content import CONTENT_DIR, is_ignored
from digest.files import is_hidden, links_out, walk
from digest.model import Problem, SiteConfig, Term
from digest.plan import counted
from digest.yamlread import top_level_key_lines


def builtin_theme_dir() -> Path:
    """The default theme: inside the installed package, else beside it in a source checkout."""
    here = Path(__file__).resolve().parent
    packaged = here / "themes" / "default"
    return packaged if packaged.is_dir() else here.parent / "themes" / "default"


@dataclass(frozen=True, slots=True)
class Theme:
    """The folders a site's templates and theme files come from, first match wins."""

    template_dirs: tuple[Path, ...]
    static_dirs: tuple[Path, ...]  # copied in this order, later ones overriding earlier ones
    site_dir: Path | None = None  # links in the site's folders may point anywhere inside it
    links_out: tuple[str, ...] = ()  # links out of the site found in its folders (each a problem)


def resolve_theme(site_dir: Path, config: SiteConfig, problems: list[Problem]) -> Theme:
    """The lookup chain for this site, or a problem if its theme does not exist.

    A symbolic link in the folders the site is read from (content, static files, templates,
    its theme) that points out of the site is a problem too: such a file is never read.
    """
    builtin = builtin_theme_dir()
    templates = [site_dir / "templates"]
    static = [builtin / "static"]
    if config.theme != "default":
        own = site_dir / "themes" / config.theme
        if not own.is_dir():
            known = sorted(p.name for p in (site_dir / "themes").glob("*") if p.is_dir())
            config_file = site_dir / CONFIG_FILE
            lines = top_level_key_lines(config_file.read_text("utf-8", "replace")) if config_file.is_file() else {}
            problems.append(Problem(
                path=CONFIG_FILE, line=lines.get("theme", [None])[-1],
                message=f"the theme `{config.theme}` does not exist",
                hint=f"Create themes/{config.theme}/templates/ in the site, or remove the `theme:` line "
                     f"to use the default theme." + (f" Themes here: {', '.join(known)}." if known else "")))
        templates.append(own / "templates")
        static.append(own / "static")
    elif (site_dir / "themes" / "default").is_dir():
        templates.append(site_dir / "themes" / "default" / "templates")
        static.append(site_dir / "themes" / "default" / "static")
    templates.append(builtin / "templates")
    static.append(site_dir / "static")
    template_dirs = tuple(p for p in templates if p.is_dir())
    static_dirs = tuple(p for p in static if p.is_dir())
    own_dirs = [p for p in (*template_dirs, *static_dirs) if not p.is_relative_to(builtin)]
    found = (links_out(site_dir, [site_dir / CONTENT_DIR], is_ignored)
             + links_out(site_dir, own_dirs, is_hidden))
    problems.extend(found)
    return Theme(template_dirs=template_dirs, static_dirs=static_dirs, site_dir=site_dir,
                 links_out=tuple(p.path or "" for p in found))


def format_date(value: datetime.datetime | datetime.date | None, style: str = "long") -> str:
    """A date for readers: "30 November 2015" (long), "30 Nov 2015" (short), ISO 8601 (iso).

    >>> format_date(datetime.date(2015, 11, 3)), format_date(datetime.date(2015, 11, 3), "short")
    ('3 November 2015', '3 Nov 2015')
    """
    if value is None:
        return ""
    if style == "iso":
        return value.isoformat()
    if style == "month":
        return f"{value:%B %Y}"
    return f"{value.day} {value:%B %Y}" if style == "long" else f"{value.day} {value:%b %Y}"


def initials(name: str) -> str:
    """Up to two initials of a name, for an avatar.

    >>> initials("Benjamin Netanyahu"), initials("Syria"), initials("Moshe Ya'alon")
    ('BN', 'S', 'MY')
    """
    words = [w for w in name.replace("-", " ").split() if w[:1].isalnum()]
    if not words:
        return "?"
    picked = [words[0], words[-1]] if len(words) > 1 else words[:1]
    return "".join(w[0].upper() for w in picked)


class _CompiledTemplates(jinja2.BytecodeCache):
    """Compiled templates kept for the life of the process, found again by their source's checksum.

    Every build makes a new environment; in a process that builds again and again (the live
    preview) unchanged templates are then not compiled again. Jinja checks each entry
    against the template's current source, so an edited template is always compiled anew.
    """

    def __init__(self) -> None:
        self._code: dict[str, bytes] = {}

    def load_bytecode(self, bucket: jinja2.bccache.Bucket) -> None:
        code = self._code.get(bucket.key)
        if code is not None:
            bucket.bytecode_from_string(code)

    def dump_bytecode(self, bucket: jinja2.bccache.Bucket) -> None:
        self._code[bucket.key] = bucket.bytecode_to_string()


_COMPILED = _CompiledTemplates()


def by_letter(terms: Iterable[Term]) -> list[tuple[str, list[Term]]]:
    """Terms in A–Z groups by the first letter of their slug (transliterated); "#" for the rest, last.

    >>> from digest.model import Term
    >>> terms = [Term(taxonomy="people", slug=s, name=s, aliases=(), role=None, image=None, image_alt=None,
    ...               body_html=None, meta={}, articles=()) for s in ("zoe", "ab", "2pac", "al")]
    >>> [(letter, [t.slug for t in group]) for letter, group in by_letter(terms)]
    [('A', ['ab', 'al']), ('Z', ['zoe']), ('#', ['2pac'])]
    """
    groups: dict[str, list[Term]] = {}
    for term in sorted(terms, key=lambda t: t.slug):
        first = term.slug[:1].upper()
        groups.setdefault(first if "A" <= first <= "Z" else "#", []).append(term)
    return sorted(groups.items(), key=lambda group: (group[0] == "#", group[0]))


def make_environment(theme: Theme, config: SiteConfig) -> jinja2.Environment:
    """The Jinja environment: the theme's lookup chain, autoescaping, filters and helpers."""
    env = jinja2.Environment(
        bytecode_cache=_COMPILED,
        loader=jinja2.FileSystemLoader([str(p) for p in theme.template_dirs]),
        autoescape=jinja2.select_autoescape(["html", "htm", "xml"], default_for_string=True),
        trim_blocks=True, lstrip_blocks=True, keep_trailing_newline=True,
        auto_reload=False, cache_size=-1,
    )
    zone = ZoneInfo(config.timezone)

    def local_date(value: datetime.datetime | datetime.date | None, style: str = "long") -> str:
        if isinstance(value, datetime.datetime) and value.tzinfo is not None:
            value = value.astimezone(zone)
        return format_date(value, style)

    def chart(term: Term) -> Markup:
        return mentions_chart(monthly_counts((a.date for a in term.articles), zone), term.name, "d-mentions")

    env.filters["date"] = local_date
    env.filters["avatar"] = lambda name: initials_avatar(initials(name))
    env.filters["jsonld"] = schema.json_ld
    env.globals["news_article"] = lambda article, links: schema.news_article(article, links, config)
    env.globals["term_json_ld"] = lambda term, url, description: schema.term_page(term, url, description, config)
    env.globals["collection_json_ld"] = lambda name, url, description: schema.collection_page(
        name, url, description, config)
    env.filters["by_letter"] = by_letter
    env.filters["letter_id"] = lambda letter: "other" if letter == "#" else letter.lower()
    env.globals["mentions_chart"] = chart
    env.filters["initials"] = initials
    env.filters["counted"] = counted
    env.globals["url_for"] = config.url_for
    env.globals["abs_url"] = config.abs_url
    env.globals["config"] = config
    return env


def template_label(filename: str | None, site_dir: Path) -> str:
    """A template file's path for messages: relative to the site, or in the default theme."""
    if not filename:
        return "(template)"
    path = Path(filename).resolve()
    for root, label in ((site_dir.resolve(), ""), (builtin_theme_dir().resolve(), "(default theme) ")):
        try:
            return label + path.relative_to(root).as_posix()
        except ValueError:
            continue
    return filename


def load_templates(env: jinja2.Environment, site_dir: Path, problems: list[Problem]) -> None:
    """Compile every template of the chain now, so each syntax error is reported with its line."""
    for name in env.list_templates(extensions=["html", "xml", "txt"]):
        try:
            env.get_template(name)
        except jinja2.TemplateSyntaxError as exc:
            message, hint = explain_syntax_error(exc.message or "", exc.lineno)
            problems.append(Problem(path=template_label(exc.filename, site_dir), line=exc.lineno,
                                    message=message, hint=hint))


_UNKNOWN_TAG = re.compile(r"Encountered unknown tag '(\w+)'")
_INNERMOST = re.compile(r"innermost block that needs to be closed is '(\w+)'")


def explain_syntax_error(message: str, line: int) -> tuple[str, str]:
    """Jinja's account of a template syntax error, in the template author's terms.

    >>> explain_syntax_error("Encountered unknown tag 'endblock'. Jinja was looking for the following tags:"
    ...                      " 'endif'. The innermost block that needs to be closed is 'if'.", 9)
    ('`{% endblock %}` is reached while the `{% if %}` above it is still open', 'Add the missing `{% endif %}` before line 9.')
    """
    unknown = _UNKNOWN_TAG.search(message)
    innermost = _INNERMOST.search(message)
    block = innermost.group(1) if innermost else ""
    if unknown and block:
        return (f"`{{% {unknown.group(1)} %}}` is reached while the `{{% {block} %}}` above it is still open",
                f"Add the missing `{{% end{block} %}}` before line {line}.")
    if unknown and unknown.group(1).startswith("end"):
        opener = unknown.group(1)[3:]
        return (f"`{{% {unknown.group(1)} %}}` has no `{{% {opener} %}}` above it to close",
                f"Remove it, or add the `{{% {opener} ... %}}` it closes.")
    if unknown:
        return (f"`{{% {unknown.group(1)} %}}` is not a template tag",
                "Check its spelling (`if`, `for`, `block`, `set`, `include`, `extends`, `macro` ...).")
    if "Unexpected end of template" in message and block:
        return (f"the template ends while a `{{% {block} %}}` is still open",
                f"Close it with `{{% end{block} %}}`.")
    if message.startswith("Expected an expression"):
        where = "a `{{ }}`" if "print statement" in message else "a `{% %}` tag"
        return (f"{where} on this line is missing the value or condition it needs",
                "Write what it works on, such as `{% if article.source %}` or `{{ article.title }}`.")
    if message.startswith("unexpected char"):
        return ("a quote or bracket on this line is not closed, or a character is out of place",
                "Close every `'`, `\"`, `(` and `[` inside `{{ }}` and `{% %}`.")
    if "expected token 'name'" in message:
        return ("a `|` on this line is not followed by a filter name",
                "Write the filter after the bar, such as `{{ article.date|date }}`, or remove the `|`.")
    twice = re.match(r"block '(\w+)' defined twice", message)
    if twice:
        return (f"`{{% block {twice.group(1)} %}}` is defined twice in this template",
                "Give one of the two blocks another name.")
    if message.startswith(("unexpected '}'", "expected token 'end of print statement'")):
        return ("a `{{ }}` expression is not written as a template expects",
                "Check the brackets, quotes and operators inside `{{ }}` on this line.")
    return ("this line is not valid template syntax",
            f"Check the `{{% %}}` and `{{{{ }}}}` tags on this line (the template engine says: {message}).")


def link_home(theme: Theme, root: Path) -> Path:
    """The folder that links under one of the theme's folders may point into: the site, or the built-in theme."""
    return theme.site_dir if theme.site_dir is not None and root.is_relative_to(theme.site_dir) else root.parent


def static_files(theme: Theme) -> dict[str, str]:
    """Output path → source file for every theme and site static file; later folders win."""
    files: dict[str, str] = {}
    for root in theme.static_dirs:
        for folder, names in walk(root, link_home(theme, root), is_hidden):
            for name in names:
                source = os.path.join(folder, name)
                files[Path(source).relative_to(root).as_posix()] = source
    return files
