"""`activation sync | plan | status | destinations`: a thin layer over the sync engine.

activation sync NAME [NAME...] | --all     run syncs; non-zero exit when one fails
activation plan NAME                       dry run: what a sync would add, update, remove (nothing sent)
activation status [--sync NAME]            recent runs from the state tables
activation destinations                    destination types and their settings
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from pathlib import Path
from typing import Any

from activation.project import TARGETS, find_project_dir


def register(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Add the sync commands to the `activation` parser."""
    sync = commands.add_parser("sync", help="sync segments to their destinations (only the differences)")
    sync.add_argument(
        "names", nargs="*", metavar="NAME", help="sync names (dbt exposures with meta.activation)"
    )
    sync.add_argument("--all", action="store_true", help="every enabled sync of the project")
    _warehouse_arguments(sync)
    progress = sync.add_mutually_exclusive_group()
    progress.add_argument(
        "--progress", dest="progress", action="store_true", default=None, help="progress bar"
    )
    progress.add_argument("--no-progress", dest="progress", action="store_false", help="no progress bar")
    sync.set_defaults(handler=command_sync)

    plan = commands.add_parser("plan", help="dry run: counts of adds/updates/removes and sample rows")
    plan.add_argument("names", nargs=1, metavar="NAME")
    plan.add_argument("--sample", type=int, default=3, help="sample rows per operation (default 3)")
    plan.add_argument("--show-values", action="store_true", help="print identifiers unmasked")
    _warehouse_arguments(plan)
    plan.set_defaults(handler=command_plan)

    status = commands.add_parser("status", help="recent sync runs")
    status.add_argument("--sync", dest="sync_name", help="only this sync")
    status.add_argument("--limit", type=int, default=20)
    _warehouse_arguments(status, needs_manifest=False)
    status.set_defaults(handler=command_status)

    destinations = commands.add_parser("destinations", help="available destination types and their settings")
    destinations.add_argument("--json", action="store_true", help="machine-readable")
    destinations.set_defaults(handler=command_destinations)


def _warehouse_arguments(parser: argparse.ArgumentParser, needs_manifest: bool = True) -> None:
    parser.add_argument("--target", choices=TARGETS, default=os.environ.get("CDP_TARGET", "duckdb"))
    parser.add_argument(
        "--state-target",
        choices=("duckdb", "postgres"),
        help="where sync state lives (default: the target; required with --target spark)",
    )
    parser.add_argument(
        "--project-dir", type=Path, help="the dbt project (default: found from the current dir)"
    )
    if needs_manifest:
        parser.add_argument(
            "--manifest", type=Path, help="use this dbt manifest.json instead of running `dbt parse`"
        )


def _open(args: argparse.Namespace) -> tuple[Path, Any]:
    from activation.syncs.runner import open_warehouses

    project_dir = (args.project_dir or find_project_dir()).resolve()
    return project_dir, open_warehouses(project_dir, args.target, args.state_target)


def command_sync(args: argparse.Namespace) -> int:
    from activation.syncs.config import load_catalog
    from activation.syncs.runner import run_syncs

    project_dir = (args.project_dir or find_project_dir()).resolve()
    catalog = load_catalog(project_dir, args.target, args.manifest)
    syncs = catalog.select(args.names, args.all)
    progress = sys.stderr.isatty() if args.progress is None else args.progress
    results = run_syncs(project_dir, syncs, args.target, args.state_target, progress=progress, out=sys.stdout)
    return 0 if all(result.succeeded for result in results) else 1


