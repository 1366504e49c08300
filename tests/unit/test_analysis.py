"""Unit tests of indexer.analysis: token texts, positions and offsets, call contract, dictionary."""

from __future__ import annotations

import pickle
import threading
from pathlib import Path

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from indexer import analysis
from indexer.analysis import (
    USER_DICTIONARY,
    JiebaTokenizer,
    index_analyzer,
    load_user_dictionary,
    normalize_width,
    query_analyzer,
    tokenize,
)
from indexer.errors import GovSearchError


def table(text: str, mode: str = "index", **kwargs: object) -> list[tuple[str, int, int, int]]:
    """(text, pos, startchar, endchar) of every token the index analyzer yields."""
    return [
        (t.text, t.pos, t.startchar, t.endchar)
        for t in index_analyzer()(text, positions=True, chars=True, mode=mode, **kwargs)
    ]


def check_offsets(original: str, tokens: list[tuple[str, int, int, int]], start_char: int = 0) -> None:
    folded = normalize_width(original)
    for text, _pos, start, end in tokens:
        assert text == folded[start - start_char : end - start_char].lower(), (text, start, end)


# --- width folding ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("raw", "folded"),
    [
        ("ＡＢＣｘｙｚ", "ABCxyz"),
        ("０１２３４５６７８９", "0123456789"),
        ("！＃％（），．：；？～", "!#%(),.:;?~"),
        ("〔２０２４〕１号", "〔2024〕1号"),
        ("全角　空格", "全角 空格"),
        ("中文，不变。、", "中文,不变。、"),
        ("", ""),
        ("half width stays", "half width stays"),
    ],
)
def test_normalize_width(raw: str, folded: str) -> None:
    assert normalize_width(raw) == folded
    assert len(normalize_width(raw)) == len(raw)


@given(st.text())
def test_normalize_width_keeps_length_and_is_idempotent(text: str) -> None:
    once = normalize_width(text)
    assert len(once) == len(text)
    assert normalize_width(once) == once


# --- main tokens: positions and offsets tables -------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (
            "关于优化营商环境的意见",
            [("关于", 0, 0, 2), ("优化", 1, 2, 4), ("营商环境", 2, 4, 8), ("的", 3, 8, 9), ("意见", 4, 9, 11)],
        ),
        (
            "国务院办公厅关于优化营商环境的意见",
            [
                ("国务院办公厅", 0, 0, 6),
                ("关于", 1, 6, 8),
                ("优化", 2, 8, 10),
                ("营商环境", 3, 10, 14),
                ("的", 4, 14, 15),
                ("意见", 5, 15, 17),
            ],
        ),
        # doc number: the 〔〕 brackets go, every part stays (one-character "1" too)
        ("国办发〔2024〕1号", [("国办发", 0, 0, 3), ("2024", 1, 4, 8), ("1", 2, 9, 10), ("号", 3, 10, 11)]),
        ("国办发〔２０２４〕１号", [("国办发", 0, 0, 3), ("2024", 1, 4, 8), ("1", 2, 9, 10), ("号", 3, 10, 11)]),
        # full-width Latin and digits fold into one word; the ideographic space separates
        ("ＡＢＣ１２３　ｘ", [("abc123", 0, 0, 6), ("x", 1, 7, 8)]),
        (
            "２０２４年１２月３１日",
            [("2024", 0, 0, 4), ("年", 1, 4, 5), ("12", 2, 5, 7), ("月", 3, 7, 8), ("31", 4, 8, 10), ("日", 5, 10, 11)],
        ),
        # Latin lowercased, decimals and versions kept whole, % and ++ dropped
        (
            "Hello World，GovSearch 2.0版",
            [("hello", 0, 0, 5), ("world", 1, 6, 11), ("govsearch", 2, 12, 21), ("2.0", 3, 22, 25), ("版", 4, 25, 26)],
        ),
        ("PM2.5浓度下降3.5%", [("pm2.5", 0, 0, 5), ("浓度", 1, 5, 7), ("下降", 2, 7, 9), ("3.5", 3, 9, 12)]),
        ("C++与ab", [("c", 0, 0, 1), ("与", 1, 3, 4), ("ab", 2, 4, 6)]),
        ("x_y z-1", [("x", 0, 0, 1), ("y", 1, 2, 3), ("z", 2, 4, 5), ("1", 3, 6, 7)]),
        # one-character Latin tokens are kept (jieba's ChineseAnalyzer drops them)
        ("a，b。c", [("a", 0, 0, 1), ("b", 1, 2, 3), ("c", 2, 4, 5)]),
        # letters jieba splits one by one are joined back
        (
            "São Paulo ÉCOLE Москва",
            [("são", 0, 0, 3), ("paulo", 1, 4, 9), ("école", 2, 10, 15), ("москва", 3, 16, 22)],
        ),
        # extension A, a character past jieba's range (U+9FA6), a compatibility ideograph
        (
            "㐀㐁中文\u9fa6\uf900字",
            [("㐀", 0, 0, 1), ("㐁", 1, 1, 2), ("中文", 2, 2, 4), ("\u9fa6", 3, 4, 5), ("\uf900", 4, 5, 6), ("字", 5, 6, 7)],
        ),
        # outside the BMP: an extension B ideograph is a token, an emoji is not
        ("\U00020000中文😀好", [("\U00020000", 0, 0, 1), ("中文", 1, 1, 3), ("好", 2, 4, 5)]),
        ("", []),
        ("   \n\t\r\n　", []),
        ("，。！？、；：“”《》（）【】", []),
        ("a\r\nb", [("a", 0, 0, 1), ("b", 1, 3, 4)]),
    ],
)
def test_main_tokens(text: str, expected: list[tuple[str, int, int, int]]) -> None:
    assert table(text, mode="query") == expected
    check_offsets(text, expected)


