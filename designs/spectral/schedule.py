"""Read scheduling for the sparse Hadamard engine: P lanes share one tile spectrum held in
B single-ported banks (bin b in bank ``b % B``); each cycle a lane reads at most one of its
non-zeros and a bank serves at most one read (no broadcast, even of the same bin).

The reads of one pass form a bipartite multigraph, lanes x banks, one edge per non-zero;
a conflict-free schedule is an edge colouring (colour = cycle), and by Koenig's theorem
the fewest cycles are the maximum degree, max(non-zeros of one lane, reads of one bank).

Policies:

* ``"in-order"``: each lane issues its non-zeros in the given order; on a bank conflict the
  lowest-numbered lane wins and the others retry next cycle (what the engine's fixed-
  priority arbiters do with no schedule at all);
* ``"greedy"`` (ours): cycle by cycle, lanes in order of most remaining non-zeros (ties:
  lower lane) each take, among their remaining non-zeros whose bank is still free this
  cycle, the one whose bank has the most remaining reads (ties: earlier in issue order);
* ``"optimal"``: a Koenig edge colouring by alternating-path recolouring (the classic
  constructive proof); always exactly the bound.

*Conflict cycles* of a pass here = its cycles - the most non-zeros of one lane (the
cycles lost to banking against a memory with a port per lane). The spec's per-group
measure, (max reads on one bank) - 1, is :func:`group_conflicts`.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from accelbench.designs.spectral.golden import BINS, SpectralError

POLICIES = ("in-order", "greedy", "optimal")

Kernels = Sequence[Sequence[int]]


def _check(kernels: Kernels, banks: int) -> list[list[int]]:
    if not isinstance(banks, int | np.integer) or banks < 1:
        raise SpectralError(f"banks must be a positive integer, got {banks!r}")
    lanes = []
    for lane, bins in enumerate(kernels):
        bins = [int(b) for b in bins]
        bad = [b for b in bins if not 0 <= b < BINS]
        if bad:
            raise SpectralError(f"lane {lane}: bin indices {bad} are outside 0..{BINS - 1}")
        if len(set(bins)) != len(bins):
            raise SpectralError(f"lane {lane}: a bin appears twice in {bins}")
        lanes.append(bins)
    return lanes


def lane_bound(kernels: Kernels) -> int:
    """The most non-zeros of one lane."""
    return max((len(k) for k in kernels), default=0)


def bank_reads(kernels: Kernels, banks: int) -> np.ndarray:
    """Reads of each bank in one pass."""
    reads = np.zeros(banks, dtype=np.int64)
    for bins in kernels:
        np.add.at(reads, np.asarray(bins, dtype=np.int64) % banks, 1)
    return reads


def konig_bound(kernels: Kernels, banks: int) -> int:
    """max(max non-zeros of one lane, max reads of one bank): the fewest cycles."""
    lanes = _check(kernels, banks)
    return max(lane_bound(lanes), int(bank_reads(lanes, banks).max(initial=0)))


@dataclass(frozen=True)
class Schedule:
    """Which non-zero each lane reads in each cycle: ``slots[t][lane]`` is a position in
    that lane's issue-order list, or None (the lane reads nothing that cycle)."""

    kernels: tuple[tuple[int, ...], ...]
    banks: int
    slots: tuple[tuple[int | None, ...], ...]

    @property
    def cycles(self) -> int:
        return len(self.slots)

    def lane_program(self, lane: int) -> list[int | None]:
        """The lane's slots up to its last read (None = a bubble); [] for an empty lane."""
        column = [row[lane] for row in self.slots]
        while column and column[-1] is None:
            column.pop()
        return column

    def check(self) -> None:
        """Raise unless every non-zero is read exactly once, one per lane and bank a cycle."""
        seen = [set() for _ in self.kernels]
        for t, row in enumerate(self.slots):
            used = set()
            for lane, pos in enumerate(row):
                if pos is None:
                    continue
                bank = self.kernels[lane][pos] % self.banks
                if bank in used:
                    raise SpectralError(f"cycle {t}: bank {bank} read twice")
                if pos in seen[lane]:
                    raise SpectralError(f"cycle {t}: lane {lane} reads position {pos} again")
                used.add(bank)
                seen[lane].add(pos)
        for lane, bins in enumerate(self.kernels):
            if len(seen[lane]) != len(bins):
                raise SpectralError(f"lane {lane}: {len(bins) - len(seen[lane])} non-zeros "
                                    "never read")


def _in_order(lanes: list[list[int]], banks: int) -> list[list[int | None]]:
    pos = [0] * len(lanes)
    slots = []
    while any(p < len(k) for p, k in zip(pos, lanes, strict=True)):
        busy: set[int] = set()
        row: list[int | None] = [None] * len(lanes)
        for lane, bins in enumerate(lanes):
            if pos[lane] < len(bins):
                bank = bins[pos[lane]] % banks
                if bank not in busy:
                    busy.add(bank)
                    row[lane] = pos[lane]
                    pos[lane] += 1
        slots.append(row)
    return slots


