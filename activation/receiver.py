"""A local Standard Webhooks receiver: what the demo syncs to, and a way to watch a webhook sync on a laptop.

It does what a receiver in production must do with our webhook batches (activation/destinations/webhook.py):
verify `webhook-signature` (HMAC-SHA256 over "{id}.{timestamp}.{body}") and that `webhook-timestamp` is
recent, acknowledge a `webhook-id` it has already applied without applying it again, and apply each record's
action by key. What each sync's audience holds is kept in `<directory>/<sync>.json`, written after every
batch: the engine sends only differences, so a receiver that forgot its audience on restart would show a
partial one.
"""

from __future__ import annotations

import hmac
import json
import logging
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

from activation.destinations.webhook import sign, signing_key

logger = logging.getLogger(__name__)

ACTIONS = ("add", "update", "remove")


class ReceiverRefusal(Exception):
    """A request the receiver refuses, with the HTTP status it answers."""

    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status = status


class WebhookReceiver:
    """Serves POST requests on `host:port` (0 picks a free port) in a background thread."""

    def __init__(
        self,
        directory: Path,
        secret: str | None,
        *,
        host: str = "127.0.0.1",
        port: int = 0,
        tolerance_seconds: int = 300,
    ) -> None:
        self.directory = directory
        self._key = signing_key(secret) if secret else None
        self.tolerance_seconds = tolerance_seconds
        self._lock = threading.Lock()
        self._audiences: dict[str, dict[str, Any]] = {}
        self.batches_applied = 0
        self.records_applied = 0
        self.replays = 0
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                body = self.rfile.read(length)
                try:
                    answer = receiver.receive({k.lower(): v for k, v in self.headers.items()}, body)
                    status = 200
                except ReceiverRefusal as refusal:
                    answer, status = {"error": str(refusal)}, refusal.status
                    logger.warning("Refused a request (%s): %s", status, refusal)
                encoded = json.dumps(answer).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(encoded)))
                self.end_headers()
                self.wfile.write(encoded)

            def log_message(self, format: str, *args: Any) -> None:
                logger.debug("%s " + format, self.address_string(), *args)

        self._server = ThreadingHTTPServer((host, port), Handler)
        self._thread: threading.Thread | None = None

    @property
    def url(self) -> str:
        host, port = self._server.server_address[:2]
        return f"http://{host}:{port}/webhooks"

    def start(self) -> WebhookReceiver:
        self._thread = threading.Thread(
            target=self._server.serve_forever, name="webhook-receiver", daemon=True
        )
        self._thread.start()
        return self

    def stop(self) -> None:
        self._server.shutdown()
        self._server.server_close()
        if self._thread is not None:
            self._thread.join()

    def serve_forever(self) -> None:
        self._server.serve_forever()

    def held(self, sync: str) -> dict[str, dict[str, Any]]:
        """The records this receiver holds for a sync, by key."""
        with self._lock:
            return dict(self._audience(sync)["records"])

    # ------------------------------------------------------------------------------------------ requests

    def receive(self, headers: dict[str, str], body: bytes) -> dict[str, Any]:
        message_id = self._verify(headers, body)
        batch = _parse_batch(body)
        sync = batch["sync"]
        with self._lock:
            audience = self._audience(sync)
            if message_id in audience["seen_ids"]:
                self.replays += 1
                return {"accepted": 0, "duplicate": True}
            records = audience["records"]
            for record in batch["records"]:
                if record["action"] == "remove":
                    records.pop(record["key"], None)
                else:
                    records[record["key"]] = record["fields"]
            audience["seen_ids"].add(message_id)
            self._save(sync, audience)
            self.batches_applied += 1
            self.records_applied += len(batch["records"])
        logger.info("%s: %s %d records", sync, batch["operation"], len(batch["records"]))
        return {"accepted": len(batch["records"])}

    def _verify(self, headers: dict[str, str], body: bytes) -> str:
        message_id = headers.get("webhook-id")
        if not message_id:
            raise ReceiverRefusal(400, "missing webhook-id header")
        if self._key is None:
            return message_id
        try:
            timestamp = int(headers.get("webhook-timestamp", ""))
        except ValueError:
            raise ReceiverRefusal(401, "missing or malformed webhook-timestamp header") from None
        if abs(time.time() - timestamp) > self.tolerance_seconds:
            raise ReceiverRefusal(401, "webhook-timestamp is too far from now (replayed or clock skew)")
        expected = sign(self._key, message_id, timestamp, body).encode()
        # The header may carry several space-separated signatures (key rotation): any valid one will do.
        offered = headers.get("webhook-signature", "").split()
        if not any(hmac.compare_digest(expected, candidate.encode()) for candidate in offered):
            raise ReceiverRefusal(401, "webhook-signature does not match the body and the shared secret")
        return message_id

    # ------------------------------------------------------------------------------------------ storage

    def _path(self, sync: str) -> Path:
        return self.directory / f"{sync}.json"

    def _audience(self, sync: str) -> dict[str, Any]:
        if sync not in self._audiences:
            path = self._path(sync)
            if path.exists():
                stored = json.loads(path.read_text())
                audience = {"records": stored["records"], "seen_ids": set(stored["seen_ids"])}
            else:
                audience = {"records": {}, "seen_ids": set()}
            self._audiences[sync] = audience
        return self._audiences[sync]

    def _save(self, sync: str, audience: dict[str, Any]) -> None:
        self.directory.mkdir(parents=True, exist_ok=True)
        path = self._path(sync)
        scratch = path.with_suffix(".json.tmp")
        document = {"records": audience["records"], "seen_ids": sorted(audience["seen_ids"])}
        scratch.write_text(json.dumps(document, ensure_ascii=False, indent=1))
        scratch.replace(path)


def _parse_batch(body: bytes) -> dict[str, Any]:
    """The batch's `data`, checked against the shape our webhook destination documents (or 400)."""
    try:
        document = json.loads(body)
    except ValueError as error:
        raise ReceiverRefusal(400, f"body is not JSON: {error}") from None
    data = document.get("data") if isinstance(document, dict) else None
    if not isinstance(data, dict):
        raise ReceiverRefusal(400, "body has no data object")
    sync, operation, records = data.get("sync"), data.get("operation"), data.get("records")
    if not isinstance(sync, str) or not sync.replace("_", "").isalnum():
        raise ReceiverRefusal(400, f"data.sync must be a sync name, got {sync!r}")
    if operation not in ACTIONS:
        raise ReceiverRefusal(400, f"data.operation must be one of {', '.join(ACTIONS)}, got {operation!r}")
    if not isinstance(records, list):
        raise ReceiverRefusal(400, "data.records must be a list")
    for position, record in enumerate(records):
        if (
            not isinstance(record, dict)
            or not isinstance(record.get("key"), str)
            or record.get("action") != operation
            or not isinstance(record.get("fields"), dict)
        ):
            raise ReceiverRefusal(
                400, f"data.records[{position}] must be {{key, action: {operation}, fields: {{...}}}}"
            )
    return data
