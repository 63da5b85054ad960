"""Per-layer dataflow: kernel reuse or activation reuse, and the DRAM bytes of each.

Spectral kernels are larger than spatial ones ("kernel explosion": 40 complex bins for a
3x3 kernel's 9 weights), so which operand stays on chip matters per layer:

* **kernel reuse** keeps the layer's spectral kernels on chip and streams the input once;
  if they exceed the kernel budget they are split into blocks of whole filters, and the
  input is streamed once per kernel block;
* **activation reuse** keeps the input on chip and streams the kernels once; if the input
  exceeds the activation budget it is split into blocks of tile rows (each re-reads the
  k - 1 halo rows of the block above), and the kernels are streamed once per block.

Outputs are written once either way (a kernel block holds whole filters, so no partial
sums leave the chip). The per-layer choice takes the smaller; ties go to kernel reuse.
Sizes (all **defaults**, parameters of :class:`DataflowConfig`): kernels stored sparse as
one 32-bit entry per non-zero (12-bit real + 12-bit imaginary part, 6-bit bin index, 2
flags: the engine's kernel-memory word) over the 40 Hermitian-unique bins, activations and
outputs 1 byte per value (8-bit), on-chip budgets 1 MiB for kernels and 1 MiB for
activations (held spatially, transformed on chip).
"""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass, field
from typing import Any

from accelbench.designs.spectral.golden import BINS, K, kept_bins_per_kernel, tile_size
from accelbench.engines.layers import ConvShape
from accelbench.networks.types import Layer, Network

KERNEL_REUSE = "kernel"
ACTIVATION_REUSE = "activation"
MIB = 1 << 20


@dataclass(frozen=True)
class DataflowConfig:
    """On-chip budgets and storage sizes (every field a default, see the module doc)."""

    kernel_budget: int = MIB
    activation_budget: int = MIB
    bins: int = BINS  # 40 Hermitian-unique bins, or 64 for the full spectrum
    entry_bytes: float = 4.0  # per stored non-zero: value + bin index ("index" format)
    storage: str = "index"  # or "bitmap": a bins-bit map per kernel + value_bytes each
    value_bytes: float = 3.0  # 2 x 12 bits, used by the bitmap format
    activation_bytes: float = 1.0
    output_bytes: float = 1.0

    def kernel_bytes(self, nonzeros: int, kernels: int) -> float:
        if self.storage == "index":
            return nonzeros * self.entry_bytes
        if self.storage == "bitmap":
            return nonzeros * self.value_bytes + kernels * self.bins / 8
        raise ValueError(f"unknown kernel storage {self.storage!r}: use 'index' or 'bitmap'")


def spectral_kernel(kernel: tuple[int, int], stride: tuple[int, int], groups: int) -> bool:
    """Convolutions the spectral engine computes: stride 1, ungrouped, square kernels of
    2..8. Everything else stays spatial: strided or grouped convolutions, FC layers, and
    1x1 convolutions (their spectrum is one flat value: nothing to prune, no saving)."""
    return (tuple(stride) == (1, 1) and groups == 1 and kernel[0] == kernel[1]
            and 2 <= kernel[0] <= K)


def is_spectral(layer: Layer) -> bool:
    """A network layer the spectral engine computes (:func:`spectral_kernel`)."""
    return layer.op == "conv" and spectral_kernel(layer.kernel, layer.stride, layer.groups)


def conv_shape(layer: Layer) -> ConvShape:
    """The engine's view of a network layer."""
    c, h, w = layer.in_shape
    return ConvShape(c, h, w, layer.out_channels, layer.kernel, layer.stride[0], layer.pads)


