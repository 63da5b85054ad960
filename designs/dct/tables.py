"""Quantisation tables, the hardware's quantiser and the per-frequency value widths.

Tables (a parameter each; every one is a default, the paper names none):

* ``jpeg``: the JPEG luminance table (ITU-T T.81 Annex K) scaled by a quality 1..100 as
  libjpeg scales it: ``s = 5000 // q`` for q < 50, else ``200 - 2q``;
  ``step = clamp((Q*s + 50) // 100, 1, 255)``. Quality 100 gives step 1 everywhere;
* ``uniform``: one step for every frequency;
* ``zonal``: keep the frequencies with u + v < k at step 1, drop the others.

A dropped frequency has step 0: it always quantises to 0 and has width 0.

Quantisation rounds half away from zero: ``|q| = floor((2|d| + step) / (2 step))``, done
as in hardware by a multiplication with a reciprocal ``m = ceil(2^S / (2 step))`` and a
shift by ``S``; :func:`reciprocal_shift` picks the smallest ``S`` that makes this exact
for every coefficient the transform can produce, and :func:`quantize` is that product.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

#: JPEG luminance quantisation table, natural order, row = vertical frequency v
JPEG_LUMINANCE = np.array([
    [16, 11, 10, 16, 24, 40, 51, 61],
    [12, 12, 14, 19, 26, 58, 60, 55],
    [14, 13, 16, 24, 40, 57, 69, 56],
    [14, 17, 22, 29, 51, 87, 80, 62],
    [18, 22, 37, 56, 68, 109, 103, 77],
    [24, 35, 55, 64, 81, 104, 113, 92],
    [49, 64, 78, 87, 103, 121, 120, 101],
    [72, 92, 95, 98, 112, 100, 103, 99],
], dtype=np.int64)

TABLE_KINDS = ("jpeg", "uniform", "zonal")
MAX_STEP = 255


def jpeg_steps(quality: int, base: np.ndarray = JPEG_LUMINANCE) -> np.ndarray:
    """libjpeg's quality scaling of ``base`` (clamped to 1..255)."""
    if not 1 <= quality <= 100:
        raise ValueError(f"JPEG quality must be 1..100, got {quality}")
    scale = 5000 // quality if quality < 50 else 200 - 2 * quality
    return np.clip((np.asarray(base, dtype=np.int64) * scale + 50) // 100, 1, MAX_STEP)


def steps_2d(kind: str, value: int) -> np.ndarray:
    """8x8 steps (natural order, [v][u]) of table ``kind`` with its parameter ``value``."""
    if kind == "jpeg":
        return jpeg_steps(value)
    if kind == "uniform":
        if not 1 <= value <= MAX_STEP:
            raise ValueError(f"uniform step must be 1..{MAX_STEP}, got {value}")
        return np.full((8, 8), value, dtype=np.int64)
    if kind == "zonal":
        if not 1 <= value <= 15:
            raise ValueError(f"zonal k must be 1..15 (keep u+v<k), got {value}")
        v, u = np.indices((8, 8))
        return (u + v < value).astype(np.int64)
    raise ValueError(f"unknown quantisation table {kind!r}; known: {', '.join(TABLE_KINDS)}")


def steps_1d(kind: str, value: int) -> np.ndarray:
    """8 steps of the channel transform (DCT-CM) by frequency k.

    ``jpeg`` scales the luminance table's first row (horizontal frequencies; a default:
    the DCT-CM paper's masks are not known here); ``zonal`` keeps k < value.
    """
    if kind == "jpeg":
        return jpeg_steps(value, JPEG_LUMINANCE[0])
    if kind == "uniform":
        return steps_2d("uniform", value)[0]
    if kind == "zonal":
        if not 1 <= value <= 8:
            raise ValueError(f"zonal k must be 1..8 for the channel DCT, got {value}")
        return (np.arange(8) < value).astype(np.int64)
    raise ValueError(f"unknown quantisation table {kind!r}; known: {', '.join(TABLE_KINDS)}")


def reciprocal(step: int, shift: int) -> int:
    return 0 if step == 0 else -(-(1 << shift) // (2 * step))


def _exact(step: int, shift: int, limit: int) -> bool:
    mags = np.arange(limit + 1, dtype=np.int64)
    num = 2 * mags + step
    return bool(np.array_equal((num * reciprocal(step, shift)) >> shift, num // (2 * step)))


def reciprocal_shift(steps: np.ndarray, limits: np.ndarray) -> int:
    """Smallest S for which the reciprocal product equals exact rounding (checked)."""
    pairs = {(int(s), int(m)) for s, m in zip(np.ravel(steps), np.ravel(limits), strict=True)
             if s > 0}
    for shift in range(1, 40):
        if all(_exact(s, shift, m) for s, m in pairs):
            return shift
    raise AssertionError("no reciprocal shift found")  # pragma: no cover


@dataclass(frozen=True)
class Quantizer:
    """Steps, reciprocals and value widths of one table over one coefficient layout.

    All arrays are flat over the coefficient positions of a block in natural order
    (64 for the 2-D transform, 8 per pixel for the channel transform).
    """

    steps: np.ndarray
    limits: np.ndarray  # largest |coefficient| the transform can produce, per position
    shift: int
    reciprocals: np.ndarray
    widths: np.ndarray  # signed bits of the largest quantised value (0: always zero)

    @classmethod
    def build(cls, steps: np.ndarray, limits: np.ndarray) -> Quantizer:
        steps = np.ravel(np.asarray(steps, dtype=np.int64))
        limits = np.ravel(np.asarray(limits, dtype=np.int64))
        shift = reciprocal_shift(steps, limits)
        recips = np.array([reciprocal(int(s), shift) for s in steps], dtype=np.int64)
        qmax = np.where(steps > 0, (2 * limits + steps) // np.maximum(2 * steps, 1), 0)
        widths = np.where(qmax > 0, np.array([int(q).bit_length() + 1 for q in qmax]), 0)
        return cls(steps, limits, shift, recips, widths.astype(np.int64))

    def quantize(self, coefficients: np.ndarray) -> np.ndarray:
        """Round half away from zero of coefficient / step, as the hardware does it.

        ``coefficients``' last axis runs over the positions of :attr:`steps`.
        """
        d = np.asarray(coefficients, dtype=np.int64)
        mag = ((2 * np.abs(d) + self.steps) * self.reciprocals) >> self.shift
        return np.where(d < 0, -mag, mag)

    def dequantize(self, values: np.ndarray) -> np.ndarray:
        return np.asarray(values, dtype=np.int64) * self.steps

    @property
    def max_width(self) -> int:
        return int(self.widths.max())

    def dequantized_limit(self) -> int:
        """Largest |q * step| over every value a width can hold (streams not from us too)."""
        held = np.where(self.widths > 0, 1 << np.maximum(self.widths - 1, 0), 0)
        return int((held * self.steps).max())
