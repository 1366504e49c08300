"""As-you-type suggestions over a lexicon built from titles."""

from __future__ import annotations

import time

import pytest

from indexer.suggest import Lexicon, suggest

TITLES = [
    "住房公积金管理条例",
    "关于调整住房公积金贷款政策的通知",
    "社会保险费征缴暂行条例",
    "优化营商环境条例",
    "公交优先发展实施意见",
]


@pytest.fixture
def lexicon() -> Lexicon:
    return Lexicon.from_titles(TITLES)


def test_title_prefix_comes_first(lexicon: Lexicon) -> None:
    assert suggest(lexicon, "住房公积金")[0] == "住房公积金管理条例"


def test_titles_containing_the_text(lexicon: Lexicon) -> None:
    assert "优化营商环境条例" in suggest(lexicon, "营商环境")


def test_pinyin_prefix_suggests_chinese(lexicon: Lexicon) -> None:
    out = suggest(lexicon, "gongjij")
    assert out and "公积金" in out[0] or any("公积金" in s for s in out[:3])


def test_initials_suggest_chinese(lexicon: Lexicon) -> None:
    assert any("公积金" in s for s in suggest(lexicon, "gjj"))


def test_limit_and_empty(lexicon: Lexicon) -> None:
    assert len(suggest(lexicon, "条例", limit=2)) <= 2
    assert suggest(lexicon, "") == []


def test_fast_enough_per_keystroke(lexicon: Lexicon) -> None:
    started = time.perf_counter()
    for prefix in ("住", "住房", "住房公", "g", "go", "gon", "gong"):
        suggest(lexicon, prefix)
    assert (time.perf_counter() - started) / 7 < 0.05