def _greedy(lanes: list[list[int]], banks: int) -> list[list[int | None]]:
    remaining = [list(range(len(k))) for k in lanes]
    demand = bank_reads(lanes, banks)
    slots = []
    while any(remaining):
        busy: set[int] = set()
        row: list[int | None] = [None] * len(lanes)
        for lane in sorted(range(len(lanes)), key=lambda i: (-len(remaining[i]), i)):
            best = None
            for pos in remaining[lane]:
                bank = lanes[lane][pos] % banks
                if bank not in busy and (best is None or demand[bank] > demand[
                        lanes[lane][best] % banks]):
                    best = pos
            if best is not None:
                bank = lanes[lane][best] % banks
                busy.add(bank)
                demand[bank] -= 1
                remaining[lane].remove(best)
                row[lane] = best
        slots.append(row)
    return slots


def _optimal(lanes: list[list[int]], banks: int) -> list[list[int | None]]:
    """Koenig edge colouring: colour each edge with a colour free at its lane, first
    freeing it at its bank by swapping two colours along an alternating path."""
    n_lanes = len(lanes)
    degree = max(lane_bound(lanes), int(bank_reads(lanes, banks).max(initial=0)))
    # at[node][colour] = (lane, position) of the edge with that colour; banks follow lanes
    at: list[list[tuple[int, int] | None]] = [[None] * degree for _ in range(n_lanes + banks)]

    def other(edge: tuple[int, int], node: int) -> int:
        lane, pos = edge
        return n_lanes + lanes[lane][pos] % banks if node == lane else lane

    for lane, bins in enumerate(lanes):
        for pos, b in enumerate(bins):
            bank = n_lanes + b % banks
            alpha = at[lane].index(None)  # free at the lane
            if at[bank][alpha] is not None:
                beta = at[bank].index(None)  # free at the bank
                # swap alpha/beta on the path from the bank that starts with alpha; it
                # cannot reach the lane (bipartite), so afterwards alpha is free at both
                path, node, colour = [], bank, alpha
                while at[node][colour] is not None:
                    edge = at[node][colour]
                    path.append((edge, colour))
                    node = other(edge, node)
                    colour = beta if colour == alpha else alpha
                for edge, colour in path:
                    for end in (edge[0], n_lanes + lanes[edge[0]][edge[1]] % banks):
                        if at[end][colour] == edge:
                            at[end][colour] = None
                for edge, colour in path:
                    new = beta if colour == alpha else alpha
                    for end in (edge[0], n_lanes + lanes[edge[0]][edge[1]] % banks):
                        at[end][new] = edge
            at[lane][alpha] = (lane, pos)
            at[bank][alpha] = (lane, pos)
    return [[at[lane][t][1] if at[lane][t] is not None else None for lane in range(n_lanes)]
            for t in range(degree)]


_POLICY = {"in-order": _in_order, "greedy": _greedy, "optimal": _optimal}


def schedule(kernels: Kernels, banks: int, policy: str = "in-order") -> Schedule:
    """The read schedule of one pass under ``policy`` (see the module docstring)."""
    if policy not in _POLICY:
        raise SpectralError(f"unknown scheduling policy {policy!r}: use one of "
                            f"{', '.join(POLICIES)}")
    lanes = _check(kernels, banks)
    slots = _POLICY[policy](lanes, banks)
    return Schedule(tuple(tuple(k) for k in lanes), int(banks),
                    tuple(tuple(row) for row in slots))


def cycles(kernels: Kernels, banks: int, policy: str = "in-order") -> int:
    """Cycles of one pass under ``policy``."""
    return schedule(kernels, banks, policy).cycles


def conflict_cycles(kernels: Kernels, banks: int, policy: str = "in-order") -> int:
    """Cycles - the most non-zeros of one lane."""
    return cycles(kernels, banks, policy) - lane_bound(kernels)


def group_conflicts(bins: Sequence[int], banks: int) -> int:
    """The spec's measure for one group of parallel reads: (max reads on one bank) - 1."""
    if not bins:
        return 0
    return int(bank_reads([list(bins)], banks).max()) - 1


