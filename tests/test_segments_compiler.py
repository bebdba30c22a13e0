"""Segment definitions: validation, every operator, nesting, suppression, holdouts and injection, without dbt.

Each test writes a small dbt project (model YAML with column types, segment settings and definitions) to a
temporary directory, compiles it with activation.segments, renders the generated models' Jinja with stand-ins
for ref() and the cross-database macros (plain Jinja, undefined names fail: a definition that smuggled Jinja
in would break the render), and runs them on in-memory DuckDB over hand-made customers. The same generated
models build on DuckDB, PostgreSQL and Spark in tests/test_segments_build.py.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from decimal import Decimal
from pathlib import Path
from typing import Any

import duckdb
import jinja2
import pytest
import yaml

from activation.errors import ConfigurationError, SegmentDefinitionError
from activation.segments.compiler import check_in_sync, compile_segments, generate
from activation.segments.definitions import load_project
from activation.segments.literals import render_literal, render_string
from activation.segments.model import ValueType
from activation.segments.preview import list_segments, mask_value, preview_segment, render_listing
from activation.segments.sql import REFERENCE_DATE_MODEL, SUPPRESSIONS_MODEL
from activation.segments.warehouse import QueryResult
from tests.conftest import PROJECT_DIR

AS_OF = dt.date(2026, 10, 31)

MODELS_YAML = {
    "version": 2,
    "models": [
        {
            "name": "dim_customers",
            "columns": [
                {"name": "customer_id", "data_type": "string"},
                {"name": "is_erased", "data_type": "boolean"},
                {"name": "as_of_date", "data_type": "date"},
                {"name": "first_name", "data_type": "string", "description": "Given name."},
                {"name": "city", "data_type": "varchar"},
                {"name": "email", "data_type": "string", "meta": {"pii": True}},
                {"name": "order_count", "data_type": "bigint"},
                {"name": "total_revenue", "data_type": "decimal(18,2)"},
                {"name": "is_vip", "data_type": "boolean"},
                {"name": "last_order_date", "data_type": "date"},
                {"name": "last_visit_at", "data_type": "timestamp"},
                {"name": "has_email_consent", "data_type": "boolean"},
                {"name": "has_sms_consent", "data_type": "boolean"},
                {"name": "favourite_brands", "data_type": "array<string>"},
                {"name": "undocumented_type"},
            ],
        },
        {
            "name": "int_customer_predictions",
            "columns": [
                {"name": "customer_id", "data_type": "string"},
                {"name": "churn_risk", "data_type": "double"},
                {"name": "next_best_category", "data_type": "string"},
                {"name": "predicted_next_purchase_date", "data_type": "date"},
            ],
        },
        {
            "name": "fct_orders",
            "columns": [
                {"name": "order_id"},
                {"name": "customer_id"},
                {"name": "ordered_at"},
                {"name": "channel"},
                {"name": "is_purchase"},
                {"name": "order_revenue"},
            ],
        },
        {"name": "segment_global_suppressions", "columns": [{"name": "customer_id"}]},
    ],
}

SETTINGS = {
    "customers": {
        "model": "dim_customers",
        "reference_date_column": "as_of_date",
        "erased_column": "is_erased",
        "consent_column_pattern": "has_{channel}_consent",
    },
    "predictions": {"model": "int_customer_predictions"},
    "pii_columns": ["first_name"],
    "global_suppression_model": "segment_global_suppressions",
    "existing_customers": {"trait": "order_count", "operator": ">", "value": 0},
    "behaviours": {
        "orders": {
            "model": "fct_orders",
            "occurred_at_column": "ordered_at",
            "count_distinct_column": "order_id",
            "filter": {"property": "is_purchase", "operator": "=", "value": True},
            "properties": {
                "is_purchase": "boolean",
                "channel": "string",
                "order_revenue": "number",
            },
        }
    },
}

NASTY_NAMES = {
    "c3": "'; drop table canary; --",
    "c4": "{{ run_query('drop table canary') }}",
    "c5": "back\\slash \\' and {% if true %}{# brace",
}

# $cN stands for NASTY_NAMES["cN"]; the last three columns are e-mail consent, SMS consent, erased.
CUSTOMER_TABLE = """
c1  | Anne       | Paris     | anne@example.fr   | 5  | 500.00  | true  | 2026-10-20 | 2026-10-30 10:00:00 | true  | true  | false
c2  | O'Brien    | Lyon      | ob@example.fr     | 1  | 50.50   | false | 2026-01-10 | 2025-12-01 08:00:00 | true  | false | false
c3  | $c3        | null      | null              | 0  | 0.00    | null  | null       | null                | true  | false | false
c4  | $c4        | Paris     | c4@example.fr     | 3  | 300.00  | true  | 2026-08-02 | 2026-10-31 23:59:59 | true  | false | false
c5  | $c5        | Marseille | c5@example.fr     | 2  | 120.00  | false | 2026-07-31 | 2026-08-01 00:00:00 | true  | true  | false
c6  | Élodie     | paris     | elodie@example.fr | 10 | 2000.00 | true  | 2026-10-31 | 2026-09-15 12:00:00 | true  | true  | false
c7  | Erased     | null      | null              | 4  | 400.00  | true  | 2026-10-01 | null                | true  | true  | true
c8  | NoConsent  | Paris     | nc@example.fr     | 4  | 400.00  | true  | 2026-10-01 | null                | false | false | false
c9  | Internal   | Paris     | qa@brand.fr       | 4  | 400.00  | true  | 2026-10-01 | null                | true  | true  | false
c10 | Complained | Paris     | cx@example.fr     | 4  | 400.00  | true  | 2026-10-01 | null                | true  | true  | false
"""  # noqa: E501 - one customer per line reads as a table


def _cell(text: str) -> Any:
    text = text.strip()
    if text.startswith("$"):
        return NASTY_NAMES[text[1:]]
    return {"null": None, "true": True, "false": False}.get(text, text)


CUSTOMERS = [tuple(_cell(cell) for cell in line.split("|")) for line in CUSTOMER_TABLE.strip().splitlines()]
ELIGIBLE = {"c1", "c2", "c3", "c4", "c5", "c6"}
SUPPRESSED = {"c7", "c8", "c9", "c10"}  # erased, no consent, internal account, global list

PREDICTIONS = [
    ("c1", 0.10, "Homme", "2026-11-15"),
    ("c2", 0.80, None, "2026-12-30"),
    ("c4", 0.50, "Beauté", "2026-10-25"),
    ("c5", 0.95, "Femme", None),
    ("c6", 0.05, "Sport", "2026-11-29"),
    ("c7", 0.90, "Sport", "2026-11-01"),
]

# order_id, customer_id, ordered_at, channel, is_purchase
ORDERS = [
    ("o1", "c1", "2026-10-25 10:00:00", "online", True),
    ("o2", "c1", "2026-10-10 10:00:00", "online", True),
    ("o3", "c1", "2026-10-02 10:00:00", "offline", True),
    ("o4", "c1", "2026-03-01 10:00:00", "offline", True),
    ("o5", "c2", "2026-01-10 10:00:00", "online", True),
    ("o6", "c4", "2026-10-28 10:00:00", "online", False),  # cancelled: never counts
    ("o7", "c4", "2026-08-02 10:00:00", "online", True),
    ("o8", "c6", "2026-10-31 23:00:00", "offline", True),
    ("o9", "c6", "2026-11-02 10:00:00", "offline", True),  # after the as-of date: never counts
]


class _DbtMacros:
    @staticmethod
    def dateadd(datepart: str, interval: Any, expression: str) -> str:
        return f"({expression} + interval ({interval}) {datepart})"

    @staticmethod
    def type_string() -> str:
        return "varchar"


class _CdpMacros:
    @staticmethod
    def segment_holdout_bucket(customer_id: str, segment_name: str) -> str:
        hashed = f"md5(cast({customer_id} as varchar) || '|{segment_name}')"
        return f"(cast(('0x' || substr({hashed}, 1, 8)) as bigint) % 10000)"


def render_model(sql: str) -> str:
    """A generated model's Jinja rendered as dbt would, with stand-ins; any other Jinja name fails."""
    environment = jinja2.Environment(undefined=jinja2.StrictUndefined, autoescape=False)
    return environment.from_string(sql).render(ref=lambda name: name, dbt=_DbtMacros, cdp=_CdpMacros)


