"""DCT designs on the codec base: the evaluation of real maps (ratio with padding counted,
reconstruction error, co-simulation window, block latency), accuracy on real images,
verification and the example simulation."""

import numpy as np
import pytest

from accelbench.design import EvaluationOptions
from accelbench.designs.dct import stream
from accelbench.registry import get_registry
from accelbench.workloads import FeatureMapWorkload


def _workload(dataset, fmt):
    return FeatureMapWorkload(id=f"{dataset}/{fmt}", kind="feature-maps", synthetic=False,
                              dataset=dataset, format=fmt, word_bits=8,
                              signed=fmt == "fixed8")


@pytest.fixture(scope="module")
def resnet_fixed8():
    return _workload("resnet50-1by2", "fixed8").load()


def test_evaluation_on_real_maps_counts_padding_and_error(resnet_fixed8):
    design = get_registry().design("dct-fixed8-jpeg-q50")
    assert design.accepts(_workload("resnet50-1by2", "fixed8"))
    assert not design.accepts(_workload("resnet50-1by2", "uint8"))
    ev = design.evaluate(resnet_fixed8, EvaluationOptions(sim_words=0, area=False,
                                                          max_images=1, accuracy=False))
    metrics = {m.name: m.value for m in ev.metrics}
    maps = resnet_fixed8.maps
    model = design.model
    bits = sum(stream.count_bits(model.quantized_blocks(layer.words[0], layer.shape),
                                 model.coding_widths) for layer in maps.layers)
    assert metrics["compressed_bits"] == bits  # 64 + value bits per block, padding too
    assert metrics["uncompressed_bits"] == 8 * sum(layer.values_per_image
                                                   for layer in maps.layers)
    assert 1 < metrics["compression_ratio"] <= 8
    assert "padding" in ev.metrics[0].description
    worst = max(int(np.abs(model.signed_values(model.roundtrip(layer.words[0], layer.shape))
                           - model.signed_values(layer.words[0])).max())
                for layer in maps.layers)
    assert metrics["max_abs_error"] == worst > 0
    assert 0 < metrics["min_layer_psnr_db"] <= metrics["psnr_db"] < np.inf
    assert "compressor_words_per_cycle" not in metrics  # sim_words=0: golden model only
    assert "compressor_block_latency_cycles" not in metrics
    seven = [e for e in ev.details["per_layer"] if e["shape"][1] == 7]
    assert seven and all(e["padding_fraction"] == pytest.approx(64 / 49 - 1, abs=1e-6)
                         for e in seven)
    assert all(e["padding_fraction"] == 0 for e in ev.details["per_layer"]
               if e["shape"][1] % 8 == 0 and e["shape"][2] % 8 == 0)
    assert ev.details["lossy"] and "accuracy" not in ev.details


def test_channel_simulation_window_is_whole_channel_groups_and_rows():
    cm = get_registry().design("dctcm-fixed8-jpeg-q50")
    words = np.arange(80 * 14 * 14) % 256
    window, shape = cm.simulation_map(words, (80, 14, 14), 2048)
    assert shape == (8, 14, 14)  # 2048 // 196 = 10 channels -> one whole group of 8
    assert np.array_equal(window, words.reshape(80, 14, 14)[32:40].reshape(-1))
    window, shape = cm.simulation_map(np.zeros(24 * 56 * 56, np.uint8), (24, 56, 56), 2048)
    assert shape == (8, 4, 56) and window.size == 8 * 4 * 56  # rows cut, group kept
    assert cm.simulation_map(words[:3 * 7 * 7], (3, 7, 7), 2048)[1] == (3, 7, 7)
    two_d = get_registry().design("dct-fixed8-jpeg-q50")  # the base's window: 8x8 blocks
    assert two_d.simulation_map(np.zeros(24 * 56 * 56, np.uint8), (24, 56, 56),
                                2048)[1] == (1, 32, 56)


def test_evaluation_cosimulates_a_window_of_every_layer_and_measures_block_latency(
        resnet_fixed8):
    design = get_registry().design("dctcm-fixed8-jpeg-q50")
    ev = design.evaluate(resnet_fixed8, EvaluationOptions(sim_words=300, area=False,
                                                          max_images=1, accuracy=False))
    metrics = {m.name: m.value for m in ev.metrics}
    assert metrics["compressor_block_latency_cycles"] == 76
    assert metrics["decompressor_block_latency_cycles"] == 75
    layers = ev.details["per_layer"]
    assert metrics["netlist_words_checked"] == sum(e["sim_words"] for e in layers)
    assert all(e["sim_words"] % 8 == 0 for e in layers)  # whole channel groups
    assert 0.5 < metrics["compressor_words_per_cycle"] < 1


def test_accuracy_on_a_real_image_falls_as_quality_falls():
    """One real image through EfficientNet-Lite0 with every recorded map coded: PSNR and
    agreement ordered by quality, the 8-bit format's reference beside them."""
    data = _workload("efficientnet-lite0", "uint8").load()
    options = EvaluationOptions(sim_words=0, area=False, max_images=1)
    reg = get_registry()
    results = [{m.name: m.value for m in reg.design(name).evaluate(data, options).metrics}
               for name in ("dct-uint8-jpeg-q100", "dct-uint8-jpeg-q50")]
    q100, q50 = results
    assert q100["psnr_db"] > q50["psnr_db"] + 10
    assert q100["max_abs_error"] <= 2 < q50["max_abs_error"]
    assert q100["top1_agreement"] >= q50["top1_agreement"]
    assert q100["quantized_top1_agreement"] == q50["quantized_top1_agreement"]
    assert q100["compression_ratio"] < 1 < q50["compression_ratio"]


@pytest.mark.parametrize("name", ["dctcm-uint8-jpeg-q50"])
def test_verify_and_example_simulation(name):
    design = get_registry().design(name)
    design.verify(seed=2)
    out = design.example_simulation(netlist="decompressor", words=100)
    assert out["matches_golden_model"] and out["values"] == 100


def test_example_shape_is_the_squarest_map_of_the_values():
    reg = get_registry()
    two_d, cm = reg.design("dct-fixed8-jpeg-q50"), reg.design("dctcm-fixed8-jpeg-q50")
    assert [two_d.example_shape(n) for n in (64, 200, 97)] == [(1, 8, 8), (1, 10, 20),
                                                                (1, 1, 97)]
    assert [cm.example_shape(n) for n in (64, 200, 100)] == [(8, 2, 4), (8, 5, 5),
                                                             (1, 10, 10)]
