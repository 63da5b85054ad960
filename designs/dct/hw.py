"""The DCT stream format in hardware: block coder (bitmap + value packer) and decoder.

Both work one coefficient a cycle at coding position ``pos`` (0..63 within a block),
which the caller counts; the per-position value widths are constants of the variant
(:attr:`accelbench.designs.dct.model.DctModel.coding_widths`).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import pyrtl

from accelbench.designs.dct.hwlib import bit_packer, const_table, width_for, zeros
from accelbench.netlist.lib.packing import bit_unpacker
from accelbench.netlist.ports import StreamIn, StreamOut

BLOCK = 64


@dataclass
class Coder:
    take: pyrtl.WireVector  # the offered coefficient is taken this cycle
    idle: pyrtl.WireVector


def block_coder(bitmap: StreamOut, values: StreamOut, q: pyrtl.WireVector,
                offer: pyrtl.WireVector, pos: pyrtl.WireVector,
                last_block: pyrtl.WireVector, widths: Sequence[int], name: str) -> Coder:
    """Codes the coefficient ``q`` (signed, offered when ``offer``) at position ``pos``.

    Flags gather into W-bit bitmap words; non-zero values go to the packer in their
    position's width. After position 63 of the layer's last block (``last_block``) the
    bitmap word carries ``last`` and the packer is flushed.
    """
    wb = len(bitmap.data)
    max_w = max(int(v) for v in widths)
    sym_bits = max(max_w, 1)
    width = const_table(pos, widths, width_for(sym_bits))
    pad = const_table(pos, [sym_bits - int(v) for v in widths], width_for(sym_bits))
    nonzero = q != 0
    symbol = pyrtl.shift_left_logical(q[:sym_bits] if len(q) >= sym_bits
                                      else q.sign_extended(sym_bits), pad)

    flags = pyrtl.Register(wb - 1, f"{name}_flags")
    bm_data = pyrtl.Register(wb, f"{name}_bm_data")
    bm_valid = pyrtl.Register(1, f"{name}_bm_valid")
    bm_last = pyrtl.Register(1, f"{name}_bm_last")
    flushing = pyrtl.Register(1, f"{name}_flushing")

    word_end = pos[: width_for(wb - 1)] == wb - 1
    bm_free = ~bm_valid | bitmap.ready
    take = pyrtl.WireVector(1, f"{name}_take")
    add = take & nonzero
    packer = bit_packer(values, symbol, width, add, flushing, f"{name}_pack")
    take <<= offer & packer.can_add & ~flushing & (~word_end | bm_free)

    block_end = pos == BLOCK - 1
    send = take & word_end
    bm_data.next <<= pyrtl.select(send, pyrtl.concat(flags, nonzero), bm_data)
    bm_last.next <<= pyrtl.select(send, block_end & last_block, bm_last)
    bm_valid.next <<= send | (bm_valid & ~bitmap.ready)
    flags.next <<= pyrtl.select(take, pyrtl.select(
        word_end, zeros(wb - 1), pyrtl.concat(flags[: wb - 2], nonzero) if wb > 2
        else nonzero), flags)
    flushing.next <<= (take & block_end & last_block) | (flushing & ~packer.flush_done)
    bitmap.data <<= bm_data
    bitmap.valid <<= bm_valid
    bitmap.last <<= bm_last
    return Coder(take=take, idle=~flushing & packer.empty & ~bm_valid)


@dataclass
class Decoder:
    value: pyrtl.WireVector  # the coefficient at ``pos`` (signed, max width bits)
    produce: pyrtl.WireVector  # it is produced this cycle
    idle: pyrtl.WireVector
    error: pyrtl.WireVector  # a stream held words beyond the layer's codes (held)


def block_decoder(bitmap: StreamIn, values: StreamIn, want: pyrtl.WireVector,
                  pos: pyrtl.WireVector, end_of_layer: pyrtl.WireVector,
                  widths: Sequence[int], name: str) -> Decoder:
    """Produces the coefficient at ``pos`` when ``want`` and its bits are present.

    ``want`` must depend on registers only (so both streams' ``ready`` do). The bitmap
    word is prefetched into a register; a flagged coefficient needs its width in the
    unpacker. After the layer's last coefficient (``end_of_layer``) the unpacker drops
    the padding of the last value word. Neither stream is read past the word flagged
    ``last``; a stream that goes on beyond the layer's codes (its ``last`` word not yet
    seen, a prefetched bitmap word, a whole value word left over) raises ``error``, as
    the golden decoder raises on surplus words.
    """
    wb = len(bitmap.data)
    wv = len(values.data)
    max_w = max(max(int(v) for v in widths), 1)
    width = const_table(pos, widths, width_for(max_w))
    pad = const_table(pos, [max_w - int(v) for v in widths], width_for(max_w))

    buf = pyrtl.Register(wb, f"{name}_bm_buf")
    buf_valid = pyrtl.Register(1, f"{name}_bm_buf_valid")
    bm_seen_last = pyrtl.Register(1, f"{name}_bm_seen_last")
    values_started = pyrtl.Register(1, f"{name}_values_started")  # the layer has value words
    error = pyrtl.Register(1, f"{name}_error")
    shift = pyrtl.Register(wb, f"{name}_bm_shift")
    count = pyrtl.Register(width_for(wb), f"{name}_bm_count")

    from_buf = count == 0
    flag_word = pyrtl.select(from_buf, buf, shift)
    flag = flag_word[wb - 1]
    have_flag = ~from_buf | buf_valid
    consume = pyrtl.WireVector(width_for(max_w), f"{name}_consume")
    clear = pyrtl.WireVector(1, f"{name}_clear")
    unpacker = bit_unpacker(values, wv, max_w, max_w, consume, 1, clear, f"{name}_unpack")
    enough = ~flag | (unpacker.fill >= width)
    produce = want & have_flag & enough
    consume <<= pyrtl.select(produce & flag, width, zeros(len(width)))
    clear <<= produce & end_of_layer

    bitmap.ready <<= ~buf_valid & ~bm_seen_last
    load = bitmap.valid & ~buf_valid & ~bm_seen_last
    buf.next <<= pyrtl.select(load, bitmap.data, buf)
    buf_valid.next <<= load | (buf_valid & ~(produce & from_buf))
    bm_seen_last.next <<= ~clear & (bm_seen_last | (load & bitmap.last))
    values_started.next <<= ~clear & (values_started | values.fire)
    bm_surplus = (buf_valid & ~from_buf) | ~bm_seen_last
    values_surplus = (values_started | values.fire) & unpacker.surplus
    error.next <<= error | (clear & (bm_surplus | values_surplus))
    shift.next <<= pyrtl.select(produce, pyrtl.concat(flag_word[: wb - 1], zeros(1)), shift)
    count.next <<= pyrtl.select(produce, pyrtl.select(from_buf, wb - 1, (count - 1)[
        : len(count)]), count)

    signed = pyrtl.shift_right_arithmetic(unpacker.head, pad)
    value = pyrtl.select(flag, signed, zeros(max_w))
    return Decoder(value=value, produce=produce,
                   idle=from_buf & ~buf_valid & ~bm_seen_last & unpacker.empty, error=error)


# --- datapath pieces shared by the 2-D and the channel netlists ----------------------------

def to_signed_input(word: pyrtl.WireVector, fmt: str) -> pyrtl.WireVector:
    """An 8-bit input word as the signed transform input: uint8 is level-shifted by -128,
    which in two's complement is an inverted MSB."""
    if fmt == "uint8":
        return pyrtl.concat(~word[7], word[:7])
    return word


