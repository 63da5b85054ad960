"""SPOTS (Soltaniyeh, Martin, Nagarakatte, TACO 2022) as an accelbench engine design."""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np

from accelbench.design import Design, EvaluationOptions, Netlist
from accelbench.designs.spots.plan import LayerPlan, SpotsConfig
from accelbench.engines.layers import ConvShape
from accelbench.errors import NetlistMismatchError
from accelbench.metrics import Evaluation, Metric
from accelbench.netlist.area import area_metrics
from accelbench.workloads import NetworkData, NetworkWorkload, Workload

#: the layer the IM2COL area netlist is built for: a ResNet 3x3 conv at 56x56
IM2COL_REFERENCE = ConvShape(64, 56, 56, 64, (3, 3), 1, (1, 1, 1, 1))
#: reduced hardware for co-simulation in verify() and evaluate()
SIM_CONFIG = dict(rows=8, cols=2, subarrays=2)


class Spots(Design):
    family = "engine"
    technique = "spots"
    summary = ("SPOTS: IM2COL unit (banked local memories on a ring, input streamed once) "
               "+ tall OS systolic array splittable into sub-arrays, skipping all-zero "
               "weight blocks and zero input blocks")
    assumed_defaults = (
        "array 32x8 PEs as 4 sub-arrays of 8x8 (default)",
        "skip block = 8 channels at one kernel position (default)",
        "weights pruned by block magnitude at the skip granularity (default)",
        "input zero flags stored with the activations, 1 bit each (default)",
        "skipped input block costs 1 cycle (default)",
        "ReLU zero fraction 0.5 where a network has no dataset (default)",
    )

    def __init__(self, rows: int = 32, cols: int = 8, subarrays: int = 4, block: int = 8,
                 sparsities: tuple[float, ...] = (0.0, 0.5, 0.7, 0.9),
                 dense: tuple[int, int] = (16, 16), cosimulate: bool = True) -> None:
        super().__init__(f"spots-{rows}x{cols}x{subarrays}-b{block}", rows=rows, cols=cols,
                         subarrays=subarrays, block=block, sparsities=list(sparsities),
                         dense_array=list(dense))
        self.config = SpotsConfig(rows, cols, subarrays, block)
        self.sparsities = tuple(sparsities)
        self.dense = dense
        self.cosimulate = cosimulate

    def _im2col_plan(self) -> LayerPlan:
        return LayerPlan(IM2COL_REFERENCE, 1, self.config, False)

    def netlists(self) -> Mapping[str, Netlist]:
        from accelbench.designs.spots.netlist import im2col_netlist, pe_netlist
        from accelbench.designs.systolic.netlist import array_netlist

        plan = self._im2col_plan()
        cfg = self.config
        return {
            "pe": Netlist("pe", pe_netlist, "one MAC with its pass-through registers"),
            "im2col": Netlist("im2col", lambda p: im2col_netlist(p, plan),
                              f"IM2COL unit, {plan.lanes} lanes, {plan.banks} local "
                              "memories, general ring rotator (3x3 stride-1 layer)"),
            "array": Netlist("array", lambda p: array_netlist(p, cfg.rows, cfg.cols),
                             f"a plain {cfg.rows}x{cfg.cols} PE array (no split muxes)"),
        }

    def accepts(self, workload: Workload) -> bool:
        return isinstance(workload, NetworkWorkload)

    def sim_config(self) -> SpotsConfig:
        return SpotsConfig(block=min(self.config.block, 4), **SIM_CONFIG)

    def verify(self, seed: int = 0) -> None:
        from accelbench.designs.spots.model import layer_cycles
        from accelbench.designs.spots.program import dense_weight
        from accelbench.designs.spots.simulate import run_spots
        from accelbench.designs.systolic.golden import conv_int

        rng = np.random.default_rng(seed)
        shape = ConvShape(6, 6, 7, 5, (3, 3), 1, (1, 1, 1, 1))
        for split in (False, True):
            plan = LayerPlan(shape, 1, self.sim_config(), split)
            x = rng.integers(-128, 128, (6, 6, 7))
            x[rng.random(x.shape) < 0.6] = 0
            w = rng.integers(-128, 128, (5, 6, 3, 3))
            w[rng.random(w.shape) < 0.6] = 0
            _check(self.name, plan, x, w, run_spots(plan, x, w),
                   conv_int(x, dense_weight(w, 1), shape), layer_cycles(plan, w, x != 0))

    def evaluate(self, data: NetworkData, options: EvaluationOptions) -> Evaluation:
        from accelbench.designs.spots.evaluate import Baselines, evaluate_network

        res = evaluate_network(data, self.config, sparsities=self.sparsities,
                               baselines=Baselines(*self.dense))
        metrics = [Metric("total_cycles", res["summary"][0]["cycles"] if 0 in
                          res["summary"] else res["summary"][min(res["summary"])]["cycles"],
                          "cycles", "lower", description="at the lowest weight sparsity")]
        first = min(res["summary"])
        metrics.append(Metric("utilisation", round(res["summary"][first]["utilisation"], 6),
                              "", "higher", description="issued MACs on present weights / "
                                                        "(PEs x cycles), lowest sparsity"))
        for pct, s in res["summary"].items():
            metrics += [
                Metric(f"cycles_s{pct}", s["cycles"], "cycles", "lower",
                       description=f"{pct} % of the weight blocks pruned"),
                Metric(f"speedup_vs_dense_s{pct}", round(s["speedup_vs_dense"], 6), "x",
                       "higher", description=f"dense {self.dense[0]}x{self.dense[1]} OS "
                                             "array cycles / SPOTS cycles"),
                Metric(f"speedup_vs_eyeriss_s{pct}", round(s["speedup_vs_eyeriss"], 6), "x",
                       "higher", description="Eyeriss-like 12x14 RS model / SPOTS"),
            ]
        for pct in sorted({first, max(res["summary"])}):
            metrics.append(Metric(f"ifm_local_reads_s{pct}",
                                  res["summary"][pct]["local_reads"], "words", "lower",
                                  description="IM2COL local-memory reads"))
        metrics += [
            Metric("noskip_cycles", res["noskip_cycles"], "cycles", "lower"),
            Metric("dense_cycles", res["dense_cycles"], "cycles", "lower",
                   description=f"dense {self.dense[0]}x{self.dense[1]} OS systolic array"),
            Metric("eyeriss_cycles", res["eyeriss_cycles"], "cycles", "lower",
                   description="Eyeriss-like 12x14 row-stationary model"),
            Metric("ifm_dram_reads", res["ifm_words"], "words", "lower",
                   description="input maps streamed once (DRAM -> global buffer -> IM2COL)"),
            Metric("dense_ifm_sram_reads", res["dense_patch_sram_reads"], "words", "lower",
                   description="dense array: lowered patches read from SRAM"),
            Metric("dense_ifm_dram_reads", res["dense_lowered_dram_reads"], "words", "lower",
                   description="dense array: lowered (im2col) input read from DRAM once"),
            Metric("real_activation_layers", res["real_layers"], "", "none",
                   description="layers with activations from a real dataset"),
            Metric("compute_layers", res["compute_layers"], "", "none"),
            Metric("model_seconds", res["model_seconds"], "s", "lower", exact=False,
                   description="SPOTS + baseline models for the whole network"),
        ]
        notes = []
        details = {"per_layer": res["layers"], "summary": res["summary"],
                   "config": {"rows": self.config.rows, "cols": self.config.cols,
                              "subarrays": self.config.subarrays,
                              "block": self.config.block, "defaults": True},
                   "activations": (f"real: {data.dataset.name} dataset, image {data.image}, "
                                   "int8") if data.has_real_data else
                   "assumed: i.i.d. zeros, ReLU outputs 0.5 (default), others 0",
                   "weights": ("real weights, block-magnitude pruned" if data.has_real_data
                               else "no weights: random block pruning")}
        if self.cosimulate and data.has_real_data and options.sim_words > 0:
            crop = self._cosimulate_crop(data)
            details["cosimulation"] = crop
            metrics.append(Metric("cosim_layers_exact", crop["layers"], "", "higher",
                                  description="real cropped layers co-simulated bit-exactly "
                                              "with model-exact cycles"))
        if options.area:
            metrics += area_metrics(self, "pe")
            pe = metrics[-2].value
            metrics.append(Metric("array_ge_estimate", round(pe * self.config.pes, 1), "GE",
                                  "lower", description="PEs x one synthesised PE (skew, "
                                                       "readout, split muxes excluded)"))
            metrics += area_metrics(self, "im2col")
            plan = self._im2col_plan()
            metrics.append(Metric("im2col_memory_bits", plan.slots * plan.shape.width
                                  * plan.shape.channels * (8 + 1), "bits", "lower",
                                  description="local memories for the reference layer: "
                                              "(kh + stride) rows x W x C x (8 + 1 flag)"))
        return Evaluation(metrics, details=details, notes=notes)

    def _cosimulate_crop(self, data: NetworkData) -> dict:
        """Co-simulate a few cropped real layers on the reduced configuration."""
        from accelbench.designs.spots.crops import crop_layer
        from accelbench.designs.spots.model import layer_cycles
        from accelbench.designs.spots.program import dense_weight
        from accelbench.designs.spots.simulate import run_spots
        from accelbench.designs.systolic.golden import conv_int

        cfg = self.sim_config()
        picks = [("block01.expand", 8, 8, (6, 8), False),
                 ("block03.dw", 8, 8, (9, 9), False)]
        done = []
        for name, ch, fl, win, split in picks:
            real = data.real_layer(name)
            if real is None:
                continue
            crop = crop_layer(real, channels=ch, filters=fl, window=win,
                              origin=(20, 20), sparsity=0.7, cols=cfg.cols, block=cfg.block)
            plan = LayerPlan(crop.shape, crop.groups, cfg, split)
            run = run_spots(plan, crop.x, crop.weight)
            _check(self.name, plan, crop.x, crop.weight, run,
                   conv_int(crop.x, dense_weight(crop.weight, crop.groups), crop.shape),
                   layer_cycles(plan, crop.weight, crop.x != 0))
            done.append({"layer": name, "cycles": run.cycles, "issued": run.issued_steps})
        return {"layers": len(done), "crops": done}


def _check(name, plan, x, w, run, golden, predicted) -> None:
    if not np.array_equal(run.out, golden):
        bad = int(np.sum(run.out != golden))
        raise NetlistMismatchError(f"{name}: {bad} outputs differ from numpy on "
                                   f"{plan.shape}")
    if (run.cycles, run.issued_steps, run.local_reads) != (
            predicted.cycles, predicted.issued_steps, predicted.local_reads):
        sim = (run.cycles, run.issued_steps, run.local_reads)
        mod = (predicted.cycles, predicted.issued_steps, predicted.local_reads)
        raise NetlistMismatchError(f"{name}: simulated (cycles, issued steps, local reads) "
                                   f"= {sim}, model {mod}")
