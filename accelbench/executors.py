"""Running matrix tasks through a ``concurrent.futures.Executor``, e.g. Dask distributed.

``accelbench run`` shards the matrix over local pytest processes by default. With
``--executor dask`` (a local cluster: ``-j`` worker processes, one thread each) or
``--executor dask://HOST:PORT`` (a running scheduler) it submits one task per design
verification and per case through ``Client.get_executor(pure=False)`` instead, and turns
the results into the same pytest-benchmark entries (:mod:`accelbench.benchjson`).

A task that raises, and a task whose worker died (Dask retries it on another worker up to
``distributed.scheduler.allowed-failures`` times, then gives up with ``KilledWorker``),
is reported by its case; the other tasks still run. Workers must hold the same designs
and plugin versions as the client (checked before any task is submitted) and read the
same datasets (see :func:`dataset_conflicts`).
"""

from __future__ import annotations

import contextlib
import gc
import os
import platform
import socket
import time
from collections.abc import Iterator, Mapping, Sequence
from concurrent.futures import Executor, Future, as_completed
from dataclasses import dataclass, field
from typing import Any

from accelbench import benchjson
from accelbench.design import EvaluationOptions
from accelbench.errors import AccelbenchError
from accelbench.matrix import Case
from accelbench.records import ResultRecord
from accelbench.registry import Registry

EXECUTORS = ("local", "dask", "dask://HOST:PORT")
#: how long to wait for a cluster's workers to connect
WAIT_SECONDS = 120
#: Dask settings of the local cluster ``--executor dask`` starts (a scheduler started by
#: the user should set the same: ``distributed.scheduler.worker-saturation: 1.0``)
LOCAL_CLUSTER_CONFIG = {"distributed.scheduler.worker-saturation": 1.0}


@dataclass(frozen=True)
class Task:
    """One entry of the matrix: verify a design's netlists, or evaluate a case."""

    design: str
    case: Case | None = None

    @property
    def id(self) -> str:
        return self.case.id if self.case is not None else f"verify {self.design}"


def matrix_tasks(cases: Sequence[Case], registry: Registry) -> list[Task]:
    """The tasks ``benchmarks/test_matrix.py`` runs for ``cases``: one verification per
    design in the cases (registry order), then the cases."""
    in_matrix = {c.design for c in cases}
    verifies = [Task(name) for name in registry.designs if name in in_matrix]
    return [*verifies, *(Task(c.design, c) for c in cases)]


def run_task(task: Task, options: EvaluationOptions) -> dict[str, Any]:
    """Run one task where it lands (a worker) and return its pytest-benchmark entry.

    Timed like the matrix's ``benchmark.pedantic``: one round, garbage collector off.
    """
    gc_was_enabled = gc.isenabled()
    gc.disable()
    try:
        if task.case is None:
            from accelbench.registry import get_registry

            design = get_registry().design(task.design)
            started = time.perf_counter()
            design.verify()
            seconds = time.perf_counter() - started
            return benchjson.entry("test_verify", task.design, {"design_name": task.design},
                                   benchjson.verify_extra_info(task.design), seconds)
        started = time.perf_counter()
        record: ResultRecord = task.case.run(options)
        seconds = time.perf_counter() - started
        return benchjson.entry("test_case", task.case.id,
                               {"case": f"UNSERIALIZABLE[{task.case!r}]"},
                               benchjson.case_extra_info(record), seconds)
    finally:
        if gc_was_enabled:
            gc.enable()


@dataclass
class TaskFailure:
    task: str
    reason: str


@dataclass
class TaskResults:
    entries: list[dict[str, Any]] = field(default_factory=list)
    failures: list[TaskFailure] = field(default_factory=list)


def _reason(exc: BaseException) -> str:
    if type(exc).__name__ == "KilledWorker":
        return f"its worker died (Dask gave up after retrying it: {exc})"
    return f"{type(exc).__name__}: {exc}"


def run_tasks(tasks: Sequence[Task], options: EvaluationOptions, executor: Executor,
              *, progress: bool = True) -> TaskResults:
    """Submit every task, wait for all of them, and collect entries and failures.

    Entries come back in task order. On KeyboardInterrupt the pending tasks are
    cancelled before it propagates.
    """
    futures: dict[Future, int] = {}
    results = TaskResults()
    done: dict[int, dict[str, Any]] = {}
    try:
        for i, task in enumerate(tasks):
            futures[executor.submit(run_task, task, options)] = i
        for n, future in enumerate(as_completed(futures), start=1):
            task = tasks[futures[future]]
            try:
                done[futures[future]] = future.result()
            except Exception as exc:  # a case's own error, or its worker died
                results.failures.append(TaskFailure(task.id, _reason(exc)))
                status = "FAILED"
            else:
                status = "ok"
            if progress:
                print(f"[{n}/{len(tasks)}] {status} {task.id}", flush=True)
    except BaseException:
        for future in futures:
            future.cancel()
        raise
    results.entries = [done[i] for i in sorted(done)]
    return results


# --- Dask -------------------------------------------------------------------------------


