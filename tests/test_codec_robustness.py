"""Truncated, corrupted and garbage streams: the golden decoders of EBPC, zero-RLE, BPC
and ZVC raise StreamFormatError or return exactly n values (never IndexError or a hang),
and all four reject the same classes of malformed input (a missing stream, words that
are not W-bit integers, a stream that is not 1-D, a bad value count, trailing words);
the decompressor netlists reject surplus trailing words as their golden decoders do,
and raise SimulationError when a stream starves them."""

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from accelbench.designs.bpc import golden as bpc_golden
from accelbench.designs.ebpc import golden as ebpc_golden
from accelbench.designs.ebpc.design import EbpcCodec
from accelbench.designs.zero_rle import golden as rle_golden
from accelbench.designs.zvc import golden as zvc_golden
from accelbench.errors import NetlistMismatchError, SimulationError, StreamFormatError
from accelbench.families.codec import Encoded
from accelbench.registry import get_registry

CODECS = {name: d for name, d in get_registry().designs.items() if d.family == "codec"}


def _values(draw, w):
    n = draw(st.integers(1, 120))
    zero_p = draw(st.sampled_from([0.0, 0.5, 0.9, 1.0]))
    rng = np.random.default_rng(draw(st.integers(0, 2**32 - 1)))
    v = rng.integers(-(1 << (w - 1)), 1 << (w - 1), n)
    if draw(st.booleans()):
        v = rng.integers(-3, 4, n)
    v[rng.random(n) < zero_p] = 0
    return v


def _mutate(draw, words, w):
    """A truncation, a bit flip, a dropped/added word or garbage in place of ``words``."""
    words = np.asarray(words).astype(np.int64).copy()
    how = draw(st.sampled_from(["truncate", "flip", "drop", "extra", "garbage", "same"]))
    if how == "truncate" and len(words):
        words = words[: draw(st.integers(0, len(words) - 1))]
    elif how == "flip" and len(words):
        for _ in range(draw(st.integers(1, 3))):
            i = draw(st.integers(0, len(words) - 1))
            words[i] ^= 1 << draw(st.integers(0, w - 1))
    elif how == "drop" and len(words):
        words = np.delete(words, draw(st.integers(0, len(words) - 1)))
    elif how == "extra":
        words = np.append(words, draw(st.integers(0, (1 << w) - 1)))
    elif how == "garbage":
        words = np.array(draw(st.lists(st.integers(0, (1 << w) - 1), max_size=40)),
                         dtype=np.int64)
    return words.astype(f"uint{w}")


def _decodes_or_rejects(decode, n):
    try:
        out = decode()
    except StreamFormatError:
        return
    assert len(out) == n


@pytest.mark.parametrize(("w", "b"), [(8, 8), (16, 8), (16, 16)])
@settings(max_examples=120, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=st.data())
def test_ebpc_golden_decoder_on_damaged_streams(w, b, data):
    values = _values(data.draw, w)
    s = ebpc_golden.encode(values, w, b)
    streams = dict(s.streams)
    target = data.draw(st.sampled_from(["znz", "bpc", "both"]))
    for name in ("znz", "bpc"):
        if target in (name, "both"):
            streams[name] = _mutate(data.draw, streams[name], w)
    n = data.draw(st.sampled_from([len(values), len(values) + 1, max(1, len(values) - 1)]))
    damaged = Encoded(streams, {}, n)
    _decodes_or_rejects(lambda: ebpc_golden.decode(damaged, n, w, b), n)


@pytest.mark.parametrize("w", [8, 16])
@settings(max_examples=80, deadline=None)
@given(data=st.data())
def test_baseline_golden_decoders_on_damaged_streams(w, data):
    values = _values(data.draw, w)
    n = len(values)
    rle = rle_golden.encode(values, w)
    rle = Encoded({"rle": _mutate(data.draw, rle.streams["rle"], w)}, {}, n)
    _decodes_or_rejects(lambda: rle_golden.decode(rle, n, w), n)
    bpc = bpc_golden.encode(values, w, 8)
    bpc = Encoded({"bpc": _mutate(data.draw, bpc.streams["bpc"], w)}, {}, n)
    _decodes_or_rejects(lambda: bpc_golden.decode(bpc, n, w, 8), n)


@pytest.mark.parametrize("w", [8, 16])
@settings(max_examples=80, deadline=None)
@given(data=st.data())
def test_zvc_golden_decoder_on_damaged_streams(w, data):
    values = _values(data.draw, w)
    n = len(values)
    enc = zvc_golden.encode(values, w)
    streams = dict(enc.streams)
    for name in data.draw(st.sampled_from([["mask"], ["values"], ["mask", "values"]])):
        streams[name] = _mutate(data.draw, streams[name], w)
    _decodes_or_rejects(lambda: zvc_golden.decode(Encoded(streams, {}, n), w), n)


def _decoders(n):
    """(name, streams of a correct encoding of n words, decode(streams, n_values))."""
    values = np.arange(n) % 5 - 2
    ebpc = ebpc_golden.encode(values)
    yield "ebpc", ebpc.streams, lambda st_, k: ebpc_golden.decode(Encoded(st_, {}, 0), k)
    yield "bpc", bpc_golden.encode(values).streams, \
        lambda st_, k: bpc_golden.decode(Encoded(st_, {}, k), k)
    yield "zero-rle", rle_golden.encode(values).streams, \
        lambda st_, k: rle_golden.decode(Encoded(st_, {}, k), k)
    yield "zvc", zvc_golden.encode(values, 8).streams, \
        lambda st_, k: zvc_golden.decode(Encoded(st_, {}, k), 8)


@pytest.mark.parametrize("how", ["missing", "out-of-range", "negative", "float", "2-D",
                                 "ragged", "trailing", "n=0", "n=-1", "n=2.5", "n=True",
                                 "n huge"])
