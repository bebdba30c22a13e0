"""Warehouse access through the dbt profile: the same `profiles.yml` target as `dbt build`.

dbt renders the profile (env_var() and all) and this module opens the engine's own client with those
credentials: DuckDB and PostgreSQL for reading segments and keeping sync state, Spark for reading segments
only
(it has no transactional tables here, so the state goes to a DuckDB or PostgreSQL target: `--state-target`).

Results are streamed in Arrow record batches of bounded size (DuckDB's Arrow reader, a PostgreSQL server-side
cursor, Spark's local iterator), never loaded whole. Each engine also brings its SQL dialect for the few
fragments that differ: JSON objects, row hashes and timestamp formatting.
"""

from __future__ import annotations

import contextlib
import io
import logging
import os
import threading
from abc import ABC, abstractmethod
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.csv as pa_csv

from activation.errors import ConfigurationError, StateStoreError

logger = logging.getLogger(__name__)

STATE_ENGINES = ("duckdb", "postgres")


@dataclass(frozen=True)
class Profile:
    """A rendered dbt profile target: adapter type and credentials (never logged: they may hold secrets)."""

    target: str
    adapter_type: str
    credentials: dict[str, Any]
    project_dir: Path

    @property
    def schema(self) -> str:
        return str(self.credentials.get("schema") or "main")


def profiles_dir(project_dir: Path) -> Path:
    """Where dbt looks for profiles.yml: DBT_PROFILES_DIR, the project, the working directory, ~/.dbt."""
    configured = os.environ.get("DBT_PROFILES_DIR")
    if configured:
        return Path(configured)
    for candidate in (project_dir, Path.cwd()):
        if (candidate / "profiles.yml").is_file():
            return candidate
    return Path.home() / ".dbt"


def load_profile(project_dir: Path, target: str) -> Profile:
    """Render `target` of the project's profile as dbt does.

    profiles.yml only uses env_var() and a few filters; those are rendered here with Jinja, which avoids
    importing dbt (seconds) for every sync. Anything else in the file goes through dbt's own renderer.
    """
    import yaml

    project = yaml.safe_load((project_dir / "dbt_project.yml").read_text()) or {}
    profile_name = project.get("profile")
    if not profile_name:
        raise ConfigurationError(f"{project_dir / 'dbt_project.yml'} names no profile")
    path = profiles_dir(project_dir) / "profiles.yml"
    try:
        profiles = yaml.safe_load(path.read_text()) or {}
    except OSError as error:
        raise ConfigurationError(f"Cannot read {path}: {error.strerror} (set DBT_PROFILES_DIR)") from None
    if profile_name not in profiles:
        raise ConfigurationError(f"{path} has no profile {profile_name!r}")
    try:
        outputs = profiles[profile_name].get("outputs") or {}
        if target not in outputs:
            raise ConfigurationError(
                f"Profile {profile_name!r} in {path} has no target {target!r}: {', '.join(outputs) or 'none'}"
            )
        credentials = _render(outputs[target])
    except _NeedsDbt:
        return _load_profile_with_dbt(project_dir, path.parent, profile_name, target)
    return Profile(
        target=target,
        adapter_type=str(credentials.get("type")),
        credentials=credentials,
        project_dir=project_dir,
    )


class _NeedsDbt(Exception):
    """The profile uses Jinja beyond env_var and its filters."""


def _render(value: Any) -> Any:
    import jinja2
    import jinja2.sandbox

    if isinstance(value, dict):
        return {key: _render(item) for key, item in value.items()}
    if isinstance(value, list):
        return [_render(item) for item in value]
    if not isinstance(value, str) or "{" not in value:
        return value
    missing = object()

    def env_var(name: str, default: Any = missing) -> Any:
        if name in os.environ:
            return os.environ[name]
        if default is missing:
            raise ConfigurationError(
                f"profiles.yml: environment variable {name} is not set and has no default"
            )
        return default

    environment = jinja2.sandbox.SandboxedEnvironment(undefined=jinja2.StrictUndefined)
    environment.globals["env_var"] = env_var
    for name, convert in (
        ("as_bool", _as_bool),
        ("as_number", _as_number),
        ("as_text", str),
        ("as_native", _native),
    ):
        environment.filters[name] = convert
    try:
        rendered = environment.from_string(value).render()
    except (jinja2.TemplateError, TypeError) as error:
        raise _NeedsDbt(str(error)) from None
    return _native(rendered)


