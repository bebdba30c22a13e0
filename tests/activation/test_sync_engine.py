"""The sync engine end to end on DuckDB and PostgreSQL: dbt build -> sync -> what the fake receiver holds;
change the data, rebuild, re-sync -> only the differences arrive. Plus modes, consent at send time, per-record
rejections, throttling, failures and the state tables BI reads."""

from __future__ import annotations

import json
import threading
import time
from collections import Counter
from collections.abc import Iterator
from pathlib import Path

import duckdb
import pyarrow as pa
import pytest

from activation.errors import StateStoreError
from activation.syncs import engine, sql
from activation.syncs.engine import SyncRunner, new_run_id
from activation.syncs.state import StateStore
from activation.syncs.warehouse import STRING, DuckDBConnection, StateConnection
from tests.activation.conftest import FixtureWarehouse


def held_keys(warehouse: FixtureWarehouse, sync: str) -> set[str]:
    rows = warehouse.query(
        f"select record_key from {warehouse.state('destination_records')} where sync_name = '{sync}'"
    )
    return {key for (key,) in rows}


def test_run_ids_sort_in_start_order_within_one_second() -> None:
    # File destinations name a folder per run and consumers replay the folders by name.
    run_ids = [new_run_id() for _ in range(200)]
    assert run_ids == sorted(run_ids)
    assert len(set(run_ids)) == len(run_ids)


@pytest.mark.parametrize("diff_partition_rows", [None, 7], ids=["one_diff", "diff_in_parts"])
def test_end_to_end_only_differences_arrive(
    warehouse: FixtureWarehouse, diff_partition_rows: int | None, monkeypatch: pytest.MonkeyPatch
) -> None:
    """With diff_in_parts, the diff is computed in parts of about 7 held records or consent rows (DuckDB does
    so above 500,000, to keep its hash tables within its memory limit): the parts together send the same."""
    parts_used: list[int] = []
    if diff_partition_rows is not None:
        for connection_class in StateConnection.__subclasses__():
            monkeypatch.setattr(connection_class, "diff_partition_rows", diff_partition_rows)
        choose_parts = SyncRunner._diff_partitions

        def counted(runner: SyncRunner, consent_sql: str | None, held: int) -> list[tuple[int, int] | None]:
            parts = choose_parts(runner, consent_sql, held)
            parts_used.append(len(parts))
            return parts

        monkeypatch.setattr(SyncRunner, "_diff_partitions", counted)
    receiver = warehouse.fakes.webhook
    eligible = warehouse.eligible("email")
    first = warehouse.sync("fixture_webhook")
    assert first.status == "succeeded", first.error
    assert set(receiver.held) == set(eligible)
    assert first.counts.rows_added == len(eligible)
    # Holdout, erased and no-consent members are in the segment but never sent.
    members = {
        key for (key,) in warehouse.query(f"select customer_id from {warehouse.table('seg_fixture_members')}")
    }
    assert members - set(eligible), "the fixture must have members the engine may not send"
    assert not (members - set(eligible)) & set(receiver.held)
    # Payloads as the warehouse formats them: dates and UTC timestamps in ISO-8601, money as numbers.
    sample = receiver.held["cust_0001"]
    assert sample["birth_date"] == "1951-02-02"
    assert sample["last_order_at"] == "2026-02-02T01:01:00Z"
    assert sample["lifetime_value"] == 37.5
    assert sample["email"] == "  emilie.martin1@Example.COM "

    receiver.batches.clear()
    again = warehouse.sync("fixture_webhook")
    assert again.status == "succeeded"
    assert receiver.batches == [] and again.counts.rows_unchanged == len(eligible)

    try:
        warehouse.dbt("run", "--vars", "{fixture_revision: 2}")
        receiver.batches.clear()
        applied_before = dict(receiver.applied)
        second = warehouse.sync("fixture_webhook")
        assert second.status == "succeeded", second.error
        revised = warehouse.eligible("email")
        assert set(receiver.held) == set(revised)
        added, removed = set(revised) - set(eligible), set(eligible) - set(revised)
        changed = {key for key in set(revised) & set(eligible) if revised[key] != eligible[key]}
        sent = {record["key"]: record["action"] for batch in receiver.batches for record in batch["records"]}
        assert sent == {
            **dict.fromkeys(added, "add"),
            **dict.fromkeys(changed, "update"),
            **dict.fromkeys(removed, "remove"),
        }
        assert added and changed and removed
        assert (second.counts.rows_added, second.counts.rows_changed, second.counts.rows_removed) == (
            len(added),
            len(changed),
            len(removed),
        )
        moved = warehouse.query(
            f"select customer_id from {warehouse.table('fixture_people')} where revision_2_change = 'moved'"
        )
        assert any(receiver.held.get(key, {}).get("city") == "Lyon 3e" for (key,) in moved)
        unchanged = set(revised) & set(eligible) - changed
        assert all(receiver.applied[key] == applied_before[key] for key in unchanged)
        assert held_keys(warehouse, "fixture_webhook") == set(revised)
        # Removed records leave no identifiers behind in the state.
        assert not held_keys(warehouse, "fixture_webhook") & removed
    finally:
        warehouse.dbt("run")
    if diff_partition_rows is not None:
        assert parts_used and min(parts_used) > 3, parts_used


