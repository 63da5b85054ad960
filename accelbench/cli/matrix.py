"""``accelbench run`` (the benchmark matrix) and ``accelbench report`` (the tables)."""

from __future__ import annotations

import argparse
from pathlib import Path

from accelbench.cliutil import int_range, non_negative_int

#: ``-j`` bound: more processes than this on one machine is a typo
MAX_JOBS = 512


def cmd_run(args: argparse.Namespace) -> int:
    from accelbench.runner import run_matrix

    return run_matrix(results=Path(args.results), name=args.name, designs=args.designs,
                      workloads=args.workloads, jobs=args.jobs, sim_words=args.sim_words,
                      area=not args.no_area, all_workloads=args.all_workloads,
                      report=not args.no_report, pytest_args=args.pytest_args,
                      executor=args.executor, merge=args.merge)


def cmd_report(args: argparse.Namespace) -> int:
    from accelbench.report.build import build_report

    written = build_report(results=Path(args.results), fmt=args.format)
    for path in written:
        print(f"wrote {path}")
    return 0


def register(sub) -> None:
    from accelbench.report.document import FORMATS

    p = sub.add_parser(
        "run", help="run the benchmark matrix (pytest-benchmark) into results/raw/ and "
                    "regenerate the report",
        description="Run the benchmark matrix: every design on every workload it accepts, "
                    "then the measurement benchmarks, into RESULTS/raw/NAME.json (written "
                    "only when the whole run succeeded), then rebuild the report. A run "
                    "filtered by --designs/--workloads writes RESULTS/raw/partial-...json "
                    "beside the published matrix (or, with --merge, updates its cases in "
                    "NAME.json); the report shows the newest record of each case.")
    p.add_argument("--results", default="results", metavar="DIR",
                   help="results folder, created if missing (default: ./results)")
    p.add_argument("--name", default=None,
                   help="raw file name RESULTS/raw/NAME.json (default: matrix for the whole "
                        "matrix or with --merge, partial-<selection> for a filtered run)")
    p.add_argument("--merge", action="store_true",
                   help="replace the entries of the cases run in NAME.json and keep the "
                        "others, instead of writing a partial file")
    p.add_argument("--designs", action="append", metavar="GLOB",
                   help="only designs matching GLOB (repeatable), e.g. 'zvc-*'")
    p.add_argument("--workloads", action="append", metavar="GLOB",
                   help="only workloads matching GLOB (repeatable), e.g. 'synthetic/*'")
    p.add_argument("--all-workloads", action="store_true",
                   help="include workloads outside the default matrix")
    p.add_argument("-j", "--jobs", type=int_range(1, MAX_JOBS), default=1,
                   help="parallel local pytest processes, or workers of a local Dask "
                        "cluster (default: 1)")
    p.add_argument("--executor", default="local", metavar="local|dask|dask://HOST:PORT",
                   help="where the cases run: local pytest processes (default), a local "
                        "Dask cluster of -j worker processes, or the Dask scheduler at "
                        "HOST:PORT (needs accelbench[dask])")
    p.add_argument("--sim-words", type=non_negative_int, default=None,
                   help="words per layer co-simulated through codec netlists (0: no "
                        "co-simulation; default 2048)")
    p.add_argument("--no-area", action="store_true", help="skip Yosys area figures")
    p.add_argument("--no-report", action="store_true", help="do not rebuild the report")
    p.add_argument("pytest_args", nargs="*", metavar="-- PYTEST_ARG",
                   help="extra arguments for the pytest processes after --")
    p.set_defaults(func=cmd_run)

    p = sub.add_parser("report", help="turn results/raw/*.json into tables and plots",
                       description="Rebuild the report (document, CSV tables, PNG plots) "
                                   "from every raw file in RESULTS/raw; also repairs a "
                                   "report that an interrupted run left behind.")
    p.add_argument("--results", default="results", metavar="DIR",
                   help="results folder holding raw/ (default: ./results)")
    p.add_argument("--format", default="github", choices=tuple(FORMATS),
                   help="document format: github (Markdown README.md, default), rst, "
                        "latex or html")
    p.set_defaults(func=cmd_report)
