"""Writing the output folder (digest/write/output.py)."""

from __future__ import annotations

import ctypes
import os
import re
from collections.abc import Callable
from typing import Any
from pathlib import Path

import pytest

from digest.write import output as output_module
from digest.write import twin as twin_module
from digest.model import UsageError
from digest.write.output import MARKER, STAGING, OutputWriter, build_id, check_output_dir, safe_join
from digest.write.twin import Twin, exchange

MakeSite = Callable[..., Path]
OLD = 1_000_000_000  # an mtime far in the past: a rewritten file would get a new one


def tree(root: Path) -> dict[str, bytes]:
    """Every file under root, by POSIX path, with its bytes."""
    return {p.relative_to(root).as_posix(): p.read_bytes() for p in sorted(root.rglob("*")) if p.is_file()}


def folders(root: Path) -> list[str]:
    return [p.relative_to(root).as_posix() for p in sorted(root.rglob("*")) if p.is_dir()]


def write(output: Path, files: dict[str, bytes], clean: bool = False, in_place: bool = False) -> OutputWriter:
    writer = OutputWriter(output, clean=clean, in_place=in_place)
    for path, data in files.items():
        writer.add(path, data)
    writer.commit()
    return writer


# ---------------------------------------------------------------------------
# check_output_dir


@pytest.fixture
def site(make_site: MakeSite) -> Path:
    return make_site({"content/a.md": "x\n", "static/s.css": "x\n", "templates/t.html": "x\n",
                      "themes/dark/templates/t.html": "x\n", ".git/HEAD": "x\n", "output/.digest-output": "x\n",
                      "output/index.html": "x\n"})


@pytest.mark.parametrize(
    ("relative", "message"),
    [
        (".", "refusing to write over the site folder itself; choose a folder inside it, such as output/"),
        ("..", "refusing to write over the site folder itself; choose a folder inside it, such as output/"),
        ("content", "refusing to write into the site's content/ folder; choose another folder, such as output/"),
        ("content/2015", "refusing to write into the site's content/ folder; choose another folder, such as output/"),
        ("static", "refusing to write into the site's static/ folder; choose another folder, such as output/"),
        ("templates", "refusing to write into the site's templates/ folder; choose another folder, such as output/"),
        ("themes/dark", "refusing to write into the site's themes/ folder; choose another folder, such as output/"),
        (".git", "refusing to write into the site's .git/ folder; choose another folder, such as output/"),
        ("output/../content", "refusing to write into the site's content/ folder; choose another folder, such as "
                              "output/"),
    ],
)
def test_check_output_dir_refuses_the_site(site: Path, relative: str, message: str) -> None:
    output = site / relative
    with pytest.raises(UsageError) as caught:
        check_output_dir(output, site)
    assert str(caught.value) == f"--output {output}: {message}"


def test_check_output_dir_refuses_the_root(site: Path) -> None:
    with pytest.raises(UsageError) as caught:
        check_output_dir(Path("/"), site)
    assert str(caught.value) == ("--output /: refusing to write into the root folder /; choose a folder of its own, "
                                 "such as output/")


def test_check_output_dir_refuses_a_folder_under_a_file(site: Path) -> None:
    (site / "out.txt").write_text("x")
    for output in (site / "out.txt" / "public", site / "out.txt" / "a" / "b"):
        with pytest.raises(UsageError) as caught:
            check_output_dir(output, site)
        assert str(caught.value) == f"--output {output}: cannot be created, because {site / 'out.txt'} is a file"


def test_check_output_dir_refuses_a_file(site: Path) -> None:
    (site / "out.txt").write_text("x")
    with pytest.raises(UsageError) as caught:
        check_output_dir(site / "out.txt", site)
    assert str(caught.value) == f"--output {site / 'out.txt'}: is a file, not a folder"


