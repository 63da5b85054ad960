"""The dense output-stationary systolic array as an accelbench engine design."""

from __future__ import annotations

import time
from collections.abc import Mapping
from dataclasses import asdict

import numpy as np

from accelbench.design import EvaluationOptions, Netlist
from accelbench.designs.systolic import model
from accelbench.designs.systolic.netlist import DenseHardware
from accelbench.engines.conv import conv_int, crop_real_layer
from accelbench.engines.layers import ConvShape, EngineLayer
from accelbench.errors import AccelbenchError, NetlistMismatchError
from accelbench.families.engine import Accesses, EngineDesign, LayerResult, NetworkTotals
from accelbench.metrics import Metric
from accelbench.netlist.area import area_metrics
from accelbench.netlist.lib import pe_netlist
from accelbench.workloads import NetworkData

#: real crops (layer, channels, filters, window, origin) co-simulated on the system
#: netlist by evaluate(), per network with a real dataset. EfficientNet-Lite0: 3x3 stride 2
#: on the image, 1x1, 3x3 depthwise; ResNet-50-1by2: 7x7 stride 2 on the image, 1x1, 3x3
PUBLISHED_CROPS = {
    "efficientnet-lite0": (("stem", 3, 20, (9, 20), (40, 40)),
                           ("block01.expand", 16, 24, (4, 10), (20, 20)),
                           ("block02.dw", 8, 8, (6, 8), (10, 10))),
    "resnet50-1by2": (("conv1", 3, 20, (13, 20), (40, 40)),
                      ("stage0_block0_branch2a", 16, 24, (4, 10), (20, 20)),
                      ("stage0_block0_branch2b", 8, 8, (6, 8), (10, 10))),
}


class DenseSystolic(EngineDesign):
    technique = "systolic"
    baseline_for = ("spots",)
    summary = ("Dense output-stationary systolic array: int8 MACs, 32-bit accumulators, "
               "tiles pipelined with per-column readout; beside SCALE-Sim's model")
    assumed_defaults = ("lowered (im2col) operands prepared in SRAM by software",
                        "tiles back to back, a tile's last step held until the readout of "
                        "the previous tile has room",
                        "operand SRAMs of 64 Ki words per lane, 16 Ki per column (default)",
                        "int8 activations and weights, outputs written back as int8 "
                        "(1 byte per value)")

    def __init__(self, rows: int = 16, cols: int = 16, hardware: DenseHardware | None = None,
                 cosimulate: bool = True) -> None:
        hw = hardware or DenseHardware(rows, cols)
        if (hw.rows, hw.cols) != (rows, cols):
            raise AccelbenchError(f"hardware {hw.rows}x{hw.cols} for a {rows}x{cols} design")
        limits = {k: v for k, v in asdict(hw).items() if k not in ("rows", "cols")}
        super().__init__(f"systolic-os-{rows}x{cols}", rows=rows, cols=cols, limits=limits)
        self.rows, self.cols = rows, cols
        self.hw = hw
        self.cosimulate = cosimulate
        self._simulator = None

    @property
    def pes(self) -> int:
        return self.rows * self.cols

    def netlists(self) -> Mapping[str, Netlist]:
        hw = self.hw
        return {
            "pe": Netlist("pe", pe_netlist, "one MAC with its pass-through registers"),
            "system": Netlist("system", hw.build,
                              f"operand SRAMs ({hw.patch_words} words a lane, "
                              f"{hw.weight_words} a column) + tile controller with layer "
                              f"registers + the {self.rows}x{self.cols} array"),
        }

    def simulator(self, simulator: str = "compiled"):
        """The compiled simulation of the ``system`` netlist (built once per design)."""
        from accelbench.designs.systolic.simulate import DenseSimulator

        if self._simulator is None or self._simulator[0] != simulator:
            self._simulator = (simulator, DenseSimulator(self.hw, simulator))
        return self._simulator[1]

    def _check(self, convs, runs) -> None:
        for (x, w, shape), run in zip(convs, runs, strict=True):
            out = np.concatenate([o.T for o in run.out], axis=0).reshape(shape.filters,
                                                                         *shape.out_hw)
            if not np.array_equal(out, conv_int(x, w, shape)):
                raise NetlistMismatchError(f"{self.name}: outputs differ from numpy on "
                                           f"{shape}")
            m, n, k = shape.gemm
            expected = model.layer_cycles(m, n, k, shape.groups, self.rows, self.cols)
            if run.cycles != expected:
                raise NetlistMismatchError(f"{self.name}: {run.cycles} simulated cycles on "
                                           f"{shape}, model says {expected}")

    def verify(self, seed: int = 0) -> None:
        """Random convolutions (dense, strided, grouped; tiles shorter and longer than the
        array) through the ``system`` netlist in one simulation."""
        rng = np.random.default_rng(seed)
        r, c = self.rows, self.cols
        shapes = [ConvShape(5, 7, 6, c + 3, (3, 3), 2, (0, 1, 0, 1)),
                  ConvShape(2, 2 * r, 1, c, (1, 1)),
                  ConvShape(4, 6, 6, 4, (3, 3), 1, (1, 1, 1, 1), 4)]
        convs = []
        for shape in shapes:
            x = rng.integers(-128, 128, (shape.channels, shape.height, shape.width))
            w = rng.integers(-128, 128, (shape.filters, shape.channels // shape.groups,
                                         *shape.kernel))
            convs.append((x, w, shape))
        self._check(convs, self.simulator().run_convs(convs))

    def cosimulate_crops(self, data: NetworkData, simulator: str = "compiled") -> list[dict]:
        """The real crops of ``data``'s network through the system netlist (none for a
        network without crops, e.g. a user's ONNX network)."""
        crops = PUBLISHED_CROPS.get(data.network.name, ())
        convs = []
        for name, channels, filters, window, origin in crops:
            real = data.real_layer(name)
            if real is None:
                raise AccelbenchError(f"{self.name}: no real layer {name!r} in "
                                      f"{data.network.name} to crop")
            rc = crop_real_layer(real, channels=channels, filters=filters, window=window,
                                 origin=origin)
            convs.append((rc.x, rc.int_weight(), rc.shape))
        if not convs:
            return []
        runs = self.simulator(simulator).run_convs(convs)
        self._check(convs, runs)
        return [{"layer": name, "cycles": run.cycles}
                for (name, *_), run in zip(crops, runs, strict=True)]

    def evaluate_layer(self, layer: EngineLayer, data: NetworkData, point) -> LayerResult:
        m, n, k = layer.gemm
        g = layer.groups
        acc = Accesses()
        acc.add("dram", "ifmap", "read", g * m * k)  # the lowered input, read once
        acc.add("sram", "ifmap", "write", g * m * k)
        acc.add("sram", "ifmap", "read", model.patch_reads(m, n, k, g, self.cols))
        acc.add("dram", "weight", "read", g * n * k)
        acc.add("sram", "weight", "write", g * n * k)
        acc.add("sram", "weight", "read", model.weight_reads(m, n, k, g, self.rows))
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
        details: dict = {"array": [self.rows, self.cols]}
        if self.cosimulate and data.has_real_data and options.sim_words > 0:
            details["cosimulation"] = self.cosimulate_crops(data, options.simulator)
            metrics.append(Metric("cosim_layers_exact", len(details["cosimulation"]), "",
                                  "higher", description="real cropped layers through the "
                                                        "system netlist, model-exact"))
        if options.area:
            metrics += area_metrics(self, "pe") + area_metrics(self, "system")
        return metrics, details
