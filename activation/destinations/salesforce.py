"""Salesforce: sObject Collections upsert by an external id field, and a chosen removal.

Requests (`Authorization: Bearer <access token>`, `{instance_url}/services/data/{api_version}`):
- `PATCH /composite/sobjects/{SObject}/{ExternalIdField}` with `{"allOrNone": false, "records":
  [{"attributes": {"type": SObject}, ExternalIdField: <record key>, <field>: <value>...}]}`, at most 200
  records of one type (API v46+) [SF-upsert]. The external id field holds the sync's record key (e.g. the
  customer id in a `CDP_Customer_Id__c` field marked External ID and Unique), so the CDP's key is the record's
  identity and a removal needs nothing but the key: the state keeps no identifiers for this destination.
- removals, by `on_remove`:
  - `keep` (default): nothing is sent; the record stays in Salesforce as last written, the state forgets it.
  - `update`: `PATCH /composite/sobjects` (update by Id, at most 200) writing `removal_fields` only (e.g.
    `{In_CDP_Segment__c: false}`): the record stays, flagged; one deleted meanwhile is not re-created.
  - `delete`: `DELETE /composite/sobjects?ids=...&allOrNone=false` (at most 200 Ids) [SF-delete].
  Both find the record Ids first: `GET /query?q=SELECT Id, {ExternalIdField} FROM {SObject} WHERE
  {ExternalIdField} IN (...)`. A key with no record is already gone, and ENTITY_IS_DELETED counts as done,
  so a repeated removal is harmless.
  Why look Ids up rather than keep them: the engine keeps, per record, only the identifiers the sync mapped
  (and for this destination not even those), not what a platform answered; a lookup by external id costs one
  request per batch and stays right when someone merges or re-creates the record in Salesforce meanwhile.

Per-record outcomes: results come back in request order (documented for upsert and delete), each `{id,
success, created, errors: [{statusCode, message, fields}]}` [SF-upsert][SF-upsertresult]. Failed records
become rejections with the first statusCode; UNABLE_TO_LOCK_ROW is retryable (another transaction held the
row), everything else is not. A result list of the wrong length fails the batch (the mapping would be wrong).

Limits [SF-limit]: every answer carries `Sforce-Limit-Info: api-usage=N/M` (the org's rolling 24-hour API
request count and allocation). The org's quota is shared with every other integration and the sales team's
own tools, so the run stops (before its next batch) once usage reaches `max_api_usage_percent` (default 90).
403 REQUEST_LIMIT_EXCEEDED: "TotalRequests Limit exceeded" (the daily allocation) stops the run; other
REQUEST_LIMIT_EXCEEDED answers (concurrent long-running requests) are rate limited and retried with backoff.
401 INVALID_SESSION_ID (expired or revoked token) stops the run: this destination does not refresh tokens,
so the scheduler must provide a fresh one. 5xx (SERVER_UNAVAILABLE) is retried; other 4xx fail the batch.

Consent channel: none by default. A CRM is the company's system of record (contracts, service, sales), not
a marketing channel; marketing consent is enforced where messages are sent. Set `consent_channel` when the
synced records drive marketing in Salesforce (e.g. Marketing Cloud journeys reading a field).

Delivery semantics: an upsert by external id is idempotent (a repeated batch writes the same values); deletes
are idempotent as above. `allOrNone` is false: one bad record does not roll back the others. No idempotency
key exists.

UNCONFIRMED points decided: the `errors[]` item shape `{statusCode, message, fields}` is taken from
Salesforce's own collection examples (delete example with MALFORMED_ID, developer.salesforce.com REST API
guide, resources_composite_sobjects_collections_delete) and the UpsertResult object reference; the
REQUEST_LIMIT_EXCEEDED message texts ("TotalRequests Limit exceeded.", "ConcurrentPerOrgLongTxn Limit
exceeded.") from Salesforce's API limits documentation and RudderStack's handler [RS-sf network.ts]; SOQL
queries are kept under 4,000 characters per request so the URL stays well inside Salesforce's 16 KB URI limit.
Sources: developer.salesforce.com/docs/platform/api-rest/guide/
resources-composite-sobjects-collections-upsert,
.../resources-composite-sobjects-collections-delete, .../atlas.en-us.api_rest.meta/api_rest/headers_api_usage.
"""

from __future__ import annotations

import logging
import re
from typing import Any, Literal

import requests
from pydantic import Field, HttpUrl, model_validator