def _as_bool(value: Any) -> bool:
    return str(value).strip().lower() in ("true", "1", "yes")


def _as_number(value: Any) -> int | float:
    text = str(value).strip()
    return int(text) if text.lstrip("-").isdigit() else float(text)


def _native(value: Any) -> Any:
    """dbt renders profile values natively: '4' becomes 4, 'true' becomes True."""
    if not isinstance(value, str):
        return value
    text = value.strip()
    if text.lstrip("-").isdigit():
        return int(text)
    if text.lower() in ("true", "false"):
        return text.lower() == "true"
    return value


def _load_profile_with_dbt(project_dir: Path, directory: Path, profile_name: str, target: str) -> Profile:
    from argparse import Namespace

    from dbt.config.profile import Profile as DbtProfile
    from dbt.config.profile import read_profile
    from dbt.config.renderer import ProfileRenderer
    from dbt.flags import set_from_args
    from dbt_common.context import set_invocation_context

    set_from_args(Namespace(), None)
    set_invocation_context(dict(os.environ))
    raw_profiles = read_profile(str(directory))
    try:
        profile = DbtProfile.from_raw_profiles(
            raw_profiles, profile_name, ProfileRenderer({}), target_override=target
        )
    except Exception as error:  # dbt raises its own exception types; the message names the problem
        raise ConfigurationError(
            f"Cannot use target {target!r} of profile {profile_name!r}: {error}"
        ) from None
    credentials = profile.credentials.to_dict()
    return Profile(
        target=target, adapter_type=profile.credentials.type, credentials=credentials, project_dir=project_dir
    )


# ------------------------------------------------------------------------------------------- dialects

# Column kinds the SQL builders care about (how a value becomes JSON, whether it can be a flag).
STRING, BOOLEAN, INTEGER, NUMBER, DATE, TIMESTAMP, TIMESTAMP_TZ, OTHER = (
    "string",
    "boolean",
    "integer",
    "number",
    "date",
    "timestamp",
    "timestamp_tz",
    "other",
)


class Dialect(ABC):
    """SQL fragments that differ between engines. Everything else the package writes is portable SQL."""

    name: str
    string_type = "varchar"
    binary_type = "blob"

    def quote(self, identifier: str) -> str:
        return '"' + identifier.replace('"', '""') + '"'

    def literal(self, value: str) -> str:
        return "'" + value.replace("'", "''") + "'"

    def cast_string(self, expression: str) -> str:
        return f"cast({expression} as {self.string_type})"

    @abstractmethod
    def json_object(self, pairs: Sequence[tuple[str, str, str]]) -> str:
        """A JSON object text from (key, expression, kind) triples, keys in order, nulls kept as null."""

    @abstractmethod
    def row_hash(self, expressions: Sequence[str]) -> str:
        """A string that changes when any of the values changes (compared only with itself, same engine)."""

    @abstractmethod
    def json_scalar(self, expression: str, kind: str) -> str:
        """The value as it should appear in JSON: timestamps as ISO-8601 UTC strings, the rest natively."""

    def comparable_hash(self, expression: str) -> str:
        """A row_hash text of this engine in the narrowest form that compares the same (null for text this
        engine's row_hash does not produce)."""
        return expression

    @abstractmethod
    def partition_of(self, expression: str, partitions: int) -> str:
        """Which of `partitions` parts a text belongs to: an integer from 0 to partitions - 1, the same for
        the same text on every read."""


