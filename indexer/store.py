"""Index directories on disk: open, create, write, and swap whole generations atomically.

Layout of ``config.index_dir``::

    index_dir/
      CURRENT          name of the live generation, replaced atomically (os.replace)
      WRITELOCK        flock(2) held by the one process changing the index (see write_lock)
      gen-000001/      a complete Whoosh index, and beside Whoosh's files:
        lexicon-<TOC generation>.pickle   pinyin, did-you-mean and suggest (indexer.suggest)
        segment-digests.pickle            pinyin syllables of the lexicon's words (indexer.digests)
        segment-digest-<segment>.pickle   what each segment gives the lexicon and sync (indexer.digests)
      gen-000002/      a rebuild in progress, or the next live one

Incremental updates commit into the live generation (Whoosh writes a new TOC
under a temporary name and renames it, so a killed writer leaves the last commit
readable). A full rebuild fills a new generation and then swaps ``CURRENT``, so
searches keep answering from the old one meanwhile.
"""

from __future__ import annotations

import errno
import fcntl
import logging
import os
import pickle
import shutil
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from whoosh import index as whoosh_index
from whoosh.index import EmptyIndexError, Index, LockError
from whoosh.writing import IndexWriter

from indexer import compound_files
from indexer.errors import IndexLocked, IndexUnavailable
from indexer.merge_policy import tiered_merge
from indexer.schema import READABLE_SCHEMA_VERSIONS, SCHEMA_VERSION, build_schema
from indexer.segments import PooledSegmentWriter

# segment readers map their compound files without copying them (see the module)
compound_files.install()

logger = logging.getLogger(__name__)

POINTER_FILE = "CURRENT"
GENERATION_PREFIX = "gen-"
VERSION_FILE = "SCHEMA_VERSION"
WRITE_LOCK = "WRITELOCK"


def write_pickle(path: Path, format_version: int, payload: dict[str, Any]) -> None:
    """Write ``payload`` (with its ``format``) to ``path`` atomically: a temporary file, then a rename.

    For files beside an index generation (lexicon, segment digests): pickles written and
    read by this program only, inside the index directory, as trusted as the index itself.
    """
    path = Path(path)
    tmp = path.with_name(path.name + f".{os.getpid()}.tmp")
    with open(tmp, "wb") as fh:
        pickle.dump({**payload, "format": format_version}, fh, protocol=pickle.HIGHEST_PROTOCOL)
    os.replace(tmp, path)


def remove_abandoned_temporaries(folder: Path, pattern: str) -> None:
    """Delete the temporary files :func:`write_pickle` left for files named ``pattern`` in
    ``folder`` (a glob) when its process died between writing and renaming."""
    for tmp in folder.glob(f"{pattern}.*.tmp"):
        pid = tmp.name.rsplit(".", 2)[-2]
        if not pid.isdigit() or int(pid) == os.getpid():
            continue
        try:
            os.kill(int(pid), 0)
        except ProcessLookupError:
            tmp.unlink(missing_ok=True)
        except OSError:
            pass  # alive, another user's: leave it


def read_pickle(path: Path, format_version: int, what: str) -> dict[str, Any] | None:
    """What :func:`write_pickle` wrote at ``path``; None when there is none, it is of another
    format, or it is unreadable (logged, naming ``what`` and the file: it is rebuilt)."""
    try:
        with open(path, "rb") as fh:
            payload = pickle.load(fh)
    except FileNotFoundError:
        return None
    except (OSError, pickle.UnpicklingError, EOFError, AttributeError, ImportError) as exc:
        logger.warning("%s: saved %s unreadable (%s); it will be rebuilt", path, what, exc)
        return None
    if not isinstance(payload, dict) or payload.get("format") != format_version:
        return None
    return payload


def live_generation(root: Path) -> Path | None:
    """The directory of the live index generation, or None when there is none yet."""
    pointer = root / POINTER_FILE
    try:
        name = pointer.read_text(encoding="utf-8").strip()
    except FileNotFoundError:
        return None
    except OSError as exc:
        raise IndexUnavailable(f"{root}: cannot read {POINTER_FILE}: {exc}") from exc
    if not name or "/" in name or name in {".", ".."}:
        raise IndexUnavailable(f"{root}: {POINTER_FILE} names no generation ({name!r})")
    return root / name


def index_exists(root: Path) -> bool:
    """Whether ``root`` holds a live index."""
    gen = live_generation(root)
    return gen is not None and whoosh_index.exists_in(str(gen))


def open_index(root: Path) -> Index:
    """Open the live generation for reading or writing.

    :raises IndexUnavailable: naming the directory and the cause. The directory is never
        wiped here: only an explicit rebuild starts empty.
    """
    gen = live_generation(root)
    if gen is None:
        raise IndexUnavailable(f"{root}: no index here yet (run `govsearch index PATH --index {root}`)")
    version_file = gen / VERSION_FILE
    if version_file.exists() and version_file.read_text().strip() not in {str(v) for v in READABLE_SCHEMA_VERSIONS}:
        raise IndexUnavailable(
            f"{gen}: built with schema version {version_file.read_text().strip()}, this govsearch needs "
            f"{SCHEMA_VERSION}; rebuild with `govsearch index --rebuild`"
        )
    try:
        return whoosh_index.open_dir(str(gen))
    except EmptyIndexError as exc:
        raise IndexUnavailable(f"{gen}: not a complete index ({exc})") from exc
    except OSError as exc:
        raise IndexUnavailable(f"{gen}: cannot open index: {exc}") from exc


