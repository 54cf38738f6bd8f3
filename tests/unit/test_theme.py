"""Theme lookup, the Jinja environment and its filters (digest/render/theme.py, environment.py)."""

from __future__ import annotations

import datetime
from collections.abc import Callable
from pathlib import Path

import jinja2
import pytest

from digest.model import Problem, SiteConfig
from digest.render.environment import format_date, initials, make_environment
from digest.render.theme import builtin_theme_dir, load_templates, resolve_theme, static_files, template_label

MakeSite = Callable[..., Path]

THEMES = {
    "templates/article.html": "site templates/\n",
    "themes/dark/templates/article.html": "dark article\n",
    "themes/dark/templates/term.html": "dark term\n",
    "themes/dark/static/css/dark.css": "dark\n",
    "themes/light/templates/term.html": "light term\n",
}


@pytest.mark.parametrize(
    ("theme", "template", "source"),
    [
        ("default", "article.html", "site templates/"),  # the site's templates/ first
        ("dark", "article.html", "site templates/"),
        ("dark", "term.html", "dark term"),  # then themes/NAME/templates/
        ("light", "term.html", "light term"),
        ("dark", "index.html", "default theme"),  # then the built-in theme
        ("default", "term.html", "default theme"),
    ],
)
def test_template_lookup_order(make_site: MakeSite, theme: str, template: str, source: str) -> None:
    site = make_site(THEMES)
    config = SiteConfig(theme=theme)
    problems: list[Problem] = []
    env = make_environment(resolve_theme(site, config, problems), config)
    assert problems == []
    found = Path(env.get_template(template).filename or "")
    if source == "default theme":
        assert found == builtin_theme_dir() / "templates" / template
    else:
        assert env.get_template(template).render().strip() == source


def test_calls_in_templates_keep_jinjas_rules(make_site: MakeSite) -> None:
    # plain functions and methods are called directly (render/environment._Context); what asks for the context,
    # the environment or the evaluation context still gets it, in loops and blocks too
    site = make_site({})
    problems: list[Problem] = []
    env = make_environment(resolve_theme(site, SiteConfig(), problems), SiteConfig())

    def ends() -> None:
        raise StopIteration

    env.globals.update(plain=lambda x, sep="-": f"{x}{sep}", ends=ends,
                       heading=jinja2.pass_context(lambda context: context["title"]),
                       where=jinja2.pass_environment(lambda environment: environment is env),
                       escaping=jinja2.pass_eval_context(lambda eval_context: eval_context.autoescape))
    template = env.from_string("{% block b %}{% for i in [1, 2] %}{{ plain(i, sep=':') }}{{ heading() }}{% endfor %}"
                               "{% endblock %}{{ where() }}{{ escaping() }}[{{ ends() }}]{{ _('Search') }}"
                               "{{ 'a.b'.startswith('a') }}")
    assert template.render(title="T") == "1:T2:TTrueTrue[]SearchTrue"


def test_theme_dirs(make_site: MakeSite) -> None:
    site = make_site({**THEMES, "static/favicon.svg": "<svg/>\n"})
    theme = resolve_theme(site, SiteConfig(theme="dark"), [])
    builtin = builtin_theme_dir()
    assert theme.template_dirs == (site / "templates", site / "themes/dark/templates", builtin / "templates")
    assert theme.static_dirs == (builtin / "static", site / "themes/dark/static", site / "static")


def test_folders_that_do_not_exist_are_left_out(make_site: MakeSite) -> None:
    site = make_site({})
    theme = resolve_theme(site, SiteConfig(), [])
    assert theme.template_dirs == (builtin_theme_dir() / "templates",)
    assert theme.static_dirs == (builtin_theme_dir() / "static",)


def test_static_files_later_folders_win(make_site: MakeSite) -> None:
    site = make_site({**THEMES, "static/favicon.svg": "<svg/>\n", "static/.hidden": "x\n",
                      "static/css/dark.css": "site wins\n"})
    files = static_files(resolve_theme(site, SiteConfig(theme="dark"), []))
    assert files["favicon.svg"] == str(site / "static/favicon.svg")  # the site's own wins over the theme's
    assert files["css/dark.css"] == str(site / "static/css/dark.css")
    assert ".hidden" not in files
    assert files == static_files(resolve_theme(site, SiteConfig(theme="dark"), []))  # the same every time


@pytest.mark.parametrize(
    ("existing", "hint_tail"),
    [
        ({}, ""),
        ({"themes/dark/templates/a.html": "x", "themes/light/templates/a.html": "x"}, " Themes here: dark, light."),
    ],
)
def test_a_missing_theme(make_site: MakeSite, existing: dict[str, str], hint_tail: str) -> None:
    site = make_site(existing)
    problems: list[Problem] = []
    resolve_theme(site, SiteConfig(theme="nope"), problems)
    assert [str(p) for p in problems] == [
        "digest.yaml: the theme `nope` does not exist\n"
        "    Create themes/nope/templates/ in the site, or remove the `theme:` line to use the default theme."
        + hint_tail]


