"""Fixtures of the activation tests: the fixture dbt project built once per engine, fake destinations.

The fixture project (tests/activation/project) is seeded and built once per session and engine, and parsed
with
the fake servers' URLs (exposures render env_var() at parse time). Every test then gets the warehouse in its
pristine state: DuckDB from a copy of the built file, PostgreSQL by restoring the seeded table from a copy and
dropping the state schema.
"""

from __future__ import annotations

import contextlib
import dataclasses
import os
import shutil
import subprocess
import sys
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

from activation.syncs.config import SyncCatalog, SyncConfig, load_catalog
from activation.syncs.engine import SyncResult
from tests.activation.fakes.brevo import API_KEY as BREVO_API_KEY
from tests.activation.fakes.brevo import FakeBrevo
from tests.activation.fakes.google_ads import ACCESS_TOKEN as GOOGLE_ADS_ACCESS_TOKEN
from tests.activation.fakes.google_ads import DEVELOPER_TOKEN as GOOGLE_ADS_DEVELOPER_TOKEN
from tests.activation.fakes.google_ads import FakeGoogleAds
from tests.activation.fakes.hubspot import TOKEN as HUBSPOT_TOKEN
from tests.activation.fakes.hubspot import FakeHubSpot
from tests.activation.fakes.klaviyo import API_KEY as KLAVIYO_API_KEY
from tests.activation.fakes.klaviyo import FakeKlaviyo
from tests.activation.fakes.linkedin import TOKEN as LINKEDIN_TOKEN
from tests.activation.fakes.linkedin import FakeLinkedIn
from tests.activation.fakes.mailchimp import API_KEY as MAILCHIMP_API_KEY
from tests.activation.fakes.mailchimp import FakeMailchimp
from tests.activation.fakes.meta import APP_SECRET, TOKEN, FakeMetaGraph
from tests.activation.fakes.salesforce import TOKEN as SALESFORCE_TOKEN
from tests.activation.fakes.salesforce import FakeSalesforce
from tests.activation.fakes.tiktok import TOKEN as TIKTOK_TOKEN
from tests.activation.fakes.tiktok import FakeTikTok
from tests.activation.fakes.webhook import SECRET, FakeWebhookReceiver
from tests.conftest import DBT_EXECUTABLE, PROJECT_DIR, base_env, skip_or_fail

FIXTURE_PROJECT = Path(__file__).resolve().parent / "project"
SECRETS = {
    "FIXTURE_WEBHOOK_SECRET": SECRET,
    "FIXTURE_META_TOKEN": TOKEN,
    "FIXTURE_META_APP_SECRET": APP_SECRET,
    "FIXTURE_HUBSPOT_TOKEN": HUBSPOT_TOKEN,
    "FIXTURE_SALESFORCE_TOKEN": SALESFORCE_TOKEN,
    "FIXTURE_GOOGLE_ADS_ACCESS_TOKEN": GOOGLE_ADS_ACCESS_TOKEN,
    "FIXTURE_GOOGLE_ADS_DEVELOPER_TOKEN": GOOGLE_ADS_DEVELOPER_TOKEN,
    "FIXTURE_TIKTOK_TOKEN": TIKTOK_TOKEN,
    "FIXTURE_MAILCHIMP_API_KEY": MAILCHIMP_API_KEY,
    "FIXTURE_BREVO_API_KEY": BREVO_API_KEY,
    "FIXTURE_KLAVIYO_API_KEY": KLAVIYO_API_KEY,
    "FIXTURE_LINKEDIN_TOKEN": LINKEDIN_TOKEN,
}


@dataclass
class Fakes:
    """One fake server per destination platform; every field is a fake with `server` and `reset()`."""

    webhook: FakeWebhookReceiver = field(default_factory=FakeWebhookReceiver)
    meta: FakeMetaGraph = field(default_factory=FakeMetaGraph)
    hubspot: FakeHubSpot = field(default_factory=FakeHubSpot)
    salesforce: FakeSalesforce = field(default_factory=FakeSalesforce)
    google_ads: FakeGoogleAds = field(default_factory=FakeGoogleAds)
    tiktok: FakeTikTok = field(default_factory=FakeTikTok)
    mailchimp: FakeMailchimp = field(default_factory=FakeMailchimp)
    brevo: FakeBrevo = field(default_factory=FakeBrevo)
    klaviyo: FakeKlaviyo = field(default_factory=FakeKlaviyo)
    linkedin: FakeLinkedIn = field(default_factory=FakeLinkedIn)

    def all(self) -> list[Any]:
        return [getattr(self, item.name) for item in dataclasses.fields(self)]

    def reset(self) -> None:
        for fake in self.all():
            fake.reset()


@pytest.fixture(scope="session")
def fakes() -> Iterator[Fakes]:
    servers = Fakes()
    with contextlib.ExitStack() as stack:
        for fake in servers.all():
            stack.enter_context(fake.server)
        yield servers


