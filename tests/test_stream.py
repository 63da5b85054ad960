"""The streaming co-simulation harness: handshakes, back-pressure, failure modes."""

import numpy as np
import pyrtl
import pytest

from accelbench.errors import SimulationError
from accelbench.netlist.stream import StreamHarness


def skid_adder(ports):
    """Registered pass-through that adds 1: a minimal correct streaming design."""
    inp = ports.stream_in("in", 8)
    out = ports.stream_out("out", 8)
    idle = ports.output("idle", 1)
    data, valid, last = pyrtl.Register(8), pyrtl.Register(1), pyrtl.Register(1)
    free = ~valid | out.ready
    inp.ready <<= free
    take = inp.valid & free
    data.next <<= pyrtl.select(take, (inp.data + 1)[:8], data)
    last.next <<= pyrtl.select(take, inp.last, last)
    valid.next <<= take | (valid & ~out.ready)
    out.data <<= data
    out.valid <<= valid
    out.last <<= last
    idle <<= ~valid


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
            assert res.cycles == len(data) + 1


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
