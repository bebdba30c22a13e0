"""Fit the predictive models on aggregates read from the warehouse, and hand the parameters back to dbt.

    warehouse (int_customer_purchase_summaries, int_customer_lead_features)
      -> fit BG/NBD, Gamma-Gamma, lead score here (numpy / scipy)
      -> seeds/predictions/prediction_model_parameters.csv, loaded with `dbt seed`
      -> int_customer_predictions scores every customer in SQL, on any engine

The parameter file is a seed so that a fresh clone builds before any fit (the committed file holds the
parameters fitted on the demo sample) and so that the parameters that scored the customers are data a
reviewer can diff. The reads go through `dbt show`, which works on every target of profiles.yml.

A model that cannot be fitted (no repeat buyer, no prospect who went on to buy, ...) keeps its previous
parameters: the run says so, and the other models are still updated.
"""

from __future__ import annotations

import csv
import logging
import math
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

import numpy as np

from activation.errors import ConfigurationError, ModelFitError
from activation.predictions import bgnbd, gamma_gamma, lead_score
from activation.predictions.bgnbd import BgNbdParameters, FixedDropoutParameters, PurchaseParameters
from activation.predictions.gamma_gamma import GammaGammaParameters
from activation.predictions.lead_score import LeadScoreModel
from activation.predictions.metrics import roc_auc, spearman
from activation.predictions.scoring import CLV_MONTHS, DAYS_PER_MONTH
from activation.project import query_warehouse, run_dbt

logger = logging.getLogger(__name__)

PARAMETERS_SEED = "prediction_model_parameters"
PARAMETERS_PATH = Path("seeds") / "predictions" / f"{PARAMETERS_SEED}.csv"
COLUMNS = ("model_name", "parameter_name", "parameter_value", "parameter_kind", "fitted_as_of_date")
MODELS = ("bg_nbd", "gamma_gamma", "lead_score")
#: Relative error of expected purchases (12 months, newest customer) above which the SQL series is too short.
SERIES_TOLERANCE = 1e-6


@dataclass(frozen=True)
class ParameterRow:
    model_name: str
    parameter_name: str
    value: float
    kind: str  # 'parameter' (read by SQL) or 'diagnostic' (fit quality, for people)
    as_of: date


@dataclass
class FitReport:
    """What one `predict fit` produced: the rows of the parameter file, and the models it could not fit."""

    as_of: date
    rows: list[ParameterRow] = field(default_factory=list)
    not_fitted: dict[str, str] = field(default_factory=dict)

    def value(self, model_name: str, parameter_name: str) -> float:
        for row in self.rows:
            if (row.model_name, row.parameter_name) == (model_name, parameter_name):
                return row.value
        raise KeyError(f"{model_name}.{parameter_name}")

    def describe(self) -> str:
        lines = [f"Fitted as of {self.as_of.isoformat()}:"]
        for model_name in MODELS:
            if model_name in self.not_fitted:
                lines.append(
                    f"  {model_name}: NOT refitted, previous parameters kept ({self.not_fitted[model_name]})"
                )
                continue
            shown = ", ".join(
                f"{row.parameter_name}={row.value:.4g}" for row in self.rows if row.model_name == model_name
            )
            lines.append(f"  {model_name}: {shown}")
        return "\n".join(lines)


def _rows(
    model_name: str, as_of: date, parameters: dict[str, float], diagnostics: dict[str, float]
) -> list[ParameterRow]:
    """Parameter rows, then diagnostic rows; a diagnostic that could not be computed (NaN) is left out."""
    rows = [
        ParameterRow(model_name, name, float(value), "parameter", as_of) for name, value in parameters.items()
    ]
    rows += [
        ParameterRow(model_name, name, float(value), "diagnostic", as_of)
        for name, value in diagnostics.items()
        if math.isfinite(value)
    ]
    return rows


