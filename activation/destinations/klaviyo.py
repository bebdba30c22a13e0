"""Klaviyo lists: profiles upserted by bulk import jobs into a list, taken out through list relationships.

Adds and updates: `POST {base}/api/profile-bulk-import-jobs` (JSON:API, `application/vnd.api+json`) with
`data.attributes.profiles.data[]` (`type: profile`, attributes `email`, `phone_number` in E.164,
`external_id`, `first_name`, `last_name`, `location` {city, region, zip, country}, and every other sync field
under `properties`) and `data.relationships.lists` = the list: at most 10,000 profiles and 5 MB a job
(a larger body is split), 100 KB a profile (a larger one is rejected: profile_too_large). The job is polled
(`GET .../profile-bulk-import-jobs/{id}`) until `complete`; when it counts failures, `GET
.../profile-bulk-import-jobs/{id}/import-errors` (cursor pages) gives `import-error` items whose
`source.pointer` (`/data/attributes/profiles/data/<i>`) or `original_payload` identifies the profile: each
becomes a non-retryable rejection of its record (code = the error's `code`). A `cancelled` job, or one still
running after `poll_timeout_seconds`, fails the attempt and the batch is retried: an import is an upsert.
Null values are left out (Klaviyo does not clear a field on null anyway).

Removal semantics: the profile leaves the list (`DELETE /api/lists/{id}/relationships/profiles`, at most 1,000
ids a call, 204); the profile itself, its consent and its other lists are untouched: it is not deleted,
suppressed or unsubscribed. An update whose identifiers changed also takes the profile of the previous ones
out of the list.

Profile ids for removals: the state keeps each record's identifiers, not Klaviyo's ids (Klaviyo's import job
does not say which id went with which profile), so ids are looked up when needed with `GET /api/profiles`
filtered by `any(email, [...])` (or `phone_number`, `external_id` when a record has no e-mail), 100 values a
page; an identifier Klaviyo does not know has nothing to remove and is only counted in a warning. This costs
one lookup per 100 removed records and never goes stale (ids change when Klaviyo merges profiles).

Headers: `Authorization: Klaviyo-API-Key <private key>`, `revision: <YYYY-MM-DD>` (the API revision this
module was written against, overridable). Limits: per account, a burst (1 s) and a steady (1 min) window;
bulk import and list relationship endpoints are tier M (10/s, 150/min), hence 2.5 requests a second by
default. Either window answers 429; the retry hint is `Retry-After` when present, else the seconds in the
error's detail ("Expected available in N seconds"). Successful answers carry `RateLimit-Remaining` /
`RateLimit-Reset` for the steady window: at 0 remaining every worker holds until the reset. 401/403 (key,
scope) and 404 on the list stop the sync.

Decisions on points our research left UNCONFIRMED (../shared/specs/destinations.md, section 4):
- Job creation answers 202 and job `status` is one of queued / processing / complete / cancelled (Klaviyo's
  OpenAPI `ProfileImportJobResponseObjectResource`); any 2xx with a job id is accepted.
- `Retry-After` on 429 is honoured when present, with the detail text as fallback (Klaviyo's rate-limit guide
  only promises the 429).
- `any()` on `email`, `phone_number` and `external_id` in Get Profiles' filter, page size at most 100.
- Sources: developers.klaviyo.com reference bulk_import_profiles, get_bulk_import_profiles_job,
  get_errors_for_bulk_import_profiles_job, remove_profiles_from_list, get_profiles; docs
  rate_limits_and_error_handling and use_klaviyos_bulk_profile_import_api; the spec's [KL-*].
"""

from __future__ import annotations

import json
import logging
import re
import time
from collections.abc import Iterator
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
from activation.errors import FatalDestinationError, RateLimitedError, TransientDestinationError
from activation.syncs import pii
from activation.syncs.delivery import BODY_EXCERPT_CHARS, Redactor, default_classifier, parse_retry_after

