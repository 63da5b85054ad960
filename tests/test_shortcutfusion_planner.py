"""ShortcutFusion and its comparison policies: plan checks and the spec's properties, on
random residual graphs (hypothesis) and on the real networks."""

import dataclasses

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from sf_graphs import residual_networks

from accelbench.designs.shortcutfusion.policies import (
    POLICIES,
    full_onchip_bytes,
    plan_policy,
    shortcut_tensors,
)
from accelbench.families.memory import (
    DEFAULT_BUDGETS,
    Interval,
    PlanError,
    best_fit_offsets,
    build_plan,
    check_plan,
    max_live_bytes,
)
from accelbench.networks.builder import NetBuilder
from accelbench.networks.zoo import ZOO


def _traffic(net, budget, alignment, bpv=1):
    out = {}
    for policy in POLICIES:
        plan = plan_policy(net, policy, budget, bpv, alignment)
        check_plan(net, plan)
        out[policy] = plan
    return out


def _assert_properties(net, budgets, alignment, bpv=1):
    full = full_onchip_bytes(net, bpv, alignment)
    assert full >= max_live_bytes(net, bpv, alignment)
    prev = None
    for budget in sorted(set(budgets) | {full}):
        p = _traffic(net, budget, alignment, bpv)
        lb, sf, sm, base = (p[k].dram_bytes for k in
                            ("lower_bound", "shortcutfusion", "shortcutmining", "baseline"))
        assert lb <= sf <= sm <= base, (budget, lb, sf, sm, base)
        assert p["shortcutfusion"].peak_onchip_bytes <= budget
        if prev is not None:  # traffic never rises with the budget
            assert p["shortcutfusion"].dram_bytes <= prev["shortcutfusion"].dram_bytes
            assert p["shortcutmining"].dram_bytes <= prev["shortcutmining"].dram_bytes
        if budget >= full:
            assert sf == lb
        prev = p


@settings(max_examples=60, deadline=None)
@given(residual_networks(), st.lists(st.integers(1, 4096), min_size=1, max_size=6),
       st.sampled_from([1, 16]), st.sampled_from([1, 2]))
def test_policies_order_monotonicity_and_lower_bound_on_random_graphs(net, budgets, alignment,
                                                                      bpv):
    _assert_properties(net, budgets, alignment, bpv)


def test_ping_pong_placement_holds_a_chain_in_its_largest_live_pair():
    """Largest-first best fit fragments on this chain (it needs 16 bytes); another
    candidate holds it in 12, so ShortcutFusion reaches the lower bound at the largest
    live set. On general graphs the planner reaches it at ``full_onchip_bytes``, which
    can exceed the largest live set (optimal placement is NP-hard)."""
    b = NetBuilder("chain", (1, 2, 2))
    x = "input"
    for i, ch in enumerate((2, 1, 1, 2)):  # tensors of 4, 8, 4, 4, 8 bytes
        x = b.conv(f"c{i}", x, ch, 3, 1, 1)
    net = b.build()
    items = [Interval(n, net.tensor_bytes(n), lt.producer, lt.last)
             for n, lt in net.liveness.items()]
    best_fit = best_fit_offsets(items)
    assert max(best_fit[i.name] + i.size for i in items) == 16
    assert max_live_bytes(net) == full_onchip_bytes(net) == 12
    p = _traffic(net, 12, 1)
    assert p["shortcutfusion"].dram_bytes == p["lower_bound"].dram_bytes


@pytest.mark.parametrize("name", ["resnet152", "efficientnet-b0", "yolov3", "yolov3-256",
                                  "retinanet-r50-fpn", "resnet50", "efficientnet-lite0"])
def test_properties_hold_on_the_real_networks(name):
    net = ZOO[name]()
    _assert_properties(net, DEFAULT_BUDGETS, 64)
    # on these networks the placement is tight: the largest live set is enough
    assert full_onchip_bytes(net, 1, 64) == max_live_bytes(net, 1, 64)


def test_traffic_model_of_a_residual_block_by_hand():
    b = NetBuilder("block", (4, 4, 4))  # 64-byte tensors at int8
    y = b.conv("a", "input", 4, 1)
    y = b.conv("b", y, 4, 1, activation="linear")
    b.add("add", (y, "input"))
    net = b.build()
    w = 2 * 16  # two 4x4 1x1 convs
    # baseline: a reads input (64) writes 64; b 64 + 64; add reads 2 x 64, writes 64
    assert plan_policy(net, "baseline", 1024).dram_bytes == w + 7 * 64
    # lower bound: weights + network input + network output
    assert plan_policy(net, "lower_bound", 1024).dram_bytes == w + 64 + 64
    # shortcut = the network input: kept, it is read once from DRAM (to load it)
    assert shortcut_tensors(net) == ("input",)
    sm = plan_policy(net, "shortcutmining", 64)
    assert sm.dram_bytes == w + 64 + 64 * 5 and sm.tensor("input").onchip
    # 128 B: the input and one map at a time; 192 B holds the largest live set
    assert plan_policy(net, "shortcutfusion", 191).dram_bytes > w + 128
    assert plan_policy(net, "shortcutfusion", 192).dram_bytes == w + 128