class DuckDBDialect(Dialect):
    name = "duckdb"

    def json_scalar(self, expression: str, kind: str) -> str:
        if kind == TIMESTAMP_TZ:
            return f"strftime(timezone('UTC', {expression}), '%Y-%m-%dT%H:%M:%SZ')"
        if kind == TIMESTAMP:
            return f"strftime({expression}, '%Y-%m-%dT%H:%M:%SZ')"
        return expression

    def json_object(self, pairs: Sequence[tuple[str, str, str]]) -> str:
        if not pairs:
            return "'{}'"
        arguments = ", ".join(
            f"{self.literal(key)}, {self.json_scalar(expression, kind)}" for key, expression, kind in pairs
        )
        return f"cast(json_object({arguments}) as varchar)"

    def row_hash(self, expressions: Sequence[str]) -> str:
        # DuckDB's hash() of several values: ~10x cheaper than md5 over a JSON text. Its values may change
        # between DuckDB versions; then one full re-send follows an upgrade, which destinations absorb.
        return f"cast(hash({', '.join(expressions)}) as varchar)"

    def comparable_hash(self, expression: str) -> str:
        # The decimal text of a UBIGINT: 8 bytes a held record in the diff's hash table instead of 36.
        return f"try_cast({expression} as ubigint)"

    def partition_of(self, expression: str, partitions: int) -> str:
        return f"hash({expression}) % {int(partitions)}"


class PostgresDialect(Dialect):
    name = "postgres"
    binary_type = "bytea"

    def json_scalar(self, expression: str, kind: str) -> str:
        if kind == TIMESTAMP_TZ:
            return f"to_char({expression} at time zone 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS\"Z\"')"
        if kind == TIMESTAMP:
            return f'to_char({expression}, \'YYYY-MM-DD"T"HH24:MI:SS"Z"\')'
        return expression

    def json_object(self, pairs: Sequence[tuple[str, str, str]]) -> str:
        if not pairs:
            return "'{}'"
        arguments = ", ".join(
            f"{self.literal(key)}, {self.json_scalar(expression, kind)}" for key, expression, kind in pairs
        )
        # json (not jsonb) keeps the keys in order; the text form is stable for the same values.
        return f"cast(json_build_object({arguments}) as text)"

    def row_hash(self, expressions: Sequence[str]) -> str:
        return f"md5(cast(json_build_array({', '.join(expressions)}) as text))"

    def partition_of(self, expression: str, partitions: int) -> str:
        return f"mod(abs(cast(hashtext({expression}) as bigint)), {int(partitions)})"


class SparkDialect(Dialect):
    name = "spark"
    string_type = "string"
    binary_type = "binary"

    def quote(self, identifier: str) -> str:
        return "`" + identifier.replace("`", "``") + "`"

    def literal(self, value: str) -> str:
        return "'" + value.replace("\\", "\\\\").replace("'", "\\'") + "'"

    def json_scalar(self, expression: str, kind: str) -> str:
        if kind in (TIMESTAMP, TIMESTAMP_TZ):
            return f"date_format({expression}, \"yyyy-MM-dd'T'HH:mm:ss'Z'\")"
        if kind == DATE:
            return f"date_format({expression}, 'yyyy-MM-dd')"
        return expression

    def json_object(self, pairs: Sequence[tuple[str, str, str]]) -> str:
        if not pairs:
            return "'{}'"
        arguments = ", ".join(
            f"{self.literal(key)}, {self.json_scalar(expression, kind)}" for key, expression, kind in pairs
        )
        # Spark drops null fields from JSON unless told not to; the other engines keep them.
        return f"to_json(named_struct({arguments}), map('ignoreNullFields', 'false'))"

    def row_hash(self, expressions: Sequence[str]) -> str:
        return f"cast(xxhash64({', '.join(expressions)}) as string)"

    def partition_of(self, expression: str, partitions: int) -> str:
        return f"pmod(xxhash64({expression}), {int(partitions)})"


# ----------------------------------------------------------------------------------------- connections


