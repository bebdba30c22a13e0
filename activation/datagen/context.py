"""Shared machinery of record builders: random streams, id allocation, and the rows a builder returns."""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pyarrow as pa

from .config import GeneratorConfig
from .noise import ZoneOffsets
from .schema import TABLE_COLUMNS
from .text import STRING, affine_scramble, fixed_format, stream_key, uuid_strings

#: Record-id prefixes; ids are prefix + batch number + 9-digit sequence (CRM0000000001 in the base batch,
#: CRM1000000001 in the first follow-up), so batches never collide.
ID_PREFIXES: dict[str, str] = {
    "crm_contacts": "CRM",
    "shop_customers": "CUS",
    "shop_orders": "ORD",
    "shop_order_lines": "ORL",
    "pos_transactions": "TRX",
    "pos_transaction_lines": "TRL",
    "support_tickets": "TCK",
    "consent_events": "CNS",
    "privacy_erasure_requests": "DSR",
}
#: Kinds mixed into UUID keys so that anonymous ids and event ids never share a key.
UUID_KINDS: dict[str, int] = {"anonymous_id": 1, "event_id": 2}
MAX_SEQUENCE = 999_999_999


@dataclass
class IdAllocator:
    """Hands out increasing sequence numbers per table for one batch (carried across chunks)."""

    batch: int
    used: dict[str, int] = field(default_factory=dict)

    def sequence(self, table: str, count: int) -> np.ndarray:
        start = self.used.get(table, 0)
        if start + count > MAX_SEQUENCE:
            raise ValueError(f"people: too many {table} records for one batch (max {MAX_SEQUENCE})")
        self.used[table] = start + count
        return np.arange(start + 1, start + count + 1, dtype=np.int64)

    def record_ids(self, table: str, count: int) -> pa.Array:
        """CRM0000000001-style ids."""
        return fixed_format(count, [ID_PREFIXES[table] + str(self.batch), (self.sequence(table, count), 9)])

    def loyalty_cards(self, count: int) -> pa.Array:
        """13-digit EAN-like card numbers: 2 (in-store numbering) + 11 scattered digits + check digit."""
        sequence = self.sequence("loyalty_members", count) + self.batch * 1_000_000_000
        body = affine_scramble(sequence, 10**11, 86_028_121, 31_415_926_535)  # odd, not 5: a bijection
        digits = np.empty((count, 12), dtype=np.int64)
        digits[:, 0] = 2
        v = body.copy()
        for position in range(11, 0, -1):
            digits[:, position] = v % 10
            v //= 10
        weights = np.where(np.arange(12) % 2 == 0, 1, 3)  # EAN-13: odd positions x1, even positions x3
        check = (10 - (digits * weights).sum(axis=1) % 10) % 10
        return fixed_format(count, [(digits[:, 0], 1), (body, 11), (check, 1)])

    def uuids(self, kind: str, count: int, rng: np.random.Generator) -> pa.Array:
        sequence = self.sequence(kind, count)
        keys = (np.int64(UUID_KINDS[kind]) << 52) | (np.int64(self.batch) << 40) | sequence
        return uuid_strings(rng, keys)


@dataclass
class ChunkContext:
    """Everything a record builder needs besides the people: settings, window, randomness, ids."""

    config: GeneratorConfig
    batch: int
    chunk: int
    window: tuple[int, int]  # epoch seconds [start, end)
    ids: IdAllocator
    offsets: ZoneOffsets

    def rng(self, stream: str) -> np.random.Generator:
        """An independent random stream per (seed, batch, chunk, purpose): changing one builder's draws
        does not shift any other builder's output."""
        entropy = [self.config.seed, self.batch, self.chunk, stream_key(stream)]
        return np.random.default_rng(np.random.SeedSequence(entropy))


@dataclass
class SourceRows:
    """Rows of one raw table built for a chunk, with the true person behind each row."""

    table: str
    columns: dict[str, pa.Array]
    person: np.ndarray  # row in the chunk's People, -1 for synthetic test persons
    person_id: pa.Array  # truth
    extra: dict[str, object] = field(default_factory=dict)

    def __len__(self) -> int:
        return len(self.person)

    def to_table(self) -> pa.Table:
        """The output table: contract columns in order, all strings, missing columns null."""
        n = len(self)
        arrays = []
        for column in TABLE_COLUMNS[self.table]:
            values = self.columns.get(column)
            arrays.append(pa.nulls(n, STRING) if values is None else values.cast(STRING))
        return pa.Table.from_arrays(arrays, names=list(TABLE_COLUMNS[self.table]))


def expand(counts: np.ndarray) -> np.ndarray:
    """Owner index of each item when owner i has counts[i] items: [2, 0, 1] -> [0, 0, 2]."""
    return np.repeat(np.arange(len(counts)), np.asarray(counts, dtype=np.int64))


def uniform_times(rng: np.random.Generator, low: np.ndarray, high: np.ndarray) -> np.ndarray:
    """A uniform instant in [low, high) per row (low when the interval is empty)."""
    low = np.asarray(low, dtype=np.int64)
    width = np.maximum(np.asarray(high, dtype=np.int64) - low, 1)
    return low + (rng.random(len(low)) * width).astype(np.int64)


#: Relative activity per local hour of day (people shop and browse in the evening, rarely at 4 am).
HOURLY_ACTIVITY = np.array(
    [
        1.2,
        0.6,
        0.3,
        0.2,
        0.2,
        0.4,
        1.0,
        2.0,
        3.0,
        3.8,
        4.2,
        4.5,
        5.0,
        5.0,
        4.6,
        4.5,
        4.6,
        5.2,
        6.0,
        6.8,
        7.2,
        6.8,
        5.0,
        2.6,
    ]
)


def human_times(
    rng: np.random.Generator, low: np.ndarray, high: np.ndarray, zone: np.ndarray, offsets: ZoneOffsets
) -> np.ndarray:
    """Instants in [low, high) on a uniform day, at an hour people are awake in their own time zone."""
    low = np.asarray(low, dtype=np.int64)
    high = np.asarray(high, dtype=np.int64)
    n = len(low)
    day = uniform_times(rng, low, high) // 86_400 * 86_400
    cumulative = np.cumsum(HOURLY_ACTIVITY)
    hour = np.searchsorted(cumulative, rng.random(n) * cumulative[-1], side="right")
    local = day + hour * 3600 + rng.integers(0, 3600, n)
    utc = local - offsets.offset(local, zone)
    # The upper bound wins over the lower one: nothing may fall after the end of the batch.
    return np.minimum(np.maximum(utc, low), high - 1)


def geometric_counts(rng: np.random.Generator, n: int, mean: float, cap: int = 40) -> np.ndarray:
    """Counts >= 1 with the given mean (a long tail of heavy users), capped."""
    if mean <= 1:
        return np.ones(n, dtype=np.int64)
    return np.minimum(rng.geometric(1.0 / mean, n), cap).astype(np.int64)
