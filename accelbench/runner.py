"""``accelbench run``: the benchmark matrix into ``results/raw/NAME.json`` and the report.

A run has two phases. The matrix (``benchmarks/test_matrix.py``: one verification per
design, one evaluation per case) runs in ``-j`` local pytest processes, or on Dask
(:mod:`accelbench.executors`). The measurement benchmarks (the other files of
``benchmarks/``: speeds, timed on purpose) then run in one serial pytest process, only in
a run of the whole matrix.

Nothing reaches ``results/`` until both phases succeeded: every process writes into a
temporary folder beside the destination; the merged raw file and the report rebuilt from
it are then written together with SIGINT and SIGTERM held (:func:`commit`). A failed or
interrupted run leaves earlier results as they were.

Which raw file a run writes:

* the whole matrix (no ``--designs``/``--workloads``): ``NAME.json``, default ``matrix``;
* a filtered run: ``partial-<selection>.json`` beside the published matrix, so the
  published ``matrix.json`` and the other techniques' tables are kept (the report shows
  the newest record of each case); with ``--merge`` its entries replace those of the same
  cases in ``NAME.json`` and every other entry is kept; an explicit ``--name`` is used
  as given.
"""

from __future__ import annotations

import hashlib
import json
import re
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import accelbench.benchmarks as bench_pkg
from accelbench import benchjson
from accelbench.design import EvaluationOptions
from accelbench.errors import AccelbenchError
from accelbench.fileio import atomic_write_bytes, check_output_file, ensure_dir, signals_deferred
from accelbench.registry import Registry

NAME_RE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._+-]{0,99}$")
MATRIX_FILE = "test_matrix.py"
#: pytest's "no tests were collected" (a measurement pass that the user's -k deselects)
NO_TESTS = 5


def partial_name(designs: Sequence[str] | None, workloads: Sequence[str] | None) -> str:
    """The raw-file stem of a filtered run: readable, and the same for the same filters."""
    def slug(patterns: Sequence[str] | None) -> str:
        if not patterns:
            return "all"
        text = "+".join(patterns).replace("*", "any").replace("?", "one")
        return re.sub(r"[^A-Za-z0-9.+-]+", "_", text).strip("_") or "x"

    stem = f"partial-{slug(designs)}--{slug(workloads)}"
    if len(stem) > 80:
        digest = hashlib.sha256(stem.encode()).hexdigest()[:10]
        stem = f"{stem[:69]}-{digest}"
    return stem


def _pytest_command(json_path: Path, targets: Sequence[str], *, shard: str | None,
                    designs, workloads, sim_words, area: bool, all_workloads: bool,
                    extra: Sequence[str]) -> list[str]:
    cmd = [sys.executable, "-m", "pytest", *targets, "-p", "no:cacheprovider", "-q",
           f"--benchmark-json={json_path}", "--benchmark-disable-gc"]
    for pattern in designs or ():
        cmd += ["--designs", pattern]
    for pattern in workloads or ():
        cmd += ["--workloads", pattern]
    if sim_words is not None:
        cmd += ["--sim-words", str(sim_words)]
    if not area:
        cmd.append("--no-area")
    if all_workloads:
        cmd.append("--all-workloads")
    if shard:
        cmd += ["--shard", shard]
    return [*cmd, *extra]


def _stop(procs: Sequence[subprocess.Popen]) -> None:
    for p in procs:
        if p.poll() is None:
            p.terminate()
    for p in procs:
        try:
            p.wait(timeout=15)
        except subprocess.TimeoutExpired:
            p.kill()
            p.wait()


def _pytest_phase(commands: Sequence[tuple[list[str], Path]], procs: list[subprocess.Popen],
                  *, allow_empty: bool = False) -> list[dict[str, Any]] | str:
    """Run pytest processes in parallel; their documents, or why the phase failed."""
    for cmd, _ in commands:
        print("$ " + " ".join(cmd[2:]), flush=True)
        procs.append(subprocess.Popen(cmd))
    started = procs[-len(commands):]
    codes = [p.wait() for p in started]
    docs = []
    for code, (_, path) in zip(codes, commands, strict=True):
        if code == NO_TESTS and allow_empty:
            continue
        if code != 0:
            return f"pytest exited with {codes}"
        if not path.exists():
            return f"pytest-benchmark wrote no results ({path.name})"
        try:
            docs.append(json.loads(path.read_text()))
        except ValueError as exc:
            return f"pytest-benchmark wrote an unreadable file {path.name}: {exc}"
    return docs