class WarehouseConnection(ABC):
    """Reading: column kinds of a relation, a streamed query, a small query."""

    dialect: Dialect

    @abstractmethod
    def column_kinds(self, relation: str) -> dict[str, str]:
        """Column name -> kind, in the relation's order."""

    @abstractmethod
    def stream(
        self, sql: str, chunk_rows: int, *, joins_as_written: bool = False
    ) -> Iterator[pa.RecordBatch]:
        """The query's rows in record batches of at most `chunk_rows` rows.

        `joins_as_written`: hash each join's right side, whatever the planner estimates (DuckDB; the other
        engines' hash joins spill to disk when their estimate is wrong). For queries written so that every
        right side is narrow and the wide side streams.
        """

    @abstractmethod
    def fetchall(
        self, sql: str, params: Sequence[Any] = (), *, joins_as_written: bool = False
    ) -> list[tuple[Any, ...]]: ...

    def close(self) -> None:  # noqa: B027 - optional
        pass


class StateConnection(WarehouseConnection):
    """Reading and writing, in transactions: where the sync state lives (DuckDB or PostgreSQL)."""

    #: The diff is computed in parts of about this many held records or consent rows (the two sides it hashes)
    #: where the engine cannot spill its hash tables within its memory; None: in one query.
    diff_partition_rows: int | None = None

    @abstractmethod
    def execute(self, sql: str, params: Sequence[Any] = ()) -> None: ...

    @abstractmethod
    @contextlib.contextmanager
    def transaction(self) -> Iterator[None]: ...

    @abstractmethod
    def insert_arrow(self, table: str, data: pa.Table) -> None:
        """Append an Arrow table to `table` (columns by name, in `data`'s order)."""

    @abstractmethod
    def reader(self) -> StateConnection:
        """A second connection to the same database, so a long streamed read can run beside commits."""

    @abstractmethod
    def lock_sync(self, sync_name: str) -> None:
        """Hold the sync for this process (released on close, or by the OS when the process dies)."""

    def release_committed(self) -> None:
        """Between two parts of the diff, with no read open: let go of the memory that committed writes (the
        journal) still hold, where the engine keeps them in memory (DuckDB, until a checkpoint)."""


def _duckdb_kind(type_name: str) -> str:
    upper = type_name.upper()
    if upper.startswith("TIMESTAMP WITH TIME ZONE") or upper == "TIMESTAMPTZ":
        return TIMESTAMP_TZ
    if upper.startswith("TIMESTAMP"):
        return TIMESTAMP
    if upper == "DATE":
        return DATE
    if upper == "BOOLEAN":
        return BOOLEAN
    if upper in ("TINYINT", "SMALLINT", "INTEGER", "BIGINT", "HUGEINT", "UTINYINT", "USMALLINT", "UINTEGER"):
        return INTEGER
    if upper.startswith(("DECIMAL", "DOUBLE", "FLOAT", "REAL", "NUMERIC", "UBIGINT")):
        return NUMBER
    if upper in ("VARCHAR", "TEXT", "STRING") or upper.startswith("VARCHAR"):
        return STRING
    return OTHER


DEFAULT_DUCKDB_MEMORY_LIMIT = "160MB"
# Committed writes past this much write-ahead log are checkpointed between two parts of the diff: DuckDB keeps
# them in memory until a checkpoint, and a first sync of 8 million members outgrew the memory limit at 3.85
# million. Each checkpoint took 0.3-0.7 s there (nine of them), once the first sync folded its journal as it
# went (before, each rewrote every journal blob written so far: 0.5, 1.3, then 2.4 s).
CHECKPOINT_WAL_BYTES = 64 << 20

# DuckDB's optimizer that swaps a hash join's sides to hash the one it estimates smaller. Its estimate of a
# segment view can be 25 times too small, so it hashed every member's mapped columns instead of the held keys.
_BUILD_SIDE_OPTIMIZER = "build_side_probe_side"
# `disabled_optimizers` is global to a DuckDB database instance: switched off only while a query is planned,
# one query at a time.
_PLANNING_LOCK = threading.Lock()


