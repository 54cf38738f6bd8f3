"""Articles' rendered bodies, kept in a temporary file rather than in memory.

A full build needs every body it parsed twice: when it renders the pages that show it, and
when it writes the cache. Held in memory in between, the bodies of 100,000 articles take
800 MB; here they take an offset and a length each. The render workers, forked from the
build, read the same file (`os.pread` moves no shared file position).
"""

from __future__ import annotations

import os
import tempfile
from collections.abc import Iterator, MutableMapping


class BodyStore(MutableMapping[str, str]):
    """Bodies by article path, written once each (a path written again takes its new body)."""

    def __init__(self) -> None:
        self._file = tempfile.TemporaryFile(prefix="digest-bodies-", buffering=0)
        self._fd = self._file.fileno()
        self._where: dict[str, tuple[int, int]] = {}  # path -> (offset, length)
        self._end = 0

    def __setitem__(self, path: str, body: str) -> None:
        data = body.encode("utf-8", "surrogatepass")
        written = 0
        while written < len(data):
            written += os.pwrite(self._fd, data[written:], self._end + written)
        self._where[path] = (self._end, len(data))
        self._end += len(data)

    def __getitem__(self, path: str) -> str:
        offset, length = self._where[path]
        data = os.pread(self._fd, length, offset)
        while len(data) < length:  # a short read: read on
            data += os.pread(self._fd, length - len(data), offset + len(data))
        return data.decode("utf-8", "surrogatepass")

    def __delitem__(self, path: str) -> None:
        del self._where[path]  # its bytes stay in the file until it goes

    def __contains__(self, path: object) -> bool:
        return path in self._where

    def __iter__(self) -> Iterator[str]:
        return iter(self._where)

    def __len__(self) -> int:
        return len(self._where)

    def close(self) -> None:
        """Remove the file (it goes by itself when the store does, or the process ends)."""
        self._file.close()
