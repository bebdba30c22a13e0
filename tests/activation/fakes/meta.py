"""A fake Graph API for Custom Audience membership (`POST`/`DELETE /{version}/{audience_id}/users`).

Contract enforced (../shared/specs/destinations.md, section 1): `access_token` in the form or query, else the
Graph error 190 (OAuthException, HTTP 400); `appsecret_proof` = hex HMAC-SHA256(app secret,
"{access_token}|{appsecret_time}") when the app secret is set, else error 100; `payload` JSON with a multi-key
`schema` (known keys only, no duplicates) and `data` rows aligned to it, at most 10,000 rows (error 100);
`session` with integer `session_id`, `batch_seq` >= 1 and boolean `last_batch_flag`. Hashed keys must be 64
lower-case hex characters or empty, MADID lower-case, EXTERN_ID anything: other rows are counted in
`num_invalid_entries` (Meta's only per-record signal) and not applied. Throttling answers Meta's way: HTTP
400,
error code 80003 (subcode 2446079) and `X-Business-Use-Case-Usage` with `estimated_time_to_regain_access`.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import re
import threading
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import parse_qs

from tests.activation.fakes.server import LoopbackServer, Request, Response

TOKEN = "EAAB-fixture-access-token-0123456789"
APP_SECRET = "fixture-app-secret-abcdef"
AUDIENCE_ID = "23851234567890"
API_VERSION = "v25.0"
MAX_ROWS = 10_000
HASHED_KEYS = {
    "EMAIL",
    "PHONE",
    "GEN",
    "DOBY",
    "DOBM",
    "DOBD",
    "LN",
    "FN",
    "FI",
    "CT",
    "ST",
    "ZIP",
    "COUNTRY",
}
CLEAR_KEYS = {"EXTERN_ID", "MADID", "LOOKALIKE_VALUE", "DATA_PROCESSING_OPTIONS"}
SHA256_HEX = re.compile(r"^[0-9a-f]{64}$")


def graph_error(code: int, message: str, subcode: int | None = None, kind: str = "OAuthException") -> bytes:
    error: dict[str, Any] = {"message": message, "type": kind, "code": code, "fbtrace_id": "AfakeTrace"}
    if subcode is not None:
        error["error_subcode"] = subcode
    return json.dumps({"error": error}).encode()


@dataclass
class FakeMetaGraph:
    token: str = TOKEN
    app_secret: str | None = APP_SECRET
    audience_id: str = AUDIENCE_ID
    throttle_next: int = 0
    regain_minutes: int = 0
    members: set[tuple[tuple[str, Any], ...]] = field(default_factory=set)
    sessions: dict[int, list[tuple[int, bool]]] = field(default_factory=dict)
    invalid_rows: int = 0
    calls: int = 0
    refusals: list[tuple[int, int]] = field(default_factory=list)

    def __post_init__(self) -> None:
        self._lock = threading.Lock()
        self.server = LoopbackServer(self.handle)

    @property
    def url(self) -> str:
        return self.server.url

    def reset(self) -> None:
        with self._lock:
            self.token, self.app_secret = TOKEN, APP_SECRET
            self.throttle_next = self.regain_minutes = 0
            self.members.clear()
            self.sessions.clear()
            self.invalid_rows = self.calls = 0
            self.refusals.clear()
            self.server.requests.clear()

    def _usage(self) -> dict[str, str]:
        usage = {
            "1234567890": [
                {
                    "type": "CUSTOM_AUDIENCE",
                    "call_count": min(100, self.calls),
                    "total_cputime": 1,
                    "total_time": 1,
                    "estimated_time_to_regain_access": self.regain_minutes if self.throttle_next else 0,
                }
            ]
        }
        return {"X-Business-Use-Case-Usage": json.dumps(usage), "Content-Type": "application/json"}

    def _error(self, code: int, message: str, subcode: int | None = None) -> Response:
        self.refusals.append((code, subcode or 0))
        return Response(400, graph_error(code, message, subcode), self._usage())

    def handle(self, request: Request) -> Response:
        with self._lock:
            self.calls += 1
            form = {key: values[-1] for key, values in parse_qs(request.body.decode()).items()}
            params = {key: values[-1] for key, values in request.query.items()} | form
            if params.get("access_token") != self.token:
                return self._error(190, "Invalid OAuth access token - Cannot parse access token")
            if self.app_secret is not None:
                proof = hmac.new(
                    self.app_secret.encode(),
                    f"{params['access_token']}|{params.get('appsecret_time', '')}".encode(),
                    hashlib.sha256,
                ).hexdigest()
                if not hmac.compare_digest(params.get("appsecret_proof", ""), proof):
                    return self._error(100, "Invalid appsecret_proof provided in the API argument")
            if request.path != f"/{API_VERSION}/{self.audience_id}/users" or request.method not in (
                "POST",
                "DELETE",
            ):
                return self._error(100, "Unsupported request", 33)
            if self.throttle_next:
                self.throttle_next -= 1
                return self._error(80003, "There have been too many calls for this ad-account.", 2446079)
            try:
                payload = json.loads(params["payload"])
                session = json.loads(params["session"])
            except (KeyError, ValueError):
                return self._error(100, "(#100) payload and session are required JSON parameters")
            problem = self._check(payload, session)
            if problem:
                return self._error(100, f"(#100) {problem}")
            schema = payload["schema"]
            invalid = 0
            for row in payload["data"]:
                member = tuple(
                    (key, value)
                    for key, value in zip(schema, row, strict=True)
                    if key != "DATA_PROCESSING_OPTIONS" and value != ""
                )
                if not self._valid(member):
                    invalid += 1
                    continue
                if request.method == "POST":
                    self.members.add(member)
                else:
                    self.members.discard(member)
            self.invalid_rows += invalid
            self.sessions.setdefault(session["session_id"], []).append(
                (session["batch_seq"], session["last_batch_flag"])
            )
            body = {
                "audience_id": self.audience_id,
                "session_id": session["session_id"],
                "num_received": len(payload["data"]),
                "num_invalid_entries": invalid,
                "invalid_entry_samples": {},
            }
            return Response(200, json.dumps(body).encode(), self._usage())

    @staticmethod
    def _check(payload: Any, session: Any) -> str | None:
        if not isinstance(payload, dict) or not isinstance(payload.get("schema"), list):
            return "payload.schema must be a list of keys"
        schema = payload["schema"]
        unknown = [key for key in schema if key not in HASHED_KEYS | CLEAR_KEYS]
        if unknown or len(set(schema)) != len(schema):
            return f"invalid schema {schema}"
        data = payload.get("data")
        if not isinstance(data, list) or not data:
            return "payload.data must be a non-empty list"
        if len(data) > MAX_ROWS:
            return f"too many rows ({len(data)}): at most {MAX_ROWS} per request"
        if any(not isinstance(row, list) or len(row) != len(schema) for row in data):
            return "every data row must have one value per schema key"
        if not isinstance(session, dict):
            return "session must be an object"
        if not isinstance(session.get("session_id"), int) or isinstance(session.get("session_id"), bool):
            return "session.session_id must be an integer"
        if not isinstance(session.get("batch_seq"), int) or session["batch_seq"] < 1:
            return "session.batch_seq must be an integer >= 1"
        if not isinstance(session.get("last_batch_flag"), bool):
            return "session.last_batch_flag must be a boolean"
        return None

    @staticmethod
    def _valid(member: tuple[tuple[str, Any], ...]) -> bool:
        for key, value in member:
            if key in HASHED_KEYS and not (isinstance(value, str) and SHA256_HEX.match(value)):
                return False
            if key == "MADID" and value != str(value).lower():
                return False
        return bool(member)
