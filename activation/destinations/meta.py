"""Meta Custom Audiences: audience membership through the Graph API `/{audience_id}/users` edge.

Requests: `POST` adds and `DELETE` removes, form-encoded, with `payload` (multi-key `schema` and a 2-D `data`
array aligned to it), `session` (`session_id` chosen per run and operation, `batch_seq` from 1,
`last_batch_flag` on the final batch), `access_token` (in the body, never in a URL) and, when an app secret is
configured, `appsecret_proof` = hex HMAC-SHA256(app secret, "{access_token}|{appsecret_time}"). At most 10,000
rows per request.

Identifiers are normalised as Meta documents (activation.syncs.pii) and SHA-256 hashed, except EXTERN_ID and
MADID which Meta takes in clear. A record with no usable identifier is rejected before sending (code
no_usable_identifier). Meta answers with counts, not per-record errors: `num_invalid_entries` is reported as a
warning of the run.

Throttling arrives as a Graph error (codes 4, 17, 32, 613, 80003) with the `X-Business-Use-Case-Usage` header,
whose `estimated_time_to_regain_access` (minutes) is the retry hint; usage at 95 % or more holds requests back
before Meta starts refusing. Codes 190/102 (token), 10/200/294 (permissions), 1487301 (audience not shared)
and 1487366 (audience deleted) stop the sync; 1, 2, 2650 and `is_transient` errors are retried.

An update re-adds the record's identifiers and removes the previous ones when they changed (a changed e-mail
must leave the audience). Delivery semantics: adds and removes are idempotent on Meta's side, so a batch sent
twice (retry, resend after a crash) changes nothing more; there is no idempotency key.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import time
from collections.abc import Callable
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
from activation.syncs.delivery import BODY_EXCERPT_CHARS, Redactor, default_classifier

MAX_ROWS = 10_000
THROTTLE_CODES = frozenset({4, 17, 32, 613, 80003})
TRANSIENT_CODES = frozenset({1, 2, 2650})
FATAL_CODES = frozenset({10, 102, 190, 200, 294})
FATAL_SUBCODES = frozenset({1487301, 1487366, 1713230})
USAGE_HOLD_PERCENT = 95

Normaliser = Callable[[Any], str | None]


def _doby(value: Any) -> str | None:
    parts = pii.meta_birth_date_parts(value)
    return parts[0] if parts else None


def _dobm(value: Any) -> str | None:
    parts = pii.meta_birth_date_parts(value)
    return parts[1] if parts else None


def _dobd(value: Any) -> str | None:
    parts = pii.meta_birth_date_parts(value)
    return parts[2] if parts else None


def _extern_id(value: Any) -> str | None:
    text = None if value is None else str(value).strip()
    return text or None


# Schema key, sync identifier, normaliser, hashed. Order = column order of `data`.
SCHEMA: tuple[tuple[str, str, Normaliser, bool], ...] = (
    ("EXTERN_ID", "external_id", _extern_id, False),
    ("EMAIL", "email", pii.normalize_email, True),
    ("PHONE", "phone", pii.meta_phone, True),
    ("FN", "first_name", pii.meta_name, True),
    ("LN", "last_name", pii.meta_name, True),
    ("GEN", "gender", pii.meta_gender, True),
    ("DOBY", "birth_date", _doby, True),
    ("DOBM", "birth_date", _dobm, True),
    ("DOBD", "birth_date", _dobd, True),
    ("CT", "city", pii.meta_city, True),
    ("ST", "state", pii.meta_state, True),
    ("ZIP", "postal_code", pii.meta_postal_code, True),
    ("COUNTRY", "country", pii.meta_country, True),
    ("MADID", "mobile_advertiser_id", pii.meta_mobile_advertiser_id, False),
)
# Keys that identify a person on their own; the others only sharpen a match.
MATCHING_KEYS = frozenset({"EXTERN_ID", "EMAIL", "PHONE", "MADID", "FN", "LN"})


class MetaSettings(DestinationSettings):
    audience_id: str = Field(pattern=r"^[0-9]+$", description="Custom audience id (subtype CUSTOM).")
    access_token_env: SecretEnv = Field(description="Environment variable holding the access token.")
    app_secret_env: SecretEnv | None = Field(
        None, description="Environment variable holding the app secret (adds appsecret_proof)."
    )
    api_version: str = Field("v25.0", pattern=r"^v[0-9]+\.[0-9]+$", description="Graph API version.")
    base_url: HttpUrl = Field(HttpUrl("https://graph.facebook.com"), description="Graph API host.")
    data_processing_options: list[str] | None = Field(
        None, description="Per-row DATA_PROCESSING_OPTIONS, e.g. [LDU]; omitted when unset."
    )
    timeout_seconds: float = Field(60.0, gt=0, description="Per-request timeout.")


def business_usage_hold(headers: requests.structures.CaseInsensitiveDict[str]) -> float | None:
    """Seconds to hold requests when Meta's usage headers say a limit is (nearly) reached."""
    hold: float | None = None
    raw = headers.get("X-Business-Use-Case-Usage")
    if raw:
        try:
            usage = json.loads(raw)
        except ValueError:
            usage = {}
        for entries in usage.values() if isinstance(usage, dict) else []:
            for entry in entries if isinstance(entries, list) else []:
                percent = max(
                    float(entry.get(name) or 0) for name in ("call_count", "total_cputime", "total_time")
                )
                regain = float(entry.get("estimated_time_to_regain_access") or 0) * 60
                if percent >= USAGE_HOLD_PERCENT and regain > 0:
                    hold = max(hold or 0.0, regain)
    raw_account = headers.get("X-Ad-Account-Usage")
    if raw_account:
        try:
            account = json.loads(raw_account)
        except ValueError:
            account = {}
        if isinstance(account, dict):
            percent = float(account.get("acc_id_util_pct") or 0)
            reset = float(account.get("reset_time_duration") or 0)
            if percent >= USAGE_HOLD_PERCENT and reset > 0:
                hold = max(hold or 0.0, reset)
    return hold