logger = logging.getLogger(__name__)

MAX_PROFILES = 10_000
MAX_JOB_BYTES = 5 * 1024 * 1024
MAX_PROFILE_BYTES = 100 * 1024
MAX_RELATIONSHIPS = 1_000
LOOKUP_PAGE = 100
JSON_API = "application/vnd.api+json"
# Sync identifier -> Klaviyo profile attribute (and the filter field that finds it again).
IDENTIFIER_ATTRIBUTES = {"email": "email", "phone": "phone_number", "external_id": "external_id"}
NAME_ATTRIBUTES = {"first_name": "first_name", "last_name": "last_name"}
LOCATION_ATTRIBUTES = {"city": "city", "state": "region", "postal_code": "zip", "country": "country"}
_POINTER = re.compile(r"/data/attributes/profiles/data/([0-9]+)")
_EXPECTED_IN = re.compile(r"available in ([0-9]+(?:\.[0-9]+)?) second")


class KlaviyoSettings(DestinationSettings):
    list_id: str = Field(pattern=r"^[A-Za-z0-9]+$", description="Id of the Klaviyo list the segment fills.")
    api_key_env: SecretEnv = Field(description="Environment variable holding the private API key.")
    revision: str = Field(
        "2026-07-15", pattern=r"^[0-9]{4}-[0-9]{2}-[0-9]{2}(\.[a-z]+)?$", description="API revision header."
    )
    base_url: HttpUrl = Field(HttpUrl("https://a.klaviyo.com"), description="API host.")
    poll_interval_seconds: float = Field(5.0, gt=0, description="Seconds between import job status checks.")
    poll_timeout_seconds: float = Field(
        1800.0, gt=0, description="How long a batch waits for its import job before it is retried."
    )
    timeout_seconds: float = Field(60.0, gt=0, description="Per-request timeout.")


def klaviyo_retry_after(response: requests.Response) -> float | None:
    """Retry-After when sent, else the seconds of the throttling error's detail."""
    hint = parse_retry_after(response.headers.get("Retry-After"))
    if hint is not None:
        return hint
    errors = json_object(response).get("errors") or []
    for error in errors if isinstance(errors, list) else []:
        match = _EXPECTED_IN.search(str(error.get("detail") or "") if isinstance(error, dict) else "")
        if match:
            return float(match.group(1))
    return None


def steady_window_hold(response: requests.Response) -> float | None:
    """Seconds to hold every worker when a successful answer says the steady window is used up."""
    if response.status_code == 429 or response.headers.get("RateLimit-Remaining", "").strip() != "0":
        return None
    try:
        return max(0.0, float(response.headers.get("RateLimit-Reset", "")))
    except ValueError:
        return None


def classify_klaviyo_response(response: requests.Response, redact: Redactor) -> None:
    status = response.status_code
    if 200 <= status < 300:
        return
    details: dict[str, Any] = {
        "status": status,
        "url": redact((response.url or "").split("?", 1)[0]),
        "body": redact(response.text[:BODY_EXCERPT_CHARS]),
    }
    if status == 429:
        raise RateLimitedError(
            "Klaviyo throttled the request", retry_after=klaviyo_retry_after(response), **details
        )
    # A missing list is named in the URL (relationships) or in the error (an import's list relationship).
    if status == 404 and ("/lists/" in (response.url or "") or "list" in response.text.lower()):
        raise FatalDestinationError("Klaviyo does not know this list (check list_id)", **details)
    default_classifier(response, redact)


