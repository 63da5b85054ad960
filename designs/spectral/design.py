"""The spectral sparse CNN engine (Niu et al., FPGA 2020) as an accelbench engine design.

Netlists: the 2-D FFT and inverse FFT units, the sparse Hadamard engine with P lanes and
B banks, and the core that wires them. :meth:`SpectralEngine.verify` co-simulates each
bit-exactly against the fixed-point model (random data, random back-pressure) and checks
every pass's cycles against the schedule and the core's against the cycle model.

On a network the harness loops over the layers the engine computes (stride-1, ungrouped,
k x k convolutions with k = 2..8; the others stay spatial, are not counted and are listed
in ``details["spatial_layers"]``) at every kernel density of the sweep. Per layer
(:func:`accelbench.designs.spectral.evaluate.layer_figures`): the kept bins of real
kernels where the network has a real dataset (ResNet-50-1by2), SYNTHETIC pruned random
kernels otherwise (VGG16), cycles of the core under each scheduling policy (headline:
optimal) with the kernel loading, conflict cycles, and DRAM bytes of kernel reuse,
activation reuse and the per-layer choice; accesses under the chosen dataflow
(:mod:`.totals`). ``details["spectral_sweep"]`` holds the per-density network totals and
per-layer figures; ``details["accuracy"]`` the network's accuracy with its spectral
convolutions pruned, on every image of the real dataset (when ``options.accuracy``).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any, ClassVar

import numpy as np

from accelbench.design import EvaluationOptions, Netlist
from accelbench.designs.spectral import evaluate as ev
from accelbench.designs.spectral import totals
from accelbench.designs.spectral.engine import EngineConfig
from accelbench.designs.spectral.schedule import POLICIES
from accelbench.engines.layers import EngineLayer, engine_layers
from accelbench.errors import AccelbenchError, NetlistMismatchError
from accelbench.families.engine import EngineDesign, LayerResult, NetworkTotals, Sweep
from accelbench.metrics import Metric
from accelbench.workloads import NetworkData, NetworkWorkload, Workload

#: networks in the matrix (default): VGG16 (SYNTHETIC kernels) and ResNet-50-1by2 (real
#: weights and images). Others with stride-1 k x k convolutions (ResNet-34/50/152, YOLOv3,
#: RetinaNet, AlexNet) also run, with SYNTHETIC kernels like VGG16, at minutes each;
#: MobileNetV2 and the EfficientNets have none (depthwise, 1x1 and strided layers only).
NETWORKS = ("vgg16", "resnet50-1by2")
#: headline density (default): the only one that computes the network's convolutions
#: without an accuracy cost when nothing is retrained; 0.5 and 0.25 are in the sweep
DEFAULT_DENSITY = 1.0
#: schedule of the headline cycles (the paper's contribution is the read scheduler)
SCHEDULE = "optimal"
NETLISTS = ("fft", "ifft", "engine", "core")


class SpectralEngine(EngineDesign):
    technique: ClassVar[str] = "spectral"
    #: stated default, not a timing closure: the FFT units' butterflies are combinational
    clock_mhz: ClassVar[float | None] = ev.CLOCK_MHZ
    #: a 12-bit kernel part times a 17-bit spectrum part, counted per real multiplication
    mac_kind: ClassVar[str] = "int16"
    summary: ClassVar[str] = (
        "Spectral-domain sparse convolution (Niu et al., FPGA 2020): 8x8 FFT tiles with "
        "overlap-and-add, magnitude-pruned kernel spectra on P lanes reading B banks with "
        "scheduled reads, per-layer kernel or activation reuse")
    assumed_defaults: ClassVar[tuple[str, ...]] = (
        "FFT 8x8, overlap-and-add, 40 Hermitian-unique bins stored (default)",
        "magnitude pruning per kernel, mirror pairs kept together, no retraining (default)",
        "8-bit inputs, 2 FFT guard bits, 12-bit kernel spectra, 32-bit accumulators (default)",
        "bank = bin mod B, fixed-priority arbitration, lowest lane wins (default)",
        "kernel entries 4 B (value + bin index); 1 MiB kernel and activation budgets (default)",
        "200 MHz clock for latency (default; the FFT units would need pipelining)",
        "headline: kernel density 1.0, optimal schedules (default)",
        "SYNTHETIC i.i.d. Gaussian kernels where a network has no trained weights (default)",
    )

    def __init__(self, lanes: int = 8, banks: int = 8, *,
                 densities: Sequence[float] = ev.DENSITIES,
                 default_density: float = DEFAULT_DENSITY,
                 networks: Sequence[str] = NETWORKS, seed: int = 0) -> None:
        self.config = EngineConfig(lanes=lanes, banks=banks)
        self.setup = ev.SpectralSetup(engine=self.config, clock_mhz=self.clock_mhz,
                                      densities=tuple(densities), seed=seed)
        self.densities = tuple(densities)
        self.default_density = default_density
        self.networks = tuple(networks)
        super().__init__(f"spectral-p{lanes}-b{banks}", lanes=lanes, banks=banks,
                         kernel_depth=self.config.kernel_depth,
                         max_channels=self.config.fp.max_channels,
                         densities=list(self.densities), default_density=default_density,
                         networks=list(self.networks), clock_mhz=self.clock_mhz)
        self.sweep()  # a default outside the densities is an error now
        self._figures: dict[float, list[dict[str, Any]]] = {}
        self._index: dict[str, int] = {}

    # ---- hardware
    @property
    def pes(self) -> int:
        """Real multipliers: 4 per lane (one complex multiply-accumulate a cycle)."""
        return totals.REAL_MULTS_PER_MAC * self.config.lanes

    def netlists(self) -> Mapping[str, Netlist]:
        from accelbench.designs.spectral.core import core_netlist
        from accelbench.designs.spectral.engine import engine_netlist
        from accelbench.designs.spectral.fft import fft2d_netlist, ifft2d_netlist

        cfg = self.config
        fp = cfg.fp
        return {
            "fft": Netlist("fft", lambda p: fft2d_netlist(p, fp),
                           "2-D 8x8 FFT: rows, skewed transpose buffer, columns"),
            "ifft": Netlist("ifft", lambda p: ifft2d_netlist(p, fp),
                            "2-D 8x8 inverse FFT: columns, transpose buffer, real rows"),
            "engine": Netlist("engine", lambda p: engine_netlist(p, cfg),
                              f"sparse Hadamard engine, {cfg.lanes} lanes, {cfg.banks} "
                              "banks, double spectrum buffer, kernel memories"),
            "core": Netlist("core", lambda p: core_netlist(p, cfg),
                            "FFT -> engine -> inverse FFT on valid/ready streams"),
        }

    def memory_sizes(self) -> dict[str, int]:
        """For the energy model: one lane's kernel memory (the larger of the two SRAM
        macros every MAC reads; a spectrum-buffer bank is smaller, so its reads are
        priced high) and one accumulator macro (8 words of 64 bits, the rf level)."""
        cfg = self.config
        return {"sram": cfg.kernel_depth * cfg.layout.width // 8,
                "rf": 8 * totals.accumulator_bits(cfg) // 8}

    def verify(self, seed: int = 0) -> None:
        from accelbench.designs.spectral.checks import check_core, check_engine, check_fft

        rng = np.random.default_rng(seed)
        try:
            check_fft(rng, self.config.fp)
            check_engine(rng, self.config)
            check_core(rng, self.config)
        except NetlistMismatchError as exc:
            raise NetlistMismatchError(f"{self.name}: {exc}") from None

    # ---- evaluation
    def accepts(self, workload: Workload) -> bool:
        return isinstance(workload, NetworkWorkload) and workload.network in self.networks

    def sweep(self) -> Sweep:
        return Sweep("kernel_density", self.densities, self.default_density,
                     unit="fraction of the 40 spectral bins kept per kernel")

    def layers(self, data: NetworkData) -> Sequence[EngineLayer]:
        self._figures = {d: [] for d in self.densities}  # one network at a time
        chosen = [layer for layer in engine_layers(data.network)
                  if totals.spatial_reason(layer) is None]
        self._index = {layer.name: i for i, layer in enumerate(chosen)}
        return chosen

    def layer_input(self, layer: EngineLayer, data: NetworkData) -> ev.LayerInput:
        """The layer with its real weights (N x C x k x k) where the dataset has them,
        else SYNTHETIC kernels seeded by the layer's position among the spectral ones."""
        real = data.real_layer(layer.name)
        if real is not None:
            if real.weight.shape != (layer.shape.filters, layer.shape.channels,
                                     *layer.shape.kernel):
                raise AccelbenchError(f"{self.name}: real weights of {layer.name!r} have "
                                      f"shape {real.weight.shape}, the network says "
                                      f"{layer.shape}")
            return ev.LayerInput(layer.name, layer.shape, real.weight)
        return ev.LayerInput(layer.name, layer.shape, None)

    def evaluate_layer(self, layer: EngineLayer, data: NetworkData, point: Any) -> LayerResult:
        density = self.default_density if point is None else point
        inp = self.layer_input(layer, data)
        weight = inp.weight if inp.weight is not None else ev.synthetic_weight(
            layer.shape, self.setup.seed, self._index.get(layer.name, 0))
        mask = ev.kernel_masks(weight, (density,))[density]
        fig = ev.layer_figures(inp, mask, density, self.setup)
        self._figures.setdefault(density, []).append(fig)
        head = fig["policies"][SCHEDULE]
        flow = fig["dataflow"]
        return LayerResult(
            cycles=head["core_cycles"], macs=layer.macs,
            issued_macs=totals.REAL_MULTS_PER_MAC * fig["spectral_macs"],
            accesses=totals.layer_accesses(fig, self.config), real=inp.weight is not None,
            details={
                "shape": fig["shape"], "kernels": fig["kernels"], "density": density,
                "kernel_density": round(fig["kernel_density"], 6), "tiles": fig["tiles"],
                "complex_macs": fig["spectral_macs"],
                "conflict_cycles": {p: fig["policies"][p]["conflict_cycles"]
                                    for p in POLICIES},
                "core_cycles": {p: fig["policies"][p]["core_cycles"] for p in POLICIES},
                "kernel_load_cycles": head["kernel_load_cycles"],
                "lane_utilisation": round(head["lane_utilisation"], 6),
                "dataflow": flow["choice"],
                "dram_kernel_reuse": flow["kernel_reuse_dram"],
                "dram_activation_reuse": flow["activation_reuse_dram"],
                "fits_netlist": totals.fits_netlist(layer, self.config)})

    def extra_metrics(self, data: NetworkData, options: EvaluationOptions,
                      net: NetworkTotals) -> tuple[list[Metric], dict[str, Any]]:
        points = [totals.point_summary(d, self._figures[d], self.config, self.clock_mhz,
                                       SCHEDULE) for d in self.densities]
        head = next(p for p in points if p["value"] == self.default_density)
        spatial = [{"layer": layer.name, "op": layer.op, "reason": reason}
                   for layer in engine_layers(data.network)
                   if (reason := totals.spatial_reason(layer)) is not None]
        flow = head["dataflow"]
        label = head["kernels"]
        metrics = [Metric(f"conflict_cycles_{p.replace('-', '_')}",
                          head["policies"][p]["conflict_cycles"], "cycles", "lower",
                          description=f"read-conflict cycles with {p} scheduling (pass "
                                      "cycles - the most non-zeros of one lane), density "
                                      f"{self.default_density:g}")
                   for p in POLICIES]
        metrics += [
            Metric("lane_utilisation", head["policies"][SCHEDULE]["lane_utilisation"], "",
                   "higher", description="complex MACs / (lanes x pass cycles), "
                                         f"{SCHEDULE} schedules"),
            Metric("dram_kernel_reuse_bytes", flow["kernel_reuse_dram"], "B", "lower",
                   description="DRAM bytes with kernel reuse in every layer"),
            Metric("dram_activation_reuse_bytes", flow["activation_reuse_dram"], "B",
                   "lower", description="DRAM bytes with activation reuse in every layer"),
            Metric("dram_saving_vs_best_fixed", flow["saving_vs_best_fixed"], "", "higher",
                   description="1 - per-layer choice / the better fixed dataflow"),
            Metric("spatial_layers", len(spatial), "", "none",
                   description="compute layers that stay spatial (not counted)"),
        ]
        details: dict[str, Any] = {
            "spectral_sweep": points,
            "spatial_layers": spatial,
            "kernels": (f"real: {data.dataset.name} trained weights (BatchNorm folded)"
                        if label == ev.REAL else
                        "SYNTHETIC: i.i.d. Gaussian kernels, magnitude-pruned (no trained "
                        "weights offline)" if label == ev.SYNTHETIC else
                        "mixed: real where the dataset records the layer, else SYNTHETIC"),
            "config": {"lanes": self.config.lanes, "banks": self.config.banks,
                       "kernel_depth": self.config.kernel_depth,
                       "max_channels": self.config.fp.max_channels,
                       "clock_mhz": self.clock_mhz, "schedule": SCHEDULE,
                       "kernel_budget": self.setup.dataflow.kernel_budget,
                       "activation_budget": self.setup.dataflow.activation_budget,
                       "bins": self.setup.dataflow.bins, "defaults": True},
            "bytes_per_value": {"dram_activation": self.setup.dataflow.activation_bytes,
                                "dram_output": self.setup.dataflow.output_bytes,
                                "kernel_entry": self.config.layout.width / 8,
                                "spectrum_bin": totals.spectrum_bin_bits(self.config) / 8,
                                "accumulator": totals.accumulator_bits(self.config) / 8},
            "macs": (f"issued_macs and utilisation count real multiplications: "
                     f"{totals.REAL_MULTS_PER_MAC} per complex MAC, {self.pes} multipliers; "
                     "macs are the dense spatial MACs of the spectral layers"),
        }
        if options.accuracy:
            acc_metrics, details["accuracy"] = self.accuracy(data, options)
            metrics += acc_metrics
        if options.area:
            from accelbench.netlist.area import area_metrics

            for name in NETLISTS:
                metrics += area_metrics(self, name)
        return metrics, details

    def accuracy(self, data: NetworkData, options: EvaluationOptions
                 ) -> tuple[list[Metric], dict[str, Any]]:
        """The network on every image of its real dataset (or the first
        ``options.max_images``) with its spectral convolutions pruned to each density."""
        from accelbench.datasets.network_source import NetworkSource
        from accelbench.designs.spectral.accuracy import network_accuracy

        source = data.dataset
        if not isinstance(source, NetworkSource):
            return [], {"available": False,
                        "reason": f"no trained weights or images for {data.network.name} "
                                  "(SYNTHETIC kernels)"}
        refs = source.images()
        images = None if options.max_images is None else [
            ref.path for ref in refs[:options.max_images]]
        points = network_accuracy(source, self.densities, images)
        head = next(p for p in points if p["density"] == self.default_density)
        n = head["images"]
        what = f"spectral convolutions pruned to density {self.default_density:g}"
        metrics = [
            Metric("top1_agreement", head["top1_agreement"], "", "higher",
                   description=f"{what}: images ({n}) whose top-1 class equals the float "
                               "network's"),
            Metric("top5_agreement", head["top5_agreement"], "", "higher",
                   description=f"{what}: images whose top-5 classes contain the float "
                               "network's top-1"),
            Metric("mean_kl_divergence", head["mean_kl_divergence"], "nat", "lower",
                   description=f"{what}: mean over images of KL(float || spectral)"),
            Metric("output_snr_db", head["output_snr_db"], "dB", "higher",
                   description=f"{what}: logits, float power over squared difference"),
        ]
        classes = int(np.asarray(source.logits(refs[0])).size)
        return metrics, {
            "available": True, "network": source.name, "images": n, "classes": classes,
            "model": "float spectral golden model (golden.spectral_conv2d), magnitude "
                     "pruning, no retraining",
            "reference": "the unmodified float network",
            "points": points,
            "note": (f"{source.name} has {classes} classes: top-5 agreement is trivially 1 "
                     "and top-1 is binary; the continuous measures (mean KL divergence, "
                     "output SNR) are the headline" if classes <= 5 else "")}
