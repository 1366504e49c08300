"""A batch of hostile files: each is reported with its path and a clear reason, the rest is indexed."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from benchmarks.hostile_files import LIMITS, HostileCase, build_hostile_set, check, outcome_of
from indexer.config import Config
from indexer.engine import SearchEngine
from indexer.models import SearchRequest
from indexer.sync import SyncSummary, sync_paths


@pytest.fixture(scope="module")
def hostile_run(tmp_path_factory: pytest.TempPathFactory) -> tuple[list[HostileCase], SyncSummary, Path]:
    """The hostile batch indexed once with two extraction processes and small limits."""
    work = tmp_path_factory.mktemp("hostile")
    cases = build_hostile_set(work / "batch")
    config = Config.from_env({}, index_dir=work / "index", workers=2, **LIMITS)
    with SearchEngine(config) as engine:
        summary = sync_paths(engine, [work / "batch"])
    return cases, summary, work / "index"


def _summary_dict(summary: SyncSummary) -> dict:
    data = summary.to_dict()
    data["added_paths"] = set(summary.added)
    return data


@pytest.mark.slow
def test_every_hostile_input_is_reported_as_expected(hostile_run: tuple[list[HostileCase], SyncSummary, Path]) -> None:
    cases, summary, _ = hostile_run
    data = _summary_dict(summary)
    wrong = []
    for case in cases:
        outcome, reason = outcome_of(case, data)
        if not check(case, outcome, reason):
            wrong.append(f"{case.label}: expected {case.outcome} /{case.reason}/, got {outcome} {reason!r}")
    assert not wrong, "\n".join(wrong)


def test_every_file_seen_has_exactly_one_outcome(hostile_run: tuple[list[HostileCase], SyncSummary, Path]) -> None:
    _, summary, _ = hostile_run
    reported = [r.path for r in summary.failed + summary.skipped] + summary.added + summary.updated
    assert len(reported) == len(set(reported)) == summary.files_seen
    for report in summary.failed + summary.skipped:
        assert os.path.isabs(report.path) and report.reason.strip()


def test_good_files_of_the_batch_are_searchable(hostile_run: tuple[list[HostileCase], SyncSummary, Path]) -> None:
    cases, _, index_dir = hostile_run
    with SearchEngine(Config.from_env({}, index_dir=index_dir)) as engine:
        for title in ("国标编码文件", "双字节编码文件", "文件名含换行", "文件名以短横线开头", "超长文件名"):
            res = engine.search(SearchRequest(q=title, scope="title", facets=False))
            assert res.total >= 1, title
        indexed = {case.path for case in cases if case.outcome in ("added", "warning")}
        assert engine.count() == len(indexed)


def test_slow_file_is_cut_off_by_file_timeout(tmp_path: Path) -> None:
    # a 1.5 MB text takes far longer than 10 ms through cleanup and metadata
    slow = tmp_path / "docs" / "slow.txt"
    slow.parent.mkdir()
    slow.write_text(("住房公积金提取政策通知。" * 50 + "\n") * 2500, encoding="utf-8")
    config = Config.from_env({}, index_dir=tmp_path / "index", workers=1, file_timeout=0.01, max_chars=10_000_000)
    with SearchEngine(config) as engine:
        summary = sync_paths(engine, [slow.parent])
    assert [(r.path, r.reason) for r in summary.failed] == [(str(slow), "took longer than 0.01 s to extract")]


def test_file_timeout_also_applies_in_worker_processes(tmp_path: Path) -> None:
    docs = tmp_path / "docs"
    docs.mkdir()
    for n in range(4):
        (docs / f"slow{n}.txt").write_text(("稳岗返还实施办法。" * 60 + "\n") * 2000, encoding="utf-8")
    config = Config.from_env({}, index_dir=tmp_path / "index", workers=2, file_timeout=0.01, max_chars=10_000_000)
    with SearchEngine(config) as engine:
        summary = sync_paths(engine, [docs])
    assert sorted(r.reason for r in summary.failed) == ["took longer than 0.01 s to extract"] * 4
    assert not summary.added


def test_unreadable_file_is_reported(tmp_path: Path) -> None:
    if os.geteuid() == 0:
        pytest.skip("running as root: chmod 000 does not stop root reading (the batch uses a dangling symlink instead)")
    docs = tmp_path / "docs"
    docs.mkdir()
    locked = docs / "locked.txt"
    locked.write_text("示例市关于不可读文件的通知", encoding="utf-8")
    locked.chmod(0)
    try:
        config = Config.from_env({}, index_dir=tmp_path / "index", workers=1)
        with SearchEngine(config) as engine:
            summary = sync_paths(engine, [docs])
    finally:
        locked.chmod(0o644)
    assert [r.path for r in summary.failed] == [str(locked)]
    assert "Permission denied" in summary.failed[0].reason
