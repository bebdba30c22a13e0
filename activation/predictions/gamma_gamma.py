"""The Gamma-Gamma model of spend per transaction (Fader & Hardie 2013, "The Gamma-Gamma Model of
Monetary Value").

Story: each of a customer's transactions is worth z ~ Gamma(shape p, rate nu); nu varies across customers as
Gamma(shape q, rate gamma). What is observed is the mean m of a customer's x transactions, and the model
says what the customer's true mean spend E(Z) = p / nu is likely to be: a weighted average of the
population mean p gamma / (q - 1) and the customer's own m, the weight of m growing with x.

It assumes spend is independent of purchase frequency, which is why it pairs with BG/NBD for lifetime value.
Following the note, it is fitted on customers with at least one repeat transaction, x being the number of
repeat transactions and m their mean value.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass

import numpy as np
from numpy.typing import ArrayLike, NDArray
from scipy import optimize, special

from activation.errors import ModelFitError
from activation.predictions.bgnbd import standard_errors

logger = logging.getLogger(__name__)

FloatArray = NDArray[np.float64]


@dataclass(frozen=True)
class GammaGammaParameters:
    """Transaction values ~ Gamma(p, nu); across customers nu ~ Gamma(q, gamma)."""

    p: float
    q: float
    gamma: float

    def __post_init__(self) -> None:
        for name in ("p", "q", "gamma"):
            value = getattr(self, name)
            if not np.isfinite(value) or value <= 0:
                raise ValueError(f"Gamma-Gamma parameter {name} must be a positive number, got {value!r}")

    def as_array(self) -> FloatArray:
        return np.array([self.p, self.q, self.gamma], dtype=float)

    @property
    def population_mean(self) -> float:
        """E(Z) for a customer nothing is known about: p gamma / (q - 1), infinite when q <= 1."""
        return self.p * self.gamma / (self.q - 1) if self.q > 1 else float("inf")


@dataclass(frozen=True)
class GammaGammaFit:
    parameters: GammaGammaParameters
    standard_errors: GammaGammaParameters | None
    log_likelihood: float
    customers: int


def _observations(frequency: ArrayLike, mean_value: ArrayLike) -> tuple[FloatArray, FloatArray]:
    x, m = np.broadcast_arrays(np.asarray(frequency, dtype=float), np.asarray(mean_value, dtype=float))
    if np.any(~np.isfinite(x)) or np.any(x < 1) or np.any(x != np.floor(x)):
        raise ValueError("Gamma-Gamma needs whole transaction counts >= 1 (customers with repeat purchases)")
    if np.any(~np.isfinite(m)) or np.any(m <= 0):
        raise ValueError("Gamma-Gamma needs positive mean transaction values")
    return x, m


def log_likelihood(
    parameters: GammaGammaParameters, frequency: ArrayLike, mean_value: ArrayLike
) -> FloatArray:
    """ln f(m | p, q, gamma, x) per customer: the density of the observed mean of x transactions."""
    x, m = _observations(frequency, mean_value)
    return _log_likelihood(parameters.as_array(), x, m)


def _log_likelihood(theta: FloatArray, x: FloatArray, m: FloatArray) -> FloatArray:
    p, q, gamma = theta
    # The mean of x Gamma(p, nu) values is Gamma(p x, nu x); mixing nu over Gamma(q, gamma) gives
    # Gamma(p x + q) / (Gamma(p x) Gamma(q)) gamma^q m^(p x - 1) x^(p x) / (gamma + m x)^(p x + q).
    px = p * x
    return (
        special.gammaln(px + q)
        - special.gammaln(px)
        - special.gammaln(q)
        + q * np.log(gamma)
        + (px - 1) * np.log(m)
        + px * np.log(x)
        - (px + q) * np.log(gamma + m * x)
    )


def _gradient(theta: FloatArray, x: FloatArray, m: FloatArray) -> FloatArray:
    """d ln f / d(p, q, gamma) per customer (rows) and parameter (columns)."""
    p, q, gamma = theta
    px = p * x
    shared = special.digamma(px + q)
    d_p = x * (shared - special.digamma(px) + np.log(m) + np.log(x) - np.log(gamma + m * x))
    d_q = shared - special.digamma(q) + np.log(gamma) - np.log(gamma + m * x)
    d_gamma = q / gamma - (px + q) / (gamma + m * x)
    return np.column_stack([d_p, d_q, d_gamma])


def fit(
    frequency: ArrayLike,
    mean_value: ArrayLike,
    weights: ArrayLike | None = None,
    *,
    with_standard_errors: bool = True,
) -> GammaGammaFit:
    """Maximum-likelihood (p, q, gamma) from customers' repeat-transaction counts and mean values."""
    x, m = _observations(frequency, mean_value)
    count = np.ones_like(x) if weights is None else np.broadcast_to(np.asarray(weights, dtype=float), x.shape)
    if x.size < 3 or count.sum() < 3:
        raise ModelFitError("Gamma-Gamma: fewer than 3 customers with repeat purchases; nothing to fit")
    # Values in units of their average keep gamma near 1 whatever the currency.
    scale = float(np.average(m, weights=count))
    scaled = m / scale
    customers = float(count.sum())

    def objective(log_theta: FloatArray) -> tuple[float, FloatArray]:
        theta = np.exp(log_theta)
        with np.errstate(over="ignore", invalid="ignore", divide="ignore"):
            total = float(np.dot(count, _log_likelihood(theta, x, scaled)))
            gradient = count @ _gradient(theta, x, scaled) * theta
        if not np.isfinite(total) or not np.all(np.isfinite(gradient)):
            return np.inf, np.zeros_like(log_theta)
        return -total / customers, -gradient / customers

    best: optimize.OptimizeResult | None = None
    for start in ([1.0, 1.0, 1.0], [5.0, 3.0, 3.0], [0.5, 10.0, 5.0]):
        result = optimize.minimize(objective, np.log(start), jac=True, method="BFGS", options={"gtol": 1e-9})
        if np.isfinite(result.fun) and (best is None or result.fun < best.fun):
            best = result
    if best is None:
        raise ModelFitError("Gamma-Gamma: the likelihood could not be evaluated at any starting point")
    p, q, gamma_scaled = (float(value) for value in np.exp(best.x))
    if max(p, q, gamma_scaled) > 1e6:
        raise ModelFitError(
            f"Gamma-Gamma: the fit ran away (p={p:.3g}, q={q:.3g}); spend barely varies between customers"
        )
    parameters = GammaGammaParameters(p=p, q=q, gamma=gamma_scaled * scale)
    total = float(np.dot(count, _log_likelihood(parameters.as_array(), x, m)))
    errors = None
    if with_standard_errors:
        spread = standard_errors(lambda log_theta: objective(log_theta)[1] * customers, best.x)
        if spread is not None:
            errors = GammaGammaParameters(*(float(value) for value in spread * [1, 1, scale]))
    if q <= 1:
        logger.warning("Gamma-Gamma: q = %.3f <= 1, the population mean spend is infinite", q)
    logger.info(
        "Gamma-Gamma fitted on %d customers: %s (log-likelihood %.2f)", int(customers), parameters, total
    )
    return GammaGammaFit(
        parameters=parameters, standard_errors=errors, log_likelihood=total, customers=int(customers)
    )


def conditional_expected_value(
    parameters: GammaGammaParameters, frequency: ArrayLike, mean_value: ArrayLike
) -> FloatArray:
    """E(Z | m, x) = (gamma + m x) p / (p x + q - 1): the population mean when x = 0 (m is then ignored)."""
    p, q, gamma = parameters.as_array()
    x = np.asarray(frequency, dtype=float)
    m = np.where(x > 0, np.nan_to_num(np.asarray(mean_value, dtype=float)), 0.0)
    return (gamma + m * x) * p / (p * x + q - 1)


def simulate(parameters: GammaGammaParameters, frequency: ArrayLike, rng: np.random.Generator) -> FloatArray:
    """Mean value of each customer's `frequency` transactions drawn from the model."""
    x = np.asarray(frequency, dtype=np.int64)
    if np.any(x < 1):
        raise ValueError("every simulated customer needs at least one transaction")
    nu = rng.gamma(parameters.q, 1.0 / parameters.gamma, x.size)
    # The sum of x Gamma(p, nu) draws is Gamma(p x, nu).
    return rng.gamma(parameters.p * x, 1.0 / nu) / x
