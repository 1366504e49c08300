"""indexer.compound_files: compound segment files are opened without copying them."""

from __future__ import annotations

from pathlib import Path

import pytest

from whoosh import fields, index
from whoosh.filedb import compound
from whoosh.query import Term

import indexer.store  # noqa: F401 - installs LazyBufferFile
from indexer.compound_files import LazyBufferFile


def test_get_reads_the_buffer_and_makes_no_copy() -> None:
    data = bytearray(b"\x00\x01abcdef")
    f = LazyBufferFile(memoryview(data), name="x")
    assert f.get(2, 3) == b"abc"
    data[2:5] = b"xyz"  # no copy was made: the file reads the buffer itself
    assert f.get(2, 3) == b"xyz"
    assert f._stream is None
    f.close()
    assert f.is_closed and f._stream is None


def test_stream_reads_work_on_first_use() -> None:
    f = LazyBufferFile(memoryview(b"\x05hello world"))
    assert f.read_varint() == 5
    assert f.read(5) == b"hello"
    f.seek(7)
    assert f.tell() == 7 and f.read() == b"world"
    assert f.subset(1, 5).get(0, 5) == b"hello"
    f.close()


def test_threads_reading_first_share_one_stream(monkeypatch: pytest.MonkeyPatch) -> None:
    import io
    import threading
    import time

    from indexer import compound_files

    def slow_bytesio(buf: object) -> io.BytesIO:  # widens the window two first reads race in
        time.sleep(0.05)
        return io.BytesIO(buf)  # type: ignore[arg-type]

    monkeypatch.setattr(compound_files, "BytesIO", slow_bytesio)
    f = LazyBufferFile(memoryview(bytes(range(256)) * 64))
    streams = []
    barrier = threading.Barrier(8)

    def first_read() -> None:
        barrier.wait()
        streams.append(f.file)

    threads = [threading.Thread(target=first_read) for _ in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert len({id(s) for s in streams}) == 1


def test_a_compound_segment_is_read_through_lazy_files(tmp_path: Path) -> None:
    assert compound.BufferFile is LazyBufferFile
    schema = fields.Schema(id=fields.ID(stored=True), body=fields.TEXT(stored=True))
    ix = index.create_in(str(tmp_path), schema)
    with ix.writer() as w:
        for n in range(50):
            w.add_document(id=str(n), body=f"word{n % 7} common text {n}")
    opened: list[LazyBufferFile] = []
    original = compound.CompoundStorage.open_file

    def spy(self, name, *args, **kwargs):  # type: ignore[no-untyped-def]
        f = original(self, name, *args, **kwargs)
        opened.append(f)
        return f

    compound.CompoundStorage.open_file = spy  # type: ignore[method-assign]
    try:
        with ix.searcher() as s:
            hits = sorted(int(h["id"]) for h in s.search(Term("body", "word3"), limit=None))
            assert hits == [n for n in range(50) if n % 7 == 3]
            assert s.stored_fields(0)["body"] == "word0 common text 0"
    finally:
        compound.CompoundStorage.open_file = original  # type: ignore[method-assign]
    assert opened and all(isinstance(f, LazyBufferFile) for f in opened)
