"""Dense OS systolic array: netlist bit-exact against numpy, cycles equal to the model."""

import time

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from accelbench.design import EvaluationOptions
from accelbench.designs.systolic import DenseSystolic
from accelbench.designs.systolic.golden import conv_int, patch_matrix, weight_matrix
from accelbench.designs.systolic.model import dense_cycles, layer_cycles
from accelbench.designs.systolic.simulate import run_dense
from accelbench.engines.layers import ConvShape, engine_layers
from accelbench.networks.zoo import ZOO
from accelbench.workloads import NetworkWorkload


def _net(name):
    """The harness's loaded data for a zoo network (no real dataset belongs to it)."""
    return NetworkWorkload(id=f"net/{name}", kind="network", synthetic=False,
                           network=name).load()


@settings(max_examples=6, deadline=None)
@given(m=st.integers(1, 11), n=st.integers(1, 7), k=st.integers(1, 12),
       rows=st.integers(1, 4), cols=st.integers(1, 3), seed=st.integers(0, 2**31))
def test_netlist_product_and_cycles(m, n, k, rows, cols, seed):
    rng = np.random.default_rng(seed)
    p = rng.integers(-128, 128, (m, k))
    w = rng.integers(-128, 128, (k, n))
    run = run_dense(p, w, rows, cols)
    assert np.array_equal(run.out, p @ w)
    assert run.cycles == dense_cycles(m, n, k, rows, cols)


def test_a_real_convolution_through_the_array():
    rng = np.random.default_rng(1)
    shape = ConvShape(5, 7, 6, 6, (3, 3), 2, (0, 1, 0, 1))
    x = rng.integers(-128, 128, (5, 7, 6))
    wt = rng.integers(-128, 128, (6, 5, 3, 3))
    run = run_dense(patch_matrix(x, shape), weight_matrix(wt), 4, 4)
    eh, ew = shape.out_hw
    assert np.array_equal(run.out.T.reshape(6, eh, ew), conv_int(x, wt, shape))
    assert run.cycles == dense_cycles(shape.m, 6, shape.k, 4, 4)


def test_readout_hold_when_tiles_are_shorter_than_the_array():
    # K = 2 < rows = 4: each further tile waits rows cycles for the column readout
    assert dense_cycles(8, 2, 2, 4, 2) == 2 + 1 * 4 + 4 + 2
    run = run_dense(np.ones((8, 2), dtype=int), np.ones((2, 2), dtype=int), 4, 2)
    assert run.cycles == dense_cycles(8, 2, 2, 4, 2)


def test_whole_networks_in_well_under_a_second():
    start = time.perf_counter()
    for make in ZOO.values():
        for el in engine_layers(make()):
            m, n, k = el.gemm
            layer_cycles(m, n, k, el.groups, 16, 16)
    assert time.perf_counter() - start < 1.0


def test_design_verifies_and_evaluates_networks():
    design = DenseSystolic(16, 16)
    design.verify(seed=3)
    ev = design.evaluate(_net("resnet50"), EvaluationOptions(area=False))
    total = ev.metric("total_cycles").value
    assert total == sum(r["cycles"] for r in ev.details["per_layer"])
    assert 0 < ev.metric("utilisation").value <= 1
    assert ev.metric("scalesim_compatible_cycles").value > 0
    assert not design.accepts(type("W", (), {"kind": "feature-maps"})())
    # int8 weights, each read from DRAM once
    assert ev.metric("dram_weight_read_bytes").value == ZOO["resnet50"]().weight_count


def test_pe_area_is_synthesised():
    from accelbench.netlist.area import netlist_area

    report = netlist_area(DenseSystolic(2, 2), "pe")
    assert report.flip_flops == 8 + 8 + 1 + 1 + 32 + 32
    assert 800 < report.total_ge < 3000


@pytest.mark.parametrize(("groups", "expected"), [(1, 9 + 13 * 9 + 16),
                                                   (4, 9 + 55 * 9 + 16)])
def test_grouped_layers_issue_every_groups_tiles(groups, expected):
    # M=49, N=16, K=9 per group on 8x8: 7 x 2 tiles per group, back to back
    assert layer_cycles(49, 16, 9, groups, 8, 8) == expected
