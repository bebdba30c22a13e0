"""The committed sample, seeded and built on every engine: nothing lost, every value explained.

`dbt build` itself runs the unit tests (hard standardisation cases) and data tests (keys, accepted values,
row counts against the source); these tests check what a person would check after a build.
"""

from __future__ import annotations

import csv
import json
import re
from collections import Counter
from dataclasses import dataclass

import pytest
import yaml

from tests.conftest import PROJECT_DIR, GeneratedWarehouse, Warehouse

STAGING_DIR = PROJECT_DIR / "models" / "staging"
SAMPLE_DIR = PROJECT_DIR / "seeds" / "sample"


def staging_models_with_sources() -> dict[str, str]:
    """Staging model -> raw table identifier, read from the models' SQL and the sources' YAML defaults."""
    identifiers: dict[tuple[str, str], str] = {}
    for sources_file in STAGING_DIR.glob("*/_*__sources.yml"):
        for source in yaml.safe_load(sources_file.read_text())["sources"]:
            for table in source["tables"]:
                default = re.search(r"'[^']+_identifier', '([^']+)'", table["identifier"]).group(1)
                identifiers[(source["name"], table["name"])] = default
    models = {}
    for model_file in STAGING_DIR.glob("*/stg_*.sql"):
        source_name, table_name = re.search(
            r"select_source_columns\('(\w+)', '(\w+)'\)", model_file.read_text()
        ).groups()
        models[model_file.stem] = identifiers[(source_name, table_name)]
    return models


def documented_columns() -> dict[str, list[str]]:
    columns = {}
    for models_file in STAGING_DIR.glob("*/_*__models.yml"):
        for model in yaml.safe_load(models_file.read_text())["models"]:
            columns[model["name"]] = [column["name"] for column in model["columns"]]
    return columns


def value_column_for_issue(issue_column: str, columns: list[str]) -> str:
    base = issue_column.removesuffix("_issue")
    for candidate in (base, f"{base}_e164", f"{base}_code"):
        if candidate in columns:
            return candidate
    raise AssertionError(f"no standardised column goes with {issue_column}")


def test_every_staging_model_has_a_source_and_documentation() -> None:
    models = staging_models_with_sources()
    assert len(models) == 14
    assert set(models) == set(documented_columns())


def blank_or_null_as_null(cell: str | None) -> str | None:
    """dbt reads a blank or `null` cell as null; dbt-duckdb copies the file and keeps `null` as text."""
    return None if cell is None or cell.strip().lower() in ("", "null") else cell


def test_raw_tables_hold_exactly_the_committed_sample_files(sample_warehouse: Warehouse) -> None:
    """Seeding loses, adds and alters nothing on any engine (Spark's session loads seeds with its own CSV
    reader): every raw table holds the rows of its file, a blank or `null` cell being null."""
    text = "string" if sample_warehouse.target == "spark" else "varchar"
    for sample_file in sorted(SAMPLE_DIR.glob("*.csv")):
        with sample_file.open(encoding="utf-8", newline="") as handle:
            reader = csv.reader(handle)
            header = next(reader)
            expected = Counter(tuple(blank_or_null_as_null(cell) for cell in row) for row in reader)
        columns = ", ".join(f"cast({column} as {text})" for column in header)
        table = f"{sample_warehouse.raw_schema}.{sample_file.stem}"
        rows = sample_warehouse.query(f"select {columns} from {table}")
        loaded = Counter(tuple(blank_or_null_as_null(cell) for cell in row) for row in rows)
        assert loaded == expected, (
            f"{sample_file.name} on {sample_warehouse.target}: {sum((expected - loaded).values())} rows "
            f"missing or altered, {sum((loaded - expected).values())} unexpected"
        )


