"""``accelbench run``: the benchmark matrix as pytest-benchmark processes.

Each process runs a shard of the matrix and writes its own pytest-benchmark JSON into a
temporary file beside the destination; only when every shard succeeded are they merged
and moved into ``results/raw/NAME.json`` with ``os.replace``. An interrupted or failed
run therefore leaves earlier results untouched.
"""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Sequence
from pathlib import Path

import accelbench.benchmarks as bench_pkg
from accelbench.errors import AccelbenchError
from accelbench.fileio import atomic_write_text


def _pytest_command(json_path: Path, *, shard: str | None, designs, workloads, sim_words,
                    area: bool, all_workloads: bool, extra: Sequence[str]) -> list[str]:
    cmd = [sys.executable, "-m", "pytest", str(Path(bench_pkg.__file__).parent),
           "-p", "no:cacheprovider", "-q", f"--benchmark-json={json_path}",
           "--benchmark-disable-gc"]
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


def merge_benchmark_json(parts: Sequence[dict]) -> dict:
    """One pytest-benchmark document from several shard documents."""
    merged = dict(parts[0])
    merged["benchmarks"] = [b for part in parts for b in part.get("benchmarks", [])]
    return merged


def run_matrix(*, results: Path, name: str = "matrix", designs=None, workloads=None,
               jobs: int = 1, sim_words: int | None = None, area: bool = True,
               all_workloads: bool = False, report: bool = True,
               pytest_args: Sequence[str] = ()) -> int:
    if not name or "/" in name or name.startswith("."):
        raise AccelbenchError(f"invalid run name {name!r}: use a plain file stem")
    if jobs < 1:
        raise AccelbenchError("--jobs must be at least 1")
    from accelbench.matrix import matrix_cases

    if not matrix_cases(designs=designs, workloads=workloads,
                        default_only=not all_workloads):
        raise AccelbenchError(f"no case matches designs {designs or ['*']} x workloads "
                              f"{workloads or ['*']} (see `accelbench designs` and "
                              f"`accelbench workloads --all`)")
    raw_dir = results / "raw"
    raw_dir.mkdir(parents=True, exist_ok=True)
    destination = raw_dir / f"{name}.json"
    tmp_dir = Path(tempfile.mkdtemp(prefix=".tmp-run-", dir=raw_dir))
    procs: list[subprocess.Popen] = []
    started = time.monotonic()
    try:
        parts = [tmp_dir / f"shard{i}.json" for i in range(jobs)]
        for i, part in enumerate(parts):
            cmd = _pytest_command(part, shard=f"{i}/{jobs}" if jobs > 1 else None,
                                  designs=designs, workloads=workloads, sim_words=sim_words,
                                  area=area, all_workloads=all_workloads, extra=pytest_args)
            print("$ " + " ".join(cmd[2:]), flush=True)
            procs.append(subprocess.Popen(cmd))
        codes = [p.wait() for p in procs]
        if any(code not in (0,) for code in codes):
            print(f"accelbench run: pytest exited with {codes}; {destination} was left as it "
                  f"was", file=sys.stderr)
            return 1
        missing = [p.name for p in parts if not p.exists()]
        if missing:
            print(f"accelbench run: pytest-benchmark wrote no results ({missing}); "
                  f"{destination} was left as it was", file=sys.stderr)
            return 1
        documents = [json.loads(p.read_text()) for p in parts]
        merged = merge_benchmark_json(documents)
        merged["accelbench_run"] = {"name": name, "jobs": jobs,
                                    "wall_seconds": round(time.monotonic() - started, 1),
                                    "command": " ".join(sys.argv)}
        atomic_write_text(destination, json.dumps(merged, indent=1))
        print(f"wrote {destination} ({len(merged['benchmarks'])} benchmarks, "
              f"{time.monotonic() - started:.0f} s)")
    except KeyboardInterrupt:
        for p in procs:
            p.terminate()
        for p in procs:
            p.wait()
        print(f"accelbench run: interrupted; {destination} was left as it was", file=sys.stderr)
        return 130
    finally:
        shutil.rmtree(tmp_dir, ignore_errors=True)
    if report:
        from accelbench.report.build import build_report

        for path in build_report(results=results):
            print(f"wrote {path}")
    return 0