def _options(sim_words: int | None, area: bool) -> EvaluationOptions:
    """The options ``benchmarks/conftest.py`` gives the matrix for the same flags."""
    return EvaluationOptions(sim_words=EvaluationOptions.sim_words if sim_words is None
                             else sim_words, area=area)


def run_matrix(*, results: Path, name: str | None = None, designs=None, workloads=None,
               jobs: int = 1, sim_words: int | None = None, area: bool = True,
               all_workloads: bool = False, report: bool = True,
               pytest_args: Sequence[str] = (), executor: str = "local", merge: bool = False,
               registry: Registry | None = None) -> int:
    """Run the matrix (see the module docstring); return the exit status."""
    from accelbench.executors import parse_executor
    from accelbench.matrix import matrix_cases
    from accelbench.registry import get_registry

    kind, address = parse_executor(executor)
    if jobs < 1:
        raise AccelbenchError("--jobs must be at least 1")
    if sim_words is not None and sim_words < 0:
        raise AccelbenchError("--sim-words must be at least 0 (0: no co-simulation)")
    registry = registry or get_registry()
    cases = matrix_cases(registry, designs=designs, workloads=workloads,
                         default_only=not all_workloads)
    if not cases:
        raise AccelbenchError(f"no case matches designs {designs or ['*']} x workloads "
                              f"{workloads or ['*']} (see `accelbench designs` and "
                              f"`accelbench workloads --all`)")
    filtered = bool(designs or workloads)
    name = name or ("matrix" if merge or not filtered else partial_name(designs, workloads))
    if not NAME_RE.match(name):
        raise AccelbenchError(f"invalid run name {name!r}: use a plain file stem (letters, "
                              f"digits, . _ + -)")
    raw_dir = ensure_dir(results / "raw", what="results folder")
    destination = check_output_file(raw_dir / f"{name}.json", what="raw result file")
    old = _old_document(destination) if merge and destination.exists() else None
    flags = dict(designs=designs, workloads=workloads, sim_words=sim_words, area=area,
                 all_workloads=all_workloads, extra=pytest_args)
    tmp_dir = Path(tempfile.mkdtemp(prefix=".tmp-run-", dir=raw_dir))
    procs: list[subprocess.Popen] = []
    started = time.monotonic()
    bench_dir = Path(bench_pkg.__file__).parent
    try:
        if kind == "local":
            commands = [(_pytest_command(tmp_dir / f"shard{i}.json", [str(bench_dir / MATRIX_FILE)],
                                         shard=f"{i}/{jobs}" if jobs > 1 else None, **flags),
                         tmp_dir / f"shard{i}.json") for i in range(jobs)]
            parts = _pytest_phase(commands, procs)
            timing = "serial" if jobs == 1 else f"in {jobs} parallel local processes"
        else:
            parts, timing = _dask_phase(address, jobs, registry, cases,
                                        _options(sim_words, area))
        if isinstance(parts, str):
            print(f"accelbench run: {parts}; {destination} was left as it was",
                  file=sys.stderr)
            return 1
        if not filtered:
            measured = _pytest_phase([(_pytest_command(
                tmp_dir / "measurements.json",
                [str(bench_dir), f"--ignore={bench_dir / MATRIX_FILE}"], shard=None, **flags),
                tmp_dir / "measurements.json")], procs, allow_empty=True)
            if isinstance(measured, str):
                print(f"accelbench run: measurement benchmarks: {measured}; {destination} was "
                      f"left as it was", file=sys.stderr)
                return 1
            parts += measured
        doc = benchjson.merge(parts)
        doc["accelbench_run"] = {
            "name": name, "executor": executor, "jobs": jobs, "timing": timing,
            "selection": {"designs": list(designs or []), "workloads": list(workloads or []),
                          "all_workloads": all_workloads},
            "measurements": "serial, after the matrix" if not filtered else "not run",
            "wall_seconds": round(time.monotonic() - started, 1),
            "command": " ".join(sys.argv)}
        if old is not None:
            doc = benchjson.update(old, doc)
        _check_datasets(doc)
        return commit(results, destination, doc, report=report)
    except KeyboardInterrupt:
        _stop(procs)
        print(f"accelbench run: interrupted; {destination} was left as it was", file=sys.stderr)
        raise
    finally:
        _stop(procs)
        shutil.rmtree(tmp_dir, ignore_errors=True)


