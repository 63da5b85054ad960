"""Simulator services: the PyRTL CompiledSimulation.run() bug and our workaround."""

import numpy as np
import pyrtl
import pytest

from accelbench.netlist.simulate import CompiledSim, FastSim, make_simulator, pyrtl_has_run_bug


def _counter_block() -> pyrtl.Block:
    block = pyrtl.Block()
    with pyrtl.set_working_block(block):
        step = pyrtl.Input(4, "step")
        count = pyrtl.Register(8, "count")
        count.next <<= count + step
        out = pyrtl.Output(8, "out")
        out <<= count
        wide = pyrtl.Output(80, "wide")  # more than one 64-bit limb
        wide <<= pyrtl.concat(count, pyrtl.Const(0, 64), count)
    return block


def test_upstream_compiled_run_bug_is_detected():
    """While PyRTL is in the affected range, upstream run() really has the bug; once a
    release is outside it, upstream must be right (then drop the workaround)."""
    block = _counter_block()
    tracer = pyrtl.SimulationTrace(wires_to_track=[block.get_wirevector_by_name("out")],
                                   block=block)
    sim = pyrtl.CompiledSimulation(tracer=tracer, block=block)
    sim.run([{"step": 1}] * 4)
    upstream = tracer.trace["out"]
    if pyrtl_has_run_bug():
        assert upstream == [0, 0, 0, 0], "PyRTL fixed run(): remove the workaround"
    else:
        assert upstream == [0, 1, 2, 3]


def test_fixed_compiled_run_records_every_cycle():
    block = _counter_block()
    out = block.get_wirevector_by_name("out")
    wide = block.get_wirevector_by_name("wide")
    tracer = pyrtl.SimulationTrace(wires_to_track=[out, wide], block=block)
    sim = CompiledSim(block, tracer=tracer)
    sim.run([{"step": 1}, {"step": 2}, {"step": 3}, {"step": 4}])
    assert tracer.trace["out"] == [0, 1, 3, 6]
    assert tracer.trace["wide"] == [(c << 72) | c for c in (0, 1, 3, 6)]


def test_compiled_and_fast_columns_agree():
    block = _counter_block()
    steps = np.random.default_rng(0).integers(0, 16, 500)
    got = {}
    for kind in ("compiled", "fast"):
        got[kind] = make_simulator(block, kind).run_arrays(500, {"step": steps})
    expected = np.concatenate([[0], np.cumsum(steps)[:-1]]) % 256
    assert np.array_equal(got["compiled"]["out"].astype(np.int64), expected)
    assert np.array_equal(got["fast"]["out"].astype(np.int64), expected)
    assert list(got["compiled"]["wide"]) == list(got["fast"]["wide"])


def test_bad_columns_are_rejected_clearly():
    block = _counter_block()
    sim = CompiledSim(block)
    with pytest.raises(KeyError, match="not an Input"):
        sim.run_arrays(3, {"nope": np.zeros(3)})
    with pytest.raises(ValueError, match="expected 3 values"):
        sim.run_arrays(3, {"step": np.zeros(4)})
    with pytest.raises(KeyError, match="not Inputs"):
        FastSim(block).run_arrays(3, {"nope": np.zeros(3)})
    with pytest.raises(ValueError, match="unknown simulator"):
        make_simulator(block, "verilator")
