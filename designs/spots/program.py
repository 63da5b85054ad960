"""Compile a layer for the SPOTS netlist: configuration register values, the compacted
weight lists, and the host job that loads them with the input map."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from accelbench.designs.spots.hardware import SpotsHardware
from accelbench.designs.spots.plan import LayerPlan, weight_block_mask
from accelbench.engines.conv import dense_weight
from accelbench.errors import AccelbenchError
from accelbench.netlist.host import HostJob, pack_values


class LayerTooLarge(AccelbenchError):
    """A layer exceeds the limits a SPOTS netlist was built for."""


@dataclass
class Program:
    plan: LayerPlan
    #: per filter tile, the block ids issued in order (empty: one dummy entry)
    lists: list[list[int]]
    meta: list[int]  # packed entry words
    weights: np.ndarray  # entries * block words x filter columns (int64)
    fields: dict[str, int]

    @property
    def entries(self) -> int:
        return len(self.meta)


def layer_fields(plan: LayerPlan) -> dict[str, int]:
    """The configuration register values of a layer (names of
    :attr:`SpotsHardware.fields`)."""
    sh, cfg = plan.shape, plan.config
    c, h, w = sh.channels, sh.height, sh.width
    kh = sh.kernel[0]
    pt, _, pl, _ = sh.pads
    s, ns = sh.stride, plan.slots
    eh, ew = plan.out_hw
    xb, cbs = plan.column_blocks, plan.channel_blocks
    return {
        "h": h, "rw_m1": xb * c - 1, "rw": xb * c, "c_m1": c - 1, "rwf": xb * cbs,
        "ns_m1": ns - 1, "limit0": ns - pt, "stride": s,
        "eh_m1": eh - 1, "tw_m1": plan.pixel_tiles - 1, "ft_m1": plan.filter_tiles - 1,
        "need0": kh - pt, "slot0": (-pt) % ns, "ns": ns, "pt": pt, "hpt": h + pt, "pl": pl,
        "w": w, "ls": plan.lanes * s, "ew": ew, "lanes": plan.lanes, "c": c, "cbs": cbs,
        "cb_m1": cbs - 1, "last_m1": c - (cbs - 1) * cfg.block - 1,
        "split": int(plan.split), "skip_inputs": int(cfg.skip_inputs)}


def check_fits(hw: SpotsHardware, plan: LayerPlan, entries: int) -> None:
    """Raise :class:`LayerTooLarge` naming the first limit the layer exceeds."""
    lim, sh = hw.limits, plan.shape
    if plan.config.skipping != hw.config.skipping:  # skipping is a per-layer setting
        raise LayerTooLarge(f"layer planned for {plan.config}, netlist is {hw.config}")
    pads = sh.pads
    rw, rwf = plan.column_blocks * sh.channels, plan.column_blocks * plan.channel_blocks
    needs = [("input height", sh.height, lim.max_height),
             ("input width", sh.width, lim.max_width),
             ("channels", sh.channels, lim.max_channels),
             ("filters", sh.filters, lim.max_filters),
             ("kernel", max(sh.kernel), lim.max_kernel),
             ("stride", sh.stride, hw.config.max_stride(plan.split)),
             ("local-memory words", plan.slots * rw, lim.local_words),
             ("zero-flag words", plan.slots * rwf, hw.flag_words),
             ("global-buffer words", sh.height * rw, lim.gbuf_words),
             ("weight-list entries", entries, lim.entries)]
    for what, need, limit in needs:
        if need > limit:
            raise LayerTooLarge(f"layer {sh} needs {need} {what}; the netlist has {limit}")
    if pads[0] >= sh.kernel[0] or pads[2] >= sh.kernel[1]:
        raise LayerTooLarge(f"layer {sh}: top/left padding must be smaller than the kernel")


def layer_fits(hw: SpotsHardware, plan: LayerPlan, entries: int) -> bool:
    try:
        check_fits(hw, plan, entries)
    except LayerTooLarge:
        return False
    return True


def compile_layer(hw: SpotsHardware, plan: LayerPlan, weight: np.ndarray) -> Program:
    """The weight lists of ``weight`` (O x C/groups x kh x kw, int8 values) on ``plan``."""
    mask = weight_block_mask(plan, weight)
    full = dense_weight(weight, plan.groups)
    n, c = plan.shape.filters, plan.shape.channels
    cl, g = plan.tile_filters, plan.config.block
    ml = hw.meta
    lists, meta, rows = [], [], []
    for f in range(plan.filter_tiles):
        listed = [int(b) for b in np.flatnonzero(mask[f])]
        lists.append(listed)
        filters = np.arange(f * cl, (f + 1) * cl)
        ok = filters < n
        if not listed:
            meta.append(ml.pack(0, 0, 0, True, True, True))
            rows.append(np.zeros((g, hw.filter_columns), dtype=np.int64))
            continue
        for i, b in enumerate(listed):
            dy, dx, cb = plan.block_fields(b)
            meta.append(ml.pack(dy, dx, cb, i == 0, i == len(listed) - 1, False))
            block = np.zeros((g, hw.filter_columns), dtype=np.int64)
            chans = np.arange(cb * g, min(cb * g + g, c))
            block[:len(chans), :cl][:, ok] = full[filters[ok]][:, chans, dy, dx].T
            rows.append(block)
    prog = Program(plan, lists, meta, np.concatenate(rows, axis=0), layer_fields(plan))
    check_fits(hw, plan, prog.entries)
    return prog


def gbuf_image(plan: LayerPlan, x: np.ndarray) -> np.ndarray:
    """Global-buffer words: address (y * XB + xb) * C + c holds x[c, y, xb * banks + b] in
    bank b (addresses x banks)."""
    c, h, w = x.shape
    nb, xbs = plan.banks, plan.column_blocks
    padded = np.zeros((c, h, xbs * nb), dtype=np.int64)
    padded[:, :, :w] = x
    return padded.reshape(c, h, xbs, nb).transpose(1, 2, 0, 3).reshape(h * xbs * c, nb)


def host_job(hw: SpotsHardware, prog: Program, x: np.ndarray, budget: int) -> HostJob:
    """Load the configuration, weight lists and input map; run ``budget`` cycles."""
    targets = hw.targets
    job = HostJob(budget=budget)
    job.write(targets["config"], range(len(hw.fields)),
              [prog.fields[f.name] for f in hw.fields])
    job.write(targets["meta"], range(prog.entries), prog.meta)
    words = pack_values(prog.weights)
    for g in range(words.shape[1]):
        job.write(targets[f"weight{g}"], range(len(words)), words[:, g])
    image = pack_values(gbuf_image(prog.plan, x))
    for g in range(image.shape[1]):
        job.write(targets[f"gbuf{g}"], range(len(image)), image[:, g])
    return job
