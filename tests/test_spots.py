"""SPOTS: IM2COL + skipping netlist bit-exact against numpy on synthetic and real
(EfficientNet-Lite0) layers, cycles/steps/reads equal to the model; pruning; masks;
network evaluation and the report section."""

import numpy as np
import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from accelbench.design import EvaluationOptions
from accelbench.designs.spots.crops import crop_layer
from accelbench.designs.spots.design import Spots
from accelbench.designs.spots.model import layer_cycles
from accelbench.designs.spots.plan import (
    LayerPlan,
    SpotsConfig,
    input_block_mask,
    structural_block_mask,
    weight_block_mask,
)
from accelbench.designs.spots.program import dense_weight
from accelbench.designs.spots.pruning import block_prune, magnitude_prune, quantize_int8
from accelbench.designs.spots.simulate import run_spots
from accelbench.designs.systolic.golden import conv_int
from accelbench.engines.layers import ConvShape
from accelbench.workloads import NetworkWorkload


def _cosim(plan: LayerPlan, x: np.ndarray, w: np.ndarray) -> None:
    run = run_spots(plan, x, w)
    assert np.array_equal(run.out, conv_int(x, dense_weight(w, plan.groups), plan.shape))
    model = layer_cycles(plan, w, x != 0)
    assert (run.cycles, run.issued_steps, run.local_reads, run.loader_beats) == (
        model.cycles, model.issued_steps, model.local_reads, model.loader_beats)


