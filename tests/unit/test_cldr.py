"""What Babel answered (dates, plural categories), kept in the build cache so that a rebuild need not load it."""

from __future__ import annotations

import datetime
import pickle
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

import digest
from digest.render import cldr, renderer
from digest.render.i18n import ENGLISH, Messages, counted_in_english

DAY = datetime.date(2015, 11, 30)


@pytest.fixture(autouse=True)
def fresh(monkeypatch: pytest.MonkeyPatch) -> None:
    """Each test starts from a process that was told nothing."""
    monkeypatch.setattr(cldr, "_ANSWERS", cldr._Answers())


def test_answers_are_saved_and_read_back_by_the_next_process(tmp_path: Path) -> None:
    cldr.keep_in(tmp_path)
    fr = Messages("fr", "fr", {"article": {"one": "{count} article", "other": "{count} articles"}})
    assert (fr.date(DAY), fr.counted(2, "article")) == ("30 novembre 2015", "2 articles")
    cldr.save()
    probe = ("import sys, datetime\nfrom pathlib import Path\nfrom digest.render import cldr\n"
             "from digest.render.i18n import Messages\n"
             f"cldr.keep_in(Path({str(tmp_path)!r}))\n"
             "fr = Messages('fr', 'fr', {'article': {'one': '{count} article', 'other': '{count} articles'}})\n"
             "print(fr.date(datetime.date(2015, 11, 30)), fr.counted(2, 'article'), 'babel' in sys.modules)")
    done = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True, timeout=60)
    assert done.stdout.split() == ["30", "novembre", "2015", "2", "articles", "False"]


def test_a_file_written_by_another_babel_or_version_is_not_read(tmp_path: Path) -> None:
    stamp = cldr._stamp()
    other, this = tmp_path / "other", tmp_path / "this"
    other.mkdir(), this.mkdir()
    (other / cldr.FILE).write_bytes(pickle.dumps({"stamp": ("0.0.1", *stamp[1:]),
                                                  "known": {("en_001", "yMMMMd", DAY.toordinal()): "forged"}}))
    cldr.keep_in(other)
    assert ENGLISH.date(DAY) == "30 November 2015"
    (this / cldr.FILE).write_bytes(pickle.dumps({"stamp": stamp,
                                                 "known": {("en_001", "yMMMd", DAY.toordinal()): "kept"}}))
    cldr.keep_in(this)
    assert ENGLISH.date(DAY, "short") == "kept"  # (a file of this Babel is trusted, as the cache is)


@pytest.mark.parametrize("data", [b"", b"not a pickle", pickle.dumps(["a", "list"]),
                                  b"cos\nsystem\n(S'echo hacked'\ntR."])
def test_a_damaged_or_forged_file_is_not_read_and_runs_nothing(tmp_path: Path, data: bytes,
                                                               capfd: pytest.CaptureFixture[str]) -> None:
    (tmp_path / cldr.FILE).write_bytes(data)
    cldr.keep_in(tmp_path)
    assert ENGLISH.date(DAY, "month") == "November 2015"
    assert "hacked" not in capfd.readouterr().out
    cldr.save()  # and it is replaced
    assert pickle.loads((tmp_path / cldr.FILE).read_bytes())["known"]


def test_what_workers_were_told_is_learned_and_saved(tmp_path: Path) -> None:
    cldr.keep_in(tmp_path)
    assert cldr.learned() is None
    ENGLISH.date(DAY)
    told = cldr.learned()
    assert told == {("en_001", "yMMMMd", DAY.toordinal()): "30 November 2015"} and cldr.learned() is None
    cldr.save()
    cldr.learn({("fr", "yMMMM", DAY.toordinal()): "novembre 2015"})
    cldr.save()
    kept = pickle.loads((tmp_path / cldr.FILE).read_bytes())["known"]
    assert kept == {**told, ("fr", "yMMMM", DAY.toordinal()): "novembre 2015"}


def test_english_counts_of_the_command_line_follow_cldr_without_babel() -> None:
    for count in range(0, 130):
        assert counted_in_english(count, "file") == ENGLISH.counted(count, "file")
        assert counted_in_english(count, "person") == ENGLISH.counted(count, "person")


def test_a_parallel_build_keeps_the_dates_its_workers_wrote(make_site: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(renderer, "MIN_PARALLEL_RENDER", 2)
    days = [DAY - datetime.timedelta(days=n) for n in range(12)]
    site = make_site({f"content/{day}-on-{day.day}.md": f"---\ntitle: On {day}\ndate: {day}\n---\nText.\n"
                      for day in days})
    digest.build(site, digest.BuildOptions(index_search=False, jobs=2), digest.BuildCache(site))
    kept = pickle.loads((site / ".digest-cache" / cldr.FILE).read_bytes())["known"]
    assert {ordinal for _, skeleton, ordinal in kept if skeleton == "yMMMMd"} >= {day.toordinal() for day in days}
