"""The BG/NBD model of repeat purchasing (Fader, Hardie & Lee 2005, "Counting Your Customers the Easy Way").

Story: while active, a customer buys as a Poisson process of rate lambda; after each repeat purchase they
become inactive for good with probability p. Across customers, lambda ~ Gamma(shape r, rate alpha) and
p ~ Beta(a, b). A customer's history is summarised by (x, t_x, T): x repeat purchases (purchases after the
first), the last at t_x, observed for T since the first purchase (t_x = 0 when x = 0). Time units are the
caller's (the warehouse uses days; the CDNOW reference data weeks): alpha and every time share them.

Everything here is vectorised over customers with numpy; the log-likelihood is written from the paper's
equation (6), in log space so that large x or long histories neither overflow nor underflow.

When the data show no heterogeneity in dropout, the maximum of the likelihood lies at the edge of the
parameter space: a and b grow without bound at a fixed ratio, the Beta collapsing onto one dropout
probability p = a / (a + b). That limit is a model of its own, FixedDropoutParameters (r, alpha, p), with
closed forms for everything (no 2F1). `fit` fits both and keeps the fixed-dropout model unless the Beta
improves the log-likelihood by more than a likelihood-ratio test at 5 % asks (1.92, half the 95 % quantile
of a chi-square with one degree of freedom).
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
        _check_positive(self, ("r", "alpha", "a", "b"))

    def as_array(self) -> FloatArray:
        return np.array([self.r, self.alpha, self.a, self.b], dtype=float)

    def dropout_odds(self, x: FloatArray) -> FloatArray:
        """P(dropped out after purchase x) / P(still active after it), before the timing: a / (b + x - 1)."""
        return self.a / (self.b + x - 1)


@dataclass(frozen=True)
class FixedDropoutParameters:
    """The BG/NBD limit where every customer drops out with the same probability p after each purchase."""

    r: float
    alpha: float
    p: float

    def __post_init__(self) -> None:
        _check_positive(self, ("r", "alpha", "p"))
        if self.p >= 1:
            raise ValueError(f"dropout probability p must be below 1, got {self.p!r}")

    def as_array(self) -> FloatArray:
        return np.array([self.r, self.alpha, self.p], dtype=float)

    def dropout_odds(self, x: FloatArray) -> FloatArray:
        return np.full_like(x, self.p / (1 - self.p))


PurchaseParameters = BgNbdParameters | FixedDropoutParameters

#: The Beta model is kept when it beats the fixed-dropout limit by more than this (LR test at 5 %, 1 dof).
HETEROGENEITY_LOG_LIKELIHOOD_GAIN = 1.92


def _check_positive(parameters: object, names: tuple[str, ...]) -> None:
    for name in names:
        value = getattr(parameters, name)
        if not np.isfinite(value) or value <= 0:
            raise ValueError(f"BG/NBD parameter {name} must be a positive number, got {value!r}")


@dataclass(frozen=True)
class BgNbdFit:
    """A maximum-likelihood fit: estimates, standard errors from the observed information, log-likelihood.

    `rival_log_likelihood` is the other model's (Beta dropout vs fixed dropout), for the record.
    """

    parameters: PurchaseParameters
    standard_errors: PurchaseParameters | None
    log_likelihood: float
    customers: int
    rival_log_likelihood: float = float("nan")


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
    parameters: PurchaseParameters, frequency: ArrayLike, recency: ArrayLike, age: ArrayLike
) -> FloatArray:
    """ln L(parameters | x, t_x, T) per customer (the paper's equation 6, or its fixed-dropout limit)."""
    x, t_x, big_t = _histories(frequency, recency, age)
    model = _BETA if isinstance(parameters, BgNbdParameters) else _FIXED
    return model.log_likelihood(parameters.as_array(), x, t_x, big_t)


def _beta_log_likelihood(theta: FloatArray, x: FloatArray, t_x: FloatArray, big_t: FloatArray) -> FloatArray:
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


def _beta_gradient(theta: FloatArray, x: FloatArray, t_x: FloatArray, big_t: FloatArray) -> FloatArray:
    """d ln L / d(r, alpha, a, b) per customer (rows) and parameter (columns).

    With ln L = A + ln(e^S + e^D) (A the purchase part, S alive at T, D dropped out at t_x, as in
    _beta_log_likelihood), the derivative is dA + w dS + (1 - w) dD where w = e^S / (e^S + e^D) is P(alive).
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
    d_r, d_alpha = _purchase_gradient(r, alpha, x, t_x, big_t, weight_alive)
    d_a = beta_a + weight_dead / a
    d_b = beta_b - weight_dead / np.where(has_repeat, b + x - 1, 1.0)
    return np.column_stack([d_r, d_alpha, d_a, d_b])


def _purchase_gradient(
    r: float, alpha: float, x: FloatArray, t_x: FloatArray, big_t: FloatArray, weight_alive: FloatArray
) -> tuple[FloatArray, FloatArray]:
    """d ln L / d(r, alpha): the same in both models, given the weight of the alive branch."""
    weight_dead = 1 - weight_alive
    d_r = (
        special.digamma(r + x)
        - special.digamma(r)
        + np.log(alpha)
        - weight_alive * np.log(alpha + big_t)
        - weight_dead * np.log(alpha + t_x)
    )
    d_alpha = r / alpha - weight_alive * (r + x) / (alpha + big_t) - weight_dead * (r + x) / (alpha + t_x)
    return d_r, d_alpha


def _fixed_log_likelihood(theta: FloatArray, x: FloatArray, t_x: FloatArray, big_t: FloatArray) -> FloatArray:
    r, alpha, p = theta
    purchases = special.gammaln(r + x) - special.gammaln(r) + r * np.log(alpha)
    # Alive at T: survived x purchases, (1 - p)^x; dropped after the last: p (1 - p)^(x - 1).
    survived = x * np.log1p(-p) - (r + x) * np.log(alpha + big_t)
    has_repeat = x > 0
    dropped = np.full_like(x, -np.inf)
    dropped[has_repeat] = (
        np.log(p) + (x[has_repeat] - 1) * np.log1p(-p) - (r + x[has_repeat]) * np.log(alpha + t_x[has_repeat])
    )
    return purchases + np.logaddexp(survived, dropped)


def _fixed_gradient(theta: FloatArray, x: FloatArray, t_x: FloatArray, big_t: FloatArray) -> FloatArray:
    r, alpha, p = theta
    has_repeat = x > 0
    survived_log = x * np.log1p(-p) - (r + x) * np.log(alpha + big_t)
    dropped_log = np.where(has_repeat, np.log(p) + (x - 1) * np.log1p(-p), -np.inf) - (r + x) * np.log(
        alpha + t_x
    )
    weight_alive = np.exp(survived_log - np.logaddexp(survived_log, dropped_log))
    d_r, d_alpha = _purchase_gradient(r, alpha, x, t_x, big_t, weight_alive)
    d_p = weight_alive * (-x / (1 - p)) + (1 - weight_alive) * (1 / p - (x - 1) / (1 - p))
    return np.column_stack([d_r, d_alpha, d_p])


@dataclass(frozen=True)
class _Model:
    """How to fit one of the two models: likelihood, gradient, and the map from unconstrained values."""

    name: str
    log_likelihood: Callable[[FloatArray, FloatArray, FloatArray, FloatArray], FloatArray]
    gradient: Callable[[FloatArray, FloatArray, FloatArray, FloatArray], FloatArray]
    starts: tuple[tuple[float, ...], ...]
    #: positions of parameters kept in (0, 1) by a logistic map (the rest are positive: exp map)
    probabilities: tuple[int, ...] = ()

    def to_theta(self, free: FloatArray) -> FloatArray:
        theta = np.exp(free)
        for index in self.probabilities:
            theta[index] = special.expit(free[index])
        return theta

    def to_free(self, theta: FloatArray) -> FloatArray:
        free = np.log(theta)
        for index in self.probabilities:
            free[index] = special.logit(theta[index])
        return free

    def derivative(self, free: FloatArray) -> FloatArray:
        """d theta / d free, element-wise."""
        theta = self.to_theta(free)
        slope = theta.copy()
        for index in self.probabilities:
            slope[index] = theta[index] * (1 - theta[index])
        return slope


_BETA = _Model(
    "beta",
    _beta_log_likelihood,
    _beta_gradient,
    starts=((1.0, 1.0, 1.0, 1.0), (0.3, 0.1, 0.8, 2.5)),
)
_FIXED = _Model(
    "fixed",
    _fixed_log_likelihood,
    _fixed_gradient,
    starts=((1.0, 1.0, 0.1),),
    probabilities=(2,),
)


@dataclass(frozen=True)
class _Optimum:
    theta: FloatArray  # in rescaled time (alpha divided by `scale`)
    free: FloatArray
    log_likelihood: float  # in rescaled time: comparable between the two models only


def _optimise(
    model: _Model, x: FloatArray, t_x: FloatArray, big_t: FloatArray, count: FloatArray
) -> _Optimum | None:
    customers = float(count.sum())

    def objective(free: FloatArray) -> tuple[float, FloatArray]:
        theta = model.to_theta(free)
        with np.errstate(over="ignore", invalid="ignore", divide="ignore"):
            total = float(np.dot(count, model.log_likelihood(theta, x, t_x, big_t)))
            gradient = count @ model.gradient(theta, x, t_x, big_t) * model.derivative(free)
        if not np.isfinite(total) or not np.all(np.isfinite(gradient)):
            return np.inf, np.zeros_like(free)
        # Per customer, so that the optimiser's tolerances mean the same whatever the number of customers.
        return -total / customers, -gradient / customers

    best: optimize.OptimizeResult | None = None
    for start in model.starts:
        # Bounded, because on data without dropout heterogeneity the Beta's a and b run off to infinity:
        # stopping at e^18 keeps that chase short (the fixed-dropout model then wins the comparison).
        result = optimize.minimize(
            objective,
            model.to_free(np.array(start)),
            jac=True,
            method="L-BFGS-B",
            bounds=[(-18.0, 18.0)] * len(start),
            options={"ftol": 1e-13, "gtol": 1e-9, "maxiter": 2000},
        )
        if np.isfinite(result.fun) and (best is None or result.fun < best.fun):
            best = result
    if best is None:
        return None
    return _Optimum(theta=model.to_theta(best.x), free=best.x, log_likelihood=-best.fun * customers)


def fit(
    frequency: ArrayLike,
    recency: ArrayLike,
    age: ArrayLike,
    weights: ArrayLike | None = None,
    *,
    with_standard_errors: bool = True,
    model: str = "auto",
) -> BgNbdFit:
    """Maximum-likelihood estimates: the Beta-dropout BG/NBD or its fixed-dropout limit.

    `model` is 'beta', 'fixed' or 'auto' (both, and the Beta only when it is worth its extra parameter: see
    the module's docstring). `weights` counts identical histories (the warehouse sends one row per distinct
    (x, t_x, T) with its number of customers). The optimiser (BFGS with the analytic gradient) works on
    unconstrained transforms of the parameters (logarithms; the logit of p), so every step stays valid, and
    on time rescaled to a mean age of 1, so that alpha starts near its optimum whatever the unit; it starts
    from a few points and keeps the best optimum.
    """
    if model not in ("auto", "beta", "fixed"):
        raise ValueError(f"model must be 'auto', 'beta' or 'fixed', got {model!r}")
    x, t_x, big_t = _histories(frequency, recency, age)
    count = np.ones_like(x) if weights is None else np.broadcast_to(np.asarray(weights, dtype=float), x.shape)
    if x.size == 0 or count.sum() <= 0:
        raise ModelFitError("BG/NBD: no customer history to fit")
    if not np.any(x > 0):
        raise ModelFitError("BG/NBD: no customer made a repeat purchase; the purchase rate is not identified")
    scale = float(np.average(big_t, weights=count)) or 1.0
    t_xs, big_ts = t_x / scale, big_t / scale
    candidates = {
        candidate.name: _optimise(candidate, x, t_xs, big_ts, count)
        for candidate in (_BETA, _FIXED)
        if model in ("auto", candidate.name)
    }
    chosen = _choose(candidates)
    optimum = candidates[chosen.name]
    assert optimum is not None
    theta = optimum.theta.copy()
    if max(theta[0], theta[1]) > 1e6:
        raise ModelFitError(
            f"BG/NBD: the fit ran away (r={theta[0]:.3g}, alpha={theta[1] * scale:.3g}): purchase rates do "
            "not vary between customers enough to fit a Gamma (too few repeat purchases?)"
        )
    theta[1] *= scale
    parameters: PurchaseParameters = (
        BgNbdParameters(*(float(value) for value in theta))
        if chosen is _BETA
        else FixedDropoutParameters(*(float(value) for value in theta))
    )
    total = float(np.dot(count, chosen.log_likelihood(theta, x, t_x, big_t)))
    rival = [value for name, value in candidates.items() if name != chosen.name and value is not None]
    # Log-likelihoods of the rescaled data differ from the original ones by a constant common to both models.
    rival_total = rival[0].log_likelihood - optimum.log_likelihood + total if rival else float("nan")
    errors = None
    if with_standard_errors:
        errors = _standard_errors(chosen, optimum, x, t_xs, big_ts, count, scale)
    logger.info(
        "BG/NBD fitted on %d customers: %s (log-likelihood %.2f)", int(count.sum()), parameters, total
    )
    return BgNbdFit(
        parameters=parameters,
        standard_errors=errors,
        log_likelihood=total,
        customers=int(count.sum()),
        rival_log_likelihood=rival_total,
    )


def _choose(candidates: dict[str, _Optimum | None]) -> _Model:
    beta, fixed = candidates.get("beta"), candidates.get("fixed")
    if beta is None and fixed is None:
        raise ModelFitError("BG/NBD: the likelihood could not be evaluated at any starting point")
    if fixed is None:
        return _BETA
    if beta is None or beta.log_likelihood - fixed.log_likelihood <= HETEROGENEITY_LOG_LIKELIHOOD_GAIN:
        if beta is not None:
            logger.info(
                "BG/NBD: the data do not support dropout heterogeneity (log-likelihood gain %.2f): fixed p",
                beta.log_likelihood - fixed.log_likelihood,
            )
        return _FIXED
    return _BETA


def _standard_errors(
    model: _Model,
    optimum: _Optimum,
    x: FloatArray,
    t_x: FloatArray,
    big_t: FloatArray,
    count: FloatArray,
    scale: float,
) -> PurchaseParameters | None:
    def gradient(free: FloatArray) -> FloatArray:
        theta = model.to_theta(free)
        return -(count @ model.gradient(theta, x, t_x, big_t)) * model.derivative(free)

    spread = standard_errors(gradient, optimum.free, model.derivative)
    if spread is None:
        return None
    spread[1] *= scale
    values = (float(value) for value in spread)
    try:
        return BgNbdParameters(*values) if model is _BETA else FixedDropoutParameters(*values)
    except ValueError:
        return None


def standard_errors(
    gradient: Callable[[FloatArray], FloatArray],
    free: FloatArray,
    derivative: Callable[[FloatArray], FloatArray] = np.exp,
    step: float = 1e-5,
) -> FloatArray | None:
    """Delta-method standard errors of the parameters from the observed information.

    `gradient` is that of the total negative log-likelihood in unconstrained values `free`; its central
    differences give the Hessian, whose inverse is their covariance; `derivative` (d parameter / d free,
    element-wise; exp for log-parameters) carries it to the parameters.
    """
    n = free.size
    hessian = np.empty((n, n))
    for i in range(n):
        shift = np.zeros(n)
        shift[i] = step
        hessian[:, i] = (gradient(free + shift) - gradient(free - shift)) / (2 * step)
    hessian = (hessian + hessian.T) / 2
    try:
        covariance = np.linalg.inv(hessian)
    except np.linalg.LinAlgError:
        return None
    variances = np.diag(covariance)
    if not np.all(np.isfinite(variances)) or np.any(variances <= 0):
        return None
    return derivative(free) * np.sqrt(variances)


def probability_alive(
    parameters: PurchaseParameters, frequency: ArrayLike, recency: ArrayLike, age: ArrayLike
) -> FloatArray:
    """P(still active at T | x, t_x, T) (Fader, Hardie & Lee 2008 note): 1 when x = 0.

    1 / (1 + odds ((alpha + T) / (alpha + t_x))^(r + x)), odds = a / (b + x - 1), or p / (1 - p).
    """
    x, t_x, big_t = _histories(frequency, recency, age)
    r, alpha = parameters.r, parameters.alpha
    odds_dead = np.zeros_like(x)
    has_repeat = x > 0
    odds_dead[has_repeat] = np.exp(
        np.log(parameters.dropout_odds(x[has_repeat]))
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
    parameters: PurchaseParameters,
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

    Fixed dropout p: an active customer with rate lambda makes (1 - e^(-lambda p t)) / p purchases in t on
    average; over lambda ~ Gamma(r + x, alpha + T), (1 - ((alpha + T) / (alpha + T + p t))^(r + x)) / p.
    """
    x, t_x, big_t = _histories(frequency, recency, age)
    t = np.broadcast_to(np.asarray(t, dtype=float), x.shape)
    alive = probability_alive(parameters, x, t_x, big_t)
    if isinstance(parameters, FixedDropoutParameters):
        r, alpha, p = parameters.as_array()
        quiet = np.exp((r + x) * (np.log(alpha + big_t) - np.log(alpha + big_t + p * t)))
        return alive * -np.expm1(np.log(quiet)) / p
    r, alpha, a, b = parameters.as_array()
    z = t / (alpha + big_t + t)
    upper_a, upper_b, lower_c = a + b - 1 - r, a - 1, a + b + x - 1
    if series_terms is None:
        series = special.hyp2f1(upper_a, upper_b, lower_c, z)
    else:
        series = hyp2f1_series(upper_a, upper_b, lower_c, z, series_terms)
    if_alive = (a + b + x - 1) / (a - 1) * (1 - (1 - z) ** (a - 1) * series)
    return alive * if_alive


def probability_no_purchase(
    parameters: PurchaseParameters, t: ArrayLike, frequency: ArrayLike, recency: ArrayLike, age: ArrayLike
) -> FloatArray:
    """P(no purchase in (T, T + t] | x, t_x, T).

    Inactive customers never buy; an active one drops out only right after a purchase, so an active
    customer with rate lambda makes none with probability exp(-lambda t). Given the history and being
    active, lambda ~ Gamma(r + x, alpha + T), whence ((alpha + T) / (alpha + T + t))^(r + x).
    """
    x, t_x, big_t = _histories(frequency, recency, age)
    r, alpha = parameters.r, parameters.alpha
    alive = probability_alive(parameters, x, t_x, big_t)
    quiet_if_alive = np.exp((r + x) * (np.log(alpha + big_t) - np.log(alpha + big_t + np.asarray(t, float))))
    return 1 - alive + alive * quiet_if_alive


def waiting_time_quantile(
    parameters: PurchaseParameters, quantile: float, frequency: ArrayLike, age: ArrayLike
) -> FloatArray:
    """The `quantile` of the time from T to the next purchase, for a customer still active.

    Given activity, the wait is exponential with rate lambda ~ Gamma(r + x, alpha + T): a Lomax law with
    P(W > w) = ((alpha + T) / (alpha + T + w))^(r + x), so w_q = (alpha + T) ((1 - q)^(-1 / (r + x)) - 1).
    """
    if not 0 < quantile < 1:
        raise ValueError(f"quantile must be in (0, 1), got {quantile!r}")
    x = np.asarray(frequency, dtype=float)
    big_t = np.asarray(age, dtype=float)
    r, alpha = parameters.r, parameters.alpha
    return (alpha + big_t) * np.expm1(-np.log1p(-quantile) / (r + x))


def simulate(
    parameters: PurchaseParameters, ages: ArrayLike, rng: np.random.Generator
) -> tuple[FloatArray, FloatArray, FloatArray]:
    """Draw (x, t_x, T) histories from the model: one customer per entry of `ages` (their T)."""
    big_t = np.asarray(ages, dtype=float)
    n = big_t.size
    rate = rng.gamma(parameters.r, 1.0 / parameters.alpha, n)
    if isinstance(parameters, FixedDropoutParameters):
        dropout = np.full(n, parameters.p)
    else:
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
