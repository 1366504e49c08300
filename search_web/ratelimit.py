"""Per-client rate limiting of the JSON API: an in-memory sliding window.

The limit comes from ``Config.rate_limit`` (``"120/minute"``; empty disables it). The
window lives in the memory of one process, so with several gunicorn workers each
worker counts on its own: a client may get up to ``workers × N`` requests per period.
Clients are told by ``remote_addr``; behind a reverse proxy, wrap the app in
werkzeug's ``ProxyFix`` so that is the client's address and not the proxy's.
"""

from __future__ import annotations

import logging
import math
import re
import threading
import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass

from flask import Flask, Response, g, request

from search_web.engine import get_config
from search_web.errors import error_response

logger = logging.getLogger(__name__)

#: Seconds in each period name accepted by :func:`parse_rate`.
PERIODS: dict[str, float] = {"second": 1.0, "minute": 60.0, "hour": 3600.0, "day": 86400.0}

#: Paths the limit applies to.
API_PREFIX = "/api/v1"

_RATE = re.compile(r"^\s*(\d+)\s*(?:/|per)\s*(second|minute|hour|day)s?\s*$", re.IGNORECASE)


@dataclass(frozen=True)
class Rate:
    """``limit`` requests per ``period`` seconds."""

    limit: int
    period: float


def parse_rate(text: str) -> Rate | None:
    """Read a rate such as ``"120/minute"`` or ``"5 per second"``.

    :param text: ``N/second|minute|hour|day``; empty, ``off`` or ``0/…`` means no limit.
    :returns: the rate, or None for no limit.
    :raises ValueError: when the text is not a rate.
    """
    if not text or not text.strip() or text.strip().lower() in ("off", "none", "0"):
        return None
    m = _RATE.match(text)
    if not m:
        raise ValueError(f"rate_limit: expected N/second|minute|hour|day, got {text!r}")
    limit = int(m.group(1))
    if limit == 0:
        return None
    return Rate(limit, PERIODS[m.group(2).lower()])


@dataclass(frozen=True)
class Decision:
    """The outcome of one :meth:`SlidingWindowLimiter.hit`."""

    allowed: bool
    remaining: int  # requests still allowed in the current window
    retry_after: int  # whole seconds until one more request is allowed (0 when allowed)


class SlidingWindowLimiter:
    """Counts each key's requests over the last ``rate.period`` seconds (a log of timestamps).

    Memory is at most ``rate.limit`` timestamps per active key; idle keys are dropped
    on a periodic sweep. Thread-safe.

    :param rate: the allowed rate.
    :param clock: monotonic seconds; injectable for tests.
    """

    def __init__(self, rate: Rate, clock: Callable[[], float] = time.monotonic) -> None:
        self.rate = rate
        self._clock = clock
        self._hits: dict[str, deque[float]] = {}
        self._lock = threading.Lock()
        self._next_sweep = clock() + rate.period

    def hit(self, key: str) -> Decision:
        """Record one request from ``key`` unless it is over the limit.

        :param key: the client (its IP address).
        """
        now = self._clock()
        horizon = now - self.rate.period
        with self._lock:
            if now >= self._next_sweep:
                self._sweep(horizon)
                self._next_sweep = now + self.rate.period
            times = self._hits.setdefault(key, deque())
            while times and times[0] <= horizon:
                times.popleft()
            if len(times) >= self.rate.limit:
                # the oldest request in the window leaves it first
                wait = times[0] + self.rate.period - now
                return Decision(False, 0, max(1, math.ceil(wait)))
            times.append(now)
            return Decision(True, self.rate.limit - len(times), 0)

    def _sweep(self, horizon: float) -> None:
        for key in [k for k, t in self._hits.items() if not t or t[-1] <= horizon]:
            del self._hits[key]

    def __len__(self) -> int:
        """Number of clients currently tracked."""
        return len(self._hits)


def init_app(app: Flask) -> None:
    """Limit requests under ``/api/v1`` per client address to ``config.rate_limit``.

    Over the limit the API answers ``429`` (code ``rate_limited``) with ``Retry-After``;
    every API response carries ``RateLimit-Limit`` and ``RateLimit-Remaining``.
    """
    rate = parse_rate(app.config["GOVSEARCH"].rate_limit)
    if rate is None:
        logger.info("API rate limiting disabled")
        return
    limiter = SlidingWindowLimiter(rate)
    app.extensions["govsearch_ratelimit"] = limiter

    @app.before_request
    def _limit() -> Response | None:
        if not (request.path == API_PREFIX or request.path.startswith(API_PREFIX + "/")):
            return None
        if request.method == "OPTIONS":
            return None  # CORS preflights are answered without work; not counted
        decision = limiter.hit(request.remote_addr or "unknown")
        g.govsearch_rate = decision
        if decision.allowed:
            return None
        logger.info("rate limit reached for %s on %s", request.remote_addr, request.path)
        response = error_response(429, f"请求过于频繁：每个客户端最多 {get_config().rate_limit}，请稍后再试。")
        response.headers["Retry-After"] = str(decision.retry_after)
        return response

    @app.after_request
    def _headers(response: Response) -> Response:
        decision: Decision | None = g.get("govsearch_rate")
        if decision is not None:
            response.headers["RateLimit-Limit"] = str(rate.limit)
            response.headers["RateLimit-Remaining"] = str(decision.remaining)
        return response
