"""The wheel carries the default theme and the preview's script, so an installed `digest` needs nothing from the clone."""

from __future__ import annotations

import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent


@pytest.mark.slow
def test_the_wheel_holds_the_default_theme_and_the_command(tmp_path: Path) -> None:
    done = subprocess.run([sys.executable, "-m", "pip", "wheel", "--quiet", "--no-deps", "-w", str(tmp_path),
                           str(REPO)], capture_output=True, text=True, timeout=600)
    assert done.returncode == 0, done.stderr
    (wheel,) = tmp_path.glob("digest-*.whl")
    names = set(zipfile.ZipFile(wheel).namelist())
    theme = {p.relative_to(REPO / "themes").as_posix() for p in (REPO / "themes").rglob("*") if p.is_file()}
    assert {f"digest/themes/{name}" for name in theme} <= names
    assert "digest/commands/preview/live.js" in names  # the preview's reload script, read as package data
    entry_points = next(n for n in names if n.endswith("entry_points.txt"))
    assert "digest = digest.__main__:run" in zipfile.ZipFile(wheel).read(entry_points).decode()
