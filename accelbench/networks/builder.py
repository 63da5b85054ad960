"""A small builder that writes network graphs layer by layer, computing shapes."""

from __future__ import annotations

import math
from collections.abc import Sequence

from accelbench.networks.types import Layer, Network, NetworkError, Shape, conv_output_hw

Pads = int | str | Sequence[int]


def same_pads(size: int, kernel: int, stride: int) -> tuple[int, int]:
    """TensorFlow "SAME" padding (before, after) on one axis: asymmetric for stride 2."""
    out = math.ceil(size / stride)
    total = max((out - 1) * stride + kernel - size, 0)
    return total // 2, total - total // 2


def resolve_pads(pads: Pads, in_hw: tuple[int, int], kernel: tuple[int, int],
                 stride: tuple[int, int]) -> tuple[int, int, int, int]:
    """``pads`` as (top, bottom, left, right): an int (symmetric), "same" (TensorFlow),
    "valid" (none) or an explicit 4-tuple."""
    if isinstance(pads, str):
        if pads == "valid":
            return 0, 0, 0, 0
        if pads == "same":
            t, b = same_pads(in_hw[0], kernel[0], stride[0])
            left, r = same_pads(in_hw[1], kernel[1], stride[1])
            return t, b, left, r
        raise NetworkError(f"unknown padding {pads!r}")
    if isinstance(pads, int):
        return pads, pads, pads, pads
    values = tuple(int(p) for p in pads)
    if len(values) != 4:
        raise NetworkError(f"pads must be (top, bottom, left, right), got {pads!r}")
    return values  # type: ignore[return-value]


def _pair(value: int | Sequence[int]) -> tuple[int, int]:
    if isinstance(value, int):
        return value, value
    a, b = value
    return int(a), int(b)


class NetBuilder:
    """Append layers; each method returns the new layer's name (= its output tensor)."""

    def __init__(self, name: str, input_shape: Shape, input_name: str = "input") -> None:
        self.name = name
        self.layers: list[Layer] = [Layer(input_name, "input", (), input_shape, input_shape)]
        self._shapes = {input_name: input_shape}

    def shape(self, tensor: str) -> Shape:
        return self._shapes[tensor]

    def _add(self, layer: Layer) -> str:
        if layer.name in self._shapes:
            raise NetworkError(f"network {self.name!r}: duplicate layer {layer.name!r}")
        self.layers.append(layer)
        self._shapes[layer.name] = layer.out_shape
        return layer.name

    def conv(self, name: str, x: str, out_channels: int, kernel: int | Sequence[int],
             stride: int | Sequence[int] = 1, pads: Pads = 0, groups: int = 1,
             activation: str = "relu", bias: bool = True, shares_weights_with: str = "") -> str:
        in_shape = self.shape(x)
        k, s = _pair(kernel), _pair(stride)
        p = resolve_pads(pads, in_shape[1:], k, s)
        h, w = conv_output_hw(in_shape[1:], k, s, p)
        op = "dwconv" if groups > 1 and groups == in_shape[0] == out_channels else "conv"
        return self._add(Layer(name, op, (x,), in_shape, (out_channels, h, w), k, s, p, groups,
                               activation, bias, shares_weights_with))

    def depthwise(self, name: str, x: str, kernel: int, stride: int = 1, pads: Pads = 0,
                  activation: str = "relu") -> str:
        channels = self.shape(x)[0]
        return self.conv(name, x, channels, kernel, stride, pads, groups=channels,
                         activation=activation)

    def pool(self, name: str, x: str, kind: str, kernel: int | Sequence[int],
             stride: int | Sequence[int] | None = None, pads: Pads = 0) -> str:
        in_shape = self.shape(x)
        k = _pair(kernel)
        s = _pair(stride if stride is not None else kernel)
        p = resolve_pads(pads, in_shape[1:], k, s)
        h, w = conv_output_hw(in_shape[1:], k, s, p)
        return self._add(Layer(name, kind, (x,), in_shape, (in_shape[0], h, w), k, s, p,
                               activation="linear", bias=False))

    def global_avgpool(self, name: str, x: str) -> str:
        _, h, w = self.shape(x)
        return self.pool(name, x, "avgpool", (h, w), 1)

    def fc(self, name: str, x: str, features: int, activation: str = "relu") -> str:
        in_shape = self.shape(x)
        return self._add(Layer(name, "fc", (x,), in_shape, (features, 1, 1),
                               activation=activation))

    def add(self, name: str, inputs: Sequence[str], activation: str = "linear") -> str:
        shapes = {self.shape(x) for x in inputs}
        if len(shapes) != 1:
            raise NetworkError(f"network {self.name!r}, add {name!r}: operand shapes "
                               f"{sorted(shapes)} differ")
        shape = shapes.pop()
        return self._add(Layer(name, "add", tuple(inputs), shape, shape,
                               activation=activation, bias=False))

    def mul(self, name: str, x: str, scale: str) -> str:
        """``x`` times ``scale`` (x's shape, or C x 1 x 1 broadcast: squeeze-excite)."""
        shape = self.shape(x)
        if self.shape(scale) not in (shape, (shape[0], 1, 1)):
            raise NetworkError(f"network {self.name!r}, mul {name!r}: scale shape "
                               f"{self.shape(scale)} does not broadcast to {shape}")
        return self._add(Layer(name, "mul", (x, scale), shape, shape, bias=False))

    def concat(self, name: str, inputs: Sequence[str]) -> str:
        """Channel concatenation (YOLO routes); every input has the same H x W."""
        shapes = [self.shape(x) for x in inputs]
        if len({s[1:] for s in shapes}) != 1:
            raise NetworkError(f"network {self.name!r}, concat {name!r}: H x W of "
                               f"{shapes} differ")
        out = (sum(s[0] for s in shapes), *shapes[0][1:])
        return self._add(Layer(name, "concat", tuple(inputs), shapes[0], out, bias=False))

    def upsample(self, name: str, x: str, scale: int = 2,
                 size: tuple[int, int] | None = None) -> str:
        """Nearest-neighbour upsampling by ``scale``, or to ``size`` (H, W) as FPN does."""
        c, h, w = self.shape(x)
        oh, ow = size if size is not None else (h * scale, w * scale)
        return self._add(Layer(name, "upsample", (x,), (c, h, w), (c, oh, ow), bias=False))

    def build(self, description: str = "", source: str = "", **kwargs) -> Network:
        return Network(self.name, tuple(self.layers), description=description, source=source,
                       **kwargs)