def test_shared_weights_are_read_once_by_shortcutfusion_and_per_use_by_the_baseline():
    net = ZOO["retinanet-r50-fpn"]()
    base = plan_policy(net, "baseline", 1 << 20)
    sf = plan_policy(net, "shortcutfusion", 1 << 20)
    assert sf.weight_bytes == net.weight_count == 34_010_048
    assert base.weight_bytes == net.layer_weight_count > sf.weight_bytes


def test_best_fit_places_into_the_smallest_gap():
    fixed = {"a": 0, "b": 16, "c": 22}  # free: [10, 16) and [18, 22) while all are live
    items = [Interval("a", 10, 0, 1), Interval("b", 2, 0, 1), Interval("c", 5, 0, 1),
             Interval("d", 4, 0, 1), Interval("e", 6, 1, 1), Interval("f", 8, 2, 3)]
    off = best_fit_offsets(items, order=["d", "e", "f"], fixed=fixed)
    assert off == {**fixed, "d": 18, "e": 10, "f": 0}  # d: the 4-byte gap, not the first
    # largest first by default; a tensor too big for every gap goes on top
    assert best_fit_offsets([*items[:3], Interval("g", 7, 1, 1)], fixed=fixed)["g"] == 27


def _tiny():
    b = NetBuilder("tiny", (1, 4, 4))
    y = b.conv("a", "input", 1, 1)
    y = b.conv("b", y, 1, 1)
    b.add("add", (y, "input"))
    return b.build()


def test_plan_checker_names_the_tensor_and_step():
    net = _tiny()
    ok = plan_policy(net, "shortcutfusion", 48)
    check_plan(net, ok)

    def edit(plan, name, **changes):
        tensors = tuple(dataclasses.replace(t, **changes) if t.name == name else t
                        for t in plan.tensors)
        return dataclasses.replace(plan, tensors=tensors)

    over = build_plan(net, "bad", 48, 1, {"input": 0, "a": 0, "b": 16, "add": 32})
    with pytest.raises(PlanError, match=r"'input' and 'a' overlap .* step 1"):
        check_plan(net, over)
    big = build_plan(net, "bad", 40, 1, {"a": 32})
    with pytest.raises(PlanError, match=r"'a' at step 1 ends at byte 48, past the budget 40"):
        check_plan(net, big)
    unwritten = edit(plan_policy(net, "baseline", 48), "b", dram_write_bytes=0)
    with pytest.raises(PlanError, match=r"'b' is read from DRAM at step 3 but only 0"):
        check_plan(net, unwritten)
    moved = edit(ok, "a", first=2)
    with pytest.raises(PlanError, match=r"'a' has live range 2\.\.2"):
        check_plan(net, moved)
    missing = dataclasses.replace(ok, tensors=ok.tensors[1:])
    with pytest.raises(PlanError, match=r"missing \['input'\]"):
        check_plan(net, missing)
    no_out = build_plan(net, "bad", 64, 1, {"add": 0})
    no_out = edit(no_out, "add", dram_write_bytes=0)
    with pytest.raises(PlanError, match=r"output 'add' \(step 3\) is never written"):
        check_plan(net, no_out)
    with pytest.raises(PlanError, match="weights never loaded"):
        check_plan(net, dataclasses.replace(ok, layer_weight_bytes=(("a", 1),)))


def test_the_family_docstring_example_is_a_working_planner():
    from accelbench.design import EvaluationOptions
    from accelbench.families.memory import MemoryPlannerDesign

    class AllInDram(MemoryPlannerDesign):
        technique = "my-planner"
        summary = "every tensor in DRAM"

        def __init__(self):
            super().__init__("all-in-dram", budgets=(1024, 4096), default_budget=4096)

        def plan(self, network, budget_bytes, bytes_per_value=1):
            return build_plan(network, self.name, budget_bytes, bytes_per_value, onchip={})

    class Data:
        network = _tiny()

    ev = AllInDram().evaluate(Data(), EvaluationOptions(area=False))
    base = plan_policy(_tiny(), "baseline", 1)
    assert ev.metric("dram_bytes").value == base.dram_bytes
    assert [p["budget_bytes"] for p in ev.details["sweep"]] == [1024, 4096]
    assert {m.name for m in ev.metrics} >= {
        "dram_bytes", "dram_read_bytes", "dram_write_bytes", "weight_bytes",
        "feature_map_dram_bytes", "peak_onchip_bytes", "budget_bytes"}
    assert AllInDram().family == "memory" and AllInDram().netlists() == {}
