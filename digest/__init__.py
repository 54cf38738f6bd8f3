"""digest: a static site generator for curated digests of articles, people and topics.

The library's entry points are :func:`build` and :func:`check`; the `digest` command and
the preview server are thin shells over them. Pass a :class:`BuildCache` to `build` to make
rebuilds do only what changed. ARCHITECTURE.md, beside the package, shows how the stages fit.

Each name is imported when first used, and `build` loads each stage when a build reaches it,
so that a rebuild with nothing to do does not load them all.
"""

from __future__ import annotations

import importlib
import sys
import types

TYPE_CHECKING = False  # (`typing` takes longer to import than `digest build` with nothing to do takes to answer)
if TYPE_CHECKING:
    from typing import Any

    from digest.build import build
    from digest.commands.check import check
    from digest.incremental.cache import BuildCache
    from digest.model import DigestError, Problem, UsageError, __version__
    from digest.records import BuildOptions, BuildResult

__all__ = ["BuildCache", "BuildOptions", "BuildResult", "DigestError", "Problem", "UsageError",
           "__version__", "build", "check"]

# where each name of the API is defined: imported on first use, so that `digest build` with nothing to do
# (`commands.quick`) and the modules of one stage load nothing they do not use
_HOMES = {"build": "digest.build", "check": "digest.commands.check", "BuildCache": "digest.incremental.cache",
          "DigestError": "digest.model", "Problem": "digest.model", "UsageError": "digest.model",
          "__version__": "digest.model", "BuildOptions": "digest.records", "BuildResult": "digest.records"}


def __getattr__(name: str) -> Any:
    """A name of the API, imported from its module on first use."""
    home = _HOMES.get(name)
    if home is None:
        raise AttributeError(f"module 'digest' has no attribute {name!r}")
    value = getattr(importlib.import_module(home), name)
    globals()[name] = value
    return value


class _Package(types.ModuleType):
    """This package, whose `build` is the function: Python names each module it loads in its package, and the
    module `digest.build`, loaded by whichever import comes first, must not take the function's place."""

    def __setattr__(self, name: str, value: Any) -> None:
        if name == "build" and isinstance(value, types.ModuleType):
            return
        super().__setattr__(name, value)


sys.modules[__name__].__class__ = _Package
