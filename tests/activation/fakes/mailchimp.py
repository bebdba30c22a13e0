"""A fake Mailchimp Marketing API for "Batch subscribe or unsubscribe list members" (`POST /3.0/lists/{id}`).

Contract enforced (../shared/specs/destinations.md, section 5): HTTP Basic auth with any user name and the API
key as password, else 401 `application/problem+json` "API Key Invalid"; the list id in the path, else 404
"Resource Not Found"; a JSON body with `members` (1 to 500) and `update_existing`, only known keys, each
member an `email_address` and a `status` of the documented enum, `merge_fields` an object of upper-case tags,
else 400 "Invalid Resource". Members are held by subscriber hash (MD5 of the lower-cased address), which is
how Mailchimp keys them. Per-member failures come back in the 200 answer's `errors[]` (`email_address`,
`error`, `error_code`), as Mailchimp does. Throttling: 429 problem+json "Too Many Requests", no headers.
"""

from __future__ import annotations

import base64
import hashlib
import json
import re
import threading
from collections import Counter
from dataclasses import dataclass, field
from typing import Any

from tests.activation.fakes.server import LoopbackServer, Request, Response

API_KEY = "0123456789abcdef0123456789abcdef-us21"
LIST_ID = "a1b2c3d4e5"
MAX_MEMBERS = 500
STATUSES = {"subscribed", "unsubscribed", "cleaned", "pending", "transactional"}
MEMBER_KEYS = {
    "email_address",
    "email_type",
    "status",
    "merge_fields",
    "interests",
    "language",
    "vip",
    "location",
    "ip_signup",
    "timestamp_signup",
    "ip_opt",
    "timestamp_opt",
}
_ADDRESS = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
_MERGE_TAG = re.compile(r"^[A-Z0-9_]{1,10}$")


def subscriber_hash(email: str) -> str:
    return hashlib.md5(email.lower().encode()).hexdigest()


def problem(status: int, title: str, detail: str) -> Response:
    body = {
        "type": "https://mailchimp.com/developer/marketing/docs/errors/",
        "title": title,
        "status": status,
        "detail": detail,
        "instance": "00000000-fake-0000-0000-000000000000",
    }
    return Response(status, json.dumps(body).encode(), {"Content-Type": "application/problem+json"})


@dataclass
class FakeMailchimp:
    api_key: str = API_KEY
    list_id: str = LIST_ID
    throttle_next: int = 0
    # Lower-cased addresses Mailchimp refuses (compliance state): reported in errors[].
    rejected_emails: set[str] = field(default_factory=set)
    # subscriber hash -> {"email_address", "status", "merge_fields"}
    members: dict[str, dict[str, Any]] = field(default_factory=dict)
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
            self.api_key, self.list_id = API_KEY, LIST_ID
            self.throttle_next = 0
            self.rejected_emails.clear()
            self.members.clear()
            self.applied.clear()
            self.refusals.clear()
            self.server.requests.clear()

    def subscribed(self) -> dict[str, dict[str, Any]]:
        """Lower-cased address -> merge fields of every subscribed member."""
        return {
            member["email_address"].lower(): member.get("merge_fields", {})
            for member in self.members.values()
            if member["status"] == "subscribed"
        }

    def _refuse(self, status: int, title: str, detail: str) -> Response:
        self.refusals.append((status, title))
        return problem(status, title, detail)

    def _authorised(self, request: Request) -> bool:
        header = request.headers.get("authorization", "")
        if not header.startswith("Basic "):
            return False
        try:
            _user, _, password = base64.b64decode(header[len("Basic ") :]).decode().partition(":")
        except ValueError:
            return False
        return password == self.api_key

    def handle(self, request: Request) -> Response:
        with self._lock:
            if not self._authorised(request):
                return self._refuse(
                    401,
                    "API Key Invalid",
                    "Your API key may be invalid, or you've attempted to access the wrong datacenter.",
                )
            if request.method != "POST" or request.path != f"/3.0/lists/{self.list_id}":
                return self._refuse(404, "Resource Not Found", "The requested resource could not be found.")
            if self.throttle_next:
                self.throttle_next -= 1
                return self._refuse(
                    429, "Too Many Requests", "You have exceeded the limit of 10 simultaneous connections."
                )
            if "application/json" not in request.headers.get("content-type", ""):
                return self._refuse(400, "Invalid Resource", "The request body must be JSON.")
            try:
                document = json.loads(request.body)
            except ValueError:
                return self._refuse(
                    400, "JSON Parse Error", "We encountered an unspecified JSON parsing error."
                )
            problem_text = self._check(document)
            if problem_text:
                return self._refuse(400, "Invalid Resource", problem_text)
            return self._apply(document)

    @staticmethod
    def _check(document: Any) -> str | None:
        if not isinstance(document, dict):
            return "The resource submitted could not be validated."
        unknown = set(document) - {"members", "update_existing", "sync_tags"}
        if unknown:
            return f"Unknown fields {sorted(unknown)}."
        members = document.get("members")
        if not isinstance(members, list) or not members:
            return "Schema describes array, NULL found instead (members)."
        if len(members) > MAX_MEMBERS:
            return f"Schema describes array with at most {MAX_MEMBERS} items, {len(members)} found (members)."
        if not isinstance(document.get("update_existing", False), bool):
            return "update_existing must be a boolean."
        for member in members:
            if not isinstance(member, dict) or not {"email_address", "status"} <= set(member):
                return "Each member needs email_address and status."
            if set(member) - MEMBER_KEYS:
                return f"Unknown member fields {sorted(set(member) - MEMBER_KEYS)}."
            if member["status"] not in STATUSES:
                return f"Invalid status {member['status']!r}."
            merge = member.get("merge_fields", {})
            if not isinstance(merge, dict) or any(not _MERGE_TAG.match(tag) for tag in merge):
                return "merge_fields must be an object of merge tags."
        return None

    def _apply(self, document: dict[str, Any]) -> Response:
        new, updated, errors = [], [], []
        for member in document["members"]:
            email = member["email_address"]
            digest = subscriber_hash(email)
            if not _ADDRESS.match(email):
                errors.append(
                    {
                        "email_address": email,
                        "error": f"{email} looks fake or invalid, please enter a real email address.",
                        "error_code": "ERROR_GENERIC",
                    }
                )
                continue
            if email.lower() in self.rejected_emails:
                errors.append(
                    {
                        "email_address": email,
                        "error": f"{email} is in a compliance state due to unsubscribe, bounce, or "
                        "compliance review and cannot be subscribed.",
                        "error_code": "ERROR_GENERIC",
                    }
                )
                continue
            held = self.members.get(digest)
            if held is not None and not document.get("update_existing"):
                errors.append(
                    {
                        "email_address": email,
                        "error": f"{email} is already a list member, do you want to update? please provide "
                        "update_existing:true in the request body",
                        "error_code": "ERROR_CONTACT_EXISTS",
                    }
                )
                continue
            merged = dict(held.get("merge_fields", {})) if held else {}
            merged.update(member.get("merge_fields", {}))
            self.members[digest] = {
                "email_address": email,
                "status": member["status"],
                "merge_fields": merged,
            }
            self.applied[email.lower()] += 1
            summary = {"id": digest, "email_address": email, "status": member["status"]}
            (updated if held is not None else new).append(summary)
        body = {
            "new_members": new,
            "updated_members": updated,
            "errors": errors,
            "total_created": len(new),
            "total_updated": len(updated),
            "error_count": len(errors),
        }
        return Response(200, json.dumps(body).encode(), {"Content-Type": "application/json"})
