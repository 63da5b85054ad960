"""Network accuracy under DCT compression of every recorded interlayer map.

Each map the network writes is quantised to the variant's 8-bit format with the layer's
stored dataset scale (and zero point), passed through decode(encode(.)) of the golden
model, dequantised and handed back to the network
(:func:`accelbench.datasets.forward_with_transform`). The reference is the unmodified
float network; ``codec=None`` measures the 8-bit quantisation alone, so the codec's own
loss can be told apart from the format's.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

from accelbench.datasets.formats import dequantize
from accelbench.designs.dct.model import DctModel


@dataclass
class AccuracyResult:
    source: str
    design: str
    top1_agreement: float
    top5_agreement: float
    images: int
    layers_changed: int
    #: per layer: SNR (dB) of the map the network read back against the float map
    layer_snr_db: dict[str, float]


def quantize_map(x: np.ndarray, fmt: str, scale: float, zero_point: int) -> np.ndarray:
    """One image's float map as 8-bit words with a given scale (dataset convention)."""
    if fmt == "fixed8":
        return np.clip(np.trunc(x / np.float32(scale)), -127, 127).astype(np.int8)
    v = x / np.float32(scale)
    v = np.sign(v) * np.floor(np.abs(v) + np.float32(0.5))
    return np.clip(v + zero_point, 0, 255).astype(np.uint8)


def map_transform(model: DctModel | None, fmt: str, scales: dict[str, tuple[float, int]],
                  snr: dict[str, list[float]]):
    """The ``forward_with_transform`` callback for one variant (None: format only)."""

    def transform(layer: str, kind: str, fmap: np.ndarray) -> np.ndarray | None:
        if layer not in scales or fmap.ndim != 3:
            return None
        scale, zero_point = scales[layer]
        words = quantize_map(fmap, fmt, scale, zero_point)
        if model is not None:
            out = model.roundtrip(words.reshape(-1), fmap.shape).reshape(fmap.shape)
            words = out.view(np.int8) if fmt == "fixed8" else out
        back = dequantize(words, fmt, scale, zero_point)
        noise = float(np.square(back - fmap, dtype=np.float64).sum())
        signal = float(np.square(fmap, dtype=np.float64).sum())
        snr.setdefault(layer, []).append(99.0 if noise == 0 else
                                         10 * np.log10(max(signal, 1e-30) / noise))
        return back

    return transform


def network_accuracy(source: str, model: DctModel | None, fmt: str = "fixed8",
                     name: str = "", images: Any = None) -> AccuracyResult:
    """Top-1/top-5 agreement of ``source``'s network with every map coded by ``model``."""
    from accelbench.datasets import forward_with_transform, get_source

    fm = get_source(source).load(fmt)
    scales = {layer.name: (float(layer.scale), int(layer.zero_point)) for layer in fm.layers}
    snr: dict[str, list[float]] = {}
    res = forward_with_transform(source, map_transform(model, fmt, scales, snr), images)
    return AccuracyResult(res.source, name or ("format only" if model is None else ""),
                          res.top1_agreement, res.top5_agreement, len(res.images),
                          len(res.layers_changed),
                          {k: round(float(np.mean(v)), 3) for k, v in snr.items()})
