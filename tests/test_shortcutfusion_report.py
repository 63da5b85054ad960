"""The ShortcutFusion report section on hand-made records: exact cells."""

import matplotlib

matplotlib.use("Agg")

from matplotlib.figure import Figure

from accelbench.designs.shortcutfusion.report import ShortcutFusionSection, map_feature_maps
from accelbench.records import ResultRecord

M = 1 << 20
KIB = 1024
SIZES = {"input": 1 * M, "b1.conv": 2 * M, "b1.add": 2 * M, "fc": M // 2}
WEIGHTS = 4 * M
BUDGETS = (1024 * KIB, 2048 * KIB, 4096 * KIB)  # the last one: all on chip


def _point(budget, tensors, full=False):
    fm = sum(sum(v) for v in tensors.values())
    return {"budget_bytes": budget, "dram_bytes": WEIGHTS + fm, "weight_bytes": WEIGHTS,
            "feature_map_dram_bytes": fm, "full": full, "tensors": tensors}


def _planner(policy, per_budget, technique="shortcutfusion", baseline_for=()):
    sweep = [_point(b, t, b == BUDGETS[-1]) for b, t in zip(BUDGETS, per_budget,
                                                             strict=True)]
    head = sweep[1]  # the default budget: 2048 KiB
    metrics = {k: {"value": head[k]} for k in ("dram_bytes", "feature_map_dram_bytes")}
    metrics["budget_bytes"] = {"value": 2048 * KIB}
    details = {"policy": policy, "bytes_per_value": 1, "sweep": sweep,
               "network": {"name": "toy", "tensor_bytes": SIZES,
                           "shortcut_tensors": ["input"],
                           "shortcut_skip_read_bytes": 1 * M}}
    return ResultRecord(f"planner-{policy}", "memory", {}, {"id": "net/toy"}, metrics,
                        details, technique=technique, baseline_for=list(baseline_for))


def _records():
    base = {"input": [2 * M, 0], "b1.conv": [2 * M, 2 * M], "b1.add": [2 * M, 2 * M],
            "fc": [0, M // 2]}
    sm = {"input": [M, 0], "b1.conv": [2 * M, 2 * M], "b1.add": [2 * M, 2 * M],
          "fc": [0, M // 2]}
    sf_small = {"input": [M, 0], "b1.conv": [2 * M, 2 * M], "fc": [0, M // 2]}
    sf = {"input": [M, 0], "fc": [0, M // 2]}
    dep = ("shortcutfusion",)
    planners = [
        _planner("baseline", [base] * 3, "dram-baseline", dep),
        _planner("lower_bound", [sf] * 3, "unlimited-buffer", dep),
        _planner("shortcutmining", [sm] * 3, "shortcutmining", dep),
        _planner("shortcutfusion", [sf_small, sf, sf]),
    ]

    def codec(name, ratios):
        per_layer = [{"layer": layer, "values": 2 * M, "ratio": r} for layer, r in ratios]
        return ResultRecord(name, "codec", {}, {"id": "toy/fixed8"}, {},
                            {"dataset": {"name": "toy", "format": "fixed8"},
                             "per_layer": per_layer})

    codecs = [codec("codec-x", [("b1.conv", 4.0), ("b1.out", 2.0)]),
              codec("codec-y", [("b1.conv", 1.0), ("b1.out", 1.0)]),
              ResultRecord("other", "memory", {}, {"id": "net/toy"}, {}, {})]
    return planners + codecs


def _tables():
    out = ShortcutFusionSection().render(_records())
    return out, {t.name: t for t in out.tables}


def test_sweep_table_cells():
    _, tables = _tables()
    assert tables["shortcutfusion_dram"].rows == [
        ["toy", "1024", 14.5, 5.5, 13.5, 6.9, 9.5, 34.5],
        ["toy", "2048", 14.5, 5.5, 13.5, 6.9, 5.5, 62.1],
        ["toy", "4096 (all on chip)", 14.5, 5.5, 13.5, 6.9, 5.5, 62.1],
    ]


def test_shortcut_share_and_paper_tables():
    _, tables = _tables()
    # baseline feature maps 10.5 MiB; the shortcut (input): 2 MiB of reads; 1 MiB over skip
    assert tables["shortcutfusion_shortcut_share"].rows == [
        ["toy", 1, 10.5, 2.0, 19.0, 9.5, ""]]
    assert tables["shortcutfusion_vs_paper"].rows == [
        ["toy", 2048, 62.1, "34.5-62.1", 6.33, "47.8-84.8", 5.27]]


def test_planner_times_codec_best_combination():
    _, tables = _tables()
    # 1024 KiB: ShortcutFusion keeps b1.conv (4 MiB) off chip, codec-x packs it 4x
    # -> 4 weights + 1 input + 1 + 0.5 fc = 6.5 MiB; 4 of its 5.5 off-chip MiB measured
    assert tables["shortcutfusion_codec_best"].rows == [
        ["toy", "1024", "ShortcutFusion", "codec-x", 6.5, 9.5, 55.2, 72.7],
        ["toy", "2048", "ShortcutFusion", "none", 5.5, 5.5, 62.1, ""],
        ["toy", "4096 (all on chip)", "ShortcutFusion", "none", 5.5, 5.5, 62.1, ""],
    ]
    every = tables["shortcutfusion_codec_all"]
    assert not every.show
    # the baseline with codec-x: b1.add (= b1.out) at 2x, b1.conv at 4x, the rest assumed 1
    assert ["toy", "1024", "baseline", "codec-x", 9.5, 34.5, 76.2] in every.rows
    assert ["toy", "1024", "ShortcutMining-like", "codec-y", 13.5, 6.9, 84.2] in every.rows


def test_the_plot_draws_and_other_records_give_no_section():
    out, _ = _tables()
    fig = Figure()
    out.plots[0].draw(fig)
    assert len(fig.axes) == 1
    assert ShortcutFusionSection().render(_records()[4:]) is None


def test_feature_map_names_map_to_network_tensors():
    fm = [{"layer": "block02.out", "values": 6}, {"layer": "block00.out", "values": 4},
          {"layer": "stem", "values": 8}, {"layer": "stage0_block0.out", "values": 3},
          {"layer": "head", "values": 9}]
    tensors = {"stem": 8, "block00.dw": 8, "block00.project": 4, "block02.project": 6,
               "block02.add": 6, "stage0_block0_branch2c": 3, "stage0_block0.add": 3,
               "head": 10}
    assert map_feature_maps(fm, tensors) == {"block02.out": "block02.add",
                                             "block00.out": "block00.project",
                                             "stem": "stem",
                                             "stage0_block0.out": "stage0_block0.add"}
