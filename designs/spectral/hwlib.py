"""Reusable PyRTL builders of the spectral engine, to move to ``accelbench.netlist.lib``.

Nothing here is specific to spectral convolution; these builders sit in this separate
module only until the shared library exists (it is being created in parallel). rtllib
style: each function builds hardware into the working block and returns wires or small
dataclasses of wires.

* signed fixed-point arithmetic on two's-complement wires: :func:`s_add`, :func:`s_sub`,
  :func:`s_neg`, :func:`s_mul`, :func:`s_mul_const`, :func:`round_shift`;
* :class:`Complex` values; a complex product as :func:`partial_products` (4 real
  multipliers) and :func:`combine_products` (rounded sums), with a register between;
* a radix-2 butterfly and the 8-point DIF FFT network (:func:`fft8`), and the real-output
  inverse from a half spectrum (:func:`real_ifft8`), bit-exact with their models in
  :mod:`accelbench.designs.spectral.fixed`;
* :func:`rotate` (a logarithmic rotator) and :class:`SkewedBuffer`, a transpose buffer of
  synchronous-read banks with diagonal placement (a row in, a column out, per cycle);
* :func:`priority_arbiter` and :func:`bank_arbiter`: lowest-numbered requester wins;
* :func:`internal_stream`: a valid/ready stream between two units in one block.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import pyrtl

from accelbench.netlist.lib import index_bits
from accelbench.netlist.ports import StreamIn, StreamOut

# ---------------------------------------------------------------- signed arithmetic


def sext(a: pyrtl.WireVector, width: int) -> pyrtl.WireVector:
    """``a`` sign-extended (or truncated) to ``width`` bits."""
    return a.sign_extended(width) if width >= len(a) else a[:width]


def s_add(a: pyrtl.WireVector, b: pyrtl.WireVector, width: int) -> pyrtl.WireVector:
    return (sext(a, width) + sext(b, width))[:width]


def s_sub(a: pyrtl.WireVector, b: pyrtl.WireVector, width: int) -> pyrtl.WireVector:
    return (sext(a, width) - sext(b, width))[:width]


def s_neg(a: pyrtl.WireVector, width: int) -> pyrtl.WireVector:
    return (pyrtl.Const(0, width) - sext(a, width))[:width]


def s_mul(a: pyrtl.WireVector, b: pyrtl.WireVector) -> pyrtl.WireVector:
    """Signed product in ``len(a) + len(b)`` bits (``pyrtl.signed_mult``: both operands
    sign-extended, synthesis trims the multiplier to the kept bits)."""
    return pyrtl.signed_mult(a, b)


def s_mul_const(a: pyrtl.WireVector, c: int) -> pyrtl.WireVector:
    """Signed ``a`` times a constant ``c`` >= 0, in ``len(a) + c.bit_length()`` bits."""
    n = len(a) + max(1, c.bit_length())
    return (sext(a, n) * pyrtl.Const(c))[:n]


def round_shift(a: pyrtl.WireVector, n: int) -> pyrtl.WireVector:
    """Round half up by ``n`` bits: ``(a + 2**(n-1)) >> n``, arithmetic; len(a) + 1 - n
    bits (``a`` itself for n = 0)."""
    if n == 0:
        return a
    w = len(a) + 1
    return (sext(a, w) + pyrtl.Const(1 << (n - 1), w))[:w][n:]


# ---------------------------------------------------------------- complex values


@dataclass
class Complex:
    re: pyrtl.WireVector
    im: pyrtl.WireVector

    def fit(self, width: int) -> Complex:
        return Complex(sext(self.re, width), sext(self.im, width))

    def swapped(self) -> Complex:
        """b + ja for a + jb (with a swap at input and output, a forward FFT inverts)."""
        return Complex(self.im, self.re)

    def packed(self) -> pyrtl.WireVector:
        """{re, im}: the real part in the upper half."""
        return pyrtl.concat(self.re, self.im)

    @staticmethod
    def unpack(word: pyrtl.WireVector, width: int) -> Complex:
        return Complex(word[width:2 * width], word[:width])


@dataclass
class PartialProducts:
    """The 4 real products of a complex multiplication: re*re, im*im, re*im, im*re."""

    rr: pyrtl.WireVector
    ii: pyrtl.WireVector
    ri: pyrtl.WireVector
    ir: pyrtl.WireVector

    def packed(self) -> pyrtl.WireVector:
        return pyrtl.concat(self.rr, self.ii, self.ri, self.ir)

    @staticmethod
    def unpack(word: pyrtl.WireVector, width: int) -> PartialProducts:
        parts = [word[i * width:(i + 1) * width] for i in range(4)]
        return PartialProducts(parts[3], parts[2], parts[1], parts[0])


def partial_products(x: Complex, w: Complex) -> PartialProducts:
    """4 signed multipliers. Register their outputs (a DSP slice's product register)
    before :func:`combine_products`: the registers also give each multiplier its own
    logic cone, which keeps ABC's SAT sweeping from stalling on a sum of products."""
    return PartialProducts(s_mul(x.re, w.re), s_mul(x.im, w.im), s_mul(x.re, w.im),
                           s_mul(x.im, w.re))


def combine_products(p: PartialProducts, shift: int, width: int) -> Complex:
    """(rr - ii) + j(ri + ir), each rounded by ``shift`` bits and fitted to ``width``."""
    n = len(p.rr) + 1
    re = s_sub(p.rr, p.ii, n)
    im = s_add(p.ri, p.ir, n)
    return Complex(sext(round_shift(re, shift), width), sext(round_shift(im, shift), width))


# ---------------------------------------------------------------- FFT


@dataclass(frozen=True)
class Twiddle:
    """cos(pi/4) as an integer with ``frac`` fraction bits."""

    value: int
    frac: int


def _rotate_by_twiddle(d: Complex, k: int, tw: Twiddle, shift: int, width: int) -> Complex:
    """d * W8^k rounded by ``shift`` extra bits (fixed.py's ``_twiddle``)."""
    if k == 0:
        return Complex(round_shift(d.re, shift), round_shift(d.im, shift)).fit(width)
    if k == 2:  # -j
        return Complex(round_shift(d.im, shift),
                       round_shift(s_neg(d.re, len(d.re) + 1), shift)).fit(width)
    n = len(d.re) + 1
    s1 = s_add(d.re, d.im, n)
    s2 = s_sub(d.im, d.re, n)
    p1 = sext(round_shift(s_mul_const(s1, tw.value), tw.frac + shift), width)
    p2 = sext(round_shift(s_mul_const(s2, tw.value), tw.frac + shift), width)
    if k == 1:
        return Complex(p1, p2)
    return Complex(p2, s_neg(p1, width))


def butterfly(a: Complex, b: Complex, k: int, tw: Twiddle, width: int,
              scaled: bool) -> tuple[Complex, Complex]:
    """(a + b, (a - b) W8^k), halved and rounded when ``scaled``; outputs ``width`` bits."""
    shift = 1 if scaled else 0
    n = max(len(a.re), len(b.re)) + 1
    top = Complex(round_shift(s_add(a.re, b.re, n), shift),
                  round_shift(s_add(a.im, b.im, n), shift)).fit(width)
    diff = Complex(s_sub(a.re, b.re, n), s_sub(a.im, b.im, n))
    return top, _rotate_by_twiddle(diff, k, tw, shift, width)


def _bitrev3(i: int) -> int:
    return ((i & 1) << 2) | (i & 2) | ((i >> 2) & 1)


def fft8(x: Sequence[Complex], tw: Twiddle, width: int, scaled: bool = False) -> list[Complex]:
    """Radix-2 decimation-in-frequency 8-point FFT, natural order in and out.

    Stage 1 pairs (i, i+4) with W8^i, stage 2 pairs (i, i+2) within each half with
    W8^(2i), stage 3 pairs (2i, 2i+1); every value is ``width`` bits. Combinational;
    unused outputs (e.g. the imaginary half of a real-input row) are left to synthesis
    to prune.
    """
    if len(x) != 8:
        raise ValueError("fft8 takes 8 values")
    y: list[Complex] = list(x)
    for i in range(4):
        y[i], y[i + 4] = butterfly(y[i], y[i + 4], i, tw, width, scaled)
    for base in (0, 4):
        for i in range(2):
            a, b = base + i, base + i + 2
            y[a], y[b] = butterfly(y[a], y[b], 2 * i, tw, width, scaled)
    out: list[Complex | None] = [None] * 8
    for i in range(4):
        top, bot = butterfly(y[2 * i], y[2 * i + 1], 0, tw, width, scaled)
        out[_bitrev3(2 * i)], out[_bitrev3(2 * i + 1)] = top, bot
    return out  # type: ignore[return-value]


def real_ifft8(z: Sequence[Complex], tw: Twiddle, width: int) -> list[pyrtl.WireVector]:
    """Scaled (1/8) real-output 8-point inverse FFT of a Hermitian half spectrum
    z[0..4]: 8 real values, bit-exact with
    :func:`accelbench.designs.spectral.fixed.real_ifft8` (which explains the structure:
    even/odd outputs through one 4-point complex transform, each value computed once)."""
    if len(z) != 5:
        raise ValueError("real_ifft8 takes the 5 bins of a half spectrum")
    n = width + 1

    def half(a: pyrtl.WireVector, b: pyrtl.WireVector, sub: bool = False) -> pyrtl.WireVector:
        op = s_sub if sub else s_add
        return sext(round_shift(op(a, b, n), 1), width)

    z0, z1, z2, z3, z4 = z
    g0r, g0i = half(z0.re, z4.re), half(z0.re, z4.re, sub=True)
    a1r, a1i = half(z1.re, z3.re), half(z1.im, z3.im, sub=True)
    dr, di = s_sub(z1.re, z3.re, n), s_add(z1.im, z3.im, n)
    b1r = sext(round_shift(s_mul_const(s_sub(dr, di, n + 1), tw.value), tw.frac + 1), width)
    b1i = sext(round_shift(s_mul_const(s_add(dr, di, n + 1), tw.value), tw.frac + 1), width)
    g2r, g2i = z2.re, s_neg(z2.im, width)
    pr, pi_ = half(g0r, g2r), half(g0i, g2i)
    mr, mi = half(g0r, g2r, sub=True), half(g0i, g2i, sub=True)
    sr, si = a1r, b1r
    tr, ti = s_neg(a1i, width), s_neg(b1i, width)
    return [half(pr, sr), half(pi_, si), half(mr, tr), half(mi, ti),
            half(pr, sr, sub=True), half(pi_, si, sub=True), half(mr, tr, sub=True),
            half(mi, ti, sub=True)]


# ---------------------------------------------------------------- routing and buffers


def rotate(words: Sequence[pyrtl.WireVector], amount: pyrtl.WireVector
           ) -> list[pyrtl.WireVector]:
    """out[j] = words[(j + amount) mod n]: a logarithmic rotator (n a power of two)."""
    n = len(words)
    out = list(words)
    for stage in range(len(amount)):
        step = 1 << stage
        if step >= n:
            break
        out = [pyrtl.select(amount[stage], out[(j + step) % n], out[j]) for j in range(n)]
    return out


class SkewedBuffer:
    """A rows x cols matrix in ``n`` synchronous-read banks (n a power of two >= rows,
    cols): element (i, j) sits in bank (i + j) mod n at address j. One cycle writes a
    whole line i (its ``cols`` values, each to a different bank) or reads a whole line j
    (its ``rows`` values, from one address of every bank): a transpose buffer with no
    bank conflicts.
    """

    def __init__(self, n: int, rows: int, cols: int, width: int, name: str) -> None:
        if n & (n - 1) or rows > n or cols > n:
            raise ValueError("SkewedBuffer needs n a power of two >= rows and cols")
        self.n, self.rows, self.cols, self.width = n, rows, cols, width
        self.address_bits = index_bits(cols)
        self.banks = [pyrtl.MemBlock(width, self.address_bits, name=f"{name}_b{b}")
                      for b in range(n)]

    def write(self, i: pyrtl.WireVector, values: Sequence[pyrtl.WireVector],
              enable: pyrtl.WireVector) -> None:
        """Line i: values[j] goes to bank (i + j) mod n, address j."""
        n, nb = self.n, index_bits(self.n)
        padded = list(values) + [pyrtl.Const(0, self.width)] * (n - len(values))
        i = i.zero_extended(nb)[:nb] if len(i) < nb else i[:nb]
        placed = rotate(padded, (pyrtl.Const(n, nb + 1) - i)[:nb])
        for b in range(n):
            j = (pyrtl.Const(b + n, nb + 1) - i)[:nb]
            enabled = enable & (j < self.cols) if self.cols < n else enable
            self.banks[b][j[:self.address_bits]] <<= pyrtl.MemBlock.EnabledWrite(
                placed[b], enabled)

    def read(self, j: pyrtl.Register) -> list[pyrtl.WireVector]:
        """Line j, read at the address register ``j`` (address_bits wide); the values
        arrive in the cycle ``j`` holds them, in order i = 0..rows-1."""
        if len(j) != self.address_bits:
            raise ValueError(f"the read address register must be {self.address_bits} bits")
        data = [bank[j] for bank in self.banks]
        nb = index_bits(self.n)
        amount = j.zero_extended(nb) if len(j) < nb else j[:nb]
        return rotate(data, amount)[:self.rows]


def internal_stream(width: int, name: str) -> tuple[StreamOut, StreamIn]:
    """A valid/ready stream between two units of one block: the producer drives the
    returned :class:`StreamOut` (data, valid, last), the consumer the :class:`StreamIn`
    (ready); both see the same wires."""
    data = pyrtl.WireVector(width, f"{name}_data")
    valid = pyrtl.WireVector(1, f"{name}_valid")
    last = pyrtl.WireVector(1, f"{name}_last")
    ready = pyrtl.WireVector(1, f"{name}_ready")
    return StreamOut(data, valid, last, ready), StreamIn(data, valid, last, ready)


def priority_arbiter(requests: Sequence[pyrtl.WireVector]) -> list[pyrtl.WireVector]:
    """One-hot grants: the lowest-numbered active request wins."""
    grants = []
    taken = pyrtl.Const(0, 1)
    for req in requests:
        grants.append(req & ~taken)
        taken = taken | req
    return grants


def bank_arbiter(valid: Sequence[pyrtl.WireVector], bank: Sequence[pyrtl.WireVector],
                 banks: int) -> tuple[list[pyrtl.WireVector], list[list[pyrtl.WireVector]]]:
    """Requesters ask for one of ``banks`` banks; per bank the lowest requester wins.

    Returns (granted per requester, grant[bank][requester] one-hot per bank).
    """
    per_bank = []
    for b in range(banks):
        hit = [v & (k == b) if banks > 1 else v for v, k in zip(valid, bank, strict=True)]
        per_bank.append(priority_arbiter(hit))
    granted = []
    for r in range(len(valid)):
        g = pyrtl.Const(0, 1)
        for b in range(banks):
            g = g | per_bank[b][r]
        granted.append(g)
    return granted, per_bank


def one_hot_mux(selects: Sequence[pyrtl.WireVector], values: Sequence[pyrtl.WireVector],
                width: int) -> pyrtl.WireVector:
    """OR of the values whose select is high (selects are one-hot or all low -> 0)."""
    out = pyrtl.Const(0, width)
    for sel, val in zip(selects, values, strict=True):
        out = out | pyrtl.select(sel, val, pyrtl.Const(0, width))
    return out
