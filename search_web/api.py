"""The versioned JSON API, mounted at ``/api/v1`` (see docs/api.md and ``/api/v1/openapi.json``).

Read-only: ``search``, ``documents/<id>``, ``suggest``, ``facets``, ``openapi.json``.
Every URL in an answer is absolute (a widget on another origin follows it as is), and no
answer ever carries a server path. Registering the blueprint also installs CORS and the
rate limit for ``/api/v1`` (see :mod:`search_web.cors`, :mod:`search_web.ratelimit`).
"""

from __future__ import annotations

import html
import logging
import re
from datetime import date
from typing import Any
from urllib.parse import quote

from flask import Blueprint, Response, jsonify, request
from flask.blueprints import BlueprintSetupState
from werkzeug.datastructures import MultiDict

from indexer.config import Config
from indexer.errors import InvalidParameter
from indexer.models import FACET_FIELDS, VALIDITY_VALUES, Hit, Link, Results, SearchRequest
from indexer.query import parse_date
from search_web import cors, ratelimit
from search_web.engine import get_config, get_engine
from search_web.errors import error_response

logger = logging.getLogger(__name__)

bp = Blueprint("api", __name__)

#: Values of ``sort`` and ``scope`` (the engine's, repeated here for validation before any search).
SORTS: tuple[str, ...] = ("relevance", "newest", "oldest")
SCOPES: tuple[str, ...] = ("all", "title", "body", "doc_number")
#: The engine serves results up to this rank; ``page`` is capped so any page size fits.
MAX_RESULTS = 10_000
#: Suggestions: default and largest ``limit``.
SUGGEST_LIMIT = 8
MAX_SUGGEST_LIMIT = 20
#: Longest ``q`` accepted by ``suggest`` (longer text is cut, as searches are).
SUGGEST_MAX_CHARS = 100

_MARK = re.compile(r"</?mark>")
_DATE = re.compile(r"[1-9]\d{3}|\d{4}-\d{2}-\d{2}", re.ASCII)


@bp.record_once
def _install(state: BlueprintSetupState) -> None:
    cors.init_app(state.app)
    ratelimit.init_app(state.app)


