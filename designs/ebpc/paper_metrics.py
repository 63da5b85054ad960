"""A second compression ratio beside the codec's own: per image, per layer, headline.

EBPC reports the paper-method ratio beside its hardware ratio; the baselines report the
hardware ratio and the format-aware paper ratio beside their paper-defined headline.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

from accelbench.bits import to_words
from accelbench.datasets.types import FORMATS
from accelbench.designs.ebpc import paper
from accelbench.metrics import Evaluation, Metric
from accelbench.workloads import FeatureMapWorkload, Workload

BitsFunction = Callable[[np.ndarray, str | None], int]


def with_alternative_ratio(evaluation: Evaluation, workload: Workload, key: str,
                           bits: BitsFunction, *, paper_uncompressed: bool,
                           description: str) -> Evaluation:
    """Add ``<key>_compression_ratio`` (+ std/min/max) and per-layer/per-image
    ``<key>_ratio`` entries computed with ``bits(words, format)``.

    ``paper_uncompressed``: the uncompressed size is N * the format's numBit (12 for
    fixed12, as the paper counts it) instead of N * word width.
    """
    if not isinstance(workload, FeatureMapWorkload):
        return evaluation
    fm = workload.load()
    fmt = workload.format if workload.format in FORMATS else None
    w = workload.word_bits
    conv = paper.CONVENTIONS.get(fmt) if fmt else None
    value_bits = conv.value_bits if (paper_uncompressed and conv) else w
    n_images = len(evaluation.details.get("per_image", [])) or len(fm.images)
    comp = np.zeros((len(fm.layers), n_images), dtype=np.int64)
    raw = np.zeros_like(comp)
    for li, layer in enumerate(fm.layers):
        for ii in range(n_images):
            words = to_words(layer.words[ii], w)
            comp[li, ii] = bits(words, fmt)
            raw[li, ii] = len(words) * value_bits
    per_image = raw.sum(axis=0) / np.maximum(comp.sum(axis=0), 1)
    per_layer = raw.sum(axis=1) / np.maximum(comp.sum(axis=1), 1)
    for entry, ratio in zip(evaluation.details.get("per_layer", []), per_layer, strict=False):
        entry[f"{key}_ratio"] = round(float(ratio), 6)
    for entry, ratio in zip(evaluation.details.get("per_image", []), per_image, strict=False):
        entry[f"{key}_ratio"] = round(float(ratio), 6)
    name = f"{key}_compression_ratio"
    evaluation.metrics += [
        Metric(name, round(float(per_image.mean()), 6), "x", "higher",
               description=f"mean over images of the ratio by {description}"),
        Metric(f"{key}_ratio_std", round(float(per_image.std()), 6), "x", "none",
               description=f"standard deviation over images of {name}"),
        Metric(f"{key}_ratio_min", round(float(per_image.min()), 6), "x", "higher"),
        Metric(f"{key}_ratio_max", round(float(per_image.max()), 6), "x", "higher"),
    ]
    return evaluation


def describe_headline(evaluation: Evaluation, description: str) -> Evaluation:
    """Replace the description of the headline ``compression_ratio`` metric."""
    for i, m in enumerate(evaluation.metrics):
        if m.name == "compression_ratio":
            evaluation.metrics[i] = Metric(m.name, m.value, m.unit, m.direction, m.exact,
                                           description)
    return evaluation
