"""Float golden model of spectral convolution: 8x8 FFT tiles with overlap-and-add (OaA).

A stride-1 cross-correlation (PyTorch ``conv2d``) of a C x H x W input with N x C x k x k
kernels is computed as the linear *convolution* of the input with the flipped kernels:

* the zero-padded input is cut into tiles of ``t = K - k + 1`` pixels (K = 8);
* each tile, zero-padded to K x K, is transformed (``rfft2``: 8 x 5 = 40 bins);
* it is multiplied bin by bin with the spectrum of each flipped kernel (zero-padded to
  K x K), the products are summed over the C channels;
* the sum is inverse-transformed into a K x K block, the full linear convolution of the
  tile, and the blocks are accumulated at stride ``t`` (they overlap by ``k - 1``);
* output pixel (i, j) is the full convolution at (i + k - 1, j + k - 1).

Bins are numbered in numpy's ``rfft2`` layout, ``bin = 5 * u + v`` for row frequency
u = 0..7 and column frequency v = 0..4. Columns v = 0 and v = 4 are self-conjugate: bin
(u, v) and bin ((8 - u) % 8, v) are complex conjugates for a real kernel (the **mirror
pairs**, 6 of them), bins (0, 0), (4, 0), (0, 4), (4, 4) are real. Spectral pruning keeps
a mirror pair together (both or neither), so a pruned spectrum is still the spectrum of a
real spatial kernel and the inverse transform discards nothing.
"""

from __future__ import annotations

import numpy as np

from accelbench.errors import AccelbenchError

#: FFT size (the tile side), the paper's default
K = 8
#: rfft2 columns (K // 2 + 1) and the stored bins per spectrum (the default counts 40, not 64)
HALF = K // 2 + 1
BINS = K * HALF


class SpectralError(AccelbenchError, ValueError):
    """Shapes or parameters the spectral models do not support."""


def tile_size(k: int, fft_size: int = K) -> int:
    """Input pixels per tile side for a k x k kernel: ``fft_size - k + 1``."""
    if not 1 <= k <= fft_size:
        raise SpectralError(f"kernel size {k} does not fit an {fft_size}-point FFT tile")
    return fft_size - k + 1


