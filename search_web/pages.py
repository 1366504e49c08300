"""The citizen site: search page with facets, document page, original-file download, health check.

Every page works with plain GET links and forms (no JavaScript needed); every
parameter of a search lives in the URL, so results can be shared and the back
button works. Text from documents and queries is escaped by Jinja; the only markup
inserted as-is is what :mod:`indexer.highlight` produced (escaped text plus ``<mark>``).
"""

from __future__ import annotations

import logging
import re
from collections.abc import Iterable
from datetime import date
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

from flask import Blueprint, Response, abort, jsonify, render_template, request, send_file, url_for
from werkzeug.datastructures import MultiDict

from indexer.errors import IndexUnavailable
from indexer.highlight import highlight_text
from indexer.models import FACET_FIELDS, FACET_LABELS, Document, Results, SearchRequest
from search_web.engine import get_config, get_engine
from search_web.params import search_request_from_form

logger = logging.getLogger(__name__)

bp = Blueprint("pages", __name__)


#: Search scopes offered on the page (the engine also knows ``body``).
SCOPE_LABELS: dict[str, str] = {"all": "全文", "title": "标题", "doc_number": "发文字号", "body": "正文"}

#: Sort orders offered on the page.
SORT_LABELS: dict[str, str] = {"relevance": "按相关度", "newest": "按日期（新→旧）", "oldest": "按日期（旧→新）"}

#: The search parameters a page URL may carry (everything else is dropped from generated links).
SEARCH_PARAMS: tuple[str, ...] = ("q", *FACET_FIELDS, "from", "to", "scope", "sort", "page", "page_size", "collapse")

#: search_url() changes that drop every filter and the date range.
_NO_FILTERS: dict[str, Any] = {name: None for name in FACET_FIELDS} | {"from": None, "to": None}

#: Facet values shown before the "more" disclosure.
FACET_VISIBLE = 8

EXAMPLE_QUERY = "住房公积金 提取"

# Lines of an official document that are section headings (一、… / （一）… kept as body text).
_HEADING = re.compile(r"^(?:[一二三四五六七八九十]+、|第[一二三四五六七八九十百]+[章节条])\S")


# --------------------------------------------------------------------------- helpers


def cn_date(value: date | None) -> str:
    """``2024-03-15`` as ``2024年3月15日``; empty for None."""
    if not value:
        return ""
    return f"{value.year}年{value.month}月{value.day}日"


def _unique(items: Iterable[str]) -> list[str]:
    seen: set[str] = set()
    return [x for x in items if not (x in seen or seen.add(x))]


def search_url(args: MultiDict[str, str] | None = None, **changes: Any) -> str:
    """URL of the search page with the current parameters and ``changes`` applied.

    A change to ``None`` (or an empty list) removes the parameter; any change other than
    ``page`` itself sends the user back to page 1, since the result set differs.

    :param args: the parameters to start from (default: the current request's).
    """
    base = MultiDict(args if args is not None else request.args)
    pairs: list[tuple[str, str]] = []
    if "page" not in changes:
        changes["page"] = None
    for name in SEARCH_PARAMS:
        if name in changes:
            value = changes[name]
            values = [] if value is None else ([str(v) for v in value] if isinstance(value, (list, tuple)) else [str(value)])
        else:
            values = base.getlist(name)
        if name == "page" and values == ["1"]:
            continue
        pairs.extend((name, v) for v in values if v != "")
    query = urlencode(pairs)
    return url_for("pages.search") + ("?" + query if query else "")


def _without_value(field: str, value: str) -> str:
    """URL with one facet value unselected."""
    return search_url(**{field: [v for v in request.args.getlist(field) if v != value]})


def _page_window(page: int, pages: int, width: int = 2) -> list[int | None]:
    """Page numbers to link, with ``None`` for a gap: 1 … 4 5 [6] 7 8 … 20."""
    shown = {1, pages, *range(max(1, page - width), min(pages, page + width) + 1)}
    out: list[int | None] = []
    last = 0
    for n in sorted(shown):
        if n - last > 1:
            out.append(None)
        out.append(n)
        last = n
    return out


