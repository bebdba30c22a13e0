"""Spark for reading: the fixture segment read from a local Spark session, the state kept in DuckDB
(`--state-target duckdb`), delivered to the fake webhook exactly like the same data read from DuckDB.

One Spark session in one subprocess (Spark's embedded metastore admits one session at a time): it loads the
fixture's seed, creates the segment and consent relations the fixture models define, and runs the sync twice.
"""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from tests.activation.conftest import SECRETS, FixtureWarehouse
from tests.conftest import DBT_EXECUTABLE, PROJECT_DIR, skip_or_fail

SPARK_SCRIPT = textwrap.dedent(
    """
    import json, sys
    from pathlib import Path
    from activation.syncs.config import load_catalog
    from activation.syncs.runner import run_syncs
    from activation.syncs.warehouse import SparkConnection, load_profile

    project_dir, manifest, seed = Path(sys.argv[1]), Path(sys.argv[2]), sys.argv[3]
    profile = load_profile(project_dir, "spark")
    spark = SparkConnection(profile.credentials["server_side_parameters"]).session
    spark.sql("create database if not exists cdp")
    people = spark.read.csv(seed, header=True, inferSchema=False)
    people.createOrReplaceTempView("raw_people")
    spark.sql('''
        create table cdp.fixture_people as
        select customer_id, email, phone_e164, first_name, last_name, cast(birth_date as date) as
        birth_date, gender,
            city, postal_code, country_code, cast(lifetime_value as decimal(12, 2)) as lifetime_value,
            cast(last_order_at as timestamp) as last_order_at, cast(is_member as boolean) as is_member,
            cast(is_holdout as boolean) as is_holdout, cast(has_email_consent as boolean) as
            has_email_consent,
            cast(has_ads_personalisation_consent as boolean) as has_ads_personalisation_consent,
            cast(is_erased as boolean) as is_erased
        from raw_people
    ''')
    spark.sql('''
        create or replace view cdp.dim_customers as
        select customer_id, is_erased, not is_erased and has_email_consent as has_email_consent,
            not is_erased and has_ads_personalisation_consent as has_ads_personalisation_consent
        from cdp.fixture_people
    ''')
    spark.sql('''
        create or replace view cdp.seg_fixture_members as
        select customer_id, is_holdout,
            case when not is_erased then nullif(email, '') end as email,
            case when not is_erased then nullif(phone_e164, '') end as phone_e164,
            case when not is_erased then first_name end as first_name,
            case when not is_erased then last_name end as last_name,
            case when not is_erased then birth_date end as birth_date,
            case when not is_erased then gender end as gender,
            case when not is_erased then city end as city,
            case when not is_erased then postal_code end as postal_code,
            case when not is_erased then country_code end as country_code,
            lifetime_value, last_order_at
        from cdp.fixture_people where is_member
    ''')
    catalog = load_catalog(project_dir, "spark", manifest)
    results = []
    for _ in range(2):
        (result,) = run_syncs(project_dir, [catalog.syncs["fixture_webhook"]], "spark", "duckdb")
        results.append({"status": result.status, "added": result.counts.rows_added,
                        "unchanged": result.counts.rows_unchanged, "error": result.error})
    print("RESULTS=" + json.dumps(results))
    """
)


@pytest.mark.spark
@pytest.mark.slow
def test_segment_read_from_spark_state_in_duckdb(duckdb_warehouse: FixtureWarehouse, tmp_path: Path) -> None:
    if shutil.which("java") is None:
        skip_or_fail("no Java runtime for Spark")
    pytest.importorskip("pyspark")
    warehouse = duckdb_warehouse
    expected = warehouse.eligible()
    env = dict(warehouse.env) | SECRETS
    env.update(
        CDP_SPARK_DIR=str(tmp_path / "spark"),
        CDP_SPARK_SCHEMA="cdp",
        CDP_DUCKDB_PATH=str(tmp_path / "state.duckdb"),
        DBT_TARGET_PATH=str(tmp_path / "target"),
    )
    parsed = subprocess.run(
        [DBT_EXECUTABLE, "parse", "--target", "spark", "--project-dir", str(warehouse.built.project_dir)],
        env=env,
        capture_output=True,
        text=True,
    )
    assert parsed.returncode == 0, parsed.stdout[-4000:]
    manifest = tmp_path / "target" / "manifest.json"
    relation = json.loads(manifest.read_text())["nodes"]["model.activation_fixture.seg_fixture_members"]
    assert relation["relation_name"] == "cdp.seg_fixture_members"
    seed = warehouse.built.project_dir / "seeds" / "fixture_people.csv"
    completed = subprocess.run(
        [sys.executable, "-c", SPARK_SCRIPT, str(warehouse.built.project_dir), str(manifest), str(seed)],
        env=env,
        cwd=PROJECT_DIR,
        capture_output=True,
        text=True,
        timeout=900,
    )
    lines = [line for line in completed.stdout.splitlines() if line.startswith("RESULTS=")]
    assert lines, completed.stderr[-6000:]
    first, second = json.loads(lines[0][len("RESULTS=") :])
    assert first["status"] == "succeeded", first["error"]
    assert first["added"] == len(expected)
    assert second["status"] == "succeeded" and second["unchanged"] == len(expected)
    held = warehouse.fakes.webhook.held
    assert {key: (fields["email"], fields["city"]) for key, fields in held.items()} == expected
    assert (
        held["cust_0001"]["last_order_at"] == "2026-02-02T01:01:00Z"
        and held["cust_0001"]["lifetime_value"] == 37.5
    )
