"""`digest publish`: the built output, to a branch of the site's git repository or to a folder.

To a branch (`gh-pages` for GitHub Pages): the output's files are written as a new commit
on that branch with git's plumbing commands and a temporary index, so neither the working
tree, the index nor the current branch is touched. The commit adds `.nojekyll` (GitHub
Pages then serves every file as it is) and `CNAME` when `digest.yaml` sets `domain`. A
publish with nothing changed makes no commit. Then the branch is pushed.

To a folder: a mirror of the output, copying only files whose bytes differ and removing
files the output no longer has (a deploy's own dot-files, such as `.git`, are left alone).
"""

from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
from dataclasses import dataclass
from pathlib import Path

from digest.model import UsageError
from digest.render.wording import counted
from digest.write.output import MARKER, same_file

_HIDDEN = (".digest-",)  # the marker, staging and search scratch folders: never published


@dataclass(frozen=True, slots=True)
class Published:
    """What a publish did."""

    copied: int  # files new or changed
    unchanged: int
    removed: int
    commit: str | None = None  # the new commit, for a branch; None when nothing changed
    pushed: str | None = None  # the remote pushed to


def site_files(output_dir: Path) -> list[str]:
    """Every file of a built output to publish, sorted: not digest's own marker or scratch folders."""
    if not (output_dir / MARKER).is_file():
        raise UsageError(f"{output_dir}: no built site here; run `digest build` first")
    files = []
    for folder, dirs, names in os.walk(output_dir):
        dirs[:] = sorted(d for d in dirs if not d.startswith(_HIDDEN))
        rel = os.path.relpath(folder, output_dir)
        files += [name if rel == "." else f"{rel}/{name}" for name in names if not name.startswith(_HIDDEN)]
    return sorted(Path(f).as_posix() for f in files)


def publish_dir(output_dir: Path, target: Path) -> Published:
    """Mirror the output into `target`: changed files copied, files the output lacks removed."""
    out, dest = output_dir.resolve(), target.resolve()
    if dest == out or out in dest.parents or dest in out.parents or dest == Path(dest.anchor):
        raise UsageError(f"--dir {target}: refusing to mirror the output into itself, a folder inside it, "
                         "or a folder that holds it; choose a folder of its own")
    files = site_files(output_dir)
    copied = unchanged = removed = 0
    for rel in files:
        source, copy = output_dir / rel, target / rel
        if same_file(copy, str(source)):
            unchanged += 1
            continue
        if copy.is_dir():
            shutil.rmtree(copy)
        copy.parent.mkdir(parents=True, exist_ok=True)
        temporary = copy.with_name(copy.name + ".digest-new")
        shutil.copyfile(source, temporary)
        os.replace(temporary, copy)
        copied += 1
    wanted = set(files)
    for folder, dirs, names in os.walk(target, topdown=False):
        rel = os.path.relpath(folder, target)
        if rel != "." and rel.split(os.sep)[0].startswith("."):
            continue  # the deploy's own folders: .git
        for name in names:
            path = name if rel == "." else Path(rel, name).as_posix()
            if path not in wanted and not (rel == "." and name.startswith(".")):
                os.remove(os.path.join(folder, name))
                removed += 1
        if rel != "." and not os.listdir(folder):
            os.rmdir(folder)
    return Published(copied=copied, unchanged=unchanged, removed=removed)


def publish_git(site_dir: Path, output_dir: Path, branch: str, remote: str | None, domain: str | None,
                title: str) -> Published:
    """Commit the output as the tip of `branch` of the site's repository, then push it to `remote`."""
    if not branch or branch.startswith("-") or try_git(site_dir, "check-ref-format", "--branch", branch) is None:
        raise UsageError(f"--git-branch {branch}: not a valid branch name")
    top = try_git(site_dir, "rev-parse", "--show-toplevel")
    if top is None:
        raise UsageError(f"{site_dir}: not in a git repository; run `git init`, or publish with --dir PATH")
    if remote is not None and try_git(site_dir, "remote", "get-url", remote) is None:
        raise UsageError(f"--remote {remote}: the repository has no such remote; add it with "
                         f"`git remote add {remote} URL`, or publish without pushing (--no-push)")
    files = site_files(output_dir)
    ref = f"refs/heads/{branch}"
    parent = try_git(site_dir, "rev-parse", "--verify", "-q", f"{ref}^{{commit}}")
    with tempfile.TemporaryDirectory(prefix="digest-publish-") as scratch:
        env = {"GIT_INDEX_FILE": os.path.join(scratch, "index")}
        listing = os.path.join(scratch, "files")
        Path(listing).write_text("\0".join(files) + "\0", encoding="utf-8", errors="surrogateescape")
        git(site_dir, f"--work-tree={output_dir.resolve()}", "add", "--force", f"--pathspec-from-file={listing}",
            "--pathspec-file-nul", "--", env=env)
        extras = {".nojekyll": b""}
        if domain:
            extras["CNAME"] = f"{domain}\n".encode()
        for name, data in extras.items():
            blob = git(site_dir, "hash-object", "-w", "--stdin", data=data)
            git(site_dir, "update-index", "--add", "--cacheinfo", f"100644,{blob},{name}", env=env)
        tree = git(site_dir, "write-tree", env=env)
    previous_tree = git(site_dir, "rev-parse", f"{parent}^{{tree}}") if parent else None
    commit = None
    if tree != previous_tree:
        who = {} if try_git(site_dir, "config", "user.email") else {
            "GIT_AUTHOR_NAME": "digest", "GIT_AUTHOR_EMAIL": "digest@localhost",
            "GIT_COMMITTER_NAME": "digest", "GIT_COMMITTER_EMAIL": "digest@localhost"}
        message = f"Publish {title} ({counted(len(files), 'file')})"
        commit = git(site_dir, "commit-tree", tree, *(("-p", parent) if parent else ()), "-m", message, env=who)
        git(site_dir, "update-ref", "-m", "digest publish", ref, commit, parent or "0" * 40)
    if remote is not None:
        git(site_dir, "push", "--quiet", remote, f"{ref}:{ref}")
    return Published(copied=len(files) + len(extras), unchanged=0, removed=0, commit=commit, pushed=remote)


def git(where: Path, *args: str, env: dict[str, str] | None = None, data: bytes | None = None) -> str:
    """A git command's output, stripped; a UsageError with git's own message when it fails."""
    done = _run_git(where, args, env, data)
    if done.returncode != 0:
        error = done.stderr.decode("utf-8", "replace").strip().splitlines()
        raise UsageError(f"git {args[0]} failed: {error[-1] if error else f'exit {done.returncode}'}")
    return done.stdout.decode("utf-8", "replace").strip()


def try_git(where: Path, *args: str) -> str | None:
    """A git command's output, stripped; None when it fails (a question answered "no")."""
    done = _run_git(where, args, None, None)
    return done.stdout.decode("utf-8", "replace").strip() if done.returncode == 0 else None


def _run_git(where: Path, args: tuple[str, ...], env: dict[str, str] | None,
             data: bytes | None) -> subprocess.CompletedProcess[bytes]:
    try:
        return subprocess.run(["git", "-C", str(where), *args], input=data, capture_output=True, check=False,
                              env={**os.environ, **(env or {})}, timeout=600)
    except FileNotFoundError:
        raise UsageError("git is not installed; install it, or publish with --dir PATH") from None
