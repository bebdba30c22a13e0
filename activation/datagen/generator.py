"""Orchestration: people are generated chunk by chunk, each chunk's records built and handed to a writer.

Memory stays bounded by the chunk size whatever the number of people. Chunks are processed in order because
true e-mails and phone numbers must stay unique across the whole population (``PopulationState``).
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Iterator
from dataclasses import dataclass, field

import numpy as np
import pyarrow as pa

from .catalog import Campaigns, Catalog, build_ads_spend, build_campaigns, build_catalog
from .config import GeneratorConfig
from .consent import (
    Decisions,
    erasure_identifiers,
    initial_decisions,
    later_changes,
    make_erasure_requests,
    render_consent,
)
from .context import ChunkContext, IdAllocator, SourceRows
from .noise import SECONDS_PER_DAY, ZoneOffsets, email_address, format_dates, format_naive, phone_e164
from .people import NEVER, People, PopulationState, build_people, person_ids
from .reference import reference
from .schema import PERSONS_COLUMNS, TABLE_COLUMNS, TRUTH_COLUMNS, TRUTH_SOURCES
from .sources import (
    build_crm,
    build_loyalty,
    build_pos,
    build_shop_customers,
    build_shop_orders,
    build_support,
    build_test_accounts,
)
from .text import STRING, join, null_where, repeat, strings, take
from .web import Devices, build_web

logger = logging.getLogger(__name__)

#: Test accounts per chunk of the base batch, at least (so that small samples have some).
MIN_TEST_ACCOUNTS = 3


@dataclass
class ChunkResult:
    """Everything one chunk produced: output tables, truth, and the internals follow-ups look into."""

    batch: int
    chunk: int
    tables: dict[str, pa.Table]
    truth: pa.Table
    persons: pa.Table | None = None
    rows: dict[str, SourceRows] = field(default_factory=dict)
    people: People | None = None
    devices: Devices | None = None
    decisions: Decisions | None = None


def epoch_seconds(day: dt.date) -> int:
    return (day - dt.date(1970, 1, 1)).days * SECONDS_PER_DAY


def batch_window(config: GeneratorConfig, batch: int) -> tuple[int, int]:
    """Epoch-second window [start, end) of a batch: the base period, then ``follow_up_days`` per batch."""
    base_end = epoch_seconds(config.end_date) + SECONDS_PER_DAY  # end_date is inclusive
    if batch == 0:
        return epoch_seconds(config.start_date), base_end
    length = config.follow_up_days * SECONDS_PER_DAY
    return base_end + (batch - 1) * length, base_end + batch * length


class Generator:
    """Builds batches of a data set defined by a ``GeneratorConfig``."""

    def __init__(self, config: GeneratorConfig, *, with_persons: bool = False) -> None:
        config.validate()
        self.config = config
        self.with_persons = with_persons
        self.catalog: Catalog = build_catalog(config)
        start, end = self.batch_window(0)
        horizon = end + 10 * 366 * SECONDS_PER_DAY  # follow-up batches go on after the base period
        self.offsets = ZoneOffsets(config.start_date.year - 1, config.end_date.year + 11)
        self.campaigns: Campaigns = build_campaigns(start // SECONDS_PER_DAY, horizon // SECONDS_PER_DAY)

    # ----------------------------------------------------------------------------------------- batches

    def batch_window(self, batch: int) -> tuple[int, int]:
        return batch_window(self.config, batch)

    def new_people_count(self, batch: int) -> int:
        """People first seen in a batch (all of them in the base batch)."""
        if batch == 0:
            return self.config.people
        rate = self.config.follow_up.new_people
        return max(1, round(self.config.people * rate)) if rate > 0 else 0

    def first_pidx(self, batch: int) -> int:
        return sum(self.new_people_count(b) for b in range(batch))

    def chunk_bounds(self, batch: int) -> list[tuple[int, int]]:
        """[start, stop) dense person indices of each chunk of a batch's new people."""
        first, count, size = self.first_pidx(batch), self.new_people_count(batch), self.config.chunk_size
        return [(first + s, first + min(s + size, count)) for s in range(0, count, size)]

    def context(self, batch: int, chunk: int, ids: IdAllocator) -> ChunkContext:
        return ChunkContext(self.config, batch, chunk, self.batch_window(batch), ids, self.offsets)

    def new_people(self, batch: int, chunk: int, bounds: tuple[int, int], state: PopulationState) -> People:
        ctx = self.context(batch, chunk, IdAllocator(batch))
        return build_people(
            self.config, ctx.rng("people"), np.arange(*bounds, dtype=np.int64), ctx.window, state
        )

    def iter_batch(
        self, batch: int, state: PopulationState, ids: IdAllocator | None = None
    ) -> Iterator[ChunkResult]:
        """Chunks of a batch's new people with all their records (the whole base batch when batch == 0)."""
        ids = ids or IdAllocator(batch)
        for chunk, bounds in enumerate(self.chunk_bounds(batch)):
            people = self.new_people(batch, chunk, bounds, state)
            yield self.build_chunk(batch, chunk, people, ids)

    # ----------------------------------------------------------------------------------------- chunks

    def build_chunk(self, batch: int, chunk: int, people: People, ids: IdAllocator) -> ChunkResult:
        """All records of a block of new people (plus test accounts, products and ads where due)."""
        ctx = self.context(batch, chunk, ids)
        crm = build_crm(ctx, people)
        customers = build_shop_customers(ctx, people)
        orders, order_lines = build_shop_orders(ctx, people, customers, self.catalog)
        loyalty = build_loyalty(ctx, people)
        pos, pos_lines = build_pos(ctx, people, loyalty, self.catalog)
        support = build_support(ctx, people)
        events, devices = build_web(ctx, people, customers, orders, self.catalog, self.campaigns)
        decisions = initial_decisions(ctx, people, crm, customers, loyalty, events.extra["newsletter"])
        changes = later_changes(ctx, decisions, ctx.rng("consent_changes"))
        all_decisions = Decisions.concat([decisions, changes])
        consent = render_consent(ctx, people, all_decisions, ctx.rng("consent_render"))
        erasure_rng = ctx.rng("erasure")
        identifiers = erasure_identifiers(ctx, people, crm, customers, loyalty, erasure_rng)
        erasure = make_erasure_requests(ctx, people, np.flatnonzero(people.erasure), identifiers, erasure_rng)
        rows = {
            r.table: r
            for r in (
                crm,
                customers,
                orders,
                order_lines,
                pos,
                pos_lines,
                loyalty,
                support,
                events,
                consent,
                erasure,
            )
        }
        tests = self.test_accounts(ctx, len(people))
        tables = {}
        for table in TABLE_COLUMNS:
            parts = [r.to_table() for r in (rows.get(table), tests.get(table)) if r is not None]
            tables[table] = pa.concat_tables(parts) if parts else None
        tables["shop_products"] = self.catalog.table if (batch, chunk) == (0, 0) else None
        tables["ads_spend"] = self.ads_spend(batch) if chunk == 0 else None
        tables = {name: table for name, table in tables.items() if table is not None}
        truth = truth_table([*rows.values(), *tests.values()], devices, people)
        return ChunkResult(
            batch=batch,
            chunk=chunk,
            tables=tables,
            truth=truth,
            persons=persons_table(people, tests) if self.with_persons else None,
            rows=rows,
            people=people,
            devices=devices,
            decisions=consent.extra["decisions"],
        )

    def test_accounts(self, ctx: ChunkContext, people_count: int) -> dict[str, SourceRows]:
        rate = self.config.presence.test_accounts
        count = round(people_count * rate)
        if ctx.batch == 0 and rate > 0:
            count = max(count, MIN_TEST_ACCOUNTS)
        return build_test_accounts(ctx, count, self.catalog) if count else {}

    def ads_spend(self, batch: int) -> pa.Table:
        rng = np.random.default_rng(np.random.SeedSequence([self.config.seed, batch, 7_777]))
        return build_ads_spend(self.campaigns, rng, self.batch_window(batch))


