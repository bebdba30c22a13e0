"""Salesforce specifics the conformance suite cannot see: results in request order, retryable lock errors,
the three removal choices, SOQL quoting, the fake's 200-record cap, daily allocation versus concurrency
limits, API usage pacing, settings checks."""

from __future__ import annotations

import json
from typing import Any

import pytest
import requests
from pydantic import ValidationError

from activation.destinations.salesforce import SalesforceDestination, SalesforceSettings, soql_literal
from activation.errors import FatalDestinationError, RateLimitedError
from tests.activation.conftest import Fakes
from tests.activation.destinations_kit import make_batch, open_destination
from tests.activation.fakes.salesforce import API_VERSION, EXTERNAL_ID, TOKEN, FakeSalesforce


@pytest.fixture
def salesforce(fakes: Fakes) -> FakeSalesforce:
    fakes.salesforce.reset()
    return fakes.salesforce


def destination(fake: FakeSalesforce, token: str = TOKEN, **settings: Any) -> SalesforceDestination:
    values = {
        "instance_url": fake.url,
        "access_token_env": "SF_TOKEN",
        "external_id_field": EXTERNAL_ID,
        "field_names": {"city": "MailingCity"},
    } | settings
    built = open_destination(SalesforceDestination, values, {"SF_TOKEN": token}, fields=("last_name", "city"))
    assert isinstance(built, SalesforceDestination)
    return built


def person(
    key: str, email: str = "a@example.com", last_name: str | None = "Martin"
) -> tuple[str, dict[str, Any], None]:
    return key, {"email": email, "last_name": last_name, "city": "Lyon"}, None


def test_results_in_request_order_become_rejections(salesforce: FakeSalesforce) -> None:
    salesforce.locked_keys.add("k2")
    sent = [
        person("k1"),
        person("k2"),
        person("k3", email="nope"),
        person("k4", last_name=None),
        person("k5"),
    ]
    outcome = destination(salesforce).send(make_batch("add", sent))
    assert [(item.record_key, item.code, item.retryable) for item in outcome.rejections] == [
        ("k2", "UNABLE_TO_LOCK_ROW", True),
        ("k3", "INVALID_EMAIL_ADDRESS", False),
        ("k4", "REQUIRED_FIELD_MISSING", False),
    ]
    assert "LastName" in outcome.rejections[2].message
    assert set(salesforce.by_external_id()) == {"k1", "k5"}
    body = json.loads(salesforce.server.requests[0].body)
    assert body["allOrNone"] is False
    assert body["records"][0] == {
        "attributes": {"type": "Contact"},
        "Email": "a@example.com",
        "LastName": "Martin",
        "MailingCity": "Lyon",
        EXTERNAL_ID: "k1",
    }
    assert (
        salesforce.server.requests[0].path
        == f"/services/data/{API_VERSION}/composite/sobjects/Contact/{EXTERNAL_ID}"
    )


def test_delete_finds_ids_by_external_id_and_is_harmless_twice(salesforce: FakeSalesforce) -> None:
    sink = destination(salesforce, on_remove="delete")
    quoted = "o'brien\\1"
    sink.send(make_batch("add", [person("k1"), person(quoted), person("k3")]))
    removal = make_batch("remove", [(quoted, {}, None), ("k1", {}, None), ("never-sent", {}, None)])
    assert not sink.send(removal).rejections
    assert set(salesforce.by_external_id()) == {"k3"} and len(salesforce.deleted) == 2
    assert not sink.send(removal).rejections  # resent after a crash: nothing left to delete


def test_update_on_removal_flags_the_record_and_never_recreates_it(salesforce: FakeSalesforce) -> None:
    sink = destination(salesforce, on_remove="update", removal_fields={"In_CDP_Segment__c": False})
    sink.send(make_batch("add", [person("k1"), person("k2")]))
    salesforce.records.pop(
        next(rid for rid, fields in salesforce.records.items() if fields[EXTERNAL_ID] == "k2")
    )
    assert not sink.send(make_batch("remove", [("k1", {}, None), ("k2", {}, None)])).rejections
    assert {key: fields.get("In_CDP_Segment__c") for key, fields in salesforce.by_external_id().items()} == {
        "k1": False
    }


def test_keep_on_removal_sends_nothing(salesforce: FakeSalesforce) -> None:
    outcome = destination(salesforce).send(make_batch("remove", [("k1", {}, None)]))
    assert outcome.requests == 0 and not salesforce.server.requests


def test_soql_literal_escapes_quotes_and_backslashes() -> None:
    assert soql_literal("o'brien\\x") == "'o\\'brien\\\\x'"


def test_the_fake_refuses_more_than_200_records(salesforce: FakeSalesforce) -> None:
    records = [
        {"attributes": {"type": "Contact"}, EXTERNAL_ID: f"k{index}", "LastName": "X"} for index in range(201)
    ]
    response = requests.patch(
        f"{salesforce.url}/services/data/{API_VERSION}/composite/sobjects/Contact/{EXTERNAL_ID}",
        json={"allOrNone": False, "records": records},
        headers={"Authorization": f"Bearer {TOKEN}"},
        timeout=10,
    )
    assert response.status_code == 400 and response.json()[0]["errorCode"] == "EXCEEDED_ID_LIMIT"
    assert not salesforce.records


def test_concurrency_limit_is_rate_limited_but_the_daily_allocation_stops(salesforce: FakeSalesforce) -> None:
    salesforce.throttle_next = 1
    with pytest.raises(RateLimitedError):
        destination(salesforce).send(make_batch("add", [person("k1")]))
    salesforce.api_used = salesforce.api_allocation
    with pytest.raises(FatalDestinationError, match="daily API allocation"):
        destination(salesforce).send(make_batch("add", [person("k1")]))


def test_api_usage_at_the_configured_share_stops_before_the_next_batch(salesforce: FakeSalesforce) -> None:
    salesforce.api_used, salesforce.api_allocation = 48, 100
    sink = destination(salesforce, max_api_usage_percent=50)
    assert not sink.send(make_batch("add", [person("k1")])).rejections  # usage 49/100 after it
    sink.send(make_batch("add", [person("k2")]))  # 50/100 now
    calls = len(salesforce.server.requests)
    with pytest.raises(FatalDestinationError, match="API usage"):
        sink.send(make_batch("add", [person("k3")]))
    assert len(salesforce.server.requests) == calls


def test_an_invalid_session_stops_the_sync(salesforce: FakeSalesforce) -> None:
    with pytest.raises(FatalDestinationError, match="access token") as raised:
        destination(salesforce, token="00Dexpired-token-0000").send(make_batch("add", [person("k1")]))
    assert raised.value.code == "INVALID_SESSION_ID"


def test_settings_and_mapping_checks() -> None:
    base = {
        "instance_url": "https://acme.my.salesforce.com",
        "access_token_env": "T",
        "external_id_field": "X__c",
    }
    with pytest.raises(ValidationError, match="removal_fields"):
        SalesforceSettings(**base, on_remove="update")
    with pytest.raises(ValidationError, match=r"v46\.0"):
        SalesforceSettings(**base, api_version="v45.0")
    lead = SalesforceSettings(**base, sobject="Lead")
    problems = SalesforceDestination.check_sync(lead, {"email": "email"}, {"score": "score"})
    assert [path for path, _message in problems] == ["identifiers.email", "fields.score"]
    assert not SalesforceDestination.keeps_identity(lead)
