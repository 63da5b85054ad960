"""A labelled SYNTHETIC feature-map generator, for tests and for plugins without data.

Its maps are ReLU of spatially smooth Gaussian fields, with a zero fraction that rises
with depth as in real CNNs. They are not evidence about any real network; every table
that shows them says SYNTHETIC.
"""

from __future__ import annotations

import numpy as np

from accelbench.datasets.formats import quantize
from accelbench.datasets.types import DatasetSource, FeatureMapSet, LayerMaps

#: (channels, height, width, threshold in standard deviations) per layer
_LAYERS = ((16, 32, 32, -0.3), (32, 16, 16, 0.0), (32, 16, 16, 0.3),
           (64, 8, 8, 0.6), (64, 8, 8, 1.0), (128, 4, 4, 1.4))
_IMAGES = 4


def _smooth_field(rng: np.random.Generator, shape: tuple[int, int, int]) -> np.ndarray:
    c, h, w = shape
    noise = rng.standard_normal((c, h + 2, w + 2))
    # 3x3 box blur gives neighbouring activations the correlation real maps have
    acc = sum(noise[:, dy:dy + h, dx:dx + w] for dy in range(3) for dx in range(3))
    return acc / 3.0


def synthetic_feature_maps(fmt: str, seed: int = 2024) -> FeatureMapSet:
    rng = np.random.default_rng(seed)
    layers = []
    for index, (c, h, w, threshold) in enumerate(_LAYERS):
        batch = np.stack([np.maximum(_smooth_field(rng, (c, h, w)) - threshold, 0.0)
                          for _ in range(_IMAGES)])
        words, scale, zero_point = quantize(batch.reshape(_IMAGES, -1), fmt)
        layers.append(LayerMaps(name=f"synthetic{index}", kind="relu", shape=(c, h, w),
                                words=words, scale=scale, zero_point=zero_point))
    return FeatureMapSet(dataset="synthetic", format=fmt,
                         images=[f"noise{i}" for i in range(_IMAGES)], layers=layers,
                         synthetic=True, provenance={"generator": "accelbench.synthetic",
                                                     "seed": seed})


class SyntheticSource(DatasetSource):
    name = "synthetic"
    description = "SYNTHETIC ReLU-of-smooth-noise maps (not real data)"
    synthetic = True
    #: real datasets exist (efficientnet-lite0), so synthetic maps stay out of the matrix
    in_default_matrix = False

    def load(self, fmt: str) -> FeatureMapSet:
        return synthetic_feature_maps(fmt)
