"""DCT stream format: damaged streams raise StreamFormatError or decode into exactly the
map's size, never anything else; specific corruptions name what is wrong."""

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from test_codec_robustness import _mutate

from accelbench.designs.dct.model import DctModel
from accelbench.errors import StreamFormatError
from accelbench.families.codec import Encoded

MODELS = [DctModel("2d", "fixed8", "jpeg", 50), DctModel("2d", "uint8", "zonal", 3),
          DctModel("channel", "fixed8", "jpeg", 90), DctModel("2d", "fixed8", "uniform", 1)]


def _map(draw):
    shape = (draw(st.integers(1, 3)), draw(st.integers(1, 17)), draw(st.integers(1, 17)))
    rng = np.random.default_rng(draw(st.integers(0, 2**32 - 1)))
    words = rng.integers(0, 256, int(np.prod(shape))).astype(np.uint8)
    if draw(st.booleans()):
        words[rng.random(words.size) < 0.8] = 0
    return words, shape


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=st.data())
def test_damaged_streams_raise_or_decode_to_the_right_size(data):
    model = data.draw(st.sampled_from(MODELS))
    words, shape = _map(data.draw)
    enc = model.encode(words, shape)
    streams = dict(enc.streams)
    for name in data.draw(st.sampled_from([("bitmap",), ("values",), ("bitmap", "values")])):
        streams[name] = _mutate(data.draw, streams[name], 16)
    bad_shape = data.draw(st.sampled_from([shape, (shape[0], shape[1], shape[2] + 1),
                                           (shape[0] + 1, shape[1], shape[2])]))
    damaged = Encoded(streams, {}, int(np.prod(bad_shape)), bad_shape)
    try:
        out = model.decode(damaged)
    except StreamFormatError:
        return
    assert out.shape == (int(np.prod(bad_shape)),) and out.dtype == np.uint8


def test_specific_corruptions_have_clear_messages():
    model = MODELS[0]
    rng = np.random.default_rng(0)
    words = (rng.integers(-40, 40, 2 * 16 * 16) & 0xFF).astype(np.uint8)
    enc = model.encode(words, (2, 16, 16))
    bm, vals = enc.streams["bitmap"], enc.streams["values"]

    def decode(bitmap=bm, values=vals, shape=(2, 16, 16), n=None):
        n = int(np.prod(shape)) if n is None else n
        return model.decode(Encoded({"bitmap": bitmap, "values": values}, {}, n, shape))

    np.testing.assert_array_equal(decode(), model.decode(enc))
    with pytest.raises(StreamFormatError, match="truncated"):
        decode(bitmap=bm[:-1])
    with pytest.raises(StreamFormatError, match="trailing"):
        decode(values=np.append(vals, 0).astype(np.uint16))
    with pytest.raises(StreamFormatError, match="truncated"):
        decode(values=vals[:-1])
    with pytest.raises(StreamFormatError, match="missing"):
        model.decode(Encoded({"bitmap": bm}, {}, 512, (2, 16, 16)))
    with pytest.raises(StreamFormatError, match="16-bit"):
        decode(bitmap=np.append(bm[:-1], 1 << 16))
    with pytest.raises(StreamFormatError, match="shape"):
        model.decode(Encoded(dict(enc.streams), {}, 512))
    with pytest.raises(StreamFormatError, match="holds"):
        decode(n=511)
    with pytest.raises(StreamFormatError, match="1-D"):
        decode(bitmap=bm.reshape(1, -1))


def test_flag_at_a_dropped_frequency_and_zero_values_are_rejected():
    zonal = DctModel("2d", "fixed8", "zonal", 1)  # only DC survives
    enc = zonal.encode(np.zeros(64, np.uint8), (1, 8, 8))
    bitmap = enc.streams["bitmap"].copy()
    bitmap[0] |= 1 << 14  # zig-zag position 1: never non-zero under this table
    with pytest.raises(StreamFormatError, match="always"):
        zonal.decode(Encoded({"bitmap": bitmap, "values": enc.streams["values"]}, {}, 64,
                                (1, 8, 8)))
    model = MODELS[0]
    enc = model.encode(np.zeros(64, np.uint8), (1, 8, 8))
    bitmap = enc.streams["bitmap"].copy()
    bitmap[0] |= 1 << 15  # DC flagged, but its value is 0
    with pytest.raises(StreamFormatError, match="zero value"):
        model.decode(Encoded({"bitmap": bitmap, "values": np.zeros(1, np.uint16)}, {},
                                64, (1, 8, 8)))
    dc_bits = int(model.coding_widths[0])
    with pytest.raises(StreamFormatError, match="trailing"):
        model.decode(Encoded({"bitmap": enc.streams["bitmap"],
                                 "values": np.ones(1, np.uint16)}, {}, 64, (1, 8, 8)))
    padded = np.array([(1 << (16 - dc_bits)) | 1], dtype=np.uint16)  # DC = 1, padding 1
    with pytest.raises(StreamFormatError, match="padding"):
        model.decode(Encoded({"bitmap": bitmap, "values": padded}, {}, 64, (1, 8, 8)))
