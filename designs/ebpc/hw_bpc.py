"""The bit-plane coder in hardware: block collector, plane coder, plane decoder and
delta-reverse output buffer (shared by the EBPC and BPC-alone netlists).

Compressor side: a collector takes words (one a cycle), stores the block's base and its
B-1 deltas ((W+1)-bit, one subtractor), and hands a full block to the plane coder, which
sends the base and then one plane symbol a cycle, LSB plane first (a zero run that ends
before a non-zero plane costs one extra cycle). Collector and coder form a double
buffer: the next block is collected while the previous one is coded, so the input stalls
only when blocks arrive faster than one per W+2 cycles (dense data).

Decompressor side: a plane decoder takes the base and then one plane a cycle (a zero run
occupies one cycle per plane), XOR-accumulating the planes and shifting them into the
deltas; a finished block moves to an output buffer that sends one word a cycle, adding
the next delta (the delta reverse). Decoder and output buffer also form a double buffer.
"""

from __future__ import annotations

from dataclasses import dataclass

import pyrtl

from accelbench.designs.ebpc.bpc import BlockShape
from accelbench.designs.ebpc.hw import (
    Packer,
    bit_packer,
    bit_unpacker,
    left_code,
    mux_cases,
    width_for,
    zeros,
)
from accelbench.netlist.ports import StreamIn, StreamOut


def onehot_to_binary(onehot: pyrtl.WireVector, bits: int) -> pyrtl.WireVector:
    """Index of the set bit of a one-hot vector (OR trees)."""
    out = []
    for i in range(bits):
        terms = [onehot[j] for j in range(len(onehot)) if (j >> i) & 1]
        out.append(pyrtl.rtl_any(*terms) if terms else pyrtl.Const(0, 1))
    return pyrtl.concat_list(out)


def plane_symbol(x: pyrtl.WireVector, dbp: pyrtl.WireVector,
                 shape: BlockShape) -> tuple[pyrtl.WireVector, pyrtl.WireVector]:
    """Symbol of a non-zero plane, left-aligned in W bits, and its length.

    Vectors hold delta element j at bit j (element 0 is sent first).
    """
    w, vb, pb = shape.word_bits, shape.vector_bits, shape.pos_bits
    lowest = x & (~x + 1)[:vb]  # the first one in sending order
    rest = x ^ lowest
    adjacent = pyrtl.concat(pyrtl.Const(0, 1), rest) == pyrtl.concat(lowest, pyrtl.Const(0, 1))
    single = rest == 0
    k = onehot_to_binary(lowest, pb)
    raw = pyrtl.concat(pyrtl.Const(1, 1), *[x[j] for j in range(vb)],
                       *([zeros(w - vb - 1)] if w > vb + 1 else []))
    len_bits = width_for(w)
    symbol = mux_cases(raw, [(x == (1 << vb) - 1, left_code(0b00000, 5, w)),
                             (dbp == 0, left_code(0b00001, 5, w)),
                             (adjacent, left_code(0b00010, 5, w, k)),
                             (single, left_code(0b00011, 5, w, k))], w)
    length = mux_cases(vb + 1, [(x == (1 << vb) - 1, 5), (dbp == 0, 5),
                                (adjacent | single, 5 + pb)], len_bits)
    return symbol, length


def run_symbol(run: pyrtl.WireVector, shape: BlockShape) -> tuple[pyrtl.WireVector,
                                                                 pyrtl.WireVector]:
    """Zero-run code of L = ``run`` planes: ``01`` or ``001`` + (L-2)."""
    w, rb = shape.word_bits, shape.run_bits
    one = run == 1
    symbol = pyrtl.select(one, left_code(0b01, 2, w),
                          left_code(0b001, 3, w, (run - 2)[:rb]))
    return symbol, pyrtl.select(one, pyrtl.Const(2, width_for(w)),
                                pyrtl.Const(3 + rb, width_for(w)))