def write_project(root: Path, segments: dict[str, Any], settings: dict | None = None) -> Path:
    (root / "models").mkdir(parents=True, exist_ok=True)
    (root / "models" / "_models.yml").write_text(yaml.safe_dump(MODELS_YAML, allow_unicode=True))
    (root / "segments").mkdir(exist_ok=True)
    (root / "segments" / "_settings.yml").write_text(yaml.safe_dump(settings or SETTINGS, allow_unicode=True))
    for name, content in segments.items():
        text = content if isinstance(content, str) else yaml.safe_dump(content, allow_unicode=True)
        (root / "segments" / f"{name}.yml").write_text(text, encoding="utf-8")
    return root


def segment(conditions: Any, **extra: Any) -> dict:
    return {
        "name": extra.pop("name", "test_segment"),
        "description": "A test segment.",
        "owner": "tests@example.fr",
        "channel": extra.pop("channel", "email"),
        "conditions": conditions,
        **extra,
    }


def warehouse() -> duckdb.DuckDBPyConnection:
    connection = duckdb.connect()
    connection.execute(
        "create table dim_customers (customer_id varchar, first_name varchar, city varchar, email varchar, "
        "order_count bigint, total_revenue decimal(18,2), is_vip boolean, last_order_date date, "
        "last_visit_at timestamp, has_email_consent boolean, has_sms_consent boolean, is_erased boolean, "
        "as_of_date date, favourite_brands varchar[], undocumented_type varchar)"
    )
    for row in CUSTOMERS:
        connection.execute(
            "insert into dim_customers values (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, null, null)",
            [*row, AS_OF],
        )
    connection.execute(
        "create table int_customer_predictions (customer_id varchar, churn_risk double, "
        "next_best_category varchar, predicted_next_purchase_date date)"
    )
    connection.executemany("insert into int_customer_predictions values (?, ?, ?, ?)", PREDICTIONS)
    connection.execute(
        "create table fct_orders (order_id varchar, customer_id varchar, ordered_at timestamp, "
        "channel varchar, "
        "is_purchase boolean, order_revenue decimal(18,2))"
    )
    connection.executemany("insert into fct_orders values (?, ?, ?, ?, ?, 10)", ORDERS)
    connection.execute(
        "create table segment_global_suppressions as select * from (values "
        "('c9', true, false, 'internal_account'), ('c10', false, true, 'complaint')) "
        "as t(customer_id, is_internal_account, is_suppressed, suppression_reasons)"
    )
    connection.execute("create table canary as select 1 as still_here")
    return connection


