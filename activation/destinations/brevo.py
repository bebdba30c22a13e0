"""Brevo (ex-Sendinblue) contact lists: contacts imported into a list, removed from it 150 at a time.

Adds and updates: `POST {base}/v3/contacts/import` with `jsonBody` (`[{"email", "attributes"}]`),
`listIds: [list_id]`, `updateExistingContacts: true`, `emptyContactsAttributes: false` (a null field never
erases what Brevo holds) and `disableNotification: true`. Brevo answers with a background `processId`; the
batch waits for `GET /v3/processes/{processId}` to say `completed` (polling every `poll_interval_seconds`, at
most `poll_timeout_seconds`, after which the batch is retried: the import is an upsert, so importing it again
is harmless). An import creates missing contacts and adds every contact to the list in one call, which the
per-list add (`.../contacts/add`, existing contacts only) cannot do.

Removal semantics: `POST /v3/contacts/lists/{list_id}/contacts/remove` with `{"emails": [...]}`, at most 150 a
call: the contact leaves the list and stays in the account with its attributes and its own (un)subscription
state; it is never deleted or blocklisted. Brevo answers 201 with `contacts.success` / `contacts.failure`;
`failure` lists addresses that were not in the list (or are not contacts), which is the state a removal wants:
they are accepted, counted in a warning. When none of them was in the list Brevo answers 400 "Contact already
removed from list and/or does not exist", treated the same way (this is what a resent removal batch gets). An
update whose e-mail changed imports the new address and removes the previous one from the list.

Per-record outcomes: an address that cannot be an e-mail is rejected before sending (code invalid_email),
because Brevo's import skips it silently and only mentions it in the process's CSV report; when a completed
process carries such a report (`info`), the run gets a warning naming it.

Throttling: Brevo answers 429 with `x-sib-ratelimit-limit`, `x-sib-ratelimit-remaining` and
`x-sib-ratelimit-reset` (seconds until the window resets) and no Retry-After: the reset is the retry hint, and
a 2xx whose `remaining` is 0 holds every worker until the reset, before Brevo refuses. 401/403 (key, IP not
authorised) and 404 on the list stop the sync; other 400s fail the batch.

Decisions on points our research left UNCONFIRMED (../shared/specs/destinations.md, section 6):
- The import's status code: any 2xx with a `processId` is accepted (Brevo documents 202).
- Process statuses: `completed` ends the wait; `queued`, `in_process` and anything else keep waiting until
  the timeout (Brevo's get-processes page names queued / processing / completed).
- Removal of absent contacts: the reference documents only 400 `{code, message}`; the message above is the
  one integrators report, so it is matched loosely on its text ("does not exist" / "already removed") with
  code `invalid_parameter`; any other 400 fails the batch.
- Sources: developers.brevo.com reference pages import-contacts, get-process, remove-contact-from-list,
  add-contact-to-list; docs/api-limits and docs/limit-headers; the spec's [BR-*], [SDK-br], [3P-estuary].
"""

from __future__ import annotations

import json
import logging
import time
from typing import Any

import requests
from pydantic import Field, HttpUrl

from activation.destinations.base import (
    Batch,
    BatchOutcome,
    Destination,
    DestinationSettings,
    Rejection,
    SecretEnv,
    unmapped_names,
)
from activation.errors import (
    FatalDestinationError,
    PermanentDestinationError,
    RateLimitedError,
    TransientDestinationError,
)
from activation.syncs import pii
from activation.syncs.delivery import BODY_EXCERPT_CHARS, Redactor, default_classifier

logger = logging.getLogger(__name__)

MAX_LIST_EMAILS = 150
MAX_IMPORT_CONTACTS = 10_000
DEFAULT_ATTRIBUTES = {"FIRSTNAME": "first_name", "LASTNAME": "last_name"}
_ABSENT_MARKERS = ("does not exist", "already removed")


