"""Lead score: a logistic regression of "first purchase within the horizon" on a prospect's engagement.

The features are the lead_feature_* columns of int_customer_lead_features (counts as ln(1 + n), recency as
ln(1 + days), e-mail consent as 0/1), so SQL scores a prospect with one linear expression and a sigmoid.
Fitting standardises the features and puts a small ridge (L2) penalty on the standardised coefficients,
which keeps them finite when a feature separates the classes on a small sample; the coefficients are then
expressed back on the features' own scale, the scale SQL multiplies.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass

import numpy as np
from numpy.typing import ArrayLike, NDArray
from scipy import optimize, special

from activation.errors import ModelFitError

logger = logging.getLogger(__name__)

#: Fewest prospects of each outcome a fit needs.
MIN_PER_CLASS = 5


@dataclass(frozen=True)
class LeadScoreModel:
    """P(first purchase within the horizon) = sigmoid(intercept + sum of coefficient * feature)."""

    intercept: float
    coefficients: dict[str, float]

    def predict(self, features: dict[str, ArrayLike]) -> NDArray[np.float64]:
        missing = set(self.coefficients) - set(features)
        if missing:
            raise ValueError(f"lead score: features missing from the input: {sorted(missing)}")
        linear = self.intercept + sum(
            coefficient * np.asarray(features[name], dtype=float)
            for name, coefficient in self.coefficients.items()
        )
        return special.expit(linear)


def fit(
    features: dict[str, ArrayLike],
    outcome: ArrayLike,
    weights: ArrayLike | None = None,
    *,
    l2_penalty: float = 1.0,
) -> LeadScoreModel:
    """Penalised maximum likelihood; `weights` counts identical prospects (rows aggregated in SQL)."""
    names = sorted(features)
    if not names:
        raise ModelFitError("lead score: no lead_feature_* column to fit on")
    matrix = np.column_stack([np.asarray(features[name], dtype=float) for name in names])
    y = np.asarray(outcome, dtype=float)
    w = np.ones_like(y) if weights is None else np.asarray(weights, dtype=float)
    positives, negatives = float(w[y == 1].sum()), float(w[y == 0].sum())
    if positives < MIN_PER_CLASS or negatives < MIN_PER_CLASS:
        raise ModelFitError(
            f"lead score: {positives:.0f} prospects bought within the horizon and {negatives:.0f} did not; "
            f"at least {MIN_PER_CLASS} of each are needed"
        )
    total = w.sum()
    mean = (w @ matrix) / total
    spread = np.sqrt((w @ (matrix - mean) ** 2) / total)
    # A constant feature carries no information: keep its coefficient at zero.
    spread = np.where(spread > 0, spread, np.inf)
    standardised = (matrix - mean) / spread

    def objective(theta: NDArray[np.float64]) -> tuple[float, NDArray[np.float64]]:
        linear = theta[0] + standardised @ theta[1:]
        # log(1 + e^z) - y z, summed with weights; its gradient is (sigmoid(z) - y).
        loss = float(w @ (np.logaddexp(0.0, linear) - y * linear)) + 0.5 * l2_penalty * float(
            theta[1:] @ theta[1:]
        )
        residual = w * (special.expit(linear) - y)
        gradient = np.concatenate([[residual.sum()], standardised.T @ residual + l2_penalty * theta[1:]])
        return loss, gradient

    start = np.zeros(len(names) + 1)
    start[0] = np.log(positives / negatives)
    result = optimize.minimize(objective, start, jac=True, method="L-BFGS-B", options={"maxiter": 1000})
    if not result.success:
        raise ModelFitError(f"lead score: the optimiser did not converge ({result.message})")
    beta = result.x[1:] / spread
    intercept = float(result.x[0] - beta @ mean)
    coefficients = {name: float(value) for name, value in zip(names, beta, strict=True)}
    logger.info("Lead score fitted on %.0f prospects (%.0f bought): %s", total, positives, coefficients)
    return LeadScoreModel(intercept=intercept, coefficients=coefficients)
