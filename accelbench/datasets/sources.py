"""The dataset source classes under their historical import path.

The code lives in ``source_options`` (options), ``network_source`` (the generic ONNX
network source and ``onnx:PATH``) and ``builtin_sources`` (EfficientNet-Lite0,
ResNet-50-1by2); plugins may keep importing these names from here.
"""

from accelbench.datasets.builtin_sources import (
    RESNET_PACKAGE,
    EfficientNetLite0Source,
    ResNet50HalfSource,
)
from accelbench.datasets.network_source import (
    BuildReport,
    NetworkSource,
    OnnxSource,
    SourceUnavailableError,
)
from accelbench.datasets.source_options import SourceOptionError

__all__ = ["RESNET_PACKAGE", "BuildReport", "EfficientNetLite0Source", "NetworkSource",
           "OnnxSource", "ResNet50HalfSource", "SourceOptionError", "SourceUnavailableError"]
