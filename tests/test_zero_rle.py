"""Zero-RLE baseline: hardware format against a literal transcription, the paper's count,
netlists bit-exact with back-pressure, throughput and area."""

import numpy as np
import pytest
from ebpc_spec import signed_words, spec_words
from hypothesis import given, settings
from hypothesis import strategies as st

from accelbench.designs.zero_rle import golden
from accelbench.designs.zero_rle.design import ZeroRleCodec

CODECS = {8: ZeroRleCodec(8), 16: ZeroRleCodec(16)}


def spec_rle(values, w: int) -> str:
    out, run = "", 0
    for v in values:
        if v != 0:
            if run:
                out += "0" + format(run - 1, "04b")
                run = 0
            out += "1" + format(int(v) & ((1 << w) - 1), f"0{w}b")
        else:
            run += 1
            if run == 16:
                out += "01111"
                run = 0
    if run:
        out += "0" + format(run - 1, "04b")
    return out


def paper_count(values, value_bits: int) -> int:
    """referenceImpl.zeroRLE as described in specs/ebpc.md: the count itself in 4 bits."""
    bits, run = 0, 0
    for v in values:
        if v == 0 and run < 16:
            run += 1
            continue
        if run:
            bits += 1 + len(format(run, "04b"))
        run = 1 if v == 0 else 0
        if v != 0:
            bits += 1 + value_bits
    if run:
        bits += 1 + len(format(run, "04b"))
    return bits


@pytest.mark.parametrize("w", [8, 16])
@settings(max_examples=60, deadline=None)
@given(data=st.data())
def test_golden_is_the_spec_and_round_trips(w, data):
    values = data.draw(signed_words(w))
    enc = golden.encode(values, w)
    ref = spec_rle(values, w)
    assert enc.bits["rle"] == len(ref) == golden.hardware_bits(values, w)
    assert enc.streams["rle"].tolist() == spec_words(ref, w)
    assert np.array_equal(golden.decode(enc, len(values), w), values)
    assert golden.paper_bits(values, w) == paper_count(values, w)
    if w == 16:  # fixed12 words: 12-bit value fields in the paper's count
        fixed12 = np.clip(values, -2048, 2047)
        assert golden.paper_bits(fixed12, 16, "fixed12") == paper_count(fixed12, 12)


@pytest.mark.parametrize("w", [8, 16])
@settings(max_examples=30, deadline=None)
@given(data=st.data(), probability=st.sampled_from([1.0, 0.7, 0.4]),
       seed=st.integers(0, 2**31 - 1))
def test_netlists_bit_exact_with_back_pressure(w, data, probability, seed):
    CODECS[w].cosimulate(data.draw(signed_words(w)), valid_probability=probability,
                         ready_probability=probability, seed=seed)


@pytest.mark.parametrize("w", [8, 16])
def test_throughput(w):
    rng = np.random.default_rng(2)
    n = 6000
    for zero_p, floor in ((0.0, w / (w + 1) - 0.01), (0.5, 0.97), (1.0, 0.999)):
        values = rng.integers(-(1 << (w - 1)), 1 << (w - 1), n)
        values[rng.random(n) < zero_p] = 0
        co = CODECS[w].cosimulate(values)
        assert n / co.compress_cycles >= floor and n / co.decompress_cycles >= floor


def test_metric_definitions_and_area():
    from accelbench.netlist.area import netlist_area

    codec = CODECS[8]
    values = np.array([0] * 16 + [5] + [0] * 3)
    assert codec.compressed_bits(values) == 6 + 9 + 5  # the paper's count
    assert golden.hardware_bits(values, 8) == 5 + 9 + 5
    assert 200 < netlist_area(codec, "compressor").total_ge < 2000
    assert 200 < netlist_area(codec, "decompressor").total_ge < 2000
