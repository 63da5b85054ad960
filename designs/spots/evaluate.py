"""SPOTS on a whole network: every compute layer at several weight sparsities, beside the
same hardware without skipping, a dense OS systolic array and an Eyeriss-like model."""

from __future__ import annotations

import time
from dataclasses import dataclass

import numpy as np

from accelbench.designs.eyeriss.model import rs_layer_cycles
from accelbench.designs.spots.data import layer_data
from accelbench.designs.spots.model import LayerResult, layer_cycles
from accelbench.designs.spots.plan import (
    LayerPlan,
    SpotsConfig,
    input_block_mask,
    structural_block_mask,
    weight_block_mask,
)
from accelbench.designs.spots.pruning import (
    block_prune_levels,
    magnitude_prune_levels,
    quantize_int8,
    random_block_mask,
)
from accelbench.designs.systolic.model import layer_cycles as dense_layer_cycles
from accelbench.designs.systolic.model import patch_reads
from accelbench.engines.layers import EngineLayer, engine_layers
from accelbench.workloads import NetworkData

SPARSITIES = (0.0, 0.5, 0.7, 0.9)


@dataclass(frozen=True)
class Baselines:
    dense_rows: int = 16
    dense_cols: int = 16


def _best(results: list[LayerResult]) -> LayerResult:
    return min(results, key=lambda r: r.cycles)


def _base_masks(layer: EngineLayer, weight: np.ndarray | None, cfg: SpotsConfig,
                sparsities, seed: int, position: int,
                unstructured: bool = False) -> dict[float, np.ndarray]:
    """Listed blocks at ``cols`` filters per tile, per weight sparsity (``unstructured``:
    real weights pruned element by element instead of block by block)."""
    tall = LayerPlan(layer.shape, layer.groups, cfg, False)
    masks = {}
    if weight is not None:
        levels = (magnitude_prune_levels(weight, sparsities) if unstructured else
                  block_prune_levels(weight, layer.groups, cfg.cols, cfg.block, sparsities))
        _, scale = quantize_int8(weight)  # the unpruned layer's scale
        for s, pruned in zip(sparsities, levels, strict=True):
            q = np.clip(np.rint(pruned / scale), -127, 127)
            masks[s] = weight_block_mask(tall, q)
        return masks
    structural = structural_block_mask(tall)
    for s in sparsities:
        rng = np.random.default_rng([seed, position, round(s * 1000)])
        masks[s] = random_block_mask(structural, s, rng)
    return masks


def evaluate_network(data: NetworkData, cfg: SpotsConfig, *,
                     sparsities=SPARSITIES, baselines: Baselines = Baselines(),
                     seed: int = 0) -> dict:
    """Per-layer and total cycles, reads and speedups (JSON-able)."""
    t0 = time.perf_counter()
    noskip = SpotsConfig(cfg.rows, cfg.cols, cfg.subarrays, cfg.block, False, False)
    layers = []
    totals = {s: 0 for s in sparsities}
    useful = {s: 0 for s in sparsities}
    local = {s: 0 for s in sparsities}
    unstructured = {s: 0 for s in sparsities}
    total_noskip = total_dense = total_rs = 0
    dense_reads = dense_dram = ifm_words = 0
    real_layers = 0
    network = data.network
    for el in engine_layers(network):
        ld = layer_data(data, el.name, seed=seed)
        real_layers += ld.source == "real"
        modes = (False, True) if cfg.subarrays > 1 else (False,)
        plans = {m: LayerPlan(el.shape, el.groups, cfg, m) for m in modes}
        inz = {m: input_block_mask(plans[m], ld.nonzero) for m in modes}
        masks = _base_masks(el, ld.weight, cfg, sparsities, seed,
                            network.position(el.name))
        row = {"layer": el.name, "op": el.op, "groups": el.groups,
               "shape": [el.shape.channels, el.shape.height, el.shape.width,
                         el.shape.filters, *el.shape.kernel, el.shape.stride],
               "macs": el.macs, "activations": ld.source,
               "input_zero_fraction": round(ld.zero_fraction, 4)}
        ns = _best([layer_cycles(LayerPlan(el.shape, el.groups, noskip, m),
                                 base_mask=masks[sparsities[0]], inz=inz[m])
                    for m in modes])
        m, n, k = el.gemm
        dense = dense_layer_cycles(m, n, k, el.groups, baselines.dense_rows,
                                   baselines.dense_cols)
        rs = rs_layer_cycles(el).cycles
        row.update(noskip_cycles=ns.cycles, dense_cycles=dense, eyeriss_cycles=rs)
        total_noskip += ns.cycles
        total_dense += dense
        total_rs += rs
        dense_reads += patch_reads(m, n, k, el.groups, baselines.dense_cols)
        dense_dram += el.groups * m * k
        ifm_words += el.shape.channels * el.shape.height * el.shape.width
        for s in sparsities:
            best = _best([layer_cycles(plans[md], base_mask=masks[s], inz=inz[md])
                          for md in modes])
            pct = round(s * 100)
            row[f"cycles_s{pct}"] = best.cycles
            row[f"mode_s{pct}"] = "split" if best.split else "tall"
            row[f"local_reads_s{pct}"] = best.local_reads
            row[f"utilisation_s{pct}"] = round(best.useful_pe_steps / (cfg.pes * best.cycles),
                                               4)
            totals[s] += best.cycles
            useful[s] += best.useful_pe_steps
            local[s] += best.local_reads
        if ld.weight is not None:  # real weights: element-wise pruning for contrast
            umasks = _base_masks(el, ld.weight, cfg, sparsities, seed, 0, unstructured=True)
            for s in sparsities:
                best = _best([layer_cycles(plans[md], base_mask=umasks[s], inz=inz[md])
                              for md in modes])
                row[f"unstructured_cycles_s{round(s * 100)}"] = best.cycles
                unstructured[s] += best.cycles
        else:
            for s in sparsities:
                unstructured[s] += row[f"cycles_s{round(s * 100)}"]
        layers.append(row)
    elapsed = time.perf_counter() - t0
    summary = {}
    for s in sparsities:
        pct = round(s * 100)
        summary[pct] = {
            "cycles": totals[s],
            "speedup_vs_dense": total_dense / totals[s],
            "speedup_vs_noskip": total_noskip / totals[s],
            "speedup_vs_eyeriss": total_rs / totals[s],
            "utilisation": useful[s] / (cfg.pes * totals[s]),
            "local_reads": local[s]}
        if real_layers:
            summary[pct]["unstructured_cycles"] = unstructured[s]
    return {"layers": layers, "summary": summary, "noskip_cycles": total_noskip,
            "dense_cycles": total_dense, "eyeriss_cycles": total_rs,
            "dense_patch_sram_reads": dense_reads, "dense_lowered_dram_reads": dense_dram,
            "ifm_words": ifm_words, "real_layers": real_layers,
            "compute_layers": len(layers), "model_seconds": elapsed,
            "macs": sum(r["macs"] for r in layers)}
