"""LinkedIn Matched Audiences specifics the conformance suite cannot see: the exact request (headers, elements
with attributes on ADD only, Android advertising ids in clear), per-element statuses mapped back to records
by position, an update removing only the lost e-mail, 429 DAY limits failing the batch until midnight UTC, the
sync checks, and the fake refusing an over-cap request."""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

import pytest
import requests

from activation.destinations.linkedin import (
    LinkedInMatchedAudienceDestination,
    LinkedInMatchedAudienceSettings,
    classify_linkedin_response,
    seconds_until_utc_midnight,
)
from activation.errors import FatalDestinationError, PermanentDestinationError, RateLimitedError
from activation.syncs import pii
from activation.syncs.delivery import Redactor
from tests.activation.conftest import Fakes
from tests.activation.destinations_kit import make_batch, open_destination
from tests.activation.fakes import linkedin as fake

AAID = "38400000-8cf0-11bd-b23e-10b96e40000d"


@pytest.fixture
def linkedin(fakes: Fakes) -> fake.FakeLinkedIn:
    fakes.linkedin.reset()
    return fakes.linkedin


def destination(linkedin: fake.FakeLinkedIn, **overrides: Any) -> LinkedInMatchedAudienceDestination:
    built = open_destination(
        LinkedInMatchedAudienceDestination,
        {"segment_id": fake.SEGMENT_ID, "access_token_env": "LI_TOKEN", "base_url": linkedin.url} | overrides,
        {"LI_TOKEN": fake.TOKEN},
        identifiers=("email", "mobile_advertiser_id"),
        fields=("first_name", "last_name", "title", "company", "country"),
    )
    assert isinstance(built, LinkedInMatchedAudienceDestination)
    return built


def test_request_carries_the_documented_headers_and_elements(linkedin: fake.FakeLinkedIn) -> None:
    person = {
        "email": " Ana.Lopez@Example.com ",
        "mobile_advertiser_id": AAID.upper(),
        "first_name": " Ana ",
        "last_name": "López  García",
        "title": "CTO",
        "company": "Acme",
        "country": "es",
    }
    sender = destination(linkedin, mobile_advertiser_id_type="GOOGLE_AID")
    outcome = sender.send(make_batch("add", [("cust_1", person, None)]))
    assert not outcome.rejections and outcome.requests == 1
    request = linkedin.server.requests[0]
    assert request.path == f"/rest/dmpSegments/{fake.SEGMENT_ID}/users"
    assert request.headers["authorization"] == f"Bearer {fake.TOKEN}"
    assert request.headers["linkedin-version"] == "202603"
    assert request.headers["x-restli-protocol-version"] == "2.0.0"
    assert request.headers["x-restli-method"] == "BATCH_CREATE"
    assert json.loads(request.body) == {
        "elements": [
            {
                "action": "ADD",
                "userIds": [
                    {"idType": "SHA256_EMAIL", "idValue": pii.sha256_hex("ana.lopez@example.com")},
                    {"idType": "GOOGLE_AID", "idValue": AAID},
                ],
                "firstName": "Ana",
                "lastName": "López García",
                "title": "CTO",
                "company": "Acme",
                "country": "ES",
            }
        ]
    }
    sender.send(make_batch("remove", [("cust_1", {"email": person["email"]}, None)]))
    removal = json.loads(linkedin.server.requests[1].body)["elements"]
    assert removal == [
        {
            "action": "REMOVE",
            "userIds": [{"idType": "SHA256_EMAIL", "idValue": pii.sha256_hex("ana.lopez@example.com")}],
        }
    ]
    assert set(linkedin.members) == {("GOOGLE_AID", AAID)}


def test_element_statuses_map_back_to_records_by_position(linkedin: fake.FakeLinkedIn) -> None:
    linkedin.rejected_ids.add(pii.sha256_hex("b@example.com"))
    outcome = destination(linkedin).send(
        make_batch(
            "add",
            [
                ("cust_a", {"email": "a@example.com"}, None),
                ("cust_b", {"email": "b@example.com"}, None),
                ("cust_none", {"email": "not-an-address"}, None),
                ("cust_c", {"email": "c@example.com"}, None),
            ],
        )
    )
    by_key = {rejection.record_key: rejection for rejection in outcome.rejections}
    assert set(by_key) == {"cust_b", "cust_none"}
    assert by_key["cust_b"].code == "status_400" and not by_key["cust_b"].retryable
    assert by_key["cust_none"].code == "no_usable_identifier"
    assert {value for _type, value in linkedin.members} == {
        pii.sha256_hex("a@example.com"),
        pii.sha256_hex("c@example.com"),
    }


