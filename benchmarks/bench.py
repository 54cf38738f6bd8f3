#!/usr/bin/env python3
"""Build-speed benchmark: cold, no-op and incremental builds of generated digests.

    python benchmarks/bench.py                      # 1,000 and 10,000 articles
    python benchmarks/bench.py --articles 1000 --verify
    python benchmarks/bench.py --articles 100000 --json results.json
    python benchmarks/bench.py --articles 10000 --languages 3   # the same corpus split over 3 languages
    python benchmarks/bench.py --versus --verify     # beside Hugo and Hugo + Pagefind (versus.py)

Corpora come from ../shared/bench/gen_corpus.py (--flavor digest, seed 1) and are
written, with their output, under /dev/shm when it exists: disk speed would
otherwise dominate the timings. For each size it measures, each build in a fresh
process as a user would run it:

- cold: no cache, no output folder (nor its twin);
- no-op: the same build again (answered, as by `digest build`, from the last build's record);
- body edit: one article's body changed (corpus.json's edit_target);
- people edit: the same article's people changed (old and new person pages, the
  indexes and the feeds change);
- template edit: the site's own base.html override changed;

with peak resident memory (the build process, and its largest worker), files
written, and each stage's time. `--languages N` splits the same corpus over N languages
(en, fr, de...): every Nth article moves into the folder of the second language, the next
into the third's, and digest.yaml lists them. `--verify` also checks that after every edit the
output equals a clean build's, byte for byte.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from digest.write.index_files import pagefind_values
from digest.write.twin import Twin

REPO = Path(__file__).resolve().parent.parent
SHARED = REPO.parent / "shared"

_ONE = """
import json, resource, sys, time
site, output, use_cache = sys.argv[1], sys.argv[2], sys.argv[3] == "1"
started = time.perf_counter()
from digest.incremental import unchanged  # as `digest build` does: the last good build's record first, and when
# only sources changed, the build takes them from it
said = unchanged.check(site, unchanged.key(site, output, False, False, False), hand_over=True) if use_cache else None
if said is not None:
    figures = {"route": "nothing changed: answered from the record", "written": 0, "unchanged": said["files"],
               "rendered": 0, "pages": None, "timings": {}}
else:
    from pathlib import Path
    from digest import BuildCache, BuildOptions, build
    result = build(site, BuildOptions(output_dir=output), BuildCache(Path(site)) if use_cache else None)
    figures = {"route": result.route, "written": result.written, "unchanged": result.unchanged,
               "rendered": result.rendered, "pages": result.pages, "timings": dict(result.timings)}
seconds = time.perf_counter() - started
# VmHWM, not ru_maxrss: the latter keeps the peak of the process this one was forked from
status = dict(line.split(":", 1) for line in open("/proc/self/status"))
print(json.dumps({"seconds": seconds, **figures, "rss_main_mb": int(status["VmHWM"].split()[0]) / 1024,
                  "rss_worker_mb": resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024}))
"""


def as_installed() -> dict[str, str]:
    """The environment of a timed build: digest's modules loaded from their compiled bytecode, as an installed
    package is (pip compiles it), even where `PYTHONDONTWRITEBYTECODE` is set and would have every run compile
    the package again: 0.04 s of a no-op build's 0.3."""
    return {name: value for name, value in os.environ.items() if name != "PYTHONDONTWRITEBYTECODE"}


def compile_digest() -> None:
    """Compile digest's modules once, as installing it does, so that no timed build compiles them."""
    subprocess.run([sys.executable, "-m", "compileall", "-q", str(REPO / "digest")], check=True, env=as_installed())


def run_build(site: Path, output: Path, cache: bool = True) -> dict[str, object]:
    """One build in a fresh process; its figures, and the whole process's wall time."""
    started = time.perf_counter()
    done = subprocess.run([sys.executable, "-c", _ONE, str(site), str(output), "1" if cache else "0"],
                          capture_output=True, text=True, check=False, cwd=REPO, env=as_installed())
    wall = time.perf_counter() - started
    if done.returncode != 0:
        raise SystemExit(f"build failed:\n{done.stdout}\n{done.stderr}")
    figures: dict[str, object] = json.loads(done.stdout.strip().splitlines()[-1])
    figures["wall"] = wall
    return figures


