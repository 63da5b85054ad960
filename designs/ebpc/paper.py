"""Compressed sizes as the EBPC paper's evaluation code counts them (specs/ebpc.md).

The paper's ratios come from length computations that differ from the hardware streams
(section "Differences in the paper's compression-ratio code"): the zero-X codes of the
original BPC table (isolated zero ``001``, run ``01`` + (L-2)), deltas kept in the
number format's numpy dtype (wrapping for int8/int16, float16 subtraction for float16)
with only ``min(value_bits + 1, dtype_bits)`` planes, no padding of the last block (a
short block of n values codes n-1-bit vectors with ceil(log2 n)-bit positions and a
1-value block costs nothing), no word padding, and a ZNZ size that ignores the trailing
zero run. These functions reproduce those sizes, vectorised; they are lengths only, no
stream is produced.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass

import numpy as np

from accelbench.designs.ebpc import bpc
from accelbench.designs.ebpc.bitcode import clog2
from accelbench.designs.ebpc.znz import MAX_RUN, run_starts_and_lengths

PAPER_BLOCK = 8  # chunkSize of the paper's evaluation


@dataclass(frozen=True)
class Convention:
    """How the paper's code sees one number format.

    ``value_bits``: the format's bit count (numBit: base and value fields, uncompressed
    size); ``dtype_bits``: the numpy dtype the values are held in (deltas wrap there);
    ``float16``: deltas are float16 subtractions of the float values.
    """

    value_bits: int
    dtype_bits: int
    float16: bool = False

    @property
    def planes(self) -> int:
        return min(self.value_bits + 1, self.dtype_bits)

    @property
    def base_bits(self) -> int:
        return min(self.value_bits, self.dtype_bits)


#: per accelbench number format; bfloat16 and uint8 are not in the paper: their
#: convention (integer words of the word width) is a labelled default
CONVENTIONS: dict[str, Convention] = {
    "fixed8": Convention(8, 8), "fixed12": Convention(12, 16), "fixed16": Convention(16, 16),
    "float16": Convention(16, 16, float16=True), "bfloat16": Convention(16, 16),
    "uint8": Convention(8, 8),
}
DEFAULT_CONVENTIONS = ("bfloat16", "uint8")


def convention(fmt: str | None, word_bits: int) -> Convention:
    """The convention of number format ``fmt``; integer W-bit words when ``fmt`` is None."""
    if fmt is None:
        return Convention(word_bits, word_bits)
    return CONVENTIONS[fmt]


def is_zero(words: np.ndarray, conv: Convention) -> np.ndarray:
    """Zero test of the paper's code (``v == 0`` in the dtype: -0.0 is zero in float16)."""
    w = np.asarray(words).astype(np.int64)
    if conv.float16:
        return (w & 0x7FFF) == 0
    return (w & ((1 << conv.dtype_bits) - 1)) == 0


def _delta_patterns(blocks: np.ndarray, conv: Convention) -> np.ndarray:
    """Delta bit patterns (n_blocks, n-1) as the paper's dtype arithmetic gives them."""
    mask = (1 << conv.dtype_bits) - 1
    if conv.float16:
        f = (blocks & 0xFFFF).astype(np.uint16).view(np.float16)
        with np.errstate(over="ignore", invalid="ignore"):
            d = np.diff(f, axis=1)
        return d.view(np.uint16).astype(np.int64)
    return np.diff(blocks, axis=1) & mask


def _block_lengths(blocks: np.ndarray, conv: Convention) -> np.ndarray:
    """Bits of each block of n >= 2 values (n = blocks.shape[1]) in variant 'ours-04'."""
    n = blocks.shape[1]
    vb = n - 1
    dbp = bpc.planes_of(_delta_patterns(blocks, conv), conv.planes)
    x = bpc.xor_planes(dbp)
    _, tab_lengths = bpc.nonzero_symbol_table(vb, clog2(n))
    lengths = tab_lengths[x]
    lengths = np.where((dbp == 0) & (x != (1 << vb) - 1), 5, lengths)
    zero = x == 0
    zero_mask = bpc.plane_mask(zero)
    lengths = np.where(zero, _run_lengths(conv.planes, clog2(conv.value_bits))[zero_mask],
                       lengths)
    return conv.base_bits + lengths.sum(axis=1)


