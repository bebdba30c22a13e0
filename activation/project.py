"""Locating the dbt project and running dbt commands on it from Python.

The activation package reads the same warehouse as dbt, through the same `profiles.yml`, so every
command here takes a dbt target name (duckdb, postgres, spark).
"""

from __future__ import annotations

import json
import logging
import os
from dataclasses import dataclass
from pathlib import Path

from activation.errors import ConfigurationError, WarehouseBuildError

logger = logging.getLogger(__name__)

TARGETS = ("duckdb", "postgres", "spark")


def find_project_dir(start: Path | None = None) -> Path:
    """The nearest directory with a dbt_project.yml, from `start` (default CWD) up, else the package's."""
    candidates = [start or Path.cwd(), Path(__file__).resolve().parent.parent]
    for candidate in candidates:
        for directory in (candidate, *candidate.parents):
            if (directory / "dbt_project.yml").is_file():
                return directory
    raise ConfigurationError("No dbt_project.yml in the current directory, its parents or the package's.")


@dataclass(frozen=True)
class DbtSummary:
    """What one dbt command did, counted by outcome."""

    command: str
    counts: dict[str, int]

    def describe(self) -> str:
        shown = ", ".join(f"{status}={count}" for status, count in sorted(self.counts.items()))
        return f"dbt {self.command}: {shown or 'nothing to do'}"


def run_dbt(
    args: list[str], project_dir: Path, target: str, dbt_vars: dict[str, object] | None = None
) -> DbtSummary:
    """Run one dbt command in-process; raise WarehouseBuildError naming every failed node."""
    if target not in TARGETS:
        raise ConfigurationError(f"Unknown target {target!r}: expected one of {', '.join(TARGETS)}.")
    # Imported here: dbt is slow to import and most commands of the package never need it.
    from dbt.cli.main import dbtRunner

    os.environ.setdefault("DBT_PROFILES_DIR", str(project_dir))
    full_args = [*args, "--project-dir", str(project_dir), "--target", target]
    if dbt_vars:
        full_args += ["--vars", json.dumps(dbt_vars)]
    logger.info("Running dbt %s", " ".join(full_args))
    result = dbtRunner().invoke(full_args)
    counts: dict[str, int] = {}
    failures: list[str] = []
    for node_result in getattr(result.result, "results", None) or []:
        status = str(node_result.status)
        counts[status] = counts.get(status, 0) + 1
        if status in ("error", "fail", "runtime error"):
            failures.append(f"{node_result.node.unique_id}: {node_result.message}")
    if not result.success:
        if result.exception is not None:
            failures.append(str(result.exception))
        raise WarehouseBuildError(args[0], failures)
    return DbtSummary(command=args[0], counts=counts)


def query_warehouse(
    sql: str, project_dir: Path, target: str, dbt_vars: dict[str, object] | None = None
) -> list[dict[str, object]]:
    """Rows of a SELECT run through dbt on `target` (`dbt show --inline`): refs, vars and macros resolve as
    in a model, and the same code reads DuckDB, PostgreSQL and Spark. Meant for aggregates (the rows travel
    through dbt's agate tables): keep the result small."""
    if target not in TARGETS:
        raise ConfigurationError(f"Unknown target {target!r}: expected one of {', '.join(TARGETS)}.")
    from dbt.cli.main import dbtRunner

    os.environ.setdefault("DBT_PROFILES_DIR", str(project_dir))
    args = ["show", "--inline", sql, "--limit", "-1", "--log-level", "none"]
    if dbt_vars:
        args += ["--vars", json.dumps(dbt_vars)]
    args += ["--project-dir", str(project_dir), "--target", target]
    logger.debug("Querying the warehouse: %s", sql)
    result = dbtRunner().invoke(args)
    node_results = getattr(result.result, "results", None) or []
    if not result.success or not node_results or node_results[0].agate_table is None:
        failures = [str(node.message) for node in node_results if node.message]
        if result.exception is not None:
            failures.append(str(result.exception))
        raise WarehouseBuildError("show", failures or [f"query failed: {sql[:200]}"])
    table = node_results[0].agate_table
    return [dict(zip(table.column_names, row, strict=True)) for row in table.rows]
