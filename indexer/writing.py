"""Writing documents into a Whoosh index: the fields of a Document, and sessions that add them.

:class:`IndexSession` is what :meth:`SearchEngine.writer` and :meth:`SearchEngine.rebuild`
yield. Documents arrive either whole (the writer analyses them) or with the postings of
their analysed text fields (title, body, issuer names) prepared in an extraction worker
(:func:`prepare_postings`), so jieba runs on every core and the writer only pools postings,
or, for large runs, as whole segments that workers wrote (:class:`SegmentBatchWriter`) and the
session adopts into its commit (:meth:`IndexSession.adopt_segments`).
"""

from __future__ import annotations

import logging
import pickle
from array import array
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from whoosh import formats
from whoosh import index as whoosh_index
from whoosh.system import pack_uint

from indexer.analysis import PreTokenized, index_analyzer, term_positions
from indexer.duplicates import text_fingerprint
from indexer.models import DocMeta, Document
from indexer.schema import build_schema
from indexer.segments import ColumnPostings, Posting, PooledSegmentWriter, delete_segment_files

logger = logging.getLogger(__name__)

@dataclass
class FileState:
    """What the index knows of a source file, to decide whether to read it again."""

    id: str
    size: int
    mtime: float
    content_hash: str
    sidecar_stamp: str