@dataclass
class BuiltFixture:
    """The fixture project built on one engine (session scope)."""

    target: str
    directory: Path
    env: dict[str, str]
    manifest: Path
    schema: str

    @property
    def project_dir(self) -> Path:
        return self.directory / "project"

    def dbt(self, *args: str, env: dict[str, str] | None = None) -> None:
        completed = subprocess.run(
            [DBT_EXECUTABLE, *args, "--target", self.target, "--project-dir", str(self.project_dir)],
            env=env or self.env,
            capture_output=True,
            text=True,
        )
        if completed.returncode != 0:
            pytest.fail(f"dbt {' '.join(args)} failed on {self.target}:\n{completed.stdout[-8000:]}")


def _build(
    target: str, directory: Path, fakes: Fakes, extra_env: dict[str, str], schema: str
) -> BuiltFixture:
    shutil.copytree(FIXTURE_PROJECT, directory / "project")
    env = base_env(directory) | extra_env
    env.update(
        DBT_PROFILES_DIR=str(PROJECT_DIR),
        FIXTURE_WEBHOOK_URL=fakes.webhook.url,
        FIXTURE_META_URL=fakes.meta.url,
        FIXTURE_HUBSPOT_URL=fakes.hubspot.url,
        FIXTURE_SALESFORCE_URL=fakes.salesforce.url,
        FIXTURE_GOOGLE_ADS_URL=fakes.google_ads.url,
        FIXTURE_TIKTOK_URL=fakes.tiktok.url,
        FIXTURE_MAILCHIMP_URL=fakes.mailchimp.url,
        FIXTURE_BREVO_URL=fakes.brevo.url,
        FIXTURE_KLAVIYO_URL=fakes.klaviyo.url,
        FIXTURE_LINKEDIN_URL=fakes.linkedin.url,
        FIXTURE_FILES_DIR=str(directory / "files"),
    )
    built = BuiltFixture(target, directory, env, directory / "target" / "manifest.json", schema)
    built.dbt("seed", "--full-refresh")
    built.dbt("run")
    return built


@pytest.fixture(scope="session")
def built_duckdb(tmp_path_factory: pytest.TempPathFactory, fakes: Fakes) -> BuiltFixture:
    directory = tmp_path_factory.mktemp("activation-duckdb")
    return _build("duckdb", directory, fakes, {"CDP_DUCKDB_PATH": str(directory / "fx.duckdb")}, "main")


@pytest.fixture(scope="session")
def built_postgres(tmp_path_factory: pytest.TempPathFactory, fakes: Fakes) -> Iterator[BuiltFixture]:
    import psycopg2

    settings = postgres_settings()
    try:
        psycopg2.connect(connect_timeout=3, **settings).close()
    except psycopg2.OperationalError as error:
        skip_or_fail(f"no PostgreSQL at {settings['host']}:{settings['port']} ({error}); run .ci/run")
    schema = f"act_{uuid.uuid4().hex[:8]}"
    directory = tmp_path_factory.mktemp("activation-postgres")
    built = _build("postgres", directory, fakes, {"CDP_PG_SCHEMA": schema}, schema)
    postgres_execute(
        f"create table {schema}.fixture_people_pristine as select * from {schema}.fixture_people"
    )
    yield built
    for suffix in ("", "_activation"):
        postgres_execute(f'drop schema if exists "{schema}{suffix}" cascade')


def postgres_settings() -> dict[str, Any]:
    return {
        "host": os.environ.get("CDP_PG_HOST", "127.0.0.1"),
        "port": int(os.environ.get("CDP_PG_PORT", "5432")),
        "user": os.environ.get("CDP_PG_USER", "postgres"),
        "password": os.environ.get("CDP_PG_PASSWORD", ""),
        "dbname": os.environ.get("CDP_PG_DATABASE", "cdp"),
    }


def postgres_execute(sql: str) -> list[tuple[Any, ...]]:
    import psycopg2

    with psycopg2.connect(**postgres_settings()) as connection, connection.cursor() as cursor:
        cursor.execute(sql)
        return cursor.fetchall() if cursor.description is not None else []


def has_an_identifier(columns: tuple[str, ...]) -> str:
    """SQL: the segment row has at least one of these identifier columns (else the engine never sends it)."""
    return "(" + " or ".join(f"segment.{column} is not null" for column in columns) + ")"


# The fixture segment's columns the tests compare with what destinations hold.
MEMBER_COLUMNS = (
    "customer_id",
    "email",
    "phone_e164",
    "first_name",
    "last_name",
    "birth_date",
    "gender",
    "city",
    "postal_code",
    "country_code",
    "lifetime_value",
)


