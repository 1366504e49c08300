"""Commits merge existing segments by tier (indexer.merge_policy), through the engine's writer."""

from __future__ import annotations

import pytest

from indexer import merge_policy
from indexer.engine import SearchEngine
from indexer.models import DocMeta, Document, SearchRequest


def doc(n: int, version: int = 0) -> Document:
    return Document(id=f"d{n}", path=f"mem:{n}", text=f"住房公积金提取办法第{n}条。" + ("修订稿" if version else "征求意见稿"),
                    meta=DocMeta(title=f"办法 {n}"), format="text")


def segments(engine: SearchEngine) -> list[tuple[int, int]]:
    """(documents, deleted) of each segment of the engine's index."""
    return [(s.doc_count_all(), s.deleted_count()) for s in engine._index()._segments()]


def hits(engine: SearchEngine, q: str) -> int:
    return engine.search(SearchRequest(q=q)).total


def test_many_small_commits_keep_few_segments(engine: SearchEngine) -> None:
    commits = 3 * merge_policy.MERGE_FACTOR
    for n in range(commits):
        with engine.writer() as session:
            session.add(doc(n))
        assert len(segments(engine)) <= merge_policy.MERGE_FACTOR  # a full tier is merged at once
    assert sum(d - x for d, x in segments(engine)) == commits
    assert hits(engine, "住房公积金") == commits


def test_segments_at_the_cap_are_left_alone(engine: SearchEngine, monkeypatch: pytest.MonkeyPatch) -> None:
    # the 10^5 regression: ~20 alike segments, each one pool's worth, must not be merged into one commit
    monkeypatch.setattr(merge_policy, "MAX_MERGE_MB", 0.0)
    commits = merge_policy.MERGE_FACTOR + 3
    for n in range(commits):
        with engine.writer() as session:
            session.add(doc(n))
    assert len(segments(engine)) == commits


def test_a_mostly_replaced_segment_is_rewritten_without_its_deleted_documents(engine: SearchEngine) -> None:
    with engine.writer() as session:
        for n in range(4):
            session.add(doc(n))
    with engine.writer() as session:  # a quarter replaced: the old segment keeps its deletion
        session.add(doc(0, version=1))
    assert sorted(segments(engine)) == [(1, 0), (4, 1)]
    with engine.writer() as session:  # half replaced: the commit rewrites it without them
        session.add(doc(1, version=1))
    assert sum(x for _, x in segments(engine)) == 0
    assert sum(d for d, _ in segments(engine)) == 4
    assert hits(engine, "修订稿") == 2 and hits(engine, "征求意见稿") == 2


def test_a_merge_finishes_segments_when_the_pool_fills(engine: SearchEngine) -> None:
    from indexer.merge_policy import tiered_merge
    from indexer.segments import PooledSegmentWriter, TermPool

    for n in range(merge_policy.MERGE_FACTOR):
        with engine.writer() as session:
            session.add(doc(n))
    ix = engine._index()
    writer = PooledSegmentWriter(ix, limitmb=1)
    writer._limit = 2_000  # bytes: a few documents' postings
    writer.pool = TermPool(writer._limit)
    writer.commit(mergetype=tiered_merge)
    engine.close()
    assert len(segments(engine)) > 1  # the merged documents did not all go into one pooled segment
    assert sum(d - x for d, x in segments(engine)) == merge_policy.MERGE_FACTOR
    assert hits(engine, "住房公积金") == merge_policy.MERGE_FACTOR