def test_check_output_dir_refuses_a_foreign_folder(tmp_path: Path, site: Path) -> None:
    foreign = tmp_path / "photos"
    foreign.mkdir()
    (foreign / "holiday.jpg").write_bytes(b"x")
    with pytest.raises(UsageError) as caught:
        check_output_dir(foreign, site)
    assert str(caught.value) == (f"--output {foreign}: the folder holds files that digest did not write; "
                                 "empty it, or choose a new folder")


def test_the_default_output_folder_is_named_output(make_site: MakeSite, monkeypatch: pytest.MonkeyPatch) -> None:
    # no --output was given: the message names the folder as the user knows it, not an option they did not use
    site = make_site({"content/a.md": "x\n", "output/mine.html": "<p>mine</p>\n"})
    monkeypatch.chdir(site)
    with pytest.raises(UsageError) as caught:
        check_output_dir(site / "output", site, given=False)
    assert str(caught.value) == ("output/ holds files that digest did not write; move them away, or build into "
                                 "another folder with --output DIR")
    (site / "output/mine.html").unlink()
    (site / "output").rmdir()
    (site / "output").write_text("x")
    with pytest.raises(UsageError) as caught:
        check_output_dir(site / "output", site, given=False)
    assert str(caught.value) == "output/: is a file, not a folder"


@pytest.mark.parametrize(
    ("relative", "files"),
    [
        ("output", {}),  # digest's own (it has the marker)
        ("public", {}),  # does not exist yet
        ("deep/new/folder", {}),
        ("empty", {"empty/.keep": ""}),  # only dotfiles: a fresh clone of a deploy repository
        ("deploy", {"deploy/.git/HEAD": "x", "deploy/.nojekyll": ""}),
        ("old", {"old/.digest-output": "x", "old/index.html": "x"}),
    ],
)
def test_check_output_dir_accepts(make_site: MakeSite, site: Path, relative: str, files: dict[str, str]) -> None:
    make_site(files, root=site)
    check_output_dir(site / relative, site)  # no UsageError


def test_check_output_dir_accepts_a_folder_outside_the_site(tmp_path: Path, site: Path) -> None:
    check_output_dir(tmp_path / "elsewhere", site)


# ---------------------------------------------------------------------------
# safe_join


@pytest.mark.parametrize(
    ("relative", "joined"),
    [
        ("index.html", "/out/index.html"),
        ("a/b.html", "/out/a/b.html"),
        ("a/./b.html", "/out/a/b.html"),
        ("a//b.html", "/out/a/b.html"),
        ("a/b/../c.html", "/out/a/c.html"),
        ("people/vladimir-putin/index.html", "/out/people/vladimir-putin/index.html"),
    ],
)
def test_safe_join(relative: str, joined: str) -> None:
    assert safe_join(Path("/out"), relative).as_posix() == joined


@pytest.mark.parametrize(
    "relative", ["../x", "..", ".", "", "/etc/passwd", "a/../../x", "a\\..\\x", "C:/x", "x\x00y"])
def test_safe_join_refuses_paths_that_leave_the_root(relative: str) -> None:
    with pytest.raises(ValueError) as caught:
        safe_join(Path("/out"), relative)
    assert str(caught.value) == f"{relative!r} is outside the output folder"


# ---------------------------------------------------------------------------
# OutputWriter


def test_first_write(tmp_path: Path) -> None:
    output = tmp_path / "output"
    writer = write(output, {"index.html": b"home", "people/a/index.html": b"a"})
    files = tree(output)
    marker = files.pop(MARKER).decode()
    assert files == {"index.html": b"home", "people/a/index.html": b"a"}
    assert re.fullmatch("This folder is written by `digest build`: files in it are replaced and removed.\n"
                        "build 1\n", marker)
    assert build_id(output) == marker.split()[-1]
    assert (writer.written, writer.unchanged, writer.removed) == (2, 0, 0)
    assert not (output / STAGING).exists()


