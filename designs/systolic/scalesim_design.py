"""SCALE-Sim's cycle model (closed form) as an engine design, with an optional timing of
the real, trace-driven SCALE-Sim on one layer for the speed comparison."""

from __future__ import annotations

import time

from accelbench.design import AnalyticalDesign, EvaluationOptions
from accelbench.engines.scalesim import DATAFLOWS, topology_cycles
from accelbench.metrics import Evaluation, Metric
from accelbench.networks.topology import TopologyRow, network_to_rows, rows_to_csv
from accelbench.workloads import NetworkData, NetworkWorkload, Workload

#: scalesim.md: one ResNet-18 3x3 layer, 58x58x64 (padded) -> 64 filters
REFERENCE_LAYER = TopologyRow("resnet18_conv", 58, 58, 3, 3, 64, 64, 1)


class ScaleSimModel(AnalyticalDesign):
    """Not an :class:`~accelbench.families.engine.EngineDesign`: SCALE-Sim counts cycles per
    row of its own topology (depthwise layers expanded per channel), so this model walks
    the network's SCALE-Sim topology instead of the engine layers."""

    family = "engine"
    technique = "scalesim"
    baseline_for = ("spots",)
    summary = ("SCALE-Sim's systolic-array cycle model in closed form (compatible and "
               "corrected modes); ANALYTICAL, no netlist")
    assumed_defaults = ("InterfaceBandwidth CALC (no stalls), sparsity support off",)

    def __init__(self, rows: int = 32, cols: int = 32, timing_network: str = "resnet34",
                 reference: TopologyRow = REFERENCE_LAYER) -> None:
        super().__init__(f"scalesim-{rows}x{cols}", rows=rows, cols=cols,
                         timing_network=timing_network)
        self.array = (rows, cols)
        self.timing_network = timing_network
        self.reference = reference

    def accepts(self, workload: Workload) -> bool:
        return isinstance(workload, NetworkWorkload)

    def evaluate(self, data: NetworkData, options: EvaluationOptions) -> Evaluation:
        network = data.network
        rows = network_to_rows(network)
        metrics, details = [], {}
        t0 = time.perf_counter()
        compat = topology_cycles(rows, self.array, "os", "compatible")
        seconds = time.perf_counter() - t0
        metrics.append(Metric("model_seconds", seconds, "s", "lower", exact=False,
                              description="compatible os model, whole network"))
        for df in DATAFLOWS:
            for mode in ("compatible", "corrected"):
                res = compat if (df, mode) == ("os", "compatible") else \
                    topology_cycles(rows, self.array, df, mode)
                metrics.append(Metric(f"{df}_{mode}_cycles", sum(r.total_cycles for r in res),
                                      "cycles", "lower"))
        metrics.append(Metric("scalesim_layers", len(compat), "", "none",
                              description="layers as SCALE-Sim counts them (DP expanded)"))
        if network.name == self.timing_network:
            timing = self._time_reference()
            details["reference_timing"] = timing
            if timing.get("seconds") is not None:
                metrics.append(Metric("scalesim_trace_layer_seconds", timing["seconds"], "s",
                                      "lower", exact=False,
                                      description="real SCALE-Sim, one layer (os)"))
                metrics.append(Metric("trace_layer_over_model_network",
                                      timing["seconds"] / seconds, "x", "none", exact=False,
                                      description="one trace-driven layer / closed-form "
                                                  "whole network, same run"))
                metrics.append(Metric("reference_layer_agrees", int(timing["agrees"]), "",
                                      "higher"))
        return Evaluation(metrics, details=details)

    def _time_reference(self) -> dict:
        from accelbench.engines.scalesim_reference import run_reference, scalesim_available

        ok, why = scalesim_available()
        if not ok:
            return {"seconds": None, "reason": why}
        text = rows_to_csv([self.reference])
        t0 = time.perf_counter()
        ref = run_reference(text, self.array, "os")
        seconds = time.perf_counter() - t0
        mine = topology_cycles([self.reference], self.array, "os", "compatible")[0]
        agrees = (ref[0]["Total Cycles"], ref[0]["Mapping Efficiency %"]) == (
            str(mine.total_cycles), str(mine.mapping_efficiency))
        return {"seconds": seconds, "layer": rows_to_csv([self.reference]).splitlines()[1],
                "array": list(self.array), "scalesim_total_cycles": ref[0]["Total Cycles"],
                "model_total_cycles": mine.total_cycles, "agrees": agrees}
