"""The KPI marts on the committed sample, on every engine, recomputed in Python from the facts.

One query per engine reads the facts the KPIs are made of (orders, tagged web sessions, monthly ad spend,
test accounts, the as-of date) and the KPI figures to check; Python then recomputes, from the facts and the
vars of dbt_project.yml only:
- kpi_daily's total revenue and the customers active in the 30 days ending on the as-of date;
- kpi_marketing_performance's first-touch attribution (new customers per month, ads channel and campaign)
  and the CAC of every campaign month with spend and customers.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter, defaultdict
from decimal import ROUND_HALF_UP, Decimal

import yaml

from tests.conftest import PROJECT_DIR, Warehouse


def project_vars() -> dict:
    with (PROJECT_DIR / "dbt_project.yml").open() as handle:
        return yaml.safe_load(handle)["vars"]


def parse_timestamp(text: str) -> dt.datetime:
    return dt.datetime.fromisoformat(text.replace("T", " ")[:26])


def facts_and_kpis_sql(warehouse: Warehouse, reporting_currency: str) -> str:
    text = "string" if warehouse.target == "spark" else "varchar"
    marts = f"{warehouse.schema}_marts"
    staging = f"{warehouse.schema}_staging"
    intermediate = f"{warehouse.schema}_intermediate"
    # Spend is converted to the reporting currency row by row, to the cent: other currencies are read per day.
    spend_period = (
        f"case when currency = '{reporting_currency}' then substr(cast(spend_date as {text}), 1, 7) "
        f"else cast(spend_date as {text}) end"
    )
    return f"""
        with as_of as (
            select as_of_date from {intermediate}.int_customer360_as_of
        )
        select
            'as_of' as kind, cast(as_of_date as {text}) as a, cast(null as {text}) as b,
            cast(null as {text}) as c, cast(null as {text}) as d, cast(null as {text}) as e
        from as_of
        union all
        select 'test_account', customer_id, null, null, null, null
        from {marts}.dim_customers where is_test_account
        union all
        select 'order', customer_id, cast(ordered_at as {text}), cast(order_date as {text}),
            case when is_purchase then '1' else '0' end, cast(recognised_revenue_reporting as {text})
        from {marts}.fct_orders
        union all
        select 'session', customer_id, cast(started_at as {text}), utm_source, utm_campaign, null
        from {marts}.fct_web_sessions where utm_source is not null
        union all
        select 'spend', channel, {spend_period}, campaign_name, currency, cast(sum(spend_amount) as {text})
        from {staging}.stg_ads__spend
        group by channel, {spend_period}, campaign_name, currency
        union all
        select 'kpi_marketing', substr(cast(month_start_date as {text}), 1, 7), ads_channel, campaign_name,
            cast(new_customers as {text}), cast(cac as {text})
        from {marts}.kpi_marketing_performance
        union all
        select 'kpi_daily', cast(sum(revenue) as {text}),
            cast(max(case when date_day = as_of.as_of_date then active_customers_30d end) as {text}),
            null, null, null
        from {marts}.kpi_daily cross join as_of
    """


def test_kpis_match_an_independent_recomputation(sample_warehouse: Warehouse) -> None:
    warehouse = sample_warehouse
    settings = project_vars()
    rows = warehouse.query(facts_and_kpis_sql(warehouse, settings["cdp_reporting_currency"]))
    by_kind: dict[str, list[tuple]] = defaultdict(list)
    for kind, *values in rows:
        by_kind[str(kind)].append(tuple(None if value is None else str(value) for value in values))
    as_of = dt.date.fromisoformat(by_kind["as_of"][0][0])
    test_accounts = {row[0] for row in by_kind["test_account"]}
    assert test_accounts, "the sample's test accounts are no longer flagged"

    # kpi_daily: revenue and 30-day actives straight from the orders.
    orders = [
        (
            customer_id,
            parse_timestamp(ordered_at),
            dt.date.fromisoformat(order_date),
            purchase == "1",
            revenue,
        )
        for customer_id, ordered_at, order_date, purchase, revenue in by_kind["order"]
        if customer_id not in test_accounts and dt.date.fromisoformat(order_date) <= as_of
    ]
    revenue = sum(Decimal(revenue) for _, _, _, _, revenue in orders if revenue is not None)
    active_30d = {
        customer_id
        for customer_id, _, order_date, is_purchase, _ in orders
        if is_purchase and customer_id is not None and (as_of - order_date).days < 30
    }
    kpi_revenue, kpi_active_30d = by_kind["kpi_daily"][0][:2]
    assert Decimal(kpi_revenue) == revenue
    assert int(kpi_active_30d) == len(active_30d) > 0

    # kpi_marketing_performance: first touch within the lookback before the first purchase.
    first_purchases: dict[str, dt.datetime] = {}
    for customer_id, ordered_at, _, is_purchase, _ in orders:
        if is_purchase and customer_id is not None:
            first_purchases[customer_id] = min(ordered_at, first_purchases.get(customer_id, ordered_at))
    lookback = dt.timedelta(days=settings["cdp_attribution_lookback_days"])
    first_touches: dict[str, tuple[dt.datetime, str, str | None]] = {}
    for customer_id, started_at, utm_source, utm_campaign, _ in by_kind["session"]:
        started = parse_timestamp(started_at)
        purchased = first_purchases.get(customer_id)
        if purchased is None or not purchased - lookback <= started <= purchased:
            continue
        if customer_id not in first_touches or started < first_touches[customer_id][0]:
            first_touches[customer_id] = (started, utm_source, utm_campaign)
    utm_channels = settings["cdp_attribution_utm_sources"]
    new_customers = Counter(
        (
            f"{first_purchases[customer_id]:%Y-%m}",
            utm_channels[source.lower()],
            (campaign or "(not set)").lower(),
        )
        for customer_id, (_, source, campaign) in first_touches.items()
        if source.lower() in utm_channels
    )

    aliases = settings["cdp_ads_channel_aliases"]
    rates = settings["cdp_exchange_rates"]
    spend: Counter = Counter()
    for channel, period, campaign_name, currency, amount in by_kind["spend"]:
        if period[:10] <= as_of.isoformat():
            key = (period[:7], aliases.get(channel, channel), campaign_name.lower())
            converted = Decimal(amount) * Decimal(str(rates[currency]))
            spend[key] += converted.quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)

    kpi_customers = Counter()
    checked_cac = 0
    for month, channel, campaign_name, customers, cac in by_kind["kpi_marketing"]:
        key = (month, channel, campaign_name.lower())
        kpi_customers[key] = int(customers)
        if int(customers) and spend[key]:
            expected = (spend[key] / int(customers)).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)
            assert Decimal(cac) == expected, (key, cac, expected)
            checked_cac += 1
    assert +kpi_customers == new_customers
    assert checked_cac >= 50, f"only {checked_cac} campaign months with spend and customers"