def test_staging_keeps_every_raw_row(sample_warehouse: Warehouse) -> None:
    models = staging_models_with_sources()
    counts_sql = " union all ".join(
        f"select '{model}' as model_name, "
        f"(select count(*) from {sample_warehouse.staging_schema}.{model}) as staged_rows, "
        f"(select count(*) from {sample_warehouse.raw_schema}.{raw_table}) as raw_rows"
        for model, raw_table in sorted(models.items())
    )
    counts = {model: (int(staged), int(raw)) for model, staged, raw in sample_warehouse.query(counts_sql)}
    assert set(counts) == set(models)
    for model, (staged, raw) in counts.items():
        assert raw > 0, f"the sample has no rows for {model}'s source"
        assert staged == raw, f"{model}: {staged} staged rows for {raw} raw rows on {sample_warehouse.target}"


def test_a_standardised_value_is_null_exactly_when_its_issue_says_why(sample_warehouse: Warehouse) -> None:
    checks = []
    for model, columns in documented_columns().items():
        for issue_column in (column for column in columns if column.endswith("_issue")):
            value_column = value_column_for_issue(issue_column, columns)
            checks.append(
                f"select '{model}.{value_column}' as checked_column, count(*) as unexplained_rows "
                f"from {sample_warehouse.staging_schema}.{model} "
                f"where ({value_column} is null and {issue_column} is null) "
                f"or ({value_column} is not null and {issue_column} is not null)"
            )
    unexplained = {
        column: int(rows) for column, rows in sample_warehouse.query(" union all ".join(checks)) if int(rows)
    }
    assert unexplained == {}


def test_standardised_identifiers_have_their_canonical_shape(sample_warehouse: Warehouse) -> None:
    staging = sample_warehouse.staging_schema
    rows = sample_warehouse.query(
        f"select email, email_normalized, phone_e164, mobile_phone_e164, country_code, postal_code "
        f"from {staging}.stg_crm__contacts"
    )
    assert rows, "no CRM contacts staged"
    emails = [row[0] for row in rows if row[0] is not None]
    phones = [phone for row in rows for phone in row[2:4] if phone is not None]
    # Most sample values are readable: the generator's noise is mostly formatting, not garbage.
    assert len(emails) >= 0.8 * len(rows)
    assert len(phones) >= 0.8 * len(rows)
    assert all(
        re.fullmatch(r"[a-z0-9._%+'-]+@[a-z0-9-]+(\.[a-z0-9-]+)*\.[a-z]{2,}", email) for email in emails
    )
    assert all(re.fullmatch(r"\+[1-9][0-9]{6,14}", phone) for phone in phones)
    assert all(re.fullmatch(r"[A-Z]{2}", row[4]) for row in rows if row[4] is not None)
    assert all(" " not in row[5] and row[5] == row[5].upper() for row in rows if row[5] is not None)


CONTRACT_MODELS = ("stg_web__events", "stg_shop__customers", "stg_shop__orders", "stg_crm__contacts")


@dataclass
class ContractBuild:
    """One staging build over a warehouse whose source tables break the contract in four ways at once: each
    staging model meets one case, so one dbt run (one parse of the project) serves the four tests below."""

    warehouse: Warehouse
    stdout: str
    results: dict[str, dict]

    def status(self, model: str) -> str:
        return self.results[f"model.cdp.{model}"]["status"]

    def message(self, model: str) -> str:
        return self.results[f"model.cdp.{model}"]["message"] or ""

    def tests_of(self, model: str) -> dict[str, str]:
        return {
            unique_id: result["status"]
            for unique_id, result in self.results.items()
            if unique_id.startswith("test.") and model in unique_id
        }


