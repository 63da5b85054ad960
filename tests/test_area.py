"""Area flow: exact GE of known circuits, cache behaviour, unmapped cells."""

import json

import pyrtl
import pytest

from accelbench.netlist import cells
from accelbench.netlist.area import synthesize


def _register_block(width: int) -> pyrtl.Block:
    block = pyrtl.Block()
    with pyrtl.set_working_block(block):
        d = pyrtl.Input(width, "d")
        q = pyrtl.Register(width, "q")
        q.next <<= d
        out = pyrtl.Output(width, "out")
        out <<= q
    return block


def test_cell_table_matches_the_published_areas():
    assert cells.CELLS["sg13g2_nand2_1"].ge == 1.0
    assert cells.CELLS["sg13g2_dfrbpq_1"].ge == pytest.approx(6.75)
    assert cells.CELLS["sg13g2_mux2_1"].ge == pytest.approx(2.5)
    assert "sg13g2_dfrbpq_1" in cells.liberty_text()


def test_a_register_is_flip_flops_and_one_reset_inverter(tmp_path, monkeypatch):
    monkeypatch.setenv("ACCELBENCH_CACHE", str(tmp_path))
    report = synthesize(_register_block(8), "reg8")
    assert report.flip_flops == 8
    assert report.sequential_ge == pytest.approx(8 * 6.75)
    # the active-high reset of the Verilog needs one inverter for RESET_B
    assert report.combinational_ge == pytest.approx(0.75)


def test_memories_are_reported_in_bits(tmp_path, monkeypatch):
    monkeypatch.setenv("ACCELBENCH_CACHE", str(tmp_path))
    block = pyrtl.Block()
    with pyrtl.set_working_block(block):
        addr = pyrtl.Input(4, "addr")
        data = pyrtl.Input(8, "data")
        mem = pyrtl.MemBlock(8, 4, "buf", asynchronous=True)
        mem[addr] <<= data
        out = pyrtl.Output(8, "out")
        out <<= mem[addr]
    report = synthesize(block, "mem16x8")
    assert report.memory_bits == 128
    assert report.memories[0]["name"] == "buf"
    assert report.flip_flops == 0


def test_a_corrupt_cache_entry_is_recomputed(tmp_path, monkeypatch):
    monkeypatch.setenv("ACCELBENCH_CACHE", str(tmp_path))
    first = synthesize(_register_block(4), "reg4")
    (entry,) = (tmp_path / "area").glob("*.json")
    entry.write_text("{not json")
    again = synthesize(_register_block(4), "reg4")
    assert again.to_json() == first.to_json()
    assert json.loads(entry.read_text())["flip_flops"] == 4


def test_a_yosys_timeout_ends_its_child_processes(tmp_path, monkeypatch):
    """Yosys starts ABC as a child; a timeout must not leave it running."""
    import time
    from pathlib import Path

    from accelbench.errors import SynthesisError
    from accelbench.netlist import yosys

    pid_file = tmp_path / "child.pid"
    monkeypatch.setattr(yosys, "_RUNNER", (
        "import subprocess, sys, time\n"
        "child = subprocess.Popen(['sleep', '60'])\n"
        f"open({str(pid_file)!r}, 'w').write(str(child.pid))\n"
        "time.sleep(60)\n"))
    with pytest.raises(SynthesisError, match="did not finish within 1 s"):
        yosys.run_yosys(["help"], tmp_path, timeout=1)
    child = int(pid_file.read_text())
    time.sleep(0.2)
    stat = Path(f"/proc/{child}/stat")
    # gone, or a zombie waiting for a reaper (the container's init may not reap)
    assert not stat.exists() or stat.read_text().split(") ")[1][0] == "Z"


def test_yosys_timeout_setting_is_checked(monkeypatch):
    from accelbench.errors import SynthesisError
    from accelbench.netlist import yosys

    monkeypatch.setenv("ACCELBENCH_YOSYS_TIMEOUT", "soon")
    with pytest.raises(SynthesisError, match="ACCELBENCH_YOSYS_TIMEOUT"):
        yosys._timeout()
