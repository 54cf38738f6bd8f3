"""What the last good build left, and what this build may therefore skip: the one place that decides it.

A build takes one of three routes:

- **nothing changed**: no input differs from the last build's, so its output stands as it is;
- **bodies only**: only Markdown sources changed, none was added or removed, and no setting,
  template or static file changed; if the edits leave every article where it was in the site
  (`digest/incremental/bodies.py` finds out), only the pages that show those bodies are rendered;
- **full**: the site is parsed (from the cache, where files did not change), linked and planned
  again, and the pages whose fingerprints changed are rendered.

A process that keeps its last linked site in memory (`BuildOptions.warm`, the preview) may also
take a fourth, **articles in place** (`digest/incremental/warm.py`), where bodies only would
not do: the edits changed what articles show but moved none of them.

The last build's record counts only for the output folder it describes: the same folder,
holding the build its marker names.
"""

from __future__ import annotations

import datetime
import enum
from dataclasses import dataclass
from pathlib import Path

from digest.incremental.cache import BuildCache
from digest.incremental.inputs import Inputs, parse_namespace
from digest.model import Problem, SiteConfig
from digest.records import LastBuild, Work
from digest.write.output import OutputWriter, build_id


class Route(enum.Enum):
    """How much of the site a build does again."""

    NOTHING_CHANGED = "nothing changed"
    BODIES_ONLY = "bodies only"
    IN_PLACE = "articles in place"  # edits that left every article where it was, on the warm site (warm.py)
    RELINKED = "relinked"  # edits of people and topics, linked again where they touch the warm site (relinked.py)
    FULL = "full"


@dataclass(frozen=True, slots=True, kw_only=True)
class Decision:
    """The route a build takes, and why."""

    route: Route
    why: str  # "a template, a setting or a static file changed"


def last_build(cache: BuildCache | None, config: SiteConfig, output_dir: Path) -> LastBuild | None:
    """The last good build's record, opening the cache for this site's settings; None unless it
    describes `output_dir` as the folder is now (its folder, and the build its marker names)."""
    if cache is None:
        return None
    cache.open(parse_namespace(config))
    last = cache.last_build()
    if last is None or last.output != str(output_dir.resolve()) or last.build != build_id(output_dir):
        return None
    return last


def next_record(work: Work, inputs: Inputs, writer: OutputWriter, search_warnings: tuple[Problem, ...]) -> LastBuild:
    """The record a good build leaves for the next, once `writer` has put its files in the output."""
    previous, produced = work.previous, writer.produced
    if previous is None or len(previous) != len(produced) or not produced.issuperset(previous):
        previous = tuple(sorted(produced))  # (else the files are the last build's, sorted already)
    return LastBuild(output=str(writer.root.resolve()), build=build_id(writer.root),
                     produced=previous, inputs=inputs.every, others=inputs.others,
                     names=inputs.names, next_release=work.next_release, counts=work.counts,
                     files=writer.written + writer.unchanged, warnings=work.problems,
                     search_warnings=search_warnings, feeds=work.feeds)


def choose_route(last: LastBuild | None, inputs: Inputs, clean: bool, now: datetime.datetime) -> Decision:
    """The route this build takes, from the last build's record and this build's inputs."""
    if last is None:
        return Decision(route=Route.FULL, why="no earlier build of this output folder is known")
    if clean:
        return Decision(route=Route.FULL, why="--clean asks for every file anew")
    if last.next_release is not None and now >= last.next_release:
        return Decision(route=Route.FULL, why="an article dated in the future is due now")
    if inputs.every is not None and inputs.every == last.inputs:
        return Decision(route=Route.NOTHING_CHANGED, why="no input changed")
    if inputs.others is not None and inputs.others == last.others and inputs.names == last.names:
        return Decision(route=Route.BODIES_ONLY, why="only Markdown sources changed, and none was added or removed")
    return Decision(route=Route.FULL, why="a setting, a template, a static file or the list of sources changed")
