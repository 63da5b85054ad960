"""Conversion of float activations into the integer words of each number format.

Fixed-point formats follow EBPC's evaluation: per layer, scale by 0.75/max over the whole
batch of images, multiply by 2^(b-1)-1 and truncate toward zero, in float32 arithmetic (the
activations' own precision). "max" is the largest magnitude, which for ReLU maps is the
plain maximum; for signed maps (block outputs) it keeps the words from wrapping around.
uint8 is TFLite's asymmetric affine scheme: the batch's [min, max] range widened to contain
0.0, ``scale = (max - min) / 255``, ``zero_point = round(-min / scale)``, values rounded half
away from zero.
"""

from __future__ import annotations

import numpy as np

from accelbench.datasets.types import FORMATS

_FIXED_FULL_SCALE = {"fixed8": 127, "fixed12": 2047, "fixed16": 32767}
FIXED_HEADROOM = 0.75


def value_range(batch: np.ndarray) -> tuple[float, float]:
    """(min, max) of a batch; ranges of row chunks combine with min/max."""
    x = np.asarray(batch)
    if not x.size:
        return 0.0, 0.0
    return float(np.min(x)), float(np.max(x))


def quantize(batch: np.ndarray, fmt: str,
             batch_range: tuple[float, float] | None = None) -> tuple[np.ndarray, float, int]:
    """Quantize one layer's activations over all images.

    Returns ``(words, scale, zero_point)`` where ``words`` has the format's dtype and the
    shape of ``batch``, and ``value ~= (word - zero_point) * scale`` for linear formats.
    ``batch_range`` = (min, max) of the whole batch when ``batch`` is only a chunk of it
    (chunks then quantize exactly as the whole would).
    """
    if fmt not in FORMATS:
        raise ValueError(f"unknown number format {fmt!r}; known: {', '.join(FORMATS)}")
    x = np.asarray(batch, dtype=np.float32)
    if fmt in ("float16", "bfloat16"):
        bits = x.astype(np.float16).view(np.int16) if fmt == "float16" else _to_bfloat16(x)
        return bits, 1.0, 0
    lo, hi = value_range(x) if batch_range is None else batch_range
    if fmt in _FIXED_FULL_SCALE:
        peak = max(abs(lo), abs(hi))
        full = _FIXED_FULL_SCALE[fmt]
        if not np.isfinite(peak):
            raise ValueError("activations contain inf or NaN; fixed-point needs finite values")
        if peak == 0.0:
            return np.zeros(x.shape, FORMATS[fmt].dtype), 1.0, 0
        scaled = x * np.float32(FIXED_HEADROOM / peak)
        scaled *= np.float32(full)
        words = np.trunc(scaled, out=scaled).astype(FORMATS[fmt].dtype)
        return words, peak / (FIXED_HEADROOM * full), 0
    if fmt == "uint8":
        return _affine_uint8(x, lo, hi)
    raise AssertionError(fmt)


def _to_bfloat16(x: np.ndarray) -> np.ndarray:
    """Round-to-nearest-even float32 -> bfloat16 bit patterns (NaN kept quiet)."""
    bits = np.ascontiguousarray(x, dtype=np.float32).view(np.uint32)
    # uint32 cannot overflow here except for NaN patterns, which are replaced below
    rounding = (bits >> 16) & 1
    rounding += 0x7FFF
    rounding += bits
    rounded = (rounding >> 16).astype(np.uint16)
    nan = np.isnan(x)
    rounded[nan] = ((bits[nan] >> 16) | 0x40).astype(np.uint16)
    return rounded.view(np.int16)


def _affine_uint8(x: np.ndarray, lo: float, hi: float) -> tuple[np.ndarray, float, int]:
    """TFLite-style asymmetric uint8: the range always contains 0.0 exactly."""
    lo, hi = min(lo, 0.0), max(hi, 0.0)
    if not (np.isfinite(lo) and np.isfinite(hi)):
        raise ValueError("activations contain inf or NaN; uint8 needs finite values")
    scale = (hi - lo) / 255.0 if hi > lo else 1.0
    zero_point = int(np.clip(round(-lo / scale), 0, 255))
    v = x / np.float32(scale)
    v = np.sign(v) * np.floor(np.abs(v) + np.float32(0.5))  # round half away from zero
    q = np.clip(v + zero_point, 0, 255).astype(np.uint8)
    return q, scale, zero_point


def requantize(values: np.ndarray, fmt: str, scale: float, zero_point: int) -> np.ndarray:
    """Quantise float maps with a layer's stored ``scale`` and ``zero_point`` (as returned by
    :func:`quantize` for the whole batch), so that the floats a dataset was built from give
    back its stored words."""
    if fmt not in FORMATS:
        raise ValueError(f"unknown number format {fmt!r}; known: {', '.join(FORMATS)}")
    x = np.asarray(values, dtype=np.float32)
    if fmt in ("float16", "bfloat16"):
        return quantize(x, fmt)[0]
    if fmt in _FIXED_FULL_SCALE:
        full = _FIXED_FULL_SCALE[fmt]
        peak = scale * FIXED_HEADROOM * full
        scaled = x * np.float32(FIXED_HEADROOM / peak)
        scaled *= np.float32(full)
        info = np.iinfo(FORMATS[fmt].dtype)
        return np.clip(np.trunc(scaled), info.min, info.max).astype(FORMATS[fmt].dtype)
    v = x / np.float32(scale)
    v = np.sign(v) * np.floor(np.abs(v) + np.float32(0.5))
    return np.clip(v + zero_point, 0, 255).astype(np.uint8)


def dequantize(words: np.ndarray, fmt: str, scale: float, zero_point: int) -> np.ndarray:
    """Inverse of :func:`quantize` (up to its rounding), as float32."""
    if fmt in _FIXED_FULL_SCALE or fmt == "uint8":
        return ((words.astype(np.float32) - zero_point) * scale).astype(np.float32)
    if fmt == "float16":
        return words.view(np.float16).astype(np.float32)
    if fmt == "bfloat16":
        return (words.view(np.uint16).astype(np.uint32) << 16).view(np.float32)
    raise ValueError(f"unknown number format {fmt!r}")
