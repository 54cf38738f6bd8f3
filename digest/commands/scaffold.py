"""New sites and new articles: the files `digest init` and `digest new` write."""

from __future__ import annotations

import datetime
import json
from pathlib import Path

from digest.model import UsageError
from digest.read.names import slugify


def _yaml_text(value: str) -> str:
    """A YAML scalar that reads back as exactly `value` (JSON strings are YAML)."""
    return json.dumps(value, ensure_ascii=False)


def create_site(directory: Path, title: str, now: datetime.datetime) -> list[Path]:
    """Write a site skeleton with one example article; refuse a folder that is not empty."""
    if directory.exists() and (not directory.is_dir() or any(directory.iterdir())):
        raise UsageError(f"{directory} already exists and is not empty; choose a new folder")
    files = {
        "digest.yaml": (
            f"# Settings of this digest; every key is optional. See the README of digest.\n"
            f"title: {_yaml_text(title)}\n"
            f"description: \"A curated digest of the news.\"\n"
            f"base_url: https://example.org/\n"
            f"language: en\n"
            f"timezone: UTC\n"
            f"per_page: 10\n"
        ),
        ".gitignore": "/output/\n/.digest-cache/\n/.digest-twin-output/\n",
        "content/people/.gitkeep": "",
        "content/topics/.gitkeep": "",
        "static/.gitkeep": "",
        "templates/.gitkeep": "",
    }
    files[f"content/{now:%Y}/{now:%Y-%m-%d}-welcome.md"] = (
        "---\n"
        "title: Welcome to your digest\n"
        f"date: {now:%Y-%m-%d}\n"
        "people: [Ada Lovelace]\n"
        "topics: [Getting started]\n"
        "summary: What a digest article looks like, and where to go from here.\n"
        "---\n\n"
        "Each article is a Markdown file in `content/` that starts with front matter: its title,\n"
        "its date, and the **people** and **topics** it is about. Every person and topic gets a\n"
        "page of its own that lists the articles naming them.\n\n"
        "Write a new article with `digest new \"A headline\"`, then run `digest build`.\n"
    )
    written = []
    for relative, text in files.items():
        path = directory / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
        written.append(path)
    return written


def new_article(site_dir: Path, *, title: str, people: list[str], topics: list[str], source: str | None,
                source_url: str | None, draft: bool, now: datetime.datetime) -> Path:
    """Write `content/YYYY/YYYY-MM-DD-slug.md` for a new article, dated `now`; return its path."""
    if not (site_dir / "content").is_dir():
        raise UsageError(f"{site_dir} has no content/ folder; run it in a site made by `digest init`")
    slug = slugify(title)
    if not slug:
        raise UsageError(f'the title "{title}" has no letters or digits to make a file name from')
    path = site_dir / "content" / f"{now:%Y}" / f"{now:%Y-%m-%d}-{slug}.md"
    if path.exists():
        raise UsageError(f"{path} already exists")
    lines = ["---", f"title: {_yaml_text(title)}", f"date: {now.replace(microsecond=0).isoformat()}"]
    if people:
        lines.append("people: [" + ", ".join(_yaml_text(p) for p in people) + "]")
    if topics:
        lines.append("topics: [" + ", ".join(_yaml_text(t) for t in topics) + "]")
    if source:
        lines.append(f"source: {_yaml_text(source)}")
    if source_url:
        lines.append(f"source_url: {source_url}")
    if draft:
        lines.append("draft: true")
    lines += ["summary:", "---", "", "Write the article here.", ""]
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("\n".join(lines), encoding="utf-8")
    return path