@dataclass
class BpcEncoderPorts:
    accept: pyrtl.WireVector  # the collector can take a word this cycle
    flush_done: pyrtl.WireVector
    empty: pyrtl.WireVector


def bpc_encoder(out: StreamOut, shape: BlockShape, take_word: pyrtl.WireVector,
                data: pyrtl.WireVector, ending: pyrtl.WireVector, done: pyrtl.WireVector,
                name: str = "bpc") -> BpcEncoderPorts:
    """Collector + plane coder + packer onto ``out``.

    ``take_word``: a word enters the block this cycle (only when ``accept``);
    ``ending``: the input stream is over (pad the partial block, then flush);
    ``done``: the flush has already happened for this stream.
    """
    w, b, vb = shape.word_bits, shape.block_size, shape.vector_bits
    count_bits = width_for(b - 1)
    # --- collector ---------------------------------------------------------------
    ccount = pyrtl.Register(count_bits, f"{name}_ccount")
    cfull = pyrtl.Register(1, f"{name}_cfull")
    cbase = pyrtl.Register(w, f"{name}_cbase")
    cprev = pyrtl.Register(w, f"{name}_cprev")
    cslot = [pyrtl.Register(w + 1, f"{name}_cslot{j}") for j in range(vb)]
    pad = ending & ~cfull & (ccount != 0)
    minuend = pyrtl.select(pad, zeros(w), data).sign_extended(w + 1)
    diff = (minuend - cprev.sign_extended(w + 1))[: w + 1]
    write = (take_word & (ccount != 0)) | pad
    for j, slot in enumerate(cslot):
        clear = pad & (ccount <= j)  # padding words after the last one: zero deltas
        slot.next <<= pyrtl.select(write & (ccount == j + 1), diff,
                                   pyrtl.select(clear, zeros(w + 1), slot))
    cbase.next <<= pyrtl.select(take_word & (ccount == 0), data, cbase)
    cprev.next <<= pyrtl.select(take_word, data, cprev)
    block_done = (take_word & (ccount == b - 1)) | pad
    ccount.next <<= pyrtl.select(block_done, 0, pyrtl.select(
        take_word, (ccount + 1)[:count_bits], ccount))

    # --- plane coder -----------------------------------------------------------------
    kbusy = pyrtl.Register(1, f"{name}_kbusy")
    kbase_phase = pyrtl.Register(1, f"{name}_kbase_phase")
    kplane = pyrtl.Register(width_for(w), f"{name}_kplane")
    krun = pyrtl.Register(width_for(w + 1), f"{name}_krun")
    kprev = pyrtl.Register(vb, f"{name}_kprev")
    kbase = pyrtl.Register(w, f"{name}_kbase")
    kslot = [pyrtl.Register(w + 1, f"{name}_kslot{j}") for j in range(vb)]

    add = pyrtl.WireVector(1)
    symbol = pyrtl.WireVector(w)
    length = pyrtl.WireVector(width_for(w))
    flush = ending & ~done & ~cfull & (ccount == 0) & ~kbusy
    packer: Packer = bit_packer(out, w, w, w, symbol, length, add, flush, f"{name}_pack")

    go = kbusy & packer.can_add
    dbp = pyrtl.concat_list([slot[0] for slot in kslot])
    x = dbp ^ kprev
    zero = x == 0
    last_plane = kplane == w
    has_run = krun != 0
    planes = go & ~kbase_phase
    emit_base = go & kbase_phase
    quiet = planes & zero & ~last_plane  # the zero run grows, nothing is sent
    run_out = planes & ((zero & last_plane) | (~zero & has_run))
    sym_out = planes & ~zero & ~has_run
    advance = quiet | sym_out
    finish = planes & last_plane & (zero | ~has_run)
    transfer = cfull & (~kbusy | finish)

    run_sym, run_len = run_symbol(pyrtl.select(zero, (krun + 1)[: len(krun)], krun), shape)
    plane_sym, plane_len = plane_symbol(x, dbp, shape)
    symbol <<= pyrtl.select(emit_base, kbase, pyrtl.select(run_out, run_sym, plane_sym))
    length <<= pyrtl.select(emit_base, pyrtl.Const(w, width_for(w)),
                            pyrtl.select(run_out, run_len, plane_len))
    add <<= emit_base | run_out | sym_out

    cfull.next <<= block_done | (cfull & ~transfer)
    kbusy.next <<= transfer | (kbusy & ~finish)
    kbase_phase.next <<= transfer | (kbase_phase & ~emit_base)
    kplane.next <<= pyrtl.select(transfer, 0, pyrtl.select(
        advance, (kplane + 1)[: len(kplane)], kplane))
    krun.next <<= pyrtl.select(transfer | run_out, 0, pyrtl.select(
        quiet, (krun + 1)[: len(krun)], krun))
    kprev.next <<= pyrtl.select(transfer, zeros(vb), pyrtl.select(advance, dbp, kprev))
    kbase.next <<= pyrtl.select(transfer, cbase, kbase)
    for slot, src in zip(kslot, cslot, strict=True):
        slot.next <<= pyrtl.select(transfer, src, pyrtl.select(
            advance, pyrtl.concat(pyrtl.Const(0, 1), slot[1:]), slot))
    return BpcEncoderPorts(accept=~cfull | transfer, flush_done=packer.flush_done,
                           empty=(ccount == 0) & ~cfull & ~kbusy & packer.empty)


