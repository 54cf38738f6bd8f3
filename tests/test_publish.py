"""`digest publish` to a git branch and to a folder, and redirects from articles' old URLs."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path
from typing import Any, Callable

import pytest

MakeSite = Callable[..., Path]

SITE = {
    "digest.yaml": "title: Publish Digest\nbase_url: https://example.org/\ndomain: news.example.org\n",
    "content/2015-11-30-paris.md": "---\ntitle: Putin and Netanyahu Meet in Paris\npeople: [Vladimir Putin]\n"
                                   "topics: [Syria]\naliases: [/2015/11/paris-talks/, /old/paris.html]\n---\nText.\n",
    "content/2015-10-20-canada.md": "---\ntitle: Liberals Win in Canada\npeople: [Justin Trudeau]\n---\nText.\n",
}


def run(*args: str | Path, cwd: Path, check: bool = True) -> subprocess.CompletedProcess[str]:
    done = subprocess.run([str(a) for a in args], cwd=cwd, capture_output=True, text=True, timeout=300)
    assert "Traceback" not in done.stderr, done.stderr
    if check:
        assert done.returncode == 0, f"{args}: {done.stdout}{done.stderr}"
    return done


def digest(*args: str | Path, cwd: Path, check: bool = True) -> subprocess.CompletedProcess[str]:
    return run(sys.executable, "-m", "digest", *args, cwd=cwd, check=check)


def git(*args: str, cwd: Path) -> str:
    return run("git", "-c", "user.name=Curator", "-c", "user.email=curator@example.org", *args, cwd=cwd).stdout.strip()


@pytest.fixture
def repo(make_site: MakeSite, tmp_path: Path) -> Path:
    """The site in a git repository with one commit, a remote (a bare repository) and a built output."""
    site = make_site(SITE)
    (site / ".gitignore").write_text("/output/\n/.digest-cache/\n/.digest-twin-output/\n", encoding="utf-8")
    git("init", "-q", "-b", "main", cwd=site)
    git("add", ".", cwd=site)
    git("commit", "-q", "-m", "The digest", cwd=site)
    git("init", "-q", "--bare", str(tmp_path / "remote.git"), cwd=tmp_path)
    git("remote", "add", "origin", str(tmp_path / "remote.git"), cwd=site)
    digest("build", cwd=site)
    return site


def tree_of(ref: str, cwd: Path) -> set[str]:
    return set(git("ls-tree", "-r", "--name-only", ref, cwd=cwd).splitlines())


def test_publish_to_a_branch_commits_exactly_the_output_and_touches_nothing_else(repo: Path, tmp_path: Path) -> None:
    (repo / "content" / "2015-10-20-canada.md").write_text(SITE["content/2015-10-20-canada.md"] + "Unsaved.\n",
                                                           encoding="utf-8")  # a change not committed
    status, head, branch = git("status", "--porcelain", cwd=repo), git("rev-parse", "HEAD", cwd=repo), \
        git("branch", "--show-current", cwd=repo)
    index = (repo / ".git" / "index").read_bytes()
    done = digest("publish", "--git-branch", "gh-pages", cwd=repo)
    assert done.stdout.startswith("Published output/: committed ") and done.stdout.rstrip().endswith(
        "to gh-pages, pushed to origin")
    output = repo / "output"
    expected = {p.relative_to(output).as_posix() for p in output.rglob("*") if p.is_file()
                and not p.name.startswith(".digest")} | {".nojekyll", "CNAME"}
    assert tree_of("gh-pages", repo) == expected
    assert git("show", "gh-pages:CNAME", cwd=repo) == "news.example.org"
    assert git("show", "gh-pages:index.html", cwd=repo) == (output / "index.html").read_text(encoding="utf-8").strip()
    assert git("rev-parse", "gh-pages", cwd=tmp_path / "remote.git") == git("rev-parse", "gh-pages", cwd=repo)
    # the working tree, the index, the current branch and its commit are as they were
    assert (git("status", "--porcelain", cwd=repo), git("rev-parse", "HEAD", cwd=repo),
            git("branch", "--show-current", cwd=repo)) == (status, head, branch)
    assert (repo / ".git" / "index").read_bytes() == index

    again = digest("publish", "--git-branch", "gh-pages", cwd=repo)  # nothing changed: no new commit
    assert "gh-pages already holds this output" in again.stdout
    assert git("rev-list", "--count", "gh-pages", cwd=repo) == "1"

    (repo / "content" / "2015-10-20-canada.md").unlink()
    digest("build", cwd=repo)
    digest("publish", "--git-branch", "gh-pages", "--no-push", cwd=repo)
    assert git("rev-list", "--count", "gh-pages", cwd=repo) == "2"
    assert "2015/10/canada/index.html" not in tree_of("gh-pages", repo)
    assert git("rev-list", "--count", "gh-pages", cwd=tmp_path / "remote.git") == "1"  # not pushed


def test_publish_to_a_branch_explains_what_is_missing(make_site: MakeSite, repo: Path, tmp_path: Path) -> None:
    lone = make_site(SITE, root=tmp_path / "lone")
    digest("build", cwd=lone)
    done = digest("publish", "--git-branch", "gh-pages", cwd=lone, check=False)
    assert done.returncode == 2 and "not in a git repository" in done.stderr
    done = digest("publish", "--git-branch", "gh-pages", "--remote", "nowhere", cwd=repo, check=False)
    assert done.returncode == 2 and "--remote nowhere: the repository has no such remote" in done.stderr
    done = digest("publish", "--git-branch", "bad..name", cwd=repo, check=False)
    assert done.returncode == 2 and "not a valid branch name" in done.stderr
    done = digest("publish", cwd=repo, check=False)
    assert done.returncode == 2 and "--git-branch BRANCH or --dir PATH" in done.stderr


def test_publish_to_a_folder_mirrors_the_output(repo: Path, tmp_path: Path) -> None:
    target = tmp_path / "www"
    (target / ".git").mkdir(parents=True)
    (target / ".git" / "HEAD").write_text("deploy's own\n", encoding="utf-8")
    (target / "stale.html").write_text("old\n", encoding="utf-8")
    done = digest("publish", "--dir", target, cwd=repo)
    output = repo / "output"
    files = {p.relative_to(output).as_posix() for p in output.rglob("*") if p.is_file()
             and not p.name.startswith(".digest")}
    assert f"{len(files)} files copied, 0 unchanged, 1 removed" in done.stdout
    mirrored = {p.relative_to(target).as_posix() for p in target.rglob("*") if p.is_file()}
    assert mirrored == files | {".git/HEAD"}
    assert all((target / f).read_bytes() == (output / f).read_bytes() for f in files)
    page = target / "index.html"
    before = page.stat().st_mtime_ns
    again = digest("publish", "--dir", target, cwd=repo)
    assert f"0 files copied, {len(files)} unchanged, 0 removed" in again.stdout
    assert page.stat().st_mtime_ns == before  # unchanged files are not rewritten
    done = digest("publish", "--dir", output / "inside", cwd=repo, check=False)
    assert done.returncode == 2 and "refusing to mirror the output into itself" in done.stderr


def test_aliases_make_redirect_pages_and_a_redirects_file(repo: Path, run_check_site: Any) -> None:
    output = repo / "output"
    assert (output / "_redirects").read_text(encoding="utf-8") == (
        "/2015/11/paris-talks/ /2015/11/paris/ 301\n/old/paris.html /2015/11/paris/ 301\n")
    for old in ("2015/11/paris-talks/index.html", "old/paris.html"):
        page = (output / old).read_text(encoding="utf-8")
        assert '<meta http-equiv="refresh" content="0; url=/2015/11/paris/">' in page
        assert '<link rel="canonical" href="https://example.org/2015/11/paris/">' in page
    assert b"paris-talks" not in (output / "sitemap.xml").read_bytes()
    proc = run_check_site(output)
    assert proc.returncode == 0, proc.stdout + proc.stderr


def test_aliases_that_name_old_files_of_any_kind(make_site: MakeSite) -> None:
    # sites migrated from Jekyll and Hugo name the old file: `_redirects` sends each on, and a redirect
    # page is written where a static host serves one (a folder, an .html file)
    site = make_site({**SITE, "content/2015-11-30-paris.md": SITE["content/2015-11-30-paris.md"].replace(
        "aliases: [/2015/11/paris-talks/, /old/paris.html]",
        "aliases: [/2014/12/08/old-post.md, /old/page.html, /old/page.php, /café/]")})
    digest("build", cwd=site)
    output = site / "output"
    assert (output / "_redirects").read_text(encoding="utf-8") == (
        "/2014/12/08/old-post.md /2015/11/paris/ 301\n/caf%C3%A9/ /2015/11/paris/ 301\n"
        "/old/page.html /2015/11/paris/ 301\n/old/page.php /2015/11/paris/ 301\n")
    assert (output / "old" / "page.html").is_file() and (output / "café" / "index.html").is_file()
    assert not (output / "2014").exists() and not (output / "old" / "page.php").exists()


def test_an_alias_must_be_a_free_path_in_the_site(make_site: MakeSite) -> None:
    site = make_site({**SITE, "content/2015-11-30-paris.md": SITE["content/2015-11-30-paris.md"].replace(
        "aliases: [/2015/11/paris-talks/, /old/paris.html]", "aliases: [/people/, ../../etc/passwd]")})
    done = digest("build", cwd=site, check=False)
    assert done.returncode == 1
    assert ('content/2015-11-30-paris.md:5: `aliases` item 2 ("../../etc/passwd") cannot be an old address of the '
            "article: it does not start with `/`") \
        in done.stderr
    site = make_site({**SITE, "content/2015-11-30-paris.md": SITE["content/2015-11-30-paris.md"].replace(
        "aliases: [/2015/11/paris-talks/, /old/paris.html]", "aliases: [/people/]")})
    done = digest("build", cwd=site, check=False)
    assert done.returncode == 1
    assert "content/2015-11-30-paris.md: its old URL /people/ (in `aliases`) is also a page of the site" in done.stderr