def fit_bg_nbd(histories: list[dict[str, object]], series_terms: int, as_of: date) -> list[ParameterRow]:
    frequency = np.array([float(row["frequency"]) for row in histories])
    recency = np.array([float(row["recency"]) for row in histories])
    age = np.array([float(row["age"]) for row in histories])
    customers = np.array([float(row["customers"]) for row in histories])
    fitted = bgnbd.fit(frequency, recency, age, customers)
    parameters = fitted.parameters
    diagnostics = {
        "log_likelihood": fitted.log_likelihood,
        # The other dropout model's: Beta (heterogeneous) against fixed, see bgnbd.fit.
        "rival_log_likelihood": fitted.rival_log_likelihood,
        "customers": float(customers.sum()),
        "repeat_customers": float(customers[frequency > 0].sum()),
    }
    if isinstance(parameters, BgNbdParameters):
        diagnostics["max_series_relative_error"] = _series_error(parameters, frequency, age, series_terms)
        values = {"r": parameters.r, "alpha": parameters.alpha, "a": parameters.a, "b": parameters.b}
    else:
        values = {"r": parameters.r, "alpha": parameters.alpha, "dropout_probability": parameters.p}
    if fitted.standard_errors is not None:
        for name, value in zip(values, fitted.standard_errors.as_array(), strict=True):
            diagnostics[f"standard_error_{name}"] = float(value)
    return _rows("bg_nbd", as_of, values, diagnostics)


def _series_error(
    parameters: BgNbdParameters, frequency: np.ndarray, age: np.ndarray, series_terms: int
) -> float:
    """Worst relative error of SQL's truncated series: at the longest horizon (the lifetime value's last
    month) and for the newest customer (smallest age), where z is largest, for every x in the data."""
    newest = float(age.min())
    distinct_x = np.unique(frequency)
    horizon = CLV_MONTHS * DAYS_PER_MONTH
    recency, ages = np.zeros_like(distinct_x), np.full_like(distinct_x, newest)
    exact = bgnbd.conditional_expected_purchases(parameters, horizon, distinct_x, recency, ages)
    truncated = bgnbd.conditional_expected_purchases(
        parameters, horizon, distinct_x, recency, ages, series_terms=series_terms
    )
    error = float(np.max(np.abs(truncated - exact) / np.maximum(np.abs(exact), 1e-12)))
    if error > SERIES_TOLERANCE:
        logger.warning(
            "BG/NBD: with cdp_predictions_hyp2f1_terms=%d, SQL's expected purchases are off by up to %.2g "
            "(relative) for the newest customers; raise the var",
            series_terms,
            error,
        )
    return error


def fit_gamma_gamma(values: list[dict[str, object]], as_of: date) -> list[ParameterRow]:
    frequency = np.array([float(row["frequency"]) for row in values])
    mean_value = np.array([float(row["value_mean"]) for row in values])
    fitted = gamma_gamma.fit(frequency, mean_value)
    parameters = fitted.parameters
    diagnostics = {
        "log_likelihood": fitted.log_likelihood,
        "customers": float(fitted.customers),
        # The model assumes spend does not depend on how often a customer buys.
        "spend_frequency_rank_correlation": spearman(frequency, mean_value),
    }
    return _rows(
        "gamma_gamma", as_of, {"p": parameters.p, "q": parameters.q, "gamma": parameters.gamma}, diagnostics
    )


