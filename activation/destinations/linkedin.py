"""LinkedIn Matched Audiences: a DMP segment's users, streamed through `POST /rest/dmpSegments/{id}/users`.

Request (LinkedIn Marketing API, "DMP Segment Users", learn.microsoft.com/en-us/linkedin/marketing/
matched-audiences/create-and-manage-segment-users): headers
`Authorization: Bearer <OAuth token with rw_dmp_segments>`, `LinkedIn-Version: YYYYMM`,
`X-Restli-Protocol-Version: 2.0.0` and `X-RestLi-Method: BATCH_CREATE`; body `{"elements": [{"action": "ADD" |
"REMOVE", "userIds": [{"idType", "idValue"}, ...], "firstName", "lastName", "title", "company", "country"},
...]}`, one element per person. Identifiers: SHA256_EMAIL (SHA-256 lower-case hex of the e-mail trimmed and
lower-cased) and GOOGLE_AID (the Android advertising id in clear, as Segment's and RudderStack's LinkedIn
connectors send it; LinkedIn lists no hashed form of it). firstName, lastName, title, company and country are
optional plain strings that raise the match rate; they are sync `fields` (first_name, last_name, title,
company, country), sent in clear as written (country as its ISO alpha-2 code) on ADD elements only: LinkedIn
removes on the userIds, and the state keeps identifiers only. A person needs at least one userId: someone with
neither a usable e-mail nor an Android advertising id is rejected before sending (code no_usable_identifier),
as RudderStack's linkedin_audience transform does; names alone are never enough for us, although Tealium's
connector guide says LinkedIn may match on first and last name. `mobile_advertiser_id` is only accepted with
`mobile_advertiser_id_type: GOOGLE_AID`, because a segment column does not say whether an id is an Android
one.

Response: HTTP 200 `{"elements": [{"status": 201}, ...]}`, one status per element in request order (LinkedIn's
Postman collection "Stream user data - add or remove multiple users"; Segment's linkedin-audiences
`common-functions.ts` maps them back by position the same way). A non-2xx element is that record's rejection,
its message read from the element's `error.message` (Rest.li ErrorResponse) or `message`; 429 and 5xx elements
are retryable, others not. An answer whose element count differs from the request cannot be mapped and fails
the batch. "A 201 Created HTTP status code is returned if you add the same ID again or remove an already
deleted ID. This is by design." (same page): adds and removes are idempotent, so a repeated batch (retry,
resend after a crash) changes nothing more; there is no idempotency key.

Errors: 401 (expired or revoked token) and 403 (no rw_dmp_segments, or the member only a VIEWER of the
account) stop the sync; 404 (no such DMP segment) stops it too; other 4xx fail the batch; 5xx are retried.

Throttling (LinkedIn "Rate Limits" and the DMP Segment Users page): the users stream allows 600 requests a
minute per member (older versions of the page: 500), on top of daily application and member limits that are
not published and reset at midnight UTC. All of them answer 429 without rate-limit headers or Retry-After
(`[3P-evangelist-li]` in /shared/specs/destinations.md). Our default of 8 requests a second stays under the
per-minute limit with room for the member's other tools. A 429 is retried with the engine's jittered backoff
(or after Retry-After, should LinkedIn send one); when the body says a DAY limit was reached (LinkedIn's
message "Resource level throttle APPLICATION DAY limit ..." / "... MEMBER DAY limit ...", as third-party
reports quote it, not documented), the hint is the time left until midnight UTC, which fails the batch instead
of sleeping and leaves it to the next run.

Batch size (UNCONFIRMED in our research, /shared/specs/destinations.md section 9): LinkedIn's DMP Segment
Users page, in every stored version we searched, states per-minute and daily request limits but no number of
elements per request. RudderStack's linkedin_audience destination (config.ts, MAX_BATCH_SIZE) sends at most
5,000 elements per request, so 5,000 people per batch is our default and maximum, and no request carries more
than 5,000 elements (an update batch can need two per person: see below).

Removal semantics: `REMOVE` with the userIds that added the person takes them out of the segment. An update
ADDs the current identifiers and REMOVEs only the userIds the person no longer has (a changed e-mail), in the
same request. Matching is asynchronous on LinkedIn's side (the segment's matched count is computed later), and
a campaign can only use a segment of at least 300 matched members (Tealium's LinkedIn connector guide).
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Iterator
from typing import Any, Literal

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
from activation.errors import FatalDestinationError, PermanentDestinationError, RateLimitedError
from activation.syncs import pii
from activation.syncs.delivery import BODY_EXCERPT_CHARS, Redactor, default_classifier, parse_retry_after

logger = logging.getLogger(__name__)

MAX_ELEMENTS_PER_REQUEST = 5_000
DEFAULT_API_VERSION = "202603"
# Sync field name -> element attribute, normaliser. These are sync `fields`, not identifiers: they only help
# LinkedIn match the userIds of an ADD, a person cannot be matched (or removed) on them.
ATTRIBUTES = (
    ("first_name", "firstName", pii.linkedin_text),
    ("last_name", "lastName", pii.linkedin_text),
    ("country", "country", pii.google_country),
    ("title", "title", pii.linkedin_text),
    ("company", "company", pii.linkedin_text),
)
FIELDS = tuple(name for name, _attribute, _normalise in ATTRIBUTES)

UserId = dict[str, str]


class LinkedInMatchedAudienceSettings(DestinationSettings):
    segment_id: str = Field(pattern=r"^[0-9]+$", description="DMP segment id (a USER segment), digits only.")
    access_token_env: SecretEnv = Field(
        description="Environment variable holding an OAuth 2.0 access token with rw_dmp_segments."
    )
    api_version: str = Field(
        DEFAULT_API_VERSION, pattern=r"^[0-9]{6}$", description="LinkedIn-Version header (YYYYMM)."
    )
    mobile_advertiser_id_type: Literal["GOOGLE_AID"] | None = Field(
        None,
        description="GOOGLE_AID when the mapped mobile_advertiser_id column holds Android advertising ids.",
    )
    base_url: HttpUrl = Field(HttpUrl("https://api.linkedin.com"), description="API host.")
    timeout_seconds: float = Field(60.0, gt=0, description="Per-request timeout.")


def seconds_until_utc_midnight(now: dt.datetime | None = None) -> float:
    current = now or dt.datetime.now(dt.UTC)
    tomorrow = (current + dt.timedelta(days=1)).replace(hour=0, minute=0, second=0, microsecond=0)
    return (tomorrow - current).total_seconds()


def classify_linkedin_response(response: requests.Response, redact: Redactor) -> None:
    """Whole-request outcomes: 429 throttled (a DAY limit waits for midnight UTC), 401/403/404 stop the sync,
    the rest through the shared table."""
    status = response.status_code
    if 200 <= status < 300:
        return
    body = json_object(response)
    message = redact(str(body.get("message") or "")) or "error"
    code = body.get("code") or body.get("serviceErrorCode")
    details: dict[str, Any] = {
        "status": status,
        "url": redact((response.url or "").split("?", 1)[0]),
        "body": redact(response.text[:BODY_EXCERPT_CHARS]),
        "code": str(code) if code is not None else None,
    }
    if status == 429:
        retry_after = parse_retry_after(response.headers.get("Retry-After"))
        if " DAY " in f" {message.upper()} ":
            retry_after = max(retry_after or 0.0, seconds_until_utc_midnight())
        raise RateLimitedError(
            f"LinkedIn throttled the request: {message}", retry_after=retry_after, **details
        )
    if status in (401, 403):
        raise FatalDestinationError(f"LinkedIn refused the token or its permissions: {message}", **details)
    if status == 404:
        raise FatalDestinationError(f"LinkedIn has no such DMP segment: {message}", **details)
    default_classifier(response, redact)


def user_ids(identity: dict[str, Any], google_aid: bool) -> list[UserId]:
    """The userIds of one person: the hashed e-mail, and the Android advertising id when the sync says the
    mobile advertiser id column holds those."""
    ids: list[UserId] = []
    email = pii.normalize_email(identity.get("email"))
    if email is not None:
        ids.append({"idType": "SHA256_EMAIL", "idValue": pii.sha256_hex(email)})
    if google_aid:
        aid = pii.linkedin_google_aid(identity.get("mobile_advertiser_id"))
        if aid is not None:
            ids.append({"idType": "GOOGLE_AID", "idValue": aid})
    return ids


def element(action: str, ids: list[UserId], attributes: dict[str, Any] | None = None) -> dict[str, Any]:
    built: dict[str, Any] = {"action": action, "userIds": ids}
    for name, attribute, normalise in ATTRIBUTES if attributes else ():
        value = normalise(attributes.get(name))
        if value is not None:
            built[attribute] = value
    return built


class LinkedInMatchedAudienceDestination(Destination):
    type_name = "linkedin_matched_audience"
    summary = "LinkedIn Matched Audiences DMP segment: hashed e-mails (and Android ad ids) added and removed."
    Settings = LinkedInMatchedAudienceSettings
    supported_modes = ("upsert", "mirror", "add_only")
    max_batch_size = MAX_ELEMENTS_PER_REQUEST
    default_batch_size = MAX_ELEMENTS_PER_REQUEST
    default_max_concurrency = 2
    default_requests_per_second = 8.0
    default_consent_channel = "ads_personalisation"
    accepted_identifiers = ("email", "mobile_advertiser_id")
    needs_identifier = True
    delivery_semantics = (
        "ADD and REMOVE are idempotent on LinkedIn's side (adding an id twice or removing a removed one "
        "answers 201): a repeated batch changes nothing. No idempotency key; LinkedIn matches "
        "asynchronously. Removals are REMOVE elements with the userIds that added the person; an update "
        "removes only the ids the person no longer has."
    )

    settings: LinkedInMatchedAudienceSettings

    @classmethod
    def check_sync(
        cls, settings: DestinationSettings, identifiers: dict[str, str], fields: dict[str, str]
    ) -> list[tuple[str, str]]:
        problems = super().check_sync(settings, identifiers, fields)
        if (
            "mobile_advertiser_id" in identifiers
            and getattr(settings, "mobile_advertiser_id_type", None) is None
        ):
            problems.append(
                (
                    "identifiers.mobile_advertiser_id",
                    "LinkedIn takes Android advertising ids only: set destination.mobile_advertiser_id_type: "
                    "GOOGLE_AID if the column holds those",
                )
            )
        for name in fields:
            if name not in FIELDS:
                problems.append(
                    (f"fields.{name}", f"LinkedIn has no such user attribute; accepted: {', '.join(FIELDS)}")
                )
        return problems

    def open(self) -> None:
        self._token = self.context.secret(self.settings, "access_token_env") or ""
        base = str(self.settings.base_url).rstrip("/")
        self._url = f"{base}/rest/dmpSegments/{self.settings.segment_id}/users"
        self._google_aid = self.settings.mobile_advertiser_id_type == "GOOGLE_AID"

    def headers(self) -> dict[str, str]:
        return {
            "Authorization": f"Bearer {self._token}",
            "LinkedIn-Version": self.settings.api_version,
            "X-Restli-Protocol-Version": "2.0.0",
            "X-RestLi-Method": "BATCH_CREATE",
            "Content-Type": "application/json",
        }

    def send(self, batch: Batch) -> BatchOutcome:
        outcome = BatchOutcome()
        elements: list[tuple[str, dict[str, Any]]] = []
        for record in batch.rows():
            ids = user_ids(record.fields, self._google_aid)
            if batch.operation == "remove":
                # Nothing was ever added for a record without a userId: nothing to take out.
                if ids:
                    elements.append((record.key, element("REMOVE", ids)))
                continue
            if not ids:
                outcome.rejections.append(
                    Rejection(
                        record.key,
                        "no_usable_identifier",
                        "no e-mail or Android advertising id LinkedIn can match on",
                        retryable=False,
                    )
                )
                continue
            elements.append((record.key, element("ADD", ids, record.fields)))
            vanished = self._vanished(record, ids)
            if vanished:
                elements.append((record.key, element("REMOVE", vanished)))
        rejected: dict[str, Rejection] = {}
        for chunk in self._chunks(elements):
            response = self.context.transport.request(
                "POST",
                self._url,
                json={"elements": [body for _key, body in chunk]},
                headers=self.headers(),
                timeout=self.settings.timeout_seconds,
                classify=classify_linkedin_response,
            )
            outcome.requests += 1
            for rejection in self._element_failures(response, chunk):
                rejected.setdefault(rejection.record_key, rejection)
        outcome.rejections.extend(rejected.values())
        return outcome

    def _vanished(self, record: Record, current: list[UserId]) -> list[UserId]:
        if record.previous_identity is None:
            return []
        kept = {(item["idType"], item["idValue"]) for item in current}
        return [
            item
            for item in user_ids(record.previous_identity, self._google_aid)
            if (item["idType"], item["idValue"]) not in kept
        ]

    @staticmethod
    def _chunks(elements: list[tuple[str, dict[str, Any]]]) -> Iterator[list[tuple[str, dict[str, Any]]]]:
        for start in range(0, len(elements), MAX_ELEMENTS_PER_REQUEST):
            yield elements[start : start + MAX_ELEMENTS_PER_REQUEST]

    @staticmethod
    def _element_failures(
        response: requests.Response, chunk: list[tuple[str, dict[str, Any]]]
    ) -> list[Rejection]:
        statuses = json_object(response).get("elements")
        if not isinstance(statuses, list) or len(statuses) != len(chunk):
            count = len(statuses) if isinstance(statuses, list) else None
            raise PermanentDestinationError(
                f"LinkedIn answered {count} element statuses for {len(chunk)} elements: cannot map them",
                status=response.status_code,
                body=response.text[:BODY_EXCERPT_CHARS],
            )
        rejections = []
        for (key, _body), answer in zip(chunk, statuses, strict=True):
            answered = answer if isinstance(answer, dict) else {}
            status = answered.get("status")
            if isinstance(status, int) and 200 <= status < 300:
                continue
            error = answered.get("error")
            if not isinstance(error, dict):
                error = {}
            message = str(error.get("message") or answered.get("message") or "refused")
            code = error.get("code") or error.get("serviceErrorCode") or f"status_{status}"
            retryable = isinstance(status, int) and (status == 429 or status >= 500)
            rejections.append(Rejection(key, str(code), message[:BODY_EXCERPT_CHARS], retryable=retryable))
        return rejections
