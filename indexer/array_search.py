"""Query evaluation over arrays: ranking, counts and facets of a results page at portal scale.

Whoosh evaluates a query one posting at a time in Python: a matcher tree calls ``next()``,
``id()`` and ``score()`` for every posting of every term, and facet counting walks every
match again. At 10^5 documents a common word has tens of thousands of postings, and a
results page (a scored top-N pass plus an unscored pass for counts and facets) costs
seconds. This module evaluates the *same* Whoosh query objects over numpy arrays instead:

* a term's postings are read once, a block at a time, into arrays of document numbers and
  term frequencies (kept in a bounded cache: segments never change once written);
* BM25F is computed for all of a term's postings at once, with Whoosh's own global
  statistics (``searcher.idf``, ``searcher.avg_field_length``) and field lengths decoded
  from Whoosh's length columns, so scores equal Whoosh's;
* ``Or`` sums, ``And`` intersects and sums, ``AndMaybe`` adds the optional side where it
  matches, boosts multiply: Whoosh's matcher semantics, over dense per-document arrays;
* facet values, dates and priors come from the index's columns, read once per segment;
  counting a facet is one ``bincount`` over the matches;
* query types without an array form (phrases, prefixes, ranges in a user query) run
  through Whoosh's own matcher for their subtree, so they are exact too, at Whoosh's speed.

``tests/integration/test_array_search.py`` checks hit order, scores, totals and facet
counts against Whoosh's own search on the demo corpus and on generated indexes.
"""

from __future__ import annotations

import bisect
import threading
from collections import OrderedDict
from itertools import accumulate
from pickle import loads
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
from whoosh import query as q
from whoosh.codec.whoosh3 import W3LeafMatcher
from whoosh.columns import NumericColumn
from whoosh.formats import Positions
from whoosh.system import _INT_SIZE
from whoosh.matching import FilterMatcher
from whoosh.searching import Searcher
from whoosh.util.numeric import byte_to_length

from indexer.duplicates import group_indices

#: Posting entries (document number + frequency) kept in the cache, per engine. About 8
#: bytes each: the default holds 40 MB, the postings of a few hundred common words at 10^5
#: documents.
POSTINGS_CACHE_ENTRIES = 5_000_000
#: An optional clause holding phrases (the proximity bonus of a short query) is evaluated
#: on this many of the required side's best documents only: checking word positions costs
#: a block read per document, and a document below this rank by its term scores does not
#: reach the first page by a proximity bonus. Exact (equal to Whoosh) while a query has
#: fewer matches than this. 100 and 300 give the same ncp_policy_qa figures (docs/search.md).
PROXIMITY_DEPTH = 100
#: Per searcher, an LRU of terms' whole-index postings and BM25 scores, bounded by entries
#: (8 to 16 bytes each: about 48 MB).
TERM_ENTRIES_KEPT = 4_000_000
#: Posting blocks (about 128 documents' ids and word positions each, a few KB) kept decoded
#: per engine for phrase and proximity checks: common words' blocks are read query after query.
POSITION_BLOCKS_CACHED = 8000
#: Whether a segment holds a term, remembered for this many (segment, field, term) keys:
#: a term table lookup costs about 25 microseconds, and a question asks hundreds.
TERMS_LOOKED_UP = 200_000
#: A column value at or above this marks "no value" (an undated document's sort_date).
_NO_DATE = 1 << 63
_BYTE_LENGTHS = np.array([byte_to_length(b) if b else 0 for b in range(256)], dtype=np.float64)


@dataclass
class Match:
    """Which documents a query matches and their scores (dense, one slot per document)."""

    mask: np.ndarray
    scores: np.ndarray

    def count(self) -> int:
        return int(np.count_nonzero(self.mask))


@dataclass
class FacetColumn:
    """One facet field over all documents: ``codes[doc]`` indexes ``values`` (-1: none).

    Multi-valued fields (the issuer: joint documents have several) keep (document, code)
    pairs in ``pair_docs``/``pair_codes`` instead of ``codes``.
    """

    values: list[str]
    codes: np.ndarray | None = None
    pair_docs: np.ndarray | None = None
    pair_codes: np.ndarray | None = None

    def counts(self, mask: np.ndarray) -> dict[str, int]:
        """Documents per value among those in ``mask``."""
        if self.codes is not None:
            codes = self.codes[mask]
            codes = codes[codes >= 0]
        else:
            assert self.pair_docs is not None and self.pair_codes is not None
            codes = self.pair_codes[mask[self.pair_docs]]
        counted = np.bincount(codes, minlength=len(self.values)) if len(codes) else np.zeros(len(self.values), dtype=np.int64)
        return {self.values[i]: int(counted[i]) for i in np.flatnonzero(counted)}


