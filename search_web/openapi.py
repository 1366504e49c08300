"""The OpenAPI 3 description of the JSON API, built as a plain dict.

Served at ``/api/v1/openapi.json``. Response schemas forbid undocumented properties,
so ``tests/integration/test_openapi.py`` (schemathesis against the served document)
fails whenever the API and this description drift apart.
"""

from __future__ import annotations

from typing import Any

from indexer.config import Config
from indexer.engine import SCOPES, SORTS
from indexer.models import FACET_FIELDS, FACET_LABELS, VALIDITY_VALUES
from search_web import api
from search_web.params import max_page


ERROR_CODES: dict[str, str] = {
    "invalid_parameter": "a parameter has a bad value; `param` names it (400)",
    "bad_request": "the request cannot be read (400)",
    "not_found": "no such document or path (404)",
    "method_not_allowed": "the API is read-only: GET, HEAD, OPTIONS (405)",
    "rate_limited": "too many requests from this client; see Retry-After (429)",
    "index_unavailable": "the index is not built yet or is being maintained (503)",
}


def _ref(name: str) -> dict[str, str]:
    return {"$ref": f"#/components/schemas/{name}"}


def _string(description: str = "", **extra: Any) -> dict[str, Any]:
    out: dict[str, Any] = {"type": "string", **extra}
    if description:
        out["description"] = description
    return out


def _nullable(schema: dict[str, Any]) -> dict[str, Any]:
    return {**schema, "nullable": True}


def _object(properties: dict[str, Any], required: list[str] | None = None, description: str = "") -> dict[str, Any]:
    out: dict[str, Any] = {
        "type": "object",
        "properties": properties,
        "required": list(properties) if required is None else required,
        "additionalProperties": False,
    }
    if description:
        out["description"] = description
    return out


def _schemas() -> dict[str, Any]:
    link = _object(
        {
            "id": _string("Stable document id"),
            "title": _string("Plain-text title"),
            "page_url": _string("The document's page on this site", format="uri"),
        }
    )
    date = _nullable(_string(format="date"))
    common = {
        "id": _string("Stable document id (derived from the source, unchanged by reindexing)"),
        "title": _string("Plain-text title: insert as text"),
        "doc_number": _string("发文字号, canonical form, e.g. 国办发〔2024〕12号; empty when none"),
        "issuer": {"type": "array", "items": {"type": "string"}, "description": "发文机关 (several for joint documents)"},
        "written_date": {**date, "description": "成文日期"},
        "published_date": {**date, "description": "发布日期"},
        "doc_type": _string("文种, e.g. 通知 / 意见 / 办法 / 解读"),
        "topic": _string("主题分类"),
        "region": _string("地区"),
        "validity": _string("有效性: " + " / ".join(VALIDITY_VALUES) + ", or empty"),
        "is_interpretation": {"type": "boolean", "description": "政策解读"},
        "filename": _string("Original file name (never a server path)"),
        "url": _nullable(_string("Where the portal published it, when known")),
        "page_url": _string("The document's page on this site", format="uri"),
        "download_url": _string("The original file, from this site", format="uri"),
        "interpretations": {"type": "array", "items": _ref("Link"), "description": "Interpretations of this policy"},
        # OpenAPI 3.0: a $ref cannot carry siblings, so a nullable link goes through allOf
        "interprets": {"allOf": [_ref("Link")], "nullable": True, "description": "The policy this interpretation explains"},
    }
    hit = _object(
        {
            **common,
            "title_html": _string("Title as escaped HTML; only <mark> tags, around matched words"),
            "score": {"type": "number", "description": "Relevance score (comparable within one result page only)"},
            "snippet": _string("Escaped HTML passage(s); only <mark> tags, around matched words"),
            "duplicates": {
                "type": "array",
                "items": _ref("Link"),
                "description": "Near-identical copies of this text ranked below it, folded into this hit (collapse=true)",
            },
        }
    )
    facet_value = _object({"value": _string(), "count": {"type": "integer", "minimum": 0}})
    facets = _object(
        {name: {"type": "array", "items": _ref("FacetValue"), "description": FACET_LABELS[name]} for name in FACET_FIELDS},
        required=[],
        description="Counts per value of each facet field; empty when facets=false. A field with a "
        "selected value counts over the other filters only, so other values can be added.",
    )
    results = _object(
        {
            "total": {"type": "integer", "minimum": 0},
            "page": {"type": "integer", "minimum": 1},
            "page_size": {"type": "integer", "minimum": 1},
            "pages": {"type": "integer", "minimum": 1},
            "took_ms": {"type": "number", "minimum": 0},
            "query": _string("The query as understood (normalised)"),
            "corrected": _nullable(_string("Did-you-mean suggestion, only when it has results")),
            "relaxed": {"type": "boolean", "description": "Not every word was required to find these results"},
            "notes": {"type": "array", "items": {"type": "string"}, "description": "e.g. 按发文字号检索：…"},
            "hits": {"type": "array", "items": _ref("Hit")},
            "facets": _ref("Facets"),
        }
    )
    document = _object(
        {
            **common,
            "index_no": _string("索引号"),
            "publicity": _string("公开属性"),
            "attachments": {"type": "array", "items": {"type": "string"}, "description": "附件 titles"},
            "addressees": _string("主送机关"),
            "year": _nullable({"type": "integer"}),
            "format": _string("pdf / docx / doc / html / text / …"),
            "text": _string("Full cleaned text, one paragraph per line (plain text)"),
            "duplicates": {
                "type": "array",
                "items": _ref("Link"),
                "description": "Other documents holding a near-identical copy of this text (republished), oldest first",
            },
        }
    )
    error = _object(
        {
            "error": _string("Stable code: " + "; ".join(f"`{k}` {v}" for k, v in ERROR_CODES.items())),
            "message": _string("Human-readable (Chinese or English)"),
            "param": _string("The parameter at fault (invalid_parameter only)"),
        },
        required=["error", "message"],
    )
    return {
        "Link": link,
        "Hit": hit,
        "FacetValue": facet_value,
        "Facets": facets,
        "SearchResults": results,
        "FacetCounts": _object({"total": {"type": "integer", "minimum": 0}, "query": _string(), "facets": _ref("Facets")}),
        "Suggestions": _object({"query": _string(), "suggestions": {"type": "array", "items": {"type": "string"}}}),
        "Document": document,
        "Error": error,
    }


