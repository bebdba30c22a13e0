"""Brevo specifics the conformance suite cannot see: the import waits for its process, removals go 150 a call
and an address already out of the list counts as removed, the x-sib-ratelimit-* headers pace and hint."""

from __future__ import annotations

import json

import pytest
import requests

from activation.destinations.brevo import BrevoDestination, exhausted_window
from activation.errors import FatalDestinationError, RateLimitedError, TransientDestinationError
from tests.activation.conftest import Fakes
from tests.activation.destinations_kit import make_batch, open_destination
from tests.activation.fakes.brevo import API_KEY, LIST_ID


@pytest.fixture
def brevo(fakes: Fakes) -> Fakes:
    fakes.brevo.reset()
    return fakes


def destination(fakes: Fakes, **settings: object) -> BrevoDestination:
    opened = open_destination(
        BrevoDestination,
        {
            "list_id": LIST_ID,
            "api_key_env": "BREVO_KEY",
            "base_url": fakes.brevo.url,
            "poll_interval_seconds": 0.01,
            **settings,
        },
        {"BREVO_KEY": API_KEY},
        fields=("first_name", "last_name"),
    )
    assert isinstance(opened, BrevoDestination)
    return opened


def test_an_import_is_applied_once_its_process_completes(brevo: Fakes) -> None:
    brevo.brevo.pending_polls = 3
    outcome = destination(brevo).send(
        make_batch(
            "add",
            [
                ("c1", {"email": " Ada@Example.COM", "first_name": "Ada", "last_name": None}, None),
                ("c2", {"email": "nobody"}, None),
            ],
        )
    )
    assert [(rejection.record_key, rejection.code) for rejection in outcome.rejections] == [
        ("c2", "invalid_email")
    ]
    assert brevo.brevo.in_list() == {"ada@example.com": {"FIRSTNAME": "Ada"}}
    methods = [(request.method, request.path.split("/")[2]) for request in brevo.brevo.server.requests]
    assert methods == [("POST", "contacts")] + [("GET", "processes")] * 4
    body = json.loads(brevo.brevo.server.requests[0].body)
    assert body["listIds"] == [LIST_ID] and body["emptyContactsAttributes"] is False
    assert brevo.brevo.server.requests[0].headers["api-key"] == API_KEY


def test_an_import_that_never_completes_is_retried_later(brevo: Fakes) -> None:
    brevo.brevo.pending_polls = 10_000
    with pytest.raises(TransientDestinationError, match="did not complete"):
        destination(brevo, poll_timeout_seconds=0.1).send(
            make_batch("add", [("c1", {"email": "a@example.com"}, None)])
        )
    assert brevo.brevo.in_list() == {}


def test_removals_go_150_a_call_and_absent_addresses_count_as_removed(brevo: Fakes) -> None:
    opened = destination(brevo)
    records = [(f"c{index}", {"email": f"p{index}@example.com"}, None) for index in range(200)]
    opened.send(make_batch("add", records))
    brevo.brevo.server.requests.clear()
    outcome = opened.send(make_batch("remove", records))
    sizes = [len(json.loads(request.body)["emails"]) for request in brevo.brevo.server.requests]
    assert sizes == [150, 50] and brevo.brevo.in_list() == {} and not outcome.rejections
    # The contacts stay in the account: removal is from the list only.
    assert len(brevo.brevo.contacts) == 200
    again = opened.send(make_batch("remove", records[:3]))
    assert not again.rejections and "not in the list" in again.warnings[0]
    over_cap = requests.post(
        f"{brevo.brevo.url}/v3/contacts/lists/{LIST_ID}/contacts/remove",
        json={"emails": [f"p{index}@example.com" for index in range(151)]},
        headers={"api-key": API_KEY},
        timeout=10,
    )
    assert over_cap.status_code == 400 and over_cap.json()["code"] == "out_of_range"


def test_a_changed_address_leaves_the_list(brevo: Fakes) -> None:
    opened = destination(brevo)
    opened.send(make_batch("add", [("c1", {"email": "old@example.com"}, None)]))
    opened.send(make_batch("update", [("c1", {"email": "new@example.com"}, {"email": "old@example.com"})]))
    assert set(brevo.brevo.in_list()) == {"new@example.com"}


def test_rate_limit_headers_give_the_hint_and_an_unknown_list_stops(brevo: Fakes) -> None:
    brevo.brevo.throttle_next, brevo.brevo.reset_seconds = 1, 7
    with pytest.raises(RateLimitedError) as raised:
        destination(brevo).send(make_batch("add", [("c1", {"email": "a@example.com"}, None)]))
    assert raised.value.retry_after == 7
    answer = requests.Response()
    answer.status_code = 200
    answer.headers.update({"x-sib-ratelimit-remaining": "0", "x-sib-ratelimit-reset": "12"})
    assert exhausted_window(answer) == 12
    with pytest.raises(FatalDestinationError, match="list"):
        destination(brevo, list_id=99).send(make_batch("add", [("c1", {"email": "a@example.com"}, None)]))


def test_a_completed_import_with_a_problem_report_warns(brevo: Fakes) -> None:
    # Our check lets this address through; Brevo skips it and lists it in the process's report.
    outcome = destination(brevo).send(make_batch("add", [("c1", {"email": "a@.com"}, None)]))
    assert not outcome.rejections and brevo.brevo.in_list() == {}
    assert outcome.warnings and "invalid_emails" in outcome.warnings[0] and "https" not in outcome.warnings[0]
