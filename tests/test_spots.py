"""SPOTS: the system netlist (one per configuration, layers loaded at run time) bit-exact
against numpy on synthetic, random and real (EfficientNet-Lite0) layers, with cycles,
issued steps, local-memory reads and loader beats equal to the model; pruning; masks;
the engine evaluation."""

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from accelbench.design import EvaluationOptions
from accelbench.designs.spots.design import Crop, Spots, SpotsNoSkip, crop_layer
from accelbench.designs.spots.hardware import SpotsHardware, SpotsLimits
from accelbench.designs.spots.model import layer_cycles
from accelbench.designs.spots.plan import (
    LayerPlan,
    SpotsConfig,
    input_block_mask,
    structural_block_mask,
    weight_block_mask,
)
from accelbench.designs.spots.program import LayerTooLarge, compile_layer
from accelbench.designs.spots.pruning import block_prune, magnitude_prune
from accelbench.designs.spots.simulate import SpotsLayer, SpotsSimulator
from accelbench.engines.conv import conv_int, quantize_int8
from accelbench.engines.layers import ConvShape
from accelbench.workloads import NetworkWorkload

SMALL = SpotsLimits(max_height=16, max_width=24, max_channels=16, max_filters=16,
                    max_kernel=5, gbuf_words=1024, local_words=512, entries=256)
_SIMULATORS: dict[SpotsHardware, SpotsSimulator] = {}


def _simulator(cfg: SpotsConfig) -> SpotsSimulator:
    """One compiled simulation per netlist, shared by every test that uses it (skipping
    is a layer setting: the no-skip configuration runs on the same netlist)."""
    hw = SpotsHardware(cfg, SMALL).netlist_key
    if hw not in _SIMULATORS:
        _SIMULATORS[hw] = SpotsSimulator(hw)
    return _SIMULATORS[hw]


def _check(sim: SpotsSimulator, layers: list[SpotsLayer]) -> None:
    for layer, run in zip(layers, sim.run(layers), strict=True):
        assert np.array_equal(run.out, conv_int(layer.x, layer.weight, layer.plan.shape))
        model = layer_cycles(layer.plan, layer.weight, layer.x != 0)
        assert (run.cycles, run.issued_steps, run.local_reads, run.loader_beats) == (
            model.cycles, model.issued_steps, model.local_reads, model.loader_beats)


