"""Whoosh's segment writer with a postings pool grouped by term, written out a block at a time.

Whoosh-Reloaded 2.7.5's ``SegmentWriter`` pools every posting as a tuple
``(field, term, docnum, weight, value)`` in an external ``SortingPool``: when the pool passes
``limitmb`` it sorts the tuples and spills them to a run file, and at commit it merges the runs
with ``heapq`` in Python and hands the postings one by one to ``FieldWriter.add_postings``,
which reads each posting's field length back from the lengths column. At 10^4 documents that
was most of the writing process's CPU (docs/performance.md).

:class:`PooledSegmentWriter` keeps the segment format and replaces only that path:

* :class:`TermPool` keeps, per field and term, the document numbers, weights and encoded
  values in arrays, in arrival order (which is document order), so nothing is sorted but the
  terms of each field once;
* :func:`write_pool` writes each term's postings a block at a time through Whoosh's own
  ``W3PostingsWriter._write_block`` (same block size, statistics and bytes), with field
  lengths read once per document and field;
* when the pool passes ``limitmb`` the writer finishes the current segment and starts a new
  one (all of them are committed together in one table of contents), instead of spilling runs
  that must be merged.

``tests/integration/test_segment_writer.py`` checks that the files written are byte for byte
those of Whoosh's own writer, which pins the Whoosh internals this relies on.
"""

from __future__ import annotations

import logging
import pickle
import zlib
from array import array
from operator import sub
from typing import Any, NamedTuple

from whoosh.codec.whoosh3 import WHOOSH3_HEADER_MAGIC as _W3_MAGIC
from whoosh.codec.whoosh3 import LENGTHS_COLUMN, W3FieldWriter, W3LeafMatcher, W3PerDocReader, W3PostingsWriter, W3TermInfo, W3TermsReader, _lenfield
from whoosh.index import TOC
from whoosh.system import pack_int, pack_ushort
from whoosh.util.numeric import byte_to_length, length_to_byte
from whoosh.writing import SegmentWriter

logger = logging.getLogger(__name__)

# Rough bytes held per posting (document number 4, weight 8, list slot 8, bytes object 33
# + its length) and per new term (key, dict slot, three containers): for the flush limit.
_POSTING_OVERHEAD = 53
_TERM_OVERHEAD = 400

#: One posting as Whoosh's ``field.index`` yields it: (term bytes, frequency, weight, encoded value).
Posting = tuple[bytes, int, float, bytes]


class ColumnPostings(NamedTuple):
    """One document's postings of one field as parallel columns: what extraction workers send.

    Against a list of :data:`Posting` tuples it pickles in about half the time and bytes
    and unpickles in a third (no tuple and no float per posting): the weight of a posting
    is ``float(freq) * boost``, as Whoosh's ``Positions`` format computes it.
    """

    terms: list[bytes]
    freqs: array  # typecode "I"
    values: list[bytes]
    boost: float  # the field's boost: the weight of one occurrence

    def tuples(self) -> list[Posting]:
        """The same postings as ``field.index`` tuples."""
        boost = self.boost
        return [(t, n, float(n) * boost, v) for t, n, v in zip(self.terms, self.freqs, self.values)]


