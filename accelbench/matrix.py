"""The benchmark matrix: every design on every workload it accepts.

Cases are plain picklable objects, so they run the same way under pytest-benchmark
(``benchmarks/``), in a process pool, or through any ``concurrent.futures.Executor``
(Dask distributed and Ray provide one), see :func:`run_cases`.
"""

from __future__ import annotations

import fnmatch
from collections.abc import Iterable, Sequence
from concurrent.futures import Executor
from dataclasses import dataclass

from accelbench.design import EvaluationOptions
from accelbench.records import ResultRecord, provenance
from accelbench.registry import Registry, get_registry
from accelbench.workloads import Workload, all_workloads


@dataclass(frozen=True)
class Case:
    design: str
    workload: Workload

    @property
    def id(self) -> str:
        return f"{self.design}@{self.workload.id}"

    def run(self, options: EvaluationOptions | None = None,
            registry: Registry | None = None) -> ResultRecord:
        """Load the workload's data through ``registry`` (default: the global one), evaluate
        the design on it, and wrap the metrics in a record with full provenance."""
        registry = registry or get_registry()
        options = options or EvaluationOptions()
        design = registry.design(self.design)
        data = self.workload.load(registry)
        evaluation = design.evaluate(data, options)
        return ResultRecord(
            design=design.name, family=design.family, parameters=dict(design.parameters),
            workload=self.workload.describe(),
            metrics={m.name: m.to_json() for m in evaluation.metrics},
            details=evaluation.details, notes=evaluation.notes,
            provenance=provenance({"options": options.to_json()}),
            plugin=registry.origin["design"][design.name],
            technique=design.technique_name, baseline_for=list(design.baseline_for))


def _selected(name: str, patterns: Sequence[str] | None) -> bool:
    return not patterns or any(fnmatch.fnmatchcase(name, p) for p in patterns)


def matrix_cases(registry: Registry | None = None, *, designs: Sequence[str] | None = None,
                 workloads: Sequence[str] | None = None,
                 default_only: bool = True) -> list[Case]:
    """Cases for designs and workloads matching the glob ``patterns`` (all by default)."""
    registry = registry or get_registry()
    loads = [w for w in all_workloads(registry, default_only=default_only)
             if _selected(w.id, workloads)]
    return [Case(d.name, w) for d in registry.designs.values() if _selected(d.name, designs)
            for w in loads if d.accepts(w)]


def _run(case: Case, options: EvaluationOptions) -> ResultRecord:
    return case.run(options)


def run_cases(cases: Iterable[Case], options: EvaluationOptions | None = None,
              executor: Executor | None = None) -> list[ResultRecord]:
    """Evaluate cases, in order, serially or through ``executor``."""
    options = options or EvaluationOptions()
    cases = list(cases)
    if executor is None:
        return [case.run(options) for case in cases]
    return list(executor.map(_run, cases, [options] * len(cases)))