class BrevoSettings(DestinationSettings):
    list_id: int = Field(ge=1, description="Id of the Brevo contact list the segment fills.")
    api_key_env: SecretEnv = Field(description="Environment variable holding the API key (api-key header).")
    base_url: HttpUrl = Field(HttpUrl("https://api.brevo.com"), description="API host.")
    attributes: dict[str, str] | None = Field(
        None,
        description=(
            "Brevo attribute -> sync field or identifier name; default FIRSTNAME/LASTNAME from "
            "first_name/last_name when the sync maps them."
        ),
    )
    poll_interval_seconds: float = Field(2.0, gt=0, description="Seconds between import status checks.")
    poll_timeout_seconds: float = Field(
        900.0, gt=0, description="How long a batch waits for its import before it is retried."
    )
    timeout_seconds: float = Field(60.0, gt=0, description="Per-request timeout.")


def reset_seconds(headers: requests.structures.CaseInsensitiveDict[str]) -> float | None:
    """`x-sib-ratelimit-reset` as seconds, when Brevo sent a readable one."""
    try:
        value = float(headers.get("x-sib-ratelimit-reset", ""))
    except ValueError:
        return None
    return max(0.0, value)


def exhausted_window(response: requests.Response) -> float | None:
    """Seconds to hold every worker when a successful answer says the window has no request left."""
    if response.status_code == 429:
        return None
    remaining = response.headers.get("x-sib-ratelimit-remaining")
    if remaining is not None and remaining.strip() == "0":
        return reset_seconds(response.headers)
    return None


def classify_brevo_response(response: requests.Response, redact: Redactor) -> None:
    status = response.status_code
    if 200 <= status < 300:
        return
    details: dict[str, Any] = {
        "status": status,
        "url": redact(response.url),
        "body": redact(response.text[:BODY_EXCERPT_CHARS]),
    }
    if status == 429:
        raise RateLimitedError(
            "Brevo rate limit reached", retry_after=reset_seconds(response.headers), **details
        )
    if status == 404:
        raise FatalDestinationError("Brevo does not know this list (check list_id)", **details)
    default_classifier(response, redact)


