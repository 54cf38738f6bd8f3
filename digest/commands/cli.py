"""The `digest` command: parses arguments, calls the library, prints results.

Exit status: 0 when all went well, 1 for problems in the site, 2 for a usage error.
"""

from __future__ import annotations

import datetime
import signal
import sys
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

import click

from digest.build import build, output_dir_of
from digest.commands.quick import summary
from digest.incremental.cache import BuildCache
from digest.model import DigestError, Problem, UsageError, __version__
from digest.records import BuildOptions, BuildResult
from digest.read.config import load_config
from digest.render.wording import counted, site_counts
from digest.write.output import display_path

if TYPE_CHECKING:  # each command's own modules are loaded by the command: a build needs none of them
    from digest.commands.preview.watch import Rebuild
    from digest.commands.publish import Published

F = TypeVar("F", bound=Callable[..., Any])
R = TypeVar("R")


def _echo_problems(problems: tuple[Problem, ...] | list[Problem]) -> None:
    for problem in problems:
        click.echo(str(problem), err=True)


def _fail(exc: DigestError, output: str | None) -> None:
    _echo_problems(exc.problems)
    errors = [p for p in exc.problems if p.severity == "error"]
    files = {p.path for p in errors if p.path}
    noun = "problem" if len(errors) == 1 else "problems"
    where = f" in {len(files)} file{'s' if len(files) != 1 else ''}" if files else ""
    tail = f" Nothing was written; {output} is unchanged." if output else ""
    click.echo(f"digest: {len(errors)} {noun}{where}.{tail}", err=True)
    sys.exit(1)


def _run(action: Callable[[], R], output: str | None) -> R:
    """The action's result; a site's problems, a usage error, Ctrl-C or a write error end the command."""
    try:
        return action()
    except DigestError as exc:
        _fail(exc, output)
    except UsageError as exc:
        click.echo(f"digest: {exc}", err=True)
        sys.exit(2)
    except KeyboardInterrupt:
        click.echo("digest: interrupted", err=True)
        sys.exit(130)
    except OSError as exc:
        where = f" {exc.filename}" if exc.filename else ""
        click.echo(f"digest: cannot write{where}: {exc.strerror or exc}", err=True)
        sys.exit(1)
    raise AssertionError("unreachable")


def _site_options(command: F) -> F:
    for decorator in reversed([
        click.argument("site", default=".", type=click.Path(file_okay=False, path_type=Path)),
        click.option("--drafts", is_flag=True, help="Include articles with `draft: true`."),
        click.option("--future", is_flag=True, help="Include articles dated in the future."),
        click.option("--base-url", metavar="URL", help="Override `base_url` of digest.yaml."),
        click.option("--strict", is_flag=True, help="Treat warnings as errors."),
    ]):
        command = decorator(command)
    return command


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="digest")
def main() -> None:
    """digest: build a static site from a curated digest of articles, people and topics."""


@main.command("build")
@_site_options
@click.option("-o", "--output", type=click.Path(path_type=Path), help="Output folder (default: SITE/output).")
@click.option("--clean", is_flag=True, help="Rewrite every file of the output, as if it were empty.")
@click.option("--no-cache", is_flag=True, help="Neither read nor write the build cache (.digest-cache/).")
@click.option("-j", "--jobs", type=click.IntRange(min=1), default=None,
              help="Worker processes for large sites (default: the machine's cores).")
@click.option("-q", "--quiet", is_flag=True, help="Print nothing but problems.")
@click.option("-v", "--verbose", is_flag=True, help="Also print the time each stage took.")
def build_command(site: Path, drafts: bool, future: bool, base_url: str | None, strict: bool,
                  output: Path | None, clean: bool, no_cache: bool, jobs: int | None, quiet: bool,
                  verbose: bool) -> None:
    """Build the site in SITE (default: this folder) into its output folder."""
    options = BuildOptions(output_dir=str(output) if output else None, drafts=drafts, future=future,
                           base_url=base_url, strict=strict, clean=clean, jobs=jobs)
    shown = display_path(output_dir_of(site, options))
    cache = None if no_cache or not site.is_dir() else BuildCache(site)
    progress = None if quiet else _ProgressPrinter(sys.stderr.isatty())
    result = _run(lambda: build(site, options, cache, progress), shown + "/")
    _echo_problems(result.warnings)
    if not quiet:
        click.echo(summary(_counts(result), counted(result.written, "file"), result.unchanged, result.removed,
                           result.seconds, shown))
        if verbose:
            click.echo("  " + ", ".join(f"{stage} {seconds:.3f} s" for stage, seconds in result.timings.items()))


