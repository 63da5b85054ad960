"""An output-stationary systolic array of int8 MACs with 32-bit accumulators (PyRTL).

Rows hold output pixels (one patch stream per row, entering at the left), columns hold
filters (one weight stream per column, entering at the top); the reduction index k runs
in time. Operands travel one PE per cycle, so PE (row r, column c) multiplies step k at
cycle t_k + r + c, where t_k is the cycle the step enters the array's aligned interface.
Skew registers at the edges delay row r by r cycles and column c by c cycles, so the
caller presents a whole step (all patch lanes and all weights) in one cycle.

Each step carries ``first`` / ``last`` flags (they travel with the patches): ``first``
restarts the accumulator, ``last`` copies the final sum into the PE's output register.
A cycle with no step presents zeros and no flags; that adds 0 to every accumulator, so
bubbles anywhere are harmless.

Drain: each column of each sub-array has a readout counter that starts when ``last``
passes its top row and reads its ``rows_per_sub`` output registers one per cycle, top
row first (each is read the cycle after it was written). Output deskew registers align
the columns, so a sub-array emits one whole output row (all columns) per cycle. The
controller must space the ``last`` steps of consecutive tiles at least ``rows_per_sub``
cycles apart (the readout of a column is busy that long).

The physical array can be split (runtime input ``split``) into ``subarrays`` arrays of
``rows_per_sub`` rows: in the tall mode the weights flow down through all sub-arrays and
lane g feeds global row g; in the split mode every sub-array takes its own weight streams
at its top and the first ``rows_per_sub`` patch lanes are broadcast to all sub-arrays.
"""

from __future__ import annotations

from dataclasses import dataclass

import pyrtl

ACC_BITS = 32
DATA_BITS = 8


@dataclass
class ArrayPorts:
    """Wires of the array's aligned interface, driven or read by the caller."""

    lanes: list[pyrtl.WireVector]  # patch value per physical row (DATA_BITS, signed)
    first: pyrtl.WireVector
    last: pyrtl.WireVector
    weights: list[list[pyrtl.WireVector]]  # [sub-array][column] (DATA_BITS, signed)
    split: pyrtl.WireVector | None
    out: list[list[pyrtl.WireVector]]  # [sub-array][column] (ACC_BITS), deskewed
    out_valid: list[pyrtl.WireVector]  # [sub-array]


def delay(wire: pyrtl.WireVector, cycles: int, name: str = "") -> pyrtl.WireVector:
    """``wire`` delayed by ``cycles`` registers (reset to 0)."""
    out = wire
    for i in range(cycles):
        reg = pyrtl.Register(len(wire), name=f"{name}_d{i}" if name else "")
        reg.next <<= out
        out = reg
    return out


def pe_cell(a_in, w_in, first_in, last_in, tag: str):
    """One MAC: returns (a_out, w_out, first_out, last_out, out_reg) registers."""
    a_out = pyrtl.Register(DATA_BITS, name=f"a_{tag}")
    w_out = pyrtl.Register(DATA_BITS, name=f"w_{tag}")
    f_out = pyrtl.Register(1, name=f"f_{tag}")
    l_out = pyrtl.Register(1, name=f"l_{tag}")
    acc = pyrtl.Register(ACC_BITS, name=f"acc_{tag}")
    out = pyrtl.Register(ACC_BITS, name=f"o_{tag}")
    a_out.next <<= a_in
    w_out.next <<= w_in
    f_out.next <<= first_in
    l_out.next <<= last_in
    product = pyrtl.signed_mult(a_in, w_in).sign_extended(ACC_BITS)
    total = pyrtl.select(first_in, product, (acc + product)[:ACC_BITS])
    acc.next <<= total
    out.next <<= pyrtl.select(last_in, total, out)
    return a_out, w_out, f_out, l_out, out