@dataclass
class _Segment:
    """Arrays of one segment (immutable on disk; deletions are read per searcher)."""

    doc_count: int
    lengths: dict[str, np.ndarray] = field(default_factory=dict)
    columns: dict[str, np.ndarray] = field(default_factory=dict)  # uint64 columns by field name
    terms: dict[str, list[tuple[str, np.ndarray]]] = field(default_factory=dict)
    titles: dict[int, str] = field(default_factory=dict)


class ArrayIndex:
    """Array views of one open searcher's index, built lazily and shared by every query on it.

    Build one per searcher state (the engine keeps one per generation and TOC version);
    per-segment arrays and postings are cached by segment, so a commit that adds a segment
    reads only the new one.
    """

    def __init__(self, searcher: Searcher, segment_cache: "SegmentCache", scope: str = "") -> None:
        """:param scope: names the index in segment keys (the engine passes the generation)."""
        self.searcher = searcher
        self._cache = segment_cache
        self._leaves: list[tuple[Any, int, str]] = []
        for reader, offset in searcher.reader().leaf_readers():
            segment = reader.segment() if hasattr(reader, "segment") else None
            key = f"{scope}/{segment.segment_id()}" if segment is not None else f"{scope}/anon-{id(reader)}"
            self._leaves.append((reader, offset, key))
        self.size = searcher.reader().doc_count_all()
        self._lock = threading.Lock()
        self._live: np.ndarray | None = None
        self._lengths: dict[str, np.ndarray] = {}
        self._facets: dict[str, FacetColumn] = {}
        self._columns: dict[str, np.ndarray] = {}
        self._fold_kinds: np.ndarray | None = None
        self._priors: dict[Any, np.ndarray] = {}
        self._recent = BoundedCache(TERM_ENTRIES_KEPT, size=_entries)

    # ------------------------------------------------------------ per-document arrays
    def live(self) -> np.ndarray:
        """Mask of documents not deleted."""
        if self._live is None:
            live = np.ones(self.size, dtype=bool)
            for reader, offset, _ in self._leaves:
                if reader.has_deletions():
                    deleted = np.fromiter(reader.deleted_docs_set, dtype=np.int64)
                    live[deleted + offset] = False
            self._live = live
        return self._live

    def segment_keys(self) -> set[str]:
        """The cache keys of this index's segments."""
        return {key for _, _, key in self._leaves}

    def _segment(self, reader: Any, key: str) -> _Segment:
        return self._cache.segment(key, lambda: _Segment(doc_count=reader.doc_count_all()))

    def lengths(self, fieldname: str) -> np.ndarray:
        """Each document's length of ``fieldname`` as Whoosh scores it (its one-byte encoding)."""
        with self._lock:
            if fieldname not in self._lengths:
                parts = []
                for reader, _, key in self._leaves:
                    seg = self._segment(reader, key)
                    if fieldname not in seg.lengths:
                        seg.lengths[fieldname] = _read_lengths(reader, fieldname)
                    parts.append(seg.lengths[fieldname])
                self._lengths[fieldname] = np.concatenate(parts) if parts else np.zeros(0)
            return self._lengths[fieldname]

    def raw_dates(self, fieldname: str = "sort_date") -> np.ndarray:
        """A date column's raw keys (``datetime_to_long``); undated documents hold a key ≥ 2**63."""
        return self._uint64_column(fieldname, (1 << 64) - 1)

    def fingerprints(self) -> np.ndarray:
        """Each document's text fingerprint (:mod:`indexer.duplicates`); 0 for none, and in
        segments written before the index had fingerprints."""
        return self._uint64_column("fingerprint", 0)

    def fold_kinds(self) -> np.ndarray:
        """Per document, what a copy must share with it to fold into it (:mod:`indexer.duplicates`):
        being an interpretation (政策解读) or not, and the validity, so an amended or repealed
        version never hides under the version in force."""
        if self._fold_kinds is None:
            kinds = np.zeros(self.size, dtype=np.int64)
            if "is_interpretation" in self.searcher.schema:
                kinds += self.evaluate(q.Term("is_interpretation", True), None).mask
            validity = self.facet("validity") if "validity" in self.searcher.schema else None
            if validity is not None and validity.codes is not None:
                kinds += 2 * (validity.codes + 1)
            self._fold_kinds = kinds  # two threads may both compute it: the same array
        return self._fold_kinds

    def fold(self, docnums: Sequence[int]) -> list[tuple[int, list[int]]]:
        """Ranked documents with the copies of one text folded under the best-ranked of them
        (:func:`indexer.duplicates.group_indices`): ``(kept position, [folded positions])``."""
        order = np.asarray(docnums, dtype=np.int64)
        return group_indices(self.fingerprints()[order].tolist(), self.fold_kinds()[order].tolist())

    def _uint64_column(self, fieldname: str, missing: int) -> np.ndarray:
        """A numeric column of every document as uint64, read once per segment; ``missing``
        where a segment has no such column."""
        with self._lock:
            if fieldname not in self._columns:
                parts = []
                for reader, _, key in self._leaves:
                    seg = self._segment(reader, key)
                    if fieldname not in seg.columns:
                        count = reader.doc_count_all()
                        # an index built before the field existed has it in no schema: Whoosh
                        # raises on has_column there
                        if fieldname in reader.schema and reader.has_column(fieldname):
                            column = reader.column_reader(fieldname, translate=False)
                            seg.columns[fieldname] = numeric_column(column, count).astype(np.uint64)
                        else:
                            seg.columns[fieldname] = np.full(count, missing, dtype=np.uint64)
                    parts.append(seg.columns[fieldname])
                self._columns[fieldname] = np.concatenate(parts) if parts else np.zeros(0, dtype=np.uint64)
            return self._columns[fieldname]

    def facet(self, fieldname: str) -> FacetColumn:
        """The facet field's values per document, from its terms' postings (a block at a
        time; facet fields are indexed whole, so a term is a value). A sortable field holds
        one value per document; others (the issuer) may hold several."""
        with self._lock:
            if fieldname in self._facets:
                return self._facets[fieldname]
        index: dict[str, int] = {}
        docs: list[np.ndarray] = []
        codes_list: list[np.ndarray] = []
        for reader, offset, key in self._leaves:
            seg = self._segment(reader, key)
            if fieldname not in seg.terms:
                seg.terms[fieldname] = _term_postings(reader, fieldname)
            for text, ids in seg.terms[fieldname]:
                code = index.setdefault(text, len(index))
                docs.append(ids + offset)
                codes_list.append(np.full(len(ids), code, dtype=np.int64))
        pair_docs = np.concatenate(docs) if docs else np.zeros(0, dtype=np.int64)
        pair_codes = np.concatenate(codes_list) if codes_list else np.zeros(0, dtype=np.int64)
        keep = self.live()[pair_docs] if len(pair_docs) else np.zeros(0, dtype=bool)
        pair_docs, pair_codes = pair_docs[keep], pair_codes[keep]
        if self._has_column(fieldname):
            codes = np.full(self.size, -1, dtype=np.int64)
            codes[pair_docs] = pair_codes
            facet = FacetColumn(values=list(index), codes=codes)
        else:
            facet = FacetColumn(values=list(index), pair_docs=pair_docs, pair_codes=pair_codes)
        with self._lock:
            self._facets[fieldname] = facet
        return facet

    def title(self, docnum: int) -> str:
        """A document's stored title, kept per segment after the first read (the title
        re-rank reads the same popular documents' titles query after query)."""
        offsets = [offset for _, offset, _ in self._leaves]
        i = bisect.bisect_right(offsets, docnum) - 1
        reader, offset, key = self._leaves[i]
        titles = self._segment(reader, key).titles
        local = docnum - offset
        if local not in titles:
            titles[local] = reader.stored_fields(local).get("title", "") or ""
        return titles[local]

    def priors(self, key: Any, compute: Callable[[Any], list[float]]) -> np.ndarray:
        """Per-document score factors, ``compute(segment_searcher)`` per segment, cached by ``key``."""
        with self._lock:
            if key not in self._priors:
                parts = [np.asarray(compute(sub), dtype=np.float64) for sub, _ in self.searcher.leaf_searchers()]
                self._priors[key] = np.concatenate(parts) if parts else np.zeros(0)
            return self._priors[key]

    # ------------------------------------------------------------------- postings
    def postings(self, fieldname: str, text: str) -> tuple[np.ndarray, np.ndarray]:
        """(document numbers, term frequencies) of one term over the whole index, deleted ones included."""
        return self._memo(("postings", fieldname, text), lambda: self._read_term(fieldname, text))

    def _memo(self, key: Any, compute: Callable[[], Any]) -> Any:
        # per searcher: a term's whole-index arrays and scores, asked for query after query
        return self._recent.get(key, compute)

    def _read_term(self, fieldname: str, text: str) -> tuple[np.ndarray, np.ndarray]:
        ids: list[np.ndarray] = []
        weights: list[np.ndarray] = []
        field_obj = self.searcher.schema[fieldname]
        try:
            btext = field_obj.to_bytes(text)
        except ValueError:
            return np.zeros(0, dtype=np.int64), np.zeros(0)
        for reader, offset, key in self._leaves:
            if not self._cache.has_term((key, fieldname, btext), reader):
                continue
            seg_ids, seg_weights = self._cache.postings((key, fieldname, btext), lambda r=reader: _read_postings(r, fieldname, btext))
            ids.append(seg_ids + offset)
            weights.append(seg_weights)
        if not ids:
            return np.zeros(0, dtype=np.int64), np.zeros(0)
        return (np.concatenate(ids), np.concatenate(weights)) if len(ids) > 1 else (ids[0], weights[0])

    # ----------------------------------------------------------------- evaluation
    def evaluate(self, query: q.Query, weighting: Any | None, focus: np.ndarray | None = None) -> Match:
        """The documents ``query`` matches and, when ``weighting`` is given, their scores
        (before the weighting's ``final`` step: multiply by :meth:`priors`).

        :param focus: the documents the caller will rank (those passing its filters): a
            proximity bonus is scored on the best of these (see :data:`PROXIMITY_DEPTH`).
            The set of matches does not depend on it.
        """
        m = self._eval(query, weighting, None, focus, {})
        m.mask &= self.live()
        return m

    def _empty(self) -> Match:
        return Match(np.zeros(self.size, dtype=bool), np.zeros(self.size))

    def _eval(
        self, query: q.Query, weighting: Any | None, within: np.ndarray | None = None,
        focus: np.ndarray | None = None, memo: dict[Any, Any] | None = None,
    ) -> Match:
        # ``within``: only these documents can matter (phrase checks are limited to them);
        # ``focus``: the documents the caller ranks (see evaluate); ``memo``: word positions
        # already read in this evaluation (neighbouring word pairs share words)
        kind = type(query)
        if kind is q.Term:
            return self._term(query, weighting)
        if kind is q.Or or kind is q.And:
            subs = [s for s in query.subqueries if s is not q.NullQuery]
            if not subs:
                return self._empty()
            parts = [self._eval(s, weighting, within, focus, memo) for s in subs]
            mask = parts[0].mask.copy()
            scores = parts[0].scores.copy()
            for p in parts[1:]:
                if kind is q.Or:
                    mask |= p.mask
                else:
                    mask &= p.mask
                scores += p.scores
            if kind is q.And:
                scores[~mask] = 0.0
            # Whoosh hands a lone subquery's matcher back unwrapped: its compound's boost is lost
            if query.boost != 1.0 and len(query.subqueries) > 1:
                scores *= query.boost
            return Match(mask, scores)
        if kind is q.AndMaybe:
            required = self._eval(query.a, weighting, within, focus, memo)
            ranked = required.mask if focus is None else required.mask & focus
            best = self._best(Match(ranked, required.scores), PROXIMITY_DEPTH) if weighting is not None else ranked
            optional = self._eval(query.b, weighting, best, None, memo)
            scores = required.scores + np.where(optional.mask & required.mask, optional.scores, 0.0)
            if query.boost != 1.0:
                scores *= query.boost
            return Match(required.mask, scores)
        if kind is q.AndNot:
            positive = self._eval(query.a, weighting, within, focus, memo)
            negative = self._eval(query.b, None)
            positive.mask &= ~negative.mask
            return positive
        if kind is q.Every:
            return Match(self.live().copy(), np.full(self.size, float(query.boost)))
        if query is q.NullQuery or kind is type(q.NullQuery):
            return self._empty()
        if kind is q.DateRange and self._has_column(query.fieldname):
            return self._date_range(query)
        if kind is q.Phrase and query.fieldname in self.searcher.schema and len(query.words) > 1:
            field_obj = self.searcher.schema[query.fieldname]
            if field_obj.format is not None and field_obj.format.supports("positions"):
                return self._phrase(query, weighting, within, memo)
        return self._via_whoosh(query, weighting)

    def _has_column(self, fieldname: str) -> bool:
        # sortable in the schema: a segment without the column file holds no value for it
        return fieldname in self.searcher.schema and self.searcher.schema[fieldname].column_type is not None

    def _term(self, query: q.Term, weighting: Any | None) -> Match:
        out = self._empty()
        fieldname, text = query.fieldname, query.text
        if fieldname not in self.searcher.schema:
            return out
        ids, tf = self.postings(fieldname, text)
        if not len(ids):
            return out
        out.mask[ids] = True
        if weighting is None:
            return out
        scored = self._term_scores(fieldname, text, weighting)
        if scored is None:
            return self._via_whoosh(query, weighting)
        scores = scored[1]
        if query.boost != 1.0:
            scores = scores * query.boost
        out.scores[ids] = scores
        return out

    def _term_scores(self, fieldname: str, text: str, weighting: Any) -> tuple[np.ndarray, np.ndarray] | None:
        """A term's (document numbers, scores) over the whole index, before its query's boost;
        None when only Whoosh's own scorer can score it (a weighting other than BM25F)."""
        ids, tf = self.postings(fieldname, text)
        field_obj = self.searcher.schema[fieldname]
        if field_obj.scorable and hasattr(weighting, "K1"):
            B = weighting._field_B.get(fieldname, weighting.B)
            K1 = weighting.K1

            def bm25() -> np.ndarray:
                idf = self.searcher.idf(fieldname, text)
                avgfl = self.searcher.avg_field_length(fieldname) or 1
                fl = self.lengths(fieldname)[ids]
                # Whoosh's bm25(): idf * (tf * (K1 + 1)) / (tf + K1 * ((1 - B) + B * fl / avgfl))
                return idf * ((tf * (K1 + 1)) / (tf + K1 * ((1 - B) + B * fl / avgfl)))

            return ids, self._memo(("bm25", fieldname, text, B, K1), bm25)
        if field_obj.scorable:
            return None
        return ids, tf.astype(np.float64)  # Whoosh's WeightScorer: the posting's weight

    def _best(self, match: Match, depth: int) -> np.ndarray:
        """Mask of the ``depth`` best-scoring live matches (all of them when fewer)."""
        ids = np.flatnonzero(match.mask & self.live())
        best = np.zeros(self.size, dtype=bool)
        if len(ids) > depth:
            ids = ids[np.argpartition(-match.scores[ids], depth - 1)[:depth]]
        best[ids] = True
        return best

    def _phrase(self, query: q.Phrase, weighting: Any | None, within: np.ndarray | None = None, memo: dict[Any, Any] | None = None) -> Match:
        """Whoosh's phrase semantics over arrays: documents holding every word, then a
        position check on those only. Whoosh's phrase is a SpanNear2 (ordered, each next word
        1..slop positions after the previous one) over the intersection of the words' term
        matchers, scored as the sum of the words' term scores times the phrase's boost."""
        out = self._empty()
        fieldname, words = query.fieldname, list(query.words)
        postings = [self.postings(fieldname, w) for w in words]
        if any(not len(ids) for ids, _ in postings):
            return out
        if within is None:
            candidates = postings[0][0]
            for ids, _ in postings[1:]:
                present = np.zeros(self.size, dtype=bool)
                present[ids] = True
                candidates = candidates[present[candidates]]  # an intersection without sorting
            candidates = candidates[self.live()[candidates]]
        else:
            # a proximity clause over a question's best hits: a few documents, looked up in
            # each word's (sorted) postings instead of scattering those over the whole index
            candidates = np.flatnonzero(self.live() & within)
            for ids, _ in postings:
                if not len(candidates):
                    break
                candidates = candidates[_holds(ids, candidates)]
        if not len(candidates):
            return out
        matched: list[np.ndarray] = []
        field_obj = self.searcher.schema[fieldname]
        allowed = self.live() if within is None else self.live() & within
        for reader, offset, key in self._leaves:
            local = candidates[(candidates >= offset) & (candidates < offset + reader.doc_count_all())] - offset
            if not len(local):
                continue
            words_at = []
            for w, (ids, _) in zip(words, postings):
                btext = field_obj.to_bytes(w)
                if within is None or memo is None:
                    words_at.append(_read_positions(reader, fieldname, btext, local, self._cache, key))
                    continue
                # under a proximity clause every pair reads its words for the same few
                # documents: read each word once for all of them
                slot = (id(within), key, fieldname, btext)
                if slot not in memo:
                    mine = ids[(ids >= offset) & (ids < offset + reader.doc_count_all())]
                    memo[slot] = _read_positions(reader, fieldname, btext, mine[allowed[mine]] - offset, self._cache, key)
                words_at.append(memo[slot])
            matched.append(_in_order(words_at, query.slop) + offset)
        ids = np.concatenate(matched) if matched else np.zeros(0, dtype=np.int64)
        out.mask[ids] = True
        if weighting is not None and len(ids):
            scored = [self._term_scores(fieldname, w, weighting) for w in words]
            if any(sc is None for sc in scored):
                total = np.zeros(self.size)
                for w in words:
                    total += self._term(q.Term(fieldname, w), weighting).scores
                out.scores[ids] = total[ids] * query.boost
                return out
            # every matched document holds every word: its score sits at its place in the
            # word's sorted postings (summed in the words' order, as the full arrays were)
            at_ids = np.zeros(len(ids))
            for term_ids, term_scores in scored:  # type: ignore[misc]
                at_ids += term_scores[np.searchsorted(term_ids, ids)]
            out.scores[ids] = at_ids * query.boost
        return out

    def _date_range(self, query: q.DateRange) -> Match:
        raw = self.raw_dates(query.fieldname)
        mask = raw < np.uint64(_NO_DATE)
        if query.start is not None:
            start = np.uint64(query.start)  # DateRange holds datetime_to_long keys
            mask &= (raw > start) if query.startexcl else (raw >= start)
        if query.end is not None:
            end = np.uint64(query.end)
            mask &= (raw < end) if query.endexcl else (raw <= end)
        return Match(mask, np.where(mask, float(query.boost), 0.0))

    def _via_whoosh(self, query: q.Query, weighting: Any | None) -> Match:
        """A subtree with no array form, run by Whoosh's own matchers (exact, per posting)."""
        out = self._empty()
        for sub, offset in self.searcher.leaf_searchers():
            context = sub.context(weighting=weighting) if weighting is not None else sub.boolean_context()
            m = query.matcher(sub, context)
            if not m.is_active():
                continue
            if weighting is None:
                ids = np.fromiter(m.all_ids(), dtype=np.int64)
                out.mask[ids + offset] = True
                continue
            while m.is_active():
                docnum = m.id() + offset
                out.mask[docnum] = True
                out.scores[docnum] = m.score()
                m.next()
        return out

    # ------------------------------------------------------------------ results
    def top(self, match: Match, limit: int, final: np.ndarray | None = None) -> tuple[list[int], np.ndarray]:
        """The best ``limit`` documents by score (ties: lower document number first), and all
        final scores. ``final``: per-document factors applied before ranking."""
        scores = match.scores * final if final is not None else match.scores
        ids = np.flatnonzero(match.mask)
        if not len(ids) or limit <= 0:
            return [], scores
        if len(ids) > limit:
            part = np.argpartition(-scores[ids], limit - 1)[:limit]
            threshold = scores[ids[part]].min()
            ids = ids[scores[ids] >= threshold]  # every tie at the edge, then order and cut
        order = np.lexsort((ids, -scores[ids]))
        return [int(d) for d in ids[order][:limit]], scores

    def sorted_by_date(self, match: Match, limit: int, *, newest: bool) -> list[int]:
        """Matches by ``sort_date``: newest first with undated last, or oldest first (undated last)."""
        ids = np.flatnonzero(match.mask)
        raw = self.raw_dates()[ids]
        if newest:
            dated = raw < np.uint64(_NO_DATE)
            keys = np.where(dated, raw, 0).astype(np.int64)  # a date's key fits in int64
            keys[~dated] = -1  # undated documents last
            order = np.lexsort((-ids, -keys))  # Whoosh's reverse sort: key then docnum, both descending
        else:
            order = np.lexsort((ids, raw))
        return [int(d) for d in ids[order][:limit]]


