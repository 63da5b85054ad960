"""Number formats: EBPC's fixed-point, float16, bfloat16 and TFLite-style uint8."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays

from accelbench.datasets.formats import dequantize, quantize, requantize
from accelbench.datasets.types import FORMATS


def test_fixed_formats_scale_the_batch_peak_to_three_quarters_and_truncate():
    x = np.array([[0.0, 1.0, 2.0, 4.0], [0.001, 3.999, -1.0, -4.0]], np.float32)
    for fmt, full in (("fixed8", 127), ("fixed12", 2047), ("fixed16", 32767)):
        words, scale, zp = quantize(x, fmt)
        assert words.dtype == FORMATS[fmt].dtype and zp == 0
        peak = int(0.75 * full)  # 95, 1535, 24575: truncated, not rounded
        expected = np.trunc(x / 4.0 * 0.75 * full)
        np.testing.assert_array_equal(words, expected)
        assert words.max() == peak and words.min() == -peak
        assert scale == pytest.approx(4.0 / (0.75 * full))
    words, _, _ = quantize(np.array([0.5, 0.00001, -0.00001], np.float32) * 2, "fixed8")
    assert words.tolist() == [95, 0, 0]  # small magnitudes truncate to zero on both sides


def test_float_formats_are_bit_patterns():
    x = np.array([1.0, -2.5, 65504.0, 1e-8, 0.0], np.float32)
    words, scale, zp = quantize(x, "float16")
    assert words.dtype == np.int16 and (scale, zp) == (1.0, 0)
    np.testing.assert_array_equal(words.view(np.float16), x.astype(np.float16))
    # bfloat16: round to nearest even on the upper 16 bits of float32
    x = np.array([1.0, 1.00390625, 1.01171875, -2.5, np.inf, np.nan], np.float32)
    words, _, _ = quantize(x, "bfloat16")
    assert [hex(w) for w in words.view(np.uint16)] == [
        "0x3f80", "0x3f80", "0x3f82", "0xc020", "0x7f80", "0x7fc0"]


def test_uint8_is_affine_with_an_exact_zero():
    x = np.array([-1.0, 0.0, 0.5, 3.0], np.float32)
    words, scale, zp = quantize(x, "uint8")
    assert words.dtype == np.uint8
    assert scale == pytest.approx(4.0 / 255) and zp == round(1.0 / scale) == 64
    assert words[1] == zp and words[0] == 0 and words[3] == 255
    relu = np.array([0.0, 0.5, 1.5, 2.5, 255.0], np.float32)  # scale 1: halves are exact
    words, scale, zp = quantize(relu, "uint8")
    assert (scale, zp) == (1.0, 0)
    assert words.tolist() == [0, 1, 2, 3, 255]  # half away from zero, as TFLite rounds


def test_unknown_format_and_non_finite_values_raise():
    with pytest.raises(ValueError, match="unknown number format"):
        quantize(np.zeros(3), "int4")
    with pytest.raises(ValueError, match="finite"):
        quantize(np.array([1.0, np.inf]), "fixed8")


@settings(max_examples=60, deadline=None)
@given(arrays(np.float32, st.integers(1, 64),
              elements=st.floats(-1e4, 1e4, allow_nan=False, width=32)),
       st.sampled_from(sorted(FORMATS)))
def test_dequantize_is_within_one_step(x, fmt):
    words, scale, zp = quantize(x, fmt)
    assert words.dtype == FORMATS[fmt].dtype and words.shape == x.shape
    back = dequantize(words, fmt, scale, zp)
    if fmt.startswith("fixed"):
        assert np.all(np.abs(back - x) <= scale * 1.0001 + 1e-30)
        assert np.all(np.abs(back) <= np.abs(x) + 1e-6)  # truncation toward zero
    elif fmt == "uint8":
        assert np.all(np.abs(back - x) <= scale * 0.5001 + 1e-6)
    else:
        rel = 2.0 ** (-11 if fmt == "float16" else -8)
        tiny = 6.1e-5 if fmt == "float16" else 1e-38
        assert np.all(np.abs(back - x) <= np.abs(x) * rel + tiny)


@settings(max_examples=60, deadline=None)
@given(arrays(np.float32, st.integers(1, 64),
              elements=st.floats(-1e4, 1e4, allow_nan=False, width=32)),
       st.sampled_from(sorted(FORMATS)))
def test_requantize_with_the_stored_scale_reproduces_the_words(x, fmt):
    words, scale, zp = quantize(x, fmt)
    np.testing.assert_array_equal(requantize(x, fmt, scale, zp), words)


def test_requantize_saturates_beyond_the_layer_range_and_checks_its_input():
    _, scale, zp = quantize(np.array([0.0, 1.0, 2.0], np.float32), "fixed8")
    assert requantize(np.array([100.0, -100.0], np.float32), "fixed8", scale, zp).tolist() \
        == [127, -127]
    _, scale, zp = quantize(np.array([-1.0, 3.0], np.float32), "uint8")
    assert requantize(np.array([-50.0, 50.0], np.float32), "uint8", scale, zp).tolist() == \
        [0, 255]
    with pytest.raises(ValueError, match="scale"):
        requantize(np.zeros(2, np.float32), "fixed8", 0.0, 0)
    with pytest.raises(ValueError, match="finite"):
        requantize(np.array([np.nan], np.float32), "uint8", 1.0, 0)


def test_requantize_reproduces_a_real_datasets_words(tmp_path):
    """The floats a dataset is built from, requantized with each layer's stored scale and
    zero point, give the stored words bit for bit."""
    from accelbench.datasets import get_source
    from accelbench.datasets.build import forward_maps

    source = get_source("efficientnet-lite0?limit=2&formats=fixed8,uint8,fixed16")
    floats, _shapes, _top = forward_maps(source, source.images())
    for fmt in ("fixed8", "uint8", "fixed16"):
        stored = source.load(fmt, cache_dir=tmp_path)
        for index in (0, 3, 16, len(stored.layers) - 1):  # relu, linear, residual, head
            layer = stored.layers[index]
            np.testing.assert_array_equal(
                requantize(floats[index], fmt, layer.scale, layer.zero_point), layer.words)
