"""JSON Feed 1.1 beside every Atom feed: the same entries, valid against the format's schema.

The schema below is JSON Feed 1.1 (https://www.jsonfeed.org/version/1.1/) written as a JSON
Schema: the fields digest writes, with the types and formats the specification gives them,
and the rule that an item has `content_html` or `content_text`.
"""

from __future__ import annotations

import datetime
import json
import xml.etree.ElementTree as ET
from pathlib import Path
from typing import Any

import jsonschema
import pytest

import digest

NOW = datetime.datetime(2016, 3, 1, tzinfo=datetime.timezone.utc)
ATOM = "{http://www.w3.org/2005/Atom}"

_URL = {"type": "string", "format": "uri", "pattern": "^https?://"}
# RFC 3339, written out: a format checker may lack the package that checks "date-time"
_DATE = {"type": "string", "format": "date-time",
         "pattern": r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$"}
JSON_FEED_1_1 = {
    "$schema": "https://json-schema.org/draft/2020-12/schema",
    "type": "object",
    "required": ["version", "title", "items"],
    "properties": {
        "version": {"const": "https://jsonfeed.org/version/1.1"},
        "title": {"type": "string", "minLength": 1},
        "home_page_url": _URL,
        "feed_url": _URL,
        "description": {"type": "string"},
        "language": {"type": "string", "pattern": "^[A-Za-z]{2,3}(-[A-Za-z0-9]+)*$"},
        "authors": {"type": "array", "items": {"type": "object", "properties": {"name": {"type": "string"},
                                                                                 "url": _URL}}},
        "items": {"type": "array", "items": {
            "type": "object",
            "required": ["id"],
            "anyOf": [{"required": ["content_html"]}, {"required": ["content_text"]}],
            "properties": {
                "id": {"type": "string", "minLength": 1},
                "url": _URL,
                "external_url": _URL,
                "title": {"type": "string"},
                "summary": {"type": "string"},
                "content_html": {"type": "string"},
                "content_text": {"type": "string"},
                "date_published": _DATE,
                "date_modified": _DATE,
                "tags": {"type": "array", "items": {"type": "string"}},
            },
            "additionalProperties": False,
        }},
    },
    "additionalProperties": False,
}


@pytest.fixture(scope="module")
def output(example_output: Path) -> Path:
    return example_output


def test_every_atom_feed_has_a_valid_json_twin_with_the_same_entries(output: Path) -> None:
    checker = jsonschema.Draft202012Validator(JSON_FEED_1_1, format_checker=jsonschema.FormatChecker())
    atoms = sorted(output.rglob("feed.xml"))
    assert len(atoms) > 40  # the site's, and every person's, topic's and source's
    for atom in atoms:
        twin = atom.with_suffix(".json")
        feed = json.loads(twin.read_text(encoding="utf-8"))
        errors = sorted(checker.iter_errors(feed), key=str)
        assert not errors, f"{twin}: {errors[0].message} at {list(errors[0].absolute_path)}"
        entries = ET.parse(atom).getroot().findall(f"{ATOM}entry")
        assert [item["id"] for item in feed["items"]] == [e.findtext(f"{ATOM}id") for e in entries], twin
        assert [item["title"] for item in feed["items"]] == [e.findtext(f"{ATOM}title") for e in entries]
        assert feed["feed_url"].endswith(twin.relative_to(output).as_posix())


def test_the_site_feed_carries_bodies_and_term_feeds_summaries(output: Path) -> None:
    site = json.loads((output / "feed.json").read_text(encoding="utf-8"))
    assert site["title"] == "World Digest" and site["language"] == "en"
    first = site["items"][0]
    assert first["content_html"].startswith("<")
    assert {"date_published", "date_modified", "tags", "summary"} <= first.keys()
    person = json.loads((output / "people/vladimir-putin/feed.json").read_text(encoding="utf-8"))
    assert person["title"] == "Vladimir Putin — World Digest"
    assert all("content_text" in item and "content_html" not in item for item in person["items"])
    assert all("Vladimir Putin" in item["tags"] for item in person["items"])


def test_pages_link_their_json_feeds(output: Path) -> None:
    page = (output / "people/vladimir-putin/index.html").read_text(encoding="utf-8")
    assert '<link rel="alternate" type="application/feed+json" title="World Digest" href="/feed.json">' in page
    assert 'type="application/feed+json" title="Vladimir Putin · World Digest" ' \
           'href="/people/vladimir-putin/feed.json">' in page


def test_hostile_text_stays_json(make_site: Any) -> None:
    site = make_site({"content/2015-11-30-a.md": '---\ntitle: "A </script> \\"quoted\\" & \\u2028 line"\n'
                                                 "people: [\"Ann 'O' <b>\"]\n---\n\nBody <em>raw</em> \\\\ end.\n"})
    digest.build(site, digest.BuildOptions(now=NOW, index_search=False))
    feed = json.loads((site / "output/feed.json").read_text(encoding="utf-8"))
    assert feed["items"][0]["title"] == 'A </script> "quoted" & \u2028 line'
    assert feed["items"][0]["tags"] == ["Ann 'O' <b>"]


def test_an_entry_is_rendered_once_for_every_feed_that_lists_it(make_site: Any, monkeypatch: Any,
                                                                 tmp_path: Path) -> None:
    # three articles, each in the feeds of two or three terms and the site's: an entry is rendered once per
    # article and kind of feed (the site's carries bodies); with none kept, once per feed, to the same bytes
    import jinja2

    import digest.render.renderer

    people = ["[Ada Lovelace, Charles Babbage]", "[Ada Lovelace]", "[Charles Babbage, Ada Lovelace]"]
    site = make_site({f"content/2015-11-{day}-a{day}.md": f"---\ntitle: A{day}\npeople: {names}\ntopics: [Engines]\n"
                      f"---\n\nBody {day}.\n" for day, names in zip((28, 29, 30), people)})
    rendered: list[str] = []
    original = jinja2.Template.render

    def counting(self: jinja2.Template, *args: Any, **kwargs: Any) -> str:
        rendered.append(str(self.name))
        return original(self, *args, **kwargs)

    monkeypatch.setattr(jinja2.Template, "render", counting)
    outputs = {}
    for kept in (digest.render.renderer.ENTRIES_KEPT, 0):
        monkeypatch.setattr(digest.render.renderer, "ENTRIES_KEPT", kept)
        rendered.clear()
        out = tmp_path / f"out-{kept}"
        digest.build(site, digest.BuildOptions(now=NOW, index_search=False, jobs=1, output_dir=out))
        outputs[kept] = {p.relative_to(out).as_posix(): p.read_bytes() for p in out.rglob("*feed.*")}
        # feeds: the site's (3 entries), 2 people's (3 and 2), the topic's (3), and the source's (none)
        assert rendered.count("_atom_entry.xml") == rendered.count("_feed_entry.json") == (6 if kept else 11)
    assert outputs[0] == outputs[digest.render.renderer.ENTRIES_KEPT]
    atom = ET.fromstring(outputs[0]["people/ada-lovelace/feed.xml"])
    assert [e.findtext(f"{ATOM}title") for e in atom.findall(f"{ATOM}entry")] == ["A30", "A29", "A28"]
