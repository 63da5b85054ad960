"""How a convolution maps onto SPOTS: tiles, skip blocks and the compacted weight lists.

Terms (all labelled defaults, see docs/spots.md):

* The GEMM unit is a physical array of ``rows`` x ``cols`` PEs made of ``subarrays``
  sub-arrays of ``rows / subarrays`` rows. Tall mode: one array, every row a different
  output pixel (``lanes = rows``), ``cols`` filters per tile. Split mode: the sub-arrays
  share the first ``rows / subarrays`` patch lanes and each takes its own ``cols``
  filters (``subarrays * cols`` filters per tile).
* A pixel tile is ``lanes`` consecutive output pixels of one output row.
* The reduction index k = (dy, dx, c) runs in time, channels innermost. A skip block is
  ``block`` consecutive channels at one kernel position (dy, dx): ``block`` K-rows of the
  weight matrix across the tile's filters, and the matching ``block`` values of each
  lane's patch.
* Weight skipping is static: each filter tile keeps the list of its blocks with a
  non-zero weight (a compacted, block-sparse weight format); skipped blocks cost
  nothing. Grouped and depthwise convolutions are block-sparse by construction, so
  their cross-group blocks are never listed.
* Input skipping is dynamic: before issuing a listed block the controller reads the
  block's zero flags (one bit per activation, written by the IM2COL unit as the input
  streams in) for all lanes; an all-zero block costs one cycle instead of ``block``.
"""

from __future__ import annotations

import functools
import math
from dataclasses import dataclass, replace
from functools import cached_property

import numpy as np

from accelbench.engines.layers import ConvShape


def _power_of_two(n: int) -> bool:
    return n >= 1 and not n & (n - 1)


@dataclass(frozen=True)
class SpotsConfig:
    """Hardware parameters. The defaults are labelled "default" wherever shown: the
    paper's exact array shape and skip granularity are not known here.

    ``banks``: IM2COL local memories (a power of two, at least ``rows``; default the
    smallest power of two >= 2 x rows, so a stride-2 layer runs in tall mode). A layer
    with stride s runs in a mode whose lanes x s fit the banks.
    """

    rows: int = 32
    cols: int = 8
    subarrays: int = 4
    block: int = 8
    banks: int = 0  # 0: the default above
    skip_weights: bool = True
    skip_inputs: bool = True

    def __post_init__(self) -> None:
        if self.rows % self.subarrays:
            raise ValueError(f"rows {self.rows} not divisible by subarrays {self.subarrays}")
        if not _power_of_two(self.block):
            raise ValueError(f"block must be a power of two, got {self.block}")
        if not self.banks:
            object.__setattr__(self, "banks", 1 << (2 * self.rows - 1).bit_length())
        if not _power_of_two(self.banks) or self.banks < self.rows:
            raise ValueError(f"banks must be a power of two >= rows {self.rows}, got "
                             f"{self.banks}")

    @property
    def skipping(self) -> SpotsConfig:
        return replace(self, skip_weights=True, skip_inputs=True)

    @property
    def no_skip(self) -> SpotsConfig:
        return replace(self, skip_weights=False, skip_inputs=False)

    def max_stride(self, split: bool) -> int:
        """The largest stride a mode can run (lanes x stride <= banks)."""
        return self.banks // (self.rows_per_sub if split else self.rows)

    def modes(self, stride: int) -> tuple[bool, ...]:
        """The modes (split?) that can run a layer of ``stride``."""
        candidates = (False, True) if self.subarrays > 1 else (False,)
        return tuple(m for m in candidates if stride <= self.max_stride(m))

    @property
    def rows_per_sub(self) -> int:
        return self.rows // self.subarrays

    @property
    def pes(self) -> int:
        return self.rows * self.cols


