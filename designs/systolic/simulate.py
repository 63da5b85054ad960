"""Co-simulation of the dense system netlist: each matrix product (a layer or one group
of it) is a host job, all of them through one compiled simulation."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from math import ceil

import numpy as np

from accelbench.designs.systolic.model import layer_cycles
from accelbench.designs.systolic.netlist import DenseHardware
from accelbench.engines.conv import group_gemms
from accelbench.engines.layers import ConvShape
from accelbench.errors import SimulationError
from accelbench.netlist.host import HostJob, HostSimulator, pack_values

#: cycles simulated beyond the model's prediction before a job is declared stuck
MARGIN = 16


@dataclass
class DenseRun:
    out: list[np.ndarray]  # per group: M x N int64
    cycles: int  # from the start pulse to the last output row, inclusive


def dense_job(hw: DenseHardware, gemms: Sequence[tuple[np.ndarray, np.ndarray]]) -> HostJob:
    """The host job for a layer of equal-shaped group products (patches M x K, weights
    K x N, int8 values)."""
    m, k = gemms[0][0].shape
    n = gemms[0][1].shape[1]
    r, c, g = hw.rows, hw.cols, len(gemms)
    mt, nt = ceil(m / r), ceil(n / c)
    needs = {"K": (k, hw.max_k), "tiles": (g * mt, hw.max_tiles),
             "filter tiles": (nt, hw.max_filter_tiles),
             "patch words": (g * mt * k, hw.patch_words),
             "weight words": (g * nt * k, hw.weight_words)}
    for what, (need, limit) in needs.items():
        if need > limit:
            raise SimulationError(f"layer needs {need} {what}; the {r}x{c} system has "
                                  f"{limit}")
    p = np.zeros((g, mt * r, k), dtype=np.int64)
    w = np.zeros((g, k, nt * c), dtype=np.int64)
    for i, (pi, wi) in enumerate(gemms):
        p[i, :m] = pi
        w[i, :, :n] = wi
    # patch address (group, tile, k): lanes are the tile's pixel rows
    lanes = p.reshape(g, mt, r, k).transpose(0, 1, 3, 2).reshape(g * mt * k, r)
    # weight address (group, filter tile, k): columns are the tile's filters
    cols = w.reshape(g, k, nt, c).transpose(0, 2, 1, 3).reshape(g * nt * k, c)
    job = HostJob(budget=layer_cycles(m, n, k, g, r, c) + MARGIN)
    fields = {"k_m1": k - 1, "mt_m1": mt - 1, "tiles_m1": g * mt - 1, "nt_m1": nt - 1,
              "wstep": nt * k}
    job.write(0, range(len(hw.fields)), [fields[f.name] for f in hw.fields])
    targets = hw.targets
    for name, words in (("patch", pack_values(lanes)), ("weight", pack_values(cols))):
        for grp in range(words.shape[1]):
            job.write(targets[f"{name}{grp}"], np.arange(len(words)), words[:, grp])
    return job


def _collect(hw: DenseHardware, out: dict[str, np.ndarray], m: int, n: int,
             groups: int) -> DenseRun:
    r, c = hw.rows, hw.cols
    mt, nt = ceil(m / r), ceil(n / c)
    valid = np.flatnonzero(out["out_valid"])
    if len(valid) != groups * mt * nt * r:
        raise SimulationError(f"dense array emitted {len(valid)} output rows, expected "
                              f"{groups * mt * nt * r}")
    vals = np.stack([out[f"out{j}"][valid].astype(np.int64) for j in range(c)], axis=1)
    vals = np.where(vals >= 2**31, vals - 2**32, vals)
    # rows arrive tile by tile (groups, pixel tiles, filter tiles), top row first
    vals = vals.reshape(groups, mt, nt, r, c).transpose(0, 1, 3, 2, 4)
    vals = vals.reshape(groups, mt * r, nt * c)[:, :m, :n]
    return DenseRun(list(vals), int(valid[-1]) + 1)


class DenseSimulator(HostSimulator):
    """One compiled simulation of a dense system that runs layer after layer."""

    def __init__(self, hw: DenseHardware, simulator: str = "compiled") -> None:
        super().__init__(hw.build, simulator)
        self.hw = hw

    def run(self, layers: Sequence[Sequence[tuple[np.ndarray, np.ndarray]]]) -> list[DenseRun]:
        """Each layer: its group products (patches M x K, weights K x N)."""
        outs = self.run_jobs([dense_job(self.hw, gemms) for gemms in layers])
        return [_collect(self.hw, o, gemms[0][0].shape[0], gemms[0][1].shape[1], len(gemms))
                for o, gemms in zip(outs, layers, strict=True)]

    def run_convs(self, convs: Sequence[tuple[np.ndarray, np.ndarray, ConvShape]]
                  ) -> list[DenseRun]:
        """Convolutions (x C x H x W, weight O x C/g x kh x kw, shape), lowered in software."""
        return self.run([group_gemms(x, w, shape) for x, w, shape in convs])
