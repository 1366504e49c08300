"""Workers writing whole segments (``sync.WORKER_ANALYSIS = "segments"``): the same index as the
one writer makes, old versions replaced, nothing left behind by a failure, a dying worker blamed
on its own file only."""

from __future__ import annotations

import os
import time
from pathlib import Path

import pytest
from whoosh.index import TOC

from indexer import sync
from indexer.config import Config
from indexer.engine import SearchEngine
from indexer.errors import ExtractionError
from indexer.models import SearchRequest
from indexer.sync import sync_paths

from .docs_factory import write_doc
from .test_pretokenized_index import DEMO, QUERIES, _postings


@pytest.fixture(autouse=True)
def _small_batches(monkeypatch: pytest.MonkeyPatch) -> None:
    # a test corpus of a few dozen files still goes through worker segments, in several batches
    monkeypatch.setattr(sync, "WORKER_ANALYSIS", "segments")
    monkeypatch.setattr(sync, "SEGMENT_BATCH_MIN_FILES", 4)
    monkeypatch.setattr(sync, "SEGMENT_BATCH_MIN_SIZE", 3)


def _engine(tmp_path: Path, name: str, workers: int = 2) -> SearchEngine:
    return SearchEngine(Config.from_env({}, index_dir=tmp_path / name, workers=workers))


def _segment_ids(engine: SearchEngine) -> list[str]:
    with engine.searcher() as s:
        return [reader.segment().segment_id() for reader, _ in s.reader().leaf_readers()]


def _segment_files_not_committed(engine: SearchEngine) -> set[str]:
    """Files of segments the live table of contents does not name: what a failure left behind."""
    generation = engine.root / (engine.root / "CURRENT").read_text().strip()
    committed = set(_segment_ids(engine))
    pattern = TOC._segment_pattern("MAIN")
    return {
        name for name in os.listdir(generation)
        if (m := pattern.match(name)) and m.group(1) not in committed
    }


def _numbered_docs(folder: Path, count: int, word: str = "住房公积金提取") -> list[Path]:
    return [
        write_doc(folder, f"d{n:02d}.txt", title=f"示例市关于第{n}项{word}工作的通知",
                  number=f"示政发〔2024〕{n + 1}号", body=f"{word}办理指引第{n}条。标记{n}。")
        for n in range(count)
    ]