@dataclass(frozen=True)
class LayerPlan:
    """A convolution (all groups) on a SPOTS configuration in one mode."""

    shape: ConvShape  # channels/filters of the whole layer
    config: SpotsConfig
    split: bool

    def __post_init__(self) -> None:
        if self.split and self.config.subarrays == 1:
            raise ValueError("split mode needs more than one sub-array")

    @property
    def feasible(self) -> bool:
        """The mode's lanes x stride fit the IM2COL banks (every lane its own bank)."""
        return self.lanes * self.stride <= self.config.banks

    @property
    def tall(self) -> LayerPlan:
        """The same layer in tall mode (``cols`` filters per tile: the tiling of the
        listed-block masks)."""
        return replace(self, split=False)

    @property
    def groups(self) -> int:
        return self.shape.groups

    @property
    def lanes(self) -> int:
        return self.config.rows_per_sub if self.split else self.config.rows

    @property
    def tile_filters(self) -> int:
        return self.config.cols * (self.config.subarrays if self.split else 1)

    @property
    def stride(self) -> int:
        return self.shape.stride

    @property
    def banks(self) -> int:
        """IM2COL local memories (input column x lives in bank x mod banks)."""
        return self.config.banks

    @property
    def slots(self) -> int:
        """Input rows the local memories hold: kh in use plus ``stride`` being loaded."""
        return self.shape.kernel[0] + self.stride

    @property
    def out_hw(self) -> tuple[int, int]:
        return self.shape.out_hw

    @property
    def pixel_tiles(self) -> int:
        """Pixel tiles per output row."""
        return math.ceil(self.out_hw[1] / self.lanes)

    @property
    def filter_tiles(self) -> int:
        return math.ceil(self.shape.filters / self.tile_filters)

    @property
    def channel_blocks(self) -> int:
        return math.ceil(self.shape.channels / self.config.block)

    @property
    def blocks(self) -> int:
        kh, kw = self.shape.kernel
        return kh * kw * self.channel_blocks

    @property
    def column_blocks(self) -> int:
        """Column blocks of ``banks`` columns per input row (XB): the loader's beats per
        channel and input row."""
        return math.ceil(self.shape.width / self.banks)

    @cached_property
    def block_sizes(self) -> np.ndarray:
        """K-rows in each block (the last channel block may be partial)."""
        g, c = self.config.block, self.shape.channels
        per_cb = np.minimum(g, c - np.arange(self.channel_blocks) * g)
        return np.tile(per_cb, self.shape.kernel[0] * self.shape.kernel[1])

    def block_fields(self, b: int) -> tuple[int, int, int]:
        """(dy, dx, channel block) of block ``b``."""
        kw, cb = self.shape.kernel[1], self.channel_blocks
        pos, c = divmod(b, cb)
        dy, dx = divmod(pos, kw)
        return dy, dx, c


