"""The spectral report section: per network and per layer at every kernel density, the
read-conflict cycles of in-order, greedy and optimal scheduling, DRAM bytes of kernel
reuse, activation reuse and the per-layer choice, cycles and latency at the stated clock,
the accuracy cost of spectral pruning on real images, the paper's figures beside ours
(a different setting), area, and plots.

Records are chosen by ``record.belongs_to("spectral")``; the density sweep comes from
``details["sweep"]`` (cycles per point) and ``details["spectral_sweep"]`` (the per-policy
and per-dataflow figures of the same points), accuracy from ``details["accuracy"]``.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from accelbench.records import ResultRecord
from accelbench.report.plots import finite_points, log_scale_if_positive, mark_empty
from accelbench.report.sections import Plot, SectionOutput, Table

TECHNIQUE = "spectral"
POLICIES = ("in-order", "greedy", "optimal")
NETLISTS = ("fft", "ifft", "engine", "core")
PAPER = "Niu et al., FPGA 2020"
PAPER_SETTING = ("paper: an FPGA with its own DSP count and clock, pruning with retraining "
                 "(SPEC2: ADMM, 75 % pruned); ours: P lanes of 4 real multipliers at a "
                 "stated clock, magnitude pruning without retraining, SYNTHETIC VGG16 "
                 "kernels, budgets and widths our defaults. Context, not the same "
                 "measurement.")


def _network(record: ResultRecord) -> str:
    return record.workload.get("id", "").removeprefix("net/")


def _round(value: Any, digits: int = 3) -> Any:
    if value is None or not isinstance(value, float) or not math.isfinite(value):
        return value
    return round(value, digits)


def _mb(nbytes: float | None) -> float | None:
    return None if nbytes is None else round(nbytes / 1e6, 3)


def _kb(nbytes: float | None) -> float | None:
    return None if nbytes is None else round(nbytes / 1e3, 1)


def _pct(fraction: float | None) -> float | None:
    return None if fraction is None else round(100 * fraction, 2)


def _letters(choices: Sequence[str]) -> str:
    return " ".join("K" if c == "kernel" else "A" for c in choices)


@dataclass
class _Point:
    """One density of one record: the harness's sweep point and the design's figures."""

    value: float
    total_cycles: int | None
    figures: dict[str, Any]


def points(record: ResultRecord) -> list[_Point]:
    """The record's sweep points in sweep order, each with its spectral figures."""
    extra = {p["value"]: p for p in record.details.get("spectral_sweep", [])}
    return [_Point(p["value"], p.get("total_cycles"), extra.get(p["value"], {}))
            for p in record.details.get("sweep", {}).get("points", [])]


def _clock(record: ResultRecord) -> float | None:
    return record.details.get("config", {}).get("clock_mhz")


def _latency_ms(record: ResultRecord, cycles: int | None) -> float | None:
    clock = _clock(record)
    return None if cycles is None or not clock else round(cycles / (clock * 1e3), 3)


def _kernels(record: ResultRecord, point: _Point) -> str:
    return point.figures.get("kernels") or record.details.get("kernels", "")


def select(records: Sequence[ResultRecord]) -> list[ResultRecord]:
    chosen = [r for r in records if r.belongs_to(TECHNIQUE) and r.details.get("sweep")]
    return sorted(chosen, key=lambda r: (_network(r), r.design))


