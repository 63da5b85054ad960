"""Dense OS systolic system: one netlist per configuration running layer after layer,
bit-exact against numpy, cycles equal to the model; accesses; the published system is
the netlist synthesised."""

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from accelbench.design import EvaluationOptions
from accelbench.designs.systolic import DenseSystolic
from accelbench.designs.systolic.model import layer_cycles, patch_reads, weight_reads
from accelbench.designs.systolic.netlist import DenseHardware
from accelbench.designs.systolic.simulate import DenseSimulator
from accelbench.engines.conv import conv_int, crop_real_layer, patch_matrix, weight_matrix
from accelbench.engines.layers import ConvShape
from accelbench.networks.zoo import ZOO
from accelbench.workloads import NetworkWorkload

_SIMULATORS: dict[tuple[int, int], DenseSimulator] = {}


def _simulator(rows: int, cols: int) -> DenseSimulator:
    if (rows, cols) not in _SIMULATORS:
        hw = DenseHardware(rows, cols, patch_words=4096, weight_words=1024, max_k=512,
                           max_tiles=256, max_filter_tiles=64)
        _SIMULATORS[rows, cols] = DenseSimulator(hw)
    return _SIMULATORS[rows, cols]


def _net(name):
    """The harness's loaded data for a zoo network."""
    return NetworkWorkload(id=f"net/{name}", kind="network", synthetic=False,
                           network=name).load()


@settings(max_examples=8, deadline=None)
@given(m=st.integers(1, 11), n=st.integers(1, 7), k=st.integers(1, 12),
       rows=st.sampled_from([2, 3]), cols=st.sampled_from([1, 3]), seed=st.integers(0, 2**31))
def test_netlist_product_and_cycles(m, n, k, rows, cols, seed):
    rng = np.random.default_rng(seed)
    p = rng.integers(-128, 128, (m, k))
    w = rng.integers(-128, 128, (k, n))
    run = _simulator(rows, cols).run([[(p, w)]])[0]
    assert np.array_equal(run.out[0], p @ w)
    assert run.cycles == layer_cycles(m, n, k, 1, rows, cols)


def test_convolutions_layer_after_layer_in_one_simulation():
    rng = np.random.default_rng(1)
    shapes = [ConvShape(5, 7, 6, 6, (3, 3), 2, (0, 1, 0, 1)),
              ConvShape(4, 6, 6, 4, (3, 3), 1, (1, 1, 1, 1), 4),  # depthwise
              ConvShape(6, 5, 5, 4, (1, 1), 1, (0, 0, 0, 0), 2)]  # grouped
    convs = []
    for shape in shapes:
        x = rng.integers(-128, 128, (shape.channels, shape.height, shape.width))
        w = rng.integers(-128, 128, (shape.filters, shape.channels // shape.groups,
                                     *shape.kernel))
        convs.append((x, w, shape))
    design = DenseSystolic(4, 4)
    design._simulator = ("compiled", _simulator(4, 4))
    design._check(convs, design.simulator().run_convs(convs))  # raises on a difference
    x, w, shape = convs[0]
    assert np.array_equal(patch_matrix(x, shape) @ weight_matrix(w),
                          conv_int(x, w, shape).reshape(6, -1).T)


def test_readout_hold_when_tiles_are_shorter_than_the_array():
    # K = 2 < rows = 4: each further tile waits rows cycles for the column readout
    assert layer_cycles(8, 2, 2, 1, 4, 2) == 1 + 1 + 2 + 1 * 4 - 1 + 4 + 2
    run = _simulator(2, 1).run([[(np.ones((6, 1), dtype=int), np.ones((1, 1), dtype=int))]])
    assert run[0].cycles == layer_cycles(6, 1, 1, 1, 2, 1)


@pytest.mark.parametrize(("groups", "expected"), [(1, 2 + 9 + 13 * 9 - 1 + 16),
                                                   (4, 2 + 9 + 55 * 9 - 1 + 16)])
def test_grouped_layers_issue_every_groups_tiles(groups, expected):
    # M=49, N=16, K=9 per group on 8x8: 7 x 2 tiles per group, back to back
    assert layer_cycles(49, 16, 9, groups, 8, 8) == expected


def test_real_layers_through_the_array():
    data = _net("efficientnet-lite0")
    convs = []
    for name, window in (("stem", (7, 9)), ("block01.expand", (4, 5)), ("block02.dw", (5, 5))):
        rc = crop_real_layer(data.real_layer(name), channels=3 if name == "stem" else 6,
                             filters=5, window=window, origin=(30, 30))
        convs.append((rc.x, rc.int_weight(), rc.shape))
    design = DenseSystolic(4, 4)
    design._simulator = ("compiled", _simulator(4, 4))
    design._check(convs, design.simulator().run_convs(convs))


def test_design_evaluates_networks_with_accesses():
    design = DenseSystolic(16, 16)
    ev = design.evaluate(_net("resnet50"), EvaluationOptions(area=False))
    total = ev.metric("total_cycles").value
    assert total == sum(r["cycles"] for r in ev.details["per_layer"])
    assert 0 < ev.metric("utilisation").value <= 1
    assert ev.metric("scalesim_compatible_cycles").value > 0
    net = ZOO["resnet50"]()
    assert ev.metric("dram_weight_read_bytes").value == net.weight_count  # int8, once
    first = ev.details["per_layer"][0]
    m, n, k = first["gemm_mnk"]
    assert first["sram_ifmap_read_bytes"] == patch_reads(m, n, k, 1, 16)
    assert first["sram_weight_read_bytes"] == weight_reads(m, n, k, 1, 16)
    assert first["dram_ofmap_write_bytes"] == m * n


def test_pe_area_is_synthesised():
    from accelbench.netlist.area import netlist_area

    report = netlist_area(DenseSystolic(2, 2), "pe")
    assert report.flip_flops == 8 + 8 + 1 + 1 + 32 + 32
    assert 800 < report.total_ge < 3000


def test_published_system_is_the_netlist_synthesised():
    from accelbench.netlist.build import build_block, module_name, to_verilog

    design = DenseSystolic(16, 16)
    name = module_name(design.name, "system")
    assert to_verilog(design.simulator().block, name) == to_verilog(
        build_block(design.netlists()["system"].build), name)