def _query_parameters(config: Config, *, paging: bool) -> list[dict[str, Any]]:
    params: list[dict[str, Any]] = [
        {
            "name": "q",
            "in": "query",
            "description": "What to look for: words, a quoted \"phrase\", a 发文字号 in any spelling, "
            "field:value (标题: 发文机关: 文号: 正文:). Empty lists everything, newest first.",
            "schema": {"type": "string"},
        }
    ]
    for name in FACET_FIELDS:
        item: dict[str, Any] = {"type": "string"}
        if name == "validity":
            item["enum"] = list(VALIDITY_VALUES)
        params.append(
            {
                "name": name,
                "in": "query",
                "description": f"Filter on {FACET_LABELS[name]}; repeat for several values (any of them matches).",
                "schema": {"type": "array", "items": item},
                "style": "form",
                "explode": True,
            }
        )
    date_schema = {
        "oneOf": [{"type": "string", "format": "date"}, {"type": "string", "pattern": "^[1-9][0-9]{3}$"}],
    }
    params += [
        {"name": "from", "in": "query", "description": "Written (else published) on or after: YYYY-MM-DD or YYYY", "schema": date_schema},
        {"name": "to", "in": "query", "description": "Written (else published) on or before: YYYY-MM-DD or YYYY", "schema": date_schema},
        {
            "name": "scope",
            "in": "query",
            "description": "Where words are looked for",
            "schema": {"type": "string", "enum": list(SCOPES), "default": "all"},
        },
    ]
    if paging:
        params += [
            {
                "name": "sort",
                "in": "query",
                "schema": {"type": "string", "enum": list(SORTS), "default": "relevance"},
            },
            {
                "name": "page",
                "in": "query",
                "schema": {"type": "integer", "minimum": 1, "maximum": max_page(config), "default": 1},
            },
            {
                "name": "page_size",
                "in": "query",
                "description": f"Hits per page; above {config.max_page_size} is an error (400)",
                "schema": {"type": "integer", "minimum": 1, "maximum": config.max_page_size, "default": config.page_size},
            },
            {
                "name": "highlight",
                "in": "query",
                "description": "Mark matched words with <mark> in title_html and snippet (false: leading text)",
                "schema": {"type": "boolean", "default": True},
            },
            {
                "name": "facets",
                "in": "query",
                "description": "Include facet counts",
                "schema": {"type": "boolean", "default": True},
            },
            {
                "name": "collapse",
                "in": "query",
                "description": "Fold near-identical copies of a text (republished documents) into the highest-ranked one, "
                "listed in its duplicates (false: every copy is a hit of its own)",
                "schema": {"type": "boolean", "default": True},
            },
        ]
    return params


