"""Validate the predictive traits on a time split of generated data, through the whole warehouse pipeline.

    .venv/bin/python benchmarks/predictions_eval.py                       # 20,000 people, 1-year holdout
    .venv/bin/python benchmarks/predictions_eval.py --people 5000 --workdir /tmp/pe --reuse

Generates N people (activation.datagen), loads them into DuckDB and builds the project with the as-of date
set one holdout period before the end of the data (cdp_predictions_as_of_date), so that everything the
models see is the calibration period. Fits the models as `activation predict fit` does (from the warehouse),
writes the parameters into the warehouse's parameter table and rebuilds int_customer_predictions, then
scores the SQL predictions against what the customers did in the holdout period:

  - purchases in the next 90 days (SQL) and over the whole holdout (Python, same parameters): MAE and RMSE
    against two naive baselines (the customer's own repeat-purchase rate x / T times the horizon; one
    population rate for everybody), calibration by decile;
  - churn (no purchase in 90 days): AUC of churn_risk, of 1 - p_alive and of the naive rate, calibration;
  - Gamma-Gamma: error of expected_order_value on the holdout mean purchase value, against the customer's own
    calibration mean;
  - 12-month value: predicted_clv_12m (built without discounting, to compare with plain revenue) against
    actual 12-month revenue, against a naive rate x value extrapolation;
  - lead score: AUC on prospects of the as-of date (first purchase within 90 days);
  - next best category: share of customers who bought a new category in the holdout whose suggestion was
    one of them, against suggesting the most bought category;
  - next purchase date: share of active-looking customers who bought by their predicted median date.

Money is in the default currency (EUR); days with an order in another currency are left out of values, as
in the models. Identity resolution runs on all the data (calibration and holdout): customers are the same
on both sides of the split, at the price of knowing links that only later records revealed.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

BENCHMARKS_DIR = Path(__file__).resolve().parent
sys.path.insert(0, str(BENCHMARKS_DIR.parent))

from activation.datagen import load_into_duckdb, make_config, write_dataset  # noqa: E402
from activation.predictions import bgnbd, metrics, pipeline  # noqa: E402
from activation.project import run_dbt  # noqa: E402

PROJECT_DIR = BENCHMARKS_DIR.parent
RAW_SCHEMA = "generated_raw"


def build_vars(as_of: dt.date) -> dict[str, object]:
    return {
        "cdp_raw_schema": RAW_SCHEMA,
        "cdp_load_sample_data": False,
        "cdp_predictions_as_of_date": as_of.isoformat(),
        # Undiscounted, so that predicted_clv_12m compares with the revenue actually made.
        "cdp_predictions_monthly_discount_rate": 0,
    }


def write_parameters_to_warehouse(database: Path, rows: list[pipeline.ParameterRow]) -> None:
    import duckdb

    with duckdb.connect(str(database)) as connection:
        connection.execute("delete from main_predictions.prediction_model_parameters")
        connection.executemany(
            "insert into main_predictions.prediction_model_parameters values (?, ?, ?, ?, ?)",
            [[row.model_name, row.parameter_name, row.value, row.kind, row.as_of] for row in rows],
        )


EVALUATION_SQL = """
with
purchases as (
    select customer_id, order_date,
        sum(case when currency = 'EUR' then order_revenue end) as revenue,
        count(*) = count(case when currency = 'EUR' and order_revenue is not null then 1 end) as is_valued
    from main_marts.fct_orders
    where customer_id is not null and not is_cancelled and (order_revenue is null or order_revenue > 0)
    group by customer_id, order_date
),
holdout as (
    select customer_id,
        count(case when order_date <= $as_of + 90 then 1 end) as purchases_90d,
        count(*) as purchases_holdout,
        min(order_date) as next_purchase_date,
        avg(case when is_valued then revenue end) as value_mean,
        sum(case when is_valued then revenue else 0 end) as revenue_12m
    from purchases
    where order_date > $as_of and order_date <= $as_of + $holdout
    group by customer_id
),
calibration as (
    select customer_id, avg(case when is_valued then revenue end) as value_mean_all_days
    from purchases where order_date <= $as_of group by customer_id
)
select
    predictions.customer_id,
    summaries.repeat_purchase_count, summaries.recency_days, summaries.age_days,
    predictions.p_alive, predictions.expected_purchases_90d, predictions.churn_risk,
    predictions.expected_order_value, predictions.predicted_clv_12m,
    predictions.predicted_next_purchase_date,
    coalesce(holdout.purchases_90d, 0) as actual_purchases_90d,
    coalesce(holdout.purchases_holdout, 0) as actual_purchases_holdout,
    holdout.next_purchase_date, holdout.value_mean as actual_value_mean,
    coalesce(holdout.revenue_12m, 0) as actual_revenue_12m,
    calibration.value_mean_all_days
