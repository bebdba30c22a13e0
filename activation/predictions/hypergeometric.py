"""Gauss's hypergeometric function 2F1 as the warehouse computes it: its power series, cut after N terms.

    2F1(A, B; C; z) = sum over n >= 0 of (A)_n (B)_n / ((C)_n n!) z^n,   |z| < 1

SQL has no 2F1 (nor log-gamma on every engine), so `macros/predictions/hyp2f1.sql` writes the first N terms
out in Horner form, 1 + c1 (1 + c2 (1 + ... (1 + c_{N-1}))) with c_k = (A+k-1)(B+k-1) z / ((C+k-1) k), and
`hyp2f1_series` below evaluates exactly the same nesting, so tests can hold SQL, this function and scipy's
exact value against one another. The BG/NBD code only calls it after Euler's transformation (see
bgnbd.conditional_expected_purchases), where terms shrink like n^(a - r - x - 2) z^n: the error of N terms
is then governed by z^N, z = t / (alpha + T + t) being largest for a customer whose first purchase is today.
"""

from __future__ import annotations

import numpy as np
from numpy.typing import ArrayLike, NDArray


def hyp2f1_series(
    upper_a: ArrayLike, upper_b: ArrayLike, lower_c: ArrayLike, z: ArrayLike, terms: int
) -> NDArray[np.float64]:
    """The first `terms` terms of the 2F1 series, summed in the Horner order the SQL macro uses."""
    if terms < 1:
        raise ValueError(f"terms must be at least 1, got {terms!r}")
    a, b, c, z = np.broadcast_arrays(*(np.asarray(v, dtype=float) for v in (upper_a, upper_b, lower_c, z)))
    total = np.ones_like(z)
    for k in range(terms - 1, 0, -1):
        total = 1 + (a + k - 1) * (b + k - 1) * z / ((c + k - 1) * k) * total
    return total
