"""SIGKILL during an index run: the index opens with the last commit and the next run converges.

The full harness (>= 20 kills at random points, figures) is benchmarks/crash_harness.py.
"""

from __future__ import annotations

import random
import subprocess
from pathlib import Path

import pytest

from benchmarks import crash_harness
from benchmarks.crash_harness import (
    _env,
    disk_state,
    index_command,
    index_state,
    mutate,
    run_and_kill,
    write_corpus,
)
from indexer import store


@pytest.fixture
def indexed(tmp_path: Path) -> tuple[Path, Path, dict[str, str]]:
    folder, index_dir = tmp_path / "docs", tmp_path / "index"
    # enough documents that a run outlasts the harness's kill window (EXTRACTION_KILL_WINDOW
    # after the extraction workers appear): since the writer pools by term, 24 could finish inside it
    write_corpus(folder, 200, random.Random(1))
    subprocess.run(index_command(folder, index_dir), env=_env(2), check=True, capture_output=True)
    state = index_state(index_dir)
    assert state == disk_state(folder)
    return folder, index_dir, state


@pytest.mark.slow
@pytest.mark.parametrize("rebuild, segments", [(False, False), (True, False), (True, True)],
                         ids=["incremental", "rebuild", "rebuild-worker-segments"])
def test_kill_during_extraction_keeps_last_commit_and_next_run_converges(
    indexed: tuple[Path, Path, dict[str, str]], rebuild: bool, segments: bool, monkeypatch: pytest.MonkeyPatch
) -> None:
    if segments:  # the killed run's workers write segments of their own (runs this small use the one writer)
        monkeypatch.setattr(crash_harness, "SEGMENT_BATCH_MIN_FILES", 4)
    folder, index_dir, committed = indexed
    rng = random.Random(5)
    mutate(folder, rng, 1, 120)
    extra = ("--rebuild",) if rebuild else ()
    result = run_and_kill(index_command(folder, index_dir, *extra), index_dir, "extraction", rng, full_seconds=60, workers=2)
    assert result.phase in ("extraction", "commit", "writing"), result
    assert result.orphans == 0, "extraction workers outlived the killed run (and kept its lock)"
    # the kill lands soon after the workers appear; on a fast machine the run may
    # have committed by then: the index must hold one whole commit, the old or the new, never a mix
    assert index_state(index_dir) in (committed, disk_state(folder))
    # no --wait: a killed run must not leave a lock behind
    recovery = subprocess.run(index_command(folder, index_dir), env=_env(2), capture_output=True, text=True)
    assert recovery.returncode == 0, recovery.stderr
    assert index_state(index_dir) == disk_state(folder)
    generations = sorted(p.name for p in index_dir.glob("gen-*"))
    assert store.live_generation(index_dir).name == generations[-1]
