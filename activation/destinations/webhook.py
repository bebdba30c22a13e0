"""Signed webhook: JSON batches POSTed to a URL, signed the Standard Webhooks way.

Headers (Standard Webhooks 1.0): `webhook-id` (the batch's idempotency key, the same on every attempt and on
the resend after a crash), `webhook-timestamp` (unix seconds of this attempt), `webhook-signature`
(`v1,<base64 HMAC-SHA256(key, "{id}.{timestamp}.{body}")>`), and `Idempotency-Key` = `webhook-id`. The secret
is `whsec_` + base64 key (as the Standard Webhooks libraries generate it); any other string is used as raw
bytes.

Body, one operation per batch:

    {"type": "audience.batch", "timestamp": "<batch creation, ISO-8601 UTC>",
     "data": {"sync": "...", "batch_id": "...", "operation": "add|update|remove", "sequence": 1,
              "is_last": true, "records": [{"key": "...", "action": "add", "fields": {...}}, ...]}}

`fields` holds the mapped identifiers and fields (for a removal: the identifiers the receiver was given).

Responses: 2xx accepted; a 2xx JSON body may reject records: `{"rejected": [{"key", "code", "message",
"retryable"}]}`; 429 and 5xx are retried (Retry-After honoured); 401/403 stop the sync; other 4xx fail the
batch.

Delivery semantics: at-least-once per batch, exactly-once with a receiver that deduplicates on `webhook-id`
(what Standard Webhooks asks of receivers). A batch is atomic from our side: accepted or not, except for the
records the receiver rejects by key.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import time

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import requests
from pydantic import Field, HttpUrl

from activation.destinations.base import (
    Batch,
    BatchOutcome,
    Destination,
    DestinationSettings,
    Rejection,
    SecretEnv,
)
from activation.errors import PermanentDestinationError
from activation.syncs.delivery import BODY_EXCERPT_CHARS, default_classifier

# Bytes a JSON string cannot hold as they are: the quote, the backslash and control characters.
_QUOTE, _BACKSLASH, _FIRST_PRINTABLE = ord('"'), ord("\\"), 0x20


class WebhookSettings(DestinationSettings):
    url: HttpUrl = Field(description="Where batches are POSTed (http or https).")
    secret_env: SecretEnv | None = Field(
        None,
        description="Environment variable holding the signing secret (whsec_<base64>); unsigned if unset.",
    )
    consent_channel: str = Field(
        pattern=r"^(none|[a-z][a-z0-9_]*)$",
        description="Consent channel every record needs (email, sms, phone, ads_personalisation), or none.",
    )
    event_type: str = Field("audience.batch", description="The body's `type`.")
    headers: dict[str, str] = Field(default_factory=dict, description="Extra non-secret request headers.")
    timeout_seconds: float = Field(30.0, gt=0, description="Per-request timeout.")


def signing_key(secret: str) -> bytes:
    if secret.startswith("whsec_"):
        return base64.b64decode(secret[len("whsec_") :])
    return secret.encode("utf-8")


def sign(key: bytes, message_id: str, timestamp: int, body: bytes) -> str:
    """The `webhook-signature` value for one attempt."""
    # Fed in two parts: prefixing a body of megabytes would copy it.
    mac = hmac.new(key, f"{message_id}.{timestamp}.".encode(), hashlib.sha256)
    mac.update(body)
    return f"v1,{base64.b64encode(mac.digest()).decode()}"


def _json_keys(keys: pa.Array) -> pa.Array:
    """Record keys as JSON strings; keys needing escapes (rare) go through json.dumps."""
    if _may_need_escapes(keys):
        return pa.array([json.dumps(key) for key in keys.to_pylist()], pa.string())
    return pc.binary_join_element_wise('"', keys, '"', "")


def _may_need_escapes(texts: pa.Array) -> bool:
    """Whether any byte of the texts' character buffer is one JSON escapes: one vectorised pass over the
    buffer, several times cheaper than a regular expression per text. The buffer may hold bytes beyond the
    array's slice, which can only make the answer a cautious yes."""
    characters = texts.buffers()[2]
    if characters is None:
        return False
    data = np.frombuffer(characters, dtype=np.uint8)
    return bool(((data < _FIRST_PRINTABLE) | (data == _QUOTE) | (data == _BACKSLASH)).any())


