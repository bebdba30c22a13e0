"""A fake Klaviyo API: bulk profile import jobs into a list, job status and import errors, profile lookups,
and list relationship removal.

Contract enforced (../shared/specs/destinations.md, section 4): `Authorization: Klaviyo-API-Key <key>` (else
401 not_authenticated) and a `revision: YYYY-MM-DD` header (else 400) on every call; JSON:API bodies with
`Content-Type: application/vnd.api+json` (else 415); errors as `{"errors": [{"id", "status", "code", "title",
"detail", "source"}]}`. `POST /api/profile-bulk-import-jobs`: `data.type` profile-bulk-import-job, 1 to 10,000
profiles of type profile with known attributes and at least one identifier, at most 5 MB (413 beyond), one
list relationship to an existing list (404 otherwise); answers 202 with the job (status queued) and applies it
only when a status check after `pending_polls` others finds it complete: then each profile is validated
(e-mail shape, E.164 `phone_number`, addresses in `rejected_emails`) and a failure becomes an `import-error`
with `source.pointer` and `original_payload`, listed by `GET .../import-errors` in cursor pages of
`page_size`. `GET /api/profiles` takes `filter=any(email|phone_number|external_id,[...])` and `page[size]` <=
100. `DELETE /api/lists/{id}/relationships/profiles` takes at most 1,000 profile ids and answers 204.
Throttling: 429 code throttled, detail "Request was throttled. Expected available in N second(s).", and
`Retry-After` only when `retry_after` is set; other answers carry `RateLimit-Limit`, `RateLimit-Remaining`,
`RateLimit-Reset`.
"""

from __future__ import annotations

import itertools
import json
import re
import threading
import uuid
from collections import Counter
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import quote

from tests.activation.fakes.server import LoopbackServer, Request, Response

API_KEY = "pk_fixture0123456789abcdef0123456789ab"
LIST_ID = "Xy7Kq2"
MAX_PROFILES = 10_000
MAX_BODY_BYTES = 5 * 1024 * 1024
MAX_RELATIONSHIPS = 1_000
JSON_API = "application/vnd.api+json"
PROFILE_ATTRIBUTES = {
    "email",
    "phone_number",
    "external_id",
    "anonymous_id",
    "first_name",
    "last_name",
    "organization",
    "title",
    "image",
    "location",
    "properties",
}
LOCATION_KEYS = {"address1", "address2", "city", "country", "region", "zip", "timezone", "ip"}
IDENTIFIERS = ("email", "phone_number", "external_id")
_ADDRESS = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
_E164 = re.compile(r"^\+[1-9][0-9]{6,14}$")
_FILTER = re.compile(r"^any\((email|phone_number|external_id),(\[.*\])\)$")


def _errors(status: int, code: str, title: str, detail: str, pointer: str | None = None) -> bytes:
    error = {
        "id": str(uuid.uuid4()),
        "status": status,
        "code": code,
        "title": title,
        "detail": detail,
        "source": {"pointer": pointer} if pointer else {},
        "links": {},
        "meta": {},
    }
    return json.dumps({"errors": [error]}).encode()


