"""Folders -> new / changed / gone files -> the engine, with a summary that accounts for every file.

Re-running only re-reads files whose size, mtime or sidecar changed (and whose
content hash then differs); files that vanished are removed. Extraction runs in
worker processes; the index is written by this process, in one commit.
"""

from __future__ import annotations

import logging
import os
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
from indexer.writing import FileState, IndexSession, prepare_postings
from indexer.errors import ExtractionError, GovSearchError, SkippedFile
from indexer.ingest import document_id, hash_file, ingest_file, ingest_record, iter_files, read_records, sidecar_stamp
from indexer.links import refresh_links
from indexer.models import Document

logger = logging.getLogger(__name__)

#: progress(done, total, path) after each file read.
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
    for path in iter_files(roots):
        key = str(path)
        if key in seen:
            continue
        seen.add(key)
        summary.files_seen += 1
        state = states.get(key)
        stamp = sidecar_stamp(path)
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
    for (path, is_update, stamp), outcome in _extract_all(to_read, config):
        done += 1
        summary.files_read += 1
        key = str(path)
        analysed = None
        if isinstance(outcome, tuple) and len(outcome) == 2 and isinstance(outcome[0], Document):
            outcome, analysed = outcome
        if isinstance(outcome, Document):
            if WORKER_ANALYSIS == "postings" and analysed is not None:
                session.add_prepared(outcome, analysed, sidecar_stamp=stamp)
            else:
                session.add(outcome, sidecar_stamp=stamp, spans=analysed)
            (summary.updated if is_update else summary.added).append(key)
            for warning in outcome.warnings:
                summary.warnings.append(FileReport(key, warning))
        else:
            kind, reason = outcome
            if strict:
                raise ExtractionError(key, reason)
            (summary.skipped if kind == "skipped" else summary.failed).append(FileReport(key, reason))
            if is_update:
                # the file is still there but no longer readable: keep nothing stale
                session.delete(document_id(key))
        if progress is not None:
            progress(done, total, key)


Outcome = Document | tuple[str, str]

#: What extraction workers do beyond extracting, so the writing process does less:
#: ``"postings"`` (default): jieba analysis and Whoosh's position encoding of the analysed text fields
#: (:func:`indexer.writing.prepare_postings`), the writer only adds them to its pool;
#: ``"spans"``: jieba token spans only, replayed by the writer (:class:`indexer.analysis.PreTokenized`);
#: ``"none"``: nothing, the writer analyses (the old way; benchmarks compare the three).
WORKER_ANALYSIS = "postings"


def ingest_analyzed(path: Path, config: Config) -> Outcome | tuple[Document, dict[str, Any]]:
    """Worker task: :func:`ingest_guarded`, then the analysis set by :data:`WORKER_ANALYSIS`.

    :returns: ``(Document, {"title": ..., "body": ...})``, or the failure outcome.
    """
    outcome = ingest_guarded(path, config)
    if not isinstance(outcome, Document):
        return outcome
    if WORKER_ANALYSIS == "postings":
        return outcome, prepare_postings(outcome)
    return outcome, {"title": pretokenize(outcome.meta.title), "body": pretokenize(outcome.text)}


def _extract_all(to_read: list[tuple[Path, bool, str]], config: Config):  # type: ignore[no-untyped-def]
    """Yield ((path, is_update, stamp), Document | (kind, reason)) in completion order."""
    workers = config.workers or os.cpu_count() or 1
    if workers <= 1 or len(to_read) < 4:
        for item in to_read:
            yield item, ingest_guarded(item[0], config)
        return
    pending = list(reversed(to_read))
    in_flight: dict[Future, tuple[Path, bool, str]] = {}
    task = ingest_guarded if WORKER_ANALYSIS == "none" else ingest_analyzed
    # jieba's dictionary is loaded once here and shared by the forked workers (copy-on-write)
    load_user_dictionary()
    ctx = get_context("fork")
    pool = _pool(workers, ctx)
    try:
        while pending or in_flight:
            while pending and len(in_flight) < workers * 4:
                item = pending.pop()
                in_flight[pool.submit(task, item[0], config)] = item
            finished, _ = wait(in_flight, return_when=FIRST_COMPLETED)
            for fut in finished:
                item = in_flight.pop(fut)
                try:
                    yield item, fut.result()
                except BrokenProcessPool:
                    # a worker died (out of memory, a crash in a C library): report the
                    # files it may have held and carry on with a fresh pool
                    yield item, ("failed", "extractor process crashed on this file")
                    pending.extend(in_flight.values())
                    in_flight.clear()
                    pool.shutdown(cancel_futures=True)
                    pool = _pool(workers, ctx)
                    break
    finally:
        pool.shutdown(cancel_futures=True)


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
