"""The codec family contract: lossless and lossy codecs, co-simulation against the golden
decoder, the word-domain adapter and accuracy on real images, and the harness path
(Case.run loads the data through an injected registry)."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from accelbench.bits import to_words
from accelbench.design import EvaluationOptions
from accelbench.designs.zvc import ZvcCodec
from accelbench.errors import NetlistMismatchError
from accelbench.families.codec import Encoded
from accelbench.families.codec_eval import map_window
from accelbench.matrix import Case
from accelbench.registry import Registry, get_registry
from accelbench.workloads import FeatureMapWorkload


class LsbDropZvc(ZvcCodec):
    """A lossy toy codec on ZVC's netlists: the least significant bit of every word is
    dropped before compression (the compressor is fed the masked words)."""

    technique = "lsb-drop"
    baseline_for = ()
    lossy = True

    def __init__(self) -> None:
        super().__init__(8)
        self.name = "lsb-drop-zvc-w8"

    def encode(self, values, shape=None) -> Encoded:
        return super().encode(to_words(values, 8) & 0xFE, shape)

    def compressor_inputs(self, words, shape):
        return {"in": words & 0xFE}, {}


class WrongDecoder(LsbDropZvc):
    """Its golden decoder claims the LSB comes back: the netlist disagrees with it."""

    def decode(self, encoded):
        return super().decode(encoded) | 1


@settings(max_examples=15, deadline=None)
@given(values=st.lists(st.integers(-128, 127), min_size=1, max_size=80),
       p=st.sampled_from([1.0, 0.5]))
def test_lossy_codec_cosimulates_against_its_golden_decoder(values, p):
    codec = LsbDropZvc()
    co = codec.cosimulate(np.array(values), valid_probability=p, ready_probability=p)
    words = to_words(np.array(values), 8)
    assert np.array_equal(co.decoded, words & 0xFE)


def test_decompressor_is_checked_against_the_golden_decoder_not_the_input():
    with pytest.raises(NetlistMismatchError, match="decompressor output"):
        WrongDecoder().cosimulate(np.array([3, 0, 5, 7]))


def test_lossless_codec_must_reproduce_its_input():
    class Liar(ZvcCodec):  # claims to be lossless but drops the LSB in its golden model
        def encode(self, values, shape=None):
            return super().encode(to_words(values, 8) & 0xFE, shape)

    with pytest.raises(NetlistMismatchError, match="lossless"):
        Liar(8).cosimulate(np.array([1, 2, 3]))


@settings(max_examples=40, deadline=None)
@given(c=st.integers(1, 6), h=st.integers(1, 40), w=st.integers(1, 40),
       size=st.integers(1, 600))
def test_map_window_cuts_a_smaller_map_of_the_same_values(c, h, w, size):
    words = np.arange(c * h * w)
    window, shape = map_window(words, (c, h, w), size)
    assert window.size == int(np.prod(shape)) and len(shape) == 3
    if c * h * w <= size:
        assert shape == (c, h, w)
    else:
        assert window.size <= max(size, 8 * min(h, 8), w * min(h, 8))
        full = words.reshape(c, h, w)
        # the window is a contiguous block of the map
        first = np.argwhere(full == window[0])[0]
        ch, hh, ww = shape
        cut = full[first[0]:first[0] + ch, first[1]:first[1] + hh, first[2]:first[2] + ww]
        assert np.array_equal(cut.reshape(-1), window)


@pytest.fixture(scope="module")
def lite0_fixed8():
    return FeatureMapWorkload(id="efficientnet-lite0/fixed8", kind="feature-maps",
                              synthetic=False, dataset="efficientnet-lite0", format="fixed8",
                              word_bits=8).load()


def test_requantize_reproduces_the_stored_words(lite0_fixed8):
    from accelbench.datasets import forward_with_transform
    from accelbench.datasets.formats import requantize

    maps = {layer.name: layer for layer in lite0_fixed8.maps.layers}
    seen = {}

    def capture(name, kind, x):
        seen[name] = requantize(x, "fixed8", maps[name].scale, maps[name].zero_point)

    forward_with_transform(lite0_fixed8.source.configured(limit=1), capture)
    assert set(seen) == set(maps)
    for name, words in seen.items():
        assert np.array_equal(words.reshape(-1), maps[name].words[0]), name


def test_lossy_codec_evaluation_reports_error_and_accuracy(lite0_fixed8):
    ev = LsbDropZvc().evaluate(lite0_fixed8, EvaluationOptions(sim_words=256, area=False,
                                                               max_images=2))
    m = {x.name: x.value for x in ev.metrics}
    assert m["max_abs_error"] == 1
    assert all(e["max_abs_error"] <= 1 for e in ev.details["per_layer"])
    assert 0 < m["psnr_db"] < np.inf
    assert 0.0 <= m["top1_agreement"] <= 1.0 and 0.0 <= m["quantized_top1_agreement"] <= 1.0
    assert len(ev.details["accuracy"]["images"]) == 2
    assert m["netlist_words_checked"] > 0


def test_lossless_codec_accuracy_is_that_of_the_number_format(lite0_fixed8):
    ev = ZvcCodec(8).evaluate(lite0_fixed8, EvaluationOptions(sim_words=0, area=False,
                                                              max_images=2))
    m = {x.name: x.value for x in ev.metrics}
    assert "max_abs_error" not in m and "quantized_top1_agreement" not in m
    assert 0.0 <= m["top1_agreement"] <= 1.0


def test_case_loads_data_through_an_injected_registry_and_records_the_relation():
    base = get_registry()
    codec = LsbDropZvc()
    registry = Registry(plugins=base.plugins, designs={codec.name: codec},
                        dataset_sources=base.dataset_sources, networks=base.networks,
                        origin={"design": {codec.name: "test"}})
    workload = FeatureMapWorkload(id="synthetic/fixed8", kind="feature-maps", synthetic=True,
                                  dataset="synthetic", format="fixed8", word_bits=8)
    record = Case(codec.name, workload).run(EvaluationOptions(sim_words=64, area=False),
                                            registry)
    assert record.design == codec.name and record.plugin == "test"
    assert record.technique == "lsb-drop" and record.baseline_for == []
    assert record.provenance["options"] == {"sim_words": 64, "simulator": "compiled",
                                            "area": False, "max_images": None,
                                            "accuracy": True}
    assert "top1_agreement" not in record.metrics  # synthetic data: no network to run
    assert record.value("max_abs_error") == 1


def test_a_defaulted_run_records_every_option():
    record = Case("zvc-w8", FeatureMapWorkload(
        id="synthetic/fixed8", kind="feature-maps", synthetic=True, dataset="synthetic",
        format="fixed8", word_bits=8)).run()
    assert record.provenance["options"] == EvaluationOptions().to_json()
    assert record.technique == "zvc" and record.baseline_for == ["ebpc"]