# ---------------------------------------------------------------------- parameters
def max_page(config: Config) -> int:
    """The largest ``page`` accepted: every page size up to ``max_page_size`` stays within 10000 results."""
    return max(1, MAX_RESULTS // config.max_page_size)


def _raw(args: MultiDict[str, str], name: str) -> str | None:
    # absent means the default; present but empty is a mistake worth reporting
    if name not in args:
        return None
    raw = args.get(name, "").strip()
    if not raw:
        raise InvalidParameter(name, "must not be empty")
    return raw


def _int(args: MultiDict[str, str], name: str, default: int, low: int, high: int) -> int:
    raw = _raw(args, name)
    if raw is None:
        return default
    if not re.fullmatch(r"\d{1,9}", raw, re.ASCII):
        raise InvalidParameter(name, f"must be a whole number between {low} and {high}")
    value = int(raw)
    if not low <= value <= high:
        raise InvalidParameter(name, f"must be between {low} and {high}")
    return value


def _bool(args: MultiDict[str, str], name: str, default: bool) -> bool:
    raw = _raw(args, name)
    if raw is None:
        return default
    if raw.lower() not in ("true", "false"):
        raise InvalidParameter(name, "must be true or false")
    return raw.lower() == "true"


def _choice(args: MultiDict[str, str], name: str, default: str, choices: tuple[str, ...]) -> str:
    raw = _raw(args, name)
    if raw is None:
        return default
    if raw not in choices:
        raise InvalidParameter(name, f"must be one of {', '.join(choices)}")
    return raw


def _date(args: MultiDict[str, str], name: str) -> date | None:
    raw = _raw(args, name)
    if raw is None:
        return None
    # stricter than date.fromisoformat (which takes 20240101 and week dates on 3.11+)
    if not _DATE.fullmatch(raw):
        raise InvalidParameter(name, f"not a date (YYYY-MM-DD or YYYY): {raw!r}")
    return parse_date(raw, name)


def search_request_from_args(args: MultiDict[str, str], config: Config) -> SearchRequest:
    """Turn query-string arguments into a :class:`SearchRequest`, validating each.

    :param args: e.g. ``request.args``; facet fields (``issuer``, ``doc_type``, ``topic``,
        ``year``, ``region``, ``validity``) may repeat; ``from``/``to`` are dates.
    :param config: for the default and largest page size.
    :raises InvalidParameter: naming the first bad parameter.
    """
    filters: dict[str, list[str]] = {}
    for name in FACET_FIELDS:
        if name == "validity":
            for value in args.getlist(name):
                if value.strip() not in VALIDITY_VALUES:
                    raise InvalidParameter(name, f"must be one of {', '.join(VALIDITY_VALUES)}")
        values = [v.strip() for v in args.getlist(name) if v.strip()]
        if values:
            filters[name] = list(dict.fromkeys(values))
    date_from = _date(args, "from")
    date_to = _date(args, "to")
    return SearchRequest(
        q=args.get("q", ""),
        filters=filters,
        date_from=date_from,
        date_to=date_to,
        scope=_choice(args, "scope", "all", SCOPES),
        sort=_choice(args, "sort", "relevance", SORTS),
        page=_int(args, "page", 1, 1, max_page(config)),
        page_size=_int(args, "page_size", config.page_size, 1, config.max_page_size),
        highlight=_bool(args, "highlight", True),
        facets=_bool(args, "facets", True),
    )


# ---------------------------------------------------------------------- serialising
def absolute_url(path: str) -> str:
    """``path`` on this server as an absolute URL (what a page on another origin needs)."""
    return request.host_url.rstrip("/") + request.script_root + path


def page_url(doc_id: str) -> str:
    """The site's page of a document."""
    return absolute_url("/doc/" + quote(doc_id, safe=""))


def download_url(doc_id: str) -> str:
    """Where the original file of a document is downloaded (served by the site)."""
    return absolute_url("/doc/" + quote(doc_id, safe="") + "/download")


def plain_text(marked_html: str) -> str:
    """Text of an escaped snippet or title with ``<mark>`` tags (the only tags it holds)."""
    return html.unescape(_MARK.sub("", marked_html))


def link_json(link: Link | None) -> dict[str, str] | None:
    """``{id, title, page_url}`` of a linked document, or None."""
    if link is None:
        return None
    return {"id": link.id, "title": link.title, "page_url": page_url(link.id)}


def hit_json(hit: Hit) -> dict[str, Any]:
    """One search hit for the API: the engine's fields less the server path, plus URLs.

    ``title`` is plain text; ``title_html`` and ``snippet`` are escaped HTML whose only
    tags are ``<mark>``.
    """
    data = hit.to_dict()
    data.pop("path", None)
    data["title_html"] = data["title"]
    data["title"] = plain_text(hit.title)
    data["url"] = hit.url or None
    data["page_url"] = page_url(hit.id)
    data["download_url"] = download_url(hit.id)
    data["interpretations"] = [link_json(link) for link in hit.interpretations]
    data["interprets"] = link_json(hit.interprets)
    return data


def facets_json(results: Results) -> dict[str, list[dict[str, Any]]]:
    """Facet counts as ``{field: [{value, count}]}``."""
    return {name: [{"value": v, "count": c} for v, c in values] for name, values in results.facets.items()}


def results_json(results: Results) -> dict[str, Any]:
    """A page of results for the API."""
    return {
        "total": results.total,
        "page": results.page,
        "page_size": results.page_size,
        "pages": results.pages,
        "took_ms": round(results.took_ms, 2),
        "query": results.query,
        "corrected": results.corrected or None,
        "relaxed": results.relaxed,
        "notes": list(results.notes),
        "hits": [hit_json(h) for h in results.hits],
        "facets": facets_json(results),
    }


# ---------------------------------------------------------------------- views
@bp.get("/search")
def search() -> Response:
    """Ranked documents with highlighted snippets and facet counts."""
    req = search_request_from_args(request.args, get_config())
    return jsonify(results_json(get_engine().search(req)))


@bp.get("/facets")
def facets() -> Response:
    """Facet counts (and the total) for a query and filters, without hits."""
    req = search_request_from_args(request.args, get_config())
    req.page, req.page_size, req.highlight, req.facets = 1, 1, False, True
    results = get_engine().search(req)
    return jsonify({"total": results.total, "query": results.query, "facets": facets_json(results)})


@bp.get("/suggest")
def suggest() -> Response:
    """Completions (document titles) for what has been typed so far."""
    text = request.args.get("q", "")[:SUGGEST_MAX_CHARS]
    limit = _int(request.args, "limit", SUGGEST_LIMIT, 1, MAX_SUGGEST_LIMIT)
    suggestions = get_engine().suggest(text, limit) if text.strip() else []
    return jsonify({"query": text, "suggestions": suggestions})


@bp.get("/documents/<doc_id>")
def document(doc_id: str) -> Response:
    """One document: metadata, full text, linked policy and interpretations, URLs."""
    engine = get_engine()
    doc = engine.get(doc_id)
    if doc is None:
        return error_response(404, f"没有找到编号为 {doc_id} 的文件。")
    interprets, interpretations = engine.links(doc_id)
    meta = doc.meta.to_dict()
    meta.pop("interprets", None)  # the raw sidecar reference; the resolved link follows
    return jsonify(
        {
            "id": doc.id,
            **meta,
            "url": doc.meta.url or None,
            "filename": doc.filename,
            "format": doc.format,
            "text": doc.text,
            "page_url": page_url(doc.id),
            "download_url": download_url(doc.id),
            "interprets": link_json(interprets),
            "interpretations": [link_json(link) for link in interpretations],
        }
    )


@bp.get("/openapi.json")
def openapi() -> Response:
    """The OpenAPI 3 description of this API."""
    from search_web.openapi import build_openapi

    return jsonify(build_openapi(get_config(), server_url=absolute_url("/api/v1")))