def _suggestions(req: SearchRequest, results: Results) -> list[dict[str, Any]]:
    """Relaxed versions of a search that found nothing, each with how many it would find."""
    engine = get_engine()
    out: list[dict[str, Any]] = []

    def count(**changes: Any) -> int:
        probe = SearchRequest(
            q=changes.get("q", req.q),
            filters=changes.get("filters", req.filters),
            date_from=changes.get("date_from", req.date_from),
            date_to=changes.get("date_to", req.date_to),
            scope=changes.get("scope", req.scope),
            page_size=1,
            highlight=False,
            facets=False,
            collapse=False,  # only the total is read
        )
        return engine.search(probe).total

    if results.corrected:
        n = count(q=results.corrected)
        out.append({"kind": "corrected", "label": results.corrected, "url": search_url(q=results.corrected), "count": n})
    no_filters = _NO_FILTERS
    if req.filters or req.date_from or req.date_to:
        n = count(filters={}, date_from=None, date_to=None)
        if n:
            out.append({"kind": "no_filters", "label": "去掉全部筛选条件", "url": search_url(**no_filters), "count": n})
    if req.scope != "all" and req.q:
        n = count(scope="all")
        if n:
            out.append({"kind": "scope", "label": "在全文中检索", "url": search_url(scope=None), "count": n})
    if req.q:
        words = engine.parse(req.q, scope=req.scope).terms
        if len(words) > 1:
            for word in words[:4]:
                n = count(q=word, filters={}, date_from=None, date_to=None, scope="all")
                if n:
                    out.append({"kind": "fewer_words", "label": word, "url": search_url(q=word, scope=None, **no_filters), "count": n})
    return out


def _facet_groups(req: SearchRequest, results: Results | None) -> list[dict[str, Any]]:
    """Facet groups for the template: label, values with counts, which are selected."""
    groups = []
    for name in FACET_FIELDS:
        counted = list(results.facets.get(name, [])) if results else []
        selected = req.filters.get(name, [])
        present = {v for v, _ in counted}
        # a selected value always stays visible (and checked), even when it counts 0 now
        counted += [(v, 0) for v in selected if v not in present]
        if not counted:
            continue
        values = [{"value": v, "count": c, "checked": v in selected, "remove_url": _without_value(name, v) if v in selected else ""} for v, c in counted]
        visible = [v for i, v in enumerate(values) if i < FACET_VISIBLE or v["checked"]]
        more = [v for i, v in enumerate(values) if i >= FACET_VISIBLE and not v["checked"]]
        groups.append({"name": name, "label": FACET_LABELS[name], "visible": visible, "more": more, "selected": len(selected)})
    return groups


def _active_filters(req: SearchRequest) -> list[dict[str, str]]:
    """Chips for the selected filters, each with a link that removes it."""
    chips = []
    for name, values in req.filters.items():
        for v in values:
            chips.append({"label": FACET_LABELS[name], "value": v, "url": _without_value(name, v)})
    if req.date_from or req.date_to:
        span = f"{cn_date(req.date_from) or '不限'} 至 {cn_date(req.date_to) or '不限'}"
        chips.append({"label": "成文日期", "value": span, "url": search_url(**{"from": None, "to": None})})
    return chips


def download_path(doc: Document) -> Path | None:
    """The file to serve for ``doc``'s download, or None when it may not be served.

    Only the path the index holds is ever considered (never one from the request). With
    ``download_roots`` configured the file must lie under one of them (after resolving
    symlinks and ``..``); otherwise any indexed file may be served.
    """
    if not doc.path or doc.path.startswith("import:"):
        return None
    try:
        path = Path(doc.path).resolve(strict=True)
    except (OSError, RuntimeError):
        return None
    roots = get_config().download_roots
    if roots:
        allowed = False
        for root in roots:
            try:
                root_path = Path(root).expanduser().resolve(strict=True)
            except (OSError, RuntimeError):
                continue
            if path.is_relative_to(root_path):
                allowed = True
                break
        if not allowed:
            return None
    return path if path.is_file() else None


def human_size(size: int) -> str:
    """A file size for people: ``12 KB``, ``1.4 MB``."""
    if size < 1024:
        return f"{size} B"
    if size < 1024 * 1024:
        return f"{round(size / 1024)} KB"
    return f"{size / (1024 * 1024):.1f} MB"