class _ProgressPrinter:
    """Shows how far a long stage is: a line redrawn on a terminal, a line per quarter elsewhere."""

    MINIMUM = 500  # smaller stages finish before a reader could see them
    WIDTH = 30  # characters of the bar

    def __init__(self, terminal: bool) -> None:
        self.terminal = terminal
        self.shown: dict[str, int] = {}

    def __call__(self, stage: str, done: int, total: int) -> None:
        if total < self.MINIMUM:
            return
        if self.terminal:
            filled = self.WIDTH * done // total
            bar = "#" * filled + "-" * (self.WIDTH - filled)
            end = "\r\x1b[K" if done >= total else ""
            click.echo(f"\r{stage:<7}[{bar}] {100 * done // total:3d}% {done}/{total}{end}", nl=False, err=True,
                       color=True)  # the line is cleared with an escape code: this is a terminal
            return
        quarter = 4 * done // total
        if quarter > self.shown.get(stage, 0):
            self.shown[stage] = quarter
            click.echo(f"{stage}: {done}/{total}", err=True)


def _counts(result: BuildResult) -> str:
    return site_counts(result.articles, result.people, result.topics)


@main.command("check")
@_site_options
@click.option("--translations", is_flag=True,
              help="Also print which articles lack which of the site's languages.")
@click.option("--external", is_flag=True,
              help="Also ask every web page the articles link to whether it answers (results kept a day).")
def check_command(site: Path, drafts: bool, future: bool, base_url: str | None, strict: bool,
                  translations: bool, external: bool) -> None:
    """Check content, settings, templates and every internal link of a build, writing nothing."""
    from digest.commands.check import check, translation_lines

    options = BuildOptions(drafts=drafts, future=future, base_url=base_url, strict=strict)
    result = _run(lambda: check(site, options, external=external), None)
    _echo_problems(result.warnings)
    if translations:
        click.echo("\n".join(translation_lines(result)))
    click.echo(f"{_counts(result)}: {counted(result.pages, 'page')} checked, no problems in {result.seconds:.2f} s")


@main.command("serve")
@click.argument("site", default=".", type=click.Path(file_okay=False, path_type=Path))
@click.option("--host", default="127.0.0.1", show_default=True,
              help="Address to listen on; 0.0.0.0 makes the preview reachable from other machines.")
@click.option("-p", "--port", type=click.IntRange(0, 65535), default=8000, show_default=True,
              help="Port to listen on; 0 picks a free one.")
@click.option("--drafts", is_flag=True, help="Include articles with `draft: true`.")
@click.option("--future", is_flag=True, help="Include articles dated in the future.")
@click.option("--open", "open_browser", is_flag=True, help="Open the preview in a web browser.")
@click.option("-j", "--jobs", type=click.IntRange(min=1), default=None,
              help="Worker processes for large rebuilds (default: the machine's cores).")
def serve_command(site: Path, host: str, port: int, drafts: bool, future: bool, open_browser: bool,
                  jobs: int | None) -> None:
    """Build SITE into a temporary folder, serve it, and rebuild and reload pages on every save."""
    from digest.commands.preview.watch import Preview, ServeOptions, open_server, serve_site

    options = ServeOptions(host=host, port=port, drafts=drafts, future=future, jobs=jobs)
    try:
        preview = Preview(site, options, on_notice=lambda text: click.echo(
            f"{datetime.datetime.now():%H:%M:%S} {text}", err=text.startswith("search:")))
        try:
            server = open_server(preview, options)
        except UsageError:
            preview.close()
            raise
    except UsageError as exc:
        click.echo(f"digest: {exc}", err=True)
        sys.exit(2)

    def serving(url: str) -> None:
        click.echo(f"Serving {url} (Ctrl-C to stop)")
        if open_browser:
            import webbrowser

            webbrowser.open(url)

    for stop in (signal.SIGTERM, signal.SIGHUP):  # stopped by a service manager, or the terminal closed
        signal.signal(stop, _interrupt)
    serve_site(preview, server, _report_rebuild, serving)
    click.echo("Stopped.")


def _interrupt(signum: int, frame: object) -> None:
    """Stop as Ctrl-C does: the preview's folder is removed on the way out."""
    raise KeyboardInterrupt


def _report_rebuild(rebuild: Rebuild) -> None:
    """One line per build; a failed build's problems above it."""
    stamp = datetime.datetime.now().strftime("%H:%M:%S")
    what = rebuild.what_changed
    millis = f"{rebuild.seconds * 1000:.0f} ms"
    result = rebuild.result
    if result is None:
        if rebuild.crash:
            click.echo(rebuild.crash.rstrip(), err=True)
        _echo_problems(rebuild.problems)
        errors = sum(p.severity == "error" for p in rebuild.problems)
        click.echo(f"{stamp} {what}the site does not build ({counted(errors, 'problem')}); "
                   "still serving the last good build", err=True)
        return
    _echo_problems(result.warnings)
    if not rebuild.changes:
        click.echo(f"{stamp} built {_counts(result)}: {counted(result.pages, 'page')} in {millis}")
        return
    click.echo(f"{stamp} {what}{counted(result.rendered, 'page')} rendered, {counted(result.written, 'file')} "
               f"written, {result.removed} removed in {millis}")


