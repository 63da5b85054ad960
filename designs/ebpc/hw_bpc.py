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
from accelbench.netlist.lib import (
    bit_packer,
    bit_unpacker,
    count_bits,
    index_bits,
    left_code,
    onehot_to_binary,
    priority_mux,
    zeros,
)
from accelbench.netlist.ports import StreamIn, StreamOut


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
    len_bits = count_bits(w)
    symbol = priority_mux(raw, [(x == (1 << vb) - 1, left_code(0b00000, 5, w)),
                             (dbp == 0, left_code(0b00001, 5, w)),
                             (adjacent, left_code(0b00010, 5, w, k)),
                             (single, left_code(0b00011, 5, w, k))], w)
    length = priority_mux(vb + 1, [(x == (1 << vb) - 1, 5), (dbp == 0, 5),
                                (adjacent | single, 5 + pb)], len_bits)
    return symbol, length


def run_symbol(run: pyrtl.WireVector, shape: BlockShape) -> tuple[pyrtl.WireVector,
                                                                 pyrtl.WireVector]:
    """Zero-run code of L = ``run`` planes: ``01`` or ``001`` + (L-2)."""
    w, rb = shape.word_bits, shape.run_bits
    one = run == 1
    symbol = pyrtl.select(one, left_code(0b01, 2, w),
                          left_code(0b001, 3, w, (run - 2)[:rb]))
    return symbol, pyrtl.select(one, pyrtl.Const(2, count_bits(w)),
                                pyrtl.Const(3 + rb, count_bits(w)))


@dataclass
class CollectedBlock:
    """Output side of :func:`block_collector`."""

    full: pyrtl.WireVector  # a whole block waits for the coder
    base: pyrtl.WireVector  # its first word
    deltas: list[pyrtl.WireVector]  # its B-1 (W+1)-bit deltas, d_0 first
    accept: pyrtl.WireVector  # a word may enter this cycle
    drained: pyrtl.WireVector  # no word collected and no block waiting


def block_collector(shape: BlockShape, take_word: pyrtl.WireVector, data: pyrtl.WireVector,
                    ending: pyrtl.WireVector, handover: pyrtl.WireVector,
                    name: str) -> CollectedBlock:
    """Collects B words (one a cycle) into a base and B-1 exact (W+1)-bit deltas.

    ``take_word``: ``data`` enters the block this cycle (only when ``accept``);
    ``ending``: the input is over: a partial block is padded with zero words in one
    cycle; ``handover``: the coder takes the full block this cycle (the collector starts
    the next block in the same cycle, so ``accept`` is ``~full | handover``). One
    subtractor; latency: a block is ``full`` the cycle after its B-th word.
    """
    w, b, vb = shape.word_bits, shape.block_size, shape.vector_bits
    count = pyrtl.Register(index_bits(b), f"{name}_count")
    full = pyrtl.Register(1, f"{name}_full")
    base = pyrtl.Register(w, f"{name}_base")
    prev = pyrtl.Register(w, f"{name}_prev")
    slots = [pyrtl.Register(w + 1, f"{name}_slot{j}") for j in range(vb)]
    pad = ending & ~full & (count != 0)
    minuend = pyrtl.select(pad, zeros(w), data).sign_extended(w + 1)
    diff = (minuend - prev.sign_extended(w + 1))[: w + 1]
    write = (take_word & (count != 0)) | pad
    for j, slot in enumerate(slots):
        clear = pad & (count <= j)  # padding words after the last one: zero deltas
        slot.next <<= pyrtl.select(write & (count == j + 1), diff,
                                   pyrtl.select(clear, zeros(w + 1), slot))
    base.next <<= pyrtl.select(take_word & (count == 0), data, base)
    prev.next <<= pyrtl.select(take_word, data, prev)
    block_done = (take_word & (count == b - 1)) | pad
    count.next <<= pyrtl.select(block_done, 0, pyrtl.select(
        take_word, (count + 1)[: len(count)], count))
    full.next <<= block_done | (full & ~handover)
    return CollectedBlock(full=full, base=base, deltas=slots, accept=~full | handover,
                          drained=~full & (count == 0))


