"""TikTok custom audiences (customer file): membership through `POST /open_api/v1.3/segment/mapping/`.

Request: header `Access-Token` (a long-lived Marketing API token), JSON `{"advertiser_ids": [id], "action":
"add" | "delete", "id_schema": [...], "batch_data": [[entry, ...], ...]}` with one row per person aligned to
`id_schema` (sorted key names), each entry `{"id": <hash>, "audience_ids": [audience]}` or `{}` when the
person has no value for that key (RudderStack tiktok_audience transform and Segment's tiktok-audiences
`extractUsers` both send `{}` for a missing key). Keys used: EMAIL_SHA256 (e-mail trimmed, lower-cased, spaces
removed) and PHONE_SHA256 (E.164 with '+': TikTok's help pages conflict on the '+', Segment's TikTok Audiences
documentation says "TikTok requires phone number to be formatted in E.164 form, e.g. +1231234567", which we
follow; the hash is SHA-256 lower-case hex). Mobile advertising ids are not mapped: TikTok needs to know
whether each one is an IDFA or an AAID, which a segment column does not say.

Responses are HTTP 200 envelopes `{"code", "message", "request_id", "data"}`: code 0 accepted; 40100 is
throttling (basic tier: 10 requests per second, 600 per minute; no limit headers, so no retry hint and the
engine's jittered backoff applies); 40001 (no permission) and the 401xx token errors stop the sync; 5xxxx
codes and HTTP 5xx are retried; anything else fails the batch. TikTok reports no per-record outcome: a person
without a usable e-mail or phone is rejected before sending (code no_usable_identifier), and TikTok matches
the rest asynchronously (the audience size updates within 24-48 h).

Batch size (UNCONFIRMED in our research, /shared/specs/destinations.md section 9): TikTok's reference for this
endpoint was not in our sources and no public client states a cap; Tealium's TikTok Audiences connector
documents batches of at most 1,000 requests / 1 MB, so 1,000 people per request is both our default and our
maximum, which keeps a request well under 1 MB (two 64-character hashes per person).

Removal semantics: `action: delete` with the identifiers that added the person takes them out of the audience;
an update adds the current identifiers and deletes only the ones the person no longer has. Delivery semantics:
adds and deletes are idempotent, so a repeated batch (retry, resend after a crash) changes nothing more; there
is no idempotency key.
"""

from __future__ import annotations

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
)
from activation.errors import (
    FatalDestinationError,
    PermanentDestinationError,
    RateLimitedError,
    TransientDestinationError,
)
from activation.syncs import pii
from activation.syncs.delivery import BODY_EXCERPT_CHARS, Redactor, default_classifier

MAX_PEOPLE_PER_REQUEST = 1_000
THROTTLED = 40100
NO_PERMISSION = 40001

# Schema key, sync identifier, normaliser. Sorted by key: TikTok's id_schema is a sorted list.
SCHEMA = (
    ("EMAIL_SHA256", "email", pii.normalize_email),
    ("PHONE_SHA256", "phone", pii.google_phone),
)


class TikTokSettings(DestinationSettings):
    advertiser_id: str = Field(pattern=r"^[0-9]+$", description="TikTok ad account (advertiser) id.")
    audience_id: str = Field(pattern=r"^[0-9]+$", description="Custom audience (customer file) id.")
    access_token_env: SecretEnv = Field(description="Environment variable holding the access token.")
    api_version: str = Field("v1.3", pattern=r"^v[0-9]+\.[0-9]+$", description="Marketing API version.")
    base_url: HttpUrl = Field(HttpUrl("https://business-api.tiktok.com"), description="API host.")
    timeout_seconds: float = Field(60.0, gt=0, description="Per-request timeout.")


