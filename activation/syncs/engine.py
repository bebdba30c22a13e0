"""The engine every destination shares: diff, batches, concurrency, retries, acknowledgements, recovery.

One run of a sync:
  1. check the model's columns against the mapping (errors name the sync and the field)
  2. resend batches a crashed run left unacknowledged ('sending' in the journal), with their original
     idempotency keys, then fold acknowledged batches into destination_records
  3. stream the diff from the warehouse (only rows that need something), cut it into batches of one
     operation each at the destination's size, journal each batch (commit), send it on a bounded pool of
     workers behind a shared token bucket, retry transient failures with jittered exponential backoff that
     honours the platform's retry hints, and commit each acknowledgement as it comes back
  4. fold the run's acknowledged batches into destination_records, write the run log row

Per-record rejections are data (record_outcomes), never exceptions; a failed batch marks its records 'failed'
and the next run's diff picks them up again; a fatal destination error (credentials, permissions) stops the
run.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import hashlib
import logging
import queue
import random
import threading
import time
import uuid
from collections.abc import Callable, Iterator
from concurrent.futures import FIRST_COMPLETED, Future, ThreadPoolExecutor, wait
from dataclasses import dataclass, field
from typing import Any

import pyarrow as pa
import pyarrow.compute as pc

from activation.destinations.base import Batch, BatchOutcome, Destination, DestinationContext
from activation.errors import (
    ActivationError,
    ConfigurationError,
    DestinationError,
    FatalDestinationError,
    PermanentDestinationError,
    RateLimitedError,
    TransientDestinationError,
)
from activation.syncs import sql
from activation.syncs.config import SyncConfig
from activation.syncs.delivery import Redactor, TokenBucket, Transport, describe_error
from activation.syncs.state import (
    Acknowledgement,
    JournalledBatch,
    RecordOutcome,
    RunCounts,
    StateStore,
    utc_now,
)
from activation.syncs.warehouse import (
    BOOLEAN,
    OTHER,
    StateConnection,
    WarehouseConnection,
)

logger = logging.getLogger(__name__)

CHUNK_ROWS = 10_000
# Batches are journalled a group at a time: one commit per this many records (or per batch, if larger). The
# group's diff rows, payloads and all, wait in memory for the commit: first syncs of 1, 4 and 8 million
# members (benchmarks/activation_sync.py) peaked at 473-481, 501 and 494 MiB at 20,000; at 487-509, 514 and
# 516 MiB at 50,000, as fast.
JOURNAL_GROUP_ROWS = 20_000
# Diff chunks the warehouse may compute ahead of the batches being cut and journalled.
READ_AHEAD_CHUNKS = 2
# A first sync folds its acknowledged batches into the state this many records at a time, as it goes. First
# syncs of 1, 4 and 8 million members (benchmarks/activation_sync.py, DuckDB at 192MB), peak RSS: 493, 558 and
# 540 MiB at 50,000; 521 and 585 MiB (1 and 4 million) at 125,000; 586 and 620 MiB at 250,000, as the fold
# overlaps the diff's reads. Folding at the end of the run read every batch back from the journal: 941 MiB at
# 8 million.
FOLD_GROUP_ROWS = 50_000


@dataclass
class SyncResult:
    sync_name: str
    run_id: str
    status: str
    counts: RunCounts
    seconds: float
    error: str | None = None
    warnings: list[str] = field(default_factory=list)

    @property
    def succeeded(self) -> bool:
        return self.status in ("succeeded", "partial")


@dataclass
class PlanResult:
    sync_name: str
    counts: dict[str, int]
    held: int
    interrupted_batches: int
    samples: list[dict[str, Any]]


@dataclass
class Warehouses:
    """Where a sync reads its segment (None: the state connection itself) and keeps its state."""

    state: StateStore
    source: WarehouseConnection | None = None
    source_target: str = ""

    @property
    def state_connection(self) -> StateConnection:
        return self.state.connection


class ProgressReporter:
    """Counts records as batches are acknowledged; a tqdm bar when asked for (long syncs, a terminal)."""

    def __init__(self, enabled: bool, description: str) -> None:
        self._bar = None
        if enabled:
            from tqdm import tqdm

            self._bar = tqdm(desc=description, unit=" records", unit_scale=True, leave=False)

    def advance(self, records: int) -> None:
        if self._bar is not None:
            self._bar.update(records)

    def close(self) -> None:
        if self._bar is not None:
            self._bar.close()


def new_run_id() -> str:
    # Run ids sort in start order (file destinations name their folders after them, and consumers replay
    # folders by name), so the time carries microseconds: two runs in one second must not sort at random.
    return f"{utc_now():%Y%m%dT%H%M%S%fZ}-{uuid.uuid4().hex[:8]}"


def idempotency_key(sync_name: str, batch_id: str) -> str:
    """Stable for a batch across attempts and the resend after a crash, unique across runs."""
    digest = hashlib.sha256(f"{sync_name}\x1f{batch_id}".encode()).hexdigest()[:32]
    return f"msg_{digest}"


class SyncRunner:
    """Runs one sync once. Build it with the sync, its warehouses and (for tests) a destination factory."""

    def __init__(
        self,
        sync: SyncConfig,
        warehouses: Warehouses,
        *,
        progress: bool = False,
        destination_factory: Callable[[DestinationContext], Destination] | None = None,
        rng: random.Random | None = None,
    ) -> None:
        self.sync = sync
        self.warehouses = warehouses
        self.store = warehouses.state
        self.progress = progress
        self.redact = Redactor()
        self.rng = rng or random.Random()
        self._destination_factory = destination_factory

    # ---------------------------------------------------------------------------------- preparation

    def _source(self) -> WarehouseConnection:
        return self.warehouses.source or self.warehouses.state_connection

    def _check_columns(self) -> sql.MemberColumns:
        sync, source = self.sync, self._source()
        try:
            kinds = source.column_kinds(sync.relation)
        except Exception as error:
            raise ConfigurationError(
                f"sync '{sync.name}': model {sync.model} ({sync.relation}) cannot be read: {error}. "
                "Was it built (dbt build) on this target?"
            ) from None
        problems = []
        if sync.key_column not in kinds:
            problems.append(f"key: column {sync.key_column!r} is not in {sync.model}")
        if sync.holdout_column and sync.holdout_column not in kinds:
            problems.append(
                f"holdout_column: column {sync.holdout_column!r} is not in {sync.model} "
                "(set it to null if the model has no holdout)"
            )
        elif sync.holdout_column and kinds[sync.holdout_column] != BOOLEAN:
            problems.append(f"holdout_column: {sync.holdout_column!r} is not a boolean column")
        columns: dict[str, tuple[str, str]] = {}
        for group, mapping in (("identifiers", sync.identifiers), ("fields", sync.fields)):
            for name, column in mapping.items():
                if column not in kinds:
                    problems.append(f"{group}.{name}: column {column!r} is not in {sync.model}")
                else:
                    columns[name] = (column, kinds[column])
        if sync.consent_relation is not None and (sync.consent_column or sync.erased_column):
            try:
                consent_kinds = source.column_kinds(sync.consent_relation)
            except Exception as error:
                raise ConfigurationError(
                    f"sync '{sync.name}': the consent model ({sync.consent_relation}) cannot be read: {error}"
                ) from None
            for setting, column in (
                ("consent key (var cdp_activation_consent_key_column)", sync.consent_key_column),
                ("consent_channel", sync.consent_column),
                ("erased column (var cdp_activation_erased_column)", sync.erased_column),
            ):
                if column and column not in consent_kinds:
                    problems.append(f"{setting}: the consent model has no column {column!r}")
        if problems:
            raise ConfigurationError(f"sync '{sync.name}' ({sync.source_file}):\n  " + "\n  ".join(problems))
        for name, (_column, kind) in columns.items():
            if kind == OTHER:
                logger.info(
                    "sync %s: field %s has a complex type; it is sent as the engine renders it",
                    sync.name,
                    name,
                )
        keeps_identity = sync.destination_class.keeps_identity(sync.destination_settings)
        return sql.MemberColumns(
            columns=columns, identifier_names=tuple(sync.identifiers) if keeps_identity else ()
        )

    def _member_sources(self, mapped: sql.MemberColumns) -> tuple[str, str | None, bool]:
        """SQL of members and consent as the state connection sees them; staged copies for another engine."""
        sync, state = self.sync, self.warehouses.state_connection
        if self.warehouses.source is None:
            members = sql.members_select(sync, state.dialect, mapped, as_json=False)
            return members, sql.consent_select(sync, state.dialect), False
        source = self.warehouses.source
        members_table = self.store.tables.staging(sync.name, "members")
        consent_table = self.store.tables.staging(sync.name, "consent")
        started = time.monotonic()
        self._stage(members_table, sql.members_select(sync, source.dialect, mapped, as_json=True), source)
        consent_sql = sql.consent_select(sync, source.dialect)
        if consent_sql is not None:
            self._stage(consent_table, consent_sql, source)
        logger.info(
            "sync %s: staged members from %s in %.1f s",
            sync.name,
            source.dialect.name,
            time.monotonic() - started,
        )
        return (
            f"select * from {members_table}",
            f"select * from {consent_table}" if consent_sql is not None else None,
            True,
        )

    def _diff_sql(
        self,
        mapped: sql.MemberColumns,
        members_sql: str,
        consent_sql: str | None,
        staged: bool,
        partition: tuple[int, int] | None,
        *,
        include_payload: bool = True,
    ) -> str:
        return sql.diff_query(
            self.sync,
            self.store.tables,
            self.warehouses.state_connection.dialect,
            mapped,
            members_sql,
            consent_sql,
            staged=staged,
            include_payload=include_payload,
            partition=partition,
        )

    def _diff_partitions(self, consent_sql: str | None, held: int) -> list[tuple[int, int] | None]:
        """The parts the diff is computed in: one, unless the state's engine must keep its hash tables (the
        `held` records, consent rows) small and they are larger than its diff_partition_rows."""
        state = self.warehouses.state_connection
        if state.diff_partition_rows is None:
            return [None]
        hashed = held
        if consent_sql is not None:
            (consent_rows,) = state.fetchall(f"select count(*) from (\n{consent_sql}\n) as consent")[0]
            hashed = max(hashed, int(consent_rows))
        count = -(-hashed // state.diff_partition_rows)
        if count <= 1:
            return [None]
        return [(index, count) for index in range(count)]

    def _stage(self, table: str, query: str, source: WarehouseConnection) -> None:
        state = self.warehouses.state_connection
        with state.transaction():
            state.execute(f"drop table if exists {table}")
            created = False
            for chunk in source.stream(query, CHUNK_ROWS):
                data = pa.Table.from_batches([chunk])
                if not created:
                    columns = ", ".join(
                        f"{state.dialect.quote(name)} {'boolean' if pa.types.is_boolean(kind) else 'varchar'}"
                        for name, kind in zip(data.column_names, data.schema.types, strict=True)
                    )
                    state.execute(f"create table {table} ({columns})")
                    created = True
                state.insert_arrow(table, data)
            if not created:
                raise ConfigurationError(f"sync '{self.sync.name}': nothing to stage from {self.sync.model}")

    def _check_unique_keys(self) -> None:
        source = self._source()
        duplicates = source.fetchall(sql.duplicate_keys_query(self.sync, source.dialect))
        if duplicates:
            listed = ", ".join(f"{key!r} ({count} rows)" for key, count in duplicates)
            raise ConfigurationError(
                f"sync '{self.sync.name}': key {self.sync.key_column!r} is not unique in {self.sync.model}: "
                f"{listed}. A segment has one row per customer."
            )

    # ---------------------------------------------------------------------------------------- plan

    def plan(self, sample_size: int = 5) -> PlanResult:
        """Counts of what a run would do, and sample rows of each operation it would send. Nothing is sent and
        no state changes (the state tables are created when missing)."""
        self.store.ensure()
        mapped = self._check_columns()
        members_sql, consent_sql, staged = self._member_sources(mapped)
        self._check_unique_keys()
        state = self.warehouses.state_connection
        held = self.store.held_count(self.sync.name)
        partitions = self._diff_partitions(consent_sql, held)
        counts: dict[str, int] = {}
        for partition in partitions:
            diff = self._diff_sql(mapped, members_sql, consent_sql, staged, partition, include_payload=False)
            for change, operation, count in state.fetchall(
                f"select change, operation, count(*) from ({diff}) as diff group by change, operation",
                joins_as_written=True,
            ):
                key = f"{change}:{operation}"
                counts[key] = counts.get(key, 0) + int(count)
        samples = []
        sent = sorted({key.split(":")[1] for key in counts} & set(sql.SENT_OPERATIONS))
        for operation in sent:
            rows = []
            for partition in partitions:
                full = self._diff_sql(mapped, members_sql, consent_sql, staged, partition)
                rows += state.fetchall(
                    f"select record_key, change, reason, payload, identity from ({full}) as diff "
                    f"where operation = '{operation}' order by record_key limit {int(sample_size)}",
                    joins_as_written=True,
                )
            for record_key, change, reason, payload, identity in sorted(rows)[:sample_size]:
                samples.append(
                    {
                        "record_key": record_key,
                        "change": change,
                        "operation": operation,
                        "reason": reason,
                        "payload": payload if payload is not None else identity,
                    }
                )
        return PlanResult(
            sync_name=self.sync.name,
            counts=counts,
            held=held,
            interrupted_batches=len(self.store.interrupted_batches(self.sync.name)),
            samples=samples,
        )

    # ----------------------------------------------------------------------------------------- run

    def run(self) -> SyncResult:
        # DuckDB imports pandas the first time Arrow data goes in (half a second); do it while the diff runs.
        threading.Thread(target=_import_pandas, daemon=True).start()
        sync = self.sync
        started = time.monotonic()
        run_id = new_run_id()
        counts = RunCounts()
        warnings: list[str] = []
        self.store.ensure()
        self.warehouses.state_connection.lock_sync(sync.name)
        mapped = self._check_columns()
        members_sql, consent_sql, staged = self._member_sources(mapped)
        self._check_unique_keys()
        self.store.start_run(
            run_id,
            sync.name,
            {
                "model": sync.model,
                "destination_type": sync.destination_type,
                "mode": sync.mode,
                "source_target": self.warehouses.source_target,
                "started_at": utc_now(),
            },
        )
        limiter = TokenBucket(sync.requests_per_second, burst=max(1, sync.max_concurrency))
        transport = Transport(limiter, self.redact, timeout_seconds=sync.request_timeout_seconds)
        context = DestinationContext(
            sync_name=sync.name,
            identifiers=tuple(sync.identifiers),
            fields=tuple(sync.fields),
            transport=transport,
            redact=self.redact,
        )
        destination = (
            self._destination_factory(context)
            if self._destination_factory
            else sync.destination_class(sync.destination_settings, context)
        )
        pipeline = _Pipeline(self, destination, counts, warnings, run_id)
        error_message: str | None = None
        status = "succeeded"
        completed = False
        try:
            destination.open()
            self._recover(pipeline, mapped, members_sql, consent_sql, staged)
            self.store.compact(sync.name)
            held_before = self.store.held_count(sync.name)
            logger.info(
                "sync %s: destination holds %d records; ready in %.2f s",
                sync.name,
                held_before,
                time.monotonic() - started,
            )
            pipeline.folds_as_it_goes = held_before == 0 and self.store.is_empty(sync.name)
            changed_or_removed = self._send_diff(
                pipeline, mapped, members_sql, consent_sql, staged, run_id, held_before
            )
            pipeline.finish()
            logger.info(
                "sync %s: diff sent and acknowledged at %.2f s", sync.name, time.monotonic() - started
            )
            counts.rows_unchanged = max(0, held_before - changed_or_removed)
            completed = True
        except ActivationError as error:
            error_message = describe_error(error, self.redact)
            status = "failed"
            completed = True
        finally:
            pipeline.abort()
            self._close(destination, transport)
            counts.requests_sent += transport.request_count
            if not completed:
                # Interrupted (KeyboardInterrupt) or a bug: record the run as failed, then let it propagate.
                self._finish(run_id, "failed", counts, "interrupted by an unexpected error")
        if pipeline.fatal is not None and error_message is None:
            error_message = describe_error(pipeline.fatal, self.redact)
            status = "failed"
        if status != "failed" and counts.rows_failed:
            status = "failed"
            error_message = pipeline.last_failure
        elif status != "failed" and counts.rows_rejected:
            status = "partial"
        self._finish(run_id, status, counts, error_message)
        if staged:
            self._drop_staging()
        return SyncResult(
            sync_name=sync.name,
            run_id=run_id,
            status=status,
            counts=counts,
            seconds=time.monotonic() - started,
            error=error_message,
            warnings=warnings,
        )

    def _finish(self, run_id: str, status: str, counts: RunCounts, error_message: str | None) -> None:
        try:
            self.store.compact(self.sync.name)
        finally:
            self.store.finish_run(run_id, status, counts, error_message)

    def _close(self, destination: Destination, transport: Transport) -> None:
        try:
            destination.close()
        finally:
            transport.close()

    def _drop_staging(self) -> None:
        state = self.warehouses.state_connection
        for what in ("members", "consent"):
            state.execute(f"drop table if exists {self.store.tables.staging(self.sync.name, what)}")

    def _recover(
        self,
        pipeline: _Pipeline,
        mapped: sql.MemberColumns,
        members_sql: str,
        consent_sql: str | None,
        staged: bool,
    ) -> None:
        """Resend the batches a crashed run journalled but never saw acknowledged, under the same keys.

        Records whose payload changed since (or that left the segment) are not resent: they are recorded as
        possibly delivered with their planned payload, and the next diff sends what differs.
        """
        interrupted = self.store.interrupted_batches(self.sync.name)
        if not interrupted:
            return
        logger.warning(
            "sync %s: resending %d batches of an interrupted run", self.sync.name, len(interrupted)
        )
        state = self.warehouses.state_connection
        self.store.load_journal(self.sync.name, ["sending"])
        query = sql.recovery_query(
            self.sync,
            self.store.tables,
            state.dialect,
            mapped,
            members_sql,
            consent_sql,
            [item.batch_id for item in interrupted],
            staged=staged,
        )
        chunks = state.stream(query, CHUNK_ROWS, joins_as_written=True)
        parts = [pa.Table.from_batches([chunk]) for chunk in chunks]
        table = pa.concat_tables(parts) if parts else None
        for journalled in interrupted:
            rows = (
                None
                if table is None
                else table.filter(pc.equal(table.column("batch_id"), journalled.batch_id))
            )
            if rows is None or rows.num_rows == 0:
                pipeline.acknowledge_now(journalled.batch_id)
                continue
            keep = pc.or_(
                pc.equal(rows.column("operation"), "remove"), pc.fill_null(rows.column("is_unchanged"), False)
            )
            resend = rows.filter(keep)
            if resend.num_rows < rows.num_rows:
                logger.warning(
                    "sync %s: %d records of batch %s changed since it was sent; the next diff updates them",
                    self.sync.name,
                    rows.num_rows - resend.num_rows,
                    journalled.batch_id,
                )
            is_remove = pc.equal(resend.column("operation"), "remove")
            records = pa.table(
                {
                    "record_key": resend.column("record_key"),
                    "payload": pc.if_else(
                        is_remove, resend.column("planned_identity"), resend.column("payload")
                    ),
                    "previous_identity": resend.column("previous_identity"),
                }
            )
            journal = pa.table(
                {"record_key": rows.column("record_key"), "payload_hash": rows.column("planned_hash")}
            )
            pipeline.counts.rows_resent += records.num_rows
            pipeline.submit(journalled, records, journal=journal)
        pipeline.finish()

    def _send_diff(
        self,
        pipeline: _Pipeline,
        mapped: sql.MemberColumns,
        members_sql: str,
        consent_sql: str | None,
        staged: bool,
        run_id: str,
        held: int,
    ) -> int:
        """Stream the diff into batches; returns how many of the `held` records changed or left (for
        'unchanged')."""
        sync, state = self.sync, self.warehouses.state_connection
        partitions = self._diff_partitions(consent_sql, held)
        reader = state.reader()
        cutter = _BatchCutter(sync.batch_size)
        suppressed: list[pa.Table] = []
        changed_or_removed = 0
        sequences: dict[str, int] = {}
        held_back: dict[str, tuple[JournalledBatch, pa.Table]] = {}

        def cut(operation: str, records: pa.Table, is_last: bool) -> None:
            # One batch held back per operation, so the final one can be flagged (Meta's last_batch_flag).
            if operation in held_back:
                previous, previous_records = held_back.pop(operation)
                pipeline.submit_new(previous, previous_records)
            sequences[operation] = sequences.get(operation, 0) + 1
            batch_id = f"{run_id}-{operation}-{sequences[operation]:06d}"
            journalled = JournalledBatch(
                batch_id=batch_id,
                run_id=run_id,
                operation=operation,
                sequence=sequences[operation],
                is_last=is_last,
                idempotency_key=idempotency_key(sync.name, batch_id),
                created_at=utc_now(),
            )
            held_back[operation] = (journalled, records)

        def diff_chunks() -> Iterator[pa.RecordBatch]:
            for index, partition in enumerate(partitions):
                if index:
                    reader.release_committed()
                diff = self._diff_sql(mapped, members_sql, consent_sql, staged, partition)
                yield from reader.stream(diff, CHUNK_ROWS, joins_as_written=True)

        chunks = _ReadAhead(diff_chunks(), READ_AHEAD_CHUNKS)
        try:
            for chunk in chunks:
                if pipeline.stopped:
                    break
                table = pa.Table.from_batches([chunk])
                changes = table.column("change")
                changed_or_removed += pc.sum(pc.not_equal(changes, "added").cast(pa.int64())).as_py() or 0
                operations = table.column("operation")
                distinct = pc.unique(operations).to_pylist()
                for operation in distinct:
                    # A chunk of one operation (all of a first sync) is not copied, payloads and all.
                    part = table if len(distinct) == 1 else table.filter(pc.equal(operations, operation))
                    if operation in sql.SENT_OPERATIONS:
                        for records in cutter.add(operation, part):
                            cut(operation, records, is_last=False)
                    elif operation == sql.REPORT:
                        pipeline.counts.rows_suppressed += part.num_rows
                        suppressed.append(part.select(["record_key", "reason"]))
                    else:
                        pipeline.counts.rows_skipped += part.num_rows
                pipeline.collect(block=False)
        finally:
            chunks.close()
            reader.close()
        if not pipeline.stopped:
            for operation, records in cutter.remainders():
                cut(operation, records, is_last=False)
            for operation in list(held_back):
                journalled, records = held_back.pop(operation)
                journalled.is_last = True
                pipeline.submit_new(journalled, records)
        if suppressed:
            self.store.record_suppressed(sync.name, run_id, pa.concat_tables(suppressed), sync.mode)
        return changed_or_removed


class _ReadAhead:
    """Chunks of a streamed query read on a thread of their own, at most `depth` ahead: the warehouse
    computes the next chunks (DuckDB and the database drivers release the GIL) while the calling thread
    journals and hands out batches. Errors of the read are raised where the chunks are consumed."""

    _END = object()

    def __init__(self, chunks: Iterator[pa.RecordBatch], depth: int) -> None:
        self._chunks = chunks
        self._queue: queue.Queue[Any] = queue.Queue(maxsize=depth)
        self._stopping = threading.Event()
        self._thread = threading.Thread(target=self._read, name="activation-read-ahead", daemon=True)
        self._thread.start()

    def _read(self) -> None:
        try:
            for chunk in self._chunks:
                if not self._put(chunk):
                    return
            self._put(self._END)
        except BaseException as error:
            self._put(_ReadFailed(error))
        finally:
            # The stream's own cleanup (the warehouse's cursor) runs on the thread that read it.
            close = getattr(self._chunks, "close", None)
            if close is not None:
                close()

    def _put(self, item: Any) -> bool:
        """False when the consumer stopped before taking it."""
        while not self._stopping.is_set():
            try:
                self._queue.put(item, timeout=0.1)
                return True
            except queue.Full:
                continue
        return False

    def __iter__(self) -> Iterator[pa.RecordBatch]:
        while True:
            item = self._queue.get()
            if item is self._END:
                return
            if isinstance(item, _ReadFailed):
                raise item.error
            yield item

    def close(self) -> None:
        """Stop reading (the chunk being computed is dropped) and wait for the reading thread."""
        self._stopping.set()
        self._thread.join()


@dataclass
class _ReadFailed:
    error: BaseException


class _BatchCutter:
    """Accumulates diff rows per operation and cuts them into batches of exactly `size` rows."""

    def __init__(self, size: int) -> None:
        self.size = size
        self._pending: dict[str, list[pa.Table]] = {}
        self._counts: dict[str, int] = {}

    def add(self, operation: str, rows: pa.Table) -> Iterator[pa.Table]:
        self._pending.setdefault(operation, []).append(rows)
        self._counts[operation] = self._counts.get(operation, 0) + rows.num_rows
        while self._counts[operation] >= self.size:
            combined = pa.concat_tables(self._pending[operation])
            yield combined.slice(0, self.size).combine_chunks()
            rest = combined.slice(self.size)
            self._pending[operation] = [rest] if rest.num_rows else []
            self._counts[operation] = rest.num_rows

    def remainders(self) -> Iterator[tuple[str, pa.Table]]:
        for operation, parts in self._pending.items():
            if self._counts.get(operation):
                yield operation, pa.concat_tables(parts).combine_chunks()
        self._pending.clear()
        self._counts.clear()


@dataclass
class _InFlight:
    journalled: JournalledBatch
    size: int
    change_counts: dict[str, int]
    journal: pa.Table  # record_key and payload_hash at least: for outcomes of rejected or failed records


class _Pipeline:
    """Bounded concurrent delivery with acknowledgements committed from the calling thread only."""

    def __init__(
        self,
        runner: SyncRunner,
        destination: Destination,
        counts: RunCounts,
        warnings: list[str],
        run_id: str,
    ) -> None:
        self.runner = runner
        self.sync = runner.sync
        self.store = runner.store
        self.destination = destination
        self.counts = counts
        self.warnings = warnings
        self.run_id = run_id
        self.pool = ThreadPoolExecutor(max_workers=self.sync.max_concurrency, thread_name_prefix="activation")
        self.in_flight: dict[Future[tuple[BatchOutcome, int]], _InFlight] = {}
        self.fatal: BaseException | None = None
        self.last_failure: str | None = None
        self.consecutive_failures = 0
        self.progress = ProgressReporter(runner.progress, f"{self.sync.name} -> {self.sync.destination_type}")
        self._acknowledgements: list[Acknowledgement] = []
        self._unjournalled: list[tuple[JournalledBatch, pa.Table]] = []
        self._closed = False
        #: A first sync (nothing held, journalled or outcome before it): acknowledged batches are folded into
        #: the state as the run goes, from the records in memory, instead of read back from the journal.
        self.folds_as_it_goes = False
        self._foldable: list[tuple[JournalledBatch, pa.Table, dt.datetime]] = []
        self._foldable_rows = 0

    @property
    def stopped(self) -> bool:
        return self.fatal is not None

    def submit_new(self, journalled: JournalledBatch, diff_rows: pa.Table) -> None:
        """Queue a freshly cut batch; batches are journalled a group at a time (one commit), then sent."""
        if self.stopped:
            return
        self._unjournalled.append((journalled, diff_rows))
        if sum(rows.num_rows for _batch, rows in self._unjournalled) >= JOURNAL_GROUP_ROWS:
            self.flush_journal()

    def flush_journal(self) -> None:
        """Journal the queued batches and the acknowledgements gathered meanwhile in one commit, then send."""
        if not self._unjournalled or self.stopped:
            self._unjournalled = []
            return
        self.collect(block=False)
        queued, self._unjournalled = self._unjournalled, []
        self.store.journal_batches(self.sync.name, queued, self._acknowledgements)
        self._acknowledgements = []
        self._fold(FOLD_GROUP_ROWS)
        for journalled, diff_rows in queued:
            operation = journalled.operation
            payload = diff_rows.column("identity") if operation == "remove" else diff_rows.column("payload")
            records = pa.table(
                {
                    "record_key": diff_rows.column("record_key"),
                    "payload": payload,
                    "previous_identity": diff_rows.column("previous_identity"),
                }
            )
            self.submit(journalled, records, journal=diff_rows, resent=False)

    def submit(
        self,
        journalled: JournalledBatch,
        records: pa.Table,
        journal: pa.Table,
        resent: bool = True,
    ) -> None:
        """Send a journalled batch on a worker once there is room; `resent`: a batch of an interrupted run."""
        if self.stopped:
            self.store.cancel_batches(self.sync.name, [journalled.batch_id])
            return
        while len(self.in_flight) >= self.sync.max_concurrency:
            self.collect(block=True)
            if self.stopped:
                self.store.cancel_batches(self.sync.name, [journalled.batch_id])
                return
        if resent:
            change_counts = {"resent": records.num_rows}
        else:
            change_counts = dict(zip(*_value_counts(journal.column("change")), strict=True))
        batch = Batch(
            sync_name=self.sync.name,
            run_id=journalled.run_id,
            batch_id=journalled.batch_id,
            idempotency_key=journalled.idempotency_key,
            operation=journalled.operation,
            sequence=journalled.sequence,
            is_last=journalled.is_last,
            created_at=journalled.created_at,
            records=records,
        )
        future = self.pool.submit(self._deliver, batch)
        self.in_flight[future] = _InFlight(journalled, records.num_rows, change_counts, journal)

    def acknowledge_now(self, batch_id: str) -> None:
        """A journalled batch with nothing left to send (its records all changed or left)."""
        self._acknowledgements.append(Acknowledgement(batch_id, 0))
        self.flush()

    def flush(self) -> None:
        """Commit the acknowledgements collected so far."""
        if self._acknowledgements:
            self.store.acknowledge(self.sync.name, self._acknowledgements)
            self._acknowledgements = []
        self._fold(FOLD_GROUP_ROWS)

    def _fold(self, at_least: int) -> None:
        """Fold the acknowledged batches of a first sync into the state once there are `at_least` records.
        Their acknowledgements are committed first, so a crash between the two leaves them acknowledged in the
        journal, where the next run's compact folds them."""
        if self._foldable_rows < max(at_least, 1) or self._acknowledgements:
            return
        self.store.fold_acknowledged(self.sync.name, self._foldable)
        self._foldable, self._foldable_rows = [], 0

    def _deliver(self, batch: Batch) -> tuple[BatchOutcome, int]:
        """Send one batch until accepted; runs on a worker thread. Returns the outcome and attempts made."""
        policy = self.sync.retry
        attempt = 0
        while True:
            attempt += 1
            if self.fatal is not None:
                raise _Cancelled()
            try:
                if len(batch) == 0:
                    return BatchOutcome(), attempt
                return self.destination.send(batch), attempt
            except (FatalDestinationError, PermanentDestinationError):
                raise
            except TransientDestinationError as error:
                retry_after = error.retry_after if isinstance(error, RateLimitedError) else None
                if attempt >= policy.max_attempts:
                    raise _Exhausted(error, attempt) from error
                if retry_after is not None and retry_after > policy.max_retry_after_seconds:
                    raise _Exhausted(error, attempt) from error
                delay = policy.delay(attempt, retry_after, self.runner.rng)
                logger.info(
                    "sync %s: batch %s attempt %d: %s; retrying in %.2f s",
                    self.sync.name,
                    batch.batch_id,
                    attempt,
                    describe_error(error, self.runner.redact),
                    delay,
                )
                time.sleep(delay)

    def collect(self, block: bool) -> None:
        """Gather finished batches: acknowledgements wait for the next commit (`flush` or the next journal
        write, moments later); failures are committed at once."""
        if not self.in_flight:
            return
        if block:
            done, _ = wait(list(self.in_flight), return_when=FIRST_COMPLETED)
        else:
            done = {future for future in self.in_flight if future.done()}
        for future in done:
            flight = self.in_flight.pop(future)
            batch_id = flight.journalled.batch_id
            try:
                outcome, attempts = future.result()
            except _Cancelled:
                self.store.cancel_batches(self.sync.name, [batch_id])
                continue
            except _Exhausted as exhausted:
                self._failed(flight, exhausted.attempts, exhausted.error)
                continue
            except FatalDestinationError as error:
                self.fatal = error
                self._failed(flight, 1, error)
                continue
            except PermanentDestinationError as error:
                self._failed(flight, 1, error)
                continue
            except Exception as error:  # a destination bug must not lose the journal: fail the batch, stop
                logger.exception("sync %s: destination raised an unexpected error", self.sync.name)
                self.fatal = error
                self._failed(flight, 1, error)
                continue
            self.consecutive_failures = 0
            hashes = (
                dict(
                    zip(
                        flight.journal.column("record_key").to_pylist(),
                        flight.journal.column("payload_hash").to_pylist(),
                        strict=True,
                    )
                )
                if outcome.rejections
                else {}
            )
            rejections = tuple(
                RecordOutcome(
                    rejection.record_key,
                    rejection.code,
                    rejection.message,
                    rejection.retryable,
                    hashes.get(rejection.record_key),
                )
                for rejection in outcome.rejections
            )
            self._acknowledgements.append(Acknowledgement(batch_id, attempts, rejections))
            if self.folds_as_it_goes and not rejections and flight.journalled.operation != "remove":
                # The diff rows' payloads are not kept: a group of them is tens of megabytes.
                held = flight.journal.select(["record_key", "payload_hash", "identity"])
                self._foldable.append((flight.journalled, held, utc_now()))
                self._foldable_rows += flight.journal.num_rows
            self.counts.batches_sent += 1
            self.counts.retries += attempts - 1
            self.counts.requests_sent += outcome.requests
            self.counts.rows_rejected += len(rejections)
            self._count_accepted(flight, len(rejections))
            self.warnings.extend(outcome.warnings)
            self.progress.advance(flight.size)

    def _count_accepted(self, flight: _InFlight, rejected: int) -> None:
        # Rejections are spread over the batch's changes in order; exact per-change counts of accepted rows
        # matter less than the totals, which are exact.
        remaining_rejected = rejected
        for change, count in flight.change_counts.items():
            taken = min(count, remaining_rejected)
            remaining_rejected -= taken
            delivered = count - taken
            if change == "added":
                self.counts.rows_added += delivered
            elif change == "changed":
                self.counts.rows_changed += delivered
            elif change == "removed":
                self.counts.rows_removed += delivered

    def _failed(self, flight: _InFlight, attempts: int, error: BaseException) -> None:
        message = describe_error(error, self.runner.redact)
        code = type(error).__name__
        if isinstance(error, DestinationError) and error.code:
            code = error.code
        self.last_failure = message
        logger.error(
            "sync %s: batch %s failed after %d attempts: %s",
            self.sync.name,
            flight.journalled.batch_id,
            attempts,
            message,
        )
        self.store.fail_batch(
            self.sync.name, flight.journalled.batch_id, attempts, code, message, flight.journal
        )
        self.counts.rows_failed += flight.size
        self.counts.retries += max(0, attempts - 1)
        self.consecutive_failures += 1
        if self.fatal is None and self.consecutive_failures >= self.sync.max_consecutive_failed_batches:
            self.fatal = DestinationError(
                f"{self.consecutive_failures} batches failed in a row, last: {message}"
            )

    def finish(self) -> None:
        self.flush_journal()
        while self.in_flight:
            self.collect(block=True)
        self.flush()
        self._fold(0)

    def abort(self) -> None:
        """Wait for requests already on the wire, record them, release the workers."""
        if self._closed:
            return
        try:
            self.finish()
        finally:
            self._closed = True
            self.pool.shutdown(wait=True, cancel_futures=True)
            self.progress.close()


class _Cancelled(Exception):
    """A queued batch the run stopped before sending."""


class _Exhausted(Exception):
    def __init__(self, error: TransientDestinationError, attempts: int) -> None:
        super().__init__(str(error))
        self.error = error
        self.attempts = attempts


def _import_pandas() -> None:
    with contextlib.suppress(ImportError):
        import pandas  # noqa: F401


def _value_counts(values: pa.ChunkedArray) -> tuple[list[str], list[int]]:
    counted = pc.value_counts(values)
    return counted.field("values").to_pylist(), counted.field("counts").to_pylist()
