"""A fake TikTok Marketing API for customer-file audience membership (`POST /open_api/v1.3/segment/mapping/`).

Contract enforced (../shared/specs/destinations.md, section 9, and activation/destinations/tiktok.py for the
sources): every answer is HTTP 200 with `{"code", "message", "request_id", "data"}`. `Access-Token` header
else code 40105; the advertiser the token may use else 40001; JSON with exactly `advertiser_ids`, `action`
(add | delete), `id_schema` (a sorted list of known keys without duplicates) and `batch_data` (1 to 1,000
rows, each a list aligned to `id_schema` of `{}` or `{"id", "audience_ids"}` with at least one identifier),
else code 40002; SHA-256 keys must be 64 lower-case hex and `audience_ids` name the known audience, else
40002. Throttling answers code 40100 (no headers). The audience holds (schema key, hash) pairs: `add` puts a
row's pairs in, `delete` takes them out. The exact codes for a bad parameter (40002) and a bad token (40105)
follow TikTok's public code list as third-party clients use it; we did not find TikTok's own page in our
sources.
"""

from __future__ import annotations

import json
import re
import threading
from dataclasses import dataclass, field
from typing import Any

from tests.activation.fakes.server import LoopbackServer, Request, Response

TOKEN = "fixture-tiktok-access-token-0123456789abcdef"
ADVERTISER_ID = "7012345678901234567"
AUDIENCE_ID = "1789012345"
MAX_ROWS = 1_000
KNOWN_KEYS = ("AAID_MD5", "AAID_SHA256", "EMAIL_SHA256", "IDFA_MD5", "IDFA_SHA256", "PHONE_SHA256")
SHA256_HEX = re.compile(r"^[0-9a-f]{64}$")
MD5_HEX = re.compile(r"^[0-9a-f]{32}$")


@dataclass
class FakeTikTok:
    token: str = TOKEN
    throttle_next: int = 0
    members: set[tuple[str, str]] = field(default_factory=set)
    refusals: list[int] = field(default_factory=list)
    accepted_calls: int = 0

    def __post_init__(self) -> None:
        self._lock = threading.Lock()
        self.server = LoopbackServer(self.handle)

    @property
    def url(self) -> str:
        return self.server.url

    def reset(self) -> None:
        with self._lock:
            self.token, self.throttle_next, self.accepted_calls = TOKEN, 0, 0
            self.members.clear()
            self.refusals.clear()
            self.server.requests.clear()

    def _answer(self, code: int, message: str) -> Response:
        if code:
            self.refusals.append(code)
        body = {"code": code, "message": message, "request_id": "20260101000000FAKE", "data": {}}
        return Response(200, json.dumps(body).encode(), {"Content-Type": "application/json"})

    def handle(self, request: Request) -> Response:
        with self._lock:
            if request.path != "/open_api/v1.3/segment/mapping/" or request.method != "POST":
                return Response(404, b"Not Found")
            if request.headers.get("access-token") != self.token:
                return self._answer(40105, "Access token is incorrect or has been revoked.")
            if self.throttle_next:
                self.throttle_next -= 1
                return self._answer(40100, "Too many requests. Please retry in some time.")
            try:
                body = json.loads(request.body)
            except ValueError:
                return self._answer(40002, "Invalid JSON.")
            problem = self._check(body)
            if problem is not None:
                return self._answer(*problem)
            schema = body["id_schema"]
            for row in body["batch_data"]:
                pairs = {(key, entry["id"]) for key, entry in zip(schema, row, strict=True) if entry}
                if body["action"] == "add":
                    self.members |= pairs
                else:
                    self.members -= pairs
            self.accepted_calls += 1
            return self._answer(0, "OK")

    @staticmethod
    def _check(body: Any) -> tuple[int, str] | None:
        if not isinstance(body, dict) or set(body) != {"advertiser_ids", "action", "id_schema", "batch_data"}:
            return 40002, "advertiser_ids, action, id_schema and batch_data are required; no other field."
        if body["advertiser_ids"] != [ADVERTISER_ID]:
            return 40001, "No permission to operate advertiser."
        if body["action"] not in ("add", "delete"):
            return 40002, "action: must be one of add, delete."
        schema = body["id_schema"]
        if (
            not isinstance(schema, list)
            or not schema
            or any(key not in KNOWN_KEYS for key in schema)
            or schema != sorted(set(schema))
        ):
            return 40002, f"id_schema: invalid {schema!r}."
        rows = body["batch_data"]
        if not isinstance(rows, list) or not rows:
            return 40002, "batch_data: must not be empty."
        if len(rows) > MAX_ROWS:
            return 40002, f"batch_data: at most {MAX_ROWS} rows."
        for row in rows:
            if not isinstance(row, list) or len(row) != len(schema) or not any(row):
                return 40002, "batch_data: each row is aligned to id_schema and has one identifier."
            for key, entry in zip(schema, row, strict=True):
                if entry == {}:
                    continue
                if not isinstance(entry, dict) or set(entry) != {"id", "audience_ids"}:
                    return 40002, "batch_data: entries are {} or {id, audience_ids}."
                pattern = SHA256_HEX if key.endswith("SHA256") else MD5_HEX
                if not (isinstance(entry["id"], str) and pattern.match(entry["id"])):
                    return 40002, f"batch_data: {key} must be a lower-case hex digest."
                if entry["audience_ids"] != [AUDIENCE_ID]:
                    return 40002, "batch_data: audience not found."
        return None
