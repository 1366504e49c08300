"""The Flask site and JSON API over :class:`indexer.engine.SearchEngine`.

``create_app(config)`` builds the app; nothing is built at import time. Views reach
the engine through :func:`search_web.engine.get_engine`, never Whoosh directly.
"""

from __future__ import annotations

import logging

from flask import Flask

from indexer.config import Config
from indexer.engine import SearchEngine

logger = logging.getLogger(__name__)


def create_app(config: Config | None = None) -> Flask:
    """Build the site.

    :param config: settings; default ``Config.from_env()``.
    """
    config = config or Config.from_env()
    app = Flask(__name__)
    app.config["GOVSEARCH"] = config
    app.config["JSON_AS_ASCII"] = False
    app.json.ensure_ascii = False  # type: ignore[attr-defined]
    # one engine per app: it keeps its searcher open and refreshes it after each commit
    app.extensions["govsearch_engine"] = SearchEngine(config)

    from search_web import api, embed, errors, pages, security

    app.register_blueprint(pages.bp)
    app.register_blueprint(api.bp, url_prefix="/api/v1")
    app.register_blueprint(embed.bp)
    errors.init_app(app)
    security.init_app(app)
    return app