def _dask_phase(address, jobs, registry, cases, options) -> tuple[list[dict] | str, str]:
    from accelbench.executors import dask_executor, matrix_tasks, run_tasks

    tasks = matrix_tasks(cases, registry)
    with dask_executor(address, jobs, registry, sorted({c.design for c in cases})) as info:
        print(f"Dask: {info.workers} workers, scheduler {info.scheduler}; {len(tasks)} tasks",
              flush=True)
        outcome = run_tasks(tasks, options, info.executor)
    if outcome.failures:
        for failure in outcome.failures:
            print(f"FAILED {failure.task}: {failure.reason}", file=sys.stderr)
        return (f"{len(outcome.failures)} of {len(tasks)} tasks failed (the other "
                f"{len(outcome.entries)} finished)"), info.timing
    return [benchjson.document(outcome.entries)], info.timing


def _old_document(path: Path) -> dict[str, Any]:
    from accelbench.report.raw import parse_raw, read_document

    doc, digest = read_document(path)
    parse_raw({path.name: (doc, digest)})  # refuse to merge into a damaged file
    return doc


def _check_datasets(doc: dict[str, Any]) -> None:
    from accelbench.executors import dataset_conflicts

    conflicts = dataset_conflicts(doc["benchmarks"])
    if conflicts:
        detail = "; ".join(f"{name}: {', '.join(sorted(h[:12] for h in hashes))}"
                           for name, hashes in sorted(conflicts.items()))
        raise AccelbenchError(f"records of one dataset were evaluated on different data "
                              f"(manifest sha256 {detail}): give every worker the same "
                              f"dataset cache (ACCELBENCH_CACHE) and run again; nothing was "
                              f"written")


def commit(results: Path, destination: Path, doc: dict[str, Any], *, report: bool) -> int:
    """Write the raw file and the report rebuilt from it as one step.

    The report is rendered first (from the other raw files and the new document); then the
    raw file and every report file are written with SIGINT/SIGTERM held. If the report
    cannot be rendered, the raw file is still written (the measurements are not lost) and
    the error says so; ``accelbench report`` rebuilds the report from the raw files.
    """
    from accelbench.report.build import render_report, write_report
    from accelbench.report.raw import parse_raw, raw_files, read_document

    data = json.dumps(doc, indent=1).encode()
    count = len(doc["benchmarks"])
    if not report:
        with signals_deferred():
            atomic_write_bytes(destination, data, what="raw result file")
        print(f"wrote {destination} ({count} benchmarks)")
        return 0
    try:
        documents = {p.name: read_document(p) for p in raw_files(destination.parent)
                     if p != destination}
        documents[destination.name] = (doc, hashlib.sha256(data).hexdigest())
        files = render_report(parse_raw(documents), results)
    except AccelbenchError as exc:
        with signals_deferred():
            atomic_write_bytes(destination, data, what="raw result file")
        print(f"wrote {destination} ({count} benchmarks)")
        raise AccelbenchError(f"the report was not rebuilt: {exc}; fix that and run "
                              f"`accelbench report --results {results}`") from None
    written = write_report(results, files, extra={destination: data})
    print(f"wrote {destination} ({count} benchmarks)")
    for path in written:
        print(f"wrote {path}")
    return 0