def tile_grid(shape: ConvShape) -> tuple[int, int]:
    """Tiles of t x t padded-input pixels per column and row of the map."""
    t = tile_size(shape.kernel[0])
    top, bottom, left, right = shape.pads
    return -(-(shape.height + top + bottom) // t), -(-(shape.width + left + right) // t)


@dataclass
class LayerDataflow:
    name: str
    kernel_bytes: float
    activation_bytes: float
    output_bytes: float
    kernel_blocks: int  # kernel reuse: blocks of filters that fit the kernel budget
    activation_blocks: int  # activation reuse: blocks of tile rows that fit its budget
    kernel_reuse_dram: float
    activation_reuse_dram: float
    choice: str = field(init=False)

    def __post_init__(self) -> None:
        self.choice = (KERNEL_REUSE if self.kernel_reuse_dram <= self.activation_reuse_dram
                       else ACTIVATION_REUSE)

    @property
    def chosen_dram(self) -> float:
        return min(self.kernel_reuse_dram, self.activation_reuse_dram)

    @property
    def kernel_to_activation(self) -> float:
        return self.kernel_bytes / self.activation_bytes

    def to_json(self) -> dict[str, Any]:
        return {**asdict(self), "chosen_dram": self.chosen_dram}


def layer_dataflow(name: str, shape: ConvShape, density: float = 1.0,
                   config: DataflowConfig | None = None,
                   nonzeros: int | None = None) -> LayerDataflow:
    """DRAM bytes of one spectral layer under both dataflows. ``nonzeros``: the real
    count of kept bins of the layer's kernels (default: round(bins x density) each)."""
    cfg = config or DataflowConfig()
    c, h, w, n = shape.channels, shape.height, shape.width, shape.filters
    k = shape.kernel[0]
    if nonzeros is None:
        nonzeros = n * c * kept_bins_per_kernel(density, cfg.bins)
    kb = cfg.kernel_bytes(nonzeros, n * c)
    ab = c * h * w * cfg.activation_bytes
    oh, ow = shape.out_hw
    ob = n * oh * ow * cfg.output_bytes
    per_filter = kb / n
    filters_per_block = max(1, math.floor(cfg.kernel_budget / per_filter))
    kernel_blocks = math.ceil(n / filters_per_block)
    t = tile_size(k)
    row_bytes = c * w * cfg.activation_bytes
    tile_rows = tile_grid(shape)[0]
    rows_fit = (cfg.activation_budget / row_bytes - (k - 1)) / t
    tile_rows_per_block = max(1, math.floor(rows_fit))
    activation_blocks = math.ceil(tile_rows / tile_rows_per_block)
    halo = (activation_blocks - 1) * (k - 1) * row_bytes
    return LayerDataflow(
        name=name, kernel_bytes=kb, activation_bytes=ab, output_bytes=ob,
        kernel_blocks=kernel_blocks, activation_blocks=activation_blocks,
        kernel_reuse_dram=kb + kernel_blocks * ab + ob,
        activation_reuse_dram=ab + halo + activation_blocks * kb + ob)


@dataclass
class NetworkDataflow:
    layers: list[LayerDataflow]

    @property
    def per_layer_dram(self) -> float:
        return sum(x.chosen_dram for x in self.layers)

    @property
    def kernel_reuse_dram(self) -> float:
        return sum(x.kernel_reuse_dram for x in self.layers)

    @property
    def activation_reuse_dram(self) -> float:
        return sum(x.activation_reuse_dram for x in self.layers)

    @property
    def best_fixed(self) -> str:
        return (KERNEL_REUSE if self.kernel_reuse_dram <= self.activation_reuse_dram
                else ACTIVATION_REUSE)

    @property
    def best_fixed_dram(self) -> float:
        return min(self.kernel_reuse_dram, self.activation_reuse_dram)

    @property
    def saving_vs_best_fixed(self) -> float:
        """1 - per-layer choice / best fixed choice (the context of the paper's 42 %)."""
        return 1 - self.per_layer_dram / self.best_fixed_dram

    def summary(self) -> dict[str, Any]:
        return {"per_layer_dram": self.per_layer_dram,
                "kernel_reuse_dram": self.kernel_reuse_dram,
                "activation_reuse_dram": self.activation_reuse_dram,
                "best_fixed": self.best_fixed, "best_fixed_dram": self.best_fixed_dram,
                "saving_vs_best_fixed": self.saving_vs_best_fixed,
                "choices": [x.choice for x in self.layers]}


def network_dataflow(network: Network, density: float = 1.0,
                     config: DataflowConfig | None = None,
                     nonzeros: dict[str, int] | None = None) -> NetworkDataflow:
    """:func:`layer_dataflow` for every spectral layer of ``network``."""
    nonzeros = nonzeros or {}
    return NetworkDataflow([layer_dataflow(layer.name, conv_shape(layer), density, config,
                                           nonzeros.get(layer.name))
                            for layer in network if is_spectral(layer)])
