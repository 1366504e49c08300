"""Array evaluation (indexer.array_search) against Whoosh's own search, on the same queries.

The results page ranks, counts and facets with arrays; Whoosh's collectors are the
reference. Every query the parser makes from a set of typed queries (keywords, synonyms,
phrases, questions, document numbers, field clauses, pinyin, relaxed fall-backs) must give
the same documents, in the same order, with the same scores, totals and facet counts, on
the demo corpus and on an index with several segments and deleted documents.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from whoosh import query as q
from whoosh import sorting

from indexer import merge_policy
from indexer.array_search import ArrayIndex, SegmentCache
from indexer.engine import SearchEngine
from indexer.models import FACET_FIELDS, SearchRequest
from indexer.query import build_filter
from indexer.sync import sync_paths

from .docs_factory import small_corpus, write_doc

TYPED = [
    "营商环境",
    "住房公积金",
    "公积金 提取",
    "社保",
    "稳岗返还",
    '"优化营商环境"',
    '"住房公积金 提取"',
    "示人社规〔2022〕2号",
    "2024年3号",
    "职工租房可以提取多少住房公积金？",
    "企业稳岗返还的比例是多少",
    "title:公积金",
    "issuer:人力资源",
    "doc_number:示政发〔2024〕3号",
    "gongjijin",
    "营商环境 房租 社会保险 补贴 失业",
    "实施办法",
    "关于",
]
SCOPES = ["all", "title", "body", "doc_number"]


def whoosh_ranked(s: Any, query: q.Query, flt: q.Query | None) -> list[tuple[int, float]]:
    """Whoosh's own scored search over every match: (docnum, score), best first."""
    return [(h.docnum, float(h.score)) for h in s.search(query, limit=None, filter=flt)]


def array_ranked(arrays: ArrayIndex, query: q.Query, flt: q.Query | None, weighting: Any) -> list[tuple[int, float]]:
    match = arrays.evaluate(query, weighting)
    if flt is not None:
        match.mask &= arrays.evaluate(flt, None).mask
    priors = arrays.priors((repr(weighting.ranking), weighting.today), weighting.document_priors)
    order, scores = arrays.top(match, match.count() or 1, priors)
    return [(d, float(scores[d])) for d in order]


def assert_same_ranking(ours: list[tuple[int, float]], theirs: list[tuple[int, float]], label: str) -> None:
    assert {d for d, _ in ours} == {d for d, _ in theirs}, label
    for rank, ((d1, s1), (d2, s2)) in enumerate(zip(ours, theirs)):
        # the same document, or two documents whose scores tie (summation order differs)
        assert d1 == d2 or abs(s1 - s2) <= 1e-9 * max(1.0, abs(s1)), f"{label}: rank {rank}: {d1} {s1} vs {d2} {s2}"
        assert s1 == pytest.approx(s2, rel=1e-9, abs=1e-12), f"{label}: rank {rank}"


def whoosh_facets(s: Any, query: q.Query, flt: q.Query | None) -> dict[str, dict[str, int]]:
    facets = sorting.Facets()
    for name in FACET_FIELDS:
        facets.add_facet(name, sorting.FieldFacet(name, allow_overlap=(name == "issuer"), maptype=sorting.Count))
    results = s.search(query, limit=None, filter=flt, scored=False, groupedby=facets)
    return {name: {str(k): int(v) for k, v in results.groups(name).items() if k not in (None, "")} for name in FACET_FIELDS}


def check_parity(engine: SearchEngine, requests: list[SearchRequest]) -> int:
    """Compare every parsed query of ``requests``; returns how many queries were compared."""
    compared = 0
    with engine.searcher() as s:
        arrays = ArrayIndex(s, SegmentCache())
        for request in requests:
            parsed = engine.parse(request.q, request.scope)
            flt = build_filter(request)
            for query in (parsed.strict, parsed.relaxed):
                if query is None:
                    continue
                label = f"{request.q!r} scope={request.scope} filters={request.filters} {query}"
                assert_same_ranking(array_ranked(arrays, query, flt, s.weighting), whoosh_ranked(s, query, flt), label)
                match = arrays.evaluate(query, None)
                if flt is not None:
                    match.mask &= arrays.evaluate(flt, None).mask
                expected = whoosh_facets(s, query, flt)
                for name in FACET_FIELDS:
                    assert arrays.facet(name).counts(match.mask) == expected[name], f"{label}: facet {name}"
                compared += 1
    return compared