# --- sub-words at their main token's position -------------------------------------------------


def test_subwords_share_the_main_position() -> None:
    got = table("关于优化营商环境的意见")
    assert got == [
        ("关于", 0, 0, 2),
        ("优化", 1, 2, 4),
        ("营商环境", 2, 4, 8),
        ("营商", 2, 4, 6),
        ("环境", 2, 6, 8),
        ("的", 3, 8, 9),
        ("意见", 4, 9, 11),
    ]


def test_subwords_of_a_long_name() -> None:
    got = table("中华人民共和国住房和城乡建设部")
    assert got[0] == ("中华人民共和国", 0, 0, 7)
    subs = {(text, start, end) for text, pos, start, end in got if pos == 0}
    assert {("中华", 0, 2), ("人民", 2, 4), ("共和国", 4, 7), ("人民共和国", 2, 7)} <= subs
    assert ("住房和城乡建设部", 1, 7, 15) in got
    later = {(text, start, end) for text, pos, start, end in got if pos == 1}
    assert {("住房", 7, 9), ("城乡建设", 10, 14), ("建设部", 12, 15)} <= later
    assert [p for _t, p, _s, _e in got] == sorted(p for _t, p, _s, _e in got)
    check_offsets("中华人民共和国住房和城乡建设部", got)


def test_subwords_longer_than_three_characters() -> None:
    # jieba's search mode stops at 3-grams and would miss 医疗保险 here.
    assert tokenize("城乡居民基本医疗保险", search_mode=True)[:1] == ["城乡居民基本医疗保险"]
    subs = tokenize("城乡居民基本医疗保险", search_mode=True)[1:]
    assert {"城乡", "城乡居民", "基本医疗保险", "医疗保险", "保险"} <= set(subs)
    assert "城乡居民基本医疗保险" not in subs


def test_no_subwords_for_latin_or_short_words() -> None:
    assert tokenize("government 营商 是", search_mode=True) == ["government", "营商", "是"]


def test_query_mode_yields_main_tokens_only() -> None:
    text = "中华人民共和国国务院关于优化营商环境的意见"
    index_stream = table(text)
    query_stream = table(text, mode="query")
    firsts = {}
    for tok in index_stream:
        firsts.setdefault(tok[1], tok)
    assert query_stream == list(firsts.values())
    assert [t for t, *_ in query_stream] == tokenize(text)


def test_subwords_keyword_overrides_mode() -> None:
    forced = list(index_analyzer()("营商环境", mode="query", subwords=True))
    assert len(forced) == 3
    assert [t.text for t in index_analyzer()("营商环境", mode="index", subwords=False)] == ["营商环境"]


def test_query_analyzer_never_adds_subwords() -> None:
    for mode in ("index", "query", ""):
        assert [t.text for t in query_analyzer()("优化营商环境", mode=mode)] == ["优化", "营商环境"]


# --- the Whoosh call contract --------------------------------------------------------------------


def test_start_pos_and_start_char_shift_everything() -> None:
    text = "关于优化营商环境的意见"
    base = table(text)
    shifted = table(text, start_pos=10, start_char=100)
    assert shifted == [(t, p + 10, s + 100, e + 100) for t, p, s, e in base]
    check_offsets(text, shifted, start_char=100)