def _random(rng, shape: ConvShape, groups: int, x_zero: float, w_zero: float):
    x = rng.integers(-128, 128, (shape.channels, shape.height, shape.width))
    x[rng.random(x.shape) < x_zero] = 0
    w = rng.integers(-128, 128, (shape.filters, shape.channels // groups, *shape.kernel))
    w[rng.random(w.shape) < w_zero] = 0
    return x, w


CASES = {
    "tall 3x3 pad 1": (ConvShape(6, 6, 7, 5, (3, 3), 1, (1, 1, 1, 1)), 1,
                       SpotsConfig(4, 2, 2, 4), False),
    "split 3x3": (ConvShape(6, 6, 6, 5, (3, 3), 1, (1, 1, 1, 1)), 1,
                  SpotsConfig(4, 2, 2, 4), True),
    "stride 2, TF SAME pads": (ConvShape(5, 7, 9, 3, (3, 3), 2, (0, 1, 0, 1)), 1,
                               SpotsConfig(4, 2, 2, 2), False),
    "1x1 split": (ConvShape(8, 5, 5, 8, (1, 1), 1, (0, 0, 0, 0)), 1,
                  SpotsConfig(4, 2, 2, 4), True),
    "depthwise 3x3": (ConvShape(4, 6, 6, 4, (3, 3), 1, (1, 1, 1, 1)), 4,
                      SpotsConfig(4, 2, 2, 2), False),
    "no skipping": (ConvShape(3, 5, 6, 3, (3, 3), 1, (1, 1, 1, 1)), 1,
                    SpotsConfig(4, 3, 1, 1, skip_weights=False, skip_inputs=False), False),
}


@pytest.mark.parametrize("case", sorted(CASES))
def test_netlist_matches_numpy_and_model(case):
    shape, groups, cfg, split = CASES[case]
    x, w = _random(np.random.default_rng(len(case)), shape, groups, 0.6, 0.5)
    _cosim(LayerPlan(shape, groups, cfg, split), x, w)


@settings(max_examples=4, deadline=None)
@given(k=st.sampled_from([1, 3, 5]), stride=st.sampled_from([1, 2]), c=st.integers(1, 9),
       n=st.integers(1, 6), extra=st.tuples(st.integers(0, 5), st.integers(0, 6)),
       pad=st.integers(0, 2), block=st.sampled_from([1, 2, 4, 8]), split=st.booleans(),
       seed=st.integers(0, 2**31))
def test_random_layers_cosimulate(k, stride, c, n, extra, pad, block, split, seed):
    pad = min(pad, k // 2)
    shape = ConvShape(c, k + extra[0], k + extra[1], n, (k, k), stride, (pad,) * 4)
    rng = np.random.default_rng(seed)
    x, w = _random(rng, shape, 1, rng.random(), rng.random())
    plan = LayerPlan(shape, 1, SpotsConfig(6, 2, 2, block), split)
    assume(k - 1 - pad < plan.banks)  # the netlist's ring needs more banks than that
    _cosim(plan, x, w)


@pytest.fixture(scope="module")
def real_data():
    """EfficientNet-Lite0 as the harness loads it: the graph with its real dataset."""
    data = NetworkWorkload(id="net/efficientnet-lite0", kind="network", synthetic=False,
                           network="efficientnet-lite0").load()
    assert data.has_real_data
    return data


@pytest.fixture(scope="module")
def real_layers(real_data):
    return {name: real_data.real_layer(name) for name in
            ("stem", "block01.expand", "block03.dw", "block05.project")}


@pytest.mark.parametrize(("name", "channels", "filters", "window", "sparsity", "split"), [
    ("stem", 3, 6, (9, 9), 0.5, False),  # 3x3 stride 2, pads (0, 1, 0, 1), real image
    ("block01.expand", 8, 8, (6, 8), 0.9, True),  # 1x1 on sparse ReLU6 maps
    ("block03.dw", 8, 8, (11, 11), 0.7, False),  # 5x5 depthwise stride 2
    ("block05.project", 16, 4, (5, 6), 0.5, False),  # 1x1 after a 5x5 depthwise
])
def test_real_layers_cosimulate_bit_exact(real_layers, name, channels, filters, window,
                                          sparsity, split):
    cfg = SpotsConfig(8, 2, 2, 4)
    crop = crop_layer(real_layers[name], channels=channels, filters=filters, window=window,
                      origin=(7, 5), sparsity=sparsity, cols=cfg.cols, block=cfg.block)
    assert np.count_nonzero(crop.x == 0) > 0 or name == "stem"
    _cosim(LayerPlan(crop.shape, crop.groups, cfg, split), crop.x, crop.weight)


def test_block_pruning_keeps_the_largest_blocks():
    rng = np.random.default_rng(0)
    w = rng.standard_normal((8, 8, 3, 3))
    pruned = block_prune(w, 1, 4, 4, 0.5)
    plan = LayerPlan(ConvShape(8, 5, 5, 8, (3, 3), 1, (1, 1, 1, 1)), 1,
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
    plan = LayerPlan(ConvShape(16, 4, 4, 16, (3, 3), 1, (1, 1, 1, 1)), 16,
                     SpotsConfig(4, 4, 1, 4), False)
    mask = structural_block_mask(plan)  # filter tile f touches channel block f only
    assert mask.shape == (4, 9 * 4)
    assert np.array_equal(mask[:, :4], np.eye(4, dtype=bool))


def test_input_block_mask_sees_one_nonzero_activation():
    plan = LayerPlan(ConvShape(4, 4, 8, 2, (3, 3), 1, (1, 1, 1, 1)), 1,
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
    cycles = [layer_cycles(LayerPlan(shape, 1, cfg, False),
                           quantize_int8(block_prune(w, 1, 4, 4, s))[0], x).cycles
              for s in (0.0, 0.5, 0.7, 0.9)]
    assert cycles == sorted(cycles, reverse=True) and cycles[-1] < cycles[0] / 3


def test_design_evaluates_a_network_with_assumed_activations():
    design = Spots(cosimulate=False)
    ev = design.evaluate(NetworkWorkload(id="net/alexnet", kind="network", synthetic=False,
                                         network="alexnet").load(),
                         EvaluationOptions(area=False))
    s0, s90 = ev.metric("cycles_s0").value, ev.metric("cycles_s90").value
    assert s90 < s0
    per_layer = ev.details["per_layer"]
    assert sum(e["cycles_s90"] for e in per_layer) == s90
    assert {e["activations"] for e in per_layer} == {"assumed"}
    assert ev.metric("speedup_vs_dense_s0").value == pytest.approx(
        ev.metric("dense_cycles").value / s0, rel=1e-5)
    assert ev.metric("real_activation_layers").value == 0


def test_design_on_real_efficientnet_data_cosimulates_and_reports(real_data):
    from accelbench.designs.spots.report import SpotsSection
    from accelbench.records import ResultRecord

    design = Spots()
    design.verify(seed=1)
    ev = design.evaluate(real_data, EvaluationOptions(area=False))
    assert ev.metric("real_activation_layers").value == 49
    assert ev.metric("cosim_layers_exact").value == 2
    assert ev.metric("ifm_dram_reads").value < ev.metric("dense_ifm_dram_reads").value
    record = ResultRecord(design=design.name, family="engine", parameters=design.parameters,
                          workload={"id": "net/efficientnet-lite0", "synthetic": False},
                          metrics={m.name: m.to_json() for m in ev.metrics},
                          details=ev.details)
    out = SpotsSection().render([record])
    names = [t.name for t in out.tables]
    assert names[:4] == ["spots_networks", "spots_per_layer", "spots_pruning",
                         "spots_ifm_reads"]
    summary = ev.details["summary"]
    assert summary[90]["unstructured_cycles"] > summary[90]["cycles"]
    assert len(out.tables[0].rows) == 4 and out.tables[0].rows[0][1] == "real"
    assert len(out.tables[1].rows) == 50
    import matplotlib

    matplotlib.use("Agg")
    from matplotlib.figure import Figure

    out.plots[0].draw(Figure())


def test_im2col_area_is_synthesised_for_a_small_unit():
    from accelbench.designs.spots.netlist import im2col_netlist
    from accelbench.netlist.area import synthesize
    from accelbench.netlist.build import build_block

    plan = LayerPlan(ConvShape(8, 6, 6, 4, (3, 3), 1, (1, 1, 1, 1)), 1,
                     SpotsConfig(2, 2, 1, 4), False)
    report = synthesize(build_block(lambda p: im2col_netlist(p, plan)), "im2col_small")
    assert report.total_ge > 100 and report.memory_bits > 0


def test_netlist_rejects_kernels_wider_than_its_ring():
    from accelbench.designs.spots.netlist import spots_system
    from accelbench.netlist.build import build_block

    plan = LayerPlan(ConvShape(2, 6, 6, 2, (5, 5), 1, (0, 0, 0, 0)), 1,
                     SpotsConfig(2, 2, 1, 2), False)
    with pytest.raises(ValueError, match="needs more than 2 IM2COL banks"):
        build_block(lambda p: spots_system(p, plan, 1))
