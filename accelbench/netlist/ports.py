"""Port factories: how a netlist builder gets its inputs and outputs.

A builder never creates ``pyrtl.Input``/``pyrtl.Output`` itself; it asks a :class:`Ports`
object. :class:`TopLevelPorts` makes real module ports (Verilog export, synthesis);
:class:`accelbench.netlist.stream.TestbenchPorts` feeds the same builder from a
simulation harness. Streams use valid/ready handshakes: a word moves on a cycle where
both ``valid`` and ``ready`` are high; ``last`` marks the final word of a stream.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol

import pyrtl


@dataclass
class StreamIn:
    """A stream into the design. The builder must drive ``ready`` with ``<<=``."""

    data: pyrtl.WireVector
    valid: pyrtl.WireVector
    last: pyrtl.WireVector
    ready: pyrtl.WireVector

    @property
    def fire(self) -> pyrtl.WireVector:
        return self.valid & self.ready


@dataclass
class StreamOut:
    """A stream out of the design. The builder drives ``data``, ``valid`` and ``last``."""

    data: pyrtl.WireVector
    valid: pyrtl.WireVector
    last: pyrtl.WireVector
    ready: pyrtl.WireVector

    @property
    def fire(self) -> pyrtl.WireVector:
        return self.valid & self.ready


class Ports(Protocol):
    def input(self, name: str, bitwidth: int) -> pyrtl.WireVector:
        """A plain input held by the environment (configuration, word counts)."""

    def output(self, name: str, bitwidth: int) -> pyrtl.WireVector:
        """A plain output; drive it with ``<<=``."""

    def stream_in(self, name: str, bitwidth: int) -> StreamIn:
        """An input stream with ports ``<name>_data/_valid/_last/_ready``."""

    def stream_out(self, name: str, bitwidth: int) -> StreamOut:
        """An output stream with ports ``<name>_data/_valid/_last/_ready``."""


def driven_output(bitwidth: int, name: str) -> pyrtl.WireVector:
    """A wire the design drives (and may also read) that feeds ``pyrtl.Output`` ``name``.

    PyRTL forbids reading an Output, so builders get the wire, not the port.
    """
    wire = pyrtl.WireVector(bitwidth)
    port = pyrtl.Output(bitwidth, name)
    port <<= wire
    return wire


class TopLevelPorts:
    """Real ``pyrtl.Input``/``pyrtl.Output`` ports in the working block."""

    def input(self, name: str, bitwidth: int) -> pyrtl.WireVector:
        return pyrtl.Input(bitwidth, name)

    def output(self, name: str, bitwidth: int) -> pyrtl.WireVector:
        return driven_output(bitwidth, name)

    def stream_in(self, name: str, bitwidth: int) -> StreamIn:
        return StreamIn(pyrtl.Input(bitwidth, f"{name}_data"), pyrtl.Input(1, f"{name}_valid"),
                        pyrtl.Input(1, f"{name}_last"), driven_output(1, f"{name}_ready"))

    def stream_out(self, name: str, bitwidth: int) -> StreamOut:
        return StreamOut(driven_output(bitwidth, f"{name}_data"),
                         driven_output(1, f"{name}_valid"), driven_output(1, f"{name}_last"),
                         pyrtl.Input(1, f"{name}_ready"))