@main.command("publish")
@click.argument("site", default=".", type=click.Path(file_okay=False, path_type=Path))
@click.option("-o", "--output", type=click.Path(path_type=Path), help="The built folder (default: SITE/output).")
@click.option("--git-branch", metavar="BRANCH", help="Commit the output to this branch of the site's repository.")
@click.option("--remote", default="origin", show_default=True, help="Where --git-branch pushes the branch.")
@click.option("--no-push", is_flag=True, help="With --git-branch: commit, but do not push.")
@click.option("--dir", "target", type=click.Path(file_okay=False, path_type=Path),
              help="Mirror the output into this folder instead.")
def publish_command(site: Path, output: Path | None, git_branch: str | None, remote: str, no_push: bool,
                    target: Path | None) -> None:
    """Publish the built output of SITE to a git branch (GitHub Pages) or to a folder."""
    from digest.commands.publish import publish_dir, publish_git

    if (git_branch is None) == (target is None):
        click.echo("digest: say where to publish: --git-branch BRANCH or --dir PATH (one of them)", err=True)
        sys.exit(2)
    output_dir = output or site / "output"
    if target is not None:
        mirrored = _run(lambda: publish_dir(output_dir, target), None)
        click.echo(f"Published {display_path(output_dir)}/ to {target}/: {counted(mirrored.copied, 'file')} copied, "
                   f"{mirrored.unchanged} unchanged, {mirrored.removed} removed")
        return
    assert git_branch is not None

    def to_branch() -> Published:
        config, problems = load_config(site)
        if any(p.severity == "error" for p in problems):
            raise DigestError(problems)
        return publish_git(site, output_dir, git_branch, None if no_push else remote, config.domain, config.title)

    done = _run(to_branch, None)
    what = f"committed {done.commit[:12]} to {git_branch}" if done.commit else f"{git_branch} already holds this output"
    pushed = f", pushed to {done.pushed}" if done.pushed else ""
    click.echo(f"Published {display_path(output_dir)}/: {what}{pushed}")


@main.command("init")
@click.argument("directory", type=click.Path(file_okay=False, path_type=Path))
@click.option("--title", default="My Digest", show_default=True, help="The site's title.")
def init_command(directory: Path, title: str) -> None:
    """Create a new site in DIRECTORY, with one example article."""
    from digest.commands.scaffold import create_site

    created = _run(lambda: create_site(directory, title, datetime.datetime.now(datetime.timezone.utc)), None)
    click.echo(f"Created a site in {directory}/ ({len(created)} files). Next:")
    click.echo(f"  cd {directory}\n  digest new \"A headline\" --people \"A Person\" --topics \"A topic\"\n"
               f"  digest build")


@main.command("new")
@click.argument("title", required=False)
@click.option("--people", default="", help="Comma-separated names: \"Vladimir Putin, Benjamin Netanyahu\".")
@click.option("--topics", default="", help="Comma-separated topics.")
@click.option("--source", default=None, help="The original publication.")
@click.option("--source-url", default=None, help="Link to the original.")
@click.option("--draft", is_flag=True, help="Mark the article as a draft.")
@click.option("--edition", is_flag=True, help="Instead: the coming edition's introduction, content/editions/N.md.")
@click.option("--site", "site_dir", default=".", type=click.Path(file_okay=False, path_type=Path),
              help="The site folder (default: this folder).")
def new_command(title: str | None, people: str, topics: str, source: str | None, source_url: str | None,
                draft: bool, edition: bool, site_dir: Path) -> None:
    """Create a new article in content/, dated now (or, with --edition, the coming edition's introduction)."""
    from digest.commands.edition import write_introduction
    from digest.commands.scaffold import new_article

    if edition:
        path = _run(lambda: write_introduction(site_dir), None)
    elif not title:
        raise click.UsageError("give the article's TITLE (or --edition for an edition's introduction)")
    else:
        path = _run(lambda: new_article(site_dir, title=title, people=_split(people), topics=_split(topics),
                                        source=source, source_url=source_url, draft=draft,
                                        now=datetime.datetime.now(datetime.timezone.utc)), None)
    click.echo(f"Created {path}")


