"""Searching a small index: phrases, doc numbers, facets, filters, sorting, paging, escaping."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from indexer.engine import SearchEngine
from indexer.errors import IndexUnavailable, InvalidParameter
from indexer.models import SearchRequest
from indexer.sync import sync_paths

from .docs_factory import small_corpus, write_doc


@pytest.fixture
def indexed(engine: SearchEngine, tmp_path: Path) -> SearchEngine:
    small_corpus(tmp_path / "docs")
    sync_paths(engine, [tmp_path / "docs"])
    return engine


def search(engine: SearchEngine, q: str = "", **kwargs: object) -> list[str]:
    res = engine.search(SearchRequest(q=q, **kwargs))  # type: ignore[arg-type]
    return [h.doc_number for h in res.hits]


def test_no_index_is_a_clear_error(engine: SearchEngine) -> None:
    with pytest.raises(IndexUnavailable, match="no index here yet"):
        engine.search(SearchRequest(q="公积金"))


def test_quoted_phrase_matches_only_contiguous_words(indexed: SearchEngine) -> None:
    assert search(indexed, '"优化营商环境"') == ["示政发〔2024〕3号"]
    assert search(indexed, '"稳岗返还实施办法"') == ["示人社规〔2022〕2号"]
    # both words occur in the corpus, never side by side
    assert search(indexed, '"营商环境 房租"') == []


@pytest.mark.parametrize(
    "typed",
    [
        "示人社规〔2022〕2号",
        "示人社规[2022]2号",
        "示人社规［2022］2号",
        "示人社规(2022)2号",
        "示人社规（2022）2号",
        "示人社规【2022】2号",
        "示人社规2022年2号",
        "示人社规 2022 2号",
        "示人社规〔2022〕第2号",
        "示人社规〔２０２２〕２号",
    ],
)
def test_doc_number_in_every_spelling_finds_the_document_first(indexed: SearchEngine, typed: str) -> None:
    found = search(indexed, typed)
    assert found and found[0] == "示人社规〔2022〕2号"


def test_doc_number_scope_does_not_match_body_text(indexed: SearchEngine) -> None:
    assert search(indexed, "示政发〔2024〕3号", scope="doc_number") == ["示政发〔2024〕3号"]


def test_words_are_all_required_then_relaxed(indexed: SearchEngine) -> None:
    res = indexed.search(SearchRequest(q="公积金 房租"))
    assert [h.doc_number for h in res.hits] == ["示公积金发〔2023〕5号"] and not res.relaxed
    res = indexed.search(SearchRequest(q="公积金 稳岗返还"))
    assert res.relaxed and res.total >= 2


def test_snippet_marks_terms_and_title_is_marked(indexed: SearchEngine) -> None:
    hit = indexed.search(SearchRequest(q="房租")).hits[0]
    assert "<mark>房租</mark>" in hit.snippet
    hit = indexed.search(SearchRequest(q="稳岗返还")).hits[0]
    assert "<mark>" in hit.title


def test_facet_counts_follow_the_query(indexed: SearchEngine) -> None:
    res = indexed.search(SearchRequest(q="稳岗返还"))
    issuers = dict(res.facets["issuer"])
    assert issuers == {"示例市人力资源和社会保障局": 2}
    years = dict(res.facets["year"])
    assert years == {"2022": 1, "2019": 1}
    everything = indexed.search(SearchRequest(q=""))
    assert sum(c for _, c in everything.facets["year"]) == 4


def test_filters_and_multi_select_facets(indexed: SearchEngine) -> None:
    res = indexed.search(SearchRequest(q="", filters={"year": ["2022"]}))
    assert [h.doc_number for h in res.hits] == ["示人社规〔2022〕2号"]
    # the selected field still lists its other values, so more can be added
    assert dict(res.facets["year"]) == {"2024": 1, "2023": 1, "2022": 1, "2019": 1}
    two = indexed.search(SearchRequest(q="", filters={"year": ["2022", "2019"]}))
    assert two.total == 2
    both = indexed.search(SearchRequest(q="", filters={"year": ["2022", "2019"], "doc_type": ["意见"]}))
    assert both.total == 0


def test_date_range(indexed: SearchEngine) -> None:
    found = search(indexed, "", date_from=date(2022, 1, 1), date_to=date(2023, 12, 31), sort="oldest")
    assert found == ["示人社规〔2022〕2号", "示公积金发〔2023〕5号"]


def test_sorting(indexed: SearchEngine) -> None:
    newest = search(indexed, "", sort="newest")
    assert newest == ["示政发〔2024〕3号", "示公积金发〔2023〕5号", "示人社规〔2022〕2号", "示人社规〔2019〕7号"]
    assert search(indexed, "", sort="oldest") == list(reversed(newest))


def test_pagination(indexed: SearchEngine) -> None:
    first = indexed.search(SearchRequest(q="", sort="newest", page=1, page_size=3))
    second = indexed.search(SearchRequest(q="", sort="newest", page=2, page_size=3))
    assert first.total == second.total == 4 and first.pages == 2
    assert len(first.hits) == 3 and len(second.hits) == 1
    assert {h.id for h in first.hits}.isdisjoint({h.id for h in second.hits})


@pytest.mark.parametrize(
    "request_kwargs, param",
    [({"sort": "random"}, "sort"), ({"scope": "x"}, "scope"), ({"page": 0}, "page"), ({"page_size": 1000}, "page_size")],
)
def test_bad_parameters_name_themselves(indexed: SearchEngine, request_kwargs: dict, param: str) -> None:
    with pytest.raises(InvalidParameter) as info:
        indexed.search(SearchRequest(q="公积金", **request_kwargs))
    assert info.value.name == param


@pytest.mark.parametrize("q", ['"unclosed', "title:", "((((", "AND OR NOT", "*", "?公积金", "title:\"\"", "文号:xx", "：：：", "a" * 5000])
def test_malformed_queries_never_raise(indexed: SearchEngine, q: str) -> None:
    res = indexed.search(SearchRequest(q=q))
    assert res.total >= 0


def test_markup_in_documents_is_escaped(engine: SearchEngine, tmp_path: Path) -> None:
    write_doc(
        tmp_path / "x",
        "evil.txt",
        title="关于<script>alert(1)</script>公积金的通知",
        body="正文<img src=x onerror=alert(2)>公积金提取。",
        number="示政发〔2020〕1号",
    )
    sync_paths(engine, [tmp_path / "x"])
    hit = engine.search(SearchRequest(q="公积金")).hits[0]
    for markup in (hit.title, hit.snippet):
        assert "<script" not in markup and "<img" not in markup
        assert "&lt;" in markup


def test_get_and_stats(indexed: SearchEngine) -> None:
    hit = indexed.search(SearchRequest(q="房租")).hits[0]
    doc = indexed.get(hit.id)
    assert doc is not None and "房租" in doc.text and doc.meta.written_date == date(2023, 6, 1)
    assert indexed.get("nope") is None
    stats = indexed.stats()
    assert stats["documents"] == 4 and stats["formats"] == {"text": 4}


def test_search_sees_new_commits_without_reopening(indexed: SearchEngine, tmp_path: Path) -> None:
    assert search(indexed, "垃圾分类") == []
    write_doc(tmp_path / "docs", "new.txt", title="示例市关于垃圾分类的通告", number="示城管〔2021〕1号")
    writer_side = SearchEngine(indexed.config)
    sync_paths(writer_side, [tmp_path / "docs"])
    assert search(indexed, "垃圾分类") == ["示城管〔2021〕1号"]


def test_undated_documents_sort_last_both_ways(indexed: SearchEngine, tmp_path: Path) -> None:
    (tmp_path / "docs" / "undated.txt").write_text("示例市关于无日期文件的说明\n\n正文没有成文日期。", encoding="utf-8")
    sync_paths(indexed, [tmp_path / "docs"])
    for sort in ("newest", "oldest"):
        res = indexed.search(SearchRequest(q="", sort=sort, facets=False))
        assert res.total == 5
        assert res.hits[-1].written_date is None and all(h.written_date for h in res.hits[:-1]), sort


def test_priors_over_segments_without_a_validity_column(engine: SearchEngine) -> None:
    """Whoosh's own collector (more-like-this, fallbacks) over segments some of which have no
    validity column: Whoosh-Reloaded's MultiReader.column_reader skips those, so the priors
    must be read segment by segment."""
    import numpy as np
    from whoosh import query as wq

    from indexer.models import DocMeta, Document
    from indexer.query import RankingWeighting
    from indexer.writing import document_fields

    with engine.writer() as session:
        session.add(Document(id="d0", path="mem:0", text="住房公积金提取办法。", meta=DocMeta(title="办法 0", validity="已废止"), format="text"))
    ix = engine._index()
    for batch in range(4):
        writer = ix.writer()
        for k in range(3):
            n = batch * 3 + k + 1
            validity = "已废止" if batch % 2 else ""  # even batches: no validity column at all
            doc = Document(id=f"d{n}", path=f"mem:{n}", text=f"住房公积金提取办法第{n}条。", meta=DocMeta(title=f"办法 {n}", validity=validity), format="text")
            writer.add_document(**document_fields(doc))
        writer.commit(merge=False)  # keep the small segments apart
    engine.close()
    with engine.searcher() as s:
        assert len(s.reader().leaf_readers()) == 5
        priors = RankingWeighting().document_priors(s)
        repealed = np.array([s.stored_fields(d).get("validity") == "已废止" for d in range(s.doc_count_all())])
        assert priors.shape == repealed.shape
        assert (priors[repealed] < priors[~repealed].min()).all()  # every repealed one, whatever its segment
        assert len(s.search(wq.Term("body", "提取"), limit=None)) == 13  # Whoosh's collector, with final()
    assert engine.more_like_this("d1")
