"""The starter segments built by dbt on the sample, on DuckDB, PostgreSQL and Spark (sample_warehouse).

- nobody erased, without consent for the segment's channel, internal or test (the generator's truth), or on
  the global suppression list is ever a member;
- the holdout of every member is the md5 bucket computed here in Python, on every engine;
- membership history after a second run with changed data: a suppression list swapped through the
  cdp_global_suppression_relation var makes a member leave and two suppressed customers enter, and nothing
  else moves (holdout groups included); periods and daily sizes follow;
- values of definitions round-trip as literals on every engine (injection attempts included);
- on DuckDB: `activation segments preview` agrees with the build, and a build as of June measures
  the conversions after entry in the holdout KPIs exactly as computed from the orders.
"""

from __future__ import annotations

import hashlib
import json
import re
import shutil
import subprocess
import sys
from decimal import Decimal

import pytest

from activation.segments.definitions import load_project
from activation.segments.literals import render_string
from tests.conftest import PROJECT_DIR, Warehouse, base_env
from tests.test_segments_compiler import INJECTIONS

SEGMENTS = {segment.name: segment for segment in load_project(PROJECT_DIR).segments}
TEST_LIST = "segment_test_suppression_list"


def schema(warehouse: Warehouse, layer: str) -> str:
    return f"{warehouse.schema}_{layer}"


def current_members(warehouse: Warehouse) -> dict[tuple[str, str], bool]:
    rows = warehouse.query(
        f"select segment_name, customer_id, is_holdout from {schema(warehouse, 'segments')}.segment_members"
    )
    return {(segment, customer): bool(holdout) for segment, customer, holdout in rows}


@pytest.fixture(scope="module")
def members_with_flags(sample_warehouse: Warehouse) -> list[dict]:
    """Every member of the first build with what the Customer 360, suppression and the truth say of them."""
    consent = " ".join(
        f"when '{channel}' then customers.has_{channel}_consent"
        for channel in ("email", "sms", "phone", "ads_personalisation")
    )
    rows = sample_warehouse.query(
        f"""
        with test_accounts as (
            select distinct identity.customer_id
            from {schema(sample_warehouse, "staging")}.stg_ground_truth__record_persons as truth
            inner join {schema(sample_warehouse, "intermediate")}.int_identity_customer_ids as identity
                on truth.record_key = identity.record_key
            where truth.is_test_account
        )
        select
            members.segment_name, members.customer_id, members.is_holdout, customers.is_erased,
            case members.channel {consent} end as has_channel_consent,
            test_accounts.customer_id is not null as is_test_account,
            suppressions.is_internal_account, suppressions.is_globally_suppressed,
            suppressions.is_existing_customer,
            customers.email
        from {schema(sample_warehouse, "segments")}.segment_members as members
        left join {schema(sample_warehouse, "marts")}.dim_customers as customers
            on members.customer_id = customers.customer_id
        left join {schema(sample_warehouse, "segments")}.segment_suppressions as suppressions
            on members.customer_id = suppressions.customer_id
        left join test_accounts on members.customer_id = test_accounts.customer_id
        """
    )
    columns = ["segment", "customer_id", "is_holdout", "is_erased", "has_channel_consent", "is_test_account",
               "is_internal_account", "is_globally_suppressed", "is_existing_customer", "email"]  # fmt: skip
    return [dict(zip(columns, row, strict=True)) for row in rows]


def test_every_starter_segment_has_members(members_with_flags: list[dict]) -> None:
    sizes = {name: 0 for name in SEGMENTS}
    for member in members_with_flags:
        sizes[member["segment"]] += 1
    assert len(SEGMENTS) == 8
    assert all(size > 0 for size in sizes.values()), sizes


def test_no_erased_unconsented_test_or_suppressed_customer_in_any_segment(
    members_with_flags: list[dict],
) -> None:
    for member in members_with_flags:
        assert member["is_erased"] is False or member["is_erased"] == 0, member
        assert member["has_channel_consent"] in (True, 1), member
        assert member["is_test_account"] in (False, 0), member
        assert member["is_internal_account"] in (False, 0), member
        assert member["is_globally_suppressed"] in (False, 0), member
        if SEGMENTS[member["segment"]].exclude_existing_customers:
            assert member["is_existing_customer"] in (False, 0), member


