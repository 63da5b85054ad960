"""EBPC netlists: bit-exact against the golden model (random inputs with back-pressure,
whole real layers), throughput, area, and the netlist.compress/decompress contract."""

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from accelbench.designs.ebpc import golden, netlist
from accelbench.designs.ebpc.design import EbpcCodec
from accelbench.registry import get_registry

SHAPES = [(8, 8), (16, 8), (16, 16)]
CODECS = {shape: EbpcCodec(*shape) for shape in SHAPES}


@st.composite
def signed_words(draw, w):
    n = draw(st.integers(1, 260))
    lo, hi = -(1 << (w - 1)), (1 << (w - 1)) - 1
    zero_p = draw(st.sampled_from([0.0, 0.5, 0.9, 0.98, 1.0]))
    small = draw(st.booleans())
    values = draw(st.lists(st.integers(-4, 4) if small else st.integers(lo, hi),
                           min_size=n, max_size=n))
    keep = draw(st.lists(st.floats(0, 1), min_size=n, max_size=n))
    return np.array([0 if k < zero_p else v for v, k in zip(values, keep, strict=True)],
                    dtype=np.int64)


def test_worked_example_through_the_netlists():
    values = np.array([0, 0, 5, 0, 7, 7, 7, 0, 0, 0, 9])
    got = netlist.compress(values, word_bits=8, block_size=8)
    s = golden.encode(values, word_bits=8, block_size=8)
    assert got.znz_words.tolist() == s.znz_words.tolist() == [0x0C, 0x1C, 0x50]
    assert got.bpc_words.tolist() == s.bpc_words.tolist()
    assert (got.znz_bits, got.bpc_bits) == (20, 51) and got.cycles > 0
    back = netlist.decompress(s, len(values), word_bits=8, block_size=8)
    assert back.values.tolist() == values.tolist() and back.cycles > 0


@pytest.mark.parametrize(("w", "b"), SHAPES)
@settings(max_examples=60, deadline=None)
@given(data=st.data(), probability=st.sampled_from([1.0, 0.8, 0.45]),
       seed=st.integers(0, 2**31 - 1))
def test_netlists_bit_exact_with_back_pressure(w, b, data, probability, seed):
    values = data.draw(signed_words(w))
    stalls = {"valid_probability": probability, "ready_probability": probability,
              "seed": seed}
    got = netlist.compress(values, word_bits=w, block_size=b, **stalls)
    s = golden.encode(values, word_bits=w, block_size=b)
    assert np.array_equal(got.znz_words, s.znz_words)
    assert np.array_equal(got.bpc_words, s.bpc_words)
    assert (got.znz_bits, got.bpc_bits) == (s.znz_bits, s.bpc_bits)
    back = netlist.decompress(s, len(values), word_bits=w, block_size=b, **stalls)
    assert np.array_equal(back.values, values)


@pytest.mark.parametrize(("w", "b"), SHAPES)
def test_streams_back_to_back_and_last_flags(w, b):
    """One harness runs many streams in a row; each stream's last word carries last."""
    codec = CODECS[(w, b)]
    rng = np.random.default_rng(w + b)
    harness = codec.harness("compressor")
    for n, zero_p in [(1, 0.0), (1, 1.0), (b, 0.0), (37, 1.0), (300, 0.6), (5, 0.0)]:
        values = rng.integers(-(1 << (w - 1)), 1 << (w - 1), n)
        values[rng.random(n) < zero_p] = 0
        s = golden.encode(values, w, b)
        res = harness.run({"in": values})
        assert res.outputs["znz"].tolist() == s.znz_words.tolist()
        assert res.outputs["bpc"].tolist() == s.bpc_words.tolist()
        assert res.last_index["znz"] == [len(s.znz_words) - 1]
        assert res.last_index["bpc"] == ([len(s.bpc_words) - 1] if len(s.bpc_words) else [])


@pytest.mark.parametrize(("w", "b", "dense", "half"), [(8, 8, 0.79, 0.99), (16, 16, 0.88, 0.99)])
def test_throughput_one_word_per_cycle_on_sparse_data(w, b, dense, half):
    """Cycles are deterministic: dense data ~B/(W+2) words/cycle, half zeros ~1, zeros 1."""
    codec = CODECS[(w, b)]
    rng = np.random.default_rng(7)
    n = 8000
    for zero_p, floor in ((0.0, dense), (0.5, half), (1.0, 0.999)):
        values = rng.integers(-(1 << (w - 1)), 1 << (w - 1), n)
        values[rng.random(n) < zero_p] = 0
        co = codec.cosimulate(values)
        assert n / co.compress_cycles >= floor
        assert n / co.decompress_cycles >= floor
        assert co.compress_cycles >= n and co.decompress_cycles >= n


def _real_sources():
    out = []
    for source in get_registry().dataset_sources.values():
        if source.synthetic or not getattr(source, "describe", lambda: {})().get(
                "available", True):
            continue
        out.append(source.name)
    return out


@pytest.mark.parametrize("dataset", _real_sources() or ["synthetic"])
@pytest.mark.parametrize(("fmt", "w", "b"), [("fixed8", 8, 8), ("fixed16", 16, 16)])
def test_whole_real_layer_bit_exact(dataset, fmt, w, b):
    """The smallest whole layer (and the smallest ReLU layer) of each real dataset through
    both netlists, bit-exact; the synthetic source stands in when no real one exists."""
    fm = get_registry().dataset_source(dataset).load(fmt)
    smallest = min(fm.layers, key=lambda layer: layer.values_per_image)
    relu = min((layer for layer in fm.layers if layer.kind == "relu"),
               key=lambda layer: layer.values_per_image, default=smallest)
    for layer in {smallest.name: smallest, relu.name: relu}.values():
        values = layer.words[0].astype(np.int64)
        co = CODECS[(w, b)].cosimulate(values)
        assert co.compress_cycles >= len(values)
        s = golden.encode(values, w, b)
        assert np.array_equal(golden.decode(s, len(values), w, b), values)
    # a slice of it under random back-pressure as well
    part = values[: 3000]
    CODECS[(w, b)].cosimulate(part, valid_probability=0.7, ready_probability=0.6, seed=3)


def test_area_within_one_and_a_half_times_the_paper():
    from accelbench.netlist.area import netlist_area

    codec = CODECS[(8, 8)]
    compressor = netlist_area(codec, "compressor")
    decompressor = netlist_area(codec, "decompressor")
    assert 1000 < compressor.total_ge < 1.5 * 2800
    assert 1000 < decompressor.total_ge < 1.5 * 3000
    assert compressor.memory_bits == 0 and decompressor.memory_bits == 0


def test_registered_and_verified():
    reg = get_registry()
    for name in ("ebpc-w8-b8", "ebpc-w16-b8", "ebpc-w16-b16"):
        assert reg.design(name).describe()["netlists"] == ["compressor", "decompressor"]
    CODECS[(16, 8)].verify(seed=1)


def test_contract_errors():
    with pytest.raises(ValueError, match="supports"):
        netlist.compress(np.array([1]), word_bits=8, block_size=16)
    with pytest.raises(ValueError, match="range"):
        netlist.compress(np.array([300]), word_bits=8, block_size=8)