def schedules_table(chosen: list[ResultRecord]) -> Table:
    rows = []
    for r in chosen:
        for p in points(r):
            pol = p.figures.get("policies", {})
            rows.append([_network(r), r.design, _kernels(r, p), p.value,
                         p.figures.get("kernel_density"),
                         *[pol.get(q, {}).get("conflict_cycles") for q in POLICIES],
                         pol.get("in-order", {}).get("core_cycles"), p.total_cycles,
                         _latency_ms(r, pol.get("in-order", {}).get("core_cycles")),
                         _latency_ms(r, p.total_cycles),
                         pol.get(p.figures.get("schedule", "optimal"), {}).get(
                             "lane_utilisation")])
    clock = next((c for c in map(_clock, chosen) if c), None)
    return Table("spectral_networks", "Spectral engine per network and kernel density: "
                 "read conflicts per scheduling policy, cycles and latency",
                 ["network", "design", "kernels", "density", "kernel density (kept)",
                  "conflict cycles in-order", "conflict cycles greedy",
                  "conflict cycles optimal", "cycles in-order", "cycles optimal",
                  f"latency ms in-order ({clock:g} MHz)" if clock else "latency ms in-order",
                  f"latency ms optimal ({clock:g} MHz)" if clock else "latency ms optimal",
                  "lane utilisation (optimal)"], rows,
                 notes=["Conflict cycles = pass cycles - the most non-zeros of one lane, "
                        "summed over every pass (P lanes x one channel) and tile. Cycles: the "
                        "core (FFT -> engine -> inverse FFT, exact against the netlist) with "
                        "the kernel loading, all spectral layers back to back; DRAM "
                        "bandwidth assumed not to stall. Latency at the stated default clock "
                        "(the FFT units are not pipelined to it). Lane utilisation = complex "
                        "MACs / (lanes x pass cycles).",
                        "kernels: real = trained weights of the network's dataset; "
                        "SYNTHETIC = i.i.d. Gaussian kernels, magnitude-pruned (no trained "
                        "weights offline)."])


def dataflow_table(chosen: list[ResultRecord]) -> Table:
    rows = []
    for r in chosen:
        for p in points(r):
            flow = p.figures.get("dataflow", {})
            rows.append([_network(r), r.design, _kernels(r, p), p.value,
                         _mb(flow.get("kernel_reuse_dram")),
                         _mb(flow.get("activation_reuse_dram")),
                         _mb(flow.get("per_layer_dram")), flow.get("best_fixed"),
                         _pct(flow.get("saving_vs_best_fixed")),
                         _pct(flow.get("saving_vs_kernel_reuse")),
                         _letters(flow.get("choices", []))])
    cfg = chosen[0].details.get("config", {}) if chosen else {}
    budgets = (f"{cfg.get('kernel_budget', 0) / 2**20:g} MiB for kernels and "
               f"{cfg.get('activation_budget', 0) / 2**20:g} MiB for activations")
    return Table("spectral_dataflow", "DRAM traffic: kernel reuse, activation reuse and "
                 "the per-layer choice (MB)",
                 ["network", "design", "kernels", "density", "fixed kernel reuse MB",
                  "fixed activation reuse MB", "per-layer choice MB", "best fixed",
                  "saving vs best fixed %", "saving vs kernel reuse %",
                  "choice per layer (K = kernel, A = activation reuse)"], rows,
                 notes=[f"On-chip budgets (defaults): {budgets}. Kernel entries 4 B (value "
                        "+ bin index), activations and outputs 1 B. Kernel reuse reads the "
                        "kernels once and the input once per block of filters that fits; "
                        "activation reuse reads the input once (with halos) and the kernels "
                        "once per block of tile rows that fits. Ties go to kernel reuse."])


def per_layer_table(chosen: list[ResultRecord]) -> Table:
    densities = sorted({p.value for r in chosen for p in points(r)}, reverse=True)
    rows = []
    for r in chosen:
        by_density = {p.value: {e["layer"]: e for e in p.figures.get("per_layer", [])}
                      for p in points(r)}
        shapes = {e["layer"]: e.get("shape", []) for e in r.details.get("per_layer", [])}
        kernels = {e["layer"]: e.get("kernels") for e in r.details.get("per_layer", [])}
        for name in shapes:
            row = [_network(r), name, "x".join(map(str, shapes[name])), kernels[name]]
            for d in densities:
                e = by_density.get(d, {}).get(name)
                if e is None:
                    row += [None, None, None]
                    continue
                c, dram = e["conflict_cycles"], e["dram"]
                row += [" / ".join(f"{c[q]:,}" for q in POLICIES),
                        f"{_kb(dram['kernel_reuse']):,} / {_kb(dram['activation_reuse']):,}",
                        "K" if e["choice"] == "kernel" else "A"]
            rows.append(row)
    headers = ["network", "layer", "C x H x W x N x k", "kernels"]
    for d in densities:
        headers += [f"d={d:g} conflict cycles in-order / greedy / optimal",
                    f"d={d:g} DRAM kB kernel / activation reuse", f"d={d:g} choice"]
    return Table("spectral_per_layer", "Per spectral layer at each kernel density", headers,
                 rows, notes=["Every stride-1, ungrouped k x k layer (k = 2..8); the others "
                              "stay spatial and are not counted (listed in the records' "
                              "details). Cycles per layer: spectral_layers.csv."])


