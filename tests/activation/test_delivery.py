"""Delivery mechanics: token bucket, backoff with jitter and retry hints, the status -> exception router,
secret redaction."""

from __future__ import annotations

import random
import threading
import time

import pytest
import requests

from activation.destinations.brevo import classify_brevo_response
from activation.destinations.google_ads import classify_google_ads_response
from activation.destinations.hubspot import classify_hubspot_response
from activation.destinations.klaviyo import classify_klaviyo_response
from activation.destinations.linkedin import classify_linkedin_response
from activation.destinations.mailchimp import classify_mailchimp_response
from activation.destinations.meta import classify_graph_response
from activation.destinations.salesforce import classify_salesforce_response
from activation.destinations.tiktok import classify_tiktok_response
from activation.errors import (
    FatalDestinationError,
    PermanentDestinationError,
    RateLimitedError,
    TransientDestinationError,
)
from activation.syncs.delivery import (
    Redactor,
    RetryPolicy,
    TokenBucket,
    default_classifier,
    parse_retry_after,
)


def response(status: int, headers: dict[str, str] | None = None, body: str = "") -> requests.Response:
    answer = requests.Response()
    answer.status_code = status
    answer.headers.update(headers or {})
    answer._content = body.encode()
    answer.url = "https://api.example.com/hook?access_token=SECRET-TOKEN-123"
    return answer


def test_token_bucket_rate_and_burst() -> None:
    bucket = TokenBucket(rate=50, burst=5)
    started = time.monotonic()
    for _ in range(5):
        bucket.acquire()
    assert time.monotonic() - started < 0.05  # the burst goes at once
    for _ in range(10):
        bucket.acquire()
    assert time.monotonic() - started >= 10 / 50 * 0.9


def test_token_bucket_pause_holds_every_thread() -> None:
    bucket = TokenBucket(rate=None)
    bucket.pause_until(time.monotonic() + 0.3)
    released: list[float] = []

    def worker() -> None:
        bucket.acquire()
        released.append(time.monotonic())

    threads = [threading.Thread(target=worker) for _ in range(3)]
    started = time.monotonic()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert all(moment - started >= 0.28 for moment in released)


def test_backoff_is_jittered_exponential_and_honours_hints() -> None:
    policy = RetryPolicy(initial_backoff_seconds=0.5, max_backoff_seconds=8)
    rng = random.Random(7)
    delays = [[policy.delay(attempt, None, rng) for _ in range(200)] for attempt in (1, 2, 3, 6)]
    for attempt_delays, ceiling in zip(delays, (0.5, 1.0, 2.0, 8.0), strict=True):
        assert min(attempt_delays) >= 0 and max(attempt_delays) <= ceiling
        assert max(attempt_delays) > ceiling * 0.8  # jitter spreads over the whole window
        assert len(set(attempt_delays)) > 150
    hinted = [policy.delay(1, 3.0, rng) for _ in range(100)]
    assert min(hinted) >= 3.0 and max(hinted) <= 3.5


def test_retry_after_formats() -> None:
    assert parse_retry_after("2") == 2.0
    assert parse_retry_after("0") == 0.0
    assert parse_retry_after(None) is None and parse_retry_after("soon") is None
    now = time.time()
    http_date = time.strftime("%a, %d %b %Y %H:%M:%S GMT", time.gmtime(now + 30))
    assert 28 <= (parse_retry_after(http_date, now=now) or 0) <= 31


@pytest.mark.parametrize(
    ("status", "headers", "expected"),
    [
        (429, {"Retry-After": "4"}, RateLimitedError),
        (503, {}, TransientDestinationError),
        (500, {}, TransientDestinationError),
        (408, {}, TransientDestinationError),
        (401, {}, FatalDestinationError),
        (403, {}, FatalDestinationError),
        (400, {}, PermanentDestinationError),
        (413, {}, PermanentDestinationError),
    ],
)
def test_status_router(status: int, headers: dict[str, str], expected: type[Exception]) -> None:
    redact = Redactor(["SECRET-TOKEN-123"])
    with pytest.raises(expected) as raised:
        default_classifier(response(status, headers, body="token SECRET-TOKEN-123 refused"), redact)
    error = raised.value
    assert "SECRET-TOKEN-123" not in str(error) and "SECRET-TOKEN-123" not in (error.body or "")
    assert "access_token" not in (error.url or "")
    if expected is RateLimitedError:
        assert error.retry_after == 4.0
    assert type(error) is expected


def test_success_passes() -> None:
    default_classifier(response(204), Redactor())


def test_redactor_longest_first_and_ignores_short_values() -> None:
    redact = Redactor(["abc", "secret-value-1", "secret-value-12"])
    assert redact("x secret-value-12 y secret-value-1 abc") == "x *** y *** abc"


CLASSIFIERS = {
    "brevo": classify_brevo_response,
    "google_ads": classify_google_ads_response,
    "hubspot": classify_hubspot_response,
    "klaviyo": classify_klaviyo_response,
    "linkedin": classify_linkedin_response,
    "mailchimp": classify_mailchimp_response,
    "meta": classify_graph_response,
    "salesforce": classify_salesforce_response,
    "tiktok": classify_tiktok_response,
}


@pytest.mark.parametrize("name", sorted(CLASSIFIERS))
@pytest.mark.parametrize(
    ("status", "body", "expected"),
    [
        (502, "<html><body>Bad gateway</body></html>", TransientDestinationError),
        (503, "", TransientDestinationError),
        (400, '["a", "list"]', PermanentDestinationError),
        (500, '"just a string"', TransientDestinationError),
    ],
)
def test_every_classifier_reads_a_gateway_answer_as_a_destination_error(
    name: str, status: int, body: str, expected: type[Exception]
) -> None:
    """Proxies and gateways answer with HTML, nothing, or JSON of another shape: each platform's classifier
    must still raise one of our errors (a batch failure the engine can route), never a parsing error."""
    with pytest.raises(expected):
        CLASSIFIERS[name](response(status, body=body), Redactor())
