"""The benchmark matrix: each test evaluates one design on one workload.

Every metric and the whole result record land in ``benchmark.extra_info``; the time
pytest-benchmark measures is the wall time of one evaluation (golden model over the
whole dataset, netlist co-simulation and, the first time, synthesis). A Dask run
(``accelbench run --executor dask``) writes the same entries through
:mod:`accelbench.benchjson`.
"""

from __future__ import annotations

from accelbench.benchjson import case_extra_info, verify_extra_info
from accelbench.registry import get_registry


def test_verify(design_name, benchmark):
    """The design's netlists agree bit-exactly with its golden model on random input."""
    design = get_registry().design(design_name)
    benchmark.pedantic(design.verify, rounds=1, iterations=1, warmup_rounds=0)
    benchmark.extra_info.update(verify_extra_info(design_name))


def test_case(case, options, benchmark):
    record = benchmark.pedantic(case.run, args=(options,), rounds=1, iterations=1,
                                warmup_rounds=0)
    benchmark.extra_info.update(case_extra_info(record))