from main_intermediate.int_customer_predictions as predictions
inner join main_intermediate.int_customer_purchase_summaries as summaries
    on predictions.customer_id = summaries.customer_id
left join holdout on predictions.customer_id = holdout.customer_id
left join calibration on predictions.customer_id = calibration.customer_id
order by predictions.customer_id
"""

LEADS_SQL = """
select predictions.lead_score, features.sessions_90d,
    exists (
        select 1 from main_marts.fct_orders as orders
        where orders.customer_id = predictions.customer_id and not orders.is_cancelled
            and orders.order_date > $as_of and orders.order_date <= $as_of + 90
    ) as bought
from main_intermediate.int_customer_predictions as predictions
inner join main_intermediate.int_customer_lead_features as features
    on predictions.customer_id = features.customer_id and features.snapshot_index = 0
where predictions.is_prospect
"""

CATEGORIES_SQL = """
with
lines as (
    select 'online' as channel, order_id, product_id, quantity from main_staging.stg_shop__order_lines
    union all
    select 'offline', transaction_id, product_id, quantity from main_staging.stg_pos__transaction_lines
),
bought as (
    select distinct orders.customer_id, products.category, orders.order_date > $as_of as is_holdout
    from lines
    inner join main_marts.fct_orders as orders
        on lines.channel = orders.channel and lines.order_id = orders.order_id
    inner join main_staging.stg_shop__products as products on lines.product_id = products.product_id
    where orders.customer_id is not null and not orders.is_cancelled and lines.quantity > 0
        and orders.order_date <= $as_of + $holdout
),
popular as (
    select category, count(distinct customer_id) as buyers from bought where not is_holdout group by category
),
new_categories as (
    select holdout.customer_id, holdout.category
    from bought as holdout
    left join bought as before
        on holdout.customer_id = before.customer_id and holdout.category = before.category
        and not before.is_holdout
    where holdout.is_holdout and before.customer_id is null
),
popular_suggestion as (
    select customers.customer_id, arg_max(popular.category, popular.buyers) as category
    from (select distinct customer_id from bought where not is_holdout) as customers
    cross join popular
    left join bought as before
        on customers.customer_id = before.customer_id and popular.category = before.category
        and not before.is_holdout
    where before.customer_id is null
    group by customers.customer_id
)
select
    count(distinct new_categories.customer_id) as customers,
    count(distinct case when new_categories.category = suggestions.next_best_category
        then new_categories.customer_id end) as model_hits,
    count(distinct case when new_categories.category = popular_suggestion.category
        then new_categories.customer_id end) as popular_hits
from new_categories
inner join main_intermediate.int_customer_next_best_categories as suggestions
    on new_categories.customer_id = suggestions.customer_id
inner join (select distinct customer_id from bought where not is_holdout) as buyers
    on new_categories.customer_id = buyers.customer_id
