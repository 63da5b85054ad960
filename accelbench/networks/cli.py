"""CLI: ``accelbench networks``, ``accelbench network NAME``, ``accelbench scalesim``."""

from __future__ import annotations

import argparse
import warnings
from pathlib import Path

from accelbench.cliutil import emit
from accelbench.errors import AccelbenchError
from accelbench.fileio import atomic_write_text, check_output_file


def _registry():
    from accelbench.registry import get_registry

    return get_registry()


def cmd_networks(args: argparse.Namespace) -> int:
    nets = list(_registry().networks.values())
    data = [n.describe() for n in nets]
    rows = [[n.name, len(n), len(n.compute_layers()), f"{n.macs / 1e9:.3f}",
             f"{n.weight_count / 1e6:.2f}", len(n.shortcut_edges()), n.description]
            for n in nets]
    emit(data, as_json=args.json, headers=["network", "layers", "compute layers", "GMAC",
                                           "M weights", "shortcut edges", "description"],
         rows=rows)
    return 0


def cmd_network(args: argparse.Namespace) -> int:
    from accelbench.networks.topology import network_to_topology_csv

    if args.topology_csv:
        check_output_file(args.topology_csv, what="topology CSV")
    net = _registry().network(args.name)
    if args.topology_csv:
        atomic_write_text(args.topology_csv, network_to_topology_csv(net), what="topology CSV")
        print(f"wrote {args.topology_csv} ({len(net.compute_layers())} compute layers)")
        return 0
    rows = [[layer.name, layer.op, ", ".join(layer.inputs),
             "x".join(map(str, layer.in_shape)), "x".join(map(str, layer.out_shape)),
             "x".join(map(str, layer.kernel)) if layer.op not in ("add", "input", "fc")
             else "", layer.stride[0] if layer.op not in ("add", "input", "fc") else "",
             ",".join(map(str, layer.pads)) if any(layer.pads) else "",
             layer.groups if layer.groups > 1 else "", layer.activation, layer.macs]
            for layer in net]
    emit(net.to_json(), as_json=args.json,
         headers=["layer", "op", "inputs", "in CxHxW", "out CxHxW", "kernel", "stride",
                  "pads t,b,l,r", "groups", "activation", "MACs"], rows=rows)
    return 0


def cmd_scalesim(args: argparse.Namespace) -> int:
    from accelbench.engines.scalesim import format_report, parse_array, topology_cycles
    from accelbench.networks.topology import network_to_rows, read_topology, rows_to_csv

    if bool(args.topology) == bool(args.network):
        raise AccelbenchError("give exactly one of --topology T.csv or --network NAME")
    array = parse_array(args.array)
    if args.csv:
        check_output_file(args.csv, what="report CSV")
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        if args.topology:
            rows = read_topology(args.topology, args.input_type)
            text = Path(args.topology).read_text()  # read_topology checked it is readable
        else:
            rows = network_to_rows(_registry().network(args.network))
            text = rows_to_csv(rows)
    for w in caught:
        print(f"accelbench: warning: {w.message}")
    results = topology_cycles(rows, array, args.dataflow, args.mode)
    report = format_report(results)
    if args.csv:
        atomic_write_text(args.csv, report, what="report CSV")
    if args.check_against_scalesim is not None:
        return _check_against_scalesim(args, text, array, results, rows)
    total = sum(r.total_cycles for r in results)
    if args.json:
        emit({"array": list(array), "dataflow": args.dataflow, "mode": args.mode,
              "total_cycles": total, "layers": [r.to_json() for r in results]}, as_json=True)
    elif not args.csv:
        print(report, end="")
    else:
        print(f"wrote {args.csv}: {len(results)} layers, {total} total cycles "
              f"({args.mode} mode, {args.dataflow}, {array[0]}x{array[1]})")
    return 0


def _check_against_scalesim(args, text, array, results, rows) -> int:
    from accelbench.engines.scalesim_reference import run_reference

    gemm = bool(rows) and rows[0].gemm
    ref = run_reference(text, array, args.dataflow, gemm=gemm,
                        python=args.check_against_scalesim or None)
    bad = []
    if len(ref) != len(results):
        bad.append(f"SCALE-Sim reports {len(ref)} layers, accelbench {len(results)}")
    for r, mine in zip(ref, results, strict=False):
        theirs = (r["Total Cycles"], r["Mapping Efficiency %"])
        ours = (str(mine.total_cycles), str(mine.mapping_efficiency))
        if theirs != ours:
            bad.append(f"layer {mine.layer_id} ({mine.name}): SCALE-Sim Total Cycles, "
                       f"Mapping Efficiency % = {theirs}, accelbench {ours}")
    for line in bad:
        print(f"MISMATCH {line}")
    print(f"{len(results)} layers compared, "
          f"{len(bad)} mismatches ({args.mode} mode, {args.dataflow}, "
          f"{array[0]}x{array[1]})")
    return 1 if bad else 0


def register(subparsers) -> None:
    p = subparsers.add_parser("networks", help="list registered networks (layer graphs)",
                              description="list registered networks (layer graphs)")
    p.add_argument("--json", action="store_true", help="machine-readable output")
    p.set_defaults(func=cmd_networks)

    p = subparsers.add_parser("network", help="show one network layer by layer, or export "
                                              "it as a SCALE-Sim topology",
                              description="Show one network layer by layer, or export its "
                                          "compute layers as a SCALE-Sim topology CSV.")
    p.add_argument("name", help="network name (see `accelbench networks`)")
    p.add_argument("--json", action="store_true", help="machine-readable output")
    p.add_argument("--topology-csv", metavar="OUT.csv",
                   help="write the compute layers as a SCALE-Sim topology (padding folded "
                        "into the IFMAP size, depthwise rows named ..._DP); missing folders "
                        "are created")
    p.set_defaults(func=cmd_network)

    p = subparsers.add_parser(
        "scalesim", help="SCALE-Sim's cycle model in closed form (compatible or corrected)",
        description="Compute SCALE-Sim's COMPUTE_REPORT columns (LayerID, Total Cycles, "
                    "Stall Cycles, Overall Util %, Mapping Efficiency %, Compute Util %) "
                    "for a topology, without the trace-driven simulation.")
    p.add_argument("--topology", metavar="T.csv", help="SCALE-Sim topology CSV")
    p.add_argument("--network", metavar="NAME", help="a registered network instead")
    p.add_argument("--array", required=True, metavar="RxC",
                   help="array rows x columns, e.g. 32x32 (each 1 to 65,536)")
    p.add_argument("--dataflow", choices=("os", "ws", "is"), default="os",
                   help="output, weight or input stationary (default: os)")
    p.add_argument("--mode", choices=("compatible", "corrected"), default="compatible",
                   help="compatible: SCALE-Sim's numbers, quirks included; corrected: "
                        "floor output size, no off-by-one, os fold 2R+C+T-2")
    p.add_argument("--input-type", choices=("auto", "conv", "gemm"), default="auto",
                   help="topology form (auto: GEMM if the header reads M, N, K)")
    p.add_argument("--csv", metavar="OUT.csv",
                   help="write the report here (missing folders are created)")
    p.add_argument("--json", action="store_true", help="machine-readable output")
    p.add_argument("--check-against-scalesim", nargs="?", const="", metavar="PYTHON",
                   help="also run the real SCALE-Sim (in PYTHON, default "
                        "$ACCELBENCH_SCALESIM_PYTHON or this Python) and compare Total "
                        "Cycles and Mapping Efficiency %% layer by layer")
    p.set_defaults(func=cmd_scalesim)
