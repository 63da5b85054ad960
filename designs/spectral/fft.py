"""2-D 8x8 FFT and inverse FFT netlists (fixed point, radix-2, row-column), valid/ready.

**FFT** (:func:`fft2d_unit`): input words are tile rows (8 signed ``in_bits`` pixels, pixel
0 in the low bits); 8 words make a tile. Each row goes through a combinational 8-point
FFT (imaginary inputs 0; bins 0..4 kept) into a skewed transpose buffer of 8
synchronous-read banks; after the tile's 8th row the unit reads the 5 columns, one per
cycle, through a second 8-point FFT into the output register. Output words are spectrum
columns v = 0..4: 8 complex bins (u = 0..7, bin u in the low bits), {re, im} of
``spec_bits`` each. 13 cycles per tile at full rate (8 rows in, 5 columns out; the
single transpose buffer does not overlap them).

**Inverse FFT** (:func:`ifft2d_unit`): input words are accumulator columns v = 0..4 (8
complex values of ``acc_bits``), 5 per tile; each goes through a scaled inverse 8-point FFT
into the transpose buffer; then the 8 half rows m (v = 0..4) are read, one per cycle,
through a real-output inverse FFT of the half spectrum (no redundant logic for the
conjugate-symmetric half); each row leaves as one output word (8 values of ``out_bits``,
pixel 0 low). 13 cycles per tile at full rate.

Both are bit-exact with :func:`accelbench.designs.spectral.fixed.fft2d` / ``ifft2d``. A
stream must hold whole tiles; ``last`` on the input's final word moves to the final output
word of that tile. ``idle`` is high when no tile is in the unit.
"""

from __future__ import annotations

from dataclasses import dataclass

import pyrtl

from accelbench.designs.spectral.fixed import DEFAULT, FixedPoint
from accelbench.designs.spectral.golden import HALF, K
from accelbench.designs.spectral.hwlib import (
    Complex,
    SkewedBuffer,
    Twiddle,
    fft8,
    real_ifft8,
    sext,
)
from accelbench.netlist.lib import index_bits
from accelbench.netlist.ports import Ports, StreamIn, StreamOut

ROWS_PER_TILE = K
COLUMNS_PER_TILE = HALF


def twiddle(fp: FixedPoint) -> Twiddle:
    return Twiddle(fp.twiddle, fp.tw_frac)


def spec_word_bits(fp: FixedPoint = DEFAULT) -> int:
    return K * 2 * fp.spec_bits


def acc_word_bits(fp: FixedPoint = DEFAULT) -> int:
    return K * 2 * fp.acc_bits


def pixel_word_bits(fp: FixedPoint = DEFAULT) -> int:
    return K * fp.in_bits


def out_word_bits(fp: FixedPoint = DEFAULT) -> int:
    return K * fp.out_bits


def split(word: pyrtl.WireVector, width: int, count: int) -> list[pyrtl.WireVector]:
    return [word[i * width:(i + 1) * width] for i in range(count)]


def pack(values: list[pyrtl.WireVector]) -> pyrtl.WireVector:
    """values[0] in the low bits."""
    return pyrtl.concat_list(values)


@dataclass
class Unit:
    idle: pyrtl.WireVector


class _TwoPhase:
    """The control both units share: ``in_count`` words in (phase 0), then ``out_count``
    buffer lines out (phase 1), with the output register and the tile's ``last`` flag."""

    def __init__(self, inp: StreamIn, out: StreamOut, in_count: int, out_count: int,
                 name: str) -> None:
        self.phase = pyrtl.Register(1, f"{name}_phase")
        self.wr = pyrtl.Register(index_bits(in_count), f"{name}_wr")
        self.rd = pyrtl.Register(index_bits(out_count), f"{name}_rd")
        self.tile_last = pyrtl.Register(1, f"{name}_tile_last")
        self.o_data = pyrtl.Register(len(out.data), f"{name}_o_data")
        self.o_valid = pyrtl.Register(1, f"{name}_o_valid")
        self.o_last = pyrtl.Register(1, f"{name}_o_last")
        inp.ready <<= ~self.phase
        self.take = inp.valid & ~self.phase
        wr_end = self.wr == in_count - 1
        o_free = ~self.o_valid | out.ready
        self.emit = self.phase & o_free
        rd_end = self.rd == out_count - 1
        self.wr.next <<= pyrtl.select(self.take, pyrtl.select(wr_end, 0, self.wr + 1), self.wr)
        self.rd.next <<= pyrtl.select(self.emit, pyrtl.select(rd_end, 0, self.rd + 1), self.rd)
        self.phase.next <<= pyrtl.select(self.take & wr_end, 1,
                                         pyrtl.select(self.emit & rd_end, 0, self.phase))
        seen_last = self.tile_last | (self.take & inp.last)
        self.tile_last.next <<= pyrtl.select(self.emit & rd_end, 0, seen_last)
        self.o_valid.next <<= self.emit | (self.o_valid & ~out.ready)
        self.o_last.next <<= pyrtl.select(self.emit, self.tile_last & rd_end, self.o_last)
        self.out = out
        self.idle = ~self.phase & (self.wr == 0) & ~self.o_valid & ~self.tile_last

    def drive(self, word: pyrtl.WireVector) -> None:
        self.o_data.next <<= pyrtl.select(self.emit, word, self.o_data)
        self.out.data <<= self.o_data
        self.out.valid <<= self.o_valid
        self.out.last <<= self.o_last


