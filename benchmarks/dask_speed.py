"""Wall time of one matrix slice: serial, ``-j 2`` local processes, a 2-worker Dask
LocalCluster; printed as ratios to the serial run.

Not part of the matrix (no ``test_`` prefix): run it as a script,
``python benchmarks/dask_speed.py`` (add ``--designs/--workloads`` globs to change the
slice). Each run is the whole ``accelbench run`` (process and cluster start-up included,
report off), into a temporary results folder. Timings on a shared machine vary between
runs: compare the ratios of one invocation only.
"""

from __future__ import annotations

import argparse
import tempfile
import time
from pathlib import Path

from accelbench.runner import run_matrix

DEFAULT_DESIGNS = ["zvc-*", "zero-rle-*", "bpc-*"]
DEFAULT_WORKLOADS = ["synthetic/*"]
MODES = {"serial": {"jobs": 1}, "local -j 2": {"jobs": 2},
         "dask, 2 workers": {"jobs": 2, "executor": "dask"}}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--designs", action="append", help="design globs of the slice")
    parser.add_argument("--workloads", action="append", help="workload globs of the slice")
    args = parser.parse_args()
    selection = {"designs": args.designs or DEFAULT_DESIGNS,
                 "workloads": args.workloads or DEFAULT_WORKLOADS, "all_workloads": True,
                 "area": False, "report": False}
    seconds = {}
    with tempfile.TemporaryDirectory(prefix="accelbench-dask-speed-") as tmp:
        for label, mode in MODES.items():
            started = time.perf_counter()
            code = run_matrix(results=Path(tmp) / label.replace(" ", "_"), name="slice",
                              **selection, **mode)
            seconds[label] = time.perf_counter() - started
            if code != 0:
                raise SystemExit(f"{label}: accelbench run failed with status {code}")
    print(f"\nslice: designs {selection['designs']} x workloads {selection['workloads']}, "
          f"area off")
    for label, s in seconds.items():
        print(f"{label:18s} {s:7.1f} s   {seconds['serial'] / s:5.2f}x the serial speed")


if __name__ == "__main__":
    main()
