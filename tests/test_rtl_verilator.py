"""The exported Verilog of every netlist in Verilator (cocotb) against PyRTL and the golden
models, and that the check finds real differences: a changed Verilog line, a wrong golden
word, the exporter's inversion width, a missing tool."""

from __future__ import annotations

import io
import re

import numpy as np
import pyrtl
import pytest

from accelbench.cli import main
from accelbench.errors import NetlistMismatchError, SimulationError
from accelbench.netlist import verilator
from accelbench.netlist.build import build_block, module_name, to_verilog
from accelbench.netlist.interface import Interface, from_column, to_column
from accelbench.netlist.rtl_verify import _compare_words, check_netlist, check_verilog
from accelbench.netlist.stimulus import Job, JobResult, StreamDriver
from accelbench.netlist.vectors import StreamVectors, codec_vectors
from accelbench.registry import get_registry

NETLISTS = [(d.name, n) for d in get_registry().designs.values() for n in d.netlists()]


@pytest.mark.parametrize(("design_name", "netlist"), NETLISTS,
                         ids=[f"{d}-{n}" for d, n in NETLISTS])
def test_exported_verilog_matches_pyrtl_and_golden(design_name, netlist):
    design = get_registry().design(design_name)
    check = check_netlist(design, netlist, seed=0)
    assert check.replay_cycles >= 100
    if design.family == "codec":
        assert check.streaming and check.jobs == 4 and check.words > 0
    assert re.fullmatch(r"[0-9a-f]{64}", check.verilog_sha256)


def _zvc():
    return get_registry().design("zvc-w8")


def test_a_changed_verilog_line_is_caught_with_its_cycle_and_port():
    design = _zvc()
    block = build_block(design.netlists()["decompressor"].build)
    top = module_name(design.name, "decompressor")
    verilog = to_verilog(block, top)
    # the data output path: swap an XOR/AND/OR for another operator on the first such line
    broken, n = re.subn(r"(assign \w+ = \(\w+) & (\w+\);)", r"\1 | \2", verilog, count=1)
    assert n == 1
    with pytest.raises(NetlistMismatchError,
                       match=r"disagrees with its PyRTL simulation at cycle \d+ after reset: "
                             r"output '\w+' is 0x[0-9a-f]+ in Verilator, 0x[0-9a-f]+ in PyRTL"):
        check_verilog(broken, top, block, what="zvc-w8 decompressor (edited)")


def test_a_cached_model_runs_after_the_environment_that_built_it_is_gone(tmp_path,
                                                                         monkeypatch):
    """The model cache is shared between environments (tox envs, venvs, CI clones) and
    keyed by cocotb's version; a model's run path names the cocotb libraries of the
    environment that built it. Build one against a copy of the libraries, delete the
    copy, and the cached model must still run (against this environment's libraries)."""
    import shutil

    import cocotb_tools.config as cocotb_config

    design = _zvc()
    block = build_block(design.netlists()["decompressor"].build)
    top = module_name(design.name, "decompressor")
    # a Verilog text of its own, so its model is built here once with the gone libraries
    verilog = to_verilog(block, top) + "// built against cocotb libraries since deleted\n"
    gone = tmp_path / "gone-env-libs"
    shutil.copytree(cocotb_config.libs_dir, gone)
    with monkeypatch.context() as patch:
        patch.setattr(cocotb_config, "libs_dir", gone)
        verilator.build_model(verilog, top, Interface.from_block(block))
    shutil.rmtree(gone)
    check = check_verilog(verilog, top, block, what="zvc-w8 decompressor (moved env)")
    assert check.replay_cycles >= 100


def test_a_wrong_golden_word_is_reported_with_stream_index_and_values():
    vec = StreamVectors("3 values", {"in": np.array([1, 0, 2])}, {},
                        {"flags": np.array([5]), "words": np.array([1, 2])})
    result = JobResult({"flags": [5], "words": [1, 3]}, {}, 10, 0, 10)
    with pytest.raises(NetlistMismatchError,
                       match=r"stream 'words' of job '3 values': expected 2 words, got 2; "
                             r"first difference at word 1: expected 0x2, got 0x3"):
        _compare_words("t", [vec], [result])


