"""Stage 7, write: page bytes and static files → the output folder.

Files are first written to a staging folder inside the output; only when every
page has rendered are they moved into place, so a failed build leaves the
previous output whole. A file whose bytes did not change is not rewritten
(its modification time stays), and files no page produces any more are removed.
"""

from __future__ import annotations

import hashlib
import os
import posixpath
import shutil
from collections.abc import Collection
from pathlib import Path

from digest.model import UsageError

MARKER = ".digest-output"
STAGING = ".digest-staging"
SEARCH_DIR = "pagefind"  # the search index: written by the search stage after the pages, never a stale file
_MARKER_TEXT = b"This folder is written by `digest build`: files in it are replaced and removed.\n"


def check_output_dir(output_dir: Path, site_dir: Path, given: bool = True) -> None:
    """Refuse an output folder that would overwrite the site or anything not made by digest.

    `given`: the folder was named with `--output` (messages say so), rather than the default output/.
    """
    out = output_dir.resolve()
    site = site_dir.resolve()
    label = f"--output {output_dir}" if given else display_path(output_dir) + "/"
    if out == Path(out.anchor):
        raise UsageError(f"{label}: refusing to write into the root folder {out.anchor}; "
                         "choose a folder of its own, such as output/")
    if out == site or out in site.parents:
        raise UsageError(f"{label}: refusing to write over the site folder itself; "
                         "choose a folder inside it, such as output/")
    for name in ("content", "static", "templates", "themes", ".git"):
        guarded = site / name
        if out == guarded or guarded in out.parents:
            raise UsageError(f"{label}: refusing to write into the site's {name}/ folder; "
                             "choose another folder, such as output/")
    if out.exists() and not out.is_dir():
        raise UsageError(f"{label}: is a file, not a folder")
    parent = out
    while not parent.exists():
        parent = parent.parent
    if not parent.is_dir():
        raise UsageError(f"{label}: cannot be created, because {parent} is a file")
    if out.is_dir() and not (out / MARKER).exists():
        if any(not entry.name.startswith(".") for entry in out.iterdir()):
            if given:
                raise UsageError(f"{label}: the folder holds files that digest did not write; "
                                 "empty it, or choose a new folder")
            raise UsageError(f"{label} holds files that digest did not write; move them away, "
                             "or build into another folder with --output DIR")


def display_path(path: Path) -> str:
    """A folder as the person running digest knows it: relative when inside the current folder.

    >>> display_path(Path("site/output")), display_path(Path("/elsewhere/output"))
    ('site/output', '/elsewhere/output')
    """
    relative = os.path.relpath(path)
    return str(path.resolve()) if relative.startswith("..") else relative


def safe_join(root: Path, relative: str) -> Path:
    """`root / relative`, refusing any path that would leave `root`.

    >>> safe_join(Path("/out"), "a/b.html").as_posix()
    '/out/a/b.html'
    >>> safe_join(Path("/out"), "../etc/passwd")
    Traceback (most recent call last):
    ...
    ValueError: '../etc/passwd' is outside the output folder
    """
    normal = posixpath.normpath(relative)
    if (normal.startswith(("/", "../")) or normal in ("..", ".") or "\\" in relative or ":" in normal.split("/")[0]
            or "\x00" in relative):
        raise ValueError(f"{relative!r} is outside the output folder")
    return root / normal