def parse_executor(spec: str) -> tuple[str, str | None]:
    """``"local"`` / ``"dask"`` / ``"dask://HOST:PORT"`` -> (kind, scheduler address)."""
    if spec in ("local", "dask"):
        return spec, None
    if spec.startswith("dask://"):
        rest = spec.removeprefix("dask://")
        host, sep, port = rest.rpartition(":")
        if not sep or not host or not port.isdigit() or not 0 < int(port) < 65536:
            raise AccelbenchError(f"--executor {spec!r}: expected dask://HOST:PORT, e.g. "
                                  f"dask://127.0.0.1:8786")
        return "dask", f"tcp://{rest}"
    raise AccelbenchError(f"unknown executor {spec!r}; choose local, dask or dask://HOST:PORT")


def worker_identity() -> dict[str, Any]:
    """What a worker must share with the client: designs and plugin versions."""
    from accelbench.registry import get_registry

    reg = get_registry()
    return {"designs": sorted(reg.designs),
            "plugins": {name: info.version for name, info in reg.plugins.items()},
            "host": socket.gethostname(), "pid": os.getpid(),
            "python": platform.python_version()}


def check_workers(identities: Mapping[str, Mapping[str, Any]], registry: Registry,
                  designs: Sequence[str]) -> None:
    """Refuse workers that lack a design of the run or load other plugin versions."""
    if not identities:
        raise AccelbenchError("the Dask cluster has no workers")
    wanted = {name: info.version for name, info in registry.plugins.items()}
    for address, ident in sorted(identities.items()):
        missing = sorted(set(designs) - set(ident["designs"]))
        if missing:
            raise AccelbenchError(f"Dask worker {address} lacks the designs {missing}: install "
                                  f"the same plugins on every worker")
        differ = sorted(p for p, v in wanted.items() if ident["plugins"].get(p) != v)
        if differ:
            raise AccelbenchError(f"Dask worker {address} loads other versions of the plugins "
                                  f"{differ} than this machine: install the same versions")


@dataclass
class DaskInfo:
    executor: Executor
    scheduler: str
    workers: int
    local: bool

    @property
    def timing(self) -> str:
        return (f"under Dask, {self.workers} workers "
                f"({'local cluster' if self.local else self.scheduler}) running concurrently")


@contextlib.contextmanager
def dask_executor(address: str | None, workers: int, registry: Registry,
                  designs: Sequence[str]) -> Iterator[DaskInfo]:
    """A ``Client.get_executor(pure=False)`` on a new local cluster (``address`` None:
    ``workers`` processes with one thread each) or on the scheduler at ``address``."""
    try:
        import logging

        import dask
        from distributed import Client, LocalCluster
    except ImportError:
        raise AccelbenchError("--executor dask needs Dask distributed: "
                              "pip install 'accelbench[dask]'") from None
    with contextlib.ExitStack() as stack:
        if address is None:
            # one task per worker at a time: when a worker dies, only the task it was
            # running counts the death (Dask blames every task assigned to that worker)
            with dask.config.set(LOCAL_CLUSTER_CONFIG):
                cluster = stack.enter_context(LocalCluster(
                    n_workers=workers, threads_per_worker=1, processes=True,
                    dashboard_address=None, silence_logs=logging.ERROR))
            client = stack.enter_context(Client(cluster))
        else:
            try:
                client = stack.enter_context(Client(address, timeout="20s"))
            except OSError as exc:
                raise AccelbenchError(f"cannot reach the Dask scheduler at {address}: "
                                      f"{exc}") from None
        try:  # a local cluster's workers, or at least one worker of a running cluster
            client.wait_for_workers(workers if address is None else 1, timeout=WAIT_SECONDS)
        except TimeoutError:
            raise AccelbenchError(f"the Dask cluster has no workers after {WAIT_SECONDS} s"
                                  ) from None
        identities = client.run(worker_identity)
        check_workers(identities, registry, designs)
        executor = client.get_executor(pure=False)
        try:
            yield DaskInfo(executor, client.scheduler_info()["address"], len(identities),
                           address is None)
        finally:
            executor.shutdown(wait=False)


# --- datasets ---------------------------------------------------------------------------


def _manifests(node: Any, found: dict[str, set[str]]) -> None:
    if isinstance(node, dict):
        prov = node.get("provenance")
        if isinstance(node.get("name"), str) and isinstance(prov, dict) \
                and isinstance(prov.get("manifest_sha256"), str):
            found.setdefault(node["name"], set()).add(prov["manifest_sha256"])
        for value in node.values():
            _manifests(value, found)
    elif isinstance(node, list):
        for value in node:
            _manifests(value, found)


def dataset_conflicts(benchmarks: Sequence[Mapping[str, Any]]) -> dict[str, set[str]]:
    """Datasets whose records name more than one manifest sha256.

    Each record states the manifest of the dataset it was evaluated on; two hashes for one
    dataset mean two processes (workers without a shared cache, or a rebuild in between)
    read different data. A run with a conflict is refused rather than published mixed.
    """
    found: dict[str, set[str]] = {}
    for bench in benchmarks:
        record = (bench.get("extra_info") or {}).get("accelbench_record")
        if isinstance(record, dict):
            _manifests(record.get("details"), found)
    return {name: hashes for name, hashes in found.items() if len(hashes) > 1}
