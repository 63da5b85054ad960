"""Fixed-point model of the spectral engine: the integer arithmetic of its netlists.

Every netlist (FFT, inverse FFT, sparse Hadamard engine) is bit-exact against the
functions here. Widths and roundings (all **defaults**; the paper does not give them):

* input pixels: ``in_bits`` = 8, signed two's complement, one symmetric scale per tensor;
  the FFT takes them with ``fft_guard`` = 2 fraction bits (a free left shift), so its
  roundings cost ~56 dB instead of ~45 dB of SNR (measured, docs/spectral.md);
* 8-point FFT: radix-2 decimation in frequency, 3 butterfly stages; the only non-trivial
  twiddle constant is cos(pi/4) = ``c``, held as round(c * 2**tw_frac) (tw_frac = 14);
  a product by it is rounded half up back to the data's LSB, every other operation is exact;
* forward 2-D FFT (rows, then columns), unscaled: rows need ``in_bits + fft_guard + 4``
  bits, spectra ``in_bits + fft_guard + 7`` (the modulus grows at most 2x per stage);
* kernel spectra: ``kernel_bits`` = 12 per real/imaginary part, one symmetric scale per layer;
* products: 4 real multiplications per complex product, rounded half up by ``prod_shift``
  bits (default 6), accumulated over the channels in ``acc_bits`` = 32 (no overflow for
  up to ``max_channels`` = 512 channels at the widths' worst case);
* inverse 2-D FFT (columns, then rows), each butterfly stage halves (rounded half up), so
  the output is 1/64 of the sum, as ``irfft2``: the column transform is the forward FFT
  with real and imaginary parts swapped at its input and output, the row transform a
  real-output inverse FFT of the half spectrum (:func:`real_ifft8`).

Rounding half up: ``rnd(z, n) = (z + 2**(n-1)) >> n`` (arithmetic shift).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from accelbench.designs.spectral.golden import (
    BINS,
    HALF,
    K,
    SpectralError,
    check_shapes,
    input_tiles,
    kernel_spectra,
    overlap_add,
    pad_input,
    prune_spectra,
)

#: DIF stage-1 twiddles W8^i of butterfly i (i = 0..3) and the stage-2 ones (W8^0, W8^2)
STAGE1_TWIDDLES = (0, 1, 2, 3)
STAGE2_TWIDDLES = (0, 2)


def bitrev3(i: int) -> int:
    return ((i & 1) << 2) | (i & 2) | ((i >> 2) & 1)


@dataclass(frozen=True)
class FixedPoint:
    """Word widths and roundings of the spectral hardware (all defaults, see module doc)."""

    in_bits: int = 8
    fft_guard: int = 2
    tw_frac: int = 14
    kernel_bits: int = 12
    prod_shift: int = 6
    acc_bits: int = 32
    max_channels: int = 512

    def __post_init__(self) -> None:
        worst = self.max_channels * ((2 * self.spec_peak * (1 << (self.kernel_bits - 1)))
                                     >> self.prod_shift)
        if worst >= 1 << (self.acc_bits - 1):
            raise SpectralError(f"acc_bits {self.acc_bits} can overflow for "
                                f"{self.max_channels} channels at these widths")

    @property
    def twiddle(self) -> int:
        """cos(pi/4) in tw_frac fraction bits."""
        return round(math.cos(math.pi / 4) * (1 << self.tw_frac))

    @property
    def spec_peak(self) -> int:
        """Bound on a spectrum part: 64 pixels of magnitude 2**(in_bits-1) (the modulus
        bound of the transform) plus the slack of 6 roundings."""
        return 64 * (1 << (self.in_bits - 1 + self.fft_guard)) + 6

    @property
    def row_bits(self) -> int:
        return self.in_bits + self.fft_guard + 4

    @property
    def spec_bits(self) -> int:
        return self.in_bits + self.fft_guard + 7

    @property
    def product_bits(self) -> int:
        """A complex product's real or imaginary part before rounding."""
        return self.spec_bits + self.kernel_bits + 1

    @property
    def ifft_bits(self) -> int:
        """Inside the scaled inverse FFT: the accumulator's modulus may reach sqrt(2) x its
        largest part, plus rounding slack."""
        return self.acc_bits + 2

    @property
    def out_bits(self) -> int:
        return self.acc_bits + 1

    @property
    def channel_bits(self) -> int:
        return max(1, (self.max_channels - 1).bit_length())


DEFAULT = FixedPoint()


def rnd(z: np.ndarray, n: int) -> np.ndarray:
    """Round half up by ``n`` bits (arithmetic shift)."""
    if n == 0:
        return z
    return (z + (1 << (n - 1))) >> n


