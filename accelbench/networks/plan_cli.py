"""CLI: ``accelbench plan NETWORK --buffer-kib B``: every registered memory planner's plan.

Planners are the registered designs of family ``memory``; each appears under its
``policy`` parameter (the built-in ShortcutFusion comparison: ``baseline``,
``lower_bound``, ``shortcutmining``, ``shortcutfusion``) or else its design name.
"""

from __future__ import annotations

import argparse
import math
import time
from typing import Any

from accelbench.cliutil import emit
from accelbench.errors import AccelbenchError

MIB = 1024 * 1024


def _positive(value: float, option: str) -> float:
    if not math.isfinite(value) or value <= 0:
        raise AccelbenchError(f"{option} must be a positive number, got {value:g}")
    return value


def plan_summary(planner: Any, network: Any, budget_bytes: int, bytes_per_value: float,
                 per_layer: bool = False) -> dict[str, Any]:
    """One planner's checked plan as JSON-ready totals (and groups with ``per_layer``)."""
    from accelbench.families.memory import check_plan

    start = time.perf_counter()
    plan = planner.plan(network, budget_bytes, bytes_per_value)
    seconds = time.perf_counter() - start
    check_plan(network, plan)
    out: dict[str, Any] = {"design": planner.name, **plan.totals(),
                           "planner_seconds": round(seconds, 4)}
    if per_layer:
        out["groups"] = [{**g.to_json(), "layers": list(g.layers)} for g in plan.groups]
        out["tensors"] = [{"name": t.name, "bytes": t.size_bytes, "live": [t.first, t.last],
                           "onchip": t.onchip, "offset": t.offset,
                           "dram_read_bytes": t.dram_read_bytes,
                           "dram_write_bytes": t.dram_write_bytes, "shortcut": t.shortcut}
                          for t in plan.tensors]
    return out


def cmd_plan(args: argparse.Namespace) -> int:
    from accelbench.families.memory import max_live_bytes
    from accelbench.registry import get_registry

    budget_kib = _positive(args.buffer_kib, "--buffer-kib")
    bpv = _positive(args.bytes_per_value, "--bytes-per-value")
    budget = int(budget_kib * 1024)
    if budget < 1:
        raise AccelbenchError(f"--buffer-kib {budget_kib:g} is less than one byte")
    reg = get_registry()
    network = reg.network(args.network)
    planners = [d for d in reg.designs.values() if d.family == "memory"]
    if not planners:
        raise AccelbenchError("no memory planner is registered (accelbench designs "
                              "--family memory)")
    policies = {}
    for planner in planners:
        key = str(planner.parameters.get("policy", planner.name))
        policies[key] = plan_summary(planner, network, budget, bpv, args.per_layer)
    base = policies.get("baseline", {}).get("dram_bytes")
    for entry in policies.values():
        if base:
            entry["reduction_vs_baseline"] = round(1 - entry["dram_bytes"] / base, 6)
    data = {"network": network.name, "budget_bytes": budget, "bytes_per_value": bpv,
            "max_live_bytes": max_live_bytes(network, bpv), "policies": policies}
    rows = [[key, e["design"], f"{e['dram_bytes'] / MIB:.3f}",
             f"{e['dram_read_bytes'] / MIB:.3f}", f"{e['dram_write_bytes'] / MIB:.3f}",
             f"{e['weight_bytes'] / MIB:.3f}", f"{e['peak_onchip_bytes'] / 1024:.1f}",
             f"{100 * e['reduction_vs_baseline']:.1f}" if "reduction_vs_baseline" in e
             else ""] for key, e in policies.items()]
    if args.json:
        emit(data, as_json=True)
        return 0
    print(f"{network.name}: on-chip feature-map budget {budget_kib:g} KiB, {bpv:g} byte(s) "
          f"per value; largest live set {data['max_live_bytes'] / 1024:.1f} KiB")
    emit(None, as_json=False, headers=["policy", "design", "DRAM MiB", "read MiB",
                                       "write MiB", "weights MiB", "peak on-chip KiB",
                                       "reduction vs baseline %"], rows=rows)
    if args.per_layer:
        for key, e in policies.items():
            print(f"\n{key}: groups of nodes")
            emit(None, as_json=False,
                 headers=["group", "first layer", "last layer", "layers", "on-chip tensors",
                          "FM read KiB", "FM write KiB", "weights KiB", "peak KiB"],
                 rows=[[g["index"], g["layers"][0], g["layers"][-1], g["layer_count"],
                        f"{g['onchip_tensors']}/{g['tensors']}",
                        f"{g['dram_read_bytes'] / 1024:.1f}",
                        f"{g['dram_write_bytes'] / 1024:.1f}",
                        f"{g['weight_bytes'] / 1024:.1f}",
                        f"{g['peak_onchip_bytes'] / 1024:.1f}"] for g in e["groups"]])
    return 0


def register(subparsers) -> None:
    p = subparsers.add_parser(
        "plan", help="plan a network's tensors on chip or in DRAM with every memory planner",
        description="For an on-chip feature-map budget, the DRAM traffic of each registered "
                    "memory planner (built in: baseline, lower_bound, shortcutmining, "
                    "shortcutfusion), every plan checked.")
    p.add_argument("network", help="a registered network (accelbench networks)")
    p.add_argument("--buffer-kib", type=float, required=True, metavar="B",
                   help="on-chip feature-map budget in KiB")
    p.add_argument("--bytes-per-value", type=float, default=1.0, metavar="N",
                   help="bytes per activation and weight (default 1: int8)")
    p.add_argument("--per-layer", action="store_true",
                   help="also show each group of nodes (and, with --json, every tensor)")
    p.add_argument("--json", action="store_true", help="machine-readable output")
    p.set_defaults(func=cmd_plan)
