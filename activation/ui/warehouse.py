"""What the web app reads, through the project's own dbt profile and target.

Two paths, both from code (never from request strings):
  * segment sizes and samples go through the segment compiler and `dbt show` (activation.segments.preview),
    so the size the builder shows is the size the compiled model gives;
  * the other pages (customer lookup, syncs, dashboard) read the built marts with the engine's own client
    (the sync engine's connections), relations named by dbt's manifest, identifiers from an allow-list
    introspected from the warehouse, and every value a bound parameter.

dbt's runner is not thread-safe and DuckDB admits one writer per file: one lock serialises the app's warehouse
work, and each request opens its connection and closes it, so `dbt build` can run while the app is idle.
"""

from __future__ import annotations

import contextlib
import logging
import threading
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from activation.errors import ConfigurationError, WarehouseBuildError
from activation.segments.warehouse import QueryResult, Warehouse
from activation.syncs.config import ProjectSettings
from activation.syncs.warehouse import STATE_ENGINES, StateConnection, connect_state, load_profile

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class Rows:
    columns: list[str]
    rows: list[tuple[Any, ...]]

    def dicts(self) -> list[dict[str, Any]]:
        return [dict(zip(self.columns, row, strict=True)) for row in self.rows]


class UiWarehouse:
    """The warehouse of one dbt target, as the web app reads it."""

    def __init__(self, project_dir: Path, target: str) -> None:
        self.project_dir = project_dir
        self.target = target
        self.dbt = Warehouse(project_dir, target)
        self.profile = load_profile(project_dir, target)
        self.lock = threading.RLock()
        self._relations: dict[str, str] = {}
        self._columns: dict[str, dict[str, str]] = {}

    # ------------------------------------------------------------------ dbt (segment previews)

    def dbt_query(self, sql: str, limit: int = -1) -> QueryResult:
        with self.lock:
            try:
                return self.dbt.query(sql, limit)
            finally:
                self._release_duckdb_file()

    def _release_duckdb_file(self) -> None:
        """Close the DuckDB database dbt-duckdb keeps open for the life of the process after a query.

        A long-running app holding it would lock `dbt build` (another process) out of the file, and refuse
        this process's own connections with another configuration. dbt-duckdb has no public call for it:
        its connection manager's environment is dropped and its idle connection closed.
        """
        if self.profile.adapter_type != "duckdb":
            return
        from dbt.adapters.duckdb.connections import DuckDBConnectionManager

        environment = getattr(DuckDBConnectionManager, "_ENV", None)
        DuckDBConnectionManager.close_all_connections()
        connection = getattr(environment, "conn", None)
        if connection is not None and getattr(environment, "handle_count", 0) == 0:
            connection.close()
            environment.conn = None

    def relation(self, model: str) -> str:
        """The relation a model is built as (from the manifest: schemas differ per target)."""
        with self.lock:
            if model not in self._relations:
                try:
                    self._relations[model] = self.dbt.relation_name(model)
                finally:
                    self._release_duckdb_file()
            return self._relations[model]

    # ------------------------------------------------------------------ direct reads

    @property
    def state_schema(self) -> str:
        return f"{self.profile.schema}_{ProjectSettings.from_project(self.project_dir).state_schema}"

    @contextlib.contextmanager
    def connection(self) -> Iterator[StateConnection]:
        if self.profile.adapter_type not in STATE_ENGINES:
            raise ConfigurationError(
                f"Target {self.target!r} ({self.profile.adapter_type}): the web app's lookup, syncs and "
                f"dashboard read {' or '.join(STATE_ENGINES)} targets"
            )
        with self.lock:
            connection = connect_state(self.profile)
            try:
                yield connection
            finally:
                connection.close()

    def columns(self, model: str) -> dict[str, str]:
        """The columns a built model has in the warehouse, with their kinds: the identifier allow-list."""
        relation = self.relation(model)
        with self.lock:
            if model not in self._columns:
                with self.connection() as connection:
                    self._columns[model] = connection.column_kinds(relation)
            return self._columns[model]

    def select(
        self,
        model: str,
        columns: Sequence[str],
        where: str = "",
        params: Sequence[Any] = (),
        order_by: str = "",
        limit: int | None = None,
    ) -> Rows:
        """Columns of a model. `columns`, `where` and `order_by` come from the app's code; every column named
        in `columns` must exist (introspected), values travel as parameters."""
        available = self.columns(model)
        missing = [column for column in columns if column not in available]
        if missing:
            raise ConfigurationError(f"{model} has no column {', '.join(missing)}: rebuild the project?")
        sql = f"select {', '.join(columns)} from {self.relation(model)}"
        if where:
            sql += f" where {where}"
        if order_by:
            sql += f" order by {order_by}"
        if limit is not None:
            sql += f" limit {int(limit)}"
        return Rows(list(columns), self.fetch(sql, params))

    def fetch(self, sql: str, params: Sequence[Any] = ()) -> list[tuple[Any, ...]]:
        with self.connection() as connection:
            return connection.fetchall(sql, params)

    def state_rows(self, table: str, columns: Sequence[str], tail: str, params: Sequence[Any]) -> Rows:
        """Rows of a sync state table (sync_runs, record_outcomes, destination_records); none before the
        first sync created them."""
        with self.connection() as connection:
            quoted = f"{connection.dialect.quote(self.state_schema)}.{connection.dialect.quote(table)}"
            try:
                rows = connection.fetchall(f"select {', '.join(columns)} from {quoted} {tail}", params)
            except Exception as error:  # the engines name a missing table differently
                if "does not exist" in str(error) or "not found" in str(error).lower():
                    return Rows(list(columns), [])
                raise WarehouseBuildError("query", [str(error)]) from error
        return Rows(list(columns), rows)
