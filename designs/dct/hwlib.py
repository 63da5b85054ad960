"""Generic PyRTL builders used by the DCT netlists: **to move to accelbench.netlist.lib**.

Nothing here knows about the DCT; each function builds its hardware into the working
block and returns the wires its neighbours need (rtllib style). Signed values are plain
two's-complement wires; arithmetic is done modulo 2^n in a width n that the caller
proves large enough, so truncation never loses a bit of a value in range.

* :func:`const_table` - a constant lookup table (a mux of constants, not a ROM macro);
* :func:`const_mul` - multiplication by an integer constant, canonical-signed-digit
  shift-and-add;
* :func:`serial_matvec` - y = M x for a constant N x N matrix with x arriving one element
  per cycle (shared constant products, N accumulators, a holding bank that drains one
  result per cycle while the next vector accumulates);
* :class:`SlotBuffer` - ping-pong generalised to 2^k slots: a synchronous-read memory
  with a full flag and a tag bit per slot;
* :func:`sync_fifo` - a FIFO in a synchronous-read memory with a registered count;
* :func:`bit_packer` - variable-length symbols into W-bit words, MSB-first, with a
  registered ready condition.

The decoder's unpacker is the library's (:func:`accelbench.netlist.lib.packing.bit_unpacker`);
this packer follows the library's MSB-first convention and should become one with its
packer.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import pyrtl

from accelbench.netlist.ports import StreamOut


def width_for(n: int) -> int:
    """Bits for the unsigned values 0..n."""
    return max(1, int(n).bit_length())


def zeros(n: int) -> pyrtl.Const:
    return pyrtl.Const(0, n)


def const_table(index: pyrtl.WireVector, values: Sequence[int], bitwidth: int
                ) -> pyrtl.WireVector:
    """``values[index]`` as a ``bitwidth``-bit wire (values taken modulo 2^bitwidth)."""
    mask = (1 << bitwidth) - 1
    vals = [int(v) & mask for v in values]
    if len(set(vals)) == 1:
        return pyrtl.Const(vals[0], bitwidth)
    consts = [pyrtl.Const(v, bitwidth) for v in vals]
    if len(consts) == 1 << len(index):
        return pyrtl.mux(index, *consts)
    return pyrtl.mux(index, *consts, default=pyrtl.Const(0, bitwidth))


def csd_digits(c: int) -> list[tuple[int, int]]:
    """Canonical signed digits of ``c``: (shift, +1/-1) pairs, no two adjacent."""
    digits = []
    shift = 0
    while c:
        if c & 1:
            d = 2 - (c & 3)  # +1 if c mod 4 == 1, -1 if 3
            digits.append((shift, d))
            c -= d
        c >>= 1
        shift += 1
    return digits


def _shl(x: pyrtl.WireVector, shift: int, bits: int) -> pyrtl.WireVector:
    if shift == 0:
        return x[:bits]
    if shift >= bits:
        return zeros(bits)
    return pyrtl.concat(x[: bits - shift], zeros(shift))


def const_mul(x: pyrtl.WireVector, c: int, bits: int) -> pyrtl.WireVector:
    """``x * c`` modulo 2^bits for a signed wire ``x`` (sign-extended to ``bits``)."""
    xe = x.sign_extended(bits) if len(x) < bits else x[:bits]
    digits = csd_digits(c)
    if not digits:
        return zeros(bits)
    plus = [_shl(xe, s, bits) for s, d in digits if d > 0]
    minus = [_shl(xe, s, bits) for s, d in digits if d < 0]
    acc = plus.pop(0) if plus else (zeros(bits) - minus.pop(0))[:bits]
    for term in plus:
        acc = (acc + term)[:bits]
    for term in minus:
        acc = (acc - term)[:bits]
    return acc


@dataclass
class MatVec:
    """Outputs of :func:`serial_matvec`."""

    value: pyrtl.WireVector  # the result being drained (signed, out_bits)
    valid: pyrtl.WireVector  # a result is on ``value`` this cycle
    index: pyrtl.WireVector  # its row k
    transfer: pyrtl.WireVector  # this cycle's input completes a vector (tags: capture now)


def serial_matvec(x: pyrtl.WireVector, step: pyrtl.WireVector, n: pyrtl.WireVector,
                  matrix: Sequence[Sequence[int]], shift: int, acc_bits: int,
                  out_bits: int, name: str) -> MatVec:
    """``y_k = rs(sum_n M[k][n] x_n, shift)`` with x_n arriving serially.

    ``x`` (signed) is element ``n`` of the current vector and is taken when ``step`` is
    high; elements arrive in order 0..N-1. Every distinct |M[k][n]| is one shared
    constant multiplier; accumulator k adds +-product selected by ``n`` and starts at
    2^(shift-1), so ``rs`` (round half up) is only wiring. On the last element the N sums
    move into a holding shift register that drains one result per cycle over the next N
    cycles, unconditionally: vectors must be at least N cycles apart (they are, at one
    element a cycle). ``acc_bits`` must hold every sum, ``out_bits`` every result.
    """
    size = len(matrix)
    ibits = len(n)
    mags = sorted({abs(int(v)) for row in matrix for v in row} - {0})
    products = {m: const_mul(x, m, acc_bits) for m in mags}
    first = n == 0
    transfer = step & (n == size - 1)
    init = pyrtl.Const((1 << (shift - 1)) if shift > 0 else 0, acc_bits)
    results = []
    for k, row in enumerate(matrix):
        acc = pyrtl.Register(acc_bits, f"{name}_acc{k}")
        kmags = sorted({abs(int(v)) for v in row} - {0})
        if not kmags:
            term, carry = zeros(acc_bits), pyrtl.Const(0, 1)
        else:
            if len(kmags) == 1:
                mag = products[kmags[0]]
            else:
                sel_bits = width_for(len(kmags) - 1)
                sel = const_table(n, [kmags.index(abs(int(v))) if v else 0 for v in row],
                                  sel_bits)
                mag = pyrtl.mux(sel, *[products[m] for m in kmags],
                                default=zeros(acc_bits))
            if any(int(v) == 0 for v in row):
                nonzero = const_table(n, [int(v) != 0 for v in row], 1)
                mag = pyrtl.select(nonzero, mag, zeros(acc_bits))
            carry = const_table(n, [int(v) < 0 for v in row], 1)
            term = mag ^ carry.sign_extended(acc_bits)  # -p = ~p + 1
        base = pyrtl.select(first, init, acc)
        total = (base + term + carry)[:acc_bits]
        acc.next <<= pyrtl.select(step, total, acc)
        results.append(total[shift: shift + out_bits] if shift > 0 else total[:out_bits])
    hold = [pyrtl.Register(out_bits, f"{name}_hold{k}") for k in range(size)]
    draining = pyrtl.Register(1, f"{name}_draining")
    count = pyrtl.Register(ibits, f"{name}_count")
    for k in range(size):
        shifted = hold[k + 1] if k + 1 < size else hold[k]
        hold[k].next <<= pyrtl.select(transfer, results[k],
                                      pyrtl.select(draining, shifted, hold[k]))
    done = count == size - 1
    draining.next <<= transfer | (draining & ~done)
    count.next <<= pyrtl.select(transfer, 0, pyrtl.select(draining & ~done,
                                                          (count + 1)[:ibits], 0))
    return MatVec(value=hold[0], valid=draining, index=count, transfer=transfer)


class SlotBuffer:
    """A ping-pong buffer generalised to 2^``slot_bits`` slots of 2^``addr_bits`` words,
    in one synchronous-read memory.

    A producer fills slot ``s`` while a consumer empties an older one: ``full[s]`` is
    set when the producer finishes slot ``s`` (with a tag bit, e.g. "last block") and
    cleared when the consumer is done with it. Producer and consumer each step their own
    slot counter once per block. Two slots (plain ping-pong) stall a producer whose
    consumer starts late (a pipeline latency, a stalled consumer); more slots absorb it.
    Call :meth:`write` and :meth:`flags` once each; :meth:`read` takes register-driven
    slot and address wires.
    """

    def __init__(self, bitwidth: int, addr_bits: int, slot_bits: int, name: str) -> None:
        self.addr_bits = addr_bits
        self.slot_bits = slot_bits
        slots = 1 << slot_bits
        self.mem = pyrtl.MemBlock(bitwidth, addr_bits + slot_bits, name=f"{name}_mem")
        self.full = [pyrtl.Register(1, f"{name}_full{s}") for s in range(slots)]
        self.tag = [pyrtl.Register(1, f"{name}_tag{s}") for s in range(slots)]

    def write(self, enable: pyrtl.WireVector, slot: pyrtl.WireVector,
              addr: pyrtl.WireVector, data: pyrtl.WireVector) -> None:
        self.mem[pyrtl.concat(slot, addr)] <<= pyrtl.MemBlock.EnabledWrite(data, enable)

    def read(self, slot: pyrtl.WireVector, addr: pyrtl.WireVector) -> pyrtl.WireVector:
        return self.mem[pyrtl.concat(slot, addr)]

    def flags(self, set_en: pyrtl.WireVector, set_slot: pyrtl.WireVector,
              set_tag: pyrtl.WireVector, clear_en: pyrtl.WireVector,
              clear_slot: pyrtl.WireVector) -> None:
        for s, (full, tag) in enumerate(zip(self.full, self.tag, strict=True)):
            hit_set = set_en & (set_slot == s)
            hit_clear = clear_en & (clear_slot == s)
            full.next <<= hit_set | (full & ~hit_clear)
            tag.next <<= pyrtl.select(hit_set, set_tag, tag)

    def is_full(self, slot: pyrtl.WireVector) -> pyrtl.WireVector:
        return pyrtl.mux(slot, *self.full)

    def tag_of(self, slot: pyrtl.WireVector) -> pyrtl.WireVector:
        return pyrtl.mux(slot, *self.tag)

    @property
    def empty(self) -> pyrtl.WireVector:
        out = ~self.full[0]
        for full in self.full[1:]:
            out = out & ~full
        return out


@dataclass
class Fifo:
    head: pyrtl.WireVector  # the oldest entry (valid when ``count`` != 0)
    count: pyrtl.WireVector  # registered occupancy
    nonempty: pyrtl.WireVector


def sync_fifo(data: pyrtl.WireVector, push: pyrtl.WireVector, pop: pyrtl.WireVector,
              addr_bits: int, name: str) -> Fifo:
    """A FIFO of 2^addr_bits entries in a synchronous-read memory.

    The read address is the registered read pointer, so the head is ready at the start
    of each cycle. The caller never pushes into a full FIFO (it checks ``count`` a
    cycle ahead) and pops only when ``nonempty``.
    """
    mem = pyrtl.MemBlock(len(data), addr_bits, name=f"{name}_mem")
    wptr = pyrtl.Register(addr_bits, f"{name}_wptr")
    rptr = pyrtl.Register(addr_bits, f"{name}_rptr")
    count = pyrtl.Register(addr_bits + 1, f"{name}_count")
    mem[wptr] <<= pyrtl.MemBlock.EnabledWrite(data, push)
    wptr.next <<= pyrtl.select(push, (wptr + 1)[:addr_bits], wptr)
    rptr.next <<= pyrtl.select(pop, (rptr + 1)[:addr_bits], rptr)
    delta = pyrtl.select(push, pyrtl.select(pop, count, (count + 1)[: len(count)]),
                         pyrtl.select(pop, (count - 1)[: len(count)], count))
    count.next <<= delta
    return Fifo(head=mem[rptr], count=count, nonempty=count != 0)


@dataclass
class Packer:
    can_add: pyrtl.WireVector  # a symbol may be added this cycle (registered condition)
    flush_done: pyrtl.WireVector  # the flush request completes this cycle
    empty: pyrtl.WireVector  # no bits held and no word waiting


def bit_packer(out: StreamOut, symbol: pyrtl.WireVector, length: pyrtl.WireVector,
               add: pyrtl.WireVector, flush: pyrtl.WireVector, name: str,
               buffer_bits: int | None = None) -> Packer:
    """Packs variable-length symbols MSB-first into W-bit words on ``out``.

    ``symbol`` is left-aligned in its width (the longest symbol, L bits); ``add`` takes
    it (only when ``can_add``, never with ``flush``). A word leaves when more than W bits
    are held, so the final word always waits for ``flush``, which sends it zero-padded
    with ``last``. ``can_add`` depends on the fill register alone; the default buffer of
    W + 2L bits keeps it high at one symbol a cycle unless ``out`` stalls.
    """
    w = len(out.data)
    sym_bits = len(symbol)
    size = buffer_bits or w + 2 * sym_bits
    fill_bits = width_for(size)
    buf = pyrtl.Register(size, f"{name}_buf")
    fill = pyrtl.Register(fill_bits, f"{name}_fill")
    o_data = pyrtl.Register(w, f"{name}_data")
    o_valid = pyrtl.Register(1, f"{name}_valid")
    o_last = pyrtl.Register(1, f"{name}_last")

    free = ~o_valid | out.ready
    emit = free & (fill > w)
    do_flush = flush & free & (fill != 0) & (fill <= w)
    base = pyrtl.select(emit, pyrtl.concat(buf[: size - w], zeros(w)), buf)
    base_fill = (fill - pyrtl.select(emit, pyrtl.Const(w, fill_bits),
                                     pyrtl.Const(0, fill_bits)))[:fill_bits]
    placed = pyrtl.shift_right_logical(pyrtl.concat(symbol, zeros(size - sym_bits)),
                                       base_fill)
    grown = base | pyrtl.select(add, placed, zeros(size))
    new_fill = (base_fill + pyrtl.select(add, length, pyrtl.Const(0, len(length))))[:fill_bits]
    buf.next <<= pyrtl.select(do_flush, zeros(size), grown)
    fill.next <<= pyrtl.select(do_flush, 0, new_fill)
    o_data.next <<= pyrtl.select(emit | do_flush, buf[size - w:], o_data)
    o_last.next <<= pyrtl.select(emit | do_flush, do_flush, o_last)
    o_valid.next <<= emit | do_flush | (o_valid & ~out.ready)
    out.data <<= o_data
    out.valid <<= o_valid
    out.last <<= o_last
    return Packer(can_add=fill <= size - sym_bits,
                  flush_done=flush & ((fill == 0) | do_flush),
                  empty=(fill == 0) & ~o_valid)