def test_without_positions_or_chars_the_token_has_neither() -> None:
    tokens = [(t.text, hasattr(t, "pos"), hasattr(t, "startchar")) for t in index_analyzer()("营商环境")]
    assert tokens == [("营商环境", False, False), ("营商", False, False), ("环境", False, False)]


def test_chars_without_positions() -> None:
    got = [(t.text, t.startchar, t.endchar) for t in query_analyzer()("政务公开，ＯＫ", chars=True)]
    assert got == [("政务公开", 0, 4), ("ok", 5, 7)]


def test_keeporiginal_is_the_untouched_slice() -> None:
    got = [(t.text, t.original) for t in query_analyzer()("ＰＭ２．５与Whoosh", keeporiginal=True)]
    assert got == [("pm2.5", "ＰＭ２．５"), ("与", "与"), ("whoosh", "Whoosh")]


def test_tokenize_false_yields_the_whole_value() -> None:
    got = [
        (t.text, t.original, t.pos, t.startchar, t.endchar)
        for t in index_analyzer()("ＡＢ营商环境", tokenize=False, positions=True, chars=True, start_pos=3, start_char=7)
    ]
    assert got == [("ab营商环境", "ＡＢ营商环境", 3, 7, 13)]


def test_rejects_bytes() -> None:
    with pytest.raises(TypeError):
        list(index_analyzer()(b"bytes"))  # type: ignore[arg-type]


def test_stop_words_are_kept_by_default() -> None:
    assert tokenize("住房和城乡建设的工作与发展") == ["住房", "和", "城乡建设", "的", "工作", "与", "发展"]


def test_a_stoplist_keeps_positions_advancing() -> None:
    tok = JiebaTokenizer(stoplist={"的", "与"})
    kept = [(t.text, t.pos) for t in tok("优化营商环境的意见与建议", positions=True)]
    assert kept == [("优化", 0), ("营商环境", 1), ("营商", 1), ("环境", 1), ("意见", 3), ("建议", 5)]
    every = [(t.text, t.pos, t.stopped) for t in tok("环境的意见", positions=True, removestops=False, mode="query")]
    assert every == [("环境", 0, False), ("的", 1, True), ("意见", 2, False)]


def test_analyzers_pickle_and_compare_equal() -> None:
    # Whoosh pickles the schema (and so the analyzer) into the index's table of contents.
    for make in (index_analyzer, query_analyzer):
        clone = pickle.loads(pickle.dumps(make()))
        assert clone == make()
        assert [t.text for t in clone("营商环境")] == [t.text for t in make()("营商环境")]
    assert index_analyzer() != query_analyzer()
    assert JiebaTokenizer(stoplist={"的"}) != JiebaTokenizer()


def test_long_text_positions_are_consecutive() -> None:
    unit = "国务院办公厅关于进一步优化营商环境降低市场主体制度性交易成本的意见（国办发〔2022〕30号）。\n"
    text = unit * 2000
    tokens = table(text, mode="query")
    per_unit = len(tokens) // 2000
    assert len(tokens) == per_unit * 2000
    assert [p for _t, p, _s, _e in tokens] == list(range(len(tokens)))
    assert tokens[-1][3] == len(text) - 3  # the last token is 号, before "）。\n"
    check_offsets(text, tokens)
    index_tokens = table(text)
    check_offsets(text, index_tokens)


def test_threads_see_the_same_tokens() -> None:
    texts = [f"第{i}条 优化营商环境，推进一网通办和住房公积金改革" for i in range(50)]
    expected = [tokenize(t, search_mode=True) for t in texts]
    results: dict[int, list[list[str]]] = {}

    def work(n: int) -> None:
        results[n] = [tokenize(t, search_mode=True) for t in texts]

    threads = [threading.Thread(target=work, args=(n,)) for n in range(4)]
    for th in threads:
        th.start()
    for th in threads:
        th.join()
    assert all(r == expected for r in results.values()) and len(results) == 4


# --- user dictionary ---------------------------------------------------------------------------------


def shipped_words() -> list[str]:
    return [line.split()[0] for line in USER_DICTIONARY.read_text(encoding="utf-8").splitlines() if line.strip()]


