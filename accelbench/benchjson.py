"""The pytest-benchmark JSON format of raw results, for runs that do not go through pytest.

``accelbench run`` writes ``results/raw/NAME.json`` in pytest-benchmark's format whichever
executor evaluated the cases. Local runs get it from pytest-benchmark itself
(``benchmarks/test_matrix.py``); a Dask run builds the same entries here, with the same
``name``/``fullname``/``params`` as the matrix tests, one round per case, and the
``extra_info`` both paths fill through :func:`case_extra_info` and :func:`verify_extra_info`.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from datetime import UTC, datetime
from typing import Any

from accelbench.records import ResultRecord

#: where the matrix tests live, as pytest-benchmark names them in ``fullname``
MATRIX_MODULE = "benchmarks/test_matrix.py"
#: pytest-benchmark's options for the matrix's one-round ``pedantic`` measurements
ONE_ROUND_OPTIONS = {"disable_gc": True, "timer": "perf_counter", "min_rounds": 5,
                     "max_time": 1.0, "min_time": 5e-06, "precision": None,
                     "confidence": None, "warmup": False}


def case_extra_info(record: ResultRecord) -> dict[str, Any]:
    """``extra_info`` of a matrix case: the whole record, and each metric's value."""
    extra: dict[str, Any] = {"accelbench_record": record.to_json()}
    for name, metric in record.metrics.items():
        extra[name] = metric["value"]
    return extra


def verify_extra_info(design: str) -> dict[str, Any]:
    """``extra_info`` of a passed ``test_verify`` (a failed one is not recorded)."""
    return {"accelbench_verify": {"design": design, "ok": True}}


def one_round_stats(seconds: float) -> dict[str, Any]:
    """pytest-benchmark's ``stats`` of one round of one iteration."""
    from pytest_benchmark.stats import Stats

    stats = Stats()
    stats.update(seconds)
    out = stats.as_dict()
    out["data"] = [seconds]
    out["iterations"] = 1
    return out


def entry(test: str, param: str, params: dict[str, Any], extra_info: dict[str, Any],
          seconds: float) -> dict[str, Any]:
    """One ``benchmarks[]`` element as pytest-benchmark writes it for ``test[param]``."""
    name = f"{test}[{param}]"
    return {"group": None, "name": name, "fullname": f"{MATRIX_MODULE}::{name}",
            "params": params, "param": param, "extra_info": extra_info,
            "options": dict(ONE_ROUND_OPTIONS), "stats": one_round_stats(seconds)}


def document(benchmarks: Sequence[dict[str, Any]]) -> dict[str, Any]:
    """A whole pytest-benchmark document (machine and commit of this process)."""
    from pytest_benchmark import __version__
    from pytest_benchmark.plugin import pytest_benchmark_generate_machine_info
    from pytest_benchmark.utils import get_commit_info

    return {"machine_info": pytest_benchmark_generate_machine_info(),
            "commit_info": get_commit_info(), "benchmarks": list(benchmarks),
            "datetime": datetime.now(UTC).isoformat(), "version": __version__}


def merge(parts: Sequence[Mapping[str, Any]]) -> dict[str, Any]:
    """One document from several (shards, phases): the first one's header, all entries."""
    merged = dict(parts[0])
    merged["benchmarks"] = [b for part in parts for b in part.get("benchmarks", [])]
    return merged


def update(old: Mapping[str, Any], new: Mapping[str, Any]) -> dict[str, Any]:
    """``old`` with ``new``'s entries in place of the entries of the same test (``--merge``).

    Entries are matched by ``name`` (``test_case[DESIGN@WORKLOAD]``, unique in a run). The
    header is the new run's; ``accelbench_run["merged_runs"]`` lists the older runs.
    """
    fresh = set(names(new))
    kept = [b for b in old.get("benchmarks", []) if b.get("name") not in fresh]
    out = dict(new)
    out["benchmarks"] = kept + list(new.get("benchmarks", []))
    run = dict(out.get("accelbench_run") or {})
    history = list((old.get("accelbench_run") or {}).get("merged_runs", []))
    previous = {k: v for k, v in (old.get("accelbench_run") or {}).items() if k != "merged_runs"}
    run["merged_runs"] = [*history, {**previous, "datetime": old.get("datetime", "")}]
    out["accelbench_run"] = run
    return out


def names(doc: Mapping[str, Any]) -> Iterable[str]:
    return (b.get("name", "") for b in doc.get("benchmarks", []))
