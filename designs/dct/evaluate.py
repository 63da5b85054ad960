"""Evaluation of a DCT codec on a feature-map workload (until the codec base takes over).

Per layer and image: compressed bits with the padding of edge blocks counted, against
8 bits per real value; the reconstruction error of decode(encode(x)) (max |error| and
PSNR against the 8-bit range). The netlists are co-simulated bit-exactly on a window of
each layer (its first channels, whole blocks), and, once, on one block to measure the
latency. Network accuracy (top-1/top-5 agreement) needs the network run, see
:mod:`accelbench.designs.dct.accuracy`.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import numpy as np

from accelbench.design import EvaluationOptions
from accelbench.designs.dct import stream
from accelbench.metrics import Evaluation, Metric
from accelbench.workloads import FeatureMapWorkload, Workload

if TYPE_CHECKING:
    from accelbench.designs.dct.design import DctCodec


def window_channels(design: DctCodec, shape: tuple[int, int, int], values: int) -> int:
    """Channels of a layer to co-simulate: about ``values`` values, whole channel groups
    for the channel transform."""
    c, h, w = shape
    n = max(1, -(-values // (h * w)))
    if design.transform == "channel":
        n = -(-n // 8) * 8
    return min(c, n)


def _psnr(mse: float) -> float:
    return 99.0 if mse == 0 else round(float(10 * np.log10(255.0 ** 2 / mse)), 4)


def evaluate_dct(design: DctCodec, workload: Workload,
                 options: EvaluationOptions) -> Evaluation:
    if not isinstance(workload, FeatureMapWorkload):
        raise TypeError(f"{design.name} evaluates feature maps, not {workload.kind}")
    fm = workload.load()
    n_images = len(fm.images) if options.max_images is None else min(options.max_images,
                                                                      len(fm.images))
    model = design.model
    n_layers = len(fm.layers)
    bits = np.zeros((n_layers, n_images), dtype=np.int64)
    raw = np.zeros((n_layers, n_images), dtype=np.int64)
    per_layer: list[dict[str, Any]] = []
    sim_values = c_cycles = d_cycles = 0
    worst = 0
    for li, layer in enumerate(fm.layers):
        shape = tuple(int(s) for s in layer.shape)
        if len(shape) != 3:
            raise ValueError(f"{design.name}: layer {layer.name} has shape {shape}, "
                             "expected (C, H, W)")
        sq_err = 0.0
        max_err = 0
        for ii in range(n_images):
            words = layer.words[ii]
            q = model.quantized_blocks(words, shape)
            bits[li, ii] = stream.count_bits(q, model.coding_widths)
            raw[li, ii] = 8 * words.size
            restored = model.unsigned_words(model.reconstruct(q, shape))
            err = (model.signed_values(restored) - model.signed_values(words))
            sq_err += float(np.square(err, dtype=np.float64).sum())
            max_err = max(max_err, int(np.abs(err).max()))
        worst = max(worst, max_err)
        padded = int(np.prod(model.padded_shape(shape)))
        entry: dict[str, Any] = {
            "layer": layer.name, "kind": layer.kind, "shape": list(shape),
            "values": int(layer.values_per_image),
            "zero_fraction": round(float(np.mean(layer.words[:n_images] == layer.zero_point)),
                                   6),
            "padding_fraction": round(padded / layer.values_per_image - 1, 6),
            "ratio": round(float(raw[li].sum() / max(bits[li].sum(), 1)), 6),
            "max_error": max_err,
            "psnr_db": _psnr(sq_err / (n_images * layer.values_per_image)),
        }
        if options.sim_words > 0:
            c = window_channels(design, shape, options.sim_words)
            window = layer.words[0].reshape(shape)[:c].reshape(-1)
            co = design.cosimulate(window, (c, shape[1], shape[2]),
                                   simulator=options.simulator)
            sim_values += window.size
            c_cycles += co.compress_cycles
            d_cycles += co.decompress_cycles
            entry["sim_words"] = int(window.size)
            entry["compressor_words_per_cycle"] = round(window.size / co.compress_cycles, 6)
            entry["decompressor_words_per_cycle"] = round(window.size / co.decompress_cycles, 6)
        per_layer.append(entry)
    per_image = raw.sum(axis=0) / np.maximum(bits.sum(axis=0), 1)
    metrics = [
        Metric("compression_ratio", round(float(per_image.mean()), 6), "x", "higher",
               description=design.headline_description),
        Metric("ratio_std", round(float(per_image.std()), 6), "x", "none",
               description="standard deviation of the per-image ratio"),
        Metric("ratio_min", round(float(per_image.min()), 6), "x", "higher"),
        Metric("ratio_max", round(float(per_image.max()), 6), "x", "higher"),
        Metric("compressed_bits", int(bits.sum()), "bit", "lower",
               description="64 + value bits per block, padding blocks included"),
        Metric("uncompressed_bits", int(raw.sum()), "bit", "none",
               description="8 bits per real value"),
        Metric("max_error", worst, "LSB", "lower",
               description="largest |decode(encode(x)) - x| over every value"),
        Metric("zero_fraction", round(float(np.mean([e["zero_fraction"] for e in per_layer])),
                                      6), "", "none",
               description="mean over layers of the fraction of words that encode 0.0"),
        Metric("mean_psnr_db", round(float(np.mean([e["psnr_db"] for e in per_layer])), 4),
               "dB", "higher", description="mean over layers of the PSNR (8-bit peak)"),
    ]
    if sim_values:
        latency = block_latency(design, options.simulator)
        metrics += [
            Metric("compressor_words_per_cycle", round(sim_values / c_cycles, 6),
                   "word/cycle", "higher",
                   description="8-bit map words (real values) a cycle, netlist "
                               "co-simulation on whole channels of every layer"),
            Metric("decompressor_words_per_cycle", round(sim_values / d_cycles, 6),
                   "word/cycle", "higher"),
            Metric("netlist_words_checked", sim_values, "word", "none",
                   description="values co-simulated bit-exactly against the golden model"),
            Metric("compressor_block_latency_cycles", latency[0], "cycle", "lower",
                   description="first input to last output word of one 8x8 block"),
            Metric("decompressor_block_latency_cycles", latency[1], "cycle", "lower"),
        ]
    if options.area:
        from accelbench.netlist.area import netlist_area

        for name in design.netlists():
            report = netlist_area(design, name)
            metrics.append(Metric(f"{name}_ge", round(report.total_ge, 1), "GE", "lower",
                                  description=f"{name} area, {report.technology}"))
            metrics.append(Metric(f"{name}_flip_flops", report.flip_flops, "", "lower"))
            metrics.append(Metric(f"{name}_memory_bits", report.memory_bits, "bit", "lower",
                                  description="SRAM bits (buffers), not in the GE"))
    return Evaluation(
        metrics=metrics,
        details={"per_layer": per_layer,
                 "per_image": [{"image": fm.images[i], "ratio": round(float(r), 6)}
                               for i, r in enumerate(per_image)],
                 "dataset": {"name": fm.dataset, "format": fm.format,
                             "synthetic": fm.synthetic, "images": fm.images[:n_images],
                             "provenance": fm.provenance},
                 "lossy": True},
        notes=(["SYNTHETIC data: not evidence about real networks"] if fm.synthetic else [])
        + ["ratios count the zero padding of edge blocks (stored by the codec)"])


def block_latency(design: DctCodec, simulator: str = "compiled") -> tuple[int, int]:
    """Cycles from the first input word to idle for one 8x8 block (1 x 8 x 8, or
    8 channels x 8 pixels for the channel transform), compressor and decompressor."""
    shape = (8, 1, 8) if design.transform == "channel" else (1, 8, 8)
    values = (np.arange(64) * 37) % 256
    co = design.cosimulate(values, shape, simulator=simulator)
    return co.compress_cycles, co.decompress_cycles
