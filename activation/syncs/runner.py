"""Library entry points: open the warehouses of a target, run or plan syncs, print readable summaries."""

from __future__ import annotations

import logging
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import TextIO

from activation.errors import ConfigurationError
from activation.syncs.config import ProjectSettings, SyncConfig
from activation.syncs.engine import PlanResult, SyncResult, SyncRunner, Warehouses
from activation.syncs.state import RunCounts, StateStore
from activation.syncs.warehouse import STATE_ENGINES, connect_source, connect_state, load_profile

logger = logging.getLogger(__name__)


@dataclass
class OpenWarehouses(Warehouses):
    def close(self) -> None:
        if self.source is not None:
            self.source.close()
        self.state.connection.close()


def open_warehouses(project_dir: Path, target: str, state_target: str | None = None) -> OpenWarehouses:
    """Connections for `target` (segments) and `state_target` (state; default the same target)."""
    source_profile = load_profile(project_dir, target)
    if state_target is None or state_target == target:
        if source_profile.adapter_type not in STATE_ENGINES:
            raise ConfigurationError(
                f"Target {target!r} ({source_profile.adapter_type}) is read-only for activation: keep the "
                "sync "
                f"state on a {' or '.join(STATE_ENGINES)} target with --state-target."
            )
        state_profile = source_profile
    else:
        state_profile = load_profile(project_dir, state_target)
    state_connection = connect_state(state_profile)
    try:
        source = connect_source(source_profile, state_connection, state_profile)
    except BaseException:
        state_connection.close()
        raise
    settings = ProjectSettings.from_project(project_dir)
    schema = f"{state_profile.schema}_{settings.state_schema}"
    return OpenWarehouses(state=StateStore(state_connection, schema), source=source, source_target=target)


def run_syncs(
    project_dir: Path,
    syncs: Iterable[SyncConfig],
    target: str,
    state_target: str | None = None,
    *,
    progress: bool = False,
    out: TextIO | None = None,
) -> list[SyncResult]:
    """Run syncs one after another on one set of connections; a summary per sync goes to `out`."""
    results = []
    warehouses = open_warehouses(project_dir, target, state_target)
    try:
        for sync in syncs:
            if out is not None:
                print(
                    f"Sync {sync.name}: {sync.model} -> {sync.destination_type} ({sync.mode}) on {target}",
                    file=out,
                    flush=True,
                )
            try:
                result = SyncRunner(sync, warehouses, progress=progress).run()
            except ConfigurationError as error:
                # A sync that cannot start (mapping, columns, duplicate keys) fails alone; the others still
                # run.
                result = SyncResult(sync.name, "", "failed", RunCounts(), 0.0, error=str(error))
            results.append(result)
            if out is not None:
                print(summary(result), file=out, flush=True)
    finally:
        warehouses.close()
    return results


def plan_sync(
    project_dir: Path, sync: SyncConfig, target: str, state_target: str | None, sample_size: int
) -> PlanResult:
    warehouses = open_warehouses(project_dir, target, state_target)
    try:
        return SyncRunner(sync, warehouses).plan(sample_size)
    finally:
        warehouses.close()


def summary(result: SyncResult) -> str:
    """A few readable lines: what changed, what went wrong, how fast."""
    counts = result.counts
    sent = counts.rows_added + counts.rows_changed + counts.rows_removed
    rate = f", {sent / result.seconds:,.0f} records/s" if result.seconds > 0 and sent else ""
    lines = [
        f"  added {counts.rows_added:,}  changed {counts.rows_changed:,}  removed {counts.rows_removed:,}  "
        f"unchanged {counts.rows_unchanged:,}",
        f"  rejected {counts.rows_rejected:,}  failed {counts.rows_failed:,}  suppressed "
        f"{counts.rows_suppressed:,}"
        f"  skipped {counts.rows_skipped:,}"
        + (f"  resent {counts.rows_resent:,}" if counts.rows_resent else ""),
        f"  {counts.batches_sent:,} batches, {counts.requests_sent:,} requests, {counts.retries:,} retries, "
        f"{result.seconds:.1f} s{rate}",
    ]
    for warning in result.warnings[:5]:
        lines.append(f"  note: {warning}")
    if len(result.warnings) > 5:
        lines.append(f"  ... and {len(result.warnings) - 5} more notes")
    status = result.status
    if result.error:
        status += f": {result.error}"
    lines.append(f"  status: {status} (run {result.run_id})" if result.run_id else f"  status: {status}")
    return "\n".join(lines)


__all__ = ["OpenWarehouses", "StateStore", "open_warehouses", "plan_sync", "run_syncs", "summary"]
