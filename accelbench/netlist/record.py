"""Recording an exported netlist's every input and output, cycle by cycle, in PyRTL.

The block simulated is the one :func:`accelbench.netlist.build.build_block` gives for
export (real top-level ports), so the recording is of exactly the netlist whose Verilog
is checked. Registers start at their reset values and memories at zero, as PyRTL
simulates them; the exported Verilog reaches the same state through ``rst``.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol

import pyrtl

from accelbench.netlist.interface import Interface


class Driver(Protocol):
    @property
    def done(self) -> bool: ...

    def drive(self) -> dict[str, int]: ...

    def observe(self, outputs: dict[str, int]) -> None: ...


@dataclass
class Trace:
    """Per-cycle values of every input and output port, from cycle 0 after reset."""

    inputs: dict[str, list[int]]
    outputs: dict[str, list[int]]

    @property
    def cycles(self) -> int:
        return len(next(iter(self.inputs.values()), []))


def record(block: pyrtl.Block, interface: Interface, driver: Driver) -> Trace:
    """Step ``block`` (FastSimulation) under ``driver`` until it is done."""
    sim = pyrtl.FastSimulation(tracer=None, block=block)
    in_names = list(interface.all_inputs())
    out_names = list(interface.all_outputs())
    inputs: dict[str, list[int]] = {n: [] for n in in_names}
    outputs: dict[str, list[int]] = {n: [] for n in out_names}
    while not driver.done:
        values = driver.drive()
        sim.step(values)
        seen = {n: int(sim.inspect(n)) for n in out_names}
        driver.observe(seen)
        for n in in_names:
            inputs[n].append(int(values[n]))
        for n in out_names:
            outputs[n].append(seen[n])
    return Trace(inputs, outputs)
