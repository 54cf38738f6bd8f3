"""What a build does not do again: compile templates kept in the build cache (even in a new process), or
unpickle parse results a process that builds again and again (the preview) has read before."""

from __future__ import annotations

from pathlib import Path
from typing import Any, Callable

import jinja2
import pytest

import digest.incremental.cache as cache_module
import digest.render.environment as environment
from digest.build import build
from digest.incremental.cache import BuildCache
from digest.model import Article
from digest.records import BuildOptions

SITE = {
    "digest.yaml": "title: Compiled\nbase_url: https://example.org/\nsearch: false\n",
    "content/2015-11-30-paris.md": "---\ntitle: Paris\npeople: [Vladimir Putin]\n---\nThey met.\n",
}


def test_templates_compiled_once_are_read_back_from_the_cache(make_site: Callable[..., Path],
                                                              monkeypatch: pytest.MonkeyPatch) -> None:
    site = make_site(SITE)
    compiled: list[str] = []
    real = jinja2.Environment.compile

    def counting(self: jinja2.Environment, source: Any, name: str | None = None, *args: Any, **kwargs: Any) -> Any:
        compiled.append(str(name))
        return real(self, source, name, *args, **kwargs)

    monkeypatch.setattr(jinja2.Environment, "compile", counting)
    monkeypatch.setattr(environment._COMPILED, "_code", {})  # as in a new process
    build(site, BuildOptions(), BuildCache(site))
    assert "article.html" in compiled
    kept = sorted((site / ".digest-cache" / "templates").glob("*.bin"))
    assert len(kept) >= len(set(compiled)) > 5
    compiled.clear()
    monkeypatch.setattr(environment._COMPILED, "_code", {})
    (site / "content" / "2015-11-30-paris.md").write_text(SITE["content/2015-11-30-paris.md"] + "More.\n",
                                                          encoding="utf-8")
    build(site, BuildOptions(), BuildCache(site))
    assert compiled == []
    # an edited template is compiled anew; damaged entries are compiled again, not trusted
    (site / "templates").mkdir()
    (site / "templates" / "article.html").write_text('{% extends "base.html" %}', encoding="utf-8")
    monkeypatch.setattr(environment._COMPILED, "_code", {})
    build(site, BuildOptions(), BuildCache(site))
    assert compiled == ["article.html"]
    for entry in kept:
        entry.write_bytes(b"not bytecode")
    compiled.clear()
    monkeypatch.setattr(environment._COMPILED, "_code", {})
    build(site, BuildOptions(), BuildCache(site))
    assert {"base.html", "404.html"} <= set(compiled)
    build(site, BuildOptions(), None)  # without the cache: nothing written there
    assert environment._COMPILED.folder is None


def test_a_process_that_builds_again_unpickles_only_the_parse_results_an_edit_changed(
        make_site: Callable[..., Path], monkeypatch: pytest.MonkeyPatch) -> None:
    site = make_site({**SITE, "content/2015-11-24-jet.md": "---\ntitle: Jet\ntopics: [Turkey]\n---\nShot down.\n"})
    build(site, BuildOptions(), BuildCache(site))
    loaded: list[object] = []
    real = cache_module._loads

    def counting(data: bytes) -> object:
        value = real(data)
        if isinstance(value, tuple) and value and isinstance(value[0], Article):  # a parse result
            loaded.append(value[0])
        return value

    monkeypatch.setattr(cache_module, "_loads", counting)
    paris = site / "content" / "2015-11-30-paris.md"
    paris.write_text(paris.read_text(encoding="utf-8").replace("[Vladimir Putin]", "[Benjamin Netanyahu]"),
                     encoding="utf-8")
    build(site, BuildOptions(), BuildCache(site))  # both read back once, in this process
    first = len(loaded)
    paris.write_text(paris.read_text(encoding="utf-8").replace("[Benjamin Netanyahu]", "[Moshe Ya'alon]"),
                     encoding="utf-8")
    result = build(site, BuildOptions(), BuildCache(site))
    assert first == 2 and len(loaded) == 3  # then the edited one only, as the last build left it
    assert isinstance(loaded[-1], Article) and loaded[-1].people == ("Benjamin Netanyahu",)
    assert "people/moshe-yaalon/index.html" in result.changed
    clean = build(site, BuildOptions(output_dir=str(site / "clean")))
    assert clean.pages == result.pages
