"""2-D DCT compressor and decompressor netlists (Shao et al. structure, our defaults).

Compressor, one input value a cycle::

    in -> pad/level shift -> row DCT (serial 8x8 constant matrix) -> transpose buffer
       (4 slots of 64 words, sync read) -> column DCT -> quantiser (reciprocal
       product) -> coefficient buffer (4 slots, written in zig-zag order)
       -> bitmap + variable-width packer -> streams ``bitmap`` and ``values``

Decompressor, the mirror image::

    bitmap, values -> unpacker -> dequantiser -> coefficient buffer (column-major)
       -> column IDCT -> transpose buffer -> row IDCT -> clamp, level shift,
       drop padding -> output FIFO (32 words) -> out

Layer dimensions arrive on the configuration inputs ``channels``, ``height``, ``width``;
the input and output streams carry the real values of the map in block order (channel,
block row, block column, then row-major inside the block), and the netlists insert and
drop the zero padding of edge blocks themselves. Every datapath width follows from the
bounds in :mod:`accelbench.designs.dct.golden`, so no value ever saturates or wraps.
Ready signals depend on registers only.
"""

from __future__ import annotations

from dataclasses import dataclass

import pyrtl

from accelbench.designs.dct import golden
from accelbench.designs.dct.hw import (
    BlockPosition,
    block_coder,
    block_decoder,
    dequantize,
    quantize,
    to_output_word,
    to_signed_input,
)
from accelbench.designs.dct.hwlib import SlotBuffer, const_table, serial_matvec, sync_fifo
from accelbench.designs.dct.model import LEVEL_SHIFT, DctModel
from accelbench.netlist.ports import Ports

DIM_BITS = 16  # configuration inputs: channels, height, width (each 1..65535)
#: the block buffers have 2^SLOT_BITS slots: with plain ping-pong (1 bit) a producer
#: waits for a consumer that starts a transform drain (9 cycles) late: 0.94 value/cycle
SLOT_BITS = 2
OUT_FIFO_BITS = 5  # 32-entry output FIFO of the decompressor
#: start a row of 8 only while the output FIFO holds at most this many words
FIFO_START_LIMIT = (1 << OUT_FIFO_BITS) - 17


@dataclass(frozen=True)
class Widths:
    """Two's-complement widths of every datapath signal of one variant."""

    row_acc: int
    rows: int
    col_acc: int
    coefficients: int
    quantised: int
    dequantised: int
    inv_col_acc: int
    inv_cols: int
    inv_row_acc: int
    pixels: int

    @classmethod
    def of(cls, model: DctModel) -> Widths:
        sb = golden.signed_bits
        fwd = golden.forward_limits(LEVEL_SHIFT)
        deq = model.quantizer.dequantized_limit()
        p, g = golden.COEF_BITS, golden.INV_FRAC_BITS
        ct = golden.C.T
        inv_col_acc = golden.matvec_limit(ct, deq) + (1 << (p - g - 1))
        inv_cols = golden.shifted_limit(inv_col_acc, p - g)
        inv_row_acc = golden.matvec_limit(ct, inv_cols) + (1 << (p + g - 1))
        return cls(row_acc=sb(fwd["row_acc"]), rows=sb(fwd["rows"]),
                   col_acc=sb(fwd["col_acc"]), coefficients=sb(fwd["coefficients"]),
                   quantised=model.quantizer.max_width, dequantised=sb(deq),
                   inv_col_acc=sb(inv_col_acc), inv_cols=sb(inv_cols),
                   inv_row_acc=sb(inv_row_acc),
                   pixels=sb(golden.shifted_limit(inv_row_acc, p + g)))


def _natural_tables(model: DctModel) -> tuple[list[int], list[int], list[int]]:
    q = model.quantizer
    zz = golden.zigzag_order()
    coding_of_natural = [0] * 64
    for i, nat in enumerate(zz):
        coding_of_natural[int(nat)] = i
    return [int(s) for s in q.steps], [int(r) for r in q.reciprocals], coding_of_natural


