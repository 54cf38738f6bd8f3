"""digest.read.files: the site's folders walked, links inside followed, links out skipped and reported."""

from __future__ import annotations

from pathlib import Path

import pytest

from digest.read.frontmatter import alias_problem
from digest.read.files import links_out, walk


def make(tmp_path: Path) -> Path:
    site = tmp_path / "site"
    (site / "content" / "2015").mkdir(parents=True)
    (site / "content" / "2015" / "a.md").write_text("a", encoding="utf-8")
    (site / "shared").mkdir()
    (site / "shared" / "map.png").write_bytes(b"map")
    (tmp_path / "secret.txt").write_text("secret", encoding="utf-8")
    (tmp_path / "elsewhere").mkdir()
    return site


def test_walk_follows_links_inside_and_skips_links_out(tmp_path: Path) -> None:
    site = make(tmp_path)
    content = site / "content"
    (content / "2015" / "map.png").symlink_to("../../shared/map.png")
    (content / "shared").symlink_to("../shared")
    (content / "2015" / "loop").symlink_to("..")
    (content / "2015" / "secret.txt").symlink_to(tmp_path / "secret.txt")
    (content / "elsewhere").symlink_to(tmp_path / "elsewhere")
    (content / "2015" / "broken.md").symlink_to(tmp_path / "missing.md")
    walked = [(Path(folder).relative_to(site).as_posix(), names)
              for folder, names in walk(content, site, lambda name: False)]
    assert walked == [("content", []), ("content/2015", ["a.md", "broken.md", "map.png"]),
                      ("content/shared", ["map.png"])]


def test_links_out_names_each_link_once(tmp_path: Path) -> None:
    site = make(tmp_path)
    (site / "content" / "2015" / "secret.txt").symlink_to(tmp_path / "secret.txt")
    (site / "content" / "elsewhere").symlink_to("../../elsewhere")
    (site / "themes").mkdir()
    (site / "themes" / "dark").symlink_to(tmp_path / "elsewhere")
    roots = [site / "content", site / "themes" / "dark" / "templates", site / "themes" / "dark" / "static"]
    found = [(p.path, p.message) for p in links_out(site, roots, lambda name: False)]
    assert found == [("content/2015/secret.txt", "is a symbolic link to a file outside the site"),
                     ("content/elsewhere", "is a symbolic link to a folder outside the site"),
                     ("themes/dark", "is a symbolic link to a folder outside the site")]


@pytest.mark.parametrize(("alias", "why"), [
    ("/2015/11/old-title/", ""), ("/old.html", ""), ("/caf%C3%A9/", ""), ("/café/", ""),
    ("/2014/12/08/old-post.md", ""), ("/old/page.php", ""), ("/index.xml", ""),
    ("/2015/../../etc/", "leaves its folder (`..`)"), ("/a/./b/", "holds a `.` folder"),
    ("/%2e%2e/etc/", "holds an encoded"), ("/%2E%2E/", "holds an encoded"), ("/a%2fb/", "holds an encoded"),
    ("/a%5Cb/", "holds an encoded"), ("/a%00b/", "holds an encoded"), ("/a%zz/", "holds a `%` that starts no escape"),
    ("/.git/hooks/", "names a hidden file or folder (`.git`)"), ("/.digest-staging/", "names a hidden"),
    ("C:\\old\\talks/", "holds a `\\`"), ("C:/old/", "does not start with `/`"),
    ("//evil.example/", "is a full address"), ("https://example.org/old/", "is a full address"),
    ("/a\\b/", "holds a `\\`"), ("/a b/", "holds a space"), ("/old/?p=12", "holds a query"),
    ("/a<b/", "holds `<`, which a URL cannot hold"), ("/a//b/", "holds an empty folder name"),
])
def test_alias_paths(alias: str, why: str) -> None:
    found = alias_problem(alias)
    assert found.startswith(why) and bool(found) is bool(why), found