def test_unchanged_files_are_not_rewritten(tmp_path: Path) -> None:
    output = tmp_path / "output"
    write(output, {"index.html": b"home", "a/index.html": b"a", "b/index.html": b"b"})
    for name in ("index.html", "a/index.html", "b/index.html"):
        os.utime(output / name, (OLD, OLD))
    writer = write(output, {"index.html": b"home", "a/index.html": b"A", "b/index.html": b"bb"})
    assert (writer.written, writer.unchanged, writer.removed) == (2, 1, 0)
    assert os.stat(output / "index.html").st_mtime == OLD  # kept: not rewritten
    assert os.stat(output / "a/index.html").st_mtime != OLD  # replaced: same size, other bytes
    assert os.stat(output / "b/index.html").st_mtime != OLD
    assert tree(output)["a/index.html"] == b"A"
    assert tree(output)["b/index.html"] == b"bb"


def test_clean_rewrites_everything(tmp_path: Path) -> None:
    output = tmp_path / "output"
    write(output, {"index.html": b"home"})
    os.utime(output / "index.html", (OLD, OLD))
    writer = write(output, {"index.html": b"home"}, clean=True)
    assert (writer.written, writer.unchanged) == (1, 0)
    assert os.stat(output / "index.html").st_mtime != OLD


def test_static_files(tmp_path: Path) -> None:
    output = tmp_path / "output"
    source = tmp_path / "style.css"
    source.write_bytes(b"body {}\n")
    writer = OutputWriter(output)
    writer.add_file("css/style.css", str(source))
    writer.commit()
    assert tree(output)["css/style.css"] == b"body {}\n"
    os.utime(output / "css/style.css", (OLD, OLD))
    writer = OutputWriter(output)
    writer.add_file("css/style.css", str(source))
    writer.commit()
    assert (writer.written, writer.unchanged) == (0, 1)
    assert os.stat(output / "css/style.css").st_mtime == OLD


def test_stale_files_and_empty_folders_are_removed(tmp_path: Path) -> None:
    output = tmp_path / "output"
    write(output, {"index.html": b"home", "old/deep/index.html": b"old", "a/index.html": b"a", "a/gone.html": b"g"})
    (output / "a" / ".hidden").write_bytes(b"x")  # below the top, dotfiles are digest's like any other file
    writer = write(output, {"index.html": b"home", "a/index.html": b"a"})
    assert writer.removed == 3
    assert set(tree(output)) == {MARKER, "index.html", "a/index.html"}
    assert folders(output) == ["a"]


def test_top_level_dotfiles_and_git_are_kept(tmp_path: Path) -> None:
    output = tmp_path / "output"
    write(output, {"index.html": b"home"})
    (output / ".git" / "objects").mkdir(parents=True)
    (output / ".git" / "HEAD").write_bytes(b"ref: refs/heads/main\n")
    (output / ".nojekyll").write_bytes(b"")
    (output / ".well-known").mkdir()
    (output / ".well-known" / "security.txt").write_bytes(b"x")
    writer = write(output, {"index.html": b"home2"})
    assert writer.removed == 0
    assert set(tree(output)) == {MARKER, "index.html", ".git/HEAD", ".nojekyll", ".well-known/security.txt"}
    assert (output / ".git" / "objects").is_dir()


def test_a_folder_that_becomes_a_file(tmp_path: Path) -> None:
    output = tmp_path / "output"
    write(output, {"about/index.html": b"folder"})
    write(output, {"about": b"file"})
    assert tree(output) == {MARKER: tree(output)[MARKER], "about": b"file"}


def test_a_file_that_becomes_a_folder(tmp_path: Path) -> None:
    output = tmp_path / "output"
    write(output, {"about": b"file"})
    write(output, {"about/index.html": b"folder"})
    assert tree(output) == {MARKER: tree(output)[MARKER], "about/index.html": b"folder"}


def test_a_file_that_becomes_a_folder_deeper_down(tmp_path: Path) -> None:
    output = tmp_path / "output"
    write(output, {"2015": b"file", "index.html": b"home"})
    write(output, {"2015/11/putin/index.html": b"article", "index.html": b"home"})
    assert tree(output) == {MARKER: tree(output)[MARKER], "2015/11/putin/index.html": b"article",
                            "index.html": b"home"}


