"""EBPC evaluation metrics (hardware and paper-method ratios) and the report section.

The section is tested on hand-built records with known values (exact cells); the metrics
on real EfficientNet-Lite0 maps (a hard dependency of the project).
"""

import matplotlib

matplotlib.use("Agg")

import pytest
from matplotlib.figure import Figure

from accelbench.design import EvaluationOptions
from accelbench.designs.ebpc.report import EbpcSection
from accelbench.matrix import Case
from accelbench.records import ResultRecord
from accelbench.workloads import FeatureMapWorkload

OPTIONS = EvaluationOptions(sim_words=200, area=False, max_images=2, accuracy=False)
CODECS8 = ("ebpc-w8-b8", "zero-rle-w8", "zvc-w8", "bpc-w8-b8")


def _lite0(fmt: str) -> FeatureMapWorkload:
    return FeatureMapWorkload(id=f"efficientnet-lite0/{fmt}", kind="feature-maps",
                              synthetic=False, dataset="efficientnet-lite0", format=fmt,
                              word_bits=8 if fmt == "fixed8" else 16)


@pytest.fixture(scope="module")
def real_records():
    cases = [Case(d, _lite0("fixed8")) for d in CODECS8] + [Case("ebpc-w16-b8",
                                                                 _lite0("fixed16"))]
    return [c.run(OPTIONS) for c in cases]


def test_metrics_of_every_codec(real_records):
    by_design = {r.design: r for r in real_records}
    ebpc = by_design["ebpc-w8-b8"]
    assert ebpc.value("paper_compression_ratio") > 1.0
    assert ebpc.value("compression_ratio") > 1.0
    layer = ebpc.details["per_layer"][0]
    assert {"ratio", "paper_ratio", "zero_fraction"} <= set(layer)
    assert all("paper_ratio" in e for e in ebpc.details["per_image"])
    for name in ("zero-rle-w8", "bpc-w8-b8"):
        r = by_design[name]
        # headline = the paper's count at W bits: equal to the format-aware paper ratio
        # for fixed8
        assert r.value("compression_ratio") == pytest.approx(r.value("paper_compression_ratio"))
        assert r.value("hardware_compression_ratio") > 0.5
        assert "paper's" in r.metrics["compression_ratio"]["description"]
    assert by_design["ebpc-w16-b8"].value("paper_compression_ratio") > 1.0
    assert all(r.technique in ("ebpc", "zero-rle", "zvc", "bpc") for r in real_records)


# --- the section on hand-built records ---------------------------------------------------
def _metric(value):
    return {"value": value, "unit": "x"}


def _record(design, technique, dataset, fmt, *, word_bits=8, block=8, ratios=None,
            per_layer=None, synthetic=False):
    ratios = ratios or {}
    metrics = {name: _metric(v) for name, v in ratios.items()}
    per_layer = per_layer if per_layer is not None else [
        {"layer": "l0", "kind": "relu", "values": 100, "zero_fraction": 0.5, "ratio": 2.0,
         "paper_ratio": 2.5, "hardware_ratio": 1.9},
        {"layer": "l1", "kind": "linear", "values": 300, "zero_fraction": 0.0, "ratio": 1.0,
         "paper_ratio": 1.25, "hardware_ratio": 0.95}]
    return ResultRecord(
        design=design, family="codec",
        parameters={"word_bits": word_bits, **({"block_size": block} if block else {})},
        workload={"id": f"{dataset}/{fmt}", "synthetic": synthetic}, metrics=metrics,
        details={"per_layer": per_layer,
                 "per_image": [{"image": "a", "ratio": 2.0, "paper_ratio": 2.5},
                               {"image": "b", "ratio": 1.0, "paper_ratio": 1.25}],
                 "dataset": {"name": dataset, "format": fmt}},
        technique=technique, baseline_for=[] if technique == "ebpc" else ["ebpc"])


