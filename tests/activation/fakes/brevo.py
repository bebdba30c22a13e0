"""A fake Brevo API v3: contacts import (a background process), process status, and removal from a list.

Contract enforced (../shared/specs/destinations.md, section 6): the `api-key` header, else 401
`{"code": "unauthorized", "message": "Key not found"}`; `POST /v3/contacts/import` with exactly one source
(`jsonBody` here), known keys only, `listIds` of existing list ids, each contact an `email` and optional
`attributes` of scalars, else 400 `{"code": "invalid_parameter" | "missing_parameter", "message"}`; it answers
202 `{"processId"}` and applies the import only when the process completes, after `pending_polls` status
checks answered `in_process` (so a client that does not wait sees nothing). Invalid addresses are skipped, as
Brevo does, and listed in the completed process's `info`. `POST /v3/contacts/lists/{id}/contacts/remove` takes
at most 150 `emails` (400 out_of_range beyond) and answers 201 `{"contacts": {"success", "failure"}}`, or 400
"Contact already removed from list and/or does not exist" when none was in the list; an unknown list is 404
document_not_found. Throttling: 429 `too_many_requests` with `x-sib-ratelimit-limit`, `-remaining: 0` and
`-reset` (seconds), no Retry-After; every answer carries the three headers.
"""

from __future__ import annotations

import json
import re
import threading
from collections import Counter
from dataclasses import dataclass, field
from typing import Any

from tests.activation.fakes.server import LoopbackServer, Request, Response

API_KEY = "xkeysib-fixture0123456789abcdef-AbCdEfGh"
LIST_ID = 7
MAX_REMOVE = 150
IMPORT_KEYS = {
    "jsonBody",
    "fileBody",
    "fileUrl",
    "listIds",
    "notifyUrl",
    "newList",
    "emailBlacklist",
    "disableNotification",
    "smsBlacklist",
    "updateExistingContacts",
    "emptyContactsAttributes",
}
_ADDRESS = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
_LIMIT = 10