def _readout(outs: list[pyrtl.WireVector], trigger: pyrtl.WireVector, tag: str):
    """Read ``outs`` (top to bottom) one per cycle after ``trigger``; (value, valid)."""
    n = len(outs)
    bits = max(1, (n - 1).bit_length())
    active = pyrtl.Register(1, name=f"rd_act_{tag}")
    count = pyrtl.Register(bits, name=f"rd_cnt_{tag}")
    at_end = count == n - 1
    with pyrtl.conditional_assignment:
        with trigger:
            active.next |= 1
            count.next |= 0
        with active:
            active.next |= ~at_end
            count.next |= pyrtl.select(at_end, 0, (count + 1)[:bits])
    value = pyrtl.mux(count, *outs, default=pyrtl.Const(0, ACC_BITS)) if n > 1 else outs[0]
    return value, active


def build_array(rows_per_sub: int, cols: int, subarrays: int = 1, name: str = "sa",
                ports: ArrayPorts | None = None) -> ArrayPorts:
    """Build the array into the working block; inputs are fresh wires the caller drives
    (``lanes``, ``first``, ``last``, ``weights``, ``split``), outputs are driven here."""
    rows = rows_per_sub * subarrays
    lanes = [pyrtl.WireVector(DATA_BITS, f"{name}_lane{i}") for i in range(rows)]
    first = pyrtl.WireVector(1, f"{name}_first")
    last = pyrtl.WireVector(1, f"{name}_last")
    weights = [[pyrtl.WireVector(DATA_BITS, f"{name}_w{p}_{j}") for j in range(cols)]
               for p in range(subarrays)]
    split = pyrtl.WireVector(1, f"{name}_split") if subarrays > 1 else None

    # skew: global row g delayed by g cycles (patch value and flags together)
    skewed = []
    for g in range(rows):
        bundle = pyrtl.concat(lanes[g], first, last)
        skewed.append(delay(bundle, g, f"{name}_skew_r{g}"))
    wskew = [[delay(weights[p][j], j, f"{name}_skew_w{p}_{j}") for j in range(cols)]
             for p in range(subarrays)]

    out_regs: list[list[list[pyrtl.WireVector]]] = []  # [p][row][col]
    top_last: list[list[pyrtl.WireVector]] = []  # [p][col]: ``last`` entering the top row
    col_bottom = [None] * cols
    for p in range(subarrays):
        sub_out = []
        w_top = []
        for j in range(cols):
            if p == 0:
                w_top.append(wskew[0][j])
            else:
                w_top.append(pyrtl.select(split, wskew[p][j], col_bottom[j]))
        w_row = w_top
        for i in range(rows_per_sub):
            g = p * rows_per_sub + i
            bundle = skewed[g] if p == 0 else pyrtl.select(split, skewed[i], skewed[g])
            a, f, lst = bundle[2:], bundle[1], bundle[0]
            row_out, next_w = [], []
            if i == 0:
                top_last.append([])
            for j in range(cols):
                if i == 0:
                    top_last[p].append(lst)
                a, w_down, f, lst, o = pe_cell(a, w_row[j], f, lst, f"{name}_{g}_{j}")
                next_w.append(w_down)
                row_out.append(o)
            w_row = next_w
            sub_out.append(row_out)
        col_bottom = w_row
        out_regs.append(sub_out)

    # readout triggers: ``last`` at the top row of each sub-array, column j
    outs, valids = [], []
    for p in range(subarrays):
        sub_vals = []
        valid = None
        for j in range(cols):
            value, active = _readout([out_regs[p][r][j] for r in range(rows_per_sub)],
                                     top_last[p][j], f"{name}_{p}_{j}")
            sub_vals.append(delay(value, cols - 1 - j, f"{name}_deskew{p}_{j}"))
            if j == cols - 1:
                valid = active
        outs.append(sub_vals)
        valids.append(valid)
    return ArrayPorts(lanes, first, last, weights, split, outs, valids)
