"""Security headers on every response."""

from __future__ import annotations

from flask import Flask, Response, request

from search_web.engine import get_config


def init_app(app: Flask) -> None:
    """Add CSP, X-Content-Type-Options, Referrer-Policy (and frame rules) to every response."""

    @app.after_request
    def _headers(response: Response) -> Response:
        config = get_config()
        frame_ancestors = "'none'"
        if request.path.startswith("/embed") and config.frame_ancestors:
            frame_ancestors = " ".join(config.frame_ancestors)
        response.headers.setdefault(
            "Content-Security-Policy",
            "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; "
            f"object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors {frame_ancestors}",
        )
        response.headers.setdefault("X-Content-Type-Options", "nosniff")
        response.headers.setdefault("Referrer-Policy", "strict-origin-when-cross-origin")
        if frame_ancestors == "'none'":
            response.headers.setdefault("X-Frame-Options", "DENY")
        return response
