"""A question's character n-grams and the share of them each candidate holds (indexer.overlap)."""

from __future__ import annotations

import math

import pytest

from indexer.overlap import TEXT_CHARS, comparable_text, overlap_shares_by_size, question_grams


def test_grams_of_each_size_once_in_order() -> None:
    assert question_grams(["结转年限"], (2,)) == ["结转", "转年", "年限"]
    assert question_grams(["结转年限", "年限"], (2,)) == ["结转", "转年", "年限"]
    assert question_grams(["结转年限"], (3, 4)) == ["结转年", "转年限", "结转年限"]


def test_grams_never_span_punctuation_or_spaces() -> None:
    grams = question_grams(["疫情，企业 亏损"], (2,))
    assert grams == ["疫情", "企业", "亏损"]
    assert question_grams(["一"], (2,)) == []


def bigram_shares(chunks: list[str], texts: list[str]) -> list[float]:
    return overlap_shares_by_size(chunks, texts, ((2,),))[0]


def test_a_rare_gram_weighs_more_than_one_every_candidate_holds() -> None:
    shares = bigram_shares(["疫情 结转"], ["疫情 结转", "疫情", "疫情", "疫情"])
    assert shares[0] == pytest.approx(1.0)
    # 疫情 is in all four texts: it counts, but far less than 结转, held by one
    assert 0 < shares[1] < 0.5 * shares[0]
    assert shares[1] == shares[2] == shares[3]


def test_no_grams_or_no_texts() -> None:
    assert bigram_shares(["一"], ["a", "b"]) == [0.0, 0.0]
    assert bigram_shares(["疫情"], []) == []


def test_texts_and_grams_are_folded_alike() -> None:
    # official documents write full-width digits; queries are width-folded and any case
    text = comparable_text("ＰＭ２.５监测通知", "２０２０年度亏损")
    assert "pm2.5" in text and "2020年度" in text
    assert set(question_grams(["PM2.5监测"], (3,))) & {"pm2"}


def test_the_body_is_cut_and_a_title_scope_reads_the_title_only() -> None:
    assert len(comparable_text("标题", "字" * (TEXT_CHARS + 500))) == len("标题 ") + TEXT_CHARS
    assert comparable_text("标题", "正文", title_only=True) == "标题"


def test_shares_by_size_equal_separate_lookups() -> None:
    # pruning longer n-grams by their absent heads and tails changes no share
    chunks = ["受疫情影响较大的困难行业企业亏损", "最长结转年限"]
    texts = ["困难行业企业亏损，最长结转年限由5年延长至8年。", "疫情影响企业。", "行业企业", "无关的文字"]
    by_size = overlap_shares_by_size(chunks, texts, ((2,), (3, 4)))

    def looked_up_one_by_one(sizes: tuple[int, ...]) -> list[float]:  # the definition, unpruned
        grams = question_grams(chunks, sizes)
        held = [[g in text for g in grams] for text in texts]
        weights = [math.log((len(texts) + 1) / (sum(row[j] for row in held) + 0.5)) for j in range(len(grams))]
        return [sum(w for w, h in zip(weights, row) if h) / sum(weights) for row in held]

    assert by_size == [looked_up_one_by_one((2,)), looked_up_one_by_one((3, 4))]
    assert by_size[1][0] > by_size[1][1] > 0 and by_size[1][3] == 0