def paragraphs(text: str, terms: list[str]) -> list[dict[str, str]]:
    """The document's text as paragraphs with ``terms`` marked (escaped HTML) and a kind.

    :param text: cleaned text, one paragraph per line.
    :param terms: query words to mark.
    """
    out = []
    for line in text.split("\n"):
        line = line.strip()
        if not line:
            continue
        kind = "heading" if len(line) <= 40 and _HEADING.match(line) else "text"
        out.append({"html": highlight_text(line, terms), "kind": kind})
    return out


# --------------------------------------------------------------------------- views


@bp.app_context_processor
def _globals() -> dict[str, Any]:
    return {
        "site_title": get_config().site_title,
        "search_url": search_url,
        "facet_labels": FACET_LABELS,
        "cn_date": cn_date,
    }


@bp.route("/")
def search() -> str:
    """Search page; with no query and no filter it lists the newest documents."""
    config = get_config()
    engine = get_engine()
    req = search_request_from_form(request.args, config)
    searching = bool(req.q or req.filters or req.date_from or req.date_to)
    results: Results | None = None
    suggestions: list[dict[str, Any]] = []
    if not engine.exists():
        if searching:
            raise IndexUnavailable(f"no index at {config.index_dir}")
    else:
        results = engine.search(req)
        if searching and results.total == 0:
            suggestions = _suggestions(req, results)
    pages = results.pages if results else 1
    return render_template(
        "search.html",
        req=req,
        q=req.q,
        searching=searching,
        results=results,
        suggestions=suggestions,
        facet_groups=_facet_groups(req, results),
        active_filters=_active_filters(req),
        scopes={k: SCOPE_LABELS[k] for k in ("all", "title", "doc_number")},
        sorts=SORT_LABELS,
        page_window=_page_window(req.page, pages),
        pages=pages,
        example_query=EXAMPLE_QUERY,
        page_size_param=request.args.get("page_size", ""),
        clear_filters_url=search_url(**_NO_FILTERS),
    )


@bp.route("/doc/<doc_id>")
def document(doc_id: str) -> str:
    """A document: metadata table, text with the ``q`` terms marked, links, related documents."""
    engine = get_engine()
    doc = engine.get(doc_id)
    if doc is None:
        abort(404, description="未找到该文件：它可能已被删除或链接有误。")
    q = (request.args.get("q") or "").strip()
    terms = engine.parse(q).terms if q else []
    policy, interpretations = engine.links(doc_id)
    copies = engine.copies_of(doc_id)
    shown = {doc_id} | {link.id for link in copies}
    related = [link for link in engine.more_like_this(doc_id, limit=6 + len(copies)) if link.id not in shown][:5]
    meta = doc.meta
    rows = meta.labelled_rows(cn_date)
    path = download_path(doc)
    return render_template(
        "document.html",
        doc=doc,
        meta=meta,
        q=q,
        rows=[(label, value) for label, value in rows if value],
        title_html=highlight_text(meta.title or doc.filename, terms),
        paragraphs=paragraphs(doc.text, terms),
        policy=policy,
        interpretations=interpretations,
        copies=copies,
        related=related,
        download=path is not None,
        download_size=human_size(path.stat().st_size) if path else "",
        back_url=search_url(MultiDict({"q": q})) if q else url_for("pages.search"),
        # a stored url comes from sidecars; only web addresses become links
        source_url=meta.url if meta.url.startswith(("https://", "http://")) else "",
    )


@bp.route("/doc/<doc_id>/download")
def download(doc_id: str) -> Response:
    """The original file of a document, as an attachment with its original name.

    404 when the document is unknown, was imported without a file, or its stored path
    is not under ``download_roots``.
    """
    doc = get_engine().get(doc_id)
    if doc is None:
        abort(404, description="未找到该文件。")
    path = download_path(doc)
    if path is None:
        logger.info("download refused for %s: %s not allowed or missing", doc_id, doc.path)
        abort(404, description="该文件的原件不提供下载。")
    return send_file(path, as_attachment=True, download_name=doc.filename)


@bp.route("/healthz")
def healthz() -> tuple[Response, int]:
    """``{"status": "ok", "documents": N}``; 503 when there is no usable index."""
    engine = get_engine()
    try:
        if not engine.exists():
            return jsonify({"status": "no_index", "documents": 0}), 503
        return jsonify({"status": "ok", "documents": engine.count()}), 200
    except IndexUnavailable as exc:
        logger.error("health check: %s", exc)
        return jsonify({"status": "unavailable", "documents": 0}), 503
