"""Building a destination and its batches by hand, for unit tests of one destination against its fake."""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

import pyarrow as pa

from activation.destinations.base import Batch, Destination, DestinationContext
from activation.syncs.delivery import Redactor, TokenBucket, Transport


def open_destination(
    destination_class: type[Destination],
    settings: dict[str, Any],
    environ: dict[str, str],
    identifiers: tuple[str, ...] = ("email",),
    fields: tuple[str, ...] = (),
) -> Destination:
    redact = Redactor()
    context = DestinationContext(
        sync_name="unit",
        identifiers=identifiers,
        fields=fields,
        transport=Transport(TokenBucket(None), redact, timeout_seconds=10),
        redact=redact,
        environ=environ.get,
    )
    destination = destination_class(destination_class.Settings.model_validate(settings), context)
    destination.open()
    return destination


def make_batch(
    operation: str,
    records: list[tuple[str, dict[str, Any], dict[str, Any] | None]],
    sequence: int = 1,
) -> Batch:
    """A batch of (record key, fields, previous identity) rows, as the engine hands it over."""
    table = pa.table(
        {
            "record_key": pa.array([key for key, _fields, _previous in records], pa.string()),
            "payload": pa.array([json.dumps(fields) for _key, fields, _previous in records], pa.string()),
            "previous_identity": pa.array(
                [json.dumps(previous) if previous else None for _key, _fields, previous in records],
                pa.string(),
            ),
        }
    )
    return Batch(
        sync_name="unit",
        run_id="run-1",
        batch_id=f"batch-{operation}-{sequence}",
        idempotency_key=f"key-{operation}-{sequence}",
        operation=operation,
        sequence=sequence,
        is_last=True,
        created_at=dt.datetime(2026, 11, 1, tzinfo=dt.UTC),
        records=table,
    )
