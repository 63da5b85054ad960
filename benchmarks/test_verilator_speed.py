"""Simulated cycles per second: PyRTL CompiledSimulation against Verilator, same stream.

A whole real image (all 49 EfficientNet-Lite0 fixed8 feature maps of image 0, one stream
per map, outputs always ready) streams through the EBPC 8/8 compressor netlist in
PyRTL's CompiledSimulation (:class:`accelbench.netlist.stream.StreamHarness`, stimulus
in FIFOs inside the testbench block) and in Verilator (the same exported Verilog, a C++
harness with the stimulus in memory: :mod:`accelbench.netlist.verilator_stream`); both
must give the golden model's words in the same number of cycles. A third figure is the
cocotb bench (Python per cycle, the verification path) on the first map's first words.
Build times (compilation) are reported apart from run times.

    pytest benchmarks/test_verilator_speed.py --benchmark-only
    python benchmarks/test_verilator_speed.py
"""

from __future__ import annotations

import time

import numpy as np

from accelbench.netlist.build import build_block, module_name, to_verilog
from accelbench.netlist.interface import Interface
from accelbench.netlist.stream import StreamHarness

DESIGN = "ebpc-w8-b8"
COCOTB_WORDS = 20_000
TITLE = "Simulated cycles per second, PyRTL CompiledSimulation vs Verilator"
NOTES = ["The EBPC 8/8 compressor netlist on all 49 EfficientNet-Lite0 fixed8 feature maps "
         "of image 0 (one stream per map, back to back, outputs always ready); both "
         "simulators give the golden model's words in the same cycles. PyRTL: "
         "CompiledSimulation with the stimulus in testbench FIFOs (run time includes its "
         "Python chunk loop); Verilator: -O2 model with a C++ stream harness (run time: the "
         "cycle loops; with loading and saving the words beside it); cocotb: the "
         "verification bench (Python per cycle, process start-up included) on the "
         f"first {COCOTB_WORDS} words. One run on a shared 2-core machine: compare as ratios."]


def image_maps() -> tuple[str, list[np.ndarray]]:
    from accelbench.registry import get_registry

    source = get_registry().dataset_source("efficientnet-lite0")
    maps = source.load("fixed8")
    return f"{source.name}/fixed8 image 0, {len(maps.layers)} maps", \
        [layer.words[0].astype(np.int64) for layer in maps.layers]


def measure() -> dict:
    from accelbench.bits import to_words
    from accelbench.netlist.verilator import build_model, run_bench
    from accelbench.netlist.verilator_stream import NativeStreamHarness
    from accelbench.registry import get_registry

    design = get_registry().design(DESIGN)
    label, maps = image_maps()
    words = [to_words(m, design.word_bits) for m in maps]
    golden = [design.encode(w) for w in words]

    started = time.perf_counter()
    harness = StreamHarness(design.build_compressor, simulator="compiled")
    pyrtl_build = time.perf_counter() - started
    started = time.perf_counter()
    pyrtl_runs = [harness.run({"in": w}) for w in words]
    pyrtl_seconds = time.perf_counter() - started

    block = build_block(design.build_compressor)
    top = module_name(design.name, "compressor")
    interface = Interface.from_block(block)
    started = time.perf_counter()
    model = build_model(to_verilog(block, top), top, interface, opt="-O2")
    native = NativeStreamHarness(model)
    verilator_build = time.perf_counter() - started
    started = time.perf_counter()
    native_runs, verilator_seconds = native.run([({"in": w}, {}) for w in words])
    verilator_wall = time.perf_counter() - started

    cycles = sum(r.cycles for r in pyrtl_runs)
    for k, (g, p, v) in enumerate(zip(golden, pyrtl_runs, native_runs, strict=True)):
        for s in design.compressed_streams:
            if not (np.array_equal(p.outputs[s], g.streams[s]) and
                    np.array_equal(v.outputs[s], g.streams[s])):
                raise AssertionError(f"map {k}: stream {s!r} differs from the golden model")
        if p.cycles != v.cycles:
            raise AssertionError(f"map {k}: PyRTL {p.cycles} cycles, Verilator {v.cycles}")

    first = words[0][:COCOTB_WORDS]
    jobs = [{"inputs": {}}]
    seg = {"mode": "stream", "key": "s", "seed": 0, "valid_probability": 1.0,
           "ready_probability": 1.0, "stall_limit": 10_000, "jobs": jobs}
    started = time.perf_counter()
    summary, _ = run_bench(model, [seg], {"s__j0__in": first.astype(np.uint64)})
    cocotb_seconds = time.perf_counter() - started
    cocotb_cycles = summary["segments"][0]["cycles"]
    return {"design": DESIGN, "netlist": "compressor", "data": label,
            "values": int(sum(len(w) for w in words)), "cycles": int(cycles),
            "words per cycle": round(sum(len(w) for w in words) / cycles, 4),
            "PyRTL compiled cycles/s": round(cycles / pyrtl_seconds),
            "Verilator cycles/s": round(cycles / verilator_seconds),
            "Verilator / PyRTL": round(pyrtl_seconds / verilator_seconds, 2),
            "cocotb cycles/s (incl. start-up)": round(cocotb_cycles / cocotb_seconds),
            "PyRTL build s": round(pyrtl_build, 2),
            "Verilator build s": round(verilator_build, 2),
            "PyRTL run s": round(pyrtl_seconds, 2),
            "Verilator run s": round(verilator_seconds, 3),
            "Verilator run s incl. file I/O": round(verilator_wall, 2)}


def test_verilator_speed(benchmark):
    row = benchmark.pedantic(measure, rounds=1, iterations=1, warmup_rounds=0)
    benchmark.extra_info["accelbench_measurement"] = {
        "table": "verilator_speed", "title": TITLE, "notes": NOTES, "row": row}


if __name__ == "__main__":
    for key, value in measure().items():
        print(f"{key:34s} {value}")
