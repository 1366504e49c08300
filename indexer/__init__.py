"""govsearch core library: files in, ranked Chinese full-text search out.

The pipeline, one module a stage::

    extract/ (bytes -> raw text) -> cleanup -> metadata (+ docnumber, sidecar)
    -> ingest (one file -> Document) -> analysis (jieba tokens for Whoosh)
    -> schema / store (index directories) -> engine (add, delete, search, get)
    -> query (user text -> Whoosh query) -> highlight -> sync (folders -> engine)

The CLI (``indexer.cli``), the web site and the JSON API (``search_web``) all
go through :class:`indexer.engine.SearchEngine` and :func:`indexer.sync.sync_paths`.
"""

from indexer.config import Config
from indexer.errors import GovSearchError, ExtractionError, IndexUnavailable, UnsupportedFormat
from indexer.models import DocMeta, Document, Hit, Results, SearchRequest

__all__ = [
    "Config",
    "DocMeta",
    "Document",
    "ExtractionError",
    "GovSearchError",
    "Hit",
    "IndexUnavailable",
    "Results",
    "SearchRequest",
    "UnsupportedFormat",
]