def classify_tiktok_response(response: requests.Response, redact: Redactor) -> None:
    """TikTok answers HTTP 200 with a code; HTTP errors go through the shared table."""
    if not 200 <= response.status_code < 300:
        default_classifier(response, redact)
        return
    try:
        envelope = response.json()
    except ValueError:
        raise TransientDestinationError("TikTok answered without JSON", status=response.status_code) from None
    code = int(envelope.get("code", -1)) if isinstance(envelope, dict) else -1
    if code == 0:
        return
    message = redact(str(envelope.get("message") if isinstance(envelope, dict) else "")) or "error"
    details: dict[str, Any] = {
        "status": response.status_code,
        "url": redact((response.url or "").split("?", 1)[0]),
        "body": redact(response.text[:BODY_EXCERPT_CHARS]),
        "code": str(code),
    }
    if code == THROTTLED:
        raise RateLimitedError(f"TikTok throttled the request: {message}", **details)
    if code == NO_PERMISSION or 40100 < code < 40200:
        raise FatalDestinationError(f"TikTok refused the token or the advertiser: {message}", **details)
    if 50000 <= code < 60000:
        raise TransientDestinationError(f"TikTok failed temporarily: {message}", **details)
    raise PermanentDestinationError(f"TikTok refused the request: {message}", **details)


def identity_hashes(identity: dict[str, Any]) -> dict[str, str]:
    """Schema key -> SHA-256 hex of the normalised value, for the keys the person has."""
    hashes = {}
    for key, identifier, normalise in SCHEMA:
        value = normalise(identity.get(identifier))
        if value is not None:
            hashes[key] = pii.sha256_hex(value)
    return hashes


class TikTokAudienceDestination(Destination):
    type_name = "tiktok_audience"
    summary = "TikTok custom audience (customer file): hashed e-mail and phone added and deleted in batches."
    Settings = TikTokSettings
    supported_modes = ("upsert", "mirror", "add_only")
    max_batch_size = MAX_PEOPLE_PER_REQUEST
    default_batch_size = MAX_PEOPLE_PER_REQUEST
    default_max_concurrency = 2
    default_requests_per_second = 10.0
    default_consent_channel = "ads_personalisation"
    accepted_identifiers = tuple(identifier for _key, identifier, _normalise in SCHEMA)
    needs_identifier = True
    delivery_semantics = (
        "Adds and deletes are idempotent on TikTok's side: a repeated batch changes nothing. No idempotency "
        "key; TikTok matches asynchronously (24-48 h). Removals are 'delete' with the identifiers that added "
        "the person; an update deletes only the identifiers the person no longer has."
    )

    settings: TikTokSettings

    def open(self) -> None:
        self._token = self.context.secret(self.settings, "access_token_env") or ""
        base = str(self.settings.base_url).rstrip("/")
        self._url = f"{base}/open_api/{self.settings.api_version}/segment/mapping/"
        self._schema = [key for key, identifier, _n in SCHEMA if identifier in self.context.identifiers]

    def row(self, hashes: dict[str, str]) -> list[dict[str, Any]]:
        audience = [self.settings.audience_id]
        return [
            {"id": hashes[key], "audience_ids": audience} if key in hashes else {} for key in self._schema
        ]

    def body(self, action: str, rows: list[list[dict[str, Any]]]) -> dict[str, Any]:
        return {
            "advertiser_ids": [self.settings.advertiser_id],
            "action": action,
            "id_schema": self._schema,
            "batch_data": rows,
        }

    def send(self, batch: Batch) -> BatchOutcome:
        outcome = BatchOutcome()
        adds: list[list[dict[str, Any]]] = []
        deletes: list[list[dict[str, Any]]] = []
        for record in batch.rows():
            hashes = identity_hashes(record.fields)
            if batch.operation == "remove":
                if hashes:
                    deletes.append(self.row(hashes))
                continue
            if not hashes:
                outcome.rejections.append(
                    Rejection(
                        record.key,
                        "no_usable_identifier",
                        "no e-mail or E.164 phone TikTok can match on",
                        retryable=False,
                    )
                )
                continue
            adds.append(self.row(hashes))
            vanished = self._vanished(record, hashes)
            if vanished:
                deletes.append(self.row(vanished))
        for action, rows in (("delete", deletes), ("add", adds)):
            if rows:
                self.context.transport.request(
                    "POST",
                    self._url,
                    json=self.body(action, rows),
                    headers={"Access-Token": self._token, "Content-Type": "application/json"},
                    timeout=self.settings.timeout_seconds,
                    classify=classify_tiktok_response,
                )
                outcome.requests += 1
        return outcome

    @staticmethod
    def _vanished(record: Record, current: dict[str, str]) -> dict[str, str]:
        if record.previous_identity is None:
            return {}
        before = identity_hashes(record.previous_identity)
        return {key: value for key, value in before.items() if current.get(key) != value}
