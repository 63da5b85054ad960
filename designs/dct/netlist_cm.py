"""Channel-DCT (DCT-CM style) compressor and decompressor netlists.

The streams carry the map in channel-group order: for each group of 8 channels, for each
run of 8 pixels (raster order), for each pixel, its 8 channels. One 1-D DCT along the
channels per pixel needs no transpose buffer::

    in -> pad/level shift -> channel DCT (serial 8x8 constant matrix) -> quantiser
       -> FIFO (32 words) -> bitmap + variable-width packer -> bitmap, values
    bitmap, values -> unpacker -> dequantiser -> channel IDCT -> clamp, level shift,
       drop padding -> output FIFO (32 words) -> out

Configuration inputs: ``channels`` and ``pixels`` (H*W: the channel transform does not
need the two apart). A pixel's 8 inputs start only while the FIFO after the transform
has room for everything in flight, so the transform's drain never stalls.
"""

from __future__ import annotations

from dataclasses import dataclass

import pyrtl

from accelbench.designs.dct import golden
from accelbench.designs.dct.hw import (
    GroupPosition,
    block_coder,
    block_decoder,
    dequantize,
    quantize,
    to_output_word,
    to_signed_input,
)
from accelbench.designs.dct.hwlib import serial_matvec, sync_fifo
from accelbench.designs.dct.model import LEVEL_SHIFT, DctModel
from accelbench.netlist.ports import Ports

CHANNEL_BITS = 16
PIXEL_BITS = 24  # H*W up to 16.7 M pixels
FIFO_BITS = 5
#: start a pixel only while the FIFO holds at most this many words
FIFO_START_LIMIT = (1 << FIFO_BITS) - 18


@dataclass(frozen=True)
class ChannelWidths:
    acc: int
    coefficients: int
    quantised: int
    dequantised: int
    inv_acc: int
    pixels: int

    @classmethod
    def of(cls, model: DctModel) -> ChannelWidths:
        sb = golden.signed_bits
        p = golden.COEF_BITS
        acc = golden.matvec_limit(golden.C, LEVEL_SHIFT) + (1 << (p - 1))
        deq = model.quantizer.dequantized_limit()
        inv_acc = golden.matvec_limit(golden.C.T, deq) + (1 << (p - 1))
        return cls(acc=sb(acc), coefficients=sb(golden.shifted_limit(acc, p)),
                   quantised=model.quantizer.max_width, dequantised=sb(deq),
                   inv_acc=sb(inv_acc), pixels=sb(golden.shifted_limit(inv_acc, p)))


def dctcm_compressor(ports: Ports, model: DctModel) -> None:
    """Stream ``in`` (channel-group order) -> streams ``bitmap`` and ``values``."""
    wd = ChannelWidths.of(model)
    q = model.quantizer
    inp = ports.stream_in("in", 8)
    bitmap = ports.stream_out("bitmap", model.stream_bits)
    values = ports.stream_out("values", model.stream_bits)
    channels = ports.input("channels", CHANNEL_BITS)
    pixels = ports.input("pixels", PIXEL_BITS)
    idle = ports.output("idle", 1)

    ac = pyrtl.Register(3, "a_c")
    ap = pyrtl.Register(3, "a_p")
    block_end = pyrtl.WireVector(1, "a_block_end")
    pos = GroupPosition(channels, pixels, block_end, "a")
    push = pyrtl.WireVector(1, "q_push")
    entry = pyrtl.WireVector(wd.quantised + 1, "q_entry")
    pop = pyrtl.WireVector(1, "q_pop")
    fifo = sync_fifo(entry, push, pop, FIFO_BITS, "coefq")
    go = (ac != 0) | (fifo.count <= FIFO_START_LIMIT)
    real = pos.channel_real(ac) & pos.pixel_real(ap)
    inp.ready <<= go & real
    advance = go & (~real | inp.valid)
    pixel_end = advance & (ac == 7)
    block_end <<= pixel_end & (ap == 7)
    x = pyrtl.select(real, to_signed_input(inp.data, model.fmt), pyrtl.Const(0, 8))
    dct = serial_matvec(x, advance, ac, golden.C.tolist(), golden.COEF_BITS, wd.acc,
                        wd.coefficients, "chdct")
    ac.next <<= pyrtl.select(advance, (ac + 1)[:3], ac)
    ap.next <<= pyrtl.select(pixel_end, (ap + 1)[:3], ap)
    tag = pyrtl.Register(1, "d_tag")
    tag.next <<= pyrtl.select(dct.transfer, pos.is_last, tag)
    qvalue = quantize(dct.value, dct.index, [int(s) for s in q.steps],
                      [int(r) for r in q.reciprocals], q.shift, wd.quantised)
    w_en = pyrtl.Register(1, "w_en")
    w_data = pyrtl.Register(wd.quantised + 1, "w_data")
    w_en.next <<= dct.valid
    w_data.next <<= pyrtl.concat(tag, qvalue)
    push <<= w_en
    entry <<= w_data

    c_pos = pyrtl.Register(6, "z_pos")
    coder = block_coder(bitmap, values, fifo.head[:wd.quantised], fifo.nonempty, c_pos,
                        fifo.head[wd.quantised], [int(v) for v in model.coding_widths],
                        "coder")
    pop <<= coder.take
    c_pos.next <<= pyrtl.select(coder.take, (c_pos + 1)[:6], c_pos)
    idle <<= ((ac == 0) & (ap == 0) & pos.at_start & ~dct.valid & ~w_en & ~fifo.nonempty
              & (c_pos == 0) & coder.idle)


