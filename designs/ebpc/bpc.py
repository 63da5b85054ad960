"""The bit-plane coder of EBPC (hardware variant), vectorised over whole arrays of blocks.

A block of B words v0..v(B-1) is sent as the base v0 (W bits) followed by one symbol per
delta bit plane, LSB plane first. Plane p is the (B-1)-bit vector of bit p of the deltas
d_j = v(j+1) - v(j) in (W+1)-bit two's complement; X_0 = DBP_0 and X_p = DBP_p ^ DBP_(p-1).
Inside this module a plane is an integer whose most significant of its B-1 bits is
element 0 (delta index 0 is sent first), so the uncompressed symbol is ``1 + X``.

Symbols (hardware table): zero X alone ``01``; a run of L >= 2 zero X ``001`` + (L-2) in
clog2(W) bits; all ones ``00000``; DBP = 0 ``00001``; two adjacent ones at k ``00010`` + k;
a single one at k ``00011`` + k (k in clog2(B) bits); else ``1`` + X.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass
from functools import cached_property

import numpy as np

from accelbench.designs.ebpc.bitcode import clog2, field, windows
from accelbench.errors import StreamFormatError

# symbol kinds (also the decoder's categories)
UNCOMPRESSED, ZERO_ONE, ZERO_RUN, ALL_ONES, DBP_ZERO, TWO_ONES, ONE_ONE, INVALID = range(8)
PREFIX_ALL_ONES, PREFIX_DBP_ZERO, PREFIX_TWO, PREFIX_ONE = 0b00000, 0b00001, 0b00010, 0b00011


@dataclass(frozen=True)
class BlockShape:
    """Word width W and block size B of the coder."""

    word_bits: int
    block_size: int

    @property
    def planes(self) -> int:
        return self.word_bits + 1

    @property
    def vector_bits(self) -> int:
        return self.block_size - 1

    @property
    def pos_bits(self) -> int:
        return clog2(self.block_size)

    @property
    def run_bits(self) -> int:
        return clog2(self.word_bits)

    @property
    def max_symbol_bits(self) -> int:
        return max(self.block_size, 5 + self.pos_bits, 3 + self.run_bits)

    @cached_property
    def table(self) -> tuple[np.ndarray, np.ndarray]:
        return nonzero_symbol_table(self.vector_bits, self.pos_bits)


def nonzero_symbol_table(vector_bits: int, pos_bits: int) -> tuple[np.ndarray, np.ndarray]:
    """(values, lengths) of the symbol of every non-zero X, ignoring the DBP = 0 case."""
    n = 1 << vector_bits
    x = np.arange(n, dtype=np.int64)
    pop = np.zeros(n, dtype=np.int64)
    for i in range(vector_bits):
        pop += (x >> i) & 1
    top = np.zeros(n, dtype=np.int64)  # index of the highest set bit
    for i in range(vector_bits):
        top = np.where((x >> i) & 1 == 1, i, top)
    k = vector_bits - 1 - top  # element index of the first one (element 0 = MSB)
    adjacent = (pop == 2) & (((x >> np.maximum(top - 1, 0)) & 3) == 3) & (top >= 1)
    values = np.where(pop == 1, (PREFIX_ONE << pos_bits) | k,
                      np.where(adjacent, (PREFIX_TWO << pos_bits) | k,
                               (1 << vector_bits) | x))
    lengths = np.where((pop == 1) | adjacent, 5 + pos_bits, vector_bits + 1)
    values[n - 1], lengths[n - 1] = PREFIX_ALL_ONES, 5
    return values, lengths


def delta_planes(blocks: np.ndarray, planes: int, delta_bits: int) -> np.ndarray:
    """Plane integers DBP (n_blocks, planes) of the block deltas taken mod 2**delta_bits.

    ``blocks`` holds integers (n_blocks, n); deltas are computed exactly in int64, then
    reduced to ``delta_bits`` bits (W+1 in hardware: exact).
    """
    d = np.diff(blocks.astype(np.int64), axis=1) & ((1 << delta_bits) - 1)
    return planes_of(d, planes)


def planes_of(deltas: np.ndarray, planes: int) -> np.ndarray:
    """Transpose delta patterns (n_blocks, n-1) into plane integers (n_blocks, planes).

    Planes are gathered in groups of G = 64 // (n-1): a table spreads a G-bit slice of a
    delta so that its bit q lands at bit q*(n-1); shifting by the delta's element position
    and summing over the block packs G whole planes into one 64-bit integer.
    """
    n1 = deltas.shape[1]
    group = max(1, min(planes, 64 // max(n1, 1)))
    spread = _spread_table(group, n1)
    element_shift = np.arange(n1 - 1, -1, -1, dtype=np.uint64)
    d = deltas.astype(np.int64)
    mask = np.uint64((1 << n1) - 1)
    parts = []
    for first in range(0, planes, group):
        count = min(group, planes - first)
        slices = (d >> first) & ((1 << group) - 1)
        packed = (spread[slices] << element_shift).sum(axis=1, dtype=np.uint64)
        shifts = np.arange(count, dtype=np.uint64) * np.uint64(n1)
        parts.append((packed[:, None] >> shifts[None, :]) & mask)
    return np.concatenate(parts, axis=1).astype(np.int64)


@functools.cache
def _spread_table(group: int, stride: int) -> np.ndarray:
    """Bit q of the index moved to bit q*stride (uint64)."""
    idx = np.arange(1 << group, dtype=np.uint64)
    out = np.zeros(1 << group, dtype=np.uint64)
    for q in range(group):
        out |= ((idx >> np.uint64(q)) & np.uint64(1)) << np.uint64(q * stride)
    return out


def xor_planes(dbp: np.ndarray) -> np.ndarray:
    """X_0 = DBP_0, X_p = DBP_p ^ DBP_(p-1)."""
    x = dbp.copy()
    x[:, 1:] ^= dbp[:, :-1]
    return x


def zero_runs(x: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(run end flags, run length at each end) of the runs of zero X inside every block."""
    zero = x == 0
    p = np.arange(x.shape[1])
    last_nonzero = np.maximum.accumulate(np.where(zero, -1, p[None, :]), axis=1)
    following = np.concatenate([zero[:, 1:], np.zeros((x.shape[0], 1), bool)], axis=1)
    ends = zero & ~following
    return ends, p[None, :] - last_nonzero


