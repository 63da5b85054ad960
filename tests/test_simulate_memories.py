"""CompiledSim's array-backed memories against PyRTL's FastSimulation, cycle by cycle.

Random netlists with MemBlocks (synchronous and asynchronous reads, registered and
combinational addresses, several write ports with enables, conditional and masked
read-modify-write ports, words wider than 64 bits, ``memory_value_map`` contents) and
RomBlocks run in both simulators; every output is compared on every cycle, and every
memory word at the end. Write ports of one memory never hit the same address in the
same cycle (a priority gate drops the later port): PyRTL leaves that order unspecified.
"""

from __future__ import annotations

import random
from dataclasses import dataclass

import numpy as np
import pyrtl
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from accelbench.netlist.simulate import MAX_ARRAY_BYTES, CompiledSim, UnsupportedPyrtlError

WIDTHS = (1, 5, 8, 9, 16, 17, 32, 33, 63, 64, 65, 100, 128, 130)
WRITE_STYLES = ("enabled", "conditional", "masked")


@dataclass(frozen=True)
class MemSpec:
    bitwidth: int
    addrwidth: int
    asynchronous: bool
    rom: bool
    write_styles: tuple[str, ...]  # one per write port (none for a ROM)
    reads: int
    init_seed: int | None  # memory_value_map (or ROM data) from this seed


@st.composite
def mem_specs(draw) -> MemSpec:
    rom = draw(st.booleans())
    return MemSpec(
        bitwidth=draw(st.sampled_from(WIDTHS)),
        addrwidth=draw(st.integers(1, 6)),
        asynchronous=draw(st.booleans()),
        rom=rom,
        write_styles=() if rom else tuple(draw(st.lists(st.sampled_from(WRITE_STYLES),
                                                        min_size=1, max_size=3))),
        reads=draw(st.integers(1, 3)),
        init_seed=draw(st.one_of(st.none(), st.integers(0, 2**16))),
    )


def _random_words(seed: int, spec: MemSpec, fill: float) -> dict[int, int]:
    rng = random.Random(seed)
    return {a: rng.getrandbits(spec.bitwidth) for a in range(1 << spec.addrwidth)
            if rng.random() < fill}


def build_netlist(specs: list[MemSpec]):
    """A block exercising ``specs``; returns it, its writable MemBlocks and their
    memory_value_map."""
    block = pyrtl.Block()
    mems, init = [], {}
    with pyrtl.set_working_block(block):
        for i, spec in enumerate(specs):
            if spec.rom:
                data = _random_words(spec.init_seed or 0, spec, 0.8)
                mem = pyrtl.RomBlock(spec.bitwidth, spec.addrwidth,
                                     [data.get(a, 0) for a in range(1 << spec.addrwidth)],
                                     name=f"rom{i}", max_read_ports=None,
                                     asynchronous=spec.asynchronous)
            else:
                mem = pyrtl.MemBlock(spec.bitwidth, spec.addrwidth, name=f"mem{i}",
                                     max_read_ports=None, max_write_ports=None,
                                     asynchronous=spec.asynchronous)
                mems.append(mem)
                if spec.init_seed is not None:
                    init[mem] = _random_words(spec.init_seed, spec, 0.5)
            _build_writes(i, spec, mem)
            _build_reads(i, spec, mem)
    return block, mems, init


def _build_writes(i: int, spec: MemSpec, mem: pyrtl.MemBlock) -> None:
    taken = []  # (enable, address) of earlier ports: a later port yields to them
    for p, style in enumerate(spec.write_styles):
        addr = pyrtl.Input(spec.addrwidth, f"wa{i}_{p}")
        data = pyrtl.Input(spec.bitwidth, f"wd{i}_{p}")
        want = pyrtl.Input(1, f"we{i}_{p}")
        enable = want
        for other_enable, other_addr in taken:
            enable = enable & ~(other_enable & (other_addr == addr))
        taken.append((enable, addr))
        if style == "enabled":
            mem[addr] <<= pyrtl.MemBlock.EnabledWrite(data, enable)
        elif style == "conditional":
            with pyrtl.conditional_assignment, enable:
                mem[addr] |= data
        else:  # masked read-modify-write: the address is an Input, legal for sync reads
            mask = pyrtl.Input(spec.bitwidth, f"wm{i}_{p}")
            merged = (mem[addr] & ~mask) | (data & mask)
            mem[addr] <<= pyrtl.MemBlock.EnabledWrite(merged[:spec.bitwidth], enable)


