"""The Customer 360 on the committed sample, on every engine: what an auditor and a marketer would check.

- The right to be forgotten: the personal data of every erased person (the customer an erasure request
  reached through identity resolution) appears in no table of the marts schema. The values searched for come
  from staging, not from the marts, and the same search must find them in the golden record (intermediate),
  so the test fails if the search itself stops working.
- dim_customers has exactly one row per customer of identity resolution.
- Current consent equals the latest decision recorded on any of the customer's records.

Each test is one query, two for the marts scan (every Spark query is a separate process).
"""

from __future__ import annotations

from collections import defaultdict

from tests.conftest import Warehouse

CONSENT_CHANNELS = ("email", "sms", "phone", "ads_personalisation")
# Tables searched to prove the search finds the erased people's values where they legitimately remain.
CONTROL_TABLES = ("int_customers_golden", "int_identifiers_unioned")
# Sources whose record id is a personal identifier (account, card, cookie): their record keys
# ('crm_contacts:<id>') are searched too, the form fct_identity_links holds them in.
PERSONAL_RECORD_SOURCES = "'crm_contacts', 'shop_customers', 'loyalty_members', 'web_anonymous_ids'"
# Marts that must be scanned: a mart missing from the schema would pass unnoticed.
REQUIRED_MARTS = {
    "dim_customers",
    "fct_identity_links",
    "kpi_daily",
    "kpi_cohort_retention",
    "kpi_marketing_performance",
    "kpi_identity_resolution",
}


def mart_tables(warehouse: Warehouse) -> list[str]:
    marts = f"{warehouse.schema}_marts"
    if warehouse.target == "spark":
        rows = warehouse.query(f"show tables in {marts}")
        return sorted(str(row[1]) for row in rows if not row[2])
    rows = warehouse.query(f"select table_name from information_schema.tables where table_schema = '{marts}'")
    return sorted(str(row[0]) for row in rows)


def row_text_sql(warehouse: Warehouse) -> str:
    """A row of table alias `scanned` as lower-case JSON: string values appear quoted, "like this"."""
    if warehouse.target == "spark":
        return "lower(to_json(struct(*)))"
    if warehouse.target == "postgres":
        return "lower(row_to_json(scanned)::text)"
    return "lower(to_json(scanned))"


def erased_values_sql(warehouse: Warehouse) -> str:
    """The erased people's personal values that no other customer's record carries, as search needles.

    kind 'email' / 'phone': the value anywhere in a row; 'name': first and last name as two whole values of
    one row; 'full_name': "first last" anywhere; 'identifier': an id (loyalty card, shop account, CRM contact,
    cookie) as a whole value; 'record_key': such an id in its record key form ('loyalty_members:<id>'). A
    value another customer also carries (a shared household phone, a namesake) legitimately stays in the
    marts, so it is not searched for.
    """
    staging = f"{warehouse.schema}_staging"
    intermediate = f"{warehouse.schema}_intermediate"
    return f"""
        customer_ids as (
            select record_key, customer_id from {intermediate}.int_identity_customer_ids
        ),
        erased_customers as (
            select distinct customer_id from customer_ids
            where record_key like 'privacy_erasure_requests:%'
        ),
        record_values as (
            select 'crm_contacts:' || contact_id as record_key, email, phone_e164,
                mobile_phone_e164 as other_phone, first_name, last_name
            from {staging}.stg_crm__contacts
            union all
            select 'shop_customers:' || customer_id, email, phone_e164, null, first_name, last_name
            from {staging}.stg_shop__customers
            union all
            select 'loyalty_members:' || loyalty_card_id, email, phone_e164, null, first_name, last_name
            from {staging}.stg_loyalty__members
            union all
            select 'shop_orders:' || order_id, email, phone_e164, null, null, null
            from {staging}.stg_shop__orders
            union all
            select 'pos_transactions:' || transaction_id, receipt_email, null, null, null, null
            from {staging}.stg_pos__transactions
            union all
            select 'support_tickets:' || ticket_id, requester_email, requester_phone_e164, null, null, null
            from {staging}.stg_support__tickets
            union all
            select 'privacy_erasure_requests:' || request_id,
                case when subject_type = 'email' then subject_value end,
                case when subject_type = 'phone' then subject_value end, null, null, null
            from {staging}.stg_privacy__erasure_requests
        ),
        needles_by_record as (
            select record_key, 'email' as kind, lower(email) as needle, '' as second_needle
            from record_values where email is not null
            union all
            select record_key, 'phone', phone_e164, '' from record_values where phone_e164 is not null
            union all
            select record_key, 'phone', other_phone, '' from record_values where other_phone is not null
            union all
            select record_key, 'name', '"' || lower(first_name) || '"', '"' || lower(last_name) || '"'
            from record_values where first_name is not null and last_name is not null
            union all
            select record_key, 'full_name', lower(first_name) || ' ' || lower(last_name), ''
            from record_values where first_name is not null and last_name is not null
            union all
            select record_key, 'identifier', '"' || lower(identifier_value) || '"', ''
            from {intermediate}.int_identifiers_unioned
            where identifier_type in (
                'crm_contact_id', 'shop_customer_id', 'loyalty_card_id', 'web_anonymous_id'
            )
            union all
            select record_key, 'record_key', '"' || lower(record_key) || '"', ''
            from {intermediate}.int_identity_customer_ids
            where source_table in ({PERSONAL_RECORD_SOURCES})
        ),
        needle_owners as (
            select
                needles_by_record.kind,
                needles_by_record.needle,
                needles_by_record.second_needle,
                max(case when erased_customers.customer_id is null then 1 else 0 end) as is_held_by_others,
                max(case when erased_customers.customer_id is not null then 1 else 0 end) as is_held_by_erased
            from needles_by_record
            inner join customer_ids on needles_by_record.record_key = customer_ids.record_key
            left join erased_customers on customer_ids.customer_id = erased_customers.customer_id
            group by needles_by_record.kind, needles_by_record.needle, needles_by_record.second_needle
        ),
        needles as (
            select kind, needle, second_needle from needle_owners
            where is_held_by_erased = 1 and is_held_by_others = 0
        )"""


