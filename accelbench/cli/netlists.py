"""``accelbench verify``, ``verilog``, ``area`` and ``simulate``: one design's netlists."""

from __future__ import annotations

import argparse
import contextlib
import sys

from accelbench.cli.listing import listing
from accelbench.cliutil import emit, int_range, seed_int
from accelbench.errors import AccelbenchError
from accelbench.fileio import atomic_output, atomic_write_text, check_output_file

#: ``simulate --words`` bound: the stimulus and the trace are held in memory
MAX_EXAMPLE_WORDS = 1_000_000


def _registry():
    from accelbench.registry import get_registry

    return get_registry()


def cmd_verify(args: argparse.Namespace) -> int:
    if args.simulator == "verilator":
        from accelbench.netlist.rtl_verify import verify_designs

        return verify_designs(args.designs, seed=args.seed)
    reg = _registry()
    names = args.designs or list(reg.designs)
    designs = [reg.design(name) for name in names]  # unknown names fail before any work
    failed = 0
    for design in designs:
        try:
            reg.check_netlists(design.name)
            design.verify(seed=args.seed)
        except AccelbenchError as exc:
            failed += 1
            print(f"FAIL {design.name}: {exc}")
        else:
            if design.netlists():
                print(f"ok   {design.name}: netlists match the golden model")
            else:
                print(f"--   {design.name}: analytical model, no netlist to verify")
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
    from accelbench.netlist.build import build_block, module_name, to_verilog

    if args.output != "-":
        check_output_file(args.output, what="Verilog file")
    design = _registry().design(args.design)
    netlist = _netlist_name(design, args.netlist)
    block = build_block(design.netlists()[netlist].build)
    text = to_verilog(block, module_name(design.name, netlist))
    if args.output == "-":
        sys.stdout.write(text)
    else:
        atomic_write_text(args.output, text, what="Verilog file")
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
    vcd = atomic_output(args.vcd, what="VCD file") if args.vcd else contextlib.nullcontext()
    with vcd as vcd_tmp:
        result = design.example_simulation(
            netlist=args.netlist, vcd=str(vcd_tmp) if vcd_tmp else None, seed=args.seed,
            words=args.words, simulator=args.simulator)
    if args.vcd and isinstance(result, dict) and "vcd" in result:
        result["vcd"] = args.vcd
    emit(result, as_json=args.json, headers=["quantity", "value"],
         rows=[[k, v] for k, v in result.items()])
    return 0


def register(sub) -> None:
    p = sub.add_parser("verify", help="co-simulate designs' netlists against their golden "
                                      "models",
                       description="Build every netlist of each design and co-simulate it "
                                   "against the design's golden model on random inputs. "
                                   "Exit status 1 if any design fails.")
    p.add_argument("designs", nargs="*", metavar="DESIGN",
                   help="designs to verify (default: all; see `accelbench designs`)")
    p.add_argument("--seed", type=seed_int, default=0, help="random seed of the inputs")
    p.add_argument("--simulator", choices=("pyrtl", "verilator"), default="pyrtl",
                   help="pyrtl: netlists against golden models; verilator: the exported "
                        "Verilog against PyRTL and the golden models (cocotb; docs/rtl.md)")
    p.set_defaults(func=cmd_verify)

    p = sub.add_parser("verilog", help="export a design's netlist as Verilog",
                       description="Export one netlist of a design as a Verilog module "
                                   "(asynchronous active-high reset `rst`).")
    p.add_argument("design", help="design name (see `accelbench designs`)")
    p.add_argument("--netlist", help="which netlist of the design (if it has several)")
    p.add_argument("-o", "--output", required=True,
                   help="output .v file (missing folders are created), or - for stdout")
    p.set_defaults(func=cmd_verilog)

    p = listing(sub, "area", cmd_area, "area in NAND2-equivalent gates (Yosys, IHP SG13G2 "
                                       "cells)")
    p.add_argument("design", help="design name (see `accelbench designs`)")
    p.add_argument("--netlist", help="only this netlist (default: all)")
    p.add_argument("--no-cache", action="store_true",
                   help="synthesise again instead of reading the cached report")

    p = listing(sub, "simulate", cmd_simulate, "simulate a design on example input, "
                                               "optionally dumping a VCD waveform")
    p.add_argument("design", help="design name (see `accelbench designs`)")
    p.add_argument("--netlist", help="which netlist (default: the design's example)")
    p.add_argument("--vcd", metavar="FILE",
                   help="write the waveform here (uses FastSimulation; missing folders are "
                        "created)")
    p.add_argument("--words", type=int_range(1, MAX_EXAMPLE_WORDS), default=64,
                   help=f"example input words, 1 to {MAX_EXAMPLE_WORDS:,} (default: 64)")
    p.add_argument("--seed", type=seed_int, default=0, help="random seed of the input")
    p.add_argument("--simulator", choices=("compiled", "fast"), default="compiled",
                   help="PyRTL simulator (default: compiled; --vcd forces fast)")
