"""Work spread over processes: parse and render in parallel on large sites, and texts they share.

Workers are forked after the build has loaded what they need (the settings, the
templates, the site), so a task is only a list of indexes and nothing large is
pickled on the way in. Small jobs run in this process: starting workers costs
more than it saves below a few hundred items (measured by benchmarks/bench.py).
"""

from __future__ import annotations

import os
import signal
from collections.abc import Callable, Iterator, MutableMapping, Sequence
from typing import Any, TypeVar

T = TypeVar("T")
R = TypeVar("R")

# Below these many items a stage runs in one process (see benchmarks/bench.py).
MIN_PARALLEL_PARSE = 150
MIN_PARALLEL_RENDER = 400

_task: Callable[[Any], Any] | None = None  # set before forking; each worker inherits it

# `multiprocessing` (5 ms to import) and `tempfile` are imported where first used: a rebuild of one edited article
# forks no worker and stores no text.


def default_jobs() -> int:
    """The number of worker processes to use: the cores this process may run on."""
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:  # not on Linux
        return max(1, os.cpu_count() or 1)


def worker_signals() -> None:
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
    import multiprocessing

    return "fork" in multiprocessing.get_all_start_methods()


def parallel_map(task: Callable[[T], R], items: Sequence[T], jobs: int, minimum: int,
                 progress: Callable[[int], None] | None = None,
                 meanwhile: Callable[[], object] | None = None) -> Iterator[R]:
    """`task(item)` for every item, in order; in `jobs` forked workers when there are enough items.

    `meanwhile`: work of this process, done once the workers have their tasks (or first, without workers).
    """
    global _task
    if jobs <= 1 or len(items) < minimum or not can_fork():
        if meanwhile is not None:
            meanwhile()
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
    import multiprocessing

    context = multiprocessing.get_context("fork")
    pool = context.Pool(jobs, initializer=worker_signals)
    try:
        done = 0
        answers = pool.imap(_run_chunk, chunks)
        if meanwhile is not None:
            meanwhile()
        for results in answers:
            done += len(results)
            if progress is not None:
                progress(done)
            yield from results
        pool.close()
    finally:
        pool.terminate()
        pool.join()
        _task = None


class TextStore(MutableMapping[str, str]):
    """Texts by key in a temporary file rather than in memory, which workers forked later read too.

    A full build keeps there the bodies it parsed, from parse until it renders and caches them
    (`incremental.sources.with_bodies`), and the cards it rendered in workers (`render.renderer`):
    held in memory, the bodies of 100,000 articles take 800 MB and their cards 300 MB; here each
    takes an offset and a length. `os.pread` moves no file position the processes share. A key
    written again takes its new text.
    """

    def __init__(self) -> None:
        import tempfile

        self._file = tempfile.TemporaryFile(prefix="digest-texts-", buffering=0)
        self._fd = self._file.fileno()
        self._where: dict[str, tuple[int, int]] = {}  # key -> (offset, length)
        self._end = 0

    def __setitem__(self, key: str, text: str) -> None:
        data = text.encode("utf-8", "surrogatepass")
        written = 0
        while written < len(data):
            written += os.pwrite(self._fd, data[written:], self._end + written)
        self._where[key] = (self._end, len(data))
        self._end += len(data)

    def __getitem__(self, key: str) -> str:
        offset, length = self._where[key]
        data = os.pread(self._fd, length, offset)
        while len(data) < length:  # a short read: read on
            data += os.pread(self._fd, length - len(data), offset + len(data))
        return data.decode("utf-8", "surrogatepass")

    def __delitem__(self, key: str) -> None:
        del self._where[key]  # its bytes stay in the file until it goes

    def __contains__(self, key: object) -> bool:
        return key in self._where

    def __iter__(self) -> Iterator[str]:
        return iter(self._where)

    def __len__(self) -> int:
        return len(self._where)

    def close(self) -> None:
        """Remove the file (it goes by itself when the store does, or when the process ends)."""
        self._file.close()
