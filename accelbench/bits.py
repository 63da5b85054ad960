"""Bit-level helpers shared by golden models: word patterns and MSB-first packing."""

from __future__ import annotations

import numpy as np

from accelbench.errors import StreamFormatError


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


def check_words(words: object, word_bits: int, what: str) -> np.ndarray:
    """The words of a compressed stream as int64, or :class:`StreamFormatError`: a 1-D
    array of integers, each a ``word_bits``-bit word (0 .. 2**W - 1)."""
    try:
        arr = np.asarray(words)
    except (TypeError, ValueError) as exc:  # ragged or otherwise not an array
        raise StreamFormatError(f"{what} stream is not an array of words ({exc})") from None
    if arr.ndim != 1:
        raise StreamFormatError(f"{what} stream must be a 1-D array of words, got shape "
                                f"{arr.shape}")
    if arr.size == 0:
        return np.zeros(0, dtype=np.int64)
    if arr.dtype.kind not in "iu":
        raise StreamFormatError(f"{what} stream must hold integer words, got {arr.dtype}")
    if arr.dtype.kind == "u" and arr.dtype.itemsize == 8 and int(arr.max()) >= 1 << 63:
        raise StreamFormatError(f"{what} stream holds values that are not {word_bits}-bit "
                                f"words")
    wide = arr.astype(np.int64)
    if wide.min() < 0 or wide.max() >= 1 << word_bits:
        raise StreamFormatError(f"{what} stream holds values that are not {word_bits}-bit "
                                f"words (min {wide.min()}, max {wide.max()})")
    return wide


def check_count(n: object, maximum: int, what: str = "n_values") -> int:
    """``n`` as an int in 1..``maximum``, or :class:`StreamFormatError` (a ValueError)."""
    if isinstance(n, bool) or not isinstance(n, int | np.integer):
        raise StreamFormatError(f"{what} must be an integer, got {n!r}")
    if not 1 <= int(n) <= maximum:
        raise StreamFormatError(f"{what} must be in 1..{maximum}, got {n}")
    return int(n)


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