class BoundedCache:
    """A thread-safe LRU bounded by the total ``size`` of its values (1 each by default).

    A value is computed outside the lock (two threads may compute the same one; the first
    stored wins), so one slow read never blocks the other searches.
    """

    def __init__(self, limit: int, size: Callable[[Any], int] = lambda value: 1) -> None:
        self.limit = limit
        self.total = 0
        self._size = size
        self._table: OrderedDict[Any, Any] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, key: Any, compute: Callable[[], Any]) -> Any:
        """The value of ``key``, computed and kept when absent."""
        with self._lock:
            hit = self._table.get(key)
            if hit is not None:
                self._table.move_to_end(key)
                return hit
        value = compute()
        with self._lock:
            if key not in self._table:
                self._table[key] = value
                self.total += self._size(value)
            while self.total > self.limit and self._table:
                _, old = self._table.popitem(last=False)
                self.total -= self._size(old)
        return value

    def __contains__(self, key: Any) -> bool:
        with self._lock:
            return key in self._table

    def __len__(self) -> int:
        return len(self._table)

    def values(self) -> list[Any]:
        with self._lock:
            return list(self._table.values())


class SegmentCache:
    """Per-segment arrays and bounded LRUs of postings and posting blocks, shared across
    searcher states.

    Segment ids are unique per segment and segments are never rewritten, so nothing here
    goes stale: a merged-away segment's entries are simply never asked for again and age out
    of the LRU (segment arrays are dropped with :meth:`retain`).
    """

    def __init__(self, max_entries: int = POSTINGS_CACHE_ENTRIES, max_blocks: int = POSITION_BLOCKS_CACHED) -> None:
        self._segments: dict[str, _Segment] = {}
        self._postings = BoundedCache(max_entries, size=_entries)
        self._block_index = BoundedCache(max_blocks)
        self._present = BoundedCache(TERMS_LOOKED_UP)
        self._blocks = BoundedCache(max_blocks)
        self._lock = threading.Lock()

    def segment(self, key: str, make: Callable[[], _Segment]) -> _Segment:
        with self._lock:
            seg = self._segments.get(key)
            if seg is None:
                seg = self._segments[key] = make()
            return seg

    def retain(self, keys: set[str]) -> None:
        """Forget the arrays of segments not in ``keys`` (after a merge or a rebuild)."""
        with self._lock:
            for key in [k for k in self._segments if k not in keys]:
                del self._segments[key]

    def has_term(self, key: tuple[str, str, bytes], reader: Any) -> bool:
        """Whether segment ``key[0]``'s ``reader`` holds the term (its term table, asked once)."""
        return self._present.get(key, lambda: (key[1], key[2]) in reader)  # type: ignore[no-any-return]

    def blocked(self, key: tuple[str, str, bytes], read: Callable[[], bool]) -> bool:
        """Whether a term's postings are in W3 blocks (read from the block index when cached)."""
        if key in self._block_index:
            return True
        return read()

    def block_index(self, key: tuple[str, str, bytes], read: Callable[[], tuple[list[int], np.ndarray]]) -> tuple[list[int], np.ndarray]:
        """(file offset, last document) of each posting block of a term, read once."""
        return self._block_index.get(key, read)  # type: ignore[no-any-return]

    def block(self, key: tuple[str, str, bytes, int], read: Callable[[], tuple[np.ndarray, Any]]) -> tuple[np.ndarray, Any]:
        """One posting block's document ids and decoded positions."""
        return self._blocks.get(key, read)  # type: ignore[no-any-return]

    def postings(self, key: tuple[str, str, bytes], read: Callable[[], tuple[np.ndarray, np.ndarray]]) -> tuple[np.ndarray, np.ndarray]:
        """One segment's postings of a term: (document numbers, frequencies)."""
        return self._postings.get(key, read)  # type: ignore[no-any-return]


