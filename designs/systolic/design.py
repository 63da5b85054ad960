"""The dense output-stationary systolic array as an accelbench engine design."""

from __future__ import annotations

import time
from collections.abc import Mapping

import numpy as np

from accelbench.design import EvaluationOptions, Netlist
from accelbench.designs.systolic import model
from accelbench.designs.systolic.netlist import array_netlist, dense_system
from accelbench.engines.layers import EngineLayer
from accelbench.errors import NetlistMismatchError
from accelbench.families.engine import Accesses, EngineDesign, LayerResult, NetworkTotals
from accelbench.metrics import Metric
from accelbench.netlist.area import area_metrics
from accelbench.workloads import NetworkData

#: the small layer the "system" netlist is built for (verify, Verilog export)
REFERENCE_GEMM = (2, 2, 9)  # pixel tiles, filter tiles, K


class DenseSystolic(EngineDesign):
    technique = "systolic"
    baseline_for = ("spots",)
    summary = ("Dense output-stationary systolic array: int8 MACs, 32-bit accumulators, "
               "tiles pipelined with per-column readout; beside SCALE-Sim's model")
    assumed_defaults = ("lowered (im2col) operands prepared in SRAM by software",
                        "tiles back to back, a tile's last step held until the readout of "
                        "the previous tile has room",
                        "int8 activations and weights, outputs written back as int8 "
                        "(1 byte per value)")

    def __init__(self, rows: int = 16, cols: int = 16) -> None:
        super().__init__(f"systolic-os-{rows}x{cols}", rows=rows, cols=cols)
        self.rows, self.cols = rows, cols

    @property
    def pes(self) -> int:
        return self.rows * self.cols

    def netlists(self) -> Mapping[str, Netlist]:
        from accelbench.designs.spots.netlist import pe_netlist

        mt, nt, k = REFERENCE_GEMM
        return {
            "pe": Netlist("pe", pe_netlist, "one MAC with its pass-through registers"),
            "array": Netlist("array", lambda p: array_netlist(p, self.rows, self.cols),
                             f"the {self.rows}x{self.cols} PE array with skew and readout"),
            "system": Netlist("system", lambda p: dense_system(p, self.rows, self.cols, mt,
                                                               nt, k),
                              f"banks + controller + array for a {mt}x{nt}-tile, K={k} "
                              "GEMM (co-simulation)"),
        }

    def verify(self, seed: int = 0) -> None:
        from accelbench.designs.systolic.simulate import run_dense

        rng = np.random.default_rng(seed)
        rows, cols = min(self.rows, 4), min(self.cols, 4)
        m, n, k = 2 * rows + 1, cols + 1, 7
        p = rng.integers(-128, 128, (m, k))
        w = rng.integers(-128, 128, (k, n))
        run = run_dense(p, w, rows, cols)
        if not np.array_equal(run.out, p @ w):
            raise NetlistMismatchError(f"{self.name}: array output differs from numpy")
        expected = model.dense_cycles(m, n, k, rows, cols)
        if run.cycles != expected:
            raise NetlistMismatchError(f"{self.name}: {run.cycles} simulated cycles, model "
                                       f"says {expected}")

    def evaluate_layer(self, layer: EngineLayer, data: NetworkData, point) -> LayerResult:
        m, n, k = layer.gemm
        g = layer.groups
        acc = Accesses()
        acc.add("sram", "ifmap", "read", model.patch_reads(m, n, k, g, self.cols))
        acc.add("dram", "ifmap", "read", g * m * k)  # the lowered input, read once
        acc.add("dram", "weight", "read", g * n * k)
        acc.add("dram", "ofmap", "write", g * m * n)
        return LayerResult(cycles=model.layer_cycles(m, n, k, g, self.rows, self.cols),
                           macs=layer.macs, accesses=acc,
                           details={"gemm_mnk": [m, n, k], "groups": g})

    def extra_metrics(self, data: NetworkData, options: EvaluationOptions,
                      totals: NetworkTotals) -> tuple[list[Metric], dict]:
        from accelbench.engines.scalesim import topology_cycles
        from accelbench.networks.topology import network_to_rows

        rows = network_to_rows(data.network)
        t0 = time.perf_counter()
        compat = topology_cycles(rows, (self.rows, self.cols), "os", "compatible")
        compat_s = time.perf_counter() - t0
        corrected = topology_cycles(rows, (self.rows, self.cols), "os", "corrected")
        metrics = [
            Metric("scalesim_compatible_cycles", sum(r.total_cycles for r in compat),
                   "cycles", "lower", description="SCALE-Sim's os model, same array"),
            Metric("scalesim_corrected_cycles", sum(r.total_cycles for r in corrected),
                   "cycles", "lower", description="SCALE-Sim's os model, quirks fixed"),
            Metric("scalesim_model_seconds", compat_s, "s", "lower", exact=False,
                   description="closed-form SCALE-Sim compatible model, whole network"),
        ]
        if options.area:
            metrics += area_metrics(self, "pe")
            pe = metrics[-2].value
            metrics.append(Metric("array_ge_estimate", round(pe * self.rows * self.cols, 1),
                                  "GE", "lower",
                                  description="rows x cols x one synthesised PE (skew "
                                              "and readout registers not included)"))
        return metrics, {"array": [self.rows, self.cols]}
