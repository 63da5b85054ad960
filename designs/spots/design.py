"""SPOTS (Soltaniyeh, Martin, Nagarakatte, TACO 2022) as an accelbench engine design, and
the same hardware without skipping (its baseline)."""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import asdict, dataclass
from typing import Any

import numpy as np

from accelbench.design import EvaluationOptions, Netlist
from accelbench.designs.spots.data import LayerData, layer_data
from accelbench.designs.spots.hardware import SpotsHardware, SpotsLimits
from accelbench.designs.spots.model import LayerCycles, layer_cycles
from accelbench.designs.spots.plan import (
    LayerPlan,
    SpotsConfig,
    input_block_mask,
    structural_block_mask,
    weight_block_mask,
)
from accelbench.designs.spots.pruning import (
    block_prune,
    block_prune_levels,
    magnitude_prune_levels,
    random_block_mask,
)
from accelbench.engines.conv import conv_int, crop_real_layer, quantize_int8
from accelbench.engines.layers import ConvShape, EngineLayer
from accelbench.errors import AccelbenchError, NetlistMismatchError
from accelbench.families.engine import Accesses, EngineDesign, LayerResult, NetworkTotals, Sweep
from accelbench.metrics import Metric
from accelbench.netlist.area import area_metrics
from accelbench.netlist.lib import pe_netlist
from accelbench.workloads import NetworkData

SPARSITIES = (0.0, 0.5, 0.7, 0.9)
#: compiled system simulations by (netlist, simulator kind), shared within a process
_SIMULATORS: dict = {}


@dataclass(frozen=True)
class Crop:
    """A window of a real EfficientNet-Lite0 layer to co-simulate (see crop_real_layer),
    block-pruned to ``sparsity`` and run in the given mode."""

    layer: str
    channels: int
    filters: int
    window: tuple[int, int]
    origin: tuple[int, int]
    sparsity: float
    split: bool


#: crops co-simulated on the published configuration by evaluate(), per network with a
#: real dataset (tall and split mode; EfficientNet-Lite0: 3x3 stride 2 on the image, 1x1,
#: 5x5 stride-2 depthwise; ResNet-50-1by2: 7x7 stride 2 on the image, 1x1, 3x3)
PUBLISHED_CROPS: Mapping[str, tuple[Crop, ...]] = {
    "efficientnet-lite0": (
        Crop("stem", 3, 32, (9, 70), (40, 40), 0.5, False),
        Crop("block01.expand", 16, 32, (4, 40), (20, 20), 0.7, True),
        Crop("block03.dw", 16, 16, (9, 56), (10, 0), 0.7, False),
        Crop("block02.project", 32, 24, (5, 30), (7, 5), 0.5, True),
    ),
    "resnet50-1by2": (
        Crop("conv1", 3, 32, (13, 70), (40, 40), 0.5, False),
        Crop("stage0_block0_branch2a", 16, 32, (4, 40), (20, 20), 0.7, True),
        Crop("stage0_block0_branch2b", 16, 16, (9, 40), (10, 0), 0.7, False),
    ),
}


@dataclass
class PreparedLayer:
    """What every sweep point of one layer shares: its data, plans per mode, input-block
    masks per mode and listed-block masks per weight sparsity."""

    data: LayerData
    plans: dict[bool, LayerPlan]
    inz: dict[bool, np.ndarray]
    masks: dict[float, np.ndarray]