def test_shipped_dictionary_is_jieba_format_and_large_enough() -> None:
    lines = [line for line in USER_DICTIONARY.read_text(encoding="utf-8").splitlines() if line.strip()]
    assert len(lines) >= 300
    words = []
    for line in lines:
        word, freq, tag = line.split(" ")
        assert freq.isdigit() and int(freq) > 0 and tag.isalpha(), line
        words.append(word)
    assert len(words) == len(set(words))
    for required in (
        "营商环境", "放管服", "一网通办", "一件事一次办", "专项附加扣除", "住房公积金", "社会保险",
        "城乡居民基本医疗保险", "最低生活保障", "政务公开", "政府信息公开", "行政许可", "行政处罚",
        "稳岗返还", "以工代训", "减税降费", "留抵退税", "不动产登记", "公共租赁住房",
        "保障性租赁住房", "共有产权住房", "棚户区改造", "老旧小区改造", "乡村振兴", "高质量发展",
        "国务院办公厅", "住房和城乡建设部", "人力资源和社会保障局", "发文字号", "主动公开",
    ):  # fmt: skip
        assert required in words


@pytest.mark.parametrize("template", ["{}", "关于{}的通知", "进一步做好{}工作", "推进{}", "{}有关事项"])
def test_user_dictionary_words_stay_whole(template: str) -> None:
    load_user_dictionary()
    split = [w for w in shipped_words() if w.lower() not in tokenize(template.format(w))]
    assert split == []


def test_user_words_still_give_subwords() -> None:
    assert tokenize("保障性租赁住房", search_mode=True)[0] == "保障性租赁住房"
    assert {"保障性", "租赁", "住房"} <= set(tokenize("保障性租赁住房", search_mode=True))


def test_extra_dictionary_is_loaded_once(tmp_path: Path) -> None:
    extra = tmp_path / "extra.txt"
    extra.write_text("# our own words\n\n数智枢纽港 5000 n\n翠微湖片区\n", encoding="utf-8")
    assert "数智枢纽港" not in tokenize("建设数智枢纽港")
    load_user_dictionary(str(extra))
    assert "数智枢纽港" in tokenize("建设数智枢纽港")
    assert "翠微湖片区" in tokenize("翠微湖片区改造")
    assert str(extra.resolve()) in analysis._loaded_extra
    extra.write_text("garbage garbage garbage garbage\n", encoding="utf-8")
    load_user_dictionary(str(extra))  # already loaded: the file is not read again
    load_user_dictionary()


@pytest.mark.parametrize(
    ("content", "reason"),
    [
        ("营商环境 100 n extra\n", ":1: expected 'word [freq] [tag]'"),
        ("好词\n坏词 12 名词\n", ":2: expected 'word [freq] [tag]'"),
        ("，。 10\n", ":1: '，。' has no letter"),
    ],
)
def test_malformed_extra_dictionary_names_file_and_line(tmp_path: Path, content: str, reason: str) -> None:
    bad = tmp_path / "bad.txt"
    bad.write_text(content, encoding="utf-8")
    with pytest.raises(GovSearchError) as info:
        load_user_dictionary(str(bad))
    assert str(bad.resolve()) in str(info.value)
    assert reason in str(info.value)


def test_missing_or_undecodable_extra_dictionary(tmp_path: Path) -> None:
    with pytest.raises(GovSearchError, match="user dictionary not found"):
        load_user_dictionary(str(tmp_path / "nope.txt"))
    gbk = tmp_path / "gbk.txt"
    gbk.write_bytes("营商环境 10 n\n".encode("gbk"))
    with pytest.raises(GovSearchError, match="not UTF-8"):
        load_user_dictionary(str(gbk))


# --- properties ------------------------------------------------------------------------------------

