"""Ranking rules on a small index written here: the share of a question's words a document holds."""

from __future__ import annotations

from dataclasses import replace
from datetime import date
from pathlib import Path

import pytest

from indexer import engine as engine_module
from indexer import query as query_module
from indexer.config import Config
from indexer.engine import SearchEngine
from indexer.models import DocMeta, Document, SearchRequest

DOCS = [
    # many mentions of two of the question's words, none of the rarest one
    ("two", "关于企业复工复产的通知", "企业复工复产。企业复工复产。企业复工复产工作。企业复工复产。", date(2020, 2, 10)),
    # each of the question's content words once, the rare 口罩 included
    ("all", "关于生产企业有关事项的通知", "支持企业复工，保障口罩生产供应。", date(2020, 2, 10)),
] + [(f"pad{n}", f"关于第{n}项工作的通知", "做好有关工作。", date(2019, 1, 1)) for n in range(8)]


def small_index(directory: Path, docs: list[tuple[str, str, str, date]]) -> SearchEngine:
    """An engine over ``docs`` (key, title, body, written date), with its lexicon saved."""
    eng = SearchEngine(Config.from_env({}, index_dir=directory / "index"))
    with eng.writer() as session:
        for key, title, body, written in docs:
            session.add(Document(id=key, path=f"mem:{key}", text=body, meta=DocMeta(title=title, written_date=written), format="text"))
    eng.save_lexicon()
    return eng


@pytest.fixture(scope="module")
def engine(tmp_path_factory: pytest.TempPathFactory):  # type: ignore[no-untyped-def]
    eng = small_index(tmp_path_factory.mktemp("rank"), DOCS)
    yield eng
    eng.close()


def ranked(engine: SearchEngine, text: str, monkeypatch: pytest.MonkeyPatch, **weights: float) -> list[str]:
    monkeypatch.setattr(query_module, "RANKING", replace(query_module.RANKING, **weights))
    engine.close()  # the searcher's weighting reads the ranking when opened
    return [h.id for h in engine.search(SearchRequest(q=text, facets=False)).hits]


QUESTION = "企业复工复产期间口罩生产有什么要求和规定吗？"


def test_a_question_prefers_documents_holding_more_of_its_words(engine: SearchEngine, monkeypatch: pytest.MonkeyPatch) -> None:
    assert query_module.parse_user_query(QUESTION).is_question
    off = {"question_proximity_weight": 0.0, "overlap_weight": 0.0, "overlap_long_weight": 0.0}
    without = ranked(engine, QUESTION, monkeypatch, coverage_weight=0.0, **off)
    with_coverage = ranked(engine, QUESTION, monkeypatch, coverage_weight=16.0, **off)
    assert without.index("two") < without.index("all")  # BM25's sum alone
    assert with_coverage[0] == "all"


# The re-rank by a question's wording: the answer copies a run of the question's characters
# (亏损最长结转年限); the distractor repeats its frequent words and holds the rarer ones apart.
WORDING = [
    ("copied", "关于税收政策的公告", "受疫情影响较大的困难行业企业2020年度发生的亏损，最长结转年限由5年延长至8年。", date(2020, 2, 6)),
    ("scattered", "关于困难行业企业亏损的通知", "困难行业企业亏损。企业亏损较大，疫情影响企业。困难行业企业亏损。年限另行规定。", date(2020, 2, 6)),
] + [(f"pad{n}", f"关于第{n}项工作的通知", "做好有关工作。", date(2019, 1, 1)) for n in range(8)]
WORDING_QUESTION = "受疫情影响较大的困难行业企业亏损最长结转年限延长至多久？"


@pytest.fixture(scope="module")
def wording_engine(tmp_path_factory: pytest.TempPathFactory):  # type: ignore[no-untyped-def]
    eng = small_index(tmp_path_factory.mktemp("wording"), WORDING)
    yield eng
    eng.close()


def test_a_question_prefers_the_document_holding_its_wording(wording_engine: SearchEngine, monkeypatch: pytest.MonkeyPatch) -> None:
    base = {"coverage_weight": 0.0, "question_proximity_weight": 0.0}
    without = ranked(wording_engine, WORDING_QUESTION, monkeypatch, overlap_weight=0.0, overlap_long_weight=0.0, **base)
    with_overlap = ranked(wording_engine, WORDING_QUESTION, monkeypatch, overlap_weight=0.5, overlap_long_weight=0.5, **base)
    assert without[0] == "scattered"  # BM25 alone: more mentions of the question's words
    assert with_overlap[0] == "copied"
    assert sorted(without) == sorted(with_overlap)  # re-ranked, nothing added or lost
    no_depth = ranked(wording_engine, WORDING_QUESTION, monkeypatch, overlap_depth=0, **base)
    assert no_depth == without


def test_the_wording_re_rank_runs_for_questions_only(wording_engine: SearchEngine, monkeypatch: pytest.MonkeyPatch) -> None:
    calls: list[str] = []
    real = engine_module._rerank_by_overlap

    def spy(ranked_hits, parsed, rk, **kwargs):  # type: ignore[no-untyped-def]
        calls.append(parsed.text)
        return real(ranked_hits, parsed, rk, **kwargs)

    monkeypatch.setattr(engine_module, "_rerank_by_overlap", spy)
    for text in ("困难行业 亏损", "困难行业 亏损 结转"):  # keyword queries, strict
        assert not query_module.parse_user_query(text).is_question
        wording_engine.search(SearchRequest(q=text, facets=False))
    assert calls == []
    wording_engine.search(SearchRequest(q=WORDING_QUESTION, facets=False, sort="newest"))
    wording_engine.search(SearchRequest(q=WORDING_QUESTION, facets=False, scope="doc_number"))
    assert calls == []  # date order and document-number scope are not re-ranked
    wording_engine.search(SearchRequest(q=WORDING_QUESTION, facets=False))
    assert len(calls) == 1


def test_the_wording_re_rank_keeps_pages_consistent(wording_engine: SearchEngine) -> None:
    whole = [h.id for h in wording_engine.search(SearchRequest(q=WORDING_QUESTION, facets=False, page_size=10)).hits]
    paged = [
        h.id
        for page in (1, 2)
        for h in wording_engine.search(SearchRequest(q=WORDING_QUESTION, facets=False, page=page, page_size=1)).hits
    ]
    assert paged == whole[:2]


TITLED = [
    # the question names the document: 住房公积金提取 is its title; the other only mentions both words more
    ("named", "住房公积金提取管理办法", "职工购房可以按本办法申请。", date(2021, 3, 1)),
    ("mentions", "住房公积金年度报告", "本年度住房公积金缴存、提取情况如下。", date(2024, 3, 1)),
] + [(f"pad{n}", f"关于第{n}项工作的通知", "做好有关工作。", date(2019, 1, 1)) for n in range(8)]


def test_a_short_question_is_also_re_ranked_by_title(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    eng = small_index(tmp_path, TITLED)
    try:
        question = "住房公积金提取怎么办理？"
        assert query_module.parse_user_query(question).is_question
        no_wording = {"overlap_weight": 0.0, "overlap_long_weight": 0.0}
        off = ranked(eng, question, monkeypatch, title_coverage_weight=0.0, **no_wording)
        on = ranked(eng, question, monkeypatch, title_coverage_weight=2.0, **no_wording)
        assert off[0] == "mentions" and on[0] == "named"
    finally:
        eng.close()