@dataclass
class PlaneCoder:
    """Output side of :func:`plane_coder`."""

    handover: pyrtl.WireVector  # the coder takes the collector's block this cycle
    flush_done: pyrtl.WireVector
    empty: pyrtl.WireVector  # not coding and the packer holds nothing


def plane_coder(out: StreamOut, shape: BlockShape, block: CollectedBlock,
                flush: pyrtl.WireVector, name: str) -> PlaneCoder:
    """Codes full blocks onto ``out``: the base, then one plane symbol a cycle.

    Takes ``block`` when it is full and the previous block is done; sends the W-bit
    base, then the symbols of planes 0..W (LSB first) through a packer (one-word output
    register on ``out``); a zero run is sent when it ends, which costs one extra cycle
    when a non-zero plane follows. ``flush`` (the input is over and the collector
    drained): the packer sends its held bits as the stream's last word once the coder
    is idle. W+2 cycles a block (+1 per zero run closed before a non-zero plane).
    """
    w, vb = shape.word_bits, shape.vector_bits
    busy = pyrtl.Register(1, f"{name}_busy")
    base_phase = pyrtl.Register(1, f"{name}_base_phase")
    plane = pyrtl.Register(count_bits(w), f"{name}_plane")
    run = pyrtl.Register(count_bits(w + 1), f"{name}_run")
    prev = pyrtl.Register(vb, f"{name}_prev")
    base = pyrtl.Register(w, f"{name}_base")
    slots = [pyrtl.Register(w + 1, f"{name}_slot{j}") for j in range(vb)]

    add = pyrtl.WireVector(1)
    symbol = pyrtl.WireVector(w)
    length = pyrtl.WireVector(count_bits(w))
    packer = bit_packer(out, w, w, w, symbol, length, add, flush & ~busy, f"{name}_pack")

    go = busy & packer.can_add
    dbp = pyrtl.concat_list([slot[0] for slot in slots])
    x = dbp ^ prev
    zero = x == 0
    last_plane = plane == w
    has_run = run != 0
    planes = go & ~base_phase
    emit_base = go & base_phase
    quiet = planes & zero & ~last_plane  # the zero run grows, nothing is sent
    run_out = planes & ((zero & last_plane) | (~zero & has_run))
    sym_out = planes & ~zero & ~has_run
    advance = quiet | sym_out
    finish = planes & last_plane & (zero | ~has_run)
    handover = block.full & (~busy | finish)

    run_sym, run_len = run_symbol(pyrtl.select(zero, (run + 1)[: len(run)], run), shape)
    plane_sym, plane_len = plane_symbol(x, dbp, shape)
    symbol <<= pyrtl.select(emit_base, base, pyrtl.select(run_out, run_sym, plane_sym))
    length <<= pyrtl.select(emit_base, pyrtl.Const(w, count_bits(w)),
                            pyrtl.select(run_out, run_len, plane_len))
    add <<= emit_base | run_out | sym_out

    busy.next <<= handover | (busy & ~finish)
    base_phase.next <<= handover | (base_phase & ~emit_base)
    plane.next <<= pyrtl.select(handover, 0, pyrtl.select(
        advance, (plane + 1)[: len(plane)], plane))
    run.next <<= pyrtl.select(handover | run_out, 0, pyrtl.select(
        quiet, (run + 1)[: len(run)], run))
    prev.next <<= pyrtl.select(handover, zeros(vb), pyrtl.select(advance, dbp, prev))
    base.next <<= pyrtl.select(handover, block.base, base)
    for slot, src in zip(slots, block.deltas, strict=True):
        slot.next <<= pyrtl.select(handover, src, pyrtl.select(
            advance, pyrtl.concat(pyrtl.Const(0, 1), slot[1:]), slot))
    return PlaneCoder(handover=handover, flush_done=packer.flush_done,
                      empty=~busy & packer.empty)


@dataclass
class BpcEncoderPorts:
    accept: pyrtl.WireVector  # the collector can take a word this cycle
    flush_done: pyrtl.WireVector
    empty: pyrtl.WireVector


