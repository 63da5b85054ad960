"""Co-simulation of the SPOTS system netlist on one layer."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from accelbench.designs.spots.netlist import memory_shapes, spots_system
from accelbench.designs.spots.plan import LayerPlan
from accelbench.designs.spots.program import compile_layer, gbuf_image
from accelbench.errors import SimulationError
from accelbench.netlist.build import build_block
from accelbench.netlist.simulate import make_simulator


@dataclass
class SpotsRun:
    out: np.ndarray  # filters x E_h x E_w, int64
    cycles: int  # start pulse to the last output row, inclusive
    issued_steps: int
    loader_beats: int
    local_reads: int


def _signed32(col: np.ndarray) -> np.ndarray:
    v = col.astype(np.int64)
    return np.where(v >= 2**31, v - 2**32, v)


def run_spots(plan: LayerPlan, x: np.ndarray, weight: np.ndarray,
              simulator: str = "compiled", budget: int | None = None) -> SpotsRun:
    """Simulate the layer (``x``: C x H x W int8, ``weight``: O x C/groups x kh x kw int8)."""
    from accelbench.designs.spots.model import layer_cycles

    prog = compile_layer(plan, weight)
    ms = memory_shapes(plan, prog.entries)
    block = build_block(lambda ports: spots_system(ports, plan, prog.entries))
    sim = make_simulator(block, simulator)
    gimg = gbuf_image(plan, ms, x)
    depth = max(gimg.shape[1], prog.weights.shape[1], prog.entries)
    if budget is None:
        budget = layer_cycles(plan, weight, x != 0).cycles + 64
    steps = depth + budget
    inputs = {"ld_we": np.r_[np.ones(depth), np.zeros(budget)].astype(np.uint64),
              "ld_addr": np.r_[np.arange(depth), np.zeros(budget)].astype(np.uint64),
              "start": np.zeros(steps, dtype=np.uint64)}
    inputs["start"][depth] = 1

    def column(values: np.ndarray) -> np.ndarray:
        col = np.zeros(steps, dtype=np.int64)
        col[:len(values)] = values
        return (col & 0xFF).astype(np.uint64) if values.dtype != np.uint64 else col

    for b in range(plan.banks):
        inputs[f"ld_g{b}"] = column(gimg[b])
    for j in range(plan.tile_filters):
        inputs[f"ld_w{j}"] = column(prog.weights[j])
    meta = np.zeros(steps, dtype=np.uint64)
    meta[:prog.entries] = np.array(prog.meta, dtype=np.uint64)
    inputs["ld_meta"] = meta
    out = sim.run_arrays(steps, inputs)
    return _collect(plan, out, depth, prog)


def _collect(plan: LayerPlan, out: dict, depth: int, prog) -> SpotsRun:
    cfg = plan.config
    eh, ew = plan.out_hw
    tw, ft = plan.pixel_tiles, plan.filter_tiles
    n_tiles = eh * tw * ft
    rps = cfg.rows_per_sub
    result = np.zeros((ft * plan.tile_filters, eh, tw * plan.lanes), dtype=np.int64)
    last = -1
    for p in range(cfg.subarrays):
        valid = np.flatnonzero(out[f"out_valid{p}"][depth:])
        expected = n_tiles * rps
        if len(valid) != expected:
            raise SimulationError(f"sub-array {p} emitted {len(valid)} rows, expected "
                                  f"{expected}")
        last = max(last, int(valid[-1]))
        vals = np.stack([_signed32(out[f"out{p}_{j}"][depth:][valid])
                         for j in range(cfg.cols)], axis=1)
        vals = vals.reshape(eh, tw, ft, rps, cfg.cols)
        for r in range(eh):
            for t in range(tw):
                for f in range(ft):
                    block = vals[r, t, f]  # rps pixels x cols filters
                    if plan.split:
                        pix = t * rps + np.arange(rps)
                        fil = f * plan.tile_filters + p * cfg.cols + np.arange(cfg.cols)
                    else:
                        pix = t * cfg.rows + p * rps + np.arange(rps)
                        fil = f * cfg.cols + np.arange(cfg.cols)
                    result[np.ix_(fil, [r], pix)] = block.T[:, None, :]
    issued = int(np.sum(out["issued"][depth:]))
    beats = int(np.sum(out["ld_beat"][depth:]))
    reads = int(np.sum(out["lane_reads"][depth:].astype(np.int64)))
    return SpotsRun(result[:plan.shape.filters, :, :ew], last + 1, issued, beats, reads)