@pytest.fixture
def hand_records():
    ds = "resnet50-1by2"
    return [
        _record("ebpc-w8-b8", "ebpc", ds, "fixed8",
                ratios={"compression_ratio": 1.5, "ratio_std": 0.1,
                        "paper_compression_ratio": 1.75, "paper_ratio_std": 0.2}),
        _record("zvc-w8", "zvc", ds, "fixed8", block=None,
                ratios={"compression_ratio": 1.25, "ratio_std": 0.05}),
        _record("zero-rle-w8", "zero-rle", ds, "fixed8", block=None,
                ratios={"hardware_compression_ratio": 1.125, "hardware_ratio_std": 0.0,
                        "paper_compression_ratio": 1.2, "paper_ratio_std": 0.01}),
        _record("bpc-w8-b8", "bpc", ds, "fixed8",
                ratios={"hardware_compression_ratio": 1.3, "hardware_ratio_std": 0.02,
                        "paper_compression_ratio": 1.4, "paper_ratio_std": 0.03}),
        # a 16-bit record whose per-layer details are empty (must not break the plots)
        _record("ebpc-w16-b8", "ebpc", ds, "fixed16", word_bits=16, per_layer=[],
                ratios={"compression_ratio": 1.6, "ratio_std": 0.0}),
        # another technique's codec: not in this section
        _record("dct-jpeg-q50", "dct", ds, "fixed8", ratios={"compression_ratio": 3.0}),
    ]


def test_section_renders_exact_cells(hand_records):
    out = EbpcSection().render(hand_records)
    tables = {t.name: t for t in out.tables}
    assert set(tables) == {"ebpc_ratios", "ebpc_vs_paper", "ebpc_image_spread",
                           "ebpc_throughput", "ebpc_per_layer"}
    ratios = tables["ebpc_ratios"]
    assert ratios.rows == [
        ["resnet50-1by2", "fixed16", "1.600 ± 0.000", "", "", "", "", "", "", ""],
        ["resnet50-1by2", "fixed8", "1.500 ± 0.100", "", "1.750 ± 0.200", "1.125 ± 0.000",
         "1.200 ± 0.010", "1.250 ± 0.050", "1.300 ± 0.020", "1.400 ± 0.030"]]
    paper = tables["ebpc_vs_paper"].rows
    fixed8 = next(r for r in paper if r[1] == "fixed8")
    # ours beside ResNet-34's published means; ReLU-only pooled ratio = 100 / (100 / 2.5)
    assert fixed8 == ["resnet50-1by2", "fixed8", "ResNet-34", "1.750 ± 0.200", 2.5, 2.12,
                      "1.200 ± 0.010", "1.250 ± 0.050", "1.400 ± 0.030", 1.56, 1.57, 1.78]
    spread = {r[1]: r for r in tables["ebpc_image_spread"].rows}
    assert spread["zero-rle-w8"][2:] == [2, 1.25, 1.875, 2.5, 2.0]  # paper-method ratios
    assert spread["ebpc-w8-b8"][2:] == [2, 1.0, 1.5, 2.0, 2.0]
    assert "dct-jpeg-q50" not in {r[1] for r in tables["ebpc_per_layer"].rows}
    assert len(tables["ebpc_per_layer"].rows) == 8
    assert "dtype" in out.text and "closest network" in out.text


def test_plots_draw_on_odd_data(hand_records):
    hand_records[1].details["per_layer"][0]["ratio"] = float("inf")  # dropped, not plotted
    out = EbpcSection().render(hand_records)
    for plot in out.plots:
        fig = Figure()
        plot.draw(fig)  # calls tight_layout: fails on NaN axis limits
        assert fig.axes
        for ax in fig.axes:
            lo, hi = ax.get_ylim()
            assert lo < hi and all(map(lambda v: v == v, (lo, hi)))


def test_section_ignores_records_without_ebpc(hand_records):
    others = [r for r in hand_records if r.technique != "ebpc"]
    assert EbpcSection().render(others) is None
