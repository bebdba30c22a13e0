"""What a destination is: a small class on top of the shared engine.

A destination declares its type name, a typed settings model, its batch limits, the consent channel it
needs and the identifiers it accepts, then implements `send(batch)`: turn one batch of records into requests
and read the responses into per-record outcomes. Batching, concurrency, rate limiting, retries with backoff,
idempotency keys, state and logging live in the engine (activation.syncs.engine) and the transport
(activation.syncs.delivery).

`send` may be called more than once for the same batch (retries, and the resend of a batch whose
acknowledgement was lost in a crash): it must build the same requests from the same batch, and say in
`delivery_semantics` how the platform absorbs a repeat.
"""

from __future__ import annotations

import datetime as dt
import json
import os
from abc import ABC, abstractmethod
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Annotated, Any, ClassVar

import pyarrow as pa
import requests
from pydantic import BaseModel, ConfigDict, Field

from activation.errors import ConfigurationError
from activation.syncs.delivery import Redactor, Transport

MODES = ("upsert", "mirror", "add_only", "update_only")
OPERATIONS = ("add", "update", "remove")

# Identifiers a sync can map (identifier name -> column of the segment model). Destinations normalise and hash
# them their own way; the state keeps them (unhashed, as the segment gave them) for as long as the destination
# holds the record, because removing someone from an ad audience needs the identifiers that added them.
IDENTIFIERS = (
    "email",
    "phone",
    "first_name",
    "last_name",
    "birth_date",
    "gender",
    "city",
    "state",
    "postal_code",
    "country",
    "external_id",
    "mobile_advertiser_id",
)

# The name of an environment variable holding a secret; settings fields of this type end with `_env`.
SecretEnv = Annotated[
    str,
    Field(pattern=r"^[A-Za-z_][A-Za-z0-9_]*$", json_schema_extra={"secret": True}),
]


def json_object(response: requests.Response) -> dict[str, Any]:
    """The response's JSON object, or {} when the body is empty, not JSON, or JSON of another shape: error
    answers from proxies and gateways are often HTML, and classifying them must not raise."""
    try:
        document = response.json()
    except ValueError:
        return {}
    return document if isinstance(document, dict) else {}


class DestinationSettings(BaseModel):
    """Base of every destination's settings: unknown keys are errors (a typo must not pass silently)."""

    model_config = ConfigDict(extra="forbid", frozen=True)


@dataclass(frozen=True)
class Rejection:
    """One record the destination refused; retryable ones are sent again by the next run."""

    record_key: str
    code: str
    message: str
    retryable: bool


@dataclass
class BatchOutcome:
    """What one batch came to: records refused (everything else was accepted), requests made, notes."""

    rejections: list[Rejection] = field(default_factory=list)
    requests: int = 0
    warnings: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class Record:
    """One record of a batch, parsed: `fields` is what to send (identifiers and fields by their sync names;
    for a removal, the identifiers the destination was given), `previous_identity` the identifiers held
    before an update."""

    key: str
    fields: dict[str, Any]
    previous_identity: dict[str, Any] | None


@dataclass
class Batch:
    """Records of one operation, cut by the engine to the destination's batch size.

    `idempotency_key` is the same on every attempt and on the resend after a crash; `sequence` counts the
    batches of this operation within the run from 1, and `is_last` marks the final one (Meta sessions).
    Columns of `records`: record_key, payload (JSON object text; for removals the held identifiers),
    previous_identity (JSON text or null).
    """

    sync_name: str
    run_id: str
    batch_id: str
    idempotency_key: str
    operation: str
    sequence: int
    is_last: bool
    created_at: dt.datetime
    records: pa.Table

    def __len__(self) -> int:
        return self.records.num_rows

    def keys(self) -> list[str]:
        return self.records.column("record_key").to_pylist()

    def rows(self) -> list[Record]:
        keys = self.records.column("record_key").to_pylist()
        payloads = self.records.column("payload").to_pylist()
        previous = self.records.column("previous_identity").to_pylist()
        return [
            Record(key=key, fields=json.loads(payload) if payload else {}, previous_identity=_loads(before))
            for key, payload, before in zip(keys, payloads, previous, strict=True)
        ]


def _loads(text: str | None) -> dict[str, Any] | None:
    return json.loads(text) if text else None


@dataclass
class DestinationContext:
    """What the engine hands a destination: the sync's mapping, the transport, and secret resolution."""

    sync_name: str
    identifiers: tuple[str, ...]
    fields: tuple[str, ...]
    transport: Transport
    redact: Redactor
    environ: Callable[[str], str | None] = os.environ.get

    def secret(self, settings: DestinationSettings, field_name: str) -> str | None:
        """The value of the environment variable a `*_env` setting names; registered for redaction."""
        variable = getattr(settings, field_name)
        if variable is None:
            return None
        value = self.environ(variable)
        if not value:
            raise ConfigurationError(
                f"sync '{self.sync_name}': destination.{field_name}: environment variable {variable} is "
                "not set"
            )
        self.redact.add(value)
        return value


