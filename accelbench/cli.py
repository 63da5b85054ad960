"""The ``accelbench`` command line."""

from __future__ import annotations

import argparse
import importlib
import sys
from collections.abc import Sequence
from pathlib import Path

from accelbench import __version__
from accelbench.cliutil import emit
from accelbench.errors import AccelbenchError

#: modules that add their own sub-commands through ``register(subparsers)``
COMMAND_MODULES = ("accelbench.datasets.cli", "accelbench.networks.cli",
                   "accelbench.networks.plan_cli", "accelbench.energy.cli")


def _registry():
    from accelbench.registry import get_registry

    return get_registry()


def cmd_plugins(args: argparse.Namespace) -> int:
    reg = _registry()
    rows = []
    data = []
    for info in reg.plugins.values():
        contributes = {kind: sorted(n for n, p in names.items() if p == info.name)
                       for kind, names in reg.origin.items()}
        contributes = {k: v for k, v in contributes.items() if v}
        data.append({"name": info.name, "module": info.module, "distribution": info.distribution,
                     "version": info.version, "builtin": info.builtin,
                     "contributes": contributes})
        rows.append([info.name, info.distribution, info.version, info.module,
                     "; ".join(f"{k}: {', '.join(v)}" for k, v in contributes.items())])
    emit(data, as_json=args.json, headers=["plugin", "distribution", "version", "module",
                                           "contributes"], rows=rows)
    return 0


def cmd_designs(args: argparse.Namespace) -> int:
    reg = _registry()
    data, rows = [], []
    for design in reg.designs.values():
        if args.family and design.family != args.family:
            continue
        info = reg.plugin_of("design", design.name)
        entry = {**design.describe(), "plugin": info.name, "distribution": info.distribution}
        data.append(entry)
        params = ", ".join(f"{k}={v}" for k, v in design.parameters.items())
        rows.append([design.name, design.family, params, info.name, design.summary])
    emit(data, as_json=args.json, headers=["design", "family", "parameters", "plugin",
                                           "summary"], rows=rows)
    return 0


def cmd_workloads(args: argparse.Namespace) -> int:
    from accelbench.workloads import all_workloads

    loads = all_workloads(_registry(), default_only=not args.all)
    emit([w.describe() for w in loads], as_json=args.json,
         headers=["workload", "kind", "synthetic", "description"],
         rows=[[w.id, w.kind, "SYNTHETIC" if w.synthetic else "", w.description]
               for w in loads])
    return 0


def cmd_verify(args: argparse.Namespace) -> int:
    reg = _registry()
    names = args.designs or list(reg.designs)
    failed = 0
    for name in names:
        design = reg.design(name)
        try:
            design.verify(seed=args.seed)
        except AccelbenchError as exc:
            failed += 1
            print(f"FAIL {name}: {exc}")
        else:
            if design.netlists():
                print(f"ok   {name}: netlists match the golden model")
            else:
                print(f"--   {name}: analytical model, no netlist to verify")
    return 1 if failed else 0


def _netlist_name(design, requested: str | None) -> str:
    netlists = design.netlists()
    if not netlists:
        raise AccelbenchError(f"design {design.name!r} is an analytical model without a netlist")
    if requested is None:
        if len(netlists) == 1:
            return next(iter(netlists))
        raise AccelbenchError(f"design {design.name!r} has several netlists "
                              f"({', '.join(netlists)}); choose one with --netlist")
    if requested not in netlists:
        raise AccelbenchError(f"design {design.name!r} has no netlist {requested!r}; it has "
                              f"{', '.join(netlists)}")
    return requested


def cmd_verilog(args: argparse.Namespace) -> int:
    from accelbench.fileio import atomic_write_text
    from accelbench.netlist.build import build_block, module_name, to_verilog

    design = _registry().design(args.design)
    netlist = _netlist_name(design, args.netlist)
    block = build_block(design.netlists()[netlist].build)
    text = to_verilog(block, module_name(design.name, netlist))
    if args.output == "-":
        sys.stdout.write(text)
    else:
        atomic_write_text(Path(args.output), text)
        print(f"wrote {args.output} (module {module_name(design.name, netlist)})")
    return 0


def cmd_area(args: argparse.Namespace) -> int:
    from accelbench.netlist.area import netlist_area

    design = _registry().design(args.design)
    names = [_netlist_name(design, args.netlist)] if args.netlist else list(design.netlists())
    if not names:
        raise AccelbenchError(f"design {design.name!r} is an analytical model without a netlist")
    reports = {n: netlist_area(design, n, use_cache=not args.no_cache) for n in names}
    if args.json:
        emit({"design": design.name, "netlists": {n: r.to_json() for n, r in reports.items()}},
             as_json=True)
        return 0
    for n, r in reports.items():
        print(f"{design.name} {n}: {r.total_ge:.1f} GE ({r.combinational_ge:.1f} combinational"
              f" + {r.sequential_ge:.1f} in {r.flip_flops} flip-flops), memories "
              f"{r.memory_bits} bits, critical path {r.logic_levels} cell levels "
              f"(PyRTL estimate {r.pyrtl_delay_ps:.0f} ps)")
        emit(None, as_json=False, headers=["cell", "count", "GE"],
             rows=[[c, int(v["count"]), v["ge"]] for c, v in r.cells.items()])
        print()
    print(f"technology: {next(iter(reports.values())).technology}")
    return 0