def _is_memory_limit(error: Exception) -> bool:
    """A DuckDB write (commit, checkpoint) that found the memory limit full."""
    return "failed to pin block" in str(error) or "Out of Memory" in str(error)


def _memory_limit_reached(error: Exception) -> StateStoreError:
    return StateStoreError(
        f"DuckDB reached its memory limit during the sync ({str(error).splitlines()[0]}); raise "
        f"CDP_ACTIVATION_DUCKDB_MEMORY_LIMIT (default {DEFAULT_DUCKDB_MEMORY_LIMIT})"
    )


class DuckDBConnection(StateConnection):
    dialect = DuckDBDialect()
    # At a 256MB limit the diff of 1,000,000 held records and consent rows passed; at 2,000,000 it ran out of
    # memory (its two hash tables are built side by side, and the journal's commits need blocks too). Parts
    # of 500,000 at the 160MB default: the re-sync of 8,000,000 members passes, peak RSS 498 MiB.
    diff_partition_rows = 500_000

    def __init__(self, database_path: Path, connection: Any | None = None) -> None:
        import duckdb

        self.database_path = database_path
        if connection is None:
            try:
                connection = duckdb.connect(str(database_path))
            except duckdb.IOException as error:
                raise StateStoreError(
                    f"Cannot open {database_path}: {error} (is dbt or another sync using it?)"
                ) from None
            # Commits after every acknowledged batch: the WAL takes them cheaply, a checkpoint per commit
            # would rewrite table blocks every time. A sync checkpoints between the diff's parts instead
            # (release_committed).
            connection.execute("set checkpoint_threshold = '1GB'")
            # Streaming diffs have no order to keep; letting DuckDB drop it bounds memory.
            connection.execute("set preserve_insertion_order = false")
            # DuckDB spills to disk beyond this. The diff hashes held keys and hashes and consent flags, never
            # a member's mapped columns (`joins_as_written`), in parts of diff_partition_rows; the journal's
            # writes share the limit. benchmarks/activation_sync.py, peak RSS of the first sync at 1, 4 and 8
            # million members (journal commits of 50,000 records): 488, 510 and 516 MiB at 160MB; 499-506, 558
            # and 539 MiB at 192MB, where the re-sync of 8 million took 24.0 s instead of 28.7 s. Before the
            # first sync folded as it went and the state was checkpointed between the diff's parts, 4 million
            # ran out of memory at 160MB (parts of 400,000) and 8 million at 192MB.
            limit = os.environ.get("CDP_ACTIVATION_DUCKDB_MEMORY_LIMIT", DEFAULT_DUCKDB_MEMORY_LIMIT)
            connection.execute(f"set memory_limit = '{limit.replace(chr(39), '')}'")
        self.connection = connection
        self._in_transaction = False

    def column_kinds(self, relation: str) -> dict[str, str]:
        rows = self.connection.execute(f"describe select * from {relation}").fetchall()
        return {name: _duckdb_kind(str(type_name)) for name, type_name, *_ in rows}

    @contextlib.contextmanager
    def _joins_as_written(self, enabled: bool) -> Iterator[None]:
        if not enabled:
            yield
            return
        with _PLANNING_LOCK, contextlib.closing(self.connection.cursor()) as setter:
            (previous,) = setter.execute("select current_setting('disabled_optimizers')").fetchone()
            disabled = ",".join(name for name in (previous, _BUILD_SIDE_OPTIMIZER) if name)
            setter.execute(f"set disabled_optimizers = '{disabled}'")
            try:
                yield
            finally:
                setter.execute(f"set disabled_optimizers = '{previous}'")

    def stream(
        self, sql: str, chunk_rows: int, *, joins_as_written: bool = False
    ) -> Iterator[pa.RecordBatch]:
        import duckdb

        try:
            # The query is planned when the reader starts; it then streams with that plan.
            with self._joins_as_written(joins_as_written):
                reader = self.connection.sql(sql).to_arrow_reader(chunk_rows)
            yield from reader
        except (duckdb.OutOfMemoryException, OSError) as error:
            # Once the reader streams, DuckDB's errors come through pyarrow, as OSError.
            if not isinstance(error, duckdb.OutOfMemoryException) and "Out of Memory" not in str(error):
                raise
            raise _memory_limit_reached(error) from None

    def fetchall(
        self, sql: str, params: Sequence[Any] = (), *, joins_as_written: bool = False
    ) -> list[tuple[Any, ...]]:
        with self._joins_as_written(joins_as_written):
            result = self.connection.execute(sql, list(params))
        return result.fetchall()

    def execute(self, sql: str, params: Sequence[Any] = ()) -> None:
        self.connection.execute(sql, list(params))

    @contextlib.contextmanager
    def transaction(self) -> Iterator[None]:
        import duckdb

        if self._in_transaction:
            yield
            return
        self.connection.execute("begin transaction")
        self._in_transaction = True
        try:
            yield
        except BaseException:
            self.connection.execute("rollback")
            raise
        else:
            try:
                self.connection.execute("commit")
            except duckdb.TransactionException as error:
                # Committed writes stay in memory until a checkpoint (past checkpoint_threshold, set above):
                # a run that commits long enough between checkpoints fills the memory limit (a first sync of
                # 8 million members did at 192MB, before release_committed).
                # The failed commit rolled the transaction back: nothing is lost.
                if not _is_memory_limit(error):
                    raise
                raise _memory_limit_reached(error) from None
        finally:
            self._in_transaction = False

    def insert_arrow(self, table: str, data: pa.Table) -> None:
        if data.num_rows == 0:
            return
        view = f"arrow_rows_{threading.get_ident()}"
        self.connection.register(view, data)
        try:
            columns = ", ".join(self.dialect.quote(name) for name in data.column_names)
            self.connection.execute(f"insert into {table} ({columns}) select {columns} from {view}")
        finally:
            self.connection.unregister(view)

    def reader(self) -> StateConnection:
        return DuckDBConnection(self.database_path, self.connection.cursor())

    def lock_sync(self, sync_name: str) -> None:
        # DuckDB admits one writing process per database file: holding the file is holding every sync.
        return

    def release_committed(self) -> None:
        wal = self.database_path.with_name(self.database_path.name + ".wal")
        try:
            size = wal.stat().st_size
        except FileNotFoundError:
            return
        if size < CHECKPOINT_WAL_BYTES:
            return
        import duckdb

        try:
            # FORCE: waits for the commits of other threads instead of failing beside them.
            self.connection.execute("force checkpoint")
        except duckdb.Error as error:
            if not _is_memory_limit(error):
                raise
            raise _memory_limit_reached(error) from None

    def close(self) -> None:
        # The connection, or the reader's cursor on the shared one.
        self.connection.close()


