"""Pagefind's runs: the binary, each run ended by a timeout or by the preview closing, and made to give way to the
preview's rebuilds.

The preview makes its search index in the background (`commands/preview/watch.py`), and a
writer saves again while it is being made. On two cores, Pagefind and the Python work around it
(reading pages, `searchable`) slowed the next rebuild by a third or more: at 10,000 articles,
a save that moved an article to another day reloaded its page in 708 ms, against 513 ms in
the same site with `search: false`. `GiveWay` stops the runs while a rebuild and its reload
last: the Pagefind processes get `SIGSTOP` (where the system has it) and the search's own work
waits before its next page, until the rebuild is done and the browser has had time to load
what it changed.
"""

from __future__ import annotations

import functools
import importlib.util
import os
import signal
import subprocess
import threading
import time
from pathlib import Path

TIMEOUT = 1800  # seconds; 10,000 articles take about 15
_STOP_POLL = 0.2  # seconds between looks at a run's `stop`
_PAUSE = getattr(signal, "SIGSTOP", None), getattr(signal, "SIGCONT", None)  # (neither on Windows)


class GiveWay:
    """Stops the search runs while it is held (`hold`), and lets them go on (`release`).

    >>> turns = GiveWay()
    >>> turns.hold(); turns.held()
    True
    >>> turns.release(); turns.held()
    False
    """

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._free = threading.Event()
        self._free.set()
        self._holds = 0  # holds so far: a delayed release that a later hold overtook does nothing
        self._running: set[subprocess.Popen[str]] = set()

    def hold(self) -> None:
        """Stop the runs until `release`: their Pagefind processes now, their own work at its next `wait`."""
        with self._lock:
            self._holds += 1
            if self._free.is_set():
                self._free.clear()
                for process in self._running:
                    _send(process, _PAUSE[0])

    def release(self, after: float = 0.0) -> None:
        """Let the runs go on, now or `after` seconds from now (unless held again before)."""
        if after <= 0:
            self._let_go(None)
            return
        with self._lock:
            holds = self._holds
        timer = threading.Timer(after, self._let_go, (holds,))
        timer.daemon = True
        timer.start()

    def _let_go(self, holds: int | None) -> None:
        with self._lock:
            if (holds is not None and holds != self._holds) or self._free.is_set():
                return
            for process in self._running:
                _send(process, _PAUSE[1])
            self._free.set()

    def held(self) -> bool:
        """Whether the runs are stopped."""
        return not self._free.is_set()

    def wait(self) -> None:
        """Wait while the runs are held (a run's own work, between two steps)."""
        self._free.wait()

    def started(self, process: subprocess.Popen[str]) -> None:
        """Count a run's new process in (stopped at once if the runs are held)."""
        with self._lock:
            self._running.add(process)
            if not self._free.is_set():
                _send(process, _PAUSE[0])

    def ended(self, process: subprocess.Popen[str]) -> None:
        """Count a run's process out, once it has ended."""
        with self._lock:
            self._running.discard(process)


def _send(process: subprocess.Popen[str], sig: int | None) -> None:
    if sig is not None:
        try:
            process.send_signal(sig)
        except OSError:  # it has just ended
            pass


def run_pagefind(command: list[str], new: Path, stop: threading.Event | None = None,
                 turns: GiveWay | None = None) -> str | None:
    """Run Pagefind, until it ends, `TIMEOUT` passes or `stop` is set; why it failed, or None. `turns`: while
    it is held, the run is stopped."""
    try:
        process = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                                   stdin=subprocess.DEVNULL, env={**os.environ, "PAGEFIND_QUIET": "true"})
    except OSError as exc:
        return f"search was skipped: Pagefind could not run ({exc})"
    if turns is not None:
        turns.started(process)
    deadline = time.monotonic() + TIMEOUT
    try:
        while True:
            try:
                out, err = process.communicate(timeout=TIMEOUT if stop is None else _STOP_POLL)
                break
            except subprocess.TimeoutExpired:
                stopped = stop is not None and stop.is_set()
                if stop is None or stopped or time.monotonic() > deadline:
                    process.kill()  # (a stopped process too)
                    process.communicate()
                    return ("search was skipped: stopped" if stopped
                            else f"search was skipped: Pagefind could not run (no answer in {TIMEOUT} s)")
    finally:
        if turns is not None:
            turns.ended(process)
    if process.returncode != 0 or not (new / "pagefind.js").is_file():
        lines = [line for line in (err or out).splitlines() if line.strip()]
        return f"search was skipped: Pagefind failed ({lines[-1].strip() if lines else f'exit {process.returncode}'})"
    return None


def pagefind_binary() -> str | None:
    """The Pagefind executable installed with digest, if it is there and runs on this machine; else None.

    It is found where `pagefind[bin]` puts it (`pagefind_bin.get_executable`'s places, the extended binary first)
    without importing that package, which imports `logging` (4 ms of a body edit at 10,000 articles).
    """
    spec = importlib.util.find_spec("pagefind_bin")  # (found, not imported); a missing one is reported
    if spec is None or not spec.submodule_search_locations:
        return None
    folder = Path(next(iter(spec.submodule_search_locations)))
    suffix = ".exe" if os.name == "nt" else ""
    binary = next((str(path) for name in ("pagefind_extended", "pagefind")
                   if (path := folder / f"{name}{suffix}").is_file()), None)
    return binary if binary is not None and _runs(binary) else None


def _runs(binary: str) -> bool:
    """Whether a binary starts here (not one built for another system), asked once per binary as it is on disk."""
    return pagefind_version(binary) is not None


def pagefind_version(binary: str) -> str | None:
    """What `binary --version` says ("pagefind 1.5.2"), or None if it does not run here: asked once for each
    binary as it is on disk (a new one, installed in its place, is asked again)."""
    try:
        found = os.stat(binary)
    except OSError:
        return None
    return _asked(binary, found.st_mtime_ns, found.st_size)


@functools.lru_cache(maxsize=4)
def _asked(binary: str, mtime_ns: int, size: int) -> str | None:
    try:
        done = subprocess.run([binary, "--version"], capture_output=True, text=True, timeout=60, check=False,
                              stdin=subprocess.DEVNULL)
    except (OSError, subprocess.TimeoutExpired):
        return None
    return done.stdout.strip() if done.returncode == 0 else None
