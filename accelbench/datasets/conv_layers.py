"""Real convolution layers (weights + the activations of one image) for engine designs."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from accelbench.datasets.images import resolve_images
from accelbench.datasets.onnx_graph import conv_nodes, float_input, session, with_outputs
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


def real_conv_layers(source_name: str | Any = "efficientnet-lite0",
                     image: int | str | Path = 0) -> list[RealConvLayer]:
    """Every 2-D convolution of ``source_name``'s network with its input and output on one
    image: ``image`` is an index into the source's images, a bundled photo name or a path."""
    from accelbench.datasets import get_source

    src = get_source(source_name) if isinstance(source_name, str) else source_name
    if not hasattr(src, "model"):
        raise AccelbenchError(f"dataset {src.name!r} has no network")
    if isinstance(image, int):
        refs = src.images()
        if not 0 <= image < len(refs):
            raise AccelbenchError(f"image index {image} out of range: {src.name} has "
                                  f"{len(refs)} images")
        ref = refs[image]
    else:
        (ref,) = resolve_images([image])
    model = src.model()
    input_name, _ = float_input(model)
    plain = [n for n in model.graph.node if n.op_type == "Conv"]
    tensors = list(dict.fromkeys(t for n in plain for t in (n.input[0], n.output[0])))
    sess = session(with_outputs(model, tensors))
    values = dict(zip(tensors, sess.run(tensors, {input_name: src.preprocessing()(ref)[None]}),
                      strict=True))
    hw = {t: tuple(v.shape[2:]) for t, v in values.items() if v.ndim == 4}
    layers = []
    for node in conv_nodes(model, hw):
        if node.dilation != (1, 1):
            continue  # engines here model undilated convolutions only
        layers.append(RealConvLayer(
            name=src.conv_label(node.name, node.output, model),
            weight=node.weight, bias=node.bias, stride=node.stride, pads=node.pads,
            groups=node.groups, input=np.ascontiguousarray(values[node.input][0]),
            output=np.ascontiguousarray(values[node.output][0]), activation=node.activation))
    return layers
