"""The Whoosh schema. Field names are the DocMeta names (see docs/glossary.md)."""

from __future__ import annotations

from whoosh import columns, fields

from indexer.analysis import index_analyzer

#: Weight of a match in each searchable field, relative to the body.
FIELD_BOOSTS: dict[str, float] = {"title": 4.0, "doc_number": 6.0, "issuer_text": 1.5, "body": 1.0}

#: Bump when the schema changes incompatibly; an index built with another version must be rebuilt.
SCHEMA_VERSION = 4
#: Versions this code can search and update. An index keeps the schema it was built with
#: (Whoosh stores it), so a v2 index only counts its facets from postings instead of columns,
#: and an index before v4 has no fingerprints: its copies are not folded together.
READABLE_SCHEMA_VERSIONS: tuple[int, ...] = (2, 3, 4)


def build_schema() -> fields.Schema:
    """A fresh schema instance for a new index."""
    analyzer = index_analyzer()
    return fields.Schema(
        id=fields.ID(stored=True, unique=True),
        path=fields.ID(stored=True),
        format=fields.ID(stored=True),
        title=fields.TEXT(analyzer=analyzer, stored=True, phrase=True, field_boost=FIELD_BOOSTS["title"]),
        body=fields.TEXT(analyzer=analyzer, stored=True, phrase=True),  # marks come from the stored text (highlight.py)
        # doc_number holds the canonical form, so every accepted spelling normalises to one term.
        doc_number=fields.ID(stored=True, field_boost=FIELD_BOOSTS["doc_number"]),
        issuer=fields.KEYWORD(stored=True, commas=True, scorable=False),
        issuer_text=fields.TEXT(analyzer=analyzer, field_boost=FIELD_BOOSTS["issuer_text"]),
        # single-valued facets are sortable columns: counting them reads one value per match,
        # where a posting-based count walks every posting of the field on every search
        doc_type=fields.ID(stored=True, sortable=True),
        topic=fields.ID(stored=True, sortable=True),
        region=fields.ID(stored=True, sortable=True),
        validity=fields.ID(stored=True, sortable=True),  # column: read by the ranking's validity prior
        year=fields.ID(stored=True, sortable=True),
        written_date=fields.DATETIME(stored=True),
        published_date=fields.DATETIME(stored=True),
        # written date, else published date: what "newest" sorts on and date ranges filter on.
        sort_date=fields.DATETIME(sortable=True),
        index_no=fields.ID(stored=True),
        publicity=fields.STORED,
        attachments=fields.STORED,
        addressees=fields.STORED,
        url=fields.STORED,
        interprets=fields.STORED,  # explicit reference from a sidecar: doc id, doc_number or title
        is_interpretation=fields.BOOLEAN(stored=True),
        interprets_id=fields.ID(stored=True),  # the resolved policy this interpretation explains
        content_hash=fields.STORED,
        size=fields.STORED,
        mtime=fields.STORED,
        sidecar_stamp=fields.STORED,
        warnings=fields.STORED,
        # SimHash of the text (indexer.duplicates): a column, read for the top hits of a search
        fingerprint=fields.COLUMN(columns.NumericColumn("Q", default=0)),
    )
