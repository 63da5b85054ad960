"""BPC-alone baseline: hardware format against the spec's block code on all words, the
paper's count, netlists bit-exact with back-pressure, throughput and area."""

import numpy as np
import pytest
from ebpc_spec import paper_reference_block, signed_words, spec_block, spec_words
from hypothesis import given, settings
from hypothesis import strategies as st

from accelbench.designs.bpc import golden
from accelbench.designs.bpc.design import BpcCodec
from accelbench.designs.ebpc import paper

CODECS = {(8, 8): BpcCodec(8, 8), (16, 8): BpcCodec(16, 8), (16, 16): BpcCodec(16, 16)}


def spec_bpc_all(values, w: int, b: int) -> str:
    padded = [int(v) for v in values] + [0] * ((-len(values)) % b)
    return "".join(spec_block(padded[i:i + b], w, b) for i in range(0, len(padded), b))


@pytest.mark.parametrize(("w", "b"), list(CODECS))
@settings(max_examples=50, deadline=None)
@given(data=st.data())
def test_golden_is_the_spec_and_round_trips(w, b, data):
    values = data.draw(signed_words(w, max_size=150))
    enc = golden.encode(values, w, b)
    ref = spec_bpc_all(values, w, b)
    assert enc.bits["bpc"] == len(ref) == golden.hardware_bits(values, w, b)
    assert enc.streams["bpc"].tolist() == spec_words(ref, w)
    assert np.array_equal(golden.decode(enc, len(values), w, b), values)
    conv = paper.convention(None, w)
    expected = sum(paper_reference_block([int(v) for v in values[i:i + 8]], conv)
                   for i in range(0, len(values), 8))
    assert golden.paper_bits(values, w) == expected


@pytest.mark.parametrize(("w", "b"), list(CODECS))
@settings(max_examples=25, deadline=None)
@given(data=st.data(), probability=st.sampled_from([1.0, 0.7, 0.4]),
       seed=st.integers(0, 2**31 - 1))
def test_netlists_bit_exact_with_back_pressure(w, b, data, probability, seed):
    CODECS[(w, b)].cosimulate(data.draw(signed_words(w, max_size=200)),
                              valid_probability=probability, ready_probability=probability,
                              seed=seed)


def test_throughput_is_one_block_per_w_plus_2_cycles():
    rng = np.random.default_rng(4)
    values = rng.integers(-128, 128, 4000)
    co = CODECS[(8, 8)].cosimulate(values)
    assert 4000 / co.compress_cycles >= 0.79 and 4000 / co.decompress_cycles >= 0.79


def test_area():
    from accelbench.netlist.area import netlist_area

    codec = CODECS[(8, 8)]
    assert 1000 < netlist_area(codec, "compressor").total_ge < 4000
    assert 1000 < netlist_area(codec, "decompressor").total_ge < 4000