from activation.destinations.base import (
    Batch,
    BatchOutcome,
    Destination,
    DestinationSettings,
    Rejection,
    SecretEnv,
)
from activation.errors import (
    FatalDestinationError,
    PermanentDestinationError,
    RateLimitedError,
    TransientDestinationError,
)
from activation.syncs.delivery import BODY_EXCERPT_CHARS, Redactor

logger = logging.getLogger(__name__)

MAX_RECORDS = 200
SOQL_MAX_CHARS = 4_000
RETRYABLE_STATUS_CODES = frozenset({"UNABLE_TO_LOCK_ROW"})
ALREADY_DELETED = frozenset({"ENTITY_IS_DELETED"})
API_USAGE = re.compile(r"api-usage=(\d+)/(\d+)")
API_NAME = r"^[A-Za-z][A-Za-z0-9_]*$"
# Sync identifier -> Contact field, for identifiers a Contact has.
CONTACT_FIELDS = {
    "email": "Email",
    "phone": "Phone",
    "first_name": "FirstName",
    "last_name": "LastName",
    "birth_date": "Birthdate",
    "city": "MailingCity",
    "state": "MailingState",
    "postal_code": "MailingPostalCode",
    "country": "MailingCountry",
}

Scalar = str | int | float | bool | None


class SalesforceSettings(DestinationSettings):
    instance_url: HttpUrl = Field(description="The org's My Domain URL, e.g. https://acme.my.salesforce.com.")
    access_token_env: SecretEnv = Field(description="Environment variable holding the OAuth access token.")
    sobject: str = Field(
        "Contact", pattern=API_NAME, description="sObject type to upsert (Contact, Lead...)."
    )
    external_id_field: str = Field(
        pattern=API_NAME,
        description="External ID field (unique) that holds the sync's record key, e.g. CDP_Customer_Id__c.",
    )
    field_names: dict[str, str] = Field(
        default_factory=dict,
        description="Sync identifier or field name -> Salesforce field API name (identifiers default to "
        "Contact's standard fields when sobject is Contact).",
    )
    on_remove: Literal["keep", "update", "delete"] = Field(
        "keep",
        description="What a removal does: keep the record, update it with removal_fields, or delete it.",
    )
    removal_fields: dict[str, Scalar] = Field(
        default_factory=dict, description="Field API name -> value written on removal (on_remove: update)."
    )
    max_api_usage_percent: float = Field(
        90.0, gt=0, le=100, description="Stop the run when the org's daily API usage reaches this share."
    )
    consent_channel: str = Field(
        "none",
        pattern=r"^(none|[a-z][a-z0-9_]*)$",
        description="Consent channel every record needs (e.g. email), or none.",
    )
    api_version: str = Field(
        "v62.0", pattern=r"^v[0-9]+\.0$", description="REST API version (v46.0 or later)."
    )
    timeout_seconds: float = Field(120.0, gt=0, description="Per-request timeout.")

    @model_validator(mode="after")
    def _check(self) -> SalesforceSettings:
        if int(self.api_version[1:].split(".")[0]) < 46:
            raise ValueError("api_version: sObject Collections upsert needs v46.0 or later")
        if self.on_remove == "update" and not self.removal_fields:
            raise ValueError("on_remove update needs removal_fields (the fields that mark a removed record)")
        if self.on_remove != "update" and self.removal_fields:
            raise ValueError("removal_fields are only written with on_remove: update")
        for name in (*self.field_names.values(), *self.removal_fields):
            if not re.match(API_NAME, name):
                raise ValueError(f"{name!r} is not a Salesforce field API name")
        return self


def api_usage(headers: requests.structures.CaseInsensitiveDict[str]) -> tuple[int, int] | None:
    """(used, allocation) from `Sforce-Limit-Info: api-usage=N/M`, or None."""
    match = API_USAGE.search(headers.get("Sforce-Limit-Info") or "")
    return (int(match.group(1)), int(match.group(2))) if match else None


def _errors(response: requests.Response) -> list[dict[str, Any]]:
    try:
        document = response.json()
    except ValueError:
        return []
    if isinstance(document, dict):
        document = [document]
    return [item for item in document if isinstance(item, dict)] if isinstance(document, list) else []