def _response(description: str, schema: str, headers: dict[str, Any] | None = None) -> dict[str, Any]:
    out: dict[str, Any] = {"description": description, "content": {"application/json": {"schema": _ref(schema)}}}
    if headers:
        out["headers"] = headers
    return out


def _error_responses(*statuses: int) -> dict[str, Any]:
    described = {
        400: "A parameter has a bad value (`invalid_parameter`, with `param`)",
        404: "No such document (`not_found`)",
        429: "Too many requests from this client (`rate_limited`)",
        503: "The index is not available (`index_unavailable`)",
    }
    out: dict[str, Any] = {}
    for status in statuses:
        headers = None
        if status == 429:
            headers = {"Retry-After": {"description": "Seconds to wait", "schema": {"type": "integer", "minimum": 1}}}
        out[str(status)] = _response(described[status], "Error", headers)
    return out


def build_openapi(config: Config, server_url: str = "/api/v1") -> dict[str, Any]:
    """The OpenAPI 3.0 document of ``/api/v1`` for this configuration.

    :param config: page-size limits and the site title go into the document.
    :param server_url: the API's base URL as clients reach it.
    """
    limit = config.rate_limit or "no limit"
    search_params = _query_parameters(config, paging=True)
    return {
        "openapi": "3.0.3",
        "info": {
            "title": f"{config.site_title} API",
            "version": "1.0.0",
            "description": "Read-only JSON API over the indexed government documents (政务公开). "
            f"Rate limit per client address: {limit}. Browsers may call it from the origins the "
            "operator allows (CORS; none by default). Every URL in an answer is absolute; "
            "`snippet` and `title_html` are escaped HTML whose only tags are <mark>. See docs/api.md.",
        },
        "servers": [{"url": server_url}],
        "paths": {
            "/search": {
                "get": {
                    "operationId": "search",
                    "summary": "Search documents",
                    "parameters": search_params,
                    "responses": {
                        "200": _response("A page of hits with facet counts", "SearchResults"),
                        **_error_responses(400, 429, 503),
                    },
                }
            },
            "/facets": {
                "get": {
                    "operationId": "facets",
                    "summary": "Facet counts for a query and filters",
                    "parameters": _query_parameters(config, paging=False),
                    "responses": {"200": _response("Counts", "FacetCounts"), **_error_responses(400, 429, 503)},
                }
            },
            "/suggest": {
                "get": {
                    "operationId": "suggest",
                    "summary": "Completions for what has been typed (document titles)",
                    "parameters": [
                        {"name": "q", "in": "query", "description": "Text typed so far", "schema": {"type": "string"}},
                        {
                            "name": "limit",
                            "in": "query",
                            "schema": {"type": "integer", "minimum": 1, "maximum": api.MAX_SUGGEST_LIMIT, "default": api.SUGGEST_LIMIT},
                        },
                    ],
                    "responses": {"200": _response("Suggestions, best first", "Suggestions"), **_error_responses(400, 429, 503)},
                }
            },
            "/documents/{id}": {
                "get": {
                    "operationId": "getDocument",
                    "summary": "One document: metadata, full text, links, download URL",
                    "parameters": [{"name": "id", "in": "path", "required": True, "schema": {"type": "string", "minLength": 1}}],
                    "responses": {"200": _response("The document", "Document"), **_error_responses(404, 429, 503)},
                }
            },
        },
        "components": {"schemas": _schemas()},
    }
