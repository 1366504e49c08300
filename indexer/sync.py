"""Folders -> new / changed / gone files -> the engine, with a summary that accounts for every file.

Re-running only re-reads files whose size, mtime or sidecar changed (and whose
content hash then differs); files that vanished are removed. Extraction runs in
worker processes; for large runs they also write the new segments, which this process
commits with its own changes (deletions, removed files) in one commit.
"""

from __future__ import annotations

import logging
import os
import random
import signal
import threading
import time
from collections.abc import Callable, Iterable
from concurrent.futures import FIRST_COMPLETED, Future, ProcessPoolExecutor, wait
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass, field
from multiprocessing import get_context
from pathlib import Path
from typing import Any

from indexer.analysis import load_user_dictionary, pretokenize
from indexer.config import Config
from indexer.engine import SearchEngine
from indexer.writing import FileState, IndexSession, SegmentBatchWriter, SegmentTarget, prepare_postings
from indexer.errors import ExtractionError, GovSearchError, SkippedFile
from indexer.ingest import (
    document_id,
    folder_names,
    hash_file,
    ingest_file,
    ingest_record,
    iter_files,
    read_records,
    sidecar_stamp,
)
from indexer.links import refresh_links
from indexer.models import Document

logger = logging.getLogger(__name__)

#: progress(done, total, path) as files are read: ``done`` only grows, and may jump by a
#: batch; ``path`` is the file just read, or "" when workers report a count.
ProgressCallback = Callable[[int, int, str], None]


@dataclass
class FileReport:
    """A file that was not indexed (or indexed with a warning), and why."""

    path: str
    reason: str


@dataclass
class SyncSummary:
    """What one ``index`` run did. Every file seen is in exactly one of the outcome lists/counts."""

    added: list[str] = field(default_factory=list)
    updated: list[str] = field(default_factory=list)
    removed: list[str] = field(default_factory=list)
    unchanged: int = 0
    failed: list[FileReport] = field(default_factory=list)
    skipped: list[FileReport] = field(default_factory=list)
    warnings: list[FileReport] = field(default_factory=list)  # indexed, but e.g. "no text layer"
    files_seen: int = 0
    files_read: int = 0  # files whose bytes were extracted this run
    seconds: float = 0.0
    dry_run: bool = False

    def to_dict(self) -> dict[str, object]:
        return {
            "added": len(self.added),
            "updated": len(self.updated),
            "removed": len(self.removed),
            "unchanged": self.unchanged,
            "failed": [r.__dict__ for r in self.failed],
            "skipped": [r.__dict__ for r in self.skipped],
            "warnings": [r.__dict__ for r in self.warnings],
            "files_seen": self.files_seen,
            "files_read": self.files_read,
            "seconds": round(self.seconds, 3),
            "dry_run": self.dry_run,
        }


def sync_paths(
    engine: SearchEngine,
    paths: Iterable[Path],
    *,
    dry_run: bool = False,
    rebuild: bool = False,
    progress: ProgressCallback | None = None,
    lock_timeout: float = 0.0,
    strict: bool = False,
) -> SyncSummary:
    """Bring the index in line with the files below ``paths``.

    :param dry_run: decide and report, read and write nothing.
    :param rebuild: re-read everything into a new index generation and swap it in atomically.
    :param lock_timeout: seconds to wait when another process is writing the index.
    :param strict: stop at the first file that fails or is skipped and leave the index unchanged.
    :raises ExtractionError: with ``strict``, for the first file that could not be indexed.
    :raises IndexLocked: when another writer holds the index past ``lock_timeout``.
    :raises IndexUnavailable: when the index cannot be opened or written.
    """
    started = time.perf_counter()
    roots = [Path(p).absolute() for p in paths]
    summary = SyncSummary(dry_run=dry_run)
    if dry_run:
        _plan(engine, roots, summary, rebuild=rebuild)
        summary.seconds = time.perf_counter() - started
        return summary
    scope = engine.rebuild(timeout=lock_timeout) if rebuild else engine.writer(timeout=lock_timeout)
    with scope as session:
        to_read, unchanged_changed_mtime = _plan(engine, roots, summary, rebuild=rebuild)
        for path in summary.removed:
            session.delete(document_id(path))
        for stored in unchanged_changed_mtime:
            session.set_fields(stored[0], mtime=stored[1])
        _read_into(session, to_read, engine.config, summary, progress, strict)
    # links need the committed state of both sides, so they are resolved right after the commit
    refresh_links(engine, timeout=lock_timeout)
    # the lexicon (pinyin, did-you-mean, suggest) is built here, once, not by the first search
    engine.save_lexicon()
    summary.seconds = time.perf_counter() - started
    return summary


