"""Concurrent writers take turns; a killed writer's lock is released; searches go on during a rebuild."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

from indexer import store
from indexer.cli import main as cli_main
from indexer.config import Config
from indexer.engine import SearchEngine
from indexer.errors import IndexLocked
from indexer.models import SearchRequest
from indexer.sync import sync_paths

from ..integration.docs_factory import write_doc

ROOT = Path(__file__).resolve().parents[2]


def _corpus(folder: Path, count: int) -> Path:
    for n in range(count):
        write_doc(folder, f"d{n:03d}.txt", title=f"示例市人民政府关于第{n}项工作的通知", number=f"示政发〔2024〕{n}号")
    return folder


@pytest.fixture
def indexed(tmp_path: Path) -> tuple[Config, Path]:
    docs = _corpus(tmp_path / "docs", 12)
    config = Config.from_env({}, index_dir=tmp_path / "index", workers=1)
    with SearchEngine(config) as engine:
        sync_paths(engine, [docs])
    return config, docs


def test_second_index_run_exits_with_a_clear_message(indexed: tuple[Config, Path], runner) -> None:  # type: ignore[no-untyped-def]
    config, docs = indexed
    with store.write_lock(config.index_dir):
        result = runner.invoke(cli_main, ["index", str(docs), "--index", str(config.index_dir)])
    assert result.exit_code == 1
    assert "another govsearch process is writing this index" in result.output
    assert "--wait" in result.output


def test_rebuild_waits_for_a_running_writer_too(indexed: tuple[Config, Path]) -> None:
    # Whoosh's lock lives in one generation; without the index-wide lock a rebuild ran beside
    # another writer and could delete the generation the other was writing
    config, docs = indexed
    with store.write_lock(config.index_dir), SearchEngine(config) as engine:
        with pytest.raises(IndexLocked):
            sync_paths(engine, [docs], rebuild=True)
    assert sorted(p.name for p in config.index_dir.glob("gen-*")) == ["gen-000001"]


def test_wait_queues_behind_a_running_writer(indexed: tuple[Config, Path], runner) -> None:  # type: ignore[no-untyped-def]
    config, docs = indexed
    write_doc(docs, "late.txt", title="示例市人民政府关于排队写入的通知")
    held = threading.Event()

    def hold() -> None:
        with store.write_lock(config.index_dir):
            held.set()
            time.sleep(1.5)

    holder = threading.Thread(target=hold)
    holder.start()
    held.wait(5)
    started = time.monotonic()
    result = runner.invoke(cli_main, ["index", str(docs), "--index", str(config.index_dir), "--wait", "30"])
    holder.join()
    assert result.exit_code == 0, result.output
    assert time.monotonic() - started >= 1.0
    with SearchEngine(config) as engine:
        assert engine.count() == 13


def test_concurrent_rebuilds_take_turns_and_leave_one_complete_index(indexed: tuple[Config, Path]) -> None:
    config, docs = indexed
    errors: list[BaseException] = []

    def rebuild() -> None:
        try:
            with SearchEngine(config) as engine:
                sync_paths(engine, [docs], rebuild=True, lock_timeout=60)
        except BaseException as exc:  # noqa: BLE001 - collected and asserted below
            errors.append(exc)

    threads = [threading.Thread(target=rebuild) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors
    with SearchEngine(config) as engine:
        assert engine.count() == 12
        assert store.live_generation(config.index_dir).name == "gen-000003"


@pytest.mark.parametrize("lock", ["index-wide", "whoosh"])
def test_lock_of_a_killed_process_is_released(indexed: tuple[Config, Path], lock: str) -> None:
    config, _ = indexed
    # a process takes the lock, says so, and hangs until killed (fcntl locks die with it)
    if lock == "index-wide":
        take = f"from indexer import store; from pathlib import Path; cm = store.write_lock(Path({str(config.index_dir)!r})); cm.__enter__()"
    else:
        take = f"from indexer import store; from pathlib import Path; ix = store.open_index(Path({str(config.index_dir)!r})); w = ix.writer()"
    code = take + "; print('locked', flush=True); import time; time.sleep(120)"
    proc = subprocess.Popen([sys.executable, "-c", code], stdout=subprocess.PIPE, text=True, cwd=ROOT)
    try:
        assert proc.stdout.readline().strip() == "locked"
        with SearchEngine(config) as engine:
            with pytest.raises(IndexLocked):
                with engine.writer():
                    pass
        os.kill(proc.pid, signal.SIGKILL)
        proc.wait(10)
        with SearchEngine(config) as engine:
            with engine.writer() as session:  # no --wait needed: the lock went with the process
                session.delete("nothing")
            assert engine.count() == 12
    finally:
        if proc.poll() is None:
            proc.kill()
        proc.stdout.close()


def test_searches_during_a_rebuild_keep_answering_from_the_old_generation(tmp_path: Path) -> None:
    docs = _corpus(tmp_path / "docs", 40)
    config = Config.from_env({}, index_dir=tmp_path / "index", workers=1)
    with SearchEngine(config) as engine:
        sync_paths(engine, [docs])
    done = threading.Event()
    seen: list[tuple[int, str]] = []
    failures: list[str] = []

    def reader() -> None:
        with SearchEngine(config) as engine:  # a site's engine: one per process, kept open
            while not done.is_set():
                try:
                    res = engine.search(SearchRequest(q="工作", page_size=5, facets=False))
                    seen.append((res.total, store.live_generation(config.index_dir).name))
                    if res.total != 40 or len(res.hits) != 5:
                        failures.append(f"{res.total} results, {len(res.hits)} hits")
                except Exception as exc:  # noqa: BLE001 - any error during the rebuild is the finding
                    failures.append(f"{type(exc).__name__}: {exc}")

    thread = threading.Thread(target=reader)
    thread.start()
    try:
        with SearchEngine(config) as engine:
            summary = sync_paths(engine, [docs], rebuild=True)
        time.sleep(0.3)
    finally:
        done.set()
        thread.join()
    assert len(summary.added) == 40
    assert not failures, failures[:5]
    generations = [gen for _, gen in seen]
    assert "gen-000001" in generations and generations[-1] == "gen-000002"
    assert len(seen) >= 5