def command_plan(args: argparse.Namespace) -> int:
    from activation.syncs.config import load_catalog
    from activation.syncs.runner import plan_sync

    project_dir = (args.project_dir or find_project_dir()).resolve()
    catalog = load_catalog(project_dir, args.target, args.manifest)
    (sync,) = catalog.select(args.names, False)
    plan = plan_sync(project_dir, sync, args.target, args.state_target, args.sample)
    print(
        f"Plan for sync {sync.name} ({sync.model} -> {sync.destination_type}, mode {sync.mode}); nothing "
        "sent."
    )
    print(f"  the destination holds {plan.held:,} records of this sync")
    if plan.interrupted_batches:
        print(f"  {plan.interrupted_batches} batches of an interrupted run will be resent first")
    totals: dict[str, int] = {}
    for key, count in sorted(plan.counts.items()):
        change, operation = key.split(":")
        totals[operation] = totals.get(operation, 0) + count
        print(f"  {change:<8} -> {operation:<14} {count:>10,}")
    if not plan.counts:
        print("  nothing to do: the destination is up to date")
    for sample in plan.samples:
        payload = sample["payload"] if args.show_values else _mask(sample["payload"], sync.identifiers)
        reason = f" ({sample['reason']})" if sample["reason"] else ""
        print(f"  sample {sample['operation']:<8} {sample['record_key']}{reason}: {payload}")
    return 0


def _mask(payload: str | None, identifiers: dict[str, str]) -> str:
    """Identifiers shown as their first character and length, so a plan can be pasted without PII."""
    if not payload:
        return ""
    try:
        values = json.loads(payload)
    except ValueError:
        return "(unreadable)"
    masked = {
        name: (
            f"{str(value)[:1]}***({len(str(value))})" if name in identifiers and value is not None else value
        )
        for name, value in values.items()
    }
    return json.dumps(masked, ensure_ascii=False, default=str)


def command_status(args: argparse.Namespace) -> int:
    _project_dir, warehouses = _open(args)
    try:
        warehouses.state.ensure()
        runs = warehouses.state.recent_runs(args.sync_name, args.limit)
    finally:
        warehouses.close()
    if not runs:
        print("No sync runs yet.")
        return 0
    header = (
        f"{'sync':<28} {'started (UTC)':<19} {'secs':>6} {'status':<11} {'added':>9} {'changed':>9} "
        f"{'removed':>9} {'unchanged':>10} {'rejected':>8} {'failed':>8} {'suppr.':>7}"
    )
    print(header)
    for run in runs:
        seconds = (run["finished_at"] - run["started_at"]).total_seconds() if run["finished_at"] else None
        print(
            f"{run['sync_name']:<28} {run['started_at']:%Y-%m-%d %H:%M:%S} "
            f"{(f'{seconds:.1f}' if seconds is not None else '-'):>6} {run['status']:<11} "
            + " ".join(
                f"{(run[name] if run[name] is not None else 0):>{width},}"
                for name, width in (
                    ("rows_added", 9),
                    ("rows_changed", 9),
                    ("rows_removed", 9),
                    ("rows_unchanged", 10),
                    ("rows_rejected", 8),
                    ("rows_failed", 8),
                    ("rows_suppressed", 7),
                )
            )
        )
        if run["error_message"]:
            print(f"    {run['error_message'][:200]}")
    return 0


def command_destinations(args: argparse.Namespace) -> int:
    from activation.destinations import available_destinations
    from activation.destinations.base import settings_rows

    types = available_destinations()
    if args.json:
        document = {
            name: {
                "summary": cls.summary,
                "modes": list(cls.supported_modes),
                "max_batch_size": cls.max_batch_size,
                "default_batch_size": cls.default_batch_size,
                "consent_channel": cls.default_consent_channel,
                "settings": cls.Settings.model_json_schema(),
            }
            for name, cls in sorted(types.items())
        }
        print(json.dumps(document, indent=2))
        return 0
    for name, cls in sorted(types.items()):
        consent = cls.default_consent_channel or "set by `consent_channel`"
        print(f"{name}: {cls.summary}")
        print(
            f"  modes: {', '.join(cls.supported_modes)}; batch size {cls.default_batch_size:,} "
            f"(max {cls.max_batch_size:,}); consent channel: {consent}"
        )
        for setting, kind, default, description in settings_rows(cls.Settings):
            print(f"    {setting:<24} {kind:<28} {default:<12} {description}")
        print()
    return 0
