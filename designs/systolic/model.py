"""Closed-form cycle model of the dense system netlist (exact: see tests)."""

from __future__ import annotations

from accelbench.designs.systolic.golden import tiles

#: cycles from the start pulse to the first step entering the array
START_LATENCY = 1


def drain_latency(rows_per_sub: int, rows_total: int, cols: int) -> int:
    """Cycles from the issue of a tile's last step to its last output row (inclusive)."""
    return rows_total + cols


def dense_cycles(m: int, n: int, k: int, rows: int, cols: int) -> int:
    """Start pulse to last output row: tiles issue back to back, a tile's last step held
    until ``rows`` cycles after the previous one (column readout)."""
    t = tiles(m, rows) * tiles(n, cols)
    span = k + (t - 1) * max(k, rows)
    return START_LATENCY + span - 1 + drain_latency(rows, rows, cols)


def layer_cycles(m: int, n: int, k: int, groups: int, rows: int, cols: int) -> int:
    """A (grouped) layer: the groups' tiles issue back to back (M, N, K per group)."""
    t = groups * tiles(m, rows) * tiles(n, cols)
    span = k + (t - 1) * max(k, rows)
    return START_LATENCY + span - 1 + drain_latency(rows, rows, cols)


def patch_reads(m: int, n: int, k: int, groups: int, cols: int) -> int:
    """Patch words the array reads from its SRAM banks: every filter tile re-reads the
    whole lowered input of its group."""
    return groups * tiles(n, cols) * m * k
