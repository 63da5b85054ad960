"""Network graphs (layer shapes, strides, padding, groups, shortcut edges), the layer zoo,
and SCALE-Sim topology CSV import and export.

* :class:`~accelbench.networks.types.Network`, :class:`~accelbench.networks.types.Layer`
* :func:`~accelbench.networks.zoo.zoo_networks` - AlexNet, VGG-16, ResNet-34/50,
  MobileNetV2, EfficientNet-Lite0 (registered by ``plugins/networks.py``)
* :mod:`accelbench.networks.topology` - SCALE-Sim topology CSV in and out
"""

from accelbench.networks.types import Layer, Network, NetworkError

__all__ = ["Layer", "Network", "NetworkError"]