# ---------------------------------------------------------------------- readers
def _read_postings(reader: Any, fieldname: str, btext: bytes) -> tuple[np.ndarray, np.ndarray]:
    """A term's postings in one segment, deleted documents included (masked later)."""
    m = reader.postings(fieldname, btext)
    if isinstance(m, FilterMatcher):
        m = m.child  # the deletion filter: applied as a mask instead
    ids: list[Any] = []
    weights: list[Any] = []
    if isinstance(m, W3LeafMatcher):
        # a block at a time: Whoosh decodes each block's ids and weights as arrays
        while m.is_active():
            if m._ids is None:
                m._read_ids()
            if m._weights is None:
                m._read_weights()
            ids.append(np.asarray(m._ids, dtype=np.int64))
            weights.append(np.asarray(m._weights, dtype=np.float64))
            m._next_block()
        if not ids:
            return np.zeros(0, dtype=np.int64), np.zeros(0)
        return np.concatenate(ids), np.concatenate(weights)
    flat_ids, flat_weights = [], []
    while m.is_active():  # inlined postings of rare terms, or another codec
        flat_ids.append(m.id())
        flat_weights.append(m.weight())
        m.next()
    return np.array(flat_ids, dtype=np.int64), np.array(flat_weights, dtype=np.float64)


