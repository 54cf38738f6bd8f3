"""Stage 7, write: page bytes and static files → the output folder.

Files are first written to a staging folder beside the output; only when every page has
rendered are they moved into the output's twin, which then takes the output's place
(`twin.py`), so a failed or interrupted build leaves the previous output whole. A first
build, which has no output to keep, writes its files into the twin at once. A file
whose bytes did not change is not rewritten (its modification time stays), and files no
page produces any more are removed.
"""

from __future__ import annotations

import hashlib
import os
import posixpath
import shutil
from collections.abc import Callable, Collection, Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from digest.model import UsageError
from digest.write.twin import Twin, make_folder, remove_file

if TYPE_CHECKING:
    import multiprocessing.process

MARKER = ".digest-output"  # (`incremental.unchanged` looks at it by this name)
STAGING = ".digest-staging"
FOLLOW_APART = 2000  # files changed in a build over which the twin follows the output in a process of its own
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
    """Stages a build's files, then puts the changed ones in the output folder, all at once."""

    def __init__(self, output_dir: Path, clean: bool = False, in_place: bool = False) -> None:
        self.root = output_dir
        self.clean = clean
        # `in_place`: change the output file by file (a folder of its own, such as the preview's)
        self.twin = None if in_place else Twin.beside(output_dir)
        # the files wait beside the output, in the twin's home: nothing half-made is ever in it
        self.staging = output_dir / STAGING if self.twin is None else self.twin.home / "staging"
        self.produced: set[str] = set()
        self.staged: list[str] = []
        self.unchanged = 0
        self.removed_paths: list[str] = []
        self.existed = output_dir.exists()
        self._following: _Following | None = None
        for leftover in (self.staging, output_dir / STAGING):  # of a build that was stopped
            if leftover.exists():
                shutil.rmtree(leftover)
        # A first build's files go straight into the twin's tree, at their paths, and the tree becomes the output
        # whole: none waits in the staging folder to be moved in (22,600 moves at 10,000 articles, 0.5 s on one core)
        self.direct: Path | None = None
        if self.twin is not None and not self.existed:
            shutil.rmtree(self.twin.home, ignore_errors=True)  # (what a stopped build left: it mirrors no output)
            self.twin.tree.mkdir(parents=True)
            self.direct = self.twin.tree

    def stage(self, output_path: str, data: bytes) -> bool:
        """Stage one file's bytes, unless the output already holds exactly these bytes; whether it was staged.
        Worker processes call it too (then `record` counts the file in the build's own)."""
        if self.direct is not None:
            write_file(safe_join(self.direct, output_path), data)
            return True
        return stage_bytes(self.root, self.staging, output_path, data, self.clean)

    def add(self, output_path: str, data: bytes) -> None:
        """Stage one file's bytes, unless the output already holds exactly these bytes."""
        self.record(output_path, self.stage(output_path, data))

    def record(self, output_path: str, staged: bool) -> None:
        """Count a file staged (or found unchanged) elsewhere, such as in a worker process."""
        self.produced.add(output_path)
        if staged:
            self.staged.append(output_path)
        else:
            self.unchanged += 1

    def keep(self, output_paths: Collection[str]) -> None:
        """Keep files of the previous build as they are: their pages did not change (22,000 of them, at
        10,000 articles, for an edit that renders one)."""
        self.produced.update(output_paths)
        self.unchanged += len(output_paths)

    def add_file(self, output_path: str, source: str) -> None:
        """Stage a copy of a static file, unless the output already holds the same bytes."""
        target = safe_join(self.root, output_path)
        if not self.clean and same_file(target, source):
            self.record(output_path, False)
            return
        if self.direct is not None:
            staged = safe_join(self.direct, output_path)
            make_folder(self.direct, staged.parent)
        else:
            self.staging.mkdir(parents=True, exist_ok=True)
            staged = staged_name(self.staging, output_path)
        shutil.copyfile(source, staged)
        self.record(output_path, True)

    def abort(self) -> None:
        """Forget everything staged; the output stays as it was (and absent, if it was)."""
        shutil.rmtree(self.staging, ignore_errors=True)
        if not self.existed:
            shutil.rmtree(self.root, ignore_errors=True)
        if self.twin is not None and (self.direct is not None or not self.twin.tree.exists()):
            shutil.rmtree(self.twin.home, ignore_errors=True)  # a first build's: nothing beside the output either

    def commit(self, previous: Collection[str] | None = None,
               prepare: Callable[[Path], Sequence[str]] | None = None, later: bool = False) -> None:
        """Put the staged files in place and remove the files no page produces any more.

        The changes are made in the output's twin, which then takes the output's place in one
        step (`twin.py`); where there can be no twin, and for `in_place`, in the output itself.
        `previous`: every file the last build wrote into this folder, when known; then only those
        are candidates for removal, and the folder is not walked. `prepare(folder)`: the search
        stage, run on the folder about to become the output; the files and folders it changed there.
        `later`: when more than `FOLLOW_APART` files changed, the output is in place on return and the
        twin is brought in step with it in a process of its own (`_Following`), while the caller goes
        on (the build saves its cache); `settle()` waits for it.
        """
        stale = self._stale(previous)
        self.removed_paths = [path for path in stale if (self.root / path).is_file()]
        twin = self.twin
        current = build_id(self.root)
        if twin is None:
            self.root.mkdir(parents=True, exist_ok=True)
            if self.staged or self.removed_paths or current is None:
                _mark(self.root, None)  # until the new files are all in, the folder is no build's
            self._apply(self.root, stale)
            if prepare is not None:
                prepare(self.root)
            if build_id(self.root) is None:
                _mark(self.root, _next(current))
            return
        if self.direct is None:
            if not twin.in_step(current):
                twin.make(keep=(MARKER,))
            twin.forget()
            self._apply(twin.tree, stale)
        searched = prepare(twin.tree) if prepare is not None else ()
        if current is not None and not (self.staged or self.removed_paths or searched):
            twin.remember(current)
            return
        new = _next(current)
        _mark(twin.tree, new)
        twin.swap(own=lambda name: name.startswith(".digest-"))

        def follow() -> None:
            twin.follow((*self.staged, MARKER), stale, searched)
            twin.remember(new)

        if later and len(self.staged) + len(stale) + len(searched) > FOLLOW_APART:
            self._following = _Following.start(follow)
        if self._following is None:
            follow()

    def settle(self) -> None:
        """Wait until the twin is in step with the output again, after a `commit(later=True)`."""
        following, self._following = self._following, None
        if following is not None:
            following.wait()

    def _stale(self, previous: Collection[str] | None) -> list[str]:
        """The files of the output that this build does not produce."""
        if previous is not None:
            return sorted(path for path in set(previous) - self.produced if not path.startswith(SEARCH_DIR + "/"))
        stale = []
        for folder, dirs, files in os.walk(self.root):
            rel = Path(folder).relative_to(self.root).as_posix()
            if rel == ".":  # the staging folder, a deploy's own files (.git, .nojekyll), the search index
                dirs[:] = [name for name in dirs if not name.startswith(".") and name != SEARCH_DIR]
                stale += [name for name in files if not name.startswith(".") and name not in self.produced]
            else:
                stale += [f"{rel}/{name}" for name in files if f"{rel}/{name}" not in self.produced]
        return sorted(stale)

    def _apply(self, into: Path, stale: list[str]) -> None:
        """Move the staged files into `into` and remove the stale ones from it."""
        made: set[str] = set()  # the folders made (or found) so far: one `mkdir` a folder, not one a file
        for output_path in self.staged:
            target = os.path.join(into, output_path)
            folder = os.path.dirname(target)
            if folder not in made:
                make_folder(into, Path(folder))
                made.add(folder)
            staged = staged_name(self.staging, output_path)
            try:
                os.replace(staged, target)
            except OSError:
                if not os.path.isdir(target) or os.path.islink(target):
                    raise
                shutil.rmtree(target)  # a folder of the last build where this build has a file
                os.replace(staged, target)
        shutil.rmtree(self.staging, ignore_errors=True)
        for output_path in stale:
            remove_file(into, output_path)

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


