"""The sync state, in its own schema of the warehouse (`<target schema>_activation` by default).

  sync_runs            the run log: one row per run with its counts and status (BI reads it)
  destination_records  what each destination is known to hold: record key, hash of the sent payload, and the
                       identifiers it was given (needed to remove the record later; dropped once removed)
  record_outcomes      records not simply delivered: rejected by the destination (code, message, retryable),
                       failed with their batch (retried next run), or suppressed (held without consent in a
                       mode that does not remove); attempts and last attempt
  batches              the journal of batches of unfinished runs: 'sending' (written before the request goes
                       out), 'acked' or 'failed'
  batch_records        each journalled batch's records (key, change, payload hash, identifiers) as one
                       compressed Arrow blob

Crash safety: a batch is journalled (committed) before it is sent and marked acknowledged (committed) as soon
as the destination accepts it; the journal is folded into destination_records at the end of the run (a first
sync's as it goes, see fold_acknowledged), or at the start of the next one after a crash. A batch still
'sending' at that point is resent with its original idempotency key, so a crash between the destination's
answer and our commit costs one repeat that the destination absorbs, and never a lost or doubled record.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Collection, Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any

import pyarrow as pa
import pyarrow.ipc

from activation.syncs import sql
from activation.syncs.sql import StateTables
from activation.syncs.warehouse import StateConnection

logger = logging.getLogger(__name__)

# A first sync's acknowledged batches go into destination_records this many rows per insert: each insert has
# a fixed cost (a million records in batches of 10,000 took 1.7 s one batch at a time).
APPEND_GROUP_ROWS = 250_000
# Journal blobs per chunk of the one read that folds them into the state.
BLOBS_PER_READ = 25

RUN_COUNTERS = (
    "rows_added",
    "rows_changed",
    "rows_removed",
    "rows_unchanged",
    "rows_rejected",
    "rows_failed",
    "rows_suppressed",
    "rows_skipped",
    "rows_resent",
    "batches_sent",
    "requests_sent",
    "retries",
)


def utc_now() -> dt.datetime:
    """Naive UTC: the state's timestamp columns are `timestamp` (UTC by convention) on every engine."""
    return dt.datetime.now(dt.UTC).replace(tzinfo=None)


@dataclass
class RunCounts:
    rows_added: int = 0
    rows_changed: int = 0
    rows_removed: int = 0
    rows_unchanged: int = 0
    rows_rejected: int = 0
    rows_failed: int = 0
    rows_suppressed: int = 0
    rows_skipped: int = 0
    rows_resent: int = 0
    batches_sent: int = 0
    requests_sent: int = 0
    retries: int = 0

    def as_dict(self) -> dict[str, int]:
        return {name: getattr(self, name) for name in RUN_COUNTERS}


@dataclass
class JournalledBatch:
    """A batch as the journal keeps it."""

    batch_id: str
    run_id: str
    operation: str
    sequence: int
    is_last: bool
    idempotency_key: str
    created_at: dt.datetime
    status: str = "sending"
    extra: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class RecordOutcome:
    record_key: str
    code: str
    message: str
    retryable: bool
    payload_hash: str | None


@dataclass(frozen=True)
class Acknowledgement:
    batch_id: str
    attempts: int
    rejections: tuple[RecordOutcome, ...] = ()


def encode_records(records: pa.Table) -> bytes:
    """A batch's journal records as one LZ4-compressed Arrow IPC stream (zstd packs tighter, LZ4 is faster
    where it matters: every batch waits for its journal commit)."""
    sink = pa.BufferOutputStream()
    options = pa.ipc.IpcWriteOptions(compression="lz4")
    with pa.ipc.new_stream(sink, records.schema, options=options) as writer:
        writer.write_table(records)
    return sink.getvalue().to_pybytes()


def decode_records(blob: bytes) -> pa.Table:
    return pa.ipc.open_stream(pa.py_buffer(blob)).read_all()