def test_erased_peoples_personal_data_appears_in_no_mart(sample_warehouse: Warehouse) -> None:
    warehouse = sample_warehouse
    tables = [(f"{warehouse.schema}_marts", table) for table in mart_tables(warehouse)]
    missing = REQUIRED_MARTS - {table for _, table in tables}
    assert not missing, f"marts not built: {missing}"
    tables += [(f"{warehouse.schema}_intermediate", table) for table in CONTROL_TABLES]
    row_text = row_text_sql(warehouse)
    scanned_rows = "\n                union all\n".join(
        f"select '{table}' as table_name, {row_text} as row_text from {schema}.{table} as scanned"
        for schema, table in tables
    )
    rows = warehouse.query(
        f"""
        with {erased_values_sql(warehouse)},
        scanned_rows as (
            {scanned_rows}
        ),
        needle_counts as (
            select '(needles)' as table_name, kind, '' as needle, count(*) as hits
            from needles group by kind
        ),
        hits as (
            select scanned_rows.table_name, needles.kind, needles.needle, count(*) as hits
            from scanned_rows
            cross join needles
            where
                position(needles.needle in scanned_rows.row_text) > 0
                and (
                    needles.second_needle = ''
                    or position(needles.second_needle in scanned_rows.row_text) > 0
                )
            group by scanned_rows.table_name, needles.kind, needles.needle
        )
        select table_name, kind, needle, hits from needle_counts
        union all
        select table_name, kind, needle, hits from hits
        """
    )
    needle_counts = {kind: int(count) for table, kind, _, count in rows if table == "(needles)"}
    control_hits = {(table, kind) for table, kind, _, _ in rows if table in CONTROL_TABLES}
    leaks = sorted(
        (table, kind, needle, int(hits))
        for table, kind, needle, hits in rows
        if table != "(needles)" and table not in CONTROL_TABLES
    )
    assert {"email", "phone", "name", "identifier", "record_key"} <= set(needle_counts), needle_counts
    # The search must find each kind of value where it legitimately remains, or a pass would prove nothing.
    for kind in ("email", "phone", "name"):
        assert ("int_customers_golden", kind) in control_hits, f"the search no longer finds {kind}s"
    assert ("int_identifiers_unioned", "identifier") in control_hits, "the search no longer finds identifiers"
    assert ("int_identifiers_unioned", "record_key") in control_hits, "the search no longer finds record keys"
    assert not leaks, f"erased people's personal data in the marts on {warehouse.target}: {leaks[:20]}"


