"""Machine-independent float32 results from float64 arithmetic done in any order.

Every reduction in the networks here (convolution, matrix product, average pool) is a sum
``S`` of products of float32 numbers. A product of two float32 numbers is exact in float64
(24 + 24 significant bits fit in 53), so only the additions round; whatever order a BLAS
kernel, a thread split or a SIMD width adds the n terms in, with or without fused
multiply-adds, the float64 result ``z`` obeys ``|z - S| <= gamma(n) * T`` with ``T`` the sum
of the terms' magnitudes and ``gamma(n) = n u / (1 - n u)``, ``u = 2**-53`` (the error
bound of summation in any order: Higham, *Accuracy and Stability of Numerical
Algorithms*, 2nd ed., section 4.2).

The value a dataset keeps is defined without reference to any order:

    canonical = float32(round64(S) / d)

(``round64`` = correct rounding to float64; ``d`` an optional positive divisor, e.g. the
window size of an average, applied in float64). :func:`certified_float32` gets it from
``z``: all of ``[z - r, z + r]`` with ``r`` a safe multiple of ``gamma(n) * T`` contains
``round64(S)``, and when both ends of that interval round (after dividing) to the same
float32, so does
every point inside it, ``round64(S)`` included, because rounding is monotonic. The rare
elements whose interval straddles a float32 rounding boundary are recomputed from their
exact products: error-free pairwise additions (TwoSum) give the sum within a few float64
ulps with a rigorous bound (:func:`compensated_sums`), and the few still undecided (sums
that are exactly a float32 midpoint) are summed with :func:`math.fsum`, which rounds
correctly. So the result is a function of the inputs alone: two CPUs, BLAS kernels or
thread counts cannot disagree on a single bit. The only assumptions are IEEE-754
arithmetic with round-to-nearest (every CPU numpy supports) and a BLAS whose dot
products are sums of those products (true of OpenBLAS, MKL, BLIS and Accelerate; none
uses Strassen-like algorithms for dgemm).

The remaining operations of a network are single IEEE operations per element (add,
multiply, divide, square root, comparisons), which every CPU rounds identically;
:func:`exp` and :func:`log` are written with such operations only, because numpy's own
transcendental functions have CPU-specific SIMD implementations.
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable

import numpy as np

U = 2.0 ** -53
#: radius of the certified interval in units of gamma(n) * (estimated T); 8 covers the
#: float64 rounding of ``round64(S)`` itself, of the estimate of T and of ``z -/+ r``
#: with a wide margin (each adds at most about one gamma(n) * T)
RADIUS_FACTOR = 8.0
#: rows of exact terms handled at a time when resolving unsure elements
RESOLVE_VALUES = 1 << 21

#: counts of certified elements, of elements resolved from their exact terms and of those
#: that needed math.fsum, in this process (for tests and docs/datasets.md)
STATS: dict[str, float] = {"certified": 0, "resolved": 0, "fsum": 0, "resolve_seconds": 0.0}

#: ``terms_at(flat_indices)`` -> (m x n) float64 exact terms of those elements' sums
TermsAt = Callable[[np.ndarray], np.ndarray]


def gamma(terms: int) -> float:
    """Higham's gamma(n): bound on the relative error of a float64 sum of n terms."""
    nu = terms * U
    if nu >= 0.5:
        raise ValueError(f"a sum of {terms} terms is too long to certify")
    return nu / (1.0 - nu)


def _rounded_alike(lo: np.ndarray, hi: np.ndarray, divisor: np.ndarray | None
                   ) -> tuple[np.ndarray, np.ndarray]:
    """(float32 of lo / divisor, mask where lo and hi give the same float32)."""
    if divisor is not None:
        lo, hi = lo / divisor, hi / divisor
    low = lo.astype(np.float32)
    return low, low == hi.astype(np.float32)


