"""The SPOTS report section: speedups per network and sparsity, per-layer CSV, input
reads, area, and the speed of the closed-form models against trace-driven SCALE-Sim."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from accelbench.records import ResultRecord
from accelbench.report.sections import Plot, SectionOutput, Table

PAPER_NOTE = ("Paper (SPOTS, TACO 2022): 1.74x faster than Eyeriss and 2.16x than Gemmini "
              "on average; its array, pruning and networks differ from these defaults, so "
              "the figures are context, not the same measurement.")


def _network(record: ResultRecord) -> str:
    return record.workload.get("id", "").removeprefix("net/")


def _fmt(value, digits: int = 3):
    return None if value is None else round(value, digits)


@dataclass
class SpotsSection:
    name: str = "spots"
    order: int = 40

    def render(self, records: Sequence[ResultRecord]) -> SectionOutput | None:
        spots = [r for r in records if r.design.startswith("spots-")]
        if not spots:
            return None
        tables = [self._networks(spots), self._per_layer(spots), self._pruning(spots),
                  self._reads(spots),
                  self._area(records), self._speed(records), self._scalesim(records)]
        tables = [t for t in tables if t is not None]
        cfg = spots[0].details.get("config", {})
        text = (f"SPOTS ({spots[0].design}: {cfg.get('rows')}x{cfg.get('cols')} PEs in "
                f"{cfg.get('subarrays')} sub-arrays, skip block {cfg.get('block')} channels, "
                "all labelled defaults) against the same array without skipping, a dense "
                "16x16 output-stationary systolic array and an Eyeriss-like 12x14 "
                "row-stationary model. Cycles come from closed-form models that equal the "
                "netlists' simulated cycle counts on every co-simulated layer (tests and "
                "`cosim_layers_exact`). Weight sparsity = fraction of skip blocks pruned by "
                "magnitude. " + PAPER_NOTE)
        return SectionOutput("SPOTS: sparse systolic GEMM with an IM2COL unit", text=text,
                             tables=tables,
                             plots=[_speedup_plot(spots), *_layer_plots(spots)])

    def _networks(self, spots) -> Table:
        rows = []
        for r in sorted(spots, key=_network):
            for pct, s in sorted(r.details.get("summary", {}).items(), key=lambda kv: int(kv[0])):
                acts = r.details.get("activations", "")
                rows.append([_network(r), "real" if acts.startswith("real") else "assumed",
                             int(pct),
                             s["cycles"], _fmt(s["speedup_vs_dense"]),
                             _fmt(s["speedup_vs_noskip"]), _fmt(s["speedup_vs_eyeriss"]),
                             _fmt(s["utilisation"])])
        return Table("spots_networks", "SPOTS per network and weight sparsity",
                     ["network", "activations", "weight sparsity %", "SPOTS cycles",
                      "speedup vs dense 16x16", "speedup vs SPOTS no-skip",
                      "speedup vs Eyeriss-like", "PE utilisation"], rows,
                     notes=["activations: real = EfficientNet-Lite0 dataset (one image, "
                            "int8); assumed = i.i.d. zeros with fraction 0.5 after ReLU "
                            "(default), 0 elsewhere.",
                            "SPOTS and the dense array have 256 PEs, Eyeriss-like 168; "
                            "speedups are cycle ratios at one clock, not per PE.",
                            "Networks without real weights: pruned blocks drawn at random."])

    def _per_layer(self, spots) -> Table:
        rows, pcts = [], set()
        for r in spots:
            for entry in r.details.get("per_layer", []):
                pcts |= {int(k[len("cycles_s"):]) for k in entry if k.startswith("cycles_s")}
        pcts = sorted(pcts)
        for r in sorted(spots, key=_network):
            for e in r.details.get("per_layer", []):
                rows.append([_network(r), e["layer"], e["op"], "x".join(map(str, e["shape"])),
                             e["groups"], e["activations"], e["input_zero_fraction"],
                             *[e.get(f"cycles_s{p}") for p in pcts],
                             *[_fmt(e["dense_cycles"] / e[f"cycles_s{p}"]) for p in pcts],
                             *[_fmt(e["eyeriss_cycles"] / e[f"cycles_s{p}"]) for p in pcts],
                             *[e.get(f"utilisation_s{p}") for p in pcts],
                             *[e.get(f"mode_s{p}") for p in pcts],
                             e["noskip_cycles"], e["dense_cycles"], e["eyeriss_cycles"]])
        return Table("spots_per_layer", "SPOTS per layer (CSV only)",
                     ["network", "layer", "op", "C x H x W x N x kh x kw x s", "groups",
                      "activations", "input zero fraction",
                      *[f"cycles s{p}" for p in pcts],
                      *[f"speedup vs dense s{p}" for p in pcts],
                      *[f"speedup vs Eyeriss-like s{p}" for p in pcts],
                      *[f"PE utilisation s{p}" for p in pcts], *[f"mode s{p}" for p in pcts],
                      "no-skip cycles", "dense 16x16 cycles", "Eyeriss-like cycles"],
                     rows, show=False)

    def _pruning(self, spots) -> Table | None:
        rows = []
        for r in sorted(spots, key=_network):
            for pct, s in sorted(r.details.get("summary", {}).items(), key=lambda kv: int(kv[0])):
                if "unstructured_cycles" in s:
                    rows.append([_network(r), int(pct), s["cycles"], s["unstructured_cycles"],
                                 _fmt(s["unstructured_cycles"] / s["cycles"])])
        if not rows:
            return None
        return Table("spots_pruning", "Block-wise vs element-wise magnitude pruning (real "
                     "weights)", ["network", "weight sparsity %", "SPOTS cycles, block "
                                  "pruning (default)", "SPOTS cycles, element-wise pruning",
                                  "ratio"], rows,
                     notes=["Element-wise pruning leaves few skip blocks all-zero "
                            "(a block spans 8 filters x 8 channels), except in depthwise "
                            "layers whose blocks hold one weight per filter."])

    def _reads(self, spots) -> Table:
        rows = []
        for r in sorted(spots, key=_network):
            ifm = r.value("ifm_dram_reads")
            dense_sram = r.value("dense_ifm_sram_reads")
            rows.append([_network(r), ifm, r.value("ifm_local_reads_s0"),
                         r.value("ifm_local_reads_s90"), dense_sram,
                         r.value("dense_ifm_dram_reads"),
                         _fmt(dense_sram / ifm if ifm else None, 2)])
        return Table("spots_ifm_reads", "Input feature-map reads (words)",
                     ["network", "SPOTS DRAM = global-buffer reads (streamed once)",
                      "SPOTS IM2COL local reads s0", "SPOTS IM2COL local reads s90",
                      "dense: patch SRAM reads", "dense: lowered DRAM reads",
                      "dense SRAM / SPOTS global reads"], rows,
                     notes=["SPOTS reads each input word once from DRAM and the global "
                            "buffer; its IM2COL unit then reads the local memories once "
                            "per issued step and valid lane. The dense array is fed a "
                            "lowered (im2col) matrix prepared by software, read from DRAM "
                            "once and from SRAM once per filter tile."])

    def _area(self, records) -> Table | None:
        rows = []
        seen = set()
        for r in records:
            if not (r.design.startswith("spots-") or r.design.startswith("systolic-")):
                continue
            if r.design in seen:
                continue
            seen.add(r.design)
            for name in ("pe", "im2col"):
                ge = r.value(f"{name}_ge")
                if ge is not None:
                    rows.append([r.design, name, ge, r.value(f"{name}_flip_flops"),
                                 "synthesised"])
            est = r.value("array_ge_estimate")
            if est is not None:
                rows.append([r.design, "PE array", est, None,
                             "estimate: PEs x one synthesised PE"])
            bits = r.value("im2col_memory_bits")
            if bits is not None:
                rows.append([r.design, "IM2COL local memories", None, None,
                             f"{bits} bits (SRAM, not in GE)"])
        if not rows:
            return None
        return Table("spots_area", "Area (Yosys onto IHP SG13G2 130 nm cells, GE = NAND2 "
                     "equivalents)", ["design", "part", "GE", "flip-flops", "how"], rows,
                     notes=["The IM2COL unit is synthesised for a 3x3 stride-1 64-channel "
                            "56x56 layer with a general ring rotator; its address "
                            "comparators use that layer's constants (layer-specialised).",
                            "PE array = PEs x one PE; a whole synthesised 4x4 array (skew, "
                            "readout, deskew) is 1.09x sixteen PEs (docs/spots.md)."])

    def _speed(self, records) -> Table | None:
        trace = None
        for r in records:
            if r.design.startswith("scalesim-") and r.value("scalesim_trace_layer_seconds"):
                trace = r.value("scalesim_trace_layer_seconds")
        rows = []
        for r in sorted(records, key=_network):
            if not (r.design.startswith("spots-") or r.design.startswith("systolic-")
                    or r.design.startswith("scalesim-")):
                continue
            t = r.value("model_seconds")
            if t is None:
                continue
            rows.append([_network(r), r.design, _fmt(t, 5), _fmt(trace, 1),
                         round(trace / t) if trace and t else None])
        if not rows:
            return None
        return Table("spots_model_speed", "Closed-form model time for a whole network vs "
                     "trace-driven SCALE-Sim on one layer", ["network", "model",
                                                             "model s (whole network)",
                                                             "SCALE-Sim s (one layer)",
                                                             "ratio"], rows,
                     notes=["SCALE-Sim: one ResNet-18 3x3 layer (58x58x64 -> 64) on a 32x32 "
                            "os array, measured in the same run as the models; ratios only "
                            "(timings vary between runs). Empty when SCALE-Sim is not "
                            "installed. The SPOTS model includes its baselines, real-data "
                            "loading and pruning."])

    def _scalesim(self, records) -> Table | None:
        rows = []
        for r in sorted(records, key=_network):
            if r.design.startswith("scalesim-"):
                rows.append([_network(r), r.design,
                             *[r.value(f"{df}_{m}_cycles") for df in ("os", "ws", "is")
                               for m in ("compatible", "corrected")]])
        if not rows:
            return None
        return Table("scalesim_modes", "SCALE-Sim model: compatible vs corrected total cycles",
                     ["network", "design", "os compatible", "os corrected", "ws compatible",
                      "ws corrected", "is compatible", "is corrected"], rows,
                     notes=["compatible equals SCALE-Sim's Total Cycles; corrected uses "
                            "floor output sizes, no trailing -1 and 2R+C+T-2 os folds."])


def _speedup_plot(spots) -> Plot:
    def draw(fig) -> None:
        ax1 = fig.add_subplot(1, 2, 1)
        ax2 = fig.add_subplot(1, 2, 2)
        for r in sorted(spots, key=_network):
            summary = r.details.get("summary", {})
            pcts = sorted(summary, key=int)
            xs = [int(p) for p in pcts]
            label = _network(r) + ("" if r.details.get("activations", "").startswith("real")
                                   else " (assumed acts)")
            ax1.plot(xs, [summary[p]["speedup_vs_dense"] for p in pcts], marker="o",
                     label=label)
            ax2.plot(xs, [summary[p]["speedup_vs_eyeriss"] for p in pcts], marker="o",
                     label=label)
        for ax, title in ((ax1, "vs dense 16x16 OS array"), (ax2, "vs Eyeriss-like 12x14")):
            ax.set_xlabel("weight sparsity (% of skip blocks pruned)")
            ax.set_ylabel("speedup (x)")
            ax.set_title(title, fontsize=9)
            ax.axhline(1.0, color="grey", lw=0.5)
        ax2.axhline(1.74, color="red", lw=0.8, ls="--", label="paper: 1.74x vs Eyeriss")
        ax2.legend(fontsize=6)
        fig.set_size_inches(10, 4)

    return Plot("spots_speedup", "SPOTS speedup by weight sparsity", draw,
                "Cycle ratios from the netlist-exact models; defaults as labelled in the "
                "tables.")


def _layer_plots(spots) -> list[Plot]:
    """Per-layer speedup over the dense array for the networks with real activations."""
    real = [r for r in spots if r.details.get("activations", "").startswith("real")]
    plots = []
    for r in real:
        net = _network(r)
        layers = r.details.get("per_layer", [])
        pcts = sorted({int(k[len("cycles_s"):]) for e in layers for k in e
                       if k.startswith("cycles_s")})

        def draw(fig, layers=layers, pcts=pcts, name=net) -> None:
            ax = fig.add_subplot(1, 1, 1)
            xs = range(len(layers))
            for p in pcts:
                ax.plot(xs, [e["dense_cycles"] / e[f"cycles_s{p}"] for e in layers],
                        marker=".", label=f"{p} % blocks pruned")
            ax.set_xticks(list(xs))
            ax.set_xticklabels([e["layer"] for e in layers], rotation=90, fontsize=5)
            ax.set_ylabel("speedup vs dense 16x16 (x)")
            ax.set_yscale("log")
            ax.axhline(1.0, color="grey", lw=0.5)
            ax.set_title(f"{name}: per layer, real activations", fontsize=9)
            ax.legend(fontsize=7)
            fig.set_size_inches(11, 4.5)

        plots.append(Plot(f"spots_layers_{_network(r)}", f"SPOTS per layer on "
                          f"{_network(r)}", draw, "Dense-array cycles / SPOTS cycles per "
                          "layer, real activations and block-pruned real weights."))
    return plots
