"""Stage 5, plan, checked: what the planned pages and copied files would get wrong, found before writing.

An article whose URL is one of the site's own pages, a file where another needs a folder,
an `image` that names a file the output will not have: each is a problem naming the file
that causes it, reported with every other problem of the site.
"""

from __future__ import annotations

import os
from collections.abc import Iterable, Mapping
from pathlib import Path
from urllib.parse import unquote

from digest.model import Article, Page, PageKind, Problem, TermPage
from digest.read.yamlread import top_level_key_lines


def check_page_urls(pages: list[Page], articles: Iterable[Article], problems: list[Problem]) -> None:
    """Report an article whose URL, or old URL, is also one of the site's own pages (`/people/`, `/2015/`...).

    A URL inside another file of the site is `check_file_clashes`' to report.
    """
    owners = {a.url: a.path for a in articles}
    seen: dict[str, Page] = {}
    for page in pages:
        first = seen.setdefault(page.output_path, page)
        if first is not page and PageKind.REDIRECT in (first.kind, page.kind):
            moved = page if page.kind is PageKind.REDIRECT else first
            article: Article = moved.context["article"]  # type: ignore[assignment]
            problems.append(Problem(path=article.path, line=None,
                                    message=f"its old URL {moved.url} (in `aliases`) is also a page of the site",
                                    hint="Remove it from `aliases`: the page there is not to be replaced."))
            continue
        kinds = {first.kind, page.kind}
        if first is not page and PageKind.EDITION in kinds and PageKind.ARTICLE not in kinds:
            problems.append(Problem(path="digest.yaml", line=None,
                                    message=f"an edition's URL {page.url} is also another page of the site",
                                    hint="Change `permalinks.edition`: `/editions/{number}/` is the default."))
        elif first is not page and PageKind.ARTICLE in kinds and kinds != {PageKind.ARTICLE}:
            problems.append(Problem(path=owners[page.url], line=None,
                                    message=f"its URL {page.url} is also a page of the site",
                                    hint="Give it another `slug:` or change `permalinks.article`."))


def folders_of(output_path: str) -> list[str]:
    """The folders an output file is written in.

    >>> folders_of("feed.xml/index.html")
    ['feed.xml']
    """
    parts = output_path.split("/")[:-1]
    return ["/".join(parts[: n + 1]) for n in range(len(parts))]


def check_file_clashes(pages: list[Page], copies: Mapping[str, str], site_dir: Path, problems: list[Problem]) -> None:
    """Report what the site writes where another of its files needs a folder, before anything is written:
    an article or old URL inside a file (`/feed.xml/`, `/js/search.js/`), a copied file (static or content)
    inside one (`static/feed.xml/x`), or a copied file where pages need a folder (`static/people`).

    `copies`: output path -> source file, as the build copies them (a page of the same path wins).
    """
    files = {page.output_path: page.url for page in pages}
    copied = [path for path in sorted(copies) if path not in files]
    files.update((path, "/" + path) for path in copied)
    reported: set[str] = set()
    for page in pages:
        clash = next((folder for folder in folders_of(page.output_path) if folder in files), None)
        if clash is not None and page.kind in (PageKind.ARTICLE, PageKind.REDIRECT):
            reported.add(page.output_path)
            which = "old URL" if page.kind is PageKind.REDIRECT else "URL"
            article: Article = page.context["article"]  # type: ignore[assignment]
            problems.append(Problem(path=article.path, line=None,
                                    message=f"its {which} {page.url} would be a folder, but {files[clash]} is a file "
                                            "of the site",
                                    hint="Remove it from `aliases`." if which == "old URL" else
                                    "Give it another `slug:` or change `permalinks.article`."))
    folders: dict[str, str] = {}  # a folder of the output -> a file written in it (an article's: reported above)
    for path in files:
        if path not in reported:
            folders.update((folder, path) for folder in folders_of(path) if folder not in folders)
    for path in copied:
        clash = next((folder for folder in folders_of(path) if folder in files), None)
        if clash is not None:
            why = f"{files[clash]} is a file of the site"
        elif path in folders:
            why = f"{files[folders[path]]} needs a folder of that name"
        else:
            continue
        name = os.path.relpath(copies[path], site_dir)
        problems.append(Problem(path=copies[path] if name.startswith("..") else Path(name).as_posix(), line=None,
                                message=f"cannot be copied to /{path}: {why}", hint="Rename the file or its folder."))


def check_images(items: Iterable[Article | TermPage], files: Iterable[str], site_dir: Path,
                 problems: list[Problem]) -> None:
    """Report an `image` that names a file the output will not have (`files`: the output paths of the files
    the build copies, from content/ and the static folders)."""
    have = set(files)
    for item in items:
        if item.image is None or item.image.lower().startswith(("http://", "https://")):
            continue
        if unquote(item.image).lstrip("/") not in have:
            try:
                text = (site_dir / item.path).read_text(encoding="utf-8", errors="replace")
            except OSError:
                text = ""
            line = top_level_key_lines(text).get("image", [None])[-1]
            problems.append(Problem(path=item.path, line=line, message=f"`image` names content{unquote(item.image)}, "
                                    "which does not exist", hint="Put the image there, or correct its name."))