# --------------------------------------------------------------------------------------------- truth


def truth_table(
    rows: list[SourceRows],
    devices: Devices | None,
    people: People | None,
    new_devices: np.ndarray | None = None,
) -> pa.Table:
    """(source_table, record_id, person_id) of every person-linked record, plus one row per new device."""
    id_columns = {table: column for table, column in TRUTH_SOURCES.values()}
    parts = []
    for source_rows in rows:
        if source_rows.table not in id_columns or source_rows.table == "web_events" or not len(source_rows):
            continue
        record_id = source_rows.columns[id_columns[source_rows.table]]
        parts.append((source_rows.table, record_id, source_rows.person_id))
    if devices is not None and people is not None and len(devices.person):
        keep = np.flatnonzero(np.ones(len(devices.person), bool) if new_devices is None else new_devices)
        owners = people.person_id.take(pa.array(devices.person[keep]))
        parts.append(("web_anonymous_ids", devices.anonymous_id.take(pa.array(keep)), owners))
    arrays = [
        pa.concat_arrays([repeat(table, len(ids)) for table, ids, _ in parts])
        if parts
        else pa.array([], STRING),
        pa.concat_arrays([ids.cast(STRING) for _, ids, _ in parts]) if parts else pa.array([], STRING),
        pa.concat_arrays([persons.cast(STRING) for _, _, persons in parts])
        if parts
        else pa.array([], STRING),
    ]
    return pa.Table.from_arrays(arrays, names=list(TRUTH_COLUMNS))


