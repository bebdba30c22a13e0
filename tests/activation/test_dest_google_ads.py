"""Google Ads Customer Match specifics the conformance suite cannot see: partial failures mapped back to
records across several addOperations requests, create and remove never in one job, updates removing only the
identifiers a person lost, the error classes of Google's failures, and the fake refusing what Google
refuses."""

from __future__ import annotations

from typing import Any

import pytest
import requests

from activation.destinations.google_ads import (
    GoogleAdsCustomerMatchDestination,
    parse_duration,
    user_identifiers,
)
from activation.errors import FatalDestinationError, RateLimitedError, TransientDestinationError
from activation.syncs import pii
from tests.activation.conftest import Fakes
from tests.activation.destinations_kit import make_batch, open_destination
from tests.activation.fakes import google_ads as fake

ENVIRON = {"GADS_TOKEN": fake.ACCESS_TOKEN, "GADS_DEV": fake.DEVELOPER_TOKEN}


@pytest.fixture
def google(fakes: Fakes) -> fake.FakeGoogleAds:
    fakes.google_ads.reset()
    return fakes.google_ads


def destination(
    google: fake.FakeGoogleAds, environ: dict[str, str] | None = None, **settings: Any
) -> GoogleAdsCustomerMatchDestination:
    values = {
        "customer_id": fake.CUSTOMER_ID,
        "user_list_id": fake.USER_LIST_ID,
        "login_customer_id": fake.LOGIN_CUSTOMER_ID,
        "developer_token_env": "GADS_DEV",
        "access_token_env": "GADS_TOKEN",
        "base_url": google.url,
    } | settings
    built = open_destination(
        GoogleAdsCustomerMatchDestination,
        values,
        environ or ENVIRON,
        identifiers=("email", "phone", "first_name", "last_name", "country", "postal_code"),
    )
    assert isinstance(built, GoogleAdsCustomerMatchDestination)
    return built


def person(number: int, **overrides: Any) -> dict[str, Any]:
    return {
        "email": f" Person.{number}@Example.com ",
        "phone": f"+33 6 12 00 00 {number:02d}",
        "first_name": "Émilie",
        "last_name": "Martin",
        "country": "fr",
        "postal_code": f"690{number:02d}",
    } | overrides


def email_hash(number: int) -> str:
    return pii.sha256_hex(f"person.{number}@example.com")


def test_identifiers_follow_google_formatting() -> None:
    identifiers = user_identifiers(person(1))
    assert identifiers == [
        {"hashedEmail": email_hash(1)},
        {"hashedPhoneNumber": pii.sha256_hex("+33612000001")},
        {
            "addressInfo": {
                "hashedFirstName": pii.sha256_hex("émilie"),
                "hashedLastName": pii.sha256_hex("martin"),
                "countryCode": "FR",
                "postalCode": "69001",
            }
        },
    ]
    # A national phone number (no country code) and an incomplete address are left out, not guessed.
    assert user_identifiers(person(1, phone="06 12 00 00 01", postal_code=None)) == [
        {"hashedEmail": email_hash(1)}
    ]
    assert parse_duration("30s") == 30.0 and parse_duration("1.5s") == 1.5 and parse_duration("soon") is None


def test_partial_failure_is_mapped_to_the_record_across_requests(google: fake.FakeGoogleAds) -> None:
    google.rejected_identifiers[email_hash(4)] = "INVALID_SHA256_FORMAT"
    records = [(f"cust_{number}", person(number), None) for number in range(1, 6)]
    outcome = destination(google, operations_per_request=2).send(make_batch("add", records))
    # The refused person is the second operation of the second request: index 1, offset by two.
    assert [(item.record_key, item.code, item.retryable) for item in outcome.rejections] == [
        ("cust_4", "offlineUserDataJobError.INVALID_SHA256_FORMAT", False)
    ]
    assert outcome.requests == 1 + 3 + 1  # create, three addOperations, run
    (job,) = google.runs()
    assert job.kind == "create" and job.consent == {"adUserData": "GRANTED", "adPersonalization": "GRANTED"}
    assert ("hashedEmail", email_hash(3)) in google.members
    assert ("hashedEmail", email_hash(4)) not in google.members
    headers = google.server.requests[0].headers
    assert headers["login-customer-id"] == fake.LOGIN_CUSTOMER_ID
    assert headers["developer-token"] == fake.DEVELOPER_TOKEN


def test_update_removes_only_lost_identifiers_in_a_removal_job(google: fake.FakeGoogleAds) -> None:
    sender = destination(google)
    sender.send(make_batch("add", [("cust_1", person(1), None)]))
    moved = person(1, email="new.address@example.com")
    outcome = sender.send(make_batch("update", [("cust_1", moved, person(1))]))
    assert not outcome.rejections
    assert not google.refusals  # create and remove never share a job
    kinds = [job.kind for job in google.runs()]
    assert kinds == ["create", "remove", "create"]
    removal = google.runs()[1]
    assert removal.consent is None and removal.operations == [("remove", [("hashedEmail", email_hash(1))])]
    assert google.members == {identifier for identifier in _held(moved)}

    sender.send(make_batch("remove", [("cust_1", moved, None)]))
    assert google.members == set()