left join popular_suggestion on new_categories.customer_id = popular_suggestion.customer_id
"""


def query(database: Path, sql: str, as_of: dt.date, holdout_days: int) -> tuple[list[str], list[tuple]]:
    import duckdb

    text = sql.replace("$as_of", f"date '{as_of.isoformat()}'").replace("$holdout", str(holdout_days))
    # Not read_only: dbt's in-process DuckDB connection is still open, and DuckDB refuses a second
    # connection to the same file with a different configuration.
    with duckdb.connect(str(database)) as connection:
        cursor = connection.execute(text)
        columns = [description[0] for description in cursor.description]
        return columns, cursor.fetchall()


def evaluate(
    database: Path, as_of: dt.date, holdout_days: int, report: pipeline.FitReport
) -> dict[str, object]:
    columns, rows = query(database, EVALUATION_SQL, as_of, holdout_days)
    data = {name: [row[i] for row in rows] for i, name in enumerate(columns)}

    def numbers(name: str) -> np.ndarray:
        return np.array([np.nan if value is None else float(value) for value in data[name]])

    x, recency, age = numbers("repeat_purchase_count"), numbers("recency_days"), numbers("age_days")
    actual = numbers("actual_purchases_90d")
    predicted = numbers("expected_purchases_90d")
    own_rate = np.where(age > 0, x / np.maximum(age, 1), 0.0)
    purchases, _, _ = pipeline.parameters_from_rows(report.rows)
    churned = actual == 0
    figures: dict[str, object] = {
        "customers": len(rows),
        "purchases_90d": purchase_figures(actual, predicted, own_rate, 90),
        # The whole holdout, from the same parameters (Python scoring: the 90-day column is SQL's).
        f"purchases_{holdout_days}d": purchase_figures(
            numbers("actual_purchases_holdout"),
            bgnbd.conditional_expected_purchases(purchases, holdout_days, x, recency, age),
            own_rate,
            holdout_days,
        ),
        "churn_90d": {
            "actual_rate": churned.mean(),
            "predicted_rate": numbers("churn_risk").mean(),
            "auc_churn_risk": metrics.roc_auc(churned, numbers("churn_risk")),
            "auc_one_minus_p_alive": metrics.roc_auc(churned, 1 - numbers("p_alive")),
            "auc_naive_own_rate": metrics.roc_auc(churned, -own_rate),
            "calibration_by_decile": [
                (b.decile, round(b.mean_predicted, 3), round(b.mean_actual, 3))
                for b in metrics.calibration_by_decile(churned, numbers("churn_risk"))
            ],
        },
    }
    value = numbers("actual_value_mean")
    has_value = ~np.isnan(value)
    own_mean = numbers("value_mean_all_days")
    population_mean = np.nanmean(own_mean)
    naive_value = np.where(np.isnan(own_mean), population_mean, own_mean)
    figures["order_value"] = {
        "customers_with_holdout_value": int(has_value.sum()),
        "mae_gamma_gamma": metrics.mean_absolute_error(
            value[has_value], numbers("expected_order_value")[has_value]
        ),
        "mae_naive_own_mean": metrics.mean_absolute_error(value[has_value], naive_value[has_value]),
        "mae_population_mean": metrics.mean_absolute_error(
            value[has_value], np.full(has_value.sum(), population_mean)
        ),
    }
    revenue = numbers("actual_revenue_12m")
    clv = numbers("predicted_clv_12m")
    naive_clv = own_rate * 365.25 * naive_value
    top = max(1, len(rows) // 10)

    def top_decile_share(score: np.ndarray) -> float:
        return float(revenue[np.argsort(-score, kind="mergesort")[:top]].sum() / revenue.sum())

    figures["clv_12m"] = {
        "actual_mean": revenue.mean(),
        "predicted_mean": clv.mean(),
        "mae_model": metrics.mean_absolute_error(revenue, clv),
        "mae_naive": metrics.mean_absolute_error(revenue, naive_clv),
        "spearman_model": metrics.spearman(revenue, clv),
        "spearman_naive": metrics.spearman(revenue, naive_clv),
        "top_decile_revenue_share_model": top_decile_share(clv),
        "top_decile_revenue_share_naive": top_decile_share(naive_clv),
    }
    predicted_dates = data["predicted_next_purchase_date"]
    next_dates = data["next_purchase_date"]
    p_alive = numbers("p_alive")
    within = [
        i for i, day in enumerate(predicted_dates) if day is not None and (day - as_of).days <= holdout_days
    ]
    figures["next_purchase_date"] = {
        "customers_with_a_date_in_the_holdout": len(within),
        "bought_by_predicted_median_date": float(
            np.mean([next_dates[i] is not None and next_dates[i] <= predicted_dates[i] for i in within])
        )
        if within
        else float("nan"),
        "expected_share_0_5_times_p_alive": float(np.mean(0.5 * p_alive[within])) if within else float("nan"),
    }
    _, lead_rows = query(database, LEADS_SQL, as_of, holdout_days)
    lead = np.array([float(row[0]) for row in lead_rows])
    sessions = np.array([float(row[1]) for row in lead_rows])
    bought = np.array([bool(row[2]) for row in lead_rows])
    figures["lead_score"] = {
        "prospects": len(lead_rows),
        "bought_within_90d": int(bought.sum()),
        "auc_holdout": metrics.roc_auc(bought, lead),
        "auc_sessions_90d_alone": metrics.roc_auc(bought, sessions),
        "auc_out_of_time_at_fit": _diagnostic(report, "lead_score", "auc_out_of_time"),
    }
    _, ((customers, model_hits, popular_hits),) = query(database, CATEGORIES_SQL, as_of, holdout_days)
    figures["next_best_category"] = {
        "customers_buying_a_new_category": customers,
        "hit_rate_model": model_hits / customers if customers else float("nan"),
        "hit_rate_most_popular": popular_hits / customers if customers else float("nan"),
    }
    return figures


def purchase_figures(
    actual: np.ndarray, predicted: np.ndarray, own_rate: np.ndarray, days: int
) -> dict[str, object]:
    """Errors of expected purchases against the naive baselines. MAE rewards the median, RMSE the mean:
    with mostly-zero counts, a forecast of 0 for every one-time buyer (the own-rate baseline) does well on
    MAE without saying anything about how many purchases to expect."""
    naive = own_rate * days
    population = np.full_like(naive, own_rate.mean() * days)

    def rmse(forecast: np.ndarray) -> float:
        return float(np.sqrt(np.mean((actual - forecast) ** 2)))

    return {
        "actual_mean": actual.mean(),
        "predicted_mean": predicted.mean(),
        "mae_model": metrics.mean_absolute_error(actual, predicted),
        "mae_naive_own_rate": metrics.mean_absolute_error(actual, naive),
        "mae_naive_population_rate": metrics.mean_absolute_error(actual, population),
        "rmse_model": rmse(predicted),
        "rmse_naive_own_rate": rmse(naive),
        "rmse_naive_population_rate": rmse(population),
        "calibration_by_decile": [
            (b.decile, round(b.mean_predicted, 3), round(b.mean_actual, 3))
            for b in metrics.calibration_by_decile(actual, predicted)
        ],
    }


def _diagnostic(report: pipeline.FitReport, model_name: str, name: str) -> float:
    try:
        return report.value(model_name, name)
    except KeyError:
        return float("nan")


def print_figures(figures: dict[str, object], report: pipeline.FitReport) -> None:
    print(report.describe())
    print(f"\ncustomers who bought in the calibration period: {figures['customers']:,}")
    for section, values in figures.items():
        if not isinstance(values, dict):
            continue
        print(f"\n{section}")
        for name, value in values.items():
            if isinstance(value, list):
                print(f"  {name}: (decile, mean predicted, mean actual)")
                for decile in value:
                    print(f"      {decile}")
            elif isinstance(value, float):
                print(f"  {name:<40} {value:10.4f}")
            else:
                print(f"  {name:<40} {value!s:>10}")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--people", type=int, default=20_000)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument(
        "--holdout-days", type=int, default=365, help="calibration ends this long before the data"
    )
    parser.add_argument("--workdir", type=Path, default=None)
    parser.add_argument("--reuse", action="store_true", help="reuse the data already loaded in --workdir")
    parser.add_argument("--json", type=Path, default=None, help="also write the figures to this file")
    args = parser.parse_args(argv)
    if args.holdout_days < 90:
        parser.error("--holdout-days must be at least 90 (the 90-day traits are scored on the holdout)")

    workdir = args.workdir or Path(tempfile.mkdtemp(prefix="cdp_predictions_eval_"))
    workdir.mkdir(parents=True, exist_ok=True)
    database = workdir / "cdp.duckdb"
    os.environ.update(
        DBT_PROFILES_DIR=str(PROJECT_DIR),
        DBT_TARGET_PATH=str(workdir / "target"),
        DBT_LOG_PATH=str(workdir / "logs"),
        CDP_DUCKDB_PATH=str(database),
        CDP_THREADS="2",
    )
    config = make_config(args.people, args.seed)
    as_of = config.end_date - dt.timedelta(days=args.holdout_days)
    dbt_vars = build_vars(as_of)
    print(f"work directory: {workdir}; as of {as_of} ({args.holdout_days}-day holdout to {config.end_date})")
    started = time.perf_counter()
    if not args.reuse:
        database.unlink(missing_ok=True)
        write_dataset(workdir / "raw", config, fmt="parquet")
        load_into_duckdb(workdir / "raw", database, RAW_SCHEMA)
        print(
            f"generated and loaded {args.people:,} people in {time.perf_counter() - started:.0f} s",
            flush=True,
        )
    run_dbt(["seed", "--full-refresh"], PROJECT_DIR, "duckdb", dbt_vars)
    run_dbt(["run", "--select", "+int_customer_predictions", "+fct_orders"], PROJECT_DIR, "duckdb", dbt_vars)
    print(f"built the warehouse as of {as_of} in {time.perf_counter() - started:.0f} s", flush=True)
    report = pipeline.fit_from_warehouse(PROJECT_DIR, "duckdb", dbt_vars)
    if report.not_fitted:
        print(f"models not fitted: {report.not_fitted}")
        return 1
    write_parameters_to_warehouse(database, report.rows)
    run_dbt(["run", "--select", "int_customer_predictions"], PROJECT_DIR, "duckdb", dbt_vars)
    figures = evaluate(database, as_of, args.holdout_days, report)
    print_figures(figures, report)
    if args.json:
        args.json.write_text(json.dumps(figures, indent=2, default=str))
    print(f"\ntotal {time.perf_counter() - started:.0f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
