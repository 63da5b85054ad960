"""The spectral report section on hand-built records: selection by technique, the density
sweep read from details, exact cells, the paper beside ours, plots."""

import math

import matplotlib

matplotlib.use("Agg")

from matplotlib.figure import Figure

from accelbench.designs.spectral.report import SpectralSection
from accelbench.records import ResultRecord

POLICIES = ("in-order", "greedy", "optimal")


def _layer(name, kernels, conflicts, cycles, kr, ar, choice):
    return {"layer": name, "kernels": kernels, "kernel_density": 0.5, "nonzeros": 10,
            "conflict_cycles": dict(zip(POLICIES, conflicts, strict=True)),
            "pass_cycles": dict(zip(POLICIES, cycles, strict=True)),
            "core_cycles": dict(zip(POLICIES, cycles, strict=True)),
            "dram": {"kernel_reuse": kr, "activation_reuse": ar,
                     "per_layer_choice": min(kr, ar)},
            "choice": choice, "kernel_to_activation": 0.25}


def _figures(value, kernels, scale):
    layers = [_layer("c1", kernels, (300 * scale, 20 * scale, 10 * scale),
                     (4000 * scale, 3000 * scale, 2800 * scale), 1_000_000, 2_000_000,
                     "kernel"),
              _layer("c2", kernels, (100 * scale, 0, 0), (2000 * scale, 1000 * scale,
                                                           1000 * scale),
                     3_000_000, 1_500_000, "activation")]
    return {"value": value, "kernels": kernels, "kernel_density": value, "nonzeros": 20,
            "schedule": "optimal",
            "policies": {q: {"conflict_cycles": sum(e["conflict_cycles"][q] for e in layers),
                             "pass_cycles": 1, "core_cycles": sum(e["core_cycles"][q]
                                                                  for e in layers),
                             "latency_ms": 0.0, "lane_utilisation": 0.8 if value < 1 else 1.0}
                         for q in POLICIES},
            "dataflow": {"per_layer_dram": 2_500_000, "kernel_reuse_dram": 4_000_000,
                         "activation_reuse_dram": 3_500_000, "best_fixed": "activation",
                         "best_fixed_dram": 3_500_000,
                         "saving_vs_best_fixed": 1 - 2.5 / 3.5,
                         "saving_vs_kernel_reuse": 0.375,
                         "saving_vs_activation_reuse": 1 - 2.5 / 3.5,
                         "choices": ["kernel", "activation"]},
            "per_layer": layers}


def _record(network, kernels, accuracy=None, area=False):
    points = [_figures(1.0, kernels, 1), _figures(0.25, kernels, 2)]
    details = {
        "sweep": {"parameter": "kernel_density", "default": 1.0, "points": [
            {"value": p["value"], "total_cycles": p["policies"]["optimal"]["core_cycles"],
             "per_layer_cycles": [e["core_cycles"]["optimal"] for e in p["per_layer"]]}
            for p in points]},
        "spectral_sweep": points,
        "per_layer": [{"layer": "c1", "shape": [3, 8, 8, 4, 3], "kernels": kernels},
                      {"layer": "c2", "shape": [4, 8, 8, 4, 3], "kernels": kernels}],
        "kernels": "real: x" if kernels == "real" else "SYNTHETIC: i.i.d.",
        "config": {"lanes": 8, "banks": 8, "clock_mhz": 0.2, "schedule": "optimal",
                   "kernel_budget": 1 << 20, "activation_budget": 1 << 19, "bins": 40}}
    if accuracy:
        details["accuracy"] = accuracy
    metrics = {"total_cycles": {"value": 3800}}
    if area:
        for i, n in enumerate(("fft", "ifft", "engine", "core")):
            metrics[f"{n}_ge"] = {"value": 1000.0 * (i + 1), "unit": "GE"}
            metrics[f"{n}_flip_flops"] = {"value": 10 * (i + 1)}
            if n in ("engine", "core"):
                metrics[f"{n}_memory_bits"] = {"value": 4096}
    return ResultRecord(design="spectral-p8-b8", family="engine", parameters={},
                        workload={"id": f"net/{network}", "synthetic": False},
                        metrics=metrics, details=details, technique="spectral")


ACCURACY = {"available": True, "network": "resnet50-1by2", "images": 12, "classes": 2,
            "note": "2 classes: top-5 is trivially 1",
            "points": [{"density": 1.0, "images": 12, "top1_agreement": 1.0,
                        "top5_agreement": 1.0, "mean_kl_divergence": 0.0,
                        "output_snr_db": math.inf, "spectral_convs": 16, "convs_changed": 0},
                       {"density": 0.25, "images": 12, "top1_agreement": 0.916667,
                        "top5_agreement": 1.0, "mean_kl_divergence": 0.0504159275,
                        "output_snr_db": 6.38204, "spectral_convs": 16,
                        "convs_changed": 16}]}


def _records():
    other = ResultRecord(design="spectral-lookalike", family="engine", parameters={},
                         workload={"id": "net/vgg16"}, metrics={}, technique="spots",
                         details={"sweep": {"points": []}})
    return [_record("vgg16", "SYNTHETIC", area=True),
            _record("resnet50-1by2", "real", accuracy=ACCURACY), other]


