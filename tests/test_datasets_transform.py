"""forward_with_transform: replacing recorded maps or convolution outputs, and the measures
of how far the logits move (agreement, KL divergence, output SNR), hand-checked on a
tiny ONNX classifier and exercised on the real networks."""

from __future__ import annotations

import math

import numpy as np
import onnx
import pytest
from onnx import TensorProto, helper, numpy_helper

from accelbench.datasets import forward_with_transform, get_source, real_conv_layers
from accelbench.datasets.transform import kl_divergence, log_softmax
from accelbench.errors import AccelbenchError

TWO = ["chelsea", "coffee"]


@pytest.fixture(scope="module")
def tiny(tmp_path_factory):
    """logits = mean over pixels of a 1x1 convolution (3 -> 10 channels) of the image."""
    rng = np.random.default_rng(0)
    w = numpy_helper.from_array(rng.standard_normal((10, 3, 1, 1)).astype(np.float32), "w")
    b = numpy_helper.from_array(rng.standard_normal(10).astype(np.float32), "b")
    nodes = [helper.make_node("Conv", ["img", "w", "b"], ["cls"], name="cls"),
             helper.make_node("GlobalAveragePool", ["cls"], ["pool"]),
             helper.make_node("Flatten", ["pool"], ["logits"])]
    graph = helper.make_graph(nodes, "tiny", [helper.make_tensor_value_info(
        "img", TensorProto.FLOAT, [1, 3, 32, 32])], [helper.make_tensor_value_info(
            "logits", TensorProto.FLOAT, [1, 10])], initializer=[w, b])
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 13)],
                              ir_version=8)
    path = tmp_path_factory.mktemp("tiny") / "tiny.onnx"
    onnx.save(model, str(path))
    return get_source(f"onnx:{path}?limit=3")


DELTA = np.linspace(-0.5, 0.4, 10).astype(np.float32)


def test_a_known_logit_shift_gives_the_hand_computed_kl_and_snr(tiny):
    shifted = forward_with_transform(
        tiny, conv_transform=lambda layer: layer.output + DELTA[:, None, None])
    reference = [tiny.logits(ref)[0].astype(np.float64) for ref in tiny.images()]
    expected_kl = []
    for z in reference:
        p = np.exp(z - z.max()) / np.exp(z - z.max()).sum()
        q = np.exp(z + DELTA - (z + DELTA).max())
        q /= q.sum()
        expected_kl.append(float(np.sum(p * np.log(p / q))))
    assert shifted.convs_changed == ["cls"] and shifted.layers_changed == []
    for entry, kl in zip(shifted.per_image, expected_kl, strict=True):
        assert entry["kl_divergence"] == pytest.approx(kl, rel=1e-4)
    assert shifted.mean_kl_divergence == pytest.approx(np.mean(expected_kl), rel=1e-4)
    signal = sum(float(np.sum(z ** 2)) for z in reference)
    noise = len(reference) * float(np.sum(DELTA.astype(np.float64) ** 2))
    assert shifted.output_snr_db == pytest.approx(10 * math.log10(signal / noise), abs=1e-3)
    assert shifted.output == "logits"
    # the same shift applied to the recorded map (the conv output is a linear map here)
    as_map = forward_with_transform(
        tiny, lambda name, kind, x: x + DELTA[:, None, None] if name == "cls" else None)
    assert as_map.layers_changed == ["cls"] and as_map.convs_changed == []
    assert as_map.mean_kl_divergence == shifted.mean_kl_divergence


def test_identity_transforms_change_nothing(tiny):
    for result in (forward_with_transform(tiny, lambda name, kind, x: x),
                   forward_with_transform(tiny, conv_transform=lambda layer: layer.output),
                   forward_with_transform(tiny)):
        assert (result.top1_agreement, result.top5_agreement) == (1.0, 1.0)
        assert result.mean_kl_divergence == 0.0 and result.output_snr_db == math.inf
        assert all(e["kl_divergence"] == 0.0 for e in result.per_image)
        assert result.layers_changed == result.convs_changed == []


def test_kl_helpers():
    z = np.array([1.0, 2.0, 3.0])
    np.testing.assert_allclose(np.exp(log_softmax(z)).sum(), 1.0, rtol=1e-15)
    assert kl_divergence(z, z) == 0.0
    assert kl_divergence(z, z + 7.0) == pytest.approx(0.0, abs=1e-15)  # shift-invariant
    assert kl_divergence(z, z[::-1]) > 0.5


def test_real_network_hooks_see_the_modified_network():
    seen = {}

    def record(layer):
        seen[layer.name] = layer
        return None

    same = forward_with_transform("efficientnet-lite0", lambda n, k, x: x, images=TWO,
                                  conv_transform=record)
    assert (same.top1_agreement, same.mean_kl_divergence, same.output_snr_db) == (
        1.0, 0.0, math.inf)
    real = {la.name: la for la in real_conv_layers("efficientnet-lite0", "coffee")}
    assert list(seen) == list(real)  # every convolution, with the same names
    for name in ("stem", "block03.dw", "head"):  # the last image seen is coffee
        np.testing.assert_array_equal(seen[name].output, real[name].output)
        np.testing.assert_array_equal(seen[name].input, real[name].input)

    inputs = {}

    def keep_input(layer):
        inputs[layer.name] = layer.input
        return None

    zeroed = forward_with_transform(
        "efficientnet-lite0",
        lambda n, k, x: np.zeros_like(x) if n == "block14.dw" else None, images=TWO,
        conv_transform=keep_input)
    assert not np.any(inputs["block14.project"])  # its input is the zeroed map
    assert zeroed.layers_changed == ["block14.dw"]
    assert zeroed.mean_kl_divergence > 0.01 and math.isfinite(zeroed.output_snr_db)
    assert all(e["kl_divergence"] > 0 for e in zeroed.per_image)


def test_bad_replacements_are_refused():
    with pytest.raises(AccelbenchError, match="shape"):
        forward_with_transform("efficientnet-lite0", lambda n, k, x: x[:1], images=["coffee"])
    with pytest.raises(AccelbenchError, match="convolution stem"):
        forward_with_transform("efficientnet-lite0", images=["coffee"],
                               conv_transform=lambda layer: layer.output[:, :1])
    with pytest.raises(AccelbenchError, match="finite"):
        forward_with_transform("efficientnet-lite0", images=["coffee"],
                               conv_transform=lambda layer: layer.output * np.inf)


def test_resnet_logits_are_taken_before_its_softmax():
    source = get_source("resnet50-1by2")
    result = forward_with_transform(
        source, lambda n, k, x: x * 0.5 if n == "stage3_block2.out" else None, images=TWO)
    assert result.output == "fc_nsfw/BiasAdd:0"  # the input of the final Softmax
    assert source.logits(source.images()[0]).shape == (1, 2)
    assert result.mean_kl_divergence > 0 and math.isfinite(result.output_snr_db)
