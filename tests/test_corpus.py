"""A synthetic 1,000-article corpus (``shared/bench/gen_corpus.py``), built and checked.

The generator writes ``corpus.json`` with what a correct build must produce: one page per
article, per distinct person and per distinct topic, and ceil(N/10) home pages. The
corpus is generated and built once for the module (in ``/dev/shm`` when there is one),
then counted and run through check-site.
"""

from __future__ import annotations

import json
import math
import os
import re
import shutil
import subprocess
import sys
import tempfile
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

pytestmark = [pytest.mark.shared, pytest.mark.slow]

ARTICLES = 1000
BASE_URL = "https://example.org/news/"
BASE_PATH = "/news/"
PER_PAGE = 10  # the default; the corpus's digest.yaml sets only the title

ARTICLE_PAGE = re.compile(r"(\d{4})/(\d{2})/([^/]+)/index\.html")
SOURCE_FILE = re.compile(r"\d{4}-\d{2}-\d{2}-(.+)\.md")


@dataclass(frozen=True)
class Corpus:
    site: Path
    output: Path
    manifest: dict[str, Any]
    build_log: str


def _scratch_parent() -> str | None:
    """/dev/shm when it is there and writable (a RAM disk: the build writes ~2,300 files)."""
    shm = "/dev/shm"
    return shm if os.path.isdir(shm) and os.access(shm, os.W_OK) else None


def _run(args: list[str], what: str, **kwargs: Any) -> subprocess.CompletedProcess[str]:
    proc = subprocess.run(args, capture_output=True, text=True, stdin=subprocess.DEVNULL, timeout=600, **kwargs)
    if proc.returncode != 0:
        pytest.fail(f"{what} exited {proc.returncode}\n$ {' '.join(args)}\n"
                    f"--- stdout\n{proc.stdout}\n--- stderr\n{proc.stderr}", pytrace=False)
    return proc


@pytest.fixture(scope="module")
def corpus(shared_dir: Path) -> Iterator[Corpus]:
    """The corpus generated (--articles 1000 --flavor digest --seed 1) and built under /news/."""
    bench = shared_dir / "bench"
    scratch = Path(tempfile.mkdtemp(prefix="digest-test-corpus-", dir=_scratch_parent()))
    try:
        site, output = scratch / "site", scratch / "output"
        _run([sys.executable, str(bench / "gen_corpus.py"), "--articles", str(ARTICLES), "--flavor", "digest",
              "--seed", "1", "--out", str(site)], "gen_corpus.py", cwd=bench)
        build = _run([sys.executable, "-m", "digest", "build", str(site), "--output", str(output),
                      "--base-url", BASE_URL], "digest build")
        manifest = json.loads((site / "corpus.json").read_text(encoding="utf-8"))
        yield Corpus(site=site, output=output, manifest=manifest, build_log=build.stdout + build.stderr)
    finally:
        shutil.rmtree(scratch, ignore_errors=True)


def test_corpus_page_counts_match_corpus_json(corpus: Corpus) -> None:
    manifest, out = corpus.manifest, corpus.output
    assert manifest["articles"] == ARTICLES

    # exactly one page per article, at /YYYY/MM/slug/, for the slug its file name gives
    pages = [p.relative_to(out).as_posix() for p in out.rglob("index.html")]
    article_slugs = Counter(m.group(3) for p in pages if (m := ARTICLE_PAGE.fullmatch(p)))
    source_slugs = Counter(m.group(1) for p in (corpus.site / "content").rglob("*.md")
                           if (m := SOURCE_FILE.fullmatch(p.name)))
    assert sum(source_slugs.values()) == ARTICLES
    assert sum(article_slugs.values()) == manifest["articles"], corpus.build_log
    assert {s: n for s, n in article_slugs.items() if n > 1} == {}
    assert article_slugs == source_slugs

    # one page per distinct person and topic (their own pagination pages not counted)
    for taxonomy, key in (("people", "people_used"), ("topics", "topics_used")):
        term_pages = sorted(p.parent.name for p in (out / taxonomy).glob("*/index.html"))
        assert len(term_pages) == manifest[key], f"{taxonomy}: {len(term_pages)} pages, corpus.json {key} = " \
                                                 f"{manifest[key]}\n{corpus.build_log}"
        assert manifest["expected_pages"][taxonomy] == manifest[key]

    # the home page, paginated 10 a page: /, /page/2/ ... /page/N/
    home = ["index.html"] + sorted(p.relative_to(out).as_posix() for p in (out / "page").glob("*/index.html"))
    assert len(home) == math.ceil(ARTICLES / PER_PAGE) == manifest["expected_pages"]["home"]
    assert {f"page/{n}/index.html" for n in range(2, len(home) + 1)} == set(home[1:])


def test_corpus_output_passes_check_site(corpus: Corpus, run_check_site: Any) -> None:
    proc = run_check_site(corpus.output, "--base-path", BASE_PATH)
    report = f"check-site exited {proc.returncode}\n--- stdout\n{proc.stdout}\n--- stderr\n{proc.stderr}"
    assert proc.returncode == 0, report
    print(proc.stdout)


def test_corpus_bodies_render_alike_by_both_markdown_parsers(corpus: Corpus) -> None:
    """Each body the Rust parser takes is rendered as markdown-it-py renders it (digest/read/markdown_rust.py)."""
    from digest.model import MarkdownOptions
    from digest.read.markdown import render_markdown, render_python
    from digest.read.markdown_rust import render_rust

    bodies = [path.read_text(encoding="utf-8").split("\n---\n", 1)[1]
              for path in (corpus.site / "content").rglob("*.md")]
    taken = [body for body in bodies if render_rust(body, MarkdownOptions()) is not None]
    assert len(bodies) == ARTICLES and len(taken) > 0.95 * ARTICLES
    options = MarkdownOptions()
    assert [body for body in taken if render_markdown(body, options) != render_python(body, options)] == []