def test_consent_withdrawn_and_erased_are_removed_in_mirror_and_reported_otherwise(
    duckdb_warehouse: FixtureWarehouse,
) -> None:
    warehouse = duckdb_warehouse
    receiver = warehouse.fakes.webhook
    upsert = warehouse.sync("fixture_webhook", mode="upsert")
    assert upsert.status == "succeeded"
    people = warehouse.table("fixture_people")
    warehouse.execute(f"update {people} set has_email_consent = false where customer_id = 'cust_0001'")
    warehouse.execute(f"update {people} set is_erased = true where customer_id = 'cust_0002'")
    warehouse.execute(f"update {people} set is_member = false where customer_id = 'cust_0004'")
    # The sync maps e-mail and phone: with neither, the destination could not tell who the record is.
    warehouse.execute(f"update {people} set email = null, phone_e164 = null where customer_id = 'cust_0006'")
    kept = warehouse.sync("fixture_webhook", mode="upsert")
    assert kept.counts.rows_suppressed == 3 and kept.counts.rows_skipped == 1
    assert {"cust_0001", "cust_0002", "cust_0004", "cust_0006"} <= set(receiver.held)
    reported = warehouse.query(
        f"select record_key, code from {warehouse.state('record_outcomes')} where status = 'suppressed' "
        "order by 1"
    )
    assert reported == [("cust_0001", "no_consent"), ("cust_0002", "erased"), ("cust_0006", "no_identifier")]

    mirrored = warehouse.sync("fixture_webhook", mode="mirror")
    assert mirrored.status == "succeeded"
    assert mirrored.counts.rows_removed == 4
    assert not {"cust_0001", "cust_0002", "cust_0004", "cust_0006"} & set(receiver.held)
    assert warehouse.query(f"select count(*) from {warehouse.state('record_outcomes')}") == [(0,)]


def test_add_only_and_update_only_modes(duckdb_warehouse: FixtureWarehouse) -> None:
    warehouse = duckdb_warehouse
    receiver = warehouse.fakes.webhook
    assert warehouse.sync("fixture_webhook", mode="add_only").status == "succeeded"
    before = dict(receiver.held)
    people = warehouse.table("fixture_people")
    warehouse.execute(f"update {people} set city = 'Nantes' where customer_id = 'cust_0001'")
    warehouse.execute(f"update {people} set is_member = false where customer_id = 'cust_0002'")
    warehouse.execute(f"update {people} set is_member = true where customer_id = 'cust_0003'")
    added = warehouse.sync("fixture_webhook", mode="add_only")
    assert added.counts.rows_added == 1 and added.counts.rows_skipped == 2
    assert receiver.held["cust_0001"] == before["cust_0001"] and "cust_0002" in receiver.held
    assert "cust_0003" in receiver.held

    warehouse.execute(f"update {people} set city = 'Brest' where customer_id in ('cust_0001', 'cust_0005')")
    receiver.held.pop("cust_0005")  # someone deleted it at the destination: update-only must not recreate it
    updated = warehouse.sync("fixture_webhook", mode="update_only")
    assert receiver.held["cust_0001"]["city"] == "Brest"
    assert "cust_0005" not in receiver.held
    assert updated.status == "partial" and updated.counts.rows_rejected == 1
    outcome = warehouse.query(
        f"select record_key, status, code, is_retryable from {warehouse.state('record_outcomes')}"
    )
    assert outcome == [("cust_0005", "rejected", "not_found", False)]


