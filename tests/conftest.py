"""Shared fixtures: run dbt against a throwaway warehouse on each engine and query what it built.

Engines: DuckDB always; PostgreSQL when a server answers at CDP_PG_HOST/CDP_PG_PORT (`.ci/run` starts one);
Spark when Java and pyspark are present. Outside CI a missing engine skips its tests; with CI=true it fails
them, so CI can never pass without having run all three.
"""

from __future__ import annotations

import atexit
import hashlib
import json
import os
import shutil
import subprocess
import sys
import uuid
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import pytest

PROJECT_DIR = Path(__file__).resolve().parent.parent
DBT_EXECUTABLE = str(Path(sys.executable).parent / "dbt")
IN_CI = os.environ.get("CI", "").lower() in ("1", "true", "yes")


def skip_or_fail(reason: str) -> None:
    """Skip locally, fail in CI: a CI run must exercise every engine."""
    if IN_CI:
        pytest.fail(f"CI requires this engine: {reason}")
    pytest.skip(reason)


ENGINE_ORDER = ("spark", "duckdb", "postgres")


def _engine_of(item: pytest.Item) -> str | None:
    """The engine whose session fixtures a test uses: a parameter value, or a fixture named after one."""
    callspec = getattr(item, "callspec", None)
    values = {value for value in callspec.params.values() if isinstance(value, str)} if callspec else set()
    fixtures = " ".join(getattr(item, "fixturenames", ()))
    for engine in ENGINE_ORDER:
        if engine in values or engine in fixtures:
            return engine
    return None


# Seconds each unit of work took in a CI run (`--durations=0`, 2026-11-30): units go out longest first, so
# the short ones fill the end of both workers' runs instead of one worker finishing minutes after the other.
# Only the order matters; a unit not listed counts as short.
UNIT_SECONDS = {
    "spark": 360,
    "duckdb": 224,
    "duckdb:tests/activation": 198,
    "postgres": 102,
    "tests/test_sql_lint.py": 83,
    "shared:generated": 29,
    "tests/test_identity.py": 24,
    "postgres:tests/activation": 25,
    "tests/test_staging_build.py": 9,
    "postgres:tests/test_connected_components.py": 5,
    "duckdb:tests/test_connected_components.py": 4,
}


def _unit_of(item: pytest.Item, engine: str | None) -> str:
    shared = item.get_closest_marker("shared_build")
    if shared is not None:
        return f"shared:{shared.args[0]}"
    module = item.nodeid.split("::", 1)[0]
    if engine is None:
        return module
    if "sample_warehouse" in item.fixturenames or engine == "spark":
        return engine  # Spark: one unit, so its warehouses share the worker's Spark process
    if item.get_closest_marker("own_warehouse"):
        return f"{engine}:{module}"
    return f"{engine}:{module.rsplit('/', 1)[0]}"  # a package's own session build (tests/activation)