@functools.lru_cache(maxsize=256)
def structural_block_mask(plan: LayerPlan) -> np.ndarray:
    """F x B: blocks that hold any weight of the tile's filters at all (groups); cached,
    read-only."""
    f_tiles, cl = plan.filter_tiles, plan.tile_filters
    n, c, g = plan.shape.filters, plan.shape.channels, plan.groups
    cb, blk = plan.channel_blocks, plan.config.block
    # channel range of each filter's group, and of each channel block
    filt = np.arange(f_tiles * cl)
    grp = np.minimum(filt, n - 1) // (n // g)
    lo, hi = grp * (c // g), (grp + 1) * (c // g)
    blo = np.arange(cb) * blk
    bhi = np.minimum(blo + blk, c)
    touch = (lo[:, None] < bhi[None, :]) & (blo[None, :] < hi[:, None])  # filters x cb
    touch &= (filt < n)[:, None]
    per_tile = touch.reshape(f_tiles, cl, cb).any(axis=1)  # F x CB
    kh, kw = plan.shape.kernel
    out = np.tile(per_tile, (1, kh * kw))
    out.flags.writeable = False
    return out


@functools.lru_cache(maxsize=256)
def structural_pairs(plan: LayerPlan) -> np.ndarray:
    """F x B: (filter, K-row) pairs of the tile and block that hold a weight of the
    filter's own group, i.e. the MACs a dense engine would also do (cached, read-only)."""
    f_tiles, cl = plan.filter_tiles, plan.tile_filters
    n, c, g = plan.shape.filters, plan.shape.channels, plan.groups
    cbs, blk = plan.channel_blocks, plan.config.block
    kh, kw = plan.shape.kernel
    lo_f = np.arange(f_tiles) * cl
    hi_f = np.minimum(lo_f + cl, n)
    if g == 1:
        per = np.outer(hi_f - lo_f, np.minimum(blk, c - np.arange(cbs) * blk))
    else:
        ng, cg = n // g, c // g
        grp = np.arange(c) // cg  # each channel's group, and its filters' range
        overlap = (np.minimum(hi_f[:, None], (grp[None, :] + 1) * ng)
                   - np.maximum(lo_f[:, None], grp[None, :] * ng)).clip(min=0)  # F x C
        padded = np.zeros((f_tiles, cbs * blk), dtype=np.int64)
        padded[:, :c] = overlap
        per = padded.reshape(f_tiles, cbs, blk).sum(axis=2)
    out = np.tile(per, (1, kh * kw))
    out.flags.writeable = False
    return out


def weight_block_mask(plan: LayerPlan, weight: np.ndarray | None) -> np.ndarray:
    """F x B listed blocks. ``weight`` is O x C/groups x kh x kw (None: dense)."""
    structural = structural_block_mask(plan)
    if weight is None or not plan.config.skip_weights:
        return structural
    n, c, g = plan.shape.filters, plan.shape.channels, plan.groups
    kh, kw = plan.shape.kernel
    cl, f_tiles, blk, cbs = plan.tile_filters, plan.filter_tiles, plan.config.block, \
        plan.channel_blocks
    nz = weight != 0  # O x C/g x kh x kw
    cg, ng = c // g, n // g
    if g == 1:
        full = np.zeros((f_tiles * cl, cbs * blk, kh, kw), dtype=bool)
        full[:n, :c] = nz
        mask = full.reshape(f_tiles, cl, cbs, blk, kh, kw).any(axis=(1, 3))
        mask = mask.transpose(0, 2, 3, 1)
    else:  # scatter each filter's channels into absolute channel blocks
        filt = np.repeat(np.arange(n), cg)
        chan = (filt // ng) * cg + np.tile(np.arange(cg), n)
        mask = np.zeros((f_tiles, cbs, kh, kw), dtype=bool)
        np.logical_or.at(mask, (filt // cl, chan // blk), nz.reshape(n * cg, kh, kw))
        mask = mask.transpose(0, 2, 3, 1)
    return mask.reshape(f_tiles, kh * kw * cbs) & structural


def input_block_mask(plan: LayerPlan, nonzero: np.ndarray | None) -> np.ndarray:
    """B x E_h x pixel tiles: whether any lane of the tile has a non-zero activation in
    the block. ``nonzero``: C x H x W bool (None: assume no zero blocks)."""
    eh = plan.out_hw[0]
    if nonzero is None or not plan.config.skip_inputs:
        return np.ones((plan.blocks, eh, plan.pixel_tiles), dtype=bool)
    c, h, w = nonzero.shape
    blk, cbs = plan.config.block, plan.channel_blocks
    padded_c = np.zeros((cbs * blk, h, w), dtype=bool)
    padded_c[:c] = nonzero
    per_cb = padded_c.reshape(cbs, blk, h, w).any(axis=1)
    t, b, left, r = plan.shape.pads
    xp = np.zeros((cbs, h + t + b, w + left + r), dtype=bool)
    xp[:, t:t + h, left:left + w] = per_cb
    kh, kw = plan.shape.kernel
    s = plan.stride
    _, ew = plan.out_hw
    lanes, tw = plan.lanes, plan.pixel_tiles
    out = np.empty((kh, kw, cbs, eh, tw), dtype=bool)
    for dy in range(kh):
        for dx in range(kw):
            win = xp[:, dy:dy + s * (eh - 1) + 1:s, dx:dx + s * (ew - 1) + 1:s]
            full = np.zeros((cbs, eh, tw * lanes), dtype=bool)
            full[:, :, :ew] = win
            out[dy, dx] = full.reshape(cbs, eh, tw, lanes).any(axis=3)
    return out.reshape(kh * kw * cbs, eh, tw)