class Spots(EngineDesign):
    family = "engine"
    technique = "spots"
    summary = ("SPOTS: IM2COL unit (banked local memories on a ring, input streamed once) "
               "+ tall OS systolic array splittable into sub-arrays, skipping all-zero "
               "weight blocks and zero input blocks")
    assumed_defaults = (
        "array 32x8 PEs as 4 sub-arrays of 8x8 (default)",
        "IM2COL banks = 2 x rows = 64 (default): stride 2 in tall mode, up to 8 split",
        "skip block = 8 channels at one kernel position (default)",
        "weights pruned by block magnitude at the skip granularity (default)",
        "input zero flags stored with the activations, 1 bit each (default)",
        "skipped input block costs 1 cycle (default)",
        "memories sized to hold any EfficientNet-Lite0 layer whole (default)",
        "int8 activations, weights and outputs: 1 byte per value (default)",
        "ReLU zero fraction 0.5 where a network has no dataset (default)",
    )

    def __init__(self, rows: int = 32, cols: int = 8, subarrays: int = 4, block: int = 8,
                 banks: int = 0, *, skip: bool = True,
                 sparsities: Sequence[float] = SPARSITIES, default_sparsity: float = 0.0,
                 limits: SpotsLimits | None = None,
                 crops: Mapping[str, Sequence[Crop]] = PUBLISHED_CROPS,
                 cosimulate: bool = True, seed: int = 0) -> None:
        config = SpotsConfig(rows, cols, subarrays, block, banks, skip, skip)
        limits = limits or SpotsLimits()
        name = f"spots-{rows}x{cols}x{subarrays}-b{block}" + ("" if skip else "-noskip")
        super().__init__(name, rows=rows, cols=cols, subarrays=subarrays, block=block,
                         banks=config.banks, skip=skip, sparsities=list(sparsities),
                         default_sparsity=default_sparsity, limits=asdict(limits))
        self.config = config
        self.hw = SpotsHardware(config, limits)
        self.sparsities = tuple(sparsities)
        self.default_sparsity = default_sparsity
        self.crops = {net: tuple(c) for net, c in crops.items()}
        self.cosimulate = cosimulate
        self.seed = seed
        self._prepared: dict[str, PreparedLayer] = {}

    # ---- hardware
    @property
    def pes(self) -> int:
        return self.config.pes

    def netlists(self) -> Mapping[str, Netlist]:
        cfg, lim = self.config, self.hw.limits
        return {
            "pe": Netlist("pe", pe_netlist, "one MAC with its pass-through registers"),
            "system": Netlist("system", self.hw.build,
                              f"the whole accelerator: {cfg.rows}x{cfg.cols} PEs in "
                              f"{cfg.subarrays} sub-arrays, IM2COL unit with {cfg.banks} "
                              f"local memories, skip controller, global buffer and weight "
                              f"lists; layers up to {lim.max_height}x{lim.max_width}x"
                              f"{lim.max_channels}, kernels up to {lim.max_kernel}"),
        }

    def memory_sizes(self) -> dict[str, int]:
        """For the energy model: one global-buffer macro (``values per word`` banks of
        ``gbuf_words``; the weight-list macros are as large or larger) and one IM2COL local
        memory (the rf level)."""
        from accelbench.netlist.lib import VALUES_PER_WORD

        return {"sram": self.hw.limits.gbuf_words * VALUES_PER_WORD,
                "rf": self.hw.limits.local_words}

    def simulator(self, simulator: str = "compiled"):
        """The compiled simulation of the ``system`` netlist, built once per netlist and
        process (SPOTS and its no-skip twin share it: skipping is a layer setting)."""
        from accelbench.designs.spots.simulate import SpotsSimulator

        key = (self.hw.netlist_key, simulator)
        if key not in _SIMULATORS:
            _SIMULATORS[key] = SpotsSimulator(self.hw.netlist_key, simulator)
        return _SIMULATORS[key]

    def verify(self, seed: int = 0) -> None:
        """Random layers (tall and split, strides 1 and 2, padding, depthwise) through the
        ``system`` netlist in one simulation: outputs equal numpy, cycles, issued steps,
        local-memory reads and loader beats equal the model."""
        from accelbench.designs.spots.simulate import SpotsLayer

        rng = np.random.default_rng(seed)
        lanes = self.config.rows
        shapes = [(ConvShape(6, 5, lanes + 3, self.config.cols + 2, (3, 3), 1, (1, 1, 1, 1)),
                   False),
                  (ConvShape(9, 3, 11, 3 * self.config.cols, (1, 1)), True),
                  (ConvShape(5, 7, lanes + 5, 3, (3, 3), 2, (0, 1, 0, 1)), False),
                  (ConvShape(4, 9, 13, 4, (5, 5), 2, (1, 2, 1, 2), 4), False)]
        layers = []
        for shape, split in shapes:
            if split and self.config.subarrays == 1:
                split = False
            x = rng.integers(-128, 128, (shape.channels, shape.height, shape.width))
            x[rng.random(x.shape) < 0.6] = 0
            w = rng.integers(-128, 128, (shape.filters, shape.channels // shape.groups,
                                         *shape.kernel))
            w[rng.random(w.shape) < 0.5] = 0
            layers.append(SpotsLayer(LayerPlan(shape, self.config, split), x, w))
        self._check(layers, self.simulator().run(layers))

    def _check(self, layers, runs) -> None:
        for layer, run in zip(layers, runs, strict=True):
            plan = layer.plan
            golden = conv_int(layer.x, layer.weight, plan.shape)
            if not np.array_equal(run.out, golden):
                bad = int(np.sum(run.out != golden))
                raise NetlistMismatchError(f"{self.name}: {bad} outputs differ from numpy "
                                           f"on {plan.shape}")
            model = layer_cycles(plan, layer.weight, layer.x != 0)
            sim = (run.cycles, run.issued_steps, run.local_reads, run.loader_beats)
            mod = (model.cycles, model.issued_steps, model.local_reads, model.loader_beats)
            if sim != mod:
                raise NetlistMismatchError(
                    f"{self.name}: simulated (cycles, issued steps, local reads, loader "
                    f"beats) = {sim}, model {mod} on {plan.shape}")

    # ---- evaluation
    def sweep(self) -> Sweep | None:
        if not self.config.skip_weights:
            return None  # nothing skipped: pruning changes no cycle
        return Sweep("weight_sparsity", self.sparsities, self.default_sparsity,
                     unit="fraction of skip blocks pruned")

    def layers(self, data: NetworkData) -> Sequence[EngineLayer]:
        self._prepared = {}  # one network at a time
        return super().layers(data)

    def _prepare(self, layer: EngineLayer, data: NetworkData) -> PreparedLayer:
        if layer.name not in self._prepared:
            ld = layer_data(data, layer.name, seed=self.seed)
            modes = self.config.modes(layer.shape.stride)
            if not modes:
                raise AccelbenchError(f"{self.name}: layer {layer.name!r} has stride "
                                      f"{layer.shape.stride}, more than {self.config.banks}"
                                      " IM2COL banks serve")
            plans = {m: LayerPlan(layer.shape, self.config, m) for m in modes}
            inz = {m: input_block_mask(plans[m], ld.nonzero) for m in modes}
            sparsities = self.sparsities if self.sweep() else (0.0,)
            masks = base_masks(plans[modes[0]].tall, ld.weight, sparsities,
                               [self.seed, data.network.position(layer.name)])
            self._prepared[layer.name] = PreparedLayer(ld, plans, inz, masks)
        return self._prepared[layer.name]

    def best(self, prep: PreparedLayer, mask: np.ndarray) -> LayerCycles:
        """The faster mode (the compiler's choice) for the listed blocks ``mask``."""
        return min((layer_cycles(plan, base_mask=mask, inz=prep.inz[m])
                    for m, plan in prep.plans.items()), key=lambda r: r.cycles)

    def evaluate_layer(self, layer: EngineLayer, data: NetworkData, point: Any) -> LayerResult:
        prep = self._prepare(layer, data)
        res = self.best(prep, prep.masks[0.0 if point is None else point])
        plan = prep.plans[res.split]
        from accelbench.designs.spots.program import layer_fits

        return LayerResult(
            cycles=res.cycles, macs=layer.macs, issued_macs=res.useful_pe_steps,
            accesses=spots_accesses(self.hw, plan, res), real=prep.data.source == "real",
            details={"shape": [layer.shape.channels, layer.shape.height, layer.shape.width,
                               layer.shape.filters, *layer.shape.kernel, layer.shape.stride],
                     "groups": layer.groups, "mode": "split" if res.split else "tall",
                     "activations": prep.data.source,
                     "input_zero_fraction": round(prep.data.zero_fraction, 4),
                     "listed_blocks": res.details["listed_blocks"],
                     "fits_netlist": layer_fits(self.hw, plan, res.entries)})

    def extra_metrics(self, data: NetworkData, options: EvaluationOptions,
                      totals: NetworkTotals) -> tuple[list[Metric], dict]:
        beyond = sum(not r.details["fits_netlist"] for _, r in totals.results)
        metrics = [Metric("layers_beyond_netlist", beyond, "", "none",
                          description="layers larger than the system netlist's limits "
                                      "(memories, sizes); the model still counts them")]
        details: dict[str, Any] = {
            "config": {"rows": self.config.rows, "cols": self.config.cols,
                       "subarrays": self.config.subarrays, "block": self.config.block,
                       "banks": self.config.banks, "skip": self.config.skip_weights,
                       "defaults": True},
            "limits": asdict(self.hw.limits),
            "activations": (f"real: {data.dataset.name} dataset, image {data.image}, int8"
                            if data.has_real_data else
                            "assumed: i.i.d. zeros, ReLU outputs 0.5 (default), others 0"),
            "weights": ("real weights, block-magnitude pruned" if data.has_real_data
                        else "no weights: random block pruning")}
        if self.sweep() and data.has_real_data:
            details["pruning"] = self._element_pruning(data, totals)
        if self.cosimulate and data.has_real_data and options.sim_words > 0:
            crops = self.cosimulate_crops(data, options.simulator)
            details["cosimulation"] = crops
            metrics.append(Metric("cosim_layers_exact", len(crops), "", "higher",
                                  description="real cropped layers through the system "
                                              "netlist: bit-exact, model-exact cycles"))
        if options.area and self.config.skip_weights:  # the no-skip twin: the same netlist
            metrics += area_metrics(self, "pe") + area_metrics(self, "system")
        return metrics, details

    def _element_pruning(self, data: NetworkData, totals: NetworkTotals) -> list[dict]:
        """Cycles with element-wise magnitude pruning of the real weights, beside the
        block-wise default, at every sparsity."""
        element = dict.fromkeys(self.sparsities, 0)
        for layer, _ in totals.results:
            prep = self._prepare(layer, data)
            tall = next(iter(prep.plans.values())).tall
            masks = (base_masks(tall, prep.data.weight, self.sparsities, [], element=True)
                     if prep.data.weight is not None else prep.masks)
            for s in self.sparsities:
                element[s] += self.best(prep, masks[s]).cycles
        return [{"sparsity": s, "element_cycles": c} for s, c in element.items()]

    def cosimulate_crops(self, data: NetworkData, simulator: str = "compiled") -> list[dict]:
        """Co-simulate the real cropped layers of ``data``'s network through the ``system``
        netlist (one simulation, layer after layer); raise on any difference. A network
        without crops (e.g. a user's ONNX network) gives an empty list."""
        crops = self.crops.get(data.network.name, ())
        layers = []
        for crop in crops:
            real = data.real_layer(crop.layer)
            if real is None:
                raise AccelbenchError(f"{self.name}: no real layer {crop.layer!r} in "
                                      f"{data.network.name} to crop")
            layers.append(crop_layer(real, crop, self.config))
        if not layers:
            return []
        runs = self.simulator(simulator).run(layers)
        self._check(layers, runs)
        return [{"layer": c.layer, "shape": list(asdict(layer.plan.shape).values()),
                 "mode": "split" if c.split else "tall", "sparsity": c.sparsity,
                 "cycles": run.cycles, "issued_steps": run.issued_steps}
                for c, layer, run in zip(crops, layers, runs, strict=True)]