def edit_body(path: Path) -> None:
    """Append a sentence to an article's body."""
    with open(path, "a", encoding="utf-8") as handle:
        handle.write(f"\nAn added sentence for the benchmark, at {time.time_ns()}.\n")


def edit_people(path: Path) -> None:
    """Replace an article's people with one other person (the flavor writes `people:` as a block or one line)."""
    text = path.read_text(encoding="utf-8")
    front, body = text.split("\n---\n", 1)
    front = re.sub(r"^people:.*?(?=^\w)", "", front + "\n", flags=re.MULTILINE | re.DOTALL).rstrip("\n")
    name = f"Benchmark Person {time.time_ns() % 1000}"
    path.write_text(f"{front}\npeople: [{name}, Moshe Ya'alon]\n---\n{body}", encoding="utf-8")


def edit_template(site: Path) -> None:
    """Change the site's own base.html override."""
    path = site / "templates" / "base.html"
    text = path.read_text(encoding="utf-8")
    path.write_text(text.replace("</head>", f"<!-- edited {time.time_ns()} -->\n</head>", 1), encoding="utf-8")


def same_trees(a: Path, b: Path) -> list[str]:
    """Files that differ between two output folders (ignoring the marker and dotfiles), read one pair at a time.

    The search index is compared as `search_index` reads it, not byte for byte.
    """
    def files(root: Path) -> set[str]:
        return {p.relative_to(root).as_posix() for p in root.rglob("*")
                if p.is_file() and not p.relative_to(root).as_posix().startswith((".", "pagefind/"))}
    left, right = files(a), files(b)
    differ = (left ^ right) | {k for k in left & right if (a / k).read_bytes() != (b / k).read_bytes()}
    index_a, index_b = search_index(a), search_index(b)
    differ |= {f"pagefind: {key}" for key in index_a.keys() | index_b.keys() if index_a.get(key) != index_b.get(key)}
    return sorted(differ)


def search_index(output: Path) -> dict[str, object]:
    """A site's Pagefind index as values, without what changes from run to run over the same pages.

    Pagefind writes a filter's values in the order of a hash map, and names its filter and
    metadata files (listed in pagefind-entry.json and the metadata) by a hash of their bytes:
    two clean builds of one site differ there, and nowhere else. So filters are read back
    (gzip, then CBOR) with their values sorted, the metadata with filters named by their
    names; every other file is its bytes.
    """
    index: dict[str, object] = {}
    for path in sorted((output / "pagefind").rglob("*")):
        if not path.is_file():
            continue
        part = path.parent.relative_to(output).as_posix()
        if path.suffix == ".pf_filter":
            name, values = pagefind_values(path)
            index[f"{part.removesuffix('/filter')} filter {name}"] = sorted(map(repr, values))
        elif path.suffix == ".pf_meta":
            meta = pagefind_values(path)
            meta[3] = sorted(name for name, _ in meta[3])  # [filter name, its file's hash]
            index[f"{part} metadata"] = meta
        elif path.name == "pagefind-entry.json":
            entry = json.loads(path.read_bytes())
            for language in entry["languages"].values():
                language.pop("hash")
            index[f"{part} entry"] = entry
        else:
            index[path.relative_to(output).as_posix()] = path.read_bytes()
    return index


GENERATOR_LIMIT = 50_000  # the generator's pool of names runs out at about 56,000 articles