def certified_float32(z: np.ndarray, magnitude: np.ndarray, terms: int, terms_at: TermsAt,
                      divisor: float | np.ndarray | None = None) -> np.ndarray:
    """``float32(round64(S) / divisor)`` for every element, from approximate sums ``z``.

    ``magnitude`` >= T (the sum of the terms' magnitudes) per element, up to a relative
    error of a few gamma(n) (computed in float64 in any order, or a Cauchy-Schwarz bound);
    ``terms`` is the number of summands n; ``terms_at(flat_indices)`` returns the exact
    terms of those elements' sums (m x n float64, e.g. products of float32 numbers and
    the bias); ``divisor`` (positive: a scalar or an array of z's shape) divides in
    float64 before the rounding, e.g. for an average. ``z`` is overwritten. Zeros come
    out as +0.0.
    """
    z = np.asarray(z, dtype=np.float64)
    div = None if divisor is None else np.broadcast_to(
        np.asarray(divisor, dtype=np.float64), z.shape)
    radius = np.multiply(magnitude, RADIUS_FACTOR * gamma(terms), dtype=np.float64)
    lo = z - radius
    hi = np.add(z, radius, out=z)
    out, sure = _rounded_alike(lo, hi, div)
    unsure = np.flatnonzero(~sure)
    STATS["certified"] += out.size
    if unsure.size:
        start = time.perf_counter()
        STATS["resolved"] += int(unsure.size)
        step = max(1, RESOLVE_VALUES // max(terms, 1))
        flat_div = None if div is None else div.reshape(-1)
        for i in range(0, unsure.size, step):
            chunk = unsure[i:i + step]
            out.flat[chunk] = resolve(np.asarray(terms_at(chunk), dtype=np.float64),
                                      None if flat_div is None else flat_div[chunk])
        STATS["resolve_seconds"] += time.perf_counter() - start
    out += np.float32(0.0)  # -0.0 -> +0.0: the sign of an exact zero sum is not defined
    return out


def two_sum(a: np.ndarray, b: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Knuth's error-free transformation: ``s + e == a + b`` exactly, ``s = fl(a + b)``."""
    s = a + b
    bb = s - a
    return s, (a - (s - bb)) + (b - bb)


def compensated_sums(terms: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Each row's sum ``v`` and a bound on ``|v - S|``: pairwise error-free additions
    (``S = s + sum of the errors`` exactly), then the errors added in float64."""
    s = terms
    rows = s.shape[0]
    err_sum = np.zeros(rows)
    err_mag = np.zeros(rows)
    count = 0
    while s.shape[1] > 1:
        if s.shape[1] % 2:
            s = np.concatenate([s, np.zeros((rows, 1))], axis=1)
        s, e = two_sum(s[:, 0::2], s[:, 1::2])
        err_sum += e.sum(axis=1)
        err_mag += np.abs(e).sum(axis=1)
        count += e.shape[1]
    v = s[:, 0] + err_sum
    # |err_sum - sum of errors| <= gamma(count) * err_mag (err_mag itself is accurate to
    # gamma(count), hence the factor 2); |v - (s + err_sum)| <= u |v| (1 + 2u)
    return v, (1.0 + 4.0 * U) * (U * np.abs(v) + 2.0 * gamma(count + 2) * err_mag)


def resolve(terms: np.ndarray, divisor: np.ndarray | None = None) -> np.ndarray:
    """``float32(round64(S) / divisor)`` of each row's exact sum S (rows of exact terms)."""
    v, bound = compensated_sums(terms)
    # round64(S) lies within bound + u (|v| + bound) of v; this radius also covers the
    # rounding of v -/+ radius
    radius = 2.0 * bound + 4.0 * U * np.abs(v)
    out, sure = _rounded_alike(v - radius, v + radius, divisor)
    still = np.flatnonzero(~sure)
    if still.size:  # a float32 rounding boundary within a few float64 ulps: sum exactly
        STATS["fsum"] += int(still.size)
        sums = np.array([math.fsum(row) for row in terms[still].tolist()])
        out[still], _ = _rounded_alike(sums, sums,
                                       None if divisor is None else divisor[still])
    return out


# -- exp and log from IEEE operations only -------------------------------------------------
_LN2_HI = 6.93147180369123816490e-01  # ln 2 with its low 32 bits zero: k * _LN2_HI is exact
_LN2_LO = 1.90821492927058770002e-10
_LOG2E = 1.4426950408889634
#: Taylor coefficients 1/k! of exp, highest first (|r| <= ln2/2 needs terms up to r^13)
_EXP_COEFFS = [1.0 / math.factorial(k) for k in range(13, -1, -1)]


def exp(x: np.ndarray) -> np.ndarray:
    """exp in float64 (relative error below 1e-15) from adds, multiplies and ldexp only,
    so it gives the same bits on every CPU (unlike numpy's SIMD exp)."""
    x = np.clip(np.asarray(x, dtype=np.float64), -745.0, 709.0)
    k = np.rint(x * _LOG2E)
    r = (x - k * _LN2_HI) - k * _LN2_LO
    p = np.full_like(r, _EXP_COEFFS[0])
    for c in _EXP_COEFFS[1:]:
        p = p * r
        p = p + c
    return np.ldexp(p, k.astype(np.int64))


#: odd series of atanh: log(m) = 2 atanh((m-1)/(m+1)), |s| <= 0.172 for m in [1/sqrt2, sqrt2)
_ATANH_TERMS = 12


def log(x: np.ndarray) -> np.ndarray:
    """Natural log in float64 (relative error below 1e-15 away from x = 1; absolute below
    1e-16 near it) from frexp, adds, multiplies and one divide: the same bits on every
    CPU. ``x`` must be positive and finite."""
    x = np.asarray(x, dtype=np.float64)
    if np.any(~(x > 0)) or not np.all(np.isfinite(x)):
        raise ValueError("log needs positive finite values")
    m, e = np.frexp(x)  # x = m * 2^e, m in [0.5, 1)
    small = m < math.sqrt(0.5)
    m = np.where(small, m * 2.0, m)
    e = np.where(small, e - 1, e).astype(np.float64)
    s = (m - 1.0) / (m + 1.0)
    s2 = s * s
    p = np.full_like(s, 1.0 / (2 * _ATANH_TERMS + 1))
    for k in range(_ATANH_TERMS - 1, -1, -1):
        p = p * s2
        p = p + 1.0 / (2 * k + 1)
    return (e * _LN2_HI + (2.0 * s) * p) + e * _LN2_LO