def test_demo_corpus_ranking_totals_and_facets_equal_whoosh(demo_engine: SearchEngine) -> None:
    requests = [SearchRequest(q=t, scope=scope) for t in TYPED for scope in SCOPES]
    compared = check_parity(demo_engine, requests)
    assert compared >= len(TYPED) * 2  # most typed queries parse in several scopes


def test_filters_and_date_ranges_equal_whoosh(demo_engine: SearchEngine) -> None:
    with demo_engine.searcher() as s:
        arrays = ArrayIndex(s, SegmentCache())
        issuers = arrays.facet("issuer").values
        doc_types = arrays.facet("doc_type").values
        years = arrays.facet("year").values
    assert issuers and doc_types and years
    requests = [
        SearchRequest(q="营商环境", filters={"doc_type": doc_types[:2]}),
        SearchRequest(q="住房公积金", filters={"issuer": issuers[:3], "year": years[:2]}),
        SearchRequest(q="通知", date_from=date(2023, 1, 1)),
        SearchRequest(q="通知", date_to=date(2022, 12, 31)),
        SearchRequest(q="办法", date_from=date(2022, 1, 1), date_to=date(2024, 6, 30), filters={"validity": ["有效"]}),
        SearchRequest(q="", filters={"topic": ["住房保障"]}),
    ]
    assert check_parity(demo_engine, requests) >= 5
    with demo_engine.searcher() as s:
        arrays = ArrayIndex(s, SegmentCache())
        for request in requests:
            flt = build_filter(request)
            assert flt is not None
            expected = {h.docnum for h in s.search(q.Every(), limit=None, filter=flt)}
            assert set(np.flatnonzero(arrays.evaluate(flt, None).mask)) == expected, str(flt)


def test_undated_documents_stay_out_of_date_ranges_and_sort_last(engine: SearchEngine, tmp_path: Path) -> None:
    small_corpus(tmp_path / "docs")
    undated = tmp_path / "docs" / "undated.txt"
    undated.write_text("关于住房公积金的说明\n\n住房公积金提取问答。\n", encoding="utf-8")
    sync_paths(engine, [tmp_path / "docs"])
    with engine.searcher() as s:
        arrays = ArrayIndex(s, SegmentCache())
        undated_doc = s.document_number(path=str(undated.resolve()))
        assert undated_doc is not None
        since = arrays.evaluate(build_filter(SearchRequest(date_from=date(2000, 1, 1))), None).mask  # type: ignore[arg-type]
        assert not since[undated_doc]
        everything = arrays.evaluate(q.Every(), None)
        newest = arrays.sorted_by_date(everything, 100, newest=True)
        oldest = arrays.sorted_by_date(everything, 100, newest=False)
        assert newest[-1] == undated_doc and oldest[-1] == undated_doc
        dated = [d for d in newest if d != undated_doc]
        assert dated == list(reversed([d for d in oldest if d != undated_doc]))


