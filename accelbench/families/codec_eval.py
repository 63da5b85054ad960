"""Evaluation of a codec on loaded feature maps: ratios, throughput, area, and (lossy codecs)
reconstruction error and accuracy on real images."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import numpy as np

from accelbench.bits import to_words
from accelbench.design import EvaluationOptions
from accelbench.energy.breakdown import EnergyCounts, breakdown, energy_metrics
from accelbench.metrics import Evaluation, Metric
from accelbench.workloads import FeatureMapData

if TYPE_CHECKING:
    from accelbench.families.codec import CodecDesign, Shape, SizeMeasure


def simulation_window(words: np.ndarray, size: int) -> np.ndarray:
    """A contiguous window of ``size`` words from the middle of a flattened map."""
    if size <= 0 or len(words) <= size:
        return words
    start = (len(words) - size) // 2
    return words[start:start + size]


def map_window(words: np.ndarray, shape: Shape, size: int) -> tuple[np.ndarray, Shape]:
    """A smaller map cut from the middle of a (C, H, W) map: whole channels while they fit
    in ``size`` values, else one channel cropped to about ``size`` values (rows and columns
    kept at multiples of 8 where the map allows, so block codecs see whole blocks)."""
    c, h, w = shape
    if size <= 0 or words.size <= size:
        return words, shape
    x = words.reshape(shape)
    if h * w <= size:
        keep = size // (h * w)
        start = (c - keep) // 2
        return x[start:start + keep].reshape(-1), (keep, h, w)
    cw = min(w, max(8, (size // max(min(h, 8), 1)) // 8 * 8))
    ch = min(h, max(1, size // cw))
    if ch >= 8:
        ch -= ch % 8
    top, left = (h - ch) // 2, (w - cw) // 2
    crop = x[c // 2, top:top + ch, left:left + cw]
    return np.ascontiguousarray(crop).reshape(-1), (1, ch, cw)


def _ratio_metrics(key: str, per_image: np.ndarray, description: str) -> list[Metric]:
    """Mean, spread and range over images of one ratio (``key`` "" is the headline)."""
    prefix = f"{key}_" if key else ""
    name = f"{prefix}compression_ratio"
    return [
        Metric(name, round(float(per_image.mean()), 6), "x", "higher",
               description=description),
        Metric(f"{prefix}ratio_std", round(float(per_image.std()), 6), "x", "none",
               description=f"standard deviation over images of {name}"),
        Metric(f"{prefix}ratio_min", round(float(per_image.min()), 6), "x", "higher"),
        Metric(f"{prefix}ratio_max", round(float(per_image.max()), 6), "x", "higher"),
    ]


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
    return _ratio_metrics(measure.key, image_ratio,
                          f"mean over images of the ratio by {measure.description}")


def _cosimulate_layer(design: CodecDesign, words: np.ndarray, shape: Shape,
                      options: EvaluationOptions) -> tuple[int, int, int]:
    """Co-simulate a window of one layer; returns (values, compress, decompress cycles)."""
    window, wshape = design.simulation_map(words, shape, options.sim_words)
    co = design.cosimulate(window, wshape, simulator=options.simulator)
    return len(window), co.compress_cycles, co.decompress_cycles


def _map_traffic(bits: np.ndarray) -> EnergyCounts:
    """Off-chip traffic of one inference: every recorded map written once and read back
    once, whole bytes per map, mean over images."""
    per_image = 2 * np.ceil(bits / 8).sum(axis=0)
    return EnergyCounts(dram_bytes=round(float(per_image.mean()), 1))


def _traffic_metrics(bits: np.ndarray, raw: np.ndarray) -> list[Metric]:
    ours, plain = _map_traffic(bits), _map_traffic(raw)
    metrics = [
        Metric("dram_bytes", ours.dram_bytes, "B", "lower",
               description="feature-map DRAM traffic per inference: every recorded map "
                           "written compressed and read back once (mean over images)"),
        Metric("uncompressed_dram_bytes", plain.dram_bytes, "B", "none",
               description="the same traffic without compression"),
    ]
    metrics += energy_metrics(ours)
    metrics += energy_metrics(plain, prefix="uncompressed_")
    saved = breakdown(plain).total - breakdown(ours).total
    metrics.append(Metric("energy_saved_pj", round(saved, 3), "pJ", "higher",
                          description="DRAM energy saved per inference against uncompressed "
                                      "maps (codec logic not counted)"))
    return metrics


def evaluate_codec(design: CodecDesign, data: FeatureMapData,
                   options: EvaluationOptions) -> Evaluation:
    fm = data.maps
    n_images = len(fm.images) if options.max_images is None else min(options.max_images,
                                                                      len(fm.images))
    w = design.word_bits
    n_layers = len(fm.layers)
    bits = np.zeros((n_layers, n_images), dtype=np.int64)
    raw = np.zeros((n_layers, n_images), dtype=np.int64)
    measures = design.size_measures(fm.format)
    extra_bits = np.zeros((len(measures), n_layers, n_images), dtype=np.int64)
    errors = None
    if design.lossy:
        from accelbench.families.lossy import ReconstructionError

        errors = ReconstructionError(fm.format)
    per_layer: list[dict[str, Any]] = []
    sim_words = c_cycles = d_cycles = 0
    for li, layer in enumerate(fm.layers):
        shape = tuple(layer.shape)
        for ii in range(n_images):
            words = to_words(layer.words[ii], w)
            if errors is not None:
                encoded = design.encode(words, shape)
                bits[li, ii] = encoded.total_bits
                errors.add(layer.name, words, design.decode(encoded))
            else:
                bits[li, ii] = design.compressed_bits(words, shape)
            raw[li, ii] = len(words) * w
            for mi, measure in enumerate(measures):
                extra_bits[mi, li, ii] = measure.bits(words)
        entry: dict[str, Any] = {
            "layer": layer.name, "kind": layer.kind, "shape": list(layer.shape),
            "values": int(layer.values_per_image),
            "zero_fraction": round(float(np.mean(layer.words[:n_images] == 0)), 6),
            "ratio": round(float(raw[li].sum() / max(bits[li].sum(), 1)), 6),
            "compressed_bits": int(bits[li].sum()), "uncompressed_bits": int(raw[li].sum()),
        }
        if errors is not None:
            entry.update(errors.layer_entry(layer.name))
        entry.update(design.layer_entry(shape))
        if options.sim_words > 0:
            n, cc, dc = _cosimulate_layer(design, to_words(layer.words[0], w), shape, options)
            sim_words += n
            c_cycles += cc
            d_cycles += dc
            entry["sim_words"] = n
            entry["compressor_words_per_cycle"] = round(n / cc, 6)
            entry["decompressor_words_per_cycle"] = round(n / dc, 6)
        per_layer.append(entry)
    per_image = raw.sum(axis=0) / np.maximum(bits.sum(axis=0), 1)
    metrics = [
        *_ratio_metrics("", per_image, design.headline_description),
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
    metrics += design.extra_metrics(options)
    fpga_note = None
    if options.area:
        from accelbench.netlist.area import area_metrics
        from accelbench.netlist.fpga import matrix_fpga_metrics

        for name in design.netlists():
            metrics += area_metrics(design, name)
        fpga, fpga_note = matrix_fpga_metrics(
            design, list(design.netlists()) if design.fpga_in_matrix else [])
        metrics += fpga
    per_image_entries = [{"image": fm.images[i], "ratio": round(float(r), 6)}
                         for i, r in enumerate(per_image)]
    for measure, counted in zip(measures, extra_bits, strict=True):
        uncompressed = raw // w * measure.value_bits
        metrics += _alternative_ratio(measure, uncompressed, counted, per_layer,
                                      per_image_entries)
    metrics += _traffic_metrics(bits, raw)
    details: dict[str, Any] = {
        **({"fpga": fpga_note} if fpga_note else {}),
        "lossy": design.lossy,
        "per_layer": per_layer, "per_image": per_image_entries,
        "dataset": {"name": fm.dataset, "format": fm.format, "synthetic": fm.synthetic,
                    "network": data.source.network_name,
                    "images": fm.images[:n_images], "provenance": fm.provenance},
        "energy": {"counts": _map_traffic(bits).to_json(),
                   "baseline_counts": _map_traffic(raw).to_json(),
                   "baseline": "the same maps stored uncompressed"}}
    notes = ["SYNTHETIC data: not evidence about real networks"] if fm.synthetic else []
    if errors is not None:
        metrics += errors.metrics()
    if options.accuracy and not fm.synthetic:
        from accelbench.families.lossy import accuracy_on_images

        acc_metrics, acc_details, acc_notes = accuracy_on_images(design, data, n_images)
        metrics += acc_metrics
        details["accuracy"] = acc_details
        notes += acc_notes
    return Evaluation(metrics=metrics, details=details, notes=notes)
