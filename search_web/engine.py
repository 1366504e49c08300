"""Access to the app's engine and config from views."""

from __future__ import annotations

from flask import current_app

from indexer.config import Config
from indexer.engine import SearchEngine


def get_engine() -> SearchEngine:
    """The SearchEngine of the current app."""
    return current_app.extensions["govsearch_engine"]


def get_config() -> Config:
    """The Config of the current app."""
    return current_app.config["GOVSEARCH"]
