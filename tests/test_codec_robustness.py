"""Truncated, corrupted and garbage streams: the golden decoders of EBPC, zero-RLE and
BPC raise StreamFormatError or return exactly n values (never IndexError or a hang);
the netlist drivers raise SimulationError when a stream starves or overfeeds them."""

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from accelbench.codec import Encoded
from accelbench.designs.bpc import golden as bpc_golden
from accelbench.designs.ebpc import golden as ebpc_golden
from accelbench.designs.ebpc.design import EbpcCodec
from accelbench.designs.zero_rle import golden as rle_golden
from accelbench.errors import NetlistMismatchError, SimulationError, StreamFormatError


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
    # words beyond what the unpacker holds at the end are left over: the run cannot end
    # (a single extra word fits in the unpacker and is dropped with the padding)
    overfed = Encoded({"znz": np.append(s.znz_words, [0] * 4).astype(np.uint8),
                       "bpc": s.bpc_words}, {}, len(values))
    with pytest.raises(SimulationError):
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