CHUNK_BLOCKS = 1 << 14  # blocks per vectorised step: keeps the temporaries in cache


def block_codes(blocks: np.ndarray, shape: BlockShape) -> tuple[np.ndarray, np.ndarray]:
    """Code words (values, lengths) of whole blocks, shape (n_blocks, 1 + W + 1): the base
    then one slot per plane (length 0 inside a zero run)."""
    values = np.empty((len(blocks), shape.planes + 1), dtype=np.int64)
    lengths = np.empty((len(blocks), shape.planes + 1), dtype=np.int64)
    for first in range(0, len(blocks), CHUNK_BLOCKS):
        part = slice(first, first + CHUNK_BLOCKS)
        values[part], lengths[part] = _block_codes(blocks[part], shape, with_values=True)
    return values, lengths


def block_bits(blocks: np.ndarray, shape: BlockShape) -> int:
    """Total coded size of whole blocks in bits (lengths only, no code values)."""
    return sum(int(_block_codes(blocks[first:first + CHUNK_BLOCKS], shape, False)[1].sum())
               for first in range(0, len(blocks), CHUNK_BLOCKS))


def _block_codes(blocks: np.ndarray, shape: BlockShape,
                 with_values: bool) -> tuple[np.ndarray | None, np.ndarray]:
    w = shape.word_bits
    dbp = delta_planes(blocks, shape.planes, w + 1)
    x = xor_planes(dbp)
    tab_values, tab_lengths = shape.table
    lengths = tab_lengths[x]
    dbp_zero = (dbp == 0) & (x != (1 << shape.vector_bits) - 1)
    lengths[dbp_zero] = 5
    zero = x == 0
    zero_mask = plane_mask(zero)
    run_values, run_lengths = run_code_table(shape.planes, shape.run_bits)
    lengths = np.where(zero, run_lengths[zero_mask], lengths)
    base_len = np.full((len(blocks), 1), w, dtype=lengths.dtype)
    if not with_values:
        return None, np.concatenate([base_len, lengths], axis=1)
    values = tab_values[x]
    values[dbp_zero] = PREFIX_DBP_ZERO
    values = np.where(zero, run_values[zero_mask], values)
    base = blocks[:, :1].astype(np.int64) & ((1 << w) - 1)
    return (np.concatenate([base, values], axis=1),
            np.concatenate([base_len, lengths], axis=1))


