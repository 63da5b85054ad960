"""Small real layers for co-simulation: crops of EfficientNet-Lite0 convolutions with
int8 activations and block-pruned int8 weights."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from accelbench.designs.spots.pruning import block_prune, quantize_int8
from accelbench.engines.layers import ConvShape


@dataclass
class Crop:
    name: str
    shape: ConvShape
    groups: int
    x: np.ndarray  # int8 values, C x H x W
    weight: np.ndarray  # int8 values, O x C/groups x kh x kw


def crop_layer(layer, *, channels: int, filters: int, window: tuple[int, int],
               origin: tuple[int, int] = (0, 0), sparsity: float = 0.0,
               cols: int = 2, block: int = 4) -> Crop:
    """Crop a :class:`~accelbench.datasets.conv_layers.RealConvLayer`: the first
    ``channels`` input channels and ``filters`` filters (depthwise: both the same), a
    ``window`` of the input at ``origin``; quantise the whole layer's input and weights
    to int8 (symmetric per tensor) first, then block-prune the weights."""
    depthwise = layer.groups > 1 and layer.groups == layer.input.shape[0]
    if depthwise:
        filters = channels
    xq, _ = quantize_int8(layer.input)
    y0, x0 = origin
    h, w = window
    x = xq[:channels, y0:y0 + h, x0:x0 + w]
    wf = layer.weight[:filters, :1 if depthwise else channels]
    wf = block_prune(wf, channels if depthwise else 1, cols, block, sparsity)
    scale = float(np.max(np.abs(layer.weight))) / 127 or 1.0
    wq = np.clip(np.rint(wf / scale), -127, 127).astype(np.int64)
    stride = layer.stride[0]
    t, b, left, r = layer.pads
    shape = ConvShape(channels, x.shape[1], x.shape[2], filters, layer.kernel, stride,
                      (t, b, left, r))
    return Crop(layer.name, shape, channels if depthwise else 1, x, wq)
