"""Production serving with gunicorn: several worker processes reading one index."""

from __future__ import annotations

from typing import Any

from gunicorn.app.base import BaseApplication

from indexer.config import Config


class _GunicornApp(BaseApplication):  # type: ignore[misc]
    def __init__(self, config: Config, options: dict[str, Any]) -> None:
        self._config = config
        self._options = options
        super().__init__()

    def load_config(self) -> None:
        for key, value in self._options.items():
            self.cfg.set(key, value)

    def load(self) -> Any:
        from search_web import create_app

        return create_app(self._config)


def run_gunicorn(config: Config, *, host: str, port: int, workers: int) -> None:
    """Serve ``create_app(config)`` with gunicorn until interrupted.

    Equivalent to ``gunicorn -w N -b HOST:PORT 'search_web:create_app()'`` with the
    settings taken from the environment.
    """
    _GunicornApp(
        config,
        {"bind": f"{host}:{port}", "workers": workers, "accesslog": "-", "timeout": 60, "graceful_timeout": 10,
         "post_worker_init": _warm_worker},
    ).run()


def _warm_worker(worker: Any) -> None:
    # each worker loads the index's arrays before its first request (seconds at 10^5 documents)
    engine = worker.wsgi.extensions.get("govsearch_engine")
    if engine is not None:
        engine.warm()