def cmd_simulate(args: argparse.Namespace) -> int:
    design = _registry().design(args.design)
    result = design.example_simulation(netlist=args.netlist, vcd=args.vcd, seed=args.seed,
                                       words=args.words, simulator=args.simulator)
    emit(result, as_json=args.json, headers=["quantity", "value"],
         rows=[[k, v] for k, v in result.items()])
    return 0


def cmd_run(args: argparse.Namespace) -> int:
    from accelbench.runner import run_matrix

    return run_matrix(results=Path(args.results), name=args.name, designs=args.designs,
                      workloads=args.workloads, jobs=args.jobs, sim_words=args.sim_words,
                      area=not args.no_area, all_workloads=args.all_workloads,
                      report=not args.no_report, pytest_args=args.pytest_args)


def cmd_report(args: argparse.Namespace) -> int:
    from accelbench.report.build import build_report

    written = build_report(results=Path(args.results), fmt=args.format)
    for path in written:
        print(f"wrote {path}")
    return 0


def cmd_new_plugin(args: argparse.Namespace) -> int:
    from accelbench.scaffold import new_plugin

    root = new_plugin(args.name, Path(args.dir), force=args.force)
    print(f"wrote plugin package {root}\nnext: pip install -e {root} && accelbench designs")
    return 0


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="accelbench",
        description="CNN-accelerator memory techniques as PyRTL netlists, benchmarked on "
                    "real activations.")
    parser.add_argument("--version", action="version", version=f"accelbench {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)

    def listing(name: str, func, help_: str) -> argparse.ArgumentParser:
        p = sub.add_parser(name, help=help_, description=help_)
        p.add_argument("--json", action="store_true", help="machine-readable output")
        p.set_defaults(func=func)
        return p

    listing("plugins", cmd_plugins, "list loaded plugins and what they contribute")
    p = listing("designs", cmd_designs, "list registered designs")
    p.add_argument("--family", choices=("codec", "engine", "memory"))
    p = listing("workloads", cmd_workloads, "list the workloads of the benchmark matrix")
    p.add_argument("--all", action="store_true", help="include non-default workloads")

    p = sub.add_parser("verify", help="co-simulate designs' netlists against their golden "
                                      "models")
    p.add_argument("designs", nargs="*", metavar="DESIGN")
    p.add_argument("--seed", type=int, default=0)
    p.set_defaults(func=cmd_verify)

    p = sub.add_parser("verilog", help="export a design's netlist as Verilog")
    p.add_argument("design")
    p.add_argument("--netlist", help="which netlist of the design (if it has several)")
    p.add_argument("-o", "--output", required=True, help="output .v file, or - for stdout")
    p.set_defaults(func=cmd_verilog)

    p = listing("area", cmd_area, "area in NAND2-equivalent gates (Yosys, IHP SG13G2 cells)")
    p.add_argument("design")
    p.add_argument("--netlist", help="only this netlist (default: all)")
    p.add_argument("--no-cache", action="store_true", help="synthesise again")

    p = listing("simulate", cmd_simulate, "simulate a design on example input, optionally "
                                          "dumping a VCD waveform")
    p.add_argument("design")
    p.add_argument("--netlist")
    p.add_argument("--vcd", help="write the waveform here (uses FastSimulation)")
    p.add_argument("--words", type=int, default=64)
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--simulator", choices=("compiled", "fast"), default="compiled")

    p = sub.add_parser("run", help="run the benchmark matrix (pytest-benchmark) into "
                                   "results/raw/ and regenerate the report")
    p.add_argument("--results", default="results", help="results directory (default: "
                                                        "./results)")
    p.add_argument("--name", default="matrix", help="raw file name: results/raw/NAME.json")
    p.add_argument("--designs", action="append", metavar="GLOB")
    p.add_argument("--workloads", action="append", metavar="GLOB")
    p.add_argument("--all-workloads", action="store_true")
    p.add_argument("-j", "--jobs", type=int, default=1, help="parallel pytest processes")
    p.add_argument("--sim-words", type=int, default=None,
                   help="words per layer co-simulated through codec netlists")
    p.add_argument("--no-area", action="store_true")
    p.add_argument("--no-report", action="store_true", help="do not rebuild the report")
    p.add_argument("pytest_args", nargs="*", metavar="-- PYTEST_ARG",
                   help="extra arguments for pytest after --")
    p.set_defaults(func=cmd_run)

    p = sub.add_parser("report", help="turn results/raw/*.json into tables and plots")
    p.add_argument("--results", default="results")
    p.add_argument("--format", default="github", choices=("github", "rst", "latex", "html"))
    p.set_defaults(func=cmd_report)

    p = sub.add_parser("new-plugin", help="write a third-party plugin package skeleton")
    p.add_argument("name", help="plugin name, e.g. mycodec")
    p.add_argument("--dir", required=True, help="directory to create")
    p.add_argument("--force", action="store_true", help="write into an existing empty dir")
    p.set_defaults(func=cmd_new_plugin)

    for module_name in COMMAND_MODULES:
        try:
            module = importlib.import_module(module_name)
        except ModuleNotFoundError as exc:
            if exc.name is None or not module_name.startswith(exc.name):
                raise
            continue
        module.register(sub)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        return int(args.func(args) or 0)
    except AccelbenchError as exc:
        print(f"accelbench: error: {exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("accelbench: interrupted", file=sys.stderr)
        return 130
    except BrokenPipeError:
        return 0


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
