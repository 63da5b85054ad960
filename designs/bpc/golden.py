"""Bit-exact golden model of the BPC-alone baseline's hardware format (vectorised)."""

from __future__ import annotations

import numpy as np

from accelbench.bits import check_count, to_signed
from accelbench.designs.ebpc import bpc, paper
from accelbench.designs.ebpc.bitcode import stream_bits
from accelbench.designs.ebpc.golden import bpc_stream, check_shape, check_values, pad_blocks
from accelbench.errors import StreamFormatError
from accelbench.families.codec import MAX_VALUES, Encoded

STREAM = "bpc"


def encode(values: np.ndarray, word_bits: int = 8, block_size: int = 8) -> Encoded:
    """Compress N signed W-bit words (zeros included) into the ``bpc`` stream."""
    shape = check_shape(word_bits, block_size)
    v = check_values(values, word_bits)
    words, bits = bpc_stream(v, shape)
    return Encoded(streams={STREAM: words}, bits={STREAM: bits}, n_values=len(v))


def hardware_bits(values: np.ndarray, word_bits: int = 8, block_size: int = 8) -> int:
    """Unpadded size of the hardware stream (from code lengths only)."""
    shape = check_shape(word_bits, block_size)
    return bpc.block_bits(pad_blocks(check_values(values, word_bits), block_size), shape)


def paper_bits(values: np.ndarray, word_bits: int = 8, fmt: str | None = None) -> int:
    """Size as the paper's bpcUtils.BPC(x, chunkSize=8, variant='baseline') counts it."""
    return paper.bpc_bits(np.asarray(values), paper.convention(fmt, word_bits))


def decode(encoded: Encoded, n_values: int | None = None, word_bits: int = 8,
           block_size: int = 8) -> np.ndarray:
    """Decompress the signed words (int64); StreamFormatError on a bad stream."""
    shape = check_shape(word_bits, block_size)
    n = check_count(encoded.n_values if n_values is None else n_values, MAX_VALUES)
    if STREAM not in encoded.streams:
        raise StreamFormatError(f"BPC stream {STREAM!r} is missing")
    words = encoded.streams[STREAM]
    blocks, used = bpc.decode_blocks(stream_bits(words, word_bits, "BPC"),
                                     -(-n // block_size), shape)
    if len(words) != -(-used // word_bits):
        raise StreamFormatError(f"BPC stream has {len(words)} words but its blocks fill "
                                f"{-(-used // word_bits)}: trailing words")
    return to_signed(blocks.reshape(-1)[:n], word_bits)
