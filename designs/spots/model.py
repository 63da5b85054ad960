"""Cycle and read model of the SPOTS netlist, exact (checked against simulation).

Per layer: the controller walks output rows r, pixel tiles t, filter tiles f; a tile
costs T = sum over its listed blocks of (block size if the input block has a non-zero
activation, else 1), or 1 if nothing is listed. A tile's last step is held until
``rows_per_sub`` cycles after the previous tile's (column readout). An output row starts
``FRONT_END_LATENCY`` cycles after the loader has streamed the input rows it needs (the
front end fetches its first entry and reads the zero flags), and not before the previous
row's last step; the loader overwrites a local-memory row only once no later output row
needs it, one cycle after the last step that read it (``LOADER_RELEASE``). The last
output leaves ``ISSUE_TO_ARRAY`` + rows (+ cols) cycles after the last step.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from accelbench.designs.spots.control import FRONT_END_LATENCY, ISSUE_TO_ARRAY
from accelbench.designs.spots.plan import (
    LayerPlan,
    input_block_mask,
    structural_block_mask,
    structural_pairs,
    weight_block_mask,
)


@dataclass
class LayerCycles:
    cycles: int
    issued_steps: int  # steps that carried data into the array
    tile_steps: int  # sum of tile costs (issued steps + skipped blocks + empty tiles)
    loader_beats: int
    local_reads: int  # words read from the IM2COL local memories
    flag_reads: int  # zero-flag words read from the local memories
    gbuf_reads: int  # real input words streamed from the global buffer (once)
    weight_reads: int  # weights read from the weight lists
    useful_pe_steps: int  # issued MAC slots on weights of the filter's own group
    split: bool
    tiles: int
    entries: int  # weight-list entries (listed blocks; 1 for a tile with none listed)
    weight_values: int  # weights stored in the listed blocks (real filters and channels)
    details: dict = field(default_factory=dict)


def plan_mask(plan: LayerPlan, base: np.ndarray) -> np.ndarray:
    """Listed blocks at the plan's tile width from a mask at ``cols`` filters per tile
    (split mode lists a block if any of its sub-arrays' filter tiles does)."""
    if not plan.split:
        return base
    p = plan.config.subarrays
    ft = plan.filter_tiles
    padded = np.zeros((ft * p, base.shape[1]), dtype=bool)
    padded[:base.shape[0]] = base
    return padded.reshape(ft, p, -1).any(axis=1)


#: cycles from an output row's last step to the loader's first beat into a slot it frees
LOADER_RELEASE = 2


def tile_costs(plan: LayerPlan, wl: np.ndarray,
               inz: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(T, issued): E_h x pixel tiles x filter tiles arrays, from the listed
    blocks ``wl`` (F x B) and the input block mask ``inz`` (B x E_h x pixel tiles)."""
    wl = wl.astype(np.int64)
    sizes = plan.block_sizes.astype(np.int64)
    b = plan.blocks
    flat = inz.reshape(b, -1).astype(np.int64)
    issued = wl @ (flat * sizes[:, None])  # F x (Eh Tw): steps carrying data
    skipped = wl @ (1 - flat)
    listed = wl.sum(axis=1)
    cost = issued + skipped
    cost[listed == 0, :] = 1
    eh, tw = inz.shape[1], inz.shape[2]
    shape = (plan.filter_tiles, eh, tw)
    return cost.reshape(shape).transpose(1, 2, 0), issued.reshape(shape).transpose(1, 2, 0)


def _schedule(plan: LayerPlan, cost: np.ndarray) -> int:
    """Last-step cycle of the last tile (start pulse = cycle 0)."""
    rps = plan.config.rows_per_sub
    eh = cost.shape[0]
    h, s = plan.shape.height, plan.stride
    kh = plan.shape.kernel[0]
    pt = plan.shape.pads[0]
    ns = plan.slots
    beats = plan.column_blocks * plan.shape.channels
    ld_last: list[int] = []
    row_end: list[int] = []

    def load_until(rows: int) -> None:
        while len(ld_last) < min(rows, h):
            y = len(ld_last)
            first = 1 if y == 0 else ld_last[-1] + 1
            need_d = (y - ns + pt) // s + 1
            if need_d > 0:
                first = max(first, row_end[need_d - 1] + LOADER_RELEASE)
            ld_last.append(first + beats - 1)

    e_prev = None
    for r in range(eh):
        need = min(r * s + kh - pt, h)
        load_until(need)
        ready = ld_last[need - 1] + 1 + FRONT_END_LATENCY
        start = max(ready, (e_prev + 1) if e_prev is not None else 1)
        row = cost[r].reshape(-1)
        e = start + int(row[0]) - 1
        if e_prev is not None:
            e = max(e, e_prev + rps)
        if len(row) > 1:
            e += int(np.maximum(row[1:], rps).sum())
        row_end.append(e)
        e_prev = e
    return e_prev


def drain(plan: LayerPlan) -> int:
    """Cycles after the last step's issue until the last output row, inclusive."""
    rows = plan.config.rows_per_sub if plan.split else plan.config.rows
    return ISSUE_TO_ARRAY + rows + plan.config.cols


def valid_lane_counts(plan: LayerPlan) -> np.ndarray:
    """kh x kw x E_h x pixel tiles: lanes whose patch value lies inside the input."""
    kh, kw = plan.shape.kernel
    eh, ew = plan.out_hw
    h, w = plan.shape.height, plan.shape.width
    t, _, left, _ = plan.shape.pads
    s, lanes, tw = plan.stride, plan.lanes, plan.pixel_tiles
    ys = np.arange(eh)[None, :] * s + np.arange(kh)[:, None] - t  # kh x eh
    yok = (ys >= 0) & (ys < h)
    ox = np.arange(tw * lanes)
    xs = ox[None, :] * s + np.arange(kw)[:, None] - left  # kw x tw*lanes
    xok = (xs >= 0) & (xs < w) & (ox < ew)[None, :]
    xcount = xok.reshape(kw, tw, lanes).sum(axis=2)  # kw x tw
    return yok[:, None, :, None] * xcount[None, :, None, :]


def layer_cycles(plan: LayerPlan, weight: np.ndarray | None = None,
                 nonzero: np.ndarray | None = None, *, base_mask: np.ndarray | None = None,
                 inz: np.ndarray | None = None) -> LayerCycles:
    """Cycles and reads of one layer. ``weight``: O x C/groups x kh x kw (None: dense)
    or ``base_mask``: listed blocks at ``cols`` filters per tile; ``nonzero``: C x H x W
    bool activation mask (None: no zero blocks) or ``inz`` from
    :func:`~accelbench.designs.spots.plan.input_block_mask`."""
    if base_mask is not None:
        wl = plan_mask(plan, base_mask) if plan.config.skip_weights else \
            structural_block_mask(plan)
    else:
        wl = weight_block_mask(plan, weight)
    if inz is None:
        inz = input_block_mask(plan, nonzero)
    elif not plan.config.skip_inputs:
        inz = np.ones_like(inz)
    cost, issued = tile_costs(plan, wl, inz)
    e_last = _schedule(plan, cost)
    cycles = e_last + drain(plan)
    # reads: issued steps read one word per valid lane; every listed block reads flags
    kh, kw = plan.shape.kernel
    cbs = plan.channel_blocks
    lanes_ok = valid_lane_counts(plan)  # kh x kw x eh x tw
    per_block_lanes = np.repeat(lanes_ok.reshape(kh * kw, -1), cbs, axis=0)  # B x (eh tw)
    sizes = plan.block_sizes[:, None]
    listed_per_block = wl.sum(axis=0)[:, None]  # B x 1: filter tiles listing it
    data_reads = int((listed_per_block * inz.reshape(plan.blocks, -1) * sizes
                      * per_block_lanes).sum())
    flag_reads = int((listed_per_block * per_block_lanes).sum())
    issued_total = int(issued.sum())
    real_filters = np.minimum(plan.tile_filters,
                              plan.shape.filters - np.arange(plan.filter_tiles)
                              * plan.tile_filters)
    # weight reads: each issued step reads one weight per real filter of the tile
    weight_reads = int((issued * real_filters[None, None, :]).sum())
    # MAC slots on structurally present weights (what a dense engine computes too)
    pairs = structural_pairs(plan) * wl  # F x B
    useful = int((pairs @ (inz.reshape(plan.blocks, -1) * per_block_lanes)).sum())
    c, h, w = plan.shape.channels, plan.shape.height, plan.shape.width
    return LayerCycles(
        cycles=int(cycles), issued_steps=issued_total, tile_steps=int(cost.sum()),
        loader_beats=h * plan.column_blocks * c, local_reads=data_reads,
        flag_reads=flag_reads, gbuf_reads=c * h * w, weight_reads=weight_reads,
        useful_pe_steps=useful, split=plan.split, tiles=int(cost.size),
        entries=int(np.maximum(wl.sum(axis=1), 1).sum()),
        weight_values=int(pairs.sum()),
        details={"listed_blocks": int(wl.sum())})
