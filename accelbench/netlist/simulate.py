"""Simulators for netlists: FastSimulation, and CompiledSimulation with fixes.

``CompiledSimulation.run()`` of PyRTL 1.0.1-1.0.3 records the values of the first cycle
for every cycle of a multi-cycle call (the limb offset is reset inside its per-step
loop); the hardware state stays right. :class:`CompiledSim` replaces the trace copy with
a correct, vectorised one while the installed PyRTL is affected, and adds
:meth:`CompiledSim.run_arrays`, which exchanges whole numpy columns with the compiled
code so long runs cost no Python work per cycle. ``tests/test_simulate.py`` detects the
upstream bug so the workaround can be dropped once a fixed release is required.

PyRTL's C code keeps every MemBlock in a 256-bucket hash map of linked lists, searched
(a division and a pointer chase) on every read and write port every cycle, written or not.
:class:`CompiledSim` stores each MemBlock as a plain C array of its depth instead
(elements of 8/16/32/64 bits, or 64-bit limbs for wider words) and keeps PyRTL's hash
map only for address spaces beyond ``max_array_bytes``. It overrides the three places of
PyRTL 1.0's code generation that touch memories (``_declare_mems``, ``_build_mem_read``
and the ``insert(...)`` line ``_create_code`` emits per write port) and checks that each
one was used as expected, so a PyRTL whose internals differ fails clearly instead of
miscompiling. Semantics are PyRTL's: reads are combinational in the netlist (a
synchronous read's address comes from a register), writes land after the cycle's logic
(a read in the cycle of a write returns the old word), write ports apply in PyRTL's
order, unwritten words read 0, ``memory_value_map`` sets the initial contents. RomBlocks
are already constant C arrays upstream and are left alone.
``tests/test_simulate_memories.py`` proves the equivalence with ``FastSimulation``.
"""

from __future__ import annotations

import ctypes
import re
from collections.abc import Callable, Iterator, Mapping
from importlib.metadata import version
from typing import Protocol

import numpy as np
import pyrtl

from accelbench.errors import AccelbenchError

#: PyRTL releases whose CompiledSimulation.run() has the multi-cycle trace bug
RUN_BUG_VERSIONS = ("1.0.1", "1.0.2", "1.0.3")
_MASK64 = (1 << 64) - 1
#: largest MemBlock (bytes of C array) kept as an array; beyond it, PyRTL's sparse hash map
MAX_ARRAY_BYTES = 1 << 26
#: the line PyRTL 1.0's ``_create_code`` emits for an enabled write port
_INSERT_LINE = re.compile(r"insert\((\w+), (\w+\[0\]), (\w+)\);")
#: CompiledSimulation internals CompiledSim builds on (PyRTL 1.0.x)
_PYRTL_INTERNALS = ("_sim_run_all", "_inputs_metadata", "_outputs_metadata",
                    "_inputs_array_length", "_outputs_array_length", "_dll", "var_names",
                    "_memory_value_map", "_mem_lookup")
_PYRTL_METHODS = ("_create_code", "_declare_mems", "_build_mem_read", "_limbs",
                  "_limb_name", "_make_mask", "_clean_name", "inspect_mem")


class UnsupportedPyrtlError(AccelbenchError, RuntimeError):
    """The installed PyRTL's CompiledSimulation internals are not the ones CompiledSim
    was written against (PyRTL 1.0.x)."""

    def __init__(self, what: str) -> None:
        super().__init__(f"this PyRTL ({version('pyrtl')}) {what}; accelbench's CompiledSim "
                         "supports pyrtl>=1.0,<1.1")


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


def _element_bits(mem: pyrtl.MemBlock) -> int:
    """Bits of the C integer type that holds one limb of ``mem``'s words."""
    return next((b for b in (8, 16, 32) if mem.bitwidth <= b), 64)


class ArrayMemInspector(Mapping):
    """``inspect_mem`` of an array-backed memory: every address to its word (like PyRTL's
    hash-map inspector); keeps the simulation (and so its library) alive."""

    def __init__(self, sim: CompiledSim, mem: pyrtl.MemBlock) -> None:
        self._sim = sim
        self._words = sim._array_view(mem)

    def __getitem__(self, address: int) -> int:
        if not 0 <= address < len(self._words):
            raise KeyError(address)
        value = 0
        for limb in reversed(self._words[address].tolist()):
            value = (value << 64) | limb
        return value

    def __iter__(self) -> Iterator[int]:
        return iter(range(len(self._words)))

    def __len__(self) -> int:
        return len(self._words)


