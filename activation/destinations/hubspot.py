"""HubSpot contacts: batch upsert by a unique property, and optional static list membership.

Requests (private app token as `Authorization: Bearer <token>`, base https://api.hubapi.com):
- `POST /crm/v3/objects/contacts/batch/upsert` with `{"inputs": [{"idProperty", "id", "properties",
  "objectWriteTraceId"}]}`, at most 100 inputs [HS-upsert]. `idProperty` is `email` (the record's e-mail,
  trimmed and lower-cased) or another unique-value contact property the settings name, which then holds the
  sync's record key (e.g. a `cdp_customer_id` property created unique in HubSpot).
- with `list_id`: `PUT /crm/v3/lists/{listId}/memberships/add` with the upserted contacts' record ids (a JSON
  array of strings), and for removals `POST /crm/v3/objects/contacts/batch/read` by the same idProperty to
  find the contacts' record ids, then `PUT /crm/v3/lists/{listId}/memberships/remove` [HS-lists-add]. The list
  must be a MANUAL or SNAPSHOT list; ids already in (or not in) the list are ignored by HubSpot.

Per-record outcomes: HubSpot does not promise results in input order, so every input carries an
`objectWriteTraceId` (its position in the request) and both `results[].objectWriteTraceId` and a 207
Multi-Status `errors[].context.objectWriteTraceId` are mapped back through it [HS-upsert][HS-errors]. An input
that comes back in neither is rejected as retryable (a silent 2xx loss, which RudderStack's handler also
guards against). A record without a usable id value (no e-mail, or one that is not an address) is rejected
before sending; two records of one batch with the same id (two customers sharing an e-mail) would make
HubSpot refuse the whole batch, so the second is rejected (`duplicate_id_in_batch`).

Removal semantics: a removal takes the contact out of the configured list; it never deletes (archives) the
contact, whose history belongs to the CRM. Without `list_id` a removal changes nothing in HubSpot (the contact
stays, a warning says so) and the state simply forgets the record. An update whose e-mail changed (idProperty
email) upserts the new address and takes the previous contact out of the list.

Consent channel: none by default. Writing customer records to the company's own CRM is not a marketing
contact in itself; HubSpot holds its own subscription status per contact and its e-mail tools enforce it.
Set `consent_channel` (e.g. `email`) when the list feeds a campaign that needs it in the warehouse too.

Rate limits [HS-429][HS-hdr]: a rolling 10-second window per app (100 requests on Free/Starter, 190 on
Professional/Enterprise) and a daily quota. A 429 carries `policyName` in its JSON body; `DAILY` stops the run
(nothing can succeed before midnight in the account's time zone, so retrying would only burn attempts), any
other policy (`TEN_SECONDLY_ROLLING`...) is rate limited with `Retry-After` when present, else
`X-HubSpot-RateLimit-Interval-Milliseconds` (the window) as the retry hint (UNCONFIRMED: HubSpot's docs do
not say a 429 carries Retry-After, so the window is the safe wait). `X-HubSpot-RateLimit-Remaining` at 0 on
any answer holds every worker for the window before HubSpot refuses; `X-HubSpot-RateLimit-Daily-Remaining` at
0 stops the run before its next batch. 401 (INVALID_AUTHENTICATION) and 403 (missing scopes) stop the sync;
404 on the list means the list id is wrong (stops the sync); 400 fails the batch; 5xx and 423 are retried.

Delivery semantics: upserts and membership changes are idempotent (same id, same properties), so a repeated
batch (retry, resend after a crash) changes nothing more. No idempotency key exists.

UNCONFIRMED points decided: the maximum ids per membership call is undocumented; one call per upsert call
(at most 100 ids) stays far below any cap seen in HubSpot's SDK models. E-mail case: HubSpot treats e-mail as
case-insensitive, and we send it lower-cased so a batch's duplicate check and HubSpot's agree.
Sources: developers.hubspot.com/docs/api-reference/legacy/crm/objects/contacts/batch/upsert-contacts,
/docs/api-reference/error-handling (207), /docs/api-reference/2026-03/crm/lists/memberships/add-to-list,
developers.hubspot.com/docs/developer-tooling/platform/usage-guidelines (policyName, headers).
"""

from __future__ import annotations

import logging
from typing import Any

import requests
from pydantic import Field, HttpUrl

from activation.destinations.base import (
    Batch,
    BatchOutcome,
    Destination,
    DestinationSettings,
    Record,
    Rejection,
    SecretEnv,
    json_object,
)
from activation.errors import (
    FatalDestinationError,
    PermanentDestinationError,
    RateLimitedError,
    TransientDestinationError,
)
from activation.syncs import pii
from activation.syncs.delivery import BODY_EXCERPT_CHARS, Redactor, parse_retry_after