def regain_access_seconds(headers: requests.structures.CaseInsensitiveDict[str]) -> float | None:
    """The largest `estimated_time_to_regain_access` (minutes) of the usage header, in seconds."""
    raw = headers.get("X-Business-Use-Case-Usage")
    if not raw:
        return None
    try:
        usage = json.loads(raw)
    except ValueError:
        return None
    minutes = [
        float(entry.get("estimated_time_to_regain_access") or 0)
        for entries in (usage.values() if isinstance(usage, dict) else [])
        for entry in (entries if isinstance(entries, list) else [])
    ]
    return max(minutes) * 60 if minutes else None


def classify_graph_response(response: requests.Response, redact: Redactor) -> None:
    """Graph errors by code: throttling, transient, fatal (stop the sync), permanent (this request)."""
    if 200 <= response.status_code < 300:
        return
    error = json_object(response).get("error") or {}
    if not isinstance(error, dict) or "code" not in error:
        default_classifier(response, redact)
        return
    code = int(error.get("code") or 0)
    subcode = int(error.get("error_subcode") or 0)
    details: dict[str, Any] = {
        "status": response.status_code,
        "url": redact((response.url or "").split("?", 1)[0]),
        "body": redact(response.text[:BODY_EXCERPT_CHARS]),
        "code": f"{code}/{subcode}" if subcode else str(code),
    }
    message = redact(str(error.get("message") or "Graph API error")) or "Graph API error"
    if code in THROTTLE_CODES or response.status_code == 429:
        raise RateLimitedError(
            f"Meta throttled the request: {message}",
            retry_after=regain_access_seconds(response.headers) or None,
            **details,
        )
    if code in FATAL_CODES or subcode in FATAL_SUBCODES:
        raise FatalDestinationError(f"Meta refused the audience or the token: {message}", **details)
    if error.get("is_transient") or code in TRANSIENT_CODES or response.status_code >= 500:
        raise TransientDestinationError(f"Meta failed temporarily: {message}", **details)
    raise PermanentDestinationError(f"Meta refused the request: {message}", **details)


