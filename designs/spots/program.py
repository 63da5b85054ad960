"""Compile a layer for the SPOTS netlist: weight lists and memory images."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from accelbench.designs.spots.netlist import MemoryShapes, meta_layout
from accelbench.designs.spots.plan import LayerPlan, weight_block_mask


@dataclass
class Program:
    plan: LayerPlan
    #: per filter tile, the block ids issued in order (empty: one dummy step)
    lists: list[list[int]]
    meta: list[int]  # packed entry words
    weights: np.ndarray  # logical column x (entries * block) int64
    entries: int


def dense_weight(weight: np.ndarray, groups: int) -> np.ndarray:
    """O x C x kh x kw with zeros outside each filter's group."""
    o, cg, kh, kw = weight.shape
    full = np.zeros((o, cg * groups, kh, kw), dtype=np.int64)
    ng = o // groups
    for g in range(groups):
        full[g * ng:(g + 1) * ng, g * cg:(g + 1) * cg] = weight[g * ng:(g + 1) * ng]
    return full


def compile_layer(plan: LayerPlan, weight: np.ndarray) -> Program:
    mask = weight_block_mask(plan, weight)
    full = dense_weight(weight, plan.groups)
    n, c = plan.shape.filters, plan.shape.channels
    cl, g = plan.tile_filters, plan.config.block
    ml = meta_layout(plan)
    lists, meta, rows = [], [], []
    for f in range(plan.filter_tiles):
        listed = [int(b) for b in np.flatnonzero(mask[f])]
        lists.append(listed)
        filters = np.arange(f * cl, (f + 1) * cl)
        if not listed:
            meta.append(ml.pack(0, 0, 0, True, True, True))
            rows.append(np.zeros((g, cl), dtype=np.int64))
            continue
        for i, b in enumerate(listed):
            dy, dx, cb = plan.block_fields(b)
            meta.append(ml.pack(dy, dx, cb, i == 0, i == len(listed) - 1, False))
            block = np.zeros((g, cl), dtype=np.int64)
            chans = np.arange(cb * g, min(cb * g + g, c))
            ok = filters < n
            block[:len(chans)][:, ok] = full[filters[ok]][:, chans, dy, dx].T
            rows.append(block)
    weights = np.concatenate(rows, axis=0).T  # cl x (entries * g)
    return Program(plan, lists, meta, weights, len(meta))


def gbuf_image(plan: LayerPlan, ms: MemoryShapes, x: np.ndarray) -> np.ndarray:
    """banks x 2**ms.gbuf words: address {y, xb, c} of bank b = x[c, y, xb * banks + b]."""
    c, h, w = x.shape
    nb, xbs = plan.banks, plan.column_blocks
    img = np.zeros((nb, 1 << ms.y, 1 << ms.xb, 1 << ms.c), dtype=np.int64)
    padded = np.zeros((c, h, xbs * nb), dtype=np.int64)
    padded[:, :, :w] = x
    per_bank = padded.reshape(c, h, xbs, nb).transpose(3, 1, 2, 0)  # nb x h x xb x c
    img[:, :h, :xbs, :c] = per_bank
    return img.reshape(nb, -1)
