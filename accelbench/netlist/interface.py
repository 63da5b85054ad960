"""The port list of an exported netlist, read from its block: streams, plain ports, widths.

A block built with :class:`accelbench.netlist.ports.TopLevelPorts` has one
``pyrtl.Input``/``pyrtl.Output`` per port. Ports named ``X_data``, ``X_valid``,
``X_last`` and ``X_ready`` form a stream ``X`` (an input stream when ``X_data`` is an
input, an output stream when it is an output); every other port is plain. A netlist is
*streaming* when it has at least one stream and a 1-bit output ``idle``. The exported
Verilog adds ``clk`` and the asynchronous reset ``rst``, which are not in the block.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import TYPE_CHECKING, Any

import numpy as np

if TYPE_CHECKING:
    import pyrtl

IDLE = "idle"
STREAM_SUFFIXES = ("data", "valid", "last", "ready")
CLOCK, RESET = "clk", "rst"


@dataclass(frozen=True)
class Interface:
    """Port widths by name, grouped the way testbenches drive them."""

    inputs: dict[str, int]
    outputs: dict[str, int]
    stream_inputs: dict[str, int]
    stream_outputs: dict[str, int]

    @classmethod
    def from_block(cls, block: pyrtl.Block) -> Interface:
        import pyrtl  # not at module level: the cocotb bench imports this module

        ins = {w.name: w.bitwidth for w in block.wirevector_subset(pyrtl.Input)}
        outs = {w.name: w.bitwidth for w in block.wirevector_subset(pyrtl.Output)}
        return cls.from_ports(ins, outs)

    @classmethod
    def from_ports(cls, ins: dict[str, int], outs: dict[str, int]) -> Interface:
        stream_in, stream_out = {}, {}
        for name, width in ins.items():
            base = name.removesuffix("_data")
            if name.endswith("_data") and _is_stream(base, ins, outs, into=True):
                stream_in[base] = width
        for name, width in outs.items():
            base = name.removesuffix("_data")
            if name.endswith("_data") and _is_stream(base, ins, outs, into=False):
                stream_out[base] = width
        in_stream_ports = _stream_ports(stream_in) | _stream_ports(stream_out)
        return cls(inputs={n: w for n, w in sorted(ins.items()) if n not in in_stream_ports},
                   outputs={n: w for n, w in sorted(outs.items())
                            if n not in in_stream_ports},
                   stream_inputs=dict(sorted(stream_in.items())),
                   stream_outputs=dict(sorted(stream_out.items())))

    @property
    def streaming(self) -> bool:
        return bool(self.stream_inputs or self.stream_outputs) and \
            self.outputs.get(IDLE) == 1

    def all_inputs(self) -> dict[str, int]:
        """Every input port of the block (plain and stream ports) with its width."""
        ports = dict(self.inputs)
        for s, w in self.stream_inputs.items():
            ports.update({f"{s}_data": w, f"{s}_valid": 1, f"{s}_last": 1})
        ports.update({f"{s}_ready": 1 for s in self.stream_outputs})
        return dict(sorted(ports.items()))

    def all_outputs(self) -> dict[str, int]:
        """Every output port of the block with its width."""
        ports = dict(self.outputs)
        for s, w in self.stream_outputs.items():
            ports.update({f"{s}_data": w, f"{s}_valid": 1, f"{s}_last": 1})
        ports.update({f"{s}_ready": 1 for s in self.stream_inputs})
        return dict(sorted(ports.items()))

    def to_json(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Interface:
        return cls(**{k: dict(v) for k, v in data.items()})


def _is_stream(base: str, ins: dict[str, int], outs: dict[str, int], *, into: bool) -> bool:
    driven_by_env, driven_by_design = (ins, outs) if into else (outs, ins)
    return (driven_by_env.get(f"{base}_valid") == 1 and driven_by_env.get(f"{base}_last") == 1
            and driven_by_design.get(f"{base}_ready") == 1)


def _stream_ports(streams: dict[str, int]) -> set[str]:
    return {f"{s}_{suffix}" for s in streams for suffix in STREAM_SUFFIXES}


def to_column(values: list[int], width: int) -> np.ndarray:
    """Per-cycle values of one port as uint64: 1-D up to 64 bits, (cycles, limbs) above."""
    if width <= 64:
        return np.array(values, dtype=np.uint64).reshape(len(values))
    limbs = (width + 63) // 64
    mask = (1 << 64) - 1
    return np.array([[(v >> (64 * k)) & mask for k in range(limbs)] for v in values],
                    dtype=np.uint64).reshape(len(values), limbs)


def from_column(column: np.ndarray) -> list[int]:
    """The inverse of :func:`to_column`."""
    if column.ndim == 1:
        return [int(v) for v in column]
    return [sum(int(x) << (64 * k) for k, x in enumerate(row)) for row in column]
