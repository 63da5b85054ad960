"""DCT designs end to end: the evaluation on a real workload and the accuracy check."""

import numpy as np
import pytest

from accelbench.design import EvaluationOptions
from accelbench.designs.dct import stream
from accelbench.designs.dct.accuracy import network_accuracy
from accelbench.designs.dct.model import DctModel
from accelbench.registry import get_registry
from accelbench.workloads import feature_map_workloads


def _workload(wid):
    return next(w for w in feature_map_workloads(get_registry()) if w.id == wid)


def test_evaluation_on_real_maps_counts_padding_and_cosimulates():
    design = get_registry().design("dct-fixed8-jpeg-q50")
    workload = _workload("resnet50-1by2/fixed8")
    assert design.accepts(workload)
    assert not design.accepts(_workload("resnet50-1by2/uint8"))
    ev = design.evaluate(workload, EvaluationOptions(sim_words=0, area=False, max_images=1))
    metrics = {m.name: m.value for m in ev.metrics}
    fm = workload.load()
    bits = sum(stream.count_bits(design.model.quantized_blocks(layer.words[0], layer.shape),
                                 design.model.coding_widths) for layer in fm.layers)
    assert metrics["compressed_bits"] == bits
    assert metrics["uncompressed_bits"] == 8 * sum(layer.values_per_image
                                                   for layer in fm.layers)
    assert 1 < metrics["compression_ratio"] <= 8
    assert "compressor_words_per_cycle" not in metrics  # sim_words=0: golden model only
    seven = [e for e in ev.details["per_layer"] if e["shape"][1] == 7]
    assert seven and all(e["padding_fraction"] == pytest.approx(64 / 49 - 1, abs=1e-6)
                         for e in seven)
    assert ev.details["lossy"] and "padding" in " ".join(ev.notes)
    assert 0 < metrics["zero_fraction"] < 1


def test_cosimulation_window_is_whole_channels_and_groups():
    from accelbench.designs.dct.evaluate import window_channels

    reg = get_registry()
    assert window_channels(reg.design("dct-fixed8-jpeg-q50"), (80, 14, 14), 2048) == 11
    assert window_channels(reg.design("dctcm-fixed8-jpeg-q50"), (80, 14, 14), 2048) == 16
    assert window_channels(reg.design("dct-fixed8-jpeg-q50"), (3, 112, 112), 10) == 1


def test_accuracy_falls_as_quality_falls_on_one_image():
    """One real image: every map coded, the maps' SNR ordered by quality (agreement over
    all images is measured by ``python -m accelbench.designs.dct.figures accuracy``)."""
    results = [network_accuracy("efficientnet-lite0", DctModel("2d", "uint8", "jpeg", q),
                                "uint8", images=["chelsea"]) for q in (100, 50)]
    assert all(r.layers_changed == 49 and r.images == 1 for r in results)
    snr = [np.mean(list(r.layer_snr_db.values())) for r in results]
    assert snr[0] > snr[1] + 10
    assert results[0].top1_agreement >= results[1].top1_agreement
