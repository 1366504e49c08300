"""Query rules of indexer.query: normalisation, doc-number spellings, question words, syntax fallbacks."""

from __future__ import annotations

import pytest

from indexer.pinyin import Vocabulary
from indexer.query import (
    MAX_CONCEPTS,
    MAX_FORMS,
    MAX_MARKED_TERMS,
    QUESTION_WORDS,
    Ranking,
    normalize_query,
    parse_user_query,
    title_core,
    title_coverage,
    to_simplified,
)
from indexer.spelling import Correction, Speller


@pytest.mark.parametrize(
    ("typed", "expected"),
    [
        ("ＡＢＣ１２３", "ABC123"),
        ("個人所得稅", "个人所得税"),
        ("住房公積金　提取", "住房公积金 提取"),
        ("  营商   环境 ", "营商 环境"),
    ],
)
def test_normalize_query_folds_width_script_and_space(typed: str, expected: str) -> None:
    assert normalize_query(typed) == expected


def test_to_simplified_leaves_simplified_and_ascii_alone() -> None:
    assert to_simplified("国务院办公厅 abc") == "国务院办公厅 abc"


def test_normalize_query_cuts_long_input() -> None:
    assert len(normalize_query("字" * 900, max_chars=100)) == 100


@pytest.mark.parametrize(
    "typed",
    ["国办发〔2020〕12号", "国办发[2020]12号", "国办发（2020）12号", "国办发2020年12号", "国办发2020年第12号", "国办发〔2020〕第12号"],
)
def test_doc_number_in_any_spelling_is_one_exact_term(typed: str) -> None:
    parsed = parse_user_query(typed)
    assert parsed.doc_numbers == ["国办发〔2020〕12号"]
    assert "doc_number:国办发〔2020〕12号" in str(parsed.strict)


def test_doc_number_inside_text_is_required_with_the_words() -> None:
    parsed = parse_user_query("国办发[2020]12号 解读")
    assert parsed.doc_numbers == ["国办发〔2020〕12号"]
    assert "解读" in parsed.terms


def test_question_words_are_dropped_and_long_questions_rank_by_any_word() -> None:
    parsed = parse_user_query("北京市对于因疫情影响暂停举办的展会项目有何支持政策？")
    assert parsed.is_question
    for word in ("对于", "有何", "的"):
        assert word in QUESTION_WORDS
        assert word not in parsed.terms
    assert "展会" in parsed.terms
    assert " OR " in str(parsed.strict) and " AND " not in str(parsed.strict)
    assert parsed.relaxed is None  # the OR is already the widest query


def test_question_phrases_are_cut_before_segmentation() -> None:
    # left in, jieba reads 人社部门有何 as 人社部 / 门有何 and 举措 loses its neighbour
    parsed = parse_user_query("各地人社部门有何举措？")
    assert not any("有何" in t for t in parsed.terms)
    assert "举措" in parsed.terms


def test_concepts_are_capped_whatever_is_pasted() -> None:
    parsed = parse_user_query(" ".join(f"词{n}" for n in range(3000)))
    assert len(str(parsed.strict).split(" OR ")) <= 3 * MAX_CONCEPTS * (MAX_FORMS + 1)
    assert len(parsed.terms) <= MAX_MARKED_TERMS


def test_questions_skip_pinyin_and_spelling() -> None:
    vocabulary = Vocabulary.build([("公积金", 50, 10), ("提取", 40, 5), ("公积经", 1, 0)])
    speller = Speller.build(vocabulary)
    short = parse_user_query("gongjijin 提取", vocabulary=vocabulary, speller=speller)
    assert "公积金" in short.terms
    long = parse_user_query("职工 离职 以后 gongjijin 账户 余额 怎么 提取 需要 什么 材料", vocabulary=vocabulary, speller=speller)
    assert long.is_question and "公积金" not in long.terms and not long.corrected


def test_synonyms_the_index_lacks_are_left_out() -> None:
    vocabulary = Vocabulary.build([("社保", 5, 1), ("提取", 5, 1)])
    parsed = parse_user_query("社保 提取", vocabulary=vocabulary)
    assert "社会保险" not in parsed.terms
    assert "社会保险" in parse_user_query("社保 提取").terms