class IndexSession:
    """Writes documents within one commit. Obtain from :meth:`SearchEngine.writer`."""

    def __init__(self, writer: Any, id_locations: Callable[[], dict[str, list[int]] | None] | None = None) -> None:
        """
        :param writer: the locked Whoosh writer.
        :param id_locations: returns, for this writer's segments, every document id with its
            document numbers (deleted ones included), or None if it cannot tell; called once,
            at the first deletion. Without it, deletions look ids up in the index's postings.
        """
        self._writer = writer
        self.added = 0
        self.deleted = 0
        self._prepared_ok: bool | None = None
        self._names = frozenset(writer.schema.names())
        self._id_locations = id_locations
        self._docnums: dict[str, list[int]] | None = None
        self._docnums_known = id_locations is None

    def _known(self, fields: dict[str, Any]) -> dict[str, Any]:
        return known_fields(self._names, fields)

    def _prepared_fields_match(self) -> bool:
        """Whether prepared postings fit this index: its analysed fields are the current schema's
        plain positional text fields (no spelling words, no vectors) and the writer pools by term."""
        if self._prepared_ok is None:
            writer = self._writer
            current = _current_schema()
            self._prepared_ok = isinstance(writer, PooledSegmentWriter) and all(
                name in writer.schema
                and writer.schema[name] == current[name]
                and not writer.schema[name].separate_spelling()
                and not writer.schema[name].vector
                for name in PREPARED_FIELDS
            )
        return self._prepared_ok

    def segment_target(self, memory_mb: int) -> SegmentTarget | None:
        """Where extraction workers may write whole segments for this session's commit
        (:class:`SegmentBatchWriter`, then :meth:`adopt_segments`); None when this index's
        fields differ from the current schema's (documents then come through :meth:`add`).

        :param memory_mb: postings each worker pools before it finishes a segment.
        """
        if not self._prepared_fields_match():
            return None
        return SegmentTarget(self._writer.storage.folder, self._writer.indexname, max(1, memory_mb))

    def adopt_segments(self, segments: list[Any], documents: int) -> None:
        """Commit ``segments`` (from :meth:`SegmentBatchWriter.finish`) with this session's own.

        The caller deletes the old versions of documents they replace (:meth:`delete`).

        :param documents: how many documents they hold, for :attr:`added`.
        """
        self._writer.adopt(segments)
        self.added += documents

    def discard_segments(self, segments: list[Any]) -> None:
        """Delete the files of ``segments`` (from :meth:`SegmentBatchWriter.finish`) that this
        session will not adopt: a batch that finished after the run had failed."""
        delete_segment_files(self._writer.storage, self._writer.indexname, {s.segment_id() for s in segments})

    def add(
        self, doc: Document, *, interprets_id: str = "", sidecar_stamp: str = "", spans: dict[str, array] | None = None
    ) -> None:
        """Add or replace ``doc`` (matched on its id).

        :param spans: ``{"title": ..., "body": ...}`` from :func:`indexer.analysis.pretokenize`
            of ``doc.meta.title`` and ``doc.text``, made in an extraction worker: these fields
            are then indexed from the spans without a second jieba pass (same terms, positions).
        """
        fields = document_fields(doc, interprets_id=interprets_id, sidecar_stamp=sidecar_stamp, spans=spans)
        self._writer.update_document(**self._known(fields))
        self.added += 1

    def add_prepared(
        self, doc: Document, postings: dict[str, list[Posting] | ColumnPostings], *, interprets_id: str = "", sidecar_stamp: str = ""
    ) -> None:
        """Add or replace ``doc`` whose analysed fields' postings were made by :func:`prepare_postings`.

        The writing process then neither tokenises nor encodes those fields (the costliest
        part of adding a document); the index is the same as with :meth:`add`. Falls back to
        :meth:`add` when this index's fields differ from the current schema's.
        """
        if not self._prepared_fields_match():
            self.add(doc, interprets_id=interprets_id, sidecar_stamp=sidecar_stamp)
            return
        fields = document_fields(doc, interprets_id=interprets_id, sidecar_stamp=sidecar_stamp)
        self._delete_id(doc.id)
        self._writer.add_document_with_postings(self._known(fields), postings)
        self.added += 1

    def delete(self, doc_id: str) -> None:
        """Remove the document with this id, if any."""
        self.deleted += self._delete_id(doc_id)

    def _delete_id(self, doc_id: str) -> int:
        """Delete the live documents with this id; returns how many.

        Looking the id up in the postings (Whoosh's ``delete_by_term``) makes each segment's
        reader copy its postings file into memory (:mod:`indexer.compound_files`): 2 s of a
        15 s incremental run at 10^5 documents. The segment digests already know every
        document's id and number, so they answer instead when the engine passes them.
        """
        if not self._docnums_known:
            self._docnums_known = True
            self._docnums = self._id_locations() if self._id_locations is not None else None
        if self._docnums is None:
            return self._writer.delete_by_term("id", doc_id)
        count = 0
        for docnum in self._docnums.get(doc_id, ()):
            if not self._writer.is_deleted(docnum):
                self._writer.delete_document(docnum)
                count += 1
        return count

    def set_fields(self, stored: dict[str, Any], **changes: Any) -> None:
        """Re-add a document from its stored fields with ``changes`` (e.g. a new ``interprets_id``)."""
        fields = {k: v for k, v in stored.items() if k in self._writer.schema.names()}
        fields.update(changes)
        issuers = fields.get("issuer") or []
        if isinstance(issuers, str):  # stored comma-joined
            issuers = [i for i in issuers.split(",") if i]
        fields["issuer"] = ",".join(issuers)
        fields["issuer_text"] = " ".join(issuers)
        if "fingerprint" in self._names:
            # a column, not stored: computed again from the stored text
            fields["fingerprint"] = text_fingerprint(fields.get("body") or "") or None
        if fields.get("sort_date") is None:
            # sort_date is not stored: rebuild it as document_fields does, or "newest" loses the document
            fields["sort_date"] = fields.get("written_date") or fields.get("published_date")
            if fields["sort_date"] is None:
                fields.pop("sort_date")
        self._writer.update_document(**{k: v for k, v in fields.items() if v is not None})


def known_fields(names: frozenset[str], fields: dict[str, Any]) -> dict[str, Any]:
    """``fields`` less those a schema with these field ``names`` lacks (an index built before a field was added)."""

    def known(key: str) -> bool:
        if key.startswith("_stored_"):
            return key[8:] in names
        return key.startswith("_") or key in names  # _boost and friends are Whoosh's own

    if all(known(k) for k in fields):
        return fields
    return {k: v for k, v in fields.items() if known(k)}


@dataclass(frozen=True)
class SegmentTarget:
    """An index generation that workers may add segments to (see :meth:`IndexSession.segment_target`)."""

    folder: str
    indexname: str
    memory_mb: int


