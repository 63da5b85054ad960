"""Systolic-array builders: delay lines, the output-stationary PE, column readout, the
splittable OS array, and the ring rotator with strided lane taps of an IM2COL unit.

Builders in the rtllib style: each creates its registers and logic in the working block
and returns the wires its neighbours need. Operands are signed ``DATA_BITS`` integers,
accumulators ``ACC_BITS``.

The array (:func:`systolic_array`): rows hold output pixels (one patch stream per row,
entering at the left), columns hold filters (one weight stream per column, entering at
the top), the reduction index k runs in time. Operands move one PE per cycle, so PE
(row r, column c) multiplies a step at cycle t + r + c, where t is the cycle the step is
presented at the aligned interface. Skew registers delay row r by r cycles and column c
by c cycles, so the caller presents a whole step (every lane and every weight) in one
cycle; that interface must be driven from registers (PE (0, 0) multiplies it at once).
``first`` / ``last`` flags travel with the patches: ``first`` restarts a PE's
accumulator, ``last`` copies its sum into the PE's output register. A cycle without a
step presents zeros and no flags (adding 0 is harmless, so bubbles may go anywhere).

Drain: each column of each sub-array has a readout counter that starts when ``last``
passes its top row and reads its ``rows_per_sub`` output registers one per cycle, top
row first. Output deskew registers align the columns, so a sub-array emits one whole
output row per cycle, ``rows + cols`` cycles after the step with ``last`` was presented
(tall mode; ``rows_per_sub + cols`` in split mode). A controller must space the ``last``
steps of consecutive tiles at least ``rows_per_sub`` cycles apart (the readout of a
column is busy that long).

The physical array can be split (input ``split``) into ``subarrays`` arrays of
``rows_per_sub`` rows: in the tall mode the weights flow down through every sub-array
and lane g feeds global row g; in the split mode every sub-array takes its own weight
streams at its top and the first ``rows_per_sub`` lanes are broadcast to all of them.
"""

from __future__ import annotations

from dataclasses import dataclass

import pyrtl

from accelbench.netlist.lib.widths import index_bits

ACC_BITS = 32
DATA_BITS = 8


def delay(wire: pyrtl.WireVector, cycles: int, name: str = "") -> pyrtl.WireVector:
    """``wire`` delayed by ``cycles`` registers (reset to 0); ``cycles = 0`` is the wire."""
    out = wire
    for i in range(cycles):
        reg = pyrtl.Register(len(wire), name=f"{name}_d{i}" if name else "")
        reg.next <<= out
        out = reg
    return out


@dataclass
class PeWires:
    """Outputs of one PE: the operands and flags passed on (registers), and the output
    register that holds the last finished sum."""

    a: pyrtl.WireVector
    w: pyrtl.WireVector
    first: pyrtl.WireVector
    last: pyrtl.WireVector
    out: pyrtl.WireVector


def pe_cell(a_in: pyrtl.WireVector, w_in: pyrtl.WireVector, first_in: pyrtl.WireVector,
            last_in: pyrtl.WireVector, tag: str) -> PeWires:
    """One multiply-accumulate: ``acc = (first ? 0 : acc) + a * w`` (signed), and on
    ``last`` the new sum goes to the output register. Operands and flags leave through
    registers (right for ``a`` / flags, down for ``w``)."""
    regs = {key: pyrtl.Register(width, name=f"{key}_{tag}")
            for key, width in (("a", DATA_BITS), ("w", DATA_BITS), ("f", 1), ("l", 1),
                               ("acc", ACC_BITS), ("o", ACC_BITS))}
    regs["a"].next <<= a_in
    regs["w"].next <<= w_in
    regs["f"].next <<= first_in
    regs["l"].next <<= last_in
    product = pyrtl.signed_mult(a_in, w_in).sign_extended(ACC_BITS)
    total = pyrtl.select(first_in, product, (regs["acc"] + product)[:ACC_BITS])
    regs["acc"].next <<= total
    regs["o"].next <<= pyrtl.select(last_in, total, regs["o"])
    return PeWires(regs["a"], regs["w"], regs["f"], regs["l"], regs["o"])


