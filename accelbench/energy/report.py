"""The report's energy section: energy per inference of every record that counted its
accesses, by component, recomputed from the stored counts under a chosen model."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from accelbench.energy.breakdown import EnergyBreakdown, breakdown, counts_from_record
from accelbench.energy.models import DEFAULT_MODEL, EnergyModel, get_model
from accelbench.records import ResultRecord
from accelbench.report.plots import mark_empty
from accelbench.report.sections import Plot, SectionOutput, Table

#: the papers' energy claims, each in its own setting (context, not our measurement)
PAPER_CLAIMS = (
    ("DCT (Shao et al. 2021)", "memory traffic is over 70 % of system energy",
     "the paper's accelerator and memory system (FPGA / TSMC 28 nm)"),
    ("EBPC (Cavigelli et al. 2019)", "compression cuts the I/O energy of feature maps",
     "65 nm, 600 MHz compressor/decompressor"),
    ("ShortcutFusion (Nguyen et al. 2021)", "9.9x more power-efficient than an RTX 2080 Ti",
     "KCU1500 FPGA against a GPU, 256x256 YOLOv3"),
    ("SPOTS (Soltaniyeh et al. 2022)", "78x and 12x more energy-efficient than CPU and GPU",
     "their accelerator model against a CPU and a GPU"),
)


def record_network(record: ResultRecord) -> str:
    """The network a record's inference belongs to (codecs: their dataset's network)."""
    ds = record.details.get("dataset") or {}
    if record.family == "codec":
        return str(ds.get("network") or ds.get("name") or record.workload.get("id", ""))
    return str(record.workload.get("id", "")).removeprefix("net/")


def _format(record: ResultRecord) -> str:
    return str((record.details.get("dataset") or {}).get("format", ""))


def _row_label(record: ResultRecord) -> str:
    fmt = _format(record)
    return f"{record.design} ({fmt})" if fmt else record.design


@dataclass
class EnergyRow:
    network: str
    label: str
    technique: str
    role: str
    energy: EnergyBreakdown


def energy_rows(records: Sequence[ResultRecord], model: EnergyModel) -> list[EnergyRow]:
    rows = []
    for r in records:
        counts = counts_from_record(r)
        if counts is None:
            continue
        role = "baseline" if r.baseline_for else "technique"
        rows.append(EnergyRow(record_network(r), _row_label(r), r.technique, role,
                              breakdown(counts, model)))
        base = counts_from_record(r, "baseline_counts")
        if base is not None:
            rows.append(EnergyRow(record_network(r), f"uncompressed maps ({_format(r)})",
                                  "-", "baseline", breakdown(base, model)))
    seen, unique = set(), []
    for row in rows:  # one "uncompressed" row per network and format
        key = (row.network, row.label)
        if key not in seen:
            seen.add(key)
            unique.append(row)
    return sorted(unique, key=lambda x: (x.network, x.role != "baseline", x.label))


def _r(value: float | None, digits: int = 1) -> float | None:
    return None if value is None else round(value, digits)


@dataclass
class EnergySection:
    """Energy per inference under ``model`` (default ``horowitz45``)."""

    model_name: str = DEFAULT_MODEL
    table_path: str | None = None
    name: str = "energy"
    order: int = 80

    def model(self) -> EnergyModel:
        return get_model(self.model_name, self.table_path)

    def render(self, records: Sequence[ResultRecord]) -> SectionOutput | None:
        model = self.model()
        rows = energy_rows(records, model)
        if not rows:
            return None
        unit = model.unit
        table = Table(
            "energy_per_inference", f"Energy per inference by component ({unit}, "
            f"{model.name})",
            ["network", "design", "technique", "role", f"total ({unit})", "DRAM", "SRAM",
             "RF", "MAC", "memory share", f"total, high DRAM cost ({unit})"],
            [[x.network, x.label, x.technique, x.role, _r(x.energy.total), _r(x.energy.dram),
              _r(x.energy.sram), _r(x.energy.rf), _r(x.energy.mac),
              round(x.energy.memory_share, 4),
              _r(x.energy.total - x.energy.dram + x.energy.dram_high)
              if x.energy.dram_high is not None else None] for x in rows],
            notes=[f"Model: {model.source}.", *model.notes,
                   "Codec rows count only the feature-map DRAM traffic (every recorded map "
                   "written once and read back once); engine rows count the engine's own "
                   "MACs, buffers and DRAM traffic; planner rows their DRAM and on-chip "
                   "buffer traffic. Not counted: leakage, clock tree, control and codec or "
                   "controller logic.",
                   *sorted({a for x in rows for a in x.energy.notes})])
        savings = self._savings(records, model)
        tables = [table] + ([savings] if savings is not None else [])
        tables.append(Table("energy_paper_claims", "The papers' energy claims (their settings, "
                            "not ours)", ["paper", "claim", "setting"],
                            [list(c) for c in PAPER_CLAIMS]))
        engines = [x for x in rows if x.energy.mac]
        text = (f"Energy per inference from the accesses each record counted, priced with "
                f"`{model.name}` ({unit}). Recompute under another model or your own table "
                f"with `accelbench energy --model NAME [--table FILE]`.")
        if engines:
            shares = sorted(x.energy.memory_share for x in engines)
            text += (f" Memory (DRAM + SRAM + RF) share of total energy on the compute "
                     f"engines: {shares[0]:.0%} to {shares[-1]:.0%} (median "
                     f"{shares[len(shares) // 2]:.0%}); the DCT paper says memory traffic "
                     f"is over 70 % of system energy in its setting.")
        return SectionOutput("Energy per inference", text=text, tables=tables,
                             plots=[_stacked_plot(rows, unit)])

    def _savings(self, records: Sequence[ResultRecord], model: EnergyModel) -> Table | None:
        out = []
        for r in records:
            ours, base = counts_from_record(r), counts_from_record(r, "baseline_counts")
            if ours is None or base is None:
                continue
            a, b = breakdown(ours, model).total, breakdown(base, model).total
            out.append([record_network(r), _row_label(r), r.technique,
                        (r.details.get("energy") or {}).get("baseline", ""), _r(b), _r(a),
                        _r(b - a), round(1 - a / b, 4) if b else None])
        counted = [r for r in records if counts_from_record(r) is not None]
        for r in counted:  # a technique against each baseline record of the same network
            if r.baseline_for:
                continue
            a = breakdown(counts_from_record(r), model).total
            for base in counted:
                if r.technique not in base.baseline_for or \
                        record_network(base) != record_network(r) or \
                        _format(base) != _format(r):
                    continue
                b = breakdown(counts_from_record(base), model).total
                out.append([record_network(r), _row_label(r), r.technique, base.design,
                            _r(b), _r(a), _r(b - a), round(1 - a / b, 4) if b else None])
        if not out:
            return None
        return Table("energy_savings", f"Energy saved against the baseline ({model.unit})",
                     ["network", "design", "technique", "baseline", "baseline energy",
                      "energy", "saved", "saved fraction"], sorted(out))


def _stacked_plot(rows: list[EnergyRow], unit: str) -> Plot:
    networks = sorted({x.network for x in rows})

    def draw(fig: Any) -> None:
        for i, net in enumerate(networks or ["(none)"]):
            ax = fig.add_subplot(len(networks) or 1, 1, i + 1)
            mine = [x for x in rows if x.network == net]
            if not mine:
                mark_empty(ax)
                continue
            bottom = [0.0] * len(mine)
            for part in ("dram", "sram", "rf", "mac"):
                vals = [getattr(x.energy, part) for x in mine]
                ax.barh(range(len(mine)), vals, left=bottom, label=part.upper())
                bottom = [b + v for b, v in zip(bottom, vals, strict=True)]
            ax.set_yticks(range(len(mine)))
            ax.set_yticklabels([x.label for x in mine], fontsize=6)
            ax.set_xlim(0, max(max(bottom), 1e-9) * 1.05)
            ax.set_title(net, fontsize=8)
            ax.set_xlabel(f"energy per inference ({unit})", fontsize=7)
            if i == 0:
                ax.legend(fontsize=6, ncol=4)
        fig.set_size_inches(8, 2.2 + 0.25 * len(rows))
        fig.tight_layout()

    return Plot("energy_breakdown", "Energy per inference by component", draw,
                "Stacked by component (DRAM, SRAM, register file, MAC) per record, one panel "
                "per network (linear scale).")