# Text drawn from what government documents contain, and from what they should not.
_ALPHABET = st.one_of(
    st.sampled_from("的了和与关于优化营商环境政务公开住房公积金中华人民共和国国务院办公厅城乡居民基本医疗保险一网通办"),
    st.sampled_from("〔〕（）《》，。、；：！？“”【】—…·　"),
    st.characters(min_codepoint=0x3400, max_codepoint=0x4DBF),  # extension A
    st.characters(min_codepoint=0x4E00, max_codepoint=0x9FFF),
    st.characters(min_codepoint=0xF900, max_codepoint=0xFAFF),  # compatibility ideographs
    st.characters(min_codepoint=0xFF01, max_codepoint=0xFF5E),  # full-width ASCII
    st.sampled_from("abcXYZ0123456789 .%-_+#&\n\t\r"),
    st.characters(codec="utf-8", exclude_categories=("Cs",)),
)
_TEXTS = st.text(alphabet=_ALPHABET, max_size=80)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(text=_TEXTS, start_pos=st.integers(0, 1000), start_char=st.integers(0, 10_000))
@example(text="国办发〔２０２４〕1号 São", start_pos=0, start_char=0)
@example(text="İstanbul ǅ ﬁ", start_pos=3, start_char=5)
def test_token_invariants(text: str, start_pos: int, start_char: int) -> None:
    tokens = [
        (t.text, t.pos, t.startchar, t.endchar)
        for t in index_analyzer()(
            text, positions=True, chars=True, mode="index", start_pos=start_pos, start_char=start_char
        )
    ]
    check_offsets(text, tokens, start_char=start_char)
    positions = [p for _t, p, _s, _e in tokens]
    assert positions == sorted(positions)
    assert sorted(set(positions)) == list(range(start_pos, start_pos + len(set(positions))))
    for _t, _p, s, e in tokens:
        assert start_char <= s < e <= start_char + len(text)
    # main tokens: the query stream, one per position, in text order, not overlapping
    main = [
        (t.text, t.pos, t.startchar, t.endchar)
        for t in index_analyzer()(
            text, positions=True, chars=True, mode="query", start_pos=start_pos, start_char=start_char
        )
    ]
    assert [p for _t, p, _s, _e in main] == list(range(start_pos, start_pos + len(main)))
    assert all(a[3] <= b[2] for a, b in zip(main, main[1:]))
    firsts: dict[int, tuple[str, int, int, int]] = {}
    for tok in tokens:
        firsts.setdefault(tok[1], tok)
    assert list(firsts.values()) == main
    # every sub-word lies inside its main token
    for t, p, s, e in tokens:
        m = firsts[p]
        assert m[2] <= s and e <= m[3], (t, m)
    assert [t for t, *_ in main] == tokenize(text)
    # nothing but punctuation and space is lost
    kept = {i for _t, _p, s, e in main for i in range(s - start_char, e - start_char)}
    folded = normalize_width(text)
    for i, ch in enumerate(folded):
        if i not in kept:
            assert not ch.isalnum(), (ch, text)


# --- block memo ------------------------------------------------------------------------------------


def _jieba_cut(text: str) -> list[str]:
    return list(analysis.jieba.dt.cut(text, HMM=True))


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(text=_TEXTS)
@example(text="第一条\r\n  为了规范政务公开，制定本办法。\t3.5%的C++ a-b_c #1 São")
def test_memo_words_are_jiebas_words(text: str) -> None:
    load_user_dictionary()
    first = list(analysis._jieba_words(text))
    again = list(analysis._jieba_words(text))  # every block now comes from the memo
    assert first == again == _jieba_cut(text)


def test_memo_words_are_jiebas_words_on_the_demo_corpus() -> None:
    from indexer.config import Config
    from indexer.ingest import ingest_file

    load_user_dictionary()
    root = Path(__file__).resolve().parents[2] / "corpus"
    files = sorted(p for p in root.rglob("*") if p.suffix in (".pdf", ".docx"))
    assert files
    for path in files:
        doc = ingest_file(path, Config.from_env({}))
        text = normalize_width(doc.meta.title + "\n" + doc.text)
        assert list(analysis._jieba_words(text)) == _jieba_cut(text), path


def test_memo_remembers_blocks_and_is_bounded(monkeypatch: pytest.MonkeyPatch) -> None:
    load_user_dictionary()
    monkeypatch.setattr(analysis, "BLOCK_MEMO_SIZE", 3)
    memo = analysis._block_memo.check().words
    memo.clear()
    list(analysis._jieba_words("优化营商环境，推进一网通办。"))
    assert set(memo) == {"优化营商环境", "推进一网通办"}
    list(analysis._jieba_words("住房公积金，社会保险，最低生活保障"))
    assert len(memo) <= 3  # emptied when full, then refilled
    monkeypatch.setattr(analysis, "BLOCK_MEMO_SIZE", 0)
    memo.clear()
    assert list(analysis._jieba_words("优化营商环境")) == _jieba_cut("优化营商环境")
    assert memo == {}  # 0: every block cut afresh, nothing remembered


def test_memo_is_dropped_when_the_dictionary_changes() -> None:
    load_user_dictionary()
    text = "建设翠屏山数链枢纽"
    before = list(analysis._jieba_words(text))
    assert "翠屏山数链枢纽" not in before
    analysis.jieba.dt.add_word("翠屏山数链枢纽", 20000)
    try:
        assert "翠屏山数链枢纽" in list(analysis._jieba_words(text))
        assert list(analysis._jieba_words(text)) == _jieba_cut(text)
    finally:
        analysis.jieba.dt.del_word("翠屏山数链枢纽")
    assert list(analysis._jieba_words(text)) == _jieba_cut(text)


@settings(max_examples=300, deadline=None)
@given(text=_TEXTS)
def test_normalize_width_shortcut_is_translate(text: str) -> None:
    assert normalize_width(text) == text.translate(analysis._WIDTH_TABLE)
