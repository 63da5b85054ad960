"""The on-chip memory split of Shao et al.: feature-map buffer + scratch pad, per layer.

A pure model of a network's interlayer maps (from an :class:`accelbench.networks.Network`)
and per-layer compression ratios (keyed by the name of the layer that writes the map, so
ratios measured by a codec can be fed in; a missing layer counts as uncompressed). All
sizes are bytes of 8-bit values. Defaults (the paper's abstract gives no more):

* **maps kept on chip**: while layer i runs, its input maps, its output map and every
  earlier map still to be read by a later layer (shortcuts) are live; keeping every
  interlayer map on chip needs the peak over layers of the live bytes.
* **per-layer split**: layer i either keeps its maps, with a feature-map buffer of the
  compressed size of its input and output maps (``fm_i``, ping-pong) and the rest,
  ``S - fm_i``, as scratch pad; or streams them, with the whole SRAM as scratch pad. The
  choice per layer starts at "keep whenever fm_i <= S" and is improved layer by layer
  (coordinate descent) while the network's DRAM bytes fall;
* **fixed split**: every layer gets the same feature-map buffer ``f * S`` (default
  ``f = 0.5``) and scratch pad ``(1 - f) * S``;
* **DRAM traffic**: a map stays on chip when its producer and every consumer hold their
  maps in their buffers; otherwise it is written once and read by each consumer,
  compressed. The network input is read and the last layer's output written once.
  Weights are read once; when they exceed the scratch pad, the layer runs in
  ``ceil(W / SP)`` weight tiles and re-reads its (off-chip) input for every tile after
  the first. Partial sums are assumed to fit beside the weight tile.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from accelbench.networks.types import Network

DEFAULT_FIXED_FRACTION = 0.5


@dataclass(frozen=True)
class LayerSplit:
    layer: str
    map_buffer: int  # bytes of the feature-map buffer
    scratch_pad: int
    needed_map_bytes: int  # fm_i: compressed input + output maps
    maps_on_chip: bool
    weight_tiles: int
    dram_bytes: int  # this layer's DRAM traffic (maps it reads/writes off chip, weights)

    def to_json(self) -> dict[str, Any]:
        return dict(self.__dict__)


@dataclass
class SplitResult:
    sram_bytes: int
    split: str
    dram_bytes: int
    layers: list[LayerSplit] = field(default_factory=list)


def _map_bytes(network: Network, name: str, ratios: Mapping[str, float]) -> float:
    ratio = float(ratios.get(name, 1.0))
    if ratio <= 0:
        raise ValueError(f"compression ratio of {name!r} must be positive, got {ratio}")
    return network.tensor_bytes(name) / ratio


def _runs(network: Network) -> list:
    return [layer for layer in network.layers if layer.op != "input"]


def onchip_bytes(network: Network, ratios: Mapping[str, float] | None = None) -> int:
    """Peak live bytes over layers of every interlayer map (see module docstring)."""
    ratios = ratios or {}
    order = {layer.name: i for i, layer in enumerate(network.layers)}
    last_use = {layer.name: max((order[c.name] for c in network.consumers(layer.name)),
                                default=order[layer.name])
                for layer in network.layers}
    peak = 0.0
    for layer in _runs(network):
        i = order[layer.name]
        live = [t.name for t in network.layers
                if order[t.name] <= i and last_use[t.name] >= i
                and (order[t.name] < i or t.name == layer.name)]
        peak = max(peak, sum(_map_bytes(network, t, ratios) for t in live))
    return math.ceil(peak)


def layer_map_bytes(network: Network, name: str, ratios: Mapping[str, float]) -> int:
    """fm_i: compressed bytes of layer ``name``'s input maps and output map."""
    layer = network.layer(name)
    total = sum(_map_bytes(network, src, ratios) for src in layer.inputs)
    return math.ceil(total + _map_bytes(network, name, ratios))


def _traffic(network: Network, sram_bytes: int, ratios: Mapping[str, float],
             buffers: Mapping[str, int]) -> SplitResult:
    """DRAM traffic when layer ``name`` has a feature-map buffer of ``buffers[name]``."""
    runs = _runs(network)
    need = {layer.name: layer_map_bytes(network, layer.name, ratios) for layer in runs}
    holds = {name: need[name] <= buffers[name] for name in need}

    def on_chip(tensor: str) -> bool:
        if network.layer(tensor).op == "input":
            return False
        consumers = network.consumers(tensor)
        return bool(consumers) and holds[tensor] and all(holds[c.name] for c in consumers)

    rows = []
    total = 0
    for layer in runs:
        fb = buffers[layer.name]
        sp = sram_bytes - fb
        off_inputs = [s for s in layer.inputs if not on_chip(s)]
        in_bytes = sum(_map_bytes(network, s, ratios) for s in off_inputs)
        traffic = in_bytes
        if not on_chip(layer.name):
            traffic += _map_bytes(network, layer.name, ratios)
        weights = layer.weight_bytes()
        tiles = 1 if weights <= sp else math.ceil(weights / max(sp, 1))
        traffic += weights + (tiles - 1) * in_bytes
        cost = math.ceil(traffic)
        total += cost
        rows.append(LayerSplit(layer.name, fb, sp, need[layer.name], on_chip(layer.name),
                               tiles, cost))
    return SplitResult(sram_bytes, "", total, rows)


