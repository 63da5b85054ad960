"""Cycle-by-cycle stimulus shared by every testbench: one driver, any simulator.

A driver is asked for the input values of a cycle (:meth:`drive`), the simulator settles
the combinational logic, and the driver is shown the outputs of that cycle
(:meth:`observe`) before the clock edge. The PyRTL recorder and the cocotb bench run the
same driver with the same seed, so a netlist that behaves the same in both simulators
sees the same stimulus in both. Pure Python (``random.Random``), so it also runs inside
the simulator process that cocotb starts.

- :class:`StreamDriver` drives a streaming netlist through a sequence of jobs (input
  stream words and plain-input values), with random ``valid`` on input streams and
  random ``ready`` on output streams, and collects every output word. A job ends on the
  first cycle where ``idle`` is high after its last input word was taken; the next job
  starts on the following cycle (no reset in between, as in
  :class:`accelbench.netlist.stream.StreamHarness`).
- :class:`RandomDriver` puts seeded random values on every input for a fixed number of
  cycles (netlists without golden vectors).
"""

from __future__ import annotations

import random
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

from accelbench.errors import SimulationError
from accelbench.netlist.interface import IDLE, Interface


@dataclass
class Job:
    """The words of each input stream and the values held on the plain inputs."""

    streams: Mapping[str, Sequence[int]]
    inputs: Mapping[str, int] = field(default_factory=dict)


@dataclass
class JobResult:
    """Words seen on each output stream, where ``last`` was set, and the job's cycles."""

    outputs: dict[str, list[int]]
    last_index: dict[str, list[int]]
    cycles: int
    first_input_cycle: int
    end_cycle: int


class StreamDriver:
    """Random valid/ready stimulus for a streaming netlist over a sequence of jobs."""

    def __init__(self, interface: Interface, jobs: Sequence[Job], *, seed: int = 0,
                 valid_probability: float = 1.0, ready_probability: float = 1.0,
                 stall_limit: int = 10_000, max_cycles: int | None = None) -> None:
        if not interface.streaming:
            raise ValueError("StreamDriver needs a streaming netlist (streams and 'idle')")
        if not jobs:
            raise ValueError("no jobs to drive")
        for job in jobs:
            if set(job.streams) != set(interface.stream_inputs):
                raise ValueError(f"a job must give words for the input streams "
                                 f"{sorted(interface.stream_inputs)}, got "
                                 f"{sorted(job.streams)}")
            unknown = set(job.inputs) - set(interface.inputs)
            if unknown:
                raise ValueError(f"a job sets inputs {sorted(unknown)} the netlist lacks")
        self.interface = interface
        self.jobs = [Job({k: [int(x) for x in v] for k, v in j.streams.items()},
                         dict(j.inputs)) for j in jobs]
        self.rng = random.Random(seed)
        self.valid_probability = valid_probability
        self.ready_probability = ready_probability
        self.stall_limit = stall_limit
        total = sum(len(w) for j in self.jobs for w in j.streams.values())
        self.max_cycles = max_cycles if max_cycles is not None else 64 * total + 100_000
        self.results: list[JobResult] = []
        self.cycle = 0
        self._last_progress = 0
        self._start_job(0)

    @property
    def done(self) -> bool:
        return len(self.results) == len(self.jobs)

    def _start_job(self, index: int) -> None:
        self._job = index
        self._pos = dict.fromkeys(self.interface.stream_inputs, 0)
        self._words = {s: [] for s in self.interface.stream_outputs}
        self._lasts = {s: [] for s in self.interface.stream_outputs}
        self._first_fire: int | None = None
        self._valid: dict[str, int] = {}
        self._ready: dict[str, int] = {}

    def drive(self) -> dict[str, int]:
        """Input values for the current cycle (every input port of the netlist)."""
        job = self.jobs[self._job]
        values = {name: int(job.inputs.get(name, 0)) for name in self.interface.inputs}
        for s in self.interface.stream_inputs:
            words, pos = job.streams[s], self._pos[s]
            draw = self.rng.random()
            valid = int(pos < len(words) and draw < self.valid_probability)
            self._valid[s] = valid
            values[f"{s}_valid"] = valid
            values[f"{s}_data"] = words[pos] if pos < len(words) else 0
            values[f"{s}_last"] = int(pos == len(words) - 1)
        for s in self.interface.stream_outputs:
            ready = int(self.rng.random() < self.ready_probability)
            self._ready[s] = ready
            values[f"{s}_ready"] = ready
        return values

    def observe(self, outputs: Mapping[str, int]) -> None:
        """The outputs of the cycle just driven; advances streams and jobs."""
        job = self.jobs[self._job]
        taken_before = all(self._pos[s] >= len(w) for s, w in job.streams.items())
        progress = False
        for s in self.interface.stream_inputs:
            if self._valid[s] and outputs[f"{s}_ready"]:
                self._pos[s] += 1
                progress = True
                if self._first_fire is None:
                    self._first_fire = self.cycle
        for s in self.interface.stream_outputs:
            if outputs[f"{s}_valid"] and self._ready[s]:
                if outputs[f"{s}_last"]:
                    self._lasts[s].append(len(self._words[s]))
                self._words[s].append(int(outputs[f"{s}_data"]))
                progress = True
        if progress:
            self._last_progress = self.cycle
        if taken_before and outputs[IDLE]:
            first = self._first_fire if self._first_fire is not None else self.cycle
            self.results.append(JobResult(self._words, self._lasts, self.cycle - first,
                                          first, self.cycle))
            self._last_progress = self.cycle
            if not self.done:
                self._start_job(self._job + 1)
        self.cycle += 1
        if self.done:
            return
        if self.cycle - self._last_progress > self.stall_limit:
            taken = {s: f"{self._pos[s]}/{len(w)}" for s, w in job.streams.items()}
            got = {s: len(v) for s, v in self._words.items()}
            raise SimulationError(f"job {self._job}: no progress for {self.stall_limit} "
                                  f"cycles (input words taken {taken}, output words {got}): "
                                  f"a deadlock, or a netlist that never goes idle")
        if self.cycle > self.max_cycles:
            raise SimulationError(f"job {self._job} did not finish within {self.max_cycles} "
                                  f"cycles")


class RandomDriver:
    """Seeded random values on every input port, for ``cycles`` cycles."""

    def __init__(self, interface: Interface, cycles: int, *, seed: int = 0) -> None:
        self.ports = interface.all_inputs()
        self.cycles = cycles
        self.rng = random.Random(seed)
        self.cycle = 0

    @property
    def done(self) -> bool:
        return self.cycle >= self.cycles

    def drive(self) -> dict[str, int]:
        return {name: self.rng.getrandbits(width) for name, width in self.ports.items()}

    def observe(self, outputs: Mapping[str, int]) -> None:
        self.cycle += 1
