"""Streaming co-simulation: feed word streams through a netlist with handshakes.

A netlist built with :class:`TestbenchPorts` gets, for each input stream, a FIFO inside
the testbench block. Python fills the FIFOs in chunks of cycles through ``Input`` columns
and reads every output port as a column, so a compiled simulation costs no Python work
per cycle and no stimulus is baked into the generated C. Random stalls on input valid and
output ready exercise back-pressure; the testbench itself keeps the protocol (once it
offers a word, the word stays offered until the design takes it).

Every run checks the valid/ready protocol on every output stream, vectorised over each
chunk: a word offered and not taken must be offered again on the next cycle with the
same ``data`` and ``last``; a violation raises :class:`StreamProtocolError` naming the
stream and the cycle. Input streams cannot be taken without being offered (the FIFO
moves only on valid & ready), and building the harness runs the structural check of
:mod:`accelbench.netlist.structure` (no input ``ready`` that depends combinationally on
stream data or an output's ``ready``, no output word that depends on a ``ready``).

A design reports completion through a 1-bit output ``idle`` (high when it holds no
data); a run ends when every input word was taken and ``idle`` is high, and raises
:class:`SimulationError` if the design stops making progress (a truncated stream, a
deadlock) instead of hanging. A design may drive a 1-bit output ``error`` (raised and
held when its input streams are malformed, e.g. words beyond the end of the codes);
when it rises, or when the design sits idle with input words it will not take, the run
raises :class:`StreamInputError`, a :class:`StreamFormatError` like the golden decoders'.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field

import numpy as np
import pyrtl

from accelbench.errors import SimulationError, StreamFormatError
from accelbench.netlist.ports import Ports, StreamIn, StreamOut, TopLevelPorts, driven_output
from accelbench.netlist.simulate import make_simulator
from accelbench.netlist.structure import check_streams, require_clean

IDLE = "idle"
ERROR = "error"


class StreamProtocolError(SimulationError):
    """A netlist broke the valid/ready protocol on one of its output streams."""


class StreamInputError(StreamFormatError, SimulationError):
    """The design rejected its input streams (its ``error`` output, or input it left)."""


class TestbenchPorts:
    """:class:`Ports` for simulation: input streams are fed from testbench FIFOs."""

    __test__ = False  # not a pytest test class

    def __init__(self, fifo_addr_bits: int = 10) -> None:
        self.fifo_addr_bits = fifo_addr_bits
        self.stream_inputs: dict[str, int] = {}
        self.stream_outputs: dict[str, int] = {}
        self.inputs: dict[str, int] = {}
        self.outputs: dict[str, int] = {}
        self.streams_in: dict[str, StreamIn] = {}
        self.streams_out: dict[str, StreamOut] = {}

    def input(self, name: str, bitwidth: int) -> pyrtl.WireVector:
        self.inputs[name] = bitwidth
        return pyrtl.Input(bitwidth, name)

    def output(self, name: str, bitwidth: int) -> pyrtl.WireVector:
        self.outputs[name] = bitwidth
        return driven_output(bitwidth, name)

    def stream_out(self, name: str, bitwidth: int) -> StreamOut:
        self.stream_outputs[name] = bitwidth
        stream = TopLevelPorts().stream_out(name, bitwidth)
        self.streams_out[name] = stream
        return stream

    def stream_in(self, name: str, bitwidth: int) -> StreamIn:
        self.stream_inputs[name] = bitwidth
        a = self.fifo_addr_bits
        fifo = pyrtl.MemBlock(bitwidth + 1, a, name=f"tb_{name}_fifo", asynchronous=True)
        wdata = pyrtl.Input(bitwidth + 1, f"tb_{name}_wdata")
        wen = pyrtl.Input(1, f"tb_{name}_wen")
        stall = pyrtl.Input(1, f"tb_{name}_stall")
        wptr = pyrtl.Register(a + 1, f"tb_{name}_wptr")
        rptr = pyrtl.Register(a + 1, f"tb_{name}_rptr")
        offered = pyrtl.Register(1, f"tb_{name}_offered")  # a word waits to be taken
        fifo[wptr[:a]] <<= pyrtl.MemBlock.EnabledWrite(wdata, wen)
        wptr.next <<= pyrtl.select(wen, (wptr + 1)[: a + 1], wptr)
        head = fifo[rptr[:a]]
        valid = (wptr != rptr) & (~stall | offered)
        ready = pyrtl.WireVector(1)
        fire = pyrtl.Output(1, f"tb_{name}_fire")
        fire <<= valid & ready
        offered.next <<= valid & ~ready
        rptr.next <<= pyrtl.select(valid & ready, (rptr + 1)[: a + 1], rptr)
        stream = StreamIn(head[:bitwidth], valid, head[bitwidth], ready)
        self.streams_in[name] = stream
        return stream


@dataclass
class StreamResult:
    """Words handed out on each output stream, where ``last`` was set, and the cycles."""

    outputs: dict[str, np.ndarray]
    last_index: dict[str, list[int]]
    cycles: int
    first_input_cycle: int
    stats: dict[str, int] = field(default_factory=dict)


def protocol_violation(valid: np.ndarray, ready: np.ndarray, data: np.ndarray,
                       last: np.ndarray) -> int | None:
    """The first cycle t > 0 where the word offered and not taken at t-1 was withdrawn
    or changed (columns of consecutive cycles), or None."""
    waiting = valid[:-1] & ~ready[:-1]
    broken = waiting & (~valid[1:] | (data[1:] != data[:-1]) | (last[1:] != last[:-1]))
    bad = np.flatnonzero(broken)
    return int(bad[0]) + 1 if bad.size else None


class StreamHarness:
    """A netlist inside a testbench block, simulated across any number of stream jobs.

    The design keeps its state between :meth:`run` calls, so several streams can pass
    through one compiled simulation back to back (a design must return to its initial
    state after a stream's last word). ``check_structure`` runs the structural stream
    check on the netlist (:mod:`accelbench.netlist.structure`) before simulating it.
    """

    def __init__(self, build: Callable[[Ports], None], *, simulator: str = "compiled",
                 fifo_addr_bits: int = 10, chunk: int = 512, trace: bool = False,
                 check_structure: bool = True) -> None:
        self.block = pyrtl.Block()
        with pyrtl.set_working_block(self.block, no_sanity_check=True):
            self.ports = TestbenchPorts(fifo_addr_bits)
            build(self.ports)
        if IDLE not in self.ports.outputs:
            raise TypeError("a streaming netlist needs a 1-bit output 'idle' "
                            "(high when it holds no data)")
        self.block.sanity_check()
        if check_structure:
            require_clean(check_streams(self.block, self.ports.streams_in,
                                        self.ports.streams_out), "the netlist")
        self.depth = 1 << fifo_addr_bits
        self.chunk = min(chunk, self.depth // 2)
        self.sim = make_simulator(self.block, simulator, trace=trace)
        self.cycle = 0
        # the last cycle of the previous chunk, per output stream: valid, ready, data, last
        self._tail: dict[str, tuple[np.ndarray, ...]] = {}

    def write_vcd(self, path: str) -> None:
        """Dump the waveform of everything simulated so far (needs ``trace=True``)."""
        tracer = getattr(self.sim, "tracer", None)
        if tracer is None:
            raise ValueError("this harness was built without trace=True")
        with open(path, "w") as f:
            tracer.print_vcd(f)

    def _check_protocol(self, out: Mapping[str, np.ndarray], readies: Mapping[str, np.ndarray],
                        t0: int) -> None:
        """Raise :class:`StreamProtocolError` if an output stream withdrew or changed a
        word it offered before the word was taken (this chunk, and its first cycle
        against the previous chunk's last)."""
        for name in self.ports.stream_outputs:
            cols = (out[f"{name}_valid"].astype(bool), readies[name].astype(bool),
                    out[f"{name}_data"], out[f"{name}_last"].astype(bool))
            tail = self._tail.get(name)
            joined = tuple(np.concatenate([a, b]) for a, b in zip(tail, cols, strict=True)) \
                if tail is not None else cols
            bad = protocol_violation(*joined)
            self._tail[name] = tuple(c[-1:] for c in cols)
            if bad is None:
                continue
            valid, _, data, last = joined
            at = t0 + bad - (1 if tail is not None else 0)
            now = (f"valid {int(valid[bad])}, data 0x{int(data[bad]):x}, "
                   f"last {int(last[bad])}")
            raise StreamProtocolError(
                f"output stream {name!r} broke the valid/ready protocol at cycle {at} of "
                f"this run: the word offered at cycle {at - 1} (data "
                f"0x{int(data[bad - 1]):x}, last {int(last[bad - 1])}) was not taken, but "
                f"at cycle {at} it is not offered unchanged ({now})")

    def run(self, inputs: Mapping[str, np.ndarray], sideband: Mapping[str, int] | None = None,
            *, valid_probability: float = 1.0, ready_probability: float = 1.0, seed: int = 0,
            stall_limit: int = 10_000, max_cycles: int | None = None) -> StreamResult:
        """Push each input stream (its words, ``last`` on the final one) through the design.

        ``sideband`` values are held on the plain inputs for the whole job.
        ``valid_probability``/``ready_probability`` < 1 insert random stalls.
        """
        ports = self.ports
        if set(inputs) != set(ports.stream_inputs):
            raise ValueError(f"expected input streams {sorted(ports.stream_inputs)}, got "
                             f"{sorted(inputs)}")
        sideband = dict(sideband or {})
        if set(sideband) != set(ports.inputs):
            raise ValueError(f"expected plain inputs {sorted(ports.inputs)}, got "
                             f"{sorted(sideband)}")
        words = {}
        for name, values in inputs.items():
            w = ports.stream_inputs[name]
            arr = np.asarray(values).astype(np.int64) & ((1 << w) - 1)
            if arr.ndim != 1:
                raise ValueError(f"input stream {name!r} must be a 1-D array of words")
            tagged = arr.astype(np.uint64)
            if tagged.size:
                tagged[-1] |= np.uint64(1 << w)
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
        collected: dict[str, list[np.ndarray]] = {n: [] for n in ports.stream_outputs}
        lasts: dict[str, list[int]] = {n: [] for n in ports.stream_outputs}
        counts = dict.fromkeys(ports.stream_outputs, 0)
        first_in = last_event = None
        elapsed = 0
        steps = self.chunk
        while True:
            cols: dict[str, np.ndarray] = {}
            for name, data in words.items():
                n = min(self.depth - occupancy[name], steps, len(data) - pos[name])
                wen = np.zeros(steps, dtype=np.uint64)
                wen[:n] = 1
                wdata = np.zeros(steps, dtype=np.uint64)
                wdata[:n] = data[pos[name]:pos[name] + n]
                pos[name] += n
                occupancy[name] += n
                cols[f"tb_{name}_wen"] = wen
                cols[f"tb_{name}_wdata"] = wdata
                cols[f"tb_{name}_stall"] = (rng.random(steps) >= valid_probability
                                            ).astype(np.uint64)
            readies = {}
            for name in ports.stream_outputs:
                readies[name] = (rng.random(steps) < ready_probability).astype(np.uint64)
                cols[f"{name}_ready"] = readies[name]
            for name, value in sideband.items():
                cols[name] = np.full(steps, value, dtype=np.uint64)
            out = self.sim.run_arrays(steps, cols)
            t0 = elapsed
            done_in_chunk = np.ones(steps, dtype=bool)
            for name in words:
                fires = out[f"tb_{name}_fire"].astype(bool)
                cum = taken[name] + np.cumsum(fires)
                if first_in is None and fires.any():
                    first_in = t0 + int(np.argmax(fires))
                if fires.any():
                    last_event = t0 + int(np.nonzero(fires)[0][-1])
                taken[name] = int(cum[-1])
                occupancy[name] -= int(fires.sum())
                # cycle t counts as finished-input only after the final fire
                prev = np.concatenate([[taken[name] - int(fires.sum())], cum[:-1]])
                done_in_chunk &= prev >= len(words[name])
            self._check_protocol(out, readies, t0)
            if ERROR in ports.outputs and out[ERROR].any():
                at = t0 + int(np.argmax(out[ERROR].astype(bool)))
                raise StreamInputError(
                    f"the design raised its 'error' output at cycle {at} of this run: its "
                    f"input streams are malformed (e.g. words beyond the end of the codes); "
                    f"input words taken {taken} of { {n: len(v) for n, v in words.items()} }")
            for name in ports.stream_outputs:
                hs = (out[f"{name}_valid"].astype(bool)) & readies[name].astype(bool)
                if hs.any():
                    idx = np.nonzero(hs)[0]
                    collected[name].append(out[f"{name}_data"][idx])
                    lasts[name].extend(counts[name] + i for i in
                                       np.nonzero(out[f"{name}_last"][idx])[0].tolist())
                    counts[name] += len(idx)
                    last_event = max(last_event or 0, t0 + int(idx[-1]))
            idle = out[IDLE].astype(bool) & done_in_chunk
            elapsed += steps
            self.cycle += steps
            if idle.any():
                end = t0 + int(np.argmax(idle))
                break
            if all(taken[n] == len(words[n]) for n in words) and last_event is not None \
                    and elapsed - last_event > stall_limit:
                raise SimulationError(
                    f"the design took every input word but is not idle and produced nothing "
                    f"for {stall_limit} cycles (truncated or corrupt stream, or a deadlock); "
                    f"outputs so far: {counts}")
            if last_event is not None and elapsed - last_event > stall_limit:
                left = {n: len(v) - taken[n] for n, v in words.items() if taken[n] < len(v)}
                if out[IDLE][-1]:
                    raise StreamInputError(
                        f"the design is idle and took no input word for {stall_limit} "
                        f"cycles, leaving words it does not use (surplus input beyond the "
                        f"end of the codes): {left} words not taken")
                raise SimulationError(
                    f"no progress for {stall_limit} cycles: input words taken "
                    f"{taken} of { {n: len(v) for n, v in words.items()} }, outputs {counts}")
            if last_event is None and elapsed > stall_limit:
                raise SimulationError(f"the design accepted no input word in {elapsed} cycles")
            if elapsed > max_cycles:
                raise SimulationError(f"the design did not finish within {max_cycles} cycles")
        outputs = {n: (np.concatenate(c).astype(np.uint64) if c else
                       np.zeros(0, dtype=np.uint64)) for n, c in collected.items()}
        first = first_in if first_in is not None else 0
        return StreamResult(outputs=outputs, last_index=lasts, cycles=end - first,
                            first_input_cycle=first,
                            stats={"words_in": total_in, **{f"words_{n}": c
                                                            for n, c in counts.items()}})