@dataclass
class FixtureWarehouse:
    """One test's view of the fixture project: its warehouse, syncs, fakes, and ways to change the data."""

    built: BuiltFixture
    fakes: Fakes
    env: dict[str, str]
    files_dir: Path
    _catalog: SyncCatalog | None = field(default=None, repr=False)

    @property
    def target(self) -> str:
        return self.built.target

    @property
    def schema(self) -> str:
        return self.built.schema

    @property
    def state_schema(self) -> str:
        return f"{self.schema}_activation"

    def catalog(self) -> SyncCatalog:
        if self._catalog is None:
            if not self.built.manifest.exists():
                self.built.dbt("parse")
            self._catalog = load_catalog(self.built.project_dir, self.target, self.built.manifest)
        return self._catalog

    def sync_config(self, name: str, **overrides: Any) -> SyncConfig:
        config = self.catalog().syncs[name]
        return dataclasses.replace(config, **overrides) if overrides else config

    def sync(self, name: str, **overrides: Any) -> SyncResult:
        from activation.syncs.runner import run_syncs

        (result,) = run_syncs(self.built.project_dir, [self.sync_config(name, **overrides)], self.target)
        return result

    def query(self, sql: str) -> list[tuple[Any, ...]]:
        if self.target == "duckdb":
            import duckdb

            with duckdb.connect(self.env["CDP_DUCKDB_PATH"]) as connection:
                return connection.execute(sql).fetchall()
        return postgres_execute(sql)

    def execute(self, sql: str) -> None:
        self.query(sql)

    def table(self, name: str) -> str:
        return f"{self.schema}.{name}"

    def state(self, name: str) -> str:
        return f"{self.state_schema}.{name}"

    def dbt(self, *args: str) -> None:
        self.built.dbt(*args, env=self.env)

    def cli(self, *args: str, timeout: float = 300) -> subprocess.CompletedProcess[str]:
        """`python -m activation ...` on this warehouse, with the fixture's manifest where it applies."""
        command = [sys.executable, "-m", "activation", *args]
        if args and args[0] in ("sync", "plan"):
            command += ["--manifest", str(self.built.manifest)]
        if args and args[0] in ("sync", "plan", "status"):
            command += ["--target", self.target, "--project-dir", str(self.built.project_dir)]
        return subprocess.run(
            command, env=self.env, cwd=PROJECT_DIR, capture_output=True, text=True, timeout=timeout
        )

    def eligible_members(self, channel: str, identifiers: tuple[str, ...]) -> list[dict[str, Any]]:
        """Members the engine may send for a channel: not in the holdout, not erased, with consent and one of
        the sync's identifiers; as dicts of MEMBER_COLUMNS."""
        rows = self.query(
            f"""select {", ".join(f"segment.{column}" for column in MEMBER_COLUMNS)}
            from {self.table("seg_fixture_members")} as segment
            inner join {self.table("dim_customers")} as consent on segment.customer_id = consent.customer_id
            where not segment.is_holdout and not consent.is_erased and consent.has_{channel}_consent
                and {has_an_identifier(identifiers)}"""
        )
        return [dict(zip(MEMBER_COLUMNS, row, strict=True)) for row in rows]

    def eligible(
        self, channel: str = "email", identifiers: tuple[str, ...] = ("email", "phone_e164")
    ) -> dict[str, tuple[Any, ...]]:
        """customer_id -> (email, city) of the eligible members (the default: fixture_webhook's)."""
        return {
            row["customer_id"]: (row["email"], row["city"])
            for row in self.eligible_members(channel, identifiers)
        }


@pytest.fixture(params=["duckdb", "postgres"])
def warehouse(
    request: pytest.FixtureRequest, fakes: Fakes, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> FixtureWarehouse:
    """The fixture warehouse on each engine, pristine, with the fakes reset."""
    return _warehouse(request.param, request, fakes, tmp_path, monkeypatch)


@pytest.fixture
def duckdb_warehouse(
    request: pytest.FixtureRequest, fakes: Fakes, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> FixtureWarehouse:
    return _warehouse("duckdb", request, fakes, tmp_path, monkeypatch)


def _warehouse(
    target: str, request: pytest.FixtureRequest, fakes: Fakes, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> FixtureWarehouse:
    built: BuiltFixture = request.getfixturevalue(f"built_{target}")
    if not built.manifest.exists():
        built.dbt("parse")
    fakes.reset()
    env = dict(built.env)
    if target == "duckdb":
        database = tmp_path / "fx.duckdb"
        shutil.copyfile(built.directory / "fx.duckdb", database)
        env["CDP_DUCKDB_PATH"] = str(database)
    else:
        schema = built.schema
        postgres_execute(
            f'drop schema if exists "{schema}_activation" cascade; truncate {schema}.fixture_people; '
            f"insert into {schema}.fixture_people select * from {schema}.fixture_people_pristine"
        )
    files_dir = Path(built.env["FIXTURE_FILES_DIR"])
    shutil.rmtree(files_dir, ignore_errors=True)
    env.update(SECRETS)
    for key, value in env.items():
        monkeypatch.setenv(key, value)
    return FixtureWarehouse(built, fakes, env, files_dir)
