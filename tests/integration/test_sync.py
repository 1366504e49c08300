"""Incremental indexing: only new or changed files are read; gone files leave the index."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from indexer.engine import SearchEngine
from indexer.errors import ExtractionError
from indexer.models import SearchRequest
from indexer.sync import sync_paths

from .docs_factory import small_corpus, write_doc


def _titles(engine: SearchEngine, q: str = "") -> set[str]:
    res = engine.search(SearchRequest(q=q, page_size=100, facets=False, highlight=False))
    return {h.title for h in res.hits}


def test_first_run_adds_every_file(engine: SearchEngine, tmp_path: Path) -> None:
    small_corpus(tmp_path / "docs")
    summary = sync_paths(engine, [tmp_path / "docs"])
    assert len(summary.added) == 4 and summary.files_read == 4 and summary.files_seen == 4
    assert engine.count() == 4


def test_rerun_reads_nothing_when_nothing_changed(engine: SearchEngine, tmp_path: Path) -> None:
    small_corpus(tmp_path / "docs")
    sync_paths(engine, [tmp_path / "docs"])
    again = sync_paths(engine, [tmp_path / "docs"])
    assert again.unchanged == 4
    assert again.files_read == 0
    assert not again.added and not again.updated and not again.removed


def test_touched_but_identical_file_is_not_reextracted(engine: SearchEngine, tmp_path: Path) -> None:
    paths = small_corpus(tmp_path / "docs")
    sync_paths(engine, [tmp_path / "docs"])
    st = paths["fund"].stat()
    os.utime(paths["fund"], (st.st_atime + 100, st.st_mtime + 100))
    again = sync_paths(engine, [tmp_path / "docs"])
    assert again.files_read == 0 and again.unchanged == 4
    # and the new mtime was recorded, so a third run does not even hash it
    third = sync_paths(engine, [tmp_path / "docs"])
    assert third.unchanged == 4 and third.files_read == 0


def test_changed_file_is_updated(engine: SearchEngine, tmp_path: Path) -> None:
    paths = small_corpus(tmp_path / "docs")
    sync_paths(engine, [tmp_path / "docs"])
    write_doc(paths["fund"].parent, paths["fund"].name, title="示例市关于公积金贷款额度的通知", number="示公积金发〔2024〕1号")
    again = sync_paths(engine, [tmp_path / "docs"])
    assert again.updated == [str(paths["fund"])] and again.files_read == 1
    assert "示例市关于公积金贷款额度的通知" in _titles(engine)
    assert engine.count() == 4


def test_deleted_file_is_removed(engine: SearchEngine, tmp_path: Path) -> None:
    paths = small_corpus(tmp_path / "docs")
    sync_paths(engine, [tmp_path / "docs"])
    paths["jobs"].unlink()
    again = sync_paths(engine, [tmp_path / "docs"])
    assert again.removed == [str(paths["jobs"])]
    assert engine.count() == 3
    assert not engine.search(SearchRequest(q="示人社规〔2022〕2号", facets=False)).total


def test_other_roots_are_left_alone(engine: SearchEngine, tmp_path: Path) -> None:
    small_corpus(tmp_path / "a")
    write_doc(tmp_path / "b", "x.txt", title="示例市关于垃圾分类的通告", number="示城管〔2021〕1号")
    sync_paths(engine, [tmp_path / "a"])
    sync_paths(engine, [tmp_path / "b"])
    assert engine.count() == 5


def test_broken_file_is_reported_and_the_rest_indexed(engine: SearchEngine, tmp_path: Path) -> None:
    small_corpus(tmp_path / "docs")
    broken = tmp_path / "docs" / "broken.pdf"
    broken.write_bytes(b"%PDF-1.4\n1 0 obj << /Type /Catalog >>\ntruncated")
    empty = tmp_path / "docs" / "empty.docx"
    empty.write_bytes(b"")
    summary = sync_paths(engine, [tmp_path / "docs"])
    reported = {r.path: r.reason for r in summary.failed + summary.skipped}
    assert set(reported) == {str(broken), str(empty)}
    assert all(reason for reason in reported.values())
    assert len(summary.added) == 4 and engine.count() == 4
    assert summary.files_seen == len(summary.added) + len(reported)


def test_strict_aborts_and_leaves_index_unchanged(engine: SearchEngine, tmp_path: Path) -> None:
    small_corpus(tmp_path / "docs")
    sync_paths(engine, [tmp_path / "docs"])
    write_doc(tmp_path / "docs", "new.txt", title="示例市关于新政策的通知", number="示政发〔2025〕9号")
    (tmp_path / "docs" / "zz-broken.pdf").write_bytes(b"%PDF-1.4 garbage")
    with pytest.raises(ExtractionError) as info:
        sync_paths(engine, [tmp_path / "docs"], strict=True)
    assert info.value.path.endswith("zz-broken.pdf")
    assert engine.count() == 4
    assert "示例市关于新政策的通知" not in _titles(engine)


def test_dry_run_reports_and_changes_nothing(engine: SearchEngine, tmp_path: Path) -> None:
    paths = small_corpus(tmp_path / "docs")
    sync_paths(engine, [tmp_path / "docs"])
    paths["old_jobs"].unlink()
    write_doc(tmp_path / "docs", "new.txt", title="示例市关于新政策的通知", number="示政发〔2025〕9号")
    plan = sync_paths(engine, [tmp_path / "docs"], dry_run=True)
    assert plan.added == [str(tmp_path / "docs" / "new.txt")]
    assert plan.removed == [str(paths["old_jobs"])]
    assert plan.files_read == 0
    assert engine.count() == 4


def test_sidecar_change_reindexes_the_file(engine: SearchEngine, tmp_path: Path) -> None:
    paths = small_corpus(tmp_path / "docs")
    sync_paths(engine, [tmp_path / "docs"])
    sidecar = paths["fund"].with_name(paths["fund"].name + ".json")
    sidecar.write_text('{"topic": "住房保障", "validity": "现行有效", "index_no": "SL-2023-005"}', encoding="utf-8")
    again = sync_paths(engine, [tmp_path / "docs"])
    assert again.updated == [str(paths["fund"])]
    res = engine.search(SearchRequest(q="", filters={"topic": ["住房保障"]}, facets=False))
    assert res.total == 1 and res.hits[0].validity == "现行有效"
    doc = engine.get(res.hits[0].id)
    assert doc is not None and doc.meta.index_no == "SL-2023-005"


def test_rebuild_swaps_generation_and_old_searcher_keeps_answering(engine: SearchEngine, tmp_path: Path) -> None:
    small_corpus(tmp_path / "docs")
    sync_paths(engine, [tmp_path / "docs"])
    reader = SearchEngine(engine.config)
    assert reader.search(SearchRequest(q="公积金", facets=False)).total == 1
    before = (engine.root / "CURRENT").read_text()
    summary = sync_paths(engine, [tmp_path / "docs"], rebuild=True)
    assert len(summary.added) == 4 and summary.files_read == 4
    assert (engine.root / "CURRENT").read_text() != before
    assert reader.search(SearchRequest(q="公积金", facets=False)).total == 1
    assert engine.count() == 4
    reader.close()


def test_govsearchignore_skips_named_files_and_folders(engine: SearchEngine, tmp_path: Path) -> None:
    small_corpus(tmp_path / "docs")
    (tmp_path / "docs" / "README.md").write_text("# 说明\n不是公文。", encoding="utf-8")
    write_doc(tmp_path / "docs" / "drafts", "draft.txt", title="草稿", number="示政发〔2025〕99号")
    write_doc(tmp_path / "docs" / "sub", "keep.txt", title="示例市关于保留文件的通知", number="示政发〔2025〕98号")
    (tmp_path / "docs" / "sub" / "notes.md").write_text("笔记", encoding="utf-8")
    (tmp_path / "docs" / ".govsearchignore").write_text("# machinery\nREADME.md\ndrafts/\n*.md\n", encoding="utf-8")
    summary = sync_paths(engine, [tmp_path / "docs"])
    assert sorted(Path(p).name for p in summary.added) == ["business.txt", "fund.txt", "jobs.txt", "keep.txt", "old_jobs.txt"]


def test_data_files_are_skipped_not_indexed(engine: SearchEngine, tmp_path: Path) -> None:
    small_corpus(tmp_path / "docs")
    (tmp_path / "docs" / "page.html.metadata.json").write_text('{"url": "https://example.gov/1"}', encoding="utf-8")
    (tmp_path / "docs" / "db.sqlite3").write_bytes(b"SQLite format 3\x00" + b"\x00" * 100)
    summary = sync_paths(engine, [tmp_path / "docs"])
    reasons = {Path(r.path).name: r.reason for r in summary.skipped}
    assert reasons == {
        "page.html.metadata.json": "JSON data, not a document (use `govsearch import` for records)",
        "db.sqlite3": "SQLite database, not a document",
    }
    assert engine.count() == 4


def test_lexicon_and_plan_after_an_incremental_commit_read_only_the_new_segment(
    engine: SearchEngine, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from indexer import digests, pinyin, suggest
    from indexer.links import link_view

    docs = tmp_path / "docs"
    paths = small_corpus(docs)
    sync_paths(engine, [docs])
    before = engine.lexicon(wait=True)
    assert before is not None
    read: list[int] = []
    looked_up: list[str] = []
    real_syllables = pinyin.syllables

    def counting_syllables(word: str) -> list[str]:
        looked_up.append(word)
        return real_syllables(word)

    monkeypatch.setattr(pinyin, "syllables", counting_syllables)
    real_read = digests.SegmentDigest.read.__func__  # type: ignore[attr-defined]

    def counting_read(cls: type, leaf: object) -> digests.SegmentDigest:
        read.append(1)
        return real_read(cls, leaf)

    monkeypatch.setattr(digests.SegmentDigest, "read", classmethod(counting_read))
    write_doc(docs, "new.txt", title="示例市人民政府关于推进数字政府建设的意见", number="示政发〔2024〕9号", body="建设一体化政务服务平台。")
    paths["business"].unlink()  # a deletion: its title must go although its segment is not read again
    sync_paths(engine, [docs])
    with engine.searcher() as s:
        segments = len(s.reader().leaf_readers())
    assert segments >= 2
    assert len(read) == 1  # the new segment only (by the link pass; the plan and the lexicon read none)
    # only words the earlier lexicon did not hold had their pinyin looked up
    assert looked_up and not set(looked_up) & set(before.vocabulary.df)
    monkeypatch.setattr(pinyin, "syllables", real_syllables)
    incremental = engine.lexicon(wait=True)
    with engine.searcher() as s:
        fresh = suggest.Lexicon.from_searcher(s)  # every segment read again
    assert incremental is not None
    assert incremental.titles == fresh.titles
    assert "示例市人民政府关于推进数字政府建设的意见" in incremental.titles
    assert "示例市人民政府关于进一步优化营商环境的若干意见" not in incremental.titles
    assert incremental.vocabulary.df == fresh.vocabulary.df
    assert incremental.vocabulary.title_df == fresh.vocabulary.title_df
    assert incremental.vocabulary.by_pinyin == fresh.vocabulary.by_pinyin

    states = engine.file_states()
    assert str(paths["business"]) not in states  # deleted: its digest row is filtered out
    assert str(docs / "new.txt") in states and str(paths["fund"]) in states
    views = sorted(engine.link_views(), key=lambda v: v["id"])
    assert views == sorted((link_view(stored) for stored in engine.all_stored()), key=lambda v: v["id"])
    assert len(views) == engine.count()  # the deleted document's view is filtered out
    reread = SearchEngine(engine.config)  # nothing saved is read: every segment is digested again
    monkeypatch.setattr(digests.DigestFile, "load", classmethod(lambda cls, path: cls()))
    assert reread.file_states() == states
    assert sorted(reread.link_views(), key=lambda v: v["id"]) == views


def test_updates_and_removals_find_old_versions_in_the_digests_not_the_postings(
    engine: SearchEngine, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from whoosh.writing import SegmentWriter

    paths = small_corpus(tmp_path / "docs")
    sync_paths(engine, [tmp_path / "docs"])
    write_doc(paths["fund"].parent, "second.docx", title="示例市关于养老服务补贴的通知", number="示民发〔2024〕3号")
    sync_paths(engine, [tmp_path / "docs"])  # a second segment: docnums need its offset

    def no_postings_lookup(*args: object, **kwargs: object) -> int:
        raise AssertionError("looked the id up in the postings")

    monkeypatch.setattr(SegmentWriter, "delete_by_term", no_postings_lookup)
    write_doc(paths["fund"].parent, paths["fund"].name, title="示例市关于公积金贷款额度的通知", number="示公积金发〔2024〕1号")
    (paths["fund"].parent / "second.docx").write_bytes(b"")  # unreadable now: its old version goes
    victim = next(p for name, p in paths.items() if name != "fund")
    victim.unlink()
    again = sync_paths(engine, [tmp_path / "docs"])
    assert again.updated == [str(paths["fund"])] and again.removed == [str(victim)]
    titles = _titles(engine)
    assert "示例市关于公积金贷款额度的通知" in titles and "示例市关于养老服务补贴的通知" not in titles
    assert engine.count() == 3  # 5 files: one removed, one unreadable, one replaced in place
    doc_id = engine.search(SearchRequest(q="公积金贷款额度", page_size=1)).hits[0].id
    with engine.writer() as session:
        session.delete(doc_id)
        session.delete(doc_id)  # already gone in this session: counted once
        assert session.deleted == 1
    assert engine.count() == 2 and engine.get(doc_id) is None


def test_deletions_fall_back_to_the_postings_when_the_digests_do_not_fit(engine: SearchEngine, tmp_path: Path) -> None:
    small_corpus(tmp_path / "docs")
    sync_paths(engine, [tmp_path / "docs"])
    doc_id = engine.search(SearchRequest(q="", page_size=1, facets=False, highlight=False)).hits[0].id
    with engine.writer() as session:
        session._id_locations = lambda: None  # as when the digests describe other segments
        session.delete(doc_id)
        assert session.deleted == 1
    assert engine.count() == 3 and engine.get(doc_id) is None