def test_suppression_flags_every_test_account_and_listed_customer(sample_warehouse: Warehouse) -> None:
    """The suppression rules matched something: the truth's test accounts and the sample list's two people."""
    rows = sample_warehouse.query(
        f"""
        select
            suppressions.customer_id, suppressions.is_internal_account, suppressions.is_globally_suppressed,
            suppressions.global_suppression_reasons, truth_accounts.customer_id is not null as is_test_account
        from {schema(sample_warehouse, "segments")}.segment_suppressions as suppressions
        left join (
            select distinct identity.customer_id
            from {schema(sample_warehouse, "staging")}.stg_ground_truth__record_persons as truth
            inner join {schema(sample_warehouse, "intermediate")}.int_identity_customer_ids as identity
                on truth.record_key = identity.record_key
            where truth.is_test_account
        ) as truth_accounts
            on suppressions.customer_id = truth_accounts.customer_id
        where suppressions.is_internal_account or suppressions.is_globally_suppressed
            or truth_accounts.customer_id is not null
        """
    )
    internal = {row[0] for row in rows if row[1]}
    test_accounts = {row[0] for row in rows if row[4]}
    listed = {row[3] for row in rows if row[2]}
    assert internal == test_accounts and len(test_accounts) == 5
    assert listed == {"complaint", "do_not_contact"}


def test_holdout_is_the_md5_bucket_on_every_engine(members_with_flags: list[dict]) -> None:
    with_holdout = 0
    for member in members_with_flags:
        percent = SEGMENTS[member["segment"]].holdout_percent
        digest = hashlib.md5(f"{member['customer_id']}|{member['segment']}".encode()).hexdigest()
        expected = int(digest[:8], 16) % 10_000 < percent * 100
        assert bool(member["is_holdout"]) == expected, member
        with_holdout += bool(member["is_holdout"])
    assert with_holdout > 0


def test_values_round_trip_as_literals_on_every_engine(sample_warehouse: Warehouse) -> None:
    selected = ", ".join(f"{render_string(value)} as v{index}" for index, value in enumerate(INJECTIONS))
    (row,) = sample_warehouse.query(f"select {selected}")
    assert list(row) == INJECTIONS


def create_test_list(warehouse: Warehouse, rows: list[tuple[str, str, str]]) -> str:
    relation = f"{warehouse.raw_schema}.{TEST_LIST}"
    selects = " union all ".join(
        f"select {render_string(kind)} as identifier_type, {render_string(value)} as identifier_value, "
        f"{render_string(reason)} as reason, cast('2026-11-01' as date) as listed_on, 'test' as note"
        for kind, value, reason in rows
    )
    if warehouse.target == "spark":
        warehouse.execute(f"create table {relation} using parquet as {selects}")
    else:
        warehouse.execute(f"drop table if exists {relation}", f"create table {relation} as {selects}")
    return relation


def rerun_segments(warehouse: Warehouse, dbt_vars: dict | None = None) -> None:
    # Models only: the data tests ran in the fixture's build, and the checks below cover the re-runs. The
    # suppression list is resolved to customers upstream of the segments (int_customers_globally_suppressed).
    args = ["run", "--select", "int_customers_globally_suppressed", "path:models/segments"]
    if dbt_vars:
        args += ["--vars", json.dumps(dbt_vars)]
    warehouse.dbt(*args)


