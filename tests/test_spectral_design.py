"""The spectral engine on the engine-family contract: which layers it computes, the density
sweep, access counts under the chosen dataflow (by hand), labels, accepts, and the real
ResNet-50-1by2 path (real weights, accuracy on real images)."""

import math

import numpy as np
import pytest

from accelbench.design import EvaluationOptions
from accelbench.designs.spectral import evaluate as ev
from accelbench.designs.spectral import schedule as sch
from accelbench.designs.spectral.cycles import core_cycles
from accelbench.designs.spectral.design import SpectralEngine
from accelbench.engines.layers import engine_layers
from accelbench.errors import AccelbenchError
from accelbench.networks.builder import NetBuilder
from accelbench.workloads import FeatureMapWorkload, NetworkData, NetworkWorkload

OPTIONS = EvaluationOptions(area=False, accuracy=False)


def tiny_network():
    b = NetBuilder("tiny", (2, 7, 7))
    c1 = b.conv("c1", "input", 3, 3, pads=1)
    c2 = b.conv("c2", c1, 4, 3, stride=2, pads=1)
    c3 = b.conv("c3", c2, 4, 1)
    c4 = b.conv("c4", c3, 4, 3, pads=1, groups=2)
    c5 = b.depthwise("c5", c4, 3, pads=1)
    c6 = b.conv("c6", c5, 2, 5, pads=2)
    pool = b.global_avgpool("pool", c6)
    b.fc("fc", pool, 10)
    return b.build("a small graph with every kind of layer")


@pytest.fixture(scope="module")
def tiny():
    return SpectralEngine().evaluate(NetworkData(tiny_network()), OPTIONS)


def test_only_stride_one_ungrouped_kxk_layers_are_computed(tiny):
    assert [e["layer"] for e in tiny.details["per_layer"]] == ["c1", "c6"]
    assert tiny.details["spatial_layers"] == [
        {"layer": "c2", "op": "conv", "reason": "stride 2"},
        {"layer": "c3", "op": "conv", "reason": "1x1 (a flat spectrum: nothing to prune, "
                                                "no saving)"},
        {"layer": "c4", "op": "conv", "reason": "grouped (2 groups)"},
        {"layer": "c5", "op": "dwconv", "reason": "grouped (4 groups)"},
        {"layer": "fc", "op": "fc", "reason": "fully connected"}]
    assert tiny.metric("spatial_layers").value == 5
    assert tiny.metric("macs").value == sum(la.macs for la in engine_layers(tiny_network())
                                            if la.name in ("c1", "c6"))


def test_density_sweep_and_synthetic_labels(tiny):
    sweep = tiny.details["sweep"]
    assert sweep["parameter"] == "kernel_density" and sweep["default"] == 1.0
    assert [p["value"] for p in sweep["points"]] == [1.0, 0.5, 0.25]
    extra = tiny.details["spectral_sweep"]
    assert [p["value"] for p in extra] == [1.0, 0.5, 0.25]
    for point, figures in zip(sweep["points"], extra, strict=True):
        assert point["total_cycles"] == sum(e["core_cycles"]["optimal"]
                                            for e in figures["per_layer"])
        assert figures["kernels"] == "SYNTHETIC"
        assert all(e["kernels"] == "SYNTHETIC" for e in figures["per_layer"])
        assert figures["kernel_density"] == pytest.approx(point["value"], abs=0.02)
    assert tiny.details["kernels"].startswith("SYNTHETIC")
    assert tiny.metric("real_layers").value == 0
    dense, _, sparse = extra
    assert sparse["policies"]["optimal"]["core_cycles"] < dense["policies"]["optimal"][
        "core_cycles"]
    for point in extra:  # optimal never loses to greedy, greedy never to in-order here
        c = {p: point["policies"][p]["conflict_cycles"] for p in sch.POLICIES}
        assert 0 <= c["optimal"] <= c["greedy"] <= c["in-order"]


def test_first_layer_by_hand(tiny):
    """c1: 2 x 7 x 7 input, 3 filters 3x3, pad 1: 2 x 2 tiles of 6 x 6 pixels, dense."""
    entry = tiny.details["per_layer"][0]
    assert entry["tiles"] == 4 and entry["kernel_density"] == 1.0
    nz = 3 * 2 * 40
    assert entry["complex_macs"] == 4 * nz and entry["issued_macs"] == 4 * 4 * nz
    # kernels 4 B each, input and output 1 B each: both dataflows read everything once
    assert entry["dram_kernel_reuse"] == entry["dram_activation_reuse"] == 4 * nz + 98 + 147
    assert entry["dataflow"] == "kernel"  # ties go to kernel reuse
    assert (entry["dram_weight_read_bytes"], entry["dram_ifmap_read_bytes"],
            entry["dram_ofmap_write_bytes"]) == (4 * nz, 98, 147)
    assert entry["sram_weight_write_bytes"] == 4 * nz
    assert entry["sram_weight_read_bytes"] == 4 * nz * 4  # an entry per non-zero per tile
    assert entry["sram_ifmap_write_bytes"] == math.ceil(4 * 2 * 40 * 34 / 8)
    assert entry["sram_ifmap_read_bytes"] == math.ceil(4 * nz * 34 / 8)
    assert entry["rf_psum_read_bytes"] == 4 * (nz + 3 * 40) * 8
    assert entry["rf_psum_write_bytes"] == 4 * nz * 8
    # every lane reads its 40 bins, 3 lanes over 8 banks: 40 cycles a pass, 2 passes
    lanes = [list(range(40))] * 3
    assert entry["conflict_cycles"] == {
        "in-order": 4 * 2 * (sch.cycles(lanes, 8, "in-order") - 40), "greedy": 0,
        "optimal": 0}
    group = 2 * 40
    assert entry["core_cycles"]["optimal"] == core_cycles(4, 2, 8, 8, [group]).total + group
    assert entry["cycles"] == entry["core_cycles"]["optimal"]
    assert entry["kernel_load_cycles"] == group and entry["fits_netlist"] is True