def build(root: Path, connection: duckdb.DuckDBPyConnection | None = None) -> duckdb.DuckDBPyConnection:
    """Compile the project and create every generated model in DuckDB, in dependency order."""
    connection = connection or warehouse()
    project = load_project(root)
    files = generate(project).files
    directory = "models/segments/audiences"
    order = [REFERENCE_DATE_MODEL, SUPPRESSIONS_MODEL, *[item.model_name for item in project.segments]]
    for model in order:
        connection.execute(
            f"create or replace table {model} as {render_model(files[f'{directory}/{model}.sql'])}"
        )
    connection.execute(
        f"create table segment_members as {render_model(files[f'{directory}/segment_members.sql'])}"
    )
    return connection


def members(root: Path, name: str = "test_segment") -> set[str]:
    connection = build(root)
    assert connection.execute("select count(*) from canary").fetchone() == (1,)
    return {row[0] for row in connection.execute(f"select customer_id from seg_{name}").fetchall()}


def run_condition(tmp_path: Path, conditions: Any, **extra: Any) -> set[str]:
    return members(write_project(tmp_path, {"test_segment": segment(conditions, **extra)}))


def problems(tmp_path: Path, segments: dict[str, Any], settings: dict | None = None) -> list[str]:
    write_project(tmp_path, segments, settings)
    with pytest.raises(SegmentDefinitionError) as raised:
        load_project(tmp_path)
    return raised.value.problems


# ----------------------------------------------------------------------------------------------- operators


def trait(name: str, operator: str, value: Any = None, **kwargs: Any) -> dict:
    condition = {"trait": name, "operator": operator, **kwargs}
    if value is not None:
        condition["value"] = value
    return condition


def prediction(name: str, operator: str, value: Any = None) -> dict:
    condition = {"prediction": name, "operator": operator}
    if value is not None:
        condition["value"] = value
    return condition


OPERATOR_CASES = [
    # strings
    (trait("city", "=", "Paris"), {"c1", "c4"}),
    (trait("city", "!=", "Paris"), {"c2", "c5", "c6"}),  # unknown city (c3): neither = nor !=
    (trait("city", "in", ["Lyon", "Marseille"]), {"c2", "c5"}),
    (trait("city", "not in", ["Lyon", "Marseille"]), {"c1", "c4", "c6"}),
    (trait("city", "is null"), {"c3"}),
    (trait("city", "is not null"), {"c1", "c2", "c4", "c5", "c6"}),
    (trait("city", "contains", "ARI"), {"c1", "c4", "c6"}),  # case-insensitive
    (trait("city", "starts with", "mar"), {"c5"}),
    (trait("first_name", "=", "O'Brien"), {"c2"}),
    (trait("first_name", "=", "Élodie"), {"c6"}),
    (trait("first_name", "contains", "'"), {"c2", "c3", "c4", "c5"}),
    # numbers (integer and decimal columns, integer and decimal values)
    (trait("order_count", "=", 5), {"c1"}),
    (trait("order_count", "!=", 5), {"c2", "c3", "c4", "c5", "c6"}),
    (trait("order_count", "<", 2), {"c2", "c3"}),
    (trait("order_count", "<=", 2), {"c2", "c3", "c5"}),
    (trait("order_count", ">", 3), {"c1", "c6"}),
    (trait("order_count", ">=", 3), {"c1", "c4", "c6"}),
    (trait("order_count", "between", [2, 5]), {"c1", "c4", "c5"}),
    (trait("order_count", "in", [0, 10]), {"c3", "c6"}),
    (trait("order_count", "not in", [0, 10]), {"c1", "c2", "c4", "c5"}),
    (trait("total_revenue", ">", 50.49), {"c1", "c2", "c4", "c5", "c6"}),
    (trait("total_revenue", "between", [50.5, 300]), {"c2", "c4", "c5"}),
    (trait("total_revenue", "<", -1), set()),
    # booleans
    (trait("is_vip", "=", True), {"c1", "c4", "c6"}),
    (trait("is_vip", "!=", True), {"c2", "c5"}),
    (trait("is_vip", "is null"), {"c3"}),
    # dates, absolute and relative to the as-of date (2026-10-31)
    (trait("last_order_date", "=", "2026-10-20"), {"c1"}),
    (trait("last_order_date", ">=", dt.date(2026, 8, 2)), {"c1", "c4", "c6"}),
    (trait("last_order_date", "<", "2026-08-02"), {"c2", "c5"}),
    (trait("last_order_date", "between", ["2026-07-31", "2026-08-02"]), {"c4", "c5"}),
    (trait("last_order_date", "within last", "90 days"), {"c1", "c6"}),  # 0..89 days ago
    (trait("last_order_date", "more than ago", "90 days"), {"c2", "c4", "c5"}),  # 90 days ago or more
    (trait("last_order_date", "within last", "3 months"), {"c1", "c4", "c6"}),  # after 2026-07-31
    (trait("last_order_date", "within last", "1 year"), {"c1", "c2", "c4", "c5", "c6"}),
    (trait("last_order_date", "more than ago", "2 weeks"), {"c2", "c4", "c5"}),
    # timestamps: a date value compares the day, a timestamp value the instant
    (trait("last_visit_at", "=", "2026-10-31"), {"c4"}),
    (trait("last_visit_at", ">", "2026-10-30 10:00:00"), {"c4"}),
    (trait("last_visit_at", ">=", "2026-10-30T10:00:00Z"), {"c1", "c4"}),
    (trait("last_visit_at", "within last", "1 day"), {"c4"}),
    (trait("last_visit_at", "within last", "2 days"), {"c1", "c4"}),
    (trait("last_visit_at", "more than ago", "30 days"), {"c2", "c5", "c6"}),
    # predictions
    ({"prediction": "churn_risk", "operator": ">=", "value": 0.8}, {"c2", "c5"}),
    ({"prediction": "churn_risk", "operator": "is null"}, {"c3"}),
    ({"prediction": "next_best_category", "operator": "in", "value": ["Homme", "Sport"]}, {"c1", "c6"}),
    (prediction("predicted_next_purchase_date", "within next", "30 days"), {"c1", "c6"}),
    (prediction("predicted_next_purchase_date", "within next", "2 months"), {"c1", "c2", "c6"}),
    # consent for another channel than the segment's
    ({"consent": "sms"}, {"c1", "c5", "c6"}),
    # behaviour: purchases only (the cancelled o6 and the post-as-of o9 never count)
    ({"performed": "orders"}, {"c1", "c2", "c4", "c6"}),
    ({"performed": "orders", "at_least": 3}, {"c1"}),
    ({"performed": "orders", "at_most": 1}, {"c2", "c3", "c4", "c5", "c6"}),
    ({"performed": "orders", "at_least": 1, "at_most": 1}, {"c2", "c4", "c6"}),
    ({"performed": "orders", "within": "30 days"}, {"c1", "c6"}),
    ({"performed": "orders", "at_least": 2, "within": "30 days"}, {"c1"}),
    ({"performed": "orders", "where": {"property": "channel", "operator": "=", "value": "offline"}}, {"c1", "c6"}),  # noqa: E501
    (
        {
            "performed": "orders",
            "where": {"any": [{"property": "channel", "operator": "=", "value": "offline"},
                              {"property": "order_revenue", "operator": ">", "value": 100}]},
            "at_least": 2,
        },
        {"c1"},
    ),
    ({"did_not_perform": "orders", "within": "30 days"}, {"c2", "c3", "c4", "c5"}),
    ({"did_not_perform": "orders"}, {"c3", "c5"}),
]  # fmt: skip