def _random(rng, shape: ConvShape, x_zero: float, w_zero: float):
    x = rng.integers(-128, 128, (shape.channels, shape.height, shape.width))
    x[rng.random(x.shape) < x_zero] = 0
    w = rng.integers(-128, 128, (shape.filters, shape.channels // shape.groups, *shape.kernel))
    w[rng.random(w.shape) < w_zero] = 0
    return x, w


CASES = {
    "tall 3x3 pad 1": (ConvShape(6, 6, 7, 5, (3, 3), 1, (1, 1, 1, 1)), False),
    "split 3x3": (ConvShape(6, 6, 6, 5, (3, 3), 1, (1, 1, 1, 1)), True),
    "stride 2, TF SAME pads": (ConvShape(5, 7, 9, 3, (3, 3), 2, (0, 1, 0, 1)), False),
    "1x1 split": (ConvShape(8, 5, 5, 8, (1, 1), 1, (0, 0, 0, 0)), True),
    "depthwise 3x3": (ConvShape(4, 6, 6, 4, (3, 3), 1, (1, 1, 1, 1), 4), False),
    "5x5 stride 2 split, two column blocks": (ConvShape(3, 9, 21, 6, (5, 5), 2,
                                                        (1, 2, 1, 2)), True),
    "partial last channel block": (ConvShape(7, 4, 10, 3, (3, 3), 1, (1, 1, 1, 1)), False),
}


def test_netlist_runs_a_sequence_of_layers_bit_exact_and_model_exact():
    """Every case on one 4x2/2 netlist (8 banks), layer after layer, one simulation."""
    cfg = SpotsConfig(4, 2, 2, 4)
    rng = np.random.default_rng(7)
    layers = [SpotsLayer(LayerPlan(shape, cfg, split), *_random(rng, shape, 0.6, 0.5))
              for shape, split in CASES.values()]
    _check(_simulator(cfg), layers)


def test_same_netlist_without_skipping():
    cfg = SpotsConfig(4, 2, 2, 4).no_skip
    rng = np.random.default_rng(3)
    layers = [SpotsLayer(LayerPlan(shape, cfg, split), *_random(rng, shape, 0.6, 0.5))
              for shape, split in list(CASES.values())[:3]]
    _check(_simulator(cfg), layers)
    dense = layer_cycles(layers[0].plan, layers[0].weight, layers[0].x != 0)
    assert dense.issued_steps == dense.tile_steps  # nothing skipped


@settings(max_examples=6, deadline=None)
@given(k=st.sampled_from([1, 3, 5]), stride=st.sampled_from([1, 2]), c=st.integers(1, 9),
       n=st.integers(1, 6), extra=st.tuples(st.integers(0, 5), st.integers(0, 12)),
       pad=st.integers(0, 2), block=st.sampled_from([2, 4]), split=st.booleans(),
       seed=st.integers(0, 2**31))
def test_random_layers_cosimulate(k, stride, c, n, extra, pad, block, split, seed):
    pad = min(pad, k // 2)
    shape = ConvShape(c, k + extra[0], k + extra[1], n, (k, k), stride, (pad,) * 4)
    rng = np.random.default_rng(seed)
    cfg = SpotsConfig(6, 2, 2, block)  # 16 banks
    _check(_simulator(cfg), [SpotsLayer(LayerPlan(shape, cfg, split),
                                        *_random(rng, shape, rng.random(), rng.random()))])


def test_a_layer_beyond_the_netlist_limits_is_refused():
    cfg = SpotsConfig(4, 2, 2, 4)
    hw = SpotsHardware(cfg, SMALL)
    wide = LayerPlan(ConvShape(4, 4, 30, 2, (3, 3), 1, (1, 1, 1, 1)), cfg, False)
    with pytest.raises(LayerTooLarge, match="input width"):
        compile_layer(hw, wide, np.ones((2, 4, 3, 3), dtype=int))
    strided = LayerPlan(ConvShape(2, 9, 9, 2, (3, 3), 3), cfg, False)  # 4 lanes x 3 > 8
    assert not strided.feasible and cfg.modes(3) == (True,)
    with pytest.raises(LayerTooLarge, match="stride"):
        compile_layer(hw, strided, np.ones((2, 2, 3, 3), dtype=int))


@pytest.fixture(scope="module")
def real_data():
    """EfficientNet-Lite0 as the harness loads it: the graph with its real dataset."""
    data = NetworkWorkload(id="net/efficientnet-lite0", kind="network", synthetic=False,
                           network="efficientnet-lite0").load()
    assert data.has_real_data
    return data


REAL_CROPS = (
    Crop("stem", 3, 6, (9, 9), (7, 5), 0.5, False),  # 3x3 stride 2, pads (0, 1, 0, 1)
    Crop("block01.expand", 8, 8, (6, 8), (7, 5), 0.9, True),  # 1x1 on sparse ReLU6 maps
    Crop("block03.dw", 8, 8, (11, 11), (7, 5), 0.7, False),  # 5x5 depthwise stride 2
    Crop("block05.project", 16, 4, (5, 6), (7, 5), 0.5, False),  # 1x1 after a 5x5 dw
)


def test_real_layers_cosimulate_bit_exact(real_data):
    cfg = SpotsConfig(8, 2, 2, 4)
    layers = [crop_layer(real_data.real_layer(c.layer), c, cfg) for c in REAL_CROPS]
    assert all(np.count_nonzero(la.x == 0) > 0 for la in layers[1:])  # real zeros
    _check(_simulator(cfg), layers)


def test_block_pruning_keeps_the_largest_blocks():
    rng = np.random.default_rng(0)
    w = rng.standard_normal((8, 8, 3, 3))
    pruned = block_prune(w, 1, 4, 4, 0.5)
    plan = LayerPlan(ConvShape(8, 5, 5, 8, (3, 3), 1, (1, 1, 1, 1)),
                     SpotsConfig(4, 4, 1, 4), False)
    listed = weight_block_mask(plan, pruned)
    assert listed.sum() == listed.size // 2  # 2 filter tiles x 2 channel blocks x 9 positions
    norms = [(w[f * 4:f * 4 + 4, cb * 4:cb * 4 + 4, dy, dx] ** 2).sum()
             for f in range(2) for dy in range(3) for dx in range(3) for cb in range(2)]
    kept = [(pruned[f * 4:f * 4 + 4, cb * 4:cb * 4 + 4, dy, dx] != 0).any()
            for f in range(2) for dy in range(3) for dx in range(3) for cb in range(2)]
    assert min(n for n, k in zip(norms, kept, strict=True) if k) >= \
        max(n for n, k in zip(norms, kept, strict=True) if not k)
    assert np.count_nonzero(magnitude_prune(w, 0.7)) == round(0.3 * w.size)


def test_depthwise_blocks_are_structurally_sparse():
    plan = LayerPlan(ConvShape(16, 4, 4, 16, (3, 3), 1, (1, 1, 1, 1), 16),
                     SpotsConfig(4, 4, 1, 4), False)
    mask = structural_block_mask(plan)  # filter tile f touches channel block f only
    assert mask.shape == (4, 9 * 4)
    assert np.array_equal(mask[:, :4], np.eye(4, dtype=bool))


def test_input_block_mask_sees_one_nonzero_activation():
    plan = LayerPlan(ConvShape(4, 4, 8, 2, (3, 3), 1, (1, 1, 1, 1)),
                     SpotsConfig(4, 2, 1, 4), False)
    nz = np.zeros((4, 4, 8), dtype=bool)
    nz[2, 1, 5] = True
    mask = input_block_mask(plan, nz)  # blocks x 4 rows x 2 pixel tiles
    # the activation at (y=1, x=5) is seen by output rows 0..2 and pixels 4..6 (tile 1)
    assert sorted({(r, t) for _, r, t in zip(*np.nonzero(mask), strict=True)}) == \
        [(0, 1), (1, 1), (2, 1)]
    assert mask.sum() == 9  # each (dy, dx) once per output row that sees it


def test_more_weight_sparsity_never_costs_cycles():
    rng = np.random.default_rng(5)
    shape = ConvShape(16, 8, 8, 16, (3, 3), 1, (1, 1, 1, 1))
    w = rng.standard_normal((16, 16, 3, 3))
    x = rng.random((16, 8, 8)) < 0.5
    cfg = SpotsConfig(8, 4, 2, 4)
    cycles = [layer_cycles(LayerPlan(shape, cfg, False),
                           quantize_int8(block_prune(w, 1, 4, 4, s))[0], x).cycles
              for s in (0.0, 0.5, 0.7, 0.9)]
    assert cycles == sorted(cycles, reverse=True) and cycles[-1] < cycles[0] / 3


def test_design_evaluates_a_network_as_an_engine():
    data = NetworkWorkload(id="net/alexnet", kind="network", synthetic=False,
                           network="alexnet").load()
    ev = Spots().evaluate(data, EvaluationOptions(area=False))
    sweep = ev.details["sweep"]
    assert sweep["parameter"] == "weight_sparsity" and sweep["default"] == 0.0
    points = {p["value"]: p for p in sweep["points"]}
    assert list(points) == [0.0, 0.5, 0.7, 0.9]
    assert points[0.9]["total_cycles"] < points[0.0]["total_cycles"]
    assert ev.metric("total_cycles").value == points[0.0]["total_cycles"]
    per_layer = ev.details["per_layer"]
    assert sum(e["cycles"] for e in per_layer) == ev.metric("total_cycles").value
    assert sum(points[0.9]["per_layer_cycles"]) == points[0.9]["total_cycles"]
    assert {e["activations"] for e in per_layer} == {"assumed"}
    # AlexNet's conv1 (stride 4) needs 128 banks in tall mode: it runs split
    assert per_layer[0]["mode"] == "split"
    assert ev.metric("real_layers").value == 0
    # the input map crosses DRAM, the global buffer and the loader exactly once
    inputs = sum(e["shape"][0] * e["shape"][1] * e["shape"][2] for e in per_layer)
    for name in ("dram_ifmap_read_bytes", "sram_ifmap_write_bytes", "sram_ifmap_read_bytes"):
        assert ev.metric(name).value == inputs
    assert not [m.name for m in ev.metrics if "_s0" in m.name or "_s50" in m.name]
    noskip = SpotsNoSkip().evaluate(data, EvaluationOptions(area=False))
    assert "sweep" not in noskip.details
    assert noskip.metric("total_cycles").value > points[0.0]["total_cycles"]


def test_design_on_real_efficientnet_data(real_data):
    design = Spots(cosimulate=False)
    ev = design.evaluate(real_data, EvaluationOptions(area=False))
    assert ev.metric("real_layers").value == 49  # every convolution; fc has no data
    # the published buffers hold every layer but block01.dw's input and the fc weights
    beyond = [e["layer"] for e in ev.details["per_layer"] if not e["fits_netlist"]]
    assert beyond == ["block01.dw", "fc"] and ev.metric("layers_beyond_netlist").value == 2
    pruning = {p["sparsity"]: p["element_cycles"] for p in ev.details["pruning"]}
    block = {p["value"]: p["total_cycles"] for p in ev.details["sweep"]["points"]}
    assert pruning[0.0] == block[0.0] and pruning[0.9] > block[0.9]


def test_published_system_is_the_netlist_synthesised():
    """The block the published system's simulator runs is the netlist area and Verilog
    export build: identical Verilog. (Its co-simulation on random and real cropped layers
    is ``accelbench verify`` and the benchmark matrix: compiling it takes a while.)"""
    from accelbench.netlist.build import build_block, module_name, to_verilog

    design = Spots()
    name = module_name(design.name, "system")
    simulated = design.simulator().block  # built, not compiled yet
    assert to_verilog(simulated, name) == to_verilog(
        build_block(design.netlists()["system"].build), name)


def test_published_crops_name_real_layers_of_every_network_with_a_dataset():
    """The matrix co-simulates these crops on every real network it runs (a crop naming
    another network's layer stopped SPOTS and the dense array on ResNet-50-1by2)."""
    from accelbench.designs.spots.design import PUBLISHED_CROPS as SPOTS_CROPS
    from accelbench.designs.systolic.design import PUBLISHED_CROPS as DENSE_CROPS
    from accelbench.registry import get_registry

    registry = get_registry()
    real_networks = {s.network_name for s in registry.dataset_sources.values()
                     if getattr(s, "network_name", None)}
    assert {"efficientnet-lite0", "resnet50-1by2"} <= real_networks
    for network in real_networks:
        convs = {layer.name for layer in registry.networks[network].layers
                 if layer.is_compute and layer.op != "fc"}
        assert {c.layer for c in SPOTS_CROPS[network]} <= convs
        assert {c[0] for c in DENSE_CROPS[network]} <= convs
