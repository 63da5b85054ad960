"""``accelbench fpga DESIGN [--netlist N] [--device D] [--freq MHZ] [--seed S] [--json]``."""

from __future__ import annotations

import argparse

from accelbench.cliutil import emit, seed_int
from accelbench.errors import AccelbenchError


def cmd_fpga(args: argparse.Namespace) -> int:
    from accelbench.netlist.fpga import FpgaFitError, netlist_fpga
    from accelbench.registry import get_registry

    design = get_registry().design(args.design)
    netlists = list(design.netlists())
    if not netlists:
        raise AccelbenchError(f"design {design.name!r} is an analytical model without a "
                              f"netlist")
    if args.netlist is not None:
        if args.netlist not in netlists:
            raise AccelbenchError(f"design {design.name!r} has no netlist {args.netlist!r}; "
                                  f"it has {', '.join(netlists)}")
        netlists = [args.netlist]
    reports, misfits = {}, {}
    for name in netlists:
        try:
            reports[name] = netlist_fpga(design, name, device=args.device,
                                         freq_mhz=args.freq, seed=args.seed,
                                         dsp=not args.no_dsp, use_cache=not args.no_cache)
        except FpgaFitError as exc:
            if len(netlists) == 1:
                raise
            misfits[name] = str(exc)
    if args.json:
        emit({"design": design.name,
              "netlists": {n: r.to_json() for n, r in reports.items()},
              "does_not_fit": misfits}, as_json=True)
    else:
        rows = [[n, r.part, r.luts, r.flip_flops, r.brams, r.dsps, r.fmax_mhz,
                 f"{r.critical_path.get('from', '')} -> {r.critical_path.get('to', '')}",
                 "; ".join(r.notes)] for n, r in reports.items()]
        emit(None, as_json=False, headers=["netlist", "device", "LUTs", "FFs", "BRAM", "DSP",
                                           "Fmax MHz", "critical path", "notes"], rows=rows)
        for name, message in misfits.items():
            print(f"{name}: {message}")
        if reports:
            print(f"\ntechnology: {next(iter(reports.values())).technology}")
    return 1 if misfits else 0


def register(sub) -> None:
    from accelbench.netlist.fpga import DEFAULT_DEVICE, DEFAULT_FREQ_MHZ, DEFAULT_SEED, DEVICES

    p = sub.add_parser("fpga", help="LUTs, flip-flops, block RAM, DSP and Fmax on a Lattice "
                                    "ECP5 (Yosys synth_ecp5 + nextpnr-ecp5)",
                       description="Implement a design's netlists on an ECP5 FPGA "
                                   "(cached by the Verilog hash).")
    p.add_argument("design", help="design name (see `accelbench designs`)")
    p.add_argument("--netlist", help="only this netlist (default: all)")
    p.add_argument("--device", choices=tuple(DEVICES), default=DEFAULT_DEVICE,
                   help=f"ECP5 size (default {DEFAULT_DEVICE})")
    p.add_argument("--freq", type=float, default=DEFAULT_FREQ_MHZ, metavar="MHZ",
                   help=f"target clock for nextpnr (default {DEFAULT_FREQ_MHZ:g})")
    p.add_argument("--seed", type=seed_int, default=DEFAULT_SEED,
                   help=f"placer seed (default {DEFAULT_SEED})")
    p.add_argument("--no-dsp", action="store_true", help="map multipliers to LUTs")
    p.add_argument("--no-cache", action="store_true", help="run the flow again")
    p.add_argument("--json", action="store_true", help="machine-readable output")
    p.set_defaults(func=cmd_fpga)