def test_short_query_requires_all_words_and_has_a_relaxed_fallback() -> None:
    parsed = parse_user_query("退税 办理")
    assert not parsed.is_question
    assert " AND " in str(parsed.strict)
    assert parsed.relaxed is not None and " OR " in str(parsed.relaxed)


def test_strict_max_terms_is_a_setting() -> None:
    text = "退税 办理 流程 材料"
    assert not parse_user_query(text).is_question
    assert parse_user_query(text, ranking=Ranking(strict_max_terms=2)).is_question


def test_quoted_phrase_becomes_a_phrase_query() -> None:
    parsed = parse_user_query('"住房 公积金" 提取')
    assert 'body:"住房 公积金"' in str(parsed.strict)


@pytest.mark.parametrize("field_text", ["title:公积金", "标题：公积金", 'title:"公积金 提取"'])
def test_field_clauses(field_text: str) -> None:
    assert "title:" in str(parse_user_query(field_text).strict)


@pytest.mark.parametrize("typed", ['"unclosed', "title:", "((AND OR))", "a:b:c", "《》【】", "*", '""', "doc_number:", "：：："])
def test_malformed_syntax_never_raises(typed: str) -> None:
    parsed = parse_user_query(typed)
    assert parsed.text == normalize_query(typed)


def test_empty_query_matches_everything() -> None:
    assert parse_user_query("   ").strict is None


@pytest.mark.parametrize(
    ("title", "core"),
    [
        ("中华人民共和国劳动合同法", "劳动合同法"),
        ("中华人民共和国个人所得税法（2018年修正）", "个人所得税法"),
        ("《中华人民共和国食品安全法》", "食品安全法"),
        ("国务院办公厅关于印发住房公积金管理办法的通知", "住房公积金管理办法"),
        ("北京市实施《中华人民共和国消费者权益保护法》办法", "北京市实施消费者权益保护法办法"),
        ("個人所得稅法", "个人所得税法"),
        ("的通知", "的通知"),  # never emptied
    ],
)
def test_title_core_drops_issuer_state_and_endings(title: str, core: str) -> None:
    assert title_core(title) == core


def test_title_coverage_prefers_the_law_to_its_regulation() -> None:
    parsed = parse_user_query("劳动合同法")
    law, same = title_coverage("中华人民共和国劳动合同法", parsed)
    regulation, same_regulation = title_coverage("中华人民共和国劳动合同法实施条例", parsed)
    assert (law, same) == (1.0, True)
    assert not same_regulation
    assert regulation == pytest.approx(5 / 9)


def test_title_coverage_counts_synonyms_and_missing_words() -> None:
    # 个税 -> 个人所得税 (shipped synonym file): the same name
    assert title_coverage("中华人民共和国个人所得税法", parse_user_query("个税法"))[1]
    # every character of the title is typed, but 劳动 is not in it: not the same name
    coverage, same = title_coverage("合同法", parse_user_query("劳动 合同法"))
    assert not same and coverage < 1.0
    assert title_coverage("优化营商环境条例", parse_user_query("公积金")) == (0.0, False)


def test_title_rerank_is_a_named_setting() -> None:
    rk = Ranking()
    assert rk.title_rerank_depth > 0 and rk.title_coverage_weight > 0


def test_title_coverage_of_pinyin_counts_each_syllable_group() -> None:
    vocabulary = Vocabulary.build((w, df, df) for w, df in {"社会": 90, "保险": 80, "社会保险": 60}.items())
    parsed = parse_user_query("shehui baoxian", vocabulary=vocabulary)
    law, _ = title_coverage("中华人民共和国社会保险法", parsed)
    regulation, _ = title_coverage("社会保险经办条例", parsed)
    assert law > regulation > 0.0


def test_a_typo_fix_takes_the_single_character_after_it() -> None:
    words = {"劳动": 90, "合同法": 40, "劳动合同": 60, "法": 300, "合同": 80}
    vocabulary = Vocabulary.build((w, df, df) for w, df in words.items())
    parsed = parse_user_query("劳动合通法", vocabulary=vocabulary, speller=Speller.build(vocabulary))
    assert parsed.corrected == "劳动合同法"
    text = str(parsed.strict)
    assert '"劳动 合同法"' in text
    assert "body:法" not in text  # no dangling 法 required on its own


