"""The fixed-point 8-point DCT-II that the DCT netlists compute, bit for bit.

Contract (used by outside checks): :func:`dct2` maps integer blocks shaped (..., 8, 8) to
integer coefficients of the orthonormal 2-D DCT-II, each within 1 of
``scipy.fft.dctn(block, axes=(-2, -1), norm="ortho")``; :func:`idct2` inverts it.

Arithmetic (a default; the paper gives none). The transform is an 8x8 constant matrix,
applied serially (one input per cycle, eight accumulators) so the same numbers come out
of the hardware:

* constants ``C = round(2^P * A)``, ``A`` the orthonormal DCT-II matrix, ``P`` =
  :data:`COEF_BITS` = 14. Every entry is +-round(2^P cos(j pi/16) / 2), j = 1..7;
* rows: ``T = rs(X C^T, P - F)`` keeps ``F`` = :data:`ROW_FRAC_BITS` = 4 fraction bits;
* columns: ``D = rs(C T, P + F)``, an integer;
* inverse: ``T' = rs(C^T D, P - G)`` with ``G`` = :data:`INV_FRAC_BITS` = 4, then
  ``X' = rs(T' C, P + G)``;

where ``rs(v, s) = floor((v + 2^(s-1)) / 2^s)`` (round half up: an adder-free rounding in
hardware, because the accumulators start at 2^(s-1)). All products and sums are exact
integers. :func:`forward_error_bound` proves the +-1 contract by interval arithmetic for
any input with |x| <= 256 (both 8-bit formats, signed and unsigned): 0.858.

The 1-D variant along channels (DCT-CM) is ``rs(C x, P)`` and ``rs(C^T c, P)``.
"""

from __future__ import annotations

import math

import numpy as np

N = 8
#: P: fraction bits of the matrix constants (default)
COEF_BITS = 14
#: F: fraction bits kept between the row and the column pass of the forward transform
ROW_FRAC_BITS = 4
#: G: fraction bits kept between the column and the row pass of the inverse transform
INV_FRAC_BITS = 4
#: the largest input magnitude the accuracy bound covers (9-bit signed: int8 and uint8)
INPUT_LIMIT = 256


def dct_matrix() -> np.ndarray:
    """The orthonormal 8-point DCT-II matrix A[k][n] (float)."""
    k = np.arange(N)[:, None]
    n = np.arange(N)[None, :]
    scale = np.where(k == 0, math.sqrt(1 / N), math.sqrt(2 / N))
    return scale * np.cos((2 * n + 1) * k * math.pi / (2 * N))


def constant_matrix(coef_bits: int = COEF_BITS) -> np.ndarray:
    """``round(2^coef_bits * A)`` as int64: the multipliers of the hardware."""
    return np.round(dct_matrix() * (1 << coef_bits)).astype(np.int64)


C = constant_matrix()


def round_shift(values: np.ndarray, shift: int) -> np.ndarray:
    """``floor((v + 2^(shift-1)) / 2^shift)`` on int64 (round half up)."""
    v = np.asarray(values, dtype=np.int64)
    if shift <= 0:
        return v << -shift
    return (v + (1 << (shift - 1))) >> shift


#: float64 holds every integer below 2^53 exactly
_EXACT_FLOAT = 1 << 53


