"""The cocotb testbench that :func:`accelbench.netlist.verilator.run_bench` runs.

Generic: it reads the netlist's port list from the job, so any exported netlist can be
driven without testbench code of its own. A job is a list of segments, each starting
from reset (``rst`` high for two clock cycles, every input at zero):

- ``replay``: put recorded per-cycle values on every input and record every output on
  every cycle (compared with the PyRTL simulation by the caller);
- ``stream``: drive input streams and collect output streams with
  :class:`accelbench.netlist.stimulus.StreamDriver` (random valid/ready from a seed).

Cycle ``t`` is sampled the way PyRTL steps: inputs are written after the falling clock
edge, outputs are read once the combinational logic has settled (``ReadOnly``), and the
next rising edge commits the registers. Results go to the ``.npz`` and JSON files the
job names; an error (a stalled stream) is reported there, not as a traceback.
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

import cocotb
import numpy as np
from cocotb.clock import Clock
from cocotb.triggers import FallingEdge, ReadOnly

from accelbench.errors import SimulationError
from accelbench.netlist.interface import IDLE, Interface, from_column, to_column
from accelbench.netlist.stimulus import Job, StreamDriver

JOB_ENV = "ACCELBENCH_TB_JOB"
RESET_CYCLES = 2


class _Ports:
    """Cached handles; writes only values that changed."""

    def __init__(self, dut: Any, interface: Interface) -> None:
        self.inputs = {n: getattr(dut, n) for n in interface.all_inputs()}
        self.outputs = {n: getattr(dut, n) for n in interface.all_outputs()}
        self.output_widths = interface.all_outputs()
        self.written: dict[str, int] = {}

    def write(self, values: dict[str, int]) -> None:
        for name, value in values.items():
            if self.written.get(name) != value:
                self.inputs[name].value = value
                self.written[name] = value

    def read(self, names) -> dict[str, int]:
        return {n: int(self.outputs[n].value) for n in names}


async def _reset(dut: Any, ports: _Ports) -> None:
    dut.rst.value = 1
    ports.written.clear()
    ports.write(dict.fromkeys(ports.inputs, 0))
    for _ in range(RESET_CYCLES):
        await FallingEdge(dut.clk)
    dut.rst.value = 0


async def _replay(dut: Any, ports: _Ports, seg: dict, arrays, results: dict) -> dict:
    key, cycles = seg["key"], seg["cycles"]
    columns = {n: from_column(arrays[f"{key}__in__{n}"]) for n in ports.inputs}
    names = list(ports.outputs)
    recorded: dict[str, list[int]] = {n: [] for n in names}
    for t in range(cycles):
        ports.write({n: col[t] for n, col in columns.items()})
        await ReadOnly()
        for n, v in ports.read(names).items():
            recorded[n].append(v)
        await FallingEdge(dut.clk)
    for n, values in recorded.items():
        results[f"{key}__out__{n}"] = to_column(values, ports.output_widths[n])
    return {"key": key, "cycles": cycles}


async def _stream(dut: Any, ports: _Ports, seg: dict, arrays, results: dict,
                  interface: Interface) -> dict:
    key = seg["key"]
    jobs = [Job({s: from_column(arrays[f"{key}__j{k}__{s}"]) for s in interface.stream_inputs},
                job["inputs"]) for k, job in enumerate(seg["jobs"])]
    driver = StreamDriver(interface, jobs, seed=seg["seed"],
                          valid_probability=seg["valid_probability"],
                          ready_probability=seg["ready_probability"],
                          stall_limit=seg["stall_limit"])
    handshake = [f"{s}_ready" for s in interface.stream_inputs] + [IDLE]
    for s in interface.stream_outputs:
        handshake += [f"{s}_valid", f"{s}_last"]
    data = {s: ports.outputs[f"{s}_data"] for s in interface.stream_outputs}
    while not driver.done:
        ports.write(driver.drive())
        await ReadOnly()
        seen = ports.read(handshake)
        for s, handle in data.items():  # read data only when a word moves
            seen[f"{s}_data"] = int(handle.value) if seen[f"{s}_valid"] and \
                ports.written[f"{s}_ready"] else 0
        driver.observe(seen)
        await FallingEdge(dut.clk)
    out = []
    for k, res in enumerate(driver.results):
        for s, words in res.outputs.items():
            results[f"{key}__j{k}__out__{s}"] = to_column(words, interface.stream_outputs[s])
        out.append({"cycles": res.cycles, "first_input_cycle": res.first_input_cycle,
                    "last_index": res.last_index})
    return {"key": key, "jobs": out, "cycles": driver.cycle}


@cocotb.test()
async def accelbench_bench(dut: Any) -> None:
    """Run every segment of the job named by ``$ACCELBENCH_TB_JOB``."""
    spec = json.loads(Path(os.environ[JOB_ENV]).read_text())
    interface = Interface.from_json(spec["interface"])
    summary: dict[str, Any] = {"segments": []}
    results: dict[str, np.ndarray] = {}
    cocotb.start_soon(Clock(dut.clk, 10, unit="ns").start())
    ports = _Ports(dut, interface)
    with np.load(spec["arrays"], allow_pickle=False) as arrays:
        try:
            for seg in spec["segments"]:
                await _reset(dut, ports)
                if seg["mode"] == "replay":
                    summary["segments"].append(await _replay(dut, ports, seg, arrays, results))
                else:
                    summary["segments"].append(await _stream(dut, ports, seg, arrays, results,
                                                             interface))
        except SimulationError as exc:
            summary["error"] = str(exc)
    np.savez(spec["results"], **results)
    Path(spec["summary"]).write_text(json.dumps(summary))
