"""Engine views of a network: each compute layer as a (grouped) convolution, and what is
known about the zeros in its input.

A fully connected layer is a 1x1 convolution on a 1x1 input with ``in_features``
channels (batch 1). Activation zero fractions come from a real dataset when one exists
for the network (measured per layer, see :mod:`accelbench.designs.spots.data`), else
from a stated assumption: inputs produced by a ReLU/ReLU6 (directly or through max
pooling) have the default zero fraction ``relu_zero_fraction``; the image, linear
(projection, residual-sum without ReLU) outputs and average-pooled inputs have none.
"""

from __future__ import annotations

from dataclasses import dataclass

from accelbench.networks.types import Layer, Network

#: default: zero fraction of a ReLU output where no dataset exists (labelled "default";
#: the two real datasets measure a mean of 0.476 (ResNet-50-1by2) and 0.535
#: (EfficientNet-Lite0 ReLU6 maps))
RELU_ZERO_FRACTION = 0.5


@dataclass(frozen=True)
class ConvShape:
    """One group of a convolution: input C x H x W, ``filters`` outputs, kernel, stride,
    pads (top, bottom, left, right)."""

    channels: int
    height: int
    width: int
    filters: int
    kernel: tuple[int, int]
    stride: int = 1
    pads: tuple[int, int, int, int] = (0, 0, 0, 0)

    @property
    def out_hw(self) -> tuple[int, int]:
        t, b, left, r = self.pads
        kh, kw = self.kernel
        return ((self.height + t + b - kh) // self.stride + 1,
                (self.width + left + r - kw) // self.stride + 1)

    @property
    def m(self) -> int:
        h, w = self.out_hw
        return h * w

    @property
    def k(self) -> int:
        return self.kernel[0] * self.kernel[1] * self.channels


@dataclass(frozen=True)
class EngineLayer:
    """A compute layer as the engines see it."""

    name: str
    op: str
    shape: ConvShape  # all channels and filters of the layer
    groups: int

    @property
    def macs(self) -> int:
        return self.shape.m * self.shape.filters * self.shape.k // self.groups

    @property
    def gemm(self) -> tuple[int, int, int]:
        """(M, N, K) per group."""
        return (self.shape.m, self.shape.filters // self.groups,
                self.shape.kernel[0] * self.shape.kernel[1] * self.shape.channels
                // self.groups)


def engine_layer(layer: Layer) -> EngineLayer:
    if layer.op == "fc":
        shape = ConvShape(layer.in_features, 1, 1, layer.out_channels, (1, 1), 1)
        return EngineLayer(layer.name, "fc", shape, 1)
    if layer.stride[0] != layer.stride[1]:
        raise ValueError(f"layer {layer.name!r}: engines model square strides only")
    c, h, w = layer.in_shape
    shape = ConvShape(c, h, w, layer.out_channels, layer.kernel, layer.stride[0], layer.pads)
    return EngineLayer(layer.name, layer.op, shape, layer.groups)


def engine_layers(network: Network) -> list[EngineLayer]:
    return [engine_layer(layer) for layer in network.compute_layers()]


def assumed_zero_fraction(network: Network, layer_name: str,
                          relu_fraction: float = RELU_ZERO_FRACTION) -> float:
    """The stated assumption for the zero fraction of ``layer_name``'s input."""
    src = network.producers(layer_name)[0]
    while src.op == "maxpool":
        src = network.producers(src.name)[0]
    if src.op in ("input", "avgpool"):
        return 0.0
    return relu_fraction if src.activation in ("relu", "relu6") else 0.0
