"""The engine family contract: the harness's layer loop, totals, standard metric names,
sweeps as structured details, and the network data path."""

from __future__ import annotations

import pytest

from accelbench.design import AnalyticalDesign, EvaluationOptions
from accelbench.errors import AccelbenchError
from accelbench.families.engine import Accesses, EngineDesign, LayerResult, Sweep
from accelbench.networks.zoo import ZOO
from accelbench.workloads import NetworkData, NetworkWorkload


class ToyArray(AnalyticalDesign, EngineDesign):
    """ceil(MACs / (PEs * (1 - skip))) cycles; weights and inputs read once from DRAM."""

    technique = "toy"
    clock_mhz = 250.0

    def __init__(self, pes: int = 64) -> None:
        super().__init__(f"toy-{pes}", pes=pes)
        self._pes = pes

    @property
    def pes(self) -> int:
        return self._pes

    def sweep(self) -> Sweep:
        return Sweep("skip", (0.0, 0.5), default=0.0)

    def evaluate_layer(self, layer, data, point) -> LayerResult:
        issued = round(layer.macs * (1 - point))
        acc = Accesses()
        acc.add("dram", "weight", "read", layer.shape.filters * layer.shape.k // layer.groups)
        acc.add("dram", "ifmap", "read", layer.shape.channels * layer.shape.height
                * layer.shape.width)
        acc.add("sram", "psum", "write", 4 * layer.shape.m * layer.shape.filters)
        return LayerResult(cycles=-(-issued // self.pes) or 1, macs=layer.macs,
                           issued_macs=issued, accesses=acc, details={"skip": point})


def _data(name: str) -> NetworkData:
    return NetworkData(ZOO[name]())


def test_harness_sums_layers_and_names_the_standard_metrics():
    design = ToyArray()
    data = _data("alexnet")
    ev = design.evaluate(data, EvaluationOptions(area=False))
    m = {x.name: x.value for x in ev.metrics}
    per_layer = ev.details["per_layer"]
    assert [e["layer"] for e in per_layer] == [la.name for la in data.network.compute_layers()]
    assert m["total_cycles"] == sum(e["cycles"] for e in per_layer)
    assert m["macs"] == data.network.macs == m["issued_macs"]
    assert m["dram_weight_read_bytes"] == data.network.weight_count
    assert m["dram_bytes"] == m["dram_weight_read_bytes"] + m["dram_ifmap_read_bytes"]
    assert m["sram_bytes"] == m["sram_psum_write_bytes"]
    assert m["utilisation"] == pytest.approx(m["macs"] / (64 * m["total_cycles"]), rel=1e-5)
    assert m["latency_ms"] == pytest.approx(m["total_cycles"] / 250e3, rel=1e-6)
    assert m["real_layers"] == 0 and ev.details["real_data"] is None


def test_sweep_is_a_structured_list_with_per_layer_cycles():
    ev = ToyArray().evaluate(_data("vgg16"), EvaluationOptions(area=False))
    sweep = ev.details["sweep"]
    assert sweep["parameter"] == "skip" and sweep["default"] == 0.0
    assert [p["value"] for p in sweep["points"]] == [0.0, 0.5]
    dense, half = sweep["points"]
    assert dense["total_cycles"] == ev.metric("total_cycles").value
    assert sum(half["per_layer_cycles"]) == half["total_cycles"] < dense["total_cycles"]
    assert not any(name.startswith("cycles_s") for name in
                   (x.name for x in ev.metrics))


def test_bad_accesses_and_sweeps_are_errors():
    with pytest.raises(AccelbenchError, match="unknown access"):
        Accesses().add("dram", "weights", "read", 1)
    with pytest.raises(AccelbenchError, match="default"):
        Sweep("skip", (0.0, 0.5), default=0.7)


def test_network_workload_loads_real_layers_only_where_a_dataset_belongs():
    lite0 = NetworkWorkload(id="net/efficientnet-lite0", kind="network", synthetic=False,
                            network="efficientnet-lite0").load()
    vgg = NetworkWorkload(id="net/vgg16", kind="network", synthetic=False,
                          network="vgg16").load()
    assert vgg.real_layer("conv1_1") is None and not vgg.has_real_data
    stem = lite0.real_layer("stem")
    layer = lite0.network.layer("stem")
    assert stem.weight.shape == (layer.out_channels, layer.in_channels, *layer.kernel)
    assert stem.input.shape == layer.in_shape and stem.output.shape == layer.out_shape
    assert lite0.real_layer("fc") is None  # the classifier is not a recorded convolution
