"""Stream co-simulation for words wider than 63 bits, plus a configuration-load phase.

:class:`accelbench.netlist.stream.StreamHarness` packs each word and its ``last`` flag into
one uint64, so its streams stop at 63 bits; the spectral units move 136- to 528-bit words
(a spectrum column, an accumulator column, a row of pixels). :class:`WideStreamHarness`
keeps its testbench (the same :class:`~accelbench.netlist.stream.TestbenchPorts` FIFOs,
the structural stream check, random valid/ready stalls, the protocol check on every
output stream, ``idle`` completion and no-progress errors) and carries words as Python
integers. :meth:`WideStreamHarness.load` drives plain inputs cycle by cycle with
no stream traffic: the configuration-load step (kernel memories) before a run.
To move to ``accelbench.netlist.stream`` once that harness takes wide words.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import numpy as np

from accelbench.errors import SimulationError
from accelbench.netlist.stream import IDLE, StreamHarness, StreamResult


def _column(values: Sequence[int], width: int) -> np.ndarray:
    if width <= 64:
        return np.array([int(v) for v in values], dtype=np.uint64)
    return np.array([int(v) for v in values], dtype=object)


class WideStreamHarness(StreamHarness):
    """A :class:`StreamHarness` whose stream words may have any width (Python ints)."""

    traces: dict[str, np.ndarray]

    def load(self, columns: Mapping[str, Sequence[int]],
             sideband: Mapping[str, int] | None = None) -> None:
        """Hold every stream quiet and drive the plain inputs ``columns`` (one value per
        cycle, all the same length); the others get ``sideband`` or 0."""
        lengths = {len(v) for v in columns.values()}
        if len(lengths) != 1:
            raise ValueError("load columns must all have the same length")
        steps = lengths.pop()
        unknown = set(columns) - set(self.ports.inputs)
        if unknown:
            raise ValueError(f"{sorted(unknown)} are not plain inputs of the design")
        cols = {name: _column(v, self.ports.inputs[name]) for name, v in columns.items()}
        for name, value in (sideband or {}).items():
            cols.setdefault(name, _column([value] * steps, self.ports.inputs[name]))
        for name in self.ports.stream_inputs:
            cols[f"tb_{name}_stall"] = np.ones(steps, dtype=np.uint64)
        for name in self.ports.stream_outputs:
            cols[f"{name}_ready"] = np.zeros(steps, dtype=np.uint64)
        self.sim.run_arrays(steps, cols)
        self.cycle += steps

    def run(self, inputs: Mapping[str, Sequence[int]],
            sideband: Mapping[str, int] | None = None, *, valid_probability: float = 1.0,
            ready_probability: float = 1.0, seed: int = 0, stall_limit: int = 10_000,
            max_cycles: int | None = None, watch: Sequence[str] = ()) -> StreamResult:
        """As :meth:`StreamHarness.run`; output words come back as Python ints in
        ``outputs`` (object arrays). The plain outputs named in ``watch`` are kept cycle
        by cycle in :attr:`traces` (from the run's first cycle to its end)."""
        ports = self.ports
        if set(inputs) != set(ports.stream_inputs):
            raise ValueError(f"expected input streams {sorted(ports.stream_inputs)}, got "
                             f"{sorted(inputs)}")
        sideband = dict(sideband or {})
        if set(sideband) != set(ports.inputs):
            raise ValueError(f"expected plain inputs {sorted(ports.inputs)}, got "
                             f"{sorted(sideband)}")
        words: dict[str, list[int]] = {}
        for name, values in inputs.items():
            w = ports.stream_inputs[name]
            mask = (1 << w) - 1
            tagged = [int(v) & mask for v in values]
            if tagged:
                tagged[-1] |= 1 << w
            words[name] = tagged
        total_in = sum(len(v) for v in words.values())
        if total_in == 0:
            raise ValueError("every input stream is empty: nothing to simulate")
        if max_cycles is None:
            max_cycles = 64 * total_in + 100_000
        rng = np.random.default_rng(seed)
        pos = dict.fromkeys(words, 0)
        occupancy = dict.fromkeys(words, 0)
        taken = dict.fromkeys(words, 0)
        collected: dict[str, list[int]] = {n: [] for n in ports.stream_outputs}
        lasts: dict[str, list[int]] = {n: [] for n in ports.stream_outputs}
        first_in = last_event = None
        traced: dict[str, list[np.ndarray]] = {n: [] for n in watch}
        elapsed = 0
        steps = self.chunk
        while True:
            cols: dict[str, np.ndarray] = {}
            for name, data in words.items():
                n = min(self.depth - occupancy[name], steps, len(data) - pos[name])
                wdata = [0] * steps
                wdata[:n] = data[pos[name]:pos[name] + n]
                pos[name] += n
                occupancy[name] += n
                cols[f"tb_{name}_wen"] = (np.arange(steps) < n).astype(np.uint64)
                cols[f"tb_{name}_wdata"] = _column(wdata, ports.stream_inputs[name] + 1)
                cols[f"tb_{name}_stall"] = (rng.random(steps) >= valid_probability
                                            ).astype(np.uint64)
            readies = {}
            for name in ports.stream_outputs:
                readies[name] = rng.random(steps) < ready_probability
                cols[f"{name}_ready"] = readies[name].astype(np.uint64)
            for name, value in sideband.items():
                cols[name] = _column([value] * steps, ports.inputs[name])
            out = self.sim.run_arrays(steps, cols)
            self._check_protocol(out, readies, elapsed)
            for name in watch:
                traced[name].append(out[name].astype(np.int64))
            t0 = elapsed
            done = np.ones(steps, dtype=bool)
            for name in words:
                fires = out[f"tb_{name}_fire"].astype(bool)
                before = taken[name]
                cum = before + np.cumsum(fires)
                if fires.any():
                    if first_in is None:
                        first_in = t0 + int(np.argmax(fires))
                    last_event = t0 + int(np.nonzero(fires)[0][-1])
                taken[name] = int(cum[-1])
                occupancy[name] -= int(fires.sum())
                prev = np.concatenate([[before], cum[:-1]])
                done &= prev >= len(words[name])
            for name in ports.stream_outputs:
                hs = np.nonzero(out[f"{name}_valid"].astype(bool) & readies[name])[0]
                if hs.size:
                    data = out[f"{name}_data"]
                    flags = out[f"{name}_last"]
                    for i in hs.tolist():
                        if int(flags[i]):
                            lasts[name].append(len(collected[name]))
                        collected[name].append(int(data[i]))
                    last_event = max(last_event or 0, t0 + int(hs[-1]))
            idle = out[IDLE].astype(bool) & done
            elapsed += steps
            self.cycle += steps
            if idle.any():
                end = t0 + int(np.argmax(idle))
                break
            quiet = last_event is not None and elapsed - last_event > stall_limit
            if quiet:
                raise SimulationError(
                    f"no progress for {stall_limit} cycles: input words taken {taken} of "
                    f"{ {n: len(v) for n, v in words.items()} }, outputs "
                    f"{ {n: len(v) for n, v in collected.items()} }")
            if last_event is None and elapsed > stall_limit:
                raise SimulationError(f"the design accepted no input word in {elapsed} cycles")
            if elapsed > max_cycles:
                raise SimulationError(f"the design did not finish within {max_cycles} cycles")
        first = first_in if first_in is not None else 0
        self.traces = {n: np.concatenate(v)[:end + 1] for n, v in traced.items()}
        outputs = {n: np.array(v, dtype=object) for n, v in collected.items()}
        return StreamResult(outputs=outputs, last_index=lasts, cycles=end - first,
                            first_input_cycle=first,
                            stats={"words_in": total_in,
                                   **{f"words_{n}": len(v) for n, v in collected.items()}})