def test_several_segments_and_deletions_equal_whoosh(engine: SearchEngine, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # keep the deleted documents: a commit would purge a segment this small once half is gone
    monkeypatch.setattr(merge_policy, "PURGE_DELETED_SHARE", 1.01)
    docs = tmp_path / "docs"
    small_corpus(docs)
    sync_paths(engine, [docs])
    # a second commit: one document changed (deleted + re-added), one added, one removed
    write_doc(docs, "business.txt", body="为持续优化营商环境，推进一网通办，住房公积金业务全程网办。")
    write_doc(docs, "new.txt", number="示政发〔2025〕1号", title="示例市人民政府关于住房公积金提取的通知",
              body="住房公积金提取办法。营商环境。", date="2025年1月2日")
    (docs / "old_jobs.txt").unlink()
    sync_paths(engine, [docs])
    with engine.searcher() as s:
        reader = s.reader()
        segments = list(reader.leaf_readers())
        assert len(segments) > 1 or reader.has_deletions(), "the second commit should leave a new segment or deletions"
        assert reader.doc_count_all() > reader.doc_count()
    requests = [SearchRequest(q=t) for t in ["住房公积金", "营商环境", '"住房公积金 提取"', "稳岗返还", "公积金 提取 营商环境"]]
    requests.append(SearchRequest(q="住房公积金", filters={"year": ["2025", "2023"]}))
    assert check_parity(engine, requests) >= 6
    # the engine's results page: deleted documents are neither hits nor counted
    res = engine.search(SearchRequest(q="稳岗返还"))
    assert res.total == len(res.hits) == 1


def test_proximity_bonus_is_scored_on_the_best_required_matches_only(demo_engine: SearchEngine, monkeypatch: pytest.MonkeyPatch) -> None:
    from indexer import array_search

    parsed = demo_engine.parse("优化 营商环境")
    query = parsed.strict
    assert isinstance(query, q.AndMaybe), query
    with demo_engine.searcher() as s:
        exact = ArrayIndex(s, SegmentCache()).evaluate(query, s.weighting)
        required = ArrayIndex(s, SegmentCache()).evaluate(query.a, s.weighting)
        assert exact.count() > 2
        monkeypatch.setattr(array_search, "PROXIMITY_DEPTH", 2)
        bounded = ArrayIndex(s, SegmentCache()).evaluate(query, s.weighting)
    # the same matches (totals and facets do not change), and the bonus on the two best only
    assert np.array_equal(bounded.mask, exact.mask)
    ids = np.flatnonzero(required.mask)
    best = set(ids[np.argsort(-required.scores[ids], kind="stable")][:2].tolist())
    for d in ids.tolist():
        expected = exact.scores[d] if d in best else required.scores[d]
        assert bounded.scores[d] == pytest.approx(expected), d
    assert any(exact.scores[d] > required.scores[d] for d in best), "the bonus should apply somewhere in the top 2"


def test_a_segment_without_a_date_column_equals_whoosh(engine: SearchEngine, tmp_path: Path) -> None:
    docs = tmp_path / "docs"
    small_corpus(docs)
    sync_paths(engine, [docs])
    # a second commit of one undated document: its segment has no sort_date column at all
    (docs / "undated.txt").write_text("关于住房公积金的说明\n\n住房公积金提取问答。\n", encoding="utf-8")
    sync_paths(engine, [docs])
    with engine.searcher() as s:
        readers = [r for r, _ in s.reader().leaf_readers()]
        if all(r.has_column("sort_date") for r in readers):
            pytest.skip("the writer merged the new document into a dated segment")
    requests = [
        SearchRequest(q="住房公积金", date_from=date(2020, 1, 1)),
        SearchRequest(q="住房公积金", date_to=date(2023, 12, 31), filters={"year": ["2023"]}),
        SearchRequest(q="住房公积金"),
    ]
    assert check_parity(engine, requests) == 3
    res = engine.search(SearchRequest(q="住房公积金", sort="newest"))
    assert res.hits[-1].written_date is None  # the undated document last


def test_document_priors_follow_validity_and_age(demo_engine: SearchEngine) -> None:
    from datetime import date as date_type

    from whoosh.util.times import long_to_datetime

    from indexer.query import NOT_IN_FORCE, Ranking, RankingWeighting

    rk = Ranking()
    weighting = RankingWeighting(rk, today=date_type(2026, 6, 1))
    with demo_engine.searcher() as s:
        reader = s.reader()
        factors = weighting.document_priors(s)
        validity = list(reader.column_reader("validity"))
        dates = list(reader.column_reader("sort_date", translate=False))
        horizon = rk.age_penalty_years
        assert len(factors) == reader.doc_count_all() > 0
        for docnum in range(reader.doc_count_all()):
            expected = rk.not_in_force_factor if validity[docnum] in NOT_IN_FORCE else 1.0
            try:
                years = max(0.0, (weighting.today - long_to_datetime(dates[docnum]).date()).days / 365.25)
            except (OverflowError, ValueError):
                years = horizon / 2
            expected *= 1.0 - rk.age_penalty * min(years, horizon) / horizon
            assert factors[docnum] == pytest.approx(expected), docnum
        assert any(v in NOT_IN_FORCE for v in validity), "the demo corpus holds a repealed document"


def test_warm_loads_the_arrays_before_the_first_search(demo_engine: SearchEngine) -> None:
    demo_engine.warm()
    with demo_engine.searcher() as s:
        arrays = demo_engine._arrays(s)
        assert set(FACET_FIELDS) <= set(arrays._facets)
        assert "sort_date" in arrays._columns and arrays._priors
    assert demo_engine.search(SearchRequest(q="营商环境")).total > 0


def test_phrases_over_many_posting_blocks_equal_whoosh(engine: SearchEngine, monkeypatch: pytest.MonkeyPatch) -> None:
    from indexer import array_search
    from indexer.models import DocMeta, Document

    monkeypatch.setattr(array_search, "PROXIMITY_DEPTH", 10_000)  # exact: a bonus for every match, as Whoosh

    # 600 documents: posting lists of several blocks (Whoosh writes 128 postings a block)
    with engine.writer() as session:
        for n in range(600):
            if n % 3 == 0:
                body = f"第{n}条 申请住房公积金贷款的职工。"
            elif n % 3 == 1:
                body = f"第{n}条 住房公积金管理中心发放个人住房贷款。"
            else:
                body = f"第{n}条 贷款 住房公积金 缴存。"
            session.add(Document(id=f"d{n}", path=f"mem:d{n}", text=body, meta=DocMeta(title=f"文件{n}"), format="text"))
    requests = [SearchRequest(q='"住房公积金贷款"'), SearchRequest(q="住房公积金 贷款"), SearchRequest(q='"贷款 住房公积金"')]
    assert check_parity(engine, requests) >= 3
    with engine.searcher() as s:
        cache = SegmentCache()
        arrays = ArrayIndex(s, cache)
        first = arrays.evaluate(q.Phrase("body", ["住房公积金", "贷款"]), None).count()
        again = ArrayIndex(s, cache).evaluate(q.Phrase("body", ["住房公积金", "贷款"]), None).count()  # from cached blocks
        assert first == again == 200


def test_the_per_searcher_term_cache_stays_within_its_bound(demo_engine: SearchEngine) -> None:
    from indexer import array_search

    with demo_engine.searcher() as s:
        arrays = ArrayIndex(s, SegmentCache())
        arrays._recent.limit = 50
        for text in TYPED:
            for query in (demo_engine.parse(text).strict, demo_engine.parse(text).relaxed):
                if query is not None:
                    arrays.evaluate(query, s.weighting)
        assert arrays._recent.total <= 50
        assert arrays._recent.total == sum(array_search._entries(v) for v in arrays._recent.values())


def test_bounded_cache_evicts_least_recently_used_by_size() -> None:
    from indexer.array_search import BoundedCache

    cache = BoundedCache(10, size=len)
    cache.get("a", lambda: "aaaa")
    cache.get("b", lambda: "bbbb")
    cache.get("a", lambda: "never")  # a is now the most recent
    cache.get("c", lambda: "cccc")  # 12 > 10: b goes
    assert cache.get("a", lambda: "x") == "aaaa" and cache.get("c", lambda: "x") == "cccc"
    assert cache.get("b", lambda: "new") == "new"
    assert cache.total <= 10


def test_boosted_compounds_score_as_in_whoosh(demo_engine: SearchEngine) -> None:
    queries = [
        q.Or([q.Term("body", "营商环境")], boost=3.0),  # one subquery: Whoosh drops the boost
        q.Or([q.Term("body", "营商环境"), q.Term("title", "通知")], boost=2.5),
        q.And([q.Term("body", "营商环境"), q.Term("body", "优化")], boost=0.5),
        q.AndNot(q.Term("body", "营商环境"), q.Term("title", "通知")),
    ]
    with demo_engine.searcher() as s:
        arrays = ArrayIndex(s, SegmentCache())
        for query in queries:
            assert_same_ranking(array_ranked(arrays, query, None, s.weighting), whoosh_ranked(s, query, None), str(query))


def _in_order_by_hand(words: list[dict[int, list[int]]], slop: int) -> set[int]:
    found = set()
    for doc in set(words[0]).intersection(*words[1:]):
        ends = set(words[0][doc])
        for nxt in words[1:]:
            ends = {p for p in nxt[doc] if any(p - step in ends for step in range(1, slop + 1))}
        if ends:
            found.add(doc)
    return found


@settings(max_examples=300, deadline=None)
@given(
    words=st.lists(
        st.dictionaries(st.integers(0, 40), st.lists(st.integers(0, 30), min_size=1, max_size=6, unique=True), max_size=12),
        min_size=2, max_size=4,
    ),
    slop=st.integers(1, 3),
)
def test_in_order_is_the_ordered_near_check(words: list[dict[int, list[int]]], slop: int) -> None:
    from indexer.array_search import _in_order

    pairs = []
    for postings in words:
        docs = [d for d in sorted(postings) for _ in postings[d]]
        positions = [p for d in sorted(postings) for p in sorted(postings[d])]
        pairs.append((np.array(docs, dtype=np.int64), np.array(positions, dtype=np.int64)))
    assert set(_in_order(pairs, slop).tolist()) == _in_order_by_hand(words, slop)
