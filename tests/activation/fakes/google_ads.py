"""A fake Google Ads API for Customer Match offline user data jobs (REST).

Contract enforced (../shared/specs/destinations.md, section 2a, and activation/destinations/google_ads.py for
the sources): `Authorization: Bearer <token>` else 401 UNAUTHENTICATED; `developer-token` else 401 with
authenticationError DEVELOPER_TOKEN_INVALID (shape assumed: a GoogleAdsFailure like every other error);
`login-customer-id` equal to the manager id when one is expected, else 403 PERMISSION_DENIED
(authorizationError USER_PERMISSION_DENIED). Paths `/{version}/customers/{cid}/offlineUserDataJobs:create`,
`.../offlineUserDataJobs/{id}:addOperations` and `...:run`, POST only. JSON bodies with known fields only
(else 400 INVALID_ARGUMENT "Invalid JSON payload received. Unknown name ..."); the job of type
CUSTOMER_MATCH_USER_LIST on the known user list, consent values from the enum; operations exactly one of
`create` / `remove`, never both kinds in one job (CONFLICTING_OPERATION); 1 to 20 identifiers per operation
and at most 100,000 per request (TOO_MANY_USER_IDENTIFIERS, whole request); each identifier sets exactly one
key; hashed values 64 lower-case hex (else, per operation, INVALID_SHA256_FORMAT); an address with all four
parts (else, per operation, fieldError REQUIRED) and an upper-case ISO country. With `enablePartialFailure`
the bad operations come back in `partialFailureError` (GoogleAdsFailure, `fieldPathElements[0]` =
operations[index]) and the others are kept; without it the first bad operation fails the request. `:run`
applies the job's operations at once (Google takes hours) and answers a long-running operation. Two refusals
use codes we did not find documented for this case and are placeholders: INVALID_JOB_STATUS (operations added
to, or a run of, a job already run) and INVALID_CONSENT (running a job that adds people without consent); the
destination never provokes either. Throttling: HTTP 429 RESOURCE_EXHAUSTED with quotaError
RESOURCE_TEMPORARILY_EXHAUSTED and `quotaErrorDetails.retryDelay`. Concurrent jobs: HTTP 400 with
databaseError CONCURRENT_MODIFICATION.

What the list holds is a set of identifiers (Google matches each of them to an account): a run `create` adds
an operation's identifiers, a `remove` takes them out.
"""

from __future__ import annotations

import json
import re
import threading
from dataclasses import dataclass, field
from typing import Any

from tests.activation.fakes.server import LoopbackServer, Request, Response

ACCESS_TOKEN = "ya29.fixture-google-oauth-access-token"
DEVELOPER_TOKEN = "fixture-dev-token-ABCDEF123456"
CUSTOMER_ID = "1234567890"
LOGIN_CUSTOMER_ID = "9876543210"
USER_LIST_ID = "555000111"
API_VERSION = "v23"
MAX_IDENTIFIERS_PER_OPERATION = 20
MAX_IDENTIFIERS_PER_REQUEST = 100_000
SHA256_HEX = re.compile(r"^[0-9a-f]{64}$")
COUNTRY = re.compile(r"^[A-Z]{2}$")
CONSENT_VALUES = {"UNSPECIFIED", "UNKNOWN", "GRANTED", "DENIED"}
FAILURE_TYPE = f"type.googleapis.com/google.ads.googleads.{API_VERSION}.errors.GoogleAdsFailure"
IDENTIFIER_KEYS = {"hashedEmail", "hashedPhoneNumber", "addressInfo", "thirdPartyUserId", "mobileId"}
ADDRESS_KEYS = {"hashedFirstName", "hashedLastName", "countryCode", "postalCode"}
ADDRESS_OPTIONAL = {"city", "state", "hashedStreetAddress"}

Held = tuple[str, ...]


def ads_error(
    code: int, status: str, message: str, errors: list[dict[str, Any]] | None = None
) -> dict[str, Any]:
    """A google.rpc.Status with one GoogleAdsFailure detail, as the REST interface returns errors."""
    error: dict[str, Any] = {"code": code, "message": message, "status": status}
    if errors is not None:
        error["details"] = [{"@type": FAILURE_TYPE, "errors": errors, "requestId": "fake-request-id"}]
    return error


