"""SearchEngine: the one small interface the CLI, the site and the API share.

add / update / delete documents (through :meth:`SearchEngine.writer`), search with
facet counts, get by id, links between policies and interpretations, stats.
Another engine could sit behind the same methods later; nothing outside
``indexer`` imports Whoosh.
"""

from __future__ import annotations

import html
import logging
import shutil
import threading
import time as time_module
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import numpy as np
from whoosh import query as q
from whoosh import scoring
from whoosh.index import Index
from whoosh.searching import Searcher

from indexer import query as query_module
from indexer import store
from indexer.array_search import ArrayIndex, Match, SegmentCache
from indexer.config import Config
from indexer.digests import DIGESTS_FILE, DigestFile, SegmentDigest, digests_of, live
from indexer.duplicates import MAX_DISTANCE, distances
from indexer.errors import IndexUnavailable, InvalidParameter
from indexer.highlight import leading_text, mark_text, snippet
from indexer.models import FACET_FIELDS, Document, Hit, Link, Results, SearchRequest
from indexer.overlap import comparable_text, overlap_shares_by_size
from indexer.query import ParsedQuery, RankingWeighting, build_filter, normalize_query, parse_user_query
from indexer.suggest import Lexicon, lexicon_path
from indexer.suggest import suggest as suggest_text
from indexer.synonyms import default_synonyms
from indexer.writing import FileState, IndexSession, document_from_stored

logger = logging.getLogger(__name__)

SORTS = ("relevance", "newest", "oldest")
SCOPES = ("all", "title", "body", "doc_number")
#: Results are served up to this rank (deep paging costs the whole top-N).
MAX_RESULTS = 10_000
#: Most values one filter field may hold (each is a term of the filter query).
MAX_FILTER_VALUES = 50
#: Most facet values returned per field.
FACET_LIMIT = 30


#: Result sets up to this size are folded whole (copies of one text into one hit), so the
#: number of pages is exact; larger ones fold as far as the page asked for, and their page
#: count is estimated from the number of matching documents. About 1 ms of folding at 500.
FOLD_WHOLE_RESULTS = 500


