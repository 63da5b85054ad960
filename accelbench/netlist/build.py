"""Building a design's netlist into its own PyRTL block, and exporting it."""

from __future__ import annotations

import io
import re
from collections.abc import Callable

import pyrtl

from accelbench.netlist.ports import Ports, TopLevelPorts


def build_block(build: Callable[[Ports], None], ports: Ports | None = None) -> pyrtl.Block:
    """Run a netlist builder inside a fresh block (top-level ports by default)."""
    block = pyrtl.Block()
    with pyrtl.set_working_block(block, no_sanity_check=True):
        build(ports if ports is not None else TopLevelPorts())
    block.sanity_check()
    return block


def module_name(*parts: str) -> str:
    """A legal Verilog module name from design and netlist names."""
    name = re.sub(r"[^A-Za-z0-9_]", "_", "_".join(parts))
    return name if name[:1].isalpha() else f"m_{name}"


_GENERATED_NAME = re.compile(r"\b(invtmp|tmp|const_)(\d+(?:_\d+)*)\b")
_IDENTIFIER = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")


def _renumber_generated_names(text: str) -> str:
    """Number PyRTL's automatic wire names by first appearance.

    PyRTL draws them from a process-wide counter, so the same netlist built twice would
    otherwise give different text (and miss the area cache).
    """
    seen: dict[str, str] = {}

    def rename(match: re.Match) -> str:
        key = match.group(0)
        if key not in seen:
            seen[key] = f"{match.group(1)}{len(seen)}"
        return seen[key]

    return _GENERATED_NAME.sub(rename, text)


def _declare_inversions(block: pyrtl.Block) -> None:
    """Give every ``~`` result a name, so PyRTL's exporter declares it as a wire.

    PyRTL 1.0.x inlines ``~x`` into the expression that uses it; inside an arithmetic
    expression Verilog first widens ``x`` to the (wider) result and then inverts, so the
    upper bits differ from PyRTL's (``assign t = ~(a) + 7'd1`` with an 8-bit ``t``).
    A declared wire keeps the inversion at ``x``'s width. tests/test_rtl_verilator.py
    checks this against Verilator.
    """
    for net in block.logic:
        if net.op == "~":
            wire = net.dests[0]
            if wire.name.startswith("tmp"):
                wire.name = f"inv{wire.name}"


def _sync_read_address_registers(block: pyrtl.Block) -> list[str]:
    """Registers whose only use is the address of a synchronous-read memory."""
    readers: dict[pyrtl.WireVector, list[pyrtl.LogicNet]] = {}
    for net in block.logic:
        for arg in net.args:
            readers.setdefault(arg, []).append(net)
    found = []
    for reg in block.wirevector_subset(pyrtl.Register):
        uses = readers.get(reg, [])
        if uses and _IDENTIFIER.fullmatch(reg.name) and all(
                n.op == "m" and not n.op_param[1].asynchronous and n.args[0] is reg
                for n in uses):
            found.append(reg.name)
    return sorted(found)


def _without_reset(text: str, registers: list[str]) -> str:
    """Move ``registers`` out of the reset branch into a plain clocked block.

    A synchronous-read MemBlock (address from a register) is a RAM with a registered
    read address; a reset on that register keeps FPGA synthesis from merging it into the
    RAM's read port, so the memory would become LUT RAM instead of block RAM. Its reset
    value only selects which word is read before the first address is clocked in.
    """
    moved = []
    for reg in registers:
        lines = list(re.finditer(rf"^            ({reg} <= .*;)\n", text, re.M))
        if len(lines) != 2:  # the reset branch, then the update
            continue
        moved.append(lines[1].group(1))
        text = text[:lines[0].start()] + text[lines[0].end():lines[1].start()] + \
            text[lines[1].end():]
    if not moved:
        return text
    block = "    always @(posedge clk) begin  // sync-read address, no reset\n" + "".join(
        f"        {line}\n" for line in moved) + "    end\n"
    head, sep, tail = text.rpartition("endmodule")
    return f"{head}{block}{sep}{tail}"


def to_verilog(block: pyrtl.Block, name: str = "toplevel") -> str:
    """Deterministic Verilog of ``block`` with an asynchronous active-high reset ``rst``.

    Every register returns to its reset value on ``rst`` (asynchronous reset maps onto
    the reset flip-flop of the cell library without extra logic), except a register
    used only as a synchronous-read memory's address (see :func:`_without_reset`).
    Renames ``~`` results in ``block`` (see :func:`_declare_inversions`).
    """
    _declare_inversions(block)
    buf = io.StringIO()
    pyrtl.output_to_verilog(buf, add_reset="asynchronous", block=block, module_name=name)
    text = _without_reset(buf.getvalue(), _sync_read_address_registers(block))
    return _renumber_generated_names(text)
