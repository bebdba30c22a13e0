"""The raw-table contract the generator writes: the one place that lists every table and its columns.

The column lists mirror ``models/staging/*/_*__sources.yml`` (a test parses those files and compares), so the
generated files can be loaded wherever the dbt sources point. Every column is text: staging does the typing.
"""

from __future__ import annotations

import json
from collections.abc import Iterable

#: Raw tables in the order they are generated and written, each with its ordered columns.
TABLE_COLUMNS: dict[str, tuple[str, ...]] = {
    "crm_contacts": (
        "contact_id",
        "salutation",
        "first_name",
        "last_name",
        "email",
        "phone",
        "mobile_phone",
        "birth_date",
        "street_address",
        "postal_code",
        "city",
        "country",
        "language",
        "created_at",
        "updated_at",
    ),
    "shop_customers": (
        "customer_id",
        "email",
        "first_name",
        "last_name",
        "phone",
        "birth_date",
        "street_address",
        "postal_code",
        "city",
        "country_code",
        "accepts_marketing",
        "created_at",
        "updated_at",
    ),
    "shop_orders": (
        "order_id",
        "customer_id",
        "email",
        "phone",
        "status",
        "currency",
        "total_amount",
        "discount_amount",
        "shipping_amount",
        "shipping_postal_code",
        "shipping_city",
        "shipping_country_code",
        "ordered_at",
        "updated_at",
    ),
    "shop_order_lines": (
        "order_line_id",
        "order_id",
        "product_id",
        "quantity",
        "unit_price",
        "line_discount_amount",
    ),
    "shop_products": (
        "product_id",
        "sku",
        "product_name",
        "category",
        "subcategory",
        "brand",
        "list_price",
        "currency",
        "created_at",
    ),
    "web_events": (
        "event_id",
        "anonymous_id",
        "user_id",
        "event_name",
        "page_url",
        "page_title",
        "referrer",
        "utm_source",
        "utm_medium",
        "utm_campaign",
        "utm_content",
        "utm_term",
        "form_email",
        "product_id",
        "device_type",
        "occurred_at",
    ),
    "pos_transactions": (
        "transaction_id",
        "store_id",
        "store_name",
        "loyalty_card_id",
        "receipt_email",
        "total_amount",
        "currency",
        "payment_method",
        "transaction_at",
    ),
    "pos_transaction_lines": (
        "transaction_line_id",
        "transaction_id",
        "product_id",
        "quantity",
        "unit_price",
    ),
    "loyalty_members": (
        "loyalty_card_id",
        "first_name",
        "last_name",
        "email",
        "phone",
        "birth_date",
        "postal_code",
        "city",
        "country",
        "home_store_id",
        "tier",
        "enrolled_at",
    ),
    "support_tickets": (
        "ticket_id",
        "requester_email",
        "requester_phone",
        "requester_name",
        "subject",
        "channel",
        "status",
        "priority",
        "satisfaction_score",
        "created_at",
        "solved_at",
    ),
    "consent_events": (
        "consent_event_id",
        "subject_type",
        "subject_value",
        "channel",
        "status",
        "occurred_at",
        "collected_via",
    ),
    "privacy_erasure_requests": (
        "request_id",
        "subject_type",
        "subject_value",
        "requested_at",
        "received_via",
    ),
    "ads_spend": (
        "spend_date",
        "channel",
        "campaign_id",
        "campaign_name",
        "spend_amount",
        "currency",
        "impressions",
        "clicks",
    ),
}

#: The ground truth: which true person every person-linked record belongs to.
TRUTH_TABLE = "truth_record_persons"
TRUTH_COLUMNS: tuple[str, ...] = ("source_table", "record_id", "person_id")