def to_output_word(value: pyrtl.WireVector, fmt: str) -> pyrtl.WireVector:
    """A signed decoder result clamped to -128..127, level-shifted back for uint8."""
    bits = len(value)
    neg = value[bits - 1]
    high = ~neg & (value[7:bits - 1] != 0) if bits > 8 else pyrtl.Const(0, 1)
    low = neg & (value[7:bits - 1] != (1 << (bits - 8)) - 1) if bits > 8 else pyrtl.Const(0, 1)
    clamped = pyrtl.select(high, pyrtl.Const(127, 8),
                           pyrtl.select(low, pyrtl.Const(0x80, 8), value[:8]))
    return to_signed_input(clamped, fmt)


def quantize(value: pyrtl.WireVector, index: pyrtl.WireVector, steps: Sequence[int],
             reciprocals: Sequence[int], shift: int, out_bits: int) -> pyrtl.WireVector:
    """Round half away from zero of value / steps[index] by a reciprocal product:
    ``|q| = ((2|d| + step) * m) >> shift``; the golden model proves it exact."""
    bits = len(value)
    neg = value[bits - 1]
    mag = pyrtl.select(neg, (~value + 1)[:bits], value)
    step_bits = width_for(max(int(s) for s in steps))
    step = const_table(index, steps, step_bits)
    recip = const_table(index, reciprocals, width_for(max(int(r) for r in reciprocals)))
    num = pyrtl.concat(mag, pyrtl.Const(0, 1)) + step
    product = num * recip
    if len(product) < shift + out_bits:
        product = product.zero_extended(shift + out_bits)
    qmag = product[shift: shift + out_bits]
    return pyrtl.select(neg, (~qmag + 1)[:out_bits], qmag)


