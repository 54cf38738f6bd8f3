"""digest: a static site generator for curated digests of articles, people and topics.

The library's entry points are :func:`build` and :func:`check`; the `digest` command and
the preview server are thin shells over them. Pass a :class:`BuildCache` to `build` to make
rebuilds do only what changed. ARCHITECTURE.md, beside the package, shows how the stages fit.
"""

from digest.build import build
from digest.commands.check import check
from digest.incremental.cache import BuildCache
from digest.model import DigestError, Problem, UsageError, __version__
from digest.records import BuildOptions, BuildResult

__all__ = ["BuildCache", "BuildOptions", "BuildResult", "DigestError", "Problem", "UsageError",
           "__version__", "build", "check"]
