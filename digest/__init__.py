"""digest: a static site generator for curated digests of articles, people and topics.

The library's entry points are :func:`build` and :func:`check`; the `digest`
command and the preview server are thin shells over them.
"""

from digest.build import build
from digest.check import check
from digest.model import BuildOptions, BuildResult, DigestError, Problem, UsageError, __version__

__all__ = ["BuildOptions", "BuildResult", "DigestError", "Problem", "UsageError",
           "__version__", "build", "check"]