class TermPool:
    """In-memory postings of one segment, grouped by field and term.

    Offers the part of Whoosh's ``PostingPool`` interface that ``SegmentWriter`` uses (``add``,
    ``iter_postings``, ``cleanup``, ``fieldnames``) plus :meth:`add_postings` for a document's
    whole field at once.

    :param limit: bytes (estimated) after which :meth:`full` says so.
    """

    def __init__(self, limit: int) -> None:
        self.limit = limit
        self.size = 0
        self.fields: dict[str, dict[bytes, tuple[array, array, list[bytes]]]] = {}
        self.fieldnames: set[str] = set()
        # postings arrive in document order from add_document and from merged readers; if one
        # ever does not, each term's postings are sorted before writing
        self.ordered = True
        self._maxdoc = -1

    def full(self) -> bool:
        """Whether the pool holds more than its limit."""
        return self.size > self.limit

    def _terms(self, fieldname: str) -> dict[bytes, tuple[array, array, list[bytes]]]:
        terms = self.fields.get(fieldname)
        if terms is None:
            terms = self.fields[fieldname] = {}
            self.fieldnames.add(fieldname)
        return terms

    def add(self, item: tuple[str, bytes, int, float, bytes | None]) -> None:
        """Add one posting ``(fieldname, term bytes, docnum, weight, value bytes)``, as Whoosh does."""
        fieldname, tbytes, docnum, weight, vbytes = item
        if not isinstance(tbytes, bytes):
            raise TypeError(f"term {tbytes!r} is not bytes")
        if docnum == -1:
            # Whoosh's add_postings skips these (spelling words); so do we
            return
        if docnum < self._maxdoc:
            self.ordered = False
        else:
            self._maxdoc = docnum
        terms = self._terms(fieldname)
        entry = terms.get(tbytes)
        if entry is None:
            entry = terms[tbytes] = (array("I"), array("d"), [])
            self.size += _TERM_OVERHEAD + len(tbytes)
        entry[0].append(docnum)
        entry[1].append(weight)
        value = vbytes or b""
        entry[2].append(value)
        self.size += _POSTING_OVERHEAD + len(value)

    def add_postings(
        self, fieldname: str, docnum: int, items: list[Posting] | ColumnPostings, boost: float, scorable: bool
    ) -> int:
        """Add one document's postings of one field; returns the field length (sum of frequencies).

        :param items: ``field.index(value)`` output, or one field of :func:`indexer.writing.prepare_postings`.
        :param boost: multiplies each weight (Whoosh's field/document boost).
        :param scorable: whether the field length counts (Whoosh's ``field.scorable``).
        """
        if docnum < self._maxdoc:
            self.ordered = False
        else:
            self._maxdoc = docnum
        terms = self._terms(fieldname)
        get = terms.get
        length = 0
        size = 0
        if isinstance(items, ColumnPostings):
            unit = items.boost
            for tbytes, freq, vbytes in zip(items.terms, items.freqs, items.values):
                entry = get(tbytes)
                if entry is None:
                    entry = terms[tbytes] = (array("I"), array("d"), [])
                    size += _TERM_OVERHEAD + len(tbytes)
                entry[0].append(docnum)
                # (freq x field boost) x document boost: the float operations of the tuple path
                entry[1].append(freq * unit * boost)
                entry[2].append(vbytes)
                length += freq
                size += len(vbytes)
            self.size += size + _POSTING_OVERHEAD * len(items.terms)
            return length if scorable else 0
        for tbytes, freq, weight, vbytes in items:
            entry = get(tbytes)
            if entry is None:
                entry = terms[tbytes] = (array("I"), array("d"), [])
                size += _TERM_OVERHEAD + len(tbytes)
            entry[0].append(docnum)
            entry[1].append(weight * boost)
            entry[2].append(vbytes)
            length += freq
            size += len(vbytes)
        self.size += size + _POSTING_OVERHEAD * len(items)
        return length if scorable else 0

    def add_term_postings(
        self, fieldname: str, tbytes: bytes, docnums: list[int], weights: list[float], values: list[bytes]
    ) -> None:
        """Add one term's postings at once, in ascending document order (a merged segment's).

        The same pool as :meth:`add` per posting would make, without a call per posting.
        """
        if not docnums:
            return
        terms = self._terms(fieldname)
        entry = terms.get(tbytes)
        if entry is None:
            entry = terms[tbytes] = (array("I"), array("d"), [])
            self.size += _TERM_OVERHEAD + len(tbytes)
        elif entry[0] and entry[0][-1] >= docnums[0]:
            self.ordered = False
        if docnums[-1] > self._maxdoc:
            self._maxdoc = docnums[-1]
        entry[0].extend(docnums)
        entry[1].extend(weights)
        entry[2].extend(values)
        self.size += _POSTING_OVERHEAD * len(docnums) + sum(map(len, values))

    def iter_postings(self) -> Any:
        """All postings as sorted ``(fieldname, term, docnum, weight, value)`` tuples (Whoosh's order)."""
        for fieldname in sorted(self.fields):
            terms = self.fields[fieldname]
            for tbytes in sorted(terms):
                for docnum, weight, value in _term_postings(terms[tbytes], self.ordered):
                    yield fieldname, tbytes, docnum, weight, value

    def cleanup(self) -> None:
        """Drop the postings (Whoosh calls this when a segment is closed)."""
        self.fields = {}
        self.size = 0


