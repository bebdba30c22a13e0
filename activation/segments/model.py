"""What a segment definition becomes once parsed and checked: typed columns, conditions, settings.

Nothing here reads files or writes SQL; `definitions` builds these objects (and rejects bad input with the
file, segment and field of every problem), `sql` turns them into dbt models.
"""

from __future__ import annotations

import datetime as dt
import enum
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path


class ValueType(enum.Enum):
    """The kinds of value a condition compares; operators and literals depend on it."""

    STRING = "string"
    NUMBER = "number"
    BOOLEAN = "boolean"
    DATE = "date"
    TIMESTAMP = "timestamp"


# One SQL literal value of a condition: already checked against the column's ValueType.
Scalar = str | int | Decimal | bool | dt.date | dt.datetime


@dataclass(frozen=True)
class Column:
    """A column of a dbt model as its YAML documents it."""

    name: str
    value_type: ValueType | None  # None: no data_type, or one segments cannot compare (arrays, maps)
    data_type: str | None
    description: str
    is_pii: bool = False


@dataclass(frozen=True)
class ModelColumns:
    """The documented columns of one dbt model, and the YAML file that documents them."""

    model: str
    yaml_path: Path
    columns: dict[str, Column]


@dataclass(frozen=True)
class Duration:
    """A window length: whole days or whole months (weeks and years are converted)."""

    amount: int
    unit: str  # 'day' or 'month'

    def describe(self) -> str:
        return f"{self.amount} {self.unit}{'' if self.amount == 1 else 's'}"


@dataclass(frozen=True)
class Comparison:
    """`subject operator value` on one column: a Customer 360 trait, a prediction or an event property."""

    source: str  # 'trait', 'prediction' or 'property'
    column: Column
    operator: str
    value: Scalar | tuple[Scalar, ...] | Duration | None
    path: str


@dataclass(frozen=True)
class ConsentCondition:
    """The customer may be contacted on this channel (current consent, Customer 360)."""

    channel: str
    path: str


@dataclass(frozen=True)
class MembershipCondition:
    """The customer is a member (treatment or holdout) of another segment."""

    segment: str
    path: str


@dataclass(frozen=True)
class BehaviourCondition:
    """How many events of one kind the customer has, optionally filtered and within a window."""

    behaviour: BehaviourSource
    performed: bool
    where: Condition | None
    at_least: int | None
    at_most: int | None
    within: Duration | None
    path: str

    def describe(self) -> str:
        words = ["performed" if self.performed else "did not perform", self.behaviour.name]
        if self.where is not None:
            words.append("(filtered)")
        if self.at_least is not None:
            words.append(f"at least {self.at_least} times")
        if self.at_most is not None:
            words.append(f"at most {self.at_most} times")
        if self.within is not None:
            words.append(f"within {self.within.describe()}")
        return " ".join(words)


@dataclass(frozen=True)
class AllOf:
    children: tuple[Condition, ...]
    path: str


@dataclass(frozen=True)
class AnyOf:
    children: tuple[Condition, ...]
    path: str


@dataclass(frozen=True)
class NotCondition:
    child: Condition
    path: str


Condition = (
    AllOf | AnyOf | NotCondition | Comparison | ConsentCondition | MembershipCondition | BehaviourCondition
)


@dataclass(frozen=True)
class BehaviourSource:
    """A kind of event segments can count (settings `behaviours`): a fact model with a customer and a time."""

    name: str
    model: str
    description: str
    customer_column: str
    occurred_at_column: str
    count_distinct_column: str | None
    properties: dict[str, Column]
    base_filter: Condition | None


@dataclass(frozen=True)
class OutputColumn:
    """A column a segment hands to its destinations: a trait or a prediction, possibly renamed."""

    source: str  # 'trait' or 'prediction'
    column: Column
    alias: str


@dataclass(frozen=True)
class Segment:
    """One parsed and checked segment definition."""

    name: str
    description: str
    owner: str
    channel: str
    conditions: Condition
    outputs: tuple[OutputColumn, ...]
    holdout_percent: Decimal
    exclude_existing_customers: bool
    source_file: str  # relative to the project, e.g. 'segments/churn_risk.yml'
    depends_on: tuple[str, ...] = ()

    @property
    def model_name(self) -> str:
        return f"seg_{self.name}"


@dataclass(frozen=True)
class Settings:
    """Where segments read customers, predictions and events, and the suppression rules every segment gets."""

    source_file: str
    customer_model: ModelColumns
    reference_date_column: str
    erased_column: str
    consent_columns: dict[str, str]  # channel -> boolean column of the customer model
    prediction_model: ModelColumns | None
    prediction_model_name: str | None
    behaviours: dict[str, BehaviourSource]
    pii_columns: frozenset[str]
    internal_accounts: Condition | None
    existing_customers: Condition | None
    global_suppression_model: str

    @property
    def channels(self) -> tuple[str, ...]:
        return tuple(self.consent_columns)


@dataclass
class Problem:
    """One thing wrong in a definition: the file, the segment (or settings) and the field path."""

    file: str
    segment: str | None
    path: str
    message: str

    def __str__(self) -> str:
        where = f"segment '{self.segment}'" if self.segment else "settings"
        field_path = f"{self.path}: " if self.path else ""
        return f"{self.file}: {where}: {field_path}{self.message}"


@dataclass
class Problems:
    """Problems collected while reading definitions: every one is reported, not just the first."""

    items: list[Problem] = field(default_factory=list)

    def add(self, file: str, segment: str | None, path: str, message: str) -> None:
        self.items.append(Problem(file, segment, path, message))

    def __bool__(self) -> bool:
        return bool(self.items)
