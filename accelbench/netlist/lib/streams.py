"""Streams between two units inside one block."""

from __future__ import annotations

import pyrtl

from accelbench.netlist.ports import StreamIn, StreamOut


def internal_stream(width: int, name: str) -> tuple[StreamOut, StreamIn]:
    """A valid/ready stream between two units of one block: the producer drives the
    returned :class:`StreamOut` (data, valid, last), the consumer the :class:`StreamIn`
    (ready); both see the same wires, named ``<name>_data`` etc. No logic: the protocol
    is the two units' (e.g. a unit whose ready is registered stays so)."""
    data = pyrtl.WireVector(width, f"{name}_data")
    valid = pyrtl.WireVector(1, f"{name}_valid")
    last = pyrtl.WireVector(1, f"{name}_last")
    ready = pyrtl.WireVector(1, f"{name}_ready")
    return StreamOut(data, valid, last, ready), StreamIn(data, valid, last, ready)
