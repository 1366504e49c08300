"""Opening the files inside a compound segment without copying them.

A Whoosh segment is one compound file (``MAIN_<id>.seg``) holding the segment's terms,
postings, stored fields and columns; Whoosh-Reloaded 2.7.5 maps it into memory and opens
each file inside as a ``BufferFile`` over a slice of the map. ``BufferFile.__init__``
wraps that slice in ``io.BytesIO``, which *copies* it: every reader opened on an index copies
its terms and postings files into the process's heap. At 10^5 documents (1.2 GB of segments)
one reindex opened readers four times (file states, deletions, links, the suggest lexicon)
and spent 9.5 s of a 51 s run in those copies, besides holding gigabytes it never reads.

Reads through ``BufferFile.get`` slice the map (no copy); only the stream API
(``seek``/``read``) needs the ``BytesIO``. :class:`LazyBufferFile` makes it on first use, so
a reader opened to list stored fields or terms (file states, links, the suggest lexicon)
copies nothing. :func:`install` puts it in place of ``BufferFile`` where the compound
storage makes them (done once, by :mod:`indexer.store`).
"""

from __future__ import annotations

import threading
from io import BytesIO
from typing import Any

from whoosh.filedb import compound
from whoosh.filedb.structfile import BufferFile


_CREATING = threading.Lock()


class LazyBufferFile(BufferFile):
    """``BufferFile`` whose ``BytesIO`` copy of the buffer is made only when stream reads need it.

    Not a copy-free stream (a file-like window on the map in Python): postings matchers read
    every block header through ``seek``/``read``/``read_pickle``, and at 10^5 documents such a
    window made long questions about 15 % slower than ``BytesIO``'s C reads. The copy is made
    once per file and reader, and a searcher is kept open for many queries.
    """

    def __init__(self, buf: Any, name: str | None = None, onclose: Any = None) -> None:
        self._buf = buf
        self._name = name
        self._stream: BytesIO | None = None
        self.onclose = onclose
        self.is_real = False
        self.is_closed = False

    @property  # type: ignore[override]
    def file(self) -> BytesIO:
        stream = self._stream
        if stream is None:
            # searchers are shared between threads: two first reads must not make two
            # streams (one thread's seek would be followed by a read on the other's)
            with _CREATING:
                if self._stream is None:
                    self._stream = BytesIO(self._buf)
                stream = self._stream
        return stream

    @file.setter
    def file(self, value: BytesIO) -> None:
        self._stream = value

    def close(self) -> None:
        """As ``StructFile.close``, without making the copy just to close it."""
        if self.is_closed:
            raise Exception("This file is already closed")  # Whoosh's own behaviour
        if self.onclose:
            self.onclose(self)
        if self._stream is not None:
            self._stream.close()
        self.is_closed = True


def install() -> None:
    """Make Whoosh's compound storage open its files as :class:`LazyBufferFile` (idempotent)."""
    compound.BufferFile = LazyBufferFile  # type: ignore[misc]
