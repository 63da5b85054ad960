"""The Eyeriss-like row-stationary baseline as an (analytical) engine design."""

from __future__ import annotations

from accelbench.design import AnalyticalDesign, EvaluationOptions
from accelbench.designs.eyeriss.model import COLS, ROWS, rs_layer_cycles
from accelbench.engines.evaluation import is_network
from accelbench.engines.layers import engine_layers
from accelbench.metrics import Evaluation, Metric
from accelbench.workloads import Workload


class EyerissLike(AnalyticalDesign):
    family = "engine"
    summary = ("Eyeriss-like row-stationary array, 12x14 PEs: ANALYTICAL model only, no "
               "netlist (netlists() is empty); zeros save energy, not cycles")
    assumed_defaults = ("PE sets of kh x min(E_h, 14) PEs, replicated (default)",
                        "one MAC per PE per cycle, buffers never stall (default)",
                        "no cycle savings from zeros (Eyeriss gates, it does not skip)")

    def __init__(self, rows: int = ROWS, cols: int = COLS) -> None:
        super().__init__(f"eyeriss-like-{rows}x{cols}", rows=rows, cols=cols)
        self.rows, self.cols = rows, cols

    def accepts(self, workload: Workload) -> bool:
        return is_network(workload)

    def evaluate(self, workload: Workload, options: EvaluationOptions) -> Evaluation:
        network = workload.load()
        layers, total, macs = [], 0, 0
        for el in engine_layers(network):
            res = rs_layer_cycles(el, self.rows, self.cols)
            layers.append({"layer": el.name, "op": el.op, "cycles": res.cycles,
                           "pe_sets": res.sets, "active_pes": res.active_pes,
                           "utilisation": el.macs / (res.cycles * self.rows * self.cols)})
            total += res.cycles
            macs += el.macs
        return Evaluation(
            [Metric("total_cycles", total, "cycles", "lower"),
             Metric("utilisation", macs / (total * self.rows * self.cols), "", "higher",
                    description="MACs / (PEs x cycles)")],
            details={"per_layer": layers},
            notes=["analytical row-stationary model, no netlist"])