def test_abort_of_a_first_build_leaves_no_output_folder(tmp_path: Path) -> None:
    output = tmp_path / "output"
    writer = OutputWriter(output)
    writer.add("index.html", b"home")
    writer.abort()
    assert not output.exists()


def test_a_first_build_writes_into_the_twin_which_becomes_the_output(tmp_path: Path) -> None:
    output = tmp_path / "output"
    twin = Twin(output)
    (twin.tree / "2015" / "stale").mkdir(parents=True)  # what a first build that was stopped left
    (twin.tree / "2015" / "stale" / "index.html").write_bytes(b"stale")
    writer = OutputWriter(output)
    writer.add("index.html", b"home")
    writer.add("2015/11/a/index.html", b"a")
    static = tmp_path / "style.css"
    static.write_bytes(b"css")
    writer.add_file("css/style.css", str(static))
    assert tree(twin.tree) == {"index.html": b"home", "2015/11/a/index.html": b"a", "css/style.css": b"css"}
    assert not writer.staging.exists()  # nothing waits to be moved
    writer.commit()
    writer.settle()
    files = tree(output)
    files.pop(MARKER)
    assert files == {"index.html": b"home", "2015/11/a/index.html": b"a", "css/style.css": b"css"}
    assert tree(twin.tree) == tree(output)  # and the twin follows it, for the next build


def test_abort_of_a_first_build_removes_what_it_wrote_beside_the_output(tmp_path: Path) -> None:
    output = tmp_path / "output"
    writer = OutputWriter(output)
    writer.add("2015/11/a/index.html", b"a")
    writer.abort()
    assert not output.exists() and not Twin(output).home.exists()


def test_abort_leaves_the_output_untouched(tmp_path: Path) -> None:
    output = tmp_path / "output"
    write(output, {"index.html": b"home", "old.html": b"old"})
    os.utime(output / "index.html", (OLD, OLD))
    before = tree(output)
    writer = OutputWriter(output)
    writer.add("index.html", b"changed")
    writer.add("new.html", b"new")
    writer.abort()
    assert tree(output) == before
    assert os.stat(output / "index.html").st_mtime == OLD
    assert not (output / STAGING).exists()


def test_a_leftover_staging_folder_is_cleared(tmp_path: Path) -> None:
    output = tmp_path / "output"
    write(output, {"index.html": b"home"})
    (output / STAGING / "x").mkdir(parents=True)
    (output / STAGING / "x" / "junk.html").write_bytes(b"junk")
    write(output, {"index.html": b"home"})
    assert set(tree(output)) == {MARKER, "index.html"}


def test_the_marker_changes_only_with_the_output(tmp_path: Path) -> None:
    output = tmp_path / "output"
    write(output, {"index.html": b"home"})
    marker = output / MARKER
    first = build_id(output)
    os.utime(marker, (OLD, OLD))
    write(output, {"index.html": b"home"})
    assert os.stat(marker).st_mtime == OLD and build_id(output) == first
    write(output, {})
    assert (first, build_id(output)) == ("1", "2")
    assert set(tree(output)) == {MARKER}


@pytest.mark.parametrize("path", ["../escape.html", "/etc/passwd", "a/../../x"])
def test_writer_refuses_paths_outside_the_output(tmp_path: Path, path: str) -> None:
    writer = OutputWriter(tmp_path / "output")
    with pytest.raises(ValueError):
        writer.add(path, b"x")
    writer.abort()
    assert not (tmp_path / "escape.html").exists()


# ---------------------------------------------------------------------------
# The output's twin (digest/write/twin.py): changes made beside the output, swapped in at once


def inodes(root: Path) -> dict[str, int]:
    """Every file under root (hidden top-level entries but the marker left out), by path, with its inode."""
    found = {}
    for path in root.rglob("*"):
        rel = path.relative_to(root).as_posix()
        if path.is_file() and (not rel.startswith(".") or rel == MARKER):
            found[rel] = path.stat().st_ino
    return found