def _build_reads(i: int, spec: MemSpec, mem: pyrtl.MemBlock) -> None:
    fold = pyrtl.Register(spec.bitwidth, f"fold{i}")  # state that depends on read data
    folded = fold
    for r in range(spec.reads):
        addr_in = pyrtl.Input(spec.addrwidth, f"ra{i}_{r}")
        if spec.asynchronous:  # a combinational address, fed back from read data
            addr = (addr_in ^ fold[:spec.addrwidth])[:spec.addrwidth]
        elif r % 2:  # an SRAM port: the address registered, the data one cycle later
            addr = pyrtl.Register(spec.addrwidth, f"rareg{i}_{r}")
            addr.next <<= addr_in
        else:
            addr = addr_in
        data = mem[addr]
        out = pyrtl.Output(spec.bitwidth, f"rd{i}_{r}")
        out <<= data
        folded = folded ^ data
    fold.next <<= folded
    fold_out = pyrtl.Output(spec.bitwidth, f"fold_out{i}")
    fold_out <<= fold


def random_inputs(block: pyrtl.Block, steps: int, seed: int) -> dict[str, list[int]]:
    rng = random.Random(seed)
    cols = {}
    for wire in sorted(block.wirevector_subset(pyrtl.Input), key=lambda w: w.name):
        if wire.name.startswith("we"):  # enables: mostly on, so memories fill up
            cols[wire.name] = [int(rng.random() < 0.7) for _ in range(steps)]
        else:
            cols[wire.name] = [rng.getrandbits(wire.bitwidth) for _ in range(steps)]
    return cols


def fast_trace(block, init, cols, steps):
    sim = pyrtl.FastSimulation(block=block, tracer=None, memory_value_map=init)
    outputs = sorted(w.name for w in block.wirevector_subset(pyrtl.Output))
    trace = {name: [] for name in outputs}
    for t in range(steps):
        sim.step({name: col[t] for name, col in cols.items()})
        for name in outputs:
            trace[name].append(sim.inspect(name))
    return sim, trace


def compiled_trace(block, init, cols, steps, **kwargs):
    sim = CompiledSim(block, memory_value_map=init, **kwargs)
    out = sim.run_arrays(steps, {name: np.array(col, dtype=object)
                                 for name, col in cols.items()})
    return sim, {name: [int(v) for v in col] for name, col in out.items()}


def assert_same(block, mems, init, cols, steps, **kwargs):
    fast, expected = fast_trace(block, init, cols, steps)
    compiled, got = compiled_trace(block, init, cols, steps, **kwargs)
    assert got.keys() == expected.keys()
    for name in expected:
        if got[name] != expected[name]:
            pairs = enumerate(zip(got[name], expected[name], strict=True))
            t = next(t for t, (a, b) in pairs if a != b)
            pytest.fail(f"{name} differs first at cycle {t}: compiled {got[name][t]}, "
                        f"fast {expected[name][t]}")
    for mem in mems:
        words = compiled.inspect_mem(mem)
        fast_words = fast.inspect_mem(mem)
        assert [words[a] for a in range(1 << mem.addrwidth)] == \
            [fast_words.get(a, 0) for a in range(1 << mem.addrwidth)], mem.name
    return compiled


@settings(max_examples=25)
@given(specs=st.lists(mem_specs(), min_size=1, max_size=3),
       seed=st.integers(0, 2**32 - 1),
       max_array_bytes=st.sampled_from([MAX_ARRAY_BYTES, 64, 0]))
