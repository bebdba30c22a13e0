"""Google Ads Customer Match: user list membership through the OfflineUserDataJobService (REST).

Requests, for every job: `POST /{version}/customers/{cid}/offlineUserDataJobs:create` with
`{"job": {"type": "CUSTOMER_MATCH_USER_LIST", "customerMatchUserListMetadata": {"userList":
"customers/{cid}/userLists/{list}", "consent": {"adUserData", "adPersonalization"}}}}` (answer: the job's
`resourceName`), then `POST /{version}/{job}:addOperations` with `{"enablePartialFailure": true, "operations":
[...]}` as many times as the operations need, then `POST /{version}/{job}:run` (a long-running operation; the
job then takes minutes to hours on Google's side). Headers: `Authorization: Bearer <OAuth access token>`,
`developer-token`, and `login-customer-id` (digits only) when the list is reached through a manager account.

Google's Customer Match guide notes that since 1 April 2026 most new Customer Match integrations must use the
Data Manager API, while existing eligible ones may keep this service; a Google Cloud project that never sent
Customer Match requests before then gets CUSTOMER_NOT_ALLOWLISTED_FOR_THIS_FEATURE, which stops the sync.

One operation per person, `{"create": {"userIdentifiers": [...]}}` or `{"remove": {...}}`, with at most 20
identifiers, each setting one key: `hashedEmail`, `hashedPhoneNumber` (E.164 with '+'), `addressInfo`
(`hashedFirstName`, `hashedLastName`, `countryCode` and `postalCode` in clear; sent only when all four are
known, as Google matches an address on all of them). Values are normalised as Google documents
(activation.syncs.pii) and SHA-256 hashed as lower-case hex. A record with no usable identifier is rejected
before sending (code no_usable_identifier).

How jobs map onto batches: one job per kind of operation per batch attempt (create, add operations, run).
- A job must not mix `create` and `remove` operations (OfflineUserDataJobError.CONFLICTING_OPERATION, "Mixing
  creation and removal of offline data in the same job is not allowed": Google Ads API reference,
  OfflineUserDataJobErrorEnum, and the Customer Match troubleshooting guide), so an update batch makes two
  jobs: one creating the record's current identifiers, one removing the identifiers it no longer has.
- The engine acknowledges each batch once `send` returns and never calls the destination again for it; a job
  spanning several batches would be run after some of them were acknowledged, so a crash in between would
  leave acknowledged records in a job that never ran. A job that is run before `send` returns keeps
  "acknowledged" meaning "handed to Google". A retried or resent batch makes a new job: the earlier one was
  either never run (it applies nothing and is left to expire) or was run, and creating or removing the same
  identifiers twice changes nothing more.
- Google asks for few large jobs ("It's far more efficient to create a single large job than several smaller
  jobs", Customer Match guide) and documents no limit on jobs per list (Google Ads API team, adwords-api forum
  msg82917: "There is no specific limit for the OfflineUserDataJobService ... You could create a new Job each
  time"), so batches are large: 10,000 people by default, 100,000 at most; one job then takes several
  addOperations requests of at most `operations_per_request` operations (10,000 by default, the size Google
  staff recommend, forum msg113667) and never more than 100,000 identifiers ("Maximum number of user
  identifiers allowed per request is 100,000 and per operation is 20", OfflineUserDataJobError
  TOO_MANY_USER_IDENTIFIERS as returned by the API, forum msg94854; the UserDataError text "100 per request"
  is about UserDataService, not this service).
- Jobs touching one list at the same time fail with DatabaseError.CONCURRENT_MODIFICATION, so batches go one
  at a time (concurrency 1) and that error is retried with backoff.

Errors: a 200 answer to addOperations may carry `partialFailureError` whose GoogleAdsFailure `errors[]` name
the failing operation by the `index` of the first `fieldPathElements` entry ("operations"); that index is
mapped back to the record (per request, offset by the operations sent before it). Failed operations are
left out of the job, the others are applied. Concurrency and internal errors on one operation are
retryable rejections, the rest are not. Whole-request errors: `quotaError` (RESOURCE_EXHAUSTED,
RESOURCE_TEMPORARILY_EXHAUSTED), HTTP 429 or status RESOURCE_EXHAUSTED are throttling, retried after
`quotaErrorDetails.retryDelay` (else Retry-After); `databaseError` CONCURRENT_MODIFICATION, `internalError`,
5xx and UNAVAILABLE/ABORTED/DEADLINE_EXCEEDED are transient; authentication and authorization errors, 401,
403, an unknown or unsuitable user list, terms not accepted and a customer not allow-listed stop the sync;
anything else fails the batch. Basic access allows 15,000 operations a day (one addOperations call is one
operation, forum msg94922): a daily quota error carries a long retry delay, which fails the batch instead of
sleeping, and the next run sends it again.

Consent: the job's `consent` (adUserData, adPersonalization) comes from the settings, GRANTED by default
because the engine only sends people with consent on the `ads_personalisation` channel; Google needs it on
jobs that add people, not on removals (Customer Match guide: "For remove requests, consent is not needed"),
so removal jobs carry none.

Removal semantics: a `remove` operation with the identifiers that added the person takes them out of the
list; an update also removes identifiers the person no longer has (a changed e-mail), and only those, so
the person stays matched on the identifiers they kept. Delivery semantics: adds and removes are idempotent;
Google applies a job asynchronously (up to 24 h) and the job's final status is not polled.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Iterator
from dataclasses import dataclass
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
from activation.errors import (
    FatalDestinationError,
    PermanentDestinationError,
    RateLimitedError,
    TransientDestinationError,
)
from activation.syncs import pii
from activation.syncs.delivery import BODY_EXCERPT_CHARS, Redactor, parse_retry_after

logger = logging.getLogger(__name__)

MAX_IDENTIFIERS_PER_OPERATION = 20
MAX_IDENTIFIERS_PER_REQUEST = 100_000
DEFAULT_OPERATIONS_PER_REQUEST = 10_000
MAX_PEOPLE_PER_BATCH = 100_000
DEFAULT_PEOPLE_PER_BATCH = 10_000

# Request-level error codes (GoogleAdsFailure errorCode {category: value}) after which no batch can succeed.
FATAL_CATEGORIES = frozenset({"authenticationError", "authorizationError", "notAllowlistedError"})
FATAL_CODES = frozenset(
    {
        ("offlineUserDataJobError", "INVALID_USER_LIST_ID"),
        ("offlineUserDataJobError", "INVALID_USER_LIST_TYPE"),
        ("offlineUserDataJobError", "CUSTOMER_NOT_ACCEPTED_CUSTOMER_DATA_TERMS"),
        ("offlineUserDataJobError", "INCOMPATIBLE_UPLOAD_KEY_TYPE"),
        ("userDataError", "OPERATIONS_FOR_CUSTOMER_MATCH_NOT_ALLOWED"),
    }
)
# Whatever category carries it (the troubleshooting guide names the value only).
FATAL_VALUES = frozenset({"CUSTOMER_NOT_ALLOWLISTED_FOR_THIS_FEATURE"})
TRANSIENT_CODES = frozenset(
    {
        ("databaseError", "CONCURRENT_MODIFICATION"),
        ("internalError", "INTERNAL_ERROR"),
        ("internalError", "TRANSIENT_ERROR"),
        ("internalError", "DEADLINE_EXCEEDED"),
    }
)
TRANSIENT_STATUSES = frozenset({"UNAVAILABLE", "ABORTED", "DEADLINE_EXCEEDED", "INTERNAL"})
_DURATION = re.compile(r"^\s*([0-9]+(?:\.[0-9]+)?)s\s*$")

ConsentStatus = Literal["GRANTED", "DENIED", "UNSPECIFIED"]
Identifier = dict[str, Any]


class GoogleAdsCustomerMatchSettings(DestinationSettings):
    customer_id: str = Field(
        pattern=r"^[0-9]{10}$",
        description="Google Ads customer id owning the list, 10 digits without dashes.",
    )
    user_list_id: str = Field(
        pattern=r"^[0-9]+$", description="Customer Match user list id (CRM-based list)."
    )
    login_customer_id: str | None = Field(
        None,
        pattern=r"^[0-9]{10}$",
        description="Manager account id (10 digits) when the list is reached through a manager; else unset.",
    )
    developer_token_env: SecretEnv = Field(description="Environment variable holding the developer token.")
    access_token_env: SecretEnv = Field(
        description="Environment variable holding an OAuth 2.0 access token (scope auth/adwords)."
    )
    api_version: str = Field("v23", pattern=r"^v[0-9]+$", description="Google Ads API version.")
    base_url: HttpUrl = Field(HttpUrl("https://googleads.googleapis.com"), description="API host.")
    ad_user_data_consent: ConsentStatus = Field(
        "GRANTED", description="Job consent.adUserData for jobs adding people."
    )
    ad_personalization_consent: ConsentStatus = Field(
        "GRANTED", description="Job consent.adPersonalization for jobs adding people."
    )
    operations_per_request: int = Field(
        DEFAULT_OPERATIONS_PER_REQUEST,
        ge=1,
        le=MAX_IDENTIFIERS_PER_REQUEST,
        description="Operations (people) per addOperations request (at most 100,000 identifiers each).",
    )
    timeout_seconds: float = Field(120.0, gt=0, description="Per-request timeout.")


def _error_codes(failure: dict[str, Any]) -> list[tuple[str, str, dict[str, Any]]]:
    """(category, value, error) for every error of the GoogleAdsFailure details of a google.rpc status."""
    codes = []
    for detail in failure.get("details") or []:
        if not isinstance(detail, dict) or not str(detail.get("@type", "")).endswith("GoogleAdsFailure"):
            continue
        for error in detail.get("errors") or []:
            for category, value in (error.get("errorCode") or {}).items():
                codes.append((str(category), str(value), error))
    return codes


def parse_duration(value: Any) -> float | None:
    """A protobuf Duration in JSON ('30s', '1.5s') as seconds."""
    if not isinstance(value, str):
        return None
    match = _DURATION.match(value)
    return float(match.group(1)) if match else None


def classify_google_ads_response(response: requests.Response, redact: Redactor) -> None:
    """Whole-request errors by GoogleAdsFailure code, google.rpc status and HTTP status."""
    if 200 <= response.status_code < 300:
        return
    error = json_object(response).get("error") or {}
    if not isinstance(error, dict):
        error = {}
    codes = _error_codes(error)
    status_name = str(error.get("status") or "")
    first = codes[0] if codes else None
    details: dict[str, Any] = {
        "status": response.status_code,
        "url": redact((response.url or "").split("?", 1)[0]),
        "body": redact(response.text[:BODY_EXCERPT_CHARS]),
        "code": f"{first[0]}.{first[1]}" if first else (status_name or None),
    }
    message = redact(str((first[2].get("message") if first else None) or error.get("message") or "error"))
    pairs = {(category, value) for category, value, _error in codes}
    categories = {category for category, _value in pairs}
    if "quotaError" in categories or response.status_code == 429 or status_name == "RESOURCE_EXHAUSTED":
        delays = [
            delay
            for _category, _value, item in codes
            if (
                delay := parse_duration(
                    ((item.get("details") or {}).get("quotaErrorDetails") or {}).get("retryDelay")
                )
            )
            is not None
        ]
        retry_after = max(delays) if delays else parse_retry_after(response.headers.get("Retry-After"))
        raise RateLimitedError(f"Google Ads quota exhausted: {message}", retry_after=retry_after, **details)
    if (
        categories & FATAL_CATEGORIES
        or pairs & FATAL_CODES
        or {value for _category, value in pairs} & FATAL_VALUES
        or response.status_code in (401, 403)
        or status_name in ("UNAUTHENTICATED", "PERMISSION_DENIED")
    ):
        raise FatalDestinationError(f"Google Ads refused the credentials or the list: {message}", **details)
    if pairs & TRANSIENT_CODES or response.status_code >= 500 or status_name in TRANSIENT_STATUSES:
        raise TransientDestinationError(f"Google Ads failed temporarily: {message}", **details)
    raise PermanentDestinationError(f"Google Ads refused the request: {message}", **details)


def identifier_key(identifier: Identifier) -> tuple[str, ...]:
    """A hashable form of one userIdentifier, to compare identities before and after an update."""
    if "addressInfo" in identifier:
        address = identifier["addressInfo"]
        return (
            "addressInfo",
            address["hashedFirstName"],
            address["hashedLastName"],
            address["countryCode"],
            address["postalCode"],
        )
    ((name, value),) = identifier.items()
    return (name, value)


def user_identifiers(identity: dict[str, Any]) -> list[Identifier]:
    """The userIdentifiers of one person: e-mail, phone, and the address when all four parts are usable."""
    identifiers: list[Identifier] = []
    email = pii.normalize_email(identity.get("email"))
    if email is not None:
        identifiers.append({"hashedEmail": pii.sha256_hex(email)})
    phone = pii.google_phone(identity.get("phone"))
    if phone is not None:
        identifiers.append({"hashedPhoneNumber": pii.sha256_hex(phone)})
    first = pii.google_name(identity.get("first_name"))
    last = pii.google_name(identity.get("last_name"))
    country = pii.google_country(identity.get("country"))
    postal_code = pii.google_postal_code(identity.get("postal_code"))
    if first and last and country and postal_code:
        identifiers.append(
            {
                "addressInfo": {
                    "hashedFirstName": pii.sha256_hex(first),
                    "hashedLastName": pii.sha256_hex(last),
                    "countryCode": country,
                    "postalCode": postal_code,
                }
            }
        )
    return identifiers[:MAX_IDENTIFIERS_PER_OPERATION]


@dataclass(frozen=True)
class _Operation:
    record_key: str
    kind: str  # create | remove
    identifiers: list[Identifier]

    def body(self) -> dict[str, Any]:
        return {self.kind: {"userIdentifiers": self.identifiers}}


class GoogleAdsCustomerMatchDestination(Destination):
    type_name = "google_ads_customer_match"
    summary = (
        "Google Ads Customer Match user list: hashed e-mail, phone and address through offline user data "
        "jobs."
    )
    Settings = GoogleAdsCustomerMatchSettings
    supported_modes = ("upsert", "mirror", "add_only")
    max_batch_size = MAX_PEOPLE_PER_BATCH
    default_batch_size = DEFAULT_PEOPLE_PER_BATCH
    # Two jobs on one list at once fail with CONCURRENT_MODIFICATION.
    default_max_concurrency = 1
    default_consent_channel = "ads_personalisation"
    accepted_identifiers = ("email", "phone", "first_name", "last_name", "country", "postal_code")
    needs_identifier = True
    delivery_semantics = (
        "Each batch is its own offline user data job (create, addOperations with partial failure, run), "
        "created again on every attempt; a job that failed before run applies nothing, and adding or "
        "removing the same identifiers twice changes nothing more. Google applies jobs asynchronously (up to "
        "24 h). Removals are 'remove' operations with the identifiers that added the person; an update "
        "removes only the identifiers the person no longer has."
    )

    settings: GoogleAdsCustomerMatchSettings

    def open(self) -> None:
        self._token = self.context.secret(self.settings, "access_token_env") or ""
        self._developer_token = self.context.secret(self.settings, "developer_token_env") or ""
        base = str(self.settings.base_url).rstrip("/")
        self._root = f"{base}/{self.settings.api_version}"
        self._customer = f"customers/{self.settings.customer_id}"

    def headers(self) -> dict[str, str]:
        headers = {
            "Authorization": f"Bearer {self._token}",
            "developer-token": self._developer_token,
            "Content-Type": "application/json",
        }
        if self.settings.login_customer_id:
            headers["login-customer-id"] = self.settings.login_customer_id
        return headers

    def _post(self, url: str, body: dict[str, Any]) -> dict[str, Any]:
        response = self.context.transport.request(
            "POST",
            url,
            json=body,
            headers=self.headers(),
            timeout=self.settings.timeout_seconds,
            classify=classify_google_ads_response,
        )
        try:
            answer = response.json() if response.content else {}
        except ValueError:
            raise TransientDestinationError(
                "Google Ads answered 2xx without JSON", status=response.status_code, url=url
            ) from None
        return answer if isinstance(answer, dict) else {}

    def job_body(self, kind: str) -> dict[str, Any]:
        metadata: dict[str, Any] = {
            "userList": f"{self._customer}/userLists/{self.settings.user_list_id}",
        }
        if kind == "create":
            metadata["consent"] = {
                "adUserData": self.settings.ad_user_data_consent,
                "adPersonalization": self.settings.ad_personalization_consent,
            }
        return {"job": {"type": "CUSTOMER_MATCH_USER_LIST", "customerMatchUserListMetadata": metadata}}

    def send(self, batch: Batch) -> BatchOutcome:
        outcome = BatchOutcome()
        creates: list[_Operation] = []
        removes: list[_Operation] = []
        for record in batch.rows():
            identifiers = user_identifiers(record.fields)
            if batch.operation == "remove":
                # Nothing usable was ever added for a record without identifiers: nothing to take out.
                if identifiers:
                    removes.append(_Operation(record.key, "remove", identifiers))
                continue
            if not identifiers:
                outcome.rejections.append(
                    Rejection(
                        record.key,
                        "no_usable_identifier",
                        "no e-mail, E.164 phone or complete address Google can match on",
                        retryable=False,
                    )
                )
                continue
            creates.append(_Operation(record.key, "create", identifiers))
            if batch.operation == "update":
                vanished = self._vanished(record, identifiers)
                if vanished:
                    removes.append(_Operation(record.key, "remove", vanished))
        rejected: dict[str, Rejection] = {rejection.record_key: rejection for rejection in outcome.rejections}
        for operations in (removes, creates):
            if operations:
                for rejection in self._run_job(operations[0].kind, operations, outcome):
                    rejected.setdefault(rejection.record_key, rejection)
        outcome.rejections = list(rejected.values())
        return outcome

    @staticmethod
    def _vanished(record: Record, current: list[Identifier]) -> list[Identifier]:
        if record.previous_identity is None:
            return []
        kept = {identifier_key(identifier) for identifier in current}
        return [
            identifier
            for identifier in user_identifiers(record.previous_identity)
            if identifier_key(identifier) not in kept
        ]

    def _chunks(self, operations: list[_Operation]) -> Iterator[list[_Operation]]:
        chunk: list[_Operation] = []
        identifiers = 0
        for operation in operations:
            if chunk and (
                len(chunk) >= self.settings.operations_per_request
                or identifiers + len(operation.identifiers) > MAX_IDENTIFIERS_PER_REQUEST
            ):
                yield chunk
                chunk, identifiers = [], 0
            chunk.append(operation)
            identifiers += len(operation.identifiers)
        if chunk:
            yield chunk

    def _run_job(self, kind: str, operations: list[_Operation], outcome: BatchOutcome) -> list[Rejection]:
        """Create a job, add every operation (partial failure on), run it; returns the refused operations."""
        created = self._post(f"{self._root}/{self._customer}/offlineUserDataJobs:create", self.job_body(kind))
        job = created.get("resourceName")
        if not isinstance(job, str) or not job.startswith(f"{self._customer}/offlineUserDataJobs/"):
            raise TransientDestinationError(
                f"Google Ads created a job without a usable resourceName: {job!r}"
            )
        outcome.requests += 1
        rejections: list[Rejection] = []
        for chunk in self._chunks(operations):
            answer = self._post(
                f"{self._root}/{job}:addOperations",
                {"enablePartialFailure": True, "operations": [operation.body() for operation in chunk]},
            )
            outcome.requests += 1
            rejections.extend(self._partial_failures(answer, chunk))
        if len(rejections) < len(operations):
            self._post(f"{self._root}/{job}:run", {})
            outcome.requests += 1
        else:
            outcome.warnings.append(f"Google Ads refused every operation of job {job}; it was not run")
        return rejections

    def _partial_failures(self, answer: dict[str, Any], chunk: list[_Operation]) -> list[Rejection]:
        failure = answer.get("partialFailureError")
        if not isinstance(failure, dict) or not failure:
            return []
        by_index: dict[int, list[tuple[str, str, str]]] = {}
        for category, value, error in _error_codes(failure):
            elements = ((error.get("location") or {}).get("fieldPathElements")) or []
            index = (
                elements[0].get("index")
                if elements and elements[0].get("fieldName") == "operations"
                else None
            )
            if not isinstance(index, int) or not 0 <= index < len(chunk):
                raise PermanentDestinationError(
                    f"Google Ads reported a partial failure without a usable operation index: {elements!r}"[
                        :BODY_EXCERPT_CHARS
                    ]
                )
            by_index.setdefault(index, []).append((category, value, str(error.get("message") or "")))
        if not by_index and failure.get("message"):
            raise PermanentDestinationError(
                f"Google Ads reported a partial failure it did not attribute: {failure.get('message')}"[
                    :BODY_EXCERPT_CHARS
                ]
            )
        rejections = []
        for index, errors in sorted(by_index.items()):
            retryable = all((category, value) in TRANSIENT_CODES for category, value, _message in errors)
            category, value, _message = errors[0]
            rejections.append(
                Rejection(
                    chunk[index].record_key,
                    f"{category}.{value}",
                    "; ".join(text for _c, _v, text in errors)[:BODY_EXCERPT_CHARS] or value,
                    retryable=retryable,
                )
            )
        return rejections
