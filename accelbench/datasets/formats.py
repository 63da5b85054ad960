"""Conversion of float activations into the integer words of each number format.

Fixed-point formats follow EBPC's evaluation: per layer, scale by 0.75/max over the whole
batch of images times 2^(b-1)-1 and truncate toward zero. "max" is the largest magnitude,
which for ReLU maps is the plain maximum; for signed maps (block outputs) it keeps the
words from wrapping around. The stored ``scale`` is max / (0.75 (2^(b-1)-1)) and the words
are ``trunc(x * float32(1 / scale))`` in float32 arithmetic (one rounding), so the scale
alone reproduces them (:func:`requantize`).
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
        if not np.isfinite(peak):
            raise ValueError("activations contain inf or NaN; fixed-point needs finite values")
        scale = peak / (FIXED_HEADROOM * _FIXED_FULL_SCALE[fmt]) if peak > 0.0 else 1.0
        return _fixed_words(x, fmt, scale), scale, 0
    if fmt == "uint8":
        scale, zero_point = _affine_uint8_parameters(lo, hi)
        return _affine_uint8_words(x, scale, zero_point), scale, zero_point
    raise AssertionError(fmt)


def requantize(values: np.ndarray, fmt: str, scale: float, zero_point: int) -> np.ndarray:
    """The words of float ``values`` in format ``fmt`` with a layer's stored ``scale`` and
    ``zero_point`` (e.g. from :class:`~accelbench.datasets.types.LayerMaps`): applied to the
    floats a dataset was built from it gives the stored words bit for bit, because
    :func:`quantize` computes them this way. Values beyond the layer's range saturate."""
    if fmt not in FORMATS:
        raise ValueError(f"unknown number format {fmt!r}; known: {', '.join(FORMATS)}")
    x = np.asarray(values, dtype=np.float32)
    if fmt in ("float16", "bfloat16"):
        return quantize(x, fmt)[0]
    if not (np.isfinite(scale) and scale > 0):
        raise ValueError(f"scale must be a positive finite number, got {scale}")
    if not np.all(np.isfinite(x)):
        raise ValueError(f"values contain inf or NaN; {fmt} needs finite values")
    if fmt in _FIXED_FULL_SCALE:
        return _fixed_words(x, fmt, scale)
    return _affine_uint8_words(x, scale, int(zero_point))


def _fixed_words(x: np.ndarray, fmt: str, scale: float) -> np.ndarray:
    full = _FIXED_FULL_SCALE[fmt]
    multiplier = 1.0 / scale
    if multiplier < float(np.finfo(np.float32).max):
        scaled = x * np.float32(multiplier)
    else:  # a layer of tiny (subnormal) values: the multiplier needs float64
        scaled = x.astype(np.float64) * multiplier
    np.trunc(scaled, out=scaled)
    np.clip(scaled, -full, full, out=scaled)  # only values beyond the layer's peak
    return scaled.astype(FORMATS[fmt].dtype)


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


def _affine_uint8_parameters(lo: float, hi: float) -> tuple[float, int]:
    """TFLite-style asymmetric uint8: the range always contains 0.0 exactly."""
    lo, hi = min(lo, 0.0), max(hi, 0.0)
    if not (np.isfinite(lo) and np.isfinite(hi)):
        raise ValueError("activations contain inf or NaN; uint8 needs finite values")
    scale = (hi - lo) / 255.0 if hi > lo else 1.0
    return scale, int(np.clip(round(-lo / scale), 0, 255))


def _affine_uint8_words(x: np.ndarray, scale: float, zero_point: int) -> np.ndarray:
    v = x / np.float32(scale)
    v = np.sign(v) * np.floor(np.abs(v) + np.float32(0.5))  # round half away from zero
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
