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


_SIZE_UNITS = {"": 1, "b": 1, "kib": 1 << 10, "k": 1 << 10, "mib": 1 << 20, "m": 1 << 20}


def size_bytes(text: str) -> int:
    """An on-chip budget: bytes, or a number with KiB/MiB (e.g. ``512KiB``, ``2MiB``)."""
    number = text.strip().rstrip("BbIiKkMm")
    unit = text.strip()[len(number):].lower()
    try:
        value = float(number) * _SIZE_UNITS[unit]
    except (KeyError, ValueError):
        raise argparse.ArgumentTypeError(f"expected a size like 2097152, 512KiB or 2MiB, "
                                         f"got {text!r}") from None
    if not value >= 1 or value != int(value) or value > 1 << 40:
        raise argparse.ArgumentTypeError(f"must be a whole number of bytes from 1 B to "
                                         f"1 TiB, got {text!r}")
    return int(value)


def _fraction(text: str, *, low_open: bool, high_open: bool) -> float:
    """``0.5`` or ``50%`` as 0.5, within [0, 1] (each end open as asked)."""
    raw = text.strip()
    try:
        value = float(raw[:-1]) / 100 if raw.endswith("%") else float(raw)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a fraction like 0.5 or 50%, "
                                         f"got {text!r}") from None
    if not (value > 0 if low_open else value >= 0) or \
            not (value < 1 if high_open else value <= 1):
        raise argparse.ArgumentTypeError(
            f"must be {'above' if low_open else 'at least'} 0 and "
            f"{'below' if high_open else 'at most'} 1 (100%), got {text!r}")
    return value


def sparsity_fraction(text: str) -> float:
    """A weight sparsity: 0 <= s < 1."""
    return _fraction(text, low_open=False, high_open=True)


def agreement_floors(text: str) -> tuple[float, ...]:
    """Top-1 agreement floors, comma-separated (``100%,90%`` or ``1,0.9``), highest first."""
    parts = [p for p in text.split(",") if p.strip()]
    if not parts:
        raise argparse.ArgumentTypeError(f"expected fractions like 1,0.9 or 100%,90%, "
                                         f"got {text!r}")
    values = [_fraction(p, low_open=True, high_open=False) for p in parts]
    return tuple(sorted(dict.fromkeys(values), reverse=True))


def cmd_report(args: argparse.Namespace) -> int:
    from accelbench.report.build import build_report
    from accelbench.report.sections import ReportSettings

    settings = ReportSettings(headline_budget=args.headline_budget,
                              headline_sparsity=args.headline_sparsity,
                              headline_agreement=args.headline_agreement)
    written = build_report(results=Path(args.results), fmt=args.format, settings=settings)
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
    p.add_argument("--headline-budget", type=size_bytes, default=None, metavar="SIZE",
                   help="on-chip feature-map budget of the headline's ShortcutFusion rows, "
                        "bytes or e.g. 512KiB, 2MiB (default: the planners' own default)")
    p.add_argument("--headline-sparsity", type=sparsity_fraction, default=None,
                   metavar="FRACTION",
                   help="weight sparsity of the headline's SPOTS rows, e.g. 0.5 or 50%% "
                        "(default 50%%; must be a point of the SPOTS sweep)")
    p.add_argument("--headline-agreement", type=agreement_floors, default=None,
                   metavar="F[,F...]",
                   help="top-1 agreement floors of the headline's DCT rows, e.g. 100%%,90%% "
                        "(default): the highest-ratio quality point at each")
    p.set_defaults(func=cmd_report)
