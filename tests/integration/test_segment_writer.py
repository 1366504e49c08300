"""indexer.segments.PooledSegmentWriter writes what Whoosh's SegmentWriter writes, byte for byte.

The writer copies or replaces Whoosh-Reloaded 2.7.5 internals (the postings pool, the loop of
``FieldWriter.add_postings``, the block statistics of ``W3PostingsWriter.add_posting``,
``SegmentWriter.add_document``); these tests pin them: the segment files written from the same
documents in the same order are identical to Whoosh's own, whether the documents come whole
(``add_document``) or with postings prepared in a worker (``add_document_with_postings``), and
when small segments are merged into the pool at commit. A pool that fills up finishes
segments along the way; the index then holds several segments that search as one.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from whoosh import index as whoosh_index
from whoosh.writing import SegmentWriter

from indexer.config import Config
from indexer.engine import SearchEngine
from indexer.ingest import ingest_file, iter_files
from indexer.models import Document, SearchRequest
from indexer.schema import build_schema
from indexer.segments import ColumnPostings, PooledSegmentWriter
from indexer.writing import document_fields, field_postings, prepare_postings

ROOT = Path(__file__).resolve().parents[2]
DEMO = ROOT / "corpus"

QUERIES = ["住房公积金", '"优化营商环境"', "养老服务 补贴", "如何申请失业保险稳岗返还", "医疗保险", "title:通知"]


@pytest.fixture(scope="module")
def documents() -> list[Document]:
    config = Config.from_env({})
    docs = [ingest_file(path, config) for path in iter_files([DEMO]) if path.suffix in {".txt", ".md", ".html", ".docx"}]
    assert len(docs) > 10
    return docs


def _segment_files(folder: Path) -> dict[str, bytes]:
    """The one segment's files by extension (segment ids are random, contents are not)."""
    ix = whoosh_index.open_dir(str(folder))
    segments = ix._segments()
    assert len(segments) == 1
    segid = segments[0].segment_id()
    out = {}
    for path in folder.iterdir():
        if path.name.startswith(segid):
            out[path.name[len(segid):]] = path.read_bytes()
    assert out
    return out


def _write(folder: Path, writer_class: type, add: Callable[[Any, Document], None], docs: list[Document]) -> dict[str, bytes]:
    folder.mkdir()
    ix = whoosh_index.create_in(str(folder), build_schema())
    writer = writer_class(ix, compound=False)
    for doc in docs:
        add(writer, doc)
    writer.commit()
    return _segment_files(folder)


def _whole(writer: Any, doc: Document) -> None:
    writer.add_document(**document_fields(doc))


def _prepared(writer: Any, doc: Document) -> None:
    writer.add_document_with_postings(document_fields(doc), prepare_postings(doc))


def test_field_postings_equal_whoosh_field_index(documents: list[Document]) -> None:
    schema = build_schema()
    texts = [d.text for d in documents] + [d.meta.title for d in documents]
    texts += ["", "。，、", "ＡＢＣ１２３，３．５％ PM2.5 C++ 2024-01-02", "Москва São Paulo 的 的 的 住房公积金"]
    for name in ("title", "body", "issuer_text"):
        for text in texts:
            prepared = field_postings(schema[name], text)
            assert isinstance(prepared, ColumnPostings)
            assert prepared.tuples() == list(schema[name].index(text))
            # the weights the pool computes are those of the tuples, to the bit
            assert [float(n) * prepared.boost for n in prepared.freqs] == [w for _, _, w, _ in schema[name].index(text)]
    # a field that is not a positions field on our analyzer goes through Whoosh
    assert field_postings(schema["id"], "abc") == list(schema["id"].index("abc"))


@pytest.mark.parametrize("add", [_whole, _prepared], ids=["add_document", "prepared_postings"])
def test_segment_files_are_whooshs_own(tmp_path: Path, documents: list[Document], add: Callable[[Any, Document], None]) -> None:
    stock = _write(tmp_path / "stock", SegmentWriter, _whole, documents)
    ours = _write(tmp_path / "ours", PooledSegmentWriter, add, documents)
    assert sorted(stock) == sorted(ours)
    for ext in stock:
        assert stock[ext] == ours[ext], ext


def test_segments_merged_at_commit_as_whoosh_merges_them(tmp_path: Path, documents: list[Document]) -> None:
    """Merging (MERGE_SMALL, OPTIMIZE) hands old segments' postings to the pool one by one (``pool.add``)."""
    results = {}
    for name, writer_class in (("stock", SegmentWriter), ("ours", PooledSegmentWriter)):
        folder = tmp_path / name
        folder.mkdir()
        ix = whoosh_index.create_in(str(folder), build_schema())
        for doc in documents[:6]:  # six one-document segments, with a deletion
            w = SegmentWriter(ix, compound=False)
            w.add_document(**document_fields(doc))
            w.commit(merge=False)
        w = writer_class(ix, compound=False)
        w.delete_by_term("id", documents[2].id)
        for doc in documents[6:9]:
            w.add_document(**document_fields(doc))
        w.commit(optimize=True)
        results[name] = _segment_files(folder)
    assert results["stock"] == results["ours"]


