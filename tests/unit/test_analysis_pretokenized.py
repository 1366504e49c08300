"""Unit tests of pre-tokenised field values: replaying worker-made spans equals a fresh jieba pass."""

from __future__ import annotations

import pickle

from hypothesis import given, settings
from hypothesis import strategies as st

from indexer.analysis import PreTokenized, index_analyzer, pretokenize, query_analyzer

SAMPLES = [
    "中华人民共和国国务院关于优化营商环境的意见",
    "国办发〔2024〕12号 城乡居民基本医疗保险 ＡＢＣ１２３，３．５％ PM2.5 C++ 2024-01-02",
    "Москва São Paulo 的 住房公积金 提取 第十二条\n\n附件：1. 申请表",
    "",
    "。，、",
]


def stream(analyzer, value: str, **kwargs: object) -> list[tuple[str, int, int, int, bool]]:
    return [
        (t.text, t.pos, t.startchar, t.endchar, t.stopped)
        for t in analyzer(value, positions=True, chars=True, mode="index", **kwargs)
    ]


def test_replay_equals_fresh_tokenisation_on_samples() -> None:
    ana = index_analyzer()
    for text in SAMPLES:
        assert stream(ana, PreTokenized(text, pretokenize(text))) == stream(ana, text)


def test_replay_honours_start_pos_and_start_char() -> None:
    ana = index_analyzer()
    text = SAMPLES[1]
    pre = PreTokenized(text, pretokenize(text))
    assert stream(ana, pre, start_pos=7, start_char=100) == stream(ana, text, start_pos=7, start_char=100)


@settings(max_examples=200, deadline=None)
@given(st.text(alphabet=st.sampled_from(list("中华人民共和国营商环境优化住房公积金第条款ＡＢ１２ab3.%- \n，。İßΣ")), max_size=80))
def test_replay_equals_fresh_tokenisation(text: str) -> None:
    ana = index_analyzer()
    assert stream(ana, PreTokenized(text, pretokenize(text))) == stream(ana, text)


def test_spans_made_without_subwords_are_not_replayed_with_subwords() -> None:
    # a mismatched stream must never be replayed: the tokenizer runs jieba instead
    text = SAMPLES[0]
    pre = PreTokenized(text, pretokenize(text, subwords=False), subwords=False)
    assert stream(index_analyzer(), pre) == stream(index_analyzer(), text)
    assert stream(query_analyzer(), PreTokenized(text, pretokenize(text))) == stream(query_analyzer(), text)


def test_value_is_the_plain_string_and_spans_pickle_small() -> None:
    text = SAMPLES[0]
    spans = pretokenize(text)
    pre = PreTokenized(text, spans)
    assert pre == text and str(pre) == text
    assert pickle.loads(pickle.dumps(spans)) == spans
    # two ints per token: far smaller than the token texts
    assert len(pickle.dumps(spans)) < len(pickle.dumps([t for t, *_ in stream(index_analyzer(), text)])) * 2