def _plan(
    engine: SearchEngine, roots: list[Path], summary: SyncSummary, *, rebuild: bool
) -> tuple[list[tuple[Path, bool, str]], list[tuple[dict, float]]]:
    """Sort files into unchanged / to read (new or changed) / removed."""
    states: dict[str, FileState] = {} if rebuild else engine.file_states()
    seen: set[str] = set()
    to_read: list[tuple[Path, bool, str]] = []  # (path, is_update, sidecar stamp)
    touched: list[tuple[dict, float]] = []
    listings: dict[Path, frozenset[str] | None] = {}  # each folder listed once, for the sidecar stamps
    for path in iter_files(roots):
        key = str(path)
        if key in seen:
            continue
        seen.add(key)
        summary.files_seen += 1
        state = states.get(key)
        folder = path.parent
        if folder not in listings:
            listings[folder] = folder_names(folder)
        stamp = sidecar_stamp(path, listings[folder])
        if state is None:
            to_read.append((path, False, stamp))
            continue
        try:
            st = path.stat()
        except OSError as exc:
            summary.failed.append(FileReport(key, f"cannot read file: {exc.strerror or exc}"))
            continue
        if st.st_size == state.size and st.st_mtime == state.mtime and stamp == state.sidecar_stamp:
            summary.unchanged += 1
            continue
        if st.st_size == state.size and stamp == state.sidecar_stamp and not summary.dry_run:
            # touched but maybe not changed: the hash decides, and saves a re-extraction
            try:
                same = hash_file(path) == state.content_hash
            except OSError:
                same = False
            if same:
                summary.unchanged += 1
                stored = engine.stored(state.id)
                if stored is not None:
                    touched.append((stored, st.st_mtime))
                continue
        to_read.append((path, True, stamp))
    for key in states:
        if key not in seen and any(_is_under(key, root) for root in roots):
            summary.removed.append(key)
    if summary.dry_run:
        for path, is_update, _ in to_read:
            (summary.updated if is_update else summary.added).append(str(path))
    return to_read, touched


def _is_under(path: str, root: Path) -> bool:
    root_s = str(root)
    return path == root_s or path.startswith(root_s.rstrip("/") + "/")