def dct2d_compressor(ports: Ports, model: DctModel) -> None:
    """Stream ``in`` (real values in block order) -> streams ``bitmap`` and ``values``."""
    wd = Widths.of(model)
    p, f = golden.COEF_BITS, golden.ROW_FRAC_BITS
    matrix = golden.C.tolist()
    inp = ports.stream_in("in", 8)
    bitmap = ports.stream_out("bitmap", model.stream_bits)
    values = ports.stream_out("values", model.stream_bits)
    channels = ports.input("channels", DIM_BITS)
    height = ports.input("height", DIM_BITS)
    width = ports.input("width", DIM_BITS)
    idle = ports.output("idle", 1)

    # --- stage A: input, padding, row DCT into the transpose buffer ---------------------
    ax = pyrtl.Register(3, "a_x")
    ay = pyrtl.Register(3, "a_y")
    a_slot = pyrtl.Register(SLOT_BITS, "a_slot")
    tpose = SlotBuffer(wd.rows, 6, SLOT_BITS, "tpose")
    row_end = pyrtl.WireVector(1, "a_row_end")
    block_end = row_end & (ay == 7)
    a_pos = BlockPosition(channels, height, width, block_end, "a")
    real = a_pos.row_real(ay) & a_pos.col_real(ax)
    block_start = (ax == 0) & (ay == 0)
    go = ~(block_start & tpose.is_full(a_slot))
    inp.ready <<= go & real
    advance = go & (~real | inp.valid)
    row_end <<= advance & (ax == 7)
    x = pyrtl.select(real, to_signed_input(inp.data, model.fmt), pyrtl.Const(0, 8))
    rowdct = serial_matvec(x, advance, ax, matrix, p - f, wd.row_acc, wd.rows, "rowdct")
    ax.next <<= pyrtl.select(advance, (ax + 1)[:3], ax)
    ay.next <<= pyrtl.select(row_end, (ay + 1)[:3], ay)
    a_slot.next <<= ((a_slot + block_end)[:SLOT_BITS])
    # tags of the row being drained
    r_y = pyrtl.Register(3, "r_y")
    r_slot = pyrtl.Register(SLOT_BITS, "r_slot")
    r_tag = pyrtl.Register(1, "r_tag")
    for reg, val in ((r_y, ay), (r_slot, a_slot), (r_tag, a_pos.is_last)):
        reg.next <<= pyrtl.select(rowdct.transfer, val, reg)
    tpose.write(rowdct.valid, r_slot, pyrtl.concat(rowdct.index, r_y), rowdct.value)
    t_done = rowdct.valid & (rowdct.index == 7) & (r_y == 7)

    # --- stage B: column DCT and quantiser into the coefficient buffer ------------------
    bj = pyrtl.Register(6, "b_j")
    b_slot = pyrtl.Register(SLOT_BITS, "b_slot")
    coef = SlotBuffer(wd.quantised, 6, SLOT_BITS, "coef")
    b_read = tpose.is_full(b_slot) & ~coef.is_full(b_slot)
    b_done = b_read & (bj == 63)
    coldct = serial_matvec(tpose.read(b_slot, bj), b_read, bj[:3], matrix, p + f,
                           wd.col_acc, wd.coefficients, "coldct")
    bj.next <<= pyrtl.select(b_read, (bj + 1)[:6], bj)
    b_slot.next <<= ((b_slot + b_done)[:SLOT_BITS])
    tpose.flags(t_done, r_slot, r_tag, b_done, b_slot)
    c_u = pyrtl.Register(3, "c_u")
    c_slot = pyrtl.Register(SLOT_BITS, "c_slot")
    c_tag = pyrtl.Register(1, "c_tag")
    for reg, val in ((c_u, bj[3:6]), (c_slot, b_slot), (c_tag, tpose.tag_of(b_slot))):
        reg.next <<= pyrtl.select(coldct.transfer, val, reg)
    steps, recips, coding_of_natural = _natural_tables(model)
    natural = pyrtl.concat(coldct.index, c_u)  # v*8 + u
    qvalue = quantize(coldct.value, natural, steps, recips, model.quantizer.shift,
                      wd.quantised)
    w_en = pyrtl.Register(1, "w_en")
    w_addr = pyrtl.Register(6, "w_addr")
    w_slot = pyrtl.Register(SLOT_BITS, "w_slot")
    w_data = pyrtl.Register(wd.quantised, "w_data")
    w_last = pyrtl.Register(1, "w_last")
    w_tag = pyrtl.Register(1, "w_tag")
    w_en.next <<= coldct.valid
    w_addr.next <<= const_table(natural, coding_of_natural, 6)
    w_slot.next <<= c_slot
    w_data.next <<= qvalue
    w_last.next <<= coldct.valid & (coldct.index == 7) & (c_u == 7)
    w_tag.next <<= c_tag
    coef.write(w_en, w_slot, w_addr, w_data)

    # --- stage C: zig-zag read, bitmap and value packer ---------------------------------
    c_pos = pyrtl.Register(6, "z_pos")
    z_slot = pyrtl.Register(SLOT_BITS, "z_slot")
    coder = block_coder(bitmap, values, coef.read(z_slot, c_pos), coef.is_full(z_slot),
                        c_pos, coef.tag_of(z_slot), [int(v) for v in model.coding_widths],
                        "coder")
    z_done = coder.take & (c_pos == 63)
    c_pos.next <<= pyrtl.select(coder.take, (c_pos + 1)[:6], c_pos)
    z_slot.next <<= ((z_slot + z_done)[:SLOT_BITS])
    coef.flags(w_en & w_last, w_slot, w_tag, z_done, z_slot)

    idle <<= (block_start & a_pos.at_start & ~rowdct.valid & tpose.empty & (bj == 0)
              & ~coldct.valid & ~w_en & coef.empty & (c_pos == 0) & coder.idle)