class SpotsNoSkip(Spots):
    """The same SPOTS hardware with skipping switched off (every structurally present
    block listed, input flags ignored): the baseline that isolates what skipping buys."""

    technique = "spots-noskip"
    baseline_for = ("spots",)
    summary = ("SPOTS hardware without skipping: the same IM2COL unit and array, every "
               "block issued (baseline of spots)")

    def __init__(self, rows: int = 32, cols: int = 8, subarrays: int = 4, block: int = 8,
                 banks: int = 0, **kwargs: Any) -> None:
        kwargs.setdefault("sparsities", (0.0,))
        super().__init__(rows, cols, subarrays, block, banks, skip=False, **kwargs)


def crop_layer(real, crop: Crop, config: SpotsConfig):
    """A :class:`SpotsLayer` from a real layer: cropped, block-pruned, int8."""
    from accelbench.designs.spots.simulate import SpotsLayer

    rc = crop_real_layer(real, channels=crop.channels, filters=crop.filters,
                         window=crop.window, origin=crop.origin)
    pruned = block_prune(rc.weight, rc.shape.groups, config.cols, config.block,
                         crop.sparsity)
    return SpotsLayer(LayerPlan(rc.shape, config, crop.split), rc.x, rc.int_weight(pruned))


def base_masks(tall: LayerPlan, weight: np.ndarray | None, sparsities: Sequence[float],
               seed: list[int], *, element: bool = False) -> dict[float, np.ndarray]:
    """Listed blocks at ``cols`` filters per tile for each weight sparsity: real weights
    pruned block-wise by magnitude (``element``: element-wise, for contrast) and
    quantised with the unpruned layer's scale; without weights, a random fraction of the
    blocks (what block-magnitude pruning of i.i.d. weights removes)."""
    if weight is not None:
        cfg = tall.config
        levels = (magnitude_prune_levels(weight, sparsities) if element else
                  block_prune_levels(weight, tall.groups, cfg.cols, cfg.block, sparsities))
        _, scale = quantize_int8(weight)
        return {s: weight_block_mask(tall, quantize_int8(pruned, scale)[0])
                for s, pruned in zip(sparsities, levels, strict=True)}
    structural = structural_block_mask(tall)
    return {s: random_block_mask(structural, s, np.random.default_rng([*seed, round(s * 1000)]))
            for s in sparsities}


