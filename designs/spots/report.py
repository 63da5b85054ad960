"""The SPOTS report section: cycles and speedups per network and weight sparsity against
the baselines' own records, per-layer CSV, pruning, input reads, area, and the speed of
the closed-form models against trace-driven SCALE-Sim.

Records are chosen by technique: SPOTS's own (``technique == "spots"``) and its
baselines' (``record.belongs_to("spots")``); a speedup divides a baseline record's
``total_cycles`` by SPOTS's cycles at a sweep point, matching records by workload id.
Sweeps come from ``details["sweep"]``.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from accelbench.records import ResultRecord
from accelbench.report.sections import Plot, SectionOutput, Table

TECHNIQUE = "spots"
#: baselines whose cycles SPOTS is compared with (engines with ``total_cycles``)
CYCLE_BASELINES = ("spots-noskip", "systolic", "eyeriss-like")
PAPER_NOTE = ("Paper (SPOTS, TACO 2022): 1.74x faster than Eyeriss and 2.16x than Gemmini "
              "on average; its array, pruning and networks differ from these defaults, so "
              "the figures are context, not the same measurement.")


def _network(record: ResultRecord) -> str:
    return record.workload.get("id", "").removeprefix("net/")


def _fmt(value, digits: int = 3):
    return None if value is None else round(value, digits)


def _ratio(num, den, digits: int = 3):
    return _fmt(num / den, digits) if num is not None and den else None


def _points(record: ResultRecord) -> list[dict]:
    return record.details.get("sweep", {}).get("points", [])


def _pct(value: float) -> int:
    return round(value * 100)


def _real(record: ResultRecord) -> bool:
    return record.details.get("activations", "").startswith("real")


@dataclass
class _Records:
    spots: list[ResultRecord]
    baselines: list[ResultRecord]  # engines with total_cycles, by CYCLE_BASELINES
    others: list[ResultRecord]  # every record of the technique's family of designs

    def baseline_designs(self) -> list[str]:
        order = {t: i for i, t in enumerate(CYCLE_BASELINES)}
        return sorted({r.design for r in self.baselines},
                      key=lambda d: (order[self.technique_of(d)], d))

    def technique_of(self, design: str) -> str:
        return next(r.technique for r in self.baselines if r.design == design)

    def baseline(self, design: str, workload: str) -> ResultRecord | None:
        return next((r for r in self.baselines
                     if r.design == design and r.workload.get("id") == workload), None)

    def baseline_cycles(self, design: str, workload: str) -> int | None:
        rec = self.baseline(design, workload)
        return None if rec is None else rec.value("total_cycles")


def select(records: Sequence[ResultRecord]) -> _Records:
    mine = [r for r in records if r.belongs_to(TECHNIQUE)]
    return _Records([r for r in mine if r.technique == TECHNIQUE],
                    [r for r in mine if r.technique in CYCLE_BASELINES
                     and r.value("total_cycles") is not None], mine)


@dataclass
class SpotsSection:
    name: str = "spots"
    order: int = 40

    def render(self, records: Sequence[ResultRecord]) -> SectionOutput | None:
        chosen = select(records)
        if not chosen.spots:
            return None
        tables = [networks_table(chosen), per_layer_table(chosen), pruning_table(chosen),
                  reads_table(chosen), area_table(chosen), speed_table(chosen),
                  scalesim_table(chosen)]
        cfg = chosen.spots[0].details.get("config", {})
        names = ", ".join(chosen.baseline_designs()) or "no baseline records"
        text = (f"SPOTS ({chosen.spots[0].design}: {cfg.get('rows')}x{cfg.get('cols')} PEs "
                f"in {cfg.get('subarrays')} sub-arrays, {cfg.get('banks')} IM2COL banks, "
                f"skip block {cfg.get('block')} channels, all labelled defaults) against "
                f"the baselines' own records ({names}). Cycles come from closed-form models "
                "that equal the netlists' simulated cycle counts on every co-simulated "
                "layer (tests, `accelbench verify` and `cosim_layers_exact`: real cropped "
                "EfficientNet-Lite0 layers through the published system netlist). Weight "
                "sparsity = fraction of skip blocks pruned by magnitude. " + PAPER_NOTE)
        return SectionOutput("SPOTS: sparse systolic GEMM with an IM2COL unit", text=text,
                             summary=_summary(chosen),
                             tables=[t for t in tables if t is not None],
                             plots=[speedup_plot(chosen), *layer_plots(chosen)])


def _summary(chosen: _Records) -> str:
    """The speedup range against each baseline at the highest swept sparsity."""
    parts = []
    for b in chosen.baseline_designs():
        speedups, top = [], None
        for r in chosen.spots:
            points = sorted(_points(r), key=lambda p: p["value"])
            cycles = chosen.baseline_cycles(b, r.workload.get("id"))
            if points and cycles and points[-1]["total_cycles"]:
                top = points[-1]["value"]
                speedups.append(cycles / points[-1]["total_cycles"])
        if speedups:
            parts.append(f"{min(speedups):.2f}-{max(speedups):.2f}x vs {b} at "
                         f"{_pct(top)} % weight sparsity")
    n = len(chosen.spots)
    if not parts:
        sweeps = [sorted(_points(r), key=lambda p: p["value"]) for r in chosen.spots]
        cuts = sorted(round(100 * (1 - pts[-1]["total_cycles"] / pts[0]["total_cycles"]))
                      for pts in sweeps if len(pts) > 1 and pts[0]["total_cycles"])
        if not cuts:
            return ""
        top = max(pts[-1]["value"] for pts in sweeps if pts)
        spread = f"{cuts[0]}" if cuts[0] == cuts[-1] else f"{cuts[0]}-{cuts[-1]}"
        return (f"At {_pct(top)} % weight sparsity, skipping saves {spread} % of SPOTS's "
                f"cycles against its lowest swept sparsity on {n} network"
                f"{'s' if n != 1 else ''}; no baseline records on the same networks.")
    return (f"SPOTS cycles on {n} network{'s' if n != 1 else ''}: " + "; ".join(parts)
            + " (paper: 1.74x vs Eyeriss on average).")


def networks_table(chosen: _Records) -> Table:
    bases = chosen.baseline_designs()
    rows = []
    for r in sorted(chosen.spots, key=lambda r: (_network(r), r.design)):
        wid = r.workload.get("id")
        base_cycles = [chosen.baseline_cycles(b, wid) for b in bases]
        for p in _points(r):
            rows.append([_network(r), r.design, "real" if _real(r) else "assumed",
                         _pct(p["value"]), p["total_cycles"],
                         *[_ratio(c, p["total_cycles"]) for c in base_cycles],
                         _fmt(p["utilisation"])])
    return Table("spots_networks", "SPOTS per network and weight sparsity",
                 ["network", "design", "activations", "weight sparsity %", "SPOTS cycles",
                  *[f"speedup vs {b}" for b in bases], "PE utilisation"], rows,
                 notes=["activations: real = EfficientNet-Lite0 dataset (one image, int8); "
                        "assumed = i.i.d. zeros with fraction 0.5 after ReLU (default), 0 "
                        "elsewhere.",
                        "Speedup = the baseline record's total cycles on the same network "
                        "/ SPOTS cycles at that sparsity (cycle ratios at one clock, not per "
                        "PE: SPOTS and the dense array have 256 PEs, Eyeriss-like 168).",
                        "Networks without real weights: pruned blocks drawn at random."])


def per_layer_table(chosen: _Records) -> Table:
    bases = chosen.baseline_designs()
    pcts = sorted({_pct(p["value"]) for r in chosen.spots for p in _points(r)})
    rows = []
    for r in sorted(chosen.spots, key=lambda r: (_network(r), r.design)):
        wid = r.workload.get("id")
        by_pct = {_pct(p["value"]): p["per_layer_cycles"] for p in _points(r)}
        base_layers = []
        for b in bases:
            rec = chosen.baseline(b, wid)
            base_layers.append({e["layer"]: e["cycles"] for e in rec.details["per_layer"]}
                               if rec else {})
        for i, e in enumerate(r.details.get("per_layer", [])):
            cycles = [by_pct[p][i] if p in by_pct else None for p in pcts]
            base = [bl.get(e["layer"]) for bl in base_layers]
            rows.append([_network(r), r.design, e["layer"], e["op"],
                         "x".join(map(str, e.get("shape", []))), e.get("groups"),
                         e.get("activations"), e.get("input_zero_fraction"), e.get("mode"),
                         e.get("fits_netlist"), *cycles, *base,
                         *[_ratio(bc, c) for bc in base for c in cycles]])
    return Table("spots_per_layer", "SPOTS per layer (CSV only)",
                 ["network", "design", "layer", "op", "C x H x W x N x kh x kw x s",
                  "groups", "activations", "input zero fraction", "mode (default sparsity)",
                  "fits the system netlist", *[f"cycles s{p}" for p in pcts],
                  *[f"{b} cycles" for b in bases],
                  *[f"speedup vs {b} s{p}" for b in bases for p in pcts]], rows, show=False)


def pruning_table(chosen: _Records) -> Table | None:
    rows = []
    for r in sorted(chosen.spots, key=lambda r: (_network(r), r.design)):
        element = {p["sparsity"]: p["element_cycles"] for p in r.details.get("pruning", [])}
        for p in _points(r):
            if p["value"] in element:
                rows.append([_network(r), r.design, _pct(p["value"]), p["total_cycles"],
                             element[p["value"]],
                             _ratio(element[p["value"]], p["total_cycles"])])
    if not rows:
        return None
    return Table("spots_pruning", "Block-wise vs element-wise magnitude pruning (real "
                 "weights)", ["network", "design", "weight sparsity %",
                              "SPOTS cycles, block pruning (default)",
                              "SPOTS cycles, element-wise pruning", "ratio"], rows,
                 notes=["Element-wise pruning leaves few skip blocks all-zero (a block spans "
                        "8 filters x 8 channels), except in depthwise layers whose blocks "
                        "hold one weight per filter."])


def reads_table(chosen: _Records) -> Table:
    dense = [b for b in chosen.baseline_designs() if chosen.technique_of(b) == "systolic"]
    rows = []
    for r in sorted(chosen.spots, key=lambda r: (_network(r), r.design)):
        points = sorted(_points(r), key=lambda p: p["value"])
        lo, hi = (points[0], points[-1]) if points else ({}, {})
        row = [_network(r), r.design, r.value("dram_ifmap_read_bytes"),
               r.value("sram_ifmap_read_bytes"), lo.get("rf_ifmap_read_bytes"),
               hi.get("rf_ifmap_read_bytes")]
        for b in dense:
            rec = chosen.baseline(b, r.workload.get("id"))
            sram = rec.value("sram_ifmap_read_bytes") if rec else None
            row += [sram, rec.value("dram_ifmap_read_bytes") if rec else None,
                    _ratio(sram, r.value("sram_ifmap_read_bytes"), 2)]
        rows.append(row)
    pct = sorted({_pct(p["value"]) for r in chosen.spots for p in _points(r)})
    lo_pct, hi_pct = (pct[0], pct[-1]) if pct else ("?", "?")
    return Table("spots_ifm_reads", "Input feature-map traffic (bytes, int8)",
                 ["network", "design", "SPOTS DRAM reads (input once)",
                  "SPOTS global-buffer reads (streamed once)",
                  f"SPOTS IM2COL local-memory reads s{lo_pct}",
                  f"SPOTS IM2COL local-memory reads s{hi_pct}",
                  *[c for b in dense for c in (f"{b}: patch SRAM reads",
                                               f"{b}: lowered-input DRAM reads",
                                               f"{b} SRAM / SPOTS global-buffer reads")]],
                 rows,
                 notes=["SPOTS reads each input byte once from DRAM and once from its global "
                        "buffer; its IM2COL unit then reads the local memories (rf level) "
                        "once per issued step and valid lane, plus one zero-flag bit per "
                        "lane and listed block. The dense array is fed a lowered (im2col) "
                        "matrix prepared by software, read from DRAM once and from SRAM once "
                        "per filter tile."])


def area_table(chosen: _Records) -> Table | None:
    rows, seen = [], set()
    for r in sorted(chosen.others, key=lambda r: r.design):
        for name, m in sorted(r.metrics.items()):
            if not (name.endswith("_ge") and m.get("unit") == "GE"):
                continue
            netlist = name.removesuffix("_ge")
            if (r.design, netlist) in seen:
                continue
            seen.add((r.design, netlist))
            rows.append([r.design, netlist, m["value"], r.value(f"{netlist}_flip_flops"),
                         r.value(f"{netlist}_memory_bits", 0),
                         r.value(f"{netlist}_regfile_ge_estimate")])
    if not rows:
        return None
    return Table("spots_area", "Area (Yosys onto IHP SG13G2 130 nm cells, GE = NAND2 "
                 "equivalents); memories apart, in bits", ["design", "netlist", "logic GE",
                                                           "flip-flops", "SRAM bits",
                                                           "register-file GE (estimate)"],
                 rows,
                 notes=["system = the whole accelerator netlist that is co-simulated "
                        "(synthesised as one flattened netlist; statistics are wires of the "
                        "design, no extra logic). Memories are synchronous-read SRAM macros: "
                        "bits only, their address latches inside the macro; no register "
                        "files."])


def speed_table(chosen: _Records) -> Table | None:
    trace = next((r.value("scalesim_trace_layer_seconds") for r in chosen.others
                  if r.technique == "scalesim" and r.value("scalesim_trace_layer_seconds")),
                 None)
    rows = []
    for r in sorted(chosen.others, key=lambda r: (_network(r), r.design)):
        t = r.value("model_seconds")
        if t is None:
            continue
        rows.append([_network(r), r.design, _fmt(t, 5), _fmt(trace, 1),
                     round(trace / t) if trace and t else None])
    if not rows:
        return None
    return Table("spots_model_speed", "Closed-form model time for a whole network vs "
                 "trace-driven SCALE-Sim on one layer",
                 ["network", "model", "model s (whole network)", "SCALE-Sim s (one layer)",
                  "ratio"], rows,
                 notes=["SCALE-Sim: one ResNet-18 3x3 layer (58x58x64 -> 64) on a 32x32 os "
                        "array, measured in the same run as the models; ratios only "
                        "(timings vary between runs). Empty when SCALE-Sim is not "
                        "installed. The SPOTS model time covers its sweep points, real-data "
                        "loading and pruning."])


def scalesim_table(chosen: _Records) -> Table | None:
    rows = [[_network(r), r.design, *[r.value(f"{df}_{m}_cycles") for df in ("os", "ws", "is")
                                      for m in ("compatible", "corrected")]]
            for r in sorted(chosen.others, key=lambda r: (_network(r), r.design))
            if r.technique == "scalesim"]
    if not rows:
        return None
    return Table("scalesim_modes", "SCALE-Sim model: compatible vs corrected total cycles",
                 ["network", "design", "os compatible", "os corrected", "ws compatible",
                  "ws corrected", "is compatible", "is corrected"], rows,
                 notes=["compatible equals SCALE-Sim's Total Cycles; corrected uses floor "
                        "output sizes, no trailing -1 and 2R+C+T-2 os folds."])


def speedup_plot(chosen: _Records) -> Plot:
    bases = [b for b in chosen.baseline_designs()
             if chosen.technique_of(b) in ("systolic", "eyeriss-like")]

    def draw(fig) -> None:
        axes = [fig.add_subplot(1, max(len(bases), 1), i + 1) for i in range(max(len(bases),
                                                                                 1))]
        for ax, base in zip(axes, bases, strict=False):
            for r in sorted(chosen.spots, key=lambda r: (_network(r), r.design)):
                rec = chosen.baseline(base, r.workload.get("id"))
                points = sorted(_points(r), key=lambda p: p["value"])
                if rec is None or not points:
                    continue
                label = _network(r) + ("" if _real(r) else " (assumed acts)")
                ax.plot([_pct(p["value"]) for p in points],
                        [rec.value("total_cycles") / p["total_cycles"] for p in points],
                        marker="o", label=label)
            ax.set_title(f"vs {base}", fontsize=9)
            if chosen.technique_of(base) == "eyeriss-like":
                ax.axhline(1.74, color="red", lw=0.8, ls="--", label="paper: 1.74x vs Eyeriss")
        for ax in axes:
            ax.set_xlabel("weight sparsity (% of skip blocks pruned)")
            ax.set_ylabel("speedup (x)")
            ax.axhline(1.0, color="grey", lw=0.5)
            ax.set_xlim(-5, 95)
            ax.set_ylim(bottom=0)
            if ax.get_legend_handles_labels()[0]:
                ax.legend(fontsize=6)
        fig.set_size_inches(5 * max(len(bases), 1), 4)

    return Plot("spots_speedup", "SPOTS speedup by weight sparsity", draw,
                "Cycle ratios of the baselines' records to SPOTS's, netlist-exact models; "
                "defaults as labelled in the tables.")


def layer_plots(chosen: _Records) -> list[Plot]:
    """Per-layer speedup over the dense array for the networks with real activations."""
    dense = [b for b in chosen.baseline_designs() if chosen.technique_of(b) == "systolic"]
    plots = []
    for r in sorted((r for r in chosen.spots if _real(r)), key=lambda r: (_network(r),
                                                                            r.design)):
        rec = chosen.baseline(dense[0], r.workload.get("id")) if dense else None
        if rec is None:
            continue
        base = {e["layer"]: e["cycles"] for e in rec.details["per_layer"]}
        names = [e["layer"] for e in r.details["per_layer"]]
        points = sorted(_points(r), key=lambda p: p["value"])
        network = _network(r)

        def draw(fig, names=names, points=points, base=base, net=network,
                 dense_name=dense[0]) -> None:
            ax = fig.add_subplot(1, 1, 1)
            xs = list(range(len(names)))
            curves = [[base[n] / c for n, c in zip(names, p["per_layer_cycles"], strict=True)]
                      for p in points]
            for p, ys in zip(points, curves, strict=True):
                ax.plot(xs, ys, marker=".", label=f"{_pct(p['value'])} % blocks pruned")
            ax.set_xticks(xs)
            ax.set_xticklabels(names, rotation=90, fontsize=5)
            ax.set_ylabel(f"speedup vs {dense_name} (x)")
            ax.set_yscale("log")
            ax.axhline(1.0, color="grey", lw=0.5)
            ax.set_xlim(-1, len(names))
            values = [v for ys in curves for v in ys] + [1.0]
            ax.set_ylim(min(values) / 1.25, max(values) * 1.25)  # explicit: log axis
            ax.set_title(f"{net}: per layer, real activations", fontsize=9)
            ax.legend(fontsize=7)
            fig.set_size_inches(11, 4.5)

        plots.append(Plot(f"spots_layers_{_network(r)}", f"SPOTS per layer on {_network(r)}",
                          draw, "Dense-array cycles / SPOTS cycles per layer, real "
                                "activations and block-pruned real weights."))
    return plots
