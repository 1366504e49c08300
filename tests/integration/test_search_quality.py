"""Query rules end to end on a small index written here: synonyms, pinyin, did-you-mean,
traditional characters, doc numbers, validity, suggest; plus the labelled real-corpus set."""

from __future__ import annotations

import json
import os
from datetime import date
from pathlib import Path

import pytest

from indexer.engine import SearchEngine
from indexer.models import DocMeta, Document, SearchRequest

DOCS = [
    ("a", "住房公积金提取管理办法", "职工购买自住住房的，可以申请提取住房公积金账户内的存储余额。", "京房公积金发〔2021〕3号", "现行有效", date(2021, 3, 1)),
    ("b", "个人所得税专项附加扣除暂行办法", "纳税人的子女接受全日制学历教育的相关支出，按照每个子女每月1000元的标准定额扣除。", "国发〔2018〕41号", "现行有效", date(2018, 12, 13)),
    ("c", "城乡居民基本医疗保险实施办法", "参保人员住院发生的医疗费用，由医疗保险基金按规定支付。", "", "现行有效", date(2019, 6, 1)),
    ("d", "优化营商环境条例", "为了持续优化营商环境，激发市场主体活力，制定本条例。", "", "现行有效", date(2019, 10, 22)),
    ("e", "道路交通安全管理办法", "机动车驾驶人应当遵守道路交通安全法律法规。", "", "已废止", date(2005, 1, 1)),
    ("f", "道路交通安全管理办法", "机动车驾驶人应当遵守道路交通安全法律法规，安全驾驶。", "", "现行有效", date(2020, 1, 1)),
    ("h", "关于调整住房公积金贷款政策的通知", "住房公积金贷款最高额度调整为80万元。", "", "现行有效", date(2023, 5, 1)),
    ("i", "住房公积金缴存基数通告", "住房公积金缴存基数上限为上一年度职工月平均工资的3倍。", "", "现行有效", date(2024, 7, 1)),
    ("j", "住房公积金年度报告", "本年度住房公积金缴存、提取、贷款情况如下。", "", "现行有效", date(2024, 3, 1)),
    ("g", "社会保险费征缴暂行条例", "基本养老保险费、基本医疗保险费、失业保险费的征收缴纳，适用本条例。", "", "现行有效", date(1999, 1, 22)),
]


@pytest.fixture(scope="module")
def small_engine(tmp_path_factory: pytest.TempPathFactory):  # type: ignore[no-untyped-def]
    from indexer.config import Config

    eng = SearchEngine(Config.from_env({}, index_dir=tmp_path_factory.mktemp("q") / "index"))
    with eng.writer() as session:
        for key, title, body, number, validity, written in DOCS:
            meta = DocMeta(title=title, doc_number=number, validity=validity, written_date=written)
            session.add(Document(id=key, path=f"mem:{key}", text=body, meta=meta, format="text"))
    eng.save_lexicon()  # what indexer.sync does after each commit
    yield eng
    eng.close()


def first(engine: SearchEngine, text: str) -> str:
    res = engine.search(SearchRequest(q=text, facets=False))
    assert res.hits, text
    return res.hits[0].id


@pytest.mark.parametrize(
    ("typed", "expected"),
    [
        ("公积金 提取", "a"),  # abbreviation -> 住房公积金
        ("个税 扣除", "b"),
        ("医保", "c"),
        ("社保 征缴", "g"),
        ("營商環境", "d"),  # traditional characters
        ("ＹＩＮＧＳＨＡＮＧ", None),  # full-width pinyin: must not raise
        ("gongjijin tiqu", "a"),  # full pinyin
        ("gjj tiqu", None),
        ("国发[2018]41号", "b"),  # sloppy doc number
        ("国发2018年第41号", "b"),
        ("我想问一下公积金怎么提取？", "a"),  # question words dropped
    ],
)
def test_query_rules_rank_the_right_document_first(small_engine: SearchEngine, typed: str, expected: str | None) -> None:
    res = small_engine.search(SearchRequest(q=typed, facets=False))
    if expected is not None:
        assert res.hits and res.hits[0].id == expected