class SearchEngine:
    """The index of one ``config.index_dir``: searching and writing.

    Searchers are opened lazily, kept open, and refreshed cheaply when a commit or a
    rebuild has made them stale, so a running site picks up a reindex without restart.
    Safe to share between threads.
    """

    def __init__(self, config: Config) -> None:
        self.config = config
        self.root = Path(config.index_dir)
        self._lock = threading.RLock()
        self._ix: Index | None = None
        self._generation: Path | None = None
        self._searcher: Searcher | None = None
        # ((generation dir, TOC generation), lexicon): pinyin, did-you-mean, suggest
        self._lexicon: tuple[tuple[Path | None, int], Lexicon] | None = None
        self._lexicon_building: tuple[Path | None, int] | None = None
        # (generation dir, its segment digests): read once per process, saved with the lexicon
        self._digests: tuple[Path | None, DigestFile] | None = None
        # arrays of the open searcher's segments and a bounded postings cache (array_search)
        self._segment_cache = SegmentCache()
        self._array_index: ArrayIndex | None = None

    # ----------------------------------------------------------------- lifecycle
    def exists(self) -> bool:
        """Whether there is an index to search yet."""
        return store.index_exists(self.root)

    def close(self) -> None:
        """Close the open searcher (the engine reopens on next use)."""
        with self._lock:
            if self._searcher is not None:
                self._searcher.close()
            self._searcher = None
            self._ix = None
            self._generation = None

    def __enter__(self) -> "SearchEngine":
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def _index(self) -> Index:
        with self._lock:
            live = store.live_generation(self.root)
            if self._ix is None or live != self._generation:
                self._ix = store.open_index(self.root)
                self._generation = live
                if self._searcher is not None:
                    self._searcher = None  # the old generation's files stay readable until GC
            return self._ix

    @contextmanager
    def searcher(self) -> Iterator[Searcher]:
        """A searcher on the latest committed state."""
        with self._lock:
            ix = self._index()
            if self._searcher is None:
                self._searcher = ix.searcher(weighting=self._weighting())
            elif not self._searcher.up_to_date():
                # Not Searcher.refresh(): Whoosh-Reloaded 2.7.5 merges the old reader's segments
                # into the new list (deleted and merged-away documents come back) and fails on
                # an EmptyReader. A new searcher on the re-read TOC is always right.
                self._ix = ix = ix.refresh()
                self._searcher = ix.searcher(weighting=self._weighting())
            searcher = self._searcher
        yield searcher

    def _weighting(self) -> scoring.WeightingModel:
        # BM25F with validity and recency priors; weights in indexer.query.RANKING
        return RankingWeighting()

    def _lexicon_key(self) -> tuple[Path | None, int]:
        """(generation directory, TOC generation) of the state searches see now."""
        with self.searcher() as s:
            generation = self._generation
            toc = s.reader().generation()
            if toc is None:  # an empty reader knows no generation: ask the index
                toc = self._index().latest_generation()
        return generation, int(toc)

    def lexicon(self, *, wait: bool = False) -> Lexicon | None:
        """The index's words, pinyin keys and titles (pinyin, did-you-mean, suggest).

        Loaded from the file :meth:`save_lexicon` wrote next to the index generation at
        index time. When there is none for the current commit, it is built in a background
        thread and this returns the previous commit's lexicon (or None) meanwhile, so a
        search never waits for it.

        :param wait: build it now when no saved one matches (scripts and tests).
        """
        if not self.exists():
            return None
        key = self._lexicon_key()
        with self._lock:
            cached = self._lexicon
            if cached is not None and cached[0] == key:
                return cached[1]
        if key[0] is not None:
            loaded = Lexicon.load(lexicon_path(key[0], key[1]))
            if loaded is not None:
                with self._lock:
                    self._lexicon = (key, loaded)
                return loaded
        if wait:
            return self.save_lexicon()
        with self._lock:
            if self._lexicon_building != key:
                self._lexicon_building = key
                threading.Thread(target=self._build_lexicon_in_background, name="lexicon", daemon=True).start()
            return cached[1] if cached is not None else None

    def _build_lexicon_in_background(self) -> None:
        try:
            self.save_lexicon()
        except (OSError, IndexUnavailable) as exc:
            logger.warning("%s: lexicon not built: %s", self.root, exc)
        finally:
            with self._lock:
                self._lexicon_building = None

    def save_lexicon(self) -> Lexicon | None:
        """Build the lexicon of the committed index and save it next to the generation.

        Called after each commit (:mod:`indexer.sync`), so searches only ever load it.
        Lexicons of earlier commits of the same generation are removed.
        """
        if not self.exists():
            return None
        key = self._lexicon_key()
        with self._lock:
            ix = self._index()
        with ix.searcher() as s:
            # segments read by an earlier build are not read again (an incremental commit
            # adds one segment; the others' terms and titles are what they were)
            segments, digest_file = self._segment_digests(s, key[0])
            lexicon = Lexicon.from_digests(segments, syllable_cache=digest_file.syllables)
        if key[0] is not None:
            target = lexicon_path(key[0], key[1])
            try:
                # the latest commit's segments, read now: another process may have committed
                # since this lexicon's searcher opened
                live = [segment.segment_id() for segment in ix._segments()]
                digest_file.save(key[0] / DIGESTS_FILE, words=lexicon.vocabulary.df, live=live)
                with self._lock:  # saved: a serving process need not hold them (10^2 MB at 10^5 documents)
                    self._digests = None
                lexicon.save(target)
                for old in key[0].glob("lexicon-*.pickle"):
                    if old != target:
                        old.unlink(missing_ok=True)
            except OSError as exc:  # a read-only index still searches; the lexicon stays in memory
                logger.warning("%s: lexicon not saved: %s", target, exc)
        with self._lock:
            self._lexicon = (key, lexicon)
        return lexicon

    def _segment_digests(
        self, s: Searcher, generation: Path | None
    ) -> tuple[list[tuple[Any, SegmentDigest, str | None]], DigestFile]:
        """The digests of every segment ``s`` reads (:func:`indexer.digests.digests_of`).

        The generation's digest file is read once per engine and kept: one sync asks three
        times (file states, links, lexicon) and reads only new segments, and
        :meth:`save_lexicon` writes the file once at the end.
        """
        with self._lock:
            if self._digests is None or self._digests[0] != generation:
                self._digests = (generation, DigestFile.load(generation / DIGESTS_FILE if generation is not None else None))
            digest_file = self._digests[1]
        segments = digests_of(s, digest_file.digests)
        with self._lock:
            digest_file.remember(segments)
        return segments, digest_file

    @contextmanager
    def writer(self, *, timeout: float = 0.0) -> Iterator[IndexSession]:
        """Add, replace and delete documents; one commit at the end (cancelled on error).

        Creates the index on first use.

        :param timeout: seconds to wait for another writer before raising IndexLocked.
        """
        with store.write_lock(self.root, timeout=timeout):
            store.remove_abandoned_generations(self.root)
            with self._lock:
                ix = store.open_or_create(self.root)
            with store.index_writer(ix, timeout=timeout, memory_mb=self.config.writer_memory_mb) as w:
                yield IndexSession(w, id_locations=lambda: self._id_locations(ix, w))

    def _id_locations(self, ix: Index, writer: Any) -> dict[str, list[int]] | None:
        """Every document id of ``writer``'s segments with its document numbers, from the
        segment digests (see :meth:`IndexSession._delete_id`); None if the segments the
        digests describe are not the writer's."""
        generation = store.live_generation(self.root)
        if generation is None:
            return None
        with ix.searcher() as s:
            segments, _ = self._segment_digests(s, generation)
            leaves = s.reader().leaf_readers()
        if [sid for _, _, sid in segments] != [seg.segment_id() for seg in writer.segments]:
            return None
        docnums: dict[str, list[int]] = {}
        for (_, digest, _), (_, offset) in zip(segments, leaves):
            for docnum, view in digest.links:
                docnums.setdefault(view["id"], []).append(offset + docnum)
        return docnums

    @contextmanager
    def rebuild(self, *, timeout: float = 0.0) -> Iterator[IndexSession]:
        """Write a complete new index beside the live one and swap it in atomically on success.

        Searches keep answering from the old generation meanwhile; on error the new one is
        discarded and the old stays live.
        """
        with store.write_lock(self.root, timeout=timeout):
            store.remove_abandoned_generations(self.root)
            gen, ix = store.create_generation(self.root)
            try:
                with store.index_writer(ix, timeout=timeout, memory_mb=self.config.writer_memory_mb) as w:
                    yield IndexSession(w)
            except BaseException:
                ix.close()
                shutil.rmtree(gen, ignore_errors=True)
                raise
            store.activate_generation(self.root, gen)

    # ----------------------------------------------------------------- reading
    def file_states(self) -> dict[str, FileState]:
        """path -> what the index holds of it, for every file-backed document."""
        if not self.exists():
            return {}
        out: dict[str, FileState] = {}
        with self.searcher() as s:
            # segments digested after an earlier commit are not read again (indexer.digests)
            segments, _ = self._segment_digests(s, self._generation)
            for leaf, digest, _ in segments:
                for _, path, state in live(leaf, digest.files):
                    out[path] = state
        return out

    def link_views(self) -> list[dict[str, Any]]:
        """Every document's :func:`indexer.links.link_view`: what link resolution reads."""
        if not self.exists():
            return []
        with self.searcher() as s:
            segments, _ = self._segment_digests(s, self._generation)
            return [view for leaf, digest, _ in segments for _, view in live(leaf, digest.links)]

    def stored(self, doc_id: str) -> dict[str, Any] | None:
        """The raw stored fields of a document, or None."""
        with self.searcher() as s:
            return s.document(id=doc_id)

    def get(self, doc_id: str) -> Document | None:
        """The document with this id (full text and metadata), or None."""
        stored = self.stored(doc_id)
        return document_from_stored(stored) if stored else None

    def links(self, doc_id: str) -> tuple[Link | None, list[Link]]:
        """(the policy this document interprets, the interpretations of this document)."""
        with self.searcher() as s:
            stored = s.document(id=doc_id)
            if stored is None:
                return None, []
            target = None
            if stored.get("interprets_id"):
                policy = s.document(id=stored["interprets_id"])
                if policy is not None:
                    target = Link(policy["id"], policy.get("title", ""))
            interpretations = self._interpretations_of(s, [doc_id]).get(doc_id, [])
        return target, interpretations

    def copies_of(self, doc_id: str, limit: int = 20) -> list[Link]:
        """Other documents holding a near-identical copy of this one's text (republished
        elsewhere; :mod:`indexer.duplicates`), oldest first. Empty for an unknown id, a text
        too short to fingerprint, or an index built before fingerprints."""
        with self.searcher() as s:
            docnum = s.document_number(id=doc_id)
            if docnum is None:
                return []
            arrays = self._arrays(s)
            fingerprints = arrays.fingerprints()
            fp = int(fingerprints[docnum])
            if not fp:
                return []
            kinds = arrays.fold_kinds()
            # the same kind only: an interpretation quoting its policy whole is listed as its
            # interpretation, and an amended or repealed version is no copy of the one in force
            near = (distances(fingerprints, fp) <= MAX_DISTANCE) & arrays.live()
            near &= kinds == kinds[docnum]
            near[docnum] = False
            match = Match(near, np.zeros(arrays.size))
            links = []
            for other in arrays.sorted_by_date(match, limit, newest=False):
                stored = s.stored_fields(other)
                links.append(Link(stored["id"], stored.get("title", "") or ""))
            return links

    def _interpretations_of(self, s: Searcher, ids: list[str]) -> dict[str, list[Link]]:
        if not ids:
            return {}
        found: dict[str, list[Link]] = {}
        arrays = self._arrays(s)
        match = arrays.evaluate(q.Or([q.Term("interprets_id", i) for i in ids]), None)
        for docnum in arrays.sorted_by_date(match, MAX_RESULTS, newest=False):  # oldest first
            stored = s.stored_fields(docnum)
            found.setdefault(stored["interprets_id"], []).append(Link(stored["id"], stored.get("title", "")))
        return found

    def count(self) -> int:
        """Number of documents in the index."""
        if not self.exists():
            return 0
        with self.searcher() as s:
            return s.doc_count()

    def stats(self) -> dict[str, Any]:
        """Documents, formats, doc types, interpretations, generation and size on disk."""
        if not self.exists():
            return {"index_dir": str(self.root), "documents": 0, "exists": False}
        with self.searcher() as s:
            formats: dict[str, int] = {}
            warnings = 0
            interpretations = linked = 0
            for stored in s.all_stored_fields():
                formats[stored.get("format", "")] = formats.get(stored.get("format", ""), 0) + 1
                warnings += bool(stored.get("warnings"))
                interpretations += bool(stored.get("is_interpretation"))
                linked += bool(stored.get("interprets_id"))
            generation = store.live_generation(self.root)
            size = sum(p.stat().st_size for p in generation.iterdir() if p.is_file()) if generation else 0
            return {
                "index_dir": str(self.root),
                "exists": True,
                "generation": generation.name if generation else "",
                "documents": s.doc_count(),
                "formats": dict(sorted(formats.items())),
                "with_warnings": warnings,
                "interpretations": interpretations,
                "interpretations_linked": linked,
                "index_bytes": size,
            }

    # ----------------------------------------------------------------- searching
    def search(self, request: SearchRequest) -> Results:
        """Ranked hits with snippets, interpretation links and facet counts.

        Matching, scoring, counting and facets run over arrays (:mod:`indexer.array_search`),
        with the same scores as Whoosh's own search.

        :raises InvalidParameter: for a bad sort, scope, page or page size.
        :raises IndexUnavailable: when there is no index.
        """
        started = time_module.perf_counter()
        self._check(request)
        parsed = self.parse(request.q, request.scope)
        with self.searcher() as s:
            arrays = self._arrays(s)
            weighting = s.weighting
            filters = self._filter_masks(arrays, request)
            everywhere = _all_of(filters.values(), arrays.size)
            used = parsed.strict if parsed.strict is not None else q.Every()
            match = arrays.evaluate(used, weighting, focus=everywhere)
            relaxed = False
            if parsed.relaxed is not None and not (match.mask & everywhere).any():
                used, relaxed = parsed.relaxed, True
                match = arrays.evaluate(used, weighting, focus=everywhere)
            unfiltered = match.mask
            match.mask = unfiltered & everywhere
            rk = query_module.RANKING
            if parsed.is_question and rk.coverage_weight > 0 and len(parsed.concepts) > 1:
                match.scores = match.scores * (1.0 + rk.coverage_weight * _concept_share(s, arrays, parsed.concepts))
            rerank = (
                request.sort == "relevance"
                and (not parsed.is_question or len(parsed.concepts) <= rk.strict_max_terms)
                and not parsed.doc_numbers
                and request.scope != "doc_number"
                and parsed.strict is not None
                and rk.title_rerank_depth > 0
                and rk.title_coverage_weight > 0
            )
            by_overlap = (
                request.sort == "relevance"
                and parsed.is_question
                and request.scope != "doc_number"
                and rk.overlap_depth > 0
                and (rk.overlap_weight > 0 or rk.overlap_long_weight > 0)
            )
            depth = max(rk.title_rerank_depth if rerank else 0, rk.overlap_depth if by_overlap else 0)
            needed = request.page * request.page_size
            limit = max(needed, depth)
            final_scores = match.scores * self._priors(arrays, weighting)
            total = match.count()

            def ranked_to(limit: int) -> list[tuple[_StoredHit, float]]:
                if request.sort == "newest" or (request.sort == "relevance" and isinstance(used, q.Every)):
                    order = arrays.sorted_by_date(match, limit, newest=True)
                elif request.sort == "oldest":
                    order = arrays.sorted_by_date(match, limit, newest=False)
                else:
                    order, _ = arrays.top(match, limit, final_scores)
                ranked = [(_StoredHit(s, docnum, arrays), float(final_scores[docnum])) for docnum in order]
                # the re-ranks reorder the top `depth` only, the same however far `limit` reaches
                if rerank:
                    ranked = _rerank_by_title(ranked, parsed, rk)
                if by_overlap:
                    ranked = _rerank_by_overlap(ranked, parsed, rk, title_only=request.scope == "title")
                return ranked

            hit_count: int | None = None
            if request.collapse:
                # copies fold into the hit above them: look twice as far, and further while
                # the folded hits do not fill this page and matches remain; a result set of
                # moderate size is folded whole, so its pages are counted exactly
                limit = max(limit, 2 * needed)
                if total <= FOLD_WHOLE_RESULTS:
                    limit = max(limit, total)
                while True:
                    ranked = ranked_to(limit)
                    positions = arrays.fold([h.docnum for h, _ in ranked])
                    groups = [(ranked[i], [ranked[j] for j in copies]) for i, copies in positions]
                    if len(groups) >= needed or len(ranked) >= total:
                        break
                    limit *= 2
                if len(ranked) >= total:
                    hit_count = len(groups)  # every match folded: the pages are known exactly
            else:
                groups = [(item, []) for item in ranked_to(limit)]
            start = (request.page - 1) * request.page_size
            hits = []
            for (h, score), copies in groups[start : start + request.page_size]:
                hit = self._hit(h, parsed.terms if request.highlight else None)
                hit.score = score
                hit.duplicates = [Link(c.get("id"), c.get("title", "") or "") for c, _ in copies]
                hits.append(hit)
            self._attach_links(s, hits)
            facets = self._facets(arrays, unfiltered, filters) if request.facets else {}
            corrected = ""
            if parsed.corrected and parsed.corrected != parsed.text:
                # did-you-mean only when the corrected query finds something by itself
                fixed = parse_user_query(parsed.corrected, scope=request.scope, max_chars=self.config.max_query_chars)
                probe = fixed.strict if fixed.strict is not None else fixed.relaxed
                if probe is not None and (arrays.evaluate(probe, None).mask & everywhere).any():
                    corrected = parsed.corrected
        return Results(
            total=total,
            hit_count=hit_count,
            hits=hits,
            page=request.page,
            page_size=request.page_size,
            facets=facets,
            took_ms=(time_module.perf_counter() - started) * 1000,
            query=parsed.text,
            relaxed=relaxed,
            notes=parsed.notes,
            corrected=corrected,
        )

    def warm(self) -> None:
        """Load what the first search would otherwise load: the analyzer's dictionary, the
        lexicon, and the arrays of every segment (facet values, dates, field lengths,
        priors). Servers call it once per worker process, before the first visitor."""
        if not self.exists():
            return
        self.parse("住房公积金 北京")  # jieba's dictionary, synonyms, place names
        with self.searcher() as s:
            arrays = self._arrays(s)
            for fieldname in FACET_FIELDS:
                arrays.facet(fieldname)
            arrays.raw_dates()
            arrays.fingerprints()
            arrays.fold_kinds()
            for fieldname, field_type in s.schema.items():
                if field_type.scorable:
                    arrays.lengths(fieldname)
            self._priors(arrays, s.weighting)

    def parse(self, text: str, scope: str = "all") -> ParsedQuery:
        """The parsed form of a query (for the document page's term marking and debugging).

        Pinyin readings and typo corrections come from this index's vocabulary.
        """
        lexicon = self.lexicon()
        return parse_user_query(
            text,
            scope=scope,
            max_chars=self.config.max_query_chars,
            vocabulary=lexicon.vocabulary if lexicon else None,
            speller=lexicon.speller if lexicon else None,
            synonyms=default_synonyms(self.config.synonyms_path),
        )

    def _check(self, request: SearchRequest) -> None:
        if request.sort not in SORTS:
            raise InvalidParameter("sort", f"must be one of {', '.join(SORTS)}")
        if request.scope not in SCOPES:
            raise InvalidParameter("scope", f"must be one of {', '.join(SCOPES)}")
        if request.page < 1:
            raise InvalidParameter("page", "must be 1 or more")
        if not 1 <= request.page_size <= self.config.max_page_size:
            raise InvalidParameter("page_size", f"must be between 1 and {self.config.max_page_size}")
        for fieldname, values in request.filters.items():
            if len(values) > MAX_FILTER_VALUES:
                raise InvalidParameter(fieldname, f"at most {MAX_FILTER_VALUES} values")
        if request.page * request.page_size > MAX_RESULTS:
            raise InvalidParameter("page", f"results beyond the first {MAX_RESULTS} are not served")

    def _arrays(self, s: Searcher) -> ArrayIndex:
        """The array view of searcher ``s`` (one per searcher; segment arrays outlive it)."""
        with self._lock:
            if self._array_index is None or self._array_index.searcher is not s:
                self._array_index = ArrayIndex(s, self._segment_cache, scope=str(self._generation))
                self._segment_cache.retain(self._array_index.segment_keys())
            return self._array_index

    @staticmethod
    def _priors(arrays: ArrayIndex, weighting: Any) -> np.ndarray:
        if not getattr(weighting, "use_final", False) or not isinstance(weighting, RankingWeighting):
            return np.ones(arrays.size)
        key = (repr(weighting.ranking), weighting.today)
        return arrays.priors(key, weighting.document_priors)

    @staticmethod
    def _filter_masks(arrays: ArrayIndex, request: SearchRequest) -> dict[str, np.ndarray]:
        """One mask per filtered facet field (OR within it) and one for the date range."""
        masks: dict[str, np.ndarray] = {}
        for fieldname, values in request.filters.items():
            flt = build_filter(SearchRequest(filters={fieldname: values}))
            if flt is not None:
                masks[fieldname] = arrays.evaluate(flt, None).mask
        dates = build_filter(SearchRequest(date_from=request.date_from, date_to=request.date_to))
        if dates is not None:
            masks["#dates"] = arrays.evaluate(dates, None).mask
        return masks

    @staticmethod
    def _facets(arrays: ArrayIndex, matched: np.ndarray, filters: dict[str, np.ndarray]) -> dict[str, list[tuple[str, int]]]:
        """Counts per facet value over the matches and the filters; a field with a selection
        counts over the *other* filters only, so its other values stay visible and can be
        added (multi-select facets)."""
        out: dict[str, list[tuple[str, int]]] = {}
        for fieldname in FACET_FIELDS:
            others = [m for name, m in filters.items() if name != fieldname]
            counts = arrays.facet(fieldname).counts(matched & _all_of(others, arrays.size))
            values = [(k, v) for k, v in counts.items() if k not in (None, "")]
            if fieldname == "year":
                values.sort(key=lambda kv: kv[0], reverse=True)
            else:
                values.sort(key=lambda kv: (-kv[1], kv[0]))
            out[fieldname] = values[:FACET_LIMIT]
        return out

    def _hit(self, hit: _StoredHit, terms: list[str] | None) -> Hit:
        stored = hit.fields()
        doc = document_from_stored(stored)
        meta = doc.meta
        if terms:
            title = mark_text(meta.title, terms)
            text_snippet = snippet(doc.text, terms)
        else:
            title = html.escape(meta.title, quote=False)
            text_snippet = leading_text(doc.text)
        return Hit(
            id=doc.id,
            title=title,
            score=0.0,
            snippet=text_snippet,
            doc_number=meta.doc_number,
            issuer=meta.issuer,
            written_date=meta.written_date,
            published_date=meta.published_date,
            doc_type=meta.doc_type,
            topic=meta.topic,
            region=meta.region,
            validity=meta.validity,
            is_interpretation=meta.is_interpretation,
            path=doc.path,
            filename=doc.filename,
            url=meta.url,
            interprets=Link(stored["interprets_id"], "") if stored.get("interprets_id") else None,
        )

    def _attach_links(self, s: Searcher, hits: list[Hit]) -> None:
        by_policy = self._interpretations_of(s, [h.id for h in hits])
        for h in hits:
            h.interpretations = by_policy.get(h.id, [])
            if h.interprets is not None:
                policy = s.document(id=h.interprets.id)
                h.interprets = Link(policy["id"], policy.get("title", "")) if policy else None

    def suggest(self, prefix: str, limit: int = 8) -> list[str]:
        """Suggestions for what has been typed so far: titles starting with it, words
        completing it, titles containing it; pinyin (full or initials) read as Chinese.

        :param prefix: the text typed so far.
        :param limit: most suggestions returned.
        :raises IndexUnavailable: when there is no index.
        """
        text = normalize_query(prefix, 100)
        if not text or limit < 1:
            return []
        if not self.exists():
            raise IndexUnavailable(f"{self.root}: no index yet")
        lexicon = self.lexicon()
        # while a fresh index's lexicon is being built (seconds, once), nothing is suggested
        return suggest_text(lexicon, text, limit) if lexicon is not None else []

    def more_like_this(self, doc_id: str, limit: int = 5) -> list[Link]:
        """Documents sharing the most distinctive terms with this one."""
        with self.searcher() as s:
            docnum = s.document_number(id=doc_id)
            if docnum is None:
                return []
            stored = s.stored_fields(docnum)
            text = (stored.get("title", "") + "\n") * 3 + (stored.get("body", "") or "")[:20000]
            similar = s.more_like(docnum, "body", text=text, top=limit, numterms=12)
            return [Link(h["id"], h.get("title", "")) for h in similar]

    def all_stored(self) -> Iterable[dict[str, Any]]:
        """Every document's stored fields (for link resolution and exports)."""
        with self.searcher() as s:
            return list(s.all_stored_fields())


