"""The segment digest file: what it keeps between commits and when it forgets."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from indexer import digests
from indexer.digests import DigestFile


def test_syllables_round_trip_and_keep_only_the_current_words(tmp_path: Path) -> None:
    path = tmp_path / digests.DIGESTS_FILE
    DigestFile(syllables={"公积金": "gong'ji'jin", "社保": "she'bao"}).save(path, words=["公积金", "医保"])
    assert DigestFile.load(path).syllables == {"公积金": "gong'ji'jin"}  # 社保 left the vocabulary


def test_syllables_of_another_pypinyin_are_looked_up_again(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = tmp_path / digests.DIGESTS_FILE
    DigestFile(syllables={"公积金": "gong'ji'jin"}).save(path)
    monkeypatch.setattr(digests.pypinyin, "__version__", "0.0.1")
    assert DigestFile.load(path).syllables == {}


def test_a_missing_or_broken_file_is_empty(tmp_path: Path) -> None:
    assert DigestFile.load(None) == DigestFile()
    broken = tmp_path / digests.DIGESTS_FILE
    broken.write_bytes(b"not a pickle")
    assert DigestFile.load(broken) == DigestFile()


def _digest(title: str) -> digests.SegmentDigest:
    return digests.SegmentDigest(terms={"title": {title: 1}}, titles=[(0, title)], files=[], links=[(0, {"id": title})])


def test_each_segment_digest_is_written_once_and_removed_with_its_segment(tmp_path: Path) -> None:
    path = tmp_path / digests.DIGESTS_FILE
    first = DigestFile(digests={"aaa": _digest("甲"), "bbb": _digest("乙")})
    first.save(path)
    files = sorted(p.name for p in tmp_path.glob("segment-digest-*.pickle"))
    assert files == ["segment-digest-aaa.pickle", "segment-digest-bbb.pickle"]
    written = (tmp_path / "segment-digest-aaa.pickle").stat().st_mtime_ns

    loaded = DigestFile.load(path)
    assert loaded.digests == first.digests
    # a commit merged bbb away and added ccc: only ccc is written, bbb's file goes
    loaded.digests = {"aaa": loaded.digests["aaa"], "ccc": _digest("丙")}
    loaded.save(path, live=["aaa", "ccc"])
    assert sorted(p.name for p in tmp_path.glob("segment-digest-*.pickle")) == [
        "segment-digest-aaa.pickle", "segment-digest-ccc.pickle"]
    assert (tmp_path / "segment-digest-aaa.pickle").stat().st_mtime_ns == written  # not written again
    assert DigestFile.load(path).digests == loaded.digests


def test_a_broken_segment_digest_is_left_out(tmp_path: Path) -> None:
    path = tmp_path / digests.DIGESTS_FILE
    DigestFile(digests={"aaa": _digest("甲"), "bbb": _digest("乙")}).save(path)
    (tmp_path / "segment-digest-bbb.pickle").write_bytes(b"torn")
    assert set(DigestFile.load(path).digests) == {"aaa"}  # bbb's segment is read again


def test_an_older_view_keeps_the_digests_of_segments_committed_since(tmp_path: Path) -> None:
    path = tmp_path / digests.DIGESTS_FILE
    DigestFile(digests={"aaa": _digest("甲")}).save(path)
    # another process commits segment ccc and writes its digest
    DigestFile(digests={"aaa": _digest("甲"), "ccc": _digest("丙")}).save(path, live=["aaa", "ccc"])
    # this one still knows aaa only (its searcher opened before that commit)
    DigestFile(digests={"aaa": _digest("甲")}).save(path, live=["aaa", "ccc"])
    assert set(DigestFile.load(path).digests) == {"aaa", "ccc"}
    DigestFile(digests={"aaa": _digest("甲")}).save(path)  # live unknown: nothing removed
    assert set(DigestFile.load(path).digests) == {"aaa", "ccc"}


def test_temporary_files_of_dead_writers_are_removed(tmp_path: Path) -> None:
    import subprocess
    import sys

    dead = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"], capture_output=True, text=True)
    gone = tmp_path / f"segment-digest-aaa.pickle.{int(dead.stdout)}.tmp"
    mine = tmp_path / f"segment-digest-bbb.pickle.{os.getpid()}.tmp"
    gone.write_bytes(b"half")
    mine.write_bytes(b"half")
    DigestFile().save(tmp_path / digests.DIGESTS_FILE)
    assert not gone.exists() and mine.exists()