def dctcm_decompressor(ports: Ports, model: DctModel) -> None:
    """Streams ``bitmap`` and ``values`` -> stream ``out`` (channel-group order)."""
    wd = ChannelWidths.of(model)
    bitmap = ports.stream_in("bitmap", model.stream_bits)
    values = ports.stream_in("values", model.stream_bits)
    channels = ports.input("channels", CHANNEL_BITS)
    pixels = ports.input("pixels", PIXEL_BITS)
    out = ports.stream_out("out", 8)
    idle = ports.output("idle", 1)

    d_pos = pyrtl.Register(6, "d_pos")
    d_done = pyrtl.WireVector(1, "d_done")
    pos = GroupPosition(channels, pixels, d_done, "d")
    push = pyrtl.WireVector(1, "o_push")
    entry = pyrtl.WireVector(9, "o_entry")
    pop = pyrtl.WireVector(1, "o_pop")
    fifo = sync_fifo(entry, push, pop, FIFO_BITS, "outq")
    want = (d_pos[:3] != 0) | (fifo.count <= FIFO_START_LIMIT)
    decoder = block_decoder(bitmap, values, want, d_pos, pos.is_last & (d_pos == 63),
                            [int(v) for v in model.coding_widths], "dec")
    error = ports.output("error", 1)
    error <<= decoder.error
    d_done <<= decoder.produce & (d_pos == 63)
    d_pos.next <<= pyrtl.select(decoder.produce, (d_pos + 1)[:6], d_pos)
    k = d_pos[:3]
    pixel = d_pos[3:6]
    # one pipeline register between the decoder and the channel IDCT
    s_valid = pyrtl.Register(1, "s_valid")
    s_value = pyrtl.Register(wd.dequantised, "s_value")
    s_k = pyrtl.Register(3, "s_k")
    s_real = pyrtl.Register(1, "s_real")
    s_limit = pyrtl.Register(4, "s_limit")
    s_final = pyrtl.Register(1, "s_final")
    s_valid.next <<= decoder.produce
    s_value.next <<= dequantize(decoder.value, k, [int(s) for s in model.quantizer.steps],
                                wd.dequantised)
    s_k.next <<= k
    s_real.next <<= pos.pixel_real(pixel)
    s_limit.next <<= pos.channel_limit()
    s_final.next <<= pos.is_final_pixel(pixel)
    idct = serial_matvec(s_value, s_valid, s_k, golden.C.T.tolist(), golden.COEF_BITS,
                         wd.inv_acc, wd.pixels, "chidct")
    h_real = pyrtl.Register(1, "h_real")
    h_limit = pyrtl.Register(4, "h_limit")
    h_final = pyrtl.Register(1, "h_final")
    for reg, val in ((h_real, s_real), (h_limit, s_limit), (h_final, s_final)):
        reg.next <<= pyrtl.select(idct.transfer, val, reg)
    push <<= idct.valid & h_real & (idct.index < h_limit)
    last = h_final & (idct.index == (h_limit - 1)[:4])
    entry <<= pyrtl.concat(last, to_output_word(idct.value, model.fmt))
    pop <<= fifo.nonempty & out.ready
    out.data <<= fifo.head[:8]
    out.valid <<= fifo.nonempty
    out.last <<= fifo.head[8]
    idle <<= ((d_pos == 0) & pos.at_start & decoder.idle & ~s_valid & ~idct.valid
              & ~fifo.nonempty)
