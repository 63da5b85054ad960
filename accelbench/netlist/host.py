"""A host write port for netlists that run a sequence of jobs (layers), and the driver
that runs such a sequence through one simulation.

The port is what a DMA engine or a control processor would drive: ``ld_we``,
``ld_sel`` (which memory or register bank), ``ld_addr``, ``ld_data`` (64 bits), and a
``start`` pulse. A job writes its memories and configuration registers through the port,
pulses ``start`` and runs for a budget of cycles; the next job follows in the same
simulation, so a whole network runs through one compiled netlist. The stimulus is
columns of numbers handed to the compiled simulator in one call per job: no Python work
per simulated cycle.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field

import numpy as np
import pyrtl

from accelbench.errors import SimulationError
from accelbench.netlist.build import build_block
from accelbench.netlist.lib.widths import index_bits
from accelbench.netlist.ports import Ports
from accelbench.netlist.simulate import ArraySimulator, make_simulator

DATA_BITS = 64


@dataclass
class HostPort:
    """The design side of the host port (see the module docstring)."""

    write: pyrtl.WireVector
    select: pyrtl.WireVector
    address: pyrtl.WireVector
    data: pyrtl.WireVector
    start: pyrtl.WireVector

    def writes(self, target: int) -> pyrtl.WireVector:
        """High when the host writes target ``target`` this cycle."""
        return self.write & (self.select == target)


def host_port(ports: Ports, targets: int, address_bits: int) -> HostPort:
    """The host port's inputs: ``targets`` selectable memories / register banks."""
    return HostPort(ports.input("ld_we", 1), ports.input("ld_sel", index_bits(targets)),
                    ports.input("ld_addr", address_bits), ports.input("ld_data", DATA_BITS),
                    ports.input("start", 1))


@dataclass
class HostJob:
    """Writes (target, addresses, 64-bit words) then ``start``, then ``budget`` cycles."""

    writes: list[tuple[int, np.ndarray, np.ndarray]] = field(default_factory=list)
    budget: int = 0

    def write(self, target: int, addresses: Iterable[int] | np.ndarray,
              words: Iterable[int] | np.ndarray) -> None:
        a = np.asarray(list(addresses) if not isinstance(addresses, np.ndarray) else addresses,
                       dtype=np.uint64)
        w = np.asarray(list(words) if not isinstance(words, np.ndarray) else words)
        if w.dtype != np.uint64:
            w = w.astype(np.int64).astype(np.uint64)
        if a.shape != w.shape:
            raise ValueError("one word per address")
        self.writes.append((target, a, w))

    @property
    def load_cycles(self) -> int:
        return sum(len(a) for _, a, _ in self.writes)


def pack_values(values: np.ndarray) -> np.ndarray:
    """Rows of 8-bit lane values -> 64-bit host words, eight lanes a word, lane 0 in the
    low byte: addresses x lanes -> addresses x word groups (uint64)."""
    rows, lanes = values.shape
    groups = -(-lanes // 8)
    padded = np.zeros((rows, groups * 8), dtype=np.uint8)
    padded[:, :lanes] = (values.astype(np.int64) & 0xFF).astype(np.uint8)
    return padded.view("<u8").reshape(rows, groups)


def _job_inputs(job: HostJob) -> tuple[int, dict[str, np.ndarray]]:
    n_load = job.load_cycles
    steps = n_load + 1 + job.budget
    cols = {name: np.zeros(steps, dtype=np.uint64)
            for name in ("ld_we", "ld_sel", "ld_addr", "ld_data", "start")}
    at = 0
    for target, addresses, words in job.writes:
        n = len(addresses)
        cols["ld_sel"][at:at + n] = target
        cols["ld_addr"][at:at + n] = addresses
        cols["ld_data"][at:at + n] = words
        at += n
    cols["ld_we"][:n_load] = 1
    cols["start"][n_load] = 1
    return steps, cols


def run_jobs(sim: ArraySimulator, jobs: Iterable[HostJob],
             busy: str = "busy") -> list[dict[str, np.ndarray]]:
    """Run ``jobs`` one after the other through ``sim``; for each, the output columns
    from its start cycle (index 0) to the end of its budget. The design must drive a
    ``busy`` output and be idle when the next job starts writing."""
    results = []
    for n, job in enumerate(jobs):
        steps, cols = _job_inputs(job)
        out = sim.run_arrays(steps, cols)
        start = job.load_cycles
        window = {name: col[start:] for name, col in out.items()}
        if busy in window and window[busy][-1]:
            raise SimulationError(f"job {n} still busy after its budget of {job.budget} "
                                  "cycles")
        results.append(window)
    return results


class HostSimulator:
    """One simulation of a host-port netlist that runs job after job.

    ``block`` is built from ``build`` at once (the netlist that is also exported and
    synthesised); the simulator is compiled on the first run and kept, so a network's
    layers never rebuild anything. ``cycles_simulated`` counts every cycle run.
    """

    def __init__(self, build: Callable[[Ports], None], simulator: str = "compiled") -> None:
        self.block = build_block(build)
        self.kind = simulator
        self._sim: ArraySimulator | None = None
        self.cycles_simulated = 0

    @property
    def sim(self) -> ArraySimulator:
        if self._sim is None:
            self._sim = make_simulator(self.block, self.kind)
        return self._sim

    def run_jobs(self, jobs: Sequence[HostJob]) -> list[dict[str, np.ndarray]]:
        outs = run_jobs(self.sim, jobs)
        self.cycles_simulated += sum(j.load_cycles + 1 + j.budget for j in jobs)
        return outs
