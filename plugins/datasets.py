"""Registers the real activation datasets: EfficientNet-Lite0 (default) and the optional
ResNet-50-1by2 (listed even when its package is missing; building it then says how to
install it). ``onnx:PATH`` sources are not registered: ``accelbench.datasets.get_source``
creates them on demand."""

from accelbench import hookimpl
from accelbench.datasets.builtin_sources import EfficientNetLite0Source, ResNet50HalfSource


@hookimpl
def accelbench_dataset_sources():
    return [EfficientNetLite0Source(), ResNet50HalfSource()]
