"""Session fixtures for browser tests: a live server over the demo index and Debian's chromium.

Tests here carry the ``browser`` marker and run only with ``pytest --browser``. They
drive ``/usr/bin/chromium`` (``apt-get install chromium fonts-noto-cjk``) through
Playwright for Python; ``playwright install`` is never needed. Screenshots go to
``screenshots/`` at the project root (git-ignored) for a person to look at.

Fixtures (kept stable: the API's widget tests use them too):

- ``live_server``: base URL (``http://127.0.0.1:PORT``) of ``create_app`` over the demo index,
  served by werkzeug in a background thread;
- ``browser``: a Playwright chromium ``Browser``;
- ``page``: a fresh page (own context, 1280x900) per test;
- ``screenshot_dir``: ``Path`` of ``screenshots/``, created.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from indexer.config import Config

ROOT = Path(__file__).resolve().parents[2]
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
DESKTOP = {"width": 1280, "height": 900}


class LiveServer:
    """A werkzeug server for a Flask app on a free loopback port, in a daemon thread."""

    def __init__(self, app: Any) -> None:
        from werkzeug.serving import make_server

        self._server = make_server("127.0.0.1", 0, app, threaded=True)
        self.url = f"http://127.0.0.1:{self._server.server_port}"
        self._thread = threading.Thread(target=self._server.serve_forever, name="live-server", daemon=True)

    def __enter__(self) -> "LiveServer":
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._server.shutdown()
        self._server.server_close()
        self._thread.join(timeout=10)


def serve(config: Config) -> LiveServer:
    """A :class:`LiveServer` for ``create_app(config)`` (use as a context manager)."""
    from search_web import create_app

    app = create_app(config)
    app.config["TESTING"] = True
    return LiveServer(app)


@pytest.fixture(scope="session")
def live_server(demo_index: Path) -> Iterator[str]:
    """Base URL of the site over the demo index (downloads allowed from corpus/)."""
    config = Config.from_env({}, index_dir=demo_index, download_roots=str(ROOT / "corpus"))
    with serve(config) as server:
        yield server.url


@pytest.fixture(scope="session")
def browser() -> Iterator[Any]:
    """Debian's chromium through Playwright, for the whole session."""
    if not Path(CHROMIUM).exists():
        pytest.fail(f"{CHROMIUM} is missing: apt-get install -y chromium fonts-noto-cjk")
    sync_api = pytest.importorskip("playwright.sync_api")
    playwright = sync_api.sync_playwright().start()
    try:
        chromium = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()
    finally:
        playwright.stop()


@pytest.fixture
def page(browser: Any) -> Iterator[Any]:
    """A fresh page in its own context (desktop size, zh-CN), closed after the test."""
    context = browser.new_context(viewport=DESKTOP, locale="zh-CN")
    context.set_default_timeout(30_000)
    pg = context.new_page()
    yield pg
    context.close()


@pytest.fixture(scope="session")
def screenshot_dir() -> Path:
    """``screenshots/`` at the project root, created (git-ignored; files are overwritten, not cleared)."""
    path = ROOT / "screenshots"
    path.mkdir(exist_ok=True)
    return path