def test_every_golden_decoder_rejects_the_same_malformed_input(how):
    n = 37
    for name, streams, decode in _decoders(n):
        streams = dict(streams)
        first = next(iter(streams))
        count = n
        if how == "missing":
            del streams[first]
        elif how == "out-of-range":
            streams[first] = np.append(streams[first][:-1], 256)
        elif how == "negative":
            streams[first] = np.append(streams[first][:-1], -1)
        elif how == "float":
            streams[first] = streams[first].astype(np.float64)
        elif how == "2-D":
            streams[first] = np.stack([streams[first], streams[first]])
        elif how == "ragged":
            streams[first] = [[1, 2], [3]]
        elif how == "trailing":
            streams[first] = np.append(streams[first], 0).astype(np.uint8)
        else:
            count = {"n=0": 0, "n=-1": -1, "n=2.5": 2.5, "n=True": True,
                     "n huge": 1 << 30}[how]
        with pytest.raises(StreamFormatError):
            decode(streams, count)
        assert name  # every decoder was tried


@pytest.mark.parametrize("design", sorted(CODECS))
@settings(max_examples=4, deadline=None)  # each rejected stream recompiles the harness
@given(data=st.data())
def test_surplus_trailing_words_are_rejected_by_netlist_and_golden(design, data):
    """Words appended to any compressed stream: the golden decoder raises
    StreamFormatError, and so does the decompressor's co-simulation."""
    codec = CODECS[design]
    values = _values(data.draw, codec.word_bits)
    shape = codec.example_shape(len(values)) if codec.needs_shape else None
    enc = codec.encode(values, shape)
    name = data.draw(st.sampled_from(codec.compressed_streams))
    extra = data.draw(st.lists(st.integers(1, (1 << codec.word_bits) - 1), min_size=1,
                               max_size=3))
    streams = dict(enc.streams)
    streams[name] = np.append(streams[name], extra).astype(enc.streams[name].dtype)
    damaged = Encoded(streams, {}, len(values), shape)
    with pytest.raises(StreamFormatError):
        codec.decode(damaged)
    with pytest.raises(StreamFormatError):
        codec.simulate_decompress(damaged, stall_limit=300)


@pytest.mark.parametrize("bad", [np.zeros((2, 2), np.uint8), np.array([1.5, 2.0]),
                                 np.array([256, 1]), np.array([-1])])
def test_malformed_word_arrays(bad):
    s = ebpc_golden.encode(np.array([1, 0, 2]))
    with pytest.raises(StreamFormatError):
        ebpc_golden.decode(Encoded({"znz": bad, "bpc": s.bpc_words}, {}, 3), 3)
    with pytest.raises(StreamFormatError):
        ebpc_golden.decode(Encoded({"znz": s.znz_words, "bpc": bad}, {}, 3), 3)


def test_specific_corruptions_have_clear_messages():
    s = ebpc_golden.encode(np.array([0, 0, 5, 0, 7, 7, 7, 0, 0, 0, 9]))
    with pytest.raises(StreamFormatError, match="truncated"):
        ebpc_golden.decode(Encoded({"znz": s.znz_words, "bpc": s.bpc_words[:-2]}, {}, 11), 11)
    with pytest.raises(StreamFormatError, match="trailing"):
        ebpc_golden.decode(Encoded({"znz": s.znz_words,
                                    "bpc": np.append(s.bpc_words, 0).astype(np.uint8)},
                                   {}, 11), 11)
    with pytest.raises(StreamFormatError, match="truncated"):
        ebpc_golden.decode(Encoded({"znz": s.znz_words[:1], "bpc": s.bpc_words}, {}, 11), 11)
    with pytest.raises(StreamFormatError, match="missing"):
        ebpc_golden.decode(Encoded({"znz": s.znz_words}, {}, 11), 11)
    with pytest.raises(ValueError, match="n_values"):
        ebpc_golden.decode(s, 0)


def test_netlist_driver_on_starved_and_overfed_streams():
    """A fresh design per failing run: a simulation that raised is left mid-stream."""
    values = np.array([3, 0, 0, 9, -4, 2, 0, 7, 1, 1, 0, 0, 5] * 5)
    s = ebpc_golden.encode(values)
    starved = Encoded({"znz": s.znz_words, "bpc": s.bpc_words[:-3]}, {}, len(values))
    with pytest.raises(SimulationError):
        EbpcCodec(8, 8).simulate_decompress(starved)
    # surplus words, even a single one, raise the decompressor's error output
    for extra in (1, 4):
        overfed = Encoded({"znz": np.append(s.znz_words, [0] * extra).astype(np.uint8),
                           "bpc": s.bpc_words}, {}, len(values))
        with pytest.raises(StreamFormatError, match="'error' output"):
            EbpcCodec(8, 8).simulate_decompress(overfed)


def test_netlist_driver_on_flipped_bits():
    """Bit flips: the decompressor returns n words, or the harness stops it with an error."""
    rng = np.random.default_rng(11)
    values = rng.integers(-128, 128, 200)
    values[rng.random(200) < 0.5] = 0
    s = ebpc_golden.encode(values)
    codec = EbpcCodec(8, 8)
    for trial in range(6):
        streams = {k: v.copy() for k, v in s.streams.items()}
        name = "znz" if trial % 2 else "bpc"
        i = int(rng.integers(len(streams[name])))
        streams[name][i] ^= np.uint8(1 << int(rng.integers(8)))
        try:
            out, _ = codec.simulate_decompress(Encoded(streams, {}, len(values)))
            assert len(out) == len(values)
        except (SimulationError, NetlistMismatchError):
            codec = EbpcCodec(8, 8)  # its harness stopped mid-stream
