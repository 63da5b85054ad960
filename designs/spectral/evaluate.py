"""Per-layer and per-network figures of the spectral engine, for the engine design.

For each spectral layer (:func:`~accelbench.designs.spectral.dataflow.spectral_kernel`:
stride-1, ungrouped, k = 2..8; everything else stays spatial and is not counted here) and
each kernel density:

* kernels: real weights (BatchNorm folded) where the network has a real dataset, else
  SYNTHETIC i.i.d. Gaussian kernels (the magnitude ranking of their spectra is what
  pruning sees; the values do not matter for cycles or bytes);
* the kept bins of every kernel (:func:`~accelbench.designs.spectral.golden.prune_mask`),
  grouped into passes of P lanes (filters ``g*P .. g*P+P-1``, one channel);
* cycles of every pass under each scheduling policy, and the conflict cycles (pass
  cycles minus the most non-zeros of one lane), summed over passes and tiles;
* DRAM bytes of both dataflows and the per-layer choice (:mod:`.dataflow`);
* cycles of the whole core (:func:`~accelbench.designs.spectral.cycles.core_cycles`,
  exact against the netlist) with the kernels loaded through the kernel-memory port
  before each block of filter groups that fits the kernel memories, and latency at the
  stated clock. DRAM bandwidth is assumed not to stall the core (not modelled).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from accelbench.designs.spectral import dataflow as df
from accelbench.designs.spectral.cycles import core_cycles
from accelbench.designs.spectral.engine import EngineConfig
from accelbench.designs.spectral.golden import BINS, kernel_spectra, prune_mask
from accelbench.designs.spectral.schedule import POLICIES, pass_cycles
from accelbench.engines.layers import ConvShape

#: default clock for latency figures (an FPGA-class clock; the paper's is not known)
CLOCK_MHZ = 200.0
DENSITIES = (1.0, 0.5, 0.25)
REAL, SYNTHETIC = "real", "SYNTHETIC"


@dataclass(frozen=True)
class SpectralSetup:
    """Everything the figures depend on (each a labelled default)."""

    engine: EngineConfig = field(default_factory=EngineConfig)
    clock_mhz: float = CLOCK_MHZ
    densities: tuple[float, ...] = DENSITIES
    dataflow: df.DataflowConfig = field(default_factory=df.DataflowConfig)
    seed: int = 0


@dataclass
class LayerInput:
    """A spectral layer: its shape and, when real, its weights (N x C x k x k)."""

    name: str
    shape: ConvShape
    weight: np.ndarray | None = None

    @property
    def source(self) -> str:
        return REAL if self.weight is not None else SYNTHETIC


def network_inputs(network, real_weight: Callable[[str], np.ndarray | None] | None = None
                   ) -> list[LayerInput]:
    """The spectral layers of a zoo :class:`~accelbench.networks.types.Network`;
    ``real_weight(name)`` gives a layer's real weights or None."""
    out = []
    for layer in network:
        if df.is_spectral(layer):
            weight = real_weight(layer.name) if real_weight else None
            out.append(LayerInput(layer.name, df.conv_shape(layer), weight))
    return out


def real_layer_inputs(layers: Iterable) -> list[LayerInput]:
    """The spectral layers among :class:`~accelbench.datasets.conv_layers.RealConvLayer`s."""
    out = []
    for layer in layers:
        if df.spectral_kernel(layer.kernel, layer.stride, layer.groups):
            c, h, w = layer.input.shape
            shape = ConvShape(c, h, w, layer.weight.shape[0], layer.kernel, 1, layer.pads)
            out.append(LayerInput(layer.name, shape, layer.weight))
    return out


def synthetic_weight(shape: ConvShape, seed: int, index: int) -> np.ndarray:
    """SYNTHETIC kernels: i.i.d. standard normal, seeded per layer."""
    rng = np.random.default_rng([seed, index])
    return rng.standard_normal((shape.filters, shape.channels, *shape.kernel))


def kernel_masks(weight: np.ndarray, densities: Iterable[float], chunk: int = 32
                 ) -> dict[float, np.ndarray]:
    """Kept bins (N x C x 40) at each density, computed a few filters at a time."""
    densities = list(densities)
    out = {d: np.zeros((weight.shape[0], weight.shape[1], BINS), dtype=bool)
           for d in densities}
    for start in range(0, weight.shape[0], chunk):
        spectra = kernel_spectra(weight[start:start + chunk])
        for d in densities:
            out[d][start:start + chunk] = prune_mask(spectra, d)
    return out


