"""Per-layer weights and activation zeros for the engine evaluations.

EfficientNet-Lite0 has a real dataset: its convolutions come with trained weights
(BatchNorm folded) and the real input maps of one image
(:func:`accelbench.datasets.real_conv_layers`); both are quantised to int8 (symmetric,
per tensor) here, so a zero is what the hardware sees. Other networks have no weights
or activations here: their activation zeros are drawn i.i.d. with the assumed fraction
of :func:`accelbench.engines.layers.assumed_zero_fraction`, and their pruned blocks are
chosen at random (what block magnitude pruning of i.i.d. weights does). Such layers
are marked "assumed" in every table.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass

import numpy as np

from accelbench.designs.spots.pruning import quantize_int8
from accelbench.engines.layers import RELU_ZERO_FRACTION, assumed_zero_fraction
from accelbench.networks.types import Network

#: networks whose layers have a real dataset (network name -> dataset source)
REAL_DATA = {"efficientnet-lite0": "efficientnet-lite0"}
DEFAULT_IMAGE = 0


@dataclass
class LayerData:
    weight: np.ndarray | None  # float32 O x C/g x kh x kw (real) or None
    nonzero: np.ndarray  # bool C x H x W: activations that are non-zero in int8
    zero_fraction: float
    source: str  # "real" or "assumed"


@functools.cache
def _real_layers(source: str, image: int) -> dict:
    from accelbench.datasets import real_conv_layers

    return {layer.name: layer for layer in real_conv_layers(source, image)}


def layer_data(network: Network, layer_name: str, *, seed: int = 0,
               relu_fraction: float = RELU_ZERO_FRACTION,
               image: int = DEFAULT_IMAGE) -> LayerData:
    layer = network.layer(layer_name)
    source = REAL_DATA.get(network.name)
    if source is not None and layer.op != "fc":
        real = _real_layers(source, image).get(layer_name)
        if real is not None:
            q, _ = quantize_int8(real.input)
            nz = q != 0
            return LayerData(real.weight, nz, float(1 - nz.mean()), "real")
    fraction = assumed_zero_fraction(network, layer_name, relu_fraction)
    shape = (layer.in_features, 1, 1) if layer.op == "fc" else layer.in_shape
    rng = np.random.default_rng([seed, network.position(layer_name)])
    nz = rng.random(shape) >= fraction
    return LayerData(None, nz, fraction, "assumed")