@pytest.mark.parametrize("text", ["公积金怎么提取？", "公积金 提取?", "哪些企业 减免 社保"])
def test_a_short_query_worded_as_a_question_ranks_by_any_word(text: str) -> None:
    # asked with a question word or mark: no word is required (the answer may lack one)
    parsed = parse_user_query(text)
    assert parsed.is_question
    assert " AND " not in str(parsed.strict)


def test_a_short_query_without_question_words_still_requires_every_word() -> None:
    assert not parse_user_query("公积金 提取").is_question
    assert not parse_user_query("公积金是什么").is_question  # one idea: nothing to rank against


def test_a_quoted_name_in_a_question_ranks_but_does_not_filter() -> None:
    parsed = parse_user_query("“八闽健康码”的用途是什么?")
    assert parsed.is_question
    assert {"八闽", "健康码", "用途"} <= set(parsed.terms)
    required, _, bonus = str(parsed.strict).partition(" ANDMAYBE ")
    assert '"八闽 健康码"' not in required and '"八闽 健康码"' in bonus
    # outside a question, a quoted phrase is required
    assert '"八闽 健康码"' in str(parse_user_query("“八闽健康码” 用途").strict).partition(" ANDMAYBE ")[0]


def test_chunks_are_the_text_without_question_phrases() -> None:
    parsed = parse_user_query("企业复工复产应做好什么准备？")
    assert parsed.chunks == ["企业复工复产应做好", "准备"]


def test_a_word_the_index_lacks_is_also_the_phrase_of_two_words_it_holds() -> None:
    # documents cut 居民身份证法 as 居民身份证 / 法, so the term 身份证法 is in no document
    vocabulary = Vocabulary.build([("身份证", 40, 5), ("法", 90, 30), ("身份证明", 60, 2)])
    parsed = parse_user_query("身份证法", vocabulary=vocabulary)
    assert 'body:"身份证 法"' in str(parsed.strict)
    assert "body:身份证法" in str(parsed.strict)
    # a word the index holds is searched as it is
    held = Vocabulary.build([("身份证法", 3, 1), ("身份证", 40, 5), ("法", 90, 30)])
    assert '"身份证 法"' not in str(parse_user_query("身份证法", vocabulary=held).strict)


def test_a_word_reading_as_two_known_words_gets_no_look_alike_correction() -> None:
    vocabulary = Vocabulary.build([("身份证", 40, 5), ("法", 90, 30), ("身份证明", 60, 2)])
    parsed = parse_user_query("身份证法", vocabulary=vocabulary, speller=Speller.build(vocabulary))
    assert not parsed.corrected and "身份证明" not in parsed.terms

    class OneCorrection:
        """A speller offering one correction of the whole word, of the given kind."""

        def __init__(self, kind: str) -> None:
            self.kind = kind

        def correct_tokens(self, tokens: list[str]) -> tuple[list[tuple[int, int, Correction]], list[str]]:
            return [(0, 1, Correction(tokens[0], "身份正法", self.kind))], ["身份正法"]

    # the same word, the same split: a sound-alike is still offered, a look-alike is not
    assert parse_user_query("身份证法", vocabulary=vocabulary, speller=OneCorrection("homophone")).corrected == "身份正法"  # type: ignore[arg-type]
    assert parse_user_query("身份证法", vocabulary=vocabulary, speller=OneCorrection("near_form")).corrected == ""  # type: ignore[arg-type]


@pytest.mark.parametrize("text", ["吗啡 管理", "毛呢 面料", "呢绒 价格"])
def test_a_particle_inside_a_word_asks_nothing(text: str) -> None:
    parsed = parse_user_query(text)
    assert not parsed.is_question and " AND " in str(parsed.strict)
    assert parsed.chunks == text.split()


def test_a_final_particle_asks_and_is_dropped() -> None:
    parsed = parse_user_query("公积金 提取吗")
    assert parsed.is_question and parsed.chunks == ["公积金", "提取"]


def test_ascii_quotes_stay_required_in_a_question() -> None:
    parsed = parse_user_query('"优化营商环境" 如何 申请')
    assert '"优化 营商环境"' in str(parsed.strict).partition(" ANDMAYBE ")[0]
