"""The Eyeriss-like row-stationary baseline as an (analytical) engine design."""

from __future__ import annotations

from accelbench.design import AnalyticalDesign
from accelbench.designs.eyeriss.model import COLS, ROWS, rs_layer_accesses, rs_layer_cycles
from accelbench.engines.layers import EngineLayer
from accelbench.families.engine import EngineDesign, LayerResult
from accelbench.workloads import NetworkData


class EyerissLike(AnalyticalDesign, EngineDesign):
    technique = "eyeriss-like"
    baseline_for = ("spots",)
    summary = ("Eyeriss-like row-stationary array, 12x14 PEs: ANALYTICAL model only, no "
               "netlist (netlists() is empty); zeros save energy, not cycles")
    assumed_defaults = ("PE sets of kh x min(E_h, 14) PEs, replicated (default)",
                        "one MAC per PE per cycle, buffers never stall (default)",
                        "no cycle savings from zeros (Eyeriss gates, it does not skip)",
                        "accesses: each operand once from DRAM, multicast input rows, "
                        "1 byte per value, 4 per partial sum (default)")

    def __init__(self, rows: int = ROWS, cols: int = COLS) -> None:
        super().__init__(f"eyeriss-like-{rows}x{cols}", rows=rows, cols=cols)
        self.rows, self.cols = rows, cols

    @property
    def pes(self) -> int:
        return self.rows * self.cols

    def memory_sizes(self) -> dict[str, int]:
        """Eyeriss's (JSSC 2017) 108 KB global buffer and 0.5 KB of scratchpads per PE."""
        return {"sram": 108 * 1024, "rf": 512}

    def evaluate_layer(self, layer: EngineLayer, data: NetworkData, point) -> LayerResult:
        res = rs_layer_cycles(layer, self.rows, self.cols)
        return LayerResult(cycles=res.cycles, macs=layer.macs,
                           accesses=rs_layer_accesses(layer, self.rows, self.cols),
                           details={"pe_sets": res.sets, "active_pes": res.active_pes})
