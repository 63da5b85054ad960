"""The buffer controller netlist: bit-exact against its golden model under back-pressure,
and its DRAM counts equal to the planner's on random graphs and on a residual stage of
ResNet-152."""

import numpy as np
import pyrtl
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from sf_graphs import residual_networks

from accelbench.design import EvaluationOptions
from accelbench.designs.shortcutfusion.controller import netlist
from accelbench.designs.shortcutfusion.cosim import (
    cosimulate_plan,
    example_network,
    run_program,
    stage_network,
)
from accelbench.designs.shortcutfusion.design import ShortcutFusion
from accelbench.designs.shortcutfusion.policies import (
    POLICIES,
    full_onchip_bytes,
    plan_policy,
)
from accelbench.designs.shortcutfusion.program import (
    DRD,
    DWR,
    RD,
    WR,
    ControllerConfig,
    Instruction,
    ProgramError,
    compile_plan,
    execute,
)
from accelbench.netlist.build import build_block, to_verilog
from accelbench.networks.zoo import resnet152

SMALL = ControllerConfig(word_bytes=16, burst_bytes=32, addr_bits=10, len_bits=14,
                         prog_bits=8, count_bits=32)


@st.composite
def programs(draw):
    n = draw(st.integers(1, 40))
    return [Instruction(draw(st.sampled_from([RD, WR, DRD, DWR])),
                        draw(st.integers(0, (1 << SMALL.addr_bits) - 1)),
                        draw(st.integers(0, 200))) for _ in range(n)]


@settings(max_examples=40, deadline=None)
@given(programs(), st.sampled_from([(1.0, 1.0), (0.5, 0.7), (0.9, 0.3)]),
       st.integers(0, 1000))
def test_random_programs_match_the_golden_model_under_back_pressure(program, stalls, seed):
    valid, ready = stalls
    out = run_program(program, SMALL, seed=seed, valid_probability=valid,
                      ready_probability=ready)
    gold = execute(program, SMALL)
    assert out["counters"] == gold.counters
    assert gold.counters["dram_read_bytes"] == sum(i.length for i in program if i.op == DRD)


def test_addresses_bursts_and_counter_words_by_hand():
    program = [Instruction(WR, 5, 33), Instruction(DRD, 0, 65), Instruction(RD, 5, 16),
               Instruction(DWR, 0, 1)]
    gold = execute(program, SMALL)
    payload = SMALL.payload_bits
    assert gold.words.tolist() == [
        (1 << payload) | 5, (1 << payload) | 6, (1 << payload) | 7,  # ceil(33 / 16) words
        5,  # one read word
        (2 << payload) | 65, (2 << payload) | 1, (2 << payload) | 3, (2 << payload) | 1]
    assert run_program(program, SMALL)["cycles"] == 2 * 4 + 4 + 8  # the cycle model


@settings(max_examples=25, deadline=None)
@given(residual_networks(), st.integers(1, 4096), st.sampled_from(POLICIES),
       st.integers(0, 100))
