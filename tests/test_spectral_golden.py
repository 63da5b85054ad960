"""Spectral golden models: the float OaA convolution against direct cross-correlation and
scipy, spectral pruning, and the fixed-point arithmetic against numpy's FFTs."""

import numpy as np
import pytest
import scipy.signal
from hypothesis import given, settings
from hypothesis import strategies as st

from accelbench.designs.spectral import fixed, golden
from accelbench.designs.spectral.golden import BINS, MIRROR, SpectralError


@st.composite
def conv_cases(draw):
    k = draw(st.sampled_from([1, 3, 5]))
    padding = draw(st.sampled_from([0, 1, 2]))
    h = draw(st.integers(max(1, k - 2 * padding), 23))
    w = draw(st.integers(max(1, k - 2 * padding), 23))
    c, n = draw(st.integers(1, 4)), draw(st.integers(1, 4))
    rng = np.random.default_rng(draw(st.integers(0, 2**32 - 1)))
    return rng.standard_normal((c, h, w)), rng.standard_normal((n, c, k, k)), padding


@settings(max_examples=60)
@given(conv_cases())
def test_spectral_conv_equals_direct_cross_correlation(case):
    x, w, padding = case
    got = golden.spectral_conv2d(x, w, padding)
    want = golden.direct_conv2d(x, w, padding)
    k = w.shape[-1]
    assert got.shape == (w.shape[0], x.shape[1] + 2 * padding - k + 1,
                         x.shape[2] + 2 * padding - k + 1)
    np.testing.assert_allclose(got, want, rtol=1e-9, atol=1e-9)


@settings(max_examples=20)
@given(conv_cases())
def test_spectral_conv_equals_scipy_correlate(case):
    x, w, padding = case
    xp = np.pad(x, ((0, 0), (padding, padding), (padding, padding)))
    want = np.stack([sum(scipy.signal.correlate(xp[c], w[n, c], mode="valid")
                         for c in range(x.shape[0])) for n in range(w.shape[0])])
    np.testing.assert_allclose(golden.spectral_conv2d(x, w, padding), want, rtol=1e-9,
                               atol=1e-9)


def test_tiles_cover_maps_that_are_not_multiples_of_the_tile():
    x = np.arange(2 * 13 * 7, dtype=float).reshape(2, 13, 7)
    tiles = golden.input_tiles(x, 3)  # t = 6: 3 x 2 tiles
    assert tiles.shape == (2, 3, 2, 8, 8)
    assert tiles[:, :, :, 6:].sum() == 0 and tiles[:, :, :, :, 6:].sum() == 0
    assert np.array_equal(tiles[1, 2, 1, :1, :1], x[1, 12:, 6:])
    assert tiles.sum() == x.sum()


def test_bad_shapes_are_refused():
    with pytest.raises(SpectralError, match="does not fit"):
        golden.spectral_conv2d(np.zeros((1, 9, 9)), np.zeros((1, 1, 9, 9)))
    with pytest.raises(SpectralError, match="channels"):
        golden.spectral_conv2d(np.zeros((2, 9, 9)), np.zeros((1, 3, 3, 3)))
    with pytest.raises(SpectralError, match="padding"):
        golden.spectral_conv2d(np.zeros((1, 9, 9)), np.zeros((1, 1, 3, 3)), padding=-1)


def _units(mask_row, mag_row):
    """(magnitude, kept, size) per pruning unit (mirror pairs together)."""
    out = []
    for b in range(BINS):
        if MIRROR[b] < b:
            continue
        out.append((max(mag_row[b], mag_row[MIRROR[b]]), bool(mask_row[b]),
                    1 if MIRROR[b] == b else 2))
    return out


@settings(max_examples=40)
@given(seed=st.integers(0, 2**32 - 1), density=st.sampled_from([1.0, 0.75, 0.5, 0.25, 0.1]))
def test_pruning_keeps_the_largest_bins_and_mirror_pairs_together(seed, density):
    rng = np.random.default_rng(seed)
    spectra = golden.kernel_spectra(rng.standard_normal((3, 4, 3, 3)))
    pruned = golden.prune_spectra(spectra, density)
    mask = pruned.mask
    keep = golden.kept_bins_per_kernel(density)
    assert np.array_equal(mask, mask[..., MIRROR])  # closed under the mirror
    assert np.array_equal(pruned.spectra == 0, ~mask.reshape(spectra.shape))
    mag = np.abs(spectra).reshape(3, 4, BINS)
    for n in range(3):
        for c in range(4):
            count = int(mask[n, c].sum())
            assert count == keep or (count == keep - 1 and keep % 2 == 1)
            units = _units(mask[n, c], mag[n, c])
            kept_min = min(m for m, k, _ in units if k)
            dropped = [(m, s) for m, k, s in units if not k]
            # every dropped single is no larger than every kept unit; a dropped pair may
            # be larger only if it did not fit the last slot
            for m, size in dropped:
                assert m <= kept_min + 1e-12 or (size == 2 and count >= keep - 1)
    # the pruned spectrum is Hermitian: its inverse is real and loses nothing
    full = np.fft.ifft2(np.concatenate(
        [pruned.spectra, np.conj(pruned.spectra[..., (8 - np.arange(8)) % 8, 3:0:-1])],
        axis=-1))
    np.testing.assert_allclose(full.imag, 0, atol=1e-12)
    np.testing.assert_allclose(full.real, np.fft.irfft2(pruned.spectra, s=(8, 8)), atol=1e-12)


