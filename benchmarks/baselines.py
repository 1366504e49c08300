"""Reference setups the benchmarks compare govsearch with, over the same documents.

* :class:`StockWhoosh`: the do-it-yourself peer: Whoosh's default setup with jieba's stock
  ``ChineseAnalyzer`` on title and body, a ``MultifieldParser`` (AND of the words), facet
  counts by ``groupedby`` and Whoosh's default highlighter (which re-tokenises the stored text).
* :class:`Tantivy`: the speed reference: tantivy (Rust, ``pip install tantivy``, the ``bench``
  extra) over text pre-tokenised by our jieba analyzer and joined by spaces (``whitespace``
  tokenizer), with ``terms`` aggregations for the facets and its snippet generator.

Both take the documents as dicts of stored fields (``load_docs``), i.e. our cleaned text
and metadata, so only the engines differ.
"""

from __future__ import annotations

import logging
import shutil
import time
import warnings
from pathlib import Path
from typing import Any

from whoosh import fields, index, sorting
from whoosh import query as wq
from whoosh.qparser import MultifieldParser

from indexer.analysis import tokenize

logger = logging.getLogger(__name__)

#: Facets counted by every setup (govsearch counts these and more).
FACETS = ("issuer", "doc_type", "topic", "year")


def load_docs(engine: Any) -> list[dict[str, Any]]:
    """The stored fields of every document of a govsearch engine, as plain dicts.

    :param engine: an :class:`indexer.engine.SearchEngine`.
    """
    out = []
    for stored in engine.all_stored():
        out.append(
            {
                "id": stored["id"],
                "title": stored.get("title", ""),
                "body": stored.get("body", ""),
                "issuer": [i for i in (stored.get("issuer") or "").split(",") if i],
                "doc_type": stored.get("doc_type", ""),
                "topic": stored.get("topic", ""),
                "year": stored.get("year", ""),
            }
        )
    return out


def _stock_analyzer() -> Any:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        from jieba.analyse import ChineseAnalyzer
    return ChineseAnalyzer()


class StockWhoosh:
    """Whoosh with jieba's ChineseAnalyzer, default settings.

    :param directory: where the index goes (emptied first by :meth:`build`).
    """

    def __init__(self, directory: Path) -> None:
        self.directory = Path(directory)
        self._ix: Any = None
        self._searcher: Any = None

    def build(self, docs: list[dict[str, Any]], procs: int = 1) -> float:
        """Index ``docs``; returns wall seconds.

        :param procs: Whoosh writer processes (``procs=2`` is the stock multi-core setting).
        """
        shutil.rmtree(self.directory, ignore_errors=True)
        self.directory.mkdir(parents=True)
        ana = _stock_analyzer()
        schema = fields.Schema(
            id=fields.ID(stored=True, unique=True),
            title=fields.TEXT(stored=True, analyzer=ana),
            body=fields.TEXT(stored=True, analyzer=ana),
            issuer=fields.KEYWORD(stored=True, commas=True),
            doc_type=fields.ID(stored=True),
            topic=fields.ID(stored=True),
            year=fields.ID(stored=True),
        )
        started = time.perf_counter()
        ix = index.create_in(str(self.directory), schema)
        writer = ix.writer(procs=procs, limitmb=128) if procs > 1 else ix.writer()
        for d in docs:
            writer.add_document(
                id=d["id"], title=d["title"], body=d["body"], issuer=",".join(d["issuer"]),
                **{k: d[k] for k in ("doc_type", "topic", "year") if d[k]},
            )
        writer.commit()
        self._ix = ix
        return time.perf_counter() - started

    def open(self) -> None:
        """Open the built index and keep one searcher."""
        self._ix = index.open_dir(str(self.directory))
        self._searcher = self._ix.searcher()
        self._parser = MultifieldParser(["title", "body"], self._ix.schema)

    def search(self, text: str, filters: dict[str, str] | None = None) -> int:
        """A results page: top 10, facet counts, highlighted body fragments; returns the total."""
        s = self._searcher
        query = self._parser.parse(text) if text else wq.Every()
        flt = wq.And([wq.Term(k, v) for k, v in filters.items()]) if filters else None
        facets = sorting.Facets()
        for name in FACETS:
            facets.add_facet(name, sorting.FieldFacet(name, allow_overlap=(name == "issuer")))
        results = s.search(query, limit=10, filter=flt, groupedby=facets)
        for name in FACETS:
            results.groups(name)
        for hit in results:
            hit.highlights("body")
            hit.highlights("title")
        return len(results)

    def suggest(self, prefix: str, limit: int = 8) -> list[str]:
        """Title words starting with ``prefix`` (what a stock setup offers without a suggester)."""
        words = []
        for term in self._searcher.reader().expand_prefix("title", prefix):
            words.append(term.decode("utf-8") if isinstance(term, bytes) else term)
            if len(words) >= limit:
                break
        return words

    def size(self) -> int:
        """Bytes on disk."""
        return sum(p.stat().st_size for p in self.directory.iterdir() if p.is_file())


