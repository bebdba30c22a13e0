"""Mailchimp specifics the conformance suite cannot see: the data centre from the key, per-member errors in a
200, the 500-member cap, unsubscribe (never delete) on removal and on a changed address."""

from __future__ import annotations

import json

import pytest
import requests

from activation.destinations.mailchimp import MailchimpDestination, data_centre
from activation.errors import ConfigurationError, FatalDestinationError, RateLimitedError
from tests.activation.conftest import Fakes
from tests.activation.destinations_kit import make_batch, open_destination
from tests.activation.fakes.mailchimp import API_KEY, LIST_ID, subscriber_hash


@pytest.fixture
def mailchimp(fakes: Fakes) -> Fakes:
    fakes.mailchimp.reset()
    return fakes


def destination(fakes: Fakes, **settings: object) -> MailchimpDestination:
    opened = open_destination(
        MailchimpDestination,
        {"list_id": LIST_ID, "api_key_env": "MC_KEY", "base_url": fakes.mailchimp.url, **settings},
        {"MC_KEY": API_KEY},
        fields=("first_name", "last_name"),
    )
    assert isinstance(opened, MailchimpDestination)
    return opened


def test_data_centre_comes_from_the_key_suffix() -> None:
    assert data_centre("0123456789abcdef-us21") == "us21"
    assert data_centre("abc-def-us6") == "us6"
    with pytest.raises(ConfigurationError, match="data-centre"):
        data_centre("0123456789abcdef")
    opened = open_destination(
        MailchimpDestination, {"list_id": LIST_ID, "api_key_env": "MC_KEY"}, {"MC_KEY": API_KEY}
    )
    assert opened._url == f"https://us21.api.mailchimp.com/3.0/lists/{LIST_ID}"


def test_members_are_upserted_with_merge_fields_and_errors_map_to_records(mailchimp: Fakes) -> None:
    mailchimp.mailchimp.rejected_emails.add("refused@example.com")
    outcome = destination(mailchimp).send(
        make_batch(
            "add",
            [
                ("c1", {"email": "  Ada@Example.COM ", "first_name": "Ada", "last_name": None}, None),
                ("c2", {"email": "refused@example.com", "first_name": "Bob"}, None),
                ("c3", {"email": "not-an-address"}, None),
            ],
        )
    )
    assert [
        (rejection.record_key, rejection.code, rejection.retryable) for rejection in outcome.rejections
    ] == [
        ("c3", "invalid_email", False),
        ("c2", "ERROR_GENERIC", False),
    ]
    assert "compliance state" in outcome.rejections[1].message
    assert "refused@" not in outcome.rejections[1].message
    held = mailchimp.mailchimp.members[subscriber_hash("ada@example.com")]
    assert held == {
        "email_address": "ada@example.com",
        "status": "subscribed",
        "merge_fields": {"FNAME": "Ada"},
    }
    (request,) = mailchimp.mailchimp.server.requests
    assert request.path == f"/3.0/lists/{LIST_ID}" and request.headers["authorization"].startswith("Basic ")


def test_removal_unsubscribes_and_a_changed_address_unsubscribes_the_old_one(mailchimp: Fakes) -> None:
    opened = destination(mailchimp)
    opened.send(
        make_batch(
            "add", [("c1", {"email": "old@example.com"}, None), ("c2", {"email": "b@example.com"}, None)]
        )
    )
    opened.send(make_batch("update", [("c1", {"email": "new@example.com"}, {"email": "old@example.com"})]))
    opened.send(make_batch("remove", [("c2", {"email": "b@example.com"}, None)]))
    statuses = {member["email_address"]: member["status"] for member in mailchimp.mailchimp.members.values()}
    # Nobody is archived or deleted: the departed stay as unsubscribed members.
    assert statuses == {
        "old@example.com": "unsubscribed",
        "new@example.com": "subscribed",
        "b@example.com": "unsubscribed",
    }


def test_a_batch_over_the_cap_is_split_and_the_fake_refuses_501(mailchimp: Fakes) -> None:
    records = [
        (f"c{index}", {"email": f"new{index}@example.com"}, {"email": f"old{index}@example.com"})
        for index in range(300)
    ]
    outcome = destination(mailchimp).send(make_batch("update", records))
    # 300 new addresses and 300 previous ones to unsubscribe: 600 members, two calls of at most 500.
    assert not outcome.rejections
    sizes = [len(json.loads(request.body)["members"]) for request in mailchimp.mailchimp.server.requests]
    assert sizes == [500, 100]
    members = [{"email_address": f"x{index}@example.com", "status": "subscribed"} for index in range(501)]
    response = requests.post(
        f"{mailchimp.mailchimp.url}/3.0/lists/{LIST_ID}",
        json={"members": members, "update_existing": True},
        auth=("any", API_KEY),
        timeout=10,
    )
    assert response.status_code == 400 and response.json()["title"] == "Invalid Resource"


def test_throttling_unknown_list_and_bad_key(mailchimp: Fakes) -> None:
    mailchimp.mailchimp.throttle_next = 1
    with pytest.raises(RateLimitedError):
        destination(mailchimp).send(make_batch("add", [("c1", {"email": "a@example.com"}, None)]))
    with pytest.raises(FatalDestinationError, match="list"):
        destination(mailchimp, list_id="unknown0").send(
            make_batch("add", [("c1", {"email": "a@example.com"}, None)])
        )
    wrong = open_destination(
        MailchimpDestination,
        {"list_id": LIST_ID, "api_key_env": "MC_KEY", "base_url": mailchimp.mailchimp.url},
        {"MC_KEY": "wrong-key-0000-us21"},
    )
    with pytest.raises(FatalDestinationError) as raised:
        wrong.send(make_batch("add", [("c1", {"email": "a@example.com"}, None)]))
    assert raised.value.status == 401 and "wrong-key" not in str(raised.value)
