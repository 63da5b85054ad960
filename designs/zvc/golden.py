"""Vectorised golden model of ZVC."""

from __future__ import annotations

import numpy as np

from accelbench.bits import pack_bits, to_words, unpack_bits
from accelbench.codec import Encoded
from accelbench.errors import StreamFormatError


def encode(values: np.ndarray, word_bits: int) -> Encoded:
    words = to_words(values, word_bits)
    nonzero = words != 0
    return Encoded(streams={"mask": pack_bits(nonzero, word_bits), "values": words[nonzero]},
                   bits={"mask": len(words), "values": int(nonzero.sum()) * word_bits},
                   n_values=len(words))


def compressed_bits(values: np.ndarray, word_bits: int) -> int:
    return len(values) + int(np.count_nonzero(values)) * word_bits


def decode(encoded: Encoded, word_bits: int) -> np.ndarray:
    n = encoded.n_values
    mask_words = encoded.streams["mask"]
    values = encoded.streams["values"]
    if len(mask_words) * word_bits < n:
        raise StreamFormatError(f"ZVC mask stream has {len(mask_words)} words, too short for "
                                f"{n} values")
    flags = unpack_bits(mask_words, word_bits, n).astype(bool)
    if int(flags.sum()) != len(values):
        raise StreamFormatError(f"ZVC mask marks {int(flags.sum())} non-zero words but the "
                                f"value stream holds {len(values)}")
    if np.any(values == 0):
        raise StreamFormatError("ZVC value stream contains a zero word")
    out = np.zeros(n, dtype=to_words(np.zeros(1, np.int64), word_bits).dtype)
    out[flags] = values
    return out
