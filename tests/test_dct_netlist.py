"""DCT netlists co-simulated bit-exactly against the golden encoder and decoder: random
maps of any shape under random back-pressure (hypothesis), whole real layers of both
real datasets, throughput and latency, and the hardware stream hooks."""

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from accelbench.designs.dct.design import DctCmCodec, DctCodec
from accelbench.errors import NetlistMismatchError, SimulationError
from accelbench.registry import get_registry

CODECS = {
    "2d-fixed8-q50": DctCodec("fixed8", "jpeg", 50),
    "2d-uint8-q100": DctCodec("uint8", "jpeg", 100),
    "2d-fixed8-zonal": DctCodec("fixed8", "zonal", 4),
    "cm-fixed8-q50": DctCmCodec("fixed8", "jpeg", 50),
    "cm-uint8-q50": DctCmCodec("uint8", "jpeg", 50),
}


def _values(rng, n, fmt, kind):
    if kind == "dense":
        return rng.integers(0, 256, n)
    if kind == "small":  # activation-like: small magnitudes around the format's zero
        v = rng.integers(-12, 13, n)
        return v + 128 if fmt == "uint8" else v & 0xFF
    v = np.where(rng.random(n) < 0.85, 0, rng.integers(-60, 61, n))  # sparse (ReLU-like)
    return v + 128 if fmt == "uint8" else v & 0xFF


@pytest.mark.parametrize("key", list(CODECS))
@settings(max_examples=14, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(c=st.integers(1, 3), h=st.integers(1, 19), w=st.integers(1, 19),
       kind=st.sampled_from(["dense", "small", "sparse"]),
       p_valid=st.sampled_from([1.0, 0.7, 0.3]), p_ready=st.sampled_from([1.0, 0.7, 0.3]),
       seed=st.integers(0, 2**31 - 1))
def test_cosimulation_random_maps_and_backpressure(key, c, h, w, kind, p_valid, p_ready,
                                                   seed):
    design = CODECS[key]
    if design.transform == "channel":
        c *= 5  # channel groups: 5..15 channels, partial groups included
    rng = np.random.default_rng(seed)
    values = _values(rng, c * h * w, design.fmt, kind)
    design.cosimulate(values, (c, h, w), valid_probability=p_valid,
                      ready_probability=p_ready, seed=seed)


def _real_layer(dataset, fmt, name, image=0):
    fm = get_registry().dataset_source(dataset).load(fmt)
    layer = next(layer for layer in fm.layers if layer.name == name)
    return layer.words[image], tuple(layer.shape)


REAL_LAYERS = [
    ("efficientnet-lite0", "fixed8", "block05.out", "2d-fixed8-q50"),  # 80x14x14: padded
    ("efficientnet-lite0", "fixed8", "block11.out", "cm-fixed8-q50"),  # 192x7x7
    ("resnet50-1by2", "fixed8", "stage3_block0_branch2b", "2d-fixed8-q50"),  # 256x7x7
    ("resnet50-1by2", "fixed8", "stage2_block0_branch2a", "cm-fixed8-q50"),  # 128x14x14
    ("efficientnet-lite0", "uint8", "block08.out", "2d-uint8-q100"),  # 112x14x14
]


@pytest.mark.parametrize(("dataset", "fmt", "layer", "key"), REAL_LAYERS)
def test_cosimulation_whole_real_layer(dataset, fmt, layer, key):
    """A whole real layer through both netlists; the compressor at one value a cycle."""
    design = CODECS[key]
    words, shape = _real_layer(dataset, fmt, layer)
    co = design.cosimulate(words, shape)
    slots = 64 * design.model.n_blocks(shape)
    # one padded position a cycle, plus the pipeline latency of one block
    assert slots < co.compress_cycles < slots + 160
    assert slots < co.decompress_cycles < slots + 160


def test_cosimulation_real_layer_under_backpressure():
    design = CODECS["2d-fixed8-q50"]
    words, shape = _real_layer("efficientnet-lite0", "fixed8", "block12.out", image=3)
    design.cosimulate(words, shape, valid_probability=0.8, ready_probability=0.5, seed=3)


@pytest.mark.parametrize("key", ["2d-fixed8-q50", "cm-fixed8-q50"])
def test_block_latency_and_steady_state(key):
    """Cycles are deterministic: a block takes 64 cycles in steady state (no bubble
    between blocks, the slot buffers absorb the pipeline latency) plus a fixed tail."""
    design = CODECS[key]
    shape_of = ((lambda n: (8, 1, 8 * n)) if design.transform == "channel"
                else (lambda n: (1, 8, 8 * n)))
    values = [(np.arange(64 * n) * 37) % 256 for n in (1, 2, 9)]
    cycles = [design.cosimulate(v, shape_of(n)) for v, n in zip(values, (1, 2, 9),
                                                               strict=True)]
    comp = [c.compress_cycles for c in cycles]
    decomp = [c.decompress_cycles for c in cycles]
    assert comp[2] - comp[1] == 7 * 64 and decomp[2] - decomp[1] == 7 * 64
    tail = 211 if design.transform == "2d" else 76
    assert comp[0] == tail


def test_hooks_stream_block_order_and_map_back():
    design = CODECS["2d-fixed8-q50"]
    values = np.arange(2 * 9 * 10) % 256
    streams, config = design.compressor_inputs(values, (2, 9, 10))
    assert config == {"channels": 2, "height": 9, "width": 10}
    assert streams["in"][:9].tolist() == [0, 1, 2, 3, 4, 5, 6, 7, 10]
    enc = design.encode(values, (2, 9, 10))
    assert design.decompressor_sideband(enc) == config
    order = design.model.hardware_order((2, 9, 10))
    back = design.decompressor_output(design.decode(enc)[order], enc)
    np.testing.assert_array_equal(back, design.decode(enc))
    with pytest.raises(NetlistMismatchError):
        design.decompressor_output(back[:-1], enc)
    cm = CODECS["cm-fixed8-q50"]
    assert cm.compressor_inputs(values, (2, 9, 10))[1] == {"channels": 2, "pixels": 90}


def test_encode_needs_a_shape():
    with pytest.raises(ValueError, match="shape"):
        CODECS["2d-fixed8-q50"].encode(np.zeros(64, np.uint8))
    with pytest.raises(ValueError, match="holds"):
        CODECS["2d-fixed8-q50"].encode(np.zeros(64, np.uint8), (1, 8, 9))


def test_truncated_stream_starves_the_decompressor():
    design = DctCodec("fixed8", "jpeg", 75)  # its own harness: a failed run is discarded
    values = np.random.default_rng(1).integers(0, 256, 3 * 16 * 16)
    enc = design.encode(values, (3, 16, 16))
    enc.streams["values"] = enc.streams["values"][:-3]
    with pytest.raises(SimulationError):
        design.simulate_decompress(enc)


def test_registered_variants():
    reg = get_registry()
    names = [n for n in reg.designs if n.startswith("dct")]
    assert {"dct-fixed8-jpeg-q100", "dct-fixed8-jpeg-q50", "dct-uint8-jpeg-q50",
            "dct-fixed8-uniform-s1", "dct-fixed8-zonal-k4",
            "dctcm-fixed8-jpeg-q50"} <= set(names)
    for name in names:
        design = reg.design(name)
        assert design.technique == "dct" and design.baseline_for == () and design.lossy
        assert design.needs_shape and design.formats == (design.fmt,)
        assert design.fmt in name and set(design.netlists()) == {"compressor",
                                                                 "decompressor"}
        assert design.describe()["assumed_defaults"]
