"""Segment digests: what a commit's follow-up work reads of each index segment, read once.

After every commit the lexicon is rebuilt (every title and body term, every title), the
links between interpretations and policies are resolved again (a few stored fields of
every document), and before every sync the file states are read (which files the index
holds, with their size, mtime and hash). All three used to read every segment, and the
stored fields come whole from Whoosh, bodies included: most of an incremental run's fixed
cost. A Whoosh segment never
changes once written (an update deletes a document and adds it to a new segment), so what
those passes need of it can be read once and kept: a :class:`SegmentDigest` per segment id,
saved beside the lexicons in ``gen-NNNNNN/segment-digest-<segment id>.pickle``. Deletions are applied
when a digest is used, from the segment's current deletion set.

The same file keeps the pinyin syllables of every word the last lexicon held, so that a
commit looks up only its new words (:meth:`indexer.pinyin.Vocabulary.build`).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pypinyin

from indexer.links import link_view
from indexer.pinyin import segment_terms
from indexer.store import read_pickle, remove_abandoned_temporaries, write_pickle
from indexer.writing import FileState

#: The file beside the lexicons in an index generation (the syllables; see :class:`DigestFile`).
DIGESTS_FILE = "segment-digests.pickle"

#: Each segment's digest is in ``<prefix><segment id>.pickle`` beside it.
SEGMENT_DIGEST_PREFIX = "segment-digest-"

#: Bump when what a digest holds changes (or how it is derived, e.g. links.title_keys):
#: older files are then ignored.
DIGEST_FORMAT = 4

#: Titles longer than this are not offered as suggestions (they are bodies mis-read as titles).
MAX_TITLE_CHARS = 80


@dataclass
class SegmentDigest:
    """What the lexicon and the sync plan read of one segment (deleted documents included)."""

    terms: dict[str, dict[str, int]]  # :func:`indexer.pinyin.segment_terms`
    titles: list[tuple[int, str]]  # (document number in the segment, title)
    files: list[tuple[int, str, FileState]]  # (document number, path, what the index knows of it)
    links: list[tuple[int, dict[str, Any]]]  # (document number, :func:`indexer.links.link_view`)

    @classmethod
    def read(cls, leaf: Any) -> "SegmentDigest":
        """Read one segment's reader: its term table, and each document's stored fields once."""
        titles: list[tuple[int, str]] = []
        files: list[tuple[int, str, FileState]] = []
        links: list[tuple[int, dict[str, Any]]] = []
        for docnum in range(leaf.doc_count_all()):
            stored = leaf.stored_fields(docnum)  # whole, body included: the costly part
            links.append((docnum, link_view(stored)))
            title = (stored.get("title") or "").strip()
            if title and len(title) <= MAX_TITLE_CHARS:
                titles.append((docnum, title))
            if stored.get("path"):
                files.append((docnum, stored["path"], FileState(
                    id=stored["id"],
                    size=stored.get("size", 0) or 0,
                    mtime=stored.get("mtime", 0.0) or 0.0,
                    content_hash=stored.get("content_hash", ""),
                    sidecar_stamp=stored.get("sidecar_stamp", ""),
                )))
        return cls(segment_terms(leaf), titles, files, links)


def segment_id(leaf: Any) -> str | None:
    """The id of the segment a leaf reader reads, or None (a reader of no stored segment)."""
    segment = leaf.segment() if hasattr(leaf, "segment") else None
    return segment.segment_id() if segment is not None else None


def digests_of(searcher: Any, known: dict[str, SegmentDigest]) -> list[tuple[Any, SegmentDigest, str | None]]:
    """``(leaf reader, digest, segment id)`` of every segment ``searcher`` reads; segments in
    ``known`` are not read again."""
    out = []
    for leaf, _ in searcher.reader().leaf_readers():
        sid = segment_id(leaf)
        digest = known.get(sid) if sid is not None else None
        out.append((leaf, digest if digest is not None else SegmentDigest.read(leaf), sid))
    return out


def live(leaf: Any, rows: list[Any]) -> list[Any]:
    """The rows (``(docnum, ...)`` tuples) of documents not deleted in ``leaf``."""
    if not leaf.has_deletions():
        return rows
    deleted = leaf.is_deleted
    return [row for row in rows if not deleted(row[0])]


@dataclass
class DigestFile:
    """The digests of a generation's segments by segment id, and the pinyin syllables of the
    words the last lexicon held (``word -> "gong'ji'jin"``).

    On disk, ``segment-digests.pickle`` holds the syllables, and each segment's digest has a
    file of its own beside it (``segment-digest-<segment id>.pickle``), written once: a
    segment never changes, so a commit writes only its new segments' digests (rewriting all
    of them took 1.2 s per commit at 10^5 documents) and removes those of merged segments.
    """

    digests: dict[str, SegmentDigest] = field(default_factory=dict)
    syllables: dict[str, str] = field(default_factory=dict)
    # segment ids whose digest file is known to be on disk (not part of equality)
    on_disk: set[str] = field(default_factory=set, compare=False, repr=False)

    @classmethod
    def load(cls, path: Path | None) -> "DigestFile":
        """The syllables at ``path`` and the segment digests beside it; empty parts where a
        file is missing, unreadable or of another format."""
        if path is None:
            return cls()
        payload = read_pickle(path, DIGEST_FORMAT, "segment digests")
        syllables = payload.get("syllables") if payload is not None else None
        if payload is not None and payload.get("pypinyin") != pypinyin.__version__:
            syllables = None  # another pypinyin may read words differently: look them up again
        digests: dict[str, SegmentDigest] = {}
        for file in path.parent.glob(f"{SEGMENT_DIGEST_PREFIX}*.pickle"):
            one = read_pickle(file, DIGEST_FORMAT, "segment digest")
            if one is not None and isinstance(one.get("digest"), SegmentDigest):
                digests[_segment_of(file)] = one["digest"]
        return cls(digests, syllables if isinstance(syllables, dict) else {}, set(digests))

    def remember(self, segments: list[tuple[Any, SegmentDigest, str | None]]) -> None:
        """Keep the digests of ``segments`` (as :func:`digests_of` returns them), and only
        those: segments merged away are not needed again."""
        self.digests = {sid: digest for _, digest, sid in segments if sid is not None}

    def save(self, path: Path, words: Iterable[str] | None = None, live: Iterable[str] | None = None) -> None:
        """Write the syllables to ``path`` and the digests not yet on disk beside it, each file
        atomically (:func:`indexer.store.write_pickle`); remove the digests of segments gone.

        :param words: when given, only these words' syllables are kept (the current vocabulary).
        :param live: the segment ids of the generation's latest commit, read just before: the
            digests of other segments are removed. Not this file's own digests, which may be
            older than another process's commit (the site saves a lexicon while ``index``
            commits). None: remove nothing.
        """
        folder = path.parent
        for sid, digest in self.digests.items():
            if sid not in self.on_disk:
                write_pickle(folder / f"{SEGMENT_DIGEST_PREFIX}{sid}.pickle", DIGEST_FORMAT, {"digest": digest})
                self.on_disk.add(sid)
        if live is not None:
            keep = set(live)
            for file in folder.glob(f"{SEGMENT_DIGEST_PREFIX}*.pickle"):
                if _segment_of(file) not in keep:
                    file.unlink(missing_ok=True)
                    self.on_disk.discard(_segment_of(file))
        remove_abandoned_temporaries(folder, f"{SEGMENT_DIGEST_PREFIX}*.pickle")
        syllables = self.syllables if words is None else {w: self.syllables[w] for w in words if w in self.syllables}
        write_pickle(path, DIGEST_FORMAT, {"syllables": syllables, "pypinyin": pypinyin.__version__})


def _segment_of(file: Path) -> str:
    return file.name[len(SEGMENT_DIGEST_PREFIX) : -len(".pickle")]


__all__ = ["DIGESTS_FILE", "MAX_TITLE_CHARS", "SEGMENT_DIGEST_PREFIX", "DigestFile", "SegmentDigest", "digests_of", "live", "segment_id"]
