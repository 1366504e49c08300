"""One error response: JSON under /api, an HTML page elsewhere."""

from __future__ import annotations

from flask import Flask, Response, jsonify, render_template, request
from werkzeug.exceptions import HTTPException

from indexer.errors import IndexUnavailable, InvalidParameter

#: Stable error codes of the API, by HTTP status.
ERROR_CODES: dict[int, str] = {
    400: "bad_request",
    404: "not_found",
    405: "method_not_allowed",
    413: "too_large",
    429: "rate_limited",
    500: "internal_error",
    503: "index_unavailable",
}


#: What the site's error page says for a status when the error carries only Werkzeug's
#: default (English) description; the API keeps that description.
PAGE_MESSAGES: dict[int, str] = {
    400: "请求有误，请检查检索条件后重试。",
    403: "没有访问这个页面的权限。",
    404: "没有找到这个页面：地址可能有误，或内容已被移除。",
    405: "不支持这种请求方式。",
    410: "这个页面已不再提供。",
    413: "请求内容过大。",
    414: "请求地址过长，请缩短检索词后重试。",
    429: "请求过于频繁，请稍后再试。",
    431: "请求头过大。",
    500: "服务出现错误，请稍后再试。",
    503: "检索服务暂不可用，请稍后再试。",
}


def error_response(status: int, message: str, *, code: str | None = None, param: str | None = None) -> Response:
    """A JSON error for API paths, the error page for others."""
    code = code or ERROR_CODES.get(status, "error")
    if request.path.startswith("/api/"):
        body: dict[str, str] = {"error": code, "message": message}
        if param:
            body["param"] = param
        response = jsonify(body)
        response.status_code = status
        return response
    return Response(render_template("error.html", status=status, message=message), status=status, mimetype="text/html")


def init_app(app: Flask) -> None:
    """Register the handlers."""

    @app.errorhandler(InvalidParameter)
    def _invalid(exc: InvalidParameter) -> Response:
        return error_response(400, exc.message, code="invalid_parameter", param=exc.name)

    @app.errorhandler(IndexUnavailable)
    def _unavailable(exc: IndexUnavailable) -> Response:
        app.logger.error("index unavailable: %s", exc)
        return error_response(503, "检索服务暂不可用：索引尚未建立或正在维护。")

    @app.errorhandler(HTTPException)
    def _http(exc: HTTPException) -> Response:
        status = exc.code or 500
        message = exc.description or exc.name
        if not request.path.startswith("/api/") and message == type(exc).description:
            message = PAGE_MESSAGES.get(status, message)  # the page is in Chinese; Werkzeug's default is not
        response = error_response(status, message)
        for header in ("Retry-After", "Allow"):
            if exc.get_response().headers.get(header):
                response.headers[header] = exc.get_response().headers[header]
        return response