@pytest.mark.parametrize(
    ("text", "line"),
    [
        ("title: x\nbase_url: https://example.org/\ntheme: nope\n", 3),
        ("theme: nope\ntitle: x\n", 1),
        ("theme: dark\ntitle: x\ntheme: nope\n", 3),  # written twice: the last one is used
    ],
)
def test_a_missing_theme_names_the_theme_line(make_site: MakeSite, text: str, line: int) -> None:
    site = make_site({"digest.yaml": text})
    problems: list[Problem] = []
    resolve_theme(site, SiteConfig(theme="nope"), problems)
    assert [(p.path, p.line, p.message) for p in problems] == [
        ("digest.yaml", line, "the theme `nope` does not exist")]


@pytest.mark.parametrize(
    ("path", "text", "line", "message", "hint"),
    [
        ("templates/broken.html", "line 1\n{{ x }\nline 3\n", 2,
         "a `{{ }}` expression is not written as a template expects",
         "Check the brackets, quotes and operators inside `{{ }}` on this line."),
        ("templates/sub/deep.html", "{% for a in b %}\n{% endif %}\n", 2,
         "`{% endif %}` is reached while the `{% for %}` above it is still open",
         "Add the missing `{% endfor %}` before line 2."),
        ("themes/dark/templates/article.html", "{% block content %}\n{% if x %}\nx\n{% endblock %}\n", 4,
         "`{% endblock %}` is reached while the `{% if %}` above it is still open",
         "Add the missing `{% endif %}` before line 4."),
        ("templates/a.html", "{% if x %}\nfoo\n", 2,
         "the template ends while a `{% if %}` is still open", "Close it with `{% endif %}`."),
        ("templates/b.html", "line 1\n{% frobnicate %}\n", 2,
         "`{% frobnicate %}` is not a template tag",
         "Check its spelling (`if`, `for`, `block`, `set`, `include`, `extends`, `macro` ...)."),
        ("templates/c.html", "{{ x y }}\n", 1,
         "a `{{ }}` expression is not written as a template expects",
         "Check the brackets, quotes and operators inside `{{ }}` on this line."),
    ],
)
def test_template_syntax_errors_name_the_site_file_and_line(
        make_site: MakeSite, path: str, text: str, line: int, message: str, hint: str) -> None:
    site = make_site({path: text})
    config = SiteConfig(theme="dark" if "dark" in path else "default")
    problems: list[Problem] = []
    env = make_environment(resolve_theme(site, config, problems), config)
    load_templates(env, site, problems)
    assert [(p.path, p.line, p.message, p.hint) for p in problems] == [(path, line, message, hint)]


@pytest.mark.parametrize(
    "text",
    ["{% if %}\n", "{% for x in %}\n{% endfor %}\n", "{{ 'abc }}\n", "{{ x | }}\n",
     "{% block a %}{% endblock %}{% block a %}{% endblock %}\n", "{% endif %}\n"],
)
def test_every_template_syntax_error_is_translated(make_site: MakeSite, text: str) -> None:
    site = make_site({"templates/broken.html": text})
    problems: list[Problem] = []
    env = make_environment(resolve_theme(site, SiteConfig(), problems), SiteConfig())
    load_templates(env, site, problems)
    assert [(p.path, p.line) for p in problems] == [("templates/broken.html", 1)]
    message = problems[0].message
    jargon = ("template syntax error", "got '", "token", "unexpected char", "not a tag Jinja knows")
    assert not [word for word in jargon if word in message], message


def test_the_default_theme_compiles(make_site: MakeSite) -> None:
    site = make_site({})
    problems: list[Problem] = []
    load_templates(make_environment(resolve_theme(site, SiteConfig(), problems), SiteConfig()), site, problems)
    assert problems == []


def test_template_label(make_site: MakeSite) -> None:
    site = make_site({})
    assert template_label(str(site / "templates/a.html"), site) == "templates/a.html"
    assert template_label(str(builtin_theme_dir() / "templates/base.html"), site) == (
        "(default theme) templates/base.html")
    assert template_label(None, site) == "(template)"


# ---------------------------------------------------------------------------
# filters


@pytest.mark.parametrize(
    ("value", "style", "text"),
    [
        (datetime.date(2015, 11, 3), "long", "3 November 2015"),
        (datetime.date(2015, 11, 30), "short", "30 Nov 2015"),
        (datetime.date(2015, 11, 30), "month", "November 2015"),
        (datetime.date(2015, 11, 30), "iso", "2015-11-30"),
        (datetime.datetime(2015, 11, 30, 14, 5), "long", "30 November 2015"),
        (datetime.datetime(2015, 11, 30, 14, 5, tzinfo=datetime.timezone.utc), "iso", "2015-11-30T14:05:00+00:00"),
        (None, "long", ""),
    ],
)
def test_format_date(value: datetime.date | None, style: str, text: str) -> None:
    assert format_date(value, style) == text


