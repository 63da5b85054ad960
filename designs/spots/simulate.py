"""Co-simulation of the SPOTS system netlist: layer after layer through one compiled
simulation of one netlist configuration."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from accelbench.designs.spots.hardware import SpotsHardware
from accelbench.designs.spots.model import layer_cycles
from accelbench.designs.spots.plan import LayerPlan
from accelbench.designs.spots.program import compile_layer, host_job
from accelbench.errors import SimulationError
from accelbench.netlist.host import HostSimulator

#: cycles simulated beyond the model's prediction before a layer is declared stuck
MARGIN = 64


@dataclass
class SpotsRun:
    out: np.ndarray  # filters x E_h x E_w, int64
    cycles: int  # start pulse to the last output row, inclusive
    issued_steps: int
    loader_beats: int
    local_reads: int


@dataclass
class SpotsLayer:
    """One layer to run: its plan (shape, mode), int8 input C x H x W and weights
    O x C/groups x kh x kw."""

    plan: LayerPlan
    x: np.ndarray
    weight: np.ndarray


class SpotsSimulator(HostSimulator):
    """One compiled simulation of a SPOTS netlist; :meth:`run` takes any number of
    layers, one after the other, without rebuilding anything."""

    def __init__(self, hw: SpotsHardware, simulator: str = "compiled") -> None:
        super().__init__(hw.build, simulator)
        self.hw = hw

    def run(self, layers: Sequence[SpotsLayer]) -> list[SpotsRun]:
        jobs = []
        for layer in layers:
            prog = compile_layer(self.hw, layer.plan, layer.weight)
            budget = layer_cycles(layer.plan, layer.weight, layer.x != 0).cycles + MARGIN
            jobs.append(host_job(self.hw, prog, layer.x, budget))
        outs = self.run_jobs(jobs)
        return [_collect(layer.plan, out) for layer, out in zip(layers, outs, strict=True)]


def _collect(plan: LayerPlan, out: dict[str, np.ndarray]) -> SpotsRun:
    cfg = plan.config
    eh, ew = plan.out_hw
    tw, ft = plan.pixel_tiles, plan.filter_tiles
    rps = cfg.rows_per_sub
    result = np.zeros((ft * plan.tile_filters, eh, tw * plan.lanes), dtype=np.int64)
    last = -1
    for p in range(cfg.subarrays):
        valid = np.flatnonzero(out[f"out_valid{p}"])
        expected = eh * tw * ft * rps
        if len(valid) != expected:
            raise SimulationError(f"sub-array {p} emitted {len(valid)} rows, expected "
                                  f"{expected}")
        last = max(last, int(valid[-1]))
        vals = np.stack([out[f"out{p}_{j}"][valid].astype(np.int64)
                         for j in range(cfg.cols)], axis=1)
        vals = np.where(vals >= 2**31, vals - 2**32, vals).reshape(eh, tw, ft, rps, cfg.cols)
        for t in range(tw):
            for f in range(ft):
                block = vals[:, t, f]  # E_h x rps pixels x cols filters
                if plan.split:
                    pix = t * rps + np.arange(rps)
                    fil = f * plan.tile_filters + p * cfg.cols + np.arange(cfg.cols)
                else:
                    pix = t * cfg.rows + p * rps + np.arange(rps)
                    fil = f * cfg.cols + np.arange(cfg.cols)
                result[np.ix_(fil, np.arange(eh), pix)] = block.transpose(2, 0, 1)
    issued = out["st_issue"].astype(bool)
    lanes = out["st_lanes"][issued].astype(np.uint64)
    reads = int(np.unpackbits(lanes.view(np.uint8)).sum())
    return SpotsRun(result[:plan.shape.filters, :, :ew], last + 1, int(issued.sum()),
                    int(out["st_beat"].sum()), reads)
