"""Getting requests through: token-bucket rate limiting, jittered exponential backoff, the HTTP transport.

The transport turns every HTTP outcome into either a response or one of the destination exceptions of
`activation.errors` through a single router (status -> action), which a destination refines with its
platform's
own signals (Meta's throttling error codes in a 400, HubSpot's `policyName`...). Secrets are removed from
every
message, URL and body excerpt before an exception is built, so they can never reach a log or the state tables.
"""

from __future__ import annotations

import email.utils
import logging
import random
import threading
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

import requests

from activation.errors import (
    DestinationError,
    FatalDestinationError,
    PermanentDestinationError,
    RateLimitedError,
    TransientDestinationError,
)

logger = logging.getLogger(__name__)

BODY_EXCERPT_CHARS = 500
REDACTED = "***"


class Redactor:
    """Every secret value of a sync, removed from any text that may be logged or stored."""

    def __init__(self, secrets: Iterable[str] = ()) -> None:
        self._secrets: set[str] = set()
        self._lock = threading.Lock()
        for secret in secrets:
            self.add(secret)

    def add(self, secret: str) -> None:
        # Very short values would redact ordinary words; secrets of this package are tokens and keys.
        if secret and len(secret) >= 6:
            with self._lock:
                self._secrets.add(secret)

    def __call__(self, text: str | None) -> str | None:
        if text is None:
            return None
        for secret in sorted(self._secrets, key=len, reverse=True):
            text = text.replace(secret, REDACTED)
        return text


class TokenBucket:
    """At most `rate` requests per second on average, bursts of `burst`; shared by every worker of a sync.

    `pause_until` holds every worker back after a throttling answer, so one 429 does not become N.
    """

    def __init__(self, rate: float | None, burst: int | None = None) -> None:
        self.rate = rate
        self.capacity = float(burst if burst is not None else max(1, int(rate or 1)))
        self._tokens = self.capacity
        self._updated = time.monotonic()
        self._paused_until = 0.0
        self._lock = threading.Lock()

    def pause_until(self, monotonic_deadline: float) -> None:
        with self._lock:
            self._paused_until = max(self._paused_until, monotonic_deadline)

    def acquire(self) -> float:
        """Block until a request may go; returns the seconds waited."""
        waited = 0.0
        while True:
            with self._lock:
                now = time.monotonic()
                if now < self._paused_until:
                    delay = self._paused_until - now
                elif self.rate is None:
                    return waited
                else:
                    self._tokens = min(self.capacity, self._tokens + (now - self._updated) * self.rate)
                    self._updated = now
                    if self._tokens >= 1:
                        self._tokens -= 1
                        return waited
                    delay = (1 - self._tokens) / self.rate
            time.sleep(delay)
            waited += delay


@dataclass(frozen=True)
class RetryPolicy:
    """Jittered exponential backoff ('full jitter'), never shorter than the platform's own retry hint.

    A hint longer than `max_retry_after_seconds` fails the batch instead of sleeping for hours: its records
    are
    retried by the next run.
    """

    max_attempts: int = 6
    initial_backoff_seconds: float = 0.5
    max_backoff_seconds: float = 60.0
    max_retry_after_seconds: float = 900.0

    def delay(self, attempt: int, retry_after: float | None, rng: random.Random) -> float:
        """Seconds to wait before attempt number `attempt + 1` (attempt counts from 1)."""
        ceiling = min(self.max_backoff_seconds, self.initial_backoff_seconds * 2 ** (attempt - 1))
        jittered = rng.uniform(0, ceiling)
        if retry_after is not None:
            # A little jitter above the hint so that workers released together do not collide again.
            return retry_after + rng.uniform(0, min(1.0, ceiling))
        return jittered


def parse_retry_after(value: str | None, now: float | None = None) -> float | None:
    """`Retry-After` as seconds: delta-seconds or an HTTP date (RFC 9110); None when absent or unreadable."""
    if value is None:
        return None
    value = value.strip()
    if not value:
        return None
    try:
        return max(0.0, float(value))
    except ValueError:
        pass
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    current = time.time() if now is None else now
    return max(0.0, when.timestamp() - current)


Classifier = Callable[[requests.Response], None]


