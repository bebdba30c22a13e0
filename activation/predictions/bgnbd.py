"""The BG/NBD model of repeat purchasing (Fader, Hardie & Lee 2005, "Counting Your Customers the Easy Way").

Story: while active, a customer buys as a Poisson process of rate lambda; after each repeat purchase they
become inactive for good with probability p. Across customers, lambda ~ Gamma(shape r, rate alpha) and
p ~ Beta(a, b). A customer's history is summarised by (x, t_x, T): x repeat purchases (purchases after the
first), the last at t_x, observed for T since the first purchase (t_x = 0 when x = 0). Time units are the
caller's (the warehouse uses days; the CDNOW reference data weeks): alpha and every time share them.

Everything here is vectorised over customers with numpy; the log-likelihood is written from the paper's
equation (6), in log space so that large x or long histories neither overflow nor underflow.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
from numpy.typing import ArrayLike, NDArray
from scipy import optimize, special

from activation.errors import ModelFitError
from activation.predictions.hypergeometric import hyp2f1_series

logger = logging.getLogger(__name__)

FloatArray = NDArray[np.float64]


@dataclass(frozen=True)
class BgNbdParameters:
    """Population parameters: purchase rates ~ Gamma(r, alpha), dropout probabilities ~ Beta(a, b)."""

    r: float
    alpha: float
    a: float
    b: float

    def __post_init__(self) -> None:
        for name in ("r", "alpha", "a", "b"):
            value = getattr(self, name)
            if not np.isfinite(value) or value <= 0:
                raise ValueError(f"BG/NBD parameter {name} must be a positive number, got {value!r}")

    def as_array(self) -> FloatArray:
        return np.array([self.r, self.alpha, self.a, self.b], dtype=float)


@dataclass(frozen=True)
class BgNbdFit:
    """A maximum-likelihood fit: estimates, standard errors from the observed information, log-likelihood."""

    parameters: BgNbdParameters
    standard_errors: BgNbdParameters | None
    log_likelihood: float
    customers: int


def _histories(
    frequency: ArrayLike, recency: ArrayLike, age: ArrayLike
) -> tuple[FloatArray, FloatArray, FloatArray]:
    x = np.asarray(frequency, dtype=float)
    t_x = np.asarray(recency, dtype=float)
    big_t = np.asarray(age, dtype=float)
    x, t_x, big_t = np.broadcast_arrays(x, t_x, big_t)
    if np.any(~np.isfinite(x)) or np.any(x < 0) or np.any(x != np.floor(x)):
        raise ValueError("frequency (repeat purchases) must be non-negative whole numbers")
    if np.any(~np.isfinite(t_x)) or np.any(t_x < 0) or np.any(~np.isfinite(big_t)) or np.any(t_x > big_t):
        raise ValueError("recency must satisfy 0 <= recency <= age, both finite")
    if np.any((x == 0) & (t_x != 0)):
        raise ValueError("recency must be 0 for customers without a repeat purchase")
    return x, t_x, big_t


def log_likelihood(
    parameters: BgNbdParameters, frequency: ArrayLike, recency: ArrayLike, age: ArrayLike
) -> FloatArray:
    """ln L(r, alpha, a, b | x, t_x, T) per customer (the paper's equation 6)."""
    x, t_x, big_t = _histories(frequency, recency, age)
    return _log_likelihood(parameters.as_array(), x, t_x, big_t)


def _log_likelihood(theta: FloatArray, x: FloatArray, t_x: FloatArray, big_t: FloatArray) -> FloatArray:
    r, alpha, a, b = theta
    # The purchase part: Gamma(r + x) alpha^r / Gamma(r), common to both branches.
    purchases = special.gammaln(r + x) - special.gammaln(r) + r * np.log(alpha)
    # Alive at T: B(a, b + x) / B(a, b) (alpha + T)^-(r + x).
    survived = special.betaln(a, b + x) - special.betaln(a, b) - (r + x) * np.log(alpha + big_t)
    # Dropped out right after the last purchase (only possible once there is one):
    # B(a + 1, b + x - 1) / B(a, b) (alpha + t_x)^-(r + x) = B(a, b + x) / B(a, b) a / (b + x - 1) (...).
    has_repeat = x > 0
    dropped = np.full_like(x, -np.inf)
    dropped[has_repeat] = (
        special.betaln(a, b + x[has_repeat])
        - special.betaln(a, b)
        + np.log(a)
        - np.log(b + x[has_repeat] - 1)
        - (r + x[has_repeat]) * np.log(alpha + t_x[has_repeat])
    )
    return purchases + np.logaddexp(survived, dropped)


def _gradient(theta: FloatArray, x: FloatArray, t_x: FloatArray, big_t: FloatArray) -> FloatArray:
    """d ln L / d(r, alpha, a, b) per customer (rows) and parameter (columns).

    With ln L = A + ln(e^S + e^D) (A the purchase part, S alive at T, D dropped out at t_x, as in
    _log_likelihood), the derivative is dA + w dS + (1 - w) dD where w = e^S / (e^S + e^D) is P(alive).
    """
    r, alpha, a, b = theta
    has_repeat = x > 0
    survived_log = -(r + x) * np.log(alpha + big_t)
    dropped_log = np.where(has_repeat, np.log(a) - np.log(np.where(has_repeat, b + x - 1, 1.0)), -np.inf)
    dropped_log = dropped_log - (r + x) * np.log(alpha + t_x)
    weight_alive = np.exp(survived_log - np.logaddexp(survived_log, dropped_log))
    weight_dead = 1 - weight_alive
    # B(a, b + x) / B(a, b) = Gamma(b + x) Gamma(a + b) / (Gamma(b) Gamma(a + b + x)), common to S and D.
    beta_a = special.digamma(a + b) - special.digamma(a + b + x)
    beta_b = special.digamma(b + x) - special.digamma(b) + beta_a
    d_r = (
        special.digamma(r + x)
        - special.digamma(r)
        + np.log(alpha)
        - weight_alive * np.log(alpha + big_t)
        - weight_dead * np.log(alpha + t_x)
    )
    d_alpha = r / alpha - weight_alive * (r + x) / (alpha + big_t) - weight_dead * (r + x) / (alpha + t_x)
    d_a = beta_a + weight_dead / a
    d_b = beta_b - weight_dead / np.where(has_repeat, b + x - 1, 1.0)
    return np.column_stack([d_r, d_alpha, d_a, d_b])


def fit(
    frequency: ArrayLike,
    recency: ArrayLike,
    age: ArrayLike,
    weights: ArrayLike | None = None,
    *,
    with_standard_errors: bool = True,
) -> BgNbdFit:
    """Maximum-likelihood estimates of (r, alpha, a, b).

    `weights` counts identical histories (the warehouse sends one row per distinct (x, t_x, T) with its
    number of customers). The optimiser (BFGS with the analytic gradient) works on the logarithms of the
    parameters, so every step stays in the valid region, and on time rescaled to a mean age of 1, so that
    alpha starts near its optimum whatever the unit; it starts from a few points and keeps the best optimum,
    because the likelihood is flat in (a, b) when few customers drop out.
    """
    x, t_x, big_t = _histories(frequency, recency, age)
    count = np.ones_like(x) if weights is None else np.broadcast_to(np.asarray(weights, dtype=float), x.shape)
    if x.size == 0 or count.sum() <= 0:
        raise ModelFitError("BG/NBD: no customer history to fit")
    if not np.any(x > 0):
        raise ModelFitError("BG/NBD: no customer made a repeat purchase; the purchase rate is not identified")
    scale = float(np.average(big_t, weights=count)) or 1.0
    t_xs, big_ts = t_x / scale, big_t / scale
    customers = float(count.sum())

    def objective(log_theta: FloatArray) -> tuple[float, FloatArray]:
        theta = np.exp(log_theta)
        with np.errstate(over="ignore", invalid="ignore", divide="ignore"):
            total = float(np.dot(count, _log_likelihood(theta, x, t_xs, big_ts)))
            gradient = count @ _gradient(theta, x, t_xs, big_ts) * theta
        if not np.isfinite(total) or not np.all(np.isfinite(gradient)):
            return np.inf, np.zeros_like(log_theta)
        # Per customer, so that the optimiser's tolerances mean the same whatever the number of customers.
        return -total / customers, -gradient / customers

    best: optimize.OptimizeResult | None = None
    for start in ([1.0, 1.0, 1.0, 1.0], [0.3, 0.1, 0.8, 2.5], [2.0, 5.0, 0.5, 5.0]):
        result = optimize.minimize(objective, np.log(start), jac=True, method="BFGS", options={"gtol": 1e-9})
        if np.isfinite(result.fun) and (best is None or result.fun < best.fun):
            best = result
    if best is None:
        raise ModelFitError("BG/NBD: the likelihood could not be evaluated at any starting point")
    r, alpha_scaled, a, b = (float(value) for value in np.exp(best.x))
    if max(r, alpha_scaled, a, b) > 1e6:
        raise ModelFitError(
            f"BG/NBD: the fit ran away (r={r:.3g}, alpha={alpha_scaled * scale:.3g}, a={a:.3g}, b={b:.3g}); "
            "the data do not identify the model (too few repeat purchases?)"
        )
    parameters = BgNbdParameters(r=r, alpha=alpha_scaled * scale, a=a, b=b)
    total = float(np.dot(count, _log_likelihood(parameters.as_array(), x, t_x, big_t)))
    errors = None
    if with_standard_errors:
        spread = standard_errors(lambda log_theta: objective(log_theta)[1] * customers, best.x)
        if spread is not None:
            errors = BgNbdParameters(*(float(value) for value in spread * [1, scale, 1, 1]))
    logger.info("BG/NBD fitted on %d customers: %s (log-likelihood %.2f)", int(customers), parameters, total)
    return BgNbdFit(
        parameters=parameters, standard_errors=errors, log_likelihood=total, customers=int(customers)
    )


def standard_errors(
    gradient: Callable[[FloatArray], FloatArray], log_theta: FloatArray, step: float = 1e-5
) -> FloatArray | None:
    """Delta-method standard errors of exp(log_theta) from the observed information.

    `gradient` is that of the total negative log-likelihood in log-parameters; its central differences give
    the Hessian, whose inverse is the covariance of the log-parameters.
    """
    n = log_theta.size
    hessian = np.empty((n, n))
    for i in range(n):
        shift = np.zeros(n)
        shift[i] = step
        hessian[:, i] = (gradient(log_theta + shift) - gradient(log_theta - shift)) / (2 * step)
    hessian = (hessian + hessian.T) / 2
    try:
        covariance = np.linalg.inv(hessian)
    except np.linalg.LinAlgError:
        return None
    variances = np.diag(covariance)
    if not np.all(np.isfinite(variances)) or np.any(variances <= 0):
        return None
    return np.exp(log_theta) * np.sqrt(variances)


def probability_alive(
    parameters: BgNbdParameters, frequency: ArrayLike, recency: ArrayLike, age: ArrayLike
) -> FloatArray:
    """P(still active at T | x, t_x, T) (Fader, Hardie & Lee 2008 note): 1 when x = 0."""
    x, t_x, big_t = _histories(frequency, recency, age)
    r, alpha, a, b = parameters.as_array()
    odds_dead = np.zeros_like(x)
    has_repeat = x > 0
    odds_dead[has_repeat] = np.exp(
        np.log(a)
        - np.log(b + x[has_repeat] - 1)
        + (r + x[has_repeat]) * (np.log(alpha + big_t[has_repeat]) - np.log(alpha + t_x[has_repeat]))
    )
    return 1.0 / (1.0 + odds_dead)


def expected_purchases(parameters: BgNbdParameters, t: ArrayLike) -> FloatArray:
    """E[X(t)]: repeat purchases of a new customer in (0, t] (the paper's equation 7)."""
    r, alpha, a, b = parameters.as_array()
    t = np.asarray(t, dtype=float)
    z = t / (alpha + t)
    # Euler's transformation (see conditional_expected_purchases), with x = 0 and T = 0.
    series = special.hyp2f1(a + b - 1 - r, a - 1, a + b - 1, z)
    return (a + b - 1) / (a - 1) * (1 - (1 - z) ** (a - 1) * series)


def conditional_expected_purchases(
    parameters: BgNbdParameters,
    t: ArrayLike,
    frequency: ArrayLike,
    recency: ArrayLike,
    age: ArrayLike,
    *,
    series_terms: int | None = None,
) -> FloatArray:
    """E[Y(t) | x, t_x, T]: purchases in (T, T + t] of a customer with history (x, t_x, T) (equation 10).

    The paper writes it with ((alpha + T) / (alpha + T + t))^(r + x) 2F1(r + x, b + x; a + b + x - 1; z),
    z = t / (alpha + T + t). Euler's transformation 2F1(A, B; C; z) = (1 - z)^(C - A - B) 2F1(C - A, C - B;
    C; z) turns that product into (1 - z)^(a - 1) 2F1(a + b - 1 - r, a - 1; a + b + x - 1; z): the same
    value, but a series whose terms shrink like n^(a - r - x - 2) z^n instead of growing like n^(r + x - a)
    first. That is what makes a fixed number of terms enough in SQL (see hypergeometric.py); with
    `series_terms` this function evaluates exactly that truncated series, as the warehouse does.
    """
    x, t_x, big_t = _histories(frequency, recency, age)
    r, alpha, a, b = parameters.as_array()
    t = np.broadcast_to(np.asarray(t, dtype=float), x.shape)
    z = t / (alpha + big_t + t)
    upper_a, upper_b, lower_c = a + b - 1 - r, a - 1, a + b + x - 1
    if series_terms is None:
        series = special.hyp2f1(upper_a, upper_b, lower_c, z)
    else:
        series = hyp2f1_series(upper_a, upper_b, lower_c, z, series_terms)
    if_alive = (a + b + x - 1) / (a - 1) * (1 - (1 - z) ** (a - 1) * series)
    return probability_alive(parameters, x, t_x, big_t) * if_alive


def probability_no_purchase(
    parameters: BgNbdParameters, t: ArrayLike, frequency: ArrayLike, recency: ArrayLike, age: ArrayLike
) -> FloatArray:
    """P(no purchase in (T, T + t] | x, t_x, T).

    Inactive customers never buy; an active one drops out only right after a purchase, so an active
    customer with rate lambda makes none with probability exp(-lambda t). Given the history and being
    active, lambda ~ Gamma(r + x, alpha + T), whence ((alpha + T) / (alpha + T + t))^(r + x).
    """
    x, t_x, big_t = _histories(frequency, recency, age)
    r, alpha, _, _ = parameters.as_array()
    alive = probability_alive(parameters, x, t_x, big_t)
    quiet_if_alive = np.exp((r + x) * (np.log(alpha + big_t) - np.log(alpha + big_t + np.asarray(t, float))))
    return 1 - alive + alive * quiet_if_alive


def waiting_time_quantile(
    parameters: BgNbdParameters, quantile: float, frequency: ArrayLike, age: ArrayLike
) -> FloatArray:
    """The `quantile` of the time from T to the next purchase, for a customer still active.

    Given activity, the wait is exponential with rate lambda ~ Gamma(r + x, alpha + T): a Lomax law with
    P(W > w) = ((alpha + T) / (alpha + T + w))^(r + x), so w_q = (alpha + T) ((1 - q)^(-1 / (r + x)) - 1).
    """
    if not 0 < quantile < 1:
        raise ValueError(f"quantile must be in (0, 1), got {quantile!r}")
    x = np.asarray(frequency, dtype=float)
    big_t = np.asarray(age, dtype=float)
    r, alpha, _, _ = parameters.as_array()
    return (alpha + big_t) * np.expm1(-np.log1p(-quantile) / (r + x))


def simulate(
    parameters: BgNbdParameters, ages: ArrayLike, rng: np.random.Generator
) -> tuple[FloatArray, FloatArray, FloatArray]:
    """Draw (x, t_x, T) histories from the model: one customer per entry of `ages` (their T)."""
    big_t = np.asarray(ages, dtype=float)
    n = big_t.size
    rate = rng.gamma(parameters.r, 1.0 / parameters.alpha, n)
    dropout = rng.beta(parameters.a, parameters.b, n)
    x = np.zeros(n)
    t_x = np.zeros(n)
    clock = np.zeros(n)
    active = np.ones(n, dtype=bool)
    while active.any():
        rows = np.flatnonzero(active)
        clock[rows] += rng.exponential(1.0 / rate[rows])
        bought = clock[rows] <= big_t[rows]
        buyers = rows[bought]
        x[buyers] += 1
        t_x[buyers] = clock[buyers]
        # Past T nothing more is observed; after a purchase the customer may drop out for good.
        active[rows[~bought]] = False
        active[buyers[rng.random(buyers.size) < dropout[buyers]]] = False
    return x, t_x, big_t
