"""TikTok audience specifics the conformance suite cannot see: the request shape (rows aligned to a sorted
id_schema, `{}` for a missing key), updates deleting only lost identifiers, the codes of TikTok's HTTP 200
envelopes, and the fake refusing an over-cap batch."""

from __future__ import annotations

import json

import pytest
import requests

from activation.destinations.tiktok import TikTokAudienceDestination, classify_tiktok_response
from activation.errors import (
    FatalDestinationError,
    PermanentDestinationError,
    RateLimitedError,
    TransientDestinationError,
)
from activation.syncs import pii
from activation.syncs.delivery import Redactor
from tests.activation.conftest import Fakes
from tests.activation.destinations_kit import make_batch, open_destination
from tests.activation.fakes import tiktok as fake


@pytest.fixture
def tiktok(fakes: Fakes) -> fake.FakeTikTok:
    fakes.tiktok.reset()
    return fakes.tiktok


def destination(tiktok: fake.FakeTikTok) -> TikTokAudienceDestination:
    settings = {
        "advertiser_id": fake.ADVERTISER_ID,
        "audience_id": fake.AUDIENCE_ID,
        "access_token_env": "TT_TOKEN",
        "base_url": tiktok.url,
    }
    built = open_destination(
        TikTokAudienceDestination, settings, {"TT_TOKEN": fake.TOKEN}, ("email", "phone")
    )
    assert isinstance(built, TikTokAudienceDestination)
    return built


def test_rows_are_aligned_to_the_sorted_schema(tiktok: fake.FakeTikTok) -> None:
    outcome = destination(tiktok).send(make_batch("add", [("cust_1", {"email": " A.B@Example.com "}, None)]))
    assert not outcome.rejections and outcome.requests == 1
    body = json.loads(tiktok.server.requests[0].body)
    assert body == {
        "advertiser_ids": [fake.ADVERTISER_ID],
        "action": "add",
        "id_schema": ["EMAIL_SHA256", "PHONE_SHA256"],
        "batch_data": [[{"id": pii.sha256_hex("a.b@example.com"), "audience_ids": [fake.AUDIENCE_ID]}, {}]],
    }
    assert tiktok.server.requests[0].headers["access-token"] == fake.TOKEN


def test_update_deletes_only_the_lost_identifier(tiktok: fake.FakeTikTok) -> None:
    sender = destination(tiktok)
    before = {"email": "old@example.com", "phone": "+33612007919"}
    after = {"email": "new@example.com", "phone": "+33612007919"}
    sender.send(make_batch("add", [("cust_1", before, None)]))
    outcome = sender.send(make_batch("update", [("cust_1", after, before)]))
    assert outcome.requests == 2 and not tiktok.refusals
    assert tiktok.members == {
        ("EMAIL_SHA256", pii.sha256_hex("new@example.com")),
        ("PHONE_SHA256", pii.sha256_hex("+33612007919")),
    }
    sender.send(make_batch("remove", [("cust_1", after, None)]))
    assert tiktok.members == set()


@pytest.mark.parametrize(
    ("code", "error"),
    [
        (40100, RateLimitedError),
        (40105, FatalDestinationError),
        (40001, FatalDestinationError),
        (50002, TransientDestinationError),
        (40002, PermanentDestinationError),
    ],
)
def test_envelope_codes_are_classified(code: int, error: type[Exception]) -> None:
    response = requests.Response()
    response.status_code = 200
    response._content = json.dumps({"code": code, "message": "m", "request_id": "r", "data": {}}).encode()
    with pytest.raises(error) as raised:
        classify_tiktok_response(response, Redactor())
    assert type(raised.value) is error


def test_the_fake_refuses_an_over_cap_batch(tiktok: fake.FakeTikTok) -> None:
    entry = {"id": pii.sha256_hex("a@example.com"), "audience_ids": [fake.AUDIENCE_ID]}
    body = {
        "advertiser_ids": [fake.ADVERTISER_ID],
        "action": "add",
        "id_schema": ["EMAIL_SHA256"],
        "batch_data": [[entry]] * (fake.MAX_ROWS + 1),
    }
    answer = requests.post(
        f"{tiktok.url}/open_api/v1.3/segment/mapping/",
        json=body,
        headers={"Access-Token": fake.TOKEN},
        timeout=10,
    )
    assert answer.status_code == 200 and answer.json()["code"] == 40002
    assert tiktok.members == set()