def test_membership_history_after_a_run_with_changed_data(
    sample_warehouse: Warehouse, members_with_flags: list[dict]
) -> None:
    """A second run with another suppression list: one member leaves every segment they were in, the two
    customers the sample list suppresses enter theirs, and nobody else changes (holdout groups included).
    The warehouse keeps that state (nothing after this test depends on the sample list)."""
    before = {
        (member["segment"], member["customer_id"]): bool(member["is_holdout"])
        for member in members_with_flags
    }
    leaving = min(
        (
            member
            for member in members_with_flags
            if member["segment"] == "high_value_loyal" and member["email"]
        ),
        key=lambda member: member["customer_id"],
    )
    leaving_segments = {segment for segment, customer in before if customer == leaving["customer_id"]}
    # The sample list suppresses a high_value_loyal customer (complaint) and a churn_risk customer (phone):
    # not on the swapped list, both enter. The test accounts stay internal.
    relation = create_test_list(
        sample_warehouse,
        [
            ("email_domain", "ateliernova.fr", "internal_account"),
            ("email", f"  {leaving['email'].upper()} ", "complaint"),
        ],
    )
    rerun_segments(sample_warehouse, {"cdp_global_suppression_relation": relation})

    outcome = after_rerun(sample_warehouse)
    runs = sorted({row[3] for row in outcome["history"]})
    assert len(runs) == 2, f"expected the fixture's build and one re-run, got {runs}"
    first, second = (
        {(row[0], row[1], row[2]) for row in outcome["history"] if row[3] == run} for run in runs
    )
    assert first == {(segment, customer, "entered") for segment, customer in before}
    exits = {(segment, customer) for segment, customer, change in second if change == "exited"}
    entries = {(segment, customer) for segment, customer, change in second if change == "entered"}
    assert exits == {(segment, leaving["customer_id"]) for segment in leaving_segments}
    assert {"high_value_loyal", "churn_risk"} <= {segment for segment, _ in entries}, entries
    assert len({customer for _, customer in entries}) == 2

    after = {(row[0], row[1]): row[2] == "holdout" for row in outcome["member"]}
    assert set(after) == (set(before) - exits) | entries
    assert {key: after[key] for key in before if key in after} == {
        key: holdout for key, holdout in before.items() if key in after
    }, "a member who stayed changed group"

    periods = outcome["period"]
    assert len(periods) == len(before) + len(entries)
    closed = {(row[0], row[1]) for row in periods if row[2] == "closed"}
    assert closed == exits and all(row[3] is not None for row in periods if row[2] == "closed")
    assert {(row[0], row[1]) for row in periods if row[2] == "current"} == set(after)

    latest = max(row[3] for row in outcome["size"])
    for segment in SEGMENTS:
        expected_size = sum(1 for (name, _) in after if name == segment)
        expected_holdout = sum(1 for (name, _), holdout in after.items() if name == segment and holdout)
        (row,) = [row for row in outcome["size"] if row[0] == segment and row[3] == latest]
        assert (int(row[1]), int(row[2])) == (expected_size, expected_holdout), row


def after_rerun(warehouse: Warehouse) -> dict[str, list[tuple]]:
    """History, periods, members and daily sizes in one query (a Spark query costs a JVM start): rows of
    (segment, customer or count, detail, time or date as text) by kind."""
    text = "string" if warehouse.target == "spark" else "varchar"
    segments = schema(warehouse, "segments")
    rows = warehouse.query(
        f"""
        select 'history', segment_name, customer_id, change_type, cast(recorded_at as {text})
        from {segments}.segment_membership_history
        union all
        select 'period', segment_name, customer_id, case when is_current then 'current' else 'closed' end,
            cast(exited_at as {text})
        from {segments}.segment_membership_periods
        union all
        select 'member', segment_name, customer_id, case when is_holdout then 'holdout' else 'sent' end, null
        from {segments}.segment_members
        union all
        select 'size', segment_name, cast(member_count as {text}), cast(holdout_count as {text}),
            cast(size_date as {text})
        from {segments}.segment_daily_sizes
        """
    )
    grouped: dict[str, list[tuple]] = {"history": [], "period": [], "member": [], "size": []}
    for kind, *values in rows:
        grouped[kind].append(tuple(values))
    return grouped


# ------------------------------------------------------------------------------------------- DuckDB only


def run_cli(warehouse: Warehouse, *args: str) -> str:
    completed = subprocess.run(
        [sys.executable, "-m", "activation.cli", *args, "--target", warehouse.target],
        cwd=PROJECT_DIR,
        env=warehouse.env,
        capture_output=True,
        text=True,
    )
    assert completed.returncode == 0, completed.stdout[-5000:] + completed.stderr[-5000:]
    return completed.stdout