def _held(identity: dict[str, Any]) -> set[tuple[str, ...]]:
    held: set[tuple[str, ...]] = set()
    for identifier in user_identifiers(identity):
        ((name, value),) = identifier.items()
        if name == "addressInfo":
            held.add((name, *value.values()))
        else:
            held.add((name, value))
    return held


def test_google_errors_are_classified(google: fake.FakeGoogleAds) -> None:
    one = make_batch("add", [("cust_1", person(1), None)])
    google.throttle_next, google.retry_delay = 1, "7s"
    with pytest.raises(RateLimitedError) as throttled:
        destination(google).send(one)  # its transport now holds requests back for 7 s
    assert throttled.value.retry_after == 7.0 and throttled.value.status == 429

    sender = destination(google)

    google.concurrent_next = 1
    with pytest.raises(TransientDestinationError) as concurrent:
        sender.send(one)
    assert concurrent.value.code == "databaseError.CONCURRENT_MODIFICATION"
    assert not isinstance(concurrent.value, RateLimitedError)
    # The job whose operations failed was never run: nothing was applied twice or half-way.
    assert all(job.status == "PENDING" for job in google.jobs.values())

    wrong = destination(google, environ={"GADS_TOKEN": fake.ACCESS_TOKEN, "GADS_DEV": "not-the-dev-token"})
    with pytest.raises(FatalDestinationError) as refused:
        wrong.send(one)
    assert refused.value.code == "authenticationError.DEVELOPER_TOKEN_INVALID"
    assert "not-the-dev-token" not in str(refused.value)

    no_manager = destination(google, login_customer_id=None)
    with pytest.raises(FatalDestinationError, match="permission"):
        no_manager.send(one)


def test_a_person_without_usable_identifiers_is_rejected_before_sending(google: fake.FakeGoogleAds) -> None:
    nobody = {"email": "not-an-address", "phone": "0612", "first_name": "Théo"}
    outcome = destination(google).send(make_batch("add", [("cust_9", nobody, None)]))
    assert [item.code for item in outcome.rejections] == ["no_usable_identifier"]
    assert google.server.requests == []


def _post(google: fake.FakeGoogleAds, path: str, body: dict[str, Any]) -> requests.Response:
    return requests.post(
        f"{google.url}/{fake.API_VERSION}/customers/{fake.CUSTOMER_ID}/{path}",
        json=body,
        headers={
            "Authorization": f"Bearer {fake.ACCESS_TOKEN}",
            "developer-token": fake.DEVELOPER_TOKEN,
            "login-customer-id": fake.LOGIN_CUSTOMER_ID,
        },
        timeout=10,
    )


def _codes(response: requests.Response) -> list[str]:
    document = response.json()
    status = document.get("error") or document.get("partialFailureError") or {}
    return [
        f"{category}.{value}"
        for detail in status.get("details", [])
        for item in detail["errors"]
        for category, value in item["errorCode"].items()
    ]


def test_the_fake_refuses_what_google_refuses(google: fake.FakeGoogleAds) -> None:
    job = _post(
        google,
        "offlineUserDataJobs:create",
        {
            "job": {
                "type": "CUSTOMER_MATCH_USER_LIST",
                "customerMatchUserListMetadata": {
                    "userList": f"customers/{fake.CUSTOMER_ID}/userLists/{fake.USER_LIST_ID}"
                },
            }
        },
    ).json()["resourceName"]
    hashed = {"hashedEmail": email_hash(1)}
    over_cap = _post(
        google,
        f"{job.split('/', 2)[2]}:addOperations",
        {"operations": [{"create": {"userIdentifiers": [hashed] * 21}}]},
    )
    assert over_cap.status_code == 400
    assert _codes(over_cap) == ["offlineUserDataJobError.TOO_MANY_USER_IDENTIFIERS"]
    mixed = _post(
        google,
        f"{job.split('/', 2)[2]}:addOperations",
        {
            "operations": [
                {"create": {"userIdentifiers": [hashed]}},
                {"remove": {"userIdentifiers": [hashed]}},
            ]
        },
    )
    assert _codes(mixed) == ["offlineUserDataJobError.CONFLICTING_OPERATION"]
    unknown = _post(
        google,
        f"{job.split('/', 2)[2]}:addOperations",
        {"operations": [{"create": {"userIdentifiers": [hashed], "consent": {}}}]},
    )
    assert unknown.status_code == 400 and "Unknown name" in unknown.json()["error"]["message"]
    clear = _post(
        google,
        f"{job.split('/', 2)[2]}:addOperations",
        {
            "enablePartialFailure": True,
            "operations": [
                {"create": {"userIdentifiers": [hashed]}},
                {"create": {"userIdentifiers": [{"hashedEmail": "person.2@example.com"}]}},
            ],
        },
    )
    assert clear.status_code == 200 and _codes(clear) == ["offlineUserDataJobError.INVALID_SHA256_FORMAT"]
    path = clear.json()["partialFailureError"]["details"][0]["errors"][0]["location"]["fieldPathElements"]
    assert path[0] == {"fieldName": "operations", "index": 1}