def fit_lead_score(prospects: list[dict[str, object]], as_of: date) -> list[ParameterRow]:
    """Out-of-time check (fit on the older snapshot, AUC on the newer one), then the published fit on both."""
    if not prospects:
        raise ModelFitError("lead score: no prospect on the past snapshots (no engagement data?)")
    names = sorted(name for name in prospects[0] if name.startswith("lead_feature_"))
    snapshot = np.array([int(row["snapshot_index"]) for row in prospects])
    outcome = np.array([bool(row["outcome"]) for row in prospects])
    weights = np.array([float(row["prospects"]) for row in prospects])
    features = {name: np.array([float(row[name]) for row in prospects]) for name in names}

    def subset(rows: np.ndarray) -> dict[str, np.ndarray]:
        return {name: values[rows] for name, values in features.items()}

    training, validation = snapshot == 2, snapshot == 1
    diagnostics: dict[str, float] = {
        "prospects": float(weights.sum()),
        "buyers_within_horizon": float(weights[outcome].sum()),
    }
    try:
        earlier = lead_score.fit(subset(training), outcome[training], weights[training])
        scores = earlier.predict(subset(validation))
        diagnostics["auc_out_of_time"] = roc_auc(outcome[validation], scores, weights[validation])
        diagnostics["validation_prospects"] = float(weights[validation].sum())
    except ModelFitError as error:
        logger.warning("Lead score: no out-of-time check (%s)", error)
    model = lead_score.fit(features, outcome, weights)
    values = {"intercept": model.intercept, **model.coefficients}
    return _rows("lead_score", as_of, values, diagnostics)


HISTORIES_SQL = """
select
    as_of_date,
    repeat_purchase_count as frequency,
    recency_days as recency,
    age_days as age,
    count(*) as customers,
    {{ var('cdp_predictions_hyp2f1_terms') }} as series_terms
from {{ ref('int_customer_purchase_summaries') }}
group by as_of_date, repeat_purchase_count, recency_days, age_days
order by repeat_purchase_count, recency_days, age_days
"""

VALUES_SQL = """
select
    valued_repeat_purchase_count as frequency,
    repeat_purchase_value_mean as value_mean
from {{ ref('int_customer_purchase_summaries') }}
where valued_repeat_purchase_count > 0 and repeat_purchase_value_mean > 0
order by customer_id
"""

PROSPECTS_SQL = """
{%- set features = cdp.lead_score_features() -%}
select
    snapshot_index,
    has_first_purchase_in_horizon as outcome,
    {% for feature in features %}{{ feature }}, {% endfor %}
    count(*) as prospects
from {{ ref('int_customer_lead_features') }}
where snapshot_index > 0
group by snapshot_index, has_first_purchase_in_horizon{% for feature in features %}, {{ feature }}{% endfor %}
order by snapshot_index, has_first_purchase_in_horizon{% for feature in features %}, {{ feature }}{% endfor %}
"""


def fit_from_warehouse(
    project_dir: Path, target: str, dbt_vars: dict[str, object] | None = None
) -> FitReport:
    """Read the aggregates the models need from `target` and fit all three models."""
    histories = query_warehouse(HISTORIES_SQL, project_dir, target, dbt_vars)
    if not histories:
        raise ModelFitError(
            "No customer has bought on or before the as-of date: int_customer_purchase_summaries is empty "
            "(build it first: dbt build --select +int_customer_purchase_summaries)"
        )
    as_of = _as_date(histories[0]["as_of_date"])
    report = FitReport(as_of=as_of)
    series_terms = int(histories[0]["series_terms"])
    steps = {
        "bg_nbd": lambda: fit_bg_nbd(histories, series_terms, as_of),
        "gamma_gamma": lambda: fit_gamma_gamma(
            query_warehouse(VALUES_SQL, project_dir, target, dbt_vars), as_of
        ),
        "lead_score": lambda: fit_lead_score(
            query_warehouse(PROSPECTS_SQL, project_dir, target, dbt_vars), as_of
        ),
    }
    for model_name, step in steps.items():
        try:
            report.rows.extend(step())
        except ModelFitError as error:
            logger.warning("%s not refitted: %s", model_name, error)
            report.not_fitted[model_name] = str(error)
    return report


def _as_date(value: object) -> date:
    if isinstance(value, date):
        return value
    return date.fromisoformat(str(value)[:10])


