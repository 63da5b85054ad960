"""The spectral engine's per-layer figures as the engine family counts them: memory
accesses under the chosen dataflow, which layers stay spatial, and per-density network
summaries (conflict cycles per policy, DRAM per dataflow) for the record's details.

Bytes per value (defaults, from the netlists and :class:`~.dataflow.DataflowConfig`):

* DRAM: activations and outputs 1 B (8-bit), kernel entries 4 B (12-bit real and
  imaginary parts, 6-bit bin index, 2 flags);
* ``sram`` level: the kernel memories (operand ``weight``: one 4 B entry written per
  kernel entry loaded, one read per non-zero per tile; the ``nop`` slots of schedules with
  bubbles are not counted) and the spectrum buffer (operand ``ifmap``: one 34-bit bin,
  2 x 17 bits, written per channel bin per tile, one read per non-zero per tile);
* ``rf`` level: the accumulators (operand ``psum``: 64-bit complex words, 2 x 32 bits;
  one read and one write per non-zero per tile, one read per output bin per tile drained).

Not counted: the activation buffer in front of the FFT and the overlap-and-add output
buffer (outside the core netlist), and the FFT/IFFT butterflies (they are not MACs).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any

from accelbench.designs.spectral import dataflow as df
from accelbench.designs.spectral.engine import EngineConfig
from accelbench.designs.spectral.evaluate import dataflow_of
from accelbench.designs.spectral.golden import BINS, K
from accelbench.designs.spectral.schedule import POLICIES
from accelbench.engines.layers import EngineLayer
from accelbench.families.engine import Accesses

#: real multiplications per complex multiply-accumulate (4-multiplier complex product)
REAL_MULTS_PER_MAC = 4


def spatial_reason(layer: EngineLayer) -> str | None:
    """Why a compute layer stays spatial (None: the spectral engine computes it)."""
    shape = layer.shape
    if layer.op == "fc":
        return "fully connected"
    if layer.op != "conv" or shape.groups != 1:
        return f"grouped ({shape.groups} groups)"
    if shape.stride != 1:
        return f"stride {shape.stride}"
    kh, kw = shape.kernel
    if kh != kw:
        return f"{kh}x{kw} kernel is not square"
    if kh == 1:
        return "1x1 (a flat spectrum: nothing to prune, no saving)"
    if not df.spectral_kernel(shape.kernel, (1, 1), 1):
        return f"{kh}x{kw} kernel does not fit an {K}x{K} tile"
    return None


def fits_netlist(layer: EngineLayer, cfg: EngineConfig) -> bool:
    """The layer's channels fit the spectrum buffer and its filter groups the group
    counter of the ``engine`` netlist (the model counts larger layers as well)."""
    groups = -(-layer.shape.filters // cfg.lanes)
    return layer.shape.channels <= cfg.fp.max_channels and groups <= cfg.max_groups


def spectrum_bin_bits(cfg: EngineConfig) -> int:
    return 2 * cfg.fp.spec_bits


def accumulator_bits(cfg: EngineConfig) -> int:
    return 2 * cfg.fp.acc_bits


def layer_accesses(fig: dict[str, Any], cfg: EngineConfig) -> Accesses:
    """Bytes per level and operand of one layer under its chosen dataflow (module doc)."""
    flow = fig["dataflow"]
    tiles, nonzeros = fig["tiles"], fig["nonzeros"]
    channels, filters = fig["shape"][0], fig["shape"][3]
    kernel_bytes = round(flow["kernel_bytes"])
    if flow["choice"] == df.KERNEL_REUSE:
        weight = kernel_bytes
    else:
        weight = flow["activation_blocks"] * kernel_bytes
    ofmap = round(flow["output_bytes"])
    ifmap = round(flow["chosen_dram"]) - weight - ofmap  # input once per block, + halos
    entry = cfg.layout.width / 8
    acc = Accesses()
    acc.add("dram", "ifmap", "read", ifmap)
    acc.add("dram", "weight", "read", weight)
    acc.add("dram", "ofmap", "write", ofmap)
    acc.add("sram", "weight", "write", weight)
    acc.add("sram", "weight", "read", math.ceil(tiles * nonzeros * entry))
    spec = spectrum_bin_bits(cfg) / 8
    acc.add("sram", "ifmap", "write", math.ceil(tiles * channels * BINS * spec))
    acc.add("sram", "ifmap", "read", math.ceil(tiles * nonzeros * spec))
    word = accumulator_bits(cfg) // 8
    acc.add("rf", "psum", "read", tiles * (nonzeros + filters * BINS) * word)
    acc.add("rf", "psum", "write", tiles * nonzeros * word)
    return acc


def layer_entry(fig: dict[str, Any]) -> dict[str, Any]:
    """The per-layer figures a report needs at one density (JSON-able)."""
    flow = fig["dataflow"]
    pol = fig["policies"]
    return {
        "layer": fig["layer"], "kernels": fig["kernels"],
        "kernel_density": round(fig["kernel_density"], 6), "nonzeros": fig["nonzeros"],
        "conflict_cycles": {p: pol[p]["conflict_cycles"] for p in POLICIES},
        "pass_cycles": {p: pol[p]["pass_cycles"] for p in POLICIES},
        "core_cycles": {p: pol[p]["core_cycles"] for p in POLICIES},
        "dram": {"kernel_reuse": flow["kernel_reuse_dram"],
                 "activation_reuse": flow["activation_reuse_dram"],
                 "per_layer_choice": flow["chosen_dram"]},
        "choice": flow["choice"],
        "kernel_to_activation": round(flow["kernel_bytes"] / flow["activation_bytes"], 6),
    }


def point_summary(density: float, figs: Sequence[dict[str, Any]], cfg: EngineConfig,
                  clock_mhz: float, policy: str) -> dict[str, Any]:
    """Network totals at one density: conflict, pass and core cycles and latency per
    policy, DRAM of both fixed dataflows and of the per-layer choice, per-layer entries.
    ``policy`` is the schedule of the headline cycles."""
    flows = df.NetworkDataflow([dataflow_of(f) for f in figs])
    nonzeros = sum(f["nonzeros"] for f in figs)
    kernels = sorted({f["kernels"] for f in figs})
    policies = {}
    for p in POLICIES:
        passes = sum(f["policies"][p]["pass_cycles"] for f in figs)
        core = sum(f["policies"][p]["core_cycles"] for f in figs)
        useful = sum(f["spectral_macs"] for f in figs)
        policies[p] = {
            "conflict_cycles": sum(f["policies"][p]["conflict_cycles"] for f in figs),
            "pass_cycles": passes, "core_cycles": core,
            "latency_ms": round(core / (clock_mhz * 1e3), 6),
            "lane_utilisation": round(useful / (cfg.lanes * passes), 6) if passes else 0.0,
        }
    summary = flows.summary()
    return {
        "value": density, "kernels": kernels[0] if len(kernels) == 1 else "mixed",
        "kernel_density": round(nonzeros / sum(f["shape"][0] * f["shape"][3] * BINS
                                               for f in figs), 6),
        "nonzeros": nonzeros, "schedule": policy, "policies": policies,
        "dataflow": {**summary, "saving_vs_best_fixed": round(summary["saving_vs_best_fixed"],
                                                               6),
                     "saving_vs_kernel_reuse": round(
                         1 - summary["per_layer_dram"] / summary["kernel_reuse_dram"], 6),
                     "saving_vs_activation_reuse": round(
                         1 - summary["per_layer_dram"] / summary["activation_reuse_dram"], 6)},
        "per_layer": [layer_entry(f) for f in figs],
    }

