"""Kernel-memory programs for the sparse Hadamard engine, from a layer and a schedule.

Lane l of group g computes filter ``g * P + l``. For every group and, inside it, every
input channel (a *pass*), each lane's kernel memory holds that lane's entries of the pass
in issue order, the last one flagged ``last``. An entry is one 32-bit word (default
widths): the kernel value's real and imaginary parts (``kernel_bits`` each), the bin as
(u, v) (3 + 3 bits, bin = 5u + v), ``last`` and ``nop`` (a bubble: the lane reads nothing
that cycle). A lane with nothing to do in a pass holds one ``nop`` + ``last`` entry.

In-order issue needs no bubbles (the engine's arbiters make the stalls); a greedy or
optimal schedule is written slot by slot with bubbles, and runs without conflicts.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from accelbench.designs.spectral.fixed import DEFAULT, QuantizedLayer
from accelbench.designs.spectral.golden import HALF, SpectralError
from accelbench.designs.spectral.schedule import Schedule, schedule


@dataclass(frozen=True)
class EntryLayout:
    """Fields of a kernel-memory entry, from the low bits: im, re, v, u, last, nop."""

    kernel_bits: int = DEFAULT.kernel_bits

    @property
    def width(self) -> int:
        return 2 * self.kernel_bits + 8

    def pack(self, *, nop: bool, last: bool, bin_index: int = 0, re: int = 0,
             im: int = 0) -> int:
        kb = self.kernel_bits
        u, v = divmod(int(bin_index), HALF)
        mask = (1 << kb) - 1
        word = int(im) & mask
        word |= (int(re) & mask) << kb
        word |= v << (2 * kb)
        word |= u << (2 * kb + 3)
        word |= int(last) << (2 * kb + 6)
        word |= int(nop) << (2 * kb + 7)
        return word

    @property
    def empty(self) -> int:
        return self.pack(nop=True, last=True)


def groups(filters: int, lanes: int) -> int:
    return -(-filters // lanes)


def lane_bins(mask: np.ndarray, group: int, channel: int, lanes: int) -> list[list[int]]:
    """The non-zero bins (index order) of each lane in pass (channel, group); lanes past
    the last filter are empty."""
    out = []
    for lane in range(lanes):
        n = group * lanes + lane
        out.append(np.flatnonzero(mask[n, channel]).tolist() if n < mask.shape[0] else [])
    return out


@dataclass
class Program:
    """Kernel-memory images (one list of entry words per lane) and each pass's expected
    cycles, ``pass_cycles[g][c]``."""

    words: list[list[int]]
    pass_cycles: list[list[int]]
    lanes: int
    channels: int
    groups: int

    @property
    def depth(self) -> int:
        return max((len(w) for w in self.words), default=0)


def pass_entries(sched: Schedule, policy: str) -> list[list[int | None]]:
    """Per lane, positions in issue order (in-order) or slot by slot with None bubbles."""
    if policy == "in-order":
        return [list(range(len(k))) for k in sched.kernels]
    return [sched.lane_program(lane) for lane in range(len(sched.kernels))]


def build_program(q: QuantizedLayer, lanes: int, banks: int, policy: str = "in-order",
                  layout: EntryLayout | None = None) -> Program:
    """The engine's kernel memories for layer ``q`` under ``policy``."""
    layout = layout or EntryLayout()
    n_filters, channels = q.mask.shape[:2]
    n_groups = groups(n_filters, lanes)
    words: list[list[int]] = [[] for _ in range(lanes)]
    expected: list[list[int]] = []
    for g in range(n_groups):
        row = []
        for c in range(channels):
            bins = lane_bins(q.mask, g, c, lanes)
            sched = schedule(bins, banks, policy)
            row.append(max(sched.cycles, 1))  # an all-empty pass still takes a cycle
            for lane, entries in enumerate(pass_entries(sched, policy)):
                n = g * lanes + lane
                if not entries:
                    words[lane].append(layout.empty)
                    continue
                for i, pos in enumerate(entries):
                    last = i == len(entries) - 1
                    if pos is None:
                        words[lane].append(layout.pack(nop=True, last=last))
                        continue
                    b = bins[lane][pos]
                    words[lane].append(layout.pack(nop=False, last=last, bin_index=b,
                                                   re=q.wr[n, c, b], im=q.wi[n, c, b]))
        expected.append(row)
    return Program(words, expected, lanes, channels, n_groups)


def check_fits(program: Program, kernel_depth: int, max_channels: int,
               max_groups: int) -> None:
    if program.depth > kernel_depth:
        raise SpectralError(f"the layer needs {program.depth} kernel entries per lane; the "
                            f"engine holds {kernel_depth}")
    if program.channels > max_channels:
        raise SpectralError(f"{program.channels} channels exceed the engine's "
                            f"{max_channels}")
    if program.groups > max_groups:
        raise SpectralError(f"{program.groups} filter groups exceed the engine's "
                            f"{max_groups}")

