"""The streaming co-simulation harness: handshakes, back-pressure, the protocol monitor,
the structural check and failure modes."""

import numpy as np
import pyrtl
import pytest

from accelbench.errors import SimulationError, StreamFormatError
from accelbench.netlist.lib import output_buffer, skid_buffer
from accelbench.netlist.stream import (
    StreamHarness,
    StreamInputError,
    StreamProtocolError,
    protocol_violation,
)
from accelbench.netlist.structure import StreamStructureError


def skid_adder(ports):
    """Skid buffer, +1, output register: a minimal correct streaming design."""
    inp = skid_buffer(ports.stream_in("in", 8), "skid")
    out = ports.stream_out("out", 8)
    idle = ports.output("idle", 1)
    up = output_buffer(out, "obuf")
    up.valid <<= inp.valid
    up.data <<= (inp.data + 1)[:8]
    up.last <<= inp.last
    inp.ready <<= up.ready
    idle <<= ~inp.valid & ~out.valid


def wants_two_words(ports):
    """Waits for a second word that a one-word stream never brings."""
    inp = ports.stream_in("in", 8)
    out = ports.stream_out("out", 8)
    idle = ports.output("idle", 1)
    seen = pyrtl.Register(2)
    inp.ready <<= 1
    seen.next <<= pyrtl.select(inp.valid & (seen < 2), seen + 1, seen)
    out.data <<= 0
    out.valid <<= 0
    out.last <<= 0
    idle <<= seen == 2


def _broken_output(kind):
    """A registered pass-through whose output breaks the protocol in one way: ``drop``
    withdraws a waiting word after a cycle, ``change`` alters its data while it waits."""

    def build(ports):
        inp = ports.stream_in("in", 8)
        out = ports.stream_out("out", 8)
        idle = ports.output("idle", 1)
        data, valid, last = pyrtl.Register(8), pyrtl.Register(1), pyrtl.Register(1)
        waited = pyrtl.Register(1)
        inp.ready <<= ~valid
        take = inp.valid & ~valid
        waiting = valid & ~out.ready
        waited.next <<= waiting
        if kind == "drop":
            valid.next <<= take | (waiting & ~waited)
            data.next <<= pyrtl.select(take, inp.data, data)
        else:
            valid.next <<= take | waiting
            data.next <<= pyrtl.select(take, inp.data, pyrtl.select(waiting, data + 1, data))
        last.next <<= pyrtl.select(take, inp.last, last)
        out.data <<= data
        out.valid <<= valid
        out.last <<= last
        idle <<= ~valid

    return build


@pytest.mark.parametrize("simulator", ["compiled", "fast"])
@pytest.mark.parametrize("probability", [1.0, 0.5, 0.1])
def test_words_survive_back_pressure(simulator, probability):
    harness = StreamHarness(skid_adder, simulator=simulator, fifo_addr_bits=4)
    data = np.random.default_rng(1).integers(0, 256, 300)
    for seed in range(2):  # back to back through the same simulation
        res = harness.run({"in": data}, valid_probability=probability,
                          ready_probability=probability, seed=seed)
        assert np.array_equal(res.outputs["out"].astype(np.int64), (data + 1) % 256)
        assert res.last_index["out"] == [len(data) - 1]
        if probability == 1.0:
            assert res.cycles == len(data) + 2  # skid buffer + output register


@pytest.mark.parametrize("kind", ["drop", "change"])
@pytest.mark.parametrize("simulator", ["compiled", "fast"])
def test_protocol_violations_name_the_stream_and_cycle(kind, simulator):
    harness = StreamHarness(_broken_output(kind), simulator=simulator)
    # always ready: nothing waits, so the broken logic never fires
    ok = harness.run({"in": np.arange(50)})
    assert ok.outputs["out"].tolist() == list(range(50))
    with pytest.raises(StreamProtocolError, match=r"output stream 'out' .* at cycle \d+"):
        harness.run({"in": np.arange(200)}, ready_probability=0.3, seed=1)


def test_protocol_violation_finds_the_first_broken_cycle():
    valid = np.array([1, 1, 1, 0, 1], bool)
    ready = np.array([0, 0, 1, 0, 0], bool)
    data = np.array([5, 5, 5, 0, 7])
    last = np.zeros(5, bool)
    assert protocol_violation(valid, ready, data, last) is None
    assert protocol_violation(valid, ready, np.array([5, 6, 6, 0, 7]), last) == 1
    dropped = np.array([1, 0, 1, 0, 1], bool)
    assert protocol_violation(dropped, ready, data, last) == 1
    assert protocol_violation(valid, ready, data, np.array([0, 0, 1, 0, 0], bool)) == 2


