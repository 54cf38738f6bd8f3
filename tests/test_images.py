"""Images next to articles and term pages reach the output, and pages point at them."""

from __future__ import annotations

import datetime
from pathlib import Path

from digest.build import build
from digest.records import BuildOptions

NOW = datetime.datetime(2016, 1, 1, tzinfo=datetime.timezone.utc)


def test_article_and_term_images_are_copied_and_linked_under_the_base_path(make_site) -> None:  # type: ignore[no-untyped-def]
    site = make_site({
        "digest.yaml": "title: Images\nbase_url: https://example.org/news/\n",
        "content/2015/2015-11-30-paris.md": """
            ---
            title: Leaders meet in Paris
            people: [Vladimir Putin]
            image: photos/paris.jpg
            image_alt: The conference centre at Le Bourget
            ---
            The talks began. ![A map of the venue](photos/map.png)
            """,
        "content/2015/photos/paris.jpg": "jpeg bytes",
        "content/2015/photos/map.png": "png bytes",
        "content/people/vladimir-putin.md": """
            ---
            name: Vladimir Putin
            image: putin.jpg
            image_alt: Vladimir Putin in 2015
            ---
            President of Russia.
            """,
        "content/people/putin.jpg": "jpeg bytes",
    })
    out = site / "output"
    build(site, BuildOptions(now=NOW))
    assert (out / "2015/photos/paris.jpg").read_text() == "jpeg bytes"
    assert (out / "2015/photos/map.png").read_text() == "png bytes"
    assert (out / "people/putin.jpg").read_text() == "jpeg bytes"
    article = (out / "2015/11/paris/index.html").read_text()
    assert '<img src="/news/2015/photos/paris.jpg" alt="The conference centre at Le Bourget">' in article
    assert '<img src="/news/2015/photos/map.png" alt="A map of the venue" loading="lazy" />' in article
    person = (out / "people/vladimir-putin/index.html").read_text()
    assert 'src="/news/people/putin.jpg" alt="Vladimir Putin in 2015"' in person


def test_markdown_files_are_not_copied_as_files(make_site, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    site = make_site({"content/2015-11-30-a.md": "---\ntitle: A\n---\nText.\n"})
    build(site, BuildOptions(now=NOW))
    assert not list((site / "output").rglob("*.md"))