_POSTGRES_KINDS = {
    16: BOOLEAN,
    20: INTEGER,
    21: INTEGER,
    23: INTEGER,
    700: NUMBER,
    701: NUMBER,
    1700: NUMBER,
    1082: DATE,
    1114: TIMESTAMP,
    1184: TIMESTAMP_TZ,
    25: STRING,
    1043: STRING,
    1042: STRING,
}


class PostgresConnection(StateConnection):
    dialect = PostgresDialect()

    def __init__(self, settings: dict[str, Any]) -> None:
        import psycopg2

        self.settings = settings
        try:
            self.connection = psycopg2.connect(**settings)
        except psycopg2.OperationalError as error:
            where = f"{settings.get('host')}:{settings.get('port')}/{settings.get('dbname')}"
            raise StateStoreError(f"Cannot connect to PostgreSQL at {where}: {str(error).strip()}") from None
        self.connection.autocommit = True
        self._in_transaction = False
        self._stream_count = 0

    @staticmethod
    def _convert(sql: str) -> str:
        return sql.replace("%", "%%").replace("?", "%s")

    def column_kinds(self, relation: str) -> dict[str, str]:
        with self.connection.cursor() as cursor:
            cursor.execute(f"select * from {relation} limit 0")
            return {
                column.name: _POSTGRES_KINDS.get(column.type_code, OTHER) for column in cursor.description
            }

    def stream(
        self, sql: str, chunk_rows: int, *, joins_as_written: bool = False
    ) -> Iterator[pa.RecordBatch]:
        # A server-side cursor needs a transaction; this connection is the reader, so it has its own.
        self._stream_count += 1
        self.connection.autocommit = False
        try:
            with self.connection.cursor(name=f"activation_stream_{self._stream_count}") as cursor:
                cursor.itersize = chunk_rows
                cursor.execute(sql)
                names: list[str] | None = None
                while True:
                    rows = cursor.fetchmany(chunk_rows)
                    if names is None and cursor.description is not None:
                        names = [column.name for column in cursor.description]
                    if not rows:
                        break
                    assert names is not None
                    yield _rows_to_batch(rows, names)
            self.connection.commit()
        finally:
            if not self.connection.closed:
                self.connection.rollback()
                self.connection.autocommit = True

    def fetchall(
        self, sql: str, params: Sequence[Any] = (), *, joins_as_written: bool = False
    ) -> list[tuple[Any, ...]]:
        with self.connection.cursor() as cursor:
            cursor.execute(self._convert(sql), tuple(params))
            return cursor.fetchall() if cursor.description is not None else []

    def execute(self, sql: str, params: Sequence[Any] = ()) -> None:
        with self.connection.cursor() as cursor:
            cursor.execute(self._convert(sql), tuple(params))

    @contextlib.contextmanager
    def transaction(self) -> Iterator[None]:
        if self._in_transaction:
            yield
            return
        self.connection.autocommit = False
        self._in_transaction = True
        try:
            yield
        except BaseException:
            self.connection.rollback()
            raise
        else:
            self.connection.commit()
        finally:
            self._in_transaction = False
            self.connection.autocommit = True

    def insert_arrow(self, table: str, data: pa.Table) -> None:
        if data.num_rows == 0:
            return
        buffer = io.BytesIO()
        pa_csv.write_csv(data, buffer, pa_csv.WriteOptions(include_header=False, quoting_style="needed"))
        columns = ", ".join(self.dialect.quote(name) for name in data.column_names)
        buffer.seek(0)
        with self.connection.cursor() as cursor:
            # Arrow writes nulls as empty fields and empty strings as "": FORCE_NULL keeps them apart.
            force_null = ", ".join(self.dialect.quote(name) for name in data.column_names)
            cursor.copy_expert(
                f"copy {table} ({columns}) from stdin with (format csv, force_null ({force_null}))", buffer
            )

    def reader(self) -> StateConnection:
        return PostgresConnection(self.settings)

    def lock_sync(self, sync_name: str) -> None:
        (locked,) = self.fetchall("select pg_try_advisory_lock(hashtext(?))", [f"activation:{sync_name}"])[0]
        if not locked:
            raise StateStoreError(
                f"Sync {sync_name!r} is running in another process; try again when it ends."
            )

    def close(self) -> None:
        if not self.connection.closed:
            self.connection.close()


