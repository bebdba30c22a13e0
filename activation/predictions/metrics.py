"""Quality measures of the predictions: ranking (AUC), error (MAE) and calibration (by decile)."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numpy.typing import ArrayLike
from scipy import stats


def roc_auc(outcome: ArrayLike, score: ArrayLike, weights: ArrayLike | None = None) -> float:
    """Area under the ROC curve: the probability that a random positive scores above a random negative.

    Ties count one half (the Mann-Whitney statistic, computed from midranks). Weighted rows stand for that
    many identical observations. NaN when either class is empty.
    """
    y = np.asarray(outcome, dtype=bool)
    s = np.asarray(score, dtype=float)
    w = np.ones_like(s) if weights is None else np.asarray(weights, dtype=float)
    if y.shape != s.shape or w.shape != s.shape:
        raise ValueError("outcome, score and weights must have the same length")
    positives, negatives = w[y].sum(), w[~y].sum()
    if positives == 0 or negatives == 0:
        return float("nan")
    order = np.argsort(s, kind="mergesort")
    s_sorted, w_sorted, y_sorted = s[order], w[order], y[order]
    # Weighted midranks: within a block of equal scores every row gets the block's mean rank.
    cumulative = np.cumsum(w_sorted)
    _, block_start = np.unique(s_sorted, return_index=True)
    block_end = np.append(block_start[1:], s_sorted.size)
    block_total = cumulative[block_end - 1]
    block_before = np.where(block_start > 0, cumulative[np.maximum(block_start - 1, 0)], 0.0)
    midrank = (block_before + block_total + 1) / 2
    ranks = np.repeat(midrank, block_end - block_start)
    positive_rank_sum = float(np.sum(ranks[y_sorted] * w_sorted[y_sorted]))
    return (positive_rank_sum - positives * (positives + 1) / 2) / (positives * negatives)


def mean_absolute_error(actual: ArrayLike, predicted: ArrayLike) -> float:
    return float(np.mean(np.abs(np.asarray(actual, dtype=float) - np.asarray(predicted, dtype=float))))


@dataclass(frozen=True)
class CalibrationBin:
    """One decile of customers ranked by prediction: mean predicted vs mean actual."""

    decile: int
    customers: int
    mean_predicted: float
    mean_actual: float


def calibration_by_decile(actual: ArrayLike, predicted: ArrayLike, bins: int = 10) -> list[CalibrationBin]:
    """Customers sorted by prediction, cut into `bins` groups of (nearly) equal size."""
    y = np.asarray(actual, dtype=float)
    p = np.asarray(predicted, dtype=float)
    order = np.argsort(p, kind="mergesort")
    result = []
    for index, rows in enumerate(np.array_split(order, bins), start=1):
        if rows.size:
            result.append(CalibrationBin(index, int(rows.size), float(p[rows].mean()), float(y[rows].mean())))
    return result


def spearman(first: ArrayLike, second: ArrayLike) -> float:
    """Rank correlation (used to check the Gamma-Gamma assumption that spend and frequency are unrelated)."""
    a, b = np.asarray(first, dtype=float), np.asarray(second, dtype=float)
    if a.size < 3 or np.all(a == a[0]) or np.all(b == b[0]):
        return float("nan")
    return float(stats.spearmanr(a, b).statistic)