@dataclass
class FakeKlaviyo:
    api_key: str = API_KEY
    list_ids: set[str] = field(default_factory=lambda: {LIST_ID})
    throttle_next: int = 0
    throttle_seconds: int = 1
    retry_after: str | None = None
    pending_polls: int = 1
    page_size: int = 100
    rejected_emails: set[str] = field(default_factory=set)
    # profile id -> attributes; list id -> profile ids
    profiles: dict[str, dict[str, Any]] = field(default_factory=dict)
    lists: dict[str, set[str]] = field(default_factory=dict)
    jobs: dict[str, dict[str, Any]] = field(default_factory=dict)
    applied: Counter[str] = field(default_factory=Counter)
    refusals: list[tuple[int, str]] = field(default_factory=list)

    def __post_init__(self) -> None:
        self._lock = threading.Lock()
        self._ids = itertools.count(1)
        self.server = LoopbackServer(self.handle)

    @property
    def url(self) -> str:
        return self.server.url

    def reset(self) -> None:
        with self._lock:
            self.api_key, self.list_ids = API_KEY, {LIST_ID}
            self.throttle_next, self.throttle_seconds, self.retry_after = 0, 1, None
            self.pending_polls, self.page_size = 1, 100
            self._ids = itertools.count(1)
            self.rejected_emails.clear()
            self.profiles.clear()
            self.lists.clear()
            self.jobs.clear()
            self.applied.clear()
            self.refusals.clear()
            self.server.requests.clear()

    def members(self, list_id: str = LIST_ID) -> dict[str, dict[str, Any]]:
        """Profile id -> attributes of every profile in the list."""
        return {profile_id: self.profiles[profile_id] for profile_id in self.lists.get(list_id, set())}

    # ------------------------------------------------------------------------------------------ plumbing

    def _refuse(
        self, status: int, code: str, title: str, detail: str, pointer: str | None = None
    ) -> Response:
        self.refusals.append((status, code))
        headers = {"Content-Type": JSON_API}
        if status == 429 and self.retry_after is not None:
            headers["Retry-After"] = self.retry_after
        return Response(status, _errors(status, code, title, detail, pointer), headers)

    def _ok(self, status: int, document: dict[str, Any] | None = None) -> Response:
        headers = {"RateLimit-Limit": "150", "RateLimit-Remaining": "149", "RateLimit-Reset": "42"}
        if document is None:
            return Response(status, b"", headers)
        return Response(status, json.dumps(document).encode(), headers | {"Content-Type": JSON_API})

    def _next_link(self, path: str, query: dict[str, list[str]], cursor: int) -> str:
        pairs = [(key, values[-1]) for key, values in query.items() if key != "page[cursor]"]
        pairs.append(("page[cursor]", str(cursor)))
        return f"{self.url}{path}?" + "&".join(f"{quote(key)}={quote(value)}" for key, value in pairs)

    def handle(self, request: Request) -> Response:
        with self._lock:
            if request.headers.get("authorization") != f"Klaviyo-API-Key {self.api_key}":
                return self._refuse(
                    401,
                    "not_authenticated",
                    "Authentication credentials were not provided.",
                    "Missing or invalid private key.",
                )
            if not re.fullmatch(
                r"[0-9]{4}-[0-9]{2}-[0-9]{2}(\.[a-z]+)?", request.headers.get("revision", "")
            ):
                return self._refuse(400, "invalid", "Invalid input.", "A valid revision header is required.")
            if self.throttle_next:
                self.throttle_next -= 1
                seconds = self.throttle_seconds
                unit = "second" if seconds == 1 else "seconds"
                return self._refuse(
                    429,
                    "throttled",
                    "Request was throttled.",
                    f"Request was throttled. Expected available in {seconds} {unit}.",
                )
            if request.method in ("POST", "DELETE") and request.headers.get("content-type") != JSON_API:
                return self._refuse(
                    415, "unsupported_media_type", "Unsupported media type.", f"Use {JSON_API}."
                )
            path = request.path
            if request.method == "POST" and path == "/api/profile-bulk-import-jobs":
                return self._create_job(request)
            match = re.fullmatch(r"/api/profile-bulk-import-jobs/([^/]+)(/import-errors)?", path)
            if request.method == "GET" and match:
                if match.group(2):
                    return self._import_errors(match.group(1), request)
                return self._job(match.group(1))
            if request.method == "GET" and path == "/api/profiles":
                return self._lookup(request)
            match = re.fullmatch(r"/api/lists/([^/]+)/relationships/profiles", path)
            if request.method == "DELETE" and match:
                return self._unlink(match.group(1), request)
            return self._refuse(404, "not_found", "Not found.", f"No route {request.method} {path}.")

    # ----------------------------------------------------------------------------------------- imports

    def _create_job(self, request: Request) -> Response:
        if len(request.body) > MAX_BODY_BYTES:
            return self._refuse(
                413, "request_too_large", "Request too large.", "Payloads are limited to 5 MB."
            )
        try:
            data = json.loads(request.body)["data"]
            profiles = data["attributes"]["profiles"]["data"]
            lists = data["relationships"]["lists"]["data"]
        except (ValueError, KeyError, TypeError):
            return self._refuse(
                400, "invalid", "Invalid input.", "Malformed profile-bulk-import-job.", "/data"
            )
        if data.get("type") != "profile-bulk-import-job":
            return self._refuse(
                400, "invalid", "Invalid input.", "data.type must be profile-bulk-import-job.", "/data/type"
            )
        if not isinstance(profiles, list) or not 1 <= len(profiles) <= MAX_PROFILES:
            return self._refuse(
                400,
                "invalid",
                "Invalid input.",
                f"Between 1 and {MAX_PROFILES} profiles per job.",
                "/data/attributes/profiles/data",
            )
        for index, profile in enumerate(profiles):
            pointer = f"/data/attributes/profiles/data/{index}"
            attributes = profile.get("attributes") if isinstance(profile, dict) else None
            if profile.get("type") != "profile" or not isinstance(attributes, dict):
                return self._refuse(
                    400, "invalid", "Invalid input.", "Each item is a profile resource.", pointer
                )
            unknown = set(attributes) - PROFILE_ATTRIBUTES
            if unknown:
                return self._refuse(
                    400, "invalid", "Invalid input.", f"Unknown attributes {sorted(unknown)}.", pointer
                )
            if not any(attributes.get(name) for name in IDENTIFIERS):
                return self._refuse(
                    400, "invalid", "Invalid input.", "A profile needs an identifier.", pointer
                )
            if set(attributes.get("location") or {}) - LOCATION_KEYS:
                return self._refuse(400, "invalid", "Invalid input.", "Unknown location keys.", pointer)
        if not isinstance(lists, list) or len(lists) != 1 or lists[0].get("type") != "list":
            return self._refuse(
                400, "invalid", "Invalid input.", "One list relationship is expected.", "/data/relationships"
            )
        if lists[0].get("id") not in self.list_ids:
            return self._refuse(
                404, "not_found", "Not found.", f"A list with id {lists[0].get('id')} does not exist."
            )
        job_id = f"job{next(self._ids):06d}"
        self.jobs[job_id] = {
            "profiles": profiles,
            "list_id": lists[0]["id"],
            "polls": 0,
            "status": "queued",
            "errors": [],
        }
        return self._ok(202, {"data": self._job_resource(job_id)})

    def _job_resource(self, job_id: str) -> dict[str, Any]:
        job = self.jobs[job_id]
        failed = len(job["errors"])
        done = job["status"] == "complete"
        return {
            "type": "profile-bulk-import-job",
            "id": job_id,
            "attributes": {
                "status": job["status"],
                "total_count": len(job["profiles"]),
                "completed_count": len(job["profiles"]) - failed if done else 0,
                "failed_count": failed,
                "created_at": "2026-11-01T00:00:00+00:00",
                "started_at": None,
                "completed_at": None,
                "expires_at": None,
            },
        }

    def _job(self, job_id: str) -> Response:
        job = self.jobs.get(job_id)
        if job is None:
            return self._refuse(404, "not_found", "Not found.", f"No job {job_id}.")
        job["polls"] += 1
        if job["status"] != "complete":
            if job["polls"] > self.pending_polls:
                self._apply(job)
                job["status"] = "complete"
            else:
                job["status"] = "processing"
        return self._ok(200, {"data": self._job_resource(job_id)})

    def _apply(self, job: dict[str, Any]) -> None:
        for index, profile in enumerate(job["profiles"]):
            attributes = profile["attributes"]
            problem = self._invalid(attributes)
            if problem:
                job["errors"].append(
                    {
                        "type": "import-error",
                        "id": str(uuid.uuid4()),
                        "attributes": {
                            "code": "invalid",
                            "title": "Invalid input.",
                            "detail": problem,
                            "source": {"pointer": f"/data/attributes/profiles/data/{index}"},
                            "original_payload": attributes,
                        },
                    }
                )
                continue
            profile_id = self._match(attributes) or f"01FAKE{next(self._ids):020d}"
            held = self.profiles.setdefault(profile_id, {})
            for name, value in attributes.items():
                if isinstance(value, dict):
                    held[name] = {**held.get(name, {}), **value}
                else:
                    held[name] = value
            self.lists.setdefault(job["list_id"], set()).add(profile_id)
            self.applied[profile_id] += 1

    def _invalid(self, attributes: dict[str, Any]) -> str | None:
        email, phone = attributes.get("email"), attributes.get("phone_number")
        if email is not None and not _ADDRESS.match(str(email)):
            return f"{email} is not a valid email address."
        if phone is not None and not _E164.match(str(phone)):
            return f"{phone} is not a valid phone number."
        if email is not None and str(email).lower() in self.rejected_emails:
            return f"{email} is suppressed and cannot be imported."
        return None

    def _match(self, attributes: dict[str, Any]) -> str | None:
        for name in IDENTIFIERS:
            value = attributes.get(name)
            if value:
                for profile_id, held in self.profiles.items():
                    if str(held.get(name, "")).lower() == str(value).lower():
                        return profile_id
                return None
        return None

    def _import_errors(self, job_id: str, request: Request) -> Response:
        job = self.jobs.get(job_id)
        if job is None:
            return self._refuse(404, "not_found", "Not found.", f"No job {job_id}.")
        cursor = int(request.query.get("page[cursor]", ["0"])[-1])
        page = job["errors"][cursor : cursor + self.page_size]
        more = cursor + self.page_size < len(job["errors"])
        links = {
            "next": self._next_link(request.path, request.query, cursor + self.page_size) if more else None
        }
        return self._ok(200, {"data": page, "links": links})

    # ---------------------------------------------------------------------------------- lookups, removal

    def _lookup(self, request: Request) -> Response:
        match = _FILTER.match(request.query.get("filter", [""])[-1])
        if not match:
            return self._refuse(400, "invalid", "Invalid input.", "Unsupported filter.", None)
        size = int(request.query.get("page[size]", ["20"])[-1])
        if not 1 <= size <= 100:
            return self._refuse(400, "invalid", "Invalid input.", "page[size] must be between 1 and 100.")
        attribute, values = match.group(1), {str(value).lower() for value in json.loads(match.group(2))}
        if len(values) > 100:
            return self._refuse(400, "invalid", "Invalid input.", "any() takes at most 100 values.")
        found = sorted(
            profile_id
            for profile_id, held in self.profiles.items()
            if str(held.get(attribute, "")).lower() in values
        )
        size = min(size, self.page_size)
        cursor = int(request.query.get("page[cursor]", ["0"])[-1])
        page = found[cursor : cursor + size]
        more = cursor + size < len(found)
        data = [
            {
                "type": "profile",
                "id": profile_id,
                "attributes": {attribute: self.profiles[profile_id].get(attribute)},
            }
            for profile_id in page
        ]
        links = {"next": self._next_link(request.path, request.query, cursor + size) if more else None}
        return self._ok(200, {"data": data, "links": links})

    def _unlink(self, list_id: str, request: Request) -> Response:
        if list_id not in self.list_ids:
            return self._refuse(404, "not_found", "Not found.", f"A list with id {list_id} does not exist.")
        try:
            data = json.loads(request.body)["data"]
        except (ValueError, KeyError, TypeError):
            return self._refuse(400, "invalid", "Invalid input.", "Malformed relationship body.", "/data")
        if not isinstance(data, list) or not 1 <= len(data) <= MAX_RELATIONSHIPS:
            return self._refuse(
                400, "invalid", "Invalid input.", f"Between 1 and {MAX_RELATIONSHIPS} profiles.", "/data"
            )
        if any(item.get("type") != "profile" or not item.get("id") for item in data):
            return self._refuse(400, "invalid", "Invalid input.", "Items are {type: profile, id}.", "/data")
        members = self.lists.setdefault(list_id, set())
        for item in data:
            members.discard(item["id"])
        return self._ok(204)
