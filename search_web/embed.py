"""Embedding in other sites: the widget files, the ``/embed`` iframe page, OpenSearch.

- ``/widget.js`` and ``/widget.css``: the drop-in widget (see docs/embedding.md).
- ``/embed``: a minimal page holding the same widget, for portals that prefer an
  iframe; which sites may frame it is ``Config.frame_ancestors`` (CSP frame-ancestors,
  set by :mod:`search_web.security`).
- ``/opensearch.xml``: lets browsers add the site as a search engine; its suggestions
  come from ``/opensearch/suggest``.
"""

from __future__ import annotations

import logging
from pathlib import Path
from xml.sax.saxutils import escape, quoteattr

from flask import Blueprint, Response, jsonify, render_template, request, send_from_directory

from search_web.engine import get_config, get_engine

logger = logging.getLogger(__name__)

bp = Blueprint("embed", __name__)

STATIC_DIR = Path(__file__).resolve().parent / "static"
#: Seconds browsers and proxies may keep the widget files.
WIDGET_MAX_AGE = 3600
#: OpenSearch ShortName may hold at most 16 characters.
SHORT_NAME_CHARS = 16


def site_root() -> str:
    """This site's absolute base URL, without a trailing slash."""
    return request.host_url.rstrip("/") + request.script_root


@bp.get("/widget.js")
def widget_js() -> Response:
    """The drop-in widget script."""
    response = send_from_directory(STATIC_DIR, "widget.js", mimetype="text/javascript", max_age=WIDGET_MAX_AGE)
    # loaded by pages on other origins: allow it explicitly even under a strict CORP default
    response.headers["Cross-Origin-Resource-Policy"] = "cross-origin"
    return response


@bp.get("/widget.css")
def widget_css() -> Response:
    """The widget's stylesheet (loaded by the widget into its shadow root)."""
    response = send_from_directory(STATIC_DIR, "widget.css", mimetype="text/css", max_age=WIDGET_MAX_AGE)
    response.headers["Cross-Origin-Resource-Policy"] = "cross-origin"
    return response


@bp.get("/embed")
def embed() -> str:
    """The widget alone on a page, to put in an iframe.

    Query parameters: ``q`` (search at once), ``placeholder``, ``page_size``.
    """
    config = get_config()
    page_size = request.args.get("page_size", "")
    if not (page_size.isascii() and page_size.isdigit() and 1 <= int(page_size) <= config.max_page_size):
        page_size = str(config.page_size)
    return render_template(
        "embed.html",
        site_title=config.site_title,
        endpoint=site_root(),
        query=request.args.get("q", "")[: config.max_query_chars],
        placeholder=request.args.get("placeholder", "")[:100] or "搜索政策文件、发文字号……",
        page_size=page_size,
    )


@bp.get("/opensearch.xml")
def opensearch() -> Response:
    """The OpenSearch description: search this site from the browser's address bar."""
    config = get_config()
    root = site_root()
    xml = f"""<?xml version="1.0" encoding="UTF-8"?>
<OpenSearchDescription xmlns="http://a9.com/-/spec/opensearch/1.1/">
  <ShortName>{escape(config.site_title[:SHORT_NAME_CHARS])}</ShortName>
  <Description>{escape(config.site_title)}</Description>
  <InputEncoding>UTF-8</InputEncoding>
  <Language>zh-CN</Language>
  <Url type="text/html" method="get" template={quoteattr(root + "/?q={searchTerms}")}/>
  <Url type="application/x-suggestions+json" method="get" template={quoteattr(root + "/opensearch/suggest?q={searchTerms}")}/>
  <Url type="application/opensearchdescription+xml" rel="self" template={quoteattr(root + "/opensearch.xml")}/>
</OpenSearchDescription>
"""
    return Response(xml, mimetype="application/opensearchdescription+xml")


@bp.get("/opensearch/suggest")
def opensearch_suggest() -> Response:
    """Suggestions in the OpenSearch format browsers read: ``[query, [completions]]``."""
    text = request.args.get("q", "")[:100]
    suggestions = get_engine().suggest(text, 8) if text.strip() else []
    response = jsonify([text, suggestions])
    response.mimetype = "application/x-suggestions+json"
    return response
