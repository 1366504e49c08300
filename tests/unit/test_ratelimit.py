"""Sliding-window rate limiting and rate parsing (no app, a fake clock)."""

from __future__ import annotations

import pytest

from search_web.ratelimit import Rate, SlidingWindowLimiter, parse_rate


class FakeClock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("120/minute", Rate(120, 60.0)),
        ("5/second", Rate(5, 1.0)),
        ("1000 per hour", Rate(1000, 3600.0)),
        ("10/Minutes", Rate(10, 60.0)),
        ("50/day", Rate(50, 86400.0)),
        ("", None),
        ("   ", None),
        ("0/minute", None),
        ("off", None),
        ("OFF", None),
    ],
)
def test_parse_rate(text: str, expected: Rate | None) -> None:
    assert parse_rate(text) == expected


@pytest.mark.parametrize("text", ["120", "minute", "12/fortnight", "-1/minute", "1.5/second"])
def test_parse_rate_rejects_nonsense(text: str) -> None:
    with pytest.raises(ValueError, match="rate_limit"):
        parse_rate(text)


def test_limit_is_enforced_per_key_and_slides() -> None:
    clock = FakeClock()
    limiter = SlidingWindowLimiter(Rate(3, 60.0), clock=clock)
    assert [limiter.hit("a").remaining for _ in range(3)] == [2, 1, 0]
    refused = limiter.hit("a")
    assert not refused.allowed and refused.retry_after == 60
    assert limiter.hit("b").allowed  # another client has its own window
    clock.now += 30
    limiter.hit("a")  # refused requests are not counted
    assert limiter.hit("a").retry_after == 30
    clock.now += 30.5  # the first three have left the window
    assert [limiter.hit("a").allowed for _ in range(4)] == [True, True, True, False]


def test_retry_after_is_at_least_one_second() -> None:
    clock = FakeClock()
    limiter = SlidingWindowLimiter(Rate(1, 1.0), clock=clock)
    assert limiter.hit("a").allowed
    clock.now += 0.999
    assert limiter.hit("a").retry_after == 1


def test_idle_clients_are_forgotten() -> None:
    clock = FakeClock()
    limiter = SlidingWindowLimiter(Rate(2, 10.0), clock=clock)
    for i in range(100):
        limiter.hit(f"10.0.0.{i}")
    assert len(limiter) == 100
    clock.now += 11
    limiter.hit("10.1.0.1")
    assert len(limiter) == 1
