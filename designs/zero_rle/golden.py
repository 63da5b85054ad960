"""Bit-exact golden model of the zero-RLE baseline's hardware format (vectorised)."""

from __future__ import annotations

import numpy as np

from accelbench.bits import check_count, to_signed
from accelbench.designs.ebpc import paper, znz
from accelbench.designs.ebpc.bitcode import pack_codes, stream_bits
from accelbench.designs.ebpc.golden import check_values
from accelbench.errors import StreamFormatError
from accelbench.families.codec import MAX_VALUES, Encoded

STREAM = "rle"
SUPPORTED = (8, 16)


def _check_width(word_bits: int) -> None:
    if word_bits not in SUPPORTED:
        raise ValueError(f"zero-RLE supports word_bits 8 or 16, got {word_bits}")


def encode(values: np.ndarray, word_bits: int = 8) -> Encoded:
    """Compress N signed W-bit words into the ``rle`` stream."""
    _check_width(word_bits)
    v = check_values(values, word_bits)
    nonzero = v != 0
    z_values, z_lengths = znz.codes(nonzero)
    code_values = np.where(nonzero, (1 << word_bits) | (v & ((1 << word_bits) - 1)), z_values)
    code_lengths = np.where(nonzero, 1 + word_bits, z_lengths)
    words, bits = pack_codes(code_values, code_lengths, word_bits)
    return Encoded(streams={STREAM: words}, bits={STREAM: bits}, n_values=len(v))


def hardware_bits(values: np.ndarray, word_bits: int = 8) -> int:
    """Unpadded size of the hardware stream (from code lengths only)."""
    _check_width(word_bits)
    nonzero = check_values(values, word_bits) != 0
    return znz.code_bits(nonzero) + int(nonzero.sum()) * word_bits


def paper_bits(values: np.ndarray, word_bits: int = 8, fmt: str | None = None) -> int:
    """Size as the paper's referenceImpl.zeroRLE counts it (default: W-bit integers)."""
    return paper.zero_rle_bits(np.asarray(values), paper.convention(fmt, word_bits))


def decode(encoded: Encoded, n_values: int | None = None, word_bits: int = 8) -> np.ndarray:
    """Decompress the signed words (int64); StreamFormatError on a bad stream."""
    _check_width(word_bits)
    n = check_count(encoded.n_values if n_values is None else n_values, MAX_VALUES)
    if STREAM not in encoded.streams:
        raise StreamFormatError(f"zero-RLE stream {STREAM!r} is missing")
    words = encoded.streams[STREAM]
    flags, carried, used = znz.decode(stream_bits(words, word_bits, "zero-RLE"), n,
                                      value_bits=word_bits)
    if len(words) != -(-used // word_bits):
        raise StreamFormatError(f"zero-RLE stream has {len(words)} words but its codes fill "
                                f"{-(-used // word_bits)}: trailing words")
    out = np.zeros(n, dtype=np.int64)
    out[flags] = to_signed(carried, word_bits)
    return out
