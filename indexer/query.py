"""User text + filters -> Whoosh query objects. The one query pipeline of the project.

The site, the API and the CLI all reach this through :meth:`SearchEngine.search`.
Malformed syntax never raises: anything that cannot be read as syntax is plain text.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass, field
from datetime import date, datetime, time

from whoosh import query as q

from indexer.analysis import normalize_width, tokenize
from indexer.docnumber import find_doc_numbers, parse_doc_number
from indexer.errors import InvalidParameter
from indexer.models import FACET_FIELDS, SearchRequest

#: Fields a plain word is looked up in.
TEXT_FIELDS: tuple[str, ...] = ("title", "body", "issuer_text")

#: Power-user field prefixes, Chinese and English, to schema fields.
FIELD_ALIASES: dict[str, str] = {
    "title": "title",
    "标题": "title",
    "issuer": "issuer_text",
    "发文机关": "issuer_text",
    "doc_number": "doc_number",
    "文号": "doc_number",
    "发文字号": "doc_number",
    "body": "body",
    "正文": "body",
}

#: Words citizens wrap questions in; they carry no meaning for retrieval.
QUESTION_WORDS: frozenset[str] = frozenset(
    """怎么 怎样 怎么样 如何 什么 为什么 吗 呢 吧 啊 有何 有哪些 哪些 哪个 哪里 多少 是否 能否 可否 可以 能不能 是不是
    请问 想问 我想 我 你 您 的 了 和 与 及 或 在 是 有 对 对于 关于 中 为 要 需要 应该 应当 会 该 就 都 还 也 又 被 把 给
    一下 一些 这个 那个 这些 那些 其 之 等 个 吗 呀 么""".split()
)

#: Queries with more content words than this are treated as questions: ranked, not all required.
STRICT_MAX_TERMS = 4
#: Share of a question's words a document must contain (minimum-should-match).
QUESTION_MIN_SHOULD_MATCH = 0.4

_FIELD_CLAUSE = re.compile(r"(?P<field>" + "|".join(map(re.escape, FIELD_ALIASES)) + r")[:：]\s*(?:\"(?P<quoted>[^\"]*)\"|(?P<bare>\S+))")
_QUOTED = re.compile(r"[\"“”「」『』]([^\"“”「」『』]+)[\"“”「」『』]")
_PUNCT = re.compile(r"[\s,，。.!！?？;；:：、()（）《》<>【】\[\]{}'‘’*+\-~^]+")


@dataclass
class ParsedQuery:
    """What the user asked for, as Whoosh queries."""

    text: str  # the normalised query text
    strict: q.Query | None  # every word required; None = match everything
    relaxed: q.Query | None = None  # fallback when strict finds nothing (or the ranking query for questions)
    terms: list[str] = field(default_factory=list)  # words to mark on a document page
    doc_numbers: list[str] = field(default_factory=list)  # canonical doc numbers recognised
    notes: list[str] = field(default_factory=list)
    is_question: bool = False


def normalize_query(text: str, max_chars: int = 500) -> str:
    """Width-fold, squeeze whitespace and cut to ``max_chars``."""
    text = normalize_width(text or "")
    text = " ".join(text.split())
    return text[:max_chars]


def parse_user_query(text: str, *, scope: str = "all", max_chars: int = 500) -> ParsedQuery:
    """Turn what a citizen typed into Whoosh queries.

    :param text: raw query text, any syntax or none.
    :param scope: ``all`` | ``title`` | ``body`` | ``doc_number``: where plain words are looked for.
    :param max_chars: longer input is cut.
    """
    norm = normalize_query(text, max_chars)
    if not norm:
        return ParsedQuery(text="", strict=None)
    fields = _scope_fields(scope)
    required: list[q.Query] = []
    terms: list[str] = []
    notes: list[str] = []
    doc_numbers: list[str] = []

    rest = norm
    # field:value clauses
    for m in list(_FIELD_CLAUSE.finditer(rest)):
        fieldname = FIELD_ALIASES[m.group("field")]
        value = m.group("quoted") if m.group("quoted") is not None else m.group("bare")
        clause = _field_clause(fieldname, value, terms, doc_numbers)
        if clause is not None:
            required.append(clause)
        rest = rest.replace(m.group(0), " ", 1)

    # doc numbers typed in any spelling (searched exactly, whole query or inside it)
    whole = parse_doc_number(rest.strip()) if rest.strip() else None
    if whole is not None:
        found = [(whole, 0, len(rest))]
        rest_after = ""
    else:
        found = find_doc_numbers(rest)
        rest_after = rest
        for _, start, end in sorted(found, key=lambda f: -f[1]):
            rest_after = rest_after[:start] + " " + rest_after[end:]
    for number, _, _ in found:
        doc_numbers.append(number.canonical)
        required.append(_doc_number_query(number.canonical, fields))
    rest = rest_after
    if doc_numbers:
        notes.append("按发文字号检索：" + "、".join(doc_numbers))

    # quoted phrases
    for m in list(_QUOTED.finditer(rest)):
        words = tokenize(m.group(1))
        if words:
            terms.extend(words)
            required.append(_phrase(fields, words))
        rest = rest.replace(m.group(0), " ", 1)

    # plain words
    words = [w for w in _content_words(rest)]
    terms.extend(words)
    word_clauses = [_word(fields, w) for w in words]
    is_question = len(word_clauses) > STRICT_MAX_TERMS

    strict: q.Query | None
    relaxed: q.Query | None = None
    if is_question:
        minmatch = max(1, math.ceil(QUESTION_MIN_SHOULD_MATCH * len(word_clauses)))
        ranked = q.Or(word_clauses, minmatch=minmatch)
        strict = q.And(required + [ranked]) if required else ranked
        relaxed_words = q.Or(word_clauses)
        relaxed = q.And(required + [relaxed_words]) if required else relaxed_words
    else:
        clauses = required + word_clauses
        if not clauses:
            # only punctuation or question words: search them as typed rather than everything
            fallback = [_word(fields, w) for w in tokenize(norm)]
            clauses = fallback
        strict = q.And(clauses) if clauses else None
        if word_clauses and len(word_clauses) > 1:
            relaxed = q.And(required + [q.Or(word_clauses)]) if required else q.Or(word_clauses)
    return ParsedQuery(
        text=norm,
        strict=strict,
        relaxed=relaxed,
        terms=_unique(terms),
        doc_numbers=doc_numbers,
        notes=notes,
        is_question=is_question,
    )


def build_filter(request: SearchRequest) -> q.Query | None:
    """Facet filters (OR within a field, AND across fields) and the date range."""
    parts: list[q.Query] = []
    for fieldname, values in request.filters.items():
        if fieldname not in FACET_FIELDS:
            continue
        values = [v for v in values if v]
        if values:
            parts.append(q.Or([q.Term(fieldname, v) for v in values]))
    if request.date_from or request.date_to:
        start = datetime.combine(request.date_from, time.min) if request.date_from else None
        end = datetime.combine(request.date_to, time.max) if request.date_to else None
        parts.append(q.DateRange("sort_date", start, end))
    if not parts:
        return None
    return parts[0] if len(parts) == 1 else q.And(parts)


def _scope_fields(scope: str) -> tuple[str, ...]:
    if scope == "title":
        return ("title",)
    if scope == "body":
        return ("body",)
    if scope == "doc_number":
        return ("doc_number",)
    return TEXT_FIELDS


def _content_words(text: str) -> list[str]:
    words = []
    for chunk in _PUNCT.split(text):
        if not chunk:
            continue
        for w in tokenize(chunk):
            if w not in QUESTION_WORDS:
                words.append(w)
    return _unique(words)


def _word(fields: tuple[str, ...], word: str) -> q.Query:
    if fields == ("doc_number",):
        return q.Term("doc_number", word)
    subs = [q.Term(f, word) for f in fields]
    return subs[0] if len(subs) == 1 else q.Or(subs)


def _phrase(fields: tuple[str, ...], words: list[str]) -> q.Query:
    text_fields = [f for f in fields if f in ("title", "body")] or ["title", "body"]
    if len(words) == 1:
        return _word(tuple(text_fields), words[0])
    subs = [q.Phrase(f, words) for f in text_fields]
    return subs[0] if len(subs) == 1 else q.Or(subs)


def _doc_number_query(canonical: str, fields: tuple[str, ...]) -> q.Query:
    exact = q.Term("doc_number", canonical)
    if fields == ("doc_number",):
        return exact
    # a document that cites the number in its body matches too, ranked far below the exact one
    cited = q.Phrase("body", tokenize(canonical), boost=0.2) if len(tokenize(canonical)) > 1 else None
    return q.Or([exact, cited]) if cited is not None else exact


def _field_clause(fieldname: str, value: str, terms: list[str], doc_numbers: list[str]) -> q.Query | None:
    value = value.strip()
    if not value:
        return None
    if fieldname == "doc_number":
        number = parse_doc_number(value)
        if number is not None:
            doc_numbers.append(number.canonical)
            return q.Term("doc_number", number.canonical)
        return q.Prefix("doc_number", value)
    words = tokenize(value)
    terms.extend(words)
    if not words:
        return None
    if len(words) == 1:
        return q.Term(fieldname, words[0])
    return q.Phrase(fieldname, words) if fieldname != "issuer_text" else q.And([q.Term(fieldname, w) for w in words])


def _unique(items: list[str]) -> list[str]:
    seen: set[str] = set()
    return [x for x in items if not (x in seen or seen.add(x))]


def parse_date(value: str | None, name: str) -> date | None:
    """A ``YYYY-MM-DD`` (or ``YYYY``) request parameter as a date; empty means none.

    :raises InvalidParameter: naming the parameter.
    """
    if not value:
        return None
    value = value.strip()
    try:
        if re.fullmatch(r"\d{4}", value):
            return date(int(value), 1, 1) if name.endswith("from") else date(int(value), 12, 31)
        return date.fromisoformat(value)
    except ValueError:
        raise InvalidParameter(name, f"not a date (YYYY-MM-DD): {value!r}") from None