def _read_into(
    session: IndexSession,
    to_read: list[tuple[Path, bool, str]],
    config: Config,
    summary: SyncSummary,
    progress: ProgressCallback | None,
    strict: bool = False,
) -> None:
    total = len(to_read)
    done = 0
    progress = _growing(progress)
    workers = _worker_count(config)
    target = session.segment_target(config.writer_memory_mb // workers)
    if WORKER_ANALYSIS == "segments" and target is not None and workers > 1 and total >= SEGMENT_BATCH_MIN_FILES:
        to_read, done = _write_in_workers(session, target, to_read, config, summary, progress, strict)
    for (path, is_update, stamp), outcome in _extract_all(to_read, config):
        done += 1
        key = str(path)
        analysed = None
        if isinstance(outcome, tuple) and len(outcome) == 2 and isinstance(outcome[0], Document):
            outcome, analysed = outcome
        if isinstance(outcome, Document):
            if WORKER_ANALYSIS != "spans" and analysed is not None:
                session.add_prepared(outcome, analysed, sidecar_stamp=stamp)
            else:
                session.add(outcome, sidecar_stamp=stamp, spans=analysed)
            _account(summary, path, is_update, list(outcome.warnings), strict)
        else:
            _account(summary, path, is_update, outcome, strict)
            if is_update:
                # the file is still there but no longer readable: keep nothing stale
                session.delete(document_id(key))
        if progress is not None:
            progress(done, total, key)


def _growing(progress: ProgressCallback | None) -> ProgressCallback | None:
    """``progress`` called only when ``done`` grows (after a worker died, files are counted again)."""
    if progress is None:
        return None
    high = 0

    def report(done: int, total: int, path: str) -> None:
        nonlocal high
        if done > high:
            high = done
            progress(done, total, path)

    return report


def _account(summary: SyncSummary, path: Path, is_update: bool, outcome: list[str] | tuple[str, str], strict: bool) -> None:
    """Put one file read into the summary: ``outcome`` is its warnings when it was indexed, else (kind, reason).

    :raises ExtractionError: with ``strict``, when it was not indexed.
    """
    key = str(path)
    summary.files_read += 1
    if isinstance(outcome, list):
        (summary.updated if is_update else summary.added).append(key)
        summary.warnings.extend(FileReport(key, warning) for warning in outcome)
        return
    kind, reason = outcome
    if strict:
        raise ExtractionError(key, reason)
    (summary.skipped if kind == "skipped" else summary.failed).append(FileReport(key, reason))


Outcome = Document | tuple[str, str]

#: What extraction workers do beyond extracting, so the writing process does less:
#: ``"segments"`` (default): runs of at least :data:`SEGMENT_BATCH_MIN_FILES` files on more than
#: one worker are written by the workers as whole segments (:func:`write_segment_batch`) that
#: the session adopts; smaller runs and older indexes as ``"postings"``;
#: ``"postings"``: jieba analysis and Whoosh's position encoding of the analysed text fields
#: (:func:`indexer.writing.prepare_postings`), the writer only adds them to its pool;
#: ``"spans"``: jieba token spans only, replayed by the writer (:class:`indexer.analysis.PreTokenized`);
#: ``"none"``: nothing, the writer analyses (the old way; benchmarks compare them).
WORKER_ANALYSIS = "segments"

#: Files a run must read for workers to write segments. Below it the one writer is cheaper and
#: writes one segment, not several small ones: measured on 2 cores, rewriting 1,000 of 10^4
#: files took 47 s with worker segments and 42 s with the one writer, 1,986 of 10^5 files
#: 68 s and 55 s (the writer deletes the old versions only after a batch's segment is back),
#: while a full 10^5 build took 612 s and 702 s.
SEGMENT_BATCH_MIN_FILES = 5000

#: Smallest batch of files one worker task writes as a segment.
SEGMENT_BATCH_MIN_SIZE = 256


def ingest_analyzed(path: Path, config: Config) -> Outcome | tuple[Document, dict[str, Any]]:
    """Worker task: :func:`ingest_guarded`, then the analysis set by :data:`WORKER_ANALYSIS`.

    :returns: ``(Document, {"title": ..., "body": ...})``, or the failure outcome.
    """
    outcome = ingest_guarded(path, config)
    if not isinstance(outcome, Document):
        return outcome
    if WORKER_ANALYSIS == "spans":
        return outcome, {"title": pretokenize(outcome.meta.title), "body": pretokenize(outcome.text)}
    return outcome, prepare_postings(outcome)


def _worker_count(config: Config) -> int:
    return config.workers or os.cpu_count() or 1


def _extract_all(to_read: list[tuple[Path, bool, str]], config: Config):  # type: ignore[no-untyped-def]
    """Yield ((path, is_update, stamp), Document | (kind, reason)) in completion order."""
    workers = _worker_count(config)
    if workers <= 1 or len(to_read) < 4:
        for item in to_read:
            yield item, ingest_guarded(item[0], config)
        return
    pending = list(reversed(to_read))
    in_flight: dict[Future, tuple[Path, bool, str]] = {}
    # files that were in flight when a worker died: each is read alone until the one that
    # kills its worker is found, so no other file is blamed
    suspects: list[tuple[Path, bool, str]] = []
    task = ingest_guarded if WORKER_ANALYSIS == "none" else ingest_analyzed
    # jieba's dictionary is loaded once here and shared by the forked workers (copy-on-write)
    load_user_dictionary()
    ctx = get_context("fork")
    pool = _pool(workers, ctx)
    isolating = False

    def submit(item: tuple[Path, bool, str], back_to: list[tuple[Path, bool, str]]) -> bool:
        # the pool breaks as soon as a worker dies, maybe between two submissions: the
        # file goes back, and the futures in flight report the crash
        try:
            in_flight[pool.submit(task, item[0], config)] = item
            return True
        except BrokenProcessPool:
            back_to.append(item)
            return False

    try:
        while pending or suspects or in_flight:
            submitted = True
            if isolating and not in_flight:
                if suspects:
                    submitted = submit(suspects.pop(), suspects)
                else:
                    isolating = False
            if not isolating:
                while submitted and pending and len(in_flight) < workers * 4:
                    submitted = submit(pending.pop(), pending)
            if not submitted and not in_flight:
                pool.shutdown(cancel_futures=True)
                pool = _pool(workers, ctx)
                continue
            alone = len(in_flight) == 1
            finished, _ = wait(in_flight, return_when=FIRST_COMPLETED)
            for fut in finished:
                item = in_flight.pop(fut)
                try:
                    yield item, fut.result()
                except BrokenProcessPool:
                    # a worker died (out of memory, a crash in a C library): with the pool
                    # every file in flight is lost; carry on with a fresh pool
                    if alone:
                        yield item, ("failed", "extractor process crashed on this file")
                    else:
                        suspects.extend([item, *in_flight.values()])
                        isolating = True
                    in_flight.clear()
                    pool.shutdown(cancel_futures=True)
                    pool = _pool(workers, ctx)
                    break
    finally:
        pool.shutdown(cancel_futures=True)


# ------------------------------------------------------------- workers writing segments

@dataclass
class SegmentBatch:
    """What :func:`write_segment_batch` returns: per file read its warnings (indexed) or
    (kind, reason), and the segments written (none, and no outcomes, when the run was stopped)."""

    outcomes: list[list[str] | tuple[str, str]]
    segments: list[Any]
    documents: int


# set in each worker by _init_segment_worker: the run's stop flag and its count of files read
_stop_event: Any = None
_files_read: Any = None


def _init_segment_worker(parent_pid: int, stop: Any, files_read: Any) -> None:
    global _stop_event, _files_read
    _exit_with_parent(parent_pid)
    _stop_event, _files_read = stop, files_read


def write_segment_batch(items: list[tuple[Path, str]], config: Config, target: SegmentTarget, strict: bool = False) -> SegmentBatch:
    """Worker task: extract ``items`` ((path, sidecar stamp) pairs) and write them into new segments of ``target``.

    Extraction failures are outcomes, as in :func:`ingest_guarded`; with ``strict`` the first one
    ends the batch (its outcomes end there) and stops the run's other batches. When the run is stopped
    (``--strict`` failed elsewhere, an interrupt) the batch deletes what it wrote and returns
    nothing; an error in writing deletes it too, and is raised.
    """
    writer = SegmentBatchWriter(target)
    outcomes: list[list[str] | tuple[str, str]] = []
    try:
        for path, stamp in items:
            if _stop_event is not None and _stop_event.is_set():
                writer.discard()
                return SegmentBatch([], [], 0)
            outcome = ingest_guarded(path, config)
            if isinstance(outcome, Document):
                writer.add(outcome, sidecar_stamp=stamp)
                outcomes.append(list(outcome.warnings))
            else:
                outcomes.append(outcome)
                if strict:
                    # the run ends at this file: stop the other batches now, not when this
                    # one (maybe half the corpus) is done; the outcomes end with the failure
                    if _stop_event is not None:
                        _stop_event.set()
                    break
            if _files_read is not None:
                with _files_read.get_lock():
                    _files_read.value += 1
        return SegmentBatch(outcomes, writer.finish(), writer.documents)
    except BaseException:
        writer.discard()
        raise


def _batches(items: list[Any], workers: int) -> list[list[Any]]:
    """``items`` cut into batches of decreasing size (guided self-scheduling).

    Each batch is 1/``workers`` of what remains, so there are only about log2(n) segments,
    while the small last batches keep every worker busy to the end.
    """
    out = []
    start = 0
    while start < len(items):
        size = max(SEGMENT_BATCH_MIN_SIZE, -(-(len(items) - start) // workers))
        out.append(items[start:start + size])
        start += size
    return out


def _write_in_workers(
    session: IndexSession,
    target: SegmentTarget,
    to_read: list[tuple[Path, bool, str]],
    config: Config,
    summary: SyncSummary,
    progress: ProgressCallback | None,
    strict: bool,
) -> tuple[list[tuple[Path, bool, str]], int]:
    """Read ``to_read`` with workers that write whole segments, adopted into ``session``'s commit.

    :returns: the files still to read the one-file-per-task way (those of batches lost when a
        worker died: the file that killed it is then found and reported alone) and the number
        of files accounted for.
    """
    workers = _worker_count(config)
    total = len(to_read)
    # a fixed shuffle, so no batch gathers the slow files of one folder (scans, big PDFs)
    order = list(to_read)
    random.Random(0).shuffle(order)
    load_user_dictionary()
    ctx = get_context("fork")
    stop = ctx.Event()
    files_read = ctx.Value("q", 0)
    pool = ProcessPoolExecutor(max_workers=workers, mp_context=ctx, initializer=_init_segment_worker,
                               initargs=(os.getpid(), stop, files_read))
    in_flight: dict[Future, list[tuple[Path, bool, str]]] = {}
    accounted = 0
    try:
        for batch in _batches(order, workers):
            try:
                in_flight[pool.submit(write_segment_batch, [(p, stamp) for p, _, stamp in batch], config, target, strict)] = batch
            except BrokenProcessPool:  # a worker died already: as below, with the batches not yet sent
                logger.warning("an extraction worker died; reading %d files one by one", total)
                return order, 0
        while in_flight:
            finished, _ = wait(in_flight, timeout=0.5, return_when=FIRST_COMPLETED)
            for fut in finished:
                batch = in_flight[fut]
                try:
                    result = fut.result()
                except BrokenProcessPool:
                    # a worker died: every unfinished batch is lost with the pool; its files
                    # go the one-by-one way, which isolates the one that kills a worker
                    lost = [item for rest in in_flight.values() for item in rest]
                    logger.warning("an extraction worker died; reading %d files one by one", len(lost))
                    return lost, accounted
                session.adopt_segments(result.segments, result.documents)
                # only now out of in_flight: until adopted, an interrupt leaves it to the clean-up below
                del in_flight[fut]
                for (path, is_update, _), outcome in zip(batch, result.outcomes):
                    if is_update:
                        session.delete(document_id(str(path)))  # the old version
                    _account(summary, path, is_update, outcome, strict)
                accounted += len(result.outcomes)
            if progress is not None:
                progress(min(total, max(accounted, files_read.value)), total, "")
        return [], accounted
    finally:
        stop.set()
        pool.shutdown(wait=True, cancel_futures=True)
        # batches still in flight when the run ended early (--strict, an interrupt, a dead
        # worker) may have finished meanwhile: nothing adopts their segments, so delete them
        for fut in in_flight:
            if fut.done() and not fut.cancelled() and fut.exception() is None:
                session.discard_segments(fut.result().segments)


def _pool(workers: int, ctx: Any) -> ProcessPoolExecutor:
    return ProcessPoolExecutor(max_workers=workers, mp_context=ctx, initializer=_exit_with_parent, initargs=(os.getpid(),))


def _exit_with_parent(parent_pid: int) -> None:
    """Worker initializer: end the worker when the indexing process is gone.

    Workers are forked while the index's write lock is held and so share its file
    descriptor. Orphaned by a SIGKILL of the indexing process they would wait on the
    task queue forever and keep the lock: no later run could write the index.
    """

    def watch() -> None:
        while os.getppid() == parent_pid:
            time.sleep(0.2)
        os._exit(1)

    threading.Thread(target=watch, name="exit-with-parent", daemon=True).start()


class _Timeout(Exception):
    pass


def _on_alarm(signum: int, frame: object) -> None:
    raise _Timeout()


def ingest_guarded(path: Path, config: Config) -> Outcome:
    """:func:`ingest_file` with the per-file time limit, turning every failure into a reason."""
    use_alarm = threading.current_thread() is threading.main_thread() and config.file_timeout > 0
    if use_alarm:
        previous = signal.signal(signal.SIGALRM, _on_alarm)
        signal.setitimer(signal.ITIMER_REAL, config.file_timeout)
    try:
        return ingest_file(path, config)
    except SkippedFile as exc:
        return ("skipped", exc.reason)
    except ExtractionError as exc:
        return ("failed", exc.reason)
    except _Timeout:
        return ("failed", f"took longer than {config.file_timeout:g} s to extract")
    except MemoryError:
        return ("failed", "ran out of memory while extracting")
    except RecursionError:
        return ("failed", "file structure nested too deeply")
    except Exception as exc:  # noqa: BLE001 - a bug in a parser must not stop the batch; the reason names it
        logger.exception("unexpected error extracting %s", path)
        return ("failed", f"unexpected {type(exc).__name__}: {exc}")
    finally:
        if use_alarm:
            signal.setitimer(signal.ITIMER_REAL, 0)
            signal.signal(signal.SIGALRM, previous)


def import_records(engine: SearchEngine, files: Iterable[Path], *, lock_timeout: float = 0.0) -> SyncSummary:
    """Index CMS records from JSONL/CSV exports through the same cleanup and metadata stages.

    A record is replaced when imported again (its id comes from its url or key).
    """
    started = time.perf_counter()
    summary = SyncSummary()
    with engine.writer(timeout=lock_timeout) as session:
        for path in files:
            path = Path(path).absolute()
            try:
                for number, record in read_records(path):
                    summary.files_seen += 1
                    try:
                        if isinstance(record, ExtractionError):
                            raise record
                        doc = ingest_record(record, path, number)
                    except ExtractionError as exc:
                        summary.failed.append(FileReport(exc.path, exc.reason))
                        continue
                    session.add(doc)
                    summary.added.append(doc.path)
            except (ExtractionError, OSError, GovSearchError) as exc:
                reason = exc.reason if isinstance(exc, ExtractionError) else str(exc)
                summary.failed.append(FileReport(str(path), reason))
    refresh_links(engine, timeout=lock_timeout)
    engine.save_lexicon()
    summary.seconds = time.perf_counter() - started
    return summary