def dct2d_decompressor(ports: Ports, model: DctModel) -> None:
    """Streams ``bitmap`` and ``values`` -> stream ``out`` (real values in block order)."""
    wd = Widths.of(model)
    p, g = golden.COEF_BITS, golden.INV_FRAC_BITS
    inverse = golden.C.T.tolist()
    bitmap = ports.stream_in("bitmap", model.stream_bits)
    values = ports.stream_in("values", model.stream_bits)
    channels = ports.input("channels", DIM_BITS)
    height = ports.input("height", DIM_BITS)
    width = ports.input("width", DIM_BITS)
    out = ports.stream_out("out", 8)
    idle = ports.output("idle", 1)

    # --- stage D: unpack, dequantise into the coefficient buffer (column-major) ---------
    d_pos = pyrtl.Register(6, "d_pos")
    d_slot = pyrtl.Register(SLOT_BITS, "d_slot")
    coef = SlotBuffer(wd.dequantised, 6, SLOT_BITS, "coef")
    d_done = pyrtl.WireVector(1, "d_done")
    d_block = BlockPosition(channels, height, width, d_done, "d")
    coding = golden.zigzag_order()
    decoder = block_decoder(bitmap, values, ~coef.is_full(d_slot), d_pos,
                            d_block.is_last & (d_pos == 63),
                            [int(v) for v in model.coding_widths], "dec")
    error = ports.output("error", 1)
    error <<= decoder.error
    d_done <<= decoder.produce & (d_pos == 63)
    steps = [int(model.quantizer.steps[n]) for n in coding]
    column_major = [(int(n) % 8) * 8 + int(n) // 8 for n in coding]  # u*8 + v
    w_en = pyrtl.Register(1, "w_en")
    w_addr = pyrtl.Register(6, "w_addr")
    w_slot = pyrtl.Register(SLOT_BITS, "w_slot")
    w_data = pyrtl.Register(wd.dequantised, "w_data")
    w_last = pyrtl.Register(1, "w_last")
    w_en.next <<= decoder.produce
    w_addr.next <<= const_table(d_pos, column_major, 6)
    w_slot.next <<= d_slot
    w_data.next <<= dequantize(decoder.value, d_pos, steps, wd.dequantised)
    w_last.next <<= d_done
    coef.write(w_en, w_slot, w_addr, w_data)
    d_pos.next <<= pyrtl.select(decoder.produce, (d_pos + 1)[:6], d_pos)
    d_slot.next <<= ((d_slot + d_done)[:SLOT_BITS])

    # --- stage E: column IDCT into the transpose buffer (row-major) ---------------------
    ej = pyrtl.Register(6, "e_j")
    e_slot = pyrtl.Register(SLOT_BITS, "e_slot")
    tpose = SlotBuffer(wd.inv_cols, 6, SLOT_BITS, "tpose")
    e_read = coef.is_full(e_slot) & ~tpose.is_full(e_slot)
    e_done = e_read & (ej == 63)
    colidct = serial_matvec(coef.read(e_slot, ej), e_read, ej[:3], inverse, p - g,
                            wd.inv_col_acc, wd.inv_cols, "colidct")
    ej.next <<= pyrtl.select(e_read, (ej + 1)[:6], ej)
    e_slot.next <<= ((e_slot + e_done)[:SLOT_BITS])
    coef.flags(w_en & w_last, w_slot, pyrtl.Const(0, 1), e_done, e_slot)
    f_u = pyrtl.Register(3, "f_u")
    f_slot = pyrtl.Register(SLOT_BITS, "f_slot")
    for reg, val in ((f_u, ej[3:6]), (f_slot, e_slot)):
        reg.next <<= pyrtl.select(colidct.transfer, val, reg)
    tpose.write(colidct.valid, f_slot, pyrtl.concat(colidct.index, f_u), colidct.value)
    t_done = colidct.valid & (colidct.index == 7) & (f_u == 7)

    # --- stage G: row IDCT, clamp, drop padding, output FIFO ----------------------------
    gj = pyrtl.Register(6, "g_j")
    g_slot = pyrtl.Register(SLOT_BITS, "g_slot")
    g_done = pyrtl.WireVector(1, "g_done")
    g_block = BlockPosition(channels, height, width, g_done, "g")
    fifo_pop = pyrtl.WireVector(1, "fifo_pop")
    fifo_push = pyrtl.WireVector(1, "fifo_push")
    fifo_data = pyrtl.WireVector(9, "fifo_data")
    fifo = sync_fifo(fifo_data, fifo_push, fifo_pop, OUT_FIFO_BITS, "outq")
    room = fifo.count <= FIFO_START_LIMIT
    g_read = tpose.is_full(g_slot) & ((gj[:3] != 0) | room)
    g_done <<= g_read & (gj == 63)
    rowidct = serial_matvec(tpose.read(g_slot, gj), g_read, gj[:3], inverse, p + g,
                            wd.inv_row_acc, wd.pixels, "rowidct")
    gj.next <<= pyrtl.select(g_read, (gj + 1)[:6], gj)
    g_slot.next <<= ((g_slot + g_done)[:SLOT_BITS])
    tpose.flags(t_done, f_slot, pyrtl.Const(0, 1), g_done, g_slot)
    y = gj[3:6]
    h_real = pyrtl.Register(1, "h_real")
    h_cols = pyrtl.Register(4, "h_cols")
    h_final = pyrtl.Register(1, "h_final")
    for reg, val in ((h_real, g_block.row_real(y)), (h_cols, g_block.col_limit()),
                     (h_final, g_block.is_final_row(y))):
        reg.next <<= pyrtl.select(rowidct.transfer, val, reg)
    fifo_push <<= rowidct.valid & h_real & (rowidct.index < h_cols)
    last = h_final & (rowidct.index == (h_cols - 1)[:4])
    fifo_data <<= pyrtl.concat(last, to_output_word(rowidct.value, model.fmt))
    fifo_pop <<= fifo.nonempty & out.ready
    out.data <<= fifo.head[:8]
    out.valid <<= fifo.nonempty
    out.last <<= fifo.head[8]

    idle <<= ((d_pos == 0) & d_block.at_start & decoder.idle & ~w_en & coef.empty
              & (ej == 0) & ~colidct.valid & tpose.empty & (gj == 0) & g_block.at_start
              & ~rowidct.valid & ~fifo.nonempty)