def _twiddle(dr, di, k: int, fp: FixedPoint, shift: int):
    """(dr + j di) * W8^k, rounded by ``shift`` extra bits (0 or 1)."""
    if k == 0:
        return rnd(dr, shift), rnd(di, shift)
    if k == 2:  # -j: (di, -dr)
        return rnd(di, shift), rnd(-dr, shift)
    s1 = dr + di
    s2 = di - dr
    p1 = rnd(fp.twiddle * s1, fp.tw_frac + shift)
    p2 = rnd(fp.twiddle * s2, fp.tw_frac + shift)
    if k == 1:  # c (1 - j)
        return p1, p2
    return p2, -p1  # k == 3: -c (1 + j)


def _butterfly(ar, ai, br, bi, k: int, fp: FixedPoint, shift: int):
    top = rnd(ar + br, shift), rnd(ai + bi, shift)
    return top, _twiddle(ar - br, ai - bi, k, fp, shift)


def fft8(re: np.ndarray, im: np.ndarray, fp: FixedPoint = DEFAULT, *,
         scaled: bool = False) -> tuple[np.ndarray, np.ndarray]:
    """Integer radix-2 DIF 8-point FFT along the last axis (natural order in and out).

    ``scaled``: every stage halves its outputs (rounded), 1/8 overall.
    """
    shift = 1 if scaled else 0
    xr = [re[..., i].astype(np.int64) for i in range(8)]
    xi = [im[..., i].astype(np.int64) for i in range(8)]
    # stage 1: (i, i + 4), W8^i
    yr, yi = [None] * 8, [None] * 8
    for i, k in enumerate(STAGE1_TWIDDLES):
        (yr[i], yi[i]), (yr[i + 4], yi[i + 4]) = _butterfly(xr[i], xi[i], xr[i + 4], xi[i + 4],
                                                          k, fp, shift)
    # stage 2: within each half, (i, i + 2), W8^(2i)
    zr, zi = [None] * 8, [None] * 8
    for base in (0, 4):
        for i, k in enumerate(STAGE2_TWIDDLES):
            a, b = base + i, base + i + 2
            (zr[a], zi[a]), (zr[b], zi[b]) = _butterfly(yr[a], yi[a], yr[b], yi[b], k, fp,
                                                        shift)
    # stage 3: (2i, 2i + 1), W8^0; results in bit-reversed order
    outr, outi = [None] * 8, [None] * 8
    for i in range(4):
        a, b = 2 * i, 2 * i + 1
        (tr, ti), (br_, bi_) = _butterfly(zr[a], zi[a], zr[b], zi[b], 0, fp, shift)
        outr[bitrev3(a)], outi[bitrev3(a)] = tr, ti
        outr[bitrev3(b)], outi[bitrev3(b)] = br_, bi_
    return np.stack(outr, axis=-1), np.stack(outi, axis=-1)


def ifft8(re: np.ndarray, im: np.ndarray, fp: FixedPoint = DEFAULT
          ) -> tuple[np.ndarray, np.ndarray]:
    """Scaled 8-point inverse FFT (1/8): the forward one with re/im swapped in and out."""
    out_im, out_re = fft8(im, re, fp, scaled=True)
    return out_re, out_im


def fft2d(tiles: np.ndarray, fp: FixedPoint = DEFAULT) -> tuple[np.ndarray, np.ndarray]:
    """Real ... x 8 x 8 integer tiles -> (re, im) ... x 8 x 5 spectra (rfft2 layout) in
    units of 2**-fft_guard.

    Row pass: 8-point FFT of each row (imaginary inputs 0), bins 0..4 kept. Column pass:
    8-point FFT of each of the 5 columns.
    """
    tiles = np.asarray(tiles, dtype=np.int64) << fp.fft_guard
    rr, ri = fft8(tiles, np.zeros_like(tiles), fp)
    rr, ri = rr[..., :HALF], ri[..., :HALF]  # ... x 8 rows x 5
    cr, ci = fft8(np.swapaxes(rr, -1, -2), np.swapaxes(ri, -1, -2), fp)  # ... x 5 x 8 (v, u)
    return np.swapaxes(cr, -1, -2), np.swapaxes(ci, -1, -2)


