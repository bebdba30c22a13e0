"""The customer-level traits int_customer_predictions computes in SQL, computed here from the same inputs.

Tests hold the two against each other, and the evaluation benchmark scores held-out periods with it. Time is
in days and a month is 365.25 / 12 days, as in the model.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numpy.typing import ArrayLike, NDArray

from activation.predictions import bgnbd, gamma_gamma
from activation.predictions.bgnbd import PurchaseParameters
from activation.predictions.gamma_gamma import GammaGammaParameters

DAYS_PER_MONTH = 365.25 / 12
#: Horizons carried by column names (expected_purchases_90d, predicted_clv_12m).
PURCHASE_HORIZON_DAYS = 90
CLV_MONTHS = 12


@dataclass(frozen=True)
class ScoringSettings:
    """The dbt vars int_customer_predictions reads (defaults: dbt_project.yml's)."""

    churn_horizon_days: float = 90
    monthly_discount_rate: float = 0.01
    max_repurchase_days: int = 730
    #: Terms of the 2F1 series as SQL evaluates them; None computes the exact value (scipy).
    series_terms: int | None = None


def discounted_purchases(
    parameters: PurchaseParameters,
    frequency: ArrayLike,
    recency: ArrayLike,
    age: ArrayLike,
    settings: ScoringSettings,
    months: int = CLV_MONTHS,
) -> NDArray[np.float64]:
    """Sum over months m of (expected purchases in month m) / (1 + monthly rate)^m."""
    total = np.zeros(np.broadcast(np.asarray(frequency), np.asarray(age)).shape)
    previous = np.zeros_like(total)
    for month in range(1, months + 1):
        cumulative = bgnbd.conditional_expected_purchases(
            parameters, month * DAYS_PER_MONTH, frequency, recency, age, series_terms=settings.series_terms
        )
        total += (cumulative - previous) / (1 + settings.monthly_discount_rate) ** month
        previous = cumulative
    return total


def score(
    bg_nbd: PurchaseParameters,
    spend: GammaGammaParameters,
    frequency: ArrayLike,
    recency: ArrayLike,
    age: ArrayLike,
    valued_frequency: ArrayLike,
    value_mean: ArrayLike,
    settings: ScoringSettings | None = None,
) -> dict[str, NDArray[np.float64]]:
    """Every purchase trait of int_customer_predictions, plus the waiting-time quantiles in days."""
    settings = settings or ScoringSettings()
    x = np.asarray(frequency, dtype=float)
    expected_value = gamma_gamma.conditional_expected_value(spend, valued_frequency, value_mean)
    traits = {
        "p_alive": bgnbd.probability_alive(bg_nbd, x, recency, age),
        "expected_purchases_90d": bgnbd.conditional_expected_purchases(
            bg_nbd, PURCHASE_HORIZON_DAYS, x, recency, age, series_terms=settings.series_terms
        ),
        "churn_risk": bgnbd.probability_no_purchase(bg_nbd, settings.churn_horizon_days, x, recency, age),
        "expected_order_value": expected_value,
        "predicted_clv_12m": expected_value * discounted_purchases(bg_nbd, x, recency, age, settings),
    }
    for name, quantile in (("early", 0.25), ("median", 0.5), ("late", 0.75)):
        traits[f"waiting_days_{name}"] = bgnbd.waiting_time_quantile(bg_nbd, quantile, x, age)
    return traits
