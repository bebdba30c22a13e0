"""Klaviyo specifics the conformance suite cannot see: the headers, job polling, import errors over several
pages mapped to records, profile ids looked up for removals, the 5 MB split and the throttling hint."""

from __future__ import annotations

import json

import pytest
import requests

from activation.destinations.klaviyo import KlaviyoDestination, klaviyo_retry_after
from activation.errors import FatalDestinationError, RateLimitedError
from tests.activation.conftest import Fakes
from tests.activation.destinations_kit import make_batch, open_destination
from tests.activation.fakes.klaviyo import API_KEY, LIST_ID


@pytest.fixture
def klaviyo(fakes: Fakes) -> Fakes:
    fakes.klaviyo.reset()
    return fakes


def destination(fakes: Fakes, **settings: object) -> KlaviyoDestination:
    opened = open_destination(
        KlaviyoDestination,
        {
            "list_id": LIST_ID,
            "api_key_env": "KL_KEY",
            "base_url": fakes.klaviyo.url,
            "poll_interval_seconds": 0.01,
            **settings,
        },
        {"KL_KEY": API_KEY},
        identifiers=("email", "phone"),
        fields=("first_name", "city", "tier"),
    )
    assert isinstance(opened, KlaviyoDestination)
    return opened


def test_a_job_is_waited_for_and_its_errors_map_to_records(klaviyo: Fakes) -> None:
    klaviyo.klaviyo.pending_polls, klaviyo.klaviyo.page_size = 2, 1
    klaviyo.klaviyo.rejected_emails.update({"suppressed@example.com", "also.suppressed@example.com"})
    outcome = destination(klaviyo).send(
        make_batch(
            "add",
            [
                (
                    "c1",
                    {"email": "Ada@Example.com", "first_name": "Ada", "city": "Lyon", "tier": "gold"},
                    None,
                ),
                ("c2", {"email": "suppressed@example.com"}, None),
                ("c3", {"email": None, "phone": "06 12 34 56 78"}, None),
                ("c4", {"email": "ok@example.com", "phone": "+33612345678"}, None),
                ("c5", {"email": "also.suppressed@example.com"}, None),
            ],
        )
    )
    rejected = {rejection.record_key: rejection.code for rejection in outcome.rejections}
    # c3's national number is no identifier for Klaviyo: refused before sending; c2 and c5 by the job, their
    # errors read from two pages of import errors.
    assert rejected == {"c3": "no_usable_identifier", "c2": "invalid", "c5": "invalid"}
    assert all("suppressed@" not in rejection.message for rejection in outcome.rejections)
    error_pages = [
        request for request in klaviyo.klaviyo.server.requests if request.path.endswith("import-errors")
    ]
    assert len(error_pages) == 2
    held = {profile["email"]: profile for profile in klaviyo.klaviyo.members().values()}
    assert set(held) == {"ada@example.com", "ok@example.com"}
    assert held["ada@example.com"]["location"] == {"city": "Lyon"}
    assert held["ada@example.com"]["properties"] == {"tier": "gold"}
    first = klaviyo.klaviyo.server.requests[0]
    assert first.headers["authorization"] == f"Klaviyo-API-Key {API_KEY}"
    assert first.headers["revision"] == "2026-07-15"
    assert first.headers["content-type"] == "application/vnd.api+json"
    assert json.loads(first.body)["data"]["relationships"]["lists"]["data"] == [
        {"type": "list", "id": LIST_ID}
    ]
    polls = [
        request
        for request in klaviyo.klaviyo.server.requests
        if request.path.startswith("/api/profile-bulk-import-jobs/") and not request.path.endswith("errors")
    ]
    assert len(polls) == 3  # queued -> processing -> complete