def pass_cycles(masks: np.ndarray, banks: int, policy: str = "in-order") -> np.ndarray:
    """Cycles of many passes at once: ``masks`` (... x P x 40 bools) holds each lane's
    non-zero bins, issued in index order. Equal to :func:`cycles` on every pass
    (tests check it); ``"optimal"`` is the Koenig bound, which :func:`schedule` reaches."""
    if policy not in _POLICY:
        raise SpectralError(f"unknown scheduling policy {policy!r}: use one of "
                            f"{', '.join(POLICIES)}")
    masks = np.asarray(masks, dtype=bool)
    if masks.ndim < 2 or masks.shape[-1] != BINS:
        raise SpectralError(f"expected ... x lanes x {BINS} masks, got shape {masks.shape}")
    lead = masks.shape[:-2]
    flat = masks.reshape(-1, *masks.shape[-2:])
    bank_of = np.arange(BINS) % banks
    if policy == "optimal":
        lane = flat.sum(axis=2).max(axis=1, initial=0)
        per_bank = np.stack([flat[:, :, bank_of == b].sum(axis=(1, 2))
                             for b in range(banks)], axis=1)
        return np.maximum(lane, per_bank.max(axis=1)).reshape(lead)
    # identical passes (frequent: e.g. every pass of a dense layer) are computed once
    packed = np.packbits(flat.reshape(flat.shape[0], -1), axis=1)
    unique, inverse = np.unique(packed, axis=0, return_inverse=True)
    distinct = np.unpackbits(unique, axis=1, count=flat.shape[1] * BINS).astype(bool)
    run = _in_order_batch if policy == "in-order" else _greedy_batch
    cyc = run(distinct.reshape(-1, *flat.shape[1:]), banks, bank_of)
    return cyc[inverse.reshape(-1)].reshape(lead)


def _in_order_batch(masks: np.ndarray, banks: int, bank_of: np.ndarray) -> np.ndarray:
    n, lanes, _ = masks.shape
    count = masks.sum(axis=2)
    width = max(int(count.max(initial=0)), 1)
    # each lane's bins in index order, padded
    order = np.argsort(~masks, axis=2, kind="stable")[:, :, :width]
    bins_of = np.where(np.arange(width) < count[:, :, None], order, 0)
    pos = np.zeros((n, lanes), dtype=np.int64)
    cycles = np.zeros(n, dtype=np.int64)
    rows = np.arange(n)
    while True:
        live = (pos < count).any(axis=1)
        if not live.any():
            return cycles
        cycles += live
        busy = np.zeros((n, banks), dtype=bool)
        for lane in range(lanes):
            active = pos[:, lane] < count[:, lane]
            head = bins_of[rows, lane, np.minimum(pos[:, lane], width - 1)]
            bank = bank_of[head]
            win = active & ~busy[rows, bank]
            busy[rows[win], bank[win]] = True
            pos[win, lane] += 1


def _greedy_batch(masks: np.ndarray, banks: int, bank_of: np.ndarray) -> np.ndarray:
    """The greedy policy on many passes at once, per bank rather than per bin: a lane's
    bins in one bank have equal scores but for their index, so it always takes them in
    index order, and (pass, lane, bank) needs only a count of those taken."""
    n, lanes, _ = masks.shape
    depth = -(-BINS // banks)
    # bins of (pass, lane, bank) in index order, padded with BINS
    by_bank = np.full((n, lanes, banks, depth), BINS, dtype=np.int16)
    count = np.zeros((n, lanes, banks), dtype=np.int16)
    for b in range(banks):
        bins = np.arange(b, BINS, banks)
        sub = masks[:, :, bins]
        order = np.argsort(~sub, axis=2, kind="stable")
        picked = np.take_along_axis(np.broadcast_to(bins, sub.shape), order, axis=2)
        have = np.take_along_axis(sub, order, axis=2)
        by_bank[:, :, b, :len(bins)] = np.where(have, picked, BINS)
        count[:, :, b] = sub.sum(axis=2)
    taken = np.zeros_like(count)
    head = by_bank[:, :, :, 0].copy()  # each (pass, lane, bank)'s next bin
    demand = count.sum(axis=1).astype(np.int32)
    cycles = np.zeros(n, dtype=np.int64)
    live = np.arange(n)
    t = 0
    while live.size:
        left_b = count[live] - taken[live]
        left = left_b.sum(axis=2)
        going = left.any(axis=1)
        cycles[live[~going]] = t
        live, left_b, left = live[going], left_b[going], left[going]
        if not live.size:
            break
        tk, hd, dem = taken[live], head[live], demand[live]
        rows = np.arange(live.size)
        lane_order = np.argsort(-left, axis=1, kind="stable")
        busy = np.zeros((live.size, banks), dtype=bool)
        for rank in range(lanes):
            lane = lane_order[:, rank]
            cand = (left_b[rows, lane] > 0) & ~busy
            score = np.where(cand, dem * (BINS + 1) + (BINS - hd[rows, lane]), -1)
            pick = np.argmax(score, axis=1)
            has = cand[rows, pick]
            r, ln, b = rows[has], lane[has], pick[has]
            tk[r, ln, b] += 1
            left_b[r, ln, b] -= 1
            hd[r, ln, b] = by_bank[live[r], ln, b, np.minimum(tk[r, ln, b], depth - 1)]
            busy[r, b] = True
            dem[r, b] -= 1
        taken[live], head[live], demand[live] = tk, hd, dem
        t += 1
    return cycles