@dataclass
class PlaneParse:
    length: pyrtl.WireVector
    dbp: pyrtl.WireVector
    run_rest: pyrtl.WireVector  # planes of a zero run after this one


def parse_plane(head: pyrtl.WireVector, dprev: pyrtl.WireVector,
                shape: BlockShape) -> PlaneParse:
    """Decode the plane symbol at the head of the stream (``head``: W bits, MSB first)."""
    w, vb, pb, rb = shape.word_bits, shape.vector_bits, shape.pos_bits, shape.run_bits

    def bit(i: int) -> pyrtl.WireVector:
        return head[w - 1 - i]

    def bits(first: int, count: int) -> pyrtl.WireVector:  # MSB-first field
        return head[w - first - count: w - first]

    raw, zero1, run = bit(0), ~bit(0) & bit(1), ~bit(0) & ~bit(1) & bit(2)
    five = ~bit(0) & ~bit(1) & ~bit(2)
    ones, dbp_zero = five & ~bit(3) & ~bit(4), five & ~bit(3) & bit(4)
    two, one = five & bit(3) & ~bit(4), five & bit(3) & bit(4)
    k = bits(5, pb)
    onehot = [k == j for j in range(vb)]
    x_raw = pyrtl.concat_list([bit(1 + j) for j in range(vb)])
    x_one = pyrtl.concat_list(onehot)
    x_two = pyrtl.concat_list([onehot[0]] + [onehot[j] | onehot[j - 1] for j in range(1, vb)])
    x = mux_cases(zeros(vb), [(raw, x_raw), (ones, pyrtl.Const((1 << vb) - 1, vb)),
                              (two, x_two), (one, x_one)], vb)
    dbp = pyrtl.select(dbp_zero, zeros(vb), x ^ dprev)
    lb = width_for(w)
    length = mux_cases(5 + pb, [(raw, vb + 1), (zero1, 2), (run, 3 + rb),
                                (ones | dbp_zero, 5)], lb)
    run_rest = pyrtl.select(run, (bits(3, rb) + 1)[: width_for(w + 1)],
                            pyrtl.Const(0, width_for(w + 1)))
    return PlaneParse(length=length, dbp=dbp, run_rest=run_rest)


@dataclass
class BpcDecoderPorts:
    value: pyrtl.WireVector  # the next decoded word
    avail: pyrtl.WireVector  # ``value`` is valid
    empty: pyrtl.WireVector


