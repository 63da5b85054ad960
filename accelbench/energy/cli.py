"""``accelbench energy``: a model's per-access costs, and the report's energy section
recomputed from the raw records under that model (no re-run)."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from accelbench.cliutil import emit
from accelbench.energy.models import DEFAULT_MODEL, MODELS, get_model


def _cost_rows(model) -> list[list]:
    rows = [[f"MAC ({kind})", "per MAC", v] for kind, v in sorted(model.mac.items())]
    rows += [[f"operation {op}", "per operation", v] for op, v in sorted(model.operations.items())]
    rows += [[f"SRAM {p.size_bytes / 1024:g} KiB", f"per {p.access_bits}-bit access", p.energy]
             for p in sorted(model.sram, key=lambda p: p.size_bytes)]
    rows.append(["register file", f"per {model.rf_access_bits}-bit access",
                 model.rf_energy if model.rf_energy is not None else "SRAM curve at its size"])
    rows.append(["DRAM", "per byte", model.dram_per_byte])
    if model.dram_per_byte_high is not None:
        rows.append(["DRAM (high end)", "per byte", model.dram_per_byte_high])
    return rows


def cmd_energy(args: argparse.Namespace) -> int:
    from accelbench.energy.report import EnergySection
    from accelbench.report.document import Document
    from accelbench.report.raw import load_raw

    model = get_model(args.model, args.table)
    raw_dir = Path(args.results) / "raw"
    section = None
    if raw_dir.is_dir() and any(raw_dir.glob("*.json")):
        records = load_raw(raw_dir).records
        section = EnergySection(args.model, args.table).render(records)
    if args.json:
        emit({"model": model.describe(),
              "tables": [{"name": t.name, "headers": t.headers, "rows": t.rows}
                         for t in (section.tables if section else [])]}, as_json=True)
        return 0
    print(f"energy model {model.name} ({model.unit}): {model.source}")
    emit(None, as_json=False, headers=["cost", "unit", model.unit], rows=_cost_rows(model))
    for note in model.notes:
        print(f"  - {note}")
    if section is None:
        print(f"\nno raw results with energy counts in {raw_dir}: run `accelbench run` first")
        return 0
    doc = Document("energy")
    doc.heading(1, section.title)
    doc.paragraph(section.text)
    for table in section.tables:
        doc.table(table)
    text = doc.render("github")
    if args.output:
        from accelbench.fileio import atomic_write_text

        atomic_write_text(Path(args.output), text)
        print(f"\nwrote {args.output}")
    else:
        sys.stdout.write("\n" + text)
    return 0


def register(subparsers) -> None:
    p = subparsers.add_parser(
        "energy", help="energy model costs, and energy per inference recomputed from the "
                       "raw results under that model",
        description="List an energy model's per-access costs (built-in, or overridden by a "
                    "TOML table) and recompute the report's energy section from the raw "
                    "records in RESULTS/raw without re-running the matrix.")
    p.add_argument("--model", default=DEFAULT_MODEL, choices=sorted(MODELS),
                   help=f"built-in model (default {DEFAULT_MODEL})")
    p.add_argument("--table", metavar="FILE.toml",
                   help="your own per-access costs, overriding the model's (docs/energy.md)")
    p.add_argument("--results", default="results", help="results directory (default: "
                                                        "./results)")
    p.add_argument("-o", "--output", metavar="FILE.md",
                   help="write the recomputed section here instead of printing it")
    p.add_argument("--json", action="store_true", help="machine-readable output")
    p.set_defaults(func=cmd_energy)
