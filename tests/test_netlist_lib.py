"""accelbench.netlist.lib: every builder co-simulated against a small Python model (with
random back-pressure where it has streams)."""

import numpy as np
import pyrtl
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from accelbench.netlist.build import build_block
from accelbench.netlist.lib import (
    bit_packer,
    bit_unpacker,
    count_bits,
    index_bits,
    left_code,
    onehot_to_binary,
    output_buffer,
    priority_mux,
    skid_buffer,
    unpacker_buffer_bits,
    word_counter,
)
from accelbench.netlist.simulate import make_simulator
from accelbench.netlist.stream import StreamHarness, StreamInputError
from accelbench.netlist.structure import check_block


def test_width_helpers():
    assert [count_bits(n) for n in (0, 1, 2, 3, 4, 7, 8, 255, 256)] == [1, 1, 2, 2, 3, 3, 4,
                                                                        8, 9]
    assert [index_bits(n) for n in (1, 2, 3, 4, 5, 8, 9, 256, 257)] == [1, 1, 2, 2, 3, 3, 4,
                                                                        8, 9]
    for n in range(1, 300):  # every count 0..n fits, every index 0..n-1 fits, tightly
        assert n < 1 << count_bits(n) and (n == 1 or n >= 1 << (count_bits(n) - 1))
        assert n - 1 < 1 << index_bits(n) and (n <= 2 or n - 1 >= 1 << (index_bits(n) - 1))
    with pytest.raises(ValueError):
        index_bits(0)
    with pytest.raises(ValueError):
        count_bits(-1)


def _combinational(build, inputs: dict[str, int], outputs: dict[str, int]):
    """A block with the given inputs and outputs; returns a function of input columns."""
    block = pyrtl.Block()
    with pyrtl.set_working_block(block):
        ins = {n: pyrtl.Input(w, n) for n, w in inputs.items()}
        results = build(ins)
        for name, width in outputs.items():
            port = pyrtl.Output(width, name)
            port <<= results[name]
    sim = make_simulator(block, "fast")
    return lambda cols: sim.run_arrays(len(next(iter(cols.values()))), cols)


def test_priority_mux_left_code_and_onehot():
    def build(ins):
        mux = priority_mux(7, [(ins["a"], 1), (ins["b"], ins["v"]), (ins["c"], 3)], 4)
        return {"mux": mux, "code": left_code(0b101, 3, 8, ins["v"]),
                "index": onehot_to_binary(ins["onehot"], 3)}

    run = _combinational(build, {"a": 1, "b": 1, "c": 1, "v": 4, "onehot": 6},
                         {"mux": 4, "code": 8, "index": 3})
    grid = np.array([(a, b, c, v) for a in (0, 1) for b in (0, 1) for c in (0, 1)
                     for v in range(16)], dtype=np.uint64)
    onehot = np.uint64(1) << (np.arange(len(grid), dtype=np.uint64) % np.uint64(6))
    got = run({"a": grid[:, 0], "b": grid[:, 1], "c": grid[:, 2], "v": grid[:, 3],
               "onehot": onehot})
    expected = np.where(grid[:, 0] == 1, 1, np.where(grid[:, 1] == 1, grid[:, 3],
                                                     np.where(grid[:, 2] == 1, 3, 7)))
    assert np.array_equal(got["mux"], expected)
    assert np.array_equal(got["code"], (0b101 << 5) | (grid[:, 3] << 1))
    assert np.array_equal(got["index"], np.arange(len(grid)) % 6)
    with pytest.raises(ValueError, match="does not fit"):
        _combinational(lambda ins: {"x": left_code(1, 3, 4, ins["v"])}, {"v": 4}, {"x": 4})


def _through(middle):
    """A design in -> middle -> out for the buffers (registered on both ends)."""

    def build(ports):
        inp = ports.stream_in("in", 8)
        out = ports.stream_out("out", 8)
        idle = ports.output("idle", 1)
        middle(inp, out, idle)

    return build


def _skid_then_register(inp, out, idle):
    down = skid_buffer(inp, "skid")
    up = output_buffer(out, "obuf")
    up.valid <<= down.valid
    up.data <<= down.data ^ 0x5A
    up.last <<= down.last
    down.ready <<= up.ready
    idle <<= ~down.valid & ~out.valid


def _two_skids(inp, out, idle):
    """Skid buffers back to back; the second drives the output ports directly."""
    first = skid_buffer(inp, "first")
    second = skid_buffer(first, "second")
    out.data <<= second.data ^ 0x5A
    out.valid <<= second.valid
    out.last <<= second.last
    second.ready <<= out.ready
    idle <<= ~first.valid & ~second.valid