class MetaCustomAudienceDestination(Destination):
    type_name = "meta_custom_audience"
    summary = (
        "Meta (Facebook/Instagram) Custom Audience membership: hashed multi-key add/remove with sessions."
    )
    Settings = MetaSettings
    supported_modes = ("upsert", "mirror", "add_only")
    max_batch_size = MAX_ROWS
    default_batch_size = MAX_ROWS
    default_max_concurrency = 1
    default_consent_channel = "ads_personalisation"
    accepted_identifiers = tuple(
        dict.fromkeys(identifier for _key, identifier, _normalise, _hashed in SCHEMA)
    )
    needs_identifier = True
    delivery_semantics = (
        "Membership adds and removes are idempotent on Meta's side: a repeated batch changes nothing. No "
        "idempotency key. Meta applies uploads asynchronously (up to 24 h). Removals use DELETE with the "
        "identifiers that added the record."
    )

    settings: MetaSettings

    def open(self) -> None:
        self._token = self.context.secret(self.settings, "access_token_env") or ""
        self._app_secret = self.context.secret(self.settings, "app_secret_env")
        self._columns = [column for column in SCHEMA if column[1] in self.context.identifiers]
        base = str(self.settings.base_url).rstrip("/")
        self._url = f"{base}/{self.settings.api_version}/{self.settings.audience_id}/users"

    @property
    def schema(self) -> list[str]:
        keys = [key for key, _identifier, _normalise, _hashed in self._columns]
        if self.settings.data_processing_options is not None:
            keys.append("DATA_PROCESSING_OPTIONS")
        return keys

    def row(self, identity: dict[str, Any]) -> list[Any] | None:
        """One `data` row for the schema, or None when nothing in it can match a person."""
        values: list[Any] = []
        matching = False
        for key, identifier, normalise, hashed in self._columns:
            value = normalise(identity.get(identifier))
            if value is not None:
                matching = matching or key in MATCHING_KEYS
                values.append(pii.sha256_hex(value) if hashed else value)
            else:
                values.append("")
        if not matching:
            return None
        if self.settings.data_processing_options is not None:
            values.append(list(self.settings.data_processing_options))
        return values

    def _session(self, batch: Batch, part: str) -> dict[str, Any]:
        digest = hashlib.sha256(
            f"{batch.sync_name}:{batch.run_id}:{batch.operation}:{part}".encode()
        ).hexdigest()
        return {
            "session_id": int(digest[:13], 16),
            "batch_seq": batch.sequence,
            "last_batch_flag": batch.is_last,
        }

    def _request(self, method: str, rows: list[list[Any]], session: dict[str, Any]) -> list[str]:
        form = {
            "payload": json.dumps({"schema": self.schema, "data": rows}, separators=(",", ":")),
            "session": json.dumps(session, separators=(",", ":")),
            "access_token": self._token,
        }
        if self._app_secret:
            now = str(int(time.time()))
            form["appsecret_time"] = now
            form["appsecret_proof"] = hmac.new(
                self._app_secret.encode(), f"{self._token}|{now}".encode(), hashlib.sha256
            ).hexdigest()
        response = self.context.transport.request(
            method,
            self._url,
            data=form,
            timeout=self.settings.timeout_seconds,
            classify=classify_graph_response,
            observe=lambda answer: business_usage_hold(answer.headers),
        )
        warnings = []
        try:
            answer = response.json()
        except ValueError:
            raise TransientDestinationError(
                "Meta answered 2xx without JSON", status=response.status_code
            ) from None
        received = int(answer.get("num_received") or 0)
        invalid = int(answer.get("num_invalid_entries") or 0)
        if received != len(rows):
            warnings.append(
                f"Meta received {received} of {len(rows)} rows ({method} session {session['session_id']})"
            )
        if invalid:
            warnings.append(
                f"Meta counted {invalid} invalid entries ({method} session {session['session_id']})"
            )
        return warnings

    def send(self, batch: Batch) -> BatchOutcome:
        outcome = BatchOutcome()
        rows: list[list[Any]] = []
        removals: list[list[Any]] = []
        for record in batch.rows():
            row = self.row(record.fields)
            if row is None:
                outcome.rejections.append(
                    Rejection(
                        record.key, "no_usable_identifier", "no identifier Meta can match on", retryable=False
                    )
                )
                continue
            rows.append(row)
            if batch.operation == "update":
                removals.extend(self._previous_rows(record, row))
        method = "DELETE" if batch.operation == "remove" else "POST"
        if rows:
            outcome.warnings += self._request(method, rows, self._session(batch, "main"))
        if removals:
            outcome.warnings += self._request("DELETE", removals, self._session(batch, "previous"))
        return outcome

    def _previous_rows(self, record: Record, current: list[Any]) -> list[list[Any]]:
        if record.previous_identity is None:
            return []
        previous = self.row(record.previous_identity)
        return [previous] if previous is not None and previous != current else []