class _Following:
    """The twin's following of the output, in a forked process: it is all links made and removed, one
    system call a file, and in a thread of the build's own process each call would wait for Python's
    lock while the build saves its cache (both then took longer than one after the other). A process
    that fails, or is killed, has not marked the twin in step: the next build makes it again."""

    def __init__(self, process: multiprocessing.process.BaseProcess) -> None:
        self._process = process

    @classmethod
    def start(cls, work: Callable[[], None]) -> _Following | None:
        """`work` started in a forked process; None where processes cannot be forked (Windows)."""
        import multiprocessing  # (a build that changed little never needs it)

        from digest.workers import can_fork

        if not can_fork():
            return None
        process = multiprocessing.get_context("fork").Process(target=_quietly, args=(work,), name="digest-twin")
        process.start()
        return cls(process)

    def wait(self) -> None:
        self._process.join()


def _quietly(work: Callable[[], None]) -> None:
    """Do `work`; what it raises is left unsaid (the twin, not marked in step, is made again), and a Ctrl-C
    meant for the build lets it end."""
    from digest.workers import worker_signals

    worker_signals()
    try:
        work()
    except Exception:  # noqa: BLE001  (an error of the output's copy, not of the site)
        return


def build_id(output_dir: Path) -> str | None:
    """The id of the build whose files the output folder holds, from its marker file; None if unknown."""
    try:
        text = (output_dir / MARKER).read_bytes()
    except OSError:
        return None
    last = text.splitlines()[-1] if text else b""
    return last[len(b"build "):].decode("ascii", "replace") if last.startswith(b"build ") else None


def _next(build: str | None) -> str:
    """The id of the build after `build`: builds are counted, so two clean builds write the same marker."""
    return str(int(build) + 1) if build is not None and build.isdigit() else "1"


def _mark(folder: Path, build: str | None) -> None:
    """Write the marker file anew (a new file, never the old one changed: the twin shares it)."""
    partial = folder / (MARKER + ".new")
    partial.write_bytes(_MARKER_TEXT + (f"build {build}\n".encode() if build else b""))
    os.replace(partial, folder / MARKER)


def staged_name(staging: Path, output_path: str) -> Path:
    """Where a file waits in the staging folder: one flat folder, named by a hash of the path."""
    return staging / hashlib.blake2b(output_path.encode("utf-8", "surrogatepass"), digest_size=16).hexdigest()


def stage_bytes(root: Path, staging: Path, output_path: str, data: bytes, clean: bool) -> bool:
    """Write a file's bytes to the `staging` folder, unless the output folder `root` already holds them."""
    target = safe_join(root, output_path)
    if not clean and _same_bytes(target, data):
        return False
    write_file(staged_name(staging, output_path), data)  # (the first file of a build makes the staging folder)
    return True


def write_file(target: Path, data: bytes) -> None:
    """Write a file, making its folders first if they are not there."""
    try:
        handle = open(target, "wb")
    except FileNotFoundError:
        os.makedirs(target.parent, exist_ok=True)
        handle = open(target, "wb")
    with handle:
        handle.write(data)


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