def _all_postings(m: Any, fixedsize: int | None) -> tuple[list[int], list[float], list[bytes]]:
    """Every posting of a term's matcher (deleted documents included) as three lists.

    Values as ``TermPool.add`` keeps them (``vbytes or b""``)."""
    ids: list[int] = []
    weights: list[float] = []
    values: list[Any] = []
    if type(m) is W3LeafMatcher:
        while m.is_active():
            m._read_ids()
            m._read_weights()
            m._read_values()
            ids.extend(m._ids)
            weights.extend(m._weights)
            values.extend(m._values)
            m._next_block()
    else:  # postings inlined in the term info, or another codec's matcher
        while m.is_active():
            ids.append(m.id())
            weights.append(m.weight())
            values.append(m.value())
            m.next()
    if fixedsize == 0 or not all(values):
        values = [v or b"" for v in values]
    return ids, weights, values


def _term_postings(entry: tuple[array, array, list[bytes]], ordered: bool) -> list[tuple[int, float, bytes]]:
    rows = list(zip(entry[0], entry[1], entry[2]))
    if not ordered:
        rows.sort()  # as Whoosh's tuple sort: by docnum, then weight, then value
    return rows


def write_pool(fieldwriter: Any, schema: Any, lengths: Any, pool: TermPool, doccount: int) -> None:
    """Write ``pool`` through ``fieldwriter``: what ``FieldWriter.add_postings(schema, lengths, pool.iter_postings())`` writes.

    With Whoosh's W3 codec (:func:`_write_field_w3`) each term's blocks, term statistics and
    table row are made here from the pooled arrays, in the bytes ``W3PostingsWriter`` and
    ``W3FieldWriter`` write; any other field writer gets the postings one by one.

    :param lengths: the segment's per-document reader (field lengths), or None.
    :param doccount: documents in the segment.
    """
    if type(fieldwriter) is not W3FieldWriter:
        fieldwriter.add_postings(schema, lengths, pool.iter_postings())
        return
    for fieldname in sorted(pool.fields):
        if fieldname not in schema:
            continue  # as SegmentWriter._process_posts: a field no longer in the schema
        terms = pool.fields[fieldname]
        if not terms:
            continue
        # quantised lengths, as FieldWriter.add_postings reads them (None or 0: no length)
        flen = _field_lengths(lengths, fieldname, doccount) if lengths is not None else None
        fieldwriter.start_field(fieldname, schema[fieldname])
        _write_field_w3(fieldwriter, schema[fieldname], terms, flen, pool.ordered)
        fieldwriter.finish_field()


def _field_lengths(lengths: Any, fieldname: str, doccount: int) -> list[int | None] | None:
    """``[lengths.doc_field_length(d, fieldname) for d in range(doccount)]``, or None if all are empty.

    For a field without a length column Whoosh's per-document reader checks the file's
    existence on every call (a ``stat`` per document and field): asked once here.
    """
    if type(lengths) is W3PerDocReader:
        column = lengths._cached_reader(_lenfield(fieldname), LENGTHS_COLUMN)
        if column is None:
            return None
        flen: list[int | None] = [byte_to_length(b) if b else None for b in (column[d] for d in range(doccount))]
    else:
        dfl = lengths.doc_field_length
        flen = [dfl(d, fieldname) for d in range(doccount)]
    return flen if any(flen) else None


