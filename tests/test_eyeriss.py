"""The Eyeriss-like row-stationary model: hand-computed mappings, and the design."""

from accelbench.design import EvaluationOptions
from accelbench.designs.eyeriss.design import EyerissLike
from accelbench.designs.eyeriss.model import PSUM_BYTES, rs_layer_accesses, rs_layer_cycles
from accelbench.engines.layers import ConvShape, EngineLayer
from accelbench.workloads import NetworkWorkload


def test_conv_mapping_by_hand():
    # 3x3 conv, 28x28 output: sets of 3 x 14 PEs, 4 x 1 sets, 2 strips of 14 rows
    layer = EngineLayer("c", "conv", ConvShape(16, 28, 28, 32, (3, 3), 1, (1, 1, 1, 1)))
    res = rs_layer_cycles(layer)
    jobs = 32 * 16 * 2
    assert res.sets == 4 and res.active_pes == 4 * 3 * 14
    assert res.cycles == -(-jobs // 4) * 28 * 3


def test_small_outputs_replicate_sets_across_columns():
    # 7x7 output: sets 3 x 7, two side by side, four stacked -> 8 sets on 168 PEs
    layer = EngineLayer("c", "conv", ConvShape(64, 7, 7, 64, (3, 3), 1, (1, 1, 1, 1)))
    res = rs_layer_cycles(layer)
    assert res.sets == 8 and res.cycles == -(-64 * 64 // 8) * 7 * 3


def test_fc_and_depthwise():
    fc = EngineLayer("fc", "fc", ConvShape(4096, 1, 1, 1000, (1, 1), 1))
    assert rs_layer_cycles(fc).cycles == -(-4096 * 1000 // 168)
    dw = EngineLayer("dw", "dwconv", ConvShape(32, 112, 112, 32, (3, 3), 1, (1, 1, 1, 1), 32))
    assert rs_layer_cycles(dw).cycles == -(-32 * 8 // 4) * 112 * 3


def test_design_is_analytical_and_evaluates_networks():
    design = EyerissLike()
    assert design.netlists() == {}
    assert "ANALYTICAL" in design.summary
    design.verify()
    ev = design.evaluate(NetworkWorkload(id="net/vgg16", kind="network", synthetic=False,
                                         network="vgg16").load(), EvaluationOptions(area=False))
    assert 0 < ev.metric("utilisation").value <= 1
    assert ev.metric("total_cycles").value == sum(r["cycles"]
                                                  for r in ev.details["per_layer"])


def test_accesses_by_hand():
    # 3x3 conv, 28x28 output, 16 -> 32 channels: 4 sets, 2 strips of 14 output rows
    layer = EngineLayer("c", "conv", ConvShape(16, 28, 28, 32, (3, 3), 1, (1, 1, 1, 1)))
    acc = rs_layer_accesses(layer).to_json()
    assert acc["dram_ifmap_read_bytes"] == 16 * 28 * 28
    assert acc["dram_weight_read_bytes"] == 32 * 16 * 9
    assert acc["dram_ofmap_write_bytes"] == 32 * 28 * 28
    # each (channel, strip) reads 13 + 3 = 16 padded rows of 30, once per 4 filters
    assert acc["sram_ifmap_read_bytes"] == 16 * 2 * 16 * 30 * (32 // 4)
    assert acc["sram_weight_read_bytes"] == 32 * 16 * 2 * 9
    assert acc["sram_psum_write_bytes"] == 32 * 28 * 28 * PSUM_BYTES * 16
    assert acc["sram_psum_read_bytes"] == 32 * 28 * 28 * PSUM_BYTES * 15
    assert acc["rf_weight_read_bytes"] == layer.macs
    assert acc["rf_psum_write_bytes"] == layer.macs * PSUM_BYTES
