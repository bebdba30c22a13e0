"""The webhook body, assembled from the warehouse's JSON texts: it must read back as exactly the records sent,
whatever the keys hold and however the engine sliced the batch. (Delivery, signing and throttling are tested
against the fake receiver in test_conformance.py and test_sync_engine.py.)"""

from __future__ import annotations

import json

import pyarrow as pa
import pytest

from activation.destinations.webhook import WebhookDestination, sign, signing_key
from tests.activation.destinations_kit import make_batch, open_destination

SETTINGS = {"url": "http://127.0.0.1:9/hook", "consent_channel": "none"}
KEYS_NEEDING_ESCAPES = ['quote"d', "back\\slash", "tab\there", "bell\x07", "é-ü-中"]


def records_in(body: bytes) -> list[tuple[str, str, dict]]:
    document = json.loads(body)
    return [(record["key"], record["action"], record["fields"]) for record in document["data"]["records"]]


@pytest.mark.parametrize("keys", [["cust_1", "cust_2", "cust_3"], KEYS_NEEDING_ESCAPES])
def test_body_reads_back_as_the_records(keys: list[str]) -> None:
    destination = open_destination(WebhookDestination, SETTINGS, {})
    fields = [
        {"email": f"person{index}@example.fr", "note": 'a "quoted" \\ value'} for index in range(len(keys))
    ]
    batch = make_batch("upsert", [(key, value, None) for key, value in zip(keys, fields, strict=True)])
    body = destination.body(batch)
    assert records_in(body) == [(key, "upsert", value) for key, value in zip(keys, fields, strict=True)]
    assert json.loads(body)["data"]["batch_id"] == batch.batch_id


def test_body_of_a_slice_holds_only_the_slice() -> None:
    """The engine hands over slices of larger tables: the body is built from the slice's own values."""
    destination = open_destination(WebhookDestination, SETTINGS, {})
    batch = make_batch("remove", [(f"cust_{index}", {"n": index}, None) for index in range(10)])
    batch.records = batch.records.slice(3, 4)
    assert records_in(destination.body(batch)) == [
        (f"cust_{index}", "remove", {"n": index}) for index in range(3, 7)
    ]


def test_body_of_an_empty_batch_is_valid_json() -> None:
    destination = open_destination(WebhookDestination, SETTINGS, {})
    batch = make_batch("upsert", [])
    assert records_in(destination.body(batch)) == []


def test_a_record_without_a_key_is_refused_not_dropped() -> None:
    destination = open_destination(WebhookDestination, SETTINGS, {})
    batch = make_batch("upsert", [("cust_1", {"n": 1}, None), ("cust_2", {"n": 2}, None)])
    batch.records = batch.records.set_column(0, "record_key", pa.array(["cust_1", None], pa.string()))
    with pytest.raises(ValueError, match="without a key"):
        destination.body(batch)


def test_signature_of_a_body_fed_in_parts_is_the_standard_webhooks_one() -> None:
    """Standard Webhooks: HMAC-SHA256 of "<id>.<timestamp>.<body>" with the secret's base64-decoded bytes."""
    import base64
    import hashlib
    import hmac

    key = signing_key("whsec_" + base64.b64encode(b"0123456789abcdef").decode())
    body = b'{"type":"audience.batch"}'
    expected = hmac.new(b"0123456789abcdef", b"msg_1.1700000000." + body, hashlib.sha256).digest()
    assert sign(key, "msg_1", 1700000000, body) == "v1," + base64.b64encode(expected).decode()
