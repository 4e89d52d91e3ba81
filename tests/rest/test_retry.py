"""The retry policy's decisions: which failures are retried, and how long to wait."""

from __future__ import annotations

import email.utils
import random

import pytest

from realtime_bus.rest import RetryPolicy, parse_retry_after


def test_backoff_doubles_up_to_the_cap_and_jitter_only_shortens() -> None:
    policy = RetryPolicy(initial_delay=0.5, max_delay=4.0, jitter=0.25)
    rng = random.Random(7)
    for retry, base in enumerate([0.5, 1.0, 2.0, 4.0, 4.0, 4.0]):
        for _ in range(50):
            delay = policy.backoff(retry, rng)
            assert base * 0.75 <= delay <= base


def test_jitter_spreads_the_waits() -> None:
    policy = RetryPolicy(initial_delay=1.0, max_delay=1.0, jitter=0.5)
    rng = random.Random(1)
    delays = {round(policy.backoff(0, rng), 6) for _ in range(20)}
    assert len(delays) > 10


def test_no_jitter_is_exact() -> None:
    policy = RetryPolicy(initial_delay=0.25, max_delay=10.0, jitter=0.0)
    assert [policy.backoff(n) for n in range(4)] == [0.25, 0.5, 1.0, 2.0]


def test_huge_retry_numbers_do_not_overflow() -> None:
    assert RetryPolicy(jitter=0.0, max_delay=8.0).backoff(10_000) == 8.0


@pytest.mark.parametrize("status", [408, 429, 500, 502, 503, 504, 599])
def test_retryable_statuses(status: int) -> None:
    policy = RetryPolicy(jitter=0.0, initial_delay=0.1)
    assert policy.delay_after_response(0, status, {}) == pytest.approx(0.1)


@pytest.mark.parametrize("status", [400, 401, 403, 404, 409, 422])
def test_client_errors_are_not_retried(status: int) -> None:
    assert RetryPolicy().delay_after_response(0, status, {}) is None


def test_gives_up_after_max_retries() -> None:
    policy = RetryPolicy(max_retries=2, jitter=0.0)
    assert policy.delay_after_response(1, 503, {}) is not None
    assert policy.delay_after_response(2, 503, {}) is None
    assert policy.delay_after_connection_error(1) is not None
    assert policy.delay_after_connection_error(2) is None
    assert RetryPolicy(max_retries=0).delay_after_response(0, 503, {}) is None


def test_retry_after_replaces_the_backoff() -> None:
    policy = RetryPolicy(initial_delay=5.0, max_delay=5.0)
    assert policy.delay_after_response(0, 429, {"retry-after": "0.2"}) == 0.2
    assert policy.delay_after_response(0, 429, {"retry-after-ms": "150"}) == 0.15


def test_retry_after_beyond_the_limit_gives_up() -> None:
    policy = RetryPolicy(max_retry_after=10.0)
    assert policy.delay_after_response(0, 429, {"retry-after": "11"}) is None
    assert policy.delay_after_response(0, 429, {"retry-after": "10"}) == 10.0


def test_x_should_retry_overrides_the_status() -> None:
    policy = RetryPolicy(jitter=0.0, initial_delay=0.1)
    assert policy.delay_after_response(0, 503, {"x-should-retry": "false"}) is None
    assert policy.delay_after_response(0, 409, {"x-should-retry": "true"}) == pytest.approx(0.1)
    # ... but never past max_retries
    assert (
        RetryPolicy(max_retries=0).delay_after_response(0, 409, {"x-should-retry": "true"}) is None
    )


def test_parse_retry_after_forms() -> None:
    assert parse_retry_after({}) is None
    assert parse_retry_after({"retry-after": "3"}) == 3.0
    assert parse_retry_after({"retry-after": "-1"}) is None
    assert parse_retry_after({"retry-after": "soon"}) is None
    assert parse_retry_after({"retry-after-ms": "junk", "retry-after": "2"}) == 2.0
    now = 1_700_000_000.0
    date = email.utils.formatdate(now + 30, usegmt=True)
    assert parse_retry_after({"retry-after": date}, now=now) == pytest.approx(30.0)
    past = email.utils.formatdate(now - 30, usegmt=True)
    assert parse_retry_after({"retry-after": past}, now=now) == 0.0


@pytest.mark.parametrize(
    "kwargs",
    [
        {"max_retries": -1},
        {"initial_delay": 2.0, "max_delay": 1.0},
        {"initial_delay": -0.1},
        {"jitter": 1.5},
        {"max_retry_after": -1.0},
    ],
)
def test_invalid_policies_are_refused(kwargs: dict[str, float]) -> None:
    with pytest.raises(ValueError):
        RetryPolicy(**kwargs)  # type: ignore[arg-type]