def _entries(value: Any) -> int:
    return sum(len(v) for v in value) if isinstance(value, tuple) else len(value)


def _read_positions(
    reader: Any, fieldname: str, btext: bytes, wanted: np.ndarray, cache: SegmentCache, segment: str
) -> tuple[np.ndarray, np.ndarray]:
    """(document, position) pairs of a term in the segment documents ``wanted`` (sorted),
    read only from the posting blocks that hold them, through ``cache`` (``segment``: the
    segment's cache key)."""
    docs: list[int] = []
    positions: list[int] = []
    if not len(wanted) or not cache.has_term((segment, fieldname, btext), reader):
        return np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.int64)
    fmt = reader.schema[fieldname].format
    decode = _decode_positions if type(fmt) is Positions else fmt.decode_positions
    opened: list[Any] = []

    def matcher() -> Any:
        # opening a matcher reads and decodes its first block: only done on a cache miss
        if not opened:
            m = reader.postings(fieldname, btext)
            opened.append(m.child if isinstance(m, FilterMatcher) else m)
        return opened[0]

    def add(doc: int, value: bytes) -> None:
        found = decode(value)
        docs.extend([doc] * len(found))
        positions.extend(found)

    if cache.blocked((segment, fieldname, btext), lambda: isinstance(matcher(), W3LeafMatcher)):
        def index() -> tuple[list[int], np.ndarray]:
            m = matcher()
            offsets, last = [], []
            at = m._baseoffset
            while m.is_active():
                offsets.append(at)
                last.append(m.block_max_id())
                at = m._nextoffset
                m._next_block()
            return offsets, np.array(last, dtype=np.int64)

        def block(offset: int) -> tuple[np.ndarray, Any]:
            # decoded once: each posting's row number repeated per position, and the positions
            m = matcher()
            m._goto(offset)
            m._read_ids()
            m._read_values()
            decoded = [decode(v) for v in m._values]
            rows = np.repeat(np.arange(len(decoded)), [len(p) for p in decoded])
            flat = np.fromiter((p for ps in decoded for p in ps), dtype=np.int64, count=len(rows))
            return np.asarray(m._ids, dtype=np.int64), (rows, flat)

        offsets, last = cache.block_index((segment, fieldname, btext), index)
        doc_parts: list[np.ndarray] = []
        position_parts: list[np.ndarray] = []
        # the block holding each wanted document: the first whose last id is not before it
        for b in _sorted_unique(np.searchsorted(last, wanted)).tolist():
            if b >= len(offsets):
                continue
            ids, (rows, flat) = cache.block((segment, fieldname, btext, b), lambda o=offsets[b]: block(o))
            slots = np.searchsorted(wanted, ids)
            inside = (slots < len(wanted)) & (wanted[np.minimum(slots, len(wanted) - 1)] == ids)
            take = inside[rows]
            doc_parts.append(ids[rows[take]])
            position_parts.append(flat[take])
        if not doc_parts:
            return np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.int64)
        return np.concatenate(doc_parts), np.concatenate(position_parts)
    else:
        wanted_set = set(wanted.tolist())
        m = matcher()
        while m.is_active():
            if m.id() in wanted_set:
                add(m.id(), m.value())
            m.next()
    return np.array(docs, dtype=np.int64), np.array(positions, dtype=np.int64)