def persons_table(people: People, tests: dict[str, SourceRows]) -> pa.Table:
    """Golden records of the true persons (and one row per synthetic test person)."""
    ref = reference()
    n = len(people)
    changed = people.email_changed < NEVER
    moved = people.moved < NEVER
    country = people.country
    street_line = join(
        take(strings([str(i) for i in range(0, 241)]), np.minimum(people.house_no, 240)),
        " ",
        take(ref.streets.variants, people.street * 5),
    )
    values = {
        "person_id": people.person_id,
        "kind": repeat("person", n),
        "first_name": take(ref.first.variants, people.first * 10),
        "last_name": take(ref.last.variants, people.last * 10),
        "birth_date": format_dates(people.birth, "iso"),
        "email": email_address(people.email_local, people.email_domain),
        "previous_email": null_where(
            ~changed, email_address(people.old_email_local, people.old_email_domain)
        ),
        "email_changed_at": null_where(~changed, format_naive(np.where(changed, people.email_changed, 0))),
        "mobile_phone": phone_e164(people.mobile, country),
        "landline_phone": phone_e164(people.landline, country),
        "street_address": street_line,
        "postal_code": people.postcode,
        "city": take(ref.cities.variants, people.city * 6),
        "country_code": take(ref.country_codes, country),
        "previous_postal_code": null_where(~moved, people.old_postcode),
        "previous_city": null_where(~moved, take(ref.cities.variants, people.old_city * 6)),
        "moved_at": null_where(~moved, format_naive(np.where(moved, people.moved, 0))),
        "household_id": person_ids(people.household),
    }
    table = pa.Table.from_arrays([values[c] for c in PERSONS_COLUMNS], names=list(PERSONS_COLUMNS))
    crm_tests = tests.get("crm_contacts")
    if crm_tests is not None and len(crm_tests):
        m = len(crm_tests)
        test_values = {c: pa.nulls(m, STRING) for c in PERSONS_COLUMNS}
        test_values.update(
            person_id=crm_tests.person_id,
            kind=repeat("test", m),
            first_name=crm_tests.columns["first_name"],
            last_name=crm_tests.columns["last_name"],
            email=crm_tests.columns["email"],
        )
        table = pa.concat_tables(
            [
                table,
                pa.Table.from_arrays([test_values[c] for c in PERSONS_COLUMNS], names=list(PERSONS_COLUMNS)),
            ]
        )
    return table