class KlaviyoDestination(Destination):
    type_name = "klaviyo"
    summary = "Klaviyo list: profiles upserted by bulk import jobs into the list, removed via relationships."
    Settings = KlaviyoSettings
    max_batch_size = MAX_PROFILES
    default_batch_size = MAX_PROFILES
    default_max_concurrency = 2
    # Tier M steady window: 150 requests a minute.
    default_requests_per_second = 2.5
    # An import or batch upsert creates whoever is missing: 'update only' cannot be honoured.
    supported_modes = ("upsert", "mirror", "add_only")
    default_consent_channel = "email"
    accepted_identifiers = tuple(IDENTIFIER_ATTRIBUTES)
    needs_identifier = True
    delivery_semantics = (
        "Adds and updates are bulk import jobs (upserts matched by e-mail, phone or external id) that also "
        "add the profiles to the list, waited for until complete: a repeated batch imports the same values "
        "again. "
        "Removals take profiles out of the list (ids looked up by identifier), never deleting or "
        "unsubscribing them; a profile already out of the list stays out."
    )

    settings: KlaviyoSettings

    def open(self) -> None:
        key = self.context.secret(self.settings, "api_key_env") or ""
        self._headers = {
            "Authorization": f"Klaviyo-API-Key {key}",
            "revision": self.settings.revision,
            "Accept": JSON_API,
        }
        self._base = f"{str(self.settings.base_url).rstrip('/')}/api"

    def _request(
        self, method: str, path: str, body: Any = None, params: dict[str, str] | None = None
    ) -> requests.Response:
        headers = dict(self._headers)
        data = None
        if body is not None:
            headers["Content-Type"] = JSON_API
            data = body if isinstance(body, bytes) else json.dumps(body, separators=(",", ":")).encode()
        return self.context.transport.request(
            method,
            path if path.startswith("http") else f"{self._base}{path}",
            data=data,
            params=params,
            headers=headers,
            timeout=self.settings.timeout_seconds,
            classify=classify_klaviyo_response,
            observe=steady_window_hold,
        )

    # ------------------------------------------------------------------------------------------- profiles

    def profile(self, fields: dict[str, Any]) -> dict[str, Any] | None:
        """The profile resource of a record, or None when it has no identifier Klaviyo accepts."""
        attributes: dict[str, Any] = {}
        email = pii.normalize_email(fields.get("email"))
        if email:
            attributes["email"] = email
        phone = pii.klaviyo_phone(fields.get("phone"))
        if phone:
            attributes["phone_number"] = phone
        external_id = fields.get("external_id")
        if external_id not in (None, ""):
            attributes["external_id"] = str(external_id)
        if not attributes:
            return None
        location: dict[str, Any] = {}
        properties: dict[str, Any] = {}
        for name, value in fields.items():
            if value is None or name in IDENTIFIER_ATTRIBUTES:
                continue
            if name in NAME_ATTRIBUTES:
                attributes[NAME_ATTRIBUTES[name]] = value
            elif name in LOCATION_ATTRIBUTES:
                location[LOCATION_ATTRIBUTES[name]] = value
            else:
                properties[name] = value
        if location:
            attributes["location"] = location
        if properties:
            attributes["properties"] = properties
        return {"type": "profile", "attributes": attributes}

    def _job_body(self, profiles: list[dict[str, Any]]) -> bytes:
        document = {
            "data": {
                "type": "profile-bulk-import-job",
                "attributes": {"profiles": {"data": profiles}},
                "relationships": {"lists": {"data": [{"type": "list", "id": self.settings.list_id}]}},
            }
        }
        return json.dumps(document, separators=(",", ":"), default=str).encode()

    def send(self, batch: Batch) -> BatchOutcome:
        outcome = BatchOutcome()
        if batch.operation == "remove":
            self._remove([record.fields for record in batch.rows()], outcome)
            return outcome
        keyed: list[tuple[str, dict[str, Any]]] = []
        leaving: list[dict[str, Any]] = []
        for record in batch.rows():
            profile = self.profile(record.fields)
            if profile is None:
                outcome.rejections.append(
                    Rejection(
                        record.key, "no_usable_identifier", "no e-mail, E.164 phone or external id", False
                    )
                )
                continue
            if len(json.dumps(profile, default=str).encode()) > MAX_PROFILE_BYTES:
                outcome.rejections.append(
                    Rejection(record.key, "profile_too_large", "over Klaviyo's 100 KB per profile", False)
                )
                continue
            keyed.append((record.key, profile))
            leaving.extend(self._previous(record, profile))
        for chunk in self._chunks(keyed):
            self._import(chunk, outcome)
        if leaving:
            self._remove(leaving, outcome)
        return outcome

    def _previous(self, record: Record, profile: dict[str, Any]) -> list[dict[str, Any]]:
        """The previous identity when it named another profile: it must leave the list."""
        if record.previous_identity is None:
            return []
        previous = self.profile(record.previous_identity)
        if previous is None:
            return []
        current, before = profile["attributes"], previous["attributes"]
        for attribute in IDENTIFIER_ATTRIBUTES.values():
            if attribute in before:
                return [record.previous_identity] if before[attribute] != current.get(attribute) else []
        return []

    def _chunks(self, keyed: list[tuple[str, dict[str, Any]]]) -> Iterator[list[tuple[str, dict[str, Any]]]]:
        """Jobs of at most 10,000 profiles and 5 MB (the body is halved until it fits)."""
        pending = [keyed[start : start + MAX_PROFILES] for start in range(0, len(keyed), MAX_PROFILES)]
        while pending:
            chunk = pending.pop(0)
            if len(chunk) > 1 and len(self._job_body([profile for _key, profile in chunk])) > MAX_JOB_BYTES:
                middle = len(chunk) // 2
                pending[:0] = [chunk[:middle], chunk[middle:]]
                continue
            yield chunk

    def _import(self, chunk: list[tuple[str, dict[str, Any]]], outcome: BatchOutcome) -> None:
        response = self._request("POST", "/profile-bulk-import-jobs", self._job_body([p for _k, p in chunk]))
        try:
            job_id = str(response.json()["data"]["id"])
        except (ValueError, KeyError, TypeError):
            raise TransientDestinationError(
                "Klaviyo accepted the import without a job id", status=response.status_code
            ) from None
        job = self._wait(job_id)
        if int(job.get("failed_count") or 0) > 0:
            outcome.rejections.extend(self._import_errors(job_id, chunk, outcome))

    def _wait(self, job_id: str) -> dict[str, Any]:
        deadline = time.monotonic() + self.settings.poll_timeout_seconds
        while True:
            pause = self.settings.poll_interval_seconds
            try:
                response = self._request("GET", f"/profile-bulk-import-jobs/{job_id}")
            except RateLimitedError as error:
                # A throttled status check must not make the import start over: wait, then ask again.
                pause = error.retry_after or pause
            else:
                try:
                    attributes = response.json()["data"]["attributes"]
                except (ValueError, KeyError, TypeError):
                    attributes = {}
                status = attributes.get("status")
                if status == "complete":
                    return attributes
                if status == "cancelled":
                    raise TransientDestinationError(f"Klaviyo cancelled import job {job_id}")
            if time.monotonic() + pause > deadline:
                raise TransientDestinationError(
                    f"Klaviyo import job {job_id} did not complete within "
                    f"{self.settings.poll_timeout_seconds:.0f} s"
                )
            time.sleep(pause)

    def _import_errors(
        self, job_id: str, chunk: list[tuple[str, dict[str, Any]]], outcome: BatchOutcome
    ) -> list[Rejection]:
        by_identifier: dict[tuple[str, str], str] = {}
        for key, profile in chunk:
            for attribute in IDENTIFIER_ATTRIBUTES.values():
                value = profile["attributes"].get(attribute)
                if value is not None:
                    by_identifier.setdefault((attribute, str(value).lower()), key)
        rejections: dict[str, Rejection] = {}
        unmatched = 0
        url: str | None = f"/profile-bulk-import-jobs/{job_id}/import-errors"
        while url:
            response = self._request("GET", url)
            document = response.json()
            for error in document.get("data") or []:
                attributes = error.get("attributes") or {}
                key = self._error_record(attributes, chunk, by_identifier)
                if key is None:
                    unmatched += 1
                    continue
                text = f"{attributes.get('title') or ''}: {attributes.get('detail') or ''}".strip(": ")
                # Klaviyo quotes the failing value: the state keeps the reason, not the e-mail or phone.
                profile = dict(chunk).get(key, {}).get("attributes", {})
                for attribute in IDENTIFIER_ATTRIBUTES.values():
                    if profile.get(attribute):
                        text = text.replace(str(profile[attribute]), f"<{attribute}>")
                message = self.context.redact(text) or ""
                rejections[key] = Rejection(
                    key, str(attributes.get("code") or "import_error"), message[:BODY_EXCERPT_CHARS], False
                )
            url = (document.get("links") or {}).get("next")
        if unmatched:
            outcome.warnings.append(f"Klaviyo import job {job_id}: {unmatched} errors matched no record")
        return list(rejections.values())

    @staticmethod
    def _error_record(
        attributes: dict[str, Any],
        chunk: list[tuple[str, dict[str, Any]]],
        by_identifier: dict[tuple[str, str], str],
    ) -> str | None:
        pointer = str((attributes.get("source") or {}).get("pointer") or "")
        match = _POINTER.search(pointer)
        if match and int(match.group(1)) < len(chunk):
            return chunk[int(match.group(1))][0]
        payload = attributes.get("original_payload") or {}
        values = payload.get("attributes", payload) if isinstance(payload, dict) else {}
        for attribute in IDENTIFIER_ATTRIBUTES.values():
            value = values.get(attribute) if isinstance(values, dict) else None
            if value is not None and (attribute, str(value).lower()) in by_identifier:
                return by_identifier[(attribute, str(value).lower())]
        return None

    # ------------------------------------------------------------------------------------------- removals

    def _remove(self, identities: list[dict[str, Any]], outcome: BatchOutcome) -> None:
        wanted: dict[str, list[str]] = {}
        for identity in identities:
            profile = self.profile(identity)
            if profile is None:
                continue
            for attribute in IDENTIFIER_ATTRIBUTES.values():
                if attribute in profile["attributes"]:
                    wanted.setdefault(attribute, []).append(str(profile["attributes"][attribute]))
                    break
        ids: list[str] = []
        looked_up = 0
        for attribute, values in wanted.items():
            unique = list(dict.fromkeys(values))
            looked_up += len(unique)
            for start in range(0, len(unique), LOOKUP_PAGE):
                ids.extend(self._profile_ids(attribute, unique[start : start + LOOKUP_PAGE]))
        ids = list(dict.fromkeys(ids))
        if len(ids) < looked_up:
            outcome.warnings.append(f"Klaviyo knows no profile for {looked_up - len(ids)} removed records")
        for start in range(0, len(ids), MAX_RELATIONSHIPS):
            body = {
                "data": [
                    {"type": "profile", "id": profile_id}
                    for profile_id in ids[start : start + MAX_RELATIONSHIPS]
                ]
            }
            self._request("DELETE", f"/lists/{self.settings.list_id}/relationships/profiles", body)

    def _profile_ids(self, attribute: str, values: list[str]) -> list[str]:
        quoted = ",".join(json.dumps(value) for value in values)
        params: dict[str, str] | None = {
            "filter": f"any({attribute},[{quoted}])",
            "fields[profile]": attribute,
            "page[size]": str(LOOKUP_PAGE),
        }
        url: str | None = "/profiles"
        ids: list[str] = []
        while url:
            response = self._request("GET", url, params=params)
            document = response.json()
            ids.extend(str(item["id"]) for item in document.get("data") or [] if item.get("id"))
            url, params = (document.get("links") or {}).get("next"), None
        return ids