@pytest.mark.parametrize(
    ("name", "letters"),
    [
        ("Benjamin Netanyahu", "BN"),
        ("Recep Tayyip Erdoğan", "RE"),
        ("Syria", "S"),
        ("Moshe Ya'alon", "MY"),
        ("vladimir putin", "VP"),
        ("Jean-Luc Mélenchon", "JM"),
        ("Владимир Путин", "ВП"),
        ("", "?"),
        ("  ", "?"),
    ],
)
def test_initials(name: str, letters: str) -> None:
    assert initials(name) == letters


@pytest.mark.parametrize(
    ("timezone", "style", "text"),
    [
        ("UTC", "long", "1 January 2016"),
        ("America/New_York", "long", "31 December 2015"),
        ("America/New_York", "short", "31 Dec 2015"),
        ("America/New_York", "month", "December 2015"),
        ("America/New_York", "iso", "2015-12-31T22:00:00-05:00"),
        ("Asia/Tokyo", "iso", "2016-01-01T12:00:00+09:00"),
    ],
)
def test_the_date_filter_converts_to_the_site_timezone(
        make_site: MakeSite, timezone: str, style: str, text: str) -> None:
    config = SiteConfig(timezone=timezone)
    env = make_environment(resolve_theme(make_site({}), config, []), config)
    moment = datetime.datetime(2016, 1, 1, 3, 0, tzinfo=datetime.timezone.utc)
    assert env.from_string("{{ d|date(style) }}").render(d=moment, style=style) == text


def test_environment_helpers(make_site: MakeSite) -> None:
    config = SiteConfig(base_url="https://example.org/news/")
    env = make_environment(resolve_theme(make_site({}), config, []), config)
    template = env.from_string("{{ url_for('/people/') }} {{ abs_url('/feed.xml') }} {{ 'Moshe Ya\\'alon'|initials }} "
                               "{{ config.title }} {{ d|date }} {{ '<b>' }}")
    assert template.render(d=datetime.date(2015, 11, 30)) == (
        "/news/people/ https://example.org/news/feed.xml MY My Digest 30 November 2015 &lt;b&gt;")


def test_the_menu_of_the_default_theme(make_site: MakeSite) -> None:
    # `theme_options.nav` replaces the default links: paths within the site are the page's language's, under the base
    # path; an address elsewhere is written as it is; the current page is marked, and so is a page under a section
    import re

    import digest

    nav = ("theme_options:\n  nav:\n    - {label: Home, url: /}\n    - {label: People, url: /people/}\n"
           "    - {label: Elsewhere, url: 'https://example.com/about'}\n")
    site = make_site({"digest.yaml": f"title: T\nbase_url: https://example.org/news/\nlanguages: [en, fr]\n{nav}",
                      "content/2015-11-30-a.md": "---\ntitle: A\npeople: [Ada Lovelace]\n---\nB.\n",
                      "content/2015-11-30-a.fr.md": "---\ntitle: Un\npeople: [Ada Lovelace]\n---\nC.\n"})
    digest.build(site, digest.BuildOptions(now=datetime.datetime(2016, 1, 1, tzinfo=datetime.timezone.utc)))

    def menu(page: str) -> list[str]:
        html = (site / "output" / page).read_text()
        return re.findall(r"<li><a [^>]*>[^<]*</a></li>", html[html.index('class="nav-list"'):html.index("</ul>")])

    assert menu("index.html") == ['<li><a href="/news/" aria-current="page">Home</a></li>',
                                  '<li><a href="/news/people/">People</a></li>',
                                  '<li><a href="https://example.com/about">Elsewhere</a></li>']
    assert menu("fr/people/ada-lovelace/index.html") == [
        '<li><a href="/news/fr/">Home</a></li>', '<li><a href="/news/fr/people/" aria-current="true">People</a></li>',
        '<li><a href="https://example.com/about">Elsewhere</a></li>']
    # the default links, in the page's language
    (site / "digest.yaml").write_text("title: T\nbase_url: https://example.org/news/\nlanguages: [en, fr]\n")
    digest.build(site, digest.BuildOptions(now=datetime.datetime(2016, 1, 1, tzinfo=datetime.timezone.utc)))
    assert [re.sub(r"<[^>]*>", "", item) for item in menu("fr/index.html")] == [
        "À la une", "Personnes", "Sujets", "Archives"]
    assert 'href="/news/fr/archive/"' in menu("fr/index.html")[-1]


def test_templates_share_the_environments_globals(make_site: MakeSite) -> None:
    # (rather than a ChainMap over them, which every render copies name by name)
    env = make_environment(resolve_theme(make_site({}), SiteConfig(), []), SiteConfig())
    template = env.get_template("base.html")
    assert template.globals is env.globals
    env.globals["late"] = "seen"
    assert env.from_string("{{ late }}").render() == "seen"
