"""The structural stream check: the rules on toy netlists, and every netlist of every
registered codec design (parametrised from the registry, so a new codec is checked
automatically) and of the scaffold's example codec."""

import importlib.util
import sys

import pyrtl
import pytest

from accelbench.netlist.build import build_block
from accelbench.netlist.structure import (
    StreamStructureError,
    check_block,
    require_clean,
    stream_ports,
)
from accelbench.registry import get_registry
from accelbench.scaffold import new_plugin


def _toy(body):
    def build(ports):
        inp = ports.stream_in("in", 4)
        out = ports.stream_out("out", 4)
        idle = ports.output("idle", 1)
        idle <<= 1
        body(inp, out)

    return build_block(build)


def _rules(block):
    return sorted((v.rule, v.source, v.sink) for v in check_block(block))


def test_ready_from_data_valid_or_downstream_ready_is_caught():
    def body(inp, out):
        reg = pyrtl.Register(4)
        reg.next <<= inp.data
        out.data <<= reg
        out.valid <<= 1
        out.last <<= 0
        inp.ready <<= (inp.data != 0) & out.ready & inp.valid

    assert _rules(_toy(body)) == [("ready-in", "in_data", "in_ready"),
                                  ("ready-in", "in_valid", "in_ready"),
                                  ("ready-in", "out_ready", "in_ready")]


def test_output_word_from_ready_is_caught():
    def body(inp, out):
        reg = pyrtl.Register(4)
        reg.next <<= inp.data
        out.data <<= pyrtl.select(out.ready, reg, 0)
        out.valid <<= out.ready
        out.last <<= 0
        inp.ready <<= 1

    found = check_block(_toy(body))
    assert sorted((v.rule, v.sink) for v in found) == [("ready-out", "out_data"),
                                                      ("ready-out", "out_valid")]
    assert str(found[0]).startswith("out_")
    with pytest.raises(StreamStructureError, match="depends combinationally on out_ready"):
        require_clean(found, "toy")


def test_registers_end_paths_and_pass_through_is_allowed():
    def body(inp, out):
        seen = pyrtl.Register(1)
        seen.next <<= inp.valid & out.ready  # through a register: fine
        mem = pyrtl.MemBlock(4, 2, asynchronous=True)
        mem[pyrtl.Const(0, 2)] <<= pyrtl.MemBlock.EnabledWrite(inp.data, out.ready)
        out.data <<= inp.data  # a combinational pass-through of data and valid is allowed
        out.valid <<= inp.valid
        out.last <<= inp.last
        inp.ready <<= ~seen | (mem[pyrtl.Const(0, 2)] == 0)  # a write is state too

    assert _rules(_toy(body)) == []


def test_memory_reads_pass_a_path_on():
    def body(inp, out):
        mem = pyrtl.MemBlock(1, 4, asynchronous=True)
        out.data <<= 0
        out.valid <<= 0
        out.last <<= 0
        inp.ready <<= mem[inp.data]

    assert _rules(_toy(body)) == [("ready-in", "in_data", "in_ready")]


def test_streams_are_found_by_port_name():
    def body(inp, out):
        out.data <<= 0
        out.valid <<= 0
        out.last <<= 0
        inp.ready <<= 1

    block = _toy(body)
    ins, outs = stream_ports(block)
    assert list(ins) == ["in"] and list(outs) == ["out"]


CODEC_NETLISTS = [(name, netlist) for name, design in get_registry().designs.items()
                  if design.family == "codec" for netlist in design.netlists()]


@pytest.mark.parametrize(("design", "netlist"), CODEC_NETLISTS)
def test_every_registered_codec_netlist_is_clean(design, netlist):
    build = get_registry().design(design).netlists()[netlist].build
    block = build_block(build)
    ins, outs = stream_ports(block)
    assert ins and outs  # the check saw the netlist's streams
    assert check_block(block) == []


def test_the_scaffold_example_codec_is_clean(tmp_path):
    pkg = new_plugin("structure-demo", tmp_path / "pkg")
    path = pkg / "src" / "accelbench_structure_demo" / "design.py"
    spec = importlib.util.spec_from_file_location("structure_demo_design", path)
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    try:
        spec.loader.exec_module(module)
        design = module.StructureDemoCodec(word_bits=8)
        for netlist in design.netlists().values():
            block = build_block(netlist.build)
            assert all(stream_ports(block))
            assert check_block(block) == []
    finally:
        sys.modules.pop(spec.name, None)