def test_pruned_convolution_uses_the_pruned_spectra():
    rng = np.random.default_rng(3)
    x, w = rng.standard_normal((3, 12, 10)), rng.standard_normal((2, 3, 3, 3))
    pruned = golden.prune_spectra(golden.kernel_spectra(w), 0.25)
    assert pruned.nonzeros == 2 * 3 * 10
    np.testing.assert_allclose(golden.spectral_conv2d(x, w, 1, density=0.25),
                               golden.spectral_conv2d_spectra(x, pruned.spectra, 3, 1))
    np.testing.assert_allclose(golden.spectral_conv2d(x, w, 1, density=1.0),
                               golden.direct_conv2d(x, w, 1), atol=1e-9)
    assert not np.allclose(golden.spectral_conv2d(x, w, 1, density=0.25),
                           golden.direct_conv2d(x, w, 1), atol=1e-3)
    with pytest.raises(SpectralError, match="density"):
        golden.prune_spectra(pruned.spectra, 0.0)


def test_fixed_fft8_matches_numpy_within_twiddle_rounding():
    rng = np.random.default_rng(0)
    re, im = rng.integers(-2**14, 2**14, (2, 500, 8))
    r, i = fixed.fft8(re, im)
    want = np.fft.fft(re + 1j * im)
    # only the c-products round (2 per butterfly, stage 1): < 1 LSB each, carried through
    assert np.abs(r - want.real).max() <= 4 and np.abs(i - want.imag).max() <= 4
    r, i = fixed.ifft8(re, im)
    want = np.fft.ifft(re + 1j * im)
    assert np.abs(r - want.real).max() <= 3 and np.abs(i - want.imag).max() <= 3
    z = rng.integers(-2**20, 2**20, (500, 5)) + 1j * rng.integers(-2**20, 2**20, (500, 5))
    assert np.abs(fixed.real_ifft8(z.real, z.imag) - np.fft.irfft(z, n=8)).max() <= 64


def test_fixed_2d_transforms_and_their_widths():
    fp = fixed.DEFAULT
    rng = np.random.default_rng(1)
    lo, hi = -(1 << (fp.in_bits - 1)), (1 << (fp.in_bits - 1)) - 1
    tiles = rng.integers(lo, hi + 1, (400, 8, 8))
    tiles[0], tiles[1] = lo, hi
    tiles[2] = np.where(np.indices((8, 8)).sum(0) % 2, lo, hi)  # the highest frequency
    r, i = fixed.fft2d(tiles)
    want = np.fft.rfft2(tiles << fp.fft_guard)
    assert np.abs(r - want.real).max() <= 16 and np.abs(i - want.imag).max() <= 16
    assert max(np.abs(r).max(), np.abs(i).max()) <= fp.spec_peak < 1 << (fp.spec_bits - 1)
    rows_r, rows_i = fixed.fft8(tiles << fp.fft_guard, np.zeros_like(tiles))
    assert max(np.abs(rows_r).max(), np.abs(rows_i).max()) < 1 << (fp.row_bits - 1)
    blocks = fixed.ifft2d(r, i)
    # round trip: 6 halving stages round, within half an input LSB
    assert np.abs(blocks - (tiles << fp.fft_guard)).max() <= 2


def test_fixed_point_widths_are_checked():
    with pytest.raises(SpectralError, match="overflow"):
        fixed.FixedPoint(acc_bits=24)
    fp = fixed.FixedPoint()
    assert (fp.spec_bits, fp.row_bits, fp.product_bits, fp.ifft_bits) == (17, 14, 30, 34)


def test_fixed_point_convolution_error_against_float():
    """SYNTHETIC data: the arithmetic alone (same quantised input) costs > 50 dB SNR."""
    rng = np.random.default_rng(2)
    x = np.abs(rng.standard_normal((16, 20, 17)))
    w = rng.standard_normal((8, 16, 3, 3))
    for density in (1.0, 0.5, 0.25):
        q = fixed.quantize_layer(x, w, 1, density)
        got = fixed.spectral_conv2d_fixed(q) * fixed.output_scale(q)
        pruned = golden.prune_spectra(golden.kernel_spectra(w), density).spectra
        want = golden.spectral_conv2d_spectra(q.x * q.x_scale, pruned, 3, 1)
        snr = 10 * np.log10((want ** 2).sum() / ((want - got) ** 2).sum())
        assert snr > 50, (density, snr)
