"""Signed fixed-point arithmetic on two's-complement wires.

PyRTL wires are unsigned bit vectors; these helpers sign-extend their operands so that
sums, differences, products and rounding shifts follow two's-complement arithmetic, and
state the width of every result. Combinational.
"""

from __future__ import annotations

import pyrtl


def sext(a: pyrtl.WireVector, width: int) -> pyrtl.WireVector:
    """``a`` sign-extended (or truncated) to ``width`` bits."""
    return a.sign_extended(width) if width >= len(a) else a[:width]


def s_add(a: pyrtl.WireVector, b: pyrtl.WireVector, width: int) -> pyrtl.WireVector:
    """``a + b`` in ``width`` bits (wraps if it does not fit)."""
    return (sext(a, width) + sext(b, width))[:width]


def s_sub(a: pyrtl.WireVector, b: pyrtl.WireVector, width: int) -> pyrtl.WireVector:
    """``a - b`` in ``width`` bits (wraps if it does not fit)."""
    return (sext(a, width) - sext(b, width))[:width]


def s_neg(a: pyrtl.WireVector, width: int) -> pyrtl.WireVector:
    """``-a`` in ``width`` bits."""
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