def dequantize(value: pyrtl.WireVector, index: pyrtl.WireVector, steps: Sequence[int],
               out_bits: int) -> pyrtl.WireVector:
    step = const_table(index, steps, width_for(max(int(s) for s in steps)))
    return (value.sign_extended(out_bits) * step)[:out_bits]


class BlockPosition:
    """Where the current 8x8 block of a C x H x W map lies: channel, first row, first
    column; advanced once per block in block order (channel, block row, block column)."""

    def __init__(self, channels: pyrtl.WireVector, height: pyrtl.WireVector,
                 width: pyrtl.WireVector, advance: pyrtl.WireVector, name: str) -> None:
        bits = len(height)
        self.channel = pyrtl.Register(len(channels), f"{name}_ch")
        self.row0 = pyrtl.Register(bits, f"{name}_row0")
        self.col0 = pyrtl.Register(bits, f"{name}_col0")
        last_col = (self.col0 + 8) >= width
        last_row = (self.row0 + 8) >= height
        last_ch = (self.channel + 1) >= channels
        self.is_last = last_col & last_row & last_ch
        self.col0.next <<= pyrtl.select(advance, pyrtl.select(
            last_col, 0, (self.col0 + 8)[:bits]), self.col0)
        self.row0.next <<= pyrtl.select(advance & last_col, pyrtl.select(
            last_row, 0, (self.row0 + 8)[:bits]), self.row0)
        self.channel.next <<= pyrtl.select(advance & last_col & last_row, pyrtl.select(
            last_ch, 0, (self.channel + 1)[: len(channels)]), self.channel)
        self.at_start = (self.channel == 0) & (self.row0 == 0) & (self.col0 == 0)
        self.height, self.width = height, width

    def row_real(self, y: pyrtl.WireVector) -> pyrtl.WireVector:
        return (self.row0 + y) < self.height

    def col_real(self, x: pyrtl.WireVector) -> pyrtl.WireVector:
        return (self.col0 + x) < self.width

    def col_limit(self) -> pyrtl.WireVector:
        """Real columns in this block: min(8, W - col0), 4 bits."""
        return pyrtl.select((self.col0 + 8) <= self.width, pyrtl.Const(8, 4),
                            (self.width - self.col0)[:4])

    def is_final_row(self, y: pyrtl.WireVector) -> pyrtl.WireVector:
        """Row y of this block is the map's last real row of its last block."""
        return self.is_last & ((self.row0 + y + 1) == self.height)


class GroupPosition:
    """Where the current channel-transform block lies: first channel of its group of 8,
    first pixel of its 8 pixels; advanced once per block (channel group, pixel block)."""

    def __init__(self, channels: pyrtl.WireVector, pixels: pyrtl.WireVector,
                 advance: pyrtl.WireVector, name: str) -> None:
        self.ch0 = pyrtl.Register(len(channels), f"{name}_ch0")
        self.pix0 = pyrtl.Register(len(pixels), f"{name}_pix0")
        last_pix = (self.pix0 + 8) >= pixels
        last_group = (self.ch0 + 8) >= channels
        self.is_last = last_pix & last_group
        self.pix0.next <<= pyrtl.select(advance, pyrtl.select(
            last_pix, 0, (self.pix0 + 8)[: len(pixels)]), self.pix0)
        self.ch0.next <<= pyrtl.select(advance & last_pix, pyrtl.select(
            last_group, 0, (self.ch0 + 8)[: len(channels)]), self.ch0)
        self.at_start = (self.ch0 == 0) & (self.pix0 == 0)
        self.channels, self.pixels = channels, pixels

    def channel_real(self, c: pyrtl.WireVector) -> pyrtl.WireVector:
        return (self.ch0 + c) < self.channels

    def pixel_real(self, p: pyrtl.WireVector) -> pyrtl.WireVector:
        return (self.pix0 + p) < self.pixels

    def channel_limit(self) -> pyrtl.WireVector:
        return pyrtl.select((self.ch0 + 8) <= self.channels, pyrtl.Const(8, 4),
                            (self.channels - self.ch0)[:4])

    def is_final_pixel(self, p: pyrtl.WireVector) -> pyrtl.WireVector:
        return self.is_last & ((self.pix0 + p + 1) == self.pixels)