@functools.cache
def _run_lengths(planes: int, run_bits: int) -> np.ndarray:
    """Per zero-plane mask: code lengths of the zero runs (original BPC table: isolated
    zero ``001``, run ``01`` + (L-2)) at each run's last plane, 0 elsewhere."""
    masks = np.arange(1 << planes, dtype=np.int64)
    zero = ((masks[:, None] >> np.arange(planes)) & 1).astype(bool)
    ends, run = bpc.zero_runs(np.where(zero, 0, 1))
    return np.where(ends, np.where(run == 1, 3, 2 + run_bits), 0).astype(np.int8)


def bpc_bits(words: np.ndarray, conv: Convention, block: int = PAPER_BLOCK) -> int:
    """bpcUtils.BPC(x, chunkSize=block) size: full blocks, then the short last block."""
    w = _held(words, conv)
    full = len(w) // block * block
    total = int(_block_lengths(w[:full].reshape(-1, block), conv).sum()) if full else 0
    rest = w[full:]
    if len(rest) >= 2:  # a 1-value last block costs nothing in the paper's code
        total += int(_block_lengths(rest.reshape(1, -1), conv)[0])
    return total


def znz_bits(words: np.ndarray, conv: Convention, max_run: int = MAX_RUN) -> int:
    """BPCplus_fastLength's ZNZ size: 1 bit per non-zero, 5 bits per started 16-zero
    chunk of every zero run that a non-zero follows (a trailing run costs nothing)."""
    zero = is_zero(words, conv)
    starts, lengths = run_starts_and_lengths(zero)
    followed = starts + lengths < len(zero)
    chunks = int(((lengths[followed] - 1) // max_run + 1).sum())
    return int((~zero).sum()) + chunks * (1 + clog2(max_run))


def ebpc_bits(words: np.ndarray, conv: Convention, block: int = PAPER_BLOCK) -> int:
    """BPCplus(x, chunkSize=8, maxRLEBurstLen=16, bpcVariant='ours-04') size in bits."""
    w = _held(words, conv)
    return znz_bits(w, conv) + bpc_bits(w[~is_zero(w, conv)], conv, block)


def zero_rle_bits(words: np.ndarray, conv: Convention, max_run: int = MAX_RUN) -> int:
    """referenceImpl.zeroRLE(x, maxZeroBurstLen=16) size: ``1`` + value per non-zero;
    ``0`` + the count itself per chunk of a zero run (16 zeros need a 5-bit count)."""
    zero = is_zero(words, conv)
    lengths = run_starts_and_lengths(zero)[1]
    full, rest = lengths // max_run, lengths % max_run
    count_bits = clog2(max_run)
    zero_bits = (full * (1 + max_run.bit_length()) + (rest > 0) * (1 + count_bits)).sum()
    return int((~zero).sum()) * (1 + conv.base_bits) + int(zero_bits)


def uncompressed_bits(n_values: int, conv: Convention) -> int:
    """The paper's uncompressed size: N * numBit (12 bits per value for fixed12)."""
    return n_values * conv.value_bits


def _held(words: np.ndarray, conv: Convention) -> np.ndarray:
    """Words as the paper's dtype holds them: signed integers (int64) or float16 patterns."""
    w = np.asarray(words).astype(np.int64) & ((1 << conv.dtype_bits) - 1)
    if conv.float16:
        return w
    sign = 1 << (conv.dtype_bits - 1)
    return np.where(w >= sign, w - (1 << conv.dtype_bits), w)