def _rerank_by_title(ranked: list[tuple[Any, float]], parsed: ParsedQuery, rk: query_module.Ranking) -> list[tuple[Any, float]]:
    """The top ``rk.title_rerank_depth`` hits re-scored by how much of their title the query covers.

    A short query usually names a document; the texts citing that name (its 实施条例, a
    province's 实施办法) repeat it in their bodies far more often than the document
    itself. Scores are multiplied by ``1 + title_coverage_weight * coverage`` (never
    lowered, so the hits below the depth stay below), and titles equal to the query come
    first. The set of matches, and so the totals and facets, is unchanged.
    """
    depth = rk.title_rerank_depth
    top, rest = ranked[:depth], ranked[depth:]
    rescored = []
    for position, (hit, score) in enumerate(top):
        coverage, same = query_module.title_coverage(hit.get("title", "") or "", parsed)
        rescored.append((not same, -score * (1.0 + rk.title_coverage_weight * coverage), position, hit))
    rescored.sort(key=lambda r: r[:3])
    return [(hit, -neg) for _, neg, _, hit in rescored] + rest


def _rerank_by_overlap(
    ranked: list[tuple[Any, float]], parsed: ParsedQuery, rk: query_module.Ranking, *, title_only: bool = False
) -> list[tuple[Any, float]]:
    """A question's top ``rk.overlap_depth`` hits re-scored by the share of its wording they hold.

    Each score becomes ``score + top × (overlap_weight × bigram share + overlap_long_weight ×
    3/4-gram share)`` (:func:`indexer.overlap.overlap_shares_by_size`, idf among these hits), so a
    hit holding the question's rarer runs of characters passes one that only repeats its
    frequent words. Hits below the depth stay below; matches, totals and facets are unchanged.

    :param title_only: compare titles only (a search scoped to titles).
    """
    depth = rk.overlap_depth
    top, rest = ranked[:depth], ranked[depth:]
    if len(top) < 2:
        return ranked
    texts = [
        comparable_text(hit.get("title", "") or "", "" if title_only else hit.get("body", "") or "", title_only=title_only)
        for hit, _ in top
    ]
    best = max(score for _, score in top) or 1.0
    bigram_shares, long_shares = overlap_shares_by_size(parsed.chunks, texts, ((2,), (3, 4)))
    rescored = [
        (score + best * (rk.overlap_weight * bigrams + rk.overlap_long_weight * longer), position, hit)
        for position, ((hit, score), bigrams, longer) in enumerate(zip(top, bigram_shares, long_shares))
    ]
    rescored.sort(key=lambda r: (-r[0], r[1]))
    return [(hit, score) for score, _, hit in rescored] + rest


