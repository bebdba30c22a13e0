"""The dashboard: the KPI marts (models/marts/kpis, segment_daily_sizes) summed into what its charts draw.

Daily rows are rolled up to months on the server; ratios (CAC, ROAS) are recomputed from the summed spend,
customers and revenue, as the KPI documentation says to roll them up.
"""

from __future__ import annotations

import logging
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from activation.errors import ActivationError
from activation.ui import charts
from activation.ui.warehouse import UiWarehouse

logger = logging.getLogger(__name__)

COHORT_MONTHS_SHOWN = 13
COHORTS_SHOWN = 12


def _float(value: Any) -> float | None:
    if value is None:
        return None
    return float(value) if isinstance(value, Decimal | int | float) else float(str(value))


@dataclass
class Panel:
    title: str
    chart: Any = None
    table: list[list[Any]] | None = None
    header: list[str] = field(default_factory=list)
    note: str = ""
    error: str = ""


def _month(value: Any) -> str:
    return str(value)[:7]


def revenue_panels(data: UiWarehouse) -> list[Panel]:
    rows = data.select(
        "kpi_daily",
        ["date_day", "online_revenue", "offline_revenue", "active_customers_30d", "reporting_currency"],
        order_by="date_day",
    ).dicts()
    online: dict[str, float] = defaultdict(float)
    offline: dict[str, float] = defaultdict(float)
    active: dict[str, float] = {}
    currency = ""
    for row in rows:
        month = _month(row["date_day"])
        online[month] += _float(row["online_revenue"]) or 0.0
        offline[month] += _float(row["offline_revenue"]) or 0.0
        # Active customers at the end of each month: the last day's 30-day count.
        active[month] = _float(row["active_customers_30d"]) or 0.0
        currency = row["reporting_currency"] or currency
    months = sorted(online)[-24:]
    return [
        Panel(
            f"Revenue by month, online and in store ({currency})",
            charts.line_chart(
                months,
                {"online": [online[m] for m in months], "in store": [offline[m] for m in months]},
                "revenue",
            ),
            note=f"total {sum(online.values()) + sum(offline.values()):,.2f} {currency} over all days",
        ),
        Panel(
            "Active customers (bought in the last 30 days), month end",
            charts.line_chart(months, {"active customers": [active[m] for m in months]}, "active customers"),
        ),
    ]


def retention_panel(data: UiWarehouse) -> Panel:
    rows = data.select(
        "kpi_cohort_retention",
        ["cohort_month", "months_since_first_purchase", "cohort_size", "retention_rate"],
        where=f"months_since_first_purchase < {COHORT_MONTHS_SHOWN}",
        order_by="cohort_month, months_since_first_purchase",
    ).dicts()
    cohorts: dict[str, dict[int, float | None]] = defaultdict(dict)
    sizes: dict[str, int] = {}
    for row in rows:
        cohort = _month(row["cohort_month"])
        cohorts[cohort][int(row["months_since_first_purchase"])] = _float(row["retention_rate"])
        sizes[cohort] = int(row["cohort_size"])
    table = []
    for cohort in sorted(cohorts)[-COHORTS_SHOWN:]:
        cells = []
        for month in range(COHORT_MONTHS_SHOWN):
            rate = cohorts[cohort].get(month)
            cells.append({"text": "" if rate is None else f"{rate:.0%}", "class": charts.heat_class(rate)})
        table.append([cohort, sizes[cohort], *cells])
    return Panel(
        "Cohort retention: share of each first-purchase cohort buying n months later",
        table=table,
        header=["cohort", "size", *[str(month) for month in range(COHORT_MONTHS_SHOWN)]],
    )


def marketing_panels(data: UiWarehouse) -> list[Panel]:
    rows = data.select(
        "kpi_marketing_performance",
        ["ads_channel", "spend", "new_customers", "attributed_revenue", "reporting_currency"],
    ).dicts()
    spend: dict[str, float] = defaultdict(float)
    customers: dict[str, float] = defaultdict(float)
    revenue: dict[str, float] = defaultdict(float)
    currency = ""
    for row in rows:
        channel = str(row["ads_channel"])
        spend[channel] += _float(row["spend"]) or 0.0
        customers[channel] += _float(row["new_customers"]) or 0.0
        revenue[channel] += _float(row["attributed_revenue"]) or 0.0
        currency = row["reporting_currency"] or currency
    channels = sorted(spend)
    cac = [
        (channel, spend[channel] / customers[channel] if customers[channel] else None) for channel in channels
    ]
    roas = [(channel, revenue[channel] / spend[channel] if spend[channel] else None) for channel in channels]
    return [
        Panel(f"CAC by ads channel ({currency} per new customer)", charts.bar_chart(cac, "CAC", "")),
        Panel("ROAS by ads channel (attributed revenue / spend)", charts.bar_chart(roas, "ROAS", "")),
    ]


def segment_sizes_panel(data: UiWarehouse) -> Panel:
    rows = data.select(
        "segment_daily_sizes", ["size_date", "segment_name", "member_count"], order_by="size_date"
    ).dicts()
    dates = sorted({str(row["size_date"]) for row in rows})
    series: dict[str, list[float | None]] = {}
    for row in rows:
        series.setdefault(str(row["segment_name"]), [None] * len(dates))[
            dates.index(str(row["size_date"]))
        ] = _float(row["member_count"])
    latest = sorted(
        ((name, points[-1]) for name, points in series.items() if points), key=lambda item: -(item[1] or 0)
    )
    if len(dates) < 2:
        return Panel(
            "Segment sizes (latest build; over time once builds run on several days)",
            charts.bar_chart(latest, "segment sizes"),
        )
    return Panel("Segment sizes over time", charts.line_chart(dates, series, "segment sizes"))


def identity_panel(data: UiWarehouse) -> Panel:
    rows = data.select(
        "kpi_identity_resolution",
        [
            "source_table",
            "record_count",
            "customer_count",
            "avg_records_per_customer",
            "merge_rate",
            "cross_source_record_share",
            "link_count",
        ],
        order_by="source_table",
    ).dicts()
    table = [
        [
            row["source_table"],
            f"{int(row['record_count']):,}",
            f"{int(row['customer_count']):,}",
            f"{_float(row['avg_records_per_customer']) or 0:.2f}",
            f"{_float(row['merge_rate']) or 0:.1%}",
            f"{_float(row['cross_source_record_share']) or 0:.1%}",
            f"{int(row['link_count'] or 0):,}",
        ]
        for row in rows
    ]
    bars = [
        (str(row["source_table"]), _float(row["record_count"]))
        for row in rows
        if row["source_table"] != "all"
    ]
    return Panel(
        "Identity resolution: records per source and how they merged",
        chart=charts.bar_chart(bars, "records per source"),
        table=table,
        header=["source", "records", "customers", "records/customer", "merge rate", "cross-source", "links"],
    )


def panels(data: UiWarehouse) -> list[Panel]:
    """Every panel; one whose mart is missing (not built yet) shows why instead of failing the page."""
    built: list[Panel] = []
    for title, build in (
        ("Revenue and active customers", revenue_panels),
        ("Cohort retention", retention_panel),
        ("Marketing performance", marketing_panels),
        ("Segment sizes", segment_sizes_panel),
        ("Identity resolution", identity_panel),
    ):
        try:
            result = build(data)
        except ActivationError as error:
            logger.warning("Dashboard panel %s failed: %s", title, error)
            built.append(Panel(title, error=str(error)))
            continue
        built.extend(result if isinstance(result, list) else [result])
    return built
