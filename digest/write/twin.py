"""The output's twin: how a build's changes reach the output folder all at once.

Beside `output/` lives `.digest-twin-output/tree/`: the same files, hard-linked (no bytes are
copied). A build makes its changes in the twin (new files moved in, stale ones removed, the
search index made), then one system call swaps the two folders: Linux's `renameat2` with
`RENAME_EXCHANGE`. Whoever reads the output (a web server, a deploy, the next build after this
one was killed at any moment) finds the previous complete build or the new one, never a mix
and never a half-written file. The twin, which now holds the previous build, is brought in step
with the same changes, so a build costs what it changed, not the size of the site.

A file beside the tree, `in-step`, names the build the tree mirrors (the id the output's marker
file carries). When they differ (a first build, a build killed half-way, an output folder
changed by other means), the tree is made again from the output, by hard links.
"""

from __future__ import annotations

import errno
import os
import shutil
from collections.abc import Callable, Iterable
from pathlib import Path

_AT_FDCWD = -100
_RENAME_EXCHANGE = 2
_STAMP = "in-step"


class Twin:
    """The hard-linked copy of an output folder, where a build's changes are made before the swap."""

    def __init__(self, output_dir: Path) -> None:
        self.output = output_dir
        self.home = output_dir.parent / f".digest-twin-{output_dir.name}"
        self.tree = self.home / "tree"

    @classmethod
    def beside(cls, output_dir: Path) -> Twin | None:
        """The twin of `output_dir`, or None where it cannot be: a parent folder digest cannot write,
        or an output folder that is a mount point (a folder on another file system cannot be swapped)."""
        output_dir = output_dir.resolve()
        parent = output_dir.parent
        if output_dir == parent or not os.access(parent, os.W_OK | os.X_OK):
            return None
        try:
            if output_dir.is_dir() and output_dir.stat().st_dev != parent.stat().st_dev:
                return None
        except OSError:
            return None
        return cls(output_dir)

    def in_step(self, build_id: str | None) -> bool:
        """Whether the tree mirrors the output, whose marker names `build_id`."""
        try:
            stamp = (self.home / _STAMP).read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError):
            return False
        return build_id is not None and stamp == build_id and self.tree.is_dir()

    def make(self, keep: Iterable[str]) -> None:
        """Make the tree again from the output: every file hard-linked, hidden top-level entries left
        out but for those named in `keep`."""
        self.forget()
        shutil.rmtree(self.tree, ignore_errors=True)
        self.tree.mkdir(parents=True)
        if self.output.is_dir():
            kept = set(keep)
            for entry in os.scandir(self.output):
                if not entry.name.startswith(".") or entry.name in kept:
                    link_tree(Path(entry.path), self.tree / entry.name)

    def forget(self) -> None:
        """Say the tree no longer mirrors the output: it is about to change."""
        (self.home / _STAMP).unlink(missing_ok=True)

    def remember(self, build_id: str) -> None:
        """Say the tree mirrors the output of build `build_id`."""
        stamp = self.home / _STAMP
        partial = self.home / f".{_STAMP}.new"
        partial.write_text(build_id, encoding="utf-8")
        os.replace(partial, stamp)

    def swap(self, own: Callable[[str], bool]) -> None:
        """Swap the tree into the output's place.

        Hidden top-level entries of the output that digest did not make (a deploy's `.git`, a
        `.well-known` folder) are moved over first, so they stay in the output. `own`: whether a
        hidden name is one digest makes there.
        """
        if not self.output.exists():  # a first build: the folder appears whole
            os.rename(self.tree, self.output)
            self.tree.mkdir()
            return
        for entry in os.scandir(self.output):
            if entry.name.startswith(".") and not own(entry.name):
                target = self.tree / entry.name
                if target.is_dir() and not target.is_symlink():
                    shutil.rmtree(target)
                os.replace(entry.path, target)
        exchange(self.output, self.tree)

    def follow(self, written: Iterable[str], removed: Iterable[str], remade: Iterable[str] = ()) -> None:
        """After a swap, bring the tree (the previous build) in step with the output again.

        `written`: files new or replaced; `removed`: files removed; `remade`: files and folders the
        search stage made, replaced or removed in place: a file is linked again as `written` are, a
        folder compared entry by entry.
        """
        remade = list(remade)
        files = [path for path in remade if (self.output / path).is_file()]
        for path in (*written, *files):
            target = self.tree / path
            if target.is_dir() and not target.is_symlink():
                shutil.rmtree(target)
            else:
                _make_parents(self.tree, target)
                target.unlink(missing_ok=True)
            os.link(self.output / path, target, follow_symlinks=False)
        for path in removed:
            remove_file(self.tree, path)
        for folder in remade:
            if folder not in files:
                _follow_folder(self.output / folder, self.tree / folder)