@pytest.hookimpl(tryfirst=True)  # pytest-xdist reads the groups in its own hook, registered after conftests
def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Under pytest-xdist (`--dist loadgroup --no-loadscope-reorder`, as run.py runs the suite), each
    engine's tests form one unit of work, so its session fixtures (a whole-project build) start once.
    Only tests of the shared sample build are the engine's unit; a package with its own session build on an
    engine (tests/activation) and a module marked `own_warehouse` (its own module-scoped warehouses) are units
    of their own, so they run beside the sample build instead of lengthening it, except on Spark, where every
    test is in the engine's unit (the worker's one Spark process serves all its Spark warehouses); tests
    marked `shared_build(name)` form one unit whatever their module (their session build starts once); other
    engine-free tests form one unit per module (for module-scoped fixtures). Units go out longest first
    (UNIT_SECONDS), in the order of the collection, to whichever worker is free; within a unit, the tests
    keep their collection order."""
    units = {id(item): _unit_of(item, _engine_of(item)) for item in items}
    position = {id(item): index for index, item in enumerate(items)}
    items.sort(key=lambda item: (-UNIT_SECONDS.get(units[id(item)], 0), position[id(item)]))
    for item in items:
        item.add_marker(pytest.mark.xdist_group(units[id(item)]))


@dataclass
class Warehouse:
    """One throwaway warehouse on one engine: the env to run dbt against it and a way to query it."""

    target: str
    env: dict[str, str]
    schema: str
    query: Callable[[str], list[tuple]] = field(repr=False)
    #: Runs writing statements in order, in one connection (DuckDB's `query` connection is read-only); by
    #: default each through `query`.
    write: Callable[[Sequence[str]], None] | None = field(default=None, repr=False)
    #: Frees what the warehouse holds that another process would need (Spark's single-session metastore).
    release: Callable[[], None] = field(default=lambda: None, repr=False)
    #: Runs a dbt command line (arguments after `dbt`) with an environment; by default in the pytest worker's
    #: long-lived dbt process (DbtProcess), which serves every DuckDB and PostgreSQL warehouse of the worker.
    run_dbt: Callable[[list[str], dict[str, str]], subprocess.CompletedProcess[str]] | None = field(
        default=None, repr=False
    )

    @property
    def raw_schema(self) -> str:
        return f"{self.schema}_raw"

    @property
    def staging_schema(self) -> str:
        return f"{self.schema}_staging"

    def target_path(self, *args: str) -> Path:
        """Where dbt writes its artifacts for a command. dbt parses the whole project again (about 20 s)
        whenever the vars differ from those of the last parse it kept: a command with vars gets a target
        directory of its own, so the commands after it, with the default vars, keep reusing theirs."""
        default = Path(self.env["DBT_TARGET_PATH"])
        if "--vars" not in args:
            return default
        dbt_vars = args[args.index("--vars") + 1]
        return default.with_name(f"{default.name}-vars-{hashlib.sha1(dbt_vars.encode()).hexdigest()[:12]}")

    def dbt(
        self, *args: str, check: bool = True, project_dir: Path | None = None
    ) -> subprocess.CompletedProcess[str]:
        """Run a dbt command against this warehouse (the main project unless `project_dir` names another);
        on failure show dbt's output in the assertion."""
        command = [*args, "--target", self.target]
        if "--vars" in args:
            command += ["--target-path", str(self.target_path(*args))]
        if project_dir is not None:
            command += ["--project-dir", str(project_dir)]
        run_dbt = self.run_dbt or shared_dbt_process().dbt
        completed = run_dbt(command, self.env)
        if check and completed.returncode != 0:
            pytest.fail(f"dbt {' '.join(args)} failed on {self.target}:\n{completed.stdout[-20000:]}")
        return completed

    def execute(self, *statements: str) -> None:
        """Write to the warehouse: the statements in order."""
        if self.write is not None:
            self.write(statements)
            return
        for statement in statements:
            self.query(statement)

    def count(self, schema: str, table: str) -> int:
        return int(self.query(f"select count(*) from {schema}.{table}")[0][0])


def base_env(scratch: Path) -> dict[str, str]:
    env = dict(os.environ)
    env.update(
        DBT_PROFILES_DIR=str(PROJECT_DIR),
        DBT_TARGET_PATH=str(scratch / "target"),
        DBT_LOG_PATH=str(scratch / "logs"),
        DBT_SEND_ANONYMOUS_USAGE_STATS="false",
        DBT_USE_COLORS="false",
    )
    return env


def make_duckdb_warehouse(scratch: Path) -> Warehouse:
    import duckdb

    database_path = scratch / "cdp.duckdb"
    env = base_env(scratch) | {"CDP_DUCKDB_PATH": str(database_path)}

    def query(sql: str) -> list[tuple]:
        with duckdb.connect(str(database_path), read_only=True) as connection:
            return connection.execute(sql).fetchall()

    def write(statements: Sequence[str]) -> None:
        with duckdb.connect(str(database_path)) as connection:
            for statement in statements:
                connection.execute(statement)

    return Warehouse(target="duckdb", env=env, schema="main", query=query, write=write)


def make_postgres_warehouse(scratch: Path) -> Warehouse:
    import psycopg2

    settings = {
        "host": os.environ.get("CDP_PG_HOST", "127.0.0.1"),
        "port": int(os.environ.get("CDP_PG_PORT", "5432")),
        "user": os.environ.get("CDP_PG_USER", "postgres"),
        "password": os.environ.get("CDP_PG_PASSWORD", ""),
        "dbname": os.environ.get("CDP_PG_DATABASE", "cdp"),
    }
    try:
        psycopg2.connect(connect_timeout=3, **settings).close()
    except psycopg2.OperationalError as error:
        skip_or_fail(f"no PostgreSQL at {settings['host']}:{settings['port']} ({error}); run .ci/run")
    schema = f"cdp_test_{uuid.uuid4().hex[:8]}"
    env = base_env(scratch) | {"CDP_PG_SCHEMA": schema}

    def query(sql: str) -> list[tuple]:
        with psycopg2.connect(**settings) as connection, connection.cursor() as cursor:
            cursor.execute(sql)
            return cursor.fetchall() if cursor.description is not None else []

    return Warehouse(target="postgres", env=env, schema=schema, query=query)