def corpus(articles: int, workdir: Path, gen_corpus: Path) -> Path:
    """The corpus of this many articles (seed 1) in `workdir`, generated the first time it is asked for.

    Past the generator's limit, corpora of seeds 1, 2... are merged, the files of each seed after
    the first renamed with its number (`...-seed-2.md`), so that every article keeps a URL of its own;
    corpus.json is seed 1's, with the people and topics of all.
    """
    site = workdir / f"corpus-{articles}"
    if (site / "corpus.json").exists():
        return site
    parts = [min(GENERATOR_LIMIT, articles - start) for start in range(0, articles, GENERATOR_LIMIT)]
    for seed, size in enumerate(parts, start=1):
        out = site if seed == 1 else workdir / f"corpus-{articles}-part-{seed}"
        subprocess.run([sys.executable, str(gen_corpus), "--articles", str(size), "--seed", str(seed),
                        "--flavor", "digest", "--out", str(out), "--force"], check=True, stdout=subprocess.DEVNULL)
        if seed == 1:
            continue
        manifest = json.loads((site / "corpus.json").read_text(encoding="utf-8"))
        extra = json.loads((out / "corpus.json").read_text(encoding="utf-8"))
        for key in ("people_used", "topics_used"):
            manifest[key] += extra[key]  # an upper bound: the seeds share some names
        for source in sorted((out / "content").rglob("*.md")):
            target = site / source.relative_to(out).with_name(f"{source.stem}-seed-{seed}.md")
            target.parent.mkdir(parents=True, exist_ok=True)
            source.rename(target)
        shutil.rmtree(out)
        (site / "corpus.json").write_text(json.dumps(manifest), encoding="utf-8")
    return site


def common_options(parser: argparse.ArgumentParser) -> None:
    """The options every benchmark takes: sizes, where corpora go, JSON output, the shared folder."""
    parser.add_argument("--articles", type=int, action="append",
                        help="corpus size (repeatable; default: 1000 and 10000)")
    parser.add_argument("--workdir", type=Path, default=None,
                        help="where corpora and outputs go (default: a folder under /dev/shm)")
    parser.add_argument("--json", type=Path, help="also write the figures to this file")
    parser.add_argument("--shared", type=Path, default=SHARED, help="the shared folder (default: ../shared)")


def setting_up(args: argparse.Namespace, name: str) -> tuple[Path, Path] | None:
    """The corpus generator and the work folder (made); None, said on stderr, without the generator."""
    gen_corpus: Path = args.shared / "bench" / "gen_corpus.py"
    if not gen_corpus.exists():
        print(f"{name}: {gen_corpus} not found (../shared beside the clone, or --shared DIR)", file=sys.stderr)
        return None
    base = Path("/dev/shm") if Path("/dev/shm").is_dir() else Path(tempfile.gettempdir())
    workdir: Path = args.workdir or base / f"digest-{name}"
    workdir.mkdir(parents=True, exist_ok=True)
    compile_digest()
    return gen_corpus, workdir


LANGUAGES = ("en", "fr", "de", "es", "ru", "ja", "ar")


def split_over_languages(site: Path, workdir: Path, count: int) -> Path:
    """A copy of the corpus `site` in `count` languages (made the first time it is asked for): article i,
    in the order of paths, stays in the default language or moves to `content/LANG/` of language i % count."""
    split = workdir / f"{site.name}-{count}-languages"
    if (split / "corpus.json").exists():
        return split
    shutil.rmtree(split, ignore_errors=True)
    shutil.copytree(site, split, ignore=shutil.ignore_patterns("output", ".digest-*"))
    manifest = json.loads((split / "corpus.json").read_text(encoding="utf-8"))
    content = split / "content"
    for number, path in enumerate(sorted(content.rglob("*.md"))):
        language = LANGUAGES[number % count]
        relative = path.relative_to(split).as_posix()
        if language == "en" or relative == manifest["edit_target"]:
            continue
        target = content / language / path.relative_to(content)
        target.parent.mkdir(parents=True, exist_ok=True)
        path.rename(target)
    with open(split / "digest.yaml", "a", encoding="utf-8") as settings:
        settings.write(f"languages: [{', '.join(LANGUAGES[:count])}]\n")
    (split / "corpus.json").write_text(json.dumps(manifest), encoding="utf-8")
    return split