def exchange(first: Path, second: Path) -> None:
    """Swap two folders' names in one step (`renameat2(RENAME_EXCHANGE)`).

    Where the system has no such call, two renames do it, and for a moment `first` is absent
    (never a mix of the two).
    """
    import ctypes  # only a build that swaps folders needs it

    call = getattr(ctypes.CDLL(None, use_errno=True), "renameat2", None)
    if call is not None:
        call.argtypes = (ctypes.c_int, ctypes.c_char_p, ctypes.c_int, ctypes.c_char_p, ctypes.c_uint)
        if call(_AT_FDCWD, os.fsencode(first), _AT_FDCWD, os.fsencode(second), _RENAME_EXCHANGE) == 0:
            return
        code = ctypes.get_errno()
        if code not in (errno.ENOSYS, errno.EINVAL, errno.ENOTSUP):
            raise OSError(code, os.strerror(code), str(first))
    aside = second.with_name(second.name + ".old")
    shutil.rmtree(aside, ignore_errors=True)
    os.rename(first, aside)
    os.rename(second, first)
    os.rename(aside, second)


def link_tree(source: Path, target: Path) -> None:
    """Hard-link the file or folder `source` as `target`, folder by folder (symbolic links as they are)."""
    if not source.is_dir() or source.is_symlink():
        os.link(source, target, follow_symlinks=False)
        return
    target.mkdir()
    for folder, dirs, files in os.walk(source):
        into = target / os.path.relpath(folder, source)
        for name in dirs:
            if os.path.islink(os.path.join(folder, name)):
                os.link(os.path.join(folder, name), into / name, follow_symlinks=False)
            else:
                (into / name).mkdir()
        for name in files:
            os.link(os.path.join(folder, name), into / name, follow_symlinks=False)


def remove_file(root: Path, path: str) -> bool:
    """Remove `root/path` and the folders it leaves empty; whether there was a file to remove."""
    target = root / path
    if not target.is_file():
        return False
    target.unlink()
    for folder in target.parents:
        if folder == root or not folder.is_dir() or any(folder.iterdir()):
            break
        folder.rmdir()
    return True


def make_folder(root: Path, folder: Path) -> None:
    """Create `folder` under `root`, removing any file that stands where one of its folders must go."""
    try:  # most often its parent is there: one system call (pathlib's mkdir asks three)
        os.mkdir(folder)
        return
    except FileExistsError:
        if os.path.isdir(folder):
            return
    except (FileNotFoundError, NotADirectoryError):
        pass
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except (FileExistsError, NotADirectoryError):
        for parent in reversed((folder, *folder.parents)):
            if parent != root and root in parent.parents and (parent.is_file() or parent.is_symlink()):
                parent.unlink()
        folder.mkdir(parents=True, exist_ok=True)


def _make_parents(root: Path, target: Path) -> None:
    if not target.parent.is_dir():
        make_folder(root, target.parent)


def _follow_folder(source: Path, target: Path) -> None:
    """Make `target` mirror `source` again, where its entries differ (files compared by inode)."""
    if not source.is_dir():
        shutil.rmtree(target, ignore_errors=True)
        return
    target.mkdir(parents=True, exist_ok=True)
    names = {entry.name: entry for entry in os.scandir(source)}
    for entry in os.scandir(target):
        wanted = names.get(entry.name)
        if wanted is None or wanted.is_dir(follow_symlinks=False) != entry.is_dir(follow_symlinks=False):
            _remove(Path(entry.path))
        elif not entry.is_dir(follow_symlinks=False) and entry.inode() != wanted.inode():
            os.unlink(entry.path)
    for name, entry in names.items():
        if entry.is_dir(follow_symlinks=False):
            _follow_folder(Path(entry.path), target / name)
        elif not os.path.lexists(target / name):
            os.link(entry.path, target / name, follow_symlinks=False)


def _remove(path: Path) -> None:
    if path.is_dir() and not path.is_symlink():
        shutil.rmtree(path)
    else:
        path.unlink()
