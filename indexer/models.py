"""Plain data passed between stages. Standard library only.

Field names here are the project's names for the Chinese terms (see docs/glossary.md)
and are used unchanged in the Whoosh schema, JSON keys, URL parameters and templates.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from datetime import date
from collections.abc import Callable
from typing import Any

#: Facet fields, in the order the site shows them.
FACET_FIELDS: tuple[str, ...] = ("issuer", "doc_type", "topic", "year", "region", "validity")

#: The Chinese label of each field, as government portals print it (see docs/glossary.md).
FIELD_LABELS: dict[str, str] = {
    "title": "标题",
    "doc_number": "发文字号",
    "issuer": "发文机关",
    "written_date": "成文日期",
    "published_date": "发布日期",
    "doc_type": "文种",
    "topic": "主题分类",
    "index_no": "索引号",
    "region": "地区",
    "validity": "有效性",
    "year": "年份",
    "publicity": "公开属性",
    "attachments": "附件",
    "addressees": "主送机关",
}

#: Chinese labels of the facet fields.
FACET_LABELS: dict[str, str] = {name: FIELD_LABELS[name] for name in FACET_FIELDS}

#: Values of ``DocMeta.validity`` (有效性).
VALIDITY_VALUES: tuple[str, ...] = ("现行有效", "已修改", "已废止", "尚未生效")


@dataclass
class DocMeta:
    """Metadata of one official document (GB/T 9704 elements plus portal fields)."""

    title: str = ""  # 标题
    doc_number: str = ""  # 发文字号, canonical form e.g. 国办发〔2024〕12号
    issuer: list[str] = field(default_factory=list)  # 发文机关 (several for joint documents)
    written_date: date | None = None  # 成文日期
    published_date: date | None = None  # 发布日期
    doc_type: str = ""  # 文种, e.g. 通知 / 意见 / 办法 / 解读
    topic: str = ""  # 主题分类
    index_no: str = ""  # 索引号
    region: str = ""  # 地区
    validity: str = ""  # 有效性
    publicity: str = ""  # 公开属性: 主动公开 / 依申请公开 / 不予公开
    attachments: list[str] = field(default_factory=list)  # 附件 titles
    addressees: str = ""  # 主送机关
    url: str = ""  # where the portal published it
    interprets: str = ""  # explicit 解读 target from sidecar: a doc id, doc_number or title
    is_interpretation: bool = False  # 政策解读

    @property
    def year(self) -> int | None:
        """Year for faceting: of the written date, else of the published date."""
        d = self.written_date or self.published_date
        return d.year if d else None

    def labelled_rows(self, format_date: Callable[[date | None], str]) -> list[tuple[str, str]]:
        """(Chinese label, value) in the order of a portal's metadata table, empty ones included.

        :param format_date: how dates are shown (ISO in the CLI, 2024年3月15日 on the site).
        """
        values = {
            "index_no": self.index_no,
            "topic": self.topic,
            "issuer": "、".join(self.issuer),
            "written_date": format_date(self.written_date),
            "title": self.title,
            "doc_number": self.doc_number,
            "published_date": format_date(self.published_date),
            "validity": self.validity,
            "doc_type": self.doc_type,
        }
        return [(FIELD_LABELS[name], value) for name, value in values.items()]

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready dict (dates as ISO strings)."""
        out = asdict(self)
        for key in ("written_date", "published_date"):
            out[key] = out[key].isoformat() if out[key] else None
        out["year"] = self.year
        return out


@dataclass
class Document:
    """One file (or imported record) ready to be indexed."""

    id: str  # stable: derived from the source path (or the record's url/key)
    path: str  # absolute source path, or "import:<source>#<key>" for imported records
    text: str  # cleaned text, one paragraph per line
    meta: DocMeta
    format: str = ""  # pdf / docx / doc / html / text / markdown / record
    content_hash: str = ""  # sha1 of the file's bytes
    size: int = 0
    mtime: float = 0.0
    warnings: list[str] = field(default_factory=list)  # e.g. "no text layer", "text cut at 2000000 characters"
    fingerprint: int = 0  # SimHash of the text (indexer.duplicates), 0 when too short to tell copies

    @property
    def filename(self) -> str:
        """The original file name (never a server path)."""
        return self.path.rsplit("/", 1)[-1]


@dataclass
class SearchRequest:
    """Everything a search can ask for; built by the site, the API and the CLI alike."""

    q: str = ""
    filters: dict[str, list[str]] = field(default_factory=dict)  # facet field -> accepted values (OR within a field)
    date_from: date | None = None  # on written_date (else published_date)
    date_to: date | None = None
    scope: str = "all"  # all | title | doc_number | body
    sort: str = "relevance"  # relevance | newest | oldest
    page: int = 1
    page_size: int = 10
    highlight: bool = True
    facets: bool = True
    collapse: bool = True  # near-identical texts (republished copies) show as one hit, the others under it


@dataclass
class Link:
    """A reference from one document to another (policy <-> interpretation)."""

    id: str
    title: str


@dataclass
class Hit:
    """One search result."""

    id: str
    title: str
    score: float
    snippet: str  # HTML: escaped text with <mark> around query terms
    doc_number: str = ""
    issuer: list[str] = field(default_factory=list)
    written_date: date | None = None
    published_date: date | None = None
    doc_type: str = ""
    topic: str = ""
    region: str = ""
    validity: str = ""
    is_interpretation: bool = False
    path: str = ""
    filename: str = ""
    url: str = ""
    interpretations: list[Link] = field(default_factory=list)  # when this is a policy
    interprets: Link | None = None  # when this is an interpretation
    duplicates: list[Link] = field(default_factory=list)  # near-identical copies ranked below, folded into this hit

    def to_dict(self) -> dict[str, Any]:
        out = asdict(self)
        for key in ("written_date", "published_date"):
            out[key] = out[key].isoformat() if out[key] else None
        return out


@dataclass
class Results:
    """A page of results with facet counts."""

    total: int
    hits: list[Hit]
    page: int = 1
    page_size: int = 10
    facets: dict[str, list[tuple[str, int]]] = field(default_factory=dict)
    took_ms: float = 0.0
    query: str = ""  # the query as understood (after normalisation)
    corrected: str = ""  # did-you-mean suggestion, only when it has results
    relaxed: bool = False  # the words were not all required to get these results
    notes: list[str] = field(default_factory=list)  # e.g. "按发文字号检索：国办发〔2024〕12号"
    # hits once copies are folded, when the fold reached every match (None: not known, and
    # pages are counted from total, copies included)
    hit_count: int | None = None

    @property
    def pages(self) -> int:
        shown = self.total if self.hit_count is None else self.hit_count
        return max(1, -(-shown // self.page_size)) if self.page_size else 1