def test_rejections_are_stored_and_retried_only_when_retryable(warehouse: FixtureWarehouse) -> None:
    receiver = warehouse.fakes.webhook
    receiver.rejected_keys.update({"cust_0001": True, "cust_0002": False})
    first = warehouse.sync("fixture_webhook")
    assert first.status == "partial" and first.counts.rows_rejected == 2
    rows = warehouse.query(
        "select record_key, status, code, is_retryable, attempts from "
        f"{warehouse.state('record_outcomes')} order by 1"
    )
    assert rows == [
        ("cust_0001", "rejected", "invalid_email", True, 1),
        ("cust_0002", "rejected", "invalid_email", False, 1),
    ]
    assert {"cust_0001", "cust_0002"}.isdisjoint(held_keys(warehouse, "fixture_webhook"))

    receiver.batches.clear()
    second = warehouse.sync("fixture_webhook")
    sent = [record["key"] for batch in receiver.batches for record in batch["records"]]
    assert sent == ["cust_0001"]  # the permanent rejection is not retried while its payload is unchanged
    assert second.counts.rows_rejected == 1 and second.counts.rows_skipped == 1
    attempts = warehouse.query(
        f"select attempts from {warehouse.state('record_outcomes')} where record_key = 'cust_0001'"
    )
    assert attempts == [(2,)]

    receiver.rejected_keys.clear()
    warehouse.execute(
        f"update {warehouse.table('fixture_people')} set city = 'Nice' where customer_id = 'cust_0002'"
    )
    third = warehouse.sync("fixture_webhook")
    assert third.status == "succeeded"
    assert {"cust_0001", "cust_0002"} <= set(receiver.held)
    assert warehouse.query(f"select count(*) from {warehouse.state('record_outcomes')}") == [(0,)]


def test_throttling_is_retried_after_the_hint(duckdb_warehouse: FixtureWarehouse) -> None:
    receiver = duckdb_warehouse.fakes.webhook
    receiver.throttle_next, receiver.retry_after = 2, "1"
    started = time.monotonic()
    result = duckdb_warehouse.sync("fixture_webhook")
    assert result.status == "succeeded" and result.counts.retries >= 2
    # Both throttled requests wait out the same 1 s hint together (the token bucket holds every worker).
    assert time.monotonic() - started >= 1.0
    assert set(receiver.held) == set(duckdb_warehouse.eligible())
    assert [status for status, _message in receiver.refusals] == [429, 429]


def test_outage_fails_batches_then_next_run_catches_up(duckdb_warehouse: FixtureWarehouse) -> None:
    warehouse = duckdb_warehouse
    receiver = warehouse.fakes.webhook
    receiver.fail_next = 10_000
    failed = warehouse.sync("fixture_webhook")
    assert failed.status == "failed"
    assert "3 batches failed in a row" in (failed.error or "")
    failed_rows = warehouse.query(
        "select count(*), min(attempts), max(is_retryable::int) from "
        f"{warehouse.state('record_outcomes')} where status = 'failed'"
    )
    # The run stops after 3 failed batches in a row; batches already in flight (4 workers) fail with them.
    assert failed_rows[0][0] % 7 == 0 and 21 <= failed_rows[0][0] <= 28 and failed_rows[0][1:] == (1, 1)
    assert held_keys(warehouse, "fixture_webhook") == set()
    receiver.fail_next = 0
    recovered = warehouse.sync("fixture_webhook")
    assert recovered.status == "succeeded"
    assert set(receiver.held) == set(warehouse.eligible())
    assert warehouse.query(f"select count(*) from {warehouse.state('record_outcomes')}") == [(0,)]


