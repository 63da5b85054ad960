"""DCT golden model: the transform contract against scipy, its proof, the quantiser,
the tables, the value widths, ratio bounds and the near-lossless ends."""

import itertools

import numpy as np
import pytest
import scipy.fft
from hypothesis import given, settings
from hypothesis import strategies as st

from accelbench.designs.dct import golden, stream
from accelbench.designs.dct.model import DctModel
from accelbench.designs.dct.tables import JPEG_LUMINANCE, Quantizer, jpeg_steps, steps_2d


def _reference(blocks):
    return scipy.fft.dctn(np.asarray(blocks, dtype=np.float64), axes=(-2, -1), norm="ortho")


def _structured_blocks():
    """Extremes, checkerboards, stripes, ramps, impulses: the blocks that push every
    coefficient to its limit or need every frequency."""
    v, u = np.indices((8, 8))
    out = []
    for lo, hi in ((-128, 127), (0, 255)):
        out += [np.full((8, 8), lo), np.full((8, 8), hi)]
        for pattern in ((u + v) % 2, u % 2, v % 2, (u // 4 + v // 4) % 2, (u * v) % 3 == 0):
            out += [np.where(pattern, hi, lo), np.where(pattern, lo, hi)]
        out.append(lo + (hi - lo) * (u + v) // 14)
    for k in range(8):  # every basis function's sign pattern at the extremes
        for m in range(8):
            basis = np.outer(golden.dct_matrix()[k], golden.dct_matrix()[m])
            out += [np.where(basis >= 0, 127, -128), np.where(basis >= 0, -128, 127),
                    np.where(basis >= 0, 255, 0)]
    return np.array(out, dtype=np.int64)


@st.composite
def blocks_8bit(draw):
    """8-bit blocks: uniform, extreme-valued, or sparse (mostly zero) signed or unsigned."""
    rng = np.random.default_rng(draw(st.integers(0, 2**32 - 1)))
    kind = draw(st.sampled_from(["int8", "uint8", "int8-extremes", "uint8-extremes"]))
    if kind == "int8":
        block = rng.integers(-128, 128, (8, 8))
    elif kind == "uint8":
        block = rng.integers(0, 256, (8, 8))
    elif kind == "int8-extremes":
        block = rng.choice([-128, -127, -1, 0, 1, 126, 127], (8, 8))
    else:
        block = rng.choice([0, 1, 254, 255], (8, 8))
    density = draw(st.sampled_from([1.0, 0.3, 0.05]))
    return np.where(rng.random((8, 8)) < density, block, 0).astype(np.int64)


def test_forward_error_bound_proves_the_contract():
    """Interval arithmetic over every block with |x| <= 256: below 1 with margin."""
    bound = golden.forward_error_bound()
    assert bound < 1
    assert bound == pytest.approx(0.858, abs=5e-4)
    # one fraction bit fewer between the passes would not be enough for 9-bit inputs
    assert golden.forward_error_bound(frac_bits=golden.ROW_FRAC_BITS - 2) > 1


def test_dct2_within_one_of_scipy_on_random_and_structured_blocks():
    rng = np.random.default_rng(7)
    blocks = np.concatenate([rng.integers(-128, 128, (4000, 8, 8)),
                             rng.integers(0, 256, (4000, 8, 8)), _structured_blocks()])
    err = np.abs(golden.dct2(blocks) - _reference(blocks))
    assert err.max() <= 1
    assert golden.dct2(blocks).dtype.kind == "i"


@settings(max_examples=300, deadline=None)
@given(block=blocks_8bit())
def test_dct2_contract_hypothesis(block):
    assert np.abs(golden.dct2(block) - _reference(block)).max() <= 1


def test_dct2_accepts_leading_axes_and_rejects_bad_input():
    blocks = np.arange(2 * 3 * 64).reshape(2, 3, 8, 8) % 256
    assert golden.dct2(blocks).shape == (2, 3, 8, 8)
    np.testing.assert_array_equal(golden.dct2(blocks)[1, 2], golden.dct2(blocks[1, 2]))
    with pytest.raises(ValueError):
        golden.dct2(np.zeros((8, 7), dtype=int))
    with pytest.raises(TypeError):
        golden.dct2(np.zeros((8, 8)))
    with pytest.raises(ValueError):
        golden.dct2(np.full((8, 8), 300))


def test_exact_matmul_float_path_equals_int64():
    rng = np.random.default_rng(3)
    x = rng.integers(-256, 256, (500, 8, 8))
    rows = golden.exact_matmul(x, golden.C.T)
    np.testing.assert_array_equal(rows, x @ golden.C.T)
    big = np.full((2, 8), 1 << 40, dtype=np.int64)  # beyond 2^53: the int64 path
    np.testing.assert_array_equal(golden.exact_matmul(big, golden.C.T), big @ golden.C.T)


def test_idct2_inverts_dct2_within_one_on_dense_and_structured_blocks():
    rng = np.random.default_rng(11)
    blocks = np.concatenate([rng.integers(-128, 128, (20000, 8, 8)),
                             rng.integers(0, 256, (5000, 8, 8)), _structured_blocks()])
    err = np.abs(golden.idct2(golden.dct2(blocks)) - blocks)
    structured = len(_structured_blocks())
    assert err[-structured:].max() <= 1
    # dense random blocks: +-1 except where rounding errors of the 64 coefficients line
    # up (a few per million values), never more than 2
    assert err.max() <= 2
    assert np.mean(err > 1) < 2e-5


def test_no_integer_dct_decoder_is_within_one_for_every_block():
    """Why +-1 cannot hold for *every* block: 2 and -2 at one pixel have every exact
    coefficient below 0.5 in magnitude, so both round to the all-zero block (as does the
    zero block); no decoder returns a value within 1 of both 2 and -2."""
    for y, x in itertools.product(range(8), range(8)):
        for a in (2, -2):
            block = np.zeros((8, 8), dtype=np.int64)
            block[y, x] = a
            assert np.abs(_reference(block)).max() < 0.5
            assert not golden.dct2(block).any()


def test_inverse_arithmetic_is_close_to_the_exact_inverse():
    rng = np.random.default_rng(5)
    coef = rng.integers(-200, 201, (3000, 8, 8))
    coef[:, 0, 0] = rng.integers(-1024, 1025, 3000)
    exact = scipy.fft.idctn(coef.astype(np.float64), axes=(-2, -1), norm="ortho")
    assert np.abs(golden.idct2(coef) - exact).max() <= 0.5 + 0.25


def test_channel_transform_within_one_and_inverse():
    rng = np.random.default_rng(2)
    x = rng.integers(-128, 128, (5000, 8))
    ref = scipy.fft.dct(x.astype(np.float64), axis=-1, norm="ortho")
    const_err = np.abs(golden.C / (1 << golden.COEF_BITS) - golden.dct_matrix()).sum(axis=1)
    assert np.abs(golden.dct1(x) - ref).max() <= 0.5 + 128 * const_err.max()
    assert np.abs(golden.idct1(golden.dct1(x)) - x).max() <= 1


def test_zigzag_is_jpeg_scan():
    assert golden.zigzag_order()[:15].tolist() == [0, 1, 8, 16, 9, 2, 3, 10, 17, 24, 32,
                                                   25, 18, 11, 4]
    assert golden.zigzag_order()[-3:].tolist() == [55, 62, 63]
    assert sorted(golden.zigzag_order().tolist()) == list(range(64))


def test_coefficient_limits_bound_every_block():
    blocks = np.concatenate([_structured_blocks(),
                             np.random.default_rng(1).integers(-128, 128, (2000, 8, 8))])
    blocks = blocks[np.abs(blocks).max(axis=(1, 2)) <= 128]
    limits = golden.coefficient_limits()
    assert (np.abs(golden.dct2(blocks)) <= limits).all()
    assert limits[0, 0] == 1025  # DC of an all -128 block is -1024 (+1 rounding)
    assert np.abs(golden.dct2(np.full((8, 8), -128))).max() == 1024


# --- quantisation tables and quantiser -----------------------------------------------

def test_jpeg_tables_follow_libjpeg_scaling():
    np.testing.assert_array_equal(jpeg_steps(50), JPEG_LUMINANCE)
    assert (jpeg_steps(100) == 1).all()
    assert jpeg_steps(1).max() == 255 and jpeg_steps(1).min() == 255  # s = 5000
    # q=75: s=50 -> (16*50+50)//100 = 8; q=25: s=200 -> 32; q=10: s=500 -> 80
    assert jpeg_steps(75)[0, 0] == 8 and jpeg_steps(25)[0, 0] == 32
    assert jpeg_steps(10)[0, 0] == 80
    assert jpeg_steps(30)[0, 0] == (16 * (5000 // 30) + 50) // 100
    for bad in (0, 101):
        with pytest.raises(ValueError):
            jpeg_steps(bad)


def test_uniform_and_zonal_tables():
    assert (steps_2d("uniform", 7) == 7).all()
    zonal = steps_2d("zonal", 3)
    v, u = np.indices((8, 8))
    np.testing.assert_array_equal(zonal, (u + v < 3).astype(int))
    with pytest.raises(ValueError):
        steps_2d("nonsense", 1)


@pytest.mark.parametrize("table", [("jpeg", 100), ("jpeg", 75), ("jpeg", 50), ("jpeg", 1),
                                   ("uniform", 3), ("uniform", 255), ("zonal", 5)])
def test_quantiser_is_exact_round_half_away_from_zero(table):
    """The reciprocal product equals exact rounding for every coefficient the transform
    can produce at every frequency (exhaustive)."""
    q = Quantizer.build(steps_2d(*table), golden.coefficient_limits())
    lim = int(q.limits.max())
    d = np.arange(-lim, lim + 1)[:, None].repeat(64, axis=1)
    got = q.quantize(d)
    steps = q.steps
    exact = np.where(steps > 0, np.sign(d) * np.floor(np.abs(d) / np.maximum(steps, 1) + 0.5),
                     0).astype(np.int64)
    inside = np.abs(d) <= q.limits
    np.testing.assert_array_equal(got[inside], exact[inside])
    # widths: the largest quantised value fits its signed width, one bit less would not
    qmax = np.abs(np.where(inside, got, 0)).max(axis=0)
    fits = qmax <= (1 << np.maximum(q.widths - 1, 0)) - (q.widths > 0)
    assert fits.all()
    nonzero = qmax > 0
    assert (qmax[nonzero] > (1 << (q.widths[nonzero] - 2)) - 1).all()
    assert (q.widths[~nonzero] == 0).all()


# --- the codec: ratios, padding, near-lossless ends -----------------------------------

def _ratio(model, words, shape):
    return 8 * words.size / model.compressed_bits(words, shape)


@settings(max_examples=60, deadline=None)
@given(c=st.integers(1, 3), h=st.integers(1, 20), w=st.integers(1, 20),
       fmt=st.sampled_from(["fixed8", "uint8"]),
       table=st.sampled_from([("jpeg", 100), ("jpeg", 50), ("jpeg", 5), ("uniform", 1),
                              ("zonal", 2)]),
       transform=st.sampled_from(["2d", "channel"]), seed=st.integers(0, 2**32 - 1),
       zeros=st.booleans())
def test_ratio_never_above_eight(c, h, w, fmt, table, transform, seed, zeros):
    model = DctModel(transform, fmt, *table)
    rng = np.random.default_rng(seed)
    words = rng.integers(0, 256, c * h * w).astype(np.uint8)
    if zeros:
        words[rng.random(words.size) < 0.9] = 0 if fmt == "fixed8" else 128
    enc = model.encode(words, (c, h, w))
    assert enc.total_bits == model.compressed_bits(words, (c, h, w))
    assert _ratio(model, words, (c, h, w)) <= 8
    out = model.decode(enc)
    assert out.shape == (c * h * w,) and out.dtype == np.uint8


@pytest.mark.parametrize("transform", ["2d", "channel"])
def test_ratio_is_eight_on_an_all_zero_map(transform):
    for fmt, zero in (("fixed8", 0), ("uint8", 128)):  # uint8: 128 is zero after the shift
        model = DctModel(transform, fmt, "jpeg", 50)
        words = np.full(16 * 8 * 8, zero, dtype=np.uint8)
        assert _ratio(model, words, (16, 8, 8)) == 8
        np.testing.assert_array_equal(model.decode(model.encode(words, (16, 8, 8))), words)


def test_padding_is_stored_and_counted():
    model = DctModel("2d", "fixed8", "jpeg", 50)
    zero14 = np.zeros(2 * 14 * 14, dtype=np.uint8)
    assert model.compressed_bits(zero14, (2, 14, 14)) == 2 * 4 * 64  # 16x16: 4 blocks
    assert _ratio(model, zero14, (2, 14, 14)) == pytest.approx(8 * 196 / 256)
    zero7 = np.zeros(7 * 7, dtype=np.uint8)
    assert model.compressed_bits(zero7, (1, 7, 7)) == 64
    cm = DctModel("channel", "fixed8", "jpeg", 50)
    assert cm.compressed_bits(np.zeros(12 * 49, np.uint8), (12, 7, 7)) == 2 * 7 * 64


@pytest.mark.parametrize(("table", "value"), [("jpeg", 100), ("uniform", 1)])
@pytest.mark.parametrize("fmt", ["fixed8", "uint8"])
def test_near_lossless_ends(table, value, fmt):
    """decode(encode(x)) within +-1 on dense maps, structured blocks and the extremes;
    the rare +-2 of coinciding rounding errors (see the impossibility test) stays rare."""
    model = DctModel("2d", fmt, table, value)
    rng = np.random.default_rng(4)
    words = rng.integers(0, 256, 64 * 24 * 24).astype(np.uint8)
    err = np.abs(model.signed_values(model.decode(model.encode(words, (64, 24, 24))))
                 - model.signed_values(words))
    assert err.max() <= 2 and np.mean(err > 1) < 1e-4
    structured = _structured_blocks()
    if fmt == "fixed8":
        structured = structured[(structured.min(axis=(1, 2)) >= -128)
                                & (structured.max(axis=(1, 2)) <= 127)]
    else:
        structured = structured[structured.min(axis=(1, 2)) >= 0]
    words = structured.transpose(1, 0, 2).reshape(-1).astype(np.int64) & 0xFF
    shape = (1, 8, 8 * len(structured))
    got = model.signed_values(model.decode(model.encode(words, shape)))
    assert np.abs(got - model.signed_values(words)).max() <= 1


def test_hardware_order_is_a_permutation_in_block_order():
    model = DctModel("2d", "fixed8", "jpeg", 50)
    order = model.hardware_order((2, 9, 10))
    assert sorted(order.tolist()) == list(range(180))
    assert order[:10].tolist() == [0, 1, 2, 3, 4, 5, 6, 7, 10, 11]  # row 0 then row 1
    cm = DctModel("channel", "fixed8", "jpeg", 50)
    order = cm.hardware_order((9, 1, 3))
    assert order[:9].tolist() == [0, 3, 6, 9, 12, 15, 18, 21, 1]  # pixel 0, channels 0..7


def test_stream_bits_match_block_formula():
    model = DctModel("2d", "fixed8", "jpeg", 75)
    rng = np.random.default_rng(9)
    words = (rng.integers(-30, 30, 3 * 16 * 16) & 0xFF).astype(np.uint8)
    q = model.quantized_blocks(words, (3, 16, 16))
    enc = model.encode(words, (3, 16, 16))
    assert enc.bits["bitmap"] == 64 * len(q)
    assert enc.bits["values"] == int(((q != 0) * model.coding_widths).sum())
    assert len(enc.streams["values"]) == -(-enc.bits["values"] // 16)
    assert stream.count_bits(q, model.coding_widths) == enc.total_bits
