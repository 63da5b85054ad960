"""Verifying a netlist's exported Verilog in Verilator (``verify --simulator verilator``).

For every netlist, the Verilog that the area flow synthesises is built with Verilator and
checked two ways, with no testbench code of the design's own:

1. Record and replay. The exported block is simulated in PyRTL under seeded stimulus
   (streaming netlists: their golden vectors with random valid/ready; others: random
   values on every input), every input and output is recorded on every cycle, the
   inputs are replayed in Verilator through cocotb after reset, and every output must
   be equal on every cycle. This catches exporter, reset and width differences where
   no golden vectors exist.
2. Golden vectors (streaming netlists whose design provides them, see
   :mod:`accelbench.netlist.vectors`): cocotb drives the streams itself with another
   seed and every output word must equal the golden model's.

A difference raises :class:`NetlistMismatchError` naming the first differing cycle and
port, or stream, word index, expected and actual value.
"""

from __future__ import annotations

import time
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np
import pyrtl

from accelbench.errors import AccelbenchError, NetlistMismatchError
from accelbench.netlist.build import build_block, module_name, to_verilog
from accelbench.netlist.interface import Interface, from_column, to_column
from accelbench.netlist.record import Trace, record
from accelbench.netlist.stimulus import Job, JobResult, RandomDriver, StreamDriver
from accelbench.netlist.vectors import StreamVectors, netlist_vectors

if TYPE_CHECKING:
    from accelbench.design import Design

#: cycles of random stimulus for netlists without golden vectors
RANDOM_CYCLES = 300
#: valid/ready probabilities of the recorded run and of cocotb's own stream run
REPLAY_PROBABILITY = 0.7
STREAM_PROBABILITY = 0.6
STALL_LIMIT = 5_000


@dataclass
class RtlCheck:
    """What one netlist's Verilator check covered."""

    design: str
    netlist: str
    top: str
    verilog_sha256: str
    streaming: bool
    replay_cycles: int
    jobs: int
    words: int
    build_seconds: float
    cached_build: bool
    seconds: float
    toolchain: str

    def line(self) -> str:
        what = f"Verilog = PyRTL on every output for {self.replay_cycles} cycles"
        if self.jobs:
            what += f"; {self.words} output words of {self.jobs} jobs = golden model"
        build = "cached build" if self.cached_build else f"built in {self.build_seconds:.1f} s"
        return f"{self.design} {self.netlist}: {what} ({build}, {self.seconds:.1f} s)"

    def to_json(self) -> dict[str, Any]:
        return dict(self.__dict__)


def _jobs(vectors: Sequence[StreamVectors]) -> list[Job]:
    return [Job({k: [int(x) for x in v] for k, v in vec.streams.items()}, dict(vec.inputs))
            for vec in vectors]


def _compare_words(what: str, vectors: Sequence[StreamVectors],
                   results: Sequence[JobResult]) -> int:
    words = 0
    for vec, res in zip(vectors, results, strict=True):
        for stream, expected in vec.expected.items():
            exp = [int(x) for x in np.asarray(expected).astype(np.uint64)]
            got = res.outputs[stream]
            words += len(exp)
            if got == exp:
                continue
            n = min(len(got), len(exp))
            diff = next((i for i in range(n) if got[i] != exp[i]), None)
            where = (f"first difference at word {diff}: expected 0x{exp[diff]:x}, got "
                     f"0x{got[diff]:x}" if diff is not None else
                     "one is a prefix of the other")
            raise NetlistMismatchError(
                f"{what}: stream {stream!r} of job {vec.name!r}: expected {len(exp)} words, "
                f"got {len(got)}; {where}")
    return words


def _compare_trace(what: str, trace: Trace, outputs: dict[str, list[int]]) -> None:
    first: tuple[int, str] | None = None
    for name, expected in trace.outputs.items():
        got = outputs[name]
        if got != expected:
            t = next(i for i in range(len(expected)) if got[i] != expected[i])
            if first is None or t < first[0]:
                first = (t, name)
    if first is None:
        return
    t, name = first
    changed = [n for n, v in trace.inputs.items() if t == 0 or v[t] != v[t - 1]]
    raise NetlistMismatchError(
        f"{what}: the Verilog disagrees with its PyRTL simulation at cycle {t} after reset: "
        f"output {name!r} is 0x{outputs[name][t]:x} in Verilator, 0x{trace.outputs[name][t]:x}"
        f" in PyRTL (inputs changed that cycle: {', '.join(changed[:8]) or 'none'})")


def _stream_results(summary: dict, arrays: dict[str, np.ndarray], key: str,
                    interface: Interface) -> list[JobResult]:
    seg = next(s for s in summary["segments"] if s["key"] == key)
    out = []
    for k, job in enumerate(seg["jobs"]):
        words = {s: from_column(arrays[f"{key}__j{k}__out__{s}"])
                 for s in interface.stream_outputs}
        out.append(JobResult(words, job["last_index"], job["cycles"],
                             job["first_input_cycle"], 0))
    return out