def real_ifft8(zr: np.ndarray, zi: np.ndarray, fp: FixedPoint = DEFAULT) -> np.ndarray:
    """Scaled (1/8) real 8-point inverse FFT of a Hermitian half spectrum: ... x 5 bins
    (v = 0..4) -> ... x 8 real values, the real part of the inverse FFT of the spectrum
    extended by Z[8 - v] = conj(Z[v]) (so Im Z[0] and Im Z[4] do not count, as in
    numpy's irfft).

    Even/odd outputs are packed into one 4-point complex inverse FFT,
    g[m] = y[2m] + j y[2m+1] = sum_k G[k] j^(km) / 8 with G[k] = A[k] + j B[k],
    A[k] = Z[k] + Z[k+4], B[k] = (Z[k] - Z[k+4]) w^k (w = e^(j pi/4)). The symmetry gives
    G[3] from G[1] by conjugation and G[2] = 2 conj(Z[2]), so each value is computed
    once (the same structure as the netlist, with no redundant logic for synthesis to
    prove equivalent). Three stages, each halving with rounding half up.
    """
    z = [(zr[..., v].astype(np.int64), zi[..., v].astype(np.int64)) for v in range(5)]
    (z0r, _), (z1r, z1i), (z2r, z2i), (z3r, z3i), (z4r, _) = z
    # stage 1: G0 = (A0, B0), A1, B1 = D1 w, G2 = conj(Z2) (already halved)
    g0r, g0i = rnd(z0r + z4r, 1), rnd(z0r - z4r, 1)
    a1r, a1i = rnd(z1r + z3r, 1), rnd(z1i - z3i, 1)
    dr, di = z1r - z3r, z1i + z3i
    b1r = rnd(fp.twiddle * (dr - di), fp.tw_frac + 1)
    b1i = rnd(fp.twiddle * (dr + di), fp.tw_frac + 1)
    g2r, g2i = z2r, -z2i
    # stage 2: P = G0 + G2, M = G0 - G2 (halved); S = (G1 + G3) / 2, jT/2 = j(G1 - G3)/2
    pr, pi_ = rnd(g0r + g2r, 1), rnd(g0i + g2i, 1)
    mr, mi = rnd(g0r - g2r, 1), rnd(g0i - g2i, 1)
    sr, si = a1r, b1r
    tr, ti = -a1i, -b1i
    # stage 3
    out = [rnd(pr + sr, 1), rnd(pi_ + si, 1), rnd(mr + tr, 1), rnd(mi + ti, 1),
           rnd(pr - sr, 1), rnd(pi_ - si, 1), rnd(mr - tr, 1), rnd(mi - ti, 1)]
    return np.stack(out, axis=-1)


def ifft2d(yr: np.ndarray, yi: np.ndarray, fp: FixedPoint = DEFAULT) -> np.ndarray:
    """(re, im) ... x 8 x 5 spectra -> real ... x 8 x 8 blocks, 1/64 scaled (as irfft2).

    Column pass: scaled 8-point inverse FFT of each column v = 0..4. Row pass: the
    real inverse FFT of each half row (:func:`real_ifft8`).
    """
    cr, ci = ifft8(np.swapaxes(yr, -1, -2), np.swapaxes(yi, -1, -2), fp)  # ... x 5 x 8 (v, m)
    return real_ifft8(np.swapaxes(cr, -1, -2), np.swapaxes(ci, -1, -2), fp)


def complex_product(xr, xi, wr, wi, fp: FixedPoint = DEFAULT):
    """Rounded (xr + j xi)(wr + j wi): ``rnd(xr wr - xi wi)``, ``rnd(xr wi + xi wr)``."""
    xr, xi, wr, wi = (np.asarray(a, dtype=np.int64) for a in (xr, xi, wr, wi))
    return rnd(xr * wr - xi * wi, fp.prod_shift), rnd(xr * wi + xi * wr, fp.prod_shift)


def hadamard(xr, xi, wr, wi, fp: FixedPoint = DEFAULT) -> tuple[np.ndarray, np.ndarray]:
    """Sum over channels of rounded products. x: C x ... x 40 (one tile spectrum per
    channel), w: N x C x 40 -> N x ... x 40 accumulators (pruned bins hold 0)."""
    xr, xi = np.asarray(xr, dtype=np.int64), np.asarray(xi, dtype=np.int64)
    wr, wi = np.asarray(wr, dtype=np.int64), np.asarray(wi, dtype=np.int64)
    extra = xr.ndim - 2
    shape_w = (wr.shape[0], wr.shape[1], *([1] * extra), BINS)
    accr = np.zeros((wr.shape[0], *xr.shape[1:]), dtype=np.int64)
    acci = np.zeros_like(accr)
    for c in range(xr.shape[0]):
        pr, pi = complex_product(xr[c][None], xi[c][None], wr[:, c].reshape(
            shape_w[:1] + shape_w[2:]), wi[:, c].reshape(shape_w[:1] + shape_w[2:]), fp)
        accr += pr
        acci += pi
    return accr, acci


