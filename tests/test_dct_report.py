"""The DCT report section on hand-built records (exact cells, the memory split on a tiny
hand-computed graph, plots on odd data) and on one real record (the dataset's layer
names reach the zoo graph)."""

import math

import matplotlib

matplotlib.use("Agg")

import pytest
from matplotlib.figure import Figure

from accelbench.design import EvaluationOptions
from accelbench.designs.dct.report import DctSection
from accelbench.matrix import Case
from accelbench.networks.builder import NetBuilder
from accelbench.records import ResultRecord
from accelbench.registry import get_registry
from accelbench.workloads import FeatureMapWorkload


def _tiny_network():
    """input 1x4x4 (16 B) -> a: 2x4x4 (32 B, 2 B weights) -> b: 32 B (4 B weights)
    -> c = b + a (32 B): a is a shortcut, live from a to c (test_dct_memory_split)."""
    nb = NetBuilder("tiny", (1, 4, 4))
    a = nb.conv("a", "input", 2, 1)
    b = nb.conv("b", a, 2, 1)
    nb.add("c", (b, a))
    return nb.build()


def _record(design, technique, *, dataset="lite", fmt="fixed8", lossy=True, params=None,
            metrics=None, layer_ratios=None, images=4, family="codec"):
    per_layer = [{"layer": name, "kind": "relu", "shape": [2, 4, 4], "ratio": ratio}
                 for name, ratio in (layer_ratios or {}).items()]
    details = {"lossy": lossy, "per_layer": per_layer,
               "dataset": {"name": dataset, "format": fmt, "network": "tiny"}}
    if images:
        details["accuracy"] = {"available": True, "images": [f"i{k}" for k in range(images)]}
    return ResultRecord(
        design=design, family=family, parameters={"word_bits": 8, **(params or {})},
        workload={"id": f"{dataset}/{fmt}", "synthetic": False},
        metrics={k: {"value": v, "unit": ""} for k, v in (metrics or {}).items()},
        details=details, technique=technique,
        baseline_for=["ebpc"] if technique == "zvc" else [])


def _dct(design, transform, table, value, ratio, std, top1, top5, psnr, worst, error,
         layer_ratios, **extra):
    return _record(design, "dct", params={"transform": transform, "format": "fixed8",
                                          "table": table, "table_value": value},
                   metrics={"compression_ratio": ratio, "ratio_std": std,
                            "top1_agreement": top1, "top5_agreement": top5,
                            "quantized_top1_agreement": 0.75,
                            "quantized_top5_agreement": 1.0, "psnr_db": psnr,
                            "min_layer_psnr_db": worst, "max_abs_error": error, **extra},
                   layer_ratios=layer_ratios)


@pytest.fixture
def records():
    everywhere2 = {"a": 2.0, "b": 2.0, "c": 2.0}
    return [
        _dct("dct-fixed8-jpeg-q50", "2d", "jpeg", 50, 3.0, 0.2, 0.5, 0.75, 20.0, 15.0, 40,
             {"a": 2.0, "b": 4.0}),
        _dct("dct-fixed8-jpeg-q90", "2d", "jpeg", 90, 1.5, 0.1, 0.75, 1.0, 30.123, 25.5, 12,
             everywhere2),
        _dct("dctcm-fixed8-jpeg-q50", "channel", "jpeg", 50, 2.0, 0.0, 0.25, 0.5, 18.0,
             11.25, 30, {"a": 1.0}),
        # lossless, chosen by its lossy flag, whatever its name
        _record("dctlike-w8", "zvc", lossy=False, layer_ratios=everywhere2,
                metrics={"compression_ratio": 1.25, "ratio_std": 0.05,
                         "top1_agreement": 0.75, "top5_agreement": 1.0}),
        # another lossy codec and another family: in neither group
        _record("lsb-drop", "lsb-drop", metrics={"compression_ratio": 9.0,
                                                 "top1_agreement": 0.1}),
        _record("systolic", "systolic", family="engine", metrics={"total_cycles": 5}),
    ]


