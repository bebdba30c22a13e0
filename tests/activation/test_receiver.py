"""The local webhook receiver (`activation receive-webhooks`, the demo's destination) refuses what a
production receiver must refuse and applies each batch once, across restarts."""

from __future__ import annotations

import base64
import json
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
import requests

from activation.destinations.webhook import sign, signing_key
from activation.receiver import WebhookReceiver

SECRET = "whsec_" + base64.b64encode(b"receiver-test-signing-key-32-by!").decode()


def batch(operation: str, records: list[tuple[str, dict[str, object]]]) -> bytes:
    return json.dumps(
        {
            "type": "audience.batch",
            "timestamp": "2026-11-29T10:00:00Z",
            "data": {
                "sync": "newsletter",
                "batch_id": "b1",
                "operation": operation,
                "sequence": 1,
                "is_last": True,
                "records": [{"key": key, "action": operation, "fields": fields} for key, fields in records],
            },
        }
    ).encode()


def post(
    receiver: WebhookReceiver,
    body: bytes,
    message_id: str,
    *,
    secret: str = SECRET,
    timestamp: int | None = None,
) -> requests.Response:
    timestamp = int(time.time()) if timestamp is None else timestamp
    headers = {
        "Content-Type": "application/json",
        "webhook-id": message_id,
        "webhook-timestamp": str(timestamp),
        "webhook-signature": sign(signing_key(secret), message_id, timestamp, body),
    }
    return requests.post(receiver.url, data=body, headers=headers, timeout=10)


@pytest.fixture
def receiver(tmp_path: Path) -> Iterator[WebhookReceiver]:
    started = WebhookReceiver(tmp_path / "audiences", SECRET).start()
    yield started
    started.stop()


def test_batches_apply_once_and_survive_a_restart(receiver: WebhookReceiver, tmp_path: Path) -> None:
    added = batch("add", [("c1", {"email": "a@example.fr"}), ("c2", {"email": "b@example.fr"})])
    assert post(receiver, added, "msg_1").json() == {"accepted": 2}
    assert post(receiver, added, "msg_1").json() == {"accepted": 0, "duplicate": True}
    assert post(receiver, batch("update", [("c1", {"email": "new@example.fr"})]), "msg_2").ok
    assert post(receiver, batch("remove", [("c2", {})]), "msg_3").ok
    assert receiver.held("newsletter") == {"c1": {"email": "new@example.fr"}}
    assert (receiver.batches_applied, receiver.replays) == (3, 1)

    receiver.stop()
    restarted = WebhookReceiver(tmp_path / "audiences", SECRET).start()
    try:
        assert restarted.held("newsletter") == {"c1": {"email": "new@example.fr"}}
        # A resend after the restart (the engine resending an unacknowledged batch) is not applied again.
        assert post(restarted, added, "msg_1").json()["duplicate"] is True
        assert restarted.held("newsletter") == {"c1": {"email": "new@example.fr"}}
    finally:
        restarted.stop()


def test_requests_not_signed_with_the_secret_or_too_old_are_refused(receiver: WebhookReceiver) -> None:
    body = batch("add", [("c1", {"email": "a@example.fr"})])
    other = "whsec_" + base64.b64encode(b"someone-elses-signing-key-32-by!").decode()
    wrong = post(receiver, body, "msg_1", secret=other)
    assert wrong.status_code == 401 and "signature" in wrong.json()["error"]
    stale = post(receiver, body, "msg_2", timestamp=int(time.time()) - 3600)
    assert stale.status_code == 401 and "timestamp" in stale.json()["error"]
    unsigned = requests.post(receiver.url, data=body, headers={"webhook-id": "msg_3"}, timeout=10)
    assert unsigned.status_code == 401
    assert receiver.held("newsletter") == {}


def test_malformed_batches_are_refused_with_the_reason(receiver: WebhookReceiver) -> None:
    assert post(receiver, b"{not json", "msg_1").status_code == 400
    mixed = json.loads(batch("add", [("c1", {"email": "a@example.fr"})]))
    mixed["data"]["records"][0]["action"] = "remove"
    refused = post(receiver, json.dumps(mixed).encode(), "msg_2")
    assert refused.status_code == 400 and "records[0]" in refused.json()["error"]
    unknown = post(receiver, batch("delete", []), "msg_3")
    assert unknown.status_code == 400 and "operation" in unknown.json()["error"]
    assert receiver.held("newsletter") == {}