@pytest.mark.parametrize(
    ("condition", "expected"), OPERATOR_CASES, ids=[str(case[0]) for case in OPERATOR_CASES]
)
def test_every_operator_selects_the_right_customers(
    tmp_path: Path, condition: dict, expected: set[str]
) -> None:
    assert run_condition(tmp_path, condition) == expected


def test_every_documented_operator_has_a_case() -> None:
    from activation.segments.definitions import ALL_OPERATORS

    used = {case[0].get("operator") for case in OPERATOR_CASES}
    assert set(ALL_OPERATORS) <= used


def test_nesting_all_any_not(tmp_path: Path) -> None:
    conditions = {
        "all": [
            {"any": [trait("city", "=", "Paris"), trait("city", "starts with", "Mar")]},
            {"not": {"all": [trait("is_vip", "=", True), {"performed": "orders", "within": "30 days"}]}},
            {"any": [{"not": trait("order_count", ">", 2)}, prediction("churn_risk", ">", 0.4)]},
        ]
    }  # fmt: skip
    # Paris or Mar*: c1 c4 c5 (c6 is 'paris': = is exact); not (vip and ordered in 30 days): drops c1;
    # at most 2 orders or churn risk > 0.4: c4 (0.5), c5 (2 orders).
    assert run_condition(tmp_path, conditions) == {"c4", "c5"}


def test_not_is_the_exact_complement_even_for_unknown_values(tmp_path: Path) -> None:
    condition = trait("city", "=", "Paris")
    matched = run_condition(tmp_path / "a", condition)
    complement = run_condition(tmp_path / "b", {"not": condition})
    assert matched | complement == ELIGIBLE and not matched & complement
    assert "c3" in complement  # city unknown: not "= Paris"


def test_membership_of_another_segment(tmp_path: Path) -> None:
    root = write_project(
        tmp_path,
        {
            "paris": segment(trait("city", "=", "Paris"), name="paris"),
            "vip_in_paris": segment(
                {"all": [{"in_segment": "paris"}, trait("is_vip", "=", True)]}, name="vip_in_paris"
            ),
            "vip_elsewhere": segment(
                {"all": [{"not": {"in_segment": "paris"}}, trait("is_vip", "=", True)]}, name="vip_elsewhere"
            ),
        },
    )
    assert members(root, "vip_in_paris") == {"c1", "c4"}
    assert members(root, "vip_elsewhere") == {"c6"}
    assert [item.name for item in load_project(root).segments] == ["paris", "vip_elsewhere", "vip_in_paris"]


