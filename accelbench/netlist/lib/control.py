"""Control builders: a bank of configuration registers written by a host port, and a
small register queue between two pipeline halves.

A netlist that serves many layers takes each layer's parameters in configuration
registers (:func:`config_registers`) written through a plain host write port before a
``start`` pulse, instead of folding them into constants at elaboration time.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import pyrtl

from accelbench.netlist.lib.widths import index_bits


@dataclass(frozen=True)
class ConfigField:
    """One configuration register: its name, width and value after reset."""

    name: str
    bits: int
    reset: int = 0


def config_registers(write: pyrtl.WireVector, address: pyrtl.WireVector,
                     data: pyrtl.WireVector,
                     fields: Sequence[ConfigField]) -> dict[str, pyrtl.Register]:
    """Registers ``fields[i]`` loaded with ``data`` (low bits) when ``write`` is high and
    ``address == i``; they hold their value otherwise. Returns them by name."""
    regs: dict[str, pyrtl.Register] = {}
    for index, f in enumerate(fields):
        if f.bits > len(data):
            raise ValueError(f"config field {f.name!r} ({f.bits} bits) is wider than the "
                             f"{len(data)}-bit host data port")
        reg = pyrtl.Register(f.bits, name=f"cfg_{f.name}", reset_value=f.reset)
        reg.next <<= pyrtl.select(write & (address == index), data[:f.bits], reg)
        regs[f.name] = reg
    return regs


@dataclass
class QueueHead:
    """The oldest entry of a :func:`register_queue` (fields by name) and its valid bit."""

    valid: pyrtl.WireVector
    fields: dict[str, pyrtl.WireVector]


def register_queue(depth: int, push: pyrtl.WireVector, entry: dict[str, pyrtl.WireVector],
                   pop: pyrtl.WireVector, name: str) -> QueueHead:
    """A first-in first-out queue of ``depth`` entries held in registers.

    ``entry`` is written when ``push`` is high; ``pop`` removes the head (only while it is
    valid). The caller keeps the queue from overflowing (e.g. with credits counted at
    the producer); the head's fields are a multiplexer over the entry registers.
    """
    if depth < 1:
        raise ValueError("a queue needs at least one entry")
    pw = index_bits(depth)
    wptr = pyrtl.Register(pw, f"{name}_wptr")
    rptr = pyrtl.Register(pw, f"{name}_rptr")
    count = pyrtl.Register(index_bits(depth + 1), f"{name}_count")
    valid = count != 0
    take = pop & valid

    def advance(ptr: pyrtl.Register) -> pyrtl.WireVector:
        return pyrtl.select(ptr == depth - 1, pyrtl.Const(0, pw), (ptr + 1)[:pw])

    wptr.next <<= pyrtl.select(push, advance(wptr), wptr)
    rptr.next <<= pyrtl.select(take, advance(rptr), rptr)
    count.next <<= (count + push - take)[:len(count)]
    head: dict[str, pyrtl.WireVector] = {}
    for key, wire in entry.items():
        slots = []
        for k in range(depth):
            reg = pyrtl.Register(len(wire), f"{name}_{key}{k}")
            reg.next <<= pyrtl.select(push & (wptr == k), wire, reg)
            slots.append(reg)
        head[key] = (pyrtl.mux(rptr, *slots, default=slots[0]) if depth > 1 else slots[0])
    return QueueHead(valid, head)