logger = logging.getLogger(__name__)

MAX_INPUTS = 100
DEFAULT_WINDOW_SECONDS = 10.0
# Sync identifier -> HubSpot default contact property.
DEFAULT_PROPERTIES = {
    "email": "email",
    "phone": "phone",
    "first_name": "firstname",
    "last_name": "lastname",
    "city": "city",
    "state": "state",
    "postal_code": "zip",
    "country": "country",
}


class HubSpotSettings(DestinationSettings):
    access_token_env: SecretEnv = Field(description="Environment variable holding the private app token.")
    id_property: str = Field(
        "email",
        pattern=r"^[a-z][a-z0-9_]*$",
        description="Unique contact property to upsert on: email (the record's e-mail), or a unique "
        "property that receives the sync's record key.",
    )
    list_id: str | None = Field(
        None,
        pattern=r"^[0-9]+$",
        description="ILS id of a MANUAL or SNAPSHOT list: members are added, and removed in mirror mode.",
    )
    property_names: dict[str, str] = Field(
        default_factory=dict,
        description="Sync identifier or field name -> HubSpot property name, where they differ "
        "(identifiers default to HubSpot's own contact properties, fields to their own name).",
    )
    consent_channel: str = Field(
        "none",
        pattern=r"^(none|[a-z][a-z0-9_]*)$",
        description="Consent channel every record needs (e.g. email), or none.",
    )
    base_url: HttpUrl = Field(HttpUrl("https://api.hubapi.com"), description="HubSpot API host.")
    timeout_seconds: float = Field(60.0, gt=0, description="Per-request timeout.")


def window_seconds(headers: requests.structures.CaseInsensitiveDict[str]) -> float:
    raw = headers.get("X-HubSpot-RateLimit-Interval-Milliseconds")
    try:
        return max(0.0, float(raw) / 1000) if raw else DEFAULT_WINDOW_SECONDS
    except ValueError:
        return DEFAULT_WINDOW_SECONDS


def classify_hubspot_response(response: requests.Response, redact: Redactor) -> None:
    """HubSpot's status and body -> rate limited, fatal (stop the sync), transient, permanent."""
    status = response.status_code
    if 200 <= status < 300:
        return
    body = json_object(response)
    details: dict[str, Any] = {
        "status": status,
        "url": redact((response.url or "").split("?", 1)[0]),
        "body": redact(response.text[:BODY_EXCERPT_CHARS]),
        "code": str(body.get("policyName") or body.get("category") or "") or None,
    }
    message = redact(str(body.get("message") or "HubSpot error")) or "HubSpot error"
    if status == 429:
        if body.get("policyName") == "DAILY":
            raise FatalDestinationError(
                f"HubSpot's daily API limit is used up; the run stops until it resets: {message}", **details
            )
        retry_after = parse_retry_after(response.headers.get("Retry-After"))
        if retry_after is None:
            retry_after = window_seconds(response.headers)
        raise RateLimitedError(f"HubSpot rate limit: {message}", retry_after=retry_after, **details)
    if status in (401, 403):
        raise FatalDestinationError(f"HubSpot refused the token or its scopes: {message}", **details)
    if status == 404 and "/lists/" in (response.url or ""):
        raise FatalDestinationError(f"HubSpot list not found (check list_id): {message}", **details)
    if status in (408, 423) or status >= 500:
        raise TransientDestinationError(f"HubSpot failed temporarily: {message}", **details)
    raise PermanentDestinationError(f"HubSpot refused the request: {message}", **details)