@pytest.mark.parametrize("middle", [_skid_then_register, _two_skids])
@settings(max_examples=20, deadline=None)
@given(words=st.lists(st.integers(0, 255), min_size=1, max_size=300),
       p=st.sampled_from([1.0, 0.8, 0.4, 0.1]), seed=st.integers(0, 2**31))
def test_buffers_pass_every_word_under_back_pressure(middle, words, p, seed):
    harness = _HARNESSES.setdefault(middle, StreamHarness(_through(middle)))
    res = harness.run({"in": np.array(words)}, valid_probability=p, ready_probability=p,
                      seed=seed)
    assert res.outputs["out"].tolist() == [w ^ 0x5A for w in words]
    assert res.last_index["out"] == [len(words) - 1]
    if p == 1.0:  # one word a cycle; one cycle of latency per buffer
        assert res.cycles == len(words) + 2


_HARNESSES: dict = {}


def test_buffers_are_structurally_clean():
    for middle in (_skid_then_register, _two_skids):
        assert check_block(build_block(_through(middle))) == []


def test_word_counter_matches_a_python_counter():
    def build(ins):
        counter = word_counter(ins["n"], ins["step"], "c")
        return {"is_last": counter.is_last, "empty": counter.empty}

    rng = np.random.default_rng(0)
    for n in (0, 1, 6, 31):
        run = _combinational(build, {"n": 5, "step": 1}, {"is_last": 1, "empty": 1})
        steps = (rng.random(200) < 0.6).astype(np.uint64)
        got = run({"n": np.full(200, n, np.uint64), "step": steps})
        count, is_last, empty = 0, [], []
        for s in steps:
            is_last.append(count == n)
            empty.append(count == 0)
            if s:
                count = 0 if count == n else count + 1
        assert got["is_last"].astype(bool).tolist() == is_last
        assert got["empty"].astype(bool).tolist() == empty


MAX_SYMBOL = 12


def packer_design(ports):
    """Input words carry a code: length (4 bits, 1..12) above a left-aligned 12-bit
    symbol; the packer sends them MSB-first as 8-bit words."""
    inp = skid_buffer(ports.stream_in("in", 16), "skid")
    out = ports.stream_out("out", 8)
    idle = ports.output("idle", 1)
    ending = pyrtl.Register(1, "ending")
    add = pyrtl.WireVector(1)
    pack = bit_packer(out, 8, 16, MAX_SYMBOL, inp.data[:MAX_SYMBOL], inp.data[12:16], add,
                      ending, "pack")
    inp.ready <<= ~ending & pack.can_add
    add <<= inp.valid & inp.ready
    ending.next <<= ~pack.flush_done & (ending | (add & inp.last))
    idle <<= ~inp.valid & ~ending & pack.empty


def _codes(draw_lengths, rng):
    lengths = np.array(draw_lengths, dtype=np.int64)
    values = rng.integers(0, 1 << 12, len(lengths)) & ((1 << lengths) - 1)
    return values, lengths


def _bits_of(values, lengths):
    return "".join(format(int(v), f"0{int(n)}b") for v, n in zip(values, lengths, strict=True))


def _words_of(bits, w):
    bits += "0" * (-len(bits) % w)
    return [int(bits[i:i + w], 2) for i in range(0, len(bits), w)]


@settings(max_examples=25, deadline=None)
@given(lengths=st.lists(st.integers(1, MAX_SYMBOL), min_size=1, max_size=200),
       p=st.sampled_from([1.0, 0.7, 0.3]), seed=st.integers(0, 2**31))
def test_bit_packer_matches_msb_first_packing(lengths, p, seed):
    rng = np.random.default_rng(seed)
    values, lengths = _codes(lengths, rng)
    words = (lengths << 12) | (values << (12 - lengths))  # symbols left-aligned
    harness = _HARNESSES.setdefault("packer", StreamHarness(packer_design))
    res = harness.run({"in": words}, valid_probability=p, ready_probability=p, seed=seed)
    expected = _words_of(_bits_of(values, lengths), 8)
    assert res.outputs["out"].tolist() == expected
    assert res.last_index["out"] == [len(expected) - 1]


W, HEAD, TAKE = 8, 6, 6


