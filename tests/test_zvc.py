"""ZVC: golden model properties, netlists bit-exact against it, area and export."""

import numpy as np
import pyrtl
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from accelbench.designs.zvc import ZvcCodec, golden
from accelbench.errors import NetlistMismatchError, StreamFormatError
from accelbench.netlist.build import build_block, to_verilog

CODECS = {8: ZvcCodec(8), 16: ZvcCodec(16)}


@st.composite
def sparse_words(draw, word_bits):
    n = draw(st.integers(1, 300))
    lo, hi = -(1 << (word_bits - 1)), (1 << (word_bits - 1)) - 1
    values = draw(st.lists(st.integers(lo, hi), min_size=n, max_size=n))
    zero_probability = draw(st.sampled_from([0.0, 0.5, 0.9, 1.0]))
    keep = draw(st.lists(st.floats(0, 1), min_size=n, max_size=n))
    return np.array([0 if k < zero_probability else v for v, k in zip(values, keep, strict=True)])


@pytest.mark.parametrize("w", [8, 16])
@given(data=st.data())
def test_golden_round_trip_and_size(w, data):
    values = data.draw(sparse_words(w))
    enc = golden.encode(values, w)
    assert enc.total_bits == len(values) + w * np.count_nonzero(values)
    assert golden.compressed_bits(values, w) == enc.total_bits
    assert len(enc.streams["mask"]) == -(-len(values) // w)
    assert np.array_equal(golden.decode(enc, w), values.astype(np.int64) & ((1 << w) - 1))


def test_golden_known_answer():
    enc = golden.encode(np.array([0, 5, 0, 0, -1, 0, 0, 0, 3]), 8)
    assert enc.streams["mask"].tolist() == [0b01001000, 0b10000000]
    assert enc.streams["values"].tolist() == [5, 255, 3]


@pytest.mark.parametrize("w", [8, 16])
@settings(max_examples=60, deadline=None)
@given(data=st.data(), probability=st.sampled_from([1.0, 0.8, 0.4]),
       seed=st.integers(0, 2**31))
def test_netlists_bit_exact_with_back_pressure(w, data, probability, seed):
    values = data.draw(sparse_words(w))
    CODECS[w].cosimulate(values, valid_probability=probability,
                         ready_probability=probability, seed=seed)


@pytest.mark.parametrize("w", [8, 16])
def test_one_word_per_cycle(w):
    rng = np.random.default_rng(3)
    for zero_fraction in (0.0, 0.5, 1.0):
        values = rng.integers(1, 100, 5000)
        values[rng.random(5000) < zero_fraction] = 0
        co = CODECS[w].cosimulate(values)
        assert co.compress_cycles <= len(values) + 3
        assert co.decompress_cycles <= len(values) + 3


def test_corrupt_streams_raise():
    enc = golden.encode(np.array([1, 0, 2, 0, 0, 3]), 8)
    short = golden.Encoded({"mask": enc.streams["mask"], "values": enc.streams["values"][:-1]},
                           enc.bits, enc.n_values)
    with pytest.raises(StreamFormatError, match="value stream holds 2"):
        golden.decode(short, 8)
    too_many = golden.Encoded(enc.streams, enc.bits, 9)
    with pytest.raises(StreamFormatError, match="too short"):
        golden.decode(too_many, 8)


def test_a_wrong_netlist_is_caught():
    """A compressor with one inverted bit must fail co-simulation with a clear message."""

    class BrokenZvc(ZvcCodec):
        def build_compressor(self, ports):
            class Tap:
                def __getattr__(self, name):
                    return getattr(ports, name)

                def stream_out(self, name, bitwidth):
                    real = ports.stream_out(name, bitwidth)
                    if name != "values":
                        return real
                    data = pyrtl.WireVector(bitwidth)
                    real.data <<= data ^ 1
                    return type(real)(data, real.valid, real.last, real.ready)

            super().build_compressor(Tap())

    with pytest.raises(NetlistMismatchError, match="stream 'values' differs"):
        BrokenZvc(8).cosimulate(np.array([3, 0, 4]))


def test_verilog_export_and_area(tmp_path, monkeypatch):
    monkeypatch.setenv("ACCELBENCH_CACHE", str(tmp_path))
    from accelbench.netlist.area import netlist_area

    codec = CODECS[8]
    text = to_verilog(build_block(codec.netlists()["compressor"].build), "zvc_c")
    assert "module zvc_c(" in text and "in_data" in text and "mask_valid" in text
    report = netlist_area(codec, "compressor")
    assert report.total_ge > 100
    assert report.cells["dfrbpq_1"]["count"] == report.flip_flops > 0
    assert sum(c["ge"] for c in report.cells.values()) == pytest.approx(report.total_ge,
                                                                         abs=0.1)
    assert report.memory_bits == 0 and report.logic_levels > 0
    assert netlist_area(codec, "compressor").to_json() == report.to_json()  # cached


def test_a_starved_decompressor_raises_and_the_design_recovers():
    from accelbench.errors import SimulationError

    codec = ZvcCodec(8)
    enc = golden.encode(np.arange(1, 40), 8)
    truncated = golden.Encoded({"mask": enc.streams["mask"][:-1],
                                "values": enc.streams["values"]}, enc.bits, enc.n_values)
    with pytest.raises(SimulationError):
        codec.simulate_decompress(truncated)
    codec.cosimulate(np.arange(-5, 30))  # a fresh harness, not the stuck one