def bpc_decoder(inp: StreamIn, shape: BlockShape, enable: pyrtl.WireVector | int,
                take_value: pyrtl.WireVector, clear: pyrtl.WireVector,
                name: str = "bpc") -> BpcDecoderPorts:
    """Unpacker + plane decoder + delta-reverse output buffer for the stream ``inp``.

    ``take_value``: the consumer takes ``value`` this cycle; ``enable``: the stream is
    in use (never read a stream that may be empty for this tensor); ``clear``: the
    tensor is complete: drop the block padding and the stream's padding bits.
    """
    w, b, vb = shape.word_bits, shape.block_size, shape.vector_bits
    consume = pyrtl.WireVector(width_for(2 * w))
    unpack = bit_unpacker(inp, w, 2 * w, w, consume, enable, clear, f"{name}_unpack")
    head, fill = unpack.head, unpack.fill

    dphase = pyrtl.Register(1, f"{name}_dphase")  # 0: base next, 1: planes
    dplane = pyrtl.Register(width_for(w), f"{name}_dplane")
    drun = pyrtl.Register(width_for(w + 1), f"{name}_drun")
    dprev = pyrtl.Register(vb, f"{name}_dprev")
    dbase = pyrtl.Register(w, f"{name}_dbase")
    dslot = [pyrtl.Register(w, f"{name}_dslot{j}") for j in range(vb)]
    oavail = pyrtl.Register(1, f"{name}_oavail")
    oidx = pyrtl.Register(width_for(b - 1), f"{name}_oidx")
    oacc = pyrtl.Register(w, f"{name}_oacc")
    oslot = [pyrtl.Register(w, f"{name}_oslot{j}") for j in range(vb)]

    base_step = ~dphase & pyrtl.as_wires(enable, 1) & (fill >= w) & ~clear
    in_run = drun != 0
    parse = parse_plane(head, dprev, shape)
    final = dplane == w
    last_out = take_value & (oidx == b - 1)
    handoff_ok = ~oavail | last_out
    plane_step = dphase & (in_run | (fill >= parse.length)) & (~final | handoff_ok) & ~clear
    handoff = plane_step & final
    dbp = pyrtl.select(in_run, dprev, parse.dbp)

    consume <<= pyrtl.select(base_step, pyrtl.Const(w, len(consume)), pyrtl.select(
        plane_step & ~in_run, parse.length, pyrtl.Const(0, len(consume))))
    dbase.next <<= pyrtl.select(base_step, head, dbase)
    dphase.next <<= ~clear & (base_step | (dphase & ~handoff))
    dplane.next <<= pyrtl.select(base_step, 0, pyrtl.select(
        plane_step, (dplane + 1)[: len(dplane)], dplane))
    drun.next <<= pyrtl.select(base_step | clear, 0, pyrtl.select(
        plane_step, pyrtl.select(in_run, (drun - 1)[: len(drun)], parse.run_rest), drun))
    dprev.next <<= pyrtl.select(base_step, zeros(vb), pyrtl.select(plane_step, dbp, dprev))
    for j, slot in enumerate(dslot):  # plane p lands in bit p after W shifts
        slot.next <<= pyrtl.select(plane_step & ~final, pyrtl.concat(dbp[j], slot[1:]), slot)

    oacc.next <<= pyrtl.select(handoff, dbase, pyrtl.select(
        take_value, (oacc + oslot[0])[:w], oacc))
    for j, slot in enumerate(oslot):
        nxt = oslot[j + 1] if j + 1 < vb else zeros(w)
        slot.next <<= pyrtl.select(handoff, dslot[j], pyrtl.select(take_value, nxt, slot))
    oidx.next <<= pyrtl.select(handoff | clear, 0, pyrtl.select(
        take_value, (oidx + 1)[: len(oidx)], oidx))
    oavail.next <<= ~clear & (handoff | (oavail & ~last_out))
    return BpcDecoderPorts(value=oacc, avail=oavail,
                           empty=~dphase & ~oavail & unpack.empty & (oidx == 0))
