"""Pinyin keys and pinyin -> Chinese through a vocabulary; did-you-mean candidates."""

from __future__ import annotations

import pytest

from indexer.pinyin import Vocabulary, full_pinyin, fuzzy_key, initials
from indexer.spelling import Speller

WORDS = {"公积金": 40, "住房": 60, "住房公积金": 30, "国家级": 5, "社会保险": 25, "公交": 8, "营商环境": 12}


@pytest.fixture
def vocab() -> Vocabulary:
    return Vocabulary.build((w, df, df) for w, df in WORDS.items())


def test_full_pinyin_and_initials() -> None:
    assert full_pinyin("公积金") == "gongjijin"
    assert initials("公积金") == "gjj"
    assert full_pinyin("银行") == "yinhang"  # phrase reading, not 行 xing


def test_fuzzy_key_merges_confusable_sounds() -> None:
    assert fuzzy_key("公积经") == fuzzy_key("公积金")


def test_full_pinyin_to_chinese(vocab: Vocabulary) -> None:
    assert vocab.from_pinyin("gongjijin") == ["公积金"]


def test_initials_to_chinese_most_frequent_first(vocab: Vocabulary) -> None:
    assert vocab.from_pinyin("gjj") == ["公积金", "国家级"]


def test_pinyin_spanning_words_is_segmented(vocab: Vocabulary) -> None:
    vocab2 = Vocabulary.build((w, df, df) for w, df in WORDS.items() if w != "住房公积金")
    assert vocab2.from_pinyin("zhufanggongjijin") == ["住房公积金"]


def test_not_pinyin_gives_nothing(vocab: Vocabulary) -> None:
    assert vocab.from_pinyin("pm2.5") == []
    assert vocab.from_pinyin("qqqq") == []


def test_pinyin_prefix(vocab: Vocabulary) -> None:
    assert vocab.words_with_pinyin_prefix("gong")[:2] == ["公积金", "公交"]


def test_homophone_typo_is_corrected(vocab: Vocabulary) -> None:
    speller = Speller.build(vocab)
    assert speller.correct("公积经") == "公积金"


def test_near_form_typo_is_corrected(vocab: Vocabulary) -> None:
    speller = Speller.build(vocab)
    assert speller.correct("社会保验") == "社会保险"


def test_known_words_are_not_corrected(vocab: Vocabulary) -> None:
    assert Speller.build(vocab).correct("公积金 住房") == ""


def test_a_homophone_beats_a_more_frequent_look_alike() -> None:
    # 社会保现: 社会保险 sounds the same, 社会保障 differs by one character and is more frequent
    vocab = Vocabulary.build((w, df, df) for w, df in {"社会保险": 20, "社会保障": 90}.items())
    assert Speller.build(vocab).correct("社会保现") == "社会保险"


# jieba cuts 食品按全法 as 食品 / 按 / 全法: the typo (按全 for 安全) straddles two tokens
CUT_ACROSS = {"食品": 300, "食品安全": 87, "食品类": 5, "按": 200, "法": 500, "安全": 400, "全市": 80, "统一": 90, "部署": 70}


def test_a_homophone_cut_across_words_is_corrected() -> None:
    speller = Speller.build(Vocabulary.build((w, df, df) for w, df in CUT_ACROSS.items()))
    # the look-alike 食品类 for the first two tokens loses to the sound-alike window
    assert speller.correct("食品按全法") == "食品安全法"


def test_a_window_of_known_words_is_left_alone() -> None:
    speller = Speller.build(Vocabulary.build((w, df, df) for w, df in CUT_ACROSS.items()))
    # 按全 sounds like 安全, but 按 / 全市 are both words the index knows: no typo
    assert speller.correct("按全市统一部署") == ""
    assert speller.correct("食品安全") == ""


def test_a_window_needs_a_token_in_no_document() -> None:
    # a rare but real word (in one document) is no typo for the window pass to fix
    unknown = Speller.build(Vocabulary.build((w, df, df) for w, df in CUT_ACROSS.items()))
    rare = Speller.build(Vocabulary.build((w, df, df) for w, df in {**CUT_ACROSS, "全法": 1}.items()))
    assert unknown._window_homophone(["食品", "按", "全法"]) is not None
    assert rare._window_homophone(["食品", "按", "全法"]) is None


def test_a_word_too_long_for_the_vocabulary_is_not_unknown() -> None:
    # the vocabulary leaves out words over MAX_WORD_CHARS: 人民代表大会常务委员会 has no
    # frequency there, yet it is no typo, so the window 会议事 (sounds like 会议室) is not tried
    vocab = Vocabulary.build((w, df, df) for w, df in {"议事": 40, "规则": 90, "会议室": 50}.items())
    assert Speller.build(vocab)._window_homophone(["人民代表大会常务委员会", "议事", "规则"]) is None