def unpacker_design(ports):
    """Takes a pattern of 1..6 bits a cycle from the head and sends them as a code word
    (length above the bits); the stream's leftover bits go out as a last short word."""
    inp = ports.stream_in("in", W)
    out = ports.stream_out("out", 16)
    idle = ports.output("idle", 1)
    up = output_buffer(out, "obuf")
    consume = pyrtl.WireVector(count_bits(TAKE))
    clear = pyrtl.WireVector(1)
    unpack = bit_unpacker(inp, W, HEAD, TAKE, consume, 1, clear, "unpack")
    phase = pyrtl.Register(3, "phase")  # wants 1 + phase bits this cycle
    want = (phase + 1)[:3]
    full = unpack.fill >= want
    rest = unpack.seen_last & ~full & (unpack.fill != 0)  # the stream's final bits
    take = pyrtl.select(full, want, pyrtl.select(rest, unpack.fill[:3], 0))
    go = up.ready & (full | rest)
    consume <<= pyrtl.select(go, take, 0)
    clear <<= go & unpack.seen_last & (unpack.fill == take)
    phase.next <<= pyrtl.select(go, pyrtl.select(clear | (phase == TAKE - 1), 0, phase + 1),
                                phase)
    bits = pyrtl.shift_right_logical(unpack.head, (HEAD - take)[:3])  # the top take bits
    up.valid <<= go
    up.data <<= pyrtl.concat(pyrtl.Const(0, 5), take, pyrtl.Const(0, 2), bits)
    up.last <<= clear
    idle <<= unpack.empty & ~out.valid & (phase == 0)


@settings(max_examples=25, deadline=None)
@given(words=st.lists(st.integers(0, 255), min_size=1, max_size=120),
       p=st.sampled_from([1.0, 0.7, 0.3]), seed=st.integers(0, 2**31))
def test_bit_unpacker_hands_out_every_bit_in_order(words, p, seed):
    harness = _HARNESSES.setdefault("unpacker", StreamHarness(unpacker_design))
    res = harness.run({"in": np.array(words)}, valid_probability=p, ready_probability=p,
                      seed=seed)
    got = "".join(format(int(c) & 0xFF, f"0{int(c) >> 8}b") for c in res.outputs["out"])
    assert got == "".join(format(x, "08b") for x in words)
    assert res.last_index["out"] == [len(res.outputs["out"]) - 1]
    assert unpacker_buffer_bits(W, TAKE, HEAD) == 19


def test_bit_unpacker_ready_is_registered_and_keeps_up():
    """in_ready comes from registers only, and a consumer taking up to W bits a cycle
    (here 1..6, 3.5 on average) never waits for a refill when words always arrive."""
    assert check_block(build_block(unpacker_design)) == []
    rng = np.random.default_rng(5)
    words = rng.integers(0, 256, 700)
    res = StreamHarness(unpacker_design).run({"in": words})
    chunks = len(res.outputs["out"])
    assert res.cycles <= chunks + 3
    assert chunks >= 700 * 8 // 6


def test_bit_unpacker_surplus_flag():
    """``surplus`` on the clear cycle: the stream held a whole word beyond the bits used
    (here raised as the design's ``error``, which the harness turns into an error)."""

    def build(ports):
        inp = ports.stream_in("in", W)
        out = ports.stream_out("out", 1)
        idle = ports.output("idle", 1)
        error = ports.output("error", 1)
        need = ports.input("need", 8)  # bits the consumer uses, 1 a cycle
        used = pyrtl.Register(8, "used")
        consume = pyrtl.WireVector(1)
        clear = pyrtl.WireVector(1)
        unpack = bit_unpacker(inp, W, 1, 1, consume, 1, clear, "unpack")
        go = unpack.fill != 0
        consume <<= go
        clear <<= go & (used == need - 1)
        used.next <<= pyrtl.select(clear, 0, pyrtl.select(go, used + 1, used))
        flag = pyrtl.Register(1, "flag")
        flag.next <<= flag | (clear & unpack.surplus)
        error <<= flag
        out.data <<= 0
        out.valid <<= 0
        out.last <<= 0
        idle <<= unpack.empty & (used == 0)

    for words, need, surplus in [(3, 24, False), (3, 17, False), (3, 16, True),
                                 (3, 9, True), (1, 1, False), (2, 8, True)]:
        harness = StreamHarness(build)
        if surplus:
            with pytest.raises(StreamInputError):
                harness.run({"in": np.arange(words) + 1}, {"need": need}, stall_limit=300)
        else:
            harness.run({"in": np.arange(words) + 1}, {"need": need}, stall_limit=300)
