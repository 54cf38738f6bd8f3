#!/usr/bin/env python3
"""Live-preview benchmark: from saving an article to the reloaded page in a browser.

    python benchmarks/serve_bench.py                 # 1,000 and 10,000 articles, 20 edits each
    python benchmarks/serve_bench.py --articles 1000 --edits 50 --json serve.json

For each corpus (../shared/bench/gen_corpus.py --flavor digest, seed 1, under /dev/shm
when it exists) it starts `digest serve --port 0` as a user would, opens the edited
article (corpus.json's edit_target) in headless Chromium (Debian's /usr/bin/chromium,
or $DIGEST_CHROMIUM), waits for the preview's first search index (made in the background,
over every article: on two cores, edits made meanwhile share them with it), and then, for
each edit:

- body: appends a sentence to the article's body, the common case while writing;
- title: changes the article's title, which moves it on every list that shows it;
- people: gives the article a new person beside one it had, which links the site again;
- date: moves the article to another day of its month (with a new title to wait for);

and measures the time from the file's save to the end of the load of the open page,
which reloaded by itself, as the browser's own navigation timing records it (the same
clock as the save's). It reports the median, the 90th percentile and the worst
of each kind, and the preview's own rebuild times from its terminal lines.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import signal
import statistics
import subprocess
import sys
import threading
import time
from pathlib import Path

from bench import REPO, as_installed, common_options, corpus, setting_up  # benchmarks/bench.py, beside this script
CHROMIUM_FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--no-first-run",
                  "--disable-background-networking", "--disable-component-update", "--disable-sync"]


class Preview:
    """`digest serve SITE --port 0` in its own process; its URL and its terminal lines."""

    def __init__(self, site: Path) -> None:
        self.process = subprocess.Popen([sys.executable, "-m", "digest", "serve", str(site), "--port", "0"],
                                        cwd=REPO, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
                                        env=as_installed())
        self.lines: list[str] = []
        self.url = ""
        started = threading.Event()

        def read() -> None:
            assert self.process.stdout is not None
            for line in self.process.stdout:
                self.lines.append(line.rstrip("\n"))
                match = re.match(r"Serving (\S+)", line)
                if match:
                    self.url = match.group(1)
                    started.set()

        threading.Thread(target=read, daemon=True).start()
        if not started.wait(600):
            self.stop()
            raise SystemExit("serve_bench: the preview did not start:\n" + "\n".join(self.lines))
        time.sleep(1.0)  # the watcher is in place

    def wait_for_search(self, timeout: float = 600) -> float:
        """Wait until the preview's first search index is made (in the background, over every article), so that
        edits are timed as while writing, not while it runs on the same cores; the seconds waited."""
        started = time.monotonic()
        while not any("search" in line for line in self.lines if " changed: " not in line):
            if time.monotonic() - started > timeout:
                raise SystemExit(f"serve_bench: no search index after {timeout} s:\n" + "\n".join(self.lines))
            time.sleep(0.1)
        return time.monotonic() - started

    def rebuild_ms(self) -> list[float]:
        """The preview's own rebuild times so far, from its one line per rebuild."""
        return [float(m.group(1)) for line in self.lines if " changed: " in line
                for m in [re.search(r" in (\d+) ms$", line)] if m]

    def stop(self) -> None:
        self.process.send_signal(signal.SIGINT)
        try:
            self.process.wait(30)
        except subprocess.TimeoutExpired:
            self.process.kill()


KINDS = ("body", "title", "people", "date")