def _decode_positions(value: bytes) -> list[int]:
    """Whoosh's ``Positions.decode_positions`` (a frequency, then pickled deltas), summed in C."""
    if not value.endswith(b"."):
        value += b"."
    return list(accumulate(loads(value[_INT_SIZE:])))


def _in_order(words: list[tuple[np.ndarray, np.ndarray]], slop: int) -> np.ndarray:
    """Documents where the words occur in order, each 1..``slop`` positions after the
    previous one (Whoosh's SpanNear2 with ``ordered=True, mindist=1``), from each word's
    (document, position) pairs; checked for all documents at once.

    Each word's pairs become sorted ``document << 32 | position`` keys, and a key is reached
    when ``key - step`` is a reached key of the word before: a binary search in that sorted
    array. (``np.isin`` does the same by hashing or sorting both arrays on every call, which
    was most of a question's time at 10^5 documents, where common words hold thousands of
    positions among a question's best hits.)
    """
    docs, positions = words[0]
    ends = np.sort(docs << 32 | positions, kind="stable")  # already sorted: timsort is linear
    for next_docs, next_positions in words[1:]:
        if not len(ends):
            break
        keys = next_docs << 32 | next_positions
        reached = np.zeros(len(keys), dtype=bool)
        for step in range(1, slop + 1):
            reached |= _holds(ends, keys - step)
        ends = np.sort(keys[reached], kind="stable")
    return _sorted_unique(ends >> 32)


