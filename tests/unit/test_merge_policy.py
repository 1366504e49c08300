"""indexer.merge_policy: tiers by size, a cap, and purging of mostly deleted segments."""

from __future__ import annotations

import pytest

from indexer import merge_policy
from indexer.merge_policy import MAX_MERGE_MB, MERGE_FACTOR, SegmentSize, plan_merges, tier


def merged(segments: list[SegmentSize]) -> set[int]:
    return set(plan_merges(segments).merge)


def sizes(*mbs: float, documents: int = 100, deleted: int = 0) -> list[SegmentSize]:
    return [SegmentSize(mb, documents, deleted) for mb in mbs]


@pytest.mark.parametrize("mb, expected", [(0.0, 0), (0.99, 0), (1.0, 1), (9.9, 1), (10.0, 2), (99.0, 2), (100.0, 3)])
def test_tier_is_the_order_of_magnitude(mb: float, expected: int) -> None:
    assert tier(mb) == expected


def test_nothing_merges_below_the_factor() -> None:
    assert merged(sizes(*[0.5] * (MERGE_FACTOR - 1), *[5.0] * (MERGE_FACTOR - 1))) == set()


def test_a_full_tier_merges_and_only_that_tier() -> None:
    segments = sizes(*[0.5] * MERGE_FACTOR, 5.0, 5.0, 20.0)
    assert merged(segments) == set(range(MERGE_FACTOR))


def test_segments_at_the_cap_never_merge_by_tier() -> None:
    # the regression this policy fixes: many alike segments of one pool's size each
    full = sizes(*[MAX_MERGE_MB * 2.5] * 16)
    assert merged(full) == set()
    at_cap = sizes(*[MAX_MERGE_MB] * (MERGE_FACTOR + 2))
    assert merged(at_cap) == set()
    below = sizes(*[MAX_MERGE_MB * 0.9] * MERGE_FACTOR)
    assert merged(below) == set(range(MERGE_FACTOR))


def test_mostly_deleted_segments_are_purged_whatever_their_size() -> None:
    segments = [SegmentSize(200.0, 10_000, 5_000), SegmentSize(200.0, 10_000, 4_999), SegmentSize(0.1, 0, 0)]
    assert merged(segments) == {0}


def test_wholly_deleted_segments_are_dropped_unread() -> None:
    plan = plan_merges([SegmentSize(200.0, 10_000, 10_000), SegmentSize(200.0, 10_000, 6_000), SegmentSize(5.0, 10, 0)])
    assert plan.drop == {0} and plan.merge == {1}


def test_one_commit_merges_at_most_the_factor_smallest_of_a_tier() -> None:
    # twenty alike segments under the cap: one commit takes ten, the smallest
    segments = sizes(*[27.0 - i * 0.1 for i in range(2 * MERGE_FACTOR)])
    assert merged(segments) == set(range(MERGE_FACTOR, 2 * MERGE_FACTOR))


def test_the_cap_and_factor_are_read_at_call_time(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(merge_policy, "MERGE_FACTOR", 2)
    assert merged(sizes(0.1, 0.2, 5.0)) == {0, 1}