def plane_mask(flags: np.ndarray) -> np.ndarray:
    """Row-wise integers of boolean columns (column p -> bit p), at most 24 columns."""
    packed = np.packbits(flags, axis=1, bitorder="little")
    out = np.zeros(len(flags), dtype=np.int64)
    for i in range(packed.shape[1]):
        out |= packed[:, i].astype(np.int64) << (8 * i)
    return out


@functools.cache
def run_code_table(planes: int, run_bits: int) -> tuple[np.ndarray, np.ndarray]:
    """For every zero-plane mask (bit p set: X_p = 0), the zero-run code words per plane
    slot: ``01`` or ``001`` + (L-2) at the last plane of each run, length 0 elsewhere."""
    masks = np.arange(1 << planes, dtype=np.int64)
    zero = ((masks[:, None] >> np.arange(planes)) & 1).astype(bool)
    ends, run = zero_runs(np.where(zero, 0, 1))
    values = np.where(ends, np.where(run == 1, 0b01, (1 << run_bits) | np.maximum(run - 2, 0)),
                      0)
    lengths = np.where(ends, np.where(run == 1, 2, 3 + run_bits), 0)
    return values.astype(np.int32), lengths.astype(np.int8)


@dataclass
class _Symbols:
    """What a symbol starting at each bit position would be."""

    kind: np.ndarray
    length: np.ndarray
    planes: np.ndarray
    x: np.ndarray


def _parse_all(bits: np.ndarray, shape: BlockShape) -> _Symbols:
    table = symbol_decode_table(shape)
    win = windows(bits, shape.max_symbol_bits)
    return _Symbols(*(column[win] for column in table))


@functools.cache
def symbol_decode_table(shape: BlockShape) -> tuple[np.ndarray, ...]:
    """(kind, length, planes, X) of the symbol at the head of every possible window of
    ``max_symbol_bits`` bits."""
    width = shape.max_symbol_bits
    win = np.arange(1 << width, dtype=np.int64)
    pb, rb, vb = shape.pos_bits, shape.run_bits, shape.vector_bits
    prefix5 = field(win, width, 0, 5)
    k = field(win, width, 5, pb)
    run = field(win, width, 3, rb) + 2
    kind = np.select(
        [field(win, width, 0, 1) == 1, field(win, width, 0, 2) == 0b01,
         field(win, width, 0, 3) == 0b001, prefix5 == PREFIX_ALL_ONES,
         prefix5 == PREFIX_DBP_ZERO, (prefix5 == PREFIX_TWO) & (k <= vb - 2),
         (prefix5 == PREFIX_ONE) & (k <= vb - 1)],
        [UNCOMPRESSED, ZERO_ONE, ZERO_RUN, ALL_ONES, DBP_ZERO, TWO_ONES, ONE_ONE], INVALID)
    length = np.choose(kind, [vb + 1, 2, 3 + rb, 5, 5, 5 + pb, 5 + pb, 1])
    planes = np.where(kind == ZERO_RUN, run, 1)
    top = np.maximum(vb - 1 - k, 0)
    x = np.choose(kind, [field(win, width, 1, vb), 0, 0, (1 << vb) - 1, 0,
                         (np.int64(1) << top) | (np.int64(1) << np.maximum(top - 1, 0)),
                         np.int64(1) << top, 0])
    return (kind.astype(np.int8), length.astype(np.int8), planes.astype(np.int8),
            x.astype(np.int32))