def pass_masks(mask: np.ndarray, lanes: int) -> np.ndarray:
    """groups x channels x lanes x 40: the lanes' bins in each pass (empty past N)."""
    n, c, _ = mask.shape
    groups = -(-n // lanes)
    padded = np.zeros((groups * lanes, c, BINS), dtype=bool)
    padded[:n] = mask
    return padded.reshape(groups, lanes, c, BINS).transpose(0, 2, 1, 3)


def _filter_blocks(entries: np.ndarray, depth: int) -> list[slice]:
    """Consecutive filter groups whose kernel entries (groups x lanes) fit ``depth``
    entries in every lane's memory."""
    blocks, start = [], 0
    used = np.zeros(entries.shape[1], dtype=np.int64)
    for g in range(entries.shape[0]):
        if (entries[g] > depth).any():
            raise ValueError(f"filter group {g} needs {int(entries[g].max())} kernel entries "
                             f"in one lane; the engine holds {depth}")
        if ((used + entries[g]) > depth).any():
            blocks.append(slice(start, g))
            start, used = g, np.zeros_like(used)
        used += entries[g]
    blocks.append(slice(start, entries.shape[0]))
    return blocks


def layer_figures(inp: LayerInput, mask: np.ndarray, density: float,
                  setup: SpectralSetup) -> dict[str, Any]:
    """Every figure of one layer at one density (a JSON-able dict)."""
    eng = setup.engine
    shape = inp.shape
    th, tw = df.tile_grid(shape)
    tiles = th * tw
    passes = pass_masks(mask, eng.lanes)
    lane_nnz = passes.sum(axis=3)
    lane_bound = lane_nnz.max(axis=2)  # groups x channels
    nonzeros = int(mask.sum())
    flow = df.layer_dataflow(inp.name, shape, density, setup.dataflow, nonzeros)
    per_policy = {}
    for policy in POLICIES:
        cyc = np.maximum(pass_cycles(passes, eng.banks, policy), 1)  # groups x channels
        # kernel-memory entries (groups x lanes): in-order lists hold the non-zeros (one
        # nop for an empty lane), exact; schedules with bubbles: at most the pass cycles
        # in every lane (an upper bound)
        if policy == "in-order":
            entries = np.maximum(lane_nnz, 1).sum(axis=1)
        else:
            entries = np.repeat(cyc.sum(axis=1)[:, None], eng.lanes, axis=1)
        group_cycles = cyc.sum(axis=1)
        total = 0
        load = 0
        for block in _filter_blocks(entries, eng.kernel_depth):
            load += int(entries[block].sum(axis=0).max(initial=0))  # one entry/lane/cycle
            total += core_cycles(tiles, shape.channels, eng.lanes, eng.banks,
                                 group_cycles[block].tolist()).total
        compute = tiles * int(cyc.sum())
        per_policy[policy] = {
            "pass_cycles": compute,
            "conflict_cycles": compute - tiles * int(lane_bound.sum()),
            "core_cycles": total + load,
            "kernel_load_cycles": load,
            "latency_ms": (total + load) / (setup.clock_mhz * 1e3),
            "lane_utilisation": tiles * nonzeros / (eng.lanes * compute),
        }
    return {
        "layer": inp.name, "kernels": inp.source, "density": density,
        "shape": [shape.channels, shape.height, shape.width, shape.filters,
                  shape.kernel[0]],
        "tiles": tiles, "passes_per_tile": int(passes.shape[0] * passes.shape[1]),
        "nonzeros": nonzeros, "kernel_density": nonzeros / mask.size,
        "spatial_macs": shape.m * shape.filters * shape.k,
        "spectral_macs": tiles * nonzeros,
        "policies": per_policy,
        "dataflow": flow.to_json(),
    }


def network_figures(inputs: list[LayerInput], setup: SpectralSetup | None = None
                    ) -> dict[str, Any]:
    """Per layer and totals at each density, plus the dataflow comparison."""
    setup = setup or SpectralSetup()
    per_density: dict[float, list[dict[str, Any]]] = {d: [] for d in setup.densities}
    for index, inp in enumerate(inputs):
        weight = inp.weight if inp.weight is not None else synthetic_weight(
            inp.shape, setup.seed, index)
        masks = kernel_masks(weight, setup.densities)
        for d in setup.densities:
            per_density[d].append(layer_figures(inp, masks[d], d, setup))
    summary = {}
    for d, rows in per_density.items():
        flows = df.NetworkDataflow([_flow(r) for r in rows])
        summary[d] = {
            "policies": {p: {key: sum(r["policies"][p][key] for r in rows)
                             for key in ("pass_cycles", "conflict_cycles", "core_cycles",
                                         "latency_ms")} for p in POLICIES},
            "dataflow": flows.summary(),
            "nonzeros": sum(r["nonzeros"] for r in rows),
        }
    return {"layers": {str(d): rows for d, rows in per_density.items()},
            "summary": {str(d): s for d, s in summary.items()},
            "setup": {"lanes": setup.engine.lanes, "banks": setup.engine.banks,
                      "kernel_depth": setup.engine.kernel_depth,
                      "clock_mhz": setup.clock_mhz,
                      "kernel_budget": setup.dataflow.kernel_budget,
                      "activation_budget": setup.dataflow.activation_budget,
                      "bins": setup.dataflow.bins, "defaults": True}}


def _flow(row: dict[str, Any]) -> df.LayerDataflow:
    data = dict(row["dataflow"])
    data.pop("choice")
    data.pop("chosen_dram")
    return df.LayerDataflow(**data)
