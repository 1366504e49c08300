"""Unit tests of indexer.segmentation: every way of cutting a block gives jieba's own words."""

from __future__ import annotations

import sysconfig
from math import log
from pathlib import Path

import jieba
import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st
from jieba import finalseg

from indexer import analysis, segmentation
from indexer.analysis import _RE_BLOCK, load_user_dictionary, normalize_width

FAST = [name for name in ("c", "python") if name != "c" or segmentation._c_cut_block is not None]


@pytest.fixture(autouse=True)
def _restore_implementation() -> object:
    before = segmentation.implementation()
    yield
    segmentation.set_implementation(before)


def _jieba(block: str) -> list[str]:
    return list(jieba.dt._Tokenizer__cut_DAG(block))


def _blocks(text: str) -> list[str]:
    return [b for b in _RE_BLOCK.split(normalize_width(text)) if b and _RE_BLOCK.match(b)]


def _cut_with(name: str, block: str) -> list[str]:
    segmentation.set_implementation(name)
    return segmentation.cut_block(block)


def test_the_c_extension_is_built_where_a_compiler_is() -> None:
    # pip builds it when it finds a C compiler (setup.py, optional=True); CI must run it
    if not sysconfig.get_config_var("CC"):
        pytest.skip("no C compiler configured for this Python")
    assert segmentation._c_cut_block is not None, "indexer._segmentation was not built: run pip install -e ."
    assert segmentation.implementation() == "c"


@pytest.mark.parametrize("name", FAST)
def test_demo_corpus_blocks_are_cut_as_jieba_cuts_them(name: str) -> None:
    from indexer.config import Config
    from indexer.ingest import ingest_file

    load_user_dictionary()
    root = Path(__file__).resolve().parents[2] / "corpus"
    files = sorted(p for p in root.rglob("*") if p.suffix in (".pdf", ".docx"))
    assert files
    blocks = 0
    for path in files:
        doc = ingest_file(path, Config.from_env({}))
        for block in _blocks(doc.meta.title + "\n" + doc.text):
            assert _cut_with(name, block) == _jieba(block), (path, block)
            blocks += 1
    assert blocks > 500


# Ideographs of dictionary words and of none, letters, digits and the joiners jieba keeps
# inside a block (+#&._%-), so generated text hits words, prefixes, HMM runs and ties.
_ALPHABET = "政府办公厅关于印发住房公积金管理办法的通知市人民营商环境优化条例第一二三条款项目资金补贴申请" \
            "翠屏瀚淼鑫燚龘ab cZ0159+#&._%-\u3400\U00020000"
_TEXTS = st.text(alphabet=_ALPHABET, max_size=80)


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(text=_TEXTS)
@example(text="中华人民共和国住房公积金管理条例")
@example(text="翠屏瀚淼鑫燚")
@example(text="PM2.5浓度下降3.5%C++")
def test_generated_text_is_cut_as_jieba_cuts_it(text: str) -> None:
    load_user_dictionary()
    for block in _blocks(text):
        expected = _jieba(block)
        for name in FAST:
            assert _cut_with(name, block) == expected, (name, block)


@pytest.mark.parametrize("name", FAST)
def test_words_added_and_deleted_at_run_time_count_at_once(name: str, monkeypatch: pytest.MonkeyPatch) -> None:
    load_user_dictionary()
    dt = jieba.dt
    # a private copy of the dictionary, so no other test sees these words
    monkeypatch.setattr(dt, "FREQ", dict(dt.FREQ))
    monkeypatch.setattr(dt, "total", dt.total)
    monkeypatch.setattr(finalseg, "Force_Split_Words", set(finalseg.Force_Split_Words))
    block = "建设翠屏山数链枢纽"
    segmentation.set_implementation(name)
    assert segmentation.cut_block(block) == _jieba(block)
    assert "翠屏山数链枢纽" not in segmentation.cut_block(block)
    dt.add_word("翠屏山数链枢纽", 20000)
    assert segmentation.cut_block(block) == _jieba(block)
    assert "翠屏山数链枢纽" in segmentation.cut_block(block)
    dt.del_word("翠屏山数链枢纽")  # count 0 and a forced split
    assert segmentation.cut_block(block) == _jieba(block)
    assert "翠屏山数链枢纽" not in segmentation.cut_block(block)


@pytest.mark.skipif(segmentation._c_cut_block is None, reason="C extension not built")
def test_the_c_dictionary_stops_where_jieba_stops_on_a_key_without_its_prefixes() -> None:
    from indexer._segmentation import Dictionary, cut_block

    # jieba always puts a word's prefixes in FREQ; a hand-made dict may not, and then
    # get_DAG stops at the missing prefix ("a"), so "ab" and "abc" are never reached
    freq = {"ab": 5, "abc": 3, "b": 2, "bc": 7, "c": 1}
    tokenizer = jieba.Tokenizer()
    tokenizer.FREQ, tokenizer.total, tokenizer.initialized = freq, 18, True
    for block in ("abc", "abcabc", "cab", "bcab"):
        expected = list(tokenizer._Tokenizer__cut_DAG(block))
        assert cut_block(block, Dictionary(freq), log(18), finalseg.cut) == expected, block
        assert segmentation._python_cut_block(block, freq, log(18), finalseg.cut) == expected, block