@dataclass
class FakeBrevo:
    api_key: str = API_KEY
    list_ids: set[int] = field(default_factory=lambda: {LIST_ID})
    throttle_next: int = 0
    reset_seconds: int = 1
    pending_polls: int = 1
    # e-mail -> attributes; e-mail -> list ids
    contacts: dict[str, dict[str, Any]] = field(default_factory=dict)
    memberships: dict[str, set[int]] = field(default_factory=dict)
    processes: dict[int, dict[str, Any]] = field(default_factory=dict)
    applied: Counter[str] = field(default_factory=Counter)
    refusals: list[tuple[int, str]] = field(default_factory=list)

    def __post_init__(self) -> None:
        self._lock = threading.Lock()
        self.server = LoopbackServer(self.handle)

    @property
    def url(self) -> str:
        return self.server.url

    def reset(self) -> None:
        with self._lock:
            self.api_key, self.list_ids = API_KEY, {LIST_ID}
            self.throttle_next, self.reset_seconds, self.pending_polls = 0, 1, 1
            self.contacts.clear()
            self.memberships.clear()
            self.processes.clear()
            self.applied.clear()
            self.refusals.clear()
            self.server.requests.clear()

    def in_list(self, list_id: int = LIST_ID) -> dict[str, dict[str, Any]]:
        """E-mail -> attributes of every contact in the list."""
        return {email: self.contacts[email] for email, lists in self.memberships.items() if list_id in lists}

    def _headers(self, remaining: int = _LIMIT - 1) -> dict[str, str]:
        return {
            "Content-Type": "application/json",
            "x-sib-ratelimit-limit": str(_LIMIT),
            "x-sib-ratelimit-remaining": str(remaining),
            "x-sib-ratelimit-reset": str(self.reset_seconds),
        }

    def _error(self, status: int, code: str, message: str) -> Response:
        self.refusals.append((status, code))
        remaining = 0 if status == 429 else _LIMIT - 1
        return Response(
            status, json.dumps({"code": code, "message": message}).encode(), self._headers(remaining)
        )

    def _ok(self, status: int, body: dict[str, Any]) -> Response:
        return Response(status, json.dumps(body).encode(), self._headers())

    def handle(self, request: Request) -> Response:
        with self._lock:
            if request.headers.get("api-key") != self.api_key:
                return self._error(401, "unauthorized", "Key not found")
            if self.throttle_next:
                self.throttle_next -= 1
                return self._error(429, "too_many_requests", "The expected rate limit is exceeded.")
            if request.method == "GET" and request.path.startswith("/v3/processes/"):
                return self._process(request.path.rsplit("/", 1)[1])
            if request.method != "POST":
                return self._error(405, "method_not_allowed", "Method not allowed")
            if "application/json" not in request.headers.get("content-type", ""):
                return self._error(400, "invalid_parameter", "Content-Type must be application/json")
            try:
                body = json.loads(request.body)
            except ValueError:
                return self._error(400, "invalid_parameter", "Malformed JSON body")
            if request.path == "/v3/contacts/import":
                return self._import(body)
            match = re.fullmatch(r"/v3/contacts/lists/([0-9]+)/contacts/remove", request.path)
            if match:
                return self._remove(int(match.group(1)), body)
            return self._error(404, "document_not_found", "Not found")

    def _import(self, body: Any) -> Response:
        if not isinstance(body, dict) or set(body) - IMPORT_KEYS:
            return self._error(
                400, "invalid_parameter", f"Unknown parameters {sorted(set(body) - IMPORT_KEYS)}"
            )
        sources = [key for key in ("jsonBody", "fileBody", "fileUrl") if key in body]
        if sources != ["jsonBody"]:
            return self._error(
                400, "missing_parameter", "exactly one of jsonBody, fileBody, fileUrl is required"
            )
        list_ids = body.get("listIds")
        if (
            not isinstance(list_ids, list)
            or not list_ids
            or any(not isinstance(item, int) for item in list_ids)
        ):
            return self._error(400, "missing_parameter", "listIds is required when newList is not set")
        if any(list_id not in self.list_ids for list_id in list_ids):
            return self._error(404, "document_not_found", "List ID does not exist")
        contacts = body["jsonBody"]
        if not isinstance(contacts, list) or not contacts:
            return self._error(400, "invalid_parameter", "jsonBody must be a non-empty array")
        for contact in contacts:
            if (
                not isinstance(contact, dict)
                or "email" not in contact
                or set(contact) - {"email", "attributes"}
            ):
                return self._error(400, "invalid_parameter", "each jsonBody item is {email, attributes}")
            attributes = contact.get("attributes", {})
            if not isinstance(attributes, dict) or any(
                isinstance(value, dict | list) for value in attributes.values()
            ):
                return self._error(400, "invalid_parameter", "attributes must be an object of scalars")
        process_id = len(self.processes) + 1
        self.processes[process_id] = {"body": body, "polls": 0, "status": "queued", "info": None}
        return self._ok(202, {"processId": process_id})

    def _process(self, raw_id: str) -> Response:
        process = self.processes.get(int(raw_id)) if raw_id.isdigit() else None
        if process is None:
            return self._error(404, "document_not_found", "Process does not exist")
        process["polls"] += 1
        if process["status"] != "completed" and process["polls"] > self.pending_polls:
            process["status"] = "completed"
            process["info"] = self._complete(process["body"])
        elif process["status"] != "completed":
            process["status"] = "in_process"
        answer: dict[str, Any] = {"id": int(raw_id), "name": "IMPORTUSER", "status": process["status"]}
        if process["status"] == "completed" and process["info"]:
            answer["info"] = process["info"]
        return self._ok(200, answer)

    def _complete(self, body: dict[str, Any]) -> dict[str, Any] | None:
        invalid = 0
        for contact in body["jsonBody"]:
            email = str(contact["email"]).lower()
            if not _ADDRESS.match(email):
                invalid += 1
                continue
            known = email in self.contacts
            if known and not body.get("updateExistingContacts", True):
                continue
            attributes = dict(self.contacts.get(email, {}))
            for name, value in contact.get("attributes", {}).items():
                if value in (None, "") and not body.get("emptyContactsAttributes", False):
                    continue
                attributes[name] = value
            self.contacts[email] = attributes
            self.memberships.setdefault(email, set()).update(body["listIds"])
            self.applied[email] += 1
        if invalid:
            return {"import": {"invalid_emails": "https://fake.brevo.test/reports/invalid_emails.csv"}}
        return None

    def _remove(self, list_id: int, body: Any) -> Response:
        if list_id not in self.list_ids:
            return self._error(404, "document_not_found", "List ID does not exist")
        if not isinstance(body, dict) or set(body) - {"emails", "ids", "all"} or len(body) != 1:
            return self._error(400, "invalid_parameter", "exactly one of emails, ids, all is expected")
        emails = body.get("emails")
        if not isinstance(emails, list) or not emails:
            return self._error(400, "invalid_parameter", "emails must be a non-empty array")
        if len(emails) > MAX_REMOVE:
            return self._error(400, "out_of_range", f"at most {MAX_REMOVE} emails per request")
        success, failure = [], []
        for email in emails:
            lists = self.memberships.get(str(email).lower())
            if lists and list_id in lists:
                lists.discard(list_id)
                success.append(email)
            else:
                failure.append(email)
        if not success:
            return self._error(
                400, "invalid_parameter", "Contact already removed from list and/or does not exist"
            )
        return self._ok(201, {"contacts": {"success": success, "failure": failure}})