def _table(out, name):
    return next(t for t in out.tables if t.name == name)


def test_networks_table_reads_the_sweep_and_the_policies():
    out = SpectralSection().render(_records())
    table = _table(out, "spectral_networks")
    assert table.headers[5:13] == [
        "conflict cycles in-order", "conflict cycles greedy", "conflict cycles optimal",
        "cycles in-order", "cycles optimal", "latency ms in-order (0.2 MHz)",
        "latency ms optimal (0.2 MHz)", "lane utilisation (optimal)"]
    assert table.rows == [
        ["resnet50-1by2", "spectral-p8-b8", "real", 1.0, 1.0, 400, 20, 10, 6000, 3800,
         30.0, 19.0, 1.0],
        ["resnet50-1by2", "spectral-p8-b8", "real", 0.25, 0.25, 800, 40, 20, 12000, 7600,
         60.0, 38.0, 0.8],
        ["vgg16", "spectral-p8-b8", "SYNTHETIC", 1.0, 1.0, 400, 20, 10, 6000, 3800, 30.0,
         19.0, 1.0],
        ["vgg16", "spectral-p8-b8", "SYNTHETIC", 0.25, 0.25, 800, 40, 20, 12000, 7600, 60.0,
         38.0, 0.8]]
    assert "spectral-lookalike" not in str(out.tables)


def test_dataflow_and_per_layer_tables():
    out = SpectralSection().render(_records())
    flow = _table(out, "spectral_dataflow")
    assert flow.rows[0] == ["resnet50-1by2", "spectral-p8-b8", "real", 1.0, 4.0, 3.5, 2.5,
                            "activation", 28.57, 37.5, "K A"]
    assert "1 MiB for kernels and 0.5 MiB for activations" in flow.notes[0]
    layers = _table(out, "spectral_per_layer")
    assert layers.show
    assert layers.headers[4:] == [
        "d=1 conflict cycles in-order / greedy / optimal", "d=1 DRAM kB kernel / activation "
        "reuse", "d=1 choice", "d=0.25 conflict cycles in-order / greedy / optimal",
        "d=0.25 DRAM kB kernel / activation reuse", "d=0.25 choice"]
    assert layers.rows[0] == ["resnet50-1by2", "c1", "3x8x8x4x3", "real", "300 / 20 / 10",
                              "1,000.0 / 2,000.0", "K", "600 / 40 / 20", "1,000.0 / 2,000.0",
                              "K"]
    assert layers.rows[3][4:7] == ["100 / 0 / 0", "3,000.0 / 1,500.0", "A"]
    csv = _table(out, "spectral_layers")
    assert not csv.show and len(csv.rows) == 8
    assert csv.rows[1] == ["resnet50-1by2", "c2", "real", 1.0, 0.5, 100, 0, 0, 2000, 1000,
                           1000, 3_000_000, 1_500_000, 1_500_000, "activation", 0.25]


def test_accuracy_paper_and_area_tables():
    out = SpectralSection().render(_records())
    acc = _table(out, "spectral_accuracy")
    assert acc.rows == [
        ["resnet50-1by2", "spectral-p8-b8", 1.0, 12, 2, 0.0, math.inf, 1.0, 1.0, 16, 0],
        ["resnet50-1by2", "spectral-p8-b8", 0.25, 12, 2, 0.050416, 6.38, 0.916667, 1.0, 16,
         16]]
    assert "2 classes: top-5 is trivially 1." in acc.notes
    assert "No retraining" in acc.notes[0]
    paper = _table(out, "spectral_paper")
    assert paper.rows == [
        ["data transfer saved by the per-layer dataflow", "42 % (baseline not stated)",
         "d=1: 28.57 % vs best fixed, 37.5 % vs kernel reuse, "
         "d=0.25: 28.57 % vs best fixed, 37.5 % vs kernel reuse"],
        ["DSP utilisation", "up to 90 %",
         "d=1: 100.0 % lane utilisation, d=0.25: 80.0 % lane utilisation"],
        ["VGG16 latency", "9 ms (68 ms for the earlier state of the art)",
         "d=1: 19.0 ms at 0.2 MHz, d=0.25: 38.0 ms at 0.2 MHz"]]
    assert "not the same measurement" in paper.notes[0]
    assert _table(out, "spectral_area").rows == [
        ["spectral-p8-b8", "fft", 1000, 10, 0], ["spectral-p8-b8", "ifft", 2000, 20, 0],
        ["spectral-p8-b8", "engine", 3000, 30, 4096],
        ["spectral-p8-b8", "core", 4000, 40, 4096]]


def test_plots_draw_and_nothing_without_spectral_records():
    out = SpectralSection().render(_records())
    assert [p.name for p in out.plots] == ["spectral_conflicts", "spectral_dram"]
    for plot in out.plots:
        fig = Figure()
        plot.draw(fig)
        fig.tight_layout()
        assert len(fig.axes) == 2
    assert SpectralSection().render(_records()[2:]) is None
    # no accuracy, no VGG16, no area: those tables are left out
    only = SpectralSection().render([_record("resnet50-1by2", "real")])
    assert {t.name for t in only.tables} == {"spectral_networks", "spectral_dataflow",
                                             "spectral_per_layer", "spectral_layers"}