def default_classifier(response: requests.Response, redact: Redactor) -> None:
    """The status -> action table shared by HTTP destinations; raises for anything but 2xx.

    429 rate limited (Retry-After honoured); 408, 425, 5xx transient; 401, 403 fatal (credentials or
    permissions: no batch can succeed); other 4xx permanent for this request.
    """
    status = response.status_code
    if 200 <= status < 300:
        return
    details: dict[str, Any] = {
        "status": status,
        "url": redact(_url_without_query(response.url)),
        "body": redact(response.text[:BODY_EXCERPT_CHARS]),
    }
    if status == 429:
        raise RateLimitedError(
            "Rate limited", retry_after=parse_retry_after(response.headers.get("Retry-After")), **details
        )
    if status in (408, 425) or status >= 500:
        retry_after = parse_retry_after(response.headers.get("Retry-After"))
        if retry_after is not None:
            raise RateLimitedError("Destination unavailable", retry_after=retry_after, **details)
        raise TransientDestinationError("Destination unavailable", **details)
    if status in (401, 403):
        raise FatalDestinationError("Credentials refused", **details)
    raise PermanentDestinationError("Request refused", **details)


def _url_without_query(url: str | None) -> str | None:
    # Query strings are where tokens hide (Meta's access_token): never keep them in messages.
    return url.split("?", 1)[0] if url else url


class Transport:
    """HTTP for destinations: one pooled session per worker thread, rate limited, errors classified.

    The transport does not retry: the engine retries whole batches, so a destination's multi-request batch
    is retried as a unit and every attempt is counted in one place.
    """

    def __init__(
        self,
        limiter: TokenBucket,
        redact: Redactor,
        timeout_seconds: float = 60.0,
        user_agent: str = "composable-cdp-activation",
    ) -> None:
        self.limiter = limiter
        self.redact = redact
        self.timeout_seconds = timeout_seconds
        self.user_agent = user_agent
        self._local = threading.local()
        self._sessions: list[requests.Session] = []
        self._lock = threading.Lock()
        self.request_count = 0

    def _session(self) -> requests.Session:
        session = getattr(self._local, "session", None)
        if session is None:
            session = requests.Session()
            session.headers["User-Agent"] = self.user_agent
            self._local.session = session
            with self._lock:
                self._sessions.append(session)
        return session

    def request(
        self,
        method: str,
        url: str,
        *,
        classify: Callable[[requests.Response, Redactor], None] = default_classifier,
        observe: Callable[[requests.Response], float | None] | None = None,
        **kwargs: Any,
    ) -> requests.Response:
        """Send one request; return the 2xx response or raise a classified DestinationError.

        `observe` reads the platform's rate-limit headers on every response and may return seconds to hold all
        workers back (usage close to the limit) before the platform starts refusing.
        """
        self.limiter.acquire()
        kwargs.setdefault("timeout", self.timeout_seconds)
        with self._lock:
            self.request_count += 1
        try:
            response = self._session().request(method, url, **kwargs)
        except (requests.Timeout, requests.ConnectionError) as error:
            raise TransientDestinationError(
                f"Network error: {type(error).__name__}", url=self.redact(_url_without_query(url))
            ) from None
        except requests.RequestException as error:
            raise PermanentDestinationError(
                f"Request could not be sent: {self.redact(str(error))}",
                url=self.redact(_url_without_query(url)),
            ) from None
        if observe is not None:
            hold = observe(response)
            if hold:
                logger.info("Destination usage near its limit: holding requests for %.1f s", hold)
                self.limiter.pause_until(time.monotonic() + hold)
        try:
            classify(response, self.redact)
        except RateLimitedError as error:
            if error.retry_after:
                self.limiter.pause_until(time.monotonic() + error.retry_after)
            raise
        return response

    def close(self) -> None:
        with self._lock:
            for session in self._sessions:
                session.close()
            self._sessions.clear()


def describe_error(error: BaseException, redact: Redactor) -> str:
    """One line for logs and the state tables: the exception's message, secrets removed."""
    if isinstance(error, DestinationError):
        return redact(str(error)) or type(error).__name__
    return redact(f"{type(error).__name__}: {error}") or type(error).__name__
