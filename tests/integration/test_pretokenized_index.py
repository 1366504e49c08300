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


def _build(tmp_path: Path, name: str, pretokenize: bool, monkeypatch: pytest.MonkeyPatch) -> SearchEngine:
    monkeypatch.setattr(sync, "PRETOKENIZE", pretokenize)
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


def test_index_from_worker_tokens_is_identical(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    fresh = _build(tmp_path, "fresh", False, monkeypatch)
    replayed = _build(tmp_path, "replayed", True, monkeypatch)
    with fresh, replayed:
        assert fresh.count() == replayed.count() > 4
        fresh_postings = _postings(fresh)
        assert fresh_postings == _postings(replayed)
        assert len(fresh_postings) > 1000
        # stored text is the plain text, not the token-carrying value
        for stored in replayed.all_stored():
            assert type(stored["title"]) is str and type(stored["body"]) is str
        for text in QUERIES:
            request = SearchRequest(q=text, page_size=20)
            a, b = fresh.search(request), replayed.search(request)
            assert [(h.id, round(h.score, 6), h.snippet) for h in a.hits] == [(h.id, round(h.score, 6), h.snippet) for h in b.hits]
            assert a.total == b.total and a.facets == b.facets
        assert fresh.search(SearchRequest(q='"优化营商环境"')).total > 0