@dataclass
class QuantizedLayer:
    """A layer in the hardware's integers: input pixels, kernel spectra, their scales."""

    x: np.ndarray  # C x H x W int
    x_scale: float
    wr: np.ndarray  # N x C x 40 int (pruned bins 0)
    wi: np.ndarray
    w_scale: float
    mask: np.ndarray  # N x C x 40 kept bins
    k: int
    padding: int


def quantize_input(x: np.ndarray, fp: FixedPoint = DEFAULT) -> tuple[np.ndarray, float]:
    """Symmetric per-tensor quantisation to ``in_bits``: (integers, scale)."""
    top = (1 << (fp.in_bits - 1)) - 1
    peak = float(np.max(np.abs(x))) if np.size(x) else 0.0
    scale = peak / top if peak > 0 else 1.0
    return np.clip(np.rint(x / scale), -top - 1, top).astype(np.int64), scale


def quantize_spectra(spectra: np.ndarray, fp: FixedPoint = DEFAULT
                     ) -> tuple[np.ndarray, np.ndarray, float]:
    """N x C x 8 x 5 complex -> (re, im) N x C x 40 ints in ``kernel_bits``, one scale."""
    top = (1 << (fp.kernel_bits - 1)) - 1
    flat = spectra.reshape(*spectra.shape[:-2], BINS)
    peak = float(max(np.max(np.abs(flat.real)), np.max(np.abs(flat.imag)))) if flat.size \
        else 0.0
    scale = peak / top if peak > 0 else 1.0
    return (np.rint(flat.real / scale).astype(np.int64),
            np.rint(flat.imag / scale).astype(np.int64), scale)


def quantize_layer(x: np.ndarray, w: np.ndarray, padding: int = 0,
                   density: float | None = None, fp: FixedPoint = DEFAULT,
                   x_scale: float | None = None) -> QuantizedLayer:
    """Quantise a layer for the hardware: input to ``in_bits`` (or with a given scale),
    kernel spectra (optionally pruned to ``density``) to ``kernel_bits``."""
    k, _, _ = check_shapes(np.asarray(x), np.asarray(w), padding)
    if x_scale is None:
        xq, x_scale = quantize_input(x, fp)
    else:
        top = (1 << (fp.in_bits - 1)) - 1
        xq = np.clip(np.rint(np.asarray(x) / x_scale), -top - 1, top).astype(np.int64)
    spectra = kernel_spectra(w)
    if density is not None and density < 1:
        pruned = prune_spectra(spectra, density)
        spectra, mask = pruned.spectra, pruned.mask
    else:
        mask = np.ones((*spectra.shape[:2], BINS), dtype=bool)
    wr, wi, w_scale = quantize_spectra(spectra, fp)
    wr[~mask] = 0
    wi[~mask] = 0
    return QuantizedLayer(xq, x_scale, wr, wi, w_scale, mask, k, padding)


def layer_tiles(q: QuantizedLayer) -> np.ndarray:
    """C x Th x Tw x 8 x 8 integer input tiles of a quantised layer."""
    return input_tiles(pad_input(q.x, q.padding), q.k)


def spectral_conv2d_fixed(q: QuantizedLayer, fp: FixedPoint = DEFAULT) -> np.ndarray:
    """The hardware's integer result, N x H' x W' (before scaling): FFT of every tile,
    sparse Hadamard products summed over channels, inverse FFT, overlap-and-add."""
    tiles = layer_tiles(q)
    xr, xi = fft2d(tiles, fp)  # C x Th x Tw x 8 x 5
    xr = xr.reshape(*xr.shape[:3], BINS)
    xi = xi.reshape(*xi.shape[:3], BINS)
    yr, yi = hadamard(xr, xi, q.wr, q.wi, fp)  # N x Th x Tw x 40
    blocks = ifft2d(yr.reshape(*yr.shape[:3], K, HALF), yi.reshape(*yi.shape[:3], K, HALF), fp)
    hp, wp = q.x.shape[1] + 2 * q.padding, q.x.shape[2] + 2 * q.padding
    return overlap_add(blocks, q.k, (hp - q.k + 1, wp - q.k + 1))


def output_scale(q: QuantizedLayer, fp: FixedPoint = DEFAULT) -> float:
    """Float value of one LSB of :func:`spectral_conv2d_fixed`'s output."""
    return q.x_scale * q.w_scale * 2.0 ** (fp.prod_shift - fp.fft_guard)


def spectral_conv2d_quantized(x: np.ndarray, w: np.ndarray, padding: int = 0,
                              density: float | None = None, fp: FixedPoint = DEFAULT,
                              x_scale: float | None = None) -> np.ndarray:
    """The fixed-point model's result in float units (for error measurement)."""
    q = quantize_layer(x, w, padding, density, fp, x_scale)
    return spectral_conv2d_fixed(q, fp).astype(np.float64) * output_scale(q, fp)