class Destination(ABC):
    """One destination type. Subclasses fill in the class attributes and `send`."""

    type_name: ClassVar[str]
    summary: ClassVar[str]
    Settings: ClassVar[type[DestinationSettings]]
    supported_modes: ClassVar[tuple[str, ...]] = MODES
    max_batch_size: ClassVar[int]
    default_batch_size: ClassVar[int]
    default_max_concurrency: ClassVar[int] = 4
    default_requests_per_second: ClassVar[float | None] = None
    # The consent channel (dim_customers has_<channel>_consent) a record needs; None: the settings say.
    default_consent_channel: ClassVar[str | None] = None
    # Identifiers the destination can use; None: any. `needs_identifier`: a sync must map at least one.
    accepted_identifiers: ClassVar[tuple[str, ...] | None] = None
    needs_identifier: ClassVar[bool] = False
    # Written-down delivery semantics: what is atomic, what a repeated batch does, how removals work.
    delivery_semantics: ClassVar[str]

    def __init__(self, settings: DestinationSettings, context: DestinationContext) -> None:
        self.settings = settings
        self.context = context

    @classmethod
    def consent_channel(cls, settings: DestinationSettings) -> str | None:
        """The channel whose consent every sent record needs; 'none' in settings means no consent check."""
        configured = getattr(settings, "consent_channel", None)
        if configured is None:
            return cls.default_consent_channel
        return None if configured == "none" else configured

    @classmethod
    def check_sync(
        cls, settings: DestinationSettings, identifiers: dict[str, str], fields: dict[str, str]
    ) -> list[tuple[str, str]]:
        """Problems with a sync's mapping for this destination, as (field path, message)."""
        problems: list[tuple[str, str]] = []
        if cls.accepted_identifiers is not None:
            for name in identifiers:
                if name not in cls.accepted_identifiers:
                    problems.append(
                        (
                            f"identifiers.{name}",
                            f"{cls.type_name} cannot use it; accepted: {', '.join(cls.accepted_identifiers)}",
                        )
                    )
        if cls.needs_identifier and not identifiers:
            problems.append(("identifiers", f"{cls.type_name} needs at least one identifier"))
        return problems

    @classmethod
    def keeps_identity(cls, settings: DestinationSettings) -> bool:
        """Whether removing a record needs the identifiers it was sent with (ad audiences match people on
        them). When not, the state keeps no identifiers at all and removals carry the record key only."""
        return True

    def open(self) -> None:  # noqa: B027 - optional hook
        """Called once before the first batch (resolve secrets, check the audience exists...)."""

    @abstractmethod
    def send(self, batch: Batch) -> BatchOutcome:
        """Deliver one batch; raise a DestinationError subclass when the whole batch did not go through."""

    def close(self) -> None:  # noqa: B027 - optional hook
        """Called once after the last batch, also after a failure."""


def unmapped_names(
    setting: str, mapping: dict[str, str] | None, identifiers: dict[str, str], fields: dict[str, str]
) -> list[tuple[str, str]]:
    """Problems of a settings mapping (platform name -> sync field or identifier) naming what the sync does
    not map, as (field path, message) for `check_sync`."""
    return [
        (f"destination.{setting}.{target}", f"{name!r} is neither a field nor an identifier")
        for target, name in (mapping or {}).items()
        if name not in identifiers and name not in fields
    ]


def settings_rows(settings_model: type[DestinationSettings]) -> list[tuple[str, str, str, str]]:
    """(name, type, default or 'required', description) for every setting: what `activation destinations`
    prints."""
    rows = []
    schema = settings_model.model_json_schema()
    properties = schema.get("properties", {})
    required = set(schema.get("required", []))
    for name, spec in properties.items():
        kind = _describe_type(spec)
        if spec.get("secret") or any(option.get("secret") for option in spec.get("anyOf", [])):
            kind = "env var name (secret)"
        default = "required" if name in required else json.dumps(spec.get("default"))
        rows.append((name, kind, default, spec.get("description", "")))
    return rows


def _describe_type(spec: dict[str, Any]) -> str:
    if "enum" in spec:
        return " | ".join(str(value) for value in spec["enum"])
    if "anyOf" in spec:
        return " | ".join(_describe_type(option) for option in spec["anyOf"])
    if "const" in spec:
        return str(spec["const"])
    kind = spec.get("type", "any")
    if kind == "array":
        return f"list of {_describe_type(spec.get('items', {}))}"
    if kind == "object":
        return "mapping"
    return str(kind)