def _block_ends(sym: _Symbols, m: int, shape: BlockShape) -> np.ndarray:
    """For a block starting at every bit position 0..m, where it ends (m+1: invalid).

    A block is W base bits then symbols covering exactly W+1 planes. Binary lifting:
    ``jump[k][p]`` is the position after 2**k symbols from p and ``cover[k][p]`` the
    planes they cover, so every block end is found in log2(W+1) vectorised steps.
    """
    w, total = shape.word_bits, shape.planes
    bad = m + 1
    pos = np.arange(m + 1, dtype=np.int32)
    after = pos + sym.length
    jump = np.append(np.where((after <= m) & (sym.kind != INVALID), after, bad),
                     bad).astype(np.int32)
    cover = np.append(sym.planes.astype(np.int16), total + 1).astype(np.int16)
    levels = [(jump, cover)]
    while 1 << len(levels) <= total:
        jump, cover = levels[-1]
        levels.append((jump[jump], np.minimum(cover + cover[jump], total + 1)))
    q = np.where(pos + w <= m, pos + w, bad).astype(np.int32)
    left = np.full(m + 1, total, dtype=np.int16)
    for jump, cover in reversed(levels):
        step = cover[q]
        take = step <= left
        left = np.where(take, left - step, left)
        q = np.where(take, jump[q], q)
    return np.where((left == 0) & (q != bad), q, bad)


def _chain(ends: np.ndarray, count: int, m: int) -> np.ndarray:
    """Block starts 0, ends[0], ends[ends[0]], ... (``count`` of them; > m once invalid).

    One scalar step per block: cheaper than pointer doubling over every bit position.
    """
    starts = np.empty(count, dtype=np.int64)
    s = 0
    for i in range(count):
        starts[i] = s
        if s > m:
            starts[i:] = s
            break
        s = ends.item(s)
    return starts


def decode_blocks(bits: np.ndarray, n_blocks: int, shape: BlockShape) -> tuple[np.ndarray, int]:
    """Decode ``n_blocks`` blocks from the start of ``bits``.

    Returns the words (n_blocks, B) as W-bit patterns and the number of bits consumed.
    Raises StreamFormatError when the stream is truncated or holds an invalid symbol.
    """
    m = len(bits)
    if n_blocks == 0:
        return np.zeros((0, shape.block_size), dtype=np.int64), 0
    sym = _parse_all(bits, shape)
    ends = _block_ends(sym, m, shape)
    starts = _chain(ends, n_blocks, m)
    if starts[-1] > m or ends[starts[-1]] > m:
        raise StreamFormatError(f"BPC stream truncated or corrupt: {m} bits do not hold "
                                f"{n_blocks} valid blocks")
    w, vb = shape.word_bits, shape.vector_bits
    padded = np.concatenate([bits.astype(np.int64), np.zeros(w, np.int64)])
    base = np.zeros(n_blocks, dtype=np.int64)
    for i in range(w):
        base = (base << 1) | padded[starts + i]
    q = starts + w
    run_left = np.zeros(n_blocks, dtype=np.int64)
    prev = np.zeros(n_blocks, dtype=np.int64)
    dbp = np.empty((n_blocks, shape.planes), dtype=np.int64)
    for p in range(shape.planes):
        parse = run_left == 0
        kind = np.where(parse, sym.kind[q], ZERO_ONE)
        x = np.where(parse, sym.x[q], 0)
        plane = np.where(kind == DBP_ZERO, 0, x ^ prev)
        dbp[:, p] = plane
        prev = plane
        run_left = np.where(parse, sym.planes[q] - 1, run_left - 1)
        q = np.where(parse, q + sym.length[q], q)
    deltas = np.zeros((n_blocks, vb), dtype=np.int64)
    for j in range(vb):
        element = (dbp >> (vb - 1 - j)) & 1
        deltas[:, j] = element @ (np.int64(1) << np.arange(shape.planes, dtype=np.int64))
    values = np.concatenate([base[:, None], base[:, None] + np.cumsum(deltas, axis=1)], axis=1)
    return values & ((1 << w) - 1), int(ends[starts[-1]])
