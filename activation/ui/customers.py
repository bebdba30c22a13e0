"""Customer lookup: find a person by e-mail, phone, name or customer id; their golden record with where each
value came from, the source records identity resolution merged and why, consent history, segments and the
destinations that hold them.

Reads the marts (erased people's personal values are already null there); provenance comes from the golden
record model and is left out for erased people. Personal values are masked unless the app shows PII.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from activation.segments.definitions import SegmentProject
from activation.segments.preview import mask_value
from activation.ui.warehouse import UiWarehouse

SEARCH_LIMIT = 25
CUSTOMERS_MODEL = "dim_customers"
GOLDEN_MODEL = "int_customers_golden"
LINKS_MODEL = "fct_identity_links"
CONSENT_EVENTS_MODEL = "fct_consent_events"
CONSENTS_MODEL = "dim_customer_consents"
MEMBERS_MODEL = "segment_members"

SUMMARY_COLUMNS = ("customer_id", "first_name", "last_name", "email", "phone_e164", "city", "lifecycle_stage")
# The golden attributes and the provenance columns int_customers_golden keeps for each.
GOLDEN_ATTRIBUTES = (
    ("first_name", "first_name"),
    ("last_name", "last_name"),
    ("birth_date", "birth_date"),
    ("email", "email"),
    ("phone_e164", "phone_e164"),
    ("street_address", "address"),
    ("country_code", "country_code"),
    ("preferred_language", "preferred_language"),
)
PROFILE_FACTS = (
    "lifecycle_stage",
    "rfm_score",
    "order_count",
    "total_revenue",
    "reporting_currency",
    "last_order_date",
    "session_count",
    "last_visit_at",
    "ticket_count",
    "record_count",
    "source_tables",
    "is_erased",
    "is_test_account",
)


def _mask_row(row: dict[str, Any], pii: frozenset[str], show_pii: bool) -> dict[str, Any]:
    if show_pii:
        return row
    return {key: (mask_value(value) if key in pii else value) for key, value in row.items()}


def _personal_columns(project: SegmentProject | None) -> frozenset[str]:
    documented = (
        {name for name, column in project.settings.customer_model.columns.items() if column.is_pii}
        if project
        else set()
    )
    return frozenset(
        documented | {"first_name", "last_name", "email", "phone_e164", "street_address", "city"}
    )


def search(
    data: UiWarehouse, query: str, show_pii: bool, project: SegmentProject | None = None
) -> list[dict]:
    """Customers whose id, e-mail, phone or name matches `query` (bound as parameters, never spliced)."""
    text = query.strip()
    email = text.lower()
    digits = re.sub(r"\D", "", text)
    # Phones are E.164 in the marts; a national number typed with its leading 0 matches on the rest.
    phone_tail = f"%{digits.lstrip('0')}" if len(digits) >= 6 else None
    name_pattern = "%" + " ".join(text.lower().split()) + "%"
    conditions = [
        "customer_id = ?",
        "email_normalized = ?",
        "lower(coalesce(first_name, '') || ' ' || coalesce(last_name, '')) like ?",
        "lower(coalesce(last_name, '') || ' ' || coalesce(first_name, '')) like ?",
    ]
    params: list[Any] = [text, email, name_pattern, name_pattern]
    if phone_tail:
        conditions.append("phone_e164 like ?")
        params.append(phone_tail)
    rows = data.select(
        CUSTOMERS_MODEL,
        SUMMARY_COLUMNS,
        where=" or ".join(f"({condition})" for condition in conditions),
        params=params,
        order_by="customer_id",
        limit=SEARCH_LIMIT,
    ).dicts()
    pii = _personal_columns(project)
    return [_mask_row(row, pii, show_pii) for row in rows]


@dataclass
class CustomerProfile:
    customer_id: str
    attributes: list[dict[str, Any]]  # name, value, source_table, source_record_key
    facts: dict[str, Any]
    links: list[dict[str, Any]]
    records: list[dict[str, Any]]  # record_key, source_table
    consents: list[dict[str, Any]]
    consent_events: list[dict[str, Any]]
    segments: list[dict[str, Any]]
    destinations: list[dict[str, Any]]
    is_erased: bool
    notes: list[str] = field(default_factory=list)


def profile(
    data: UiWarehouse, project: SegmentProject, customer_id: str, show_pii: bool
) -> CustomerProfile | None:
    """Everything the app shows about one customer; None when the id is unknown."""
    available = data.columns(CUSTOMERS_MODEL)
    fact_columns = [column for column in PROFILE_FACTS if column in available]
    attribute_columns = [column for column, _ in GOLDEN_ATTRIBUTES if column in available]
    found = data.select(
        CUSTOMERS_MODEL, ["customer_id", *attribute_columns, *fact_columns], "customer_id = ?", [customer_id]
    ).dicts()
    if not found:
        return None
    row = found[0]
    pii = _personal_columns(project)
    is_erased = bool(row.get("is_erased"))
    provenance: dict[str, Any] = {}
    if not is_erased:
        golden_columns = [
            f"{prefix}_{suffix}"
            for _, prefix in GOLDEN_ATTRIBUTES
            for suffix in ("source_table", "source_record_key")
        ]
        golden_available = data.columns(GOLDEN_MODEL)
        golden_columns = [column for column in golden_columns if column in golden_available]
        golden = data.select(GOLDEN_MODEL, golden_columns, "customer_id = ?", [customer_id]).dicts()
        provenance = golden[0] if golden else {}
    attributes = [
        {
            "name": column,
            "value": mask_value(row[column]) if column in pii and not show_pii else row[column],
            "source_table": provenance.get(f"{prefix}_source_table"),
            "source_record_key": provenance.get(f"{prefix}_source_record_key"),
        }
        for column, prefix in GOLDEN_ATTRIBUTES
        if column in row
    ]
    links = data.select(
        LINKS_MODEL,
        [
            "record_key",
            "source_table",
            "linked_record_key",
            "linked_source_table",
            "edge_type",
            "rule_name",
            "match_weight",
            "match_probability",
        ],
        "customer_id = ?",
        [customer_id],
        order_by="match_probability desc nulls last, record_key, linked_record_key",
    ).dicts()
    records: dict[str, str] = {}
    for link in links:
        for key, table in (
            (link["record_key"], link["source_table"]),
            (link["linked_record_key"], link["linked_source_table"]),
        ):
            if key:
                records.setdefault(key, table)
    consents = data.select(
        CONSENTS_MODEL,
        ["channel", "consent_status", "has_consent", "decided_at", "decision_collected_via"],
        "customer_id = ?",
        [customer_id],
        order_by="channel",
    ).dicts()
    consent_events = data.select(
        CONSENT_EVENTS_MODEL,
        ["occurred_at", "channel", "status", "collected_via", "is_valid_decision"],
        "customer_id = ?",
        [customer_id],
        order_by="occurred_at desc",
        limit=200,
    ).dicts()
    memberships = data.select(
        MEMBERS_MODEL,
        ["segment_name", "channel", "is_holdout"],
        "customer_id = ?",
        [customer_id],
        order_by="segment_name",
    ).dicts()
    # Syncs key records by customer id (the sync default, `key`): what each destination was last sent.
    destinations = data.state_rows(
        "destination_records",
        ["sync_name", "synced_at", "run_id"],
        "where record_key = ? order by sync_name",
        [customer_id],
    ).dicts()
    return CustomerProfile(
        customer_id=customer_id,
        attributes=attributes,
        facts={column: row[column] for column in fact_columns},
        links=links,
        records=[{"record_key": key, "source_table": table} for key, table in sorted(records.items())],
        consents=consents,
        consent_events=consent_events,
        segments=memberships,
        destinations=destinations,
        is_erased=is_erased,
    )