def read_parameter_rows(path: Path) -> list[ParameterRow]:
    if not path.is_file():
        raise ConfigurationError(f"No model parameter file at {path}")
    with path.open(newline="", encoding="utf-8") as handle:
        reader = csv.DictReader(handle)
        if tuple(reader.fieldnames or ()) != COLUMNS:
            raise ConfigurationError(
                f"{path}: expected the columns {', '.join(COLUMNS)}, got {reader.fieldnames}"
            )
        rows = []
        for line, record in enumerate(reader, start=2):
            try:
                rows.append(
                    ParameterRow(
                        record["model_name"],
                        record["parameter_name"],
                        float(record["parameter_value"]),
                        record["parameter_kind"],
                        date.fromisoformat(record["fitted_as_of_date"]),
                    )
                )
            except ValueError as error:
                raise ConfigurationError(f"{path}, line {line}: {error}") from error
    return rows


def merged_rows(report: FitReport, previous: list[ParameterRow]) -> list[ParameterRow]:
    """The new rows, plus the previous rows of every model this run could not refit."""
    kept = [row for row in previous if row.model_name in report.not_fitted]
    return sorted(
        [*report.rows, *kept], key=lambda row: (MODELS.index(row.model_name), row.kind != "parameter")
    )


def write_parameter_rows(rows: list[ParameterRow], path: Path) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle, lineterminator="\n")
        writer.writerow(COLUMNS)
        for row in rows:
            # 10 significant digits: far below the fit's own uncertainty, and stable across platforms.
            writer.writerow(
                [
                    row.model_name,
                    row.parameter_name,
                    format(row.value, ".10g"),
                    row.kind,
                    row.as_of.isoformat(),
                ]
            )


def stale_parameters(
    report: FitReport, committed: list[ParameterRow], relative_tolerance: float = 1e-4
) -> list[str]:
    """Parameters (not diagnostics) of `committed` that differ from a fresh fit, described for a person."""
    fresh = {
        (row.model_name, row.parameter_name): row.value for row in report.rows if row.kind == "parameter"
    }
    known = {(row.model_name, row.parameter_name): row.value for row in committed if row.kind == "parameter"}
    problems = []
    for key in sorted(set(fresh) | {key for key in known if key[0] not in report.not_fitted}):
        new, old = fresh.get(key), known.get(key)
        if new is None or old is None:
            problems.append(
                f"{key[0]}.{key[1]}: {'missing from the file' if old is None else 'no longer fitted'}"
            )
        elif not math.isclose(new, old, rel_tol=relative_tolerance, abs_tol=1e-9):
            problems.append(f"{key[0]}.{key[1]}: file {old:.6g}, fresh fit {new:.6g}")
    return problems


def load_parameters(project_dir: Path, target: str, dbt_vars: dict[str, object] | None = None) -> None:
    """Load the parameter file into the warehouse (`dbt seed`), where int_customer_predictions reads it."""
    run_dbt(["seed", "--full-refresh", "--select", PARAMETERS_SEED], project_dir, target, dbt_vars)


def parameters_from_rows(
    rows: list[ParameterRow],
) -> tuple[PurchaseParameters, GammaGammaParameters, LeadScoreModel]:
    """The three models of a parameter file, as the scoring functions take them."""
    values = {(row.model_name, row.parameter_name): row.value for row in rows if row.kind == "parameter"}
    try:
        if ("bg_nbd", "dropout_probability") in values:
            purchases: PurchaseParameters = FixedDropoutParameters(
                *(values[("bg_nbd", name)] for name in ("r", "alpha", "dropout_probability"))
            )
        else:
            purchases = BgNbdParameters(*(values[("bg_nbd", name)] for name in ("r", "alpha", "a", "b")))
        spend = GammaGammaParameters(*(values[("gamma_gamma", name)] for name in ("p", "q", "gamma")))
        intercept = values[("lead_score", "intercept")]
    except KeyError as error:
        raise ConfigurationError(
            f"The model parameters lack {error.args[0][0]}.{error.args[0][1]}"
        ) from error
    coefficients = {
        name: value
        for (model, name), value in values.items()
        if model == "lead_score" and name != "intercept"
    }
    return purchases, spend, LeadScoreModel(intercept=intercept, coefficients=coefficients)