class CompiledSim(pyrtl.CompiledSimulation):
    """``pyrtl.CompiledSimulation`` with array-backed memories, a correct ``run()`` and a
    columnar fast path.

    ``max_array_bytes`` caps the C array of one MemBlock; larger (sparse) address spaces
    keep PyRTL's hash map. ``array_memories`` names the MemBlocks stored as arrays.
    """

    def __init__(self, block: pyrtl.Block, tracer: pyrtl.SimulationTrace | None = None, *,
                 max_array_bytes: int = MAX_ARRAY_BYTES, **kwargs) -> None:
        if tracer is None:  # PyRTL needs one traced wire; run_arrays bypasses the trace
            tracer = pyrtl.SimulationTrace(
                wires_to_track=list(block.wirevector_subset(pyrtl.Output))[:1], block=block)
        for method in _PYRTL_METHODS:
            if not callable(getattr(pyrtl.CompiledSimulation, method, None)):
                raise UnsupportedPyrtlError(f"lacks CompiledSimulation.{method}")
        self.max_array_bytes = max_array_bytes
        self.array_memories: frozenset[pyrtl.MemBlock] = frozenset()
        self._array_names: dict[str, pyrtl.MemBlock] = {}  # C name -> array memory
        self._array_reads = self._array_writes = 0  # code generated, checked
        super().__init__(tracer=tracer, block=block, **kwargs)
        for attr in _PYRTL_INTERNALS:
            if not hasattr(self, attr):
                raise UnsupportedPyrtlError(f"lacks CompiledSimulation.{attr}")
        # PyRTL leaves lookup()'s argument types to ctypes' default (a C int), which cuts
        # inspect_mem addresses of hash-map memories to 32 bits
        self._mem_lookup.argtypes = [ctypes.c_void_p, ctypes.c_uint64]
        self._load_array_memories()

    # -- array-backed memories: the three places PyRTL's C generation touches them ------

    def _array_bytes(self, mem: pyrtl.MemBlock) -> int:
        return _element_bits(mem) // 8 * self._limbs(mem) << mem.addrwidth

    def _declare_mems(self, write: Callable[[str], None], mems: set[pyrtl.MemBlock]) -> None:
        arrays = {mem for mem in mems if self._array_bytes(mem) <= self.max_array_bytes}
        for mem in sorted(arrays, key=lambda m: m.name):
            self.var_names[mem] = name = self._clean_name("m", mem)
            self._array_names[name] = mem
            write("EXPORT")  # zero-initialised, like PyRTL's unwritten hash-map words
            write(f"uint{_element_bits(mem)}_t {name}[{1 << mem.addrwidth}]"
                  f"[{self._limbs(mem)}];")
        self.array_memories = frozenset(arrays)
        super()._declare_mems(write, mems - arrays)  # hash maps and initialize_mems()

    def _build_mem_read(self, write: Callable[[str], None], op: str, op_param, args, dest
                        ) -> None:
        mem = op_param[1]
        if mem not in self.array_memories:
            super()._build_mem_read(write, op, op_param, args, dest)
            return
        address = self._limb_name(args[0], 0)  # sanity_check: exactly addrwidth bits
        for limb in range(self._limbs(dest)):
            mask = self._make_mask(dest, mem.bitwidth, limb)
            write(f"{self._limb_name(dest, limb)} = "
                  f"{self.var_names[mem]}[{address}][{limb}]{mask};")
        self._array_reads += 1

    def _create_code(self, write: Callable[[str], None]) -> None:
        def rewrite(line: str) -> None:
            """A write port's ``insert(mem, addr, data);`` of an array memory becomes
            stores into the array (``_declare_mems`` has run before any)."""
            match = _INSERT_LINE.fullmatch(line)
            if match is None or match[1] not in self._array_names:
                write(line)
                return
            var, address, data = match.groups()
            limbs = self._limbs(self._array_names[var])
            write(" ".join(f"{var}[{address}][{k}] = {data}[{k}];" for k in range(limbs)))
            self._array_writes += 1

        super()._create_code(rewrite)
        nets = self.block.logic_subset("m@")
        reads = sum(n.op == "m" and n.op_param[1] in self.array_memories for n in nets)
        writes = sum(n.op == "@" and n.op_param[1] in self.array_memories for n in nets)
        if (self._array_reads, self._array_writes) != (reads, writes):
            raise UnsupportedPyrtlError(
                f"generated {self._array_reads} of {reads} memory reads and "
                f"{self._array_writes} of {writes} memory writes in the form CompiledSim "
                "rewrites")

    def _array_view(self, mem: pyrtl.MemBlock) -> np.ndarray:
        """The C array of ``mem`` as a (depth, limbs) numpy view (valid while self is)."""
        depth, limbs = 1 << mem.addrwidth, self._limbs(mem)
        ctype = {8: ctypes.c_uint8, 16: ctypes.c_uint16, 32: ctypes.c_uint32,
                 64: ctypes.c_uint64}[_element_bits(mem)]
        raw = (ctype * (depth * limbs)).in_dll(self._dll, self.var_names[mem])
        return np.ctypeslib.as_array(raw).reshape(depth, limbs)

    def _load_array_memories(self) -> None:
        """Write ``memory_value_map`` into the arrays (checked like pyrtl.Simulation: an
        address outside the memory or a value wider than its words is an error)."""
        for mem, values in self._memory_value_map.items():
            if mem not in self.array_memories:
                continue  # PyRTL's initialize_mems() filled its hash map
            words = self._array_view(mem)
            for address, value in values.items():
                if not 0 <= address < len(words):
                    raise pyrtl.PyrtlError(f"address {address} in {mem.name} outside of "
                                           "bounds")
                value = pyrtl.infer_val_and_bitwidth(value, bitwidth=mem.bitwidth).value
                words[address] = [(value >> (64 * k)) & _MASK64
                                  for k in range(words.shape[1])]

    def inspect_mem(self, mem: pyrtl.MemBlock) -> Mapping[int, int]:
        if mem in self.array_memories:
            return ArrayMemInspector(self, mem)
        return super().inspect_mem(mem)

    # -- columnar I/O and the run() fix --------------------------------------------------

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
