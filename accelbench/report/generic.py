"""Report sections every result gets: per-family overviews, area, run times."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from accelbench.records import ResultRecord
from accelbench.report.sections import Plot, SectionOutput, Table

SYNTHETIC_NOTE = "Rows marked SYNTHETIC use generated data, not activations of a real network."


def workload_label(record: ResultRecord) -> str:
    label = record.workload["id"]
    return f"{label} (SYNTHETIC)" if record.synthetic else label


def dataset_format(record: ResultRecord) -> tuple[str, str]:
    """(dataset, number format) of a feature-map record: from its dataset details, else
    from its workload id ``dataset/format``."""
    ds = record.details.get("dataset") or {}
    if ds.get("name") and ds.get("format"):
        return ds["name"], ds["format"]
    name, _, fmt = record.workload["id"].rpartition("/")
    return name, fmt


def _fmt_pm(mean: float | None, std: float | None) -> str:
    if mean is None:
        return ""
    return f"{mean:.3f} ± {std:.3f}" if std is not None else f"{mean:.3f}"


@dataclass
class CodecOverview:
    name: str = "codecs"
    order: int = 10

    def render(self, records: Sequence[ResultRecord]) -> SectionOutput | None:
        codecs = [r for r in records if r.family == "codec"]
        if not codecs:
            return None
        rows = []
        for r in sorted(codecs, key=lambda r: (r.workload["id"], r.design)):
            rows.append([workload_label(r), r.design,
                         _fmt_pm(r.value("compression_ratio"), r.value("ratio_std")),
                         r.value("ratio_min"), r.value("ratio_max"),
                         r.value("zero_fraction"),
                         r.value("compressor_words_per_cycle"),
                         r.value("decompressor_words_per_cycle"),
                         r.value("compressor_ge"), r.value("decompressor_ge")])
        overview = Table(
            "codec_overview", "Compression ratio, throughput and area of every codec",
            ["workload (dataset/format)", "codec", "ratio (mean ± std over images)",
             "min", "max", "zero words (mean over layers)", "compressor word/cycle",
             "decompressor word/cycle", "compressor GE", "decompressor GE"], rows,
            notes=["ratio = uncompressed bits / compressed bits over all recorded layers of "
                   "an image; word/cycle from cycle-accurate co-simulation of the netlists on a "
                   "window of every layer (bit-exact against the golden model); GE: see "
                   "Technology.", *([SYNTHETIC_NOTE] if any(r.synthetic for r in codecs)
                                    else [])])
        layer_rows = []
        for r in codecs:
            for entry in r.details.get("per_layer", []):
                layer_rows.append([r.workload["id"], r.design, entry["layer"], entry["kind"],
                                   "x".join(map(str, entry["shape"])), entry["zero_fraction"],
                                   entry["ratio"], entry.get("compressor_words_per_cycle"),
                                   entry.get("decompressor_words_per_cycle")])
        per_layer = Table("codec_per_layer", "Per layer (CSV only: too long to show)",
                          ["workload", "codec", "layer", "kind", "shape", "zero fraction",
                           "ratio", "compressor word/cycle", "decompressor word/cycle"],
                          layer_rows, show=False)
        return SectionOutput(
            "Codecs: compression ratio, throughput, area",
            text=f"{len(codecs)} codec evaluations. Per-layer figures for every codec and "
                 f"workload are in `csv/codec_per_layer.csv`.",
            tables=[overview, per_layer],
            plots=[_ratio_plot(codecs), *_per_layer_plots(codecs)])


def _ratio_plot(codecs: Sequence[ResultRecord]) -> Plot:
    def draw(fig) -> None:
        workloads = sorted({r.workload["id"] for r in codecs})
        designs = sorted({r.design for r in codecs})
        ax = fig.add_subplot(1, 1, 1)
        width = 0.8 / max(len(designs), 1)
        for k, design in enumerate(designs):
            xs, ys, errs = [], [], []
            for i, w in enumerate(workloads):
                for r in codecs:
                    if r.design == design and r.workload["id"] == w:
                        xs.append(i + k * width)
                        ys.append(r.value("compression_ratio"))
                        errs.append(r.value("ratio_std") or 0)
            ax.bar(xs, ys, width, yerr=errs, label=design)
        labels = [w + (" (SYNTH.)" if any(r.synthetic for r in codecs if r.workload["id"] == w)
                       else "") for w in workloads]
        ax.set_xticks([i + 0.4 - width / 2 for i in range(len(workloads))])
        ax.set_xticklabels(labels, rotation=30, ha="right", fontsize=7)
        ax.set_ylabel("compression ratio (x)")
        ax.axhline(1.0, color="grey", lw=0.5)
        ax.legend(fontsize=7, ncol=2)
        fig.set_size_inches(max(6, len(workloads) * 0.9), 4.5)

    return Plot("codec_ratios", "Compression ratio per codec and workload", draw,
                "Mean compression ratio over images; error bars: standard deviation over "
                "images.")


def _per_layer_plots(codecs: Sequence[ResultRecord], fmt: str = "fixed8") -> list[Plot]:
    """Ratio of each layer, in network order, one line per codec (one plot per dataset)."""
    plots = []
    datasets = sorted({r.workload["id"].split("/")[0] for r in codecs
                       if r.workload["id"].endswith(f"/{fmt}")})
    for dataset in datasets:
        chosen = [r for r in codecs if r.workload["id"] == f"{dataset}/{fmt}"
                  and r.details.get("per_layer")]
        if not chosen:
            continue

        def draw(fig, chosen=chosen) -> None:
            ax = fig.add_subplot(1, 1, 1)
            for r in sorted(chosen, key=lambda r: r.design):
                ratios = [e["ratio"] for e in r.details["per_layer"]]
                ax.plot(range(len(ratios)), ratios, marker=".", lw=1, label=r.design)
            kinds = [e["kind"] for e in chosen[0].details["per_layer"]]
            for i, kind in enumerate(kinds):
                if kind != "relu":
                    ax.axvspan(i - 0.5, i + 0.5, color="0.92", lw=0)
            ax.set_xlabel("layer (network order; shaded: linear/residual maps)")
            ax.set_ylabel("compression ratio (x)")
            ax.legend(fontsize=7)
            fig.set_size_inches(8, 4.5)

        synthetic = " (SYNTHETIC)" if chosen[0].synthetic else ""
        plots.append(Plot(f"codec_per_layer_{dataset}_{fmt}".replace(":", "_"),
                          f"Per-layer compression ratio, {dataset}{synthetic}, {fmt}", draw,
                          f"Compression ratio of every recorded feature map of {dataset}"
                          f"{synthetic} in {fmt}, summed over images, per codec."))
    return plots


#: the standard metrics of each family base, shown for every design (plugins included)
HEADLINE_METRICS = {
    "engine": ("total_cycles", "utilisation", "macs", "issued_macs", "dram_bytes",
               "latency_ms", "energy_pj", "real_layers"),
    "memory": ("dram_bytes", "feature_map_dram_bytes", "weight_bytes", "peak_onchip_bytes",
               "budget_bytes", "energy_pj"),
}


@dataclass
class FamilyOverview:
    """The family's standard metrics for every record (a table every design appears in,
    whatever its own metrics), and every metric of every record as CSV."""

    family: str
    order: int
    name: str = ""
    #: wider tables are written as CSV only
    max_columns: int = 12

    def __post_init__(self) -> None:
        self.name = self.name or f"{self.family}-overview"

    def render(self, records: Sequence[ResultRecord]) -> SectionOutput | None:
        chosen = [r for r in records if r.family == self.family]
        if not chosen:
            return None
        metric_names: list[str] = []
        units: dict[str, str] = {}
        for r in chosen:
            for name, m in r.metrics.items():
                if name not in units:
                    metric_names.append(name)
                    units[name] = m.get("unit", "")
        headers = ["design", "workload"] + [f"{n} ({units[n]})" if units[n] else n
                                            for n in metric_names]
        rows = [[r.design, workload_label(r)] + [r.value(n) for n in metric_names]
                for r in sorted(chosen, key=lambda r: (r.workload["id"], r.design))]
        title = {"engine": "Compute engines", "memory": "Memory planners"}.get(self.family,
                                                                              self.family)
        table = Table(f"{self.family}_overview", f"{title}: every metric of every case",
                      headers, rows, show=len(headers) <= self.max_columns)
        tables = [table]
        text = ""
        if not table.show:
            text = (f"{len(chosen)} {self.family} evaluations with {len(metric_names)} "
                    f"metrics: every metric of every case is in `csv/{table.name}.csv`; "
                    "the table shows the standard metrics every design of the family "
                    "reports, and the sections below present the rest.")
            standard = [n for n in HEADLINE_METRICS.get(self.family, ()) if n in units]
            tables.insert(0, Table(
                f"{self.family}_headline", f"{title}: standard metrics",
                ["design", "technique", "workload"]
                + [f"{n} ({units[n]})" if units[n] else n for n in standard],
                [[r.design, r.technique + (" (baseline)" if r.baseline_for else ""),
                  workload_label(r)] + [r.value(n) for n in standard]
                 for r in sorted(chosen, key=lambda r: (r.workload["id"], r.design))]))
        return SectionOutput(f"{title}: all metrics", text=text, tables=tables)


#: FPGA figures of a netlist (``accelbench.netlist.fpga.fpga_metrics``), in table order
FPGA_COLUMNS = (("luts", "LUTs"), ("ffs", "FPGA FFs"), ("brams", "BRAM"), ("dsps", "DSP"),
                ("fmax_mhz", "Fmax MHz"))
_FPGA_PART = re.compile(r"Lattice ECP5 (\S+)")


def span(values: list[float], digits: int) -> str | float | None:
    """One value, or ``min–max`` when the records (workloads) differ."""
    if not values:
        return None
    lo, hi = round(min(values), digits), round(max(values), digits)
    return lo if lo == hi else f"{lo}–{hi}"


def netlist_figures(records: Sequence[ResultRecord]
                    ) -> tuple[dict[tuple[str, str], dict[str, Any]], set[str]]:
    """Area and FPGA figures of every netlist, by (design, netlist): ``ge``, ``ff`` and
    the :data:`FPGA_COLUMNS` keys where recorded, ``device``, and ``per_cycle`` (the
    netlist's values or words per cycle, one per record); and the FPGA technology lines."""
    seen: dict[tuple[str, str], dict[str, Any]] = {}
    technologies: set[str] = set()
    for r in records:
        for name, m in r.metrics.items():
            netlist = None
            if name.endswith("_ge") and m.get("unit") == "GE":
                netlist = name.removesuffix("_ge")
            elif name.endswith("_fmax_mhz") and m.get("unit") == "MHz":
                netlist = name.removesuffix("_fmax_mhz")
            if netlist is None:
                continue
            row = seen.setdefault((r.design, netlist), {"per_cycle": []})
            if name.endswith("_ge"):
                row["ge"] = m["value"]
                row["ff"] = r.value(f"{netlist}_flip_flops")
            else:
                row.update({k: r.value(f"{netlist}_{k}") for k, _ in FPGA_COLUMNS})
                where = str(m.get("description", "")).partition(", ")[2]
                part = _FPGA_PART.search(where)
                row["device"] = part.group(1) if part else ""
                if where:
                    technologies.add(where)
            per_cycle = r.value(f"{netlist}_words_per_cycle",
                                r.value(f"{netlist}_values_per_cycle"))
            if per_cycle is not None:
                row["per_cycle"].append(per_cycle)
    return seen, technologies


@dataclass
class AreaOverview:
    """GE beside the ECP5 figures of every netlist, and throughput at that Fmax."""

    name: str = "area"
    order: int = 90

    def render(self, records: Sequence[ResultRecord]) -> SectionOutput | None:
        seen, technologies = netlist_figures(records)
        if not seen:
            return None
        fpga = any("device" in row for row in seen.values())
        headers = ["design", "netlist", "GE", "flip-flops"]
        if fpga:
            headers += ["device", *(label for _, label in FPGA_COLUMNS)]
            headers += ["values/cycle", "Mvalues/s at Fmax"]
        rows = []
        for (d, n), row in sorted(seen.items()):
            cells = [d, n, row.get("ge"), row.get("ff")]
            if fpga:
                fmax = row.get("fmax_mhz")
                cells += [row.get("device"), *(row.get(k) for k, _ in FPGA_COLUMNS),
                          span(row["per_cycle"], 4),
                          span([v * fmax for v in row["per_cycle"]], 1) if fmax else None]
            rows.append(cells)
        notes = ["See Technology for the cell library and flow; memories are not included in "
                 "GE."]
        text = ""
        if fpga:
            notes.append("FPGA columns: LUTs = LUT4-class cells (TRELLIS_COMB: LUT4s, carry "
                         "halves, LUT RAM), FPGA FFs, BRAM = 18 kbit DP16KD, DSP = MULT18X18D, "
                         "Fmax of one place-and-route run; Mvalues/s = values/cycle x Fmax. "
                         "values/cycle: netlist co-simulation per workload (a range where "
                         "workloads differ). Not the papers' devices: see docs/rtl.md.")
            text = "FPGA technology: " + "; ".join(sorted(technologies)) + "."
        return SectionOutput("Area of every netlist", text=text, tables=[Table(
            "area", "Area in NAND2-equivalent gates and on an ECP5 FPGA" if fpga else
            "Area in NAND2-equivalent gates", headers, rows, notes=notes)])


@dataclass
class RunTimes:
    seconds: dict[tuple[str, str], float]
    name: str = "run-times"
    order: int = 1000

    def render(self, records: Sequence[ResultRecord]) -> SectionOutput | None:
        if not self.seconds:
            return None
        rows = [[d, w, round(s, 2)] for (d, w), s in sorted(self.seconds.items())]
        return SectionOutput("Wall time of each evaluation", tables=[Table(
            "run_times", "Wall time of one evaluation (pytest-benchmark, one round)",
            ["design", "workload", "seconds"], rows,
            notes=["One measurement on a shared 2-core machine: timings vary by 5-80 % between "
                   "runs; compare them only as ratios within one run."])])


@dataclass
class Measurements:
    """Tables of free-form measurements that benchmarks store (speeds and the like)."""

    tables: dict
    name: str = "measurements"
    order: int = 950

    def render(self, records: Sequence[ResultRecord]) -> SectionOutput | None:
        if not self.tables:
            return None
        out = []
        for key, table in sorted(self.tables.items()):
            headers: list[str] = []
            for row in table["rows"]:
                headers += [h for h in row if h not in headers]
            rows = [[row.get(h) for h in headers] for row in table["rows"]]
            out.append(Table(key, table["title"], headers, rows, list(table["notes"])))
        return SectionOutput("Measured speeds", tables=out)