DBT_SERVER = r"""
import contextlib, io, json, os, sys, traceback
from dbt.cli.main import dbtRunner

# Answers go through a copy of stdout; the real fd 1 joins stderr, so nothing the JVM prints can garble them.
answers = os.fdopen(os.dup(1), "w")
os.dup2(2, 1)


def release_duckdb():
    # dbt-duckdb keeps its database open in a class attribute between invocations of one process: close it,
    # so that the tests (another process) can open the file, and the next command opens it afresh.
    manager = sys.modules.get("dbt.adapters.duckdb.connections")
    if manager is None or manager.DuckDBConnectionManager._ENV is None:
        return
    environment, manager.DuckDBConnectionManager._ENV = manager.DuckDBConnectionManager._ENV, None
    environment.close()


def dbt(args, env):
    os.environ.clear()
    os.environ.update(env)
    output = io.StringIO()
    with contextlib.redirect_stdout(output), contextlib.redirect_stderr(output):
        try:
            result = dbtRunner().invoke(args)
            returncode = 0 if result.success else 2 if result.exception is not None else 1
            if result.exception is not None:
                output.write(f"\n{result.exception}\n")
        except BaseException:
            returncode = 2
            output.write(traceback.format_exc())
        finally:
            release_duckdb()
    return {"returncode": returncode, "stdout": output.getvalue()}


def query(sql):
    from pyspark.sql import SparkSession

    if getattr(SparkSession, "_instantiatedSession", None) is None:
        # The session dbt would open (the profile's settings): dbt's later runs then reuse it.
        opened = dbt(["debug", "--connection", "--target", "spark"], dict(os.environ))
        if opened["returncode"] != 0:
            raise RuntimeError("could not open the profile's Spark session:\n" + opened["stdout"][-3000:])
    return [list(row) for row in SparkSession.builder.getOrCreate().sql(sql).collect()]


for line in sys.stdin:
    request = json.loads(line)
    try:
        if "dbt" in request:
            answer = "DBT=" + json.dumps(dbt(request["dbt"], request["env"]))
        else:
            answer = "ROWS=" + json.dumps(query(request["sql"]), default=str)
    except Exception as error:
        answer = "ERROR=" + json.dumps(str(error)[-5000:])
    answers.write(answer + "\n")
    answers.flush()
"""


class DbtProcess:
    """A child process that runs dbt commands in-process (dbtRunner), one request per line, each with its own
    environment, and, for Spark, queries on the session dbt opened.

    Starting dbt costs about 2.5 CPU-seconds of imports per command, which a suite of some fifty commands paid
    each time in a process of its own; here a pytest worker pays it once for all its DuckDB and PostgreSQL
    warehouses (shared_dbt_process). Spark warehouses share a second one (make_spark_warehouse): a JVM and the
    metastore take tens of seconds to start on 2 cores, and the embedded metastore admits one session at a
    time, so one process serving both dbt and the queries keeps a single session for the worker's whole run.
    `release` stops the process, for code that needs the metastore from another process.
    """

    def __init__(self, env: dict[str, str]) -> None:
        self.env = env  # the process's own; each dbt command brings its environment
        self.process: subprocess.Popen[str] | None = None

    def _ask(self, request: dict[str, object]) -> tuple[str, object]:
        if self.process is None or self.process.poll() is not None:
            self.process = subprocess.Popen(
                [sys.executable, "-c", DBT_SERVER],
                stdin=subprocess.PIPE,
                stdout=subprocess.PIPE,
                stderr=subprocess.DEVNULL,
                text=True,
                cwd=PROJECT_DIR,
                env=self.env,
            )
        assert self.process.stdin is not None and self.process.stdout is not None
        self.process.stdin.write(json.dumps(request) + "\n")
        self.process.stdin.flush()
        line = self.process.stdout.readline()
        if not line:
            code = self.process.wait()
            raise AssertionError(f"the dbt process exited (code {code}) on {request.get('dbt') or request}")
        kind, _, body = line.partition("=")
        return kind, json.loads(body)

    def query(self, sql: str) -> list[tuple]:
        kind, answer = self._ask({"sql": sql})
        if kind != "ROWS":
            raise AssertionError(f"Spark query failed: {sql}\n{answer}")
        assert isinstance(answer, list)
        return [tuple(row) for row in answer]

    def dbt(self, args: list[str], env: dict[str, str]) -> subprocess.CompletedProcess[str]:
        kind, answer = self._ask({"dbt": args, "env": env})
        if kind != "DBT" or not isinstance(answer, dict):
            raise AssertionError(f"dbt {' '.join(args)} could not run in the dbt process: {answer}")
        return subprocess.CompletedProcess(["dbt", *args], answer["returncode"], answer["stdout"], "")

    def release(self) -> None:
        if self.process is not None and self.process.poll() is None:
            assert self.process.stdin is not None
            self.process.stdin.close()
            try:
                self.process.wait(timeout=60)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        self.process = None


_WORKER_PROCESSES: dict[str, DbtProcess] = {}


