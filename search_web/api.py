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
from typing import Any
from urllib.parse import quote

from flask import Blueprint, Response, jsonify, request
from flask.blueprints import BlueprintSetupState

from indexer.models import Hit, Link, Results
from search_web import cors, ratelimit
from search_web.engine import get_config, get_engine
from search_web.errors import error_response
from search_web.params import int_param, search_request_from_args

logger = logging.getLogger(__name__)

bp = Blueprint("api", __name__)

#: Suggestions: default and largest ``limit``.
SUGGEST_LIMIT = 8
MAX_SUGGEST_LIMIT = 20
#: Longest ``q`` accepted by ``suggest`` (longer text is cut, as searches are).
SUGGEST_MAX_CHARS = 100

_MARK = re.compile(r"</?mark>")


@bp.record_once
def _install(state: BlueprintSetupState) -> None:
    cors.init_app(state.app)
    ratelimit.init_app(state.app)


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
    data["duplicates"] = [link_json(link) for link in hit.duplicates]
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
    req.page, req.page_size, req.highlight, req.facets, req.collapse = 1, 1, False, True, False
    results = get_engine().search(req)
    return jsonify({"total": results.total, "query": results.query, "facets": facets_json(results)})


@bp.get("/suggest")
def suggest() -> Response:
    """Completions (document titles) for what has been typed so far."""
    text = request.args.get("q", "")[:SUGGEST_MAX_CHARS]
    limit = int_param(request.args, "limit", SUGGEST_LIMIT, 1, MAX_SUGGEST_LIMIT)
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
            "duplicates": [link_json(link) for link in engine.copies_of(doc_id)],
        }
    )


@bp.get("/openapi.json")
def openapi() -> Response:
    """The OpenAPI 3 description of this API."""
    from search_web.openapi import build_openapi

    return jsonify(build_openapi(get_config(), server_url=absolute_url("/api/v1")))