def test_compiled_memories_match_fast_simulation(specs, seed, max_array_bytes):
    """max_array_bytes 64 mixes array and hash-map memories in one netlist; 0 is
    PyRTL's hash map throughout."""
    block, mems, init = build_netlist(specs)
    steps = 60
    compiled = assert_same(block, mems, init, random_inputs(block, steps, seed), steps,
                           max_array_bytes=max_array_bytes)
    expected = {m for m in mems if max_array_bytes == MAX_ARRAY_BYTES
                or (max_array_bytes == 64 and compiled._array_bytes(m) <= 64)}
    assert compiled.array_memories == expected


def _one_port_memory(addrwidth: int = 3, bitwidth: int = 8, asynchronous: bool = True):
    block = pyrtl.Block()
    with pyrtl.set_working_block(block):
        mem = pyrtl.MemBlock(bitwidth, addrwidth, name="mem", asynchronous=asynchronous)
        addr = pyrtl.Input(addrwidth, "addr")
        mem[addr] <<= pyrtl.MemBlock.EnabledWrite(pyrtl.Input(bitwidth, "data"),
                                                  pyrtl.Input(1, "we"))
        q = pyrtl.Output(bitwidth, "q")
        q <<= mem[addr]
    return block, mem


def test_read_during_write_returns_the_old_word_and_the_write_lands_after():
    block, mem = _one_port_memory()
    sim = CompiledSim(block, memory_value_map={mem: {5: 42}})
    assert sim.array_memories == {mem}
    out = sim.run_arrays(4, {"addr": np.array([5, 5, 5, 5]), "data": np.array([7, 9, 11, 13]),
                             "we": np.array([1, 0, 1, 0])})
    assert out["q"].tolist() == [42, 7, 7, 11]
    assert sim.inspect_mem(mem)[5] == 11 and sim.inspect_mem(mem)[4] == 0
    assert len(sim.inspect_mem(mem)) == 8


def test_a_huge_sparse_address_space_keeps_the_hash_map():
    """40 address bits cannot be an array: PyRTL's hash map, same behaviour."""
    block, mem = _one_port_memory(addrwidth=40, bitwidth=70)
    steps = 200
    rng = random.Random(1)
    addrs = [rng.choice((0, 3, 2**40 - 1, 2**39 + 17)) for _ in range(steps)]
    cols = {"addr": addrs, "data": [rng.getrandbits(70) for _ in range(steps)],
            "we": [rng.getrandbits(1) for _ in range(steps)]}
    init = {mem: {2**40 - 1: 2**69 + 1}}
    fast, expected = fast_trace(block, init, cols, steps)
    compiled, got = compiled_trace(block, init, cols, steps)
    assert compiled.array_memories == frozenset()
    assert got == expected
    for a in set(addrs):
        assert compiled.inspect_mem(mem)[a] == fast.inspect_mem(mem).get(a, 0)


def test_bad_memory_value_maps_are_rejected():
    block, mem = _one_port_memory()
    with pytest.raises(pyrtl.PyrtlError, match="outside of bounds"):
        CompiledSim(block, memory_value_map={mem: {8: 1}})
    with pytest.raises(pyrtl.PyrtlError, match="insufficient"):
        CompiledSim(block, memory_value_map={mem: {0: 256}})
    assert CompiledSim(block, memory_value_map={mem: {0: -1}}).inspect_mem(mem)[0] == 255


def test_unexpected_pyrtl_code_generation_fails_clearly(monkeypatch):
    """If PyRTL stopped emitting write ports as ``insert(mem, addr, data);`` the
    rewrite would miss them: CompiledSim must refuse, not miscompile."""
    upstream = pyrtl.CompiledSimulation._create_code

    def renamed_writes(self, write):
        upstream(self, lambda line: write(line.replace("insert(", "insert (")))

    monkeypatch.setattr(pyrtl.CompiledSimulation, "_create_code", renamed_writes)
    block, _ = _one_port_memory()
    with pytest.raises(UnsupportedPyrtlError, match=r"0 of 1 memory writes"):
        CompiledSim(block)