def layer_cycles_table(chosen: list[ResultRecord]) -> Table:
    rows = []
    for r in chosen:
        for p in points(r):
            for e in p.figures.get("per_layer", []):
                rows.append([_network(r), e["layer"], e["kernels"], p.value,
                             e["kernel_density"], *[e["conflict_cycles"][q] for q in POLICIES],
                             *[e["core_cycles"][q] for q in POLICIES],
                             e["dram"]["kernel_reuse"], e["dram"]["activation_reuse"],
                             e["dram"]["per_layer_choice"], e["choice"],
                             e["kernel_to_activation"]])
    return Table("spectral_layers", "Per layer and density (CSV only)",
                 ["network", "layer", "kernels", "density", "kernel density",
                  *[f"conflict cycles {q}" for q in POLICIES],
                  *[f"cycles {q}" for q in POLICIES], "DRAM B kernel reuse",
                  "DRAM B activation reuse", "DRAM B per-layer choice", "choice",
                  "kernel / activation bytes"], rows, show=False)


def accuracy_table(chosen: list[ResultRecord]) -> Table | None:
    rows, notes = [], []
    for r in chosen:
        acc = r.details.get("accuracy", {})
        if not acc.get("available"):
            continue
        for p in acc.get("points", []):
            rows.append([acc.get("network", _network(r)), r.design, p["density"],
                         p["images"], acc.get("classes"), _round(p["mean_kl_divergence"], 6),
                         _round(p["output_snr_db"], 2), p["top1_agreement"],
                         p["top5_agreement"], p["spectral_convs"], p["convs_changed"]])
        if acc.get("note"):
            notes.append(acc["note"] + ".")
    if not rows:
        return None
    return Table("spectral_accuracy", "Accuracy of spectral pruning on real images (no "
                 "retraining)",
                 ["network", "design", "density", "images", "classes",
                  "mean KL divergence (nat)", "output SNR dB", "top-1 agreement",
                  "top-5 agreement", "spectral convolutions", "convolutions changed"], rows,
                 notes=["Every stride-1 k x k convolution computed by the pruned float "
                        "spectral model (8x8 tiles, overlap-and-add, magnitude pruning of "
                        "each kernel's 40 bins) inside the network, each seeing the input "
                        "the modified network gives it; compared with the unmodified float "
                        "network on the same images. No retraining (SPEC2 retrains after "
                        "ADMM pruning). SNR inf: the logits are identical.", *notes])