@pytest.fixture(scope="module")
def contract_build(tmp_path_factory: pytest.TempPathFactory) -> ContractBuild:
    """Two of the sample's raw tables seeded into DuckDB, then four source tables swapped for unusual ones
    through the `..._identifier` vars: web events (optional) absent, shop customers (required) absent, shop
    orders without their key, CRM contacts with only two of their columns plus one the contract does not
    know."""
    from tests.conftest import make_duckdb_warehouse

    warehouse = make_duckdb_warehouse(tmp_path_factory.mktemp("contract"))
    unusual_sources = {
        "cdp_web_events_identifier": "no_such_table",
        "cdp_shop_customers_identifier": "no_such_table",
        "cdp_shop_orders_identifier": "shop_orders_without_id",
        "cdp_crm_contacts_identifier": "crm_contacts_minimal",
    }
    vars_args = ("--vars", json.dumps(unusual_sources))
    # Only the two raw tables the unusual ones are made from, and with the build's vars: dbt keeps one parse
    # per set of vars (Warehouse.target_path), so the build reuses this command's instead of parsing again.
    warehouse.dbt("seed", "--select", "shop_orders", "crm_contacts", *vars_args)
    warehouse.execute(
        "create or replace table main_raw.shop_orders_without_id as "
        "select * exclude (order_id) from main_raw.shop_orders",
        "create or replace table main_raw.crm_contacts_minimal as "
        "select contact_id, email, 'loaded by our EL tool' as _loader_synced_at from main_raw.crm_contacts",
    )
    build_args = (
        "build",
        "--select",
        *CONTRACT_MODELS,
        # Tests that also read downstream marts (not built by this fixture) stay out of the selection, and so
        # do the unit tests: they read the source tables' columns too, and a failed one would skip its model.
        "--indirect-selection",
        "cautious",
        "--exclude-resource-type",
        "unit_test",
        *vars_args,
    )
    completed = warehouse.dbt(*build_args, check=False)
    run_results = json.loads((warehouse.target_path(*build_args) / "run_results.json").read_text())
    results = {result["unique_id"]: result for result in run_results["results"]}
    return ContractBuild(warehouse, completed.stdout, results)


def test_an_absent_optional_source_stages_as_an_empty_table(contract_build: ContractBuild) -> None:
    assert "Optional source web.events not found" in contract_build.stdout
    assert contract_build.status("stg_web__events") == "success"
    assert contract_build.warehouse.count("main_staging", "stg_web__events") == 0
    tests = contract_build.tests_of("stg_web__events")
    assert tests and set(tests.values()) == {"pass"}, tests


def test_an_absent_required_source_stops_the_build_and_names_the_vars(contract_build: ContractBuild) -> None:
    assert contract_build.status("stg_shop__customers") == "error"
    message = contract_build.message("stg_shop__customers")
    assert "Required source table shop.customers was not found" in message
    assert "cdp_shop_customers_identifier" in message


def test_a_missing_required_column_is_named(contract_build: ContractBuild) -> None:
    assert contract_build.status("stg_shop__orders") == "error"
    assert "has no column 'order_id'" in contract_build.message("stg_shop__orders")


def test_missing_optional_columns_read_as_null_and_extra_columns_are_ignored(
    contract_build: ContractBuild,
) -> None:
    warehouse = contract_build.warehouse
    assert contract_build.status("stg_crm__contacts") == "success"
    rows = warehouse.query(
        "select count(*), count(email_raw), count(phone_raw), count(first_name) "
        "from main_staging.stg_crm__contacts"
    )
    total, with_email, with_phone, with_first_name = rows[0]
    assert total == warehouse.count("main_raw", "crm_contacts") > 0
    assert with_email > 0
    assert with_phone == 0 and with_first_name == 0
    columns = [row[0] for row in warehouse.query("describe main_staging.stg_crm__contacts")]
    assert "_loader_synced_at" not in columns


@pytest.mark.shared_build("generated")
def test_freshly_generated_data_stages_without_losing_a_row(generated_warehouse: GeneratedWarehouse) -> None:
    """Generator -> raw tables -> staging, on data other than the committed sample (other seed and size)."""
    warehouse, raw_counts = generated_warehouse.warehouse, generated_warehouse.raw_counts
    for model, raw_table in staging_models_with_sources().items():
        assert raw_counts[raw_table] > 0, f"the generator wrote no {raw_table}"
        assert warehouse.count("main_staging", model) == raw_counts[raw_table], model
