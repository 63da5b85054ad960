"""Closed-form cycle and access model of the dense system netlist (exact: the
co-simulation tests compare it with the netlist cycle for cycle)."""

from __future__ import annotations

from math import ceil

from accelbench.designs.systolic.netlist import ISSUE_TO_ARRAY

#: cycles from the start pulse to the first issued step
START_LATENCY = 1


def layer_cycles(m: int, n: int, k: int, groups: int, rows: int, cols: int) -> int:
    """Start pulse to the last output row, inclusive, for ``groups`` matrix products of
    M x K by K x N each: tiles issue back to back, a tile's last step held until ``rows``
    cycles after the previous tile's (the column readout)."""
    t = groups * ceil(m / rows) * ceil(n / cols)
    span = k + (t - 1) * max(k, rows)
    return START_LATENCY + ISSUE_TO_ARRAY + span - 1 + rows + cols


def patch_reads(m: int, n: int, k: int, groups: int, cols: int) -> int:
    """Patch values the array reads from its SRAM banks (lanes of real pixels): every
    filter tile re-reads the whole lowered input of its group."""
    return groups * ceil(n / cols) * m * k


def weight_reads(m: int, n: int, k: int, groups: int, rows: int) -> int:
    """Weight values read from the weight banks (columns of real filters): every pixel
    tile re-reads its group's weights."""
    return groups * ceil(m / rows) * n * k
