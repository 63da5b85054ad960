"""Evaluation of a codec on a feature-map workload: ratios, throughput, area."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import numpy as np

from accelbench.bits import to_words
from accelbench.design import EvaluationOptions
from accelbench.metrics import Evaluation, Metric
from accelbench.workloads import FeatureMapWorkload, Workload

if TYPE_CHECKING:
    from accelbench.codec import CodecDesign, SizeMeasure


def simulation_window(words: np.ndarray, size: int) -> np.ndarray:
    """A contiguous window of ``size`` words from the middle of a flattened map."""
    if size <= 0 or len(words) <= size:
        return words
    start = (len(words) - size) // 2
    return words[start:start + size]


def _alternative_ratio(measure: SizeMeasure, raw: np.ndarray, bits: np.ndarray,
                       per_layer: list[dict[str, Any]],
                       per_image: list[dict[str, Any]]) -> list[Metric]:
    """Metrics and per-layer/per-image entries of one extra size measure."""
    image_ratio = raw.sum(axis=0) / np.maximum(bits.sum(axis=0), 1)
    layer_ratio = raw.sum(axis=1) / np.maximum(bits.sum(axis=1), 1)
    for entry, ratio in zip(per_layer, layer_ratio, strict=True):
        entry[f"{measure.key}_ratio"] = round(float(ratio), 6)
    for entry, ratio in zip(per_image, image_ratio, strict=True):
        entry[f"{measure.key}_ratio"] = round(float(ratio), 6)
    name = f"{measure.key}_compression_ratio"
    return [
        Metric(name, round(float(image_ratio.mean()), 6), "x", "higher",
               description=f"mean over images of the ratio by {measure.description}"),
        Metric(f"{measure.key}_ratio_std", round(float(image_ratio.std()), 6), "x", "none",
               description=f"standard deviation over images of {name}"),
        Metric(f"{measure.key}_ratio_min", round(float(image_ratio.min()), 6), "x", "higher"),
        Metric(f"{measure.key}_ratio_max", round(float(image_ratio.max()), 6), "x", "higher"),
    ]


def evaluate_codec(design: CodecDesign, workload: Workload,
                   options: EvaluationOptions) -> Evaluation:
    if not isinstance(workload, FeatureMapWorkload):
        raise TypeError(f"{design.name} evaluates feature maps, not {workload.kind}")
    fm = workload.load()
    n_images = len(fm.images) if options.max_images is None else min(options.max_images,
                                                                      len(fm.images))
    w = design.word_bits
    n_layers = len(fm.layers)
    bits = np.zeros((n_layers, n_images), dtype=np.int64)
    raw = np.zeros((n_layers, n_images), dtype=np.int64)
    measures = design.size_measures(workload.format)
    extra_bits = np.zeros((len(measures), n_layers, n_images), dtype=np.int64)
    per_layer: list[dict[str, Any]] = []
    sim_words = c_cycles = d_cycles = 0
    for li, layer in enumerate(fm.layers):
        for ii in range(n_images):
            words = to_words(layer.words[ii], w)
            bits[li, ii] = design.compressed_bits(words)
            raw[li, ii] = len(words) * w
            for mi, measure in enumerate(measures):
                extra_bits[mi, li, ii] = measure.bits(words)
        entry: dict[str, Any] = {
            "layer": layer.name, "kind": layer.kind, "shape": list(layer.shape),
            "values": int(layer.values_per_image),
            "zero_fraction": round(float(np.mean(layer.words[:n_images] == 0)), 6),
            "ratio": round(float(raw[li].sum() / max(bits[li].sum(), 1)), 6),
        }
        if options.sim_words > 0:
            window = simulation_window(to_words(layer.words[0], w), options.sim_words)
            co = design.cosimulate(window, simulator=options.simulator)
            sim_words += len(window)
            c_cycles += co.compress_cycles
            d_cycles += co.decompress_cycles
            entry["sim_words"] = len(window)
            entry["compressor_words_per_cycle"] = round(len(window) / co.compress_cycles, 6)
            entry["decompressor_words_per_cycle"] = round(len(window) / co.decompress_cycles, 6)
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
               description="unpadded compressed bits, all layers and images"),
        Metric("uncompressed_bits", int(raw.sum()), "bit", "none"),
        Metric("zero_fraction", round(float(np.mean([e["zero_fraction"] for e in per_layer])), 6),
               "", "none", description="mean over layers of the fraction of zero words"),
    ]
    if sim_words:
        metrics += [
            Metric("compressor_words_per_cycle", round(sim_words / c_cycles, 6), "word/cycle",
                   "higher", description="netlist co-simulation on a window of every layer"),
            Metric("decompressor_words_per_cycle", round(sim_words / d_cycles, 6),
                   "word/cycle", "higher"),
            Metric("netlist_words_checked", sim_words, "word", "none",
                   description="words co-simulated bit-exactly against the golden model"),
        ]
    if options.area:
        from accelbench.netlist.area import netlist_area

        for name in design.netlists():
            report = netlist_area(design, name)
            metrics.append(Metric(f"{name}_ge", round(report.total_ge, 1), "GE", "lower",
                                  description=f"{name} area, {report.technology}"))
            metrics.append(Metric(f"{name}_flip_flops", report.flip_flops, "", "lower"))
    per_image_entries = [{"image": fm.images[i], "ratio": round(float(r), 6)}
                         for i, r in enumerate(per_image)]
    for measure, counted in zip(measures, extra_bits, strict=True):
        uncompressed = raw // w * measure.value_bits
        metrics += _alternative_ratio(measure, uncompressed, counted, per_layer,
                                      per_image_entries)
    return Evaluation(
        metrics=metrics,
        details={"per_layer": per_layer,
                 "per_image": per_image_entries,
                 "dataset": {"name": fm.dataset, "format": fm.format,
                             "synthetic": fm.synthetic, "images": fm.images[:n_images],
                             "provenance": fm.provenance}},
        notes=(["SYNTHETIC data: not evidence about real networks"] if fm.synthetic else []))
