"""The SPOTS report section on hand-built records: selection by technique, sweeps read
from details, speedups from the baselines' own records, exact cells."""

import matplotlib

matplotlib.use("Agg")

from matplotlib.figure import Figure

from accelbench.designs.spots.report import SpotsSection
from accelbench.records import ResultRecord


def _m(value, unit=""):
    return {"value": value, "unit": unit}


def _record(design, technique, network, metrics, details=None, baseline_for=()):
    return ResultRecord(design=design, family="engine", parameters={},
                        workload={"id": f"net/{network}", "synthetic": False},
                        metrics={k: _m(*v) if isinstance(v, tuple) else _m(v)
                                 for k, v in metrics.items()},
                        details=details or {}, technique=technique,
                        baseline_for=list(baseline_for))


def _spots(name, network, real):
    layers = [{"layer": "c1", "op": "conv", "cycles": 600, "shape": [3, 8, 8, 4, 3, 3, 1],
               "groups": 1, "activations": "real" if real else "assumed",
               "input_zero_fraction": 0.5, "mode": "tall", "fits_netlist": True},
              {"layer": "c2", "op": "conv", "cycles": 400, "shape": [4, 8, 8, 4, 1, 1, 1],
               "groups": 1, "activations": "real" if real else "assumed",
               "input_zero_fraction": 0.25, "mode": "split", "fits_netlist": False}]
    details = {"per_layer": layers, "config": {"rows": 32, "cols": 8, "subarrays": 4,
                                               "banks": 64, "block": 8},
               "activations": "real: lite0" if real else "assumed: i.i.d.",
               "sweep": {"parameter": "weight_sparsity", "default": 0.0, "points": [
                   {"value": 0.0, "total_cycles": 1000, "utilisation": 0.5,
                    "per_layer_cycles": [600, 400], "rf_ifmap_read_bytes": 900},
                   {"value": 0.9, "total_cycles": 250, "utilisation": 0.25,
                    "per_layer_cycles": [150, 100], "rf_ifmap_read_bytes": 90}]}}
    if real:
        details["pruning"] = [{"sparsity": 0.0, "element_cycles": 1000},
                              {"sparsity": 0.9, "element_cycles": 750}]
    return _record(name, "spots", network, {
        "total_cycles": 1000, "dram_ifmap_read_bytes": 100, "sram_ifmap_read_bytes": 100,
        "model_seconds": (0.5, "s"), "system_ge": (1000.0, "GE"), "system_flip_flops": 80,
        "system_memory_bits": 4096}, details)


def _baseline(design, technique, network, total, per_layer):
    return _record(design, technique, network,
                   {"total_cycles": total, "sram_ifmap_read_bytes": 1000,
                    "dram_ifmap_read_bytes": 300},
                   {"per_layer": [{"layer": n, "cycles": c} for n, c in per_layer]},
                   baseline_for=("spots",))


def _records():
    out = []
    for net, real in (("alexnet", False), ("lite0", True)):
        out += [_spots("spots-32x8x4-b8", net, real),
                _baseline("spots-32x8x4-b8-noskip", "spots-noskip", net, 1500,
                          [("c1", 900), ("c2", 600)]),
                _baseline("systolic-os-16x16", "systolic", net, 2000,
                          [("c1", 1200), ("c2", 800)]),
                _baseline("eyeriss-like-12x14", "eyeriss-like", net, 3000,
                          [("c1", 1800), ("c2", 1200)])]
    # named like SPOTS, but not SPOTS nor one of its baselines: never shown
    out.append(_record("spots-lookalike", "other", "alexnet", {"total_cycles": 1}))
    out.append(_record("scalesim-32x32", "scalesim", "alexnet",
                       {"os_compatible_cycles": 5, "model_seconds": (0.001, "s"),
                        "scalesim_trace_layer_seconds": (10.0, "s")},
                       baseline_for=("spots",)))
    return out


def _table(out, name):
    return next(t for t in out.tables if t.name == name)


def test_networks_table_divides_baseline_records_by_sweep_points():
    out = SpotsSection().render(_records())
    table = _table(out, "spots_networks")
    assert table.headers[5:8] == ["speedup vs spots-32x8x4-b8-noskip",
                                  "speedup vs systolic-os-16x16",
                                  "speedup vs eyeriss-like-12x14"]
    assert table.rows == [
        ["alexnet", "spots-32x8x4-b8", "assumed", 0, 1000, 1.5, 2.0, 3.0, 0.5],
        ["alexnet", "spots-32x8x4-b8", "assumed", 90, 250, 6.0, 8.0, 12.0, 0.25],
        ["lite0", "spots-32x8x4-b8", "real", 0, 1000, 1.5, 2.0, 3.0, 0.5],
        ["lite0", "spots-32x8x4-b8", "real", 90, 250, 6.0, 8.0, 12.0, 0.25]]
    assert "spots-lookalike" not in out.text


def test_per_layer_pruning_reads_area_and_speed_tables():
    out = SpotsSection().render(_records())
    per_layer = _table(out, "spots_per_layer")
    assert not per_layer.show
    assert per_layer.rows[0] == [
        "alexnet", "spots-32x8x4-b8", "c1", "conv", "3x8x8x4x3x3x1", 1, "assumed", 0.5,
        "tall", True, 600, 150, 900, 1200, 1800, 1.5, 6.0, 2.0, 8.0, 3.0, 12.0]
    assert per_layer.rows[1][9] is False
    assert _table(out, "spots_pruning").rows == [
        ["lite0", "spots-32x8x4-b8", 0, 1000, 1000, 1.0],
        ["lite0", "spots-32x8x4-b8", 90, 250, 750, 3.0]]
    assert _table(out, "spots_ifm_reads").rows[0] == [
        "alexnet", "spots-32x8x4-b8", 100, 100, 900, 90, 1000, 300, 10.0]
    assert _table(out, "spots_area").rows == [
        ["spots-32x8x4-b8", "system", 1000.0, 80, 4096, None]]
    speed = _table(out, "spots_model_speed")
    assert ["alexnet", "scalesim-32x32", 0.001, 10.0, 10000] in speed.rows
    assert ["alexnet", "spots-32x8x4-b8", 0.5, 10.0, 20] in speed.rows
    assert [r[1] for r in _table(out, "scalesim_modes").rows] == ["scalesim-32x32"]


def test_plots_draw_and_nothing_without_spots_records():
    out = SpotsSection().render(_records())
    assert [p.name for p in out.plots] == ["spots_speedup", "spots_layers_lite0"]
    for plot in out.plots:
        fig = Figure()
        plot.draw(fig)
        assert fig.axes
    baselines_only = [r for r in _records() if r.technique != "spots"]
    assert SpotsSection().render(baselines_only) is None
