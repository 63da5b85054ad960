"""Real convolution layers (weights + the activations of one image) for engine designs."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from accelbench.datasets.images import ImageRef, resolve_images
from accelbench.datasets.onnx_graph import conv_activations, float_input
from accelbench.datasets.onnx_ops import Node, conv_geometry
from accelbench.errors import AccelbenchError


@dataclass(frozen=True)
class RealConvLayer:
    """One convolution of a trained network on one real image.

    ``output`` = conv(pad(``input``, ``pads``), ``weight``, ``stride``, ``groups``) + ``bias``,
    before ``activation`` ("relu6", "relu" or "linear") is applied. BatchNorm is folded
    into ``weight`` and ``bias``.
    """

    name: str
    weight: np.ndarray  # float32, O x I/groups x kh x kw
    bias: np.ndarray  # float32, O
    stride: tuple[int, int]
    pads: tuple[int, int, int, int]  # top, bottom, left, right
    groups: int
    input: np.ndarray  # float32, C x H x W (unpadded)
    output: np.ndarray  # float32, O x H' x W'
    activation: str

    @property
    def kernel(self) -> tuple[int, int]:
        return int(self.weight.shape[2]), int(self.weight.shape[3])


class ConvLayerBuilder:
    """Turns the executor's Conv nodes of one source into :class:`RealConvLayer`s (None
    for convolutions engines do not model: dilated, or with computed weights)."""

    def __init__(self, source: Any) -> None:
        self.source = source
        self.model = source.model()
        self.constants = source.executor().constants
        self.activations = conv_activations(self.model)

    def layer(self, node: Node, x: np.ndarray, y: np.ndarray) -> RealConvLayer | None:
        weight = self.constants.get(node.inputs[1])
        if weight is None or weight.ndim != 4 or x.ndim != 4:
            return None
        stride, dilation, pads = conv_geometry(node, x.shape[2:], weight.shape[2:])
        if dilation != (1, 1):
            return None  # engines here model undilated convolutions only
        bias = (self.constants.get(node.inputs[2]) if len(node.inputs) > 2 and node.inputs[2]
                else None)
        if bias is None:
            bias = np.zeros(weight.shape[0], np.float32)
        return RealConvLayer(
            name=self.source.conv_label(node.name, node.outputs[0], self.model),
            weight=weight.astype(np.float32), bias=bias.astype(np.float32),
            stride=stride, pads=pads, groups=int(node.attrs.get("group", 1)),
            input=np.ascontiguousarray(x[0]), output=np.ascontiguousarray(y[0]),
            activation=self.activations.get(node.outputs[0], "linear"))


def pick_image(source: Any, image: int | str | Path) -> ImageRef:
    """``image``: an index into the source's images, a bundled photo name or a path."""
    if isinstance(image, int):
        refs = source.images()
        if not 0 <= image < len(refs):
            raise AccelbenchError(f"image index {image} out of range: {source.name} has "
                                  f"{len(refs)} images")
        return refs[image]
    (ref,) = resolve_images([image])
    return ref


def real_conv_layers(source_name: str | Any = "efficientnet-lite0",
                     image: int | str | Path = 0) -> list[RealConvLayer]:
    """Every 2-D convolution of ``source_name``'s network with its input and output on one
    image (computed on the datasets' deterministic compute path): ``image`` is an index
    into the source's images, a bundled photo name or a path."""
    from accelbench.datasets import get_source

    src = get_source(source_name) if isinstance(source_name, str) else source_name
    from accelbench.datasets.network_source import NetworkSource

    if not isinstance(src, NetworkSource):
        raise AccelbenchError(f"dataset {src.name!r} has no network")
    ref = pick_image(src, image)
    builder = ConvLayerBuilder(src)
    layers: list[RealConvLayer] = []

    def collect(node: Node, x: np.ndarray, y: np.ndarray) -> None:
        layer = builder.layer(node, x, y)
        if layer is not None:
            layers.append(layer)

    input_name, _ = float_input(builder.model)
    src.executor().run({input_name: src.preprocessing()(ref)[None]}, [src.logits_tensor()],
                       on_conv=collect)
    return layers