def test_in_force_version_ranks_above_repealed(small_engine: SearchEngine) -> None:
    assert first(small_engine, "道路交通安全管理办法") == "f"


def test_did_you_mean_only_when_the_correction_has_results(small_engine: SearchEngine) -> None:
    res = small_engine.search(SearchRequest(q="住房公积经 提取", facets=False))
    assert res.corrected == "住房公积金 提取"
    assert res.hits and res.hits[0].id == "a"
    assert small_engine.search(SearchRequest(q="住房公积金", facets=False)).corrected == ""


def test_totals_count_every_match(small_engine: SearchEngine) -> None:
    res = small_engine.search(SearchRequest(q="办法", page_size=1))
    assert res.total == sum("办法" in d[1] or "办法" in d[2] for d in DOCS)


def test_suggest_titles_and_pinyin(small_engine: SearchEngine) -> None:
    assert "住房公积金提取管理办法" in small_engine.suggest("住房公积")
    assert any("公积金" in s for s in small_engine.suggest("gongji"))
    assert small_engine.suggest("") == []


# ------------------------------------------------------------------ title coverage
# A law, its 实施条例, a province's 实施办法 and a judicial interpretation: the texts citing
# the law repeat its name in their bodies; the law itself says 本法.
LAW_DOCS = [
    ("law", "中华人民共和国劳动合同法", "为了完善劳动合同制度，明确劳动合同双方当事人的权利和义务，制定本法。本法所称用人单位依照本法订立。"),
    ("regulation", "中华人民共和国劳动合同法实施条例",
     "为了贯彻实施《中华人民共和国劳动合同法》，制定本条例。依照劳动合同法第十条规定，劳动合同法第十四条，劳动合同法第八十二条。"),
    ("province", "某省实施《中华人民共和国劳动合同法》办法",
     "根据《中华人民共和国劳动合同法》，结合本省实际，制定本办法。劳动合同法规定的劳动合同，依照劳动合同法执行。"),
    ("interpretation", "最高人民法院关于审理劳动争议案件适用法律问题的解释",
     "根据劳动合同法、劳动合同法实施条例等法律规定，劳动合同法第三十八条、劳动合同法第四十六条。"),
    ("tax", "中华人民共和国个人所得税法", "在中国境内有住所的个人，依照本法规定缴纳个人所得税。"),
    ("tax_regulation", "中华人民共和国个人所得税法实施条例",
     "根据《中华人民共和国个人所得税法》，制定本条例。个人所得税法所称住所，个人所得税法第一条，个人所得税法第二条。"),
]


@pytest.fixture(scope="module")
def law_engine(tmp_path_factory: pytest.TempPathFactory):  # type: ignore[no-untyped-def]
    from indexer.config import Config

    eng = SearchEngine(Config.from_env({}, index_dir=tmp_path_factory.mktemp("laws") / "index"))
    with eng.writer() as session:
        for key, title, body in LAW_DOCS:
            meta = DocMeta(title=title, validity="现行有效", written_date=date(2012, 12, 28))
            session.add(Document(id=key, path=f"mem:{key}", text=body, meta=meta, format="text"))
    eng.save_lexicon()
    yield eng
    eng.close()


@pytest.mark.parametrize(
    ("typed", "expected"),
    [
        ("劳动合同法", "law"),  # the bare name: the law, not the texts citing it most
        ("中华人民共和国劳动合同法", "law"),
        ("《劳动合同法》", "law"),
        ("勞動合同法", "law"),  # traditional characters
        ("劳动合同法实施条例", "regulation"),  # naming the regulation still finds it
        ("个人所得税法", "tax"),
        ("个税法", "tax"),  # abbreviation through the synonym file
    ],
)
def test_a_law_ranks_above_the_texts_citing_it(law_engine: SearchEngine, typed: str, expected: str) -> None:
    assert first(law_engine, typed) == expected