def exact_matmul(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """``a @ b`` of int64 arrays, through float64 BLAS when that is exact.

    Every product and partial sum is an integer; when the largest possible sum
    (sum of |a| x sum of |b| along the contracted axis) stays below 2^53, float64 holds
    each exactly and the result equals the int64 product (``tests/test_dct_golden.py``
    checks both). Otherwise the int64 path is used.
    """
    a = np.asarray(a, dtype=np.int64)
    b = np.asarray(b, dtype=np.int64)
    a_max = int(np.abs(a).max(initial=0))
    b_max = int(np.abs(b).max(initial=0))
    if a_max * b_max * a.shape[-1] < _EXACT_FLOAT:
        return np.rint(a.astype(np.float64) @ b.astype(np.float64)).astype(np.int64)
    return a @ b


def _integer_blocks(blocks: np.ndarray, what: str) -> np.ndarray:
    arr = np.asarray(blocks)
    if arr.dtype.kind not in "iub":
        raise TypeError(f"{what} must be integers, got dtype {arr.dtype}")
    if arr.ndim < 2 or arr.shape[-2:] != (N, N):
        raise ValueError(f"{what} must be shaped (..., 8, 8), got {arr.shape}")
    return arr.astype(np.int64)


def dct2(blocks: np.ndarray) -> np.ndarray:
    """Fixed-point orthonormal 2-D DCT-II of integer 8x8 blocks (rows, then columns)."""
    x = _integer_blocks(blocks, "blocks")
    if x.size and np.abs(x).max() > INPUT_LIMIT:
        raise ValueError(f"block values must lie within +-{INPUT_LIMIT} (8-bit data)")
    rows = round_shift(exact_matmul(x, C.T), COEF_BITS - ROW_FRAC_BITS)  # T[y][u]
    return round_shift(exact_matmul(C, rows), COEF_BITS + ROW_FRAC_BITS)  # D[v][u]


def idct2(coefficients: np.ndarray) -> np.ndarray:
    """Fixed-point inverse of :func:`dct2` (columns, then rows), unclamped integers."""
    d = _integer_blocks(coefficients, "coefficients")
    cols = round_shift(exact_matmul(C.T, d), COEF_BITS - INV_FRAC_BITS)  # T'[y][u]
    return round_shift(exact_matmul(cols, C), COEF_BITS + INV_FRAC_BITS)  # X'[y][x]


def dct1(vectors: np.ndarray) -> np.ndarray:
    """Fixed-point orthonormal 8-point DCT-II along the last axis (DCT-CM)."""
    x = np.asarray(vectors).astype(np.int64)
    if x.shape[-1:] != (N,):
        raise ValueError(f"vectors must be shaped (..., 8), got {x.shape}")
    return round_shift(exact_matmul(x, C.T), COEF_BITS)


def idct1(coefficients: np.ndarray) -> np.ndarray:
    """Fixed-point inverse of :func:`dct1` along the last axis, unclamped."""
    c = np.asarray(coefficients).astype(np.int64)
    if c.shape[-1:] != (N,):
        raise ValueError(f"coefficients must be shaped (..., 8), got {c.shape}")
    return round_shift(exact_matmul(c, C), COEF_BITS)


# --- bounds: the proof of the accuracy contract and the widths of every datapath ---------

def forward_error_bound(input_limit: int = INPUT_LIMIT, coef_bits: int = COEF_BITS,
                        frac_bits: int = ROW_FRAC_BITS) -> float:
    """Largest possible |dct2(x) - DCT(x)| over all blocks with |x| <= ``input_limit``.

    Interval arithmetic over the two passes: constant errors |C/2^P - A| times the
    largest inputs, plus the half-unit of each rounding (0.5 / 2^F after the rows, 0.5
    after the columns). Holds for every block, not only for tested ones.
    """
    a = dct_matrix()
    c = constant_matrix(coef_bits) / (1 << coef_bits)
    const_err = np.abs(c - a).sum(axis=1)  # per output frequency
    row_err = input_limit * const_err + 0.5 / (1 << frac_bits)  # per horizontal u
    row_max = input_limit * np.abs(a).sum(axis=1)
    col_gain = np.abs(c).sum(axis=1)
    bound = col_gain[:, None] * row_err[None, :] + const_err[:, None] * row_max[None, :]
    return float(bound.max() + 0.5)


def matvec_limit(matrix: np.ndarray, input_limit: int) -> int:
    """Largest |M x| over integer vectors with |x_i| <= ``input_limit`` (exact)."""
    return int(np.abs(np.asarray(matrix, dtype=np.int64)).sum(axis=1).max()) * input_limit


def shifted_limit(limit: int, shift: int) -> int:
    """Largest |rs(v, shift)| for |v| <= ``limit``."""
    return max(abs(int(round_shift(np.int64(limit), shift))),
               abs(int(round_shift(np.int64(-limit), shift))))


def signed_bits(limit: int) -> int:
    """Bits of a two's-complement word holding every value in [-limit, limit]."""
    return max(1, int(limit).bit_length() + 1)


def forward_limits(input_limit: int = 128) -> dict[str, int]:
    """Magnitude limits in the forward 2-D transform: products, rows, columns."""
    row_acc = matvec_limit(C, input_limit) + (1 << (COEF_BITS - ROW_FRAC_BITS - 1))
    rows = shifted_limit(row_acc, COEF_BITS - ROW_FRAC_BITS)
    col_acc = matvec_limit(C, rows) + (1 << (COEF_BITS + ROW_FRAC_BITS - 1))
    return {"input": input_limit, "row_acc": row_acc, "rows": rows, "col_acc": col_acc,
            "coefficients": shifted_limit(col_acc, COEF_BITS + ROW_FRAC_BITS)}


def coefficient_limits(input_limit: int = 128) -> np.ndarray:
    """Per frequency (v, u): the largest |dct2(x)[v][u]| for |x| <= ``input_limit``."""
    row_acc = np.abs(C).sum(axis=1) * input_limit + (1 << (COEF_BITS - ROW_FRAC_BITS - 1))
    rows = np.array([shifted_limit(int(r), COEF_BITS - ROW_FRAC_BITS) for r in row_acc])
    col_acc = np.abs(C).sum(axis=1)[:, None] * rows[None, :] \
        + (1 << (COEF_BITS + ROW_FRAC_BITS - 1))
    return np.array([[shifted_limit(int(v), COEF_BITS + ROW_FRAC_BITS) for v in row]
                     for row in col_acc], dtype=np.int64)


def channel_coefficient_limits(input_limit: int = 128) -> np.ndarray:
    """Per frequency k: the largest |dct1(x)[k]| for |x| <= ``input_limit``."""
    acc = np.abs(C).sum(axis=1) * input_limit + (1 << (COEF_BITS - 1))
    return np.array([shifted_limit(int(a), COEF_BITS) for a in acc], dtype=np.int64)


def zigzag_order(n: int = N) -> np.ndarray:
    """JPEG zig-zag scan: entry i is the natural index v*n + u of the i-th coefficient."""
    order = sorted(((v, u) for v in range(n) for u in range(n)),
                   key=lambda p: (p[0] + p[1], p[0] if (p[0] + p[1]) % 2 else p[1]))
    return np.array([v * n + u for v, u in order], dtype=np.int64)