def worker_process(kind: str, env: dict[str, str]) -> DbtProcess:
    """This pytest worker's dbt process of one kind ("dbt" for DuckDB and PostgreSQL, "spark"), started on
    first use with `env` as the process's own environment."""
    if kind not in _WORKER_PROCESSES:
        process = DbtProcess(env)
        atexit.register(process.release)
        _WORKER_PROCESSES[kind] = process
    return _WORKER_PROCESSES[kind]


def shared_dbt_process() -> DbtProcess:
    """This pytest worker's dbt process for DuckDB and PostgreSQL warehouses."""
    return worker_process("dbt", dict(os.environ))


def make_spark_warehouse(scratch: Path) -> Warehouse:
    """A Spark warehouse on this pytest worker's one Spark process (all Spark tests are one unit of work, see
    _unit_of): a later warehouse gets a schema of its own in the same session and metastore, and so skips the
    JVM's start and its JIT warm-up, which cost about as much CPU as a small project's build."""
    if shutil.which("java") is None:
        skip_or_fail("no Java runtime for Spark")
    try:
        import pyspark  # noqa: F401
    except ImportError:
        skip_or_fail("pyspark is not installed")
    schema = "cdp" if "spark" not in _WORKER_PROCESSES else f"cdp_{uuid.uuid4().hex[:8]}"
    process = worker_process("spark", base_env(scratch) | {"CDP_SPARK_DIR": str(scratch / "spark")})
    env = base_env(scratch) | {"CDP_SPARK_DIR": process.env["CDP_SPARK_DIR"], "CDP_SPARK_SCHEMA": schema}
    return Warehouse(
        target="spark",
        env=env,
        schema=schema,
        query=process.query,
        release=process.release,
        run_dbt=process.dbt,
    )


WAREHOUSE_FACTORIES = {
    "duckdb": make_duckdb_warehouse,
    "postgres": make_postgres_warehouse,
    "spark": make_spark_warehouse,
}


@pytest.fixture(scope="session", params=list(WAREHOUSE_FACTORIES))
def sample_warehouse(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Warehouse]:
    """Each engine with the committed sample seeded and the whole project built, tests included."""
    target = request.param
    warehouse = WAREHOUSE_FACTORIES[target](tmp_path_factory.mktemp(f"sample-{target}"))
    warehouse.dbt("seed", "--full-refresh")
    excluded = ["resource_type:seed"]
    if target == "spark" and os.environ.get("CDP_SPARK_UNIT_TESTS", "") != "1":
        # Catalyst spends 10-20 s planning each unit test's fixture query on 2 cores (the staging models are
        # wide); CI's time budget runs them on DuckDB and PostgreSQL. CDP_SPARK_UNIT_TESTS=1 adds them.
        excluded.append("test_type:unit")
    warehouse.dbt("build", "--exclude", *excluded)
    yield warehouse
    if target == "postgres":
        drop_postgres_schemas(warehouse)


@dataclass
class GeneratedWarehouse:
    warehouse: Warehouse
    #: Raw table -> rows the generator wrote to it.
    raw_counts: dict[str, int]


@pytest.fixture(scope="session")
def generated_warehouse(tmp_path_factory: pytest.TempPathFactory) -> GeneratedWarehouse:
    """Data other than the committed sample (3,000 people, another seed, no deliberate splits, so identity
    weights learnt from the data are not tuned to the sample) in DuckDB, every staging model and the identity
    layer built with their tests. Its tests carry `@pytest.mark.shared_build("generated")`: one unit of work,
    one build."""
    from activation.datagen import load_into_duckdb, make_config, write_dataset
    from activation.datagen.config import PresenceRates

    scratch = tmp_path_factory.mktemp("generated")
    warehouse = make_duckdb_warehouse(scratch)
    config = make_config(3000, 11, presence=PresenceRates(split_cluster=0.0))
    write_dataset(scratch / "raw", config, fmt="parquet")
    raw_counts = load_into_duckdb(scratch / "raw", warehouse.env["CDP_DUCKDB_PATH"], "generated_raw")
    warehouse.dbt(
        "build",
        "--select",
        "path:models/staging",
        "+identity_resolution_quality",
        # Only the tests of the selected models (eager selection adds relationship tests of unselected ones).
        "--indirect-selection",
        "cautious",
        "--vars",
        "{cdp_raw_schema: generated_raw, cdp_load_sample_data: false}",
    )
    return GeneratedWarehouse(warehouse, raw_counts)


def drop_postgres_schemas(warehouse: Warehouse) -> None:
    """Leave the shared server as we found it: every schema this warehouse created goes."""
    schemas = warehouse.query(
        f"select schema_name from information_schema.schemata where schema_name like '{warehouse.schema}%'"
    )
    for (schema,) in schemas:
        warehouse.query(f'drop schema if exists "{schema}" cascade')