def _write_field_w3(fieldwriter: Any, fieldobj: Any, terms: dict[bytes, tuple[array, array, list[bytes]]],
                    flen: list[int | None] | None, ordered: bool) -> None:
    """Every term of one field, as ``start_term`` / ``add`` per posting / ``finish_term`` of Whoosh-Reloaded 2.7.5 write it.

    Per term: the header ``W3Bl``, then blocks of ``blocklimit`` postings, each
    ``pack_int(±length) + pickle(info) + zlib(pickle(ids as deltas, weights, values))`` (the
    last block's length negative), then a row ``pack_ushort(field id) + term ->
    W3TermInfo.to_bytes()`` in the terms table. The statistics are computed as
    ``W3PostingsWriter.add_posting`` and ``W3TermInfo.add_block`` compute them, with the
    per-posting loops done by array and map calls instead.
    """
    postwriter = fieldwriter._postwriter
    if type(postwriter) is not W3PostingsWriter or postwriter._inlinelimit > 1:
        raise TypeError(f"unexpected postings writer {postwriter!r}")
    blocklimit = postwriter._blocklimit
    compression = postwriter._compression
    fixedsize = fieldobj.format.fixed_value_size()
    fieldkey = pack_ushort(fieldwriter._fieldid)
    postfile = fieldwriter._postfile
    write = postfile.write
    add_row = fieldwriter._tindex.add
    offset = postfile.tell()
    zero = array("I", [0])
    for tbytes in sorted(terms):
        docs, weights, values = terms[tbytes]
        if not ordered:
            rows = _term_postings(terms[tbytes], False)
            docs = array("I", [r[0] for r in rows])
            weights = array("d", [r[1] for r in rows])
            values = [r[2] for r in rows]
        n = len(docs)
        chunks = [_W3_MAGIC]
        # W3TermInfo's running statistics, as add_block updates them
        total_weight: float = 0
        minlength: int | None = None
        maxlength = 0
        maxweight: float = 0
        for start in range(0, n, blocklimit):
            end = start + blocklimit
            ids = docs[start:end]
            count = len(ids)
            block_weights = weights[start:end]
            w32 = array("f", block_weights)  # Whoosh buffers weights as 32-bit floats
            top = max(block_weights)
            block_maxweight = top if top > 0 else 0
            block_min: int | None = None
            block_max = 0
            if flen is not None:
                present = list(map(flen.__getitem__, ids))
                if None in present or 0 in present:
                    present = [ln for ln in present if ln]
                if present:
                    block_min = min(present)
                    block_max = max(present)
            total_weight += sum(w32)
            minlength = block_min if minlength is None else min(minlength, block_min)  # type: ignore[type-var]
            maxlength = max(maxlength, block_max)
            maxweight = max(maxweight, block_maxweight)
            # the block: _mini_ids, _mini_weights, _mini_values
            deltas = tuple(map(sub, ids, zero + ids[:-1]))
            if w32.count(1.0) == count:
                mini_weights: Any = None
            elif w32.count(w32[0]) == count:
                mini_weights = w32[0]
            else:
                mini_weights = tuple(w32)
            block_values = values[start:end]
            if fixedsize is None or fixedsize < 0:
                if not all(block_values):
                    block_values = [v for v in block_values if v]
                if len(set(map(id, block_values))) < len(block_values):
                    block_values = _distinct(block_values)
                mini_values: Any = tuple(block_values)
            elif fixedsize == 0:
                mini_values = None
            else:
                mini_values = b"".join(block_values)
            databytes = pickle.dumps((deltas, mini_weights, mini_values), 2)
            if compression:
                databytes = zlib.compress(databytes, compression)
            infobytes = pickle.dumps(
                (count, ids[-1], block_maxweight, compression, length_to_byte(block_min), length_to_byte(block_max)), 2
            )
            blocklength = len(infobytes) + len(databytes)
            if end >= n:
                blocklength = -blocklength  # the last block
            chunks.append(pack_int(blocklength))
            chunks.append(infobytes)
            chunks.append(databytes)
        data = b"".join(chunks)
        write(data)
        terminfo = W3TermInfo(total_weight, n, minlength, maxlength, maxweight, docs[0], docs[-1])
        terminfo.set_extent(offset, len(data))
        offset += len(data)
        add_row(fieldkey + tbytes, terminfo.to_bytes())


def _distinct(values: list[bytes]) -> list[bytes]:
    """``values`` with repeated objects replaced by equal copies.

    Whoosh creates a new value per posting; a worker may share one (a term occurring once at
    the same position in two documents). pickle would then write a back-reference instead of
    the bytes: the same postings when read, but not the same file.
    """
    seen: set[int] = set()
    out = []
    for value in values:
        if id(value) in seen:
            value = bytes(bytearray(value))
        seen.add(id(value))
        out.append(value)
    return out


