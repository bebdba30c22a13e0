"""The syncs page: the project's syncs with their recent runs, one run's rejected records with reasons, a plan
(dry run) and a run now, through the sync engine's own entry points (activation.syncs.runner) and its state
tables (sync_runs, record_outcomes)."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import Any

from activation.syncs.cli import _mask as mask_payload
from activation.syncs.config import SyncCatalog, SyncConfig, load_catalog, target_path
from activation.syncs.engine import SyncResult
from activation.syncs.runner import plan_sync, run_syncs
from activation.syncs.state import RUN_COUNTERS
from activation.ui.warehouse import UiWarehouse

logger = logging.getLogger(__name__)

RUNS_PER_SYNC = 10
OUTCOMES_SHOWN = 500
PLAN_SAMPLE_SIZE = 5
RUN_COLUMNS = (
    "run_id",
    "sync_name",
    "destination_type",
    "mode",
    "started_at",
    "finished_at",
    "status",
    *RUN_COUNTERS,
    "error_message",
)


def catalog(data: UiWarehouse) -> SyncCatalog:
    """The syncs of the project, from the manifest the app's dbt parse wrote."""
    with data.lock:
        data.relation("dim_customers")  # parses the project once (dbt writes manifest.json)
        return load_catalog(data.project_dir, data.target, target_path(data.project_dir) / "manifest.json")


def _sync(data: UiWarehouse, name: str) -> SyncConfig:
    (sync,) = catalog(data).select([name], False)
    return sync


@dataclass
class SyncOverview:
    sync: SyncConfig
    runs: list[dict[str, Any]]


def overview(data: UiWarehouse) -> list[SyncOverview]:
    runs = data.state_rows("sync_runs", RUN_COLUMNS, "order by started_at desc", []).dicts()
    by_sync: dict[str, list[dict[str, Any]]] = {}
    for run in runs:
        by_sync.setdefault(run["sync_name"], []).append(run)
    return [
        SyncOverview(sync, by_sync.get(sync.name, [])[:RUNS_PER_SYNC])
        for _, sync in sorted(catalog(data).syncs.items())
    ]


@dataclass
class RunDetail:
    run: dict[str, Any]
    outcomes: list[dict[str, Any]]
    outcome_counts: dict[str, int]


def run_detail(data: UiWarehouse, run_id: str) -> RunDetail | None:
    found = data.state_rows("sync_runs", RUN_COLUMNS, "where run_id = ?", [run_id]).dicts()
    if not found:
        return None
    outcomes = data.state_rows(
        "record_outcomes",
        ["record_key", "status", "code", "message", "is_retryable", "attempts", "last_attempt_at"],
        f"where run_id = ? order by status, code, record_key limit {OUTCOMES_SHOWN}",
        [run_id],
    ).dicts()
    counted = data.state_rows(
        "record_outcomes", ["status", "code", "count(*)"], "where run_id = ? group by status, code", [run_id]
    ).rows
    counts = {f"{status} ({code or 'no code'})": int(count) for status, code, count in counted}
    return RunDetail(run=found[0], outcomes=outcomes, outcome_counts=counts)


@dataclass
class PlanView:
    sync: SyncConfig
    held: int
    interrupted_batches: int
    counts: list[tuple[str, str, int]]
    samples: list[dict[str, Any]]


def plan(data: UiWarehouse, name: str, show_pii: bool) -> PlanView:
    """A dry run: what the sync would add, update and remove now; nothing is sent."""
    sync = _sync(data, name)
    with data.lock:
        result = plan_sync(data.project_dir, sync, data.target, None, PLAN_SAMPLE_SIZE)
    counts = []
    for key, count in sorted(result.counts.items()):
        change, operation = key.split(":")
        counts.append((change, operation, count))
    samples = [
        {
            "operation": sample["operation"],
            "record_key": sample["record_key"],
            "reason": sample["reason"],
            "payload": sample["payload"] if show_pii else mask_payload(sample["payload"], sync.identifiers),
        }
        for sample in result.samples
    ]
    return PlanView(sync, result.held, result.interrupted_batches, counts, samples)


def run_now(data: UiWarehouse, name: str) -> SyncResult:
    sync = _sync(data, name)
    logger.info("Running sync %s from the web app", name)
    with data.lock:
        (result,) = run_syncs(data.project_dir, [sync], data.target)
    return result