def check_verilog(verilog: str, top: str, block: pyrtl.Block, *, what: str, seed: int = 0,
                  vectors: Sequence[StreamVectors] | None = None,
                  random_cycles: int = RANDOM_CYCLES, use_cache: bool = True) -> RtlCheck:
    """Check ``verilog`` (module ``top``, exported from ``block``) in Verilator."""
    from accelbench.netlist.verilator import build_model, run_bench

    started = time.perf_counter()
    interface = Interface.from_block(block)
    if vectors is not None and not interface.streaming:
        raise AccelbenchError(f"{what}: golden vectors need a streaming netlist (streams and "
                              f"a 1-bit output 'idle')")
    if vectors:
        driver: Any = StreamDriver(interface, _jobs(vectors), seed=seed,
                                   valid_probability=REPLAY_PROBABILITY,
                                   ready_probability=REPLAY_PROBABILITY,
                                   stall_limit=STALL_LIMIT)
    else:
        driver = RandomDriver(interface, random_cycles, seed=seed)
    trace = record(block, interface, driver)
    words = 0
    if vectors:
        words = _compare_words(f"{what} (PyRTL simulation of the exported block)", vectors,
                               driver.results)
    model = build_model(verilog, top, interface, use_cache=use_cache)
    widths = interface.all_inputs()
    replay = {"mode": "replay", "key": "r", "cycles": trace.cycles}
    arrays = {f"r__in__{n}": to_column(v, widths[n]) for n, v in trace.inputs.items()}
    segments = [replay]
    stream_arrays: dict[str, np.ndarray] = {}
    stream_seg = None
    if vectors:
        stream_seg = {"mode": "stream", "key": "s", "seed": seed + 7919,
                      "valid_probability": STREAM_PROBABILITY,
                      "ready_probability": STREAM_PROBABILITY, "stall_limit": STALL_LIMIT,
                      "jobs": [{"inputs": {k: int(v) for k, v in vec.inputs.items()}}
                               for vec in vectors]}
        for k, vec in enumerate(vectors):
            for s in interface.stream_inputs:
                stream_arrays[f"s__j{k}__{s}"] = to_column(
                    [int(x) for x in vec.streams[s]], interface.stream_inputs[s])
    has_memories = bool(block.logic_subset("m@"))
    if stream_seg is not None and not has_memories:
        segments.append(stream_seg)  # one simulator process for both checks
        arrays.update(stream_arrays)
    summary, results = run_bench(model, segments, arrays, seed=seed, raise_errors=False)
    if "r__out__" + next(iter(interface.all_outputs())) in results:
        outputs = {n: from_column(results[f"r__out__{n}"]) for n in interface.all_outputs()}
        _compare_trace(what, trace, outputs)  # the first differing cycle, before any stall
    if summary.get("error"):
        raise NetlistMismatchError(f"{what} in Verilator: {summary['error']}")
    if stream_seg is not None:
        if has_memories:  # memories start random here: no word may depend on them
            summary, results = run_bench(model, [stream_seg], stream_arrays, seed=seed,
                                         random_init=True, raise_errors=False)
            if summary.get("error"):
                raise NetlistMismatchError(f"{what} in Verilator with random initial "
                                           f"memories: {summary['error']}")
        _compare_words(f"{what} (Verilator)", vectors,
                       _stream_results(summary, results, "s", interface))
    return RtlCheck(design="", netlist="", top=top, verilog_sha256=model.verilog_sha256,
                    streaming=interface.streaming, replay_cycles=trace.cycles,
                    jobs=len(vectors or ()), words=words, build_seconds=model.build_seconds,
                    cached_build=model.cached, seconds=round(time.perf_counter() - started, 2),
                    toolchain=model.toolchain)


def check_netlist(design: Design, netlist: str, *, seed: int = 0,
                  use_cache: bool = True) -> RtlCheck:
    """Verilator check of one netlist of ``design`` on its short vector set."""
    spec = design.netlists()[netlist]
    block = build_block(spec.build)
    top = module_name(design.name, netlist)
    verilog = to_verilog(block, top)
    interface = Interface.from_block(block)
    vectors = netlist_vectors(design, netlist, seed) if interface.streaming else None
    check = check_verilog(verilog, top, block, what=f"{design.name} {netlist}", seed=seed,
                          vectors=vectors, use_cache=use_cache)
    check.design, check.netlist = design.name, netlist
    return check


def verify_designs(names: Sequence[str], *, seed: int = 0) -> int:
    """``accelbench verify --simulator verilator``: one line per netlist; exit status."""
    from accelbench.netlist.verilator import toolchain
    from accelbench.registry import get_registry

    reg = get_registry()
    designs = [reg.design(n) for n in (names or list(reg.designs))]
    toolchain()  # a missing tool is one error, not one per netlist
    failed = 0
    for design in designs:
        if not design.netlists():
            print(f"--   {design.name}: analytical model, no netlist to verify")
            continue
        for netlist in design.netlists():
            try:
                check = check_netlist(design, netlist, seed=seed)
            except NetlistMismatchError as exc:
                failed += 1
                print(f"FAIL {design.name} {netlist}: {exc}", flush=True)
            else:
                print(f"ok   {check.line()}", flush=True)
    return 1 if failed else 0
