"""Stand-ins for the project's `cdp.*` macros when sqlfluff lints the models' own SQL.

sqlfluff's dbt templater would compile every model against a live warehouse and lint hundreds of kilobytes of
macro output per model; what we review is the model files' shape (CTEs, casing, aliases, commas). Each macro
renders here as one placeholder expression, and the source reader as a plain select.
"""

from __future__ import annotations

from collections.abc import Callable


def select_source_columns(source_name: str, table_name: str) -> str:
    return f"select * from {source_name}_{table_name}"


def date_spine(relation: str, start_column: str, end_column: str) -> str:
    """A select of day rows from the bounds relation (KPI marts): the bounds CTE is used."""
    return f"select {start_column} as date_day from {relation}"


def identity_blocked_matches(values_cte: str, blocked_values_cte: str, blocked_values_relation: str) -> str:
    """The junk values among the guard's values (int_identifier_values_guarded): both CTEs are used."""
    return (
        f"select {values_cte}.identifier_type, {values_cte}.identifier_value, {blocked_values_cte}.reason "
        f"from {values_cte} inner join {blocked_values_cte} on {values_cte}.identifier_type = "
        f"{blocked_values_cte}.field"
    )


def kpi_days_setting(var_name: str, default: int) -> int:
    """A whole number of days (KPI marts negate it in dateadd)."""
    return default


def __getattr__(name: str) -> Callable[..., str]:
    if name.startswith("__"):
        raise AttributeError(name)
    return lambda *args, **kwargs: f"{name}_output"


def golden_record_rules(attributes: list[str]) -> list[dict]:
    """Parsed survivorship rules (int_customers_golden): every optional column and the same_record_as join."""
    rules = [
        {
            "attribute": attribute,
            "rules": [{"rule": "most_frequent"}, {"rule": "longest"}, {"rule": "most_complete"}],
            "depends_on": None,
        }
        for attribute in attributes[:-1]
    ]
    rules.append(
        {
            "attribute": attributes[-1],
            "rules": [{"rule": "same_record_as", "attribute": attributes[0]}],
            "depends_on": attributes[0],
        }
    )
    return rules


def golden_record_candidate_sql(entry: dict, spec: dict, relation: str) -> dict:
    """The SQL snippets of one attribute's candidates (int_customers_golden)."""
    return {
        "ranking_columns": ["1 as value_frequency", "1 as value_length"],
        "offered_when": f"{relation}.{spec['columns'][0]} is not null",
    }


def consent_channels() -> list[str]:
    """The consent channels (macros/standardize/consent.sql): models loop over them."""
    return ["email", "sms", "phone", "ads_personalisation"]


# Identity layer: settings and estimates that the models iterate over (see macros/identity/).
IDENTITY_COMPARISONS = {
    "email": 3,
    "phone": 4,
    "first_name": 3,
    "last_name": 3,
    "birth_date": 3,
    "location": 4,
}


def identity_comparisons() -> dict[str, int]:
    return dict(IDENTITY_COMPARISONS)


def identity_level_columns() -> list[str]:
    return [f"{comparison}_level" for comparison in IDENTITY_COMPARISONS]


def identity_blocking_rules() -> list[dict]:
    return [
        {"name": "same_email", "columns": ["email_normalized"]},
        {"name": "same_phone", "columns": ["phone"]},
        {"name": "same_name", "columns": ["first_name_key", "last_name_key"]},
    ]


def identity_u_sample_size() -> tuple[int, int]:
    return (1000000, 20)


def identity_em_estimates(patterns_relation: str, u_relation: str) -> dict:
    from collections import defaultdict

    return {"m": defaultdict(lambda: 0.5), "iterations": 1, "change": 0.0}


def identifier_rows(
    relation: str, source_table: str, record_id: str, observed_at: str, identifiers: list
) -> str:
    return f"select {record_id} as record_id from {relation}"


def identity_limit_cuts(
    clusters_relation: str,
    matches_relation: str,
    values_relation: str,
    types_relation: str,
    conflicts_relation: str | None = None,
) -> list[dict]:
    """One cut match of each reason, so that both branches of the model's per-cut CTE are linted too."""
    return [
        {
            "left_record_key": "crm_contacts:C1",
            "right_record_key": "shop_customers:S1",
            "match_probability": 0.95,
            "component_id": "crm_contacts:C1",
            "cut_reason": "identifier_limit",
            "identifier_type": "email",
            "value_count": 4,
            "max_values_per_customer": 3,
            "conflicting_left_record_key": None,
            "conflicting_right_record_key": None,
        },
        {
            "left_record_key": "crm_contacts:C2",
            "right_record_key": "shop_customers:S2",
            "match_probability": 0.93,
            "component_id": "crm_contacts:C2",
            "cut_reason": "cannot_link",
            "identifier_type": None,
            "value_count": None,
            "max_values_per_customer": None,
            "conflicting_left_record_key": "crm_contacts:C2",
            "conflicting_right_record_key": "shop_customers:S3",
        },
    ]


def lead_score_features() -> list[str]:
    """The lead-score model's feature columns (int_customer_predictions iterates over them)."""
    return ["lead_feature_sessions_30d", "lead_feature_email_consent"]


def prediction_settings() -> dict:
    """The predictive-traits vars, as macros/predictions/settings.sql returns them."""
    return {
        "as_of_date": None,
        "lead_horizon_days": 90,
        "churn_horizon_days": 90,
        "max_repurchase_days": 730,
        "session_timeout_minutes": 30,
        "hyp2f1_terms": 200,
        "monthly_discount_rate": 0.01,
    }