def _mirror_of_bins(fft_size: int = K) -> np.ndarray:
    half = fft_size // 2 + 1
    mirror = np.arange(fft_size * half)
    for v in (0, fft_size // 2):
        for u in range(fft_size):
            mirror[u * half + v] = ((fft_size - u) % fft_size) * half + v
    return mirror


#: MIRROR[b]: the bin that is b's complex conjugate inside the 40-bin layout (b itself for
#: every bin outside columns 0 and 4 and for the four real bins)
MIRROR = _mirror_of_bins()


def bin_uv(b: int | np.ndarray) -> tuple:
    """(row frequency u, column frequency v) of bin ``b``."""
    return np.divmod(b, HALF)


def pad_input(x: np.ndarray, padding: int) -> np.ndarray:
    if padding < 0:
        raise SpectralError(f"padding must be >= 0, got {padding}")
    return np.pad(x, ((0, 0), (padding, padding), (padding, padding)))


def check_shapes(x: np.ndarray, w: np.ndarray, padding: int) -> tuple[int, int, int]:
    """(k, H', W') of a stride-1 convolution, or a clear error."""
    if x.ndim != 3 or w.ndim != 4:
        raise SpectralError(f"expected input C x H x W and kernels N x C x k x k, got shapes "
                            f"{x.shape} and {w.shape}")
    if w.shape[1] != x.shape[0] or w.shape[2] != w.shape[3]:
        raise SpectralError(f"kernels {w.shape} do not match an input of {x.shape[0]} "
                            "channels, or are not square")
    k = w.shape[2]
    tile_size(k)
    out_h, out_w = x.shape[1] + 2 * padding - k + 1, x.shape[2] + 2 * padding - k + 1
    if out_h < 1 or out_w < 1:
        raise SpectralError(f"a {k}x{k} kernel does not fit the padded {x.shape[1:]} input")
    return k, out_h, out_w


def direct_conv2d(x: np.ndarray, w: np.ndarray, padding: int = 0) -> np.ndarray:
    """Reference cross-correlation (PyTorch conv2d, stride 1) in float64."""
    k, out_h, out_w = check_shapes(x, w, padding)
    xp = pad_input(np.asarray(x, dtype=np.float64), padding)
    out = np.zeros((w.shape[0], out_h, out_w))
    for a in range(k):
        for b in range(k):
            out += np.einsum("nc,chw->nhw", w[:, :, a, b].astype(np.float64),
                             xp[:, a:a + out_h, b:b + out_w])
    return out


def input_tiles(xp: np.ndarray, k: int, fft_size: int = K) -> np.ndarray:
    """C x Th x Tw x K x K: tiles of t x t padded-input pixels, zero-padded to K x K.

    Tiles cover the padded input at stride t; the last tile row/column is zero-filled.
    """
    t = tile_size(k, fft_size)
    c, hp, wp = xp.shape
    th, tw = -(-hp // t), -(-wp // t)
    grid = np.zeros((c, th * t, tw * t), dtype=xp.dtype)
    grid[:, :hp, :wp] = xp
    tiles = np.zeros((c, th, tw, fft_size, fft_size), dtype=xp.dtype)
    tiles[..., :t, :t] = grid.reshape(c, th, t, tw, t).transpose(0, 1, 3, 2, 4)
    return tiles


def overlap_add(blocks: np.ndarray, k: int, out_hw: tuple[int, int],
                fft_size: int = K) -> np.ndarray:
    """Accumulate N x Th x Tw x K x K blocks at stride t; crop to the output pixels."""
    t = tile_size(k, fft_size)
    n, th, tw = blocks.shape[:3]
    full = np.zeros((n, th * t + fft_size - t, tw * t + fft_size - t), dtype=blocks.dtype)
    for i in range(th):
        for j in range(tw):
            full[:, i * t:i * t + fft_size, j * t:j * t + fft_size] += blocks[:, i, j]
    return full[:, k - 1:k - 1 + out_hw[0], k - 1:k - 1 + out_hw[1]]


def kernel_spectra(w: np.ndarray, fft_size: int = K) -> np.ndarray:
    """N x C x K x (K/2+1) complex: rfft2 of each flipped kernel zero-padded to K x K."""
    k = w.shape[-1]
    tile_size(k, fft_size)
    flipped = np.asarray(w, dtype=np.float64)[..., ::-1, ::-1]
    return np.fft.rfft2(flipped, s=(fft_size, fft_size))


def spectral_conv2d_spectra(x: np.ndarray, spectra: np.ndarray, k: int,
                            padding: int = 0) -> np.ndarray:
    """Spectral convolution of ``x`` with given kernel spectra (N x C x 8 x 5, e.g. pruned)."""
    fft_size = spectra.shape[-2]
    if spectra.shape[-1] != fft_size // 2 + 1 or spectra.shape[1] != x.shape[0]:
        raise SpectralError(f"spectra {spectra.shape} are not N x {x.shape[0]} x K x K/2+1")
    xp = pad_input(np.asarray(x, dtype=np.float64), padding)
    out_hw = (xp.shape[1] - k + 1, xp.shape[2] - k + 1)
    tiles = np.fft.rfft2(input_tiles(xp, k, fft_size))  # C x Th x Tw x K x 5
    products = np.einsum("cijuv,ncuv->nijuv", tiles, spectra, optimize=True)
    blocks = np.fft.irfft2(products, s=(fft_size, fft_size))
    return overlap_add(blocks, k, out_hw, fft_size)


def spectral_conv2d(x: np.ndarray, w: np.ndarray, padding: int = 0,
                    density: float | None = None) -> np.ndarray:
    """Stride-1 cross-correlation of ``x`` (C x H x W) with ``w`` (N x C x k x k) by 8x8
    FFT tiles with overlap-and-add; N x H' x W', equal to :func:`direct_conv2d` within
    float rounding. ``density`` < 1 prunes each kernel's 40-bin spectrum first
    (:func:`prune_spectra`)."""
    k, _, _ = check_shapes(np.asarray(x), np.asarray(w), padding)
    spectra = kernel_spectra(w)
    if density is not None:
        spectra = prune_spectra(spectra, density).spectra
    return spectral_conv2d_spectra(x, spectra, k, padding)


class PrunedSpectra:
    """Magnitude-pruned kernel spectra: ``spectra`` (N x C x 8 x 5, zeros where pruned)
    and ``mask`` (N x C x 40 bools, the kept bins)."""

    def __init__(self, spectra: np.ndarray, mask: np.ndarray, density: float) -> None:
        self.spectra = spectra
        self.mask = mask
        self.density = density

    @property
    def nonzeros(self) -> int:
        return int(self.mask.sum())

    def bins(self, n: int, c: int) -> list[int]:
        """The kept bins of kernel (filter n, channel c), in index order (the issue order)."""
        return np.flatnonzero(self.mask[n, c]).tolist()


def kept_bins_per_kernel(density: float, bins: int = BINS) -> int:
    """Bins each kernel keeps at ``density``: round(density * 40), at least 1."""
    if not 0 < density <= 1:
        raise SpectralError(f"density must be in (0, 1], got {density}")
    return max(1, int(np.floor(density * bins + 0.5)))


def prune_mask(spectra: np.ndarray, density: float) -> np.ndarray:
    """Keep the round(40 d) largest-magnitude bins of each (filter, channel) kernel.

    Units are ranked by magnitude (ties by lower bin index): a mirror pair of columns 0/4
    is one unit of two bins, every other bin a unit of one. Units are taken in rank order
    while they fit; if one slot is left when a pair comes up, the next single bin in rank
    order takes it. The kept set is closed under the mirror, so the pruned spectrum is
    Hermitian and its inverse transform is real. N x C x 40 bools.
    """
    n_keep = kept_bins_per_kernel(density)
    mag = np.abs(spectra).reshape(*spectra.shape[:-2], BINS)
    if n_keep >= BINS:
        return np.ones(mag.shape, dtype=bool)
    mirror = MIRROR
    rep = np.minimum(np.arange(BINS), mirror)  # each unit's lower bin
    units = np.unique(rep)  # 34 units
    size = np.where(mirror[units] != units, 2, 1)
    unit_mag = np.maximum(mag[..., units], mag[..., mirror[units]])
    # descending magnitude, ties by lower bin index (a stable sort of -magnitude)
    order = np.argsort(-unit_mag, axis=-1, kind="stable")
    sizes = size[order]
    cum = np.cumsum(sizes, axis=-1)
    take = cum <= n_keep
    count = np.where(take, sizes, 0).sum(axis=-1)
    # one slot left: the first single unit after the prefix fills it
    short = count == n_keep - 1
    single_after = (~take) & (sizes == 1)
    first = np.argmax(single_after, axis=-1)
    fill = short & single_after.any(axis=-1)
    idx = np.nonzero(fill)
    take[(*idx, first[idx])] = True
    kept_units = np.zeros(take.shape, dtype=bool)
    np.put_along_axis(kept_units, order, take, axis=-1)
    unit_of_bin = np.searchsorted(units, rep)
    return kept_units[..., unit_of_bin]


def prune_spectra(spectra: np.ndarray, density: float) -> PrunedSpectra:
    """Magnitude pruning per (filter, channel) kernel to ``density`` (:func:`prune_mask`)."""
    mask = prune_mask(spectra, density)
    pruned = spectra * mask.reshape(spectra.shape)
    return PrunedSpectra(pruned, mask, density)