def test_a_violation_across_chunks_is_caught():
    """The check joins each chunk's first cycle to the previous chunk's last one."""
    harness = StreamHarness(_broken_output("change"), fifo_addr_bits=4, chunk=8)
    assert harness.chunk == 8
    with pytest.raises(StreamProtocolError):
        harness.run({"in": np.arange(400)}, ready_probability=0.5, seed=3)


def test_the_testbench_keeps_an_offered_word_offered():
    """Random input stalls never withdraw a word the design has not taken: a design that
    registers its own valid input and compares it with the next cycle sees no drop."""

    def watcher(ports):
        inp = ports.stream_in("in", 8)
        out = ports.stream_out("out", 8)
        idle = ports.output("idle", 1)
        dropped = ports.output("dropped", 1)
        gate = pyrtl.Register(2)  # take a word only every fourth cycle
        gate.next <<= gate + 1
        inp.ready <<= gate == 0
        waited = pyrtl.Register(1)
        waited.next <<= inp.valid & ~inp.ready
        dropped <<= waited & ~inp.valid
        out.data <<= 0
        out.valid <<= 0
        out.last <<= 0
        idle <<= 1

    harness = StreamHarness(watcher, simulator="fast")
    cols = {"tb_in_wen": np.r_[np.ones(40), np.zeros(160)].astype(np.uint64),
            "tb_in_wdata": np.arange(200, dtype=np.uint64),
            "tb_in_stall": (np.random.default_rng(0).random(200) < 0.5).astype(np.uint64),
            "out_ready": np.ones(200, np.uint64)}
    got = harness.sim.run_arrays(200, cols)
    assert got["tb_in_fire"].sum() == 40
    assert not got["dropped"].any()


def test_combinational_ready_is_refused_before_simulating():
    def through(ports):  # in_ready = out_ready: forbidden
        inp = ports.stream_in("in", 8)
        out = ports.stream_out("out", 8)
        idle = ports.output("idle", 1)
        out.data <<= inp.data
        out.valid <<= inp.valid
        out.last <<= inp.last
        inp.ready <<= out.ready
        idle <<= 1

    with pytest.raises(StreamStructureError, match="in_ready depends combinationally on "
                                                   "out_ready"):
        StreamHarness(through)
    res = StreamHarness(through, check_structure=False).run({"in": np.arange(5)})
    assert res.outputs["out"].tolist() == list(range(5))


def test_error_output_becomes_a_stream_format_error():
    def rejects_seven(ports):
        inp = skid_buffer(ports.stream_in("in", 8), "skid")
        out = ports.stream_out("out", 8)
        idle = ports.output("idle", 1)
        error = ports.output("error", 1)
        flag = pyrtl.Register(1)
        flag.next <<= flag | (inp.valid & (inp.data == 7))
        error <<= flag
        up = output_buffer(out, "obuf")
        up.valid <<= inp.valid
        up.data <<= inp.data
        up.last <<= inp.last
        inp.ready <<= up.ready
        idle <<= ~inp.valid & ~out.valid

    harness = StreamHarness(rejects_seven)
    assert harness.run({"in": np.arange(7)}).outputs["out"].tolist() == list(range(7))
    with pytest.raises(StreamInputError, match="'error' output at cycle") as info:
        harness.run({"in": np.arange(10)})
    assert isinstance(info.value, StreamFormatError)
    assert isinstance(info.value, SimulationError)


def test_input_left_by_an_idle_design_is_surplus():
    def takes_three(ports):
        inp = ports.stream_in("in", 8)
        out = ports.stream_out("out", 8)
        idle = ports.output("idle", 1)
        count = pyrtl.Register(2)
        inp.ready <<= count != 3
        count.next <<= pyrtl.select(inp.valid & inp.ready, count + 1, count)
        out.data <<= 0
        out.valid <<= 0
        out.last <<= 0
        idle <<= (count == 0) | (count == 3)

    with pytest.raises(StreamInputError, match=r"surplus input .* \{'in': 2\}"):
        StreamHarness(takes_three).run({"in": np.arange(5)}, stall_limit=1000)


def test_a_starved_design_raises_instead_of_hanging():
    harness = StreamHarness(wants_two_words)
    with pytest.raises(SimulationError, match="not idle"):
        harness.run({"in": np.array([7])}, stall_limit=2000)


def test_streaming_designs_must_report_idle():
    def no_idle(ports):
        inp = ports.stream_in("in", 8)
        inp.ready <<= 1

    with pytest.raises(TypeError, match="idle"):
        StreamHarness(no_idle)


def test_wrong_stream_names_are_reported():
    harness = StreamHarness(skid_adder)
    with pytest.raises(ValueError, match="expected input streams"):
        harness.run({"data": np.array([1])})
    with pytest.raises(ValueError, match="empty"):
        harness.run({"in": np.array([], dtype=np.int64)})
