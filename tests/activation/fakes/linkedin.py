"""A fake LinkedIn Marketing API for a DMP segment's users stream (`POST /rest/dmpSegments/{id}/users`).

Contract enforced (../shared/specs/destinations.md, section 9, and activation/destinations/linkedin.py for the
sources): `Authorization: Bearer <token>` else 401 `{"status": 401, "serviceErrorCode": 65600, "code":
"INVALID_ACCESS_TOKEN", "message": "Invalid access token"}`; `LinkedIn-Version` (YYYYMM),
`X-Restli-Protocol-Version: 2.0.0` and `X-RestLi-Method: BATCH_CREATE` else 400; an unknown segment 404;
JSON `{"elements": [...]}` with 1 to 5,000 elements, each with `action` ADD | REMOVE, a non-empty `userIds`
list of `{"idType", "idValue"}` (SHA256_EMAIL 64 lower-case hex, SHA512_EMAIL 128, GOOGLE_AID a lower-case
UUID) and only the optional string attributes firstName, lastName, title, company, country (two upper-case
letters), else 400 for the whole request. Throttling answers 429 with LinkedIn's throttle body and no
headers. Answers 200 `{"elements": [{"status": 201}, ...]}` in request order; an element carrying a hash in
`rejected_ids` gets `{"status": 400, "error": {...}}` and changes nothing. The segment holds (idType,
idValue) -> attributes of the last ADD; REMOVE takes the element's ids out. The exact 400 codes are the fake's
own: LinkedIn documents no per-field validation codes for this resource.
"""

from __future__ import annotations

import json
import re
import threading
from collections import Counter
from dataclasses import dataclass, field
from typing import Any

from tests.activation.fakes.server import LoopbackServer, Request, Response

TOKEN = "AQfixture-linkedin-access-token-0123456789abcdef"
SEGMENT_ID = "10804"
MAX_ELEMENTS = 5_000
ATTRIBUTES = frozenset({"firstName", "lastName", "title", "company", "country"})
ID_FORMATS = {
    "SHA256_EMAIL": re.compile(r"^[0-9a-f]{64}$"),
    "SHA512_EMAIL": re.compile(r"^[0-9a-f]{128}$"),
    "GOOGLE_AID": re.compile(r"^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$"),
}
USERS_PATH = f"/rest/dmpSegments/{SEGMENT_ID}/users"


@dataclass
class FakeLinkedIn:
    token: str = TOKEN
    throttle_next: int = 0
    throttle_message: str = "Resource level throttle limit for calls to this resource is reached."
    members: dict[tuple[str, str], dict[str, str]] = field(default_factory=dict)
    rejected_ids: set[str] = field(default_factory=set)
    applied: Counter[tuple[str, str]] = field(default_factory=Counter)
    refusals: list[int] = field(default_factory=list)

    def __post_init__(self) -> None:
        self._lock = threading.Lock()
        self.server = LoopbackServer(self.handle)

    @property
    def url(self) -> str:
        return self.server.url

    def reset(self) -> None:
        with self._lock:
            self.token, self.throttle_next = TOKEN, 0
            self.throttle_message = FakeLinkedIn.throttle_message
            self.members.clear()
            self.rejected_ids.clear()
            self.applied.clear()
            self.refusals.clear()
            self.server.requests.clear()

    def _error(self, status: int, message: str, code: str | None = None, service_code: int = 100) -> Response:
        self.refusals.append(status)
        body: dict[str, Any] = {"status": status, "serviceErrorCode": service_code, "message": message}
        if code:
            body["code"] = code
        return Response(status, json.dumps(body).encode(), {"Content-Type": "application/json"})

    def handle(self, request: Request) -> Response:
        with self._lock:
            if request.method != "POST" or not request.path.startswith("/rest/dmpSegments/"):
                return self._error(404, "Not Found")
            if request.headers.get("authorization") != f"Bearer {self.token}":
                return self._error(401, "Invalid access token", "INVALID_ACCESS_TOKEN", 65600)
            if request.path != USERS_PATH:
                return self._error(404, "DMP segment not found", "NOT_FOUND")
            if not re.match(r"^[0-9]{6}$", request.headers.get("linkedin-version", "")):
                return self._error(
                    400, "A version must be present in the LinkedIn-Version header", "VERSION_MISSING"
                )
            if request.headers.get("x-restli-protocol-version") != "2.0.0":
                return self._error(400, "X-Restli-Protocol-Version must be 2.0.0", "INVALID_PROTOCOL_VERSION")
            if request.headers.get("x-restli-method", "").upper() != "BATCH_CREATE":
                return self._error(400, "X-RestLi-Method must be BATCH_CREATE for elements", "INVALID_METHOD")
            if self.throttle_next:
                self.throttle_next -= 1
                return self._error(429, self.throttle_message)
            try:
                body = json.loads(request.body)
            except ValueError:
                return self._error(400, "Request body is not JSON", "INVALID_JSON")
            problem = self._check(body)
            if problem is not None:
                return self._error(400, problem, "INVALID_PARAM_VALUE")
            statuses = [self._apply(item) for item in body["elements"]]
            return Response(
                200, json.dumps({"elements": statuses}).encode(), {"Content-Type": "application/json"}
            )

    def _apply(self, item: dict[str, Any]) -> dict[str, Any]:
        ids = [(user_id["idType"], user_id["idValue"]) for user_id in item["userIds"]]
        if any(value in self.rejected_ids for _type, value in ids):
            return {"status": 400, "error": {"status": 400, "message": "User id was rejected by the fake."}}
        attributes = {key: value for key, value in item.items() if key in ATTRIBUTES}
        for pair in ids:
            if item["action"] == "ADD":
                self.members[pair] = attributes
            else:
                self.members.pop(pair, None)
            self.applied[pair] += 1
        return {"status": 201}

    @staticmethod
    def _check(body: Any) -> str | None:
        if not isinstance(body, dict) or set(body) != {"elements"}:
            return "Body must be {'elements': [...]}"
        elements = body["elements"]
        if not isinstance(elements, list) or not elements:
            return "elements must be a non-empty list"
        if len(elements) > MAX_ELEMENTS:
            return f"elements: at most {MAX_ELEMENTS} per request"
        for index, item in enumerate(elements):
            where = f"/elements/{index}"
            if not isinstance(item, dict) or item.get("action") not in ("ADD", "REMOVE"):
                return f"{where}/action must be ADD or REMOVE"
            unknown = set(item) - ATTRIBUTES - {"action", "userIds"}
            if unknown:
                return f"{where}: unrecognized fields {sorted(unknown)}"
            ids = item.get("userIds")
            if not isinstance(ids, list) or not ids:
                return f"{where}/userIds must be a non-empty list"
            for user_id in ids:
                if not isinstance(user_id, dict) or set(user_id) != {"idType", "idValue"}:
                    return f"{where}/userIds entries are {{idType, idValue}}"
                pattern = ID_FORMATS.get(user_id["idType"])
                if (
                    pattern is None
                    or not isinstance(user_id["idValue"], str)
                    or not pattern.match(user_id["idValue"])
                ):
                    return f"{where}/userIds: invalid {user_id['idType']} value"
            for key in ATTRIBUTES & set(item):
                if not isinstance(item[key], str) or not item[key]:
                    return f"{where}/{key} must be a non-empty string"
            if "country" in item and not re.match(r"^[A-Z]{2}$", item["country"]):
                return f"{where}/country must be an ISO alpha-2 code"
        return None