def test_controller_counts_equal_the_plan_on_random_graphs(net, budget, policy, seed):
    plan = plan_policy(net, policy, budget, 1, SMALL.word_bytes)
    out = cosimulate_plan(net, plan, SMALL, seed=seed, ready_probability=0.7)
    assert out["counters"]["dram_read_bytes"] == plan.dram_read_bytes
    assert out["counters"]["dram_write_bytes"] == plan.dram_write_bytes
    onchip = sum(-(-t.size_bytes // 16) * (len(t.consumers) + 1) for t in plan.tensors
                 if t.onchip)
    assert out["onchip_read_words"] + out["onchip_write_words"] == onchip


def test_one_residual_stage_of_resnet152_on_the_default_configuration():
    net = stage_network(resnet152(), "layer4.")
    assert net.layers[0].name == "layer3.35.add" and len(net) == 1 + 13
    cfg = ControllerConfig()
    full = full_onchip_bytes(net, 1, 64)
    for budget in (128 * 1024, 256 * 1024, full):
        for policy in POLICIES:
            plan = plan_policy(net, policy, budget, 1, 64)
            out = cosimulate_plan(net, plan, cfg)  # stall-free: cycles = the cycle model
            assert out["counters"]["dram_read_bytes"] == plan.dram_read_bytes
            assert out["counters"]["dram_write_bytes"] == plan.dram_write_bytes
    plan = plan_policy(net, "shortcutfusion", 256 * 1024, 1, 64)
    cosimulate_plan(net, plan, cfg, seed=5, valid_probability=0.8, ready_probability=0.6)


def test_programs_that_do_not_fit_the_configuration_are_refused():
    net = example_network()
    plan = plan_policy(net, "shortcutfusion", 1 << 20, 1, 16)
    with pytest.raises(ProgramError, match="buffer words are 64 bytes"):
        compile_plan(net, plan, ControllerConfig())
    tiny = ControllerConfig(word_bytes=16, addr_bits=4, prog_bits=8)
    with pytest.raises(ProgramError, match="the controller addresses 256 bytes"):
        compile_plan(net, plan, tiny)
    with pytest.raises(ProgramError, match="the controller holds 4"):
        compile_plan(net, plan, ControllerConfig(word_bytes=16, prog_bits=2))
    long = compile_plan(net, plan_policy(net, "baseline", 1, 1, 16), ControllerConfig(
        word_bytes=16, burst_bytes=16, len_bits=6))
    assert max(i.length for i in long) == 48  # split at a multiple of burst and word


def test_design_verify_netlist_export_and_evaluate():
    design = ShortcutFusion()
    design.verify(seed=3)
    block = build_block(design.netlists()["controller"].build)
    text = to_verilog(block, "sf_controller")
    assert "module sf_controller" in text and "program_ready" in text
    memories = [m for m in block.logic_subset("m@") if isinstance(m.op_param[1],
                                                                   pyrtl.MemBlock)]
    assert {m.op_param[1].name for m in memories} == {"program_memory"}
    assert not any(m.op_param[1].asynchronous for m in memories)

    class Data:  # what the harness passes: loaded data with .network
        network = example_network()

    ev = design.evaluate(Data(), EvaluationOptions(area=False))
    sweep = ev.details["sweep"]
    assert [p["budget_bytes"] for p in sweep][:2] == [128 * 1024, 256 * 1024]
    assert ev.metric("budget_bytes").value == 2048 * 1024
    assert ev.metric("dram_bytes").value == next(
        p["dram_bytes"] for p in sweep if p["budget_bytes"] == 2048 * 1024)
    assert ev.details["policy"] == "shortcutfusion"
    assert design.technique == "shortcutfusion" and design.baseline_for == ()
    counts = ev.details["energy"]["counts"]
    assert counts["dram_bytes"] == ev.metric("dram_bytes").value
    assert ev.metric("energy_dram_pj").value == round(counts["dram_bytes"] * 162.5, 3)
    assert np.all(np.diff([p["dram_bytes"] for p in sweep]) <= 0)


def test_ready_is_a_function_of_the_state_register():
    """program.ready must not depend on data or on access.ready (no combinational path)."""
    block = build_block(lambda p: netlist(p, SMALL))
    ready = block.get_wirevector_by_name("program_ready")
    seen, registers, stack = set(), set(), [ready]
    srcs = block.net_connections()[0]
    while stack:
        w = stack.pop()
        if isinstance(w, pyrtl.Register):
            registers.add(w.name)
            continue
        if w in seen:
            continue
        seen.add(w)
        net = srcs.get(w)
        if net is not None and net.op not in ("r", "m"):
            stack.extend(net.args)
    inputs = {w.name for w in seen if isinstance(w, pyrtl.Input)}
    assert inputs == set() and registers == {"state"}


def test_evaluation_with_area_reports_the_controller_synthesised():
    """What the benchmark matrix runs (area on): the controller's GE beside the plan."""
    from accelbench.netlist.area import netlist_area

    class Data:
        network = example_network()

    design = ShortcutFusion()
    ev = design.evaluate(Data(), EvaluationOptions(area=True))
    assert ev.metric("controller_ge").value == netlist_area(design, "controller").total_ge
    assert ev.metric("dram_bytes").value > 0
