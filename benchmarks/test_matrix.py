"""The benchmark matrix: each test evaluates one design on one workload.

Every metric and the whole result record land in ``benchmark.extra_info``; the time
pytest-benchmark measures is the wall time of one evaluation (golden model over the
whole dataset, netlist co-simulation and, the first time, synthesis).
"""

from __future__ import annotations

from accelbench.registry import get_registry


def test_verify(design_name, benchmark):
    """The design's netlists agree bit-exactly with its golden model on random input."""
    design = get_registry().design(design_name)
    benchmark.pedantic(design.verify, rounds=1, iterations=1, warmup_rounds=0)
    benchmark.extra_info["accelbench_verify"] = {"design": design_name, "ok": True}


def test_case(case, options, benchmark):
    record = benchmark.pedantic(case.run, args=(options,), rounds=1, iterations=1,
                                warmup_rounds=0)
    benchmark.extra_info["accelbench_record"] = record.to_json()
    for name, metric in record.metrics.items():
        benchmark.extra_info[name] = metric["value"]
