"""HubSpot specifics the conformance suite cannot see: 207 mapping by trace id, list membership on removal and
on a changed e-mail, the fake's batch cap, DAILY versus rolling-window throttling, mapping checks."""

from __future__ import annotations

import json
from typing import Any

import pytest
import requests

from activation.destinations.hubspot import HubSpotDestination, HubSpotSettings, upsert_outcomes
from activation.errors import FatalDestinationError, RateLimitedError
from tests.activation.conftest import Fakes
from tests.activation.destinations_kit import make_batch, open_destination
from tests.activation.fakes.hubspot import LIST_ID, TOKEN, FakeHubSpot


@pytest.fixture
def hubspot(fakes: Fakes) -> FakeHubSpot:
    fakes.hubspot.reset()
    return fakes.hubspot


def destination(
    fake: FakeHubSpot, fields: tuple[str, ...] = ("city",), **settings: Any
) -> HubSpotDestination:
    values = {"access_token_env": "HS_TOKEN", "base_url": fake.url, "list_id": LIST_ID} | settings
    identifiers = ("email",) if HubSpotSettings(**values).id_property == "email" else ()
    built = open_destination(HubSpotDestination, values, {"HS_TOKEN": TOKEN}, identifiers, fields)
    assert isinstance(built, HubSpotDestination)
    return built


def list_emails(fake: FakeHubSpot) -> set[str]:
    return {fields["email"] for fields in fake.members().values()}


def test_multi_status_errors_map_back_by_trace_id(hubspot: FakeHubSpot) -> None:
    hubspot.rejected_ids.add("b@example.com")
    sent = [
        ("k1", {"email": " A@Example.com ", "city": "Lyon"}, None),
        ("k2", {"email": "b@example.com", "city": "Nice"}, None),
        ("k3", {"email": "c@example.com", "city": None}, None),
    ]
    outcome = destination(hubspot).send(make_batch("add", sent))
    assert [(rejection.record_key, rejection.code) for rejection in outcome.rejections] == [
        ("k2", "VALIDATION_ERROR")
    ]
    assert not outcome.rejections[0].retryable
    assert list_emails(hubspot) == {"a@example.com", "c@example.com"}
    upsert = json.loads(hubspot.server.requests[0].body)
    assert [item["objectWriteTraceId"] for item in upsert["inputs"]] == ["0", "1", "2"]
    # A null becomes "" (clears the property); e-mails go lower-cased and trimmed.
    assert upsert["inputs"][2]["properties"] == {"email": "c@example.com", "city": ""}


def test_an_input_with_neither_result_nor_error_is_retried() -> None:
    body = {"status": "COMPLETE", "results": [{"id": "7", "objectWriteTraceId": "1"}]}
    record_ids, rejections = upsert_outcomes(body, ["k0", "k1"])
    assert record_ids == {"k1": "7"}
    assert [(item.record_key, item.code, item.retryable) for item in rejections] == [
        ("k0", "no_result", True)
    ]


def test_records_without_a_usable_or_unique_email_are_rejected_before_sending(hubspot: FakeHubSpot) -> None:
    sent = [
        ("k1", {"email": "same@example.com"}, None),
        ("k2", {"email": "SAME@example.com"}, None),
        ("k3", {"email": "not an address"}, None),
    ]
    outcome = destination(hubspot, fields=()).send(make_batch("add", sent))
    assert {(item.record_key, item.code) for item in outcome.rejections} == {
        ("k2", "duplicate_id_in_batch"),
        ("k3", "invalid_email"),
    }
    assert list_emails(hubspot) == {"same@example.com"}


def test_removal_leaves_the_list_but_never_deletes_the_contact(hubspot: FakeHubSpot) -> None:
    sink = destination(hubspot)
    sink.send(
        make_batch("add", [("k1", {"email": "a@example.com"}, None), ("k2", {"email": "b@x.org"}, None)])
    )
    outcome = sink.send(
        make_batch("remove", [("k1", {"email": "a@example.com"}, None), ("k9", {"email": "z@z.io"}, None)])
    )
    assert not outcome.rejections
    assert list_emails(hubspot) == {"b@x.org"}
    assert {fields["email"] for fields in hubspot.contacts.values()} == {"a@example.com", "b@x.org"}


