"""``accelbench plugins``, ``designs`` and ``workloads``: what the registry holds."""

from __future__ import annotations

import argparse

from accelbench.cliutil import emit
from accelbench.design import FAMILIES


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
        if args.check:
            reg.check_netlists(design.name)
        info = reg.plugin_of("design", design.name)
        entry = {**design.describe(), "plugin": info.name, "distribution": info.distribution}
        data.append(entry)
        params = ", ".join(f"{k}={v}" for k, v in design.parameters.items())
        netlists = ", ".join(entry["netlists"]) or "(analytical)"
        rows.append([design.name, design.family, params, netlists, info.name, design.summary])
    emit(data, as_json=args.json, headers=["design", "family", "parameters", "netlists",
                                           "plugin", "summary"], rows=rows)
    return 0


def cmd_workloads(args: argparse.Namespace) -> int:
    from accelbench.workloads import all_workloads

    loads = all_workloads(_registry(), default_only=not args.all)
    emit([w.describe() for w in loads], as_json=args.json,
         headers=["workload", "kind", "synthetic", "description"],
         rows=[[w.id, w.kind, "SYNTHETIC" if w.synthetic else "", w.description]
               for w in loads])
    return 0


def listing(sub, name: str, func, help_: str) -> argparse.ArgumentParser:
    """A sub-command with ``--json``."""
    p = sub.add_parser(name, help=help_, description=help_)
    p.add_argument("--json", action="store_true", help="machine-readable output")
    p.set_defaults(func=func)
    return p


def register(sub) -> None:
    listing(sub, "plugins", cmd_plugins, "list loaded plugins, their distribution and what "
                                         "they contribute")
    p = listing(sub, "designs", cmd_designs, "list registered designs: family, parameters, "
                                             "netlists, plugin")
    p.add_argument("--family", choices=FAMILIES, help="only designs of this family")
    p.add_argument("--check", action="store_true",
                   help="also build every netlist once, naming the plugin of one that fails")
    p = listing(sub, "workloads", cmd_workloads, "list the workloads of the benchmark matrix")
    p.add_argument("--all", action="store_true",
                   help="include workloads outside the default matrix")