def classify_salesforce_response(response: requests.Response, redact: Redactor) -> None:
    """Salesforce's status and errorCode -> rate limited, fatal (stop the sync), transient, permanent."""
    status = response.status_code
    if 200 <= status < 300:
        return
    errors = _errors(response)
    first = errors[0] if errors else {}
    code = str(first.get("errorCode") or "") or None
    message = redact(str(first.get("message") or "Salesforce error")) or "Salesforce error"
    details: dict[str, Any] = {
        "status": status,
        "url": redact((response.url or "").split("?", 1)[0]),
        "body": redact(response.text[:BODY_EXCERPT_CHARS]),
        "code": code,
    }
    if code == "REQUEST_LIMIT_EXCEEDED":
        usage = api_usage(response.headers)
        if "TotalRequests" in message or (usage is not None and usage[0] >= usage[1]):
            raise FatalDestinationError(
                f"Salesforce org's daily API allocation is used up; the run stops: {message}", **details
            )
        raise RateLimitedError(f"Salesforce limited the request: {message}", **details)
    if status == 401 or code == "INVALID_SESSION_ID":
        raise FatalDestinationError(f"Salesforce refused the access token: {message}", **details)
    if status == 403:
        raise FatalDestinationError(f"Salesforce refused the operation: {message}", **details)
    if status == 404:
        raise FatalDestinationError(f"Salesforce has no such object or field: {message}", **details)
    if status in (408, 429) or status >= 500:
        raise TransientDestinationError(f"Salesforce failed temporarily: {message}", **details)
    raise PermanentDestinationError(f"Salesforce refused the request: {message}", **details)


def soql_literal(value: str) -> str:
    """A SOQL string literal: backslash and quote escaped, as SOQL's quoted-string rules require."""
    return "'" + value.replace("\\", "\\\\").replace("'", "\\'") + "'"


