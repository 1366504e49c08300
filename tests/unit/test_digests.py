"""The segment digest file: what it keeps between commits and when it forgets."""

from __future__ import annotations

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
