"""Effect of spectral pruning on real layers: output SNR against the real network.

For each spectral convolution of a real dataset (ResNet-50-1by2's stride-1 3x3 layers),
its real input on an image goes through the pruned spectral model (float, and the
fixed-point hardware model) and the result (plus the bias) is compared with the layer's
real output: SNR = 10 log10(sum y^2 / sum (y - y')^2). No retraining (SPEC2 retrains after
ADMM pruning). Network-level top-1/top-5 agreement needs the dataset transform hook.

``python -m accelbench.designs.spectral.accuracy [--images N] [--fixed]`` prints the table.
"""

from __future__ import annotations

import argparse
from collections.abc import Sequence

import numpy as np

from accelbench.designs.spectral import fixed, golden
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
