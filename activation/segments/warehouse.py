"""Running a SELECT on the warehouse through dbt (`dbt show --inline`): ref(), vars and the project's macros
resolve as in a model, and the same code reads DuckDB, PostgreSQL and Spark."""

from __future__ import annotations

import logging
import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from activation.errors import ConfigurationError, WarehouseBuildError
from activation.project import TARGETS

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class QueryResult:
    columns: list[str]
    rows: list[tuple]

    def dicts(self) -> list[dict[str, object]]:
        return [dict(zip(self.columns, row, strict=True)) for row in self.rows]


class Warehouse:
    """Queries on one dbt target. The project is parsed once and its manifest reused by every query (a parse
    costs more than a small query); a failed query leaves its inline node behind in dbt's manifest, so the
    next query parses afresh."""

    def __init__(self, project_dir: Path, target: str) -> None:
        if target not in TARGETS:
            raise ConfigurationError(f"Unknown target {target!r}: expected one of {', '.join(TARGETS)}.")
        self.project_dir = project_dir
        self.target = target
        self._manifest: Any = None

    def _args(self, *args: str) -> list[str]:
        return [*args, "--log-level", "none", "--project-dir", str(self.project_dir), "--target", self.target]

    def manifest(self) -> Any:
        """The parsed project (dbt's Manifest), parsed on first use and kept."""
        from dbt.cli.main import dbtRunner

        os.environ.setdefault("DBT_PROFILES_DIR", str(self.project_dir))
        if self._manifest is None:
            parsed = dbtRunner().invoke(self._args("parse"))
            if not parsed.success:
                raise WarehouseBuildError(
                    "parse", [str(parsed.exception or "the dbt project does not parse")]
                )
            self._manifest = parsed.result
        return self._manifest

    def relation_name(self, model: str) -> str:
        """The quoted relation a model of the project is built as on this target (from the manifest)."""
        for node in self.manifest().nodes.values():
            if node.resource_type == "model" and node.name == model and node.relation_name:
                return str(node.relation_name)
        raise ConfigurationError(f"The dbt project has no model {model!r}")

    def query(self, sql: str, limit: int = -1) -> QueryResult:
        """The rows of one SELECT (Jinja allowed). Keep results small: they travel through agate."""
        from dbt.cli.main import dbtRunner

        manifest = self.manifest()
        logger.debug("Querying the warehouse: %s", sql)
        result = dbtRunner(manifest=manifest).invoke(
            self._args("show", "--inline", sql, "--limit", str(limit))
        )
        node_results = getattr(result.result, "results", None) or []
        if not result.success or not node_results or node_results[0].agate_table is None:
            self._manifest = None
            failures = [str(node.message) for node in node_results if getattr(node, "message", None)]
            if result.exception is not None:
                failures.append(str(result.exception))
            raise WarehouseBuildError("show", failures or ["the query failed (see dbt's log)"])
        table = node_results[0].agate_table
        return QueryResult(columns=list(table.column_names), rows=[tuple(row) for row in table.rows])
