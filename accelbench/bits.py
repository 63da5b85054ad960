"""Bit-level helpers shared by golden models: word patterns and MSB-first packing."""

from __future__ import annotations

import numpy as np


def word_dtype(word_bits: int) -> np.dtype:
    """The smallest unsigned numpy dtype that holds a ``word_bits``-bit word."""
    for bits in (8, 16, 32, 64):
        if word_bits <= bits:
            return np.dtype(f"uint{bits}")
    raise ValueError(f"words wider than 64 bits are not supported ({word_bits})")


def to_words(values: np.ndarray, word_bits: int) -> np.ndarray:
    """The ``word_bits``-bit two's-complement patterns of integer ``values`` (unsigned)."""
    arr = np.asarray(values)
    if arr.dtype.kind not in "iub":
        raise TypeError(f"expected integer values, got dtype {arr.dtype}")
    return (arr.astype(np.int64) & ((1 << word_bits) - 1)).astype(word_dtype(word_bits))


def to_signed(words: np.ndarray, word_bits: int) -> np.ndarray:
    """Interpret ``word_bits``-bit patterns as signed integers (int64)."""
    w = np.asarray(words).astype(np.int64) & ((1 << word_bits) - 1)
    return np.where(w >= 1 << (word_bits - 1), w - (1 << word_bits), w)


def check_signed_range(values: np.ndarray, word_bits: int) -> np.ndarray:
    """Return ``values`` as int64, raising ValueError if any is not a signed W-bit word."""
    arr = np.asarray(values)
    if arr.ndim != 1:
        raise ValueError(f"expected a 1-D array of words, got shape {arr.shape}")
    if arr.dtype.kind not in "iu":
        raise TypeError(f"expected integer words, got dtype {arr.dtype}")
    arr = arr.astype(np.int64)
    lo, hi = -(1 << (word_bits - 1)), (1 << (word_bits - 1)) - 1
    if arr.size and (arr.min() < lo or arr.max() > hi):
        raise ValueError(f"values outside the signed {word_bits}-bit range [{lo}, {hi}]")
    return arr


def pack_bits(bits: np.ndarray, word_bits: int) -> np.ndarray:
    """Pack a bit sequence MSB-first into ``word_bits``-bit words, zero-padding the last."""
    b = np.asarray(bits, dtype=np.uint8)
    pad = (-len(b)) % word_bits
    if pad:
        b = np.concatenate([b, np.zeros(pad, dtype=np.uint8)])
    if word_bits == 8:
        return np.packbits(b)
    weights = (np.uint64(1) << np.arange(word_bits - 1, -1, -1, dtype=np.uint64))
    return (b.reshape(-1, word_bits).astype(np.uint64) @ weights).astype(word_dtype(word_bits))


def unpack_bits(words: np.ndarray, word_bits: int, n_bits: int | None = None) -> np.ndarray:
    """The MSB-first bit sequence of ``words`` (optionally only the first ``n_bits``)."""
    w = np.asarray(words).astype(np.uint64)
    shifts = np.arange(word_bits - 1, -1, -1, dtype=np.uint64)
    bits = ((w[:, None] >> shifts) & np.uint64(1)).astype(np.uint8).reshape(-1)
    return bits if n_bits is None else bits[:n_bits]