def _section():
    return DctSection(networks={"tiny": _tiny_network()}, sram_sizes=(70, 100))


def test_accuracy_table_exact_cells(records):
    out = _section().render(records)
    tables = {t.name: t for t in out.tables}
    assert set(tables) == {"dct_accuracy", "dct_vs_paper", "dct_memory_lite"}
    acc = tables["dct_accuracy"]
    assert acc.headers[5] == "ratio, padding counted (mean ± std over images)"
    assert "output SNR (dB)" not in acc.headers  # no continuous measure in the records
    assert acc.rows == [
        ["lite", "fixed8", "8-bit format alone (no codec)", "", "", "1.000", 0.75, 1.0,
         "", "", ""],
        ["lite", "fixed8", "dct-fixed8-jpeg-q90", "2-D DCT", "jpeg q90", "1.500 ± 0.100",
         0.75, 1.0, 30.12, 25.5, 12],
        ["lite", "fixed8", "dct-fixed8-jpeg-q50", "2-D DCT", "jpeg q50", "3.000 ± 0.200",
         0.5, 0.75, 20.0, 15.0, 40],
        ["lite", "fixed8", "dctcm-fixed8-jpeg-q50", "channel DCT", "jpeg q50",
         "2.000 ± 0.000", 0.25, 0.5, 18.0, 11.25, 30],
        ["lite", "fixed8", "dctlike-w8", "lossless", "", "1.250 ± 0.050", 0.75, 1.0, "", "",
         0],
    ]
    assert any("4 images: one image = 25.0 %" in n for n in acc.notes)
    assert "padding" in out.text and "different setting" in out.text


def test_paper_table_sets_ours_beside_the_papers(records):
    rows = {t.name: t for t in _section().render(records).tables}["dct_vs_paper"].rows
    assert [r[2] for r in rows[:2]] == ["1.4-3.3", "2.9"]
    assert all(r[4] == "paper" for r in rows[:2])
    assert rows[2:] == [
        ["2-D DCT (ours)", "lite/fixed8, 2 quality points, padding counted", "1.500-3.000",
         "1.500 (dct-fixed8-jpeg-q90)", "ours"],
        ["channel DCT (ours)", "lite/fixed8, 1 quality point, padding counted",
         "2.000-2.000", "none", "ours"],
    ]


def test_memory_table_hand_computed(records):
    table = {t.name: t for t in _section().render(records).tables}["dct_memory_lite"]
    assert table.headers[2:] == [
        "on chip: every interlayer map (B)", "DRAM at 70 B: per-layer split (B)",
        "DRAM at 70 B: fixed 0.5 split (B)", "DRAM at 100 B: per-layer split (B)",
        "DRAM at 100 B: fixed 0.5 split (B)"]
    # uncompressed: live maps peak at c (a + b + c = 96 B); at 70 B no layer can keep c's
    # 96 B, so a and b go off chip too: 16 + 32 + 2 | 32 + 32 + 4 | 64 + 32 = 214 B; at
    # 100 B only the input read, c written and the weights: 16 + 32 + 6 = 54 B
    # ratio 2 everywhere: peak 48 B; everything fits both at 70 B (16 + 16 + 6); the
    # 35 B fixed buffer misses c's 48 B: a 16+16+2, b 16+16+4, c 32+16 = 118 B
    # q50 (a/2, b/4, c uncompressed): peak at c 16 + 8 + 32 = 56 B; per layer 54 B; the
    # fixed buffers (35 B, 50 B) miss c's 56 B: a 16+16+2, b 16+8+4, c 24+32 = 118 B
    assert table.rows == [
        ["uncompressed (8-bit maps)", "", 96, 214, 214, 54, 214],
        ["dct-fixed8-jpeg-q90 (fixed8)", 0.75, 48, 38, 118, 38, 38],
        ["dct-fixed8-jpeg-q50 (fixed8)", 0.5, 56, 54, 118, 54, 118],
        ["dctcm-fixed8-jpeg-q50 (fixed8)", 0.25, 96, 214, 214, 54, 214],
        ["dctlike-w8 (fixed8)", 0.75, 48, 38, 118, 38, 38],
    ]
    assert any("ASSUMED ratio 1" in n for n in table.notes)