class OutputWriter:
    """Stages a build's files, then moves the changed ones into the output folder."""

    def __init__(self, output_dir: Path, clean: bool = False) -> None:
        self.root = output_dir
        self.staging = output_dir / STAGING
        self.clean = clean
        self.produced: set[str] = set()
        self.staged: list[str] = []
        self.unchanged = 0
        self.removed_paths: list[str] = []
        self.existed = output_dir.exists()
        if self.staging.exists():
            shutil.rmtree(self.staging)

    def add(self, output_path: str, data: bytes) -> None:
        """Stage one file's bytes, unless the output already holds exactly these bytes."""
        self.record(output_path, stage_bytes(self.root, output_path, data, self.clean))

    def record(self, output_path: str, staged: bool) -> None:
        """Count a file staged (or found unchanged) elsewhere, such as in a worker process."""
        self.produced.add(output_path)
        if staged:
            self.staged.append(output_path)
        else:
            self.unchanged += 1

    def keep(self, output_path: str) -> None:
        """Keep a file of the previous build as it is: its page did not change."""
        self.record(output_path, False)

    def add_file(self, output_path: str, source: str) -> None:
        """Stage a copy of a static file, unless the output already holds the same bytes."""
        target = safe_join(self.root, output_path)
        if not self.clean and same_file(target, source):
            self.record(output_path, False)
            return
        self.staging.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(source, staged_name(self.root, output_path))
        self.record(output_path, True)

    def abort(self) -> None:
        """Forget everything staged; the output stays as it was (and absent, if it was)."""
        shutil.rmtree(self.staging, ignore_errors=True)
        if not self.existed:
            shutil.rmtree(self.root, ignore_errors=True)

    def commit(self, previous: Collection[str] | None = None) -> None:
        """Move the staged files into place and remove the files no page produces any more.

        `previous`: every file the last build wrote into this folder, when known; then only those
        are candidates for removal, and the folder is not walked.
        """
        self.root.mkdir(parents=True, exist_ok=True)
        marker = self.root / MARKER
        if not marker.exists():
            marker.write_bytes(_MARKER_TEXT)
        for output_path in self.staged:
            target = self.root / output_path
            if target.is_dir():
                shutil.rmtree(target)
            _make_folder(self.root, target.parent)
            os.replace(staged_name(self.root, output_path), target)
        shutil.rmtree(self.staging, ignore_errors=True)
        if previous is None:
            self._remove_stale()
            return
        for output_path in sorted(set(previous) - self.produced):
            if output_path.startswith(SEARCH_DIR + "/"):
                continue
            target = self.root / output_path
            if target.is_file():
                target.unlink()
                self.removed_paths.append(output_path)
            for folder in target.parents:
                if folder == self.root or not folder.is_dir() or any(folder.iterdir()):
                    break
                folder.rmdir()

    def _remove_stale(self) -> None:
        for folder, dirs, files in os.walk(self.root, topdown=False):
            rel = Path(folder).relative_to(self.root).as_posix()
            top = rel == "."
            if not top and (rel.startswith(".") or rel.split("/")[0] == SEARCH_DIR):
                continue  # the staging folder, a deploy's own folders (.git), the search index
            for name in files:
                path = name if top else f"{rel}/{name}"
                if top and name.startswith("."):
                    continue  # the marker, and a deploy's own files (.git, .nojekyll)
                if path not in self.produced:
                    os.remove(os.path.join(folder, name))
                    self.removed_paths.append(path)
            if not top and not os.listdir(folder):
                os.rmdir(folder)

    @property
    def written(self) -> int:
        """How many files were new or changed."""
        return len(self.staged)

    @property
    def removed(self) -> int:
        """How many files of the previous output were removed."""
        return len(self.removed_paths)

    @property
    def changed(self) -> tuple[str, ...]:
        """Every file written, replaced or removed, sorted: what a page open in a browser may need again."""
        return tuple(sorted({*self.staged, *self.removed_paths}))


def staged_name(root: Path, output_path: str) -> Path:
    """Where a file waits in the staging folder: one flat folder, named by a hash of the path."""
    return root / STAGING / hashlib.blake2b(output_path.encode("utf-8", "surrogatepass"), digest_size=16).hexdigest()


def stage_bytes(root: Path, output_path: str, data: bytes, clean: bool) -> bool:
    """Write a file's bytes to the staging folder of `root`, unless `root` already holds them."""
    target = safe_join(root, output_path)
    if not clean and _same_bytes(target, data):
        return False
    staged = staged_name(root, output_path)
    try:
        handle = open(staged, "wb")
    except FileNotFoundError:  # the first file of this build: the staging folder is made now
        (root / STAGING).mkdir(parents=True, exist_ok=True)
        handle = open(staged, "wb")
    with handle:
        handle.write(data)
    return True


def _make_folder(root: Path, folder: Path) -> None:
    """Create `folder` under `root`, removing any file of the old output that stands where a folder must go."""
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except (FileExistsError, NotADirectoryError):
        for parent in reversed((folder, *folder.parents)):
            if parent != root and root in parent.parents and parent.is_file():
                parent.unlink()
        folder.mkdir(parents=True, exist_ok=True)


def _same_bytes(target: Path, data: bytes) -> bool:
    try:
        if target.stat().st_size != len(data):
            return False
        return target.read_bytes() == data
    except OSError:
        return False


def same_file(target: Path, source: str) -> bool:
    """Whether `target` holds the same bytes as `source` (sizes compared first, so most changes read neither)."""
    try:
        # sizes first: a changed file is told apart without reading either
        return target.stat().st_size == os.stat(source).st_size and _same_bytes(target, Path(source).read_bytes())
    except OSError:
        return False
