"""Which existing segments a commit merges: tiers by size, so each commit's merge cost stays bounded.

Whoosh's default policy (``MERGE_SMALL``) compares running document totals with a Fibonacci
sequence. On an index whose segments are many and alike (the ~20 segments the extraction
workers write for 10^5 documents, each of one worker's pool) that rule finds its merge point
near the end and merges almost the whole index into the committing writer: an incremental
reindex of 1 % of a 10^5-document index spent over six minutes re-pooling it in one process.

This policy is the log-structured one search engines use (Lucene's ``LogByteSizeMergePolicy``):

* a segment's **tier** is the order of magnitude of its size on disk
  (``< 1 MB``, ``< 10 MB``, ``< 100 MB``, …), so documents of any length weigh alike;
* a tier holding :data:`MERGE_FACTOR` or more segments has its ``MERGE_FACTOR`` smallest
  merged into one (the next tier up): every document is merged about ``log10(index size)``
  times in its life, the number of segments stays about ``MERGE_FACTOR`` per tier, and one
  commit merges at most ``MERGE_FACTOR`` x :data:`MAX_MERGE_MB` per tier;
* segments of :data:`MAX_MERGE_MB` or more are not merged by tier: they are as big as one
  writer's pool makes them, and merging them would rewrite most of the index in one commit;
* a segment of which :data:`PURGE_DELETED_SHARE` or more of its documents are deleted is
  rewritten without them, whatever its size: its live documents are at most as many as the
  deletions that came first, so the cost is bounded by the updates that caused it; a segment
  whose documents are all deleted is dropped without being read.

:func:`plan_merges` is the decision on sizes alone (tested on its own); :func:`tiered_merge`
is the Whoosh merge policy that applies it.
"""

from __future__ import annotations

import logging
import math
from collections import defaultdict
from dataclasses import dataclass
from typing import Any

from whoosh.reading import SegmentReader

from indexer.segments import segment_file_names

logger = logging.getLogger(__name__)

#: Segments in one tier that are merged into one.
MERGE_FACTOR = 10
#: Size (MB on disk) from which a segment is not merged by tier.
MAX_MERGE_MB = 32.0
#: Share of deleted documents from which a segment is rewritten without them.
PURGE_DELETED_SHARE = 0.5
#: Upper bound of the lowest tier, in MB; each tier above is ten times larger.
SMALLEST_TIER_MB = 1.0


@dataclass(frozen=True)
class SegmentSize:
    """What the policy knows of a segment."""

    mb: float
    documents: int
    deleted: int


def tier(mb: float) -> int:
    """The order of magnitude of a segment of ``mb`` megabytes: 0 below 1 MB, 1 below 10 MB, …"""
    if mb < SMALLEST_TIER_MB:
        return 0
    return 1 + int(math.floor(math.log10(mb / SMALLEST_TIER_MB)))


@dataclass(frozen=True)
class MergePlan:
    """Positions (in the list given to :func:`plan_merges`) of the segments to merge, and of
    those to drop unread (every document deleted)."""

    merge: frozenset[int]
    drop: frozenset[int]


def plan_merges(sizes: list[SegmentSize]) -> MergePlan:
    """What a commit does with the existing segments of these sizes.

    At most :data:`MERGE_FACTOR` segments of a tier are merged by one commit (its smallest),
    so one commit's merge is bounded by ``MERGE_FACTOR`` x :data:`MAX_MERGE_MB`.
    """
    drop = {i for i, size in enumerate(sizes) if size.documents and size.deleted >= size.documents}
    merge = {
        i for i, size in enumerate(sizes)
        if i not in drop and size.documents and size.deleted / size.documents >= PURGE_DELETED_SHARE
    }
    tiers: dict[int, list[int]] = defaultdict(list)
    for i, size in enumerate(sizes):
        if i not in drop and i not in merge and size.mb < MAX_MERGE_MB:
            tiers[tier(size.mb)].append(i)
    for members in tiers.values():
        if len(members) >= MERGE_FACTOR:
            merge.update(sorted(members, key=lambda i: sizes[i].mb)[:MERGE_FACTOR])
    return MergePlan(frozenset(merge), frozenset(drop))


def segment_mb(storage: Any, indexname: str, segment: Any) -> float:
    """The size on disk of ``segment``'s files (one compound file, or several)."""
    if segment.is_compound():
        return storage.file_length(segment.make_filename(segment.COMPOUND_EXT)) / 1e6
    names = segment_file_names(storage, indexname, {segment.segment_id()})
    return sum(storage.file_length(name) for name in names) / 1e6


def tiered_merge(writer: Any, segments: list[Any]) -> list[Any]:
    """A Whoosh merge policy (``writer.commit(mergetype=tiered_merge)``): merges the segments
    :func:`plan_merges` picks into the committing writer and returns those kept."""
    sizes = [
        SegmentSize(segment_mb(writer.storage, writer.indexname, s), s.doc_count_all(), s.deleted_count())
        for s in segments
    ]
    plan = plan_merges(sizes)
    if not plan.merge and not plan.drop:
        return list(segments)
    logger.info("merging %d of %d segments (%d documents), dropping %d wholly deleted", len(plan.merge), len(segments),
                sum(sizes[i].documents - sizes[i].deleted for i in plan.merge), len(plan.drop))
    flush_if_full = getattr(writer, "_flush_if_full", None)
    for i in sorted(plan.merge):
        reader = SegmentReader(writer.storage, writer.schema, segments[i])
        try:
            writer.add_reader(reader)
        finally:
            reader.close()
        if flush_if_full is not None:
            # add_reader fills the pool without finishing segments (PooledSegmentWriter
            # does that in add_document): finish one here, so a merge's memory stays bounded
            flush_if_full()
    return [s for i, s in enumerate(segments) if i not in plan.merge and i not in plan.drop]
