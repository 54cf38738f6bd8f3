"""digest: a static site generator for curated digests of articles, people and topics.

The library's entry points are :func:`build` and :func:`check`; the `digest` command and
the preview server are thin shells over them. Pass a :class:`BuildCache` to `build` to make
rebuilds do only what changed. ARCHITECTURE.md, beside the package, shows how the stages fit.

`check` is imported when first used, and `build` loads each stage when a build reaches it,
so that a rebuild with nothing to do does not load them all.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

from digest.build import build
from digest.incremental.cache import BuildCache
from digest.model import DigestError, Problem, UsageError, __version__
from digest.records import BuildOptions, BuildResult

if TYPE_CHECKING:
    from digest.commands.check import check

__all__ = ["BuildCache", "BuildOptions", "BuildResult", "DigestError", "Problem", "UsageError",
           "__version__", "build", "check"]



def __getattr__(name: str) -> Any:
    """`digest.check`, imported on first use (it brings the link checker)."""
    if name != "check":
        raise AttributeError(f"module 'digest' has no attribute {name!r}")
    value = importlib.import_module("digest.commands.check").check
    globals()[name] = value
    return value