def _spark_kind(type_name: str) -> str:
    lowered = type_name.lower()
    if lowered.startswith("timestamp"):
        return TIMESTAMP
    if lowered == "date":
        return DATE
    if lowered == "boolean":
        return BOOLEAN
    if lowered in ("tinyint", "smallint", "int", "bigint", "byte", "short", "integer", "long"):
        return INTEGER
    if lowered.startswith(("decimal", "double", "float")):
        return NUMBER
    if lowered in ("string",) or lowered.startswith(("varchar", "char")):
        return STRING
    return OTHER


class SparkConnection(WarehouseConnection):
    """Reading only: a local Spark session built from the profile's server-side parameters."""

    dialect = SparkDialect()

    def __init__(self, server_side_parameters: dict[str, str]) -> None:
        try:
            from pyspark.sql import SparkSession
        except ImportError:
            raise ConfigurationError("The spark target needs pyspark installed.") from None
        builder = SparkSession.builder.appName("activation")
        for key, value in server_side_parameters.items():
            builder = builder.config(key, value)
        self.session = builder.enableHiveSupport().getOrCreate()

    def column_kinds(self, relation: str) -> dict[str, str]:
        schema = self.session.sql(f"select * from {relation} limit 0").schema
        return {item.name: _spark_kind(item.dataType.simpleString()) for item in schema.fields}

    def stream(
        self, sql: str, chunk_rows: int, *, joins_as_written: bool = False
    ) -> Iterator[pa.RecordBatch]:
        frame = self.session.sql(sql)
        names = frame.columns
        rows: list[Any] = []
        for row in frame.toLocalIterator(prefetchPartitions=True):
            rows.append(row)
            if len(rows) >= chunk_rows:
                yield _rows_to_batch(rows, names)
                rows = []
        if rows:
            yield _rows_to_batch(rows, names)

    def fetchall(
        self, sql: str, params: Sequence[Any] = (), *, joins_as_written: bool = False
    ) -> list[tuple[Any, ...]]:
        if params:
            raise NotImplementedError("Spark queries take no parameters here")
        return [tuple(row) for row in self.session.sql(sql).collect()]

    def close(self) -> None:
        self.session.stop()


