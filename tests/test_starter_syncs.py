"""The starter syncs of the main project (models/segments/_segments__syncs.yml), end to end on the sample:
seed -> dbt build -> sync to the local webhook receiver and to files -> what they hold is exactly the
sendable members of each segment, in each destination's format; a second run sends nothing.

The expected audiences are computed here from the segment models and dim_customers, not by the engine."""

from __future__ import annotations

import base64
import csv
import hashlib
import json
from collections.abc import Iterator
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

from activation.receiver import WebhookReceiver
from activation.syncs.config import load_catalog
from activation.syncs.runner import run_syncs
from tests.conftest import PROJECT_DIR, Warehouse

SECRET = "whsec_" + base64.b64encode(b"starter-syncs-test-signing-key!!").decode()
STARTER_SYNCS = (
    "high_value_loyal_to_crm_webhook",
    "churn_risk_to_email_tool_csv",
    "lookalike_seed_google_ads_list",
)


def sendable(
    warehouse: Warehouse, segment: str, channel: str, identifiers: tuple[str, ...], columns: str
) -> list[tuple[Any, ...]]:
    """Members not in the holdout whose latest decision for the channel is consent, who are not erased and
    have one of the identifiers the sync maps."""
    schema = warehouse.schema
    reachable = " or ".join(f"members.{column} is not null" for column in identifiers)
    return warehouse.query(
        f"select {columns} from {schema}_segments.seg_{segment} as members "
        f"inner join {schema}_marts.dim_customers as customers "
        "on members.customer_id = customers.customer_id "
        f"where not members.is_holdout and customers.has_{channel}_consent and not customers.is_erased "
        f"and ({reachable})"
    )


def sha256(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()


def read_csv_runs(directory: Path) -> list[dict[str, str]]:
    rows: list[dict[str, str]] = []
    for path in sorted(directory.glob("*/*.csv")):
        with path.open(newline="") as handle:
            rows += list(csv.DictReader(handle))
    return rows


@pytest.fixture
def demo_destinations(
    sample_warehouse: Warehouse, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> Iterator[tuple[Warehouse, WebhookReceiver, Path]]:
    if sample_warehouse.target == "spark":
        pytest.skip(
            "sync state lives on DuckDB or PostgreSQL; reading segments from Spark is tested in "
            "tests/activation/test_spark_source.py"
        )
    for name, value in sample_warehouse.env.items():
        monkeypatch.setenv(name, value)
    receiver = WebhookReceiver(tmp_path / "receiver", SECRET).start()
    monkeypatch.setenv("CDP_DEMO_WEBHOOK_URL", receiver.url)
    monkeypatch.setenv("CDP_DEMO_WEBHOOK_SECRET", SECRET)
    monkeypatch.setenv("CDP_DEMO_OUTPUT_DIR", str(tmp_path / "demo"))
    yield sample_warehouse, receiver, tmp_path / "demo" / "files"
    receiver.stop()


def test_starter_syncs_deliver_each_segments_sendable_members(
    demo_destinations: tuple[Warehouse, WebhookReceiver, Path],
) -> None:
    warehouse, receiver, files_dir = demo_destinations
    catalog = load_catalog(PROJECT_DIR, warehouse.target)  # dbt parse: the exposures read the env above
    syncs = catalog.select(list(STARTER_SYNCS), False)
    results = run_syncs(PROJECT_DIR, syncs, warehouse.target)
    assert [result.status for result in results] == ["succeeded"] * 3, [result.error for result in results]

    # Webhook (mirror): by customer id, the mapped e-mail and fields, as the warehouse holds them.
    expected_crm = {
        customer_id: (email, first_name, order_count, Decimal(str(revenue)))
        for customer_id, email, first_name, order_count, revenue in sendable(
            warehouse,
            "high_value_loyal",
            "email",
            ("email",),
            "members.customer_id, members.email, members.first_name, members.order_count, "
            "members.total_revenue",
        )
    }
    held = receiver.held("high_value_loyal_to_crm_webhook")
    assert expected_crm and len(held) == len(expected_crm)
    assert {
        key: (
            fields["email"],
            fields["first_name"],
            fields["order_count"],
            Decimal(str(fields["total_revenue"])),
        )
        for key, fields in held.items()
    } == expected_crm

    # CSV files (upsert): a first run only adds, every sendable member once.
    churn_rows = read_csv_runs(files_dir / "churn_risk_to_email_tool_csv")
    expected_churn = {
        customer_id: email
        for customer_id, email in sendable(
            warehouse, "churn_risk", "email", ("email",), "members.customer_id, members.email"
        )
    }
    assert expected_churn and {row["action"] for row in churn_rows} == {"add"}
    assert len(churn_rows) == len(expected_churn)
    assert {row["key"]: row["email"] for row in churn_rows} == expected_churn

    # Google Ads customer list: normalised e-mail and E.164 phone, SHA-256 hashed (hex).
    google_rows = read_csv_runs(files_dir / "lookalike_seed_google_ads_list")
    expected_google = {
        (sha256(email.strip().lower()) if email else "", sha256(phone) if phone else "")
        for email, phone in sendable(
            warehouse,
            "lookalike_seed",
            "ads_personalisation",
            ("email_normalized", "phone_e164"),
            "members.email_normalized, members.phone_e164",
        )
    }
    assert expected_google and len(google_rows) == len(expected_google)
    assert {(row["Email"], row["Phone"]) for row in google_rows} == expected_google

    # Nothing changed: a second run sends nothing anywhere.
    again = run_syncs(PROJECT_DIR, syncs, warehouse.target)
    for result in again:
        assert result.status == "succeeded", result.error
        assert result.counts.requests_sent == 0 and result.counts.batches_sent == 0, result.name
    assert receiver.replays == 0
    assert (
        json.loads((receiver.directory / "high_value_loyal_to_crm_webhook.json").read_text())["records"]
        == held
    )
