"""Interrupted builds: `digest build` killed with SIGKILL at any moment loses nothing.

A 2,000-article corpus (``shared/bench/gen_corpus.py``) is built once. Then, 50 times, the
site is edited (an article's body or title, a new article, a removed one, a person renamed,
the site's title), `digest build` is started and killed with SIGKILL, with its worker
processes, after a random delay within the time such a build takes. Right after the kill,
the output folder must hold exactly the previous complete build or the new one: every
file's bytes, nothing more and nothing less. The build is then run again and must succeed;
what it leaves is the build the next round compares with. At the end the output is compared
with a clean build of the final site into another folder.
"""

from __future__ import annotations

import hashlib
import os
import random
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from collections import Counter
from collections.abc import Iterator
from pathlib import Path

import pytest

pytestmark = [pytest.mark.shared, pytest.mark.slow]

ARTICLES = 2000
ROUNDS = 50
EDITS = ("body", "title", "add", "remove", "person", "body", "title", "site")
Snapshot = dict[str, str]


def snapshot(output: Path) -> Snapshot:
    """Every file of the output folder, by path, with a hash of its bytes."""
    files = {}
    for folder, _dirs, names in os.walk(output):
        for name in names:
            path = os.path.join(folder, name)
            with open(path, "rb") as handle:
                files[os.path.relpath(path, output)] = hashlib.blake2b(handle.read(), digest_size=16).hexdigest()
    return files


def build(site: Path, *args: str) -> subprocess.Popen[bytes]:
    return subprocess.Popen([sys.executable, "-m", "digest", "build", str(site), *args], stdin=subprocess.DEVNULL,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, start_new_session=True)


def finish(site: Path, *args: str) -> float:
    """Run a build to its end; how long it took."""
    started = time.perf_counter()
    process = build(site, *args)
    out, err = process.communicate(timeout=600)
    assert process.returncode == 0, (out + err).decode()
    assert b"Traceback" not in err
    return time.perf_counter() - started


def edit(site: Path, kind: str, rng: random.Random, round_no: int) -> None:
    """Change the site so that its next build changes the output."""
    articles = sorted((site / "content" / "articles").rglob("*.md"))
    chosen = rng.choice(articles)
    text = chosen.read_text(encoding="utf-8")
    if kind == "body":
        chosen.write_text(text + f"\nA paragraph added in round {round_no}.\n", encoding="utf-8")
    elif kind == "title":
        chosen.write_text(re.sub(r"(?m)^title: .*$", f"title: Round {round_no} {chosen.stem}", text, count=1),
                          encoding="utf-8")
    elif kind == "add":
        new = chosen.with_name(f"{chosen.stem}-round-{round_no}.md")
        new.write_text(re.sub(r"(?m)^title: .*$", f"title: Added in round {round_no}", text, count=1),
                       encoding="utf-8")
    elif kind == "remove":
        chosen.unlink()
    elif kind == "person":
        head, body = text.split("\n---\n", 1)
        head = head.replace("\npeople:\n", f"\npeople:\n  - Person Of Round {round_no}\n", 1)
        if "\npeople:\n" not in text:
            head += f"\npeople:\n  - Person Of Round {round_no}"
        chosen.write_text(head + "\n---\n" + body, encoding="utf-8")
    else:
        (site / "digest.yaml").write_text(f"title: Benchmark Digest, edition {round_no}\n", encoding="utf-8")


@pytest.fixture(scope="module")
def corpus(shared_dir: Path) -> Iterator[Path]:
    shm = "/dev/shm" if os.path.isdir("/dev/shm") and os.access("/dev/shm", os.W_OK) else None
    scratch = Path(tempfile.mkdtemp(prefix="digest-test-interrupted-", dir=shm))
    try:
        bench = shared_dir / "bench"
        subprocess.run([sys.executable, str(bench / "gen_corpus.py"), "--articles", str(ARTICLES), "--flavor",
                        "digest", "--seed", "7", "--out", str(scratch / "site")], cwd=bench, check=True,
                       capture_output=True, timeout=300)
        yield scratch / "site"
    finally:
        shutil.rmtree(scratch, ignore_errors=True)


def test_a_killed_build_leaves_the_previous_or_the_new_build(corpus: Path) -> None:
    site, output = corpus, corpus / "output"
    rng = random.Random(2015)
    took = dict.fromkeys(EDITS, finish(site) / 3)  # a first guess of each kind of build's time
    previous = snapshot(output)
    outcomes: Counter[str] = Counter()
    for round_no in range(ROUNDS):
        kind = EDITS[round_no % len(EDITS)]
        edit(site, kind, rng, round_no)
        delay = rng.uniform(0.05, 1.1) * took[kind]
        process = build(site)
        try:
            process.wait(timeout=delay)
            finished = True
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait(timeout=60)
            finished = False
        killed = snapshot(output)
        took[kind] = finish(site)
        new = snapshot(output)
        if finished:
            outcome = "finished"
            assert killed == new, f"round {round_no} ({kind}): a finished build's output changed when built again"
        elif killed == previous:
            outcome = "killed: previous build"
        elif killed == new:
            outcome = "killed: new build"
        else:
            neither = sorted(path for path, h in killed.items() if h not in (previous.get(path), new.get(path)))
            old, fresh = (sum(killed.get(p) == build[p] != other.get(p) for p in build)
                          for build, other in ((previous, new), (new, previous)))
            pytest.fail(f"round {round_no} ({kind}, killed after {delay:.2f} s): the output is neither build: "
                        f"{old} files as in the previous build, {fresh} as in the new one, {len(neither)} as in "
                        f"neither (first: {neither[:3]})")
        assert new != previous, f"round {round_no} ({kind}): the edit changed nothing"
        outcomes[outcome] += 1
        previous = new
    print(f"\n{ROUNDS} builds killed at random: {dict(outcomes)}")
    assert outcomes["killed: previous build"] >= ROUNDS // 3, outcomes  # the kills did land inside builds
    assert outcomes["finished"] <= ROUNDS // 3, outcomes

    clean = corpus.parent / "clean-output"
    finish(site, "--output", str(clean))

    def pages(files: Snapshot) -> Snapshot:  # the search index's files differ from build to build (Pagefind)
        return {path: h for path, h in files.items() if not path.startswith(("pagefind/", ".digest-output"))}

    assert pages(snapshot(clean)) == pages(snapshot(output))
    assert (clean / "pagefind" / "shards.json").read_bytes() == (output / "pagefind" / "shards.json").read_bytes()