def _rows_to_batch(rows: Sequence[Any], names: list[str]) -> pa.RecordBatch:
    """Rows of a DB-API cursor as a record batch; a column of nulls only is typed string (the text columns of
    a diff, e.g. the identifiers of a chunk of removals that keep none), not Arrow's null type."""
    columns = list(zip(*rows, strict=True))
    arrays = []
    for values in columns:
        array = pa.array(list(values))
        arrays.append(array.cast(pa.string()) if pa.types.is_null(array.type) else array)
    return pa.RecordBatch.from_arrays(arrays, names=names)


def duckdb_path(profile: Profile) -> Path:
    raw = str(profile.credentials.get("path") or "")
    if not raw or raw == ":memory:":
        raise ConfigurationError(
            f"Target {profile.target!r}: activation needs a DuckDB file, not {raw or 'none'}"
        )
    path = Path(raw)
    return path if path.is_absolute() else profile.project_dir / path


def postgres_settings(profile: Profile) -> dict[str, Any]:
    credentials = profile.credentials
    return {
        "host": credentials.get("host"),
        "port": credentials.get("port"),
        "user": credentials.get("user"),
        "password": credentials.get("password") or credentials.get("pass") or "",
        "dbname": credentials.get("dbname") or credentials.get("database"),
        "connect_timeout": credentials.get("connect_timeout") or 10,
    }


def connect_state(profile: Profile) -> StateConnection:
    if profile.adapter_type == "duckdb":
        return DuckDBConnection(duckdb_path(profile))
    if profile.adapter_type == "postgres":
        return PostgresConnection(postgres_settings(profile))
    raise ConfigurationError(
        f"Target {profile.target!r} ({profile.adapter_type}) cannot hold sync state: it needs transactions. "
        f"Keep the state on a {' or '.join(STATE_ENGINES)} target with --state-target."
    )


def connect_source(
    profile: Profile, state: StateConnection, state_profile: Profile
) -> WarehouseConnection | None:
    """The connection to read segments from; None when it is the state connection itself (same target)."""
    if profile.target == state_profile.target:
        return None
    if profile.adapter_type == "spark":
        return SparkConnection(dict(profile.credentials.get("server_side_parameters") or {}))
    if profile.adapter_type == "duckdb":
        import duckdb

        return DuckDBConnection(
            duckdb_path(profile), duckdb.connect(str(duckdb_path(profile)), read_only=True)
        )
    if profile.adapter_type == "postgres":
        return PostgresConnection(postgres_settings(profile))
    raise ConfigurationError(
        f"Target {profile.target!r}: reading from {profile.adapter_type} is not supported"
    )
