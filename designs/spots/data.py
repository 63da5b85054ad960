"""Per-layer weights and activation zeros for the engine evaluations.

A network with a real dataset (the harness's :class:`~accelbench.workloads.NetworkData`)
gives each convolution its trained weights (BatchNorm folded) and the real input maps of
one image; both are quantised to int8 (symmetric, per tensor) here, so a zero is what the
hardware sees. Other networks have no weights or activations: their activation zeros are
drawn i.i.d. with the assumed fraction of
:func:`accelbench.engines.layers.assumed_zero_fraction`, and their pruned blocks are chosen
at random (what block magnitude pruning of i.i.d. weights does). Such layers are marked
"assumed" in every table.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from accelbench.engines.conv import quantize_int8
from accelbench.engines.layers import RELU_ZERO_FRACTION, assumed_zero_fraction
from accelbench.workloads import NetworkData


@dataclass
class LayerData:
    weight: np.ndarray | None  # float32 O x C/g x kh x kw (real) or None
    nonzero: np.ndarray  # bool C x H x W: activations that are non-zero in int8
    zero_fraction: float
    source: str  # "real" or "assumed"


def layer_data(data: NetworkData, layer_name: str, *, seed: int = 0,
               relu_fraction: float = RELU_ZERO_FRACTION) -> LayerData:
    network = data.network
    layer = network.layer(layer_name)
    real = data.real_layer(layer_name) if layer.op != "fc" else None
    if real is not None:
        q, _ = quantize_int8(real.input)
        nz = q != 0
        return LayerData(real.weight, nz, float(1 - nz.mean()), "real")
    fraction = assumed_zero_fraction(network, layer_name, relu_fraction)
    shape = (layer.in_features, 1, 1) if layer.op == "fc" else layer.in_shape
    rng = np.random.default_rng([seed, network.position(layer_name)])
    nz = rng.random(shape) >= fraction
    return LayerData(None, nz, fraction, "assumed")
