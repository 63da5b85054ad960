"""Co-simulation of the dense system netlist: load the banks, start, collect outputs."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from accelbench.designs.systolic.golden import tiles
from accelbench.designs.systolic.netlist import dense_system
from accelbench.errors import SimulationError
from accelbench.netlist.build import build_block
from accelbench.netlist.simulate import make_simulator


@dataclass
class ArrayRun:
    out: np.ndarray  # M x N int64
    cycles: int  # from the start pulse to the last output row, inclusive
    tiles: int


def _signed32(col: np.ndarray) -> np.ndarray:
    v = col.astype(np.int64)
    return np.where(v >= 2**31, v - 2**32, v)


def run_dense(patches: np.ndarray, weights: np.ndarray, rows: int, cols: int,
              simulator: str = "compiled", max_cycles: int = 10**7) -> ArrayRun:
    """Simulate ``patches`` (M x K int8) times ``weights`` (K x N int8) on the dense
    system netlist; return the product and the cycle count."""
    m, k = patches.shape
    n = weights.shape[1]
    mt, nt = tiles(m, rows), tiles(n, cols)
    block = build_block(lambda ports: dense_system(ports, rows, cols, mt, nt, k))
    sim = make_simulator(block, simulator)
    p = np.zeros((mt * rows, k), dtype=np.int64)
    p[:m] = patches
    w = np.zeros((k, nt * cols), dtype=np.int64)
    w[:, :n] = weights
    depth = max(mt, nt) * k
    from accelbench.designs.systolic.model import dense_cycles

    budget = dense_cycles(m, n, k, rows, cols) + 16
    if budget > max_cycles:
        raise SimulationError(f"dense run of {budget} cycles exceeds {max_cycles}")
    steps = depth + budget
    inputs = {"ld_we": np.r_[np.ones(depth), np.zeros(budget)].astype(np.uint64),
              "ld_addr": np.r_[np.arange(depth), np.zeros(budget)].astype(np.uint64),
              "start": np.zeros(steps, dtype=np.uint64)}
    inputs["start"][depth] = 1
    for i in range(rows):
        col = np.zeros(depth, dtype=np.int64)
        mine = p[i::rows]  # mt x k: pixel rows of lane i, tile by tile
        col[:mt * k] = mine.reshape(-1)
        inputs[f"ld_p{i}"] = np.r_[col & 0xFF, np.zeros(budget)].astype(np.uint64)
    for j in range(cols):
        col = np.zeros(depth, dtype=np.int64)
        col[:nt * k] = w[:, j::cols].T.reshape(-1)
        inputs[f"ld_w{j}"] = np.r_[col & 0xFF, np.zeros(budget)].astype(np.uint64)
    out = sim.run_arrays(steps, inputs)
    valid = np.flatnonzero(out["out_valid"][depth:])
    if len(valid) != mt * nt * rows:
        raise SimulationError(f"dense array emitted {len(valid)} output rows, expected "
                              f"{mt * nt * rows}")
    vals = np.stack([_signed32(out[f"out{j}"][depth:][valid]) for j in range(cols)], axis=1)
    # rows arrive tile by tile (pixel tiles outer, filter tiles inner), top row first
    vals = vals.reshape(mt, nt, rows, cols).transpose(0, 2, 1, 3).reshape(mt * rows,
                                                                          nt * cols)
    return ArrayRun(vals[:m, :n], int(valid[-1]) + 1, mt * nt)