class PooledSegmentWriter(SegmentWriter):
    """``SegmentWriter`` over a :class:`TermPool`; commits one or more new segments at once.

    :param ix: the index.
    :param limitmb: pool size (estimated MB) after which the current segment is finished and a
        new one started, so memory stays bounded and nothing is merged.
    Other keyword arguments are ``SegmentWriter``'s (``timeout``, ``delay``).
    """

    def __init__(self, ix: Any, limitmb: int = 512, **kwargs: Any) -> None:
        super().__init__(ix, limitmb=limitmb, **kwargs)
        self.pool.cleanup()
        self.pool = TermPool(limitmb * 1024 * 1024)
        self._limit = limitmb * 1024 * 1024
        #: segments already finished by this writer, committed with the last one
        self.flushed: list[Any] = []

    def add_document(self, **fields: Any) -> None:
        """Whoosh's ``add_document``, then a new segment if the pool is full."""
        super().add_document(**fields)
        self._flush_if_full()

    def add_document_with_postings(self, fields: dict[str, Any], postings: dict[str, list[Posting] | ColumnPostings]) -> None:
        """``add_document`` of Whoosh-Reloaded 2.7.5 with the postings of some fields given.

        A copy of that method's loop in which, for the fields in ``postings`` (made by
        :func:`indexer.writing.prepare_postings`), the prepared postings replace
        ``field.index(value)`` and go to the pool a field at a time; stored values, lengths
        and columns as there. A field with spelling words or vectors is refused (our schema
        has neither; Whoosh's method would handle them).
        """
        self._check_state()
        perdocwriter = self.perdocwriter
        schema = self.schema
        docnum = self.docnum
        pool = self.pool
        docboost = self._doc_boost(fields)
        fieldnames = sorted(name for name in fields if not name.startswith("_"))
        self._check_fields(schema, fieldnames)
        perdocwriter.start_doc(docnum)
        try:
            for fieldname in fieldnames:
                value = fields.get(fieldname)
                if value is None:
                    continue
                field = schema[fieldname]
                if field.separate_spelling() or field.vector:
                    raise ValueError(f"field {fieldname}: spelling words and vectors are not supported here")
                length = 0
                if field.indexed:
                    fieldboost = self._field_boost(fields, fieldname, docboost)
                    items = postings[fieldname] if fieldname in postings else list(field.index(value))
                    length = pool.add_postings(fieldname, docnum, items, fieldboost, field.scorable)
                customval = fields.get(f"_stored_{fieldname}", value)
                perdocwriter.add_field(fieldname, field, customval if field.stored else None, length)
                column = field.column_type
                if column and customval is not None:
                    perdocwriter.add_column_value(fieldname, column, field.to_column_value(customval))
        except BaseException:
            perdocwriter.cancel_doc()
            raise
        perdocwriter.finish_doc()
        self._added = True
        self.docnum += 1
        self._flush_if_full()

    def add_postings_to_pool(self, reader: Any, startdoc: int, docmap: dict[int, int] | None) -> None:
        """What Whoosh's ``add_reader`` does with a merged segment's postings, a block at a time.

        Whoosh reads them one posting at a time through a deletion filter and hands each to the
        pool (``iter_postings``, ``_process_posts``, ``pool.add``): about 15 us a posting, most
        of a merge (a commit that merged 10 segments, 10,753 documents, took 53 s). Here each
        term's blocks are decoded whole (ids, weights, values, as ``W3LeafMatcher`` decodes
        them) and the live postings go to the pool with :meth:`TermPool.add_term_postings`.
        The segment written is the same, byte for byte (``tests/integration/test_segment_writer.py``).
        """
        terms = getattr(reader, "_terms", None)
        if type(terms) is not W3TermsReader or not isinstance(self.pool, TermPool):
            super().add_postings_to_pool(reader, startdoc, docmap)
            return
        schema = self.schema
        reader_schema = reader.schema
        deleted = reader.deleted_docs_set
        codec, postfile = terms._codec, terms._postfile
        add = self.pool.add_term_postings
        for (fieldname, tbytes), terminfo in terms.items():
            # reader.all_terms() skips fields the reader's schema lacks, _process_posts the writer's
            if fieldname not in reader_schema or fieldname not in schema:
                continue
            fmt = reader_schema[fieldname].format
            m = codec.postings_reader(postfile, terminfo, fmt, term=(fieldname, tbytes))
            ids, weights, values = _all_postings(m, fmt.fixed_value_size())
            if deleted:
                keep = [i for i, d in enumerate(ids) if d not in deleted]
                if len(keep) < len(ids):
                    ids = [ids[i] for i in keep]
                    weights = [weights[i] for i in keep]
                    values = [values[i] for i in keep]
            if docmap is not None:
                newids = [docmap[d] for d in ids]
            else:
                newids = [startdoc + d for d in ids]
            add(fieldname, tbytes, newids, weights, values)

    def _flush_if_full(self) -> None:
        if not self.pool.full():
            return
        segment = self._finalize_segment()
        logger.debug("pool full: finished segment %s with %d documents", segment.segment_id(), segment.doc_count_all())
        self.flushed.append(segment)
        # a fresh segment, as SegmentWriter.__init__ sets one up
        self.newsegment = self.codec.new_segment(self.storage, self.indexname)
        self.perdocwriter = self.codec.per_document_writer(self.storage, self.newsegment)
        self.fieldwriter = self.codec.field_writer(self.storage, self.newsegment)
        self.pool = TermPool(self._limit)
        self.docnum = self.docbase = 0

    def _flush_segment(self) -> None:
        # SegmentWriter._flush_segment with write_pool instead of add_postings(pool.iter_postings())
        self.perdocwriter.close()
        pdr = self.per_document_reader() if self.codec.length_stats else None
        write_pool(self.fieldwriter, self.schema, pdr, self.pool, self.docnum)
        self.fieldwriter.close()
        if pdr:
            pdr.close()

    def _merge_segments(self, mergetype: Any, optimize: Any, merge: Any) -> list[Any]:
        segments = super()._merge_segments(mergetype, optimize, merge)
        if self.docnum == 0:
            # everything added went into finished segments: commit no empty one
            self._added = False
        return segments + self.flushed

    def adopt(self, segments: list[Any]) -> None:
        """Commit ``segments``, finished by :meth:`finish_segments` of unlocked writers in other
        processes, with this writer's own (and delete their files if it is cancelled)."""
        self.flushed.extend(segments)

    def finish_segments(self) -> list[Any]:
        """Finish the current segment and return every segment this writer wrote, committing nothing.

        For a writer opened with ``_lk=False`` in an extraction worker: the writer holding the
        index's lock commits the segments with its own (:meth:`adopt`). The writer is closed
        after this; an empty current segment is deleted rather than returned.
        """
        self._check_state()
        if self.docnum:
            self.flushed.append(self._finalize_segment())
        else:
            self._close_segment()
            delete_segment_files(self.storage, self.indexname, {self.newsegment.segment_id()})
        self.is_closed = True
        segments, self.flushed = self.flushed, []
        return segments

    def discard_segments(self) -> None:
        """Close an unlocked writer (see :meth:`finish_segments`) and delete every segment it started."""
        try:
            if not self.is_closed:
                self.is_closed = True
                self._close_segment()
        finally:
            delete_segment_files(self.storage, self.indexname,
                                  {segment.segment_id() for segment in self.flushed} | {self.newsegment.segment_id()})
            self.flushed = []

    def cancel(self) -> None:
        """Whoosh's ``cancel``, then delete the files of every segment this writer started or adopted.

        Nothing refers to them (Whoosh's own cancel leaves them for the next commit's clean-up).
        """
        super().cancel()
        names = {segment.segment_id() for segment in self.flushed} | {self.newsegment.segment_id()}
        delete_segment_files(self.storage, self.indexname, names)
        self.flushed = []


def segment_file_names(storage: Any, indexname: str, segment_ids: set[str]) -> list[str]:
    """The names of the files in ``storage`` that belong to these segments (compound or not)."""
    pattern = TOC._segment_pattern(indexname)
    return [name for name in list(storage) if (match := pattern.match(name)) and match.group(1) in segment_ids]


def delete_segment_files(storage: Any, indexname: str, segment_ids: set[str]) -> None:
    """Delete the files of these segments; a file that will not go is left for the next
    commit's clean-up, which deletes every file of a segment no TOC names."""
    for filename in segment_file_names(storage, indexname, segment_ids):
        try:
            storage.delete_file(filename)
        except OSError:
            pass
