"""Registers the layer zoo: AlexNet, VGG-16, ResNet-34, ResNet-50, MobileNetV2 and
EfficientNet-Lite0 as network graphs (shapes and shortcut edges, no weights)."""

from accelbench import hookimpl
from accelbench.networks.zoo import zoo_networks


@hookimpl
def accelbench_networks():
    return zoo_networks()
