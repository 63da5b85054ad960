"""The SPOTS system netlist: host port and configuration registers, global input buffer,
weight lists, IM2COL unit (:mod:`.im2col`), skip controller (:mod:`.control`) and the
reconfigurable output-stationary array.

One netlist per :class:`~accelbench.designs.spots.hardware.SpotsHardware`; a layer is a
host job (:mod:`accelbench.designs.spots.program`): write the configuration registers,
the weight-list metadata, the weight words and the input map, pulse ``start``, wait for
``busy`` to fall. Outputs: per sub-array one row of ``cols`` 32-bit sums a cycle
(``out<p>_<j>``, ``out_valid<p>``). The ``st_*`` outputs are wires the design has anyway
(no statistics logic): ``st_issue`` (a step with data leaves the controller),
``st_lanes`` (its valid lanes: local-memory words read) and ``st_beat`` (a loader beat:
one global-buffer word per bank).
"""

from __future__ import annotations

import pyrtl

from accelbench.designs.spots.control import ISSUE_TO_ARRAY, back_end
from accelbench.designs.spots.hardware import SpotsHardware
from accelbench.designs.spots.im2col import im2col_loader, local_memories
from accelbench.netlist.host import host_port
from accelbench.netlist.lib import (
    ACC_BITS,
    DATA_BITS,
    config_registers,
    count_bits,
    lane_banks,
    lane_groups,
    systolic_array,
)
from accelbench.netlist.ports import Ports


def spots_system(ports: Ports, hw: SpotsHardware) -> None:
    """The whole accelerator (see the module docstring)."""
    cfg_hw, w = hw.config, hw.widths
    targets = hw.targets
    host = host_port(ports, len(targets), hw.address_bits)
    cfg = config_registers(host.writes(targets["config"]), host.address, host.data,
                           hw.fields)
    meta = pyrtl.MemBlock(hw.meta.width, w["entry"], name="wlist")
    meta[host.address[:w["entry"]]] <<= pyrtl.MemBlock.EnabledWrite(
        host.data[:hw.meta.width], host.writes(targets["meta"]))
    mems = local_memories(hw)

    def gbuf_read(address: pyrtl.Register) -> list[pyrtl.WireVector]:
        return lane_banks(hw.banks, w["gbuf"], "gbuf",
                          write=[host.writes(targets[f"gbuf{g}"])
                                 for g in range(lane_groups(hw.banks))],
                          write_address=host.address, write_data=host.data,
                          read_address=address)

    row_done = pyrtl.WireVector(1, "row_done")
    loader = im2col_loader(hw, cfg, mems, gbuf_read, host.start, row_done)
    step = back_end(hw, cfg, mems, meta, loader.loaded, host.start)
    row_done <<= step.row_done

    weights = lane_banks(hw.filter_columns, w["weight"], "wl",
                         write=[host.writes(targets[f"weight{g}"])
                                for g in range(lane_groups(hw.filter_columns))],
                         write_address=host.address, write_data=host.data,
                         read_address=step.weight_address)
    arr = systolic_array(cfg_hw.rows_per_sub, cfg_hw.cols, cfg_hw.subarrays, name="sa")
    for lane, reg in zip(arr.lanes, step.lanes, strict=True):
        lane <<= reg
    for p in range(cfg_hw.subarrays):
        for j in range(cfg_hw.cols):
            reg = pyrtl.Register(DATA_BITS, f"be2_w{p}_{j}")
            reg.next <<= weights[p * cfg_hw.cols + j]
            arr.weights[p][j] <<= reg
    if arr.split is not None:
        arr.split <<= cfg["split"]
    arr.first <<= step.first
    arr.last <<= step.last

    drain = ISSUE_TO_ARRAY + cfg_hw.rows + cfg_hw.cols
    left = pyrtl.Register(count_bits(drain), "drain_left")
    left.next <<= pyrtl.select(step.layer_done, drain,
                               pyrtl.select(left != 0, left - 1, left))
    for p in range(cfg_hw.subarrays):
        for j in range(cfg_hw.cols):
            port = ports.output(f"out{p}_{j}", ACC_BITS)
            port <<= arr.out[p][j]
        valid = ports.output(f"out_valid{p}", 1)
        valid <<= arr.out_valid[p]
    busy = ports.output("busy", 1)
    busy <<= step.busy | (left != 0) | arr.draining | loader.active
    for name, wire in (("st_issue", step.issue), ("st_lanes", step.lane_valid),
                       ("st_beat", loader.beat)):
        port = ports.output(name, len(wire))
        port <<= wire