def test_index_written_by_workers_equals_the_one_writers(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(sync, "WORKER_ANALYSIS", "postings")
    one = _engine(tmp_path, "one")
    assert sync_paths(one, [DEMO]).added
    monkeypatch.setattr(sync, "WORKER_ANALYSIS", "segments")
    workers = _engine(tmp_path, "workers")
    summary = sync_paths(workers, [DEMO])
    with one, workers:
        assert len(summary.added) == one.count() > 4 and not summary.failed
        assert len(_segment_ids(workers)) > 2  # the batches' segments, committed together
        assert _postings(one) == _postings(workers)
        with one.searcher() as a, workers.searcher() as b:
            ra, rb = a.reader(), b.reader()
            by_id_b = {st["id"]: (n, st) for n, st in rb.iter_docs()}
            for n, stored in ra.iter_docs():
                nb, stored_b = by_id_b[stored["id"]]
                assert stored == stored_b
                for fieldname in ("title", "body", "issuer_text"):
                    assert ra.doc_field_length(n, fieldname) == rb.doc_field_length(nb, fieldname)
            for fieldname in ("title", "body"):
                assert ra.field_length(fieldname) == rb.field_length(fieldname)
        for text in QUERIES:
            request = SearchRequest(q=text, page_size=20)
            a, b = one.search(request), workers.search(request)
            assert [(h.id, round(h.score, 6), h.snippet) for h in a.hits] == [(h.id, round(h.score, 6), h.snippet) for h in b.hits]
            assert a.total == b.total and a.facets == b.facets
        # links between policies and interpretations are resolved after the commit, as before
        assert [h.id for h in one.search(SearchRequest(q="", page_size=50)).hits if h.interpretations] == \
               [h.id for h in workers.search(SearchRequest(q="", page_size=50)).hits if h.interpretations]
        assert not _segment_files_not_committed(workers)


def test_changed_removed_and_new_files_in_one_run(tmp_path: Path) -> None:
    docs = tmp_path / "docs"
    paths = _numbered_docs(docs, 12)
    with _engine(tmp_path, "ix") as engine:
        assert len(sync_paths(engine, [docs]).added) == 12
        for path in paths[:5]:
            path.write_text(path.read_text(encoding="utf-8").replace("住房公积金提取", "养老服务补贴"), encoding="utf-8")
        paths[11].unlink()
        extra = _numbered_docs(tmp_path / "more", 3, word="失业保险稳岗返还")
        summary = sync_paths(engine, [docs, tmp_path / "more"])
        assert len(summary.updated) == 5 and summary.removed == [str(paths[11])] and len(summary.added) == 3
        assert engine.count() == 14
        assert engine.search(SearchRequest(q="养老服务补贴")).total == 5
        assert sorted(h.path for h in engine.search(SearchRequest(q="住房公积金提取", page_size=50)).hits) == \
               sorted(str(p) for p in paths[5:11])
        assert engine.search(SearchRequest(q="稳岗返还")).total == 3
        assert {h.path for h in engine.search(SearchRequest(q="", page_size=50)).hits} == \
               {str(p) for p in paths[:11] + extra}
        assert not _segment_files_not_committed(engine)


def test_strict_failure_leaves_the_index_and_its_folder_as_they_were(tmp_path: Path) -> None:
    docs = tmp_path / "docs"
    _numbered_docs(docs, 5)
    with _engine(tmp_path, "ix") as engine:
        sync_paths(engine, [docs])
        before = sorted(os.listdir(engine.root / (engine.root / "CURRENT").read_text().strip()))
        _numbered_docs(tmp_path / "new", 20, word="养老服务补贴")
        (tmp_path / "new" / "zz-broken.pdf").write_bytes(b"%PDF-1.4 garbage")
        with pytest.raises(ExtractionError) as info:
            sync_paths(engine, [docs, tmp_path / "new"], strict=True)
        assert info.value.path.endswith("zz-broken.pdf")
        assert engine.count() == 5 and engine.search(SearchRequest(q="养老服务补贴")).total == 0
        # no segment a worker wrote is left on disk
        assert sorted(os.listdir(engine.root / (engine.root / "CURRENT").read_text().strip())) == before


def test_a_failed_rebuild_keeps_the_live_generation(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    docs = tmp_path / "docs"
    _numbered_docs(docs, 10)
    with _engine(tmp_path, "ix") as engine:
        sync_paths(engine, [docs])
        live = (engine.root / "CURRENT").read_text()

        def refuse(self: object, segments: list, documents: int) -> None:
            raise OSError("disk full")

        monkeypatch.setattr(sync.IndexSession, "adopt_segments", refuse)
        with pytest.raises(OSError):
            sync_paths(engine, [docs], rebuild=True)
        assert (engine.root / "CURRENT").read_text() == live
        assert sorted(p.name for p in engine.root.iterdir() if p.is_dir()) == [live.strip()]
        assert engine.count() == 10


def _dies_on(name: str, monkeypatch: pytest.MonkeyPatch) -> None:
    """Make the worker that reads ``name`` die as a crash in a C library would (workers are forked)."""
    real = sync.ingest_file

    def ingest(path: Path, config: Config):  # type: ignore[no-untyped-def]
        if Path(path).name == name and os.getpid() != parent:
            os._exit(70)
        return real(path, config)

    parent = os.getpid()
    monkeypatch.setattr(sync, "ingest_file", ingest)


@pytest.mark.parametrize("mode", ["segments", "postings"])
def test_a_dying_worker_is_blamed_on_its_file_only(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, mode: str) -> None:
    monkeypatch.setattr(sync, "WORKER_ANALYSIS", mode)
    docs = tmp_path / "docs"
    paths = _numbered_docs(docs, 30)
    _dies_on("d17.txt", monkeypatch)
    with _engine(tmp_path, "ix") as engine:
        summary = sync_paths(engine, [docs])
        assert [(r.path, r.reason) for r in summary.failed] == [(str(paths[17]), "extractor process crashed on this file")]
        assert sorted(summary.added) == sorted(str(p) for n, p in enumerate(paths) if n != 17)
        assert engine.count() == 29
        assert engine.search(SearchRequest(q="住房公积金提取", page_size=50)).total == 29
        assert not _segment_files_not_committed(engine)


def test_progress_only_grows_and_ends_at_the_total(tmp_path: Path) -> None:
    docs = tmp_path / "docs"
    _numbered_docs(docs, 25)
    seen: list[tuple[int, int]] = []
    with _engine(tmp_path, "ix") as engine:
        sync_paths(engine, [docs], progress=lambda done, total, path: seen.append((done, total)))
    assert seen and seen[-1] == (25, 25)
    assert all(a[0] < b[0] for a, b in zip(seen, seen[1:]))


def test_small_runs_and_one_worker_use_the_one_writer(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(sync, "SEGMENT_BATCH_MIN_FILES", 1000)
    docs = tmp_path / "docs"
    _numbered_docs(docs, 12)
    with _engine(tmp_path, "small") as engine:
        sync_paths(engine, [docs])
        assert len(_segment_ids(engine)) == 1
    monkeypatch.setattr(sync, "SEGMENT_BATCH_MIN_FILES", 4)
    with _engine(tmp_path, "one", workers=1) as engine:
        sync_paths(engine, [docs])
        assert len(_segment_ids(engine)) == 1


@pytest.mark.parametrize("count, workers", [(1, 2), (10, 2), (1000, 2), (100_000, 2), (5000, 3)])
def test_batches_cover_every_item_once_and_shrink(count: int, workers: int, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(sync, "SEGMENT_BATCH_MIN_SIZE", 256)
    batches = sync._batches(list(range(count)), workers)
    assert [i for b in batches for i in b] == list(range(count))
    sizes = [len(b) for b in batches]
    assert sizes == sorted(sizes, reverse=True)
    assert sizes[0] <= max(256, -(-count // workers))
    assert all(size >= min(count, sync.SEGMENT_BATCH_MIN_SIZE) for size in sizes[:-1])
    if count == 100_000:
        assert len(batches) <= 12  # about log2(n) segments


def test_strict_stops_the_other_batches_at_the_first_failure(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(sync, "SEGMENT_BATCH_MIN_SIZE", 40)  # two batches of 40: each half the run
    docs = tmp_path / "docs"
    _numbered_docs(docs, 79)
    # fourth in the run's fixed shuffle, so early in the first batch
    (docs / "d50-broken.pdf").write_bytes(b"%PDF-1.4 garbage")
    log = tmp_path / "read.log"
    real = sync.ingest_file

    def ingest(path: Path, config: Config):  # type: ignore[no-untyped-def]
        with open(log, "a", encoding="utf-8") as fh:  # O_APPEND: one line per file, from every worker
            fh.write(f"{Path(path).name}\n")
        if not Path(path).name.endswith(".pdf"):
            time.sleep(0.02)
        return real(path, config)

    monkeypatch.setattr(sync, "ingest_file", ingest)
    with _engine(tmp_path, "ix") as engine:
        with pytest.raises(ExtractionError) as info:
            sync_paths(engine, [docs], strict=True)
        assert info.value.path.endswith("d50-broken.pdf")
        assert not engine.exists() or engine.count() == 0
    read = log.read_text(encoding="utf-8").split()
    assert "d50-broken.pdf" in read
    assert len(read) < 60, f"{len(read)} of 80 files read after the first failure"