def test_pyrtl_exporter_inversion_width_is_fixed_and_checked():
    """PyRTL 1.0.3 writes ``~a + 1`` so that Verilog widens ``a`` before inverting."""
    block = pyrtl.Block()
    with pyrtl.set_working_block(block):
        a = pyrtl.Input(7, "a")
        plus, minus = pyrtl.Output(8, "plus"), pyrtl.Output(8, "minus")
        plus <<= ~a + 1
        minus <<= a - ~a
    buf = io.StringIO()  # PyRTL's exporter alone, without to_verilog's fix
    pyrtl.output_to_verilog(buf, add_reset="asynchronous", block=block, module_name="inv")
    assert "~(a) + 7'd1" in buf.getvalue()
    with pytest.raises(NetlistMismatchError, match="disagrees with its PyRTL simulation"):
        check_verilog(buf.getvalue(), "inv", block, what="raw export", random_cycles=40)
    fixed = to_verilog(block, "inv")
    assert "~(a) +" not in fixed
    assert check_verilog(fixed, "inv", block, what="to_verilog", random_cycles=40
                         ).replay_cycles == 40


def test_interface_groups_streams_and_plain_ports():
    ins = {"in_data": 8, "in_valid": 1, "in_last": 1, "out_ready": 1, "num_words": 24,
           "half_data": 8}
    outs = {"in_ready": 1, "out_data": 16, "out_valid": 1, "out_last": 1, "idle": 1}
    iface = Interface.from_ports(ins, outs)
    assert iface.stream_inputs == {"in": 8} and iface.stream_outputs == {"out": 16}
    assert iface.inputs == {"half_data": 8, "num_words": 24} and iface.outputs == {"idle": 1}
    assert iface.streaming
    assert Interface.from_json(iface.to_json()) == iface
    wide = [(1 << 100) + 5, 0, (1 << 64) - 1]
    assert from_column(to_column(wide, 101)) == wide


def test_stream_driver_reports_a_stall_instead_of_hanging():
    iface = Interface({}, {"idle": 1}, {"in": 8}, {"out": 8})
    driver = StreamDriver(iface, [Job({"in": [1, 2]})], stall_limit=20)
    with pytest.raises(SimulationError, match="no progress for 20 cycles"):
        while not driver.done:  # a netlist that never takes a word and is never idle
            driver.drive()
            driver.observe({"in_ready": 0, "out_valid": 0, "out_last": 0, "out_data": 0,
                            "idle": 0})


def test_missing_perl_is_one_line_error(monkeypatch, capsys):
    real_which = verilator.shutil.which
    monkeypatch.setattr(verilator.shutil, "which",
                        lambda name: None if name == "perl" else real_which(name))
    verilator.toolchain.cache_clear()
    try:
        code = main(["verify", "--simulator", "verilator", "zvc-w8"])
    finally:
        verilator.toolchain.cache_clear()
    out, err = capsys.readouterr()
    assert code == 2 and out == ""
    assert err.count("\n") == 1 and err.startswith("accelbench: error: Verilator needs perl")
    assert "missing: perl" in err


def test_cli_verify_with_verilator(capsys):
    code = main(["verify", "--simulator", "verilator", "zvc-w8", "eyeriss-like-12x14"])
    out = capsys.readouterr().out
    assert code == 0
    assert re.search(r"^ok   zvc-w8 compressor: Verilog = PyRTL on every output for \d+ "
                     r"cycles; \d+ output words of 4 jobs = golden model", out, re.M)
    assert "ok   zvc-w8 decompressor" in out
    assert "--   eyeriss-like-12x14: analytical model" in out


def test_native_harness_matches_golden_and_pyrtl_cycles():
    from accelbench.netlist.stream import StreamHarness
    from accelbench.netlist.verilator_stream import NativeStreamHarness

    design = _zvc()
    block = build_block(design.netlists()["compressor"].build)
    top = module_name(design.name, "compressor")
    model = verilator.build_model(to_verilog(block, top), top, Interface.from_block(block))
    native = NativeStreamHarness(model)
    vectors = codec_vectors(design, "compressor", seed=3,
                            cases=(((1, 1, 500), 0.5), ((1, 1, 7), 1.0)))
    jobs = [(dict(v.streams), dict(v.inputs)) for v in vectors]
    results, _ = native.run(jobs)
    harness = StreamHarness(design.build_compressor)
    for vec, res in zip(vectors, results, strict=True):
        for stream, words in vec.expected.items():
            assert res.outputs[stream].tolist() == np.asarray(words).tolist()
        assert res.cycles == harness.run(dict(vec.streams)).cycles
    stalled, _ = native.run(jobs, seed=5, valid_probability=0.5, ready_probability=0.5)
    for vec, res in zip(vectors, stalled, strict=True):
        for stream, words in vec.expected.items():
            assert res.outputs[stream].tolist() == np.asarray(words).tolist()
