"""The theme: where templates and theme files are found, and templates checked before any page renders.

Lookup order for a template name: the site's `templates/`, then the site's
`themes/NAME/templates/`, then the built-in default theme. So a site overrides
one template without copying the theme.
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from digest.model import Problem, SiteConfig
from digest.read.config import CONFIG_FILE
from digest.read.discover import CONTENT_DIR
from digest.read.files import is_hidden, is_ignored, links_out, walk
from digest.read.yamlread import top_level_key_lines

if TYPE_CHECKING:
    import jinja2

I18N_DIR = "i18n"  # a theme's and a site's message catalogs (`render/i18n.py`)


def builtin_theme_dir() -> Path:
    """The default theme: inside the installed package, else beside it in a source checkout."""
    package = Path(__file__).resolve().parent.parent
    packaged = package / "themes" / "default"
    return packaged if packaged.is_dir() else package.parent / "themes" / "default"


@dataclass(frozen=True, slots=True)
class Theme:
    """The folders a site's templates and theme files come from, first match wins."""

    template_dirs: tuple[Path, ...]
    static_dirs: tuple[Path, ...]  # copied in this order, later ones overriding earlier ones
    site_dir: Path | None = None  # links in the site's folders may point anywhere inside it
    links_out: tuple[str, ...] = ()  # links out of the site found in its folders (each a problem)
    i18n_dirs: tuple[Path, ...] = ()  # message catalogs (`render/i18n.py`), first match wins


def resolve_theme(site_dir: Path, config: SiteConfig, problems: list[Problem],
                  content_links_out: list[str] | None = None) -> Theme:
    """The lookup chain for this site, or a problem if its theme does not exist.

    A symbolic link in the folders the site is read from (content, static files, templates,
    its theme) that points out of the site is a problem too: such a file is never read.
    `content_links_out`: those of `content/`, when a walk of it found them already (`read.discover.scan`).
    """
    builtin = builtin_theme_dir()
    templates = [site_dir / "templates"]
    static = [builtin / "static"]
    words = [site_dir / I18N_DIR]
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
        words.append(own / I18N_DIR)
    elif (site_dir / "themes" / "default").is_dir():
        templates.append(site_dir / "themes" / "default" / "templates")
        static.append(site_dir / "themes" / "default" / "static")
        words.append(site_dir / "themes" / "default" / I18N_DIR)
    templates.append(builtin / "templates")
    words.append(builtin / I18N_DIR)
    static.append(site_dir / "static")
    template_dirs = tuple(p for p in templates if p.is_dir())
    static_dirs = tuple(p for p in static if p.is_dir())
    i18n_dirs = tuple(p for p in words if p.is_dir())
    own_dirs = [p for p in (*template_dirs, *static_dirs, *i18n_dirs) if not p.is_relative_to(builtin)]
    found = (links_out(site_dir, [site_dir / CONTENT_DIR], is_ignored, content_links_out)
             + links_out(site_dir, own_dirs, is_hidden))
    problems.extend(found)
    return Theme(template_dirs=template_dirs, static_dirs=static_dirs, site_dir=site_dir,
                 links_out=tuple(p.path or "" for p in found), i18n_dirs=i18n_dirs)


def chosen_by(site_dir: Path, theme: str) -> tuple[Path, ...]:
    """Every folder of the site whose presence `resolve_theme` looks at for the theme `theme`: one made or removed
    may change which folders a build reads."""
    own = site_dir / "themes" / theme  # (the default theme's, for "default")
    return (site_dir / "templates", site_dir / I18N_DIR, site_dir / "static", site_dir / "themes", own,
            own / "templates", own / "static", own / I18N_DIR)


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
    import jinja2  # a build that renders nothing never loads Jinja

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
