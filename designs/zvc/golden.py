"""Vectorised golden model of ZVC.

``decode`` validates like the other golden decoders: a missing stream, words that are
not W-bit integers, a stream that is not 1-D, a bad value count, a mask that does not
hold exactly ceil(N/W) words, or a value stream that does not match the mask's
non-zero flags (too few, too many, or a zero word) raise StreamFormatError.
"""

from __future__ import annotations

import numpy as np

from accelbench.bits import check_count, check_words, pack_bits, to_words, unpack_bits, word_dtype
from accelbench.errors import StreamFormatError
from accelbench.families.codec import MAX_VALUES, Encoded

STREAMS = ("mask", "values")


def encode(values: np.ndarray, word_bits: int) -> Encoded:
    words = to_words(values, word_bits)
    nonzero = words != 0
    return Encoded(streams={"mask": pack_bits(nonzero, word_bits), "values": words[nonzero]},
                   bits={"mask": len(words), "values": int(nonzero.sum()) * word_bits},
                   n_values=len(words))


def compressed_bits(values: np.ndarray, word_bits: int) -> int:
    return len(values) + int(np.count_nonzero(values)) * word_bits


def decode(encoded: Encoded, word_bits: int) -> np.ndarray:
    """The N words (unsigned W-bit patterns) of ``encoded``; StreamFormatError if the
    streams are not exactly what :func:`encode` makes for N values."""
    n = check_count(encoded.n_values, MAX_VALUES)
    missing = [name for name in STREAMS if name not in encoded.streams]
    if missing:
        raise StreamFormatError(f"ZVC streams {missing} are missing")
    mask_words = check_words(encoded.streams["mask"], word_bits, "ZVC mask")
    values = check_words(encoded.streams["values"], word_bits, "ZVC value")
    expected = -(-n // word_bits)
    if len(mask_words) < expected:
        raise StreamFormatError(f"ZVC mask stream has {len(mask_words)} words, too short for "
                                f"{n} values")
    if len(mask_words) > expected:
        raise StreamFormatError(f"ZVC mask stream has {len(mask_words)} words but {n} values "
                                f"fill {expected}: trailing words")
    flags = unpack_bits(mask_words, word_bits, n).astype(bool)
    if int(flags.sum()) != len(values):
        raise StreamFormatError(f"ZVC mask marks {int(flags.sum())} non-zero words but the "
                                f"value stream holds {len(values)}")
    if np.any(values == 0):
        raise StreamFormatError("ZVC value stream contains a zero word")
    out = np.zeros(n, dtype=word_dtype(word_bits))
    out[flags] = values
    return out