def pe_netlist(ports) -> None:
    """One PE with its operands, flags and output as ports (a netlist of its own, for
    area)."""
    pe = pe_cell(ports.input("a", DATA_BITS), ports.input("w", DATA_BITS),
                 ports.input("first", 1), ports.input("last", 1), "pe")
    for name, wire in (("a_out", pe.a), ("w_out", pe.w), ("first_out", pe.first),
                       ("last_out", pe.last), ("out", pe.out)):
        port = ports.output(name, len(wire))
        port <<= wire


def column_readout(outs: list[pyrtl.WireVector], trigger: pyrtl.WireVector,
                   tag: str) -> tuple[pyrtl.WireVector, pyrtl.WireVector]:
    """Read ``outs`` (top to bottom) one per cycle after ``trigger``: (value, valid)."""
    n = len(outs)
    width = index_bits(n)
    active = pyrtl.Register(1, name=f"rd_act_{tag}")
    count = pyrtl.Register(width, name=f"rd_cnt_{tag}")
    at_end = count == n - 1
    with pyrtl.conditional_assignment:
        with trigger:
            active.next |= 1
            count.next |= 0
        with active:
            active.next |= ~at_end
            count.next |= pyrtl.select(at_end, 0, (count + 1)[:width])
    value = pyrtl.mux(count, *outs, default=pyrtl.Const(0, ACC_BITS)) if n > 1 else outs[0]
    return value, active


@dataclass
class ArrayPorts:
    """The array's aligned interface: inputs the caller drives with ``<<=`` (``lanes``,
    ``first``, ``last``, ``weights``, ``split``) and the outputs it reads."""

    lanes: list[pyrtl.WireVector]  # patch value per physical row (signed)
    first: pyrtl.WireVector
    last: pyrtl.WireVector
    weights: list[list[pyrtl.WireVector]]  # [sub-array][column] (signed)
    split: pyrtl.WireVector | None  # None with one sub-array
    out: list[list[pyrtl.WireVector]]  # [sub-array][column], deskewed
    out_valid: list[pyrtl.WireVector]  # [sub-array]
    #: any column readout active (outputs still leaving)
    draining: pyrtl.WireVector


def systolic_array(rows_per_sub: int, cols: int, subarrays: int = 1,
                   name: str = "sa") -> ArrayPorts:
    """Build the (splittable) output-stationary array; see the module docstring."""
    rows = rows_per_sub * subarrays
    lanes = [pyrtl.WireVector(DATA_BITS, f"{name}_lane{i}") for i in range(rows)]
    first = pyrtl.WireVector(1, f"{name}_first")
    last = pyrtl.WireVector(1, f"{name}_last")
    weights = [[pyrtl.WireVector(DATA_BITS, f"{name}_w{p}_{j}") for j in range(cols)]
               for p in range(subarrays)]
    split = pyrtl.WireVector(1, f"{name}_split") if subarrays > 1 else None

    # skew: global row g delayed by g cycles (patch value and flags together)
    skewed = [delay(pyrtl.concat(lanes[g], first, last), g, f"{name}_skew_r{g}")
              for g in range(rows)]
    wskew = [[delay(weights[p][j], j, f"{name}_skew_w{p}_{j}") for j in range(cols)]
             for p in range(subarrays)]

    out_regs: list[list[list[pyrtl.WireVector]]] = []  # [p][row][col]
    top_last: list[list[pyrtl.WireVector]] = []  # [p][col]: ``last`` entering the top row
    col_bottom: list[pyrtl.WireVector] = []
    for p in range(subarrays):
        w_row = [wskew[0][j] if p == 0 else pyrtl.select(split, wskew[p][j], col_bottom[j])
                 for j in range(cols)]
        sub_out = []
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
                pe = pe_cell(a, w_row[j], f, lst, f"{name}_{g}_{j}")
                a, f, lst = pe.a, pe.first, pe.last
                next_w.append(pe.w)
                row_out.append(pe.out)
            w_row = next_w
            sub_out.append(row_out)
        col_bottom = w_row
        out_regs.append(sub_out)

    outs, valids, actives = [], [], []
    for p in range(subarrays):
        sub_vals = []
        for j in range(cols):
            value, active = column_readout([out_regs[p][r][j] for r in range(rows_per_sub)],
                                           top_last[p][j], f"{name}_{p}_{j}")
            sub_vals.append(delay(value, cols - 1 - j, f"{name}_deskew{p}_{j}"))
            actives.append(active)
        outs.append(sub_vals)
        valids.append(actives[-1])  # the last column's readout is not deskewed
    return ArrayPorts(lanes, first, last, weights, split, outs, valids,
                      pyrtl.rtl_any(*actives))