class BrevoDestination(Destination):
    type_name = "brevo"
    summary = "Brevo contact list: contacts imported into the list (async process), removed 150 at a time."
    Settings = BrevoSettings
    max_batch_size = MAX_IMPORT_CONTACTS
    default_batch_size = 1_000
    default_max_concurrency = 2
    # Brevo's general tier allows 10 requests a second on /v3/contacts endpoints.
    default_requests_per_second = 10.0
    # An import or batch upsert creates whoever is missing: 'update only' cannot be honoured.
    supported_modes = ("upsert", "mirror", "add_only")
    default_consent_channel = "email"
    accepted_identifiers = ("email",)
    needs_identifier = True
    delivery_semantics = (
        "Adds and updates are one import process per batch (an upsert by e-mail that also adds to the list), "
        "waited for until Brevo reports it completed: a repeated batch imports the same values again. "
        "Removals take contacts out of the list (150 a call), never deleting them; an address already out "
        "of the list counts as removed, so a resent removal is harmless."
    )

    settings: BrevoSettings

    @classmethod
    def check_sync(
        cls, settings: DestinationSettings, identifiers: dict[str, str], fields: dict[str, str]
    ) -> list[tuple[str, str]]:
        problems = super().check_sync(settings, identifiers, fields)
        assert isinstance(settings, BrevoSettings)
        problems += unmapped_names("attributes", settings.attributes, identifiers, fields)
        return problems

    def open(self) -> None:
        self._headers = {
            "api-key": self.context.secret(self.settings, "api_key_env") or "",
            "accept": "application/json",
        }
        self._base = f"{str(self.settings.base_url).rstrip('/')}/v3"
        mapped = set(self.context.identifiers) | set(self.context.fields)
        if self.settings.attributes is not None:
            self._attributes = dict(self.settings.attributes)
        else:
            self._attributes = {name: field for name, field in DEFAULT_ATTRIBUTES.items() if field in mapped}

    def _request(self, method: str, path: str, body: dict[str, Any] | None = None) -> requests.Response:
        return self.context.transport.request(
            method,
            f"{self._base}{path}",
            json=body,
            headers=self._headers,
            timeout=self.settings.timeout_seconds,
            classify=classify_brevo_response,
            observe=exhausted_window,
        )

    def contact(self, email: str, fields: dict[str, Any]) -> dict[str, Any]:
        attributes = {
            attribute: fields[name]
            for attribute, name in self._attributes.items()
            if fields.get(name) is not None
        }
        return {"email": email, "attributes": attributes} if attributes else {"email": email}

    def send(self, batch: Batch) -> BatchOutcome:
        outcome = BatchOutcome()
        contacts: list[dict[str, Any]] = []
        leaving: list[str] = []
        for record in batch.rows():
            email = pii.normalize_email(record.fields.get("email"))
            if batch.operation == "remove":
                if email is not None:
                    leaving.append(email)
                continue
            if email is None:
                outcome.rejections.append(
                    Rejection(record.key, "invalid_email", "no usable e-mail address", retryable=False)
                )
                continue
            contacts.append(self.contact(email, record.fields))
            if batch.operation == "update" and record.previous_identity:
                previous = pii.normalize_email(record.previous_identity.get("email"))
                if previous is not None and previous != email:
                    leaving.append(previous)
        if contacts:
            self._import(contacts, outcome)
        for start in range(0, len(leaving), MAX_LIST_EMAILS):
            self._remove(leaving[start : start + MAX_LIST_EMAILS], outcome)
        return outcome

    def _import(self, contacts: list[dict[str, Any]], outcome: BatchOutcome) -> None:
        body = {
            "jsonBody": contacts,
            "listIds": [self.settings.list_id],
            "updateExistingContacts": True,
            "emptyContactsAttributes": False,
            "disableNotification": True,
        }
        response = self._request("POST", "/contacts/import", body)
        try:
            process_id = int(response.json()["processId"])
        except (ValueError, KeyError, TypeError):
            raise TransientDestinationError(
                "Brevo accepted the import without a processId", status=response.status_code
            ) from None
        process = self._wait(process_id)
        info = process.get("info")
        # Report names whose value is set (a CSV URL, never copied: it may carry a token).
        reports = sorted(
            name
            for section in (info.values() if isinstance(info, dict) else ())
            if isinstance(section, dict)
            for name, value in section.items()
            if value
        )
        if reports:
            outcome.warnings.append(
                f"Brevo import process {process_id} completed with a report of problem records "
                f"({', '.join(reports)}); see it in Brevo"
            )

    def _wait(self, process_id: int) -> dict[str, Any]:
        deadline = time.monotonic() + self.settings.poll_timeout_seconds
        while True:
            try:
                response = self._request("GET", f"/processes/{process_id}")
            except RateLimitedError as error:
                # Polling must not make the whole import start over: wait out the window, then ask again.
                response = None
                pause = error.retry_after or self.settings.poll_interval_seconds
            if response is not None:
                try:
                    process = response.json()
                except ValueError:
                    process = {}
                status = str(process.get("status") or "") if isinstance(process, dict) else ""
                if status == "completed":
                    return process
                pause = self.settings.poll_interval_seconds
            if time.monotonic() + pause > deadline:
                raise TransientDestinationError(
                    f"Brevo import process {process_id} did not complete within "
                    f"{self.settings.poll_timeout_seconds:.0f} s"
                )
            time.sleep(pause)

    def _remove(self, emails: list[str], outcome: BatchOutcome) -> None:
        path = f"/contacts/lists/{self.settings.list_id}/contacts/remove"
        try:
            response = self._request("POST", path, {"emails": emails})
        except PermanentDestinationError as error:
            if isinstance(error, FatalDestinationError) or error.status != 400:
                raise
            code, message = _error_code_and_message_from_body(error.body)
            if code == "invalid_parameter" and any(marker in message.lower() for marker in _ABSENT_MARKERS):
                outcome.warnings.append(f"Brevo: {len(emails)} removed addresses were not in the list")
                return
            raise
        try:
            failure = (response.json().get("contacts") or {}).get("failure") or []
        except (ValueError, AttributeError):
            failure = []
        if failure:
            outcome.warnings.append(f"Brevo: {len(failure)} removed addresses were not in the list")


def _error_code_and_message_from_body(body: str | None) -> tuple[str, str]:
    try:
        document = json.loads(body or "")
    except ValueError:
        return "", ""
    if not isinstance(document, dict):
        return "", ""
    return str(document.get("code") or ""), str(document.get("message") or "")
