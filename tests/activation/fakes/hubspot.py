"""A fake HubSpot CRM: contacts batch upsert and read, static list memberships, HubSpot's rate limiting.

Contract enforced (../shared/specs/destinations.md, section 3): `Authorization: Bearer <token>` or 401
(`category: INVALID_AUTHENTICATION`); `POST /crm/v3/objects/contacts/batch/upsert` with `{"inputs": [...]}`, 1
to 100 inputs each exactly `idProperty`, `id`, `properties` and optionally `objectWriteTraceId`, `idProperty`
a unique-value property, properties that exist, no id twice in one batch, or 400 VALIDATION_ERROR for the
whole batch. An invalid e-mail value, or an id listed in `rejected_ids`, fails that input only: the answer is
207 Multi-Status with `errors[].context.objectWriteTraceId` naming it. Results come back in reverse input
order (HubSpot does not promise input order, so the destination must map by trace id). `batch/read` by
idProperty answers found contacts (207 with OBJECT_NOT_FOUND errors for the others); `PUT
/crm/v3/lists/{listId}/memberships/add|remove` takes a JSON array of record id strings and answers
`recordsIdsAdded` / `recordIdsRemoved` / `recordIdsMissing`; an unknown list is a 404. Every answer carries
`X-HubSpot-RateLimit-*` headers; `throttle_next` answers 429 with `policyName: TEN_SECONDLY_ROLLING`,
`daily_exhausted` 429 with `policyName: DAILY`.
"""

from __future__ import annotations

import json
import re
import threading
import uuid
from collections import Counter
from dataclasses import dataclass, field
from typing import Any

from tests.activation.fakes.server import LoopbackServer, Request, Response

TOKEN = "pat-eu1-fixture-hubspot-token-0123456789"
LIST_ID = "412"
MAX_INPUTS = 100
UNIQUE_PROPERTIES = {"email", "cdp_customer_id"}
PROPERTIES = UNIQUE_PROPERTIES | {
    "firstname",
    "lastname",
    "phone",
    "city",
    "state",
    "zip",
    "country",
    "lifetime_value",
}
EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
INPUT_KEYS = {"idProperty", "id", "properties", "objectWriteTraceId"}


def hubspot_error(status: int, category: str, message: str, **extra: Any) -> Response:
    body = {
        "status": "error",
        "message": message,
        "correlationId": str(uuid.uuid4()),
        "category": category,
        **extra,
    }
    return Response(status, json.dumps(body).encode(), {"Content-Type": "application/json"})