def _holds(sorted_values: np.ndarray, wanted: np.ndarray) -> np.ndarray:
    """Mask of the ``wanted`` values (document numbers, position keys) found in ``sorted_values``:
    a binary search each (``np.isin`` hashes or sorts both arrays on every call)."""
    if not len(sorted_values):
        return np.zeros(len(wanted), dtype=bool)
    at = np.minimum(np.searchsorted(sorted_values, wanted), len(sorted_values) - 1)
    return sorted_values[at] == wanted


def _sorted_unique(values: np.ndarray) -> np.ndarray:
    """``np.unique`` of an array already sorted: the first of each run."""
    if len(values) < 2:
        return values
    first = np.empty(len(values), dtype=bool)
    first[0] = True
    np.not_equal(values[1:], values[:-1], out=first[1:])
    return values[first]


_NUMPY_TYPES = {"B": "u1", "b": "i1", "H": ">u2", "h": ">i2", "I": ">u4", "i": ">i4", "L": ">u4", "l": ">i4",
                "Q": ">u8", "q": ">i8", "f": ">f4", "d": ">f8"}


def numeric_column(column: Any, doc_count: int) -> np.ndarray:
    """A Whoosh numeric column reader's values for every document, read in one go.

    A ``NumericColumn`` stores big-endian fixed-size values for documents up to the last
    one with a value; the rest hold the default. Other column readers are iterated.
    """
    if isinstance(column, NumericColumn.Reader) and not column._reverse and column._typecode in _NUMPY_TYPES:
        dtype = np.dtype(_NUMPY_TYPES[column._typecode])
        count = min(column._count, doc_count)
        raw = column._dbfile.get(column._basepos, count * column._fixedlen) if count else b""
        values = np.frombuffer(raw, dtype=dtype).astype(dtype.newbyteorder("="))
        if count < doc_count:
            values = np.concatenate([values, np.full(doc_count - count, column._default, dtype=values.dtype)])
        return values
    return np.array([column[i] for i in range(doc_count)])