def test_continuous_measures_are_shown_when_present(records):
    for r, (kl, snr) in zip(records[:4], ((0.5, 10.0), (0.1, 20.0), (0.8, 5.0),
                                          (0.05, 25.0)), strict=True):
        r.metrics["mean_kl_divergence"] = {"value": kl}
        r.metrics["output_snr_db"] = {"value": snr}
        r.metrics["quantized_mean_kl_divergence"] = {"value": 0.05}
        r.metrics["quantized_output_snr_db"] = {"value": 25.004}
    out = _section().render(records)
    acc = {t.name: t for t in out.tables}["dct_accuracy"]
    assert acc.headers[6:10] == ["top-1 agreement", "top-5 agreement", "mean KL (nat)",
                                 "output SNR (dB)"]
    assert acc.rows[0][6:10] == [0.75, 1.0, 0.05, 25.0]
    assert acc.rows[2][8:10] == [0.5, 10.0]
    assert [p.name for p in out.plots] == ["dct_ratio_vs_agreement",
                                           "dct_ratio_vs_mean_kl_divergence",
                                           "dct_ratio_vs_output_snr_db"]


def test_plots_draw_on_odd_data(records):
    records[0].metrics["compression_ratio"]["value"] = math.inf  # dropped, not plotted
    records[2].metrics["top1_agreement"]["value"] = None  # the channel DCT: no line
    records.append(_dct("dct-uint8-jpeg-q50", "2d", "jpeg", 50, 2.0, 0.0, None, None, 20.0,
                        10.0, 5, {}))
    records[-1].details["dataset"]["name"] = "other"  # a second panel, nothing to plot
    records[-1].workload["id"] = "other/fixed8"
    out = _section().render(records)
    assert len(out.plots) == 1
    fig = Figure()
    out.plots[0].draw(fig)
    fig.tight_layout()  # fails on NaN axis limits
    assert len(fig.axes) == 2
    for ax in fig.axes:
        for lo, hi in (ax.get_xlim(), ax.get_ylim()):
            assert lo < hi and math.isfinite(lo) and math.isfinite(hi)
    labels = fig.axes[0].get_legend_handles_labels()[1]
    assert labels == ["2-D DCT fixed8", "dctlike-w8 fixed8 (lossless)"]


def test_section_needs_dct_records(records):
    assert _section().render([r for r in records if r.technique != "dct"]) is None


def test_registered_and_fed_by_a_real_record():
    """One real record (one image): the dataset's layer names reach the zoo's ResNet-50
    graph, so the compressed maps need less on-chip memory than the plain ones."""
    assert any(isinstance(s, DctSection) for s in get_registry().report_sections)
    workload = FeatureMapWorkload(id="resnet50-1by2/fixed8", kind="feature-maps",
                                  synthetic=False, dataset="resnet50-1by2", format="fixed8")
    record = Case("dct-fixed8-jpeg-q50", workload).run(
        EvaluationOptions(sim_words=0, area=False, max_images=1, accuracy=False))
    out = DctSection(sram_sizes=(256 << 10,)).render([record])
    memory = {t.name: t for t in out.tables}["dct_memory_resnet50-1by2"]
    assert "ResNet-50" in " ".join(memory.notes) and "resnet50" in memory.title
    plain, coded = memory.rows
    assert coded[0] == "dct-fixed8-jpeg-q50 (fixed8)"
    assert coded[2] < plain[2] and coded[3] < plain[3] and coded[4] < plain[4]
    acc = {t.name: t for t in out.tables}["dct_accuracy"]
    assert acc.rows[0][2] == "dct-fixed8-jpeg-q50" and acc.rows[0][6] == ""  # no accuracy
