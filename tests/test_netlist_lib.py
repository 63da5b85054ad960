"""accelbench.netlist.lib: every builder co-simulated against a small Python model (with
random back-pressure where it has streams)."""

import numpy as np
import pyrtl
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from accelbench.netlist.build import build_block
from accelbench.netlist.lib import (
    SkewedBuffer,
    bank_arbiter,
    bit_packer,
    bit_unpacker,
    count_bits,
    index_bits,
    left_code,
    one_hot_mux,
    onehot_to_binary,
    output_buffer,
    priority_arbiter,
    priority_mux,
    round_shift,
    s_add,
    s_mul,
    s_mul_const,
    s_neg,
    s_sub,
    sext,
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



def _signed(values, bits):
    v = np.asarray(values, dtype=np.int64) & ((1 << bits) - 1)
    return np.where(v >= 1 << (bits - 1), v - (1 << bits), v)


@settings(max_examples=10, deadline=None)
@given(seed=st.integers(0, 2**31), shift=st.integers(0, 5), const=st.integers(0, 300))
def test_signed_arithmetic_matches_twos_complement(seed, shift, const):
    def build(ins):
        a, b = ins["a"], ins["b"]
        return {"sum": s_add(a, b, 10), "diff": s_sub(a, b, 10), "neg": s_neg(a, 10),
                "prod": s_mul(a, b), "cprod": s_mul_const(a, const),
                "round": round_shift(a, shift), "ext": sext(b, 12), "cut": sext(a, 5)}

    cw = 9 + max(1, const.bit_length())
    rw = 10 - shift if shift else 9
    run = _combinational(build, {"a": 9, "b": 7}, {"sum": 10, "diff": 10, "neg": 10,
                                                   "prod": 16, "cprod": cw, "round": rw,
                                                   "ext": 12, "cut": 5})
    rng = np.random.default_rng(seed)
    a = rng.integers(-256, 256, 200)
    b = rng.integers(-64, 64, 200)
    a[:2], b[:2] = (-256, 255), (-64, 63)
    got = run({"a": (a & 0x1FF).astype(np.uint64), "b": (b & 0x7F).astype(np.uint64)})
    assert np.array_equal(_signed(got["sum"], 10), a + b)
    assert np.array_equal(_signed(got["diff"], 10), a - b)
    assert np.array_equal(_signed(got["neg"], 10), -a)
    assert np.array_equal(_signed(got["prod"], 16), a * b)
    assert np.array_equal(_signed(got["cprod"], cw), a * const)
    want = (a + (1 << (shift - 1))) >> shift if shift else a
    assert np.array_equal(_signed(got["round"], rw), want)  # half up, arithmetic
    assert np.array_equal(_signed(got["ext"], 12), b)
    assert np.array_equal(got["cut"], a & 0x1F)


def test_arbiters_grant_the_lowest_requester_per_bank():
    lanes, banks = 4, 4

    def build(ins):
        valid = [ins["valid"][r] for r in range(lanes)]
        bank = [ins["bank"][2 * r:2 * r + 2] for r in range(lanes)]
        granted, per_bank = bank_arbiter(valid, bank, banks)
        return {"granted": pyrtl.concat_list(granted),
                "first": pyrtl.concat_list(priority_arbiter(valid)),
                "bank0": pyrtl.concat_list(per_bank[0]),
                "pick": one_hot_mux(per_bank[0], [pyrtl.Const(10 + r, 8)
                                                  for r in range(lanes)], 8)}

    run = _combinational(build, {"valid": lanes, "bank": 2 * lanes},
                         {"granted": lanes, "first": lanes, "bank0": lanes, "pick": 8})
    grid = [(v, b) for v in range(16) for b in range(256)]
    got = run({"valid": np.array([v for v, _ in grid], dtype=np.uint64),
               "bank": np.array([b for _, b in grid], dtype=np.uint64)})
    for t, (v, b) in enumerate(grid):
        want_bank = {}
        for r in range(lanes):
            if v >> r & 1:
                want_bank.setdefault(b >> (2 * r) & 3, r)
        assert got["granted"][t] == sum(1 << r for r in want_bank.values())
        assert got["first"][t] == (v & -v)
        assert got["bank0"][t] == (1 << want_bank[0] if 0 in want_bank else 0)
        assert got["pick"][t] == (10 + want_bank[0] if 0 in want_bank else 0)


@pytest.mark.parametrize("rows,cols", [(8, 5), (4, 4), (3, 7)])
def test_skewed_buffer_transposes_without_bank_conflicts(rows, cols):
    n, width = 8, 6
    block = pyrtl.Block()
    with pyrtl.set_working_block(block):
        buf = SkewedBuffer(n, rows, cols, width, "tb")
        line = pyrtl.Input(3, "line")
        we = pyrtl.Input(1, "we")
        values = [pyrtl.Input(width, f"v{j}") for j in range(cols)]
        buf.write(line, values, we)
        address = pyrtl.Register(buf.address_bits, "raddr")
        address.next <<= pyrtl.Input(buf.address_bits, "ra")
        for i, word in enumerate(buf.read(address)):
            out = pyrtl.Output(width, f"o{i}")
            out <<= word
    assert len(buf.banks) == n
    rng = np.random.default_rng(rows * cols)
    matrix = rng.integers(0, 1 << width, (rows, cols))
    steps = rows + cols + 1
    cols_in = {"line": np.zeros(steps, np.uint64), "we": np.zeros(steps, np.uint64),
               "ra": np.zeros(steps, np.uint64)}
    for j in range(cols):
        cols_in[f"v{j}"] = np.zeros(steps, np.uint64)
    for i in range(rows):  # one line a cycle in
        cols_in["line"][i], cols_in["we"][i] = i, 1
        for j in range(cols):
            cols_in[f"v{j}"][i] = matrix[i, j]
    for j in range(cols):  # one column a cycle out, the cycle after its address
        cols_in["ra"][rows + j] = j
    got = make_simulator(block, "fast").run_arrays(steps, cols_in)
    for j in range(cols):
        column = [int(got[f"o{i}"][rows + 1 + j]) for i in range(rows)]
        assert column == matrix[:, j].tolist()
    with pytest.raises(ValueError, match="power of two"):
        SkewedBuffer(6, 4, 4, 8, "bad")


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