def test_dim_customers_has_one_row_per_identity_customer(sample_warehouse: Warehouse) -> None:
    marts = f"{sample_warehouse.schema}_marts"
    intermediate = f"{sample_warehouse.schema}_intermediate"
    ((dim_rows, dim_ids, identity_ids, missing, extra),) = sample_warehouse.query(
        f"""
        with identity_customers as (
            select distinct customer_id from {intermediate}.int_identity_customer_ids
        ),
        dim as (
            select customer_id from {marts}.dim_customers
        )
        select
            (select count(*) from dim),
            (select count(distinct customer_id) from dim),
            (select count(*) from identity_customers),
            (select count(*) from identity_customers
             where customer_id not in (select customer_id from dim where customer_id is not null)),
            (select count(*) from dim
             where customer_id not in (select customer_id from identity_customers))
        """
    )
    customers = int(identity_ids)
    assert customers > 2000
    assert (int(dim_rows), int(dim_ids), int(missing), int(extra)) == (customers, customers, 0, 0)


def test_current_consent_is_the_latest_decision_of_any_of_the_customers_records(
    sample_warehouse: Warehouse,
) -> None:
    """Recomputed from staging and identity: the latest decision per customer and channel, a withdrawal
    winning a tie, then the larger decision id; no decision means unknown and not granted (RGPD default);
    erased customers have no consent. dim_customers' columns per channel must say the same."""
    staging = f"{sample_warehouse.schema}_staging"
    intermediate = f"{sample_warehouse.schema}_intermediate"
    marts = f"{sample_warehouse.schema}_marts"
    wide_status = " ".join(
        f"when '{channel}' then customers.{channel}_consent_status" for channel in CONSENT_CHANNELS
    )
    wide_has_consent = " ".join(
        f"when '{channel}' then customers.has_{channel}_consent" for channel in CONSENT_CHANNELS
    )
    # One query (each is a process on Spark): the marts' consents, then the recorded decisions.
    rows = sample_warehouse.query(
        f"""
        with erased_customers as (
            select distinct customer_id from {intermediate}.int_identity_customer_ids
            where record_key like 'privacy_erasure_requests:%'
        )
        select 'consent' as row_type, consents.customer_id, consents.channel, consents.consent_status,
            consents.decided_at, consents.decision_consent_event_id, consents.has_consent,
            erased_customers.customer_id is not null as is_erased,
            case consents.channel {wide_status} end as wide_status,
            case consents.channel {wide_has_consent} end as wide_has_consent
        from {marts}.dim_customer_consents as consents
        inner join {marts}.dim_customers as customers
            on consents.customer_id = customers.customer_id
        left join erased_customers
            on consents.customer_id = erased_customers.customer_id
        union all
        select 'decision', customer_ids.customer_id, events.channel, events.status, events.occurred_at,
            events.consent_event_id, null, null, null, null
        from {staging}.stg_consent__events as events
        inner join {intermediate}.int_identity_customer_ids as customer_ids
            on customer_ids.record_key = 'consent_events:' || events.consent_event_id
        where events.channel is not null and events.status is not null and events.occurred_at is not null
        """
    )

    latest: dict[tuple[str, str], tuple[str, int, bytes, str]] = {}
    decision_counts: dict[tuple[str, str], int] = defaultdict(int)
    for row_type, customer_id, channel, status, occurred_at, event_id, *_ in rows:
        if row_type != "decision":
            continue
        key = (customer_id, channel)
        decision_counts[key] += 1
        # Later wins; at the same instant a withdrawal (1) beats a grant (0); then the larger id.
        candidate = (str(occurred_at), 1 if status == "withdrawn" else 0, event_id.encode(), status)
        if key not in latest or candidate[:3] > latest[key][:3]:
            latest[key] = candidate
    assert sum(1 for count in decision_counts.values() if count > 1) > 100, "too few customers to test"

    seen = set()
    mismatches = []
    for row_type, customer_id, channel, status, decided_at, event_id, has, erased, wide, wide_has in rows:
        if row_type != "consent":
            continue
        key = (customer_id, channel)
        seen.add(key)
        expected = latest.get(key)
        expected_status = expected[3] if expected else "unknown"
        expected_has = expected_status == "granted" and not erased
        expected_decided_at = expected[0] if expected else None
        actual = (status, bool(has), str(decided_at) if decided_at else None, wide, bool(wide_has))
        wanted = (expected_status, expected_has, expected_decided_at, expected_status, expected_has)
        if actual != wanted:
            mismatches.append((customer_id, channel, actual, wanted, event_id))
    assert not mismatches, f"{len(mismatches)} consents differ on {sample_warehouse.target}: {mismatches[:5]}"
    assert set(latest) <= seen, "a customer with decisions has no consent row"
    assert {channel for _, channel in seen} == set(CONSENT_CHANNELS)
    assert any(erased for _, _, _, _, _, _, _, erased, _, _ in rows), "no erased customer to check"