@main.command("edition")
@click.argument("arguments", nargs=-1, metavar="[SITE] [NUMBER]")
@click.option("--next", "coming", is_flag=True, help="The coming edition, with its articles so far.")
@click.option("--email", type=click.Path(dir_okay=False, path_type=Path), help="Write the newsletter to FILE.eml.")
@click.option("--send", "send_it", is_flag=True, help="Send the newsletter through the server of `smtp:`.")
@click.option("--drafts", is_flag=True, help="Include articles with `draft: true`.")
def edition_command(arguments: tuple[str, ...], coming: bool, email: Path | None, send_it: bool,
                    drafts: bool) -> None:
    """Show what an edition holds (default: the newest), and write or send it as a newsletter."""
    from digest.commands.edition import describe, read_edition, site_and_number

    site, number = _run(lambda: site_and_number(arguments, coming), None)
    report = _run(lambda: read_edition(site, number, coming, BuildOptions(drafts=drafts)), None)
    _echo_problems(report.warnings)
    click.echo("\n".join(describe(report)))
    if (email or send_it) and report.edition is None:
        raise click.UsageError(f"edition {report.number} holds no article yet: there is no newsletter to write")
    message = report.message()
    if email:
        email.write_bytes(message.as_bytes())
        click.echo(f"Wrote {email}")
    if send_it:
        if report.config.smtp is None:
            raise click.UsageError("--send needs `smtp:` in digest.yaml (host, from, to); the user name and "
                                   "password come from DIGEST_SMTP_USER and DIGEST_SMTP_PASSWORD")
        from digest.commands.mail import send

        sent = _run(lambda: send(message, report.config.smtp), None)  # type: ignore[arg-type]
        click.echo(f"Sent to {', '.join(sent)} through {report.config.smtp.host}:{report.config.smtp.port}")


def _split(names: str) -> list[str]:
    return [n.strip() for n in names.split(",") if n.strip()]


@main.command("import")
@click.argument("site_and_source", nargs=-1, required=True, metavar="[SITE] SOURCE")
@click.option("--people", default=None, help='Names to write instead of the suggestions; "+A, B" adds them.')
@click.option("--topics", default=None, help='Topics to write instead of the suggestions; "+A, B" adds them.')
@click.option("--title", default=None, help="The headline, instead of the one found.")
@click.option("--source", default=None, help="The original publication, instead of the one found.")
@click.option("--date", type=click.DateTime(["%Y-%m-%d"]), default=None,
              help="YYYY-MM-DD, when the page gives no date (default: today).")
@click.option("--timeout", type=click.FloatRange(min=0.01), default=20.0, show_default=True,
              help="Seconds to fetch a URL.")
@click.option("-y", "--yes", is_flag=True, help="Write without asking.")
@click.option("-n", "--dry-run", is_flag=True, help="Show the article, write nothing.")
def import_command(site_and_source: tuple[str, ...], people: str | None, topics: str | None, title: str | None,
                   source: str | None, date: datetime.datetime | None, timeout: float, yes: bool,
                   dry_run: bool) -> None:
    """Make an article of SOURCE: a text, Markdown or HTML file, an http(s) URL, or - (standard input)."""
    from digest.commands import intake  # here: trafilatura takes a while to load, and only this command needs it
    from digest.commands.extract import FetchError

    if len(site_and_source) > 2:
        raise click.UsageError("give at most a site folder and a source")
    site, story = (Path("."), *site_and_source) if len(site_and_source) == 1 else site_and_source
    if story == "-" and not (yes or dry_run):
        raise click.UsageError("the story comes from standard input, so nothing can be asked: add --yes or --dry-run")
    given = {taxonomy: intake.GivenNames(names=tuple(_split(value.lstrip("+"))), add=value.lstrip().startswith("+"))
             for taxonomy, value in (("people", people), ("topics", topics)) if value is not None}
    options = intake.ImportOptions(date=date.date() if date else None, title=title, source=source,
                                   names=given, timeout=timeout)

    def prepare() -> intake.Draft:
        try:
            return intake.prepare_import(Path(site), story, options, sys.stdin.buffer.read() if story == "-" else None)
        except FetchError as exc:  # the source could not be read: not a mistake in the command
            click.echo(f"digest: {exc}", err=True)
            sys.exit(1)

    draft = _run(prepare, None)
    click.echo("\n".join(intake.preview(draft)))
    _echo_problems(draft.warnings)
    if draft.exists:
        click.echo(f"digest: {draft.path} already exists; nothing was written", err=True)
        sys.exit(2)
    if dry_run:
        return
    if not yes:
        try:
            if not click.confirm(f"Write {draft.path}?", default=False):
                click.echo("Nothing was written.")
                return
        except click.Abort:
            click.echo("\ndigest: no answer; nothing was written (--yes writes without asking)", err=True)
            sys.exit(1)
    path = _run(lambda: intake.write_draft(Path(site), draft), None)
    click.echo(f"Wrote {display_path(path)}")


if __name__ == "__main__":
    main()
