"""What a codec costs in accuracy: reconstruction error of the stored words, and agreement
of the network's predictions on real images when every recorded map is replaced by what
the accelerator would read back.

:class:`WordCodecTransform` is the adapter from a word-domain codec to the float maps the
network computes: each map is quantised with the scale and zero point the dataset stored
for that layer (so an unmodified map becomes exactly its stored words), encoded, decoded,
and dequantised back to floats before the network continues. Without a codec it only
quantises and dequantises: the accuracy of storing the maps in the number format at all,
which is also the accuracy of every lossless codec (its decoder returns the words
exactly, as co-simulation asserts), and the reference a lossy codec is read against.
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING, Any

import numpy as np

from accelbench.bits import to_signed, to_words
from accelbench.datasets.types import FORMATS
from accelbench.metrics import Metric

if TYPE_CHECKING:
    from accelbench.datasets.types import FeatureMapSet
    from accelbench.families.codec import CodecDesign
    from accelbench.workloads import FeatureMapData


def word_values(words: np.ndarray, fmt: str) -> np.ndarray:
    """Unsigned W-bit patterns as the format's integer values (int64)."""
    spec = FORMATS[fmt]
    w = np.asarray(words).astype(np.int64)
    return to_signed(w, spec.word_bits) if spec.signed else w


class ReconstructionError:
    """Per-layer error of decoded words against the stored words, in format units."""

    def __init__(self, fmt: str) -> None:
        self.fmt = fmt
        self.peak = (1 << FORMATS[fmt].word_bits) - 1
        self._layers: dict[str, dict[str, float]] = {}

    def add(self, layer: str, words: np.ndarray, decoded: np.ndarray) -> None:
        a, b = word_values(words, self.fmt), word_values(decoded, self.fmt)
        err = np.abs(a - b)
        acc = self._layers.setdefault(layer, {"sq": 0.0, "n": 0, "max": 0, "changed": 0})
        acc["sq"] += float(np.sum(err.astype(np.float64) ** 2))
        acc["n"] += int(err.size)
        acc["max"] = max(acc["max"], int(err.max()) if err.size else 0)
        acc["changed"] += int(np.count_nonzero(err))

    def _psnr(self, sq: float, n: int) -> float:
        mse = sq / max(n, 1)
        return math.inf if mse == 0 else 10 * math.log10(self.peak ** 2 / mse)

    def layer_entry(self, layer: str) -> dict[str, Any]:
        acc = self._layers[layer]
        return {"max_abs_error": acc["max"], "psnr_db": round(self._psnr(acc["sq"], acc["n"]), 4),
                "changed_fraction": round(acc["changed"] / max(acc["n"], 1), 6)}

    def metrics(self) -> list[Metric]:
        sq = sum(a["sq"] for a in self._layers.values())
        n = sum(a["n"] for a in self._layers.values())
        worst = max((a["max"] for a in self._layers.values()), default=0)
        psnrs = [self._psnr(a["sq"], a["n"]) for a in self._layers.values()]
        finite = [p for p in psnrs if math.isfinite(p)]
        return [
            Metric("psnr_db", round(self._psnr(sq, n), 4), "dB", "higher",
                   description=f"decoded vs stored words over every map, peak {self.peak}"),
            Metric("min_layer_psnr_db", round(min(finite), 4) if finite else math.inf, "dB",
                   "higher", description="worst layer's PSNR"),
            Metric("max_abs_error", worst, "word", "lower",
                   description="largest |decoded - stored| of any value"),
        ]


class WordCodecTransform:
    """``transform(layer, kind, float_map)`` for forward_with_transform: quantise with the
    layer's stored scale, encode, decode (``codec`` None: neither), dequantise."""

    def __init__(self, codec: CodecDesign | None, maps: FeatureMapSet) -> None:
        self.codec = codec
        self.fmt = maps.format
        self.layers = {layer.name: layer for layer in maps.layers}

    def __call__(self, layer_name: str, kind: str, float_map: np.ndarray) -> np.ndarray | None:
        from accelbench.datasets.formats import dequantize, requantize

        layer = self.layers.get(layer_name)
        if layer is None:
            return None
        stored = requantize(float_map, self.fmt, layer.scale, layer.zero_point)
        if self.codec is not None:
            words = to_words(stored.reshape(-1), self.codec.word_bits)
            decoded = self.codec.roundtrip(words, tuple(float_map.shape))
            stored = word_values(decoded, self.fmt).astype(FORMATS[self.fmt].dtype)
        return dequantize(stored.reshape(float_map.shape), self.fmt, layer.scale,
                          layer.zero_point)


def _agreement_metrics(result: Any, prefix: str, what: str) -> list[Metric]:
    n = len(result.images)
    metrics = [
        Metric(f"{prefix}top1_agreement", round(result.top1_agreement, 6), "", "higher",
               description=f"{what}: images ({n}) whose top-1 class equals the float "
                           "network's"),
        Metric(f"{prefix}top5_agreement", round(result.top5_agreement, 6), "", "higher",
               description=f"{what}: images whose top-5 classes contain the float "
                           "network's top-1 class"),
    ]
    metrics += [
        Metric(f"{prefix}mean_kl_divergence", round(float(result.mean_kl_divergence), 8),
               "nat", "lower", description=f"{what}: mean over images of KL(float || "
                                           "modified) of the output distributions"),
        Metric(f"{prefix}output_snr_db", round(float(result.output_snr_db), 4), "dB",
               "higher", description=f"{what}: output logits, float-network power over "
                                     "squared difference"),
    ]
    return metrics


def accuracy_on_images(codec: CodecDesign, data: FeatureMapData, n_images: int
                       ) -> tuple[list[Metric], dict[str, Any], list[str]]:
    """Run the dataset's network on its first ``n_images`` images with every recorded map
    replaced by what the codec gives back, and compare with the float network.

    A lossless codec gives back the stored words, so its figures are those of storing the
    maps in the format (one run); a lossy codec adds ``quantized_*`` reference figures
    from the same images without the codec.
    """
    from accelbench.datasets import forward_with_transform
    from accelbench.datasets.network_source import NetworkSource

    source = data.source
    if not isinstance(source, NetworkSource):
        return [], {"available": False, "reason": "the dataset has no network to run"}, [
            f"no accuracy figures: dataset {source.name} has no network"]
    if n_images < len(data.maps.images):
        source = source.configured(limit=n_images)
    fmt = data.maps.format
    reference = forward_with_transform(source, WordCodecTransform(None, data.maps))
    if not codec.lossy:
        metrics = _agreement_metrics(reference, "", f"maps stored in {fmt} (lossless codec)")
        details = {"available": True, "images": reference.images,
                   "per_image": reference.per_image, "reference": "float network"}
        return metrics, details, []
    result = forward_with_transform(source, WordCodecTransform(codec, data.maps))
    metrics = (_agreement_metrics(result, "", f"maps through {codec.name} in {fmt}")
               + _agreement_metrics(reference, "quantized_", f"maps stored in {fmt}, no "
                                                             "codec"))
    details = {"available": True, "images": result.images, "per_image": result.per_image,
               "quantized_per_image": reference.per_image, "reference": "float network",
               "layers_changed": len(result.layers_changed)}
    return metrics, details, []
