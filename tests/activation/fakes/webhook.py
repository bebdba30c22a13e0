"""A Standard Webhooks receiver: verifies the signature, deduplicates on webhook-id, holds the records.

Contract enforced (house convention of ../shared/specs/destinations.md, section 8): `webhook-id`,
`webhook-timestamp` (within 5 minutes) and `webhook-signature` (`v1,<base64 HMAC-SHA256>` over
"{id}.{timestamp}.{body}", compared in constant time) or 401; `Idempotency-Key` equal to `webhook-id`; JSON
body `{"type", "timestamp", "data": {"sync", "batch_id", "operation", "sequence", "is_last", "records":
[...]}}`
with at most `max_records` records, each `{"key", "action", "fields"}` and `action` = the batch's
operation, or
400. A `webhook-id` seen before is acknowledged without applying it again (what receivers must do).
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import threading
import time
from collections import Counter
from dataclasses import dataclass, field
from typing import Any

from tests.activation.fakes.server import LoopbackServer, Request, Response

SECRET = "whsec_" + base64.b64encode(b"fixture-webhook-signing-key-32b!").decode()


@dataclass
class FakeWebhookReceiver:
    secret: str = SECRET
    max_records: int = 50_000
    # Knobs a test turns: throttle / fail the next N requests, reject keys, delay every request.
    throttle_next: int = 0
    retry_after: str = "1"
    fail_next: int = 0
    rejected_keys: dict[str, bool] = field(default_factory=dict)  # key -> retryable
    delay_seconds: float = 0.0
    held: dict[str, dict[str, Any]] = field(default_factory=dict)
    applied: Counter[str] = field(default_factory=Counter)
    seen_ids: set[str] = field(default_factory=set)
    batches: list[dict[str, Any]] = field(default_factory=list)
    replays: int = 0
    refusals: list[tuple[int, str]] = field(default_factory=list)

    def __post_init__(self) -> None:
        self._lock = threading.Lock()
        self._key = base64.b64decode(self.secret[len("whsec_") :])
        self.server = LoopbackServer(self.handle)

    @property
    def url(self) -> str:
        return f"{self.server.url}/hook"

    def reset(self) -> None:
        """Forget everything received and every knob turned (one receiver serves a whole test session)."""
        with self._lock:
            self.secret, self._key = SECRET, base64.b64decode(SECRET[len("whsec_") :])
            self.throttle_next = self.fail_next = 0
            self.retry_after, self.delay_seconds = "1", 0.0
            self.rejected_keys.clear()
            self.held.clear()
            self.applied.clear()
            self.seen_ids.clear()
            self.batches.clear()
            self.refusals.clear()
            self.replays = 0
            self.server.requests.clear()

    def _refuse(self, status: int, message: str, headers: dict[str, str] | None = None) -> Response:
        self.refusals.append((status, message))
        return Response(status, json.dumps({"error": message}).encode(), headers or {})

    def handle(self, request: Request) -> Response:
        if self.delay_seconds:
            time.sleep(self.delay_seconds)
        with self._lock:
            if request.method != "POST" or request.path != "/hook":
                return self._refuse(404, "not found")
            message_id = request.headers.get("webhook-id", "")
            timestamp = request.headers.get("webhook-timestamp", "")
            signatures = request.headers.get("webhook-signature", "")
            if not message_id or not timestamp.isdigit() or abs(time.time() - int(timestamp)) > 300:
                return self._refuse(401, "missing or stale webhook-id / webhook-timestamp")
            expected = base64.b64encode(
                hmac.new(
                    self._key, f"{message_id}.{timestamp}.".encode() + request.body, hashlib.sha256
                ).digest()
            ).decode()
            if not any(
                hmac.compare_digest(candidate.partition(",")[2], expected)
                for candidate in signatures.split()
                if candidate.startswith("v1,")
            ):
                return self._refuse(401, "invalid signature")
            if request.headers.get("idempotency-key") != message_id:
                return self._refuse(400, "Idempotency-Key must equal webhook-id")
            if self.throttle_next:
                self.throttle_next -= 1
                return self._refuse(429, "slow down", {"Retry-After": self.retry_after})
            if self.fail_next:
                self.fail_next -= 1
                return self._refuse(503, "unavailable")
            if message_id in self.seen_ids:
                self.replays += 1
                return Response(200, b'{"status":"duplicate"}', {"Content-Type": "application/json"})
            problem = self._check_body(request)
            if isinstance(problem, str):
                return self._refuse(400, problem)
            document = problem
            data = document["data"]
            rejected = []
            for record in data["records"]:
                key = record["key"]
                if key in self.rejected_keys:
                    rejected.append(
                        {
                            "key": key,
                            "code": "invalid_email",
                            "message": "refused by the receiver",
                            "retryable": self.rejected_keys[key],
                        }
                    )
                    continue
                if record["action"] == "remove":
                    self.held.pop(key, None)
                elif record["action"] == "update" and key not in self.held:
                    rejected.append(
                        {"key": key, "code": "not_found", "message": "unknown key", "retryable": False}
                    )
                    continue
                else:
                    self.held[key] = record["fields"]
                self.applied[key] += 1
            self.seen_ids.add(message_id)
            self.batches.append(data)
            body = json.dumps({"rejected": rejected} if rejected else {"status": "ok"}).encode()
            return Response(200, body, {"Content-Type": "application/json"})

    def _check_body(self, request: Request) -> dict[str, Any] | str:
        if "application/json" not in request.headers.get("content-type", ""):
            return "Content-Type must be application/json"
        try:
            document = json.loads(request.body)
        except ValueError:
            return "body is not JSON"
        if set(document) != {"type", "timestamp", "data"}:
            return f"unexpected top-level keys {sorted(document)}"
        data = document["data"]
        required = {"sync", "batch_id", "operation", "sequence", "is_last", "records"}
        if not required <= set(data):
            return f"data lacks {sorted(required - set(data))}"
        if data["operation"] not in ("add", "update", "remove"):
            return f"unknown operation {data['operation']!r}"
        records = data["records"]
        if not isinstance(records, list) or not records:
            return "records must be a non-empty list"
        if len(records) > self.max_records:
            return f"{len(records)} records: at most {self.max_records} per request"
        for record in records:
            if set(record) != {"key", "action", "fields"} or not isinstance(record["fields"], dict):
                return f"malformed record {record!r:.200}"
            if record["action"] != data["operation"]:
                return "record action differs from the batch operation"
        return document
