"""Work spread over processes: parse and render in parallel on large sites.

Workers are forked after the build has loaded what they need (the settings, the
templates, the site), so a task is only a list of indexes and nothing large is
pickled on the way in. Small jobs run in this process: starting workers costs
more than it saves below a few hundred items (measured by benchmarks/bench.py).
"""

from __future__ import annotations

import multiprocessing
import os
import signal
from collections.abc import Callable, Iterator, Sequence
from typing import Any, TypeVar

T = TypeVar("T")
R = TypeVar("R")

# Below these many items a stage runs in one process (see benchmarks/bench.py).
MIN_PARALLEL_PARSE = 150
MIN_PARALLEL_RENDER = 400

_task: Callable[[Any], Any] | None = None  # set before forking; each worker inherits it


def default_jobs() -> int:
    """The number of worker processes to use: the cores this process may run on."""
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:  # not on Linux
        return max(1, os.cpu_count() or 1)


def _worker_signals() -> None:
    """Workers leave Ctrl-C to the main process, and stop at once when it terminates them.

    No traceback per worker: the main process reports the interruption once, and any
    handler it installed for SIGTERM is not inherited.
    """
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.signal(signal.SIGTERM, signal.SIG_DFL)


def _run_chunk(chunk: Sequence[Any]) -> list[Any]:
    assert _task is not None
    return [_task(item) for item in chunk]


def can_fork() -> bool:
    """Whether worker processes can be forked here (not on Windows)."""
    return "fork" in multiprocessing.get_all_start_methods()


def parallel_map(task: Callable[[T], R], items: Sequence[T], jobs: int, minimum: int,
                 progress: Callable[[int], None] | None = None) -> Iterator[R]:
    """`task(item)` for every item, in order; in `jobs` forked workers when there are enough items."""
    global _task
    if jobs <= 1 or len(items) < minimum or not can_fork():
        for done, item in enumerate(items, start=1):
            result = task(item)
            # report before yielding: a consumer that stops at the last item never resumes us
            if progress is not None and (done % 200 == 0 or done == len(items)):
                progress(done)
            yield result
        return
    size = max(16, min(256, len(items) // (jobs * 8) or 1))
    chunks = [items[i: i + size] for i in range(0, len(items), size)]
    _task = task
    context = multiprocessing.get_context("fork")
    pool = context.Pool(jobs, initializer=_worker_signals)
    try:
        done = 0
        for results in pool.imap(_run_chunk, chunks):
            done += len(results)
            if progress is not None:
                progress(done)
            yield from results
        pool.close()
    finally:
        pool.terminate()
        pool.join()
        _task = None