def measure(site: Path, target: str, url_path: str, edits: int, chromium: str) -> dict[str, object]:
    """Save-to-reloaded-page times for body, title, people and date edits of one article."""
    from playwright.sync_api import sync_playwright

    source = site / target
    original = source.read_bytes()
    preview = Preview(site)
    results: dict[str, object] = {}
    try:
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path=chromium, headless=True, args=CHROMIUM_FLAGS)
            page = browser.new_page()
            page.goto(preview.url.rstrip("/") + url_path)
            results["search_wait_s"] = round(preview.wait_for_search(), 1)
            for kind in KINDS:
                times = []
                before = len(preview.rebuild_ms())
                for number in range(edits):
                    token = f"Edit{kind.title()}{number}x{time.time_ns()}"
                    text = source.read_text(encoding="utf-8")
                    if kind == "body":
                        text += f"\nA sentence added while writing, {token}.\n"
                    elif kind == "title":
                        text = re.sub(r"^title: .*$", f"title: Retitled {token}", text, count=1, flags=re.M)
                    elif kind == "date":  # another day of its month (its URL stays), and a title to wait for
                        day = 1 + (number * 11) % 28
                        text = re.sub(r"^(date: \d{4}-\d{2}-)\d{2}", rf"\g<1>{day:02d}", text, count=1, flags=re.M)
                        text = re.sub(r"^title: .*$", f"title: Moved {token}", text, count=1, flags=re.M)
                    else:  # `people:` as a block or one line, replaced by one line
                        front, body = text.split("\n---\n", 1)
                        front = re.sub(r"^people:.*?(?=^\w)", "", front + "\n", flags=re.M | re.S).rstrip("\n")
                        text = f"{front}\npeople: [Person {token}, Moshe Ya'alon]\n---\n{body}"
                    time.sleep(0.4)  # the page settles, as between a writer's saves
                    saved_ms = time.time() * 1000
                    source.write_text(text, encoding="utf-8")
                    page.wait_for_function(f"document.body.textContent.includes({json.dumps(token)})",
                                           timeout=60_000, polling=5)
                    page.wait_for_load_state("load")
                    # when the browser itself finished loading the new page (same clock as the save)
                    loaded_ms = page.evaluate("performance.timeOrigin + "
                                              "performance.getEntriesByType('navigation')[0].loadEventEnd")
                    times.append(loaded_ms - saved_ms)
                rebuilds = preview.rebuild_ms()[before:]
                ordered = sorted(times)
                results[kind] = {"median_ms": statistics.median(times),
                                 "p90_ms": ordered[max(0, int(len(ordered) * 0.9) - 1)], "max_ms": ordered[-1],
                                 "rebuild_median_ms": statistics.median(rebuilds) if rebuilds else None,
                                 "edits": len(times), "times_ms": [round(t) for t in times],
                                 "rebuilds_ms": rebuilds}
            browser.close()
    finally:
        preview.stop()
        source.write_bytes(original)
    return results


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    common_options(parser)
    parser.add_argument("--edits", type=int, default=20, help="edits of each kind (default 20)")
    args = parser.parse_args()
    if signal.getsignal(signal.SIGINT) is signal.SIG_IGN:  # started in the background: the preview must still stop
        signal.signal(signal.SIGINT, signal.default_int_handler)
    ready = setting_up(args, "serve-bench")
    if ready is None:
        return 2
    gen_corpus, workdir = ready
    chromium = os.environ.get("DIGEST_CHROMIUM", "/usr/bin/chromium")
    if not os.access(chromium, os.X_OK):
        print(f"serve_bench: no Chromium at {chromium} (apt-get install chromium)", file=sys.stderr)
        return 2
    all_results = []
    for articles in args.articles or [1000, 10000]:
        site = corpus(articles, workdir, gen_corpus)
        shutil.rmtree(site / ".digest-cache", ignore_errors=True)
        manifest = json.loads((site / "corpus.json").read_text(encoding="utf-8"))
        target = manifest["edit_target"]
        slug = re.sub(r"^\d{4}-\d{2}-\d{2}-", "", Path(target).stem)
        year, month = Path(target).stem.split("-")[:2]
        print(f"serve_bench: {articles:,} articles, {args.edits} edits of each kind", file=sys.stderr)
        results = measure(site, target, f"/{year}/{month}/{slug}/", args.edits, chromium)
        print(f"serve_bench: the first search index was made {results['search_wait_s']} s after the page opened",
              file=sys.stderr)
        all_results.append({"articles": articles, **results})
    print("| articles | edit | save → reloaded page, median (ms) | 90th percentile | worst | rebuild, median (ms) |")
    print("| ---: | --- | ---: | ---: | ---: | ---: |")
    for results in all_results:
        for kind in KINDS:
            f = results[kind]
            assert isinstance(f, dict)
            rebuild = "–" if f["rebuild_median_ms"] is None else f"{f['rebuild_median_ms']:.0f}"
            print(f"| {results['articles']:,} | {kind} | {f['median_ms']:.0f} | {f['p90_ms']:.0f} | {f['max_ms']:.0f} "
                  f"| {rebuild} |")
    if args.json:
        args.json.write_text(json.dumps(all_results, indent=1) + "\n", encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