# --------------------------------------------------------------------------------------------- suppression


def test_suppressed_customers_are_never_in_a_segment(tmp_path: Path) -> None:
    everyone = {"trait": "customer_id", "operator": "is not null"}
    root = write_project(tmp_path, {"test_segment": segment(everyone)})
    connection = build(root)
    matched = {row[0] for row in connection.execute("select customer_id from dim_customers").fetchall()}
    assert matched >= SUPPRESSED
    assert members(root) == ELIGIBLE
    flags = connection.execute(
        "select customer_id from segment_suppressions where is_erased or not has_email_consent "
        "or is_internal_account or is_globally_suppressed order by customer_id"
    ).fetchall()
    assert {row[0] for row in flags} == SUPPRESSED


def test_consent_follows_the_segment_channel(tmp_path: Path) -> None:
    everyone = {"trait": "customer_id", "operator": "is not null"}
    assert run_condition(tmp_path, everyone, channel="sms") == {"c1", "c5", "c6"}


def test_exclude_existing_customers(tmp_path: Path) -> None:
    everyone = {"trait": "customer_id", "operator": "is not null"}
    assert run_condition(tmp_path, everyone, exclude_existing_customers=True) == {"c3"}


def test_internal_accounts_rule_from_settings(tmp_path: Path) -> None:
    settings = {
        **SETTINGS,
        "internal_accounts": {"trait": "email", "operator": "contains", "value": "@example.fr"},
    }
    root = write_project(
        tmp_path, {"test_segment": segment({"trait": "customer_id", "operator": "is not null"})}, settings
    )
    assert members(root) == {"c3"}  # every other eligible customer has an @example.fr address


# ------------------------------------------------------------------------------------------------- holdout


def test_holdout_is_a_stable_hash_of_customer_and_segment(tmp_path: Path) -> None:
    everyone = {"trait": "customer_id", "operator": "is not null"}
    root = write_project(tmp_path, {"test_segment": segment(everyone, holdout_percent=50)})
    first = build(root).execute("select customer_id, is_holdout from seg_test_segment").fetchall()
    second = build(root).execute("select customer_id, is_holdout from seg_test_segment").fetchall()
    assert sorted(first) == sorted(second)
    for customer_id, is_holdout in first:
        digest = hashlib.md5(f"{customer_id}|test_segment".encode()).hexdigest()
        assert is_holdout == (int(digest[:8], 16) % 10_000 < 5_000), customer_id


def test_no_holdout_by_default(tmp_path: Path) -> None:
    root = write_project(
        tmp_path, {"test_segment": segment({"trait": "customer_id", "operator": "is not null"})}
    )
    assert build(root).execute("select count(*) from seg_test_segment where is_holdout").fetchone() == (0,)


# --------------------------------------------------------------------------------------------- injection

INJECTIONS = [
    "'; drop table canary; --",
    "O'Brien",
    "''",
    "\\",
    "\\'",
    "back\\slash \\' and {% if true %}{# brace",
    "{{ run_query('drop table canary') }}",
    "{%- set x = 1 -%}",
    "}} {{",
    "100% _under_",
    '"double" quotes',
    "Élodie – 東京",
    "",
]


@pytest.mark.parametrize("value", INJECTIONS)
def test_string_literals_round_trip_on_duckdb(value: str) -> None:
    literal = render_string(value)
    assert "{{" not in literal and "{%" not in literal and "{#" not in literal and "\\" not in literal
    assert render_model(f"select {literal}") == f"select {literal}"
    assert duckdb.connect().execute(f"select {literal}").fetchone() == (value,)


def test_injection_attempts_select_exactly_the_customer_they_name(tmp_path: Path) -> None:
    for customer_id, name in NASTY_NAMES.items():
        assert run_condition(tmp_path / customer_id, trait("first_name", "=", name)) == {customer_id}
        root = write_project(
            tmp_path / f"{customer_id}_in",
            {"test_segment": segment(trait("first_name", "in", [name, "x'); drop table canary; --"]))},
        )
        assert members(root) == {customer_id}


def test_control_characters_are_refused(tmp_path: Path) -> None:
    found = problems(tmp_path, {"test_segment": segment(trait("first_name", "=", "a\nb"))})
    assert found == [
        "segments/test_segment.yml: segment 'test_segment': conditions.value: bad value: control characters "
        "(newlines, tabs, ...) are not allowed"
    ]
    with pytest.raises(ConfigurationError):
        render_string("a\x00b")


def test_jinja_in_free_text_is_refused(tmp_path: Path) -> None:
    definition = segment(trait("city", "=", "Paris"))
    definition["description"] = "Nice {{ run_query('drop table canary') }}"
    found = problems(tmp_path, {"test_segment": definition})
    assert found == [
        "segments/test_segment.yml: segment 'test_segment': description: bad value: '{{', '{%' and '{#' are "
        "not allowed (dbt would read them as Jinja)"
    ]