@pytest.mark.parametrize("name", FAST)
def test_equal_scores_go_to_the_longer_word_as_in_jieba(name: str) -> None:
    # with total 4: log(2/4) + log(2/4) == log(1/4) exactly, so the routes a|b and ab tie;
    # Python's max over (score, end) tuples takes the larger end, the word "ab"
    freq = {"a": 2, "b": 2, "ab": 1}
    tokenizer = jieba.Tokenizer()
    tokenizer.FREQ, tokenizer.total, tokenizer.initialized = freq, 4, True
    assert (log(2) - log(4)) + (log(2) - log(4)) == 0.0 - log(4)
    expected = list(tokenizer._Tokenizer__cut_DAG("abab"))
    assert expected == ["ab", "ab"]
    if name == "c":
        from indexer._segmentation import Dictionary, cut_block

        assert cut_block("abab", Dictionary(freq), log(4), finalseg.cut) == expected
    else:
        assert segmentation._python_cut_block("abab", freq, log(4), finalseg.cut) == expected


@pytest.mark.skipif(segmentation._c_cut_block is None, reason="C extension not built")
def test_the_c_extension_rejects_bad_arguments() -> None:
    from indexer._segmentation import Dictionary, cut_block

    with pytest.raises(TypeError):
        Dictionary({1: 2})
    with pytest.raises(TypeError):
        Dictionary(["ab"])
    with pytest.raises(TypeError):
        cut_block(b"ab", Dictionary({"a": 1}), 0.0, finalseg.cut)
    with pytest.raises(TypeError):
        cut_block("ab", {"a": 1}, 0.0, finalseg.cut)
    assert cut_block("", Dictionary({}), 0.0, finalseg.cut) == []


@pytest.mark.skipif(segmentation._c_cut_block is None, reason="C extension not built")
def test_a_count_math_log_refuses_fails_only_the_blocks_holding_it_as_in_jieba() -> None:
    from indexer._segmentation import Dictionary, cut_block

    freq = {"a": 0, "ab": -1, "c": 3, "cd": 2}
    tokenizer = jieba.Tokenizer()
    tokenizer.FREQ, tokenizer.total, tokenizer.initialized = freq, 5, True
    dictionary = Dictionary(freq)
    for block in ("ab", "cab"):
        with pytest.raises(ValueError, match="math domain error"):
            list(tokenizer._Tokenizer__cut_DAG(block))
        with pytest.raises(ValueError, match="math domain error"):
            cut_block(block, dictionary, log(5), finalseg.cut)
    assert cut_block("cdc", dictionary, log(5), finalseg.cut) == list(tokenizer._Tokenizer__cut_DAG("cdc"))


@pytest.mark.skipif(segmentation._c_cut_block is None, reason="C extension not built")
def test_the_c_dictionary_has_one_node_per_key_of_jiebas_dictionary() -> None:
    from indexer._segmentation import Dictionary

    load_user_dictionary()
    # jieba's FREQ holds every prefix of its words, so the trie needs no node of its own
    assert Dictionary(jieba.dt.FREQ).nodes == len(jieba.dt.FREQ) + 1


def test_unknown_implementations_are_refused() -> None:
    with pytest.raises(ValueError, match="one of"):
        segmentation.set_implementation("rust")


def test_the_hmm_memo_is_dropped_when_a_split_is_forced(monkeypatch: pytest.MonkeyPatch) -> None:
    load_user_dictionary()
    monkeypatch.setattr(finalseg, "Force_Split_Words", set(finalseg.Force_Split_Words))
    segmentation._hmm_memo.clear()
    buffer = "翠屏瀚淼"
    before = segmentation._hmm_cut(buffer)
    assert before == tuple(finalseg.cut(buffer))
    assert buffer in segmentation._hmm_memo
    word = next(w for w in before if len(w) > 1)
    finalseg.add_force_split(word)
    after = segmentation._hmm_cut(buffer)
    assert after == tuple(finalseg.cut(buffer)) != before


def test_the_analyzer_stream_is_the_same_whichever_way_blocks_are_cut() -> None:
    load_user_dictionary()
    text = "关于印发《示例市住房公积金提取管理办法》的通知 示政办发〔2024〕12号 PM2.5 3.5% São Москва"
    streams = []
    for name in (*FAST, "jieba"):
        segmentation.set_implementation(name)
        analysis.clear_block_memo()
        streams.append(analysis.pretokenize(text).tolist())
    assert all(s == streams[0] for s in streams)


def test_the_hmm_memo_is_off_at_size_zero_and_cleared_with_the_block_memo(monkeypatch: pytest.MonkeyPatch) -> None:
    load_user_dictionary()
    buffer = "翠屏瀚淼"
    segmentation._hmm_cut(buffer)
    assert buffer in segmentation._hmm_memo
    analysis.clear_block_memo()  # what benchmarks call to start cold
    assert not segmentation._hmm_memo
    monkeypatch.setattr(segmentation, "HMM_MEMO_SIZE", 0)  # the tokenisation bound's setting
    assert segmentation._hmm_cut(buffer) == tuple(finalseg.cut(buffer))
    assert not segmentation._hmm_memo
