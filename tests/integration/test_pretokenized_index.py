"""Tokenise once: an index written from worker-made token spans equals one written by jieba in the writer."""

from __future__ import annotations

from pathlib import Path

import pytest

from indexer import sync
from indexer.config import Config
from indexer.engine import SearchEngine
from indexer.models import SearchRequest
from indexer.sync import sync_paths

ROOT = Path(__file__).resolve().parents[2]
DEMO = ROOT / "corpus"

QUERIES = [
    "住房公积金",
    '"优化营商环境"',
    '"营商环境"',
    "养老服务 补贴",
    "如何申请失业保险稳岗返还",
    "医疗保险",
    "中华人民共和国",
]


def _build(tmp_path: Path, name: str, mode: str, monkeypatch: pytest.MonkeyPatch) -> SearchEngine:
    monkeypatch.setattr(sync, "WORKER_ANALYSIS", mode)
    engine = SearchEngine(Config.from_env({}, index_dir=tmp_path / name, workers=2))
    summary = sync_paths(engine, [DEMO])
    assert summary.added and not summary.failed
    return engine


def _postings(engine: SearchEngine) -> dict[tuple[str, str, str], list[int]]:
    """(field, term, document id) -> positions, for every text field."""
    out: dict[tuple[str, str, str], list[int]] = {}
    with engine.searcher() as s:
        reader = s.reader()
        ids = {docnum: stored["id"] for docnum, stored in reader.iter_docs()}
        for fieldname in ("title", "body", "issuer_text"):
            for term in reader.lexicon(fieldname):
                m = reader.postings(fieldname, term)
                while m.is_active():
                    out[(fieldname, term.decode("utf-8"), ids[m.id()])] = list(m.value_as("positions"))
                    m.next()
    return out


@pytest.mark.parametrize("mode", ["spans", "postings"])
def test_index_from_worker_analysis_is_identical(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, mode: str) -> None:
    fresh = _build(tmp_path, "fresh", "none", monkeypatch)
    replayed = _build(tmp_path, mode, mode, monkeypatch)
    with fresh, replayed:
        assert fresh.count() == replayed.count() > 4
        fresh_postings = _postings(fresh)
        assert fresh_postings == _postings(replayed)
        assert len(fresh_postings) > 1000
        with fresh.searcher() as a, replayed.searcher() as b:
            # field lengths (BM25's document lengths) and the sort column agree too
            ra, rb = a.reader(), b.reader()
            by_id_a = {st["id"]: n for n, st in ra.iter_docs()}
            by_id_b = {st["id"]: n for n, st in rb.iter_docs()}
            for doc_id, n in by_id_a.items():
                for fieldname in ("title", "body"):
                    assert ra.doc_field_length(n, fieldname) == rb.doc_field_length(by_id_b[doc_id], fieldname)
        # stored text is the plain text, not the token-carrying value
        for stored in replayed.all_stored():
            assert type(stored["title"]) is str and type(stored["body"]) is str
        for text in QUERIES:
            request = SearchRequest(q=text, page_size=20)
            a, b = fresh.search(request), replayed.search(request)
            assert [(h.id, round(h.score, 6), h.snippet) for h in a.hits] == [(h.id, round(h.score, 6), h.snippet) for h in b.hits]
            assert a.total == b.total and a.facets == b.facets
        assert fresh.search(SearchRequest(q='"优化营商环境"')).total > 0
        # newest first: the same order of dates; documents of one date come in index order,
        # which in worker modes is the order the workers finished in
        newest = SearchRequest(q="", sort="newest", page_size=100)
        by_date_a, by_date_b = ([(h.written_date or h.published_date, h.id) for h in e.search(newest).hits] for e in (fresh, replayed))
        assert len(by_date_a) == fresh.count()
        assert [d for d, _ in by_date_a] == [d for d, _ in by_date_b]
        assert sorted(by_date_a, key=str) == sorted(by_date_b, key=str)


def test_reindexing_a_changed_file_replaces_it(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(sync, "WORKER_ANALYSIS", "postings")
    docs = tmp_path / "docs"
    docs.mkdir()
    for n in range(6):
        (docs / f"d{n}.txt").write_text(f"关于第{n}项工作的通知\n\n住房公积金提取标记甲{n}。\n", encoding="utf-8")
    engine = SearchEngine(Config.from_env({}, index_dir=tmp_path / "ix", workers=2))
    with engine:
        sync_paths(engine, [docs])
        for n in range(4):  # four, so the update goes through the worker pool too
            (docs / f"d{n}.txt").write_text(f"关于第{n}项工作的通知\n\n养老服务补贴标记乙{n}。\n", encoding="utf-8")
        assert len(sync_paths(engine, [docs]).updated) == 4
        assert engine.count() == 6
        assert engine.search(SearchRequest(q="养老服务补贴")).total == 4
        hits = engine.search(SearchRequest(q="住房公积金提取")).hits
        assert sorted(h.path for h in hits) == [str(docs / "d4.txt"), str(docs / "d5.txt")]