class StateStore:
    """The state tables of one warehouse, through one writing connection."""

    def __init__(self, connection: StateConnection, schema: str) -> None:
        self.connection = connection
        self.schema = schema
        self.tables = StateTables(connection.dialect.quote(schema))

    def ensure(self) -> None:
        with self.connection.transaction():
            dialect = self.connection.dialect
            for statement in sql.state_ddl(self.tables, dialect.quote(self.schema), dialect.binary_type):
                self.connection.execute(statement)

    # ----------------------------------------------------------------------------------------- runs

    def start_run(self, run_id: str, sync_name: str, values: dict[str, Any]) -> None:
        with self.connection.transaction():
            # Only one process holds a sync (lock or DuckDB file), so a run still 'running' has died.
            self.connection.execute(
                f"update {self.tables.runs} set status = 'interrupted', finished_at = ? "
                "where sync_name = ? and status = 'running'",
                [utc_now(), sync_name],
            )
            self.connection.execute(
                f"insert into {self.tables.runs} (run_id, sync_name, model, destination_type, mode, "
                "source_target, "
                "started_at, status) values (?, ?, ?, ?, ?, ?, ?, 'running')",
                [
                    run_id,
                    sync_name,
                    values["model"],
                    values["destination_type"],
                    values["mode"],
                    values["source_target"],
                    values["started_at"],
                ],
            )

    def finish_run(self, run_id: str, status: str, counts: RunCounts, error_message: str | None) -> None:
        assignments = ", ".join(f"{name} = ?" for name in RUN_COUNTERS)
        with self.connection.transaction():
            self.connection.execute(
                f"update {self.tables.runs} set status = ?, finished_at = ?, error_message = ?, "
                f"{assignments} "
                "where run_id = ?",
                [status, utc_now(), error_message, *counts.as_dict().values(), run_id],
            )

    def recent_runs(self, sync_name: str | None, limit: int) -> list[dict[str, Any]]:
        where = "where sync_name = ?" if sync_name else ""
        params: list[Any] = [sync_name] if sync_name else []
        rows = self.connection.fetchall(
            f"select run_id, sync_name, destination_type, mode, started_at, finished_at, status, "
            f"{', '.join(RUN_COUNTERS)}, error_message from {self.tables.runs} {where} "
            f"order by started_at desc limit {int(limit)}",
            params,
        )
        names = [
            "run_id",
            "sync_name",
            "destination_type",
            "mode",
            "started_at",
            "finished_at",
            "status",
            *RUN_COUNTERS,
            "error_message",
        ]
        return [dict(zip(names, row, strict=True)) for row in rows]

    def held_count(self, sync_name: str) -> int:
        rows = self.connection.fetchall(
            f"select count(*) from {self.tables.records} where sync_name = ?", [sync_name]
        )
        return int(rows[0][0])

    # -------------------------------------------------------------------------------------- journal

    def journal_batches(
        self,
        sync_name: str,
        batches: Sequence[tuple[JournalledBatch, pa.Table]],
        acknowledgements: Sequence[Acknowledgement] = (),
    ) -> None:
        """Write batches and their records before sending them, with the acknowledgements that came back
        meanwhile: one commit for the lot."""
        with self.connection.transaction():
            for batch, records in batches:
                journal = pa.table(
                    {
                        "record_key": records.column("record_key"),
                        "change": records.column("change"),
                        "payload_hash": records.column("payload_hash"),
                        "identity": records.column("identity"),
                        "previous_identity": records.column("previous_identity"),
                    }
                )
                self.connection.execute(
                    f"insert into {self.tables.batches} (sync_name, run_id, batch_id, operation, sequence, "
                    "is_last, record_count, idempotency_key, status, attempts, created_at) "
                    "values (?, ?, ?, ?, ?, ?, ?, ?, 'sending', 0, ?)",
                    [
                        sync_name,
                        batch.run_id,
                        batch.batch_id,
                        batch.operation,
                        batch.sequence,
                        batch.is_last,
                        records.num_rows,
                        batch.idempotency_key,
                        batch.created_at,
                    ],
                )
                self.connection.execute(
                    f"insert into {self.tables.batch_records} (sync_name, batch_id, records) values (?, "
                    "?, ?)",
                    [sync_name, batch.batch_id, encode_records(journal)],
                )
            if acknowledgements:
                self.acknowledge(sync_name, acknowledgements)

    def acknowledge(self, sync_name: str, acknowledgements: Sequence[Acknowledgement]) -> None:
        """Mark batches accepted and store their per-record rejections, all in one commit."""
        now = utc_now()
        with self.connection.transaction():
            for acknowledgement in acknowledgements:
                self.connection.execute(
                    f"update {self.tables.batches} set status = 'acked', attempts = ?, finished_at = ? "
                    "where sync_name = ? and batch_id = ?",
                    [acknowledgement.attempts, now, sync_name, acknowledgement.batch_id],
                )
                if acknowledgement.rejections:
                    self._record_outcomes(
                        sync_name, acknowledgement.batch_id, "rejected", acknowledgement.rejections, now
                    )

    def fail_batch(
        self, sync_name: str, batch_id: str, attempts: int, code: str, message: str, records: pa.Table
    ) -> None:
        """The batch did not go through: every record gets a 'failed' outcome, retried by the next run."""
        now = utc_now()
        keys = records.column("record_key").to_pylist()
        hashes = records.column("payload_hash").to_pylist()
        with self.connection.transaction():
            self.connection.execute(
                f"update {self.tables.batches} set status = 'failed', attempts = ?, finished_at = ? "
                "where sync_name = ? and batch_id = ?",
                [attempts, now, sync_name, batch_id],
            )
            outcomes = [
                RecordOutcome(key, code, message, True, payload_hash)
                for key, payload_hash in zip(keys, hashes, strict=True)
            ]
            self._record_outcomes(sync_name, batch_id, "failed", outcomes, now)

    def cancel_batches(self, sync_name: str, batch_ids: Sequence[str]) -> None:
        """Forget journalled batches that were never sent (the run stopped before them)."""
        if not batch_ids:
            return
        placeholders = ", ".join("?" for _ in batch_ids)
        with self.connection.transaction():
            for table in (self.tables.batch_records, self.tables.batches):
                self.connection.execute(
                    f"delete from {table} where sync_name = ? and batch_id in ({placeholders})",
                    [sync_name, *batch_ids],
                )

    def _record_outcomes(
        self,
        sync_name: str,
        batch_id: str,
        status: str,
        outcomes: Sequence[RecordOutcome],
        now: dt.datetime,
    ) -> None:
        """Insert outcomes for records of a batch; attempts carry over from the record's previous outcome."""
        count = len(outcomes)
        data = pa.table(
            {
                "sync_name": pa.array([sync_name] * count, pa.string()),
                "record_key": pa.array([outcome.record_key for outcome in outcomes], pa.string()),
                "status": pa.array([status] * count, pa.string()),
                "code": pa.array([outcome.code for outcome in outcomes], pa.string()),
                "message": pa.array([outcome.message[:1000] for outcome in outcomes], pa.string()),
                "is_retryable": pa.array([outcome.retryable for outcome in outcomes], pa.bool_()),
                "attempts": pa.array([1] * count, pa.int32()),
                "payload_hash": pa.array([outcome.payload_hash for outcome in outcomes], pa.string()),
                "run_id": pa.array([batch_id.rsplit("-", 2)[0]] * count, pa.string()),
                "batch_id": pa.array([batch_id] * count, pa.string()),
                "last_attempt_at": pa.array([now] * count, pa.timestamp("us")),
            }
        )
        tables = self.tables
        self.connection.insert_arrow(tables.outcomes, data)
        self.connection.execute(
            f"""update {tables.outcomes} set
                attempts = 1 + coalesce((select max(previous.attempts) from {tables.outcomes} as previous
                                         where previous.sync_name = {tables.outcomes}.sync_name
                                         and previous.record_key = {tables.outcomes}.record_key
                                         and previous.batch_id <> {tables.outcomes}.batch_id
                                         and previous.status in ('rejected', 'failed')), 0)
            where sync_name = ? and batch_id = ?""",
            [sync_name, batch_id],
        )
        self.connection.execute(
            f"""delete from {tables.outcomes}
            where sync_name = ? and (batch_id is null or batch_id <> ?)
            and record_key in (select record_key from {tables.outcomes} where sync_name = ? and batch_id =
            ?)""",
            [sync_name, batch_id, sync_name, batch_id],
        )

    def record_suppressed(self, sync_name: str, run_id: str, rows: pa.Table, mode: str) -> None:
        """Held records that lost consent, were erased or moved to the holdout, in a mode that keeps them."""
        if rows.num_rows == 0:
            return
        now = utc_now()
        count = rows.num_rows
        reasons = rows.column("reason").to_pylist()
        data = pa.table(
            {
                "sync_name": pa.array([sync_name] * count, pa.string()),
                "record_key": rows.column("record_key"),
                "status": pa.array(["suppressed"] * count, pa.string()),
                "code": pa.array(reasons, pa.string()),
                "message": pa.array(
                    [
                        f"held by the destination but {reason}: mode {mode} does not remove it"
                        for reason in reasons
                    ],
                    pa.string(),
                ),
                "is_retryable": pa.array([False] * count, pa.bool_()),
                "attempts": pa.array([0] * count, pa.int32()),
                "run_id": pa.array([run_id] * count, pa.string()),
                "batch_id": pa.array([None] * count, pa.string()),
                "last_attempt_at": pa.array([now] * count, pa.timestamp("us")),
            }
        )
        with self.connection.transaction():
            # Replace this run's view of the same records rather than piling a row per run.
            self.connection.execute(
                f"delete from {self.tables.outcomes} where sync_name = ? and status = 'suppressed' and "
                "run_id = ?",
                [sync_name, run_id],
            )
            self.connection.insert_arrow(self.tables.outcomes, data)
            self.connection.execute(
                f"""delete from {self.tables.outcomes} where sync_name = ? and status = 'suppressed'
                and run_id <> ? and record_key in (
                    select record_key from {self.tables.outcomes} where sync_name = ? and run_id = ?
                    and status = 'suppressed')""",
                [sync_name, run_id, sync_name, run_id],
            )

    def interrupted_batches(self, sync_name: str) -> list[JournalledBatch]:
        rows = self.connection.fetchall(
            f"select batch_id, run_id, operation, sequence, is_last, idempotency_key, created_at, status "
            f"from {self.tables.batches} where sync_name = ? and status = 'sending' order by created_at, "
            "sequence",
            [sync_name],
        )
        return [
            JournalledBatch(
                batch_id=row[0],
                run_id=row[1],
                operation=row[2],
                sequence=int(row[3]),
                is_last=bool(row[4]),
                idempotency_key=row[5],
                created_at=row[6],
                status=row[7],
            )
            for row in rows
        ]

    def load_journal(self, sync_name: str, statuses: Sequence[str]) -> int:
        """Decode the record blobs of this sync's batches with these statuses into the journal scratch table
        (inside the caller's transaction); returns the number of records."""
        self.connection.execute(sql.journal_records_ddl(self.tables))
        self.connection.execute(f"delete from {self.tables.journal_records}")
        placeholders = ", ".join("?" for _ in statuses)
        batches = {
            batch_id: (operation, run_id, finished_at)
            for batch_id, operation, run_id, finished_at in self.connection.fetchall(
                f"select batch_id, operation, run_id, finished_at from {self.tables.batches} "
                f"where sync_name = ? and status in ({placeholders})",
                [sync_name, *statuses],
            )
        }
        total = 0
        for batch_id, records in self._read_journal(sync_name, batches):
            operation, run_id, finished_at = batches[batch_id]
            count = records.num_rows
            total += count
            self.connection.insert_arrow(
                self.tables.journal_records,
                pa.table(
                    {
                        "batch_id": pa.repeat(pa.scalar(batch_id, pa.string()), count),
                        "record_key": records.column("record_key"),
                        "change": records.column("change"),
                        "operation": pa.repeat(pa.scalar(operation, pa.string()), count),
                        "payload_hash": records.column("payload_hash"),
                        "identity": records.column("identity"),
                        "previous_identity": records.column("previous_identity"),
                        "run_id": pa.repeat(pa.scalar(run_id, pa.string()), count),
                        "finished_at": pa.repeat(pa.scalar(finished_at, pa.timestamp("us")), count),
                    }
                ),
            )
        return total

    def _read_journal(self, sync_name: str, batch_ids: Collection[str]) -> Iterator[tuple[str, pa.Table]]:
        """The journal records of these batches, in one pass over batch_records (on a connection of its own,
        which sees what is committed). DuckDB reads a whole vector of blobs (up to 2,048 batches) to return
        any one of them, so a query per batch read the journal once per batch. The pass still holds such a
        vector: folding a first sync of 8 million members this way at the end of the run peaked at 941 MiB,
        which is why a first sync folds as it goes (fold_acknowledged)."""
        reader = self.connection.reader()
        try:
            query = (
                f"select batch_id, records from {self.tables.batch_records} "
                f"where sync_name = {self.connection.dialect.literal(sync_name)}"
            )
            for chunk in reader.stream(query, BLOBS_PER_READ):
                blobs = zip(
                    chunk.column("batch_id").to_pylist(), chunk.column("records").to_pylist(), strict=True
                )
                for batch_id, blob in blobs:
                    if batch_id in batch_ids:
                        yield batch_id, decode_records(bytes(blob))
        finally:
            reader.close()

    def compact(self, sync_name: str) -> None:
        """Fold acknowledged batches into destination_records: in one transaction, except for a first sync's
        (see _append_acknowledged)."""
        with self.connection.transaction():
            if not self._exists(self.tables.batches, sync_name, "status in ('acked', 'failed')"):
                return
            has_rejections = self._exists(self.tables.outcomes, sync_name, "status = 'rejected'")
            has_records = self._exists(self.tables.records, sync_name)
            has_outcomes = self._exists(self.tables.outcomes, sync_name)
            if has_rejections or has_records or has_outcomes:
                self.load_journal(sync_name, ["acked"])
                statements = sql.compaction_statements(
                    self.tables,
                    self.connection.dialect,
                    sync_name,
                    has_rejections=has_rejections,
                    has_records=has_records,
                    has_outcomes=has_outcomes,
                )
                for statement in statements:
                    self.connection.execute(statement)
                return
        # A first sync: nothing to replace or settle, so the journal goes straight into the state.
        self._append_acknowledged(sync_name)
        with self.connection.transaction():
            for statement in sql.compaction_statements(
                self.tables, self.connection.dialect, sync_name, only_cleanup=True
            ):
                self.connection.execute(statement)

    def is_empty(self, sync_name: str) -> bool:
        """Nothing held, no outcome and nothing journalled for this sync: its run is a first sync, whose
        acknowledged batches may go straight into destination_records (fold_acknowledged)."""
        return not any(
            self._exists(table, sync_name)
            for table in (self.tables.records, self.tables.outcomes, self.tables.batches)
        )

    def fold_acknowledged(
        self, sync_name: str, batches: Sequence[tuple[JournalledBatch, pa.Table, dt.datetime]]
    ) -> None:
        """During a first sync (is_empty before it started): append the records of acknowledged batches
        without rejections, as (batch, its journal records, acknowledged at), to destination_records, and drop
        those batches from the journal, in one transaction. The run still holds the records, so the journal is
        not read back: DuckDB reads a whole vector of journal blobs (up to 2,048 batches) to return one, which
        made folding 8 million records at the end of the run take 11 s of reading, and more memory."""
        if batches:
            self._fold_group(
                sync_name,
                [
                    self._held_rows(sync_name, records, batch.run_id, acknowledged_at)
                    for batch, records, acknowledged_at in batches
                ],
                [batch.batch_id for batch, _records, _acknowledged_at in batches],
            )

    def _append_acknowledged(self, sync_name: str) -> None:
        """Append the records of acknowledged batches to destination_records, APPEND_GROUP_ROWS at a time,
        each group in a transaction that also drops its batches from the journal. One transaction for all of
        them held every appended row in memory until the commit (DuckDB: 100 MiB more peak RSS per million
        records); group by group, a crash between two leaves each batch either folded or still in the
        journal, and the next run's compact folds the rest."""
        batches = {
            batch_id: (run_id, finished_at)
            for batch_id, run_id, finished_at in self.connection.fetchall(
                f"select batch_id, run_id, finished_at from {self.tables.batches} "
                "where sync_name = ? and status = 'acked' and operation <> 'remove'",
                [sync_name],
            )
        }
        pending: list[pa.Table] = []
        pending_batches: list[str] = []
        pending_rows = 0
        for batch_id, records in self._read_journal(sync_name, batches):
            run_id, finished_at = batches[batch_id]
            pending.append(self._held_rows(sync_name, records, run_id, finished_at))
            pending_batches.append(batch_id)
            pending_rows += records.num_rows
            if pending_rows >= APPEND_GROUP_ROWS:
                self._fold_group(sync_name, pending, pending_batches)
                pending, pending_batches, pending_rows = [], [], 0
        if pending:
            self._fold_group(sync_name, pending, pending_batches)

    @staticmethod
    def _held_rows(sync_name: str, records: pa.Table, run_id: str, synced_at: dt.datetime) -> pa.Table:
        """A batch's journal records as destination_records rows."""
        count = records.num_rows
        return pa.table(
            {
                # Repeated scalars, not lists of Python objects: converting a million datetimes cost a first
                # sync about a second.
                "sync_name": pa.repeat(pa.scalar(sync_name, pa.string()), count),
                "record_key": records.column("record_key"),
                "payload_hash": records.column("payload_hash"),
                "identity": records.column("identity"),
                "synced_at": pa.repeat(pa.scalar(synced_at, pa.timestamp("us")), count),
                "run_id": pa.repeat(pa.scalar(run_id, pa.string()), count),
            }
        )

    def _fold_group(self, sync_name: str, records: list[pa.Table], batch_ids: list[str]) -> None:
        placeholders = ", ".join("?" for _ in batch_ids)
        with self.connection.transaction():
            self.connection.insert_arrow(self.tables.records, pa.concat_tables(records))
            for table in (self.tables.batch_records, self.tables.batches):
                self.connection.execute(
                    f"delete from {table} where sync_name = ? and batch_id in ({placeholders})",
                    [sync_name, *batch_ids],
                )

    def _exists(self, table: str, sync_name: str, condition: str = "true") -> bool:
        rows = self.connection.fetchall(
            f"select 1 from {table} where sync_name = ? and {condition} limit 1", [sync_name]
        )
        return bool(rows)