class Tantivy:
    """tantivy over jieba-pre-tokenised text (the speed reference).

    :param directory: where the index goes (emptied first by :meth:`build`).
    """

    def __init__(self, directory: Path) -> None:
        import tantivy

        self.tantivy = tantivy
        self.directory = Path(directory)
        sb = tantivy.SchemaBuilder()
        sb.add_text_field("id", stored=True, tokenizer_name="raw")
        sb.add_text_field("title", stored=True, tokenizer_name="whitespace")
        sb.add_text_field("body", stored=True, tokenizer_name="whitespace")
        for name in FACETS:
            sb.add_text_field(name, stored=True, fast=True, tokenizer_name="raw")
        self.schema = sb.build()
        self._index: Any = None

    def build(self, docs: list[dict[str, Any]], tokens: list[tuple[str, str]] | None = None) -> float:
        """Index ``docs``; returns wall seconds of tantivy's own work (tokens are given).

        :param tokens: (title, body) pre-tokenised and space-joined per doc; made here if None.
        """
        if tokens is None:
            tokens = [(" ".join(tokenize(d["title"], search_mode=True)), " ".join(tokenize(d["body"], search_mode=True))) for d in docs]
        shutil.rmtree(self.directory, ignore_errors=True)
        self.directory.mkdir(parents=True)
        started = time.perf_counter()
        ix = self.tantivy.Index(self.schema, path=str(self.directory))
        writer = ix.writer(heap_size=200_000_000)
        for d, (title, body) in zip(docs, tokens):
            doc = self.tantivy.Document(id=d["id"], title=title, body=body)
            for name in FACETS:
                values = d[name] if isinstance(d[name], list) else [d[name]]
                for v in values:
                    if v:
                        doc.add_text(name, v)
            writer.add_document(doc)
        writer.commit()
        writer.wait_merging_threads()
        ix.reload()
        self._index = ix
        return time.perf_counter() - started

    def open(self) -> None:
        """Open the built index and keep one searcher."""
        self._index = self.tantivy.Index.open(str(self.directory))
        self._searcher = self._index.searcher()

    def _query(self, text: str, filters: dict[str, str] | None) -> Any:
        parts = []
        for chunk in _chunks(text):
            if chunk.startswith('"'):
                words = tokenize(chunk.strip('"'))
                if words:
                    parts.append('+(title:"{0}" body:"{0}")'.format(" ".join(words)))
            else:
                for w in tokenize(chunk):
                    parts.append(f'+(title:"{w}" body:"{w}")')
        for k, v in (filters or {}).items():
            parts.append(f'+{k}:"{v}"')
        return self._index.parse_query(" ".join(parts) or "*", ["title", "body"])

    def search(self, text: str, filters: dict[str, str] | None = None) -> int:
        """A results page: top 10, facet counts (terms aggregations), body snippets; returns the total."""
        s = self._searcher
        query = self._query(text, filters)
        result = s.search(query, 10, count=True)
        s.aggregate(query, {name: {"terms": {"field": name, "size": 30}} for name in FACETS})
        gen = self.tantivy.SnippetGenerator.create(s, query, self.schema, "body")
        for _, address in result.hits:
            gen.snippet_from_doc(s.doc(address)).to_html()
        return int(result.count or 0)

    def suggest(self, prefix: str, limit: int = 8) -> list[str]:
        """Title terms starting with ``prefix``."""
        return [t for t, _ in self._searcher.terms_with_prefix("title", prefix, limit=limit)]

    def size(self) -> int:
        """Bytes on disk."""
        return sum(p.stat().st_size for p in self.directory.rglob("*") if p.is_file())


def _chunks(text: str) -> list[str]:
    """Quoted phrases and the plain text between them."""
    out, rest = [], text
    while '"' in rest:
        before, _, after = rest.partition('"')
        phrase, _, rest = after.partition('"')
        if before.strip():
            out.append(before)
        if phrase.strip():
            out.append(f'"{phrase}"')
    if rest.strip():
        out.append(rest)
    return out