def bpc_encoder(out: StreamOut, shape: BlockShape, take_word: pyrtl.WireVector,
                data: pyrtl.WireVector, ending: pyrtl.WireVector, done: pyrtl.WireVector,
                name: str = "bpc") -> BpcEncoderPorts:
    """:func:`block_collector` + :func:`plane_coder` onto ``out``: a double buffer (the
    next block is collected while the previous one is coded).

    ``take_word``: a word enters the block this cycle (only when ``accept``);
    ``ending``: the input stream is over (pad the partial block, then flush);
    ``done``: the flush has already happened for this stream.
    """
    handover = pyrtl.WireVector(1)
    block = block_collector(shape, take_word, data, ending, handover, f"{name}_c")
    coder = plane_coder(out, shape, block, ending & ~done & block.drained, f"{name}_k")
    handover <<= coder.handover
    return BpcEncoderPorts(accept=block.accept, flush_done=coder.flush_done,
                           empty=block.drained & coder.empty)


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
    x = priority_mux(zeros(vb), [(raw, x_raw), (ones, pyrtl.Const((1 << vb) - 1, vb)),
                              (two, x_two), (one, x_one)], vb)
    dbp = pyrtl.select(dbp_zero, zeros(vb), x ^ dprev)
    lb = count_bits(w)
    length = priority_mux(5 + pb, [(raw, vb + 1), (zero1, 2), (run, 3 + rb),
                                (ones | dbp_zero, 5)], lb)
    run_rest = pyrtl.select(run, (bits(3, rb) + 1)[: count_bits(w + 1)],
                            pyrtl.Const(0, count_bits(w + 1)))
    return PlaneParse(length=length, dbp=dbp, run_rest=run_rest)


@dataclass
class BpcDecoderPorts:
    value: pyrtl.WireVector  # the next decoded word
    avail: pyrtl.WireVector  # ``value`` is valid
    empty: pyrtl.WireVector
    surplus: pyrtl.WireVector  # on ``clear``: the stream holds words beyond its blocks


def bpc_decoder(inp: StreamIn, shape: BlockShape, enable: pyrtl.WireVector | int,
                take_value: pyrtl.WireVector, clear: pyrtl.WireVector,
                name: str = "bpc") -> BpcDecoderPorts:
    """Unpacker + plane decoder + delta-reverse output buffer for the stream ``inp``.

    ``take_value``: the consumer takes ``value`` this cycle; ``enable``: the stream is
    in use (never read a stream that may be empty for this tensor); ``clear``: the
    tensor is complete: drop the block padding and the stream's padding bits.
    ``inp.ready`` is registered (:func:`accelbench.netlist.lib.bit_unpacker`, a 3W-1
    bit buffer). The decoder takes the base, then one plane a cycle, and hands the block
    to the output buffer, which gives one word a cycle (a double buffer).
    """
    w, b, vb = shape.word_bits, shape.block_size, shape.vector_bits
    consume = pyrtl.WireVector(count_bits(w))  # a base (W bits) or one plane symbol
    unpack = bit_unpacker(inp, w, w, w, consume, enable, clear, f"{name}_unpack")
    head, fill = unpack.head, unpack.fill

    dphase = pyrtl.Register(1, f"{name}_dphase")  # 0: base next, 1: planes
    dplane = pyrtl.Register(count_bits(w), f"{name}_dplane")
    drun = pyrtl.Register(count_bits(w + 1), f"{name}_drun")
    dprev = pyrtl.Register(vb, f"{name}_dprev")
    dbase = pyrtl.Register(w, f"{name}_dbase")
    dslot = [pyrtl.Register(w, f"{name}_dslot{j}") for j in range(vb)]
    oavail = pyrtl.Register(1, f"{name}_oavail")
    oidx = pyrtl.Register(index_bits(b), f"{name}_oidx")
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
    # on ``clear`` every block the tensor needs has been handed over and has given a
    # value; a block being decoded, or handed over and untouched, came from surplus bits
    untouched = oavail & (oidx == 0) & ~take_value
    return BpcDecoderPorts(value=oacc, avail=oavail,
                           empty=~dphase & ~oavail & unpack.empty & (oidx == 0),
                           surplus=unpack.surplus | dphase | untouched)