@pytest.mark.parametrize(
    ("value", "value_type", "literal"),
    [
        (42, ValueType.NUMBER, "42"),
        (Decimal("-0.5"), ValueType.NUMBER, "(-0.5)"),
        (True, ValueType.BOOLEAN, "true"),
        (dt.date(2026, 1, 31), ValueType.DATE, "cast('2026-01-31' as date)"),
        (dt.datetime(2026, 1, 31, 8, 30), ValueType.TIMESTAMP, "cast('2026-01-31 08:30:00' as timestamp)"),
        (
            dt.datetime(2026, 1, 31, 8, 30, tzinfo=dt.timezone(dt.timedelta(hours=2))),
            ValueType.TIMESTAMP,
            "cast('2026-01-31 06:30:00' as timestamp)",
        ),
    ],
)
def test_typed_literals(value: Any, value_type: ValueType, literal: str) -> None:
    assert render_literal(value, value_type) == literal


def test_literals_refuse_values_of_another_type() -> None:
    wrong = [
        ("1", ValueType.NUMBER),
        (1, ValueType.STRING),
        ("true", ValueType.BOOLEAN),
        (float("nan"), ValueType.NUMBER),
        (dt.datetime(2026, 1, 1), ValueType.DATE),
    ]
    for value, value_type in wrong:
        with pytest.raises(ConfigurationError):
            render_literal(value, value_type)


# ---------------------------------------------------------------------------------------------- validation


def test_every_problem_of_a_file_is_reported_with_file_segment_and_field(tmp_path: Path) -> None:
    definition = {
        "name": "broken",
        "description": "Everything wrong at once.",
        "owner": "tests@example.fr",
        "channel": "fax",
        "holdout_percent": 120,
        "output": ["email", "no_such_column", {"column": "city", "as": "email"}],
        "conditions": {
            "all": [
                trait("total_revenu", ">", 10),
                trait("total_revenue", "contains", "10"),
                trait("order_count", ">", "ten"),
                trait("order_count", "between", [5, 1]),
                trait("city", "in", []),
                trait("city", "is null", "Paris"),
                {"trait": "city", "operator": "~=", "value": "yes"},
                trait("is_vip", "=", "yes"),
                trait("last_order_date", "within last", 30),
                trait("last_order_date", "=", "31/10/2026"),
                trait("favourite_brands", "=", "x"),
                trait("undocumented_type", "=", "x"),
                {"prediction": "churn", "operator": ">", "value": 0.5},
                {"consent": "pigeon"},
                {"in_segment": "no_such_segment"},
                {"performed": "pageviews"},
                {"performed": "orders", "at_least": 0, "within": "soon"},
                {"performed": "orders", "where": {"property": "colour", "operator": "=", "value": "red"}},
                {"did_not_perform": "orders", "at_least": 2},
                {"trait": "city", "prediction": "churn_risk", "operator": "=", "value": "x"},
                {"nonsense": 1},
                {"any": []},
            ]
        },
    }
    found = problems(tmp_path, {"broken": definition})
    prefix = "segments/broken.yml: segment 'broken': "
    expected_paths = [
        "channel",
        "conditions.all[0].trait",
        "conditions.all[1].operator",
        "conditions.all[2].value",
        "conditions.all[3].value",
        "conditions.all[4].value",
        "conditions.all[5].value",
        "conditions.all[6].operator",
        "conditions.all[7].value",
        "conditions.all[8].value",
        "conditions.all[9].value",
        "conditions.all[10].trait",
        "conditions.all[11].trait",
        "conditions.all[12].prediction",
        "conditions.all[13].consent",
        "conditions.all[14].in_segment",
        "conditions.all[15].performed",
        "conditions.all[16].at_least",
        "conditions.all[17].where.property",
        "conditions.all[18].at_least",
        "conditions.all[19]",
        "conditions.all[20]",
        "conditions.all[21].any",
        "output[1]",
        "output[2]",
        "holdout_percent",
    ]
    assert all(problem.startswith(prefix) for problem in found), found
    paths = [problem[len(prefix) :].split(": ", 1)[0] for problem in found]
    for path in expected_paths:
        assert path in paths, f"no problem reported at {path}: {found}"
    messages = "\n".join(found)
    assert (
        "unknown trait 'total_revenu' in the customer model dim_customers (did you mean total_revenue?)"
        in messages
    )
    assert "operator 'contains' is not valid for the number trait 'total_revenue'" in messages
    assert "bad value: expected a number, got the text 'ten'" in messages
    assert "bad value: low bound 5 is above high bound 1" in messages
    assert "operator 'is null' takes no value" in messages
    assert "unknown operator '~='" in messages
    assert "YAML reads unquoted yes/no/on/off/true/false as booleans" not in messages  # 'yes' was quoted
    assert "expected true or false, got the text 'yes'" in messages
    assert "expected a duration such as '30 days'" in messages
    assert "expected a date written YYYY-MM-DD, got the text '31/10/2026'" in messages
    assert "data_type 'array<string>'" in messages and "has no data_type" in messages
    assert "unknown channel the text 'pigeon'" in messages
    assert "unknown segment the text 'no_such_segment'" in messages
    assert "unknown behaviour the text 'pageviews'" in messages
    assert "unknown property 'colour' in the properties of behaviour 'orders'" in messages
    assert "unknown key 'at_least'" in messages
    assert "a condition has exactly one of" in messages
    assert "output column 'email' is listed twice" in messages


