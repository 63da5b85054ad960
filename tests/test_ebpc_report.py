"""EBPC evaluation metrics (hardware and paper-method ratios) and the report section."""

import matplotlib

matplotlib.use("Agg")

import pytest
from matplotlib.figure import Figure

from accelbench.design import EvaluationOptions
from accelbench.designs.ebpc.report import EbpcSection
from accelbench.matrix import Case
from accelbench.registry import get_registry
from accelbench.workloads import feature_map_workloads

OPTIONS = EvaluationOptions(sim_words=200, area=False, max_images=2)
CODECS8 = ("ebpc-w8-b8", "zero-rle-w8", "zvc-w8", "bpc-w8-b8")


def _workload(fmt):
    """A real dataset's workload when one is registered and available, else synthetic."""
    loads = [w for w in feature_map_workloads(get_registry(), default_only=False)
             if w.format == fmt]
    real = [w for w in loads if not w.synthetic and w.dataset == "resnet50-1by2"]
    real = real or [w for w in loads if not w.synthetic]
    return (real or [w for w in loads if w.synthetic])[0]


@pytest.fixture(scope="module")
def records():
    fixed8, fixed16 = _workload("fixed8"), _workload("fixed16")
    cases = [Case(d, fixed8) for d in CODECS8] + [Case("ebpc-w16-b8", fixed16)]
    return [c.run(OPTIONS) for c in cases]


def test_metrics_of_every_codec(records):
    by_design = {r.design: r for r in records}
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


def test_section_renders_tables_and_plots(records):
    out = EbpcSection().render(records)
    assert out is not None
    tables = {t.name: t for t in out.tables}
    assert set(tables) == {"ebpc_ratios", "ebpc_vs_paper", "ebpc_image_spread",
                           "ebpc_throughput", "ebpc_per_layer"}
    ratios = tables["ebpc_ratios"]
    assert len(ratios.rows) == 2 and all(len(r) == len(ratios.headers) for r in ratios.rows)
    fixed8 = next(r for r in ratios.rows if r[1] == "fixed8")
    b16 = ratios.headers.index("EBPC hw (B=16)")
    assert fixed8[b16] == "" and all(cell for i, cell in enumerate(fixed8) if i != b16)
    if records[0].workload["id"].startswith("resnet50-1by2"):
        row = next(r for r in tables["ebpc_vs_paper"].rows if r[1] == "fixed8")
        assert row[2] == "ResNet-34" and row[5] == 2.12 and row[-1] == 1.78
        assert row[4] > 1.0  # ReLU maps only
    assert len(tables["ebpc_per_layer"].rows) == sum(len(r.details["per_layer"])
                                                     for r in records)
    assert "dtype" in out.text and "closest network" in out.text
    for plot in out.plots:
        fig = Figure()
        plot.draw(fig)
        assert fig.axes


def test_section_ignores_records_without_ebpc(records):
    assert EbpcSection().render([r for r in records if not r.design.startswith("ebpc")]) is None