def failure_item(category: str, value: str, message: str, path: list[dict[str, Any]] | None = None) -> dict:
    item: dict[str, Any] = {"errorCode": {category: value}, "message": message}
    if path is not None:
        item["location"] = {"fieldPathElements": path}
    return item


class _Refused(Exception):
    def __init__(self, response: Response) -> None:
        self.response = response


@dataclass
class _Job:
    kind: str | None = None  # create | remove, fixed by the first operation
    consent: dict[str, str] | None = None
    operations: list[tuple[str, list[Held]]] = field(default_factory=list)
    status: str = "PENDING"


@dataclass
class FakeGoogleAds:
    access_token: str = ACCESS_TOKEN
    developer_token: str = DEVELOPER_TOKEN
    login_customer_id: str | None = LOGIN_CUSTOMER_ID
    # Knobs a test turns: throttle / report concurrent modification on the next N calls, refuse identifiers.
    throttle_next: int = 0
    retry_delay: str = "0.2s"
    concurrent_next: int = 0
    rejected_identifiers: dict[str, str] = field(default_factory=dict)  # hashed value -> error value
    members: set[Held] = field(default_factory=set)
    jobs: dict[str, _Job] = field(default_factory=dict)
    refusals: list[str] = field(default_factory=list)

    def __post_init__(self) -> None:
        self._lock = threading.Lock()
        self._next_job = 1000
        self.server = LoopbackServer(self.handle)

    @property
    def url(self) -> str:
        return self.server.url

    @property
    def customer(self) -> str:
        return f"customers/{CUSTOMER_ID}"

    def reset(self) -> None:
        with self._lock:
            self.access_token, self.developer_token = ACCESS_TOKEN, DEVELOPER_TOKEN
            self.login_customer_id = LOGIN_CUSTOMER_ID
            self.throttle_next = self.concurrent_next = 0
            self.retry_delay = "0.2s"
            self.rejected_identifiers.clear()
            self.members.clear()
            self.jobs.clear()
            self.refusals.clear()
            self.server.requests.clear()

    def runs(self) -> list[_Job]:
        return [job for job in self.jobs.values() if job.status == "SUCCESS"]

    # ---------------------------------------------------------------------------------------- answers

    def _refuse(self, http: int, status: str, message: str, errors: list[dict[str, Any]] | None = None):
        label = (
            ",".join(f"{k}.{v}" for item in errors or [] for k, v in item["errorCode"].items())
            if errors
            else status
        )
        self.refusals.append(label)
        body = json.dumps({"error": ads_error(http, status, message, errors)}).encode()
        return _Refused(Response(http, body, {"Content-Type": "application/json"}))

    @staticmethod
    def _ok(body: dict[str, Any]) -> Response:
        return Response(200, json.dumps(body).encode(), {"Content-Type": "application/json"})

    def handle(self, request: Request) -> Response:
        with self._lock:
            try:
                return self._handle(request)
            except _Refused as refused:
                return refused.response

    def _handle(self, request: Request) -> Response:
        headers = request.headers
        if headers.get("authorization") != f"Bearer {self.access_token}":
            raise self._refuse(
                401,
                "UNAUTHENTICATED",
                "Request had invalid authentication credentials. Expected OAuth 2 access token.",
            )
        if headers.get("developer-token") != self.developer_token:
            raise self._refuse(
                401,
                "UNAUTHENTICATED",
                "Request is missing or has an invalid developer token.",
                [
                    failure_item(
                        "authenticationError", "DEVELOPER_TOKEN_INVALID", "The developer token is invalid."
                    )
                ],
            )
        if self.login_customer_id is not None and headers.get("login-customer-id") != self.login_customer_id:
            raise self._refuse(
                403,
                "PERMISSION_DENIED",
                "The caller does not have permission",
                [
                    failure_item(
                        "authorizationError",
                        "USER_PERMISSION_DENIED",
                        "User doesn't have permission to access customer. Note: If you're accessing a client "
                        "customer, the manager's customer id must be set in the 'login-customer-id' header.",
                    )
                ],
            )
        if request.method != "POST" or "json" not in headers.get("content-type", ""):
            raise self._refuse(400, "INVALID_ARGUMENT", "POST with a JSON body expected")
        if self.throttle_next:
            self.throttle_next -= 1
            item = failure_item(
                "quotaError", "RESOURCE_TEMPORARILY_EXHAUSTED", "Too many requests in a short amount of time."
            )
            item["details"] = {
                "quotaErrorDetails": {
                    "rateScope": "DEVELOPER",
                    "rateName": "Number of operations for basic access",
                    "retryDelay": self.retry_delay,
                }
            }
            raise self._refuse(
                429, "RESOURCE_EXHAUSTED", "Resource has been exhausted (e.g. check quota).", [item]
            )
        try:
            body = json.loads(request.body or b"{}")
        except ValueError:
            raise self._refuse(400, "INVALID_ARGUMENT", "Invalid JSON payload received.") from None
        if not isinstance(body, dict):
            raise self._refuse(400, "INVALID_ARGUMENT", "Invalid JSON payload received. Expected an object.")
        root = f"/{API_VERSION}/{self.customer}/offlineUserDataJobs"
        if request.path == f"{root}:create":
            return self._create(body)
        job_id, _, method = request.path.removeprefix(f"{root}/").partition(":")
        if not request.path.startswith(f"{root}/") or method not in ("addOperations", "run"):
            raise self._refuse(404, "NOT_FOUND", f"Method not found: {request.path}")
        job = self.jobs.get(job_id)
        if job is None:
            raise self._refuse(
                400,
                "INVALID_ARGUMENT",
                "Request contains an invalid argument.",
                [failure_item("requestError", "RESOURCE_NAME_MALFORMED", "Unknown offline user data job.")],
            )
        if self.concurrent_next:
            self.concurrent_next -= 1
            raise self._refuse(
                400,
                "INVALID_ARGUMENT",
                "Request contains an invalid argument.",
                [
                    failure_item(
                        "databaseError",
                        "CONCURRENT_MODIFICATION",
                        "Multiple requests were attempting to modify the same resource at once. Retry the "
                        "request.",
                    )
                ],
            )
        if job.status != "PENDING":
            raise self._refuse(
                400,
                "INVALID_ARGUMENT",
                "Request contains an invalid argument.",
                [failure_item("offlineUserDataJobError", "INVALID_JOB_STATUS", "The job was already run.")],
            )
        if method == "run":
            return self._run(job_id, job, body)
        return self._add(job, body)

    @staticmethod
    def _unknown(body: dict[str, Any], allowed: set[str], where: str) -> None:
        unknown = sorted(set(body) - allowed)
        if unknown:
            raise _Refused(
                Response(
                    400,
                    json.dumps(
                        {
                            "error": ads_error(
                                400,
                                "INVALID_ARGUMENT",
                                f"Invalid JSON payload received. Unknown name \"{unknown[0]}\" at '{where}': "
                                "Cannot find field.",
                            )
                        }
                    ).encode(),
                    {"Content-Type": "application/json"},
                )
            )

    def _create(self, body: dict[str, Any]) -> Response:
        self._unknown(body, {"job", "validateOnly", "enableMatchRateRangePreview"}, "")
        job = body.get("job")
        if not isinstance(job, dict):
            raise self._refuse(400, "INVALID_ARGUMENT", "job is required")
        self._unknown(job, {"type", "customerMatchUserListMetadata", "externalId"}, "job")
        metadata = job.get("customerMatchUserListMetadata")
        if job.get("type") != "CUSTOMER_MATCH_USER_LIST" or not isinstance(metadata, dict):
            raise self._refuse(
                400,
                "INVALID_ARGUMENT",
                "Request contains an invalid argument.",
                [failure_item("offlineUserDataJobError", "INVALID_USER_LIST_TYPE", "Wrong job type.")],
            )
        self._unknown(metadata, {"userList", "consent"}, "job.customer_match_user_list_metadata")
        if metadata.get("userList") != f"{self.customer}/userLists/{USER_LIST_ID}":
            raise self._refuse(
                400,
                "INVALID_ARGUMENT",
                "Request contains an invalid argument.",
                [
                    failure_item(
                        "offlineUserDataJobError", "INVALID_USER_LIST_ID", "The user list is invalid."
                    )
                ],
            )
        consent = metadata.get("consent")
        if consent is not None:
            if not isinstance(consent, dict):
                raise self._refuse(400, "INVALID_ARGUMENT", "consent must be an object")
            self._unknown(
                consent, {"adUserData", "adPersonalization"}, "job.customer_match_user_list_metadata.consent"
            )
            for value in consent.values():
                if value not in CONSENT_VALUES:
                    raise self._refuse(400, "INVALID_ARGUMENT", f'Invalid value at consent: "{value}"')
        job_id = str(self._next_job)
        self._next_job += 1
        self.jobs[job_id] = _Job(consent=consent)
        return self._ok({"resourceName": f"{self.customer}/offlineUserDataJobs/{job_id}"})

    def _add(self, job: _Job, body: dict[str, Any]) -> Response:
        self._unknown(body, {"operations", "enablePartialFailure", "enableWarnings", "validateOnly"}, "")
        operations = body.get("operations")
        if not isinstance(operations, list) or not operations:
            raise self._refuse(400, "INVALID_ARGUMENT", "operations is required")
        partial = body.get("enablePartialFailure") is True
        total = 0
        for operation in operations:
            if not isinstance(operation, dict) or len(operation) != 1:
                raise self._refuse(
                    400, "INVALID_ARGUMENT", "each operation sets exactly one of create/remove"
                )
            self._unknown(operation, {"create", "remove", "removeAll"}, "operations[0]")
            ((kind, data),) = operation.items()
            if kind == "removeAll":
                raise self._refuse(400, "INVALID_ARGUMENT", "removeAll is not expected from this client")
            if job.kind not in (None, kind) or any(next(iter(other)) != kind for other in operations):
                raise self._refuse(
                    400,
                    "INVALID_ARGUMENT",
                    "Request contains an invalid argument.",
                    [
                        failure_item(
                            "offlineUserDataJobError",
                            "CONFLICTING_OPERATION",
                            "Mixing creation and removal of offline data in the same job is not allowed.",
                        )
                    ],
                )
            if not isinstance(data, dict):
                raise self._refuse(400, "INVALID_ARGUMENT", f"{kind} must be an object")
            self._unknown(data, {"userIdentifiers"}, f"operations[0].{kind}")
            identifiers = data.get("userIdentifiers")
            if not isinstance(identifiers, list) or not identifiers:
                raise self._refuse(400, "INVALID_ARGUMENT", "userIdentifiers is required")
            for identifier in identifiers:
                if not isinstance(identifier, dict):
                    raise self._refuse(400, "INVALID_ARGUMENT", "userIdentifiers must be objects")
                self._unknown(identifier, IDENTIFIER_KEYS, f"operations[0].{kind}.user_identifiers[0]")
                if len(identifier) != 1:
                    raise self._refuse(400, "INVALID_ARGUMENT", "a user identifier sets exactly one key")
                address = identifier.get("addressInfo")
                if address is not None:
                    if not isinstance(address, dict):
                        raise self._refuse(400, "INVALID_ARGUMENT", "addressInfo must be an object")
                    self._unknown(address, ADDRESS_KEYS | ADDRESS_OPTIONAL, "address_info")
            total += len(identifiers)
        too_many = [
            index
            for index, operation in enumerate(operations)
            if len(next(iter(operation.values()))["userIdentifiers"]) > MAX_IDENTIFIERS_PER_OPERATION
        ]
        if too_many or total > MAX_IDENTIFIERS_PER_REQUEST:
            raise self._refuse(
                400,
                "INVALID_ARGUMENT",
                "Request contains an invalid argument.",
                [
                    failure_item(
                        "offlineUserDataJobError",
                        "TOO_MANY_USER_IDENTIFIERS",
                        "Maximum number of user identifiers allowed per request is 100,000 and per operation "
                        "is 20.",
                        [{"fieldName": "operations", "index": too_many[0] if too_many else 0}],
                    )
                ],
            )
        accepted: list[tuple[str, list[Held]]] = []
        errors: list[dict[str, Any]] = []
        for index, operation in enumerate(operations):
            ((kind, data),) = operation.items()
            held, problems = self._identifiers(index, kind, data["userIdentifiers"])
            if problems:
                if not partial:
                    raise self._refuse(
                        400, "INVALID_ARGUMENT", "Request contains an invalid argument.", problems
                    )
                errors.extend(problems)
                continue
            accepted.append((kind, held))
        job.kind = next(iter(operations[0]))
        job.operations.extend(accepted)
        if not errors:
            return self._ok({})
        self.refusals.extend(f"{k}.{v}" for item in errors for k, v in item["errorCode"].items())
        return self._ok(
            {
                "partialFailureError": {
                    "code": 3,
                    "message": f"Multiple errors in 'details'. First error: {errors[0]['message']}",
                    "details": [{"@type": FAILURE_TYPE, "errors": errors, "requestId": "fake-request-id"}],
                }
            }
        )

    def _identifiers(
        self, index: int, kind: str, identifiers: list[dict[str, Any]]
    ) -> tuple[list[Held], list[dict[str, Any]]]:
        held: list[Held] = []
        problems: list[dict[str, Any]] = []
        for position, identifier in enumerate(identifiers):
            ((name, value),) = identifier.items()
            path = [
                {"fieldName": "operations", "index": index},
                {"fieldName": kind},
                {"fieldName": "user_identifiers", "index": position},
            ]
            if name in ("hashedEmail", "hashedPhoneNumber"):
                snake = "hashed_email" if name == "hashedEmail" else "hashed_phone_number"
                if not (isinstance(value, str) and SHA256_HEX.match(value)):
                    problems.append(
                        failure_item(
                            "offlineUserDataJobError",
                            "INVALID_SHA256_FORMAT",
                            "The SHA256 encoded value is malformed.",
                            [*path, {"fieldName": snake}],
                        )
                    )
                    continue
                if value in self.rejected_identifiers:
                    problems.append(
                        failure_item(
                            "offlineUserDataJobError",
                            self.rejected_identifiers[value],
                            "The identifier was refused.",
                            [*path, {"fieldName": snake}],
                        )
                    )
                    continue
                held.append((name, value))
            elif name == "addressInfo":
                missing = sorted(ADDRESS_KEYS - set(value))
                if missing:
                    problems.append(
                        failure_item(
                            "fieldError",
                            "REQUIRED",
                            f"The required field was not present: {missing[0]}.",
                            [*path, {"fieldName": "address_info"}],
                        )
                    )
                    continue
                bad = [
                    key
                    for key in ("hashedFirstName", "hashedLastName")
                    if not (isinstance(value[key], str) and SHA256_HEX.match(value[key]))
                ]
                if bad or not (isinstance(value["countryCode"], str) and COUNTRY.match(value["countryCode"])):
                    problems.append(
                        failure_item(
                            "offlineUserDataJobError",
                            "INVALID_SHA256_FORMAT" if bad else "INVALID_COUNTRY_CODE",
                            "The address is malformed.",
                            [*path, {"fieldName": "address_info"}],
                        )
                    )
                    continue
                held.append(
                    (
                        "addressInfo",
                        value["hashedFirstName"],
                        value["hashedLastName"],
                        value["countryCode"],
                        str(value["postalCode"]),
                    )
                )
            else:
                problems.append(
                    failure_item(
                        "offlineUserDataJobError",
                        "INCOMPATIBLE_UPLOAD_KEY_TYPE",
                        "Upload data is not compatible with the upload key type of the associated user list.",
                        path,
                    )
                )
        return held, problems

    def _run(self, job_id: str, job: _Job, body: dict[str, Any]) -> Response:
        self._unknown(body, {"validateOnly"}, "")
        if job.kind == "create" and job.consent is None:
            raise self._refuse(
                400,
                "INVALID_ARGUMENT",
                "Request contains an invalid argument.",
                [
                    failure_item(
                        "offlineUserDataJobError", "INVALID_CONSENT", "Consent is required to add users."
                    )
                ],
            )
        for kind, identifiers in job.operations:
            for identifier in identifiers:
                if kind == "create":
                    self.members.add(identifier)
                else:
                    self.members.discard(identifier)
        job.status = "SUCCESS"
        return self._ok(
            {
                "name": f"{self.customer}/operations/{job_id}",
                "metadata": {"@type": "OfflineUserDataJobMetadata"},
            }
        )