def rotate(words: list[pyrtl.WireVector], amount: pyrtl.WireVector) -> list[pyrtl.WireVector]:
    """``out[j] = words[(j + amount) mod n]``: a logarithmic rotator over a ring of n
    (``amount < n``); ceil(log2 n) levels of 2:1 multiplexers."""
    n = len(words)
    out = list(words)
    for stage in range(len(amount)):
        step = 1 << stage
        if step >= n:
            break
        out = [pyrtl.select(amount[stage], out[(j + step) % n], out[j]) for j in range(n)]
    return out


def strided_taps(ring: list[pyrtl.WireVector], stride: pyrtl.WireVector,
                 strides: list[list[int]]) -> list[pyrtl.WireVector]:
    """Lane i takes ``ring[i * stride]``; ``strides[i]`` lists the strides lane i can
    meet (a lane that only one stride reaches is a wire). A stride outside the list
    gives lane i the first listed tap."""
    taps = []
    for i, allowed in enumerate(strides):
        options = {s: ring[(i * s) % len(ring)] for s in allowed}
        if len(options) == 1:
            taps.append(next(iter(options.values())))
            continue
        first = options[allowed[0]]
        taps.append(pyrtl.mux(stride, *[options.get(s, first) for s in range(max(allowed) + 1)],
                              default=first))
    return taps


#: operand values packed into one word of a :func:`lane_banks` memory
VALUES_PER_WORD = 8


def lane_banks(count: int, address_bits: int, name: str, *, write: list[pyrtl.WireVector],
               write_address: pyrtl.WireVector, write_data: pyrtl.WireVector,
               read_address: pyrtl.WireVector) -> list[pyrtl.WireVector]:
    """Operand SRAM for ``count`` lanes that all read the same address: lanes are packed
    ``VALUES_PER_WORD`` to a word, one synchronous-read memory per word group.

    ``write[g]`` enables a write of ``write_data`` (low bits) into group g at
    ``write_address``; ``read_address`` must come from a register (the SRAM's address
    latch), the words are there the same cycle. Returns the ``count`` lane values.
    """
    values = []
    for g, lo in enumerate(range(0, count, VALUES_PER_WORD)):
        n = min(VALUES_PER_WORD, count - lo)
        mem = pyrtl.MemBlock(n * DATA_BITS, address_bits, name=f"{name}{g}")
        mem[write_address[:address_bits]] <<= pyrtl.MemBlock.EnabledWrite(
            write_data[:n * DATA_BITS], write[g])
        word = mem[read_address[:address_bits]]
        values += [word[i * DATA_BITS:(i + 1) * DATA_BITS] for i in range(n)]
    return values


def lane_groups(count: int) -> int:
    """Memories of a :func:`lane_banks` of ``count`` lanes."""
    return -(-count // VALUES_PER_WORD)
