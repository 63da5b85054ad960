"""The dense output-stationary systolic array system: operand banks, a tile controller and
the array of :mod:`array` (PyRTL builders in the style of rtllib)."""

from __future__ import annotations

import pyrtl

from accelbench.designs.systolic.array import ACC_BITS, DATA_BITS, build_array
from accelbench.netlist.ports import Ports


def addr_bits(depth: int) -> int:
    return max(1, (depth - 1).bit_length())


def drive_outputs(ports: Ports, arr, sub: int = 0, prefix: str = "") -> None:
    for j, o in enumerate(arr.out[sub]):
        port = ports.output(f"{prefix}out{j}", ACC_BITS)
        port <<= o
    valid = ports.output(f"{prefix}out_valid", 1)
    valid <<= arr.out_valid[sub]


def array_netlist(ports: Ports, rows: int, cols: int) -> None:
    """The PE array alone (skew, MACs, readout) with its aligned interface as ports."""
    arr = build_array(rows, cols, 1, name="sa")
    for i, lane in enumerate(arr.lanes):
        lane <<= ports.input(f"a{i}", DATA_BITS)
    arr.first <<= ports.input("first", 1)
    arr.last <<= ports.input("last", 1)
    for j, w in enumerate(arr.weights[0]):
        w <<= ports.input(f"w{j}", DATA_BITS)
    drive_outputs(ports, arr)


def dense_system(ports: Ports, rows: int, cols: int, m_tiles: int, n_tiles: int,
                 k: int) -> None:
    """Banks hold the lowered operands: patch bank i holds pixel rows i, i + R, ... (one
    word per k), weight bank j holds filters j, j + C, ... . After a ``start`` pulse the
    controller issues every (pixel tile, filter tile) pair, pixel tiles outer, one step
    per cycle, holding a tile's last step until ``rows`` cycles have passed since the
    previous tile's last step (the readout of a column takes ``rows`` cycles)."""
    p_depth, w_depth = m_tiles * k, n_tiles * k
    aw = addr_bits(max(p_depth, w_depth))
    ld_we = ports.input("ld_we", 1)
    ld_addr = ports.input("ld_addr", aw)
    start = ports.input("start", 1)
    pbanks = [pyrtl.MemBlock(DATA_BITS, addr_bits(p_depth), name=f"pbank{i}",
                             asynchronous=True) for i in range(rows)]
    wbanks = [pyrtl.MemBlock(DATA_BITS, addr_bits(w_depth), name=f"wbank{j}",
                             asynchronous=True) for j in range(cols)]
    p_we = ld_we & (ld_addr < p_depth)
    w_we = ld_we & (ld_addr < w_depth)
    for i, bank in enumerate(pbanks):
        data = ports.input(f"ld_p{i}", DATA_BITS)
        bank[ld_addr[:bank.addrwidth]] <<= pyrtl.MemBlock.EnabledWrite(data, p_we)
    for j, bank in enumerate(wbanks):
        data = ports.input(f"ld_w{j}", DATA_BITS)
        bank[ld_addr[:bank.addrwidth]] <<= pyrtl.MemBlock.EnabledWrite(data, w_we)

    kb = addr_bits(k)
    running = pyrtl.Register(1, "running")
    kc = pyrtl.Register(kb, "kc")
    tn = pyrtl.Register(addr_bits(n_tiles), "tn")
    tm = pyrtl.Register(addr_bits(m_tiles), "tm")
    pa = pyrtl.Register(pbanks[0].addrwidth, "pa")
    wa = pyrtl.Register(wbanks[0].addrwidth, "wa")
    since = pyrtl.Register(addr_bits(rows + 1) + 1, "since")
    have_prev = pyrtl.Register(1, "have_prev")

    last_step = kc == k - 1
    may_end = ~have_prev | (since >= rows)
    issue = running & (~last_step | may_end)
    end_tile = issue & last_step
    last_n = tn == n_tiles - 1
    last_m = tm == m_tiles - 1
    with pyrtl.conditional_assignment:
        with start & ~running:
            running.next |= 1
            kc.next |= 0
            tn.next |= 0
            tm.next |= 0
            pa.next |= 0
            wa.next |= 0
            have_prev.next |= 0
        with end_tile:
            kc.next |= 0
            have_prev.next |= 1
            with last_n:
                tn.next |= 0
                wa.next |= 0
                pa.next |= pa + 1
                tm.next |= tm + 1
                with last_m:
                    running.next |= 0
            with pyrtl.otherwise:
                tn.next |= tn + 1
                wa.next |= wa + 1
                pa.next |= pa - (k - 1)
        with issue:
            kc.next |= kc + 1
            pa.next |= pa + 1
            wa.next |= wa + 1
    since.next <<= pyrtl.select(end_tile, 1, pyrtl.select(since >= rows, since, since + 1))

    arr = build_array(rows, cols, 1, name="sa")
    zero = pyrtl.Const(0, DATA_BITS)
    for i, lane in enumerate(arr.lanes):
        lane <<= pyrtl.select(issue, pbanks[i][pa], zero)
    for j, w in enumerate(arr.weights[0]):
        w <<= pyrtl.select(issue, wbanks[j][wa], zero)
    arr.first <<= issue & (kc == 0)
    arr.last <<= end_tile
    drive_outputs(ports, arr)
    busy = ports.output("busy", 1)
    busy <<= running