class SegmentBatchWriter:
    """Writes documents into new segments of an index, outside the locked writer's process.

    Runs in an extraction worker while the writing process holds the index's lock: it opens
    an unlocked :class:`PooledSegmentWriter` (as Whoosh's own multiprocessing writer opens its
    sub-writers) and writes complete segments, with fresh ids, that no table of contents names
    until the locked writer adopts them (:meth:`IndexSession.adopt_segments`). So the
    documents' analysis, pooling and segment writing all happen on the worker's core, and
    only the finished segments' descriptions travel back. A segment never adopted (a worker
    that died, a run that was cancelled) is deleted by :meth:`discard` or by the next
    commit's clean-up; it is never read.
    """

    def __init__(self, target: SegmentTarget) -> None:
        ix = whoosh_index.open_dir(target.folder, indexname=target.indexname)
        self._writer = PooledSegmentWriter(ix, _lk=False, limitmb=target.memory_mb)
        self._names = frozenset(self._writer.schema.names())
        self.documents = 0

    def add(self, doc: Document, *, sidecar_stamp: str = "") -> None:
        """Add ``doc`` as :meth:`IndexSession.add_prepared` would (no old version is deleted here)."""
        fields = document_fields(doc, sidecar_stamp=sidecar_stamp)
        self._writer.add_document_with_postings(known_fields(self._names, fields), _postings_of_fields(fields))
        self.documents += 1

    def finish(self) -> list[Any]:
        """Finish writing; the segments written (picklable Whoosh ``Segment`` objects)."""
        return self._writer.finish_segments()

    def discard(self) -> None:
        """Stop writing and delete every segment this writer started."""
        self._writer.discard_segments()


def document_fields(
    doc: Document, *, interprets_id: str = "", sidecar_stamp: str = "", spans: dict[str, array] | None = None
) -> dict[str, Any]:
    """The Whoosh fields of ``doc``.

    :param spans: pre-tokenised ``title``/``body`` (see :meth:`IndexSession.add`).
    """
    meta = doc.meta
    fields: dict[str, Any] = {
        "id": doc.id,
        "path": doc.path,
        "format": doc.format,
        "title": meta.title,
        "body": doc.text,
        "doc_number": meta.doc_number,
        "issuer": ",".join(i.replace(",", " ") for i in meta.issuer),
        "issuer_text": " ".join(meta.issuer),
        "doc_type": meta.doc_type,
        "topic": meta.topic,
        "region": meta.region,
        "validity": meta.validity,
        "year": str(meta.year) if meta.year else "",
        "index_no": meta.index_no,
        "publicity": meta.publicity,
        "attachments": list(meta.attachments),
        "addressees": meta.addressees,
        "url": meta.url,
        "interprets": meta.interprets,
        "is_interpretation": bool(meta.is_interpretation),
        "interprets_id": interprets_id,
        "content_hash": doc.content_hash,
        "size": doc.size,
        "mtime": doc.mtime,
        "sidecar_stamp": sidecar_stamp,
        "warnings": list(doc.warnings),
        "fingerprint": doc.fingerprint or None,
    }
    for key in ("written_date", "published_date"):
        value = getattr(meta, key)
        if value:
            fields[key] = datetime.combine(value, datetime.min.time())
    sort_value = meta.written_date or meta.published_date
    if sort_value:
        fields["sort_date"] = datetime.combine(sort_value, datetime.min.time())
    # Whoosh rejects empty strings in some field types; leave them out instead
    out = {k: v for k, v in fields.items() if v not in ("", None) or k in ("title", "body")}
    for name, field_spans in (spans or {}).items():
        # the plain text is stored; the PreTokenized value only feeds the analyzer
        out[f"_stored_{name}"] = out[name]
        out[name] = PreTokenized(out[name], field_spans)
    return out


#: Fields whose postings extraction workers prepare (:func:`prepare_postings`).
PREPARED_FIELDS = ("title", "body", "issuer_text")

_schema_cache: list[Any] = []


def _current_schema() -> Any:
    if not _schema_cache:
        _schema_cache.append(build_schema())
    return _schema_cache[0]


def prepare_postings(doc: Document) -> dict[str, list[Posting] | ColumnPostings]:
    """The postings of ``doc``'s analysed text fields (:data:`PREPARED_FIELDS`), for :meth:`IndexSession.add_prepared`.

    Runs the schema's own ``field.index`` (jieba analysis and position encoding) where it is
    called, normally in an extraction worker process, so indexing uses every core.
    """
    return _postings_of_fields(document_fields(doc))