def bench(articles: int, workdir: Path, verify: bool, gen_corpus: Path, languages: int = 1) -> dict[str, object]:
    """Every case for one corpus size (split over `languages`)."""
    site = corpus(articles, workdir, gen_corpus)
    if languages > 1:
        site = split_over_languages(site, workdir, languages)
    manifest = json.loads((site / "corpus.json").read_text(encoding="utf-8"))
    target = site / manifest["edit_target"]
    original = target.read_bytes()
    (site / "templates").mkdir(exist_ok=True)
    shutil.copyfile(REPO / "themes" / "default" / "templates" / "base.html", site / "templates" / "base.html")
    output = site / "output"
    for stale in (output, site / ".digest-cache", Twin(output).home):
        shutil.rmtree(stale, ignore_errors=True)
    time.sleep(2.1)  # files written just now count as "racily modified" and defeat the no-op check
    results: dict[str, object] = {"articles": articles, "languages": languages, "people": manifest["people_used"],
                                  "topics": manifest["topics_used"]}
    cases = [("cold", None), ("no-op", None), ("body edit", lambda: edit_body(target)),
             ("people edit", lambda: edit_people(target)), ("template edit", lambda: edit_template(site))]
    try:
        for name, edit in cases:
            if edit is not None:
                edit()
                time.sleep(2.1)  # let the edit age past the build's "racily modified" window
            figures = run_build(site, output)
            results[name] = figures
            if verify and edit is not None:
                clean = workdir / "clean-output"
                shutil.rmtree(clean, ignore_errors=True)
                run_build(site, clean, cache=False)
                differing = same_trees(output, clean)
                figures["identical_to_clean"] = not differing
                if differing:
                    print(f"  {name}: {len(differing)} files differ from a clean build, e.g. {differing[:3]}",
                          file=sys.stderr)
    finally:
        target.write_bytes(original)
        shutil.rmtree(site / "templates", ignore_errors=True)
    return results


def print_table(all_results: list[dict[str, object]]) -> None:
    """The figures as a Markdown table."""
    print("| articles | case | seconds (in process) | wall | files written | pages rendered "
          "| peak RSS main / worker (MB) | parse / model / render / write (s) |")
    print("| ---: | --- | ---: | ---: | ---: | ---: | ---: | --- |")
    for results in all_results:
        for case in ("cold", "no-op", "body edit", "people edit", "template edit"):
            f = results.get(case)
            if not isinstance(f, dict):
                continue
            t = f["timings"]
            stages = " / ".join(f"{t.get(s, 0.0):.2f}" for s in ("parse", "model", "render", "write"))
            check = "" if "identical_to_clean" not in f else (" ✓" if f["identical_to_clean"] else " ✗")
            print(f"| {results['articles']:,} | {case}{check} | {f['seconds']:.2f} | {f['wall']:.2f} "
                  f"| {f['written']:,} | {f['rendered']:,} | {f['rss_main_mb']:.0f} / {f['rss_worker_mb']:.0f} "
                  f"| {stages} |")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    common_options(parser)
    parser.add_argument("--verify", action="store_true", help="compare every incremental output with a clean build")
    parser.add_argument("--languages", type=int, default=1, choices=range(1, len(LANGUAGES) + 1), metavar="N",
                        help=f"split each corpus over N languages (1 to {len(LANGUAGES)}; default 1)")
    parser.add_argument("--versus", action="store_true",
                        help="instead, digest beside Hugo and Hugo + Pagefind, search on and off (versus.py)")
    parser.add_argument("--runs", type=int, default=3, help="with --versus: runs of each case, medians shown")
    args = parser.parse_args()
    if args.versus:
        import versus  # beside this file; it reads this module's helpers

        return versus.run(args)
    ready = setting_up(args, "bench")
    if ready is None:
        return 2
    gen_corpus, workdir = ready
    all_results = []
    for articles in args.articles or [1000, 10000]:
        print(f"bench: {articles:,} articles in {args.languages} language(s) in {workdir} ({os.cpu_count()} cores)",
              file=sys.stderr)
        all_results.append(bench(articles, workdir, args.verify, gen_corpus, args.languages))
    print_table(all_results)
    if args.json:
        args.json.write_text(json.dumps(all_results, indent=1) + "\n", encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
