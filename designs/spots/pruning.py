"""Magnitude pruning of weights: block-wise at the skip granularity (default) or per
element, plus a random block mask for networks without real weights."""

from __future__ import annotations

import math

import numpy as np


def block_norms(weight: np.ndarray, groups: int, cols: int, block: int) -> np.ndarray:
    """Squared L2 norm of each skip block: filter tiles of ``cols`` filters x channel
    blocks of ``block`` (absolute channel index) x kh x kw. ``weight``: O x C/g x kh x kw.
    Blocks outside every filter's group get -1."""
    o, cg, kh, kw = weight.shape
    c = cg * groups
    ft, cbs = math.ceil(o / cols), math.ceil(c / block)
    sq = weight.astype(np.float64) ** 2
    norms = np.zeros((ft, cbs, kh, kw))
    present = np.zeros((ft, cbs), dtype=bool)
    filt = np.repeat(np.arange(o), cg)
    chan = (filt // (o // groups)) * cg + np.tile(np.arange(cg), o)
    np.add.at(norms, (filt // cols, chan // block), sq.reshape(o * cg, kh, kw))
    present[filt // cols, chan // block] = True
    norms[~present] = -1.0
    return norms


def block_prune_levels(weight: np.ndarray, groups: int, cols: int, block: int,
                       sparsities) -> list[np.ndarray]:
    """:func:`block_prune` at several sparsities (one sort; the pruned sets are nested)."""
    norms = block_norms(weight, groups, cols, block)
    live = np.flatnonzero(norms.reshape(-1) >= 0)
    order = live[np.argsort(norms.reshape(-1)[live], kind="stable")]
    o, cg = weight.shape[:2]
    filt = np.arange(o)[:, None]
    chan = (filt // (o // groups)) * cg + np.arange(cg)[None, :]
    out = []
    for sparsity in sparsities:
        keep = np.ones(norms.size, dtype=bool)
        keep[order[:round(max(sparsity, 0) * len(live))]] = False
        mask = keep.reshape(norms.shape)[filt // cols, chan // block]  # o x cg x kh x kw
        out.append(np.where(mask, weight, 0).astype(weight.dtype))
    return out


def block_prune(weight: np.ndarray, groups: int, cols: int, block: int,
                sparsity: float) -> np.ndarray:
    """Zero the ``sparsity`` fraction of skip blocks with the smallest L2 norm (among the
    blocks that hold weights), layer by layer. Returns a pruned copy."""
    return block_prune_levels(weight, groups, cols, block, [sparsity])[0]


def magnitude_prune_levels(weight: np.ndarray, sparsities) -> list[np.ndarray]:
    """:func:`magnitude_prune` at several sparsities (one sort)."""
    flat = np.abs(weight).reshape(-1)
    order = np.argsort(flat, kind="stable")
    out = []
    for sparsity in sparsities:
        pruned = weight.copy().reshape(-1)
        pruned[order[:round(max(sparsity, 0) * flat.size)]] = 0
        out.append(pruned.reshape(weight.shape))
    return out


def magnitude_prune(weight: np.ndarray, sparsity: float) -> np.ndarray:
    """Element-wise magnitude pruning of one layer (unstructured)."""
    return magnitude_prune_levels(weight, [sparsity])[0]


def random_block_mask(structural: np.ndarray, sparsity: float,
                      rng: np.random.Generator) -> np.ndarray:
    """Keep-mask of skip blocks when the weights are unknown: block magnitude pruning of
    i.i.d. weights removes a uniformly random ``sparsity`` fraction of the blocks."""
    live = np.flatnonzero(structural.reshape(-1))
    n_prune = round(sparsity * len(live))
    keep = structural.copy().reshape(-1)
    keep[rng.permutation(live)[:n_prune]] = False
    return keep.reshape(structural.shape)