def test_bad_credentials_stop_the_sync_without_leaking_the_secret(
    duckdb_warehouse: FixtureWarehouse, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    wrong = "whsec_" + "d3JvbmcgcGFzc3dvcmQgb2YgMzIgYnl0ZXMhISEhIQ=="
    monkeypatch.setenv("FIXTURE_WEBHOOK_SECRET", wrong)
    result = duckdb_warehouse.sync("fixture_webhook")
    assert result.status == "failed" and "Credentials refused" in (result.error or "")
    assert duckdb_warehouse.fakes.webhook.held == {}
    stored = duckdb_warehouse.query(f"select error_message from {duckdb_warehouse.state('sync_runs')}")
    assert wrong not in json.dumps(stored, default=str) and wrong not in caplog.text
    assert wrong[6:] not in caplog.text


def test_missing_secret_names_the_sync_field_and_variable(
    duckdb_warehouse: FixtureWarehouse, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("FIXTURE_WEBHOOK_SECRET")
    result = duckdb_warehouse.sync("fixture_webhook")
    assert result.status == "failed"
    assert "sync 'fixture_webhook': destination.secret_env: environment variable FIXTURE_WEBHOOK_SECRET" in (
        result.error or ""
    )


def test_crash_after_delivery_resends_with_the_same_idempotency_key(warehouse: FixtureWarehouse) -> None:
    """A crash between the destination's answer and our commit: the next run resends the batch under the same
    webhook-id, the receiver drops the repeat, nothing is lost or applied twice."""
    from activation.syncs.runner import open_warehouses

    receiver = warehouse.fakes.webhook
    sync = warehouse.sync_config("fixture_webhook")

    class Crash(BaseException):
        pass

    def crashing(context):
        destination = sync.destination_class(sync.destination_settings, context)
        original = destination.send
        calls = {"count": 0}

        def send(batch):
            outcome = original(batch)
            calls["count"] += 1
            if calls["count"] == 3:
                raise Crash()
            return outcome

        destination.send = send
        return destination

    opened = open_warehouses(warehouse.built.project_dir, warehouse.target)
    try:
        with pytest.raises(Crash):
            SyncRunner(sync, opened, destination_factory=crashing).run()
    finally:
        opened.close()
    interrupted = warehouse.query(
        f"select count(*) from {warehouse.state('batches')} where status = 'sending'"
    )
    assert interrupted[0][0] >= 1
    resumed = warehouse.sync("fixture_webhook")
    assert resumed.status == "succeeded" and resumed.counts.rows_resent >= 7
    assert receiver.replays >= 1
    assert set(receiver.held) == set(warehouse.eligible())
    assert max(receiver.applied.values()) == 1
    statuses = warehouse.query(f"select status from {warehouse.state('sync_runs')} order by started_at")
    assert [status for (status,) in statuses] == ["failed", "succeeded"]


def test_cli_plan_sync_status_and_destinations(duckdb_warehouse: FixtureWarehouse) -> None:
    warehouse = duckdb_warehouse
    plan = warehouse.cli("plan", "fixture_webhook")
    assert plan.returncode == 0, plan.stderr
    eligible = len(warehouse.eligible())
    assert f"added    -> add            {eligible:>10,}" in plan.stdout
    assert "@Example.COM" not in plan.stdout  # identifiers are masked in samples
    assert warehouse.fakes.webhook.batches == []

    synced = warehouse.cli("sync", "fixture_webhook", "fixture_files")
    assert synced.returncode == 0, synced.stdout + synced.stderr
    assert f"added {eligible:,}" in synced.stdout and "status: succeeded" in synced.stdout
    status = warehouse.cli("status")
    assert status.returncode == 0 and "fixture_webhook" in status.stdout and "succeeded" in status.stdout

    destinations = warehouse.cli("destinations")
    assert destinations.returncode == 0
    for name in ("webhook", "files", "meta_custom_audience", "access_token_env", "env var name (secret)"):
        assert name in destinations.stdout

    warehouse.fakes.webhook.throttle_next = 0
    warehouse.fakes.webhook.fail_next = 10_000
    warehouse.execute(f"update {warehouse.table('fixture_people')} set city = 'Metz'")
    failing = warehouse.cli("sync", "--all")
    assert failing.returncode == 1
    assert "status: failed" in failing.stdout
    unknown = warehouse.cli("sync", "no_such_sync")
    assert unknown.returncode == 2 and "Unknown sync no_such_sync" in unknown.stderr


def test_python_module_entry_point_runs() -> None:
    import subprocess
    import sys

    completed = subprocess.run([sys.executable, "-m", "activation", "--help"], capture_output=True, text=True)
    assert completed.returncode == 0 and "sync" in completed.stdout and "destinations" in completed.stdout


def test_duplicate_keys_are_refused(duckdb_warehouse: FixtureWarehouse) -> None:
    warehouse = duckdb_warehouse
    people = warehouse.table("fixture_people")
    warehouse.execute(f"insert into {people} select * from {people} where customer_id = 'cust_0001'")
    result = warehouse.sync("fixture_webhook")
    assert (
        result.status == "failed"
        and "not unique" in (result.error or "")
        and "cust_0001" in (result.error or "")
    )
    assert warehouse.fakes.webhook.batches == []


def test_mapping_to_a_missing_column_names_sync_and_field(duckdb_warehouse: FixtureWarehouse) -> None:
    result = duckdb_warehouse.sync("fixture_webhook", fields={"city": "town"})
    assert result.status == "failed"
    assert "sync 'fixture_webhook'" in (result.error or "") and "fields.city: column 'town'" in (
        result.error or ""
    )


def test_diff_of_a_wide_underestimated_segment_hashes_only_narrow_rows(
    duckdb_warehouse: FixtureWarehouse, tmp_path: Path
) -> None:
    """40,000 members of 12 columns of 150 characters (70MB), in a view DuckDB thinks 25 times smaller: at a
    50MB memory limit the diff hashes held keys and consent flags only, never the members' mapped columns.
    It ran out of memory at 100MB when DuckDB picked the members as the side to hash."""
    wide = range(12)
    database = tmp_path / "wide.duckdb"
    with duckdb.connect(str(database)) as connection:
        columns = ", ".join(
            f"repeat(chr(cast(65 + (i + {index}) % 26 as integer)), 150) || i as wide_{index}"
            for index in wide
        )
        connection.execute(
            f"""create table wide_people as select 'c' || i as customer_id, i % 50 <> 7 as is_member,
            'p' || i || '@example.com' as email, {columns}, true as has_email_consent, false as is_erased
            from range(40000) as numbers (i)"""
        )
        # Filters the estimator cannot see through: it guesses a fifth of a fifth of the rows.
        connection.execute(
            "create view wide_segment as select * from wide_people where is_member and customer_id like 'c%'"
        )
    sync = duckdb_warehouse.sync_config(
        "fixture_webhook",
        mode="mirror",
        relation="wide_segment",
        consent_relation="wide_people",
        key_column="customer_id",
        holdout_column=None,
        identifiers={"email": "email"},
        fields={f"wide_{index}": f"wide_{index}" for index in wide},
    )
    state = DuckDBConnection(database)
    try:
        store = StateStore(state, "activation_state")
        store.ensure()
        kinds = {name: (column, STRING) for name, column in sync.mapped_columns.items()}
        mapped = sql.MemberColumns(kinds, identifier_names=())
        members = sql.members_select(sync, state.dialect, mapped, as_json=False)
        # Held: every member as it is, but a tenth changed since, and the 800 non-members, who left.
        state.execute(
            f"""insert into {store.tables.records} select {state.dialect.literal(sync.name)}, record_key,
            case when record_key like '%3' then 'changed' else payload_hash end, null, now(), 'run'
            from ({members}) as members"""
        )
        state.execute(
            f"""insert into {store.tables.records} select {state.dialect.literal(sync.name)}, customer_id,
            'left', null, now(), 'run' from wide_people where not is_member"""
        )
        state.execute("set memory_limit = '50MB'")
        diff = sql.diff_query(
            sync,
            store.tables,
            state.dialect,
            mapped,
            members,
            sql.consent_select(sync, state.dialect),
            staged=False,
        )
        operations: Counter[str] = Counter()
        for chunk in state.reader().stream(diff, 5000, joins_as_written=True):
            operations.update(chunk.column("operation").to_pylist())
    finally:
        state.close()
    assert operations == {"update": 4000, "remove": 800}


def test_a_first_sync_folds_acknowledged_batches_as_it_goes_and_a_resync_at_the_end(
    warehouse: FixtureWarehouse, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A first sync moves its acknowledged batches into destination_records during the run, from the records
    it still holds (reading them back from the journal at the end cost DuckDB a read of every blob per
    batch); a batch with a rejected record is left to the end-of-run compaction, which does not hold the
    rejected record. A re-sync, which replaces held records, folds at the end as before."""
    # A batch per journal commit and per fold (a million-member sync journals 20,000 records per commit).
    monkeypatch.setattr(engine, "JOURNAL_GROUP_ROWS", 7)
    monkeypatch.setattr(engine, "FOLD_GROUP_ROWS", 7)
    fold = StateStore.fold_acknowledged
    folds: list[list[str]] = []

    def recorded(store: StateStore, sync_name: str, batches: list) -> None:
        folds.append([batch.batch_id for batch, _records, _acknowledged_at in batches])
        fold(store, sync_name, batches)

    monkeypatch.setattr(StateStore, "fold_acknowledged", recorded)
    receiver = warehouse.fakes.webhook
    eligible = warehouse.eligible("email")
    rejected = sorted(eligible)[3]
    receiver.rejected_keys[rejected] = False
    first = warehouse.sync("fixture_webhook", batch_size=7)
    assert first.status == "partial", first.error
    assert len(folds) >= 2, folds  # during the run, not only at its end
    folded = [batch_id for group in folds for batch_id in group]
    assert len(folded) == len(set(folded))
    assert held_keys(warehouse, "fixture_webhook") == set(eligible) - {rejected}
    outcomes = warehouse.query(
        f"select record_key, status from {warehouse.state('record_outcomes')} "
        "where sync_name = 'fixture_webhook'"
    )
    assert outcomes == [(rejected, "rejected")]
    for table in ("batches", "batch_records"):
        assert warehouse.query(f"select count(*) from {warehouse.state(table)}") == [(0,)]

    folds.clear()
    try:
        warehouse.dbt("run", "--vars", "{fixture_revision: 2}")
        second = warehouse.sync("fixture_webhook", batch_size=7)
        assert second.status in ("succeeded", "partial"), second.error
        assert folds == []
        assert held_keys(warehouse, "fixture_webhook") == set(receiver.held)
    finally:
        warehouse.dbt("run")


def test_first_sync_folds_group_by_group_and_a_crash_between_groups_loses_and_doubles_nothing(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A first sync's acknowledged batches go into destination_records a group per transaction (one
    transaction for a million records held them all in memory). Killed after the first group: that group is in
    the state and out of the journal, the rest still in the journal; the next compaction folds the rest."""
    from activation.syncs import state as state_module
    from activation.syncs.state import Acknowledgement, JournalledBatch, utc_now

    monkeypatch.setattr(state_module, "APPEND_GROUP_ROWS", 4)  # two batches of two records per group
    connection = DuckDBConnection(tmp_path / "state.duckdb")
    store = StateStore(connection, "activation_state")
    store.ensure()
    sync_name, run_id = "first_sync", new_run_id()
    batches = []
    for sequence in range(1, 6):
        keys = [f"k{sequence}a", f"k{sequence}b"]
        batch_id = f"{run_id}-add-{sequence:06d}"
        records = pa.table(
            {
                "record_key": keys,
                "change": ["added"] * 2,
                "payload_hash": [f"h-{key}" for key in keys],
                "identity": pa.nulls(2, pa.string()),
                "previous_identity": pa.nulls(2, pa.string()),
            }
        )
        batch = JournalledBatch(batch_id, run_id, "add", sequence, sequence == 5, batch_id, utc_now())
        batches.append((batch, records))
    store.journal_batches(sync_name, batches)
    store.acknowledge(sync_name, [Acknowledgement(batch.batch_id, 1) for batch, _records in batches])

    class Killed(BaseException):
        pass

    insert = connection.insert_arrow
    inserts = {"count": 0}

    def dying_insert(table: str, data: pa.Table) -> None:
        inserts["count"] += 1
        if inserts["count"] == 2:
            raise Killed()
        insert(table, data)

    monkeypatch.setattr(connection, "insert_arrow", dying_insert)
    try:
        with pytest.raises(Killed):
            store.compact(sync_name)
        held = connection.fetchall(f"select record_key, payload_hash from {store.tables.records} order by 1")
        assert held == [(key, f"h-{key}") for key in ["k1a", "k1b", "k2a", "k2b"]]
        journal = connection.fetchall(f"select batch_id, status from {store.tables.batches} order by 1")
        assert journal == [(batch.batch_id, "acked") for batch, _records in batches[2:]]

        monkeypatch.setattr(connection, "insert_arrow", insert)
        store.compact(sync_name)
        held = connection.fetchall(
            f"select record_key, count(*) from {store.tables.records} group by 1 order by 1"
        )
        assert held == [(f"k{sequence}{part}", 1) for sequence in range(1, 6) for part in "ab"]
        for table in (store.tables.batches, store.tables.batch_records):
            assert connection.fetchall(f"select count(*) from {table}") == [(0,)]
    finally:
        connection.close()


def test_a_commit_beyond_duckdbs_memory_limit_fails_cleanly_and_keeps_what_was_committed(
    tmp_path: Path,
) -> None:
    """DuckDB holds committed writes in memory until a checkpoint: a long run can fill its limit at a commit.
    The sync then fails with the setting to raise, the failed transaction is rolled back, and the earlier
    commits and the connection are intact (the next run resumes from the journal)."""
    connection = DuckDBConnection(tmp_path / "state.duckdb")
    try:
        connection.execute("set memory_limit = '4MB'")
        connection.execute("create table journal (sequence integer, records blob)")
        committed = 0
        with pytest.raises(StateStoreError, match="CDP_ACTIVATION_DUCKDB_MEMORY_LIMIT"):
            for sequence in range(100):
                with connection.transaction():
                    connection.execute("insert into journal values (?, ?)", [sequence, bytes(400_000)])
                committed += 1
        assert 0 < committed < 100
        kept = connection.fetchall("select count(*), max(sequence) from journal")
        assert kept == [(committed, committed - 1)]
        with connection.transaction():
            connection.execute("insert into journal values (?, null)", [committed])
        assert connection.fetchall("select count(*) from journal") == [(committed + 1,)]
    finally:
        connection.close()


def test_read_ahead_hands_out_every_chunk_in_order_and_raises_the_reads_errors() -> None:
    chunks = [pa.record_batch({"n": [index]}) for index in range(7)]
    ahead = engine._ReadAhead(iter(chunks), depth=2)
    assert [chunk.column(0)[0].as_py() for chunk in ahead] == list(range(7))
    ahead.close()

    def failing() -> Iterator[pa.RecordBatch]:
        yield chunks[0]
        raise StateStoreError("DuckDB reached its memory limit during the sync")

    ahead = engine._ReadAhead(failing(), depth=2)
    with pytest.raises(StateStoreError, match="memory limit"):
        list(ahead)
    ahead.close()


def test_read_ahead_stopped_early_ends_its_read_and_the_stream() -> None:
    closed = threading.Event()

    def endless() -> Iterator[pa.RecordBatch]:
        try:
            while True:
                yield pa.record_batch({"n": [1]})
        finally:
            closed.set()

    ahead = engine._ReadAhead(endless(), depth=2)
    for _chunk in ahead:
        break
    ahead.close()
    assert closed.is_set() and not ahead._thread.is_alive()