@dataclass
class FakeHubSpot:
    token: str = TOKEN
    throttle_next: int = 0
    interval_ms: int = 10_000
    daily_exhausted: bool = False
    daily_remaining: int | None = None
    rejected_ids: set[str] = field(default_factory=set)
    contacts: dict[str, dict[str, str]] = field(default_factory=dict)  # record id -> properties
    lists: dict[str, set[str]] = field(default_factory=lambda: {LIST_ID: set()})
    upserts: Counter[str] = field(default_factory=Counter)
    refusals: list[tuple[int, str]] = field(default_factory=list)

    def __post_init__(self) -> None:
        self._lock = threading.Lock()
        self._next_id = 1001
        self.server = LoopbackServer(self.handle)

    @property
    def url(self) -> str:
        return self.server.url

    def reset(self) -> None:
        with self._lock:
            self.token = TOKEN
            self.throttle_next = 0
            self.interval_ms = 10_000
            self.daily_exhausted = False
            self.daily_remaining = None
            self.rejected_ids.clear()
            self.contacts.clear()
            self.lists = {LIST_ID: set()}
            self.upserts.clear()
            self.refusals.clear()
            self._next_id = 1001
            self.server.requests.clear()

    def members(self, list_id: str = LIST_ID) -> dict[str, dict[str, str]]:
        """Properties of the contacts in a list, by record id."""
        return {record_id: self.contacts[record_id] for record_id in self.lists[list_id]}

    # ------------------------------------------------------------------------------------------- serving

    def _headers(self) -> dict[str, str]:
        headers = {
            "Content-Type": "application/json",
            "X-HubSpot-RateLimit-Max": "100",
            "X-HubSpot-RateLimit-Remaining": "0" if self.throttle_next else "99",
            "X-HubSpot-RateLimit-Interval-Milliseconds": str(self.interval_ms),
        }
        if self.daily_remaining is not None:
            headers["X-HubSpot-RateLimit-Daily"] = "250000"
            headers["X-HubSpot-RateLimit-Daily-Remaining"] = str(self.daily_remaining)
        return headers

    def _refuse(self, response: Response) -> Response:
        self.refusals.append((response.status, json.loads(response.body).get("category", "")))
        response.headers.update(self._headers())
        return response

    def _answer(self, status: int, body: Any) -> Response:
        if self.daily_remaining is not None:
            self.daily_remaining = max(0, self.daily_remaining - 1)
        return Response(status, json.dumps(body).encode(), self._headers())

    def handle(self, request: Request) -> Response:
        with self._lock:
            if request.headers.get("authorization") != f"Bearer {self.token}":
                return self._refuse(
                    hubspot_error(
                        401,
                        "INVALID_AUTHENTICATION",
                        "Authentication credentials not found. This API supports OAuth 2.0 authentication.",
                    )
                )
            if self.daily_exhausted or self.throttle_next:
                policy = "DAILY" if self.daily_exhausted else "TEN_SECONDLY_ROLLING"
                if not self.daily_exhausted:
                    self.throttle_next -= 1
                message = (
                    "You have reached your daily limit."
                    if self.daily_exhausted
                    else "You have reached your ten_secondly_rolling limit."
                )
                return self._refuse(
                    hubspot_error(429, "RATE_LIMITS", message, errorType="RATE_LIMIT", policyName=policy)
                )
            try:
                body = json.loads(request.body or b"null")
            except ValueError:
                return self._refuse(hubspot_error(400, "VALIDATION_ERROR", "Invalid input JSON"))
            path, method = request.path, request.method
            if method == "POST" and path == "/crm/v3/objects/contacts/batch/upsert":
                return self._upsert(body)
            if method == "POST" and path == "/crm/v3/objects/contacts/batch/read":
                return self._read(body)
            match = re.fullmatch(r"/crm/v3/lists/([0-9]+)/memberships/(add|remove)", path)
            if method == "PUT" and match:
                return self._membership(match.group(1), match.group(2), body)
            return self._refuse(hubspot_error(404, "OBJECT_NOT_FOUND", f"No route for {method} {path}"))

    def _find(self, id_property: str, value: str) -> str | None:
        wanted = value.lower() if id_property == "email" else value
        for record_id, properties in self.contacts.items():
            held = properties.get(id_property)
            if held is not None and (held.lower() if id_property == "email" else held) == wanted:
                return record_id
        return None

    def _upsert(self, body: Any) -> Response:
        inputs = body.get("inputs") if isinstance(body, dict) else None
        if not isinstance(inputs, list) or not inputs or set(body) != {"inputs"}:
            return self._refuse(hubspot_error(400, "VALIDATION_ERROR", "inputs must be a non-empty array"))
        if len(inputs) > MAX_INPUTS:
            return self._refuse(
                hubspot_error(400, "VALIDATION_ERROR", f"Batch input limit of {MAX_INPUTS} exceeded")
            )
        ids = []
        for item in inputs:
            if (
                not isinstance(item, dict)
                or not {"idProperty", "id", "properties"} <= set(item) <= INPUT_KEYS
            ):
                return self._refuse(hubspot_error(400, "VALIDATION_ERROR", f"Invalid input: {item!r}"[:200]))
            if item["idProperty"] not in UNIQUE_PROPERTIES:
                return self._refuse(
                    hubspot_error(
                        400, "VALIDATION_ERROR", f"{item['idProperty']} is not a unique-value property"
                    )
                )
            unknown = [name for name in item["properties"] if name not in PROPERTIES]
            if unknown:
                return self._refuse(
                    hubspot_error(
                        400,
                        "VALIDATION_ERROR",
                        f'Property values were not valid: Property "{unknown[0]}" does not exist',
                    )
                )
            if any(not isinstance(value, str) for value in item["properties"].values()):
                return self._refuse(hubspot_error(400, "VALIDATION_ERROR", "property values are strings"))
            ids.append(str(item["id"]).lower())
        duplicates = [value for value, count in Counter(ids).items() if count > 1]
        if duplicates:
            return self._refuse(
                hubspot_error(400, "VALIDATION_ERROR", f"Duplicate IDs found in batch input: {duplicates}")
            )
        results, errors = [], []
        for item in inputs:
            trace = item.get("objectWriteTraceId")
            properties = dict(item["properties"])
            email = properties.get("email", item["id"] if item["idProperty"] == "email" else None)
            if (email and not EMAIL.match(email)) or str(item["id"]) in self.rejected_ids:
                errors.append(
                    {
                        "status": "error",
                        "category": "VALIDATION_ERROR",
                        "message": f'Property values were not valid: "{email}" is not a valid email',
                        "context": {"objectWriteTraceId": [trace]} if trace is not None else {},
                    }
                )
                continue
            properties[item["idProperty"]] = str(item["id"])
            record_id = self._find(item["idProperty"], str(item["id"]))
            created = record_id is None
            if record_id is None:
                record_id = str(self._next_id)
                self._next_id += 1
                self.contacts[record_id] = {}
            self.contacts[record_id].update(properties)
            self.upserts[record_id] += 1
            result = {
                "id": record_id,
                "properties": dict(self.contacts[record_id]),
                "createdAt": "2026-01-01T00:00:00Z",
                "updatedAt": "2026-01-01T00:00:00Z",
                "archived": False,
                "new": created,
            }
            if trace is not None:
                result["objectWriteTraceId"] = trace
            results.append(result)
        results.reverse()
        answer: dict[str, Any] = {
            "status": "COMPLETE",
            "results": results,
            "startedAt": "2026-01-01T00:00:00Z",
            "completedAt": "2026-01-01T00:00:01Z",
        }
        if errors:
            answer |= {"errors": errors, "numErrors": len(errors)}
        return self._answer(207 if errors else 200, answer)

    def _read(self, body: Any) -> Response:
        if not isinstance(body, dict) or body.get("idProperty") not in UNIQUE_PROPERTIES:
            return self._refuse(
                hubspot_error(400, "VALIDATION_ERROR", "idProperty must be a unique property")
            )
        inputs = body.get("inputs")
        if not isinstance(inputs, list) or not inputs or len(inputs) > MAX_INPUTS:
            return self._refuse(hubspot_error(400, "VALIDATION_ERROR", "1 to 100 inputs"))
        requested = body.get("properties") or []
        results, missing = [], []
        for item in inputs:
            record_id = self._find(body["idProperty"], str(item.get("id")))
            if record_id is None:
                missing.append(str(item.get("id")))
                continue
            properties = {name: self.contacts[record_id].get(name) for name in requested}
            results.append({"id": record_id, "properties": properties, "archived": False})
        answer: dict[str, Any] = {"status": "COMPLETE", "results": results}
        if missing:
            answer["errors"] = [
                {
                    "status": "error",
                    "category": "OBJECT_NOT_FOUND",
                    "message": "Could not get some CONTACT objects, they may be deleted or not exist.",
                    "context": {"ids": missing},
                }
            ]
            answer["numErrors"] = 1
        return self._answer(207 if missing else 200, answer)

    def _membership(self, list_id: str, action: str, body: Any) -> Response:
        if list_id not in self.lists:
            return self._refuse(hubspot_error(404, "OBJECT_NOT_FOUND", f"List {list_id} does not exist."))
        if not isinstance(body, list) or not all(isinstance(value, str) for value in body):
            return self._refuse(hubspot_error(400, "VALIDATION_ERROR", "body must be an array of record ids"))
        members = self.lists[list_id]
        known = [record_id for record_id in body if record_id in self.contacts]
        missing = [record_id for record_id in body if record_id not in self.contacts]
        if action == "add":
            added = [record_id for record_id in known if record_id not in members]
            members.update(known)
            answer = {"recordsIdsAdded": added, "recordIdsRemoved": [], "recordIdsMissing": missing}
        else:
            removed = [record_id for record_id in known if record_id in members]
            members.difference_update(known)
            answer = {"recordsIdsAdded": [], "recordIdsRemoved": removed, "recordIdsMissing": missing}
        return self._answer(200, answer)