def _read_lengths(reader: Any, fieldname: str) -> np.ndarray:
    """A field's per-document lengths as Whoosh's scorers see them (decoded length bytes)."""
    n = reader.doc_count_all()
    perdoc = getattr(reader, "_perdoc", None)
    cached = getattr(perdoc, "_cached_reader", None)
    if cached is not None:
        from whoosh.codec.whoosh3 import LENGTHS_COLUMN, _lenfield

        column = cached(_lenfield(fieldname), LENGTHS_COLUMN)
        if column is None:
            return np.zeros(n)
        return _BYTE_LENGTHS[numeric_column(column, n).astype(np.uint8)]
    return np.array([reader.doc_field_length(i, fieldname, 0) or 0 for i in range(n)], dtype=np.float64)


def _term_postings(reader: Any, fieldname: str) -> list[tuple[str, np.ndarray]]:
    """Every term of a (small, keyword) field with the documents holding it, in one segment."""
    out = []
    for btext in reader.lexicon(fieldname):
        ids, _ = _read_postings(reader, fieldname, btext)
        text = btext.decode("utf-8") if isinstance(btext, bytes) else str(btext)
        out.append((text, ids))
    return out


__all__ = ["ArrayIndex", "BoundedCache", "FacetColumn", "Match", "SegmentCache", "POSITION_BLOCKS_CACHED", "POSTINGS_CACHE_ENTRIES"]
