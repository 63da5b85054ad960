"""Small combinational helpers: constants, constant code words, priority mux, one-hot."""

from __future__ import annotations

from collections.abc import Sequence

import pyrtl


def zeros(bitwidth: int) -> pyrtl.Const:
    """A constant 0 of ``bitwidth`` bits."""
    return pyrtl.Const(0, bitwidth)


def left_code(code: int, code_bits: int, width: int,
              field: pyrtl.WireVector | None = None) -> pyrtl.WireVector:
    """A constant code word (and an optional field after it) left-aligned in ``width`` bits.

    The first bit sent is the MSB: ``left_code(0b001, 3, 8, k)`` is ``001`` then ``k``,
    zero-filled to 8 bits.
    """
    parts = [pyrtl.Const(code, code_bits)] + ([field] if field is not None else [])
    used = code_bits + (len(field) if field is not None else 0)
    if used > width:
        raise ValueError(f"a {used}-bit code does not fit {width} bits")
    if used < width:
        parts.append(zeros(width - used))
    return pyrtl.concat(*parts)


def priority_mux(default: pyrtl.WireVector | int,
                 cases: list[tuple[pyrtl.WireVector, pyrtl.WireVector | int]],
                 bitwidth: int) -> pyrtl.WireVector:
    """The value of the first case whose condition is true, else ``default``."""
    out = pyrtl.as_wires(default, bitwidth=bitwidth)
    for cond, value in reversed(cases):
        out = pyrtl.select(cond, pyrtl.as_wires(value, bitwidth=bitwidth), out)
    return out[:bitwidth]


def onehot_to_binary(onehot: pyrtl.WireVector, bitwidth: int) -> pyrtl.WireVector:
    """Index of the set bit of a one-hot vector (OR trees; 0 when no bit is set)."""
    out = []
    for i in range(bitwidth):
        terms = [onehot[j] for j in range(len(onehot)) if (j >> i) & 1]
        out.append(pyrtl.rtl_any(*terms) if terms else pyrtl.Const(0, 1))
    return pyrtl.concat_list(out)


def one_hot_mux(selects: Sequence[pyrtl.WireVector], values: Sequence[pyrtl.WireVector],
                width: int) -> pyrtl.WireVector:
    """OR of the values whose select is high (selects one-hot, or all low: 0); an AND-OR
    multiplexer without a priority chain."""
    out = pyrtl.Const(0, width)
    for sel, val in zip(selects, values, strict=True):
        out = out | pyrtl.select(sel, val, pyrtl.Const(0, width))
    return out
