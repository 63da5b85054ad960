"""Simulated cycles per second of each PyRTL simulator on the ZVC compressor.

The stream harness feeds the stimulus from FIFOs inside the testbench block, so the
compiled simulator does no Python work per cycle. The figures land in the report's
measurement tables; compare them as a ratio (same run, same machine).
"""

from __future__ import annotations

import time

import numpy as np
import pytest

from accelbench.designs.zvc import ZvcCodec
from accelbench.netlist.stream import StreamHarness

WORDS = {"compiled": 400_000, "fast": 20_000}


@pytest.mark.parametrize("simulator", ["compiled", "fast"])
def test_simulator_speed(simulator, benchmark):
    codec = ZvcCodec(8)
    rng = np.random.default_rng(0)
    values = rng.integers(-128, 128, WORDS[simulator])
    values[rng.random(len(values)) < 0.5] = 0
    started = time.perf_counter()
    harness = StreamHarness(codec.build_compressor, simulator=simulator)
    build_seconds = time.perf_counter() - started

    result = benchmark.pedantic(harness.run, args=({"in": values},), rounds=1, iterations=1,
                                warmup_rounds=0)
    seconds = benchmark.stats.stats.mean
    benchmark.extra_info["accelbench_measurement"] = {
        "table": "simulator_speed",
        "title": "Simulated cycles per second (ZVC 8-bit compressor, 50 % zeros)",
        "notes": ["Stimulus fed from FIFOs inside the testbench block; build = block "
                  "construction plus simulator compilation. One run on a shared 2-core "
                  "machine: compare as a ratio."],
        "row": {"simulator": simulator, "cycles": int(result.cycles),
                "run seconds": round(seconds, 3),
                "cycles per second": round(result.cycles / seconds),
                "build seconds": round(build_seconds, 3)},
    }