def fft2d_unit(inp: StreamIn, out: StreamOut, fp: FixedPoint = DEFAULT,
               name: str = "fft") -> Unit:
    """Tile rows in, spectrum columns out (see the module docstring)."""
    tw = twiddle(fp)
    ctl = _TwoPhase(inp, out, ROWS_PER_TILE, COLUMNS_PER_TILE, name)
    zero = pyrtl.Const(0, fp.row_bits)
    pixels = split(inp.data, fp.in_bits, K)
    row_in = [Complex(sext(pyrtl.concat(p, pyrtl.Const(0, fp.fft_guard)) if fp.fft_guard
                           else p, fp.row_bits), zero) for p in pixels]
    row_bins = fft8(row_in, tw, fp.row_bits)[:HALF]
    buf = SkewedBuffer(K, K, HALF, 2 * fp.row_bits, f"{name}_tbuf")
    buf.write(ctl.wr, [b.packed() for b in row_bins], ctl.take)
    column = [Complex.unpack(word, fp.row_bits).fit(fp.spec_bits) for word in buf.read(ctl.rd)]
    spectrum = fft8(column, tw, fp.spec_bits)
    ctl.drive(pack([b.packed() for b in spectrum]))
    return Unit(ctl.idle)


def ifft2d_unit(inp: StreamIn, out: StreamOut, fp: FixedPoint = DEFAULT,
                name: str = "ifft") -> Unit:
    """Accumulator columns in, real output-tile rows out (see the module docstring)."""
    tw = twiddle(fp)
    w = fp.ifft_bits
    ctl = _TwoPhase(inp, out, COLUMNS_PER_TILE, ROWS_PER_TILE, name)
    column = [Complex.unpack(word, fp.acc_bits).fit(w)
              for word in split(inp.data, 2 * fp.acc_bits, K)]
    # inverse = swap re/im, forward FFT (scaled), swap back
    z = [c.swapped() for c in fft8([c.swapped() for c in column], tw, w, scaled=True)]
    buf = SkewedBuffer(K, HALF, K, 2 * w, f"{name}_tbuf")
    buf.write(ctl.wr, [c.packed() for c in z], ctl.take)
    half_row = [Complex.unpack(word, w) for word in buf.read(ctl.rd)]  # v = 0..4
    pixels = real_ifft8(half_row, tw, w)
    ctl.drive(pack([sext(p, fp.out_bits) for p in pixels]))
    return Unit(ctl.idle)


def fft2d_netlist(ports: Ports, fp: FixedPoint = DEFAULT) -> None:
    """The FFT unit with stream ports ``tile`` -> ``spec`` and ``idle``."""
    unit = fft2d_unit(ports.stream_in("tile", pixel_word_bits(fp)),
                      ports.stream_out("spec", spec_word_bits(fp)), fp)
    idle = ports.output("idle", 1)
    idle <<= unit.idle


def ifft2d_netlist(ports: Ports, fp: FixedPoint = DEFAULT) -> None:
    """The inverse FFT unit with stream ports ``acc`` -> ``tile`` and ``idle``."""
    unit = ifft2d_unit(ports.stream_in("acc", acc_word_bits(fp)),
                       ports.stream_out("tile", out_word_bits(fp)), fp)
    idle = ports.output("idle", 1)
    idle <<= unit.idle