def test_update_removes_only_the_lost_email(linkedin: fake.FakeLinkedIn) -> None:
    sender = destination(linkedin)
    before = {"email": "old@example.com"}
    sender.send(make_batch("add", [("cust_1", before | {"first_name": "Ana"}, None)]))
    outcome = sender.send(
        make_batch("update", [("cust_1", {"email": "new@example.com", "first_name": "Ana"}, before)])
    )
    assert outcome.requests == 1 and not outcome.rejections
    assert [item["action"] for item in json.loads(linkedin.server.requests[1].body)["elements"]] == [
        "ADD",
        "REMOVE",
    ]
    assert linkedin.members == {("SHA256_EMAIL", pii.sha256_hex("new@example.com")): {"firstName": "Ana"}}


def test_a_short_answer_cannot_be_mapped_and_fails_the_batch() -> None:
    response = requests.Response()
    response.status_code = 200
    response._content = b'{"elements": [{"status": 201}]}'
    chunk = [("a", {}), ("b", {})]
    with pytest.raises(PermanentDestinationError):
        LinkedInMatchedAudienceDestination._element_failures(response, chunk)


def _answer(status: int, body: dict[str, Any]) -> requests.Response:
    response = requests.Response()
    response.status_code = status
    response._content = json.dumps(body).encode()
    return response


def test_throttling_and_auth_are_classified() -> None:
    with pytest.raises(RateLimitedError) as minute:
        classify_linkedin_response(
            _answer(
                429,
                {
                    "status": 429,
                    "message": "Resource level throttle limit for calls to this resource is reached.",
                },
            ),
            Redactor(),
        )
    assert minute.value.retry_after is None
    with pytest.raises(RateLimitedError) as daily:
        classify_linkedin_response(
            _answer(
                429,
                {
                    "status": 429,
                    "message": "Resource level throttle APPLICATION DAY limit for calls to this resource is "
                    "reached.",
                },
            ),
            Redactor(),
        )
    assert daily.value.retry_after is not None and daily.value.retry_after > 0
    for status in (401, 403, 404):
        with pytest.raises(FatalDestinationError):
            classify_linkedin_response(_answer(status, {"status": status, "message": "no"}), Redactor())
    with pytest.raises(PermanentDestinationError) as bad:
        classify_linkedin_response(_answer(400, {"status": 400, "message": "bad"}), Redactor())
    assert type(bad.value) is PermanentDestinationError


def test_seconds_until_utc_midnight() -> None:
    assert seconds_until_utc_midnight(dt.datetime(2026, 3, 1, 23, 59, 30, tzinfo=dt.UTC)) == 30.0


def test_sync_checks_refuse_unknown_fields_and_untyped_mobile_ids() -> None:
    settings = LinkedInMatchedAudienceSettings(segment_id="1", access_token_env="LI_TOKEN")
    problems = dict(
        LinkedInMatchedAudienceDestination.check_sync(
            settings, {"email": "email", "mobile_advertiser_id": "maid", "phone": "phone"}, {"city": "city"}
        )
    )
    assert set(problems) == {"identifiers.phone", "identifiers.mobile_advertiser_id", "fields.city"}
    typed = settings.model_copy(update={"mobile_advertiser_id_type": "GOOGLE_AID"})
    assert not LinkedInMatchedAudienceDestination.check_sync(
        typed, {"email": "email", "mobile_advertiser_id": "maid"}, {"title": "job_title"}
    )


def test_the_fake_refuses_an_over_cap_request(linkedin: fake.FakeLinkedIn) -> None:
    entry = {
        "action": "ADD",
        "userIds": [{"idType": "SHA256_EMAIL", "idValue": pii.sha256_hex("a@example.com")}],
    }
    headers = {
        "Authorization": f"Bearer {fake.TOKEN}",
        "LinkedIn-Version": "202603",
        "X-Restli-Protocol-Version": "2.0.0",
        "X-RestLi-Method": "BATCH_CREATE",
    }
    url = f"{linkedin.url}{fake.USERS_PATH}"
    answer = requests.post(
        url, json={"elements": [entry] * (fake.MAX_ELEMENTS + 1)}, headers=headers, timeout=10
    )
    assert answer.status_code == 400 and not linkedin.members
    unhashed = {"action": "ADD", "userIds": [{"idType": "SHA256_EMAIL", "idValue": "a@example.com"}]}
    assert requests.post(url, json={"elements": [unhashed]}, headers=headers, timeout=10).status_code == 400
    assert requests.post(url, json={"elements": [entry]}, headers=headers, timeout=10).json() == {
        "elements": [{"status": 201}]
    }