class HubSpotDestination(Destination):
    type_name = "hubspot"
    summary = (
        "HubSpot contacts: batch upsert by e-mail or a unique property, optional static list membership."
    )
    Settings = HubSpotSettings
    max_batch_size = MAX_INPUTS
    default_batch_size = MAX_INPUTS
    default_max_concurrency = 4
    # 100 requests per 10 s on the smallest plans; a batch with a list costs two or three requests.
    default_requests_per_second = 9.0
    default_consent_channel = None
    delivery_semantics = (
        "Contacts are upserted on a unique property (idempotent: a repeated batch changes nothing). With "
        "list_id, members are added to a static list and removals take them out of it; a removal never "
        "deletes the contact. Per-record errors of a 207 answer are mapped back by objectWriteTraceId."
    )

    settings: HubSpotSettings

    @classmethod
    def check_sync(
        cls, settings: DestinationSettings, identifiers: dict[str, str], fields: dict[str, str]
    ) -> list[tuple[str, str]]:
        problems = super().check_sync(settings, identifiers, fields)
        assert isinstance(settings, HubSpotSettings)
        if settings.id_property == "email" and "email" not in identifiers:
            problems.append(("identifiers.email", "hubspot upserts on email (id_property): map it"))
        for name in identifiers:
            if name not in DEFAULT_PROPERTIES and name not in settings.property_names:
                problems.append(
                    (
                        f"identifiers.{name}",
                        "no HubSpot default contact property: name one in destination.property_names",
                    )
                )
        for name, problem in _property_name_problems(settings.property_names):
            problems.append((f"destination.property_names.{name}", problem))
        return problems

    @classmethod
    def keeps_identity(cls, settings: DestinationSettings) -> bool:
        # On a custom unique property the record key is the contact's id; the e-mail is needed otherwise.
        return getattr(settings, "id_property", "email") == "email"

    def open(self) -> None:
        token = self.context.secret(self.settings, "access_token_env") or ""
        self._headers = {"Authorization": f"Bearer {token}", "Content-Type": "application/json"}
        self._base = str(self.settings.base_url).rstrip("/")
        self._daily_exhausted = False
        names = {**DEFAULT_PROPERTIES, **self.settings.property_names}
        self._properties = {
            name: names.get(name, name) for name in (*self.context.identifiers, *self.context.fields)
        }

    # ------------------------------------------------------------------------------------------ requests

    def _observe(self, response: requests.Response) -> float | None:
        if response.headers.get("X-HubSpot-RateLimit-Daily-Remaining", "").strip() == "0":
            self._daily_exhausted = True
        remaining = response.headers.get("X-HubSpot-RateLimit-Remaining")
        if remaining is not None and remaining.strip() == "0":
            return window_seconds(response.headers)
        return None

    def _call(self, method: str, path: str, body: Any) -> requests.Response:
        return self.context.transport.request(
            method,
            f"{self._base}{path}",
            json=body,
            headers=self._headers,
            timeout=self.settings.timeout_seconds,
            classify=classify_hubspot_response,
            observe=self._observe,
        )

    def id_value(self, key: str, identity: dict[str, Any]) -> str | None:
        if self.settings.id_property != "email":
            return key
        return pii.normalize_email(identity.get("email"))

    def properties(self, record: Record) -> dict[str, str]:
        properties = {}
        for name, value in record.fields.items():
            if name not in self._properties:
                continue
            if name == "email":
                value = pii.normalize_email(value)
            properties[self._properties[name]] = _property_value(value)
        if self.settings.id_property != "email":
            properties[self.settings.id_property] = record.key
        return properties

    # ---------------------------------------------------------------------------------------------- send

    def send(self, batch: Batch) -> BatchOutcome:
        if self._daily_exhausted:
            raise FatalDestinationError(
                "HubSpot's daily API limit is used up (X-HubSpot-RateLimit-Daily-Remaining: 0); the run "
                "stops "
                "until it resets",
                code="DAILY",
            )
        if batch.operation == "remove":
            return self._remove(batch)
        return self._upsert(batch)

    def _upsert(self, batch: Batch) -> BatchOutcome:
        outcome = BatchOutcome()
        inputs: list[dict[str, Any]] = []
        keys: list[str] = []
        previous_ids: list[str] = []
        seen: set[str] = set()
        for record in batch.rows():
            id_value = self.id_value(record.key, record.fields)
            if id_value is None:
                outcome.rejections.append(
                    Rejection(record.key, "invalid_email", "no usable e-mail to upsert on", retryable=False)
                )
                continue
            if id_value in seen:
                outcome.rejections.append(
                    Rejection(
                        record.key,
                        "duplicate_id_in_batch",
                        f"another record of the batch has the same {self.settings.id_property}",
                        retryable=False,
                    )
                )
                continue
            seen.add(id_value)
            inputs.append(
                {
                    "idProperty": self.settings.id_property,
                    "id": id_value,
                    "properties": self.properties(record),
                    "objectWriteTraceId": str(len(inputs)),
                }
            )
            keys.append(record.key)
            if record.previous_identity is not None and self.settings.id_property == "email":
                before = pii.normalize_email(record.previous_identity.get("email"))
                if before is not None and before != id_value:
                    previous_ids.append(before)
        if not inputs:
            return outcome
        response = self._call("POST", "/crm/v3/objects/contacts/batch/upsert", {"inputs": inputs})
        outcome.requests += 1
        record_ids, rejections = upsert_outcomes(json_object(response), keys)
        outcome.rejections += rejections
        if self.settings.list_id is not None and record_ids:
            outcome.rejections += self._membership("add", record_ids)
            outcome.requests += 1
            if previous_ids:
                previous = self._record_ids([(value, value) for value in previous_ids])
                outcome.requests += 1
                if previous:
                    self._membership("remove", previous)
                    outcome.requests += 1
        return outcome

    def _remove(self, batch: Batch) -> BatchOutcome:
        outcome = BatchOutcome()
        if self.settings.list_id is None:
            outcome.warnings.append(
                f"{len(batch)} records left the segment; without list_id HubSpot keeps them unchanged"
            )
            return outcome
        lookups = []
        for record in batch.rows():
            id_value = self.id_value(record.key, record.fields)
            if id_value is not None:
                lookups.append((record.key, id_value))
        if not lookups:
            return outcome
        record_ids = self._record_ids(lookups)
        outcome.requests += 1
        if record_ids:
            # A contact HubSpot no longer has is in no list: nothing to do for it.
            self._membership("remove", record_ids)
            outcome.requests += 1
        return outcome

    def _record_ids(self, lookups: list[tuple[str, str]]) -> dict[str, str]:
        """Record key -> HubSpot record id for the contacts that exist (looked up by the id property)."""
        body = {
            "idProperty": self.settings.id_property,
            "inputs": [{"id": value} for _key, value in lookups],
            "properties": [self.settings.id_property],
        }
        response = self._call("POST", "/crm/v3/objects/contacts/batch/read", body)
        by_value: dict[str, str] = {}
        for result in json_object(response).get("results") or []:
            value = (result.get("properties") or {}).get(self.settings.id_property)
            if value is not None and result.get("id") is not None:
                normalised = str(value).lower() if self.settings.id_property == "email" else str(value)
                by_value[normalised] = str(result["id"])
        return {key: by_value[value] for key, value in lookups if value in by_value}

    def _membership(self, action: str, record_ids: dict[str, str]) -> list[Rejection]:
        response = self._call(
            "PUT",
            f"/crm/v3/lists/{self.settings.list_id}/memberships/{action}",
            list(dict.fromkeys(record_ids.values())),
        )
        missing = {str(value) for value in json_object(response).get("recordIdsMissing") or []}
        if action != "add" or not missing:
            return []
        return [
            Rejection(
                key,
                "list_record_missing",
                f"HubSpot did not find contact {record_id} to add to list {self.settings.list_id}",
                retryable=True,
            )
            for key, record_id in record_ids.items()
            if record_id in missing
        ]

    def close(self) -> None:
        if getattr(self, "_daily_exhausted", False):
            logger.warning("HubSpot's daily API limit was reached during this run")


