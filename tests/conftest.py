"""Shared fixtures: config -> engine -> app -> client, a demo-corpus index, option flags.

Browser tests (marker ``browser``) run only with ``--browser`` (``.ci/run`` passes it);
real-data tests (marker ``realdata``) skip when ../shared/corpus is absent.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest

from indexer.config import Config
from indexer.engine import SearchEngine

ROOT = Path(__file__).resolve().parent.parent
DEMO_CORPUS = ROOT / "corpus"
SHARED_CORPUS = (ROOT / ".." / "shared" / "corpus").resolve()


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption("--browser", action="store_true", help="run Playwright tests in Debian's chromium")


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    skip_browser = pytest.mark.skip(reason="browser test: run with --browser")
    skip_real = pytest.mark.skip(reason=f"real corpus absent: {SHARED_CORPUS}")
    for item in items:
        if "browser" in item.keywords and not config.getoption("--browser"):
            item.add_marker(skip_browser)
        if "realdata" in item.keywords and not SHARED_CORPUS.is_dir():
            item.add_marker(skip_real)


@pytest.fixture(autouse=True)
def _clean_env(monkeypatch: pytest.MonkeyPatch) -> None:
    """No GOVSEARCH_* setting leaks in from the environment running the tests."""
    for key in list(os.environ):
        if key.startswith("GOVSEARCH_"):
            monkeypatch.delenv(key)


@pytest.fixture
def config(tmp_path: Path) -> Config:
    """Settings with a fresh index directory; one extraction process (fast for small batches)."""
    return Config.from_env({}, index_dir=tmp_path / "index", workers=1)


@pytest.fixture
def engine(config: Config) -> Iterator[SearchEngine]:
    eng = SearchEngine(config)
    yield eng
    eng.close()


@pytest.fixture(scope="session")
def demo_index(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """An index of the demo corpus, built once per test session (read-only for tests)."""
    from indexer.sync import sync_paths

    index_dir = tmp_path_factory.mktemp("demo") / "index"
    eng = SearchEngine(Config.from_env({}, index_dir=index_dir))
    summary = sync_paths(eng, [DEMO_CORPUS])
    eng.close()
    assert not summary.failed, summary.failed
    return index_dir


@pytest.fixture
def demo_config(demo_index: Path) -> Config:
    return Config.from_env({}, index_dir=demo_index, download_roots=str(DEMO_CORPUS))


@pytest.fixture
def demo_engine(demo_config: Config) -> Iterator[SearchEngine]:
    eng = SearchEngine(demo_config)
    yield eng
    eng.close()


@pytest.fixture
def app(demo_config: Config):  # type: ignore[no-untyped-def]
    from search_web import create_app

    app = create_app(demo_config)
    app.config["TESTING"] = True
    return app


@pytest.fixture
def client(app):  # type: ignore[no-untyped-def]
    return app.test_client()


@pytest.fixture
def runner():  # type: ignore[no-untyped-def]
    from click.testing import CliRunner

    return CliRunner()