def dram_bytes(network: Network, sram_bytes: int, ratios: Mapping[str, float] | None = None,
               fixed_fraction: float | None = None) -> SplitResult:
    """DRAM bytes of one inference under an SRAM of ``sram_bytes``.

    ``fixed_fraction=None`` is the per-layer split, a number in [0, 1] the fixed split.
    """
    ratios = ratios or {}
    if sram_bytes < 0:
        raise ValueError("the SRAM size must be >= 0 bytes")
    if fixed_fraction is not None and not 0 <= fixed_fraction <= 1:
        raise ValueError(f"the fixed split fraction must be in [0, 1], got {fixed_fraction}")
    runs = _runs(network)
    if fixed_fraction is not None:
        fb = math.floor(fixed_fraction * sram_bytes)
        result = _traffic(network, sram_bytes, ratios, {layer.name: fb for layer in runs})
        result.split = f"fixed {fixed_fraction:g}"
        return result
    need = {layer.name: layer_map_bytes(network, layer.name, ratios) for layer in runs}
    keep = {name: n <= sram_bytes for name, n in need.items()}

    def evaluate(choice: Mapping[str, bool]) -> SplitResult:
        return _traffic(network, sram_bytes, ratios,
                        {name: need[name] if choice[name] else 0 for name in choice})

    best = evaluate(keep)
    improved = True
    while improved:  # coordinate descent: flip a layer's choice while the total falls
        improved = False
        for name in keep:
            if need[name] > sram_bytes:
                continue
            trial = {**keep, name: not keep[name]}
            result = evaluate(trial)
            if result.dram_bytes < best.dram_bytes:
                keep, best, improved = trial, result, True
    best.split = "per-layer"
    return best


def split_table(network: Network, sram_sizes: list[int],
                ratios: Mapping[str, float] | None = None,
                fixed_fraction: float = DEFAULT_FIXED_FRACTION) -> dict[str, Any]:
    """The report's table for one network: on-chip bytes with and without compression,
    and DRAM bytes at each SRAM size, per-layer against fixed split, both compressed."""
    ratios = dict(ratios or {})
    rows = []
    for size in sram_sizes:
        rows.append({
            "sram_bytes": size,
            "per_layer_dram_bytes": dram_bytes(network, size, ratios).dram_bytes,
            "fixed_dram_bytes": dram_bytes(network, size, ratios, fixed_fraction).dram_bytes,
            "uncompressed_per_layer_dram_bytes": dram_bytes(network, size).dram_bytes,
        })
    return {"network": network.name,
            "onchip_bytes_uncompressed": onchip_bytes(network),
            "onchip_bytes_compressed": onchip_bytes(network, ratios),
            "fixed_fraction": fixed_fraction, "rows": rows}


def dataset_layer_aliases(network: Network) -> dict[str, str]:
    """Dataset layer name -> network layer name for the real datasets' networks.

    EfficientNet-Lite0: ``blockNN.out`` is the block's ``.add`` (or ``.project``).
    ResNet-50: ``stage{s}_block{i}_branch2a/2b`` and ``.out`` of the resnet50-1by2
    dataset map onto ``layer{s+1}.{i}.conv1/conv2`` and ``.add`` (the dataset network is
    half as wide: ratios measured there are applied to the zoo's full-width ResNet-50,
    an assumption to label).
    """
    names = {layer.name for layer in network.layers}
    aliases: dict[str, str] = {}
    for name in names:
        aliases[name] = name
    for name in names:
        if name.endswith(".project"):
            block = name.removesuffix(".project")
            aliases[f"{block}.out"] = f"{block}.add" if f"{block}.add" in names else name
        if name.startswith("layer") and name.count(".") == 2:
            stage, index, part = name.removeprefix("layer").split(".")
            prefix = f"stage{int(stage) - 1}_block{index}"
            if part == "conv1":
                aliases[f"{prefix}_branch2a"] = name
            elif part == "conv2":
                aliases[f"{prefix}_branch2b"] = name
            elif part == "add":
                aliases[f"{prefix}.out"] = name
    return aliases


def network_ratios(network: Network, dataset_ratios: Mapping[str, float]) -> dict[str, float]:
    """Per-layer ratios of dataset layers, renamed onto ``network``'s layers."""
    aliases = dataset_layer_aliases(network)
    return {aliases[name]: float(r) for name, r in dataset_ratios.items() if name in aliases}
