"""Effect of spectral pruning on real layers and on the real network's predictions.

* Per layer (:func:`layer_snrs`): each spectral convolution of a real dataset
  (ResNet-50-1by2's stride-1 3x3 layers) recomputed from its real input on an image by the
  pruned spectral model (float, or the fixed-point hardware model), the result (plus the
  bias) against the layer's real output: SNR = 10 log10(sum y^2 / sum (y - y')^2).
* Per network (:func:`network_accuracy`): the whole network run on real images with every
  spectral convolution computed by the pruned float model
  (:func:`accelbench.datasets.transform.forward_with_transform`'s ``conv_transform``; each
  layer sees the input the modified network gives it, so errors compound), compared with
  the unmodified float network: top-1/top-5 agreement, mean KL divergence and output SNR.

No retraining anywhere (SPEC2 retrains after ADMM pruning).

``python -m accelbench.designs.spectral.accuracy [--images N] [--fixed]`` prints the
per-layer table.
"""

from __future__ import annotations

import argparse
import math
from collections.abc import Callable, Sequence
from typing import Any

import numpy as np

from accelbench.designs.spectral import fixed, golden
from accelbench.designs.spectral.dataflow import spectral_kernel
from accelbench.designs.spectral.evaluate import DENSITIES


def snr_db(reference: np.ndarray, approx: np.ndarray) -> float:
    err = float(np.sum((np.asarray(reference, np.float64) - approx) ** 2))
    power = float(np.sum(np.asarray(reference, np.float64) ** 2))
    return float("inf") if err == 0 else 10 * np.log10(power / err)


def spectral_output(layer, density: float, fixed_point: bool = False) -> np.ndarray:
    """A real layer's pre-activation output computed spectrally (pruned to ``density``).
    ``layer``: a :class:`~accelbench.datasets.conv_layers.RealConvLayer` with symmetric
    padding."""
    top, bottom, left, right = layer.pads
    if len({top, bottom, left, right}) != 1:
        raise golden.SpectralError(f"{layer.name}: asymmetric padding {layer.pads}")
    if fixed_point:
        out = fixed.spectral_conv2d_quantized(layer.input, layer.weight, top, density)
    else:
        out = golden.spectral_conv2d(layer.input, layer.weight, top, density)
    return out + layer.bias.astype(np.float64)[:, None, None]


def layer_snrs(layers: Sequence, densities: Sequence[float] = DENSITIES,
               fixed_point: bool = False) -> dict[str, dict[float, float]]:
    """SNR (dB) of every layer at every density."""
    return {layer.name: {d: snr_db(layer.output, spectral_output(layer, d, fixed_point))
                         for d in densities} for layer in layers}


def spectral_conv_transform(density: float, fixed_point: bool = False,
                            seen: set[str] | None = None) -> Callable[[Any], np.ndarray | None]:
    """A ``conv_transform`` for forward_with_transform: the convolutions the engine
    computes (stride 1, ungrouped, k x k with k = 2..8) give their pruned spectral output,
    the others (which stay spatial) are kept; ``seen`` collects the names transformed."""

    def transform(layer) -> np.ndarray | None:
        if not spectral_kernel(layer.kernel, layer.stride, layer.groups):
            return None
        if seen is not None:
            seen.add(layer.name)
        return spectral_output(layer, density, fixed_point)

    return transform


def _rounded(value: float, digits: int) -> float:
    return value if not math.isfinite(value) else round(value, digits)


def network_accuracy(source: Any, densities: Sequence[float] = DENSITIES,
                     images: Sequence[Any] | None = None) -> list[dict[str, Any]]:
    """The network of ``source`` (a NetworkSource) on its images (or ``images``) with its
    spectral convolutions pruned to each density (float model, no retraining), against
    the unmodified float network: one JSON-able entry per density."""
    from accelbench.datasets.transform import forward_with_transform

    out = []
    for density in densities:
        seen: set[str] = set()
        result = forward_with_transform(
            source, images=images, conv_transform=spectral_conv_transform(density, seen=seen))
        out.append({
            "density": density,
            "images": len(result.images),
            "top1_agreement": round(result.top1_agreement, 6),
            "top5_agreement": round(result.top5_agreement, 6),
            "mean_kl_divergence": _rounded(float(result.mean_kl_divergence), 10),
            "output_snr_db": _rounded(float(result.output_snr_db), 4),
            "spectral_convs": len(seen),
            "convs_changed": len(result.convs_changed),
            "per_image_kl": [_rounded(float(e["kl_divergence"]), 10)
                             for e in result.per_image],
        })
    return out


def main(argv: Sequence[str] | None = None) -> int:
    from accelbench.datasets import real_conv_layers
    from accelbench.designs.spectral.evaluate import real_layer_inputs

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--source", default="resnet50-1by2")
    parser.add_argument("--images", type=int, default=3)
    parser.add_argument("--fixed", action="store_true", help="also the fixed-point model")
    args = parser.parse_args(argv)
    rows: dict[str, dict[str, list[float]]] = {}
    for image in range(args.images):
        layers = real_conv_layers(args.source, image)
        names = {x.name for x in real_layer_inputs(layers)}
        chosen = [x for x in layers if x.name in names]
        models = [("float", False)] + ([("fixed", True)] if args.fixed else [])
        for label, fx in models:
            for name, by_d in layer_snrs(chosen, DENSITIES, fx).items():
                for d, value in by_d.items():
                    rows.setdefault(name, {}).setdefault(f"{label} d={d}", []).append(value)
    columns = sorted({c for r in rows.values() for c in r})
    print("layer".ljust(26) + "".join(c.rjust(16) for c in columns))
    for name, r in rows.items():
        print(name.ljust(26) + "".join(f"{np.mean(r[c]):16.1f}" for c in columns))
    print("mean".ljust(26) + "".join(f"{np.mean([np.mean(r[c]) for r in rows.values()]):16.1f}"
                                     for c in columns))
    print(f"(SNR in dB against the real outputs, mean over {args.images} images; no "
          "retraining)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
