"""Ranking rules on a small index written here: the share of a question's words a document holds."""

from __future__ import annotations

from dataclasses import replace
from datetime import date
from pathlib import Path

import pytest

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


def test_the_wording_re_rank_leaves_keyword_queries_alone(wording_engine: SearchEngine, monkeypatch: pytest.MonkeyPatch) -> None:
    text = "困难行业 亏损"
    assert not query_module.parse_user_query(text).is_question
    assert ranked(wording_engine, text, monkeypatch, overlap_weight=5.0, overlap_long_weight=5.0) == ranked(
        wording_engine, text, monkeypatch, overlap_weight=0.0, overlap_long_weight=0.0
    )
