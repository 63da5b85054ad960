"""The dense output-stationary systolic system: operand SRAMs, a tile controller whose
layer parameters sit in configuration registers, and the array
(:func:`accelbench.netlist.lib.systolic_array`).

One netlist per configuration (:class:`DenseHardware`: array shape and the operand
memories' capacities); each layer's sizes arrive through the host port
(:mod:`accelbench.netlist.host`) before its ``start`` pulse, so a network runs layer
after layer through one netlist.

Memories (all synchronous-read SRAM, one read and one write port): patch bank i holds
the lowered input rows i, i + R, ... (one word per k), tile after tile, group after
group; weight bank j holds filters j, j + C, ... of every group. The controller issues
every (group, pixel tile, filter tile), filter tiles innermost, one step a cycle, holding
a tile's last step until ``rows`` cycles after the previous tile's (the column readout).
Pipeline: controller address registers (the SRAMs' address latches) -> operand words ->
array input registers -> array.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property

import pyrtl

from accelbench.netlist.host import HostPort, host_port
from accelbench.netlist.lib import (
    ACC_BITS,
    ConfigField,
    config_registers,
    count_bits,
    index_bits,
    lane_banks,
    lane_groups,
    systolic_array,
)
from accelbench.netlist.ports import Ports

#: cycles from a step's issue to the array's aligned interface (operand registers)
ISSUE_TO_ARRAY = 1


@dataclass(frozen=True)
class DenseHardware:
    """One dense system: ``rows`` x ``cols`` PEs, ``patch_words`` SRAM words per patch
    lane and ``weight_words`` per weight column, reductions up to ``max_k``, up to
    ``max_tiles`` (group x pixel-tile) tiles and ``max_filter_tiles`` filter tiles."""

    rows: int = 16
    cols: int = 16
    patch_words: int = 1 << 16
    weight_words: int = 1 << 14
    max_k: int = 1 << 14
    max_tiles: int = 1 << 16
    max_filter_tiles: int = 1 << 10

    @cached_property
    def fields(self) -> list[ConfigField]:
        return [ConfigField("k_m1", index_bits(self.max_k)),
                ConfigField("mt_m1", index_bits(self.max_tiles)),
                ConfigField("tiles_m1", index_bits(self.max_tiles)),
                ConfigField("nt_m1", index_bits(self.max_filter_tiles)),
                ConfigField("wstep", count_bits(self.weight_words))]

    @property
    def patch_bits(self) -> int:
        return index_bits(self.patch_words)

    @property
    def weight_bits(self) -> int:
        return index_bits(self.weight_words)

    @property
    def targets(self) -> dict[str, int]:
        """Host port targets: the configuration registers, then the patch and weight
        word groups."""
        out = {"config": 0}
        for g in range(lane_groups(self.rows)):
            out[f"patch{g}"] = 1 + g
        for g in range(lane_groups(self.cols)):
            out[f"weight{g}"] = 1 + lane_groups(self.rows) + g
        return out

    def build(self, ports: Ports) -> None:
        dense_system(ports, self)


def dense_system(ports: Ports, hw: DenseHardware) -> None:
    """The system (see the module docstring): host port in, output rows out, ``busy``."""
    rows, cols = hw.rows, hw.cols
    targets = hw.targets
    host: HostPort = host_port(ports, len(targets),
                               max(hw.patch_bits, hw.weight_bits, index_bits(len(hw.fields))))
    cfg = config_registers(host.writes(0), host.address, host.data, hw.fields)

    running = pyrtl.Register(1, "running")
    kc = pyrtl.Register(index_bits(hw.max_k), "kc")
    tn = pyrtl.Register(index_bits(hw.max_filter_tiles), "tn")
    tm = pyrtl.Register(index_bits(hw.max_tiles), "tm")  # pixel tile within the group
    tile = pyrtl.Register(index_bits(hw.max_tiles), "tile")  # group x pixel tile
    pa = pyrtl.Register(hw.patch_bits, "pa")
    wa = pyrtl.Register(hw.weight_bits, "wa")
    wbase = pyrtl.Register(hw.weight_bits, "wbase")  # the group's first weight word
    since = pyrtl.Register(count_bits(rows), "since")
    have_prev = pyrtl.Register(1, "have_prev")

    patches = lane_banks(rows, hw.patch_bits, "pbank",
                         write=[host.writes(targets[f"patch{g}"])
                                for g in range(lane_groups(rows))],
                         write_address=host.address, write_data=host.data, read_address=pa)
    weights = lane_banks(cols, hw.weight_bits, "wbank",
                         write=[host.writes(targets[f"weight{g}"])
                                for g in range(lane_groups(cols))],
                         write_address=host.address, write_data=host.data, read_address=wa)

    last_step = kc == cfg["k_m1"]
    may_end = ~have_prev | (since >= rows)
    issue = running & (~last_step | may_end)
    end_tile = issue & last_step
    last_n = tn == cfg["nt_m1"]
    last_m = tm == cfg["mt_m1"]
    last_tile = tile == cfg["tiles_m1"]
    with pyrtl.conditional_assignment:
        with host.start & ~running:
            for reg in (kc, tn, tm, tile, pa, wa, wbase, have_prev):
                reg.next |= 0
        with end_tile:
            kc.next |= 0
            have_prev.next |= 1
            with last_n:
                tn.next |= 0
                pa.next |= pa + 1
                tile.next |= tile + 1
                with last_m:
                    tm.next |= 0
                    wa.next |= wbase + cfg["wstep"]
                    wbase.next |= wbase + cfg["wstep"]
                with pyrtl.otherwise:
                    tm.next |= tm + 1
                    wa.next |= wbase
            with pyrtl.otherwise:
                tn.next |= tn + 1
                wa.next |= wa + 1
                pa.next |= pa - cfg["k_m1"]
        with issue:
            kc.next |= kc + 1
            pa.next |= pa + 1
            wa.next |= wa + 1
    done = end_tile & last_n & last_tile
    running.next <<= pyrtl.select(host.start & ~running, 1, pyrtl.select(done, 0, running))
    since.next <<= pyrtl.select(end_tile, 1, pyrtl.select(since >= rows, since, since + 1))

    # operand registers: the array's aligned interface is driven from registers
    arr = systolic_array(rows, cols, 1, name="sa")
    for lane, value in zip(arr.lanes, patches, strict=True):
        reg = pyrtl.Register(len(value), name=f"{lane.name}_in")
        reg.next <<= pyrtl.select(issue, value, pyrtl.Const(0, len(value)))
        lane <<= reg
    for w, value in zip(arr.weights[0], weights, strict=True):
        reg = pyrtl.Register(len(value), name=f"{w.name}_in")
        reg.next <<= value
        w <<= reg
    first = pyrtl.Register(1, "sa_first_in")
    first.next <<= issue & (kc == 0)
    last = pyrtl.Register(1, "sa_last_in")
    last.next <<= end_tile
    arr.first <<= first
    arr.last <<= last

    drain = rows + cols + ISSUE_TO_ARRAY
    left = pyrtl.Register(count_bits(drain), "drain_left")
    left.next <<= pyrtl.select(done, drain,
                               pyrtl.select(left != 0, left - 1, left))
    for j, o in enumerate(arr.out[0]):
        port = ports.output(f"out{j}", ACC_BITS)
        port <<= o
    valid = ports.output("out_valid", 1)
    valid <<= arr.out_valid[0]
    busy = ports.output("busy", 1)
    busy <<= running | (left != 0) | arr.draining
