"""Duplicate links found in a 1,000-article corpus: every planted duplicate, and no false one.

The corpus (``shared/bench/gen_corpus.py``, seed 1) has none of its own. Into a copy, one
article of each pair is made to link its partner's story in one of the ways the same
address gets written: another scheme, with or without `www.`, a default port, a trailing
slash, a fragment, tracking parameters, an AMP variant, parameters in another order. Half
go in as the `source_url`, half as a link in the body. `digest build` must warn of each
one, at its file and line, naming its partner; `digest check --strict` refuses them.
"""

from __future__ import annotations

import random
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

import digest
from digest.model import DigestError
from digest.read.urls import canonical_url

pytestmark = [pytest.mark.shared, pytest.mark.slow]

# How a planted link rewrites its partner's address https://HOST/PATH/ (`host` as written, `bare`
# without its `www.`, `other` the host with `www.` added or taken away).
VARIANTS = {
    "scheme": lambda host, bare, other, path: f"http://{host}{path}",
    "www or not": lambda host, bare, other, path: f"https://{other}{path}",
    "default port": lambda host, bare, other, path: f"https://{host}:443{path}",
    "no trailing slash": lambda host, bare, other, path: f"https://{host}{path.rstrip('/')}",
    "fragment": lambda host, bare, other, path: f"https://{host}{path}#comments",
    "utm": lambda host, bare, other, path: f"https://{host}{path}?utm_source=newsletter&utm_medium=email",
    "fbclid": lambda host, bare, other, path: f"https://{host}{path}?fbclid=IwAR2xYz",
    "gclid": lambda host, bare, other, path: f"https://{bare}{path}?gclid=Cj0KCQiA",
    "amp path": lambda host, bare, other, path: f"https://{host}{path}amp/",
    "amp parameter": lambda host, bare, other, path: f"https://{host}{path}?amp=1",
    "parameter order": lambda host, bare, other, path: f"https://{host}{path}?page=2&id=7",
    "everything": lambda host, bare, other, path: f"HTTP://{other.upper()}:80{path}amp?utm_campaign=x&page=2&id=7#top",
}
SOURCE_URL = re.compile(r"^source_url: (https://([^/]+)(/.*))$", re.MULTILINE)


@pytest.fixture(scope="module")
def corpus(shared_dir: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    site = tmp_path_factory.mktemp("duplicates") / "site"
    done = subprocess.run([sys.executable, str(shared_dir / "bench" / "gen_corpus.py"), "--articles", "1000",
                           "--flavor", "digest", "--seed", "1", "--out", str(site)],
                          capture_output=True, text=True, stdin=subprocess.DEVNULL, timeout=300)
    assert done.returncode == 0, done.stderr
    return site


def duplicate_warnings(result_or_error: digest.BuildResult | DigestError) -> list[digest.Problem]:
    problems = (result_or_error.warnings if isinstance(result_or_error, digest.BuildResult)
                else result_or_error.problems)
    return [p for p in problems if p.message.startswith("links the same story as ")]


def test_the_corpus_has_no_duplicate_of_its_own(corpus: Path, tmp_path: Path) -> None:
    result = digest.build(corpus, digest.BuildOptions(output_dir=str(tmp_path / "out"), index_search=False))
    assert duplicate_warnings(result) == []


def test_every_planted_duplicate_is_found_and_no_other(corpus: Path, tmp_path: Path) -> None:
    site = tmp_path / "site"
    shutil.copytree(corpus, site)
    files = sorted((site / "content").rglob("*.md"))
    pairs = random.Random(7).sample(files, 2 * len(VARIANTS))
    planted: dict[str, tuple[str, int, str]] = {}  # path -> (partner's path, line of the planted link, variant)
    for number, (variant, rewrite) in enumerate(VARIANTS.items()):
        original, copy = pairs[2 * number], pairs[2 * number + 1]
        text = original.read_text(encoding="utf-8")
        found = SOURCE_URL.search(text)
        assert found, original
        url, host, path = found.groups()
        if variant.startswith(("parameter order", "everything")):  # a story addressed with parameters
            url = f"{url}?id=7&page=2"
            text = text.replace(found.group(0), f"source_url: {url}")
            original.write_text(text, encoding="utf-8")
        partner_line = text[: text.index(f"source_url: {url}")].count("\n") + 1
        bare = host.removeprefix("www.")
        link = rewrite(host, bare, bare if host.startswith("www.") else f"www.{host}", path)
        assert canonical_url(link) == canonical_url(url), variant
        assert link != url
        other = copy.read_text(encoding="utf-8")
        if number % 2 == 0:  # as its source_url
            other = SOURCE_URL.sub(lambda _: f"source_url: {link}", other, count=1)
            line = other[: other.index(f"source_url: {link}")].count("\n") + 1
        else:  # as a link in its body
            other = other.rstrip("\n") + f"\n\nSee also [the same story]({link}).\n"
            line = other.count("\n")
        copy.write_text(other, encoding="utf-8")
        relative = copy.relative_to(site).as_posix()
        planted[relative] = (f"{original.relative_to(site).as_posix()}:{partner_line}", line, variant)

    result = digest.build(site, digest.BuildOptions(output_dir=str(tmp_path / "out"), index_search=False))
    warnings = duplicate_warnings(result)
    reported = {}
    for warning in warnings:
        partner = warning.message.removeprefix("links the same story as ").split(": ", 1)[0]
        reported[warning.path] = (partner, warning.line)
    # an article dated before its partner is reported the other way round: compare pairs, not directions
    expected = {frozenset({path, partner.split(":")[0]}) for path, (partner, _, _) in planted.items()}
    found = {frozenset({path or "", partner.split(":")[0]}) for path, (partner, _) in reported.items()}
    assert found == expected, f"missed {expected - found}, false {found - expected}"
    assert len(warnings) == len(VARIANTS)
    for path, (partner, line, variant) in planted.items():
        # reported at the planted link's line, naming the partner's line; or, when the copy is the older
        # article, at the partner's line, naming the planted link's
        partner_path, partner_line = partner.split(":")
        assert (reported.get(path) == (partner, line)
                or reported.get(partner_path) == (f"{path}:{line}", int(partner_line))), variant

    with pytest.raises(DigestError) as raised:
        digest.check(site, digest.BuildOptions(strict=True))
    assert len(duplicate_warnings(raised.value)) == len(VARIANTS)
    assert all(p.severity == "error" for p in duplicate_warnings(raised.value))