def test_the_law_wins_only_by_the_rerank(law_engine: SearchEngine) -> None:
    """Without the re-rank the bodies citing the name win: the rule, not the fixture, decides."""
    from dataclasses import replace

    from indexer import query as query_module

    saved = query_module.RANKING
    query_module.RANKING = replace(saved, title_coverage_weight=0.0)
    try:
        without = first(law_engine, "劳动合同法")
    finally:
        query_module.RANKING = saved
    assert without != "law"
    assert first(law_engine, "劳动合同法") == "law"


def test_title_rerank_keeps_totals_and_facets(law_engine: SearchEngine) -> None:
    from dataclasses import replace

    from indexer import query as query_module

    with_rerank = law_engine.search(SearchRequest(q="劳动合同法", page_size=2))
    saved = query_module.RANKING
    query_module.RANKING = replace(saved, title_coverage_weight=0.0)
    try:
        without = law_engine.search(SearchRequest(q="劳动合同法", page_size=2))
    finally:
        query_module.RANKING = saved
    assert with_rerank.total == without.total == 4
    assert with_rerank.facets == without.facets
    page2 = law_engine.search(SearchRequest(q="劳动合同法", page_size=2, page=2))
    ids = [h.id for h in with_rerank.hits] + [h.id for h in page2.hits]
    assert sorted(ids) == ["interpretation", "law", "province", "regulation"]


def test_long_questions_are_not_reranked_by_title(law_engine: SearchEngine) -> None:
    from dataclasses import replace

    from indexer import query as query_module

    text = "用人单位依照劳动合同法第十条订立劳动合同有哪些规定和条例要求"
    ranked = [h.id for h in law_engine.search(SearchRequest(q=text, facets=False)).hits]
    saved = query_module.RANKING
    query_module.RANKING = replace(saved, title_coverage_weight=0.0)
    try:
        plain = [h.id for h in law_engine.search(SearchRequest(q=text, facets=False)).hits]
    finally:
        query_module.RANKING = saved
    assert ranked == plain


# ------------------------------------------------------------------ real corpus
ROOT = Path(__file__).resolve().parents[2]
LABELS = ROOT / "benchmarks" / "eval_queries.json"



EVAL_INDEX = Path(os.environ.get("GOVSEARCH_EVAL_CACHE", "/tmp/govsearch-eval")) / "index"
CORPUS = ROOT / ".." / "shared" / "corpus"
CATEGORIES = {"abbreviation", "doc_number", "pinyin", "typo", "traditional", "question"}


@pytest.mark.realdata
@pytest.mark.skipif(not CORPUS.is_dir(), reason="../shared/corpus absent")
def test_labelled_queries_file_is_well_formed() -> None:
    data = json.loads(LABELS.read_text(encoding="utf-8"))
    queries = data["queries"]
    assert len(queries) >= 60
    assert {item["category"] for item in queries} == CATEGORIES
    for item in queries:
        assert item["q"] and item["expect"], item
        for key in item["expect"]:
            kind, _, value = key.partition(":")
            assert kind in ("path", "url"), key
            if kind == "path":
                assert (CORPUS / value).is_file(), key


@pytest.mark.realdata
@pytest.mark.slow
@pytest.mark.exhaustive  # needs the whole evaluation index (benchmarks/eval_ncp.py --build-only, ~15 min)
@pytest.mark.skipif(not EVAL_INDEX.is_dir(), reason="no evaluation index (benchmarks/eval_ncp.py --build-only)")
def test_labelled_queries_on_real_corpus() -> None:
    import sys

    sys.path.insert(0, str(ROOT / "benchmarks"))
    from eval_queries import evaluate, load_queries  # noqa: PLC0415 - the benchmark's own scorer

    from indexer.config import Config

    with SearchEngine(Config.from_env({}, index_dir=EVAL_INDEX)) as engine:
        engine.lexicon(wait=True)
        result = evaluate(engine, load_queries(LABELS))
    assert result["all"]["success@1"] >= 0.85, result
    assert result["all"]["nDCG@10"] >= 0.85, result