class _StoredHit:
    """A hit by document number: its title from the arrays' title cache (the re-rank), its
    stored fields read on first use (the result card)."""

    def __init__(self, searcher: Searcher, docnum: int, arrays: ArrayIndex) -> None:
        self.docnum = docnum
        self._searcher = searcher
        self._arrays = arrays
        self._fields: dict[str, Any] | None = None

    def fields(self) -> dict[str, Any]:
        if self._fields is None:
            self._fields = self._searcher.stored_fields(self.docnum)
        return self._fields

    def get(self, name: str, default: Any = None) -> Any:
        if name == "title" and self._fields is None:
            return self._arrays.title(self.docnum)
        return self.fields().get(name, default)


def _concept_share(s: Searcher, arrays: ArrayIndex, concepts: list[q.Query]) -> np.ndarray:
    """Per document, the share of the query's concepts it holds, each weighted by its
    rarest form's inverse document frequency in the body (a rare word held counts more)."""
    held = np.zeros(arrays.size)
    total = 0.0
    for concept in concepts:
        terms = [concept] if isinstance(concept, q.Term) else [t for t in concept.leaves() if isinstance(t, q.Term)]
        words = [t.text for t in terms if t.fieldname == "body"] or [t.text for t in terms]
        weight = max((s.idf("body", w) for w in words), default=1.0)
        held += weight * arrays.evaluate(concept, None).mask
        total += weight
    return held / total if total else held


def _all_of(masks: Iterable[np.ndarray], size: int) -> np.ndarray:
    out = np.ones(size, dtype=bool)
    for m in masks:
        out &= m
    return out


__all__ = ["SearchEngine"]