class SalesforceDestination(Destination):
    type_name = "salesforce"
    summary = (
        "Salesforce records (Contact, Lead...): sObject Collections upsert by external id; keep, flag or "
        "delete on removal."
    )
    Settings = SalesforceSettings
    max_batch_size = MAX_RECORDS
    default_batch_size = MAX_RECORDS
    # The org allows 25 concurrent long-running requests for everything; stay a small share of it.
    default_max_concurrency = 4
    default_consent_channel = None
    delivery_semantics = (
        "Records are upserted by an external id field holding the record key (idempotent; allOrNone false, "
        "per-record errors in request order). Removals keep the record (default), update removal_fields, or "
        "delete it by the Ids found for the keys (already deleted counts as done)."
    )

    settings: SalesforceSettings

    @classmethod
    def check_sync(
        cls, settings: DestinationSettings, identifiers: dict[str, str], fields: dict[str, str]
    ) -> list[tuple[str, str]]:
        problems = super().check_sync(settings, identifiers, fields)
        assert isinstance(settings, SalesforceSettings)
        defaults = CONTACT_FIELDS if settings.sobject == "Contact" else {}
        for group, names in (("identifiers", identifiers), ("fields", fields)):
            for name in names:
                if name not in settings.field_names and name not in defaults:
                    problems.append(
                        (
                            f"{group}.{name}",
                            f"no Salesforce field for it on {settings.sobject}: name one in "
                            "destination.field_names",
                        )
                    )
        return problems

    @classmethod
    def keeps_identity(cls, settings: DestinationSettings) -> bool:
        # The external id field holds the record key: removals need nothing else.
        return False

    def open(self) -> None:
        token = self.context.secret(self.settings, "access_token_env") or ""
        self._headers = {"Authorization": f"Bearer {token}", "Content-Type": "application/json"}
        base = str(self.settings.instance_url).rstrip("/")
        self._base = f"{base}/services/data/{self.settings.api_version}"
        defaults = CONTACT_FIELDS if self.settings.sobject == "Contact" else {}
        names = {**defaults, **self.settings.field_names}
        self._fields = {name: names[name] for name in (*self.context.identifiers, *self.context.fields)}
        self._usage: tuple[int, int] | None = None

    def _observe(self, response: requests.Response) -> float | None:
        usage = api_usage(response.headers)
        if usage is not None:
            self._usage = usage
        return None

    def _call(self, method: str, path: str, **kwargs: Any) -> requests.Response:
        return self.context.transport.request(
            method,
            f"{self._base}{path}",
            headers=self._headers,
            timeout=self.settings.timeout_seconds,
            classify=classify_salesforce_response,
            observe=self._observe,
            **kwargs,
        )

    def _check_usage(self) -> None:
        if self._usage is None or not self._usage[1]:
            return
        used, allocation = self._usage
        if used * 100 >= self.settings.max_api_usage_percent * allocation:
            raise FatalDestinationError(
                f"Salesforce org API usage is {used}/{allocation} (max_api_usage_percent "
                f"{self.settings.max_api_usage_percent:g}); the run stops to leave the rest to other "
                "integrations",
                code="API_USAGE",
            )

    def send(self, batch: Batch) -> BatchOutcome:
        self._check_usage()
        if batch.operation != "remove":
            records = [self.record(record.key, record.fields) for record in batch.rows()]
            return self._upsert(batch.keys(), records)
        if self.settings.on_remove == "keep":
            return BatchOutcome()
        return self._remove(batch.keys())

    def record(self, key: str, values: dict[str, Any]) -> dict[str, Any]:
        record: dict[str, Any] = {"attributes": {"type": self.settings.sobject}}
        for name, value in values.items():
            if name in self._fields:
                record[self._fields[name]] = value.strip() if isinstance(value, str) else value
        record[self.settings.external_id_field] = key
        return record

    def _upsert(self, keys: list[str], records: list[dict[str, Any]]) -> BatchOutcome:
        settings = self.settings
        response = self._call(
            "PATCH",
            f"/composite/sobjects/{settings.sobject}/{settings.external_id_field}",
            json={"allOrNone": False, "records": records},
        )
        return BatchOutcome(rejections=self._results(response, keys), requests=1)

    def _results(
        self, response: requests.Response, keys: list[str], done_codes: frozenset[str] = frozenset()
    ) -> list[Rejection]:
        try:
            results = response.json()
        except ValueError:
            results = None
        if not isinstance(results, list) or len(results) != len(keys):
            raise PermanentDestinationError(
                f"Salesforce answered {len(results) if isinstance(results, list) else 'no'} results for "
                f"{len(keys)} records",
                status=response.status_code,
            )
        rejections = []
        for key, result in zip(keys, results, strict=True):
            if result.get("success"):
                continue
            errors = result.get("errors") or [{}]
            code = str(errors[0].get("statusCode") or "error")
            if code in done_codes:
                continue
            message = "; ".join(
                f"{error.get('message') or ''}"
                + (f" ({', '.join(error.get('fields') or [])})" if error.get("fields") else "")
                for error in errors
            )
            rejections.append(
                Rejection(key, code, message[:BODY_EXCERPT_CHARS], retryable=code in RETRYABLE_STATUS_CODES)
            )
        return rejections

    def _remove(self, keys: list[str]) -> BatchOutcome:
        """Delete, or update by Id, the records of these keys; a key with no record is already gone."""
        outcome = BatchOutcome()
        record_ids: dict[str, str] = {}
        for chunk in self._soql_chunks(keys):
            record_ids |= self._find_ids(chunk)
            outcome.requests += 1
        found = [key for key in keys if key in record_ids]
        if not found:
            return outcome
        if self.settings.on_remove == "delete":
            response = self._call(
                "DELETE",
                "/composite/sobjects",
                params={"ids": ",".join(record_ids[key] for key in found), "allOrNone": "false"},
            )
        else:
            # Update by Id, not upsert: a record deleted in Salesforce meanwhile must not come back.
            records = [
                {
                    "attributes": {"type": self.settings.sobject},
                    "id": record_ids[key],
                    **self.settings.removal_fields,
                }
                for key in found
            ]
            response = self._call(
                "PATCH", "/composite/sobjects", json={"allOrNone": False, "records": records}
            )
        outcome.requests += 1
        outcome.rejections = self._results(response, found, done_codes=ALREADY_DELETED)
        return outcome

    def _soql_chunks(self, keys: list[str]) -> list[list[str]]:
        chunks: list[list[str]] = [[]]
        length = 0
        for key in keys:
            literal = len(soql_literal(key)) + 1
            if chunks[-1] and length + literal > SOQL_MAX_CHARS:
                chunks.append([])
                length = 0
            chunks[-1].append(key)
            length += literal
        return [chunk for chunk in chunks if chunk]

    def _find_ids(self, keys: list[str]) -> dict[str, str]:
        field = self.settings.external_id_field
        soql = (
            f"SELECT Id, {field} FROM {self.settings.sobject} WHERE {field} IN "
            f"({', '.join(soql_literal(key) for key in keys)})"
        )
        found: dict[str, str] = {}
        response = self._call("GET", "/query", params={"q": soql})
        while True:
            page = response.json()
            for row in page.get("records") or []:
                if row.get(field) is not None and row.get("Id"):
                    found[str(row[field])] = str(row["Id"])
            next_url = page.get("nextRecordsUrl")
            if page.get("done", True) or not next_url:
                return found
            # nextRecordsUrl is a path from the host: /services/data/vXX.X/query/01g...-2000
            response = self._call("GET", next_url.split(f"/services/data/{self.settings.api_version}", 1)[-1])
