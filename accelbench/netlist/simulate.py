"""Simulators for netlists: FastSimulation, and CompiledSimulation with fixes.

``CompiledSimulation.run()`` of PyRTL 1.0.1-1.0.3 records the values of the first cycle
for every cycle of a multi-cycle call (the limb offset is reset inside its per-step
loop); the hardware state stays right. :class:`CompiledSim` replaces the trace copy with
a correct, vectorised one while the installed PyRTL is affected, and adds
:meth:`CompiledSim.run_arrays`, which exchanges whole numpy columns with the compiled
code so long runs cost no Python work per cycle. ``tests/test_simulate.py`` detects the
upstream bug so the workaround can be dropped once a fixed release is required.
"""

from __future__ import annotations

import ctypes
from importlib.metadata import version
from typing import Protocol

import numpy as np
import pyrtl

#: PyRTL releases whose CompiledSimulation.run() has the multi-cycle trace bug
RUN_BUG_VERSIONS = ("1.0.1", "1.0.2", "1.0.3")
_MASK64 = (1 << 64) - 1


def pyrtl_has_run_bug() -> bool:
    return version("pyrtl") in RUN_BUG_VERSIONS


def _columns_to_limbs(values: np.ndarray, limbs: int) -> list[np.ndarray]:
    """Split one column of (possibly >64-bit) values into uint64 limb columns, LSB first."""
    if values.dtype != object and limbs == 1:
        return [values.astype(np.uint64)]
    ints = [int(v) for v in values]
    return [np.array([(v >> (64 * k)) & _MASK64 for v in ints], dtype=np.uint64)
            for k in range(limbs)]


def _limbs_to_column(limb_columns: list[np.ndarray]) -> np.ndarray:
    if len(limb_columns) == 1:
        return limb_columns[0]
    out = np.zeros(len(limb_columns[0]), dtype=object)
    for k, col in enumerate(limb_columns):
        out += np.array([int(x) << (64 * k) for x in col], dtype=object)
    return out


class ArraySimulator(Protocol):
    def run_arrays(self, steps: int, inputs: dict[str, np.ndarray]) -> dict[str, np.ndarray]:
        """Simulate ``steps`` cycles; inputs and returned outputs are per-cycle columns."""