def create_generation(root: Path) -> tuple[Path, Index]:
    """Create a new, empty generation beside the live one (not yet live)."""
    try:
        root.mkdir(parents=True, exist_ok=True)
        numbers = [
            int(p.name[len(GENERATION_PREFIX):])
            for p in root.iterdir()
            if p.is_dir() and p.name.startswith(GENERATION_PREFIX) and p.name[len(GENERATION_PREFIX):].isdigit()
        ]
        gen = root / f"{GENERATION_PREFIX}{max(numbers, default=0) + 1:06d}"
        gen.mkdir()
        (gen / VERSION_FILE).write_text(str(SCHEMA_VERSION))
        ix = whoosh_index.create_in(str(gen), build_schema())
    except OSError as exc:
        raise IndexUnavailable(f"{root}: cannot create an index generation: {exc}") from exc
    return gen, ix


def activate_generation(root: Path, gen: Path) -> None:
    """Make ``gen`` the live generation atomically; keep the one before it for readers still on it."""
    tmp = root / f".{POINTER_FILE}.{os.getpid()}"
    tmp.write_text(gen.name, encoding="utf-8")
    with open(tmp, "rb") as fh:
        os.fsync(fh.fileno())
    os.replace(tmp, root / POINTER_FILE)
    _remove_old_generations(root, keep={gen.name})


def _remove_old_generations(root: Path, keep: set[str]) -> None:
    """Delete generations older than the newest one that is not kept (readers may still use it)."""
    gens = sorted(p for p in root.iterdir() if p.is_dir() and p.name.startswith(GENERATION_PREFIX))
    live = max(keep)
    older = [p for p in gens if p.name < live]
    for stale in older[:-1]:  # the one just before the live generation stays for open searchers
        shutil.rmtree(stale, ignore_errors=True)
    for abandoned in (p for p in gens if p.name > live):
        # a newer generation that is not live is a rebuild that died; nobody reads it
        shutil.rmtree(abandoned, ignore_errors=True)


def remove_abandoned_generations(root: Path) -> None:
    """Delete generations newer than the live one: rebuilds that were killed before the swap.

    Call only while holding :func:`write_lock`, so no rebuild is in progress.
    """
    live = live_generation(root)
    if live is None or not root.is_dir():
        return
    for gen in root.iterdir():
        if gen.is_dir() and gen.name.startswith(GENERATION_PREFIX) and gen.name > live.name:
            logger.info("removing abandoned rebuild %s", gen)
            shutil.rmtree(gen, ignore_errors=True)


def open_or_create(root: Path) -> Index:
    """Open the live index, creating the first generation when there is none."""
    if live_generation(root) is None:
        gen, ix = create_generation(root)
        activate_generation(root, gen)
        return ix
    return open_index(root)


@contextmanager
def write_lock(root: Path, *, timeout: float = 0.0) -> Iterator[None]:
    """The right to change ``root``: incremental commits and rebuilds take it in turn.

    Whoosh's own lock lives inside one generation, so without this a rebuild (which writes
    a new generation) could run beside another rebuild or an incremental run and delete
    the generation the other is writing. ``flock`` is released by the kernel when the
    holder dies, so a killed run leaves no stale lock.

    :param timeout: seconds to wait for another process holding it.
    :raises IndexLocked: when another process holds it past ``timeout``.
    :raises IndexUnavailable: when the lock file cannot be created.
    """
    try:
        root.mkdir(parents=True, exist_ok=True)
        fd = os.open(root / WRITE_LOCK, os.O_CREAT | os.O_WRONLY | os.O_CLOEXEC, 0o644)
    except OSError as exc:
        raise IndexUnavailable(f"{root}: cannot create the write lock: {exc}") from exc
    try:
        deadline = time.monotonic() + max(timeout, 0.0)
        while True:
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except OSError as exc:
                if exc.errno not in (errno.EAGAIN, errno.EACCES):
                    raise IndexUnavailable(f"{root}: cannot lock the index: {exc}") from exc
                if time.monotonic() >= deadline:
                    raise IndexLocked(
                        f"{root}: another govsearch process is writing this index; try again when it has finished"
                    ) from None
                time.sleep(0.1)
        yield
    finally:
        os.close(fd)  # closing the descriptor releases the lock


@contextmanager
def index_writer(ix: Index, *, timeout: float = 0.0, memory_mb: int = 128) -> Iterator[IndexWriter]:
    """A writer that commits on clean exit and cancels on error, never both.

    The writer is a :class:`indexer.segments.PooledSegmentWriter`: Whoosh's segment writer with
    a postings pool grouped by term, so the commit sorts no postings and merges no runs. The
    commit merges existing segments by :func:`indexer.merge_policy.tiered_merge`.

    :param timeout: seconds to wait for another process's write lock.
    :param memory_mb: postings (estimated MB) pooled in memory before the writer finishes a
        segment and starts another; all are committed together.
    :raises IndexLocked: when another process holds the lock past ``timeout``.
    """
    try:
        writer = PooledSegmentWriter(ix, timeout=timeout, delay=0.25, limitmb=memory_mb)
    except LockError as exc:
        raise IndexLocked(
            f"{ix.storage.folder}: another govsearch process is writing this index; try again when it has finished"
        ) from exc
    try:
        yield writer
    except BaseException:
        writer.cancel()
        raise
    else:
        # tiers by size, not Whoosh's MERGE_SMALL: see indexer.merge_policy
        writer.commit(mergetype=tiered_merge)