def test_preview_cli_agrees_with_the_build(sample_warehouse: Warehouse) -> None:
    """The preview computes churn_risk from its definition on the warehouse's data as built (the Customer 360
    and the resolved suppression list): the same members as the last build. (`list` and the preview's
    arithmetic are tested without a warehouse in test_segments_compiler.py.)"""
    if sample_warehouse.target != "duckdb":
        pytest.skip("the CLI is the same on every engine; its queries are run by dbt show (tested on DuckDB)")
    built = current_members(sample_warehouse)
    size = sum(1 for segment, _ in built if segment == "churn_risk")
    holdout = sum(1 for (segment, _), is_holdout in built.items() if segment == "churn_risk" and is_holdout)

    preview = run_cli(sample_warehouse, "segments", "preview", "churn_risk", "--limit", "3")
    assert f"Size: {size} members ({size - holdout} sent, {holdout} holdout)" in preview
    assert f"since the last build: {size} -> {size} (+0)" in preview
    assert re.search(
        r"suppressed: \d+ \(erased \d+, no email consent \d+, internal or test account \d+", preview
    )
    assert "Overlap with the built segments:" in preview and "existing_customers" in preview
    assert "personal data masked (email, first_name)" in preview
    sample_lines = preview.split("Sample (3 of")[1].splitlines()[2:5]
    assert len(sample_lines) == 3 and all("@" not in line and "***" in line for line in sample_lines)


def test_holdout_kpis_measure_conversions_after_entry(
    sample_warehouse: Warehouse, tmp_path_factory: pytest.TempPathFactory
) -> None:
    """Segments built as of 2026-06-30 on the sample: the purchases of July are conversions after entry."""
    if sample_warehouse.target != "duckdb":
        pytest.skip("engine-independent SQL already built on every engine; this re-builds the Customer 360")
    import duckdb

    scratch = tmp_path_factory.mktemp("segments-as-of")
    database = scratch / "cdp.duckdb"
    shutil.copy(sample_warehouse.env["CDP_DUCKDB_PATH"], database)
    warehouse = Warehouse(
        target="duckdb",
        env=base_env(scratch) | {"CDP_DUCKDB_PATH": str(database)},
        schema="main",
        query=None,  # type: ignore[arg-type]
    )
    with duckdb.connect(str(database)) as connection:
        connection.execute("drop table main_segments.segment_membership_history")
    warehouse.dbt(
        "run", "--select", "int_customer360_as_of+", "--vars", json.dumps({"cdp_as_of_date": "2026-06-30"})
    )

    with duckdb.connect(str(database), read_only=True) as connection:
        expected = connection.execute(
            """
            with first_entries as (
                select segment_name, customer_id, is_holdout, entered_as_of_date,
                    row_number() over (partition by segment_name, customer_id order by entered_at)
                        as entry_rank
                from main_segments.segment_membership_periods
            ),
            outcomes as (
                select first_entries.segment_name, first_entries.is_holdout, first_entries.customer_id,
                    count(orders.order_id) as purchases,
                    coalesce(sum(orders.recognised_revenue_reporting), 0) as revenue
                from first_entries
                left join main_marts.fct_orders as orders
                    on orders.customer_id = first_entries.customer_id and orders.is_purchase
                    and orders.order_date > first_entries.entered_as_of_date
                    and orders.order_date <= first_entries.entered_as_of_date + 30
                where entry_rank = 1
                group by all
            )
            select segment_name, is_holdout, count(*), count(*) filter (where purchases > 0), sum(revenue)
            from outcomes group by all
            """
        ).fetchall()
        kpis = {
            row[0]: row[1:]
            for row in connection.execute(
                "select segment_name, treatment_member_count, treatment_converted_count, treatment_revenue, "
                "control_member_count, control_converted_count, control_revenue, conversion_uplift_z_score "
                "from main_segments.segment_holdout_kpis"
            ).fetchall()
        }
        entered_june = connection.execute(
            "select count(*) from main_segments.segment_membership_periods "
            "where entered_as_of_date = '2026-06-30'"
        ).fetchone()[0]
    assert entered_june > 0
    converted_total = 0
    for segment_name, is_holdout, members, converted, revenue in expected:
        (
            treatment_members,
            treatment_converted,
            treatment_revenue,
            control_members,
            control_converted,
            control_revenue,
            _,
        ) = kpis[segment_name]
        if is_holdout:
            assert (control_members, control_converted, control_revenue) == (
                members,
                converted,
                Decimal(revenue),
            ), segment_name
        else:
            assert (treatment_members, treatment_converted, treatment_revenue) == (
                members,
                converted,
                Decimal(revenue),
            ), segment_name
        converted_total += converted
    assert converted_total > 0, "nobody bought in July after entering a June segment"
    assert kpis["churn_risk"][6] is not None  # both groups measured: a z-score exists