def paper_table(chosen: list[ResultRecord]) -> Table | None:
    vgg = next((r for r in chosen if _network(r) == "vgg16"), None)
    if vgg is None:
        return None
    pts = points(vgg)

    def per_density(fn) -> str:
        return ", ".join(f"d={p.value:g}: {fn(p)}" for p in pts)

    clock = _clock(vgg)
    schedule = vgg.details.get("config", {}).get("schedule", "optimal")
    def saving(p: _Point) -> str:
        flow = p.figures["dataflow"]
        return (f"{_pct(flow['saving_vs_best_fixed'])} % vs best fixed, "
                f"{_pct(flow['saving_vs_kernel_reuse'])} % vs kernel reuse")

    rows = [
        ["data transfer saved by the per-layer dataflow", "42 % (baseline not stated)",
         per_density(saving)],
        ["DSP utilisation", "up to 90 %",
         per_density(lambda p: f"{_pct(p.figures['policies'][schedule]['lane_utilisation'])}"
                               " % lane utilisation")],
        ["VGG16 latency", "9 ms (68 ms for the earlier state of the art)",
         per_density(lambda p: f"{_latency_ms(vgg, p.total_cycles):,.1f} ms at {clock:g} "
                               "MHz")],
    ]
    return Table("spectral_paper", f"The paper's figures ({PAPER}) beside ours: a different "
                 "setting", ["figure", "paper", "ours (VGG16)"], rows, notes=[PAPER_SETTING])


def area_table(chosen: list[ResultRecord]) -> Table | None:
    rec = next((r for r in chosen if r.value("core_ge") is not None), None)
    if rec is None:
        return None
    rows = [[rec.design, n, round(rec.value(f"{n}_ge")), rec.value(f"{n}_flip_flops"),
             rec.value(f"{n}_memory_bits", 0)] for n in NETLISTS
            if rec.value(f"{n}_ge") is not None]
    return Table("spectral_area", "Area of the spectral netlists (Yosys onto IHP SG13G2 "
                 "130 nm cells, GE = NAND2 equivalents); memories apart, in bits",
                 ["design", "netlist", "logic GE", "flip-flops", "SRAM bits"], rows,
                 notes=["core = fft -> engine -> ifft; engine memories: the kernel memories "
                        "(one per lane) and the doubled spectrum buffer, synchronous-read "
                        "SRAM macros; accumulators are two-port register-file macros."])


def conflicts_plot(chosen: list[ResultRecord]) -> Plot:
    def draw(fig) -> None:
        axes = [fig.add_subplot(1, max(len(chosen), 1), i + 1)
                for i in range(max(len(chosen), 1))]
        for ax, r in zip(axes, chosen, strict=False):
            pts = points(r)
            width = 0.8 / len(POLICIES)
            values = []
            for k, q in enumerate(POLICIES):
                xy = finite_points((i + (k - 1) * width,
                                    p.figures.get("policies", {}).get(q, {}).get(
                                        "conflict_cycles"))
                                   for i, p in enumerate(pts))
                if xy:
                    ax.bar([x for x, _ in xy], [y / 1e6 for _, y in xy], width, label=q)
                    values += [y / 1e6 for _, y in xy]
            if not values:
                mark_empty(ax)
                continue
            ax.set_xticks(range(len(pts)))
            ax.set_xticklabels([f"{p.value:g}" for p in pts])
            ax.set_xlabel("kernel density")
            ax.set_ylabel("read-conflict cycles (millions)")
            ax.set_ylim(0, max(values) * 1.15 or 1.0)
            label = "" if r.details.get("kernels", "").startswith("real") else " (SYNTHETIC)"
            ax.set_title(f"{_network(r)}{label}", fontsize=9)
            ax.legend(fontsize=7)
        if not chosen:
            mark_empty(axes[0])
        fig.set_size_inches(5 * max(len(chosen), 1), 4)

    return Plot("spectral_conflicts", "Read-conflict cycles per scheduling policy and kernel "
                "density", draw, "Sums over every pass and tile of the spectral layers; P "
                "lanes, B banks (bin mod B), defaults as in the tables.")


