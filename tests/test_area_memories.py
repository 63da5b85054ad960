"""Memories in the area report: SRAM macros in bits, register files with a flip-flop
estimate beside their bits, both kept out of the synthesised GE."""

import pyrtl
import pytest

from accelbench.netlist import cells
from accelbench.netlist.area import memory_table, synthesize


def _memories_block() -> pyrtl.Block:
    block = pyrtl.Block()
    with pyrtl.set_working_block(block):
        addr = pyrtl.Input(4, "addr")
        data = pyrtl.Input(8, "data")
        we = pyrtl.Input(1, "we")
        latch = pyrtl.Register(4, "latch")  # what makes the read synchronous
        latch.next <<= addr
        sram = pyrtl.MemBlock(8, 4, "sram")
        sram[addr] <<= pyrtl.MemBlock.EnabledWrite(data, we)
        regfile = pyrtl.MemBlock(8, 2, "regfile", asynchronous=True)
        regfile[addr[:2]] <<= pyrtl.MemBlock.EnabledWrite(data, we)
        out = pyrtl.Output(8, "out")
        out <<= sram[latch] ^ regfile[addr[:2]]
    return block


def test_sram_and_register_file_are_told_apart():
    table = {m["name"]: m for m in memory_table(_memories_block())}
    assert table["sram"] == {"name": "sram", "words": 16, "bits_per_word": 8, "bits": 128,
                             "rom": False, "kind": "sram", "read_ports": 1,
                             "write_ports": 1}
    rf = table["regfile"]
    assert rf["kind"] == "register file" and rf["bits"] == 32
    # 32 bits x (flip-flop + write mux) + 8 bits x 3 two-input muxes for the read
    mux = cells.CELLS["sg13g2_mux2_1"].ge
    assert rf["ge_estimate"] == pytest.approx(round(32 * (cells.FLIP_FLOP.ge + mux)
                                                    + 8 * 3 * mux, 1))


def test_memories_stay_out_of_the_synthesised_ge(tmp_path, monkeypatch):
    monkeypatch.setenv("ACCELBENCH_CACHE", str(tmp_path))
    report = synthesize(_memories_block(), "mems")
    assert (report.memory_bits, report.sram_bits, report.regfile_bits) == (160, 128, 32)
    assert report.regfile_ge_estimate == next(m["ge_estimate"] for m in report.memories
                                              if m["kind"] == "register file")
    # Yosys's memory_dff merges the address latch into the SRAM's read port, so it is part
    # of the macro, not GE; what is left is the 8 XOR gates of the output
    assert report.flip_flops == 0
    assert report.total_ge == 8 * cells.CELLS["sg13g2_xor2_1"].ge
    assert report.synthesis_seconds is not None and "synthesis_seconds" not in \
        report.to_json()
    cached = synthesize(_memories_block(), "mems")  # from the cache, memories recomputed
    assert cached.to_json() == report.to_json()
