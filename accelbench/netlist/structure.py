"""Structural check of a netlist's stream handshakes: forbidden combinational paths.

A graph search over the nets of a PyRTL block (registers and memory writes end a path;
every other net, memory reads included, passes it on). Two rules, for the streams of
:mod:`accelbench.netlist.ports`:

* **ready-in** - an input stream's ``ready`` depends combinationally on no input
  stream's ``data``, ``valid`` or ``last`` (its own or another's) and on no output
  stream's ``ready``: it is a function of registers and plain configuration inputs.
* **ready-out** - an output stream's ``valid``, ``data`` and ``last`` depend
  combinationally on no output stream's ``ready`` (its own or another's): the protocol
  never lets a source withdraw or change a word because of a ready.

Paths from input data or valid to output valid or data (a combinational pass-through)
are allowed. :func:`stream_ports` finds the streams of a block built with
``TopLevelPorts`` from the port names (``<s>_data/_valid/_last`` + ``<s>_ready``).
"""

from __future__ import annotations

from collections import deque
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

import pyrtl

from accelbench.errors import AccelbenchError
from accelbench.netlist.ports import StreamIn, StreamOut

#: nets that end a combinational path (a register's next value, a memory write)
STATE_OPS = frozenset("r@")


class StreamStructureError(AccelbenchError):
    """A netlist has a combinational path that the stream protocol forbids."""


@dataclass(frozen=True)
class Violation:
    rule: str  # "ready-in" or "ready-out"
    source: str  # e.g. "in_data"
    sink: str  # e.g. "in_ready"
    path: tuple[str, ...]  # named wires along one offending path, source first

    def __str__(self) -> str:
        through = " -> ".join(self.path)
        return f"{self.sink} depends combinationally on {self.source} ({self.rule}: {through})"


def stream_ports(block: pyrtl.Block) -> tuple[dict[str, StreamIn], dict[str, StreamOut]]:
    """The input and output streams of a block with real ports, found by port name."""
    ins = {w.name: w for w in block.wirevector_subset(pyrtl.Input)}
    outs = {w.name: w for w in block.wirevector_subset(pyrtl.Output)}
    inputs, outputs = {}, {}
    for name in {n[: -len("_valid")] for n in ins if n.endswith("_valid")}:
        parts = [ins.get(f"{name}_data"), ins.get(f"{name}_valid"), ins.get(f"{name}_last"),
                 outs.get(f"{name}_ready")]
        if all(p is not None for p in parts):
            inputs[name] = StreamIn(*parts)
    for name in {n[: -len("_valid")] for n in outs if n.endswith("_valid")}:
        parts = [outs.get(f"{name}_data"), outs.get(f"{name}_valid"), outs.get(f"{name}_last"),
                 ins.get(f"{name}_ready")]
        if all(p is not None for p in parts):
            outputs[name] = StreamOut(*parts)
    return inputs, outputs


def _fanout(block: pyrtl.Block) -> dict[pyrtl.WireVector, list[pyrtl.WireVector]]:
    graph: dict[pyrtl.WireVector, list[pyrtl.WireVector]] = {}
    for net in block.logic:
        if net.op in STATE_OPS:
            continue
        for arg in net.args:
            graph.setdefault(arg, []).extend(net.dests)
    return graph


def _reach(graph: Mapping[pyrtl.WireVector, list[pyrtl.WireVector]],
           source: pyrtl.WireVector) -> dict[pyrtl.WireVector, pyrtl.WireVector | None]:
    parent: dict[pyrtl.WireVector, pyrtl.WireVector | None] = {source: None}
    queue = deque([source])
    while queue:
        wire = queue.popleft()
        for nxt in graph.get(wire, ()):
            if nxt not in parent:
                parent[nxt] = wire
                queue.append(nxt)
    return parent


def _path(parent: Mapping[pyrtl.WireVector, pyrtl.WireVector | None],
          sink: pyrtl.WireVector, source_name: str, sink_name: str) -> tuple[str, ...]:
    """The source, the named wires between (PyRTL's tmp wires left out), the sink."""
    names = []
    wire = parent[sink]
    while wire is not None and parent[wire] is not None:
        if not wire.name.startswith(("tmp", "const_")):
            names.append(wire.name)
        wire = parent[wire]
    return (source_name, *reversed(names), sink_name)


def check_streams(block: pyrtl.Block, inputs: Mapping[str, StreamIn],
                  outputs: Mapping[str, StreamOut]) -> list[Violation]:
    """Every path of ``block`` that breaks the ready-in or ready-out rule (one per pair)."""
    graph = _fanout(block)
    sinks_in = [(f"{n}_ready", s.ready) for n, s in inputs.items()]
    sinks_out = [(f"{n}_{part}", getattr(s, part)) for n, s in outputs.items()
                 for part in ("valid", "data", "last")]
    sources: list[tuple[str, str, pyrtl.WireVector]] = []
    for n, s in inputs.items():
        sources += [("in", f"{n}_{part}", getattr(s, part)) for part in ("data", "valid", "last")]
    sources += [("ready", f"{n}_ready", s.ready) for n, s in outputs.items()]
    found = []
    for kind, source_name, wire in sources:
        parent = _reach(graph, wire)
        checks = [("ready-in", sinks_in)] + ([("ready-out", sinks_out)] if kind == "ready"
                                               else [])
        for rule, sinks in checks:
            for sink_name, sink in sinks:
                if sink in parent and sink is not wire:
                    found.append(Violation(rule, source_name, sink_name,
                                           _path(parent, sink, source_name, sink_name)))
    return found


def check_block(block: pyrtl.Block) -> list[Violation]:
    """:func:`check_streams` on the streams :func:`stream_ports` finds in ``block``."""
    return check_streams(block, *stream_ports(block))


def require_clean(violations: Iterable[Violation], what: str) -> None:
    """Raise :class:`StreamStructureError` listing ``violations``, if there are any."""
    found = list(violations)
    if found:
        lines = "; ".join(str(v) for v in found[:6])
        more = f" (and {len(found) - 6} more)" if len(found) > 6 else ""
        raise StreamStructureError(f"{what} breaks the stream rules of "
                                   f"accelbench.netlist.structure: {lines}{more}")