#: Optional golden records of the true persons (not part of the committed sample).
PERSONS_TABLE = "truth_persons"
PERSONS_COLUMNS: tuple[str, ...] = (
    "person_id",
    "kind",
    "first_name",
    "last_name",
    "birth_date",
    "email",
    "previous_email",
    "email_changed_at",
    "mobile_phone",
    "landline_phone",
    "street_address",
    "postal_code",
    "city",
    "country_code",
    "previous_postal_code",
    "previous_city",
    "moved_at",
    "household_id",
)

#: Primary-key column of each raw table (ads_spend has a composite key instead, see ADS_SPEND_KEY).
PRIMARY_KEYS: dict[str, str] = {
    "crm_contacts": "contact_id",
    "shop_customers": "customer_id",
    "shop_orders": "order_id",
    "shop_order_lines": "order_line_id",
    "shop_products": "product_id",
    "web_events": "event_id",
    "pos_transactions": "transaction_id",
    "pos_transaction_lines": "transaction_line_id",
    "loyalty_members": "loyalty_card_id",
    "support_tickets": "ticket_id",
    "consent_events": "consent_event_id",
    "privacy_erasure_requests": "request_id",
}
ADS_SPEND_KEY: tuple[str, ...] = ("spend_date", "channel", "campaign_id")

#: Truth ``source_table`` value -> (raw table, column holding the record id) for person-linked records.
#: Web visitors are identified by their cookie, so the truth lists one row per distinct anonymous id.
TRUTH_SOURCES: dict[str, tuple[str, str]] = {
    "crm_contacts": ("crm_contacts", "contact_id"),
    "shop_customers": ("shop_customers", "customer_id"),
    "shop_orders": ("shop_orders", "order_id"),
    "web_anonymous_ids": ("web_events", "anonymous_id"),
    "pos_transactions": ("pos_transactions", "transaction_id"),
    "loyalty_members": ("loyalty_members", "loyalty_card_id"),
    "support_tickets": ("support_tickets", "ticket_id"),
    "consent_events": ("consent_events", "consent_event_id"),
    "privacy_erasure_requests": ("privacy_erasure_requests", "request_id"),
}

#: Tables written once with the base batch only (a follow-up batch never adds rows to them).
BASE_ONLY_TABLES: frozenset[str] = frozenset({"shop_products"})

#: Descriptions used in the generated seeds YAML.
SEED_DESCRIPTIONS: dict[str, str] = {
    TRUTH_TABLE: "Ground truth of the demo data: the true person behind every person-linked raw record.",
    PERSONS_TABLE: "Ground truth of the demo data: the true identity of every person.",
}


def output_columns(table: str) -> tuple[str, ...]:
    """Ordered columns of a raw table, of the truth table or of the persons table."""
    if table in TABLE_COLUMNS:
        return TABLE_COLUMNS[table]
    if table == TRUTH_TABLE:
        return TRUTH_COLUMNS
    if table == PERSONS_TABLE:
        return PERSONS_COLUMNS
    raise ValueError(f"table: unknown table {table!r}")


def render_seeds_yaml(tables: Iterable[str]) -> str:
    """The seeds properties YAML declaring every column of the given seeds as text.

    dbt infers seed column types from the CSV values, which would turn ``0612345678`` into a number and drop
    its leading zero; forcing text keeps raw values exactly as generated. Spark calls the type ``string``.
    """
    text_type = "\"{{ 'string' if target.type == 'spark' else 'text' }}\""
    lines = [
        "# Generated by activation.datagen (python -m activation.datagen --sample); do not edit by hand.",
        "version: 2",
        "seeds:",
    ]
    for table in tables:
        description = SEED_DESCRIPTIONS.get(
            table, f"Demo raw data standing in for the `{table}` table an EL tool would load."
        )
        lines += [
            f"  - name: {table}",
            f"    description: {json.dumps(description, ensure_ascii=False)}",
            "    config:",
            "      column_types:",
        ]
        lines += [f"        {column}: {text_type}" for column in output_columns(table)]
    return "\n".join(lines) + "\n"
