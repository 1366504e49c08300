"""Config: environment, overrides, coercion errors, and documentation of every setting."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import pytest

from indexer.config import Config

DOCS = Path(__file__).resolve().parents[2] / "docs" / "configuration.md"


def test_environment_then_overrides() -> None:
    config = Config.from_env(
        {"GOVSEARCH_INDEX": "/srv/ix", "GOVSEARCH_MAX_PAGE_SIZE": "50", "GOVSEARCH_CORS_ORIGINS": "https://a.gov, https://b.gov"},
        max_page_size=20,
        workers=None,
    )
    assert config.index_dir == Path("/srv/ix")
    assert config.max_page_size == 20  # the flag wins
    assert config.cors_origins == ("https://a.gov", "https://b.gov")
    assert config.workers == 0  # None overrides are ignored


def test_long_form_index_dir_variable() -> None:
    assert Config.from_env({"GOVSEARCH_INDEX_DIR": "x"}).index_dir == Path("x")


def test_bad_value_names_the_setting() -> None:
    with pytest.raises(ValueError, match="max_page_size"):
        Config.from_env({"GOVSEARCH_MAX_PAGE_SIZE": "many"})


def test_every_setting_is_documented() -> None:
    text = DOCS.read_text(encoding="utf-8")
    missing = [f.name for f in dataclasses.fields(Config) if f"`{f.name}`" not in text or not f.metadata.get("help")]
    assert not missing, f"undocumented settings: {missing}"