def _postings_of_fields(values: dict[str, Any]) -> dict[str, list[Posting] | ColumnPostings]:
    """:func:`prepare_postings` from the document's fields (empty ones left out, as the writer leaves them)."""
    schema = _current_schema()
    return {name: field_postings(schema[name], values[name]) for name in PREPARED_FIELDS if name in values}


def field_postings(field: Any, value: str) -> list[Posting] | ColumnPostings:
    """``list(field.index(value))``: the postings of one text field, made faster for our TEXT fields.

    For a field that indexes word positions (Whoosh's ``Positions`` format) with our index
    analyzer, the postings are built from :func:`indexer.analysis.term_positions` and encoded
    as ``Positions.encode`` of Whoosh-Reloaded 2.7.5 does (``pack_uint(n) + pickle`` of the
    position deltas; weight = frequency x field boost), skipping a Token object and two
    generators per token, and returned as :class:`ColumnPostings` (cheaper to send to the
    writing process). ``tests/integration/test_segment_writer.py`` pins the equality with
    ``field.index``. Any other field goes through ``field.index``.
    """
    if not _fast_positions(field):
        return list(field.index(value))
    single = _single_position_values
    dumps = pickle.dumps
    terms: list[bytes] = []
    freqs = array("I")
    values: list[bytes] = []
    add_term, add_freq, add_value = terms.append, freqs.append, values.append
    for text, poslist in term_positions(value).items():
        n = len(poslist)
        if n == 1:
            # most terms occur once in a document: their value depends on the position only,
            # and one shared bytes object per position also pickles once per batch
            pos = poslist[0]
            vbytes = single.get(pos)
            if vbytes is None:
                vbytes = pack_uint(1) + dumps([pos], 2)
                if pos < _SINGLE_CACHE_POSITIONS:
                    single[pos] = vbytes
        else:
            vbytes = pack_uint(n) + dumps([b - a for a, b in zip([0] + poslist, poslist)], 2)
        add_term(text.encode("utf-8"))
        add_freq(n)
        add_value(vbytes)
    # weights: Whoosh sums a boost of 1.0 per token, then multiplies by the field boost
    return ColumnPostings(terms, freqs, values, field.format.field_boost)


# position -> Positions value of a term that occurs once there, for the first positions
_SINGLE_CACHE_POSITIONS = 1 << 16
_single_position_values: dict[int, bytes] = {}


_INDEX_ANALYZER = index_analyzer()


def _fast_positions(field: Any) -> bool:
    """Whether ``field`` stores positions and analyses with exactly :func:`index_analyzer`."""
    return type(field.format) is formats.Positions and field.analyzer == _INDEX_ANALYZER


def document_from_stored(stored: dict[str, Any]) -> Document:
    """Rebuild a Document (with its metadata) from the index's stored fields."""
    meta = DocMeta(
        title=stored.get("title", ""),
        doc_number=stored.get("doc_number", ""),
        issuer=[i for i in (stored.get("issuer") or "").split(",") if i],
        written_date=_as_date(stored.get("written_date")),
        published_date=_as_date(stored.get("published_date")),
        doc_type=stored.get("doc_type", ""),
        topic=stored.get("topic", ""),
        index_no=stored.get("index_no", ""),
        region=stored.get("region", ""),
        validity=stored.get("validity", ""),
        publicity=stored.get("publicity", ""),
        attachments=list(stored.get("attachments") or []),
        addressees=stored.get("addressees", ""),
        url=stored.get("url", ""),
        interprets=stored.get("interprets", ""),
        is_interpretation=bool(stored.get("is_interpretation")),
    )
    return Document(
        id=stored["id"],
        path=stored.get("path", ""),
        text=stored.get("body", ""),
        meta=meta,
        format=stored.get("format", ""),
        content_hash=stored.get("content_hash", ""),
        size=stored.get("size", 0) or 0,
        mtime=stored.get("mtime", 0.0) or 0.0,
        warnings=list(stored.get("warnings") or []),
    )


def _as_date(value: Any) -> date | None:
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    return None