def dram_plot(chosen: list[ResultRecord]) -> Plot:
    def draw(fig) -> None:
        axes = [fig.add_subplot(max(len(chosen), 1), 1, i + 1)
                for i in range(max(len(chosen), 1))]
        for ax, r in zip(axes, chosen, strict=False):
            default = r.details["sweep"].get("default")
            point = next((p for p in points(r) if p.value == default), None)
            layers = point.figures.get("per_layer", []) if point else []
            values = []
            for key, style in (("kernel_reuse", "o-"), ("activation_reuse", "s-")):
                xy = finite_points((i, e["dram"][key] / 1e6) for i, e in enumerate(layers))
                if xy:
                    ax.plot([x for x, _ in xy], [y for _, y in xy], style, ms=3,
                            label=f"{key.replace('_', ' ')}")
                    values += [y for _, y in xy]
            chosen_xy = finite_points((i, e["dram"]["per_layer_choice"] / 1e6)
                                      for i, e in enumerate(layers))
            if chosen_xy:
                ax.plot([x for x, _ in chosen_xy], [y for _, y in chosen_xy], "k.", ms=9,
                        fillstyle="none", label="per-layer choice")
            if not values:
                mark_empty(ax)
                continue
            log_scale_if_positive(ax, values)
            ax.set_xticks(range(len(layers)))
            ax.set_xticklabels([e["layer"] for e in layers], rotation=90, fontsize=5)
            ax.set_xlim(-1, len(layers))
            ax.set_ylabel("DRAM MB")
            label = "" if r.details.get("kernels", "").startswith("real") else ", SYNTHETIC"
            ax.set_title(f"{_network(r)}: density {default:g}{label}", fontsize=9)
            ax.legend(fontsize=7)
        if not chosen:
            mark_empty(axes[0])
        fig.set_size_inches(10, 3.5 * max(len(chosen), 1))

    return Plot("spectral_dram", "DRAM bytes per layer: kernel reuse, activation reuse and "
                "the per-layer choice", draw, "At the headline density; stated budgets.")


def _summary(chosen: list[ResultRecord]) -> str:
    """Per network at the sweep default: the dataflow saving and the conflicts removed."""
    parts = []
    for r in chosen:
        default = r.details["sweep"].get("default")
        p = next((p for p in points(r) if p.value == default), None)
        if p is None or not p.figures.get("dataflow"):
            continue
        flow, pol = p.figures["dataflow"], p.figures.get("policies", {})
        text = (f"{_network(r)} at density {default:g}: the per-layer dataflow moves "
                f"{_pct(flow.get('saving_vs_best_fixed'))} % less DRAM data than the best "
                f"fixed one")
        first = pol.get("in-order", {}).get("conflict_cycles")
        best = pol.get("optimal", {}).get("conflict_cycles")
        if first and best is not None:
            text += f", optimal scheduling removes {100 * (1 - best / first):.1f} % of the " \
                    "read-conflict cycles"
        parts.append(text)
    return "; ".join(parts) + "." if parts else ""


@dataclass
class SpectralSection:
    name: str = "spectral"
    order: int = 240

    def render(self, records: Sequence[ResultRecord]) -> SectionOutput | None:
        chosen = select(records)
        if not chosen:
            return None
        cfg = chosen[0].details.get("config", {})
        tables = [schedules_table(chosen), dataflow_table(chosen), per_layer_table(chosen),
                  layer_cycles_table(chosen), accuracy_table(chosen), paper_table(chosen),
                  area_table(chosen)]
        text = (f"Spectral-domain sparse convolution ({PAPER}; {chosen[0].design}: "
                f"{cfg.get('lanes')} lanes, {cfg.get('banks')} banks, 8x8 FFT tiles with "
                f"overlap-and-add, {cfg.get('bins')} bins per kernel, "
                f"{cfg.get('clock_mhz')} MHz stated clock, headline schedule "
                f"{cfg.get('schedule')}; all labelled defaults). Only stride-1, ungrouped "
                "k x k convolutions are computed spectrally; the others stay spatial and "
                "are not counted. Cycles come from a closed-form model of the core that "
                "equals the netlist's simulated cycles (`accelbench verify`, tests). "
                "Kernel density = fraction of each kernel's bins kept by magnitude "
                "pruning, without retraining.")
        return SectionOutput("Spectral: sparse FFT-domain convolution with scheduled reads",
                             summary=_summary(chosen),
                             text=text, tables=[t for t in tables if t is not None],
                             plots=[conflicts_plot(chosen), dram_plot(chosen)])
