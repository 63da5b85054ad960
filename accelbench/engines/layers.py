"""Engine views of a network: each compute layer as a (grouped) convolution, and what is
known about the zeros in its input.

A fully connected layer is a 1x1 convolution on a 1x1 input with ``in_features``
channels (batch 1). Activation zero fractions come from a real dataset when one exists
for the network (measured per layer by the design that uses them), else
from a stated assumption: inputs produced by a ReLU/ReLU6 (directly or through max
pooling) have the default zero fraction ``relu_zero_fraction``; the image, linear
(projection, residual-sum without ReLU) outputs and average-pooled inputs have none.
"""

from __future__ import annotations

from dataclasses import dataclass

from accelbench.networks.types import Layer, Network, conv_output_hw

#: default: zero fraction of a ReLU output where no dataset exists (labelled "default";
#: the two real datasets measure a mean of 0.476 (ResNet-50-1by2) and 0.535
#: (EfficientNet-Lite0 ReLU6 maps))
RELU_ZERO_FRACTION = 0.5


@dataclass(frozen=True)
class ConvShape:
    """A (grouped) convolution: input C x H x W, ``filters`` outputs, kernel, square
    stride, pads (top, bottom, left, right) and ``groups`` (C and filters are the whole
    layer's; each group sees C / groups channels)."""

    channels: int
    height: int
    width: int
    filters: int
    kernel: tuple[int, int]
    stride: int = 1
    pads: tuple[int, int, int, int] = (0, 0, 0, 0)
    groups: int = 1

    def __post_init__(self) -> None:
        if self.channels % self.groups or self.filters % self.groups:
            raise ValueError(f"{self.groups} groups do not divide {self.channels} channels "
                             f"and {self.filters} filters")

    @property
    def out_hw(self) -> tuple[int, int]:
        return conv_output_hw((self.height, self.width), self.kernel,
                              (self.stride, self.stride), self.pads)

    @property
    def m(self) -> int:
        h, w = self.out_hw
        return h * w

    @property
    def k(self) -> int:
        """Reduction length over all channels (kh x kw x C)."""
        return self.kernel[0] * self.kernel[1] * self.channels

    @property
    def gemm(self) -> tuple[int, int, int]:
        """(M, N, K) of one group's matrix product."""
        return self.m, self.filters // self.groups, self.k // self.groups

    @property
    def macs(self) -> int:
        return self.m * self.filters * self.k // self.groups

    @property
    def weight_count(self) -> int:
        return self.filters * self.k // self.groups


@dataclass(frozen=True)
class EngineLayer:
    """A compute layer as the engines see it: its name, op and convolution shape."""

    name: str
    op: str
    shape: ConvShape

    @property
    def groups(self) -> int:
        return self.shape.groups

    @property
    def macs(self) -> int:
        return self.shape.macs

    @property
    def gemm(self) -> tuple[int, int, int]:
        """(M, N, K) per group."""
        return self.shape.gemm


def engine_layer(layer: Layer) -> EngineLayer:
    if layer.op == "fc":
        shape = ConvShape(layer.in_features, 1, 1, layer.out_channels, (1, 1), 1)
        return EngineLayer(layer.name, "fc", shape)
    if layer.stride[0] != layer.stride[1]:
        raise ValueError(f"layer {layer.name!r}: engines model square strides only")
    c, h, w = layer.in_shape
    shape = ConvShape(c, h, w, layer.out_channels, layer.kernel, layer.stride[0], layer.pads,
                      layer.groups)
    return EngineLayer(layer.name, layer.op, shape)


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