def spots_accesses(hw: SpotsHardware, plan: LayerPlan, res: LayerCycles) -> Accesses:
    """Bytes per memory level and operand of one layer, as the netlist moves them.

    1 byte per activation, weight and output (int8), 1 bit per zero flag, metadata
    entries of ceil(entry bits / 8) bytes. DRAM: the input map once, the compacted weight
    lists once (listed blocks' real weights + entries), the outputs once. SRAM: the
    global buffer (input written once, streamed once by the loader) and the weight lists
    (written once; each issued step reads one weight per real filter, each pixel tile
    fetches every entry once). RF: the IM2COL local memories (every input word and its
    flag written once; each issued step reads one word per valid lane, each listed
    block one flag word per valid lane). Banks that hold no real column are gated.
    """
    sh = plan.shape
    g = plan.config.block
    eh, ew = plan.out_hw
    inputs = sh.channels * sh.height * sh.width
    flag_bits = sh.height * sh.width * plan.channel_blocks * g
    meta_bytes = math.ceil(hw.meta.width / 8)
    lists = res.weight_values + res.entries * meta_bytes
    acc = Accesses()
    acc.add("dram", "ifmap", "read", inputs)
    acc.add("sram", "ifmap", "write", inputs)
    acc.add("sram", "ifmap", "read", res.gbuf_reads)
    acc.add("rf", "ifmap", "write", inputs + math.ceil(flag_bits / 8))
    acc.add("rf", "ifmap", "read", res.local_reads + math.ceil(res.flag_reads * g / 8))
    acc.add("dram", "weight", "read", lists)
    acc.add("sram", "weight", "write", lists)
    acc.add("sram", "weight", "read",
            res.weight_reads + res.entries * eh * plan.pixel_tiles * meta_bytes)
    acc.add("dram", "ofmap", "write", sh.filters * eh * ew)
    return acc
