"""Simulated cycles per second of the published engine system netlists (SPOTS 32x8x4
with its IM2COL unit, the dense 16x16 array) on real EfficientNet-Lite0 layers.

Layers run one after the other through one compiled simulation of one netlist; every
output is checked against numpy and every cycle count against the closed-form model.
The figures land in the report's measurement tables; compare them as ratios (same run,
same machine).
"""

from __future__ import annotations

import time
from fnmatch import fnmatch

import pytest

from accelbench.designs.spots.design import Crop, crop_layer
from accelbench.engines.conv import crop_real_layer
from accelbench.registry import get_registry
from accelbench.workloads import NetworkWorkload

#: SPOTS: larger crops (tens of thousands of cycles each), both modes
SPOTS_LAYERS = (Crop("block02.expand", 24, 144, (16, 56), (0, 0), 0.5, False),
                Crop("block02.dw", 48, 48, (12, 56), (20, 0), 0.5, False),
                Crop("block03.project", 144, 40, (12, 28), (0, 0), 0.5, True),
                Crop("block05.expand", 40, 240, (8, 28), (0, 0), 0.7, True))
#: dense array: (layer, channels, filters, window, origin)
DENSE_LAYERS = (("block02.expand", 24, 144, (16, 56), (0, 0)),
                ("block03.project", 144, 40, (12, 28), (0, 0)),
                ("block05.expand", 40, 240, (8, 28), (0, 0)))


SYSTEMS = ("spots-32x8x4-b8", "systolic-os-16x16")


def pytest_generate_tests(metafunc: pytest.Metafunc) -> None:
    """The published systems that ``--designs`` selects (all without it), split over
    ``--shard`` like the matrix's cases."""
    if "system_design" in metafunc.fixturenames:
        globs = metafunc.config.getoption("--designs")
        names = [n for n in SYSTEMS if not globs or any(fnmatch(n, g) for g in globs)]
        shard = metafunc.config.getoption("--shard")
        if shard:
            index, count = (int(x) for x in shard.split("/"))
            names = names[index::count]
        metafunc.parametrize("system_design", names)


@pytest.fixture(scope="module")
def lite0():
    return NetworkWorkload(id="net/efficientnet-lite0", kind="network", synthetic=False,
                           network="efficientnet-lite0").load()


def test_system_simulation_speed(system_design, lite0, benchmark):
    design = get_registry().design(system_design)
    started = time.perf_counter()
    sim = design.simulator()
    assert sim.sim is not None  # the block is built; compile it now
    build_seconds = time.perf_counter() - started
    if design.technique == "spots":
        work = [crop_layer(lite0.real_layer(c.layer), c, design.config) for c in SPOTS_LAYERS]
        runs = benchmark.pedantic(sim.run, args=(work,), rounds=1, iterations=1,
                                  warmup_rounds=0)
        cycles = sim.cycles_simulated
    else:
        work = []
        for name, channels, filters, window, origin in DENSE_LAYERS:
            rc = crop_real_layer(lite0.real_layer(name), channels=channels, filters=filters,
                                 window=window, origin=origin)
            work.append((rc.x, rc.int_weight(), rc.shape))
        runs = benchmark.pedantic(sim.run_convs, args=(work,), rounds=1, iterations=1,
                                  warmup_rounds=0)
        cycles = sim.cycles_simulated
    design._check(work, runs)  # bit-exact and model-exact, or it raises
    seconds = benchmark.stats.stats.mean
    benchmark.extra_info["accelbench_measurement"] = {
        "table": "engine_simulation_speed",
        "title": "Simulated cycles per second of the published engine system netlists "
                 "(real EfficientNet-Lite0 crops, one compiled simulation)",
        "notes": ["cycles = every simulated cycle (host loading of each layer + compute "
                  "budget); build = netlist construction plus C compilation. One run on a "
                  "shared 2-core machine: compare as a ratio."],
        "row": {"design": system_design, "layers": len(work),
                "compute cycles": sum(r.cycles for r in runs), "simulated cycles": cycles,
                "run seconds": round(seconds, 3), "cycles per second": round(cycles / seconds),
                "build seconds": round(build_seconds, 1)},
    }