def test_merged_terms_of_many_blocks_are_copied_as_whoosh_copies_them(tmp_path: Path, documents: list[Document]) -> None:
    """Our writer copies a merged segment's postings a block at a time (``add_postings_to_pool``):
    terms with several blocks of postings (Whoosh's block holds 128), deletions in the
    middle of a block and at block edges, inlined and fixed-size values."""
    import dataclasses

    copies = [
        dataclasses.replace(doc, id=f"{doc.id}-{i}", path=f"{doc.path}-{i}")
        for i in range(12)
        for doc in documents
    ]
    assert len(copies) > 300  # so common terms span several blocks in each segment
    third = len(copies) // 3
    results = {}
    for name, writer_class in (("stock", SegmentWriter), ("ours", PooledSegmentWriter)):
        folder = tmp_path / name
        folder.mkdir()
        ix = whoosh_index.create_in(str(folder), build_schema())
        for part in (copies[:third], copies[third : 2 * third]):
            w = SegmentWriter(ix, compound=False)
            for doc in part:
                w.add_document(**document_fields(doc))
            w.commit(merge=False)
        w = writer_class(ix, compound=False)
        for doc in (copies[0], copies[127], copies[128], copies[129], copies[third + 5], copies[2 * third - 1]):
            w.delete_by_term("id", doc.id)
        for doc in copies[2 * third :]:
            w.add_document(**document_fields(doc))
        w.commit(optimize=True)
        results[name] = _segment_files(folder)
    assert results["stock"] == results["ours"]


def _postings_by_id(engine: SearchEngine) -> dict[tuple[str, str, str], list[int]]:
    out: dict[tuple[str, str, str], list[int]] = {}
    with engine.searcher() as s:
        for sub, base in s.leaf_searchers():
            reader = sub.reader()
            ids = {docnum: stored["id"] for docnum, stored in reader.iter_docs()}
            for fieldname in ("title", "body", "id", "doc_type"):
                for term in reader.lexicon(fieldname):
                    m = reader.postings(fieldname, term)
                    while m.is_active():
                        positions = list(m.value_as("positions")) if fieldname in ("title", "body") else []
                        out[(fieldname, term.decode("utf-8"), ids[m.id()])] = positions
                        m.next()
    return out


def test_full_pool_finishes_segments_that_search_as_one(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, documents: list[Document]
) -> None:
    one = SearchEngine(Config.from_env({}, index_dir=tmp_path / "one"))
    many = SearchEngine(Config.from_env({}, index_dir=tmp_path / "many"))
    with one, many:
        # written through the sessions sync uses, without its link pass (whose extra commit
        # leaves deleted copies that count in Whoosh's length statistics)
        with one.rebuild() as session:
            for doc in documents:
                session.add_prepared(doc, prepare_postings(doc))
        # a pool of about 0.05 MB holds one or two demo documents: many segments
        monkeypatch.setattr(PooledSegmentWriter, "__init__", _small_pool_init(PooledSegmentWriter.__init__))
        with many.rebuild() as session:
            for doc in documents:
                session.add_prepared(doc, prepare_postings(doc))
        monkeypatch.undo()
        with one.searcher() as a, many.searcher() as b:
            assert len(a.reader().leaf_readers()) == 1
            assert len(b.reader().leaf_readers()) > 5
            assert b.doc_count_all() == a.doc_count_all() == len(documents)
            assert b.field_length("body") == a.field_length("body")
        assert _postings_by_id(one) == _postings_by_id(many)
        # no index run saved a lexicon: build both now, or a query's pinyin and typo
        # readings depend on whether a background build has finished
        one.lexicon(wait=True)
        many.lexicon(wait=True)
        for text in QUERIES:
            request = SearchRequest(q=text, page_size=50)
            ra, rb = one.search(request), many.search(request)
            assert ra.total == rb.total > 0 and ra.facets == rb.facets
            assert [(h.id, round(h.score, 6), h.snippet) for h in ra.hits] == [(h.id, round(h.score, 6), h.snippet) for h in rb.hits]
        # an incremental run replaces a document that sits in one of the old segments
        doc = documents[3]
        with many.writer() as session:
            session.add_prepared(doc, prepare_postings(doc))
        assert many.count() == len(documents)
        assert doc.id in [h.id for h in many.search(SearchRequest(q=doc.meta.title, scope="title")).hits]


def _small_pool_init(original: Callable[..., None]) -> Callable[..., None]:
    def init(self: PooledSegmentWriter, ix: Any, limitmb: int = 512, **kwargs: Any) -> None:
        original(self, ix, limitmb=limitmb, **kwargs)
        self.pool.limit = self._limit = 50_000

    return init


def test_cancel_removes_the_segments_it_started(tmp_path: Path, documents: list[Document]) -> None:
    folder = tmp_path / "ix"
    folder.mkdir()
    ix = whoosh_index.create_in(str(folder), build_schema())
    w = PooledSegmentWriter(ix)
    w.add_document(**document_fields(documents[0]))
    w.commit()
    before = sorted(p.name for p in folder.iterdir())
    w = PooledSegmentWriter(ix)
    w.pool.limit = w._limit = 50_000
    for doc in documents[1:8]:
        w.add_document_with_postings(document_fields(doc), prepare_postings(doc))
    assert w.flushed
    w.cancel()
    assert sorted(p.name for p in folder.iterdir()) == before
    assert whoosh_index.open_dir(str(folder)).doc_count() == 1
