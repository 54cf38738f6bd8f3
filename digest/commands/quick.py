"""`digest build` when nothing changed, answered before the command line and the build are loaded.

Loading them (click, the model, the cache) takes longer than a rebuild with nothing to do needs:
`answer` reads the arguments of the usual `digest build` invocations itself, asks
`incremental.unchanged.check` whether the last good build's record still holds, and if it does,
prints what `digest build` prints for that build. Any other invocation, or any doubt, returns
None and the command line runs as usual. It imports nothing of digest's but `unchanged`.
"""

from __future__ import annotations

import os
import sys
import time

from digest.incremental import unchanged

_FLAGS = {"-q": "quiet", "--quiet": "quiet", "-v": "verbose", "--verbose": "verbose", "--drafts": "drafts",
          "--future": "future", "--strict": "strict"}
_VALUED = {"-o": "output", "--output": "output", "-j": "jobs", "--jobs": "jobs"}


def answer(argv: list[str]) -> int | None:
    """The exit status of `digest ARGV`, having printed what it prints, when ARGV asks for a build that the last
    good build's record says has nothing to do; None when the command line must run it."""
    started = time.perf_counter()
    asked = _build_arguments(argv)
    if asked is None:
        return None
    site, output = str(asked.get("site", ".")), asked.get("output")
    report = unchanged.check(site, unchanged.key(site, None if output is None else str(output), "drafts" in asked,
                                                 "future" in asked, "strict" in asked), hand_over=True)
    if report is None:
        return None
    for line in report["warnings"]:
        print(line, file=sys.stderr)
    if "quiet" not in asked:
        shown = _shown(str(output) if output is not None else os.path.join(site, "output"))
        print(summary(report["counts"], "0 files", report["files"], 0, time.perf_counter() - started, shown))
        if "verbose" in asked:
            print(f"  unchanged {time.perf_counter() - started:.3f} s")
    return 0


def summary(counts: str, written: str, unchanged_files: int, removed: int, seconds: float, shown: str) -> str:
    """The line `digest build` ends with: "10 articles, 4 people, 3 topics: 2 files written, ... -> output/"."""
    return (f"{counts}: {written} written, {unchanged_files} unchanged, {removed} removed in {seconds:.2f} s "
            f"-> {shown}/")


def _shown(path: str) -> str:
    """A folder as `write.output.display_path` shows it (relative when inside the current folder), without
    loading it."""
    relative = os.path.relpath(path)
    return os.path.realpath(path) if relative.startswith("..") else relative


def _build_arguments(argv: list[str]) -> dict[str, object] | None:
    """The options of `digest build` in ARGV, by name (flags as present, "site", "output", "jobs"), when ARGV is
    `build` with only the options that `answer` knows, each written out in full; else None."""
    if not argv or argv[0] != "build":
        return None
    asked: dict[str, object] = {}
    rest = iter(argv[1:])
    for token in rest:
        name, joined, value = token.partition("=") if token.startswith("--") else (token, "", "")
        if token in _FLAGS:
            asked[_FLAGS[token]] = True
        elif name in _VALUED:
            value = value if joined else next(rest, "")
            if not value or _VALUED[name] == "jobs" and not (value.isdigit() and int(value) >= 1):
                return None  # (the command line says what is wrong with it)
            asked[_VALUED[name]] = value
        elif token and not token.startswith("-") and "site" not in asked:
            asked["site"] = token
        else:
            return None
    return asked