def test_unquoted_yaml_booleans_get_a_hint(tmp_path: Path) -> None:
    text = (
        "name: test_segment\ndescription: d\nowner: o\nchannel: email\n"
        "conditions: {trait: city, operator: =, value: no}\n"
    )
    found = problems(tmp_path, {"test_segment": text})
    assert len(found) == 1 and "YAML reads unquoted yes/no/on/off/true/false as booleans" in found[0]


def test_unquoted_equals_operator_is_read_as_text(tmp_path: Path) -> None:
    text = (
        "name: test_segment\ndescription: d\nowner: o\nchannel: email\n"
        "conditions: {trait: city, operator: =, value: Lyon}\n"
    )
    assert members(write_project(tmp_path, {"test_segment": text})) == {"c2"}


def test_structure_problems(tmp_path: Path) -> None:
    found = problems(
        tmp_path,
        {
            "missing_keys": {"name": "missing_keys", "conditions": trait("city", "=", "x"), "colour": "red"},
            "wrong_name": segment(trait("city", "=", "x"), name="Wrong Name!"),
            "bad_yaml": "name: [unclosed\n",
            "duplicate": "name: duplicate\nname: duplicate\n",
        },
    )
    text = "\n".join(found)
    assert "segments/missing_keys.yml: segment 'missing_keys': description: missing (required)" in text
    assert "segments/missing_keys.yml: segment 'missing_keys': owner: missing (required)" in text
    assert "segments/missing_keys.yml: segment 'missing_keys': channel: missing (required)" in text
    assert "segments/missing_keys.yml: segment 'missing_keys': colour: unknown key 'colour'" in text
    assert (
        "segments/wrong_name.yml: segment 'wrong_name': name: bad value: a segment name is lower-case" in text
    )
    assert "segments/bad_yaml.yml: segment 'bad_yaml': not valid YAML" in text
    assert "segments/duplicate.yml: segment 'duplicate': not valid YAML: duplicate key 'name', line 2" in text


def test_membership_cycles_are_reported_on_every_segment_of_the_cycle(tmp_path: Path) -> None:
    found = problems(
        tmp_path,
        {
            "a": segment({"in_segment": "b"}, name="a"),
            "b": segment({"all": [trait("city", "=", "x"), {"not": {"in_segment": "c"}}]}, name="b"),
            "c": segment({"any": [{"in_segment": "a"}, trait("city", "=", "y")]}, name="c"),
            "selfish": segment({"in_segment": "selfish"}, name="selfish"),
            "fine": segment({"in_segment": "a"}, name="fine"),
        },
    )
    assert sorted(found) == [
        "segments/a.yml: segment 'a': conditions.in_segment: membership cycle: a -> b -> c -> a",
        "segments/b.yml: segment 'b': conditions.all[1].not.in_segment: membership cycle: a -> b -> c -> a",
        "segments/c.yml: segment 'c': conditions.any[0].in_segment: membership cycle: a -> b -> c -> a",
        "segments/selfish.yml: segment 'selfish': conditions.in_segment: membership cycle: selfish -> "
        "selfish",
    ]


def test_settings_problems_name_the_settings_file(tmp_path: Path) -> None:
    settings = {
        **SETTINGS,
        "customers": {**SETTINGS["customers"], "erased_column": "is_forgotten"},
        "pii_columns": ["first_name", "shoe_size"],
        "behaviours": {
            "orders": {**SETTINGS["behaviours"]["orders"], "occurred_at_column": "placed_at"},
            "segment_things": {"model": "fct_orders", "occurred_at_column": "ordered_at"},
            "visits": {"model": "fct_visits", "occurred_at_column": "started_at"},
        },
        "existing_customers": {"in_segment": "x"},
    }
    found = problems(tmp_path, {}, settings)
    text = "\n".join(found)
    assert (
        "segments/_settings.yml: settings: customers.erased_column: column 'is_forgotten' is not documented"
        in text
    )
    assert "segments/_settings.yml: settings: pii_columns[1]: column 'shoe_size' is not documented" in text
    assert "behaviours.orders.occurred_at_column: column 'placed_at' is not documented for fct_orders" in text
    assert "behaviours.segment_things: bad behaviour name 'segment_things'" in text
    assert "behaviours.visits.model: model the text 'fct_visits' has no YAML documentation" in text
    assert "existing_customers.in_segment: 'in_segment' conditions are not allowed here" in text


# ------------------------------------------------------------------------------------------ generated files


def test_generated_models_name_their_definition_and_compile_writes_only_its_directory(tmp_path: Path) -> None:
    root = write_project(tmp_path, {"test_segment": segment(trait("city", "=", "Paris"), holdout_percent=10)})
    _, report = compile_segments(root)
    directory = root / "models" / "segments" / "audiences"
    names = sorted(path.name for path in directory.iterdir())
    assert names == [
        "_audiences__models.yml",
        "seg_test_segment.sql",
        "segment_members.sql",
        "segment_reference_date.sql",
        "segment_suppressions.sql",
    ]
    assert (
        (directory / "seg_test_segment.sql")
        .read_text()
        .startswith(
            "{#- Generated from segments/test_segment.yml by `activation segments compile`: do not edit"
        )
    )
    assert check_in_sync(root).in_sync
    documented = yaml.safe_load((directory / "_audiences__models.yml").read_text())
    model = next(item for item in documented["models"] if item["name"] == "seg_test_segment")
    assert model["config"]["meta"]["segment"]["holdout_percent"] == 10.0
    assert (
        model["data_tests"][0]["cdp.segment_members_eligible"]["arguments"]["consent_column"]
        == "has_email_consent"
    )

    (root / "segments" / "test_segment.yml").unlink()
    report = check_in_sync(root)
    assert report.stale == ["models/segments/audiences/seg_test_segment.sql"] and not report.in_sync
    compile_segments(root)
    assert not (directory / "seg_test_segment.sql").exists()
    (directory / "notes.sql").write_text("select 1")
    with pytest.raises(ConfigurationError, match="was not generated"):
        compile_segments(root)