class CompiledSim(pyrtl.CompiledSimulation):
    """``pyrtl.CompiledSimulation`` with a correct ``run()`` and a columnar fast path."""

    def __init__(self, block: pyrtl.Block, tracer: pyrtl.SimulationTrace | None = None,
                 **kwargs) -> None:
        if tracer is None:  # PyRTL needs one traced wire; run_arrays bypasses the trace
            tracer = pyrtl.SimulationTrace(
                wires_to_track=list(block.wirevector_subset(pyrtl.Output))[:1], block=block)
        super().__init__(tracer=tracer, block=block, **kwargs)
        for attr in ("_sim_run_all", "_inputs_metadata", "_outputs_metadata",
                     "_inputs_array_length", "_outputs_array_length"):
            if not hasattr(self, attr):  # pragma: no cover - depends on PyRTL internals
                raise RuntimeError(f"this PyRTL ({version('pyrtl')}) lacks CompiledSimulation."
                                   f"{attr}; accelbench supports PyRTL 1.0.x")

    def _call(self, steps: int, in_matrix: np.ndarray) -> np.ndarray:
        n_in = max(self._inputs_array_length, 1)
        n_out = max(self._outputs_array_length, 1)
        in_buf = np.ascontiguousarray(in_matrix, dtype=np.uint64)
        out_buf = np.zeros((steps, n_out), dtype=np.uint64)
        in_type = ctypes.c_uint64 * (steps * n_in)
        out_type = ctypes.c_uint64 * (steps * n_out)
        self._sim_run_all.argtypes = [ctypes.c_uint64, in_type, out_type]
        self._sim_run_all(steps, in_type.from_buffer(in_buf), out_type.from_buffer(out_buf))
        return out_buf

    def _input_matrix(self, steps: int, inputs: dict[str, np.ndarray]) -> np.ndarray:
        matrix = np.zeros((steps, max(self._inputs_array_length, 1)), dtype=np.uint64)
        for name, column in inputs.items():
            name = name.name if isinstance(name, pyrtl.WireVector) else name
            try:
                meta = self._inputs_metadata[name]
            except KeyError:
                raise KeyError(f"{name!r} is not an Input of the simulated block") from None
            column = np.asarray(column)
            if column.shape != (steps,):
                raise ValueError(f"input {name!r}: expected {steps} values, got "
                                 f"{column.shape}")
            if meta.bitwidth < 64 and column.dtype != object:
                column = column.astype(np.uint64) & np.uint64((1 << meta.bitwidth) - 1)
            for k, limb in enumerate(_columns_to_limbs(column, meta.length)):
                matrix[:, meta.start + k] = limb
        return matrix

    def run_arrays(self, steps: int, inputs: dict[str, np.ndarray]) -> dict[str, np.ndarray]:
        out = self._call(steps, self._input_matrix(steps, inputs))
        return {name: _limbs_to_column([out[:, meta.start + k] for k in range(meta.length)])
                for name, meta in self._outputs_metadata.items()}

    def run(self, inputs: list[dict[str, int]]) -> None:
        if not pyrtl_has_run_bug():
            super().run(inputs)
            return
        steps = len(inputs)
        named = [{(k.name if isinstance(k, pyrtl.WireVector) else k): v for k, v in step.items()}
                 for step in inputs]
        columns = {name: np.array([step.get(name, 0) for step in named], dtype=object)
                   for name in set().union(*named)}
        in_matrix = self._input_matrix(steps, columns)
        out = self._call(steps, in_matrix)
        for name, values in self.tracer.trace.items():
            actual = self._probe_mapping.get(name, name)
            if actual in self._outputs_metadata:
                meta, matrix = self._outputs_metadata[actual], out
            else:
                meta, matrix = self._inputs_metadata[actual], in_matrix
            column = _limbs_to_column([matrix[:, meta.start + k] for k in range(meta.length)])
            values.extend(int(v) for v in column)


class FastSim:
    """``pyrtl.FastSimulation`` behind the same columnar interface (Python per cycle)."""

    def __init__(self, block: pyrtl.Block, tracer: pyrtl.SimulationTrace | None = None):
        self.block = block
        self.tracer = tracer
        self.sim = pyrtl.FastSimulation(tracer=tracer, block=block)
        self._outputs = {w.name: (np.uint64 if w.bitwidth <= 64 else object)
                         for w in block.wirevector_subset(pyrtl.Output)}
        self._inputs = {w.name for w in block.wirevector_subset(pyrtl.Input)}

    def run_arrays(self, steps: int, inputs: dict[str, np.ndarray]) -> dict[str, np.ndarray]:
        unknown = set(inputs) - self._inputs
        if unknown:
            raise KeyError(f"{sorted(unknown)} are not Inputs of the simulated block")
        cols = {name: np.asarray(col).tolist() for name, col in inputs.items()}
        missing = self._inputs - set(cols)
        zeros = dict.fromkeys(missing, 0)
        out = {name: np.zeros(steps, dtype=dtype) for name, dtype in self._outputs.items()}
        sim = self.sim
        for t in range(steps):
            provided = {name: col[t] for name, col in cols.items()}
            provided.update(zeros)
            sim.step(provided)
            for name in self._outputs:
                out[name][t] = sim.inspect(name)
        return out


def make_simulator(block: pyrtl.Block, kind: str = "compiled", *,
                   trace: bool = False) -> ArraySimulator:
    """A columnar simulator of ``block``: ``"compiled"`` (gcc) or ``"fast"`` (Python).

    ``trace=True`` records every named wire for a VCD dump (FastSimulation only, since
    CompiledSimulation can trace only Inputs and Outputs).
    """
    if trace:
        if kind != "fast":
            raise ValueError("waveform tracing needs simulator='fast'")
        return FastSim(block, tracer=pyrtl.SimulationTrace(block=block))
    if kind == "compiled":
        return CompiledSim(block)
    if kind == "fast":
        return FastSim(block)
    raise ValueError(f"unknown simulator {kind!r}: use 'compiled' or 'fast'")