def assert_in_step(output: Path) -> None:
    twin = Twin(output)
    assert twin.in_step(build_id(output))
    assert inodes(twin.tree) == inodes(output)  # the same files: hard links, no copies


def test_the_twin_mirrors_the_output_after_each_build(tmp_path: Path) -> None:
    output = tmp_path / "output"
    write(output, {"index.html": b"home", "a/index.html": b"a", "b/c/index.html": b"c"})
    assert_in_step(output)
    write(output, {"index.html": b"home 2", "a/index.html": b"a", "d/index.html": b"d"})
    assert (output / "index.html").read_bytes() == b"home 2"
    assert not (output / "b").exists()
    assert_in_step(output)
    assert not (Twin(output).tree / "b").exists()


def test_a_large_change_is_followed_in_a_process_of_its_own_while_the_build_goes_on(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Over `FOLLOW_APART` changed files, `commit(later=True)` returns with the output in place and the
    twin still following it in another process; `settle()` waits for it."""
    monkeypatch.setattr(output_module, "FOLLOW_APART", 2)
    output = tmp_path / "output"
    followers: list[int] = []
    follow = Twin.follow

    def noted(self: Twin, *args: Any) -> None:
        followers.append(os.getpid())
        follow(self, *args)

    monkeypatch.setattr(Twin, "follow", noted)
    write(output, {"index.html": b"home", "a/index.html": b"a", "b/c/index.html": b"c"})
    assert followers == [os.getpid()]  # without `later`, here
    writer = OutputWriter(output)
    for path, data in {"index.html": b"home 2", "a/index.html": b"a 2", "d/index.html": b"d"}.items():
        writer.add(path, data)
    writer.commit(later=True)
    assert (output / "d" / "index.html").read_bytes() == b"d"
    writer.settle()
    assert followers == [os.getpid()]  # the other process's call was made there
    assert_in_step(output)
    assert not (Twin(output).tree / "b").exists()


def test_a_twin_whose_following_failed_is_made_again(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(output_module, "FOLLOW_APART", 0)
    output = tmp_path / "output"
    write(output, {"index.html": b"home", "a/index.html": b"a"})

    def fails(self: Twin, *args: Any) -> None:
        (self.tree / "stray.html").write_bytes(b"half a following")
        raise OSError(28, "No space left on device")

    with monkeypatch.context() as failing:
        failing.setattr(Twin, "follow", fails)
        writer = OutputWriter(output)
        writer.add("index.html", b"home 2")
        writer.commit(later=True)
        writer.settle()  # says nothing: the output is whole, only its copy is not
    assert (output / "index.html").read_bytes() == b"home 2"
    assert not Twin(output).in_step(build_id(output))
    write(output, {"index.html": b"home 3", "a/index.html": b"a"})
    assert_in_step(output)
    assert not (Twin(output).tree / "stray.html").exists()


def test_the_twin_sits_beside_the_output(tmp_path: Path) -> None:
    write(tmp_path / "output", {"index.html": b"home"})
    assert sorted(p.name for p in tmp_path.iterdir()) == [".digest-twin-output", "output"]
    assert (tmp_path / ".digest-twin-output" / "tree" / "index.html").is_file()


def test_a_build_that_changes_nothing_leaves_both_alone(tmp_path: Path) -> None:
    output = tmp_path / "output"
    write(output, {"index.html": b"home"})
    before = build_id(output), os.stat(output).st_ino
    writer = write(output, {"index.html": b"home"})
    assert (writer.written, writer.removed) == (0, 0)
    assert (build_id(output), os.stat(output).st_ino) == before  # no swap: the same folder
    assert_in_step(output)


def test_hidden_entries_of_a_deploy_stay_in_the_output(tmp_path: Path) -> None:
    output = tmp_path / "output"
    write(output, {"index.html": b"home"})
    (output / ".git").mkdir()
    (output / ".git" / "HEAD").write_bytes(b"ref: refs/heads/gh-pages\n")
    (output / ".nojekyll").write_bytes(b"")
    write(output, {"index.html": b"home 2"})
    assert (output / ".git" / "HEAD").read_bytes() == b"ref: refs/heads/gh-pages\n"
    assert (output / ".nojekyll").is_file()
    assert not (Twin(output).tree / ".git").exists()
    assert_in_step(output)


@pytest.mark.parametrize("damage", ["stamp", "tree-file", "tree"])
def test_a_twin_out_of_step_is_made_again(tmp_path: Path, damage: str) -> None:
    """A build killed while changing the twin leaves it unlike the output: the next build notices."""
    output = tmp_path / "output"
    write(output, {"index.html": b"home", "a/index.html": b"a"})
    twin = Twin(output)
    if damage == "stamp":
        (twin.home / "in-step").write_text("77")
        (twin.tree / "a" / "index.html").unlink()
    elif damage == "tree-file":
        twin.forget()
        (twin.tree / "stray.html").write_bytes(b"half a build")
    else:
        os.rename(twin.tree, twin.home / "elsewhere")
    write(output, {"index.html": b"home 2", "a/index.html": b"a"})
    assert sorted(inodes(output)) == [MARKER, "a/index.html", "index.html"]
    assert_in_step(output)


def test_the_output_changed_by_hand_is_what_the_build_says(tmp_path: Path) -> None:
    output = tmp_path / "output"
    write(output, {"index.html": b"home", "a/index.html": b"a"})
    (output / "a" / "index.html").unlink()
    (output / "extra.html").write_bytes(b"x")
    writer = write(output, {"index.html": b"home 2", "a/index.html": b"a"})
    assert writer.removed == 1
    assert sorted(inodes(output)) == [MARKER, "a/index.html", "index.html"]


def test_in_place_makes_no_twin(tmp_path: Path) -> None:
    output = tmp_path / "output"
    write(output, {"index.html": b"home"}, in_place=True)
    write(output, {"index.html": b"home 2"}, in_place=True)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["output"]
    assert (output / "index.html").read_bytes() == b"home 2"
    assert build_id(output) == "2"


def test_no_twin_where_the_parent_folder_cannot_be_written(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(twin_module.os, "access", lambda path, mode: False)
    assert Twin.beside(tmp_path / "output") is None
    write(tmp_path / "output", {"index.html": b"home"})
    assert sorted(p.name for p in tmp_path.iterdir()) == ["output"]


def test_exchange_swaps_two_folders(tmp_path: Path) -> None:
    (tmp_path / "a").mkdir()
    (tmp_path / "a" / "x").write_bytes(b"from a")
    (tmp_path / "b").mkdir()
    exchange(tmp_path / "a", tmp_path / "b")
    assert not (tmp_path / "a" / "x").exists() and (tmp_path / "b" / "x").read_bytes() == b"from a"


def test_exchange_without_renameat2(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    class NoCall:
        pass

    import ctypes

    monkeypatch.setattr(ctypes, "CDLL", lambda *args, **kwargs: NoCall())
    (tmp_path / "a").mkdir()
    (tmp_path / "a" / "x").write_bytes(b"from a")
    (tmp_path / "b").mkdir()
    (tmp_path / "b" / "y").write_bytes(b"from b")
    exchange(tmp_path / "a", tmp_path / "b")
    assert sorted(p.relative_to(tmp_path).as_posix() for p in tmp_path.rglob("*")) == ["a", "a/y", "b", "b/x"]


def test_renameat2_is_there_on_this_system() -> None:
    """The one-step swap is what CI and users on Linux get: without it the output is absent for a moment."""
    if not os.uname().sysname == "Linux":
        pytest.skip("renameat2 is a Linux call")
    assert getattr(ctypes.CDLL(None), "renameat2", None) is not None