def test_removal_without_a_list_changes_nothing_and_says_so(hubspot: FakeHubSpot) -> None:
    sink = destination(hubspot, list_id=None)
    outcome = sink.send(make_batch("remove", [("k1", {"email": "a@example.com"}, None)]))
    assert outcome.requests == 0 and outcome.warnings
    assert not hubspot.server.requests


def test_a_changed_email_moves_list_membership_to_the_new_contact(hubspot: FakeHubSpot) -> None:
    sink = destination(hubspot)
    sink.send(make_batch("add", [("k1", {"email": "old@example.com"}, None)]))
    sink.send(make_batch("update", [("k1", {"email": "new@example.com"}, {"email": "old@example.com"})]))
    assert list_emails(hubspot) == {"new@example.com"}
    assert len(hubspot.contacts) == 2


def test_a_unique_custom_property_carries_the_record_key(hubspot: FakeHubSpot) -> None:
    settings = HubSpotSettings(access_token_env="T", id_property="cdp_customer_id")
    assert not HubSpotDestination.keeps_identity(settings)
    sink = destination(hubspot, fields=("email",), id_property="cdp_customer_id")
    sink.send(make_batch("add", [("cust_1", {"email": "a@example.com"}, None)]))
    assert [fields["cdp_customer_id"] for fields in hubspot.members().values()] == ["cust_1"]
    sink.send(make_batch("remove", [("cust_1", {}, None)]))
    assert not hubspot.members()


def test_the_fake_refuses_more_than_100_inputs(hubspot: FakeHubSpot) -> None:
    inputs = [{"idProperty": "email", "id": f"p{index}@x.org", "properties": {}} for index in range(101)]
    response = requests.post(
        f"{hubspot.url}/crm/v3/objects/contacts/batch/upsert",
        json={"inputs": inputs},
        headers={"Authorization": f"Bearer {TOKEN}"},
        timeout=10,
    )
    assert response.status_code == 400 and response.json()["category"] == "VALIDATION_ERROR"
    assert not hubspot.contacts


def test_rolling_window_is_rate_limited_with_the_window_as_hint(hubspot: FakeHubSpot) -> None:
    hubspot.throttle_next, hubspot.interval_ms = 1, 2_000
    with pytest.raises(RateLimitedError) as raised:
        destination(hubspot).send(make_batch("add", [("k1", {"email": "a@example.com"}, None)]))
    assert raised.value.retry_after == 2.0 and raised.value.code == "TEN_SECONDLY_ROLLING"


def test_daily_limit_stops_the_run(hubspot: FakeHubSpot) -> None:
    hubspot.daily_exhausted = True
    with pytest.raises(FatalDestinationError, match="daily"):
        destination(hubspot).send(make_batch("add", [("k1", {"email": "a@example.com"}, None)]))


def test_daily_remaining_zero_stops_before_the_next_batch(hubspot: FakeHubSpot) -> None:
    hubspot.daily_remaining = 2  # upsert and list add use them up
    sink = destination(hubspot)
    assert not sink.send(make_batch("add", [("k1", {"email": "a@example.com"}, None)])).rejections
    calls = len(hubspot.server.requests)
    with pytest.raises(FatalDestinationError, match="Daily-Remaining"):
        sink.send(make_batch("add", [("k2", {"email": "b@example.com"}, None)]))
    assert len(hubspot.server.requests) == calls


def test_mapping_checks_name_the_missing_property() -> None:
    settings = HubSpotSettings(access_token_env="T")
    problems = HubSpotDestination.check_sync(settings, {"birth_date": "birth_date"}, {})
    assert ("identifiers.email", "hubspot upserts on email (id_property): map it") in problems
    assert any(path == "identifiers.birth_date" for path, _message in problems)
    renamed = HubSpotSettings(access_token_env="T", property_names={"birth_date": "date_of_birth"})
    assert not HubSpotDestination.check_sync(renamed, {"email": "email", "birth_date": "birth_date"}, {})