def test_output_columns_keep_their_documentation_and_pii_flag(tmp_path: Path) -> None:
    root = write_project(
        tmp_path,
        {
            "test_segment": segment(
                trait("city", "=", "Paris"),
                output=["email", "first_name", {"column": "churn_risk", "as": "value"}],
            )
        },
    )
    connection = build(root)
    rows = connection.execute(
        "select customer_id, email, first_name, value from seg_test_segment order by 1"
    ).fetchall()
    assert rows == [("c1", "anne@example.fr", "Anne", 0.10), ("c4", "c4@example.fr", NASTY_NAMES["c4"], 0.50)]
    project = load_project(root)
    outputs = {output.alias: output for output in project.segment("test_segment").outputs}
    assert outputs["email"].column.is_pii and outputs["first_name"].column.is_pii
    assert not outputs["value"].column.is_pii


def test_mask_value() -> None:
    assert mask_value("jean@example.fr") == "j***"
    assert mask_value("ab") == "***"
    assert mask_value(None) is None


def test_committed_segment_models_are_in_sync_with_the_definitions() -> None:
    report = check_in_sync(PROJECT_DIR)
    assert report.in_sync, f"run `activation segments compile`:\n{report.describe()}"


# ----------------------------------------------------------------------------------------------- preview


def duckdb_runner(connection: duckdb.DuckDBPyConnection):
    """What dbt show does for the preview, on the in-memory warehouse: render the Jinja, run, fetch."""

    def run(sql: str, limit: int) -> QueryResult:
        cursor = connection.execute(render_model(sql))
        rows = cursor.fetchall() if limit < 0 else cursor.fetchmany(limit)
        return QueryResult(columns=[column[0] for column in cursor.description], rows=rows)

    return run


def test_preview_computes_the_segment_inline_like_the_model(tmp_path: Path) -> None:
    root = write_project(
        tmp_path,
        {
            "paris": segment(trait("city", "=", "Paris"), name="paris"),
            "test_segment": segment(
                {"all": [{"not": {"in_segment": "paris"}}, trait("order_count", ">=", 1)]},
                holdout_percent=50,
                output=["email", "first_name", "city"],
            ),
        },
    )
    connection = build(root)
    built = connection.execute("select customer_id, is_holdout from seg_test_segment order by 1").fetchall()
    assert [row[0] for row in built] == ["c2", "c5", "c6"]
    connection.execute(
        "delete from segment_members where customer_id = 'c2' and segment_name = 'test_segment'"
    )

    preview = preview_segment(root, "test_segment", "duckdb", sample_size=2, runner=duckdb_runner(connection))
    assert preview.member_count == 3
    assert preview.holdout_count == sum(1 for _, is_holdout in built if is_holdout)
    assert (
        preview.matched_count == 7
    )  # plus the erased c7, the unconsented c8, the internal c9 and the listed c10
    assert preview.suppressed == {
        "erased": 1,
        "no email consent": 1,
        "internal or test account": 1,
        "global suppression list": 1,
    }
    assert preview.suppressed_count == 4
    assert preview.last_build_count == 2  # the row deleted above: one more now
    assert preview.overlaps == [("paris", 2, 0)]
    assert preview.sample.columns == ["customer_id", "is_holdout", "email", "first_name", "city"]
    assert [row[0] for row in preview.sample.rows] == ["c2", "c5"]
    assert [row[2:] for row in preview.sample.rows] == [
        ("o***", "O***", "Lyon"),
        ("c***", "b***", "Marseille"),
    ]
    assert preview.masked_columns == ["email", "first_name"]
    text = preview.render()
    assert "Size: 3 members (" in text and "since the last build: 2 -> 3 (+1)" in text
    assert "personal data masked (email, first_name)" in text

    shown = preview_segment(
        root, "test_segment", "duckdb", sample_size=1, show_pii=True, runner=duckdb_runner(connection)
    )
    assert shown.sample.rows[0][2:] == ("ob@example.fr", "O'Brien", "Lyon") and shown.masked_columns == []
    with pytest.raises(ConfigurationError, match="Unknown segment 'nope'"):
        preview_segment(root, "nope", "duckdb", runner=duckdb_runner(connection))


def test_list_reports_built_sizes(tmp_path: Path) -> None:
    root = write_project(tmp_path, {"test_segment": segment(trait("city", "=", "Paris"), holdout_percent=50)})
    connection = build(root)
    (listing,) = list_segments(root, "duckdb", runner=duckdb_runner(connection))
    assert (listing.segment.name, listing.member_count) == ("test_segment", 2)
    assert "test_segment" in render_listing([listing])
