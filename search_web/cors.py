"""CORS for the JSON API: only the origins the operator listed in ``Config.cors_origins``.

None are allowed by default, so a page on another origin cannot read the API until the
operator names it. ``*`` allows any origin (for a public, read-only deployment). The
API is read-only and uses no cookies, so credentials are never allowed.

Small enough to own rather than depend on flask-cors: exact origin matching, ``Vary:
Origin`` on every API response (so caches keep answers per origin), and preflights.
"""

from __future__ import annotations

import logging

from flask import Flask, Response, request

from search_web.engine import get_config

logger = logging.getLogger(__name__)

#: Paths that get CORS headers.
API_PREFIX = "/api/v1"
#: Methods a browser may use across origins.
ALLOWED_METHODS = "GET, HEAD, OPTIONS"
#: Request headers a cross-origin page may send (beyond the CORS-safelisted ones).
ALLOWED_HEADERS = ("accept", "accept-language", "content-language", "content-type")
#: Response headers a cross-origin page may read (beyond the CORS-safelisted ones).
EXPOSED_HEADERS = "Retry-After, RateLimit-Limit, RateLimit-Remaining"
#: Seconds a browser may cache a preflight answer.
PREFLIGHT_MAX_AGE = 600


def origin_allowed(origin: str, allowed: tuple[str, ...]) -> bool:
    """Whether a request's ``Origin`` is in the configured list.

    :param origin: the ``Origin`` header, e.g. ``https://portal.example.gov.cn``.
    :param allowed: configured origins; ``*`` allows every origin.
    """
    if not origin or origin == "null":
        return False
    if "*" in allowed:
        return True
    normalized = origin.rstrip("/").lower()
    return any(normalized == a.rstrip("/").lower() for a in allowed)


def apply_cors(response: Response, origin: str, allowed: tuple[str, ...]) -> Response:
    """Add the CORS headers for ``origin`` to ``response`` (none when it is not allowed).

    :param response: an API response.
    :param origin: the request's ``Origin`` header ("" for same-origin or non-browser clients).
    :param allowed: configured origins.
    """
    response.vary.add("Origin")
    if not origin_allowed(origin, allowed):
        return response
    response.headers["Access-Control-Allow-Origin"] = "*" if "*" in allowed else origin
    response.headers["Access-Control-Expose-Headers"] = EXPOSED_HEADERS
    if request.method == "OPTIONS" and request.headers.get("Access-Control-Request-Method"):
        response.headers["Access-Control-Allow-Methods"] = ALLOWED_METHODS
        asked = [h.strip().lower() for h in request.headers.get("Access-Control-Request-Headers", "").split(",") if h.strip()]
        granted = [h for h in asked if h in ALLOWED_HEADERS]
        if granted:
            response.headers["Access-Control-Allow-Headers"] = ", ".join(granted)
        response.headers["Access-Control-Max-Age"] = str(PREFLIGHT_MAX_AGE)
    return response


def init_app(app: Flask) -> None:
    """Answer CORS on every response under ``/api/v1`` (errors and 429s included)."""

    @app.after_request
    def _cors(response: Response) -> Response:
        if request.path == API_PREFIX or request.path.startswith(API_PREFIX + "/"):
            apply_cors(response, request.headers.get("Origin", ""), get_config().cors_origins)
        return response
