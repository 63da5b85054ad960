"""Read scheduling: the three policies against brute force and the Koenig bound, the
batch versions against the per-pass ones, and bad input."""

import functools
import itertools

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from accelbench.designs.spectral import schedule as sch
from accelbench.designs.spectral.golden import BINS, SpectralError


def brute_force(kernels, banks):
    """The fewest cycles over every schedule (each cycle: any subset of lanes reads any
    remaining non-zero, banks distinct)."""

    @functools.cache
    def best(state):
        if not any(state):
            return 0
        options = [(None, *r) for r in state]
        fewest = None
        for choice in itertools.product(*options):
            if all(c is None for c in choice):
                continue
            used = [b % banks for b in choice if b is not None]
            if len(used) != len(set(used)):
                continue
            rest = tuple(tuple(x for x in r if x != c) for r, c in zip(state, choice,
                                                                       strict=True))
            n = 1 + best(rest)
            fewest = n if fewest is None else min(fewest, n)
        return fewest

    return best(tuple(tuple(k) for k in kernels))


@st.composite
def small_passes(draw):
    lanes = draw(st.integers(1, 3))
    banks = draw(st.integers(1, 4))
    pool = draw(st.lists(st.integers(0, BINS - 1), min_size=4, max_size=8, unique=True))
    kernels = [draw(st.lists(st.sampled_from(pool), max_size=3, unique=True))
               for _ in range(lanes)]
    return kernels, banks


@settings(max_examples=80)
@given(small_passes())
def test_optimal_matches_brute_force_and_the_bound(case):
    kernels, banks = case
    fewest = brute_force(kernels, banks)
    assert sch.konig_bound(kernels, banks) == fewest
    for policy in sch.POLICIES:
        s = sch.schedule(kernels, banks, policy)
        s.check()
        assert s.cycles == sch.cycles(kernels, banks, policy) >= fewest
    assert sch.cycles(kernels, banks, "optimal") == fewest


@settings(max_examples=60)
@given(lanes=st.integers(1, 16), banks=st.sampled_from([1, 2, 3, 4, 5, 8, 16]),
       seed=st.integers(0, 2**32 - 1))
def test_optimal_reaches_the_bound_on_large_random_passes(lanes, banks, seed):
    rng = np.random.default_rng(seed)
    kernels = [rng.permutation(BINS)[:rng.integers(0, BINS + 1)].tolist()
               for _ in range(lanes)]
    s = sch.schedule(kernels, banks, "optimal")
    s.check()
    assert s.cycles == sch.konig_bound(kernels, banks)
    for policy in ("greedy", "in-order"):
        other = sch.schedule(kernels, banks, policy)
        other.check()
        assert other.cycles >= s.cycles


def test_in_order_lowest_lane_wins_and_the_others_retry():
    # bank 0 holds bins 0, 4, 8; lane 0 reads 0 then 1, lane 1 reads 4 then 5
    s = sch.schedule([[0, 1], [4, 5]], 4, "in-order")
    assert s.slots == ((0, None), (1, 0), (None, 1))
    assert sch.conflict_cycles([[0, 1], [4, 5]], 4, "in-order") == 1
    assert sch.cycles([[0, 1], [4, 5]], 4, "optimal") == 2  # lane 1 reads 5 first
    assert sch.group_conflicts([0, 4, 8, 1], 4) == 2
    assert sch.cycles([[], []], 4) == 0
    assert s.lane_program(1) == [None, 0, 1]


def test_batch_cycles_equal_the_per_pass_policies():
    rng = np.random.default_rng(0)
    for banks in (1, 3, 8):
        masks = rng.random((60, 5, BINS)) < rng.random((60, 1, 1))
        masks[0] = False
        masks[1] = True
        for policy in sch.POLICIES:
            batch = sch.pass_cycles(masks, banks, policy)
            one = [sch.cycles([np.flatnonzero(lane).tolist() for lane in m], banks, policy)
                   for m in masks]
            assert batch.tolist() == one, (banks, policy)


def test_bad_input_is_refused():
    with pytest.raises(SpectralError, match="outside"):
        sch.cycles([[40]], 8)
    with pytest.raises(SpectralError, match="twice"):
        sch.cycles([[3, 3]], 8)
    with pytest.raises(SpectralError, match="banks"):
        sch.cycles([[1]], 0)
    with pytest.raises(SpectralError, match="policy"):
        sch.cycles([[1]], 8, "random")
    with pytest.raises(SpectralError, match="masks"):
        sch.pass_cycles(np.zeros((2, 39), dtype=bool), 8)