def test_removals_look_profile_ids_up_and_leave_profiles_in_the_account(klaviyo: Fakes) -> None:
    opened = destination(klaviyo)
    opened.send(
        make_batch(
            "add",
            [
                ("c1", {"email": "a@example.com"}, None),
                ("c2", {"email": "b@example.com"}, None),
                ("c3", {"phone": "+33612345678"}, None),
            ],
        )
    )
    klaviyo.klaviyo.page_size = 1  # lookups follow links.next
    outcome = opened.send(
        make_batch(
            "remove",
            [
                ("c1", {"email": "a@example.com"}, None),
                ("c3", {"phone": "+33612345678"}, None),
                ("c9", {"email": "never@example.com"}, None),
            ],
        )
    )
    remaining = {profile.get("email") for profile in klaviyo.klaviyo.members().values()}
    assert remaining == {"b@example.com"} and len(klaviyo.klaviyo.profiles) == 3
    assert outcome.warnings == ["Klaviyo knows no profile for 1 removed records"]
    lookups = [
        request.query["filter"][0]
        for request in klaviyo.klaviyo.server.requests
        if request.path == "/api/profiles"
    ]
    assert 'any(email,["a@example.com","never@example.com"])' in lookups
    assert 'any(phone_number,["+33612345678"])' in lookups


def test_a_changed_email_takes_the_old_profile_out_of_the_list(klaviyo: Fakes) -> None:
    opened = destination(klaviyo)
    opened.send(make_batch("add", [("c1", {"email": "old@example.com"}, None)]))
    opened.send(make_batch("update", [("c1", {"email": "new@example.com"}, {"email": "old@example.com"})]))
    assert {profile["email"] for profile in klaviyo.klaviyo.members().values()} == {"new@example.com"}


def test_jobs_stay_under_5_mb_and_the_fake_refuses_over_10000(klaviyo: Fakes) -> None:
    padding = "x" * 90_000
    records = [
        (f"c{index}", {"email": f"p{index}@example.com", "tier": padding}, None) for index in range(60)
    ]
    outcome = destination(klaviyo).send(make_batch("add", records))
    jobs = [request for request in klaviyo.klaviyo.server.requests if request.method == "POST"]
    assert len(jobs) == 2 and all(len(job.body) <= 5 * 1024 * 1024 for job in jobs)
    assert not outcome.rejections and len(klaviyo.klaviyo.members()) == 60
    profiles = [
        {"type": "profile", "attributes": {"email": f"x{index}@example.com"}} for index in range(10_001)
    ]
    body = {
        "data": {
            "type": "profile-bulk-import-job",
            "attributes": {"profiles": {"data": profiles}},
            "relationships": {"lists": {"data": [{"type": "list", "id": LIST_ID}]}},
        }
    }
    response = requests.post(
        f"{klaviyo.klaviyo.url}/api/profile-bulk-import-jobs",
        data=json.dumps(body),
        headers={
            "Authorization": f"Klaviyo-API-Key {API_KEY}",
            "revision": "2026-07-15",
            "Content-Type": "application/vnd.api+json",
        },
        timeout=30,
    )
    assert response.status_code == 400 and response.json()["errors"][0]["code"] == "invalid"


def test_throttling_hint_and_unknown_list(klaviyo: Fakes) -> None:
    klaviyo.klaviyo.throttle_next, klaviyo.klaviyo.throttle_seconds = 1, 3
    with pytest.raises(RateLimitedError) as raised:
        destination(klaviyo).send(make_batch("add", [("c1", {"email": "a@example.com"}, None)]))
    assert raised.value.retry_after == 3
    answer = requests.Response()
    answer.status_code = 429
    answer.headers["Retry-After"] = "11"
    answer._content = b'{"errors": [{"detail": "Expected available in 3 seconds."}]}'
    assert klaviyo_retry_after(answer) == 11
    with pytest.raises(FatalDestinationError, match="list"):
        destination(klaviyo, list_id="Nope00").send(
            make_batch("add", [("c1", {"email": "a@example.com"}, None)])
        )