def upsert_outcomes(body: dict[str, Any], keys: list[str]) -> tuple[dict[str, str], list[Rejection]]:
    """A batch upsert answer (200 or 207) -> record key -> HubSpot record id for the contacts written, and
    rejections for the others; `keys[i]` sent `objectWriteTraceId` = str(i)."""
    record_ids: dict[str, str] = {}
    rejected: dict[str, Rejection] = {}
    for result in body.get("results") or []:
        index = _trace_index(result.get("objectWriteTraceId"), len(keys))
        if index is not None and result.get("id") is not None:
            record_ids[keys[index]] = str(result["id"])
    for error in body.get("errors") or []:
        context = error.get("context") or {}
        traces = context.get("objectWriteTraceId") or []
        category = str(error.get("category") or "error")
        message = str(error.get("message") or "")[:BODY_EXCERPT_CHARS]
        status = str(error.get("status") or "")
        for trace in traces if isinstance(traces, list) else [traces]:
            index = _trace_index(trace, len(keys))
            if index is None:
                raise PermanentDestinationError(
                    f"HubSpot reported an error for an unknown objectWriteTraceId {str(trace)[:40]!r}",
                    code=category,
                )
            key = keys[index]
            record_ids.pop(key, None)
            # Validation problems will not go away by themselves; rate limits and server errors might.
            retryable = category in ("RATE_LIMITS", "RATE_LIMIT") or status.startswith("5")
            rejected[key] = Rejection(key, category, message, retryable=retryable)
    for key in keys:
        if key not in record_ids and key not in rejected:
            rejected[key] = Rejection(
                key, "no_result", "HubSpot answered without a result or an error for it", retryable=True
            )
    return record_ids, list(rejected.values())


def _trace_index(trace: Any, count: int) -> int | None:
    try:
        index = int(str(trace))
    except ValueError:
        return None
    return index if 0 <= index < count else None


def _property_value(value: Any) -> str:
    """HubSpot property values are strings; an empty string clears a property (a value that became null)."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def _property_name_problems(names: dict[str, str]) -> list[tuple[str, str]]:
    return [
        (name, f"{target!r} is not a HubSpot property name (lower-case letters, digits, _)")
        for name, target in names.items()
        if not (target and target[0].isalpha() and target.replace("_", "a").isalnum() and target.islower())
    ]