class WebhookDestination(Destination):
    type_name = "webhook"
    summary = "Signed JSON batches to an HTTP endpoint (Standard Webhooks headers, HMAC-SHA256)."
    Settings = WebhookSettings
    max_batch_size = 50_000
    default_batch_size = 1_000
    default_max_concurrency = 4
    delivery_semantics = (
        "At-least-once per batch; exactly-once for receivers deduplicating on webhook-id, which stays the "
        "same "
        "across retries and the resend after a crash. Removals are 'remove' records (mirror mode)."
    )

    settings: WebhookSettings

    @classmethod
    def keeps_identity(cls, settings: DestinationSettings) -> bool:
        # Receivers know records by key: a removal is {"key", "action": "remove", "fields": {}}.
        return False

    def open(self) -> None:
        secret = self.context.secret(self.settings, "secret_env")
        self._key = signing_key(secret) if secret else None

    def body(self, batch: Batch) -> bytes:
        """The JSON body, assembled from the warehouse's JSON texts without parsing them."""
        records = batch.records.combine_chunks() if isinstance(batch.records, pa.Table) else batch.records
        keys = records.column("record_key").combine_chunks()
        payloads = pc.fill_null(records.column("payload").combine_chunks().cast(pa.string()), "{}")
        action = json.dumps(batch.operation)
        # Each record ends with its separator; the items' character buffer is then the records array's
        # content as it is (a fresh array starts at offset 0), less the last comma.
        items = pc.binary_join_element_wise(
            '{"key":', _json_keys(keys), f',"action":{action},"fields":', payloads, "},", ""
        )
        if items.null_count or items.offset:
            # Neither happens (keys are never null, payloads are filled), but a null item would be left out
            # of the buffer silently: refuse rather than send a batch short of a record.
            raise ValueError(f"batch {batch.batch_id}: a record without a key, or an unexpected Arrow layout")
        size = pc.sum(pc.binary_length(items)).as_py() or 0
        joined = memoryview(items.buffers()[2])[: size - 1] if size else b""
        head = json.dumps(
            {
                "type": self.settings.event_type,
                "timestamp": batch.created_at.strftime("%Y-%m-%dT%H:%M:%SZ"),
                "data": {
                    "sync": batch.sync_name,
                    "batch_id": batch.batch_id,
                    "operation": batch.operation,
                    "sequence": batch.sequence,
                    "is_last": batch.is_last,
                },
            },
            separators=(",", ":"),
        )
        # The data object is closed by hand after the records array.
        prefix = head[: -len("}}")] + ',"records":['
        return b"".join((prefix.encode(), joined, b"]}}"))

    def send(self, batch: Batch) -> BatchOutcome:
        body = self.body(batch)
        timestamp = int(time.time())
        headers = {
            **self.settings.headers,
            "Content-Type": "application/json",
            "webhook-id": batch.idempotency_key,
            "webhook-timestamp": str(timestamp),
            "Idempotency-Key": batch.idempotency_key,
        }
        if self._key is not None:
            headers["webhook-signature"] = sign(self._key, batch.idempotency_key, timestamp, body)
        response = self.context.transport.request(
            "POST",
            str(self.settings.url),
            data=body,
            headers=headers,
            timeout=self.settings.timeout_seconds,
            classify=default_classifier,
        )
        return BatchOutcome(rejections=self._rejections(response, batch))

    def _rejections(self, response: requests.Response, batch: Batch) -> list[Rejection]:
        if not response.content or "json" not in response.headers.get("Content-Type", ""):
            return []
        try:
            document = response.json()
        except ValueError:
            return []
        rejected = document.get("rejected") if isinstance(document, dict) else None
        if not rejected:
            return []
        keys = set(batch.keys())
        rejections = []
        for item in rejected:
            key = str(item.get("key"))
            if key not in keys:
                raise PermanentDestinationError(
                    f"Receiver rejected a key that is not in the batch: {key[:80]!r}",
                    status=response.status_code,
                )
            rejections.append(
                Rejection(
                    record_key=key,
                    code=str(item.get("code") or "rejected"),
                    message=str(item.get("message") or "")[:BODY_EXCERPT_CHARS],
                    retryable=bool(item.get("retryable", False)),
                )
            )
        return rejections