def test_network_totals_and_standard_metrics(tiny):
    m = {x.name: x.value for x in tiny.metrics}
    assert m["total_cycles"] == sum(e["cycles"] for e in tiny.details["per_layer"])
    assert m["latency_ms"] == pytest.approx(m["total_cycles"] / 200e3)
    flow = tiny.details["spectral_sweep"][0]["dataflow"]
    assert m["dram_bytes"] == flow["per_layer_dram"]
    assert m["dram_kernel_reuse_bytes"] == flow["kernel_reuse_dram"]
    assert m["utilisation"] == pytest.approx(m["issued_macs"] / (32 * m["total_cycles"]),
                                             rel=1e-5)
    assert m["conflict_cycles_in_order"] == tiny.details["spectral_sweep"][0]["policies"][
        "in-order"]["conflict_cycles"]
    assert tiny.details["energy"]["counts"]["mac_kind"] == "int16"
    assert tiny.details["config"]["clock_mhz"] == 200.0
    assert "accuracy" not in tiny.details  # options.accuracy off


def test_matches_the_network_figures_of_the_technique_core():
    net = tiny_network()
    inputs = [ev.LayerInput(la.name, la.shape) for la in engine_layers(net)
              if la.name in ("c1", "c6")]
    figs = ev.network_figures(inputs)
    ours = SpectralEngine().evaluate(NetworkData(net), OPTIONS).details["spectral_sweep"]
    for point in ours:
        ref = figs["summary"][str(point["value"])]
        assert point["policies"]["optimal"]["core_cycles"] == ref["policies"]["optimal"][
            "core_cycles"]
        assert point["dataflow"]["per_layer_dram"] == ref["dataflow"]["per_layer_dram"]


def test_accepts_networks_and_memory_sizes():
    design = SpectralEngine()
    nets = [NetworkWorkload(id=f"net/{n}", kind="network", synthetic=False, network=n)
            for n in ("vgg16", "resnet50-1by2", "resnet34", "mobilenetv2")]
    assert [design.accepts(w) for w in nets] == [True, True, False, False]
    assert not design.accepts(FeatureMapWorkload(id="x/fixed8", kind="feature-maps",
                                                 synthetic=False, dataset="x",
                                                 format="fixed8"))
    assert SpectralEngine(networks=("resnet34",)).accepts(nets[2])
    assert design.memory_sizes() == {"sram": 32768 * 4, "rf": 64}
    assert design.pes == 32
    with pytest.raises(AccelbenchError, match="default"):
        SpectralEngine(default_density=0.3)


def test_a_network_without_spectral_layers_is_an_error():
    b = NetBuilder("flat", (4, 5, 5))
    b.conv("c", "input", 4, 1)
    with pytest.raises(AccelbenchError, match="no layer this engine computes"):
        SpectralEngine().evaluate(NetworkData(b.build()), OPTIONS)


@pytest.fixture(scope="module")
def resnet():
    return NetworkWorkload(id="net/resnet50-1by2", kind="network", synthetic=False,
                           network="resnet50-1by2").load()


def test_real_weights_where_the_dataset_has_them(resnet):
    design = SpectralEngine()
    layers = design.layers(resnet)
    assert len(layers) == 16 and all(la.shape.kernel == (3, 3) for la in layers)
    layer = next(la for la in layers if la.name == "stage1_block0_branch2b")
    result = design.evaluate_layer(layer, resnet, 0.25)
    assert result.real and result.details["kernels"] == "real"
    real = resnet.real_layer(layer.name)
    mask = ev.kernel_masks(real.weight, (0.25,))[0.25]
    fig = ev.layer_figures(ev.LayerInput(layer.name, layer.shape, real.weight), mask, 0.25,
                           design.setup)
    assert result.cycles == fig["policies"]["optimal"]["core_cycles"]
    assert result.details["conflict_cycles"] == {p: fig["policies"][p]["conflict_cycles"]
                                                 for p in sch.POLICIES}


def test_accuracy_on_a_real_image(resnet):
    design = SpectralEngine()
    metrics, acc = design.accuracy(resnet, EvaluationOptions(max_images=1))
    assert acc["available"] and acc["images"] == 1 and acc["classes"] == 2
    assert "top-5 agreement is trivially 1" in acc["note"]
    dense, half, quarter = acc["points"]
    assert [p["density"] for p in acc["points"]] == [1.0, 0.5, 0.25]
    assert all(p["spectral_convs"] == 16 for p in acc["points"])
    # dense spectral convolution rounds to the network's own float32 outputs
    assert dense["convs_changed"] == 0 and dense["output_snr_db"] == math.inf
    assert dense["mean_kl_divergence"] == 0.0
    assert half["convs_changed"] == quarter["convs_changed"] == 16
    assert np.isfinite(quarter["output_snr_db"]) and quarter["output_snr_db"] < half[
        "output_snr_db"]
    assert quarter["mean_kl_divergence"] > 0
    assert {m.name: m.value for m in metrics}["output_snr_db"] == math.inf
    none = design.accuracy(NetworkData(tiny_network()), EvaluationOptions())
    assert none == ([], {"available": False, "reason": "no trained weights or images for "
                                                       "tiny (SYNTHETIC kernels)"})
